//! `mailcheck check`: the checks of `mailcheck domain` for each domain of a
//! `mailcheck.toml`, plus what the file expects, as findings named
//! `expect.*`; then the file's `allow` entries mark the findings they accept.
//!
//! The expectations reuse the checks' own parts: check_host() for senders
//! (RFC 7208 4), the SPF tree walk for `include:`, DMARC policy discovery
//! (RFC 9989 4.10), the DKIM key decoding; every answer comes from the
//! run's shared DNS memo, so a domain's expectations cost few lookups
//! beyond its checks.
//!
//! `config.rs` reads the file, `senders.rs` judges `senders` and
//! `not_senders`, `records.rs` the DMARC policy, the DKIM selectors and the
//! MX hosts, `allow.rs` applies the exceptions.

mod allow;
pub mod config;
pub mod place;
mod records;
mod senders;
#[cfg(test)]
mod tests;

pub use config::{Allow, DomainExpect, Expectations, KeyLines, Sender, load};

use super::{DomainOptions, check_domain};
use crate::{dns::Dns, report::DomainReport};

/// Every check of `mailcheck domain` for the domain of `spec`, then its
/// expectations (`expect.*`), then its allows.
pub async fn check(dns: &Dns, spec: &DomainExpect) -> DomainReport {
    let options = DomainOptions {
        selectors: spec.selectors.clone(),
        ip: None,
        helo: None,
        ..DomainOptions::default()
    };
    let (mut report, expected) = tokio::join!(
        check_domain(dns, &spec.name, &options),
        expectations(dns, spec)
    );
    report.findings.extend(expected);
    report.findings.sort_by_key(|f| f.area);
    allow::apply(&spec.allow, &mut report.findings);
    report
}

/// The `expect.*` findings of one domain, in the order the file lists its
/// keys: senders, not_senders, dmarc_policy, selectors and key sizes, mx.
pub async fn expectations(dns: &Dns, spec: &DomainExpect) -> Vec<crate::report::Finding> {
    let domain = spec.name.as_str();
    let (mut findings, dmarc, keys, mx) = tokio::join!(
        senders::check(dns, domain, &spec.senders, &spec.not_senders),
        async {
            match spec.dmarc_policy {
                Some(least) => Some(records::dmarc_policy(dns, domain, least).await),
                None => None,
            }
        },
        records::selectors(dns, domain, &spec.selectors, spec.min_key_bits),
        async {
            match &spec.mx {
                Some(hosts) => Some(records::mx(dns, domain, hosts).await),
                None => None,
            }
        },
    );
    findings.extend(dmarc);
    findings.extend(keys);
    findings.extend(mx);
    findings
}
