//! Provider awareness (`provider.*`): which mail providers a domain uses,
//! read from what the other checks already fetched (its MX hosts, every
//! include of its SPF tree, the CNAME targets of its DKIM selectors), and
//! whether it publishes what each provider documents.
//!
//! What each provider expects is data, in [`table`]; this module only
//! matches names against it. The rules follow the providers' own setup
//! pages (cited per entry), not an RFC: a domain can work without them, so
//! a missing piece is a warning at most, and only info where the provider's
//! documentation could not be confirmed.
//!
//! Selectors that cannot be guessed (Amazon SES tokens) can only be counted
//! when they are visible: named with `--selector`, or listed from the zone
//! files given with `--zone` ([`Dns::names_below`]).

pub mod table;

use super::{dkim::Probe, spf::Node};
use crate::{
    dns::{Dns, DnsFailure, Rcode},
    names::display_name,
    report::{Finding, Status},
    spf::parse::Mechanism,
};
use futures_util::future::join_all;
use hickory_resolver::proto::rr::{RData, RecordType};
use table::{DkimSet, PROVIDERS, Provider, Weight, bare, fill, matches, under};

/// The domain's MX hosts as published (lower case, no final dot, the null
/// MX left out), or why they could not be looked up.
pub async fn mx_hosts(dns: &Dns, domain: &str) -> Result<Vec<String>, DnsFailure> {
    let answer = dns.query_str(domain, RecordType::MX).await?;
    let mut hosts: Vec<String> = answer
        .data(RecordType::MX)
        .filter_map(|d| match d {
            RData::MX(mx) => Some(display_name(&mx.exchange)),
            _ => None,
        })
        .filter(|h| h != ".")
        .collect();
    hosts.sort();
    hosts.dedup();
    Ok(hosts)
}

/// Every `include:` and `redirect=` target of an SPF tree, with the term
/// as written and the domain whose record holds it.
pub fn spf_targets(node: &Node) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    collect_targets(node, &mut out);
    out
}

fn collect_targets(node: &Node, out: &mut Vec<(String, String, String)>) {
    for term in &node.terms {
        if let Mechanism::Include(spec) = &term.directive.mechanism
            && let Some(target) = spec.literal()
        {
            let target = target.trim_end_matches('.').to_ascii_lowercase();
            out.push((node.domain.clone(), term.text.clone(), target));
        }
        if let super::spf::Resolved::Include(child) = &term.resolved {
            collect_targets(child, out);
        }
    }
    if let Some(redirect) = &node.redirect {
        out.push((
            node.domain.clone(),
            format!("redirect={}", redirect.domain),
            redirect.domain.clone(),
        ));
        collect_targets(redirect, out);
    }
}

/// How a provider was recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Clue {
    /// One of its MX hosts.
    Mx(String),
    /// One of its SPF includes, in the record of a domain.
    Spf { term: String, at: String },
    /// A DKIM selector delegated to it.
    Dkim { selector: String, target: String },
}

impl Clue {
    fn describe(&self, domain: &str) -> String {
        match self {
            Clue::Mx(host) => format!("MX {host}"),
            Clue::Spf { term, at } if at == domain => term.clone(),
            Clue::Spf { term, at } => format!("{term} in the SPF record of {at}"),
            Clue::Dkim { selector, target } => format!("DKIM {selector} \u{2192} {target}"),
        }
    }
}

/// A provider the domain uses, with what gave it away.
#[derive(Debug, Clone)]
pub struct Detected {
    provider: &'static Provider,
    clues: Vec<Clue>,
}

impl Detected {
    fn by_mx_only(&self) -> bool {
        self.clues.iter().all(|c| matches!(c, Clue::Mx(_)))
    }
}

/// The providers named by the domain's MX hosts, SPF tree and DKIM CNAMEs.
pub fn detect(mx: Option<&[String]>, spf: Option<&Node>, dkim: &Probe) -> Vec<Detected> {
    let targets = spf.map(spf_targets).unwrap_or_default();
    let mut found = Vec::new();
    for provider in PROVIDERS {
        let mut clues = Vec::new();
        for host in mx.unwrap_or_default() {
            if provider.mx.iter().any(|p| matches(p, host)) {
                clues.push(Clue::Mx(host.clone()));
            }
        }
        for (at, term, target) in &targets {
            if provider.spf.iter().any(|s| bare(s) == target) {
                let clue = Clue::Spf {
                    term: term.clone(),
                    at: at.clone(),
                };
                if !clues.contains(&clue) {
                    clues.push(clue);
                }
            }
        }
        for (selector, target, _) in dkim.seen() {
            if let Some(target) = target
                && provider.dkim_domains.iter().any(|d| under(target, d))
            {
                clues.push(Clue::Dkim {
                    selector: selector.to_string(),
                    target: target.to_string(),
                });
            }
        }
        if !clues.is_empty() {
            found.push(Detected { provider, clues });
        }
    }
    found
}

/// The selectors worth probing for the detected providers: their named
/// selectors and, with `--zone`, the selectors under `_domainkey.DOMAIN`
/// that match one of their selector patterns.
pub fn selectors(dns: &Dns, domain: &str, detected: &[Detected]) -> Vec<String> {
    let listed = dns
        .names_below(&format!("_domainkey.{domain}"))
        .unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    for d in detected {
        out.extend(d.provider.probe_selectors().map(str::to_string));
        for set in d.provider.dkim {
            for pattern in set.selectors.iter().filter(|s| s.contains('*')) {
                out.extend(
                    listed
                        .iter()
                        .filter_map(|n| n.strip_suffix(&format!("._domainkey.{domain}")))
                        .filter(|s| !s.contains('.') && matches(pattern, s))
                        .map(str::to_string),
                );
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

/// The findings for every detected provider.
/// `spf` is the domain's SPF tree: `Ok(None)` when it publishes no record,
/// `Err(())` when the walk could not be completed (DNS failed), so that
/// nothing is concluded from the includes it did not see.
pub async fn check(
    dns: &Dns,
    domain: &str,
    detected: &[Detected],
    mx: Option<&[String]>,
    spf: Result<Option<&Node>, ()>,
    dkim: &Probe,
) -> Vec<Finding> {
    let spf_known = spf.is_ok();
    let spf = spf.ok().flatten();
    let terms = spf.map(spf_targets).unwrap_or_default();
    let targets: Vec<String> = terms.iter().map(|(_, _, t)| t.clone()).collect();
    let listing = dns.names_below(domain).is_some();
    let mut findings = Vec::new();
    for d in detected {
        let p = d.provider;
        let clues: Vec<String> = d.clues.iter().map(|c| c.describe(domain)).collect();
        findings.push(Finding::new(
            "provider.detected",
            Status::Info,
            format!("{} (from {})", p.name, clues.join(", ")),
        ));
        if spf_known {
            findings.extend(spf_finding(domain, d, &terms));
        }
        findings.extend(mx_finding(d, mx.unwrap_or_default()));
        // A MAIL FROM domain (its MX is the provider's feedback host) signs nothing.
        let mail_from_domain = p
            .mail_from_mx
            .is_some_and(|pat| mx.unwrap_or_default().iter().any(|h| matches(pat, h)));
        if !mail_from_domain {
            findings.extend(dkim_findings(domain, d, dkim, listing));
        }
        if let Some(pattern) = p.mail_from_mx
            && spf_known
        {
            findings
                .extend(mail_from(dns, domain, p, pattern, mx.unwrap_or_default(), &targets).await);
        }
    }
    findings
}

fn weighted(weight: Weight, status: Status) -> Status {
    match weight {
        Weight::Info => Status::Info,
        _ => status,
    }
}

/// Whether the SPF tree includes the provider.
fn spf_finding(domain: &str, d: &Detected, terms: &[(String, String, String)]) -> Option<Finding> {
    let p = d.provider;
    if p.spf_weight == Weight::None || p.spf.is_empty() {
        return None;
    }
    if let Some((_, term, _)) = terms
        .iter()
        .find(|(_, _, t)| p.spf.iter().any(|s| bare(s) == t))
    {
        return Some(Finding::new(
            "provider.spf",
            Status::Pass,
            format!("the SPF record of {domain} authorizes {} ({term})", p.name),
        ));
    }
    Some(
        Finding::new(
            "provider.spf",
            weighted(p.spf_weight, Status::Warn),
            format!(
                "{domain} uses {} but its SPF record does not include {}: mail {} sends with a MAIL FROM of {domain} fails SPF",
                p.name,
                bare(p.spf[0]),
                p.name
            ),
        )
        .fix(format!(
            "add include:{} to the SPF record of {domain}, before its all term",
            bare(p.spf[0])
        )),
    )
}

/// Whether the MX set is one the provider documents in full.
fn mx_finding(d: &Detected, hosts: &[String]) -> Option<Finding> {
    let p = d.provider;
    if p.mx_sets.is_empty() || !d.clues.iter().any(|c| matches!(c, Clue::Mx(_))) {
        return None;
    }
    let present = |pattern: &str| hosts.iter().any(|h| matches(pattern, h));
    let best = p
        .mx_sets
        .iter()
        .max_by_key(|set| set.iter().filter(|x| present(x)).count())?;
    let missing: Vec<&str> = best
        .iter()
        .filter(|x| !present(x))
        .map(|x| bare(x))
        .collect();
    if missing.is_empty() {
        let ours: Vec<&str> = hosts
            .iter()
            .filter(|h| p.mx.iter().any(|pat| matches(pat, h)))
            .map(String::as_str)
            .collect();
        return Some(Finding::new(
            "provider.mx",
            Status::Pass,
            format!(
                "the MX records name {}'s hosts as it documents ({})",
                p.name,
                ours.join(", ")
            ),
        ));
    }
    Some(
        Finding::new(
            "provider.mx",
            Status::Warn,
            format!(
                "the MX records name {} but not {}; {} documents the set {}",
                p.name,
                missing.join(", "),
                p.name,
                best.iter().map(|x| bare(x)).collect::<Vec<_>>().join(", ")
            ),
        )
        .fix(format!("publish MX records for {}", missing.join(", "))),
    )
}

/// How one selector of a set stands.
enum Seen {
    /// Published as the provider documents, with a key there.
    Good,
    /// Delegated as documented, but no key is served there.
    NoKey(String),
    /// Delegated somewhere else than documented.
    Elsewhere(String),
    /// Not published (or not visible).
    Absent,
}

fn classify(set: &DkimSet, selector: &str, domain: &str, target: Option<&str>, key: bool) -> Seen {
    if set.targets.is_empty() {
        return if key { Seen::Good } else { Seen::Absent };
    }
    match target {
        None => Seen::Absent,
        Some(t) => {
            let expected = set
                .targets
                .iter()
                .any(|pat| matches(&fill(pat, selector, domain), t));
            match (expected, key) {
                (true, true) => Seen::Good,
                (true, false) => Seen::NoKey(t.to_string()),
                (false, _) => Seen::Elsewhere(t.to_string()),
            }
        }
    }
}

/// Whether the provider's DKIM selectors are published in full.
fn dkim_findings(domain: &str, d: &Detected, dkim: &Probe, listing: bool) -> Vec<Finding> {
    let p = d.provider;
    if p.dkim.is_empty() || p.dkim_weight == Weight::None {
        return Vec::new();
    }
    let seen: Vec<(&str, Option<&str>, bool)> = dkim.seen().collect();
    // Per set: (set, [(selector, how it stands)]).
    let mut sets = Vec::new();
    for set in p.dkim {
        let mut rows: Vec<(String, Seen)> = Vec::new();
        for sel in set.selectors {
            if sel.contains('*') {
                for (s, target, key) in &seen {
                    // Only selectors that point at this provider (or, for
                    // keys published as TXT, that follow its pattern).
                    let ours = match target {
                        Some(t) => p.dkim_domains.iter().any(|d| under(t, d)),
                        None => set.targets.is_empty(),
                    };
                    if ours && matches(sel, s) {
                        let st = classify(set, s, domain, *target, *key);
                        if !matches!(st, Seen::Absent) {
                            rows.push((s.to_string(), st));
                        }
                    }
                }
            } else {
                let (target, key) = seen
                    .iter()
                    .find(|(s, _, _)| s == sel)
                    .map(|(_, t, k)| (*t, *k))
                    .unwrap_or((None, false));
                rows.push((sel.to_string(), classify(set, sel, domain, target, key)));
            }
        }
        sets.push((set, rows));
    }
    let good =
        |rows: &Vec<(String, Seen)>| rows.iter().filter(|(_, s)| matches!(s, Seen::Good)).count();
    let Some((set, rows)) = sets.iter().max_by_key(|(set, rows)| {
        (
            good(rows) * 100 / set.count.max(1),
            rows.iter()
                .filter(|(_, s)| !matches!(s, Seen::Absent))
                .count(),
        )
    }) else {
        return Vec::new();
    };
    // A selector whose lookup failed may hold anything: dkim.selector says
    // the lookup failed, and nothing is concluded about the set.
    if rows.iter().any(|(s, _)| dkim.failed(s)) {
        return Vec::new();
    }
    let n = good(rows);
    let guessable = !set.selectors.iter().any(|s| s.contains('*'));
    let name_of = |s: &str| format!("{s}._domainkey.{domain}");
    let mut findings = Vec::new();
    for (sel, st) in rows {
        match st {
            Seen::Elsewhere(t) => {
                let wanted: Vec<String> = set.targets.iter().map(|pat| fill(pat, sel, domain)).collect();
                findings.push(
                    Finding::new(
                        "provider.dkim",
                        weighted(p.dkim_weight, Status::Warn),
                        format!(
                            "{} points to {t}, not where {} documents it ({})",
                            name_of(sel),
                            p.name,
                            wanted.join(" or ")
                        ),
                    )
                    .fix(format!("copy the CNAME for {} from {}'s console again", name_of(sel), p.name))
                    .record(format!("{}. CNAME {t}.", name_of(sel))),
                );
            }
            Seen::NoKey(t) => findings.push(
                Finding::new(
                    "provider.dkim",
                    weighted(p.dkim_weight, Status::Warn),
                    format!(
                        "{} is delegated to {t} as {} documents, but no key is served there yet",
                        name_of(sel),
                        p.name
                    ),
                )
                .fix(format!("finish the DKIM setup in {}'s console (it publishes the key once the domain is verified)", p.name)),
            ),
            _ => {}
        }
    }
    let good_names: Vec<&str> = rows
        .iter()
        .filter(|(_, s)| matches!(s, Seen::Good))
        .map(|(s, _)| s.as_str())
        .collect();
    let kind = if set.targets.is_empty() {
        "DKIM keys"
    } else {
        "DKIM CNAMEs"
    };
    let one = kind.trim_end_matches('s');
    if n >= set.count {
        let what = if set.count == 1 {
            format!("the {} {one} is published", p.name)
        } else {
            format!("the {} {} {kind} are all published", set.count, p.name)
        };
        findings.push(Finding::new(
            "provider.dkim",
            Status::Pass,
            format!("{what} ({})", good_names.join(", ")),
        ));
    } else if !guessable && d.by_mx_only() {
        // A MAIL FROM or receiving domain only: nothing is signed with it.
    } else if !guessable && !listing {
        // Tokens cannot be guessed and the zone cannot be listed.
        let shown = if n == 0 {
            "none is visible".to_string()
        } else {
            format!("{n} visible ({})", good_names.join(", "))
        };
        findings.push(
            Finding::new(
                "provider.dkim",
                Status::Info,
                format!(
                    "{} has its customers publish {} {kind} whose selectors cannot be guessed; {shown}",
                    p.name, set.count
                ),
            )
            .fix(format!("name them with --selector to check them (the tokens are in {}'s console)", p.name)),
        );
    } else if n > 0 {
        let missing: Vec<String> = rows
            .iter()
            .filter(|(_, s)| !matches!(s, Seen::Good))
            .map(|(s, _)| name_of(s))
            .collect();
        let what = if missing.is_empty() || !guessable {
            String::new()
        } else {
            format!("; missing or wrong: {}", missing.join(", "))
        };
        findings.push(
            Finding::new(
                "provider.dkim",
                weighted(p.dkim_weight, Status::Warn),
                format!(
                    "you published {n} of the {} {} {kind} ({}){what}: when {} signs with another one, DKIM fails",
                    set.count,
                    p.name,
                    good_names.join(", "),
                    p.name
                ),
            )
            .fix(format!("publish every {one} {} lists for {domain}", p.name)),
        );
    } else if !rows
        .iter()
        .any(|(_, s)| matches!(s, Seen::Elsewhere(_) | Seen::NoKey(_)))
    {
        let status = if d.by_mx_only() || p.dkim_weight == Weight::Info {
            Status::Info
        } else {
            Status::Warn
        };
        let at = if guessable {
            format!(
                " (looked for {})",
                rows.iter()
                    .map(|(s, _)| name_of(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        };
        findings.push(
            Finding::new(
                "provider.dkim",
                status,
                format!(
                    "no {} {} found for {domain}{at}: mail {} sends for {domain} is not signed with its domain",
                    p.name,
                    if set.count == 1 { one } else { kind },
                    p.name
                ),
            )
            .fix(format!("turn on DKIM for {domain} in {}'s console and publish the records it shows", p.name)),
        );
    }
    findings
}

/// Amazon SES's custom MAIL FROM domain: an MX to the provider's feedback
/// host and an SPF record that includes it.
async fn mail_from(
    dns: &Dns,
    domain: &str,
    p: &Provider,
    pattern: &str,
    hosts: &[String],
    targets: &[String],
) -> Vec<Finding> {
    let include = bare(p.spf[0]);
    let pattern = bare(pattern);
    // The checked domain is itself a MAIL FROM domain.
    if let Some(host) = hosts.iter().find(|h| matches(pattern, h)) {
        return vec![mail_from_finding(
            domain,
            p,
            host,
            targets.iter().any(|t| t == include),
            include,
        )];
    }
    let Some(names) = dns.names_below(domain) else {
        return vec![
            Finding::new(
                "provider.mail-from",
                Status::Info,
                format!(
                    "a custom MAIL FROM subdomain for {} cannot be found from DNS alone; without one, SPF does not align with {domain} for DMARC",
                    p.name
                ),
            )
            .fix(format!("check the MAIL FROM subdomain with mailcheck domain SUBDOMAIN (it needs an MX to {pattern} and include:{include})")),
        ];
    };
    // With --zone: every name below the domain whose MX is the provider's.
    let candidates: Vec<String> = names
        .into_iter()
        .filter(|n| !n.split('.').any(|l| l.starts_with('_')))
        .collect();
    let mx = join_all(candidates.iter().map(|n| mx_hosts(dns, n))).await;
    let mut findings = Vec::new();
    for (name, hosts) in candidates.iter().zip(mx) {
        let Some(host) = hosts
            .unwrap_or_default()
            .into_iter()
            .find(|h| matches(pattern, h))
        else {
            continue;
        };
        let Some(includes) = spf_includes_of(dns, name).await else {
            continue;
        };
        findings.push(mail_from_finding(
            name,
            p,
            &host,
            includes.iter().any(|t| t == include),
            include,
        ));
    }
    if findings.is_empty() {
        findings.push(Finding::new(
            "provider.mail-from",
            Status::Info,
            format!(
                "no custom MAIL FROM subdomain for {} in the loaded zones (no name below {domain} has an MX to {pattern}); SPF then does not align with {domain} for DMARC",
                p.name
            ),
        ));
    }
    findings
}

fn mail_from_finding(
    name: &str,
    p: &Provider,
    host: &str,
    included: bool,
    include: &str,
) -> Finding {
    if included {
        Finding::new(
            "provider.mail-from",
            Status::Pass,
            format!(
                "{name} is a custom MAIL FROM domain for {}: MX {host} and include:{include}",
                p.name
            ),
        )
    } else {
        Finding::new(
            "provider.mail-from",
            Status::Warn,
            format!(
                "{name} is a custom MAIL FROM domain for {} (MX {host}), but its SPF record does not include {include}: its mail fails SPF",
                p.name
            ),
        )
        .fix(format!("publish \"v=spf1 include:{include} ~all\" at {name}"))
    }
}

/// The include targets of the SPF record at `name` (the record itself
/// only); `None` when the lookup failed.
async fn spf_includes_of(dns: &Dns, name: &str) -> Option<Vec<String>> {
    let answer = dns.query_str(name, RecordType::TXT).await.ok()?;
    if answer.rcode == Rcode::NxDomain {
        return Some(Vec::new());
    }
    let txt = answer.txt();
    let records = crate::spf::parse::select(&txt);
    let Some(Ok(record)) = records.first().map(|r| crate::spf::parse::parse(r)) else {
        return Some(Vec::new());
    };
    let includes = record
        .directives
        .iter()
        .filter_map(|d| match &d.mechanism {
            Mechanism::Include(spec) => spec.literal(),
            _ => None,
        })
        .map(|t| t.trim_end_matches('.').to_ascii_lowercase())
        .collect();
    Some(includes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every finding name these checks can emit, read from their source.
    fn names_in(source: &str, area: &str) -> Vec<String> {
        let quoted = format!("\"{area}.");
        let mut names: Vec<String> = source
            .match_indices(&quoted)
            .filter_map(|(i, _)| {
                let rest = &source[i + 1..];
                let end = rest.find('"')?;
                let name = &rest[..end];
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '-')
                    .then(|| name.to_string())
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    #[test]
    fn every_finding_name_has_an_explain_entry() {
        let provider = names_in(include_str!("mod.rs"), "provider");
        let tlsrpt = names_in(include_str!("../tlsrpt.rs"), "tlsrpt");
        assert_eq!(
            provider,
            [
                "provider.detected",
                "provider.dkim",
                "provider.mail-from",
                "provider.mx",
                "provider.spf"
            ]
        );
        assert_eq!(tlsrpt, ["tlsrpt.record", "tlsrpt.rua"]);
        for name in provider.iter().chain(&tlsrpt) {
            assert!(crate::explain::lookup(name).is_some(), "{name}");
        }
    }

    #[test]
    fn clues_name_the_record_they_come_from() {
        let spf = Clue::Spf {
            term: "include:amazonses.com".into(),
            at: "example.com".into(),
        };
        assert_eq!(spf.describe("example.com"), "include:amazonses.com");
        assert_eq!(
            spf.describe("other.example"),
            "include:amazonses.com in the SPF record of example.com"
        );
        assert_eq!(
            Clue::Mx("smtp.google.com".into()).describe("x"),
            "MX smtp.google.com"
        );
    }

    #[test]
    fn zone_files_list_the_names_below_a_node_but_a_root_apex_file_does_not() {
        use crate::dns::zone::{Zone, ZoneSet};
        use std::path::Path;
        let zone = |text: &str| Zone::parse(text, Path::new("t.zone")).expect("zone");
        let own = zone(
            "$ORIGIN ses.example.\n$TTL 60\n@ SOA ns. h. 1 1 1 1 1\n\
             tok1._domainkey CNAME tok1.dkim.amazonses.com.\n\
             tok2._domainkey CNAME tok2.dkim.amazonses.com.\n\
             bounce MX 10 feedback-smtp.us-east-1.amazonses.com.\n",
        );
        let dns = Dns::zones(ZoneSet::new(vec![own]));
        assert_eq!(
            dns.names_below("_domainkey.ses.example"),
            Some(vec![
                "tok1._domainkey.ses.example".to_string(),
                "tok2._domainkey.ses.example".to_string()
            ])
        );
        assert_eq!(dns.names_below("bounce.ses.example"), Some(Vec::new()));
        // Not covered by any zone: nothing can be said.
        assert_eq!(dns.names_below("other.example"), None);
        // A file whose apex is the root holds what it holds, not a zone.
        let root = zone("$ORIGIN .\n$TTL 60\ntok1._domainkey.r.example. CNAME x.example.\n");
        let dns = Dns::zones(ZoneSet::new(vec![root]));
        assert_eq!(dns.names_below("_domainkey.r.example"), None);
    }
}
