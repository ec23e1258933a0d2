//! Entries for the `dkim.*` findings.

use super::Entry;

/// The `dkim.*` entries.
pub static ENTRIES: &[Entry] = &[];
