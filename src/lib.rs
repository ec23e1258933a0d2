//! mailcheck: check a domain's mail DNS and verify messages the way a receiver would.
pub mod dns;
