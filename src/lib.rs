//! mailcheck: check a domain's mail DNS (MX, PTR, SPF, DKIM, DMARC) and verify
//! messages the way a receiver would.
//!
//! Data flows one way: `cli` (clap) -> `config` (resolved settings) -> `dns`
//! (one interface over live DNS and zone files) -> `check` -> `report` ->
//! `render` (text or JSON) -> exit code (`main.rs`).

pub mod batch;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dns;
pub mod exit;
pub mod keys;
pub mod message;
pub mod names;
pub mod render;
pub mod report;
pub mod spf;
pub mod verify;
