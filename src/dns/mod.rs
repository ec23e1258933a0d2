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

mod answer;
pub mod live;
pub mod mailauth;
pub mod memo;
mod name;
pub mod no_tls;
pub mod resolv_conf;
pub mod zone;

pub use answer::{Answer, DnsFailure, Lookup, Rcode};
pub use live::client;
pub use memo::{MAX_ASKS, MEMO_CAPACITY, RETRY_FAILED_AFTER};
pub use name::{display_name, ip_from_reverse_name, parse_name, reverse_name};

use hickory_resolver::proto::rr::{Name, RecordType};
use mail_auth::MessageAuthenticator;
use memo::AnswerMemo;
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, Instant},
};
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

/// The DNS layer every check and every mail-auth evaluation goes through.
pub struct Dns {
    backend: Backend,
    memo: AnswerMemo,
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
            memo: AnswerMemo::default(),
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
            memo: AnswerMemo::default(),
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
        // A zone file's failure (a CNAME loop) would only repeat itself.
        let retry = matches!(self.backend, Backend::Live(_));
        let slot = self.memo.slot(&key_name, rtype, retry);
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
