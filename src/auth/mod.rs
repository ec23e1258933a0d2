//! The bridge to mail-auth, which checks DKIM and ARC signatures and
//! evaluates DMARC for `verify`: its evaluations read DNS only through
//! caches filled from mailcheck's own answers, so they see exactly the
//! records mailcheck's analysis saw, and there is one DNS stack.
//!
//! This module depends on [`crate::dns`]; the DNS layer knows nothing of
//! mail-auth. [`Auth::new`] sets the caches as the DNS layer's
//! [`AnswerSink`], so every answer fetched from then on is put in the cache
//! of its type (TXT, MX, A, AAAA, PTR) as it arrives.
//!
//! mail-auth's resolver has no nameserver ([`sealed_authenticator`]): a
//! question mail-auth asks that is not in its caches fails at once, and it
//! reports temperror, instead of being sent by a second resolver. `verify`
//! therefore fetches every name mail-auth will need before each evaluation.
//!
//! * Live mode: the caches start empty; a name nobody fetched is a miss,
//!   and a miss is temperror.
//! * Zone mode: every name the zones hold is answered from them when
//!   mail-auth first asks for it, and a miss is NXDOMAIN (a name no loaded
//!   zone holds does not exist), so nothing can leave the process.
//!
//! A failed lookup (timeout, SERVFAIL, referral, a CNAME loop in a zone
//! file) is kept as a failure, never as "no record", in both modes: a TXT
//! failure is cached as a resolver error, which mail-auth reports as
//! temperror; a failed MX, A, AAAA or PTR lookup marks the name failed, so
//! its cache answers it as a miss (even in zone mode), mail-auth asks its
//! resolver, which fails, and that is temperror too.

mod caches;

pub use caches::{Caches, MapCache};

use crate::dns::{AnswerSink, Dns, Lookup};
use hickory_resolver::proto::rr::{Name, RecordType};
use mail_auth::MessageAuthenticator;
use std::sync::Arc;

/// A DNS layer whose answers also go to mail-auth's caches, and the
/// mail-auth evaluator that reads them.
pub struct Auth {
    dns: Dns,
    caches: Arc<Caches>,
    authenticator: MessageAuthenticator,
    memos: crate::verify::memo::Memos,
}

impl Auth {
    /// mail-auth over `dns`: empty caches for live DNS, caches that answer
    /// from the zones in zone mode, and every answer `dns` fetches from now
    /// on put in them (in zone mode too, so mail-auth finds what the checks
    /// fetched without looking it up in the zones again). `dns` should not
    /// have answered anything yet: answers it already holds are not replayed.
    pub fn new(dns: Dns) -> Result<Auth, String> {
        let authenticator = sealed_authenticator()?;
        let caches = Arc::new(match dns.zone_set() {
            Some(zones) => Caches::from_zones(zones),
            None => Caches::live(),
        });
        let dns = dns.with_sink(caches.clone());
        Ok(Auth {
            dns,
            caches,
            authenticator,
            memos: Default::default(),
        })
    }

    /// The DNS layer: ask through it, and mail-auth will find the answer.
    pub fn dns(&self) -> &Dns {
        &self.dns
    }

    /// The mail-auth evaluator. It has no nameserver, so every answer must
    /// come from [`Dns::query`] through the caches; a question nobody
    /// fetched first fails (temperror) instead of going out through a
    /// second resolver.
    pub fn authenticator(&self) -> &MessageAuthenticator {
        &self.authenticator
    }

    /// The caches to pass to mail-auth (`Parameters::with_cache`).
    pub fn caches(&self) -> &Caches {
        &self.caches
    }

    /// What `verify` works out once per domain over these answers.
    pub fn memos(&self) -> &crate::verify::memo::Memos {
        &self.memos
    }
}

impl AnswerSink for Caches {
    fn learn(&self, name: &Name, rtype: RecordType, lookup: &Lookup) {
        Caches::learn(self, name, rtype, lookup);
    }
}

/// A mail-auth evaluator whose resolver has no nameserver: it answers only
/// from the caches this module fills.
pub fn sealed_authenticator() -> Result<MessageAuthenticator, String> {
    MessageAuthenticator::new(
        hickory_resolver::config::ResolverConfig::from_parts(None, vec![], vec![]),
        hickory_resolver::config::ResolverOpts::default(),
    )
    .map_err(|e| format!("cannot set up the offline resolver: {e}"))
}
