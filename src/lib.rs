//! mailcheck: check a domain's mail DNS (MX, PTR, SPF, DKIM, DMARC) and verify
//! messages the way a receiver would.
//!
//! A run goes one way: `cli` (clap) parses the arguments; `config` resolves
//! them into settings without clap types; `commands` runs the command: it
//! sets up `dns` (live DNS or zone files), runs the `check`s of a domain or
//! `verify`s a message (many items through `batch`), and hands the results
//! to `render` (text or JSON); `main.rs` turns the outcome into the exit
//! code. Checks and verification never print and know nothing of clap or of
//! the output format; `names`, `message`, `report` and `words` (the result
//! words as enums) are shared by all, and only `render` shapes output.

pub mod auth;
pub mod batch;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dns;
pub mod dnssec;
pub mod exit;
pub mod explain;
pub mod keys;
pub mod message;
pub mod names;
pub mod render;
pub mod report;
pub mod serve;
pub mod spf;
pub mod util;
pub mod verify;
pub mod words;
