//! Batch runs: the items of a command (from the command line, or one a line
//! from `--from-file FILE|-`), checked concurrently and reported in input
//! order by one runner shared by `domain`, `verify` and `spf`.

pub mod input;
pub mod runner;

pub use input::{Batch, at_most, ip_field};
pub use runner::{Outcome, deadline, run, within};
