//! Entries for the `run.*` findings: the run itself, not the domain.

use super::Entry;

/// The `run.*` entries.
pub static ENTRIES: &[Entry] = &[Entry {
    name: "run.deadline",
    checks: "whether every check finished before the run's --deadline",
    why: "a check cut short says nothing about the domain: its result is \
          unknown, so the run is inconclusive (exit 3) rather than passed",
    rfc: "",
    fix: "retry with a longer --deadline, or find the slow nameserver with --timeout",
    example: "",
}];
