//! DMARC (RFC 9989, with RFC 7489's legacy `pct` reported): policy discovery
//! by DNS tree walk exactly as mail-auth evaluates it, the record's tags, and
//! the authorization of external report addresses.
//!
//! Discovery (the tree walk) is `discovery.rs`; [`check`] here analyses the
//! record that applies and asks about report addresses; the words of the
//! findings are in `findings.rs`.

mod discovery;
mod findings;
#[cfg(test)]
mod tests;

pub use discovery::{Discovery, discover};

use super::dns_error;
use crate::{
    dns::Dns,
    report::{Finding, Status},
    words::Policy,
};
use findings::Applied;
use hickory_resolver::proto::rr::RecordType;

/// One DMARC record found during the tree walk.
#[derive(Debug, Clone)]
pub struct Found {
    /// The domain whose `_dmarc` name holds it.
    pub domain: String,
    /// The record text.
    pub text: String,
    /// Its tags in order, names lower-cased.
    pub tags: Vec<(String, String)>,
    /// How many DMARC records that name holds.
    pub count: usize,
}

impl Found {
    /// The value of a tag.
    pub fn tag(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn psd(&self) -> Option<char> {
        self.tag("psd")
            .and_then(|v| v.chars().next())
            .map(|c| c.to_ascii_lowercase())
    }
}

/// Parse a DMARC tag list.
pub fn parse_tags(text: &str) -> Vec<(String, String)> {
    text.split(';')
        .filter_map(|t| {
            let (n, v) = t.split_once('=')?;
            Some((n.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect()
}

pub(super) fn is_dmarc(text: &str) -> bool {
    let t = text.trim_start();
    match (t.get(..8), t.get(8..)) {
        (Some(v), Some(rest)) => {
            let rest = rest.trim_start();
            v.eq_ignore_ascii_case("v=DMARC1") && (rest.is_empty() || rest.starts_with(';'))
        }
        _ => false,
    }
}

/// The policy a `p=`, `sp=` or `np=` value names, in any case.
pub(super) fn policy_word(v: &str) -> Option<Policy> {
    Policy::from_word(&v.to_ascii_lowercase())
}

/// Check DMARC for `domain`.
pub async fn check(dns: &Dns, domain: &str) -> Vec<Finding> {
    let d = match discover(dns, domain).await {
        Ok(d) => d,
        Err((name, e)) => {
            return vec![dns_error(
                "dmarc.record",
                &format!("the DMARC record at {name}"),
                &e,
            )];
        }
    };
    let Some(idx) = d.applies else {
        return vec![findings::none_found(domain, &d.queried)];
    };
    let rec = &d.walk[idx];
    // The walk's answer for the record's name, from the run's memo: where a
    // CNAME led, the record is shown under the name that holds it.
    let answer = dns
        .query_str(&format!("_dmarc.{}", rec.domain), RecordType::TXT)
        .await
        .ok();
    let at = Applied::new(domain, rec, answer.as_deref());
    let mut findings = Vec::new();
    findings::record(&at, d.unanswered.first(), &mut findings);
    findings::syntax(&at, &mut findings);
    findings::policy(&at, &mut findings);
    findings::testing_and_pct(&at, &mut findings);
    report_addresses(dns, at.rec, &mut findings).await;
    findings
}

/// Report addresses on other organizational domains need authorization
/// (RFC 7489 7.1): look each one up.
async fn report_addresses(dns: &Dns, rec: &Found, findings: &mut Vec<Finding>) {
    for tag in ["rua", "ruf"] {
        let Some(list) = rec.tag(tag) else { continue };
        for uri in list.split(',').map(str::trim).filter(|u| !u.is_empty()) {
            let lower = uri.to_ascii_lowercase();
            let Some(addr) = lower.strip_prefix("mailto:") else {
                findings.push(
                    Finding::new(
                        &format!("dmarc.{tag}"),
                        Status::Warn,
                        format!("{tag} address {uri} is not a mailto: URI; receivers only send reports by mail"),
                    )
                    .fix(format!("use {tag}=mailto:address@example.com")),
                );
                continue;
            };
            let addr = addr.split('!').next().unwrap_or(addr);
            let Some((_, dest)) = addr.rsplit_once('@') else {
                findings.push(Finding::new(
                    &format!("dmarc.{tag}"),
                    Status::Warn,
                    format!("{tag} address {uri} has no domain"),
                ));
                continue;
            };
            if org_domain(dest) == org_domain(&rec.domain) {
                continue;
            }
            let auth = format!("{}._report._dmarc.{dest}", rec.domain);
            match dns.query_str(&auth, RecordType::TXT).await {
                Err(e) => findings.push(dns_error(
                    &format!("dmarc.{tag}"),
                    &format!("the authorization record {auth}"),
                    &e,
                )),
                Ok(a) => {
                    let ok = a
                        .txt()
                        .iter()
                        .any(|r| is_dmarc(&String::from_utf8_lossy(r)));
                    if ok {
                        findings.push(Finding::new(
                            &format!("dmarc.{tag}"),
                            Status::Pass,
                            format!(
                                "{dest} is authorized to receive {} reports for {} ({auth})",
                                if tag == "rua" { "aggregate" } else { "failure" },
                                rec.domain
                            ),
                        ));
                    } else {
                        findings.push(
                            Finding::new(
                                &format!("dmarc.{tag}"),
                                Status::Warn,
                                format!("{tag} sends reports to {addr}, on another domain, but {dest} has not authorized it: receivers will not send those reports (RFC 7489 7.1)"),
                            )
                            .fix(format!("the owner of {dest} must publish {auth}. TXT \"v=DMARC1\"")),
                        );
                    }
                }
            }
        }
    }
}

/// What a DMARC tag means, in words (RFC 9989 4.7; `pct`, `rf`, `ri` from RFC 7489).
pub fn tag_meaning(tag: &str, value: &str) -> String {
    let v = value.to_ascii_lowercase();
    match tag {
        "v" => "version: this is a DMARC record".into(),
        "p" => format!("policy for the domain itself: {}", policy_effect(&v)),
        "sp" => format!(
            "policy for subdomains without their own record: {}",
            policy_effect(&v)
        ),
        "np" => format!(
            "policy for subdomains that do not exist: {}",
            policy_effect(&v)
        ),
        "adkim" => format!(
            "DKIM alignment: {}",
            if v == "s" {
                "strict (d= must equal the From domain)"
            } else {
                "relaxed (same organizational domain)"
            }
        ),
        "aspf" => format!(
            "SPF alignment: {}",
            if v == "s" {
                "strict (MAIL FROM domain must equal the From domain)"
            } else {
                "relaxed (same organizational domain)"
            }
        ),
        "rua" => "where aggregate reports are sent".into(),
        "ruf" => "where failure reports are sent".into(),
        "fo" => "when failure reports are generated".into(),
        "t" => {
            if v == "y" {
                "testing: receivers apply the next lower policy".into()
            } else {
                "not testing: the policy applies as published".into()
            }
        }
        "psd" => match v.as_str() {
            "y" => "this is a public suffix domain's record".into(),
            "n" => "this domain is an organizational domain (the tree walk stops here)".into(),
            _ => "public suffix status unspecified".into(),
        },
        "pct" => {
            "legacy (RFC 7489): share of failing mail the policy applies to; RFC 9989 ignores it"
                .into()
        }
        "rf" | "ri" => "legacy (RFC 7489) reporting option; RFC 9989 removed it".into(),
        _ => "unknown tag: receivers ignore it".into(),
    }
}

fn policy_effect(v: &str) -> &'static str {
    match Policy::from_word(v) {
        Some(Policy::Reject) => "reject mail that fails DMARC",
        Some(Policy::Quarantine) => "treat failing mail as suspicious (spam folder)",
        Some(Policy::None) => "monitor only; failing mail is delivered",
        None => "not a valid policy",
    }
}

/// The organizational domain by the public suffix list: one label below the
/// public suffix (`mail.example.co.uk` -> `example.co.uk`).
pub fn org_domain(domain: &str) -> String {
    let lower = domain.trim_end_matches('.').to_ascii_lowercase();
    match psl::domain_str(&lower) {
        Some(d) => d.to_string(),
        None => lower,
    }
}
