//! The per-run answer memo: each question (name, type) is asked once, and
//! every caller shares its answer.
//!
//! [`AnswerMemo`] keeps one shared slot per question, so concurrent callers
//! wait for the same answer. A failure is shared the same way but expires:
//! a caller that comes [`RETRY_FAILED_AFTER`] or more after it asks again,
//! up to [`MAX_ASKS`] times per question. Answers (NOERROR, NXDOMAIN) are
//! kept for the whole run, within a bound: [`Generations`], a map that keeps
//! the recently used entries and forgets the rest, so a run over thousands
//! of domains holds a bounded number of answers.
//!
//! Two generations: new entries go into the current one; when it is full it
//! becomes the old one and the previous old one is dropped. A hit in the old
//! generation moves the entry back into the current one, so records shared by
//! many domains (a provider's SPF include, a common DKIM key) stay, while each
//! domain's own answers are forgotten some time after its check is done.

use super::Lookup;
use crate::util::{FastMap, fast_map, lock};
use hickory_resolver::proto::rr::{Name, RecordType};
use std::{
    borrow::Borrow,
    hash::{Hash, Hasher},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::OnceCell;

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

/// How many questions one generation of the answer memo holds; at most
/// twice this many answers are kept, and answers in use are refreshed. The
/// rule: an answer is dropped only after two generations fill without it
/// being used, and that must not happen while the domain that asked it is
/// still in flight: at the default concurrency, 64 domains with about 40
/// questions each (the common DKIM selectors, a provider's own selectors,
/// TLS-RPT, MTA-STS and TLSA names) are about 2,600 questions, inside the
/// two generations' 4,096. BENCHMARKS.md ("Why these constants") has the
/// measurement behind the number, taken at about 30 questions a domain.
pub const MEMO_CAPACITY: usize = 2_048;

/// Where one question's answer arrives, with the time it arrived.
pub type Slot = Arc<OnceCell<(Lookup, Instant)>>;

/// One memoised question: its shared answer slot and how many times it has
/// been asked in this run.
#[derive(Clone)]
struct Entry {
    slot: Slot,
    asked: u8,
}

/// The answers of one run, by question.
pub struct AnswerMemo {
    slots: Mutex<Generations<Key, Entry>>,
}

/// A question as the memo keeps it: a lower-case, fully qualified name and
/// a type, hashed and compared by the name's octets. hickory's `Name`
/// hashes and compares without regard to case, one octet at a time, which
/// was most of a look-up's cost (callgrind, 1,000 SPF cases: the memo 10%
/// of all instructions); the names here are lower case already, so their
/// octets decide.
#[derive(Clone)]
struct Key(Name, RecordType);

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for label in self.0.iter() {
            state.write_usize(label.len());
            state.write(label);
        }
        self.1.hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.1 == other.1
            && self.0.num_labels() == other.0.num_labels()
            && self.0.iter().eq(other.0.iter())
    }
}

impl Eq for Key {}

impl Default for AnswerMemo {
    fn default() -> Self {
        AnswerMemo {
            slots: Mutex::new(Generations::new(MEMO_CAPACITY)),
        }
    }
}

impl AnswerMemo {
    /// The slot for `name`/`rtype`: the one every caller shares, or a fresh
    /// one when the question is new, or when `retry_failures` is set and the
    /// memoised answer is a failure old enough to ask again
    /// ([`RETRY_FAILED_AFTER`], [`MAX_ASKS`]). `name` must be lower case and
    /// fully qualified.
    pub fn slot(&self, name: &Name, rtype: RecordType, retry_failures: bool) -> Slot {
        let mut slots = lock(&self.slots);
        let key = Key(name.clone(), rtype);
        let entry = slots.get(&key).cloned();
        match entry {
            Some(entry) if !(retry_failures && ask_again(&entry)) => entry.slot,
            entry => {
                let slot: Slot = Arc::new(OnceCell::new());
                let asked = entry.map_or(1, |e| e.asked + 1);
                slots.insert(
                    key,
                    Entry {
                        slot: slot.clone(),
                        asked,
                    },
                );
                slot
            }
        }
    }
}

/// True when a memoised question failed long enough ago to be asked again,
/// and has been asked fewer than [`MAX_ASKS`] times.
fn ask_again(entry: &Entry) -> bool {
    match entry.slot.get() {
        Some((Err(_), at)) => entry.asked < MAX_ASKS && at.elapsed() >= RETRY_FAILED_AFTER,
        _ => false,
    }
}

/// A size-bounded map with approximate least-recently-used eviction.
#[derive(Debug)]
pub struct Generations<K, V> {
    current: FastMap<K, V>,
    old: FastMap<K, V>,
    capacity: usize,
}

impl<K: Hash + Eq, V> Generations<K, V> {
    /// A map holding between `capacity` and `2 * capacity` entries at most;
    /// `usize::MAX` for no bound.
    pub fn new(capacity: usize) -> Self {
        Generations {
            current: FastMap::default(),
            old: FastMap::default(),
            capacity: capacity.max(1),
        }
    }

    /// Look up an entry, refreshing it if it was in the old generation.
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if !self.current.contains_key(key) {
            let (k, v) = self.old.remove_entry(key)?;
            self.insert(k, v);
        }
        self.current.get(key)
    }

    /// True when the key is held (without refreshing it).
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.current.contains_key(key) || self.old.contains_key(key)
    }

    /// Insert or replace an entry.
    pub fn insert(&mut self, key: K, value: V) {
        if self.current.len() >= self.capacity && !self.current.contains_key(&key) {
            // Sized for a full generation at once: growing from empty
            // rehashed it over and over.
            let room = self.capacity.min(MEMO_CAPACITY);
            self.old = std::mem::replace(&mut self.current, fast_map(room));
        }
        self.current.insert(key, value);
    }

    /// Remove an entry.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.current.remove(key).or_else(|| self.old.remove(key))
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        self.current.len() + self.old.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_keeps_what_is_used() {
        let mut g = Generations::new(3);
        for i in 0..100 {
            g.insert(i, i);
            // A value used all along survives every rotation.
            if i == 0 || g.get(&0).is_none() {
                g.insert(0, 0);
            }
            assert!(g.len() <= 6, "{}", g.len());
        }
        assert_eq!(g.get(&0), Some(&0));
        assert_eq!(g.get(&1), None);
        assert_eq!(g.get(&99), Some(&99));
        assert_eq!(g.remove(&99), Some(99));
        assert!(!g.contains(&99));
    }
}
