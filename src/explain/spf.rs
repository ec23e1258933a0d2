//! Entries for the `spf.*` findings.

use super::Entry;

/// The `spf.*` entries.
pub static ENTRIES: &[Entry] = &[];
