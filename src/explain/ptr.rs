//! Entries for the `ptr.*` findings.

use super::Entry;

/// The `ptr.*` entries.
pub static ENTRIES: &[Entry] = &[];
