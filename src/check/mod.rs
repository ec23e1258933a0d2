//! The checks behind `mailcheck domain`, one module per area. Checks return
//! findings; they never print and never fail: a missing or weak record is a
//! finding, and so is a DNS failure (status `error`).

pub mod bimi;
pub mod dane;
pub mod dkim;
pub mod dmarc;
pub mod dnssec;
pub mod expect;
pub mod https;
pub mod mta_sts;
pub mod mx;
pub mod provider;
pub mod smtp;
pub mod spf;
pub mod tlsrpt;

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
    /// How the MTA-STS policy and the BIMI logo are fetched.
    pub https: https::HttpsOptions,
}

/// Run every check for one domain. Independent areas run concurrently, so the
/// wall time is that of the longest chain of dependent lookups.
pub async fn check_domain(dns: &Dns, domain: &str, options: &DomainOptions) -> DomainReport {
    let sender = format!("postmaster@{domain}");
    let validator = Validator::new(dns, &options.anchors);
    let (mx, spf, mut dkim, dmarc, tlsrpt, mx_hosts, mta_sts, bimi, secured) = tokio::join!(
        mx::check(dns, domain, options.ip),
        spf::analyse(dns, domain, &sender, options.ip, options.helo.as_deref()),
        dkim::probe(dns, domain, &options.selectors),
        dmarc::check(dns, domain),
        tlsrpt::check(dns, domain),
        provider::mx_hosts(dns, domain),
        mta_sts::check(dns, domain, &options.https),
        bimi::check(dns, domain, &options.https),
        async {
            let (mut findings, trust) = dnssec::check(&validator, domain).await;
            findings.extend(dane::check(dns, &validator, domain, trust.as_ref()).await);
            findings
        },
    );
    let mx_hosts = mx_hosts.ok();
    // The providers those answers name; then their DKIM selectors too.
    let detected = provider::detect(mx_hosts.as_deref(), spf.tree.as_ref(), &dkim);
    if !detected.is_empty() {
        let extra = provider::selectors(dns, domain, &detected);
        dkim.extend(dns, domain, &extra).await;
    }
    // A walk that DNS cut short shows no tree: not the same as no record.
    let spf_failed = spf.tree.is_none() && spf.findings.iter().any(|f| f.status == Status::Error);
    let spf_tree = if spf_failed {
        Err(())
    } else {
        Ok(spf.tree.as_ref())
    };
    let providers =
        provider::check(dns, domain, &detected, mx_hosts.as_deref(), spf_tree, &dkim).await;
    let mut findings = mx;
    findings.extend(spf.findings);
    findings.extend(dkim.findings());
    findings.extend(dmarc);
    findings.extend(secured);
    findings.extend(mta_sts);
    findings.extend(tlsrpt);
    findings.extend(bimi);
    findings.extend(providers);
    // Group by area (mx, ptr, spf, dkim, dmarc, ...) keeping each area's order.
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
