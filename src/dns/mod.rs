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
//! to [`MAX_ASKS`] times per question. Answers are also handed to mail-auth's caches ([`mailauth`]) when
//! mail-auth will evaluate something, so its SPF/DKIM/DMARC evaluations see
//! exactly the records our own analysis saw.

pub mod client;
pub mod generations;
pub mod mailauth;
pub mod no_tls;
pub mod resolv_conf;
pub mod zone;

use generations::Generations;
use hickory_resolver::proto::{
    op::ResponseCode,
    rr::{Name, RData, Record, RecordType},
};
use mail_auth::MessageAuthenticator;
use std::{
    fmt,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
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

/// The outcome of a completed query: the name exists or not, and the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rcode {
    /// NOERROR: the name exists (the record list may still be empty: NODATA).
    NoError,
    /// NXDOMAIN: the name does not exist.
    NxDomain,
}

/// The answer section of one query, CNAMEs included, in the order a resolver
/// gives them (the chain first, then the records of the asked type).
#[derive(Debug, Clone)]
pub struct Answer {
    /// Whether the final name exists.
    pub rcode: Rcode,
    /// Answer records, CNAMEs included.
    pub records: Vec<Record>,
}

impl Answer {
    /// A negative answer.
    pub fn negative(rcode: Rcode) -> Answer {
        Answer {
            rcode,
            records: Vec::new(),
        }
    }

    /// The record data of the asked type (CNAMEs left out).
    pub fn data(&self, rtype: RecordType) -> impl Iterator<Item = &RData> {
        self.records
            .iter()
            .filter(move |r| r.record_type() == rtype)
            .map(|r| &r.data)
    }

    /// Each TXT record's character-strings joined into one byte string
    /// (RFC 7208 3.3, RFC 6376 3.6.2.2).
    pub fn txt(&self) -> Vec<Vec<u8>> {
        self.data(RecordType::TXT)
            .filter_map(|d| match d {
                RData::TXT(txt) => Some(
                    txt.txt_data
                        .iter()
                        .flat_map(|s| s.iter().copied())
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    }

    /// Addresses from A and AAAA records.
    pub fn addresses(&self) -> Vec<IpAddr> {
        self.records
            .iter()
            .filter_map(|r| match &r.data {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                _ => None,
            })
            .collect()
    }

    /// Target names of PTR records, in presentation form without the final dot.
    pub fn ptr_names(&self) -> Vec<String> {
        self.data(RecordType::PTR)
            .filter_map(|d| match d {
                RData::PTR(p) => Some(display_name(&p.0)),
                _ => None,
            })
            .collect()
    }

    /// The CNAME chain followed to reach the answer: (alias, target) pairs.
    pub fn cname_chain(&self) -> Vec<(String, String)> {
        self.records
            .iter()
            .filter_map(|r| match &r.data {
                RData::CNAME(c) => Some((display_name(&r.name), display_name(&c.0))),
                _ => None,
            })
            .collect()
    }

    /// True when the name does not exist or has no records of the asked type
    /// (a "void lookup" in RFC 7208 4.6.4 terms).
    pub fn is_void(&self, rtype: RecordType) -> bool {
        self.data(rtype).next().is_none()
    }
}

/// A query that could not be completed. These are temporary by nature: a retry
/// may succeed, and they are never reported as a missing record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsFailure {
    /// No answer arrived in time.
    Timeout,
    /// The server answered SERVFAIL (or a zone file has a CNAME loop).
    ServFail,
    /// The server refused to answer.
    Refused,
    /// The server did not answer but referred to other nameservers (NS
    /// records in the authority section, no AA flag): it does not serve the
    /// name and does not resolve it for us.
    Referral {
        /// The server that sent the referral.
        server: SocketAddr,
        /// The zone whose nameservers it named.
        zone: String,
    },
    /// The server sent an empty answer that claims nothing: no AA flag and no
    /// SOA record of an enclosing zone (RFC 2308 2.2), so it is not evidence
    /// that the name or its records are missing (a lame server).
    Lame {
        /// The server that sent it.
        server: SocketAddr,
    },
    /// The question could not be sent for a reason on this machine (no file
    /// descriptor or buffer left); the server is not to blame.
    Local(String),
    /// Any other failure (network error, malformed answer).
    Other(String),
}

impl fmt::Display for DnsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DnsFailure::Timeout => f.write_str("DNS query timed out"),
            DnsFailure::ServFail => f.write_str("DNS server failure (SERVFAIL)"),
            DnsFailure::Refused => f.write_str("DNS query refused (REFUSED)"),
            DnsFailure::Referral { server, zone } => write!(
                f,
                "the nameserver {server} would not answer: it referred the question to the nameservers of {zone} (a referral, not an answer)"
            ),
            DnsFailure::Lame { server } => write!(
                f,
                "the nameserver {server} would not answer: its reply was empty with no AA flag and no SOA (it does not serve this name)"
            ),
            DnsFailure::Local(m) => {
                write!(f, "DNS query not sent: {m} (a problem on this machine)")
            }
            DnsFailure::Other(m) => write!(f, "DNS query failed: {m}"),
        }
    }
}

/// The result of one question.
pub type Lookup = Result<Arc<Answer>, DnsFailure>;

type Slot = Arc<OnceCell<(Lookup, Instant)>>;

/// One memoised question: its shared answer slot and how many times it has
/// been asked in this run.
#[derive(Clone)]
struct Memo {
    slot: Slot,
    asked: u8,
}

/// A failed question is asked again by the next caller that comes at least
/// this long after the failure: one lost answer for a name many domains
/// share (a provider's SPF include) then costs the domains checked in the
/// next few seconds, not every domain after it in a batch.
pub const RETRY_FAILED_AFTER: Duration = Duration::from_secs(2);

/// How many times one question may be asked in a run, counting the first.
/// Answers (NOERROR, NXDOMAIN) are kept for the whole run; only failures are
/// asked again, and at most this often, so a dead server costs a bounded
/// number of timeouts per name.
pub const MAX_ASKS: u8 = 3;

/// How many questions one generation of the answer memo holds; at most twice
/// this many answers are kept (see `generations`), and answers in use are
/// refreshed, so a provider's records shared by many domains stay. Enough for
/// every question of the domains in flight at the default concurrency (64
/// domains of about 30 questions each with the 23 common DKIM selectors):
/// over 1,000 such domains against a local server no question was asked
/// twice (with 1,024, 433 of 30,466 were, mostly shared SPF includes). A run
/// over 1,000 domains already fills it, so longer runs need no more.
pub const MEMO_CAPACITY: usize = 2_048;

enum Backend {
    Live(client::Client),
    Zone(Arc<ZoneSet>),
}

/// The DNS layer every check and every mail-auth evaluation goes through.
pub struct Dns {
    backend: Backend,
    slots: Mutex<Generations<(Name, RecordType), Memo>>,
    /// mail-auth's evaluator: no nameserver, so it can only read what our
    /// own lookups put in its caches.
    authenticator: MessageAuthenticator,
    caches: mailauth::Caches,
    /// Whether live answers are handed to mail-auth's caches.
    feed_mailauth: bool,
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
    /// DNS over the network, from the system's resolvers or one chosen server.
    ///
    /// Every question goes through [`client::Client`]; mail-auth reads the
    /// answers from its caches and has no resolver of its own.
    pub fn live(options: &LiveOptions) -> Result<Dns, String> {
        // The servers our client asks: `--resolver`, or resolv.conf as the
        // C library reads it (resolv_conf).
        let (servers, rotate, attempts) = match &options.source {
            DnsSource::Server(addr) => (vec![*addr], false, 1),
            DnsSource::System => {
                let system = resolv_conf::read(std::path::Path::new(resolv_conf::PATH))?;
                if let Some(note) = &system.note {
                    eprintln!("mailcheck: {note}");
                }
                (system.servers, system.rotate, system.attempts)
            }
        };
        // mail-auth gets no nameserver: every answer it reads comes from
        // our lookups through its caches (see `mailauth`), so there is one
        // DNS stack, and a question nobody fetched first is a temperror.
        let authenticator = mailauth::sealed_authenticator()?;
        Ok(Dns {
            backend: Backend::Live(client::Client::with_options(
                servers,
                options.timeout,
                rotate,
                attempts,
            )),
            slots: Mutex::new(Generations::new(MEMO_CAPACITY)),
            authenticator,
            caches: mailauth::Caches::live(),
            feed_mailauth: true,
        })
    }

    /// DNS answered from zone files only. mail-auth gets a resolver with no
    /// nameserver at all, and caches filled from the zones, so nothing can
    /// leave the process.
    pub fn zones(zones: ZoneSet) -> Result<Dns, String> {
        let authenticator = mailauth::sealed_authenticator()?;
        let zones = Arc::new(zones);
        let caches = mailauth::Caches::from_zones(&zones);
        Ok(Dns {
            backend: Backend::Zone(zones),
            slots: Mutex::new(Generations::new(MEMO_CAPACITY)),
            authenticator,
            caches,
            feed_mailauth: true,
        })
    }

    /// For runs where mail-auth evaluates nothing (a domain check without
    /// `--ip`, `dkim`, `dmarc`): live answers are not converted into its
    /// caches, which saves the parsing and the memory they would take.
    pub fn without_mailauth(mut self) -> Dns {
        self.feed_mailauth = false;
        self
    }

    /// The mail-auth evaluator. It has no nameserver, so every answer must
    /// come from [`Dns::query`] through the caches; a question nobody
    /// fetched first fails (temperror) instead of going out through a
    /// second resolver.
    pub fn authenticator(&self) -> &MessageAuthenticator {
        &self.authenticator
    }

    /// The caches to pass to mail-auth (`Parameters::with_cache`).
    pub fn caches(&self) -> &mailauth::Caches {
        &self.caches
    }

    /// True when answers come from zone files.
    pub fn is_offline(&self) -> bool {
        matches!(self.backend, Backend::Zone(_))
    }

    /// Ask one question; the answer is shared by every caller in this run.
    pub async fn query(&self, name: &Name, rtype: RecordType) -> Lookup {
        let mut key_name = name.to_lowercase();
        key_name.set_fqdn(true);
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            let key = (key_name.clone(), rtype);
            let memo = slots.get(&key).cloned();
            match memo {
                Some(memo) if !self.ask_again(&memo) => memo.slot,
                memo => {
                    let slot: Slot = Arc::new(OnceCell::new());
                    let asked = memo.map_or(1, |m| m.asked + 1);
                    slots.insert(
                        key,
                        Memo {
                            slot: slot.clone(),
                            asked,
                        },
                    );
                    slot
                }
            }
        };
        slot.get_or_init(|| async {
            let lookup = self.fetch(&key_name, rtype).await;
            // Zone mode too: mail-auth then finds what our checks fetched
            // without looking it up in the zones a second time.
            if self.feed_mailauth {
                self.caches.learn(&key_name, rtype, &lookup);
            }
            (lookup, Instant::now())
        })
        .await
        .0
        .clone()
    }

    /// True when a memoised question failed over the network long enough ago
    /// to be asked again, and has been asked fewer than [`MAX_ASKS`] times.
    /// A zone file's failure (a CNAME loop) would only repeat itself.
    fn ask_again(&self, memo: &Memo) -> bool {
        match (&self.backend, memo.slot.get()) {
            (Backend::Live(_), Some((Err(_), at))) => {
                memo.asked < MAX_ASKS && at.elapsed() >= RETRY_FAILED_AFTER
            }
            _ => false,
        }
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
            Backend::Live(client) => resolve(client, name, rtype).await,
        }
    }
}

/// How many questions one lookup may take to follow a CNAME chain that the
/// server's answers leave unfinished (an authoritative server answers only
/// for its own zones).
const MAX_CHASE_QUERIES: usize = 8;

/// The longest CNAME chain followed (as in zone files).
const MAX_CNAME_CHAIN: usize = 16;

/// Ask `name`/`rtype` and follow its CNAME chain: the answer holds the chain
/// and the records of the asked type at its end, nothing else the server
/// put in the answer section, each record once (a forwarder that repeats a
/// record must not make one SPF record two). A chain that loops, or runs
/// longer than [`MAX_CNAME_CHAIN`], is a server failure, never a missing
/// record.
///
/// A negative answer (NXDOMAIN, or NOERROR with nothing of the asked type)
/// is believed only when it says it is one (RFC 2308 2.1, 2.2): for the
/// asked name itself, the AA flag or the SOA of a zone that encloses it in
/// the authority section; for the end of a CNAME chain, that SOA (the AA
/// flag speaks for the first name only, RFC 1035 4.1.1). An empty answer to
/// the asked name that says neither is a referral or a lame answer
/// ([`client::unanswered`]); one at the end of a chain is asked again about
/// that name. A negative answer keeps the chain collected so far, so a
/// dangling CNAME can be reported with its target.
async fn resolve(client: &client::Client, name: &Name, rtype: RecordType) -> Lookup {
    let mut records: Vec<Record> = Vec::new();
    let mut current = name.clone();
    let mut seen = vec![current.clone()];
    for _ in 0..MAX_CHASE_QUERIES {
        let reply = client.query(&current, rtype).await?;
        let message = &reply.message;
        let asked = current.clone();
        loop {
            let mut found = false;
            for record in message
                .answers
                .iter()
                .filter(|r| r.record_type() == rtype && r.name == current)
            {
                found = true;
                push_once(&mut records, record);
            }
            if found {
                return Ok(Arc::new(Answer {
                    rcode: Rcode::NoError,
                    records,
                }));
            }
            let next = message.answers.iter().find_map(|r| match &r.data {
                RData::CNAME(c) if r.name == current => Some((r, c.0.clone())),
                _ => None,
            });
            let Some((record, target)) = next else { break };
            if seen.contains(&target) || seen.len() > MAX_CNAME_CHAIN {
                return Err(DnsFailure::ServFail);
            }
            seen.push(target.clone());
            push_once(&mut records, record);
            current = target;
        }
        // Nothing of the asked type at the end of the chain so far.
        if client::says_negative(message, &current, current == asked) {
            let rcode = if message.metadata.response_code == ResponseCode::NXDomain {
                Rcode::NxDomain
            } else {
                Rcode::NoError
            };
            return Ok(Arc::new(Answer { rcode, records }));
        }
        if current == asked {
            // An answer section about other names only, with nothing that
            // makes it a negative answer for this one.
            return Err(
                client::unanswered(message, &current, reply.server).unwrap_or(DnsFailure::Lame {
                    server: reply.server,
                }),
            );
        }
        // The chain leads to a name this answer says nothing certain about: ask it.
    }
    Err(DnsFailure::ServFail)
}

/// Add `record` unless the same name already has the same data.
fn push_once(records: &mut Vec<Record>, record: &Record) {
    if !records
        .iter()
        .any(|r| r.name == record.name && r.data == record.data)
    {
        records.push(record.clone());
    }
}

/// Answer a question from loaded zone files.
pub(crate) fn from_zone(zones: &ZoneSet, name: &Name, rtype: RecordType) -> Lookup {
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

/// Parse a presentation-form domain name as a fully qualified, lower-case name.
pub fn parse_name(name: &str) -> Result<Name, String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err("empty domain name".into());
    }
    let mut n = Name::from_ascii(trimmed).map_err(|e| e.to_string())?;
    n.set_fqdn(true);
    Ok(n.to_lowercase())
}

/// The name as users write it: lower case, no final dot.
pub fn display_name(name: &Name) -> String {
    let s = name.to_ascii();
    let s = s.strip_suffix('.').unwrap_or(&s);
    if s.is_empty() {
        ".".into()
    } else {
        s.to_ascii_lowercase()
    }
}

/// The reverse-lookup name of an address (RFC 1035 3.5, RFC 3596 2.5).
pub fn reverse_name(ip: IpAddr) -> Name {
    let mut text = String::new();
    match ip {
        IpAddr::V4(v4) => {
            for o in v4.octets().iter().rev() {
                text.push_str(&format!("{o}."));
            }
            text.push_str("in-addr.arpa.");
        }
        IpAddr::V6(v6) => {
            for b in v6.octets().iter().rev() {
                text.push_str(&format!("{:x}.{:x}.", b & 0x0f, b >> 4));
            }
            text.push_str("ip6.arpa.");
        }
    }
    // The text is built from digits and dots only, so it always parses.
    Name::from_ascii(&text).unwrap_or_else(|_| Name::root())
}

/// The address a reverse-lookup name stands for, if it is one.
pub fn ip_from_reverse_name(name: &Name) -> Option<IpAddr> {
    let text = display_name(name);
    if let Some(rest) = text.strip_suffix(".in-addr.arpa") {
        let parts: Vec<&str> = rest.split('.').collect();
        if parts.len() != 4 {
            return None;
        }
        let mut octets = [0u8; 4];
        for (i, p) in parts.iter().rev().enumerate() {
            octets[i] = p.parse().ok()?;
        }
        Some(IpAddr::from(octets))
    } else if let Some(rest) = text.strip_suffix(".ip6.arpa") {
        let nibbles: Vec<&str> = rest.split('.').collect();
        if nibbles.len() != 32 {
            return None;
        }
        let mut octets = [0u8; 16];
        for (i, pair) in nibbles.chunks(2).enumerate() {
            let lo = u8::from_str_radix(pair[0], 16).ok()?;
            let hi = u8::from_str_radix(pair[1], 16).ok()?;
            octets[15 - i] = (hi << 4) | lo;
        }
        Some(IpAddr::from(octets))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names_round_trip() {
        for ip in ["192.0.2.10", "2001:db8::25"] {
            let ip: IpAddr = ip.parse().unwrap();
            let name = reverse_name(ip);
            assert_eq!(ip_from_reverse_name(&name), Some(ip));
        }
        assert_eq!(
            display_name(&reverse_name("192.0.2.10".parse().unwrap())),
            "10.2.0.192.in-addr.arpa"
        );
    }
}
