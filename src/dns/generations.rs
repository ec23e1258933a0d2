//! A map that keeps the recently used entries and forgets the rest, so a run
//! over thousands of domains holds a bounded number of DNS answers.
//!
//! Two generations: new entries go into the current one; when it is full it
//! becomes the old one and the previous old one is dropped. A hit in the old
//! generation moves the entry back into the current one, so records shared by
//! many domains (a provider's SPF include, a common DKIM key) stay, while each
//! domain's own answers are forgotten some time after its check is done.

use std::{borrow::Borrow, collections::HashMap, hash::Hash};

/// Keys come from DNS answers, so a seeded hash with good mixing:
/// foldhash's quality variant, several times cheaper than SipHash on short
/// names (SipHash was 5% of an `spf` batch's instructions).
type Map<K, V> = HashMap<K, V, foldhash::quality::RandomState>;

/// A size-bounded map with approximate least-recently-used eviction.
#[derive(Debug)]
pub struct Generations<K, V> {
    current: Map<K, V>,
    old: Map<K, V>,
    capacity: usize,
}

impl<K: Hash + Eq, V> Generations<K, V> {
    /// A map holding between `capacity` and `2 * capacity` entries at most;
    /// `usize::MAX` for no bound.
    pub fn new(capacity: usize) -> Self {
        Generations {
            current: Map::default(),
            old: Map::default(),
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
            self.old = std::mem::take(&mut self.current);
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
