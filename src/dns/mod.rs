//! One DNS interface over three sources.
//!
//! * live: the nameservers of the system's configuration (`/etc/resolv.conf`,
//!   read as the C library reads it, [`resolv_conf`]), asked by [`client`]
//!   over UDP with TCP fallback;
//! * `--resolver ADDR`: one chosen nameserver, the same way;
//! * `--zone FILE`: RFC 1035 master files read into memory; no packet is sent.
//!
//! Every question (name, type) is answered at most once per run:
//! [`Dns::query`] keeps one shared slot per question, so concurrent callers
//! wait for the same answer. A failure is shared the same way but expires: a
//! caller that comes [`RETRY_FAILED_AFTER`] or more after it asks again, up
//! to [`MAX_ASKS`] times per question ([`memo`]). Whoever needs every answer
//! as it arrives (mail-auth's caches, [`crate::auth`]) sets an
//! [`AnswerSink`]; this layer knows nothing of what is done with them
//! (`--save-zone` records them the same way, [`save`]).

mod answer;
pub mod live;
pub mod memo;
pub mod no_tls;
pub mod resolv_conf;
pub mod save;
pub mod signed;
pub mod zone;

/// The name helpers, where the DNS layer's callers have always found them.
pub use crate::names::{display_name, ip_from_reverse_name, parse_name, reverse_name};
pub use answer::{Answer, DnsFailure, Lookup, Rcode};
pub use live::client;
pub use memo::{MAX_ASKS, MEMO_CAPACITY, RETRY_FAILED_AFTER};

use crate::util::lock;
use hickory_resolver::proto::rr::{Name, RecordType};
use memo::AnswerMemo;
use signed::{Signed, SignedLookup, ZoneIndex};
use std::{
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex, OnceLock},
    time::{Duration, Instant},
};
use tokio::sync::OnceCell;
use zone::{ZoneRcode, ZoneSet};

/// Where answers come from.
#[derive(Debug, Clone)]
pub enum DnsSource {
    /// The resolvers named in the system configuration (`/etc/resolv.conf`).
    System,
    /// One nameserver, asked over UDP with TCP fallback.
    Server(SocketAddr),
}

enum Backend {
    Live(client::Client),
    Zone(Arc<ZoneSet>),
}

/// Something that wants every answer [`Dns::query`] fetches, as it arrives
/// (mail-auth's caches, set by [`crate::auth`]). It is told once per
/// question asked, never about answers served from the memo.
pub trait AnswerSink: Send + Sync {
    /// The lookup of `name` (lower case, fully qualified) and `rtype`.
    fn learn(&self, name: &Name, rtype: RecordType, lookup: &Lookup);
}

/// Where one DNSSEC question's reply arrives.
type SignedSlot = Arc<OnceCell<SignedLookup>>;

/// The DNS layer every check goes through.
pub struct Dns {
    backend: Backend,
    memo: AnswerMemo,
    /// Told of every answer fetched, in the order they were set.
    sinks: Vec<Arc<dyn AnswerSink>>,
    /// What the user should know about how the source was set up.
    notices: Vec<String>,
    /// DNSSEC questions ([`Dns::query_dnssec`]), each asked once while it
    /// is in use, bounded as the answer memo is.
    signed: Mutex<memo::Generations<(Name, RecordType), SignedSlot>>,
    /// Zone mode: the records by owner, for DNSSEC questions.
    zone_index: OnceLock<ZoneIndex>,
}

/// Settings for live DNS.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Which nameservers to ask.
    pub source: DnsSource,
    /// Per-query timeout.
    pub timeout: Duration,
}

impl Dns {
    /// DNS over the network, from the system's resolvers or one chosen
    /// server, every question through [`client::Client`]. What was assumed
    /// in reading the system's configuration is in [`Dns::notices`].
    pub fn live(options: &LiveOptions) -> Result<Dns, String> {
        // The servers our client asks: `--resolver`, or resolv.conf as the
        // C library reads it (resolv_conf).
        let mut notices = Vec::new();
        let (servers, rotate, attempts) = match &options.source {
            DnsSource::Server(addr) => (vec![*addr], false, 1),
            DnsSource::System => {
                let system = resolv_conf::read(std::path::Path::new(resolv_conf::PATH))?;
                notices.extend(system.note);
                (system.servers, system.rotate, system.attempts)
            }
        };
        Ok(Dns {
            backend: Backend::Live(client::Client::with_options(
                servers,
                options.timeout,
                rotate,
                attempts,
            )),
            memo: AnswerMemo::default(),
            sinks: Vec::new(),
            notices,
            signed: Mutex::new(memo::Generations::new(MEMO_CAPACITY)),
            zone_index: OnceLock::new(),
        })
    }

    /// DNS answered from zone files only: no packet is sent.
    pub fn zones(zones: ZoneSet) -> Dns {
        Dns {
            backend: Backend::Zone(Arc::new(zones)),
            memo: AnswerMemo::default(),
            sinks: Vec::new(),
            notices: Vec::new(),
            signed: Mutex::new(memo::Generations::new(MEMO_CAPACITY)),
            zone_index: OnceLock::new(),
        }
    }

    /// This layer with `sink` told of every answer fetched from now on,
    /// besides the sinks already set (mail-auth's caches and the
    /// `--save-zone` recorder may both listen).
    pub fn with_sink(mut self, sink: Arc<dyn AnswerSink>) -> Dns {
        self.sinks.push(sink);
        self
    }

    /// Notes for the user about how the source was set up (an assumption
    /// made in reading `/etc/resolv.conf`), one sentence each.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// The zone files answers come from, in zone mode.
    pub fn zone_set(&self) -> Option<&Arc<ZoneSet>> {
        match &self.backend {
            Backend::Zone(zones) => Some(zones),
            Backend::Live(_) => None,
        }
    }

    /// The names strictly below `parent` (presentation form, lower case,
    /// sorted) that the loaded zone files hold, owners and the names between
    /// them. `None` for live DNS, where names cannot be listed, and when the
    /// zone that covers `parent` has the root as its apex: such a file (a
    /// recording of the answers a run used) may hold only some of the names.
    pub fn names_below(&self, parent: &str) -> Option<Vec<String>> {
        let zones = self.zone_set()?;
        let parent = parse_name(parent).ok()?;
        let covering = zones
            .zones()
            .iter()
            .filter(|z| z.origin.zone_of(&parent))
            .max_by_key(|z| z.origin.num_labels())?;
        if covering.origin.is_root() {
            return None;
        }
        let suffix = format!(".{}", display_name(&parent));
        let mut names: Vec<String> = zones
            .names()
            .map(display_name)
            .filter(|n| n.ends_with(&suffix))
            .collect();
        names.sort();
        names.dedup();
        Some(names)
    }

    /// True when answers come from zone files.
    pub fn is_offline(&self) -> bool {
        matches!(self.backend, Backend::Zone(_))
    }

    /// Ask one question; the answer is shared by every caller in this run.
    pub async fn query(&self, name: &Name, rtype: RecordType) -> Lookup {
        // Most names are asked in lower case already: no new name for them.
        let mut key_name = if name.iter().flatten().any(u8::is_ascii_uppercase) {
            name.to_lowercase()
        } else {
            name.clone()
        };
        key_name.set_fqdn(true);
        // A zone file's failure (a CNAME loop) would only repeat itself.
        let retry = matches!(self.backend, Backend::Live(_));
        let slot = self.memo.slot(&key_name, rtype, retry);
        slot.get_or_init(|| async {
            let lookup = self.fetch(&key_name, rtype).await;
            for sink in &self.sinks {
                sink.learn(&key_name, rtype, &lookup);
            }
            (lookup, Instant::now())
        })
        .await
        .0
        .clone()
    }

    /// Ask one question for DNSSEC validation: live, with the DO and CD
    /// bits, the reply whole (RRSIGs, NSEC records); from zone files, the
    /// same records as a server would give ([`signed`]). Each question is
    /// asked once per run; these answers are not told to the sinks.
    pub async fn query_dnssec(&self, name: &Name, rtype: RecordType) -> SignedLookup {
        let mut key_name = name.to_lowercase();
        key_name.set_fqdn(true);
        let slot = {
            let mut slots = lock(&self.signed);
            let key = (key_name.clone(), rtype);
            match slots.get(&key) {
                Some(slot) => slot.clone(),
                None => {
                    let slot = SignedSlot::default();
                    slots.insert(key, slot.clone());
                    slot
                }
            }
        };
        slot.get_or_init(|| async {
            match &self.backend {
                Backend::Zone(zones) => {
                    let index = self.zone_index.get_or_init(|| ZoneIndex::new(zones));
                    if let Some(failure) = zones.failure(&key_name, rtype) {
                        return Err(failure);
                    }
                    signed::from_zone(zones, index, &key_name, rtype)
                }
                Backend::Live(client) => {
                    let reply = client.query_dnssec(&key_name, rtype).await?;
                    let message = reply.message;
                    let rcode = if message.metadata.response_code
                        == hickory_resolver::proto::op::ResponseCode::NXDomain
                    {
                        Rcode::NxDomain
                    } else {
                        Rcode::NoError
                    };
                    Ok(Arc::new(Signed {
                        answer: Answer {
                            rcode,
                            records: message.answers,
                        },
                        authority: message.authorities,
                        authentic_data: message.metadata.authentic_data,
                    }))
                }
            }
        })
        .await
        .clone()
    }

    /// Ask by presentation-form name (`example.com` or `example.com.`).
    pub async fn query_str(&self, name: &str, rtype: RecordType) -> Lookup {
        match parse_name(name) {
            Ok(n) => self.query(&n, rtype).await,
            Err(_) => Ok(Arc::new(Answer::negative(Rcode::NxDomain))),
        }
    }

    /// The PTR records of an address.
    pub async fn query_ptr(&self, ip: IpAddr) -> Lookup {
        self.query(&reverse_name(ip), RecordType::PTR).await
    }

    async fn fetch(&self, name: &Name, rtype: RecordType) -> Lookup {
        match &self.backend {
            Backend::Zone(zones) => from_zone(zones, name, rtype),
            Backend::Live(client) => live::resolve(client, name, rtype).await,
        }
    }
}

/// Answer a question from loaded zone files; a question a `$FAIL` directive
/// names fails as it says (a recorded failure, replayed).
pub(crate) fn from_zone(zones: &ZoneSet, name: &Name, rtype: RecordType) -> Lookup {
    if let Some(failure) = zones.failure(name, rtype) {
        return Err(failure);
    }
    let answer = zones.lookup(name, rtype);
    let rcode = match answer.rcode {
        ZoneRcode::NoError => Rcode::NoError,
        ZoneRcode::NxDomain => Rcode::NxDomain,
        ZoneRcode::ServFail => return Err(DnsFailure::ServFail),
    };
    Ok(Arc::new(Answer {
        rcode,
        records: answer.answers,
    }))
}
