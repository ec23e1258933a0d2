//! The checks behind `mailcheck domain`, one module per area. Checks return
//! findings; they never print and never fail: a missing or weak record is a
//! finding, and so is a DNS failure (status `error`).

pub mod dane;
pub mod dkim;
pub mod dmarc;
pub mod dnssec;
pub mod expect;
pub mod mx;
pub mod smtp;
pub mod spf;

use crate::{
    dns::{Dns, DnsFailure},
    dnssec::{Anchors, Validator},
    report::{DomainReport, Finding, Status},
};
use std::{net::IpAddr, sync::Arc};

/// What `mailcheck domain` was asked to look at besides the domain itself.
#[derive(Debug, Clone, Default)]
pub struct DomainOptions {
    /// DKIM selectors to check; empty means "try the common ones".
    pub selectors: Vec<String>,
    /// An outbound IP that must pass SPF and have forward-confirmed reverse DNS.
    pub ip: Option<IpAddr>,
    /// The HELO name used with `ip` (for SPF macros); defaults to the domain.
    pub helo: Option<String>,
    /// Where DNSSEC validation starts (`--trust-anchor`; the IANA root
    /// anchors by default).
    pub anchors: Arc<Anchors>,
}

/// Run every check for one domain. Independent areas run concurrently, so the
/// wall time is that of the longest chain of dependent lookups.
pub async fn check_domain(dns: &Dns, domain: &str, options: &DomainOptions) -> DomainReport {
    let validator = Validator::new(dns, &options.anchors);
    let (mx, spf, dkim, dmarc, secured) = tokio::join!(
        mx::check(dns, domain, options.ip),
        spf::check(dns, domain, options.ip, options.helo.as_deref()),
        dkim::check(dns, domain, &options.selectors),
        dmarc::check(dns, domain),
        async {
            let (mut findings, trust) = dnssec::check(&validator, domain).await;
            findings.extend(dane::check(dns, &validator, domain, trust.as_ref()).await);
            findings
        },
    );
    let mut findings = mx;
    findings.extend(spf);
    findings.extend(dkim);
    findings.extend(dmarc);
    findings.extend(secured);
    // Group by area (mx, ptr, spf, dkim, dmarc) keeping each area's order.
    findings.sort_by_key(|f| f.area);
    DomainReport {
        domain: domain.to_string(),
        findings,
    }
}

/// The finding for a lookup that could not be completed.
pub(crate) fn dns_error(name: &str, what: &str, failure: &DnsFailure) -> Finding {
    Finding::new(
        name,
        Status::Error,
        format!("could not look up {what}: {failure}"),
    )
    .fix("retry; if it persists, check the nameservers that serve this name")
}
