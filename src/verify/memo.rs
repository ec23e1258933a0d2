//! What `verify` works out once per domain, not once per message: in a batch
//! (or a `serve` run) most messages come from a few domains, and their SPF
//! evaluation, DMARC record discovery and DKIM key facts depend only on the
//! domain and the connection, never on the message.
//!
//! * SPF, per (IP, MAIL FROM, HELO, receiver): check_host() and the walk
//!   that fetches its names first. Every input of check_host() (macros
//!   included: `%{l}`, `%{i}`, `%{h}`, `%{r}`) is in the key.
//! * DMARC discovery, per From domain: the RFC 9989 4.10 tree walk and the
//!   records it found.
//! * DKIM keys, per key name: the record as read strictly and the key's
//!   size, type and flags, kept with the answer they were read from, so a
//!   new answer (after the DNS memo let the old one go) is read again.
//!
//! Only outcomes that no DNS failure went into are kept (an SPF temperror,
//! a walk with a name that could not be asked): the next message asks
//! again, as it would have without the memo. Messages in flight at the same
//! time share one evaluation, as they share one DNS answer.
//!
//! Each memo is bounded like the DNS answer memo ([`Generations`], the same
//! capacity): an outcome is not worth keeping longer than the answers it
//! came from, and memory stays flat however many messages a batch has.

use super::{SpfVerdict, dkim::Key};
use crate::{
    check::dmarc::Discovery,
    dns::{Answer, DnsFailure, Lookup, MEMO_CAPACITY, memo::Generations},
    util::lock,
};
use mail_auth::SpfOutput;
use std::{
    hash::Hash,
    net::IpAddr,
    sync::{Arc, Mutex},
};
use tokio::sync::OnceCell;

/// A bounded memo whose concurrent callers for one key share one
/// computation.
pub struct Memo<K, V> {
    slots: Mutex<Generations<K, Arc<OnceCell<V>>>>,
}

impl<K: Hash + Eq + Clone, V: Clone> Memo<K, V> {
    /// A memo holding at most `2 * capacity` outcomes.
    pub fn new(capacity: usize) -> Self {
        Memo {
            slots: Mutex::new(Generations::new(capacity)),
        }
    }

    /// The outcome for `key`: the memoised one, or `compute`'s. An outcome
    /// `keep` refuses is handed to the callers waiting for it and then
    /// forgotten, so the next caller computes it again.
    pub async fn get<F>(&self, key: K, compute: impl FnOnce() -> F, keep: impl Fn(&V) -> bool) -> V
    where
        F: Future<Output = V>,
    {
        let slot = {
            let mut slots = lock(&self.slots);
            match slots.get(&key) {
                Some(slot) => slot.clone(),
                None => {
                    let slot = Arc::new(OnceCell::new());
                    slots.insert(key.clone(), slot.clone());
                    slot
                }
            }
        };
        let value = slot.get_or_init(compute).await.clone();
        if !keep(&value) {
            let mut slots = lock(&self.slots);
            if slots.get(&key).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
                slots.remove(&key);
            }
        }
        value
    }

    /// How many outcomes are held.
    #[cfg(test)]
    fn held(&self) -> usize {
        lock(&self.slots).len()
    }
}

/// The connection an SPF evaluation is for: everything check_host() reads
/// besides DNS.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpfKey {
    /// The sending IP.
    pub ip: IpAddr,
    /// The MAIL FROM address (after the Return-Path fallback), if any.
    pub mail_from: Option<String>,
    /// The HELO name, if any.
    pub helo: Option<String>,
    /// The receiver's name (`%{r}`).
    pub receiver: String,
}

/// SPF for a connection, as `verify` uses it: mail-auth's output for DMARC
/// and Authentication-Results, the verdict for the report, and the domain
/// evaluated.
pub type SpfOutcome = Arc<(SpfOutput, SpfVerdict, Option<String>)>;

/// DMARC discovery for a From domain.
pub type DiscoveryOutcome = Result<Arc<Discovery>, (String, DnsFailure)>;

/// A key record read from one answer.
#[derive(Clone)]
struct KeyEntry {
    answer: Arc<Answer>,
    key: Arc<Key>,
}

/// The memos of one run (one [`crate::auth::Auth`]).
pub struct Memos {
    spf: Memo<SpfKey, SpfOutcome>,
    discovery: Memo<String, DiscoveryOutcome>,
    keys: Mutex<Generations<String, KeyEntry>>,
}

impl Default for Memos {
    fn default() -> Self {
        Memos {
            spf: Memo::new(MEMO_CAPACITY),
            discovery: Memo::new(MEMO_CAPACITY),
            keys: Mutex::new(Generations::new(MEMO_CAPACITY)),
        }
    }
}

impl Memos {
    /// SPF for `key`, computed by `compute` unless memoised. A temperror
    /// (a lookup failed) is not kept, nor an outcome with an explanation
    /// (`exp=` may use `%{t}`, the time of the evaluation).
    pub async fn spf<F>(&self, key: SpfKey, compute: impl FnOnce() -> F) -> SpfOutcome
    where
        F: Future<Output = SpfOutcome>,
    {
        self.spf
            .get(key, compute, |o| {
                o.1.result != crate::spf::Verdict::TempError && o.0.explanation().is_none()
            })
            .await
    }

    /// DMARC discovery for `domain`, computed by `compute` unless memoised.
    /// A walk in which any name could not be asked is not kept.
    pub async fn discovery<F>(&self, domain: &str, compute: impl FnOnce() -> F) -> DiscoveryOutcome
    where
        F: Future<Output = DiscoveryOutcome>,
    {
        self.discovery
            .get(domain.to_string(), compute, |o| {
                o.as_ref().is_ok_and(|d| d.unanswered.is_empty())
            })
            .await
    }

    /// The key at `name` read from `lookup`: read once per answer. A failed
    /// lookup is read each time (it is only its message).
    pub fn key(&self, name: &str, lookup: &Lookup) -> Arc<Key> {
        let Ok(answer) = lookup else {
            return Arc::new(Key::from_lookup(lookup));
        };
        if let Some(entry) = lock(&self.keys).get(name)
            && Arc::ptr_eq(&entry.answer, answer)
        {
            return entry.key.clone();
        }
        let key = Arc::new(Key::from_lookup(lookup));
        lock(&self.keys).insert(
            name.to_string(),
            KeyEntry {
                answer: answer.clone(),
                key: key.clone(),
            },
        );
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn computes_once_and_forgets_what_it_must_not_keep() {
        let memo: Memo<u32, u32> = Memo::new(4);
        let runs = AtomicUsize::new(0);
        let compute = |v: u32| {
            let runs = &runs;
            move || async move {
                runs.fetch_add(1, Ordering::SeqCst);
                v
            }
        };
        assert_eq!(memo.get(1, compute(10), |_| true).await, 10);
        assert_eq!(memo.get(1, compute(11), |_| true).await, 10);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Refused outcomes are computed again by the next caller.
        assert_eq!(memo.get(2, compute(20), |v| *v != 20).await, 20);
        assert_eq!(memo.get(2, compute(21), |v| *v != 20).await, 21);
        assert_eq!(memo.get(2, compute(22), |v| *v != 20).await, 21);
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn bounded() {
        let memo: Memo<u32, u32> = Memo::new(8);
        for i in 0..1000 {
            memo.get(i, || async move { i }, |_| true).await;
            assert!(memo.held() <= 16, "{}", memo.held());
        }
    }

    #[test]
    fn a_key_is_read_again_from_a_new_answer() {
        let memos = Memos::default();
        let answer = |text: &str| -> Lookup {
            let name = hickory_resolver::proto::rr::Name::from_ascii("s._domainkey.example.")
                .expect("name");
            let txt = hickory_resolver::proto::rr::rdata::TXT::new(vec![text.to_string()]);
            let record = hickory_resolver::proto::rr::Record::from_rdata(
                name,
                300,
                hickory_resolver::proto::rr::RData::TXT(txt),
            );
            Ok(Arc::new(Answer {
                rcode: crate::dns::Rcode::NoError,
                records: vec![record],
            }))
        };
        let first = answer("v=DKIM1; k=rsa; p=");
        let a = memos.key("s._domainkey.example", &first);
        let b = memos.key("s._domainkey.example", &first);
        assert!(Arc::ptr_eq(&a, &b));
        let second = answer("v=DKIM1; k=ed25519; p=");
        let c = memos.key("s._domainkey.example", &second);
        assert!(!Arc::ptr_eq(&a, &c));
        let Key::Found { text, .. } = &*c else {
            panic!("no key read")
        };
        assert!(text.contains("ed25519"));
    }
}
