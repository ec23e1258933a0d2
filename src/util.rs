//! Small helpers shared by several modules.

use std::{
    collections::{HashMap, HashSet},
    sync::{Mutex, MutexGuard},
};

/// A map keyed by names (DNS names, cache keys): foldhash, seeded per
/// process like the standard library's SipHash but several times cheaper on
/// short keys (BENCHMARKS.md, "Why these constants").
pub type FastMap<K, V> = HashMap<K, V, foldhash::quality::RandomState>;

/// A set of names, hashed as [`FastMap`] is.
pub type FastSet<K> = HashSet<K, foldhash::quality::RandomState>;

/// An empty [`FastMap`] with room for `capacity` entries.
pub fn fast_map<K, V>(capacity: usize) -> FastMap<K, V> {
    FastMap::with_capacity_and_hasher(capacity, Default::default())
}

/// An empty [`FastSet`] with room for `capacity` entries.
pub fn fast_set<K>(capacity: usize) -> FastSet<K> {
    FastSet::with_capacity_and_hasher(capacity, Default::default())
}

/// Lock `m`, even if a thread panicked while holding it. Every value kept
/// behind these locks (memoised answers, caches, sockets in flight) is
/// changed by one call that cannot be left half done, so what a panicking
/// thread left behind is still whole.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
