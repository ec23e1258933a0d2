//! Entries for the `dmarc.*` findings.

use super::Entry;

/// The `dmarc.*` entries.
pub static ENTRIES: &[Entry] = &[];
