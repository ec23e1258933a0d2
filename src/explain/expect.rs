//! Entries for the `expect.*` findings.

use super::Entry;

/// The `expect.*` entries.
pub static ENTRIES: &[Entry] = &[];
