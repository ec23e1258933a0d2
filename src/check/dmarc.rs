//! DMARC (RFC 9989, with RFC 7489's legacy `pct` reported): policy discovery
//! by DNS tree walk exactly as mail-auth evaluates it, the record's tags, and
//! the authorization of external report addresses.

use super::dns_error;
use crate::{
    dns::{Dns, DnsFailure},
    report::{Finding, Status},
};
use futures_util::future::join_all;
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

/// The result of policy discovery.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// Every record found, from the domain itself upwards.
    pub walk: Vec<Found>,
    /// The names queried, in order.
    pub queried: Vec<String>,
    /// Index into `walk` of the record that applies.
    pub applies: Option<usize>,
    /// The organizational domain (RFC 9989 4.10.2).
    pub organizational: String,
    /// Names of the walk that could not be looked up although the walk
    /// needed them, with the failure. Only names whose answer cannot change
    /// which record applies end up here: the policy stands, but the
    /// organizational domain was taken from the public suffix list.
    pub unanswered: Vec<(String, DnsFailure)>,
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

fn is_dmarc(text: &str) -> bool {
    let t = text.trim_start();
    match (t.get(..8), t.get(8..)) {
        (Some(v), Some(rest)) => {
            let rest = rest.trim_start();
            v.eq_ignore_ascii_case("v=DMARC1") && (rest.is_empty() || rest.starts_with(';'))
        }
        _ => false,
    }
}

fn strip_labels(domain: &str, n: usize) -> &str {
    let mut s = domain;
    for _ in 0..n {
        match s.split_once('.') {
            Some((_, rest)) => s = rest,
            None => return "",
        }
    }
    s
}

/// The DNS tree walk of RFC 9989 4.10, the same steps mail-auth takes: start at
/// the domain, then at most seven labels, then one label fewer each time,
/// stopping at a record with `psd=y` or `psd=n`. The names are queried
/// concurrently (each at most once per run, shared with mail-auth), so a walk
/// costs one round trip.
///
/// A name that cannot be looked up fails the walk only when its answer could
/// change which record applies. Names past a `psd=y`/`psd=n` stop are never
/// read. When the domain has its own record, that record applies whatever
/// its parents hold; only the organizational domain is then uncertain, and
/// it comes from the public suffix list instead. When the domain has no
/// record, the record at the public-suffix-list organizational domain
/// decides if that name was answered and holds one; otherwise the first
/// failure is the walk's. This is what lets `--resolver` point at an
/// authoritative server that serves the domain's zone and refuses its
/// parents.
pub async fn discover(dns: &Dns, domain: &str) -> Result<Discovery, (String, DnsFailure)> {
    let total = domain.split('.').filter(|l| !l.is_empty()).count();
    let mut walk = Vec::new();
    let mut queried = Vec::new();
    let mut unanswered: Vec<(String, DnsFailure)> = Vec::new();
    if total >= 2 {
        // The names the walk may visit, in order: the domain, then at most
        // seven labels, then one label fewer each time.
        let mut names = Vec::new();
        let mut count = total;
        loop {
            names.push(strip_labels(domain, total - count));
            if count == 1 {
                break;
            }
            count = if count >= 8 { 7 } else { count - 1 };
        }
        // Ask them all at once: the walk's wall time is one round trip, not
        // one per label. The records are then read in walk order.
        let answers = join_all(names.iter().map(|name| async move {
            let qname = format!("_dmarc.{name}");
            let answer = dns.query_str(&qname, RecordType::TXT).await;
            (qname, answer)
        }))
        .await;
        for (name, (qname, answer)) in names.iter().zip(answers) {
            queried.push(qname.clone());
            let answer = match answer {
                Ok(answer) => answer,
                Err(e) => {
                    unanswered.push((qname, e));
                    continue;
                }
            };
            let records: Vec<String> = answer
                .txt()
                .iter()
                .map(|r| String::from_utf8_lossy(r).into_owned())
                .filter(|t| is_dmarc(t))
                .collect();
            if let Some(first) = records.first() {
                let found = Found {
                    domain: name.to_string(),
                    text: first.clone(),
                    tags: parse_tags(first),
                    count: records.len(),
                };
                let stop = matches!(found.psd(), Some('y' | 'n'));
                walk.push(found);
                if stop {
                    break;
                }
            }
        }
    }
    // The domain's own name decides everything when it fails.
    if let Some((qname, e)) = unanswered
        .iter()
        .find(|(q, _)| q == &format!("_dmarc.{domain}"))
    {
        return Err((qname.clone(), e.clone()));
    }
    // Organizational domain (RFC 9989 4.10.2).
    let mut organizational = None;
    for f in &walk {
        match f.psd() {
            Some('n') => {
                organizational = Some(f.domain.clone());
                break;
            }
            Some('y') if f.domain != domain => {
                let depth = f.domain.split('.').count() + 1;
                organizational =
                    Some(strip_labels(domain, total.saturating_sub(depth)).to_string());
                break;
            }
            _ => {}
        }
    }
    // Names past a stop were never read, so every unanswered name lies
    // between the domain and the record found: any of them could hold a
    // `psd=n` record that would make it the organizational domain.
    let organizational = if unanswered.is_empty() {
        organizational
            .or_else(|| walk.last().map(|f| f.domain.clone()))
            .unwrap_or_else(|| domain.to_string())
    } else {
        // Some name the walk needed is unknown: the walk cannot say which
        // domain is organizational; the public suffix list can.
        org_domain(domain)
    };
    let own = walk.iter().position(|f| f.domain == domain);
    let applies = own
        .or_else(|| walk.iter().position(|f| f.domain == organizational))
        .or_else(|| walk.len().checked_sub(1));
    if own.is_none() && !unanswered.is_empty() {
        // Without a record of its own, the domain's policy comes from a
        // parent; a parent that could not be asked might hold it, unless
        // the record found is the organizational domain's.
        let decided = applies.is_some_and(|i| walk[i].domain == organizational);
        let org_unanswered = unanswered
            .iter()
            .any(|(q, _)| q == &format!("_dmarc.{organizational}"));
        if !decided || org_unanswered {
            let (qname, e) = unanswered.swap_remove(0);
            return Err((qname, e));
        }
    }
    Ok(Discovery {
        walk,
        queried,
        applies,
        organizational,
        unanswered,
    })
}

fn policy_word(v: &str) -> Option<&'static str> {
    match v.to_ascii_lowercase().as_str() {
        "none" => Some("none"),
        "quarantine" => Some("quarantine"),
        "reject" => Some("reject"),
        _ => None,
    }
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
        return vec![
            Finding::new(
                "dmarc.record",
                Status::Fail,
                format!("no DMARC record for {domain} (looked at {}): receivers apply no policy, and spoofed mail from {domain} is delivered", d.queried.join(", ")),
            )
            .fix(format!("publish _dmarc.{domain}. TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}\", read the reports, then move to p=quarantine or p=reject")),
        ];
    };
    let rec = &d.walk[idx];
    let own = rec.domain == domain;
    let mut findings = Vec::new();
    let shown = format!("_dmarc.{}. TXT \"{}\"", rec.domain, rec.text);

    if rec.count > 1 {
        findings.push(
            Finding::new(
                "dmarc.record",
                Status::Fail,
                format!("_dmarc.{} holds {} DMARC records; receivers may ignore them all (RFC 7489 6.6.3)", rec.domain, rec.count),
            )
            .fix("keep exactly one v=DMARC1 record")
            .record(shown.clone()),
        );
    } else if own {
        findings.push(
            Finding::new(
                "dmarc.record",
                Status::Pass,
                format!("DMARC record found at _dmarc.{domain}"),
            )
            .record(shown.clone()),
        );
    } else {
        let how = match d.unanswered.first() {
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
            .record(shown.clone()),
        );
    }

    // Tags.
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
            .fix("correct the tags; see RFC 9989 section 4.7")
            .record(shown.clone()),
        );
    }

    // The policy that applies to this domain.
    let p = rec.tag("p").and_then(policy_word);
    let (policy, which) = if own {
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
        Some("none") => findings.push(
            Finding::new(
                "dmarc.policy",
                Status::Warn,
                format!("policy for {domain} is none ({which}=none): monitoring only; spoofed mail is still delivered"),
            )
            .fix("once reports show your mail passes, move to p=quarantine and then p=reject"),
        ),
        Some(pol) => findings.push(Finding::new(
            "dmarc.policy",
            Status::Pass,
            format!("policy for {domain} is {pol} ({which}={pol}{})", if own { "" } else { ", inherited" }),
        )),
    }

    if rec.tag("t").is_some_and(|t| t.eq_ignore_ascii_case("y")) {
        findings.push(
            Finding::new(
                "dmarc.testing",
                Status::Warn,
                "t=y (testing): receivers apply the next lower policy (reject acts as quarantine, quarantine as none)",
            )
            .fix("remove t=y when you are ready to enforce the policy"),
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
            )
            .fix("remove pct (use t=y while testing, per RFC 9989)"),
        );
    }

    // Report addresses on other organizational domains need authorization.
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
    findings
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
    match v {
        "reject" => "reject mail that fails DMARC",
        "quarantine" => "treat failing mail as suspicious (spam folder)",
        "none" => "monitor only; failing mail is delivered",
        _ => "not a valid policy",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::zone::{Zone, ZoneSet};
    use std::path::Path;

    /// DNS from zone text; a name whose `_dmarc` is a CNAME loop fails
    /// (SERVFAIL), as a parent the server refuses would.
    fn zone_dns(text: &str) -> Dns {
        let zone = Zone::parse(text, Path::new("walk.zone")).unwrap();
        Dns::zones(ZoneSet::new(vec![zone])).unwrap()
    }

    const FAILING_PARENT: &str = "$ORIGIN test.\n@ SOA ns hostmaster 1 2 3 4 5\n\
        _dmarc CNAME loop._dmarc\nloop._dmarc CNAME _dmarc\n";

    #[tokio::test]
    async fn a_failed_parent_changes_nothing_it_cannot_change() {
        // Own record: it applies; the organizational domain is the list's.
        let dns = zone_dns(&format!(
            "{FAILING_PARENT}_dmarc.d TXT \"v=DMARC1; p=reject\"\n"
        ));
        let d = discover(&dns, "d.test").await.unwrap();
        assert_eq!(d.walk[d.applies.unwrap()].domain, "d.test");
        assert_eq!(d.organizational, "d.test");
        assert_eq!(d.unanswered.len(), 1);
        // No own record, the organizational domain's record applies.
        let d = discover(&dns, "mail.d.test").await.unwrap();
        assert_eq!(d.walk[d.applies.unwrap()].domain, "d.test");
        let text = check(&dns, "mail.d.test").await[0].message.clone();
        assert!(text.contains("public suffix list"), "{text}");
    }

    #[tokio::test]
    async fn a_failed_name_that_could_decide_fails_the_walk() {
        // The organizational domain's own name fails: no verdict.
        let dns = zone_dns(&format!(
            "{FAILING_PARENT}_dmarc.d CNAME loop._dmarc.d\nloop._dmarc.d CNAME _dmarc.d\n"
        ));
        let (name, e) = discover(&dns, "mail.d.test").await.unwrap_err();
        assert_eq!(name, "_dmarc.d.test");
        assert_eq!(e, DnsFailure::ServFail);
        // No record anywhere that answered, a parent failed: no verdict
        // either (never "no DMARC record").
        let dns = zone_dns(FAILING_PARENT);
        let (name, _) = discover(&dns, "d.test").await.unwrap_err();
        assert_eq!(name, "_dmarc.test");
        // A record that is not the organizational domain's, a parent failed.
        let dns = zone_dns(&format!(
            "{FAILING_PARENT}_dmarc.b.c TXT \"v=DMARC1; p=none\"\n"
        ));
        assert!(discover(&dns, "a.b.c.test").await.is_err());
    }

    #[test]
    fn recognises_dmarc_records() {
        assert!(is_dmarc("v=DMARC1; p=none"));
        assert!(is_dmarc("v=DMARC1"));
        assert!(!is_dmarc("v=DMARC10; p=none"));
        assert!(!is_dmarc("v=spf1 -all"));
        assert_eq!(org_domain("reports.example.co.uk"), "example.co.uk");
    }
}
