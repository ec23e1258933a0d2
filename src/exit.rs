//! Exit statuses, as documented in the README and the CLI contract.

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// 0: every check passed (warnings allowed unless `--strict`).
    Success = 0,
    /// 1: at least one check failed (with `--strict`: or warned).
    Failure = 1,
    /// 2: the command could not run: bad arguments, unreadable or malformed input.
    Error = 2,
    /// 3: inconclusive: nothing failed, but a DNS lookup failed temporarily.
    Inconclusive = 3,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> i32 {
        self as i32
    }
}
