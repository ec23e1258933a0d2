//! Findings: the words of every `dmarc.*` finding about the record that
//! applies, built from what discovery found; no lookups here.

use super::{Found, policy_word};
use crate::words::Policy;
use crate::{
    dns::{Answer, DnsFailure},
    report::{Finding, Status},
};
use hickory_resolver::proto::rr::RecordType;

/// The record that applies to a domain, and how it is shown in findings.
pub(super) struct Applied<'a> {
    /// The domain checked.
    pub domain: &'a str,
    /// The record that applies.
    pub rec: &'a Found,
    /// Whether it is the domain's own record (else a parent's).
    pub own: bool,
    /// The record as zone-file lines: any CNAMEs that lead to it, then the
    /// record under the name that holds it.
    pub shown: Vec<String>,
}

impl<'a> Applied<'a> {
    /// `answer` is the TXT lookup of `_dmarc.` and the record's domain, when
    /// at hand: it says where a CNAME led.
    pub fn new(domain: &'a str, rec: &'a Found, answer: Option<&Answer>) -> Applied<'a> {
        let asked = format!("_dmarc.{}", rec.domain);
        let owner = answer
            .and_then(|a| a.owner(RecordType::TXT))
            .unwrap_or(asked);
        let mut shown = answer.map(Answer::cname_lines).unwrap_or_default();
        shown.push(format!("{owner}. TXT \"{}\"", rec.text));
        Applied {
            domain,
            rec,
            own: rec.domain == domain,
            shown,
        }
    }
}

/// Attach the record's lines ([`Applied::shown`]) to a finding.
trait WithLines {
    fn with_lines(self, lines: &[String]) -> Finding;
}

impl WithLines for Finding {
    fn with_lines(mut self, lines: &[String]) -> Finding {
        self.records.extend(lines.iter().cloned());
        self
    }
}

/// No DMARC record anywhere on the walk.
pub(super) fn none_found(domain: &str, queried: &[String]) -> Finding {
    Finding::new(
        "dmarc.record",
        Status::Fail,
        format!("no DMARC record for {domain} (looked at {}): receivers apply no policy, and spoofed mail from {domain} is delivered", queried.join(", ")),
    )
    .fix(format!("publish _dmarc.{domain}. TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}\", read the reports, then move to p=quarantine or p=reject"))
}

/// Where the record was found (`unanswered`: the first name of the walk
/// that could not be looked up, if any).
pub(super) fn record(
    at: &Applied<'_>,
    unanswered: Option<&(String, DnsFailure)>,
    findings: &mut Vec<Finding>,
) {
    let Applied {
        domain,
        rec,
        own,
        shown,
    } = at;
    if rec.count > 1 {
        findings.push(
            Finding::new(
                "dmarc.record",
                Status::Fail,
                format!("_dmarc.{} holds {} DMARC records; receivers may ignore them all (RFC 7489 6.6.3)", rec.domain, rec.count),
            )
            .with_lines(shown),
        );
    } else if *own {
        findings.push(
            Finding::new(
                "dmarc.record",
                Status::Pass,
                format!("DMARC record found at _dmarc.{domain}"),
            )
            .with_lines(shown),
        );
    } else {
        let how = match unanswered {
            None => "found by DNS tree walk, RFC 9989 4.10".to_string(),
            Some((name, e)) => format!(
                "its organizational domain, taken from the public suffix list because {name} could not be looked up: {e}"
            ),
        };
        findings.push(
            Finding::new(
                "dmarc.record",
                Status::Pass,
                format!(
                    "no record at _dmarc.{domain}; the record of {} applies ({how})",
                    rec.domain
                ),
            )
            .with_lines(shown),
        );
    }
}

/// Tags that are duplicated, unknown or have values outside RFC 9989 4.7.
pub(super) fn syntax(at: &Applied<'_>, findings: &mut Vec<Finding>) {
    let Applied { rec, shown, .. } = at;
    let known = [
        "v", "p", "sp", "np", "adkim", "aspf", "rua", "ruf", "psd", "t", "fo", "pct", "rf", "ri",
    ];
    let mut problems = Vec::new();
    for (i, (n, _)) in rec.tags.iter().enumerate() {
        if rec.tags[..i].iter().any(|(m, _)| m == n)
            && !problems.contains(&format!("duplicate tag {n}="))
        {
            problems.push(format!("duplicate tag {n}="));
        }
    }
    for (n, v) in &rec.tags {
        match n.as_str() {
            "p" | "sp" | "np" if policy_word(v).is_none() => {
                problems.push(format!("{n}={v} is not none, quarantine or reject"))
            }
            "adkim" | "aspf" if !matches!(v.as_str(), "r" | "s") => {
                problems.push(format!("{n}={v} is not r or s"))
            }
            "t" | "psd" if !matches!(v.to_ascii_lowercase().as_str(), "y" | "n" | "u") => {
                problems.push(format!("{n}={v} is not y or n"))
            }
            "pct" if v.parse::<u8>().map_or(true, |p| p > 100) => {
                problems.push(format!("pct={v} is not a number from 0 to 100"))
            }
            name if !known.contains(&name) => problems.push(format!("unknown tag {name}=")),
            _ => {}
        }
    }
    if !problems.is_empty() {
        let fail = problems.iter().any(|p| !p.starts_with("unknown tag"));
        findings.push(
            Finding::new(
                "dmarc.syntax",
                if fail { Status::Fail } else { Status::Warn },
                format!(
                    "the DMARC record of {}: {}",
                    rec.domain,
                    problems.join("; ")
                ),
            )
            .with_lines(shown),
        );
    }
}

/// The policy that applies to the domain (`p`, or `sp` for a subdomain).
pub(super) fn policy(at: &Applied<'_>, findings: &mut Vec<Finding>) {
    let Applied {
        domain, rec, own, ..
    } = at;
    let p = rec.tag("p").and_then(policy_word);
    let (policy, which) = if *own {
        (p, "p")
    } else {
        match rec.tag("sp").and_then(policy_word) {
            Some(sp) => (Some(sp), "sp"),
            None => (p, "p"),
        }
    };
    match policy {
        None if rec.tag("rua").is_some() => findings.push(
            Finding::new(
                "dmarc.policy",
                Status::Warn,
                format!("the DMARC record of {} has no valid p= tag; it is treated as p=none (monitoring only)", rec.domain),
            )
            .fix("add p=quarantine or p=reject once reports show all your mail passes"),
        ),
        None => findings.push(
            Finding::new(
                "dmarc.policy",
                Status::Fail,
                format!("the DMARC record of {} has no valid p= tag and no rua=: receivers ignore it", rec.domain),
            )
            .fix("add p=none with rua=mailto:... to start monitoring, then p=quarantine or p=reject"),
        ),
        Some(Policy::None) => findings.push(
            Finding::new(
                "dmarc.policy",
                Status::Warn,
                format!("policy for {domain} is none ({which}=none): monitoring only; spoofed mail is still delivered"),
            ),
        ),
        Some(pol) => findings.push(Finding::new(
            "dmarc.policy",
            Status::Pass,
            format!("policy for {domain} is {pol} ({which}={pol}{})", if *own { "" } else { ", inherited" }),
        )),
    }
}

/// Testing mode (`t=y`) and a legacy `pct` below 100.
pub(super) fn testing_and_pct(at: &Applied<'_>, findings: &mut Vec<Finding>) {
    let rec = at.rec;
    if rec.tag("t").is_some_and(|t| t.eq_ignore_ascii_case("y")) {
        findings.push(
            Finding::new(
                "dmarc.testing",
                Status::Warn,
                "t=y (testing): receivers apply the next lower policy (reject acts as quarantine, quarantine as none)",
            ),
        );
    }
    if let Some(pct) = rec.tag("pct").and_then(|v| v.parse::<u8>().ok())
        && pct < 100
    {
        findings.push(
            Finding::new(
                "dmarc.pct",
                Status::Warn,
                format!("pct={pct}: an RFC 7489 receiver applies the policy to {pct}% of failing mail and the next lower policy to the rest; RFC 9989 receivers ignore pct"),
            ),
        );
    }
}
