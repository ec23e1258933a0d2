//! Exit statuses, as documented in the README and the CLI contract, and the
//! errors that end a run with status 2.

use crate::report::Status;
use std::io;

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

impl ExitStatus {
    /// The exit status for a run whose items ended with these statuses:
    /// failure beats inconclusive beats success; `strict` counts warnings as
    /// failures.
    pub fn of(statuses: &[Status], strict: bool) -> ExitStatus {
        if statuses.contains(&Status::Fail) || (strict && statuses.contains(&Status::Warn)) {
            ExitStatus::Failure
        } else if statuses.contains(&Status::Error) {
            ExitStatus::Inconclusive
        } else {
            ExitStatus::Success
        }
    }
}

/// Why a command could not run (exit status 2), or output could not be written.
#[derive(Debug)]
pub enum RunError {
    /// Bad arguments or input; the message names what is wrong.
    Input(String),
    /// Writing the output failed.
    Io(io::Error),
}

impl From<io::Error> for RunError {
    fn from(e: io::Error) -> Self {
        RunError::Io(e)
    }
}
