//! Entries for the `smtp.*` findings.

use super::Entry;

/// The `smtp.*` entries.
pub static ENTRIES: &[Entry] = &[];
