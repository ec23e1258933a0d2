//! Entries for the `mx.*` findings.

use super::Entry;

/// The `mx.*` entries.
pub static ENTRIES: &[Entry] = &[];
