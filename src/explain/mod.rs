//! What every finding means: one table that the text report's fix hints,
//! SARIF's rule help and `mailcheck explain` all read.
//!
//! Each area keeps its entries in its own file; [`all`] walks them in the
//! order a report lists the areas. Adding a finding name that the checks can
//! emit without an entry here is a test failure (`tests.rs` reads the
//! sources for names), and a debug build panics when such a finding is made.
//!
//! [`crate::report::Finding::new`] gives every `warn`, `fail` and `error`
//! finding its entry's `fix`; a check replaces it only with a hint that names
//! the record, host or address at hand. The entries are written for mailcheck
//! from the RFCs they cite; `rfc` lists sections as `RFC 7208 4.6.4`.

mod bimi;
mod dane;
mod dkim;
mod dmarc;
mod dnssec;
mod expect;
mod mta_sts;
mod mx;
mod provider;
mod ptr;
mod run;
mod smtp;
mod spf;
#[cfg(test)]
mod tests;
mod tlsrpt;

/// What a finding name means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The finding name (`spf.lookups`).
    pub name: &'static str,
    /// One line: what the finding checks.
    pub checks: &'static str,
    /// Why it matters: what goes wrong for mail when it fails.
    pub why: &'static str,
    /// The RFC sections behind the check (`RFC 7208 4.6.4`).
    pub rfc: &'static str,
    /// How to fix it, in general terms (a finding may add specifics).
    pub fix: &'static str,
    /// An example of a good record or setting, in presentation form; empty
    /// when the finding is not about one record.
    pub example: &'static str,
}

/// Every entry, areas in report order.
pub fn all() -> impl Iterator<Item = &'static Entry> {
    [
        mx::ENTRIES,
        ptr::ENTRIES,
        spf::ENTRIES,
        dkim::ENTRIES,
        dmarc::ENTRIES,
        dnssec::ENTRIES,
        dane::ENTRIES,
        mta_sts::ENTRIES,
        tlsrpt::ENTRIES,
        bimi::ENTRIES,
        provider::ENTRIES,
        smtp::ENTRIES,
        expect::ENTRIES,
        run::ENTRIES,
    ]
    .into_iter()
    .flatten()
}

/// The entry of a finding name, if it has one.
pub fn lookup(name: &str) -> Option<&'static Entry> {
    all().find(|e| e.name == name)
}
