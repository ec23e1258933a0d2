//! SPF (RFC 7208): the record, a walk over its include/redirect tree counting
//! DNS-querying terms (limit 10, 4.6.4) and void lookups (limit 2), loops,
//! missing includes, the `all` policy; and with `--ip`, check_host() by
//! mail-auth with the mechanism that matched.
//!
//! mail-auth parses each record and evaluates check_host(); it does not count
//! lookups or say which mechanism matched, so the walk here does that over its
//! public record types, with every answer shared through the DNS layer.

use super::dns_error;
use crate::{
    dns::{Dns, DnsFailure, Rcode},
    report::{Finding, Status},
};
use futures_util::future::{BoxFuture, FutureExt, join_all};
use hickory_resolver::proto::rr::{RData, RecordType};
use mail_auth::{
    SpfOutput, SpfResult,
    dns::TxtRecordParser,
    spf::{Directive, Macro, Mechanism, Qualifier, SpfRecord, verify::SpfParameters},
};
use std::{
    fmt::Write as _,
    net::IpAddr,
    sync::atomic::{AtomicUsize, Ordering},
};

/// RFC 7208 4.6.4: at most 10 terms that cause DNS queries.
pub const LOOKUP_LIMIT: u32 = 10;
/// RFC 7208 4.6.4: at most 2 void lookups.
pub const VOID_LIMIT: u32 = 2;
/// Safety bound on the size of the tree walked (records fetched).
const MAX_NODES: usize = 64;

/// How a record was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The domain's own record.
    Root,
    /// Through `include:`.
    Include,
    /// Through `redirect=`.
    Redirect,
}

/// What a directive's DNS lookups returned, kept for evaluating `--ip`.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// Nothing to resolve (`all`, `ip4`, `ip6`) or not resolvable statically.
    Nothing,
    /// Addresses found for `a` or `mx`.
    Addresses(Vec<IpAddr>),
    /// `exists`: whether the name has an A record.
    Exists(bool),
    /// `include`: the included record.
    Include(Box<Node>),
}

/// One directive with its text and what its lookups returned.
#[derive(Debug, Clone)]
pub struct Term {
    /// The parsed directive.
    pub directive: Directive,
    /// The directive as written in the record.
    pub text: String,
    /// Lookup results.
    pub resolved: Resolved,
}

/// One SPF record in the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// The domain whose record this is.
    pub domain: String,
    /// How it was reached.
    pub via: Via,
    /// The record text, when one was found.
    pub record: Option<String>,
    /// Directives in order.
    pub terms: Vec<Term>,
    /// The `redirect=` target's record, when followed.
    pub redirect: Option<Box<Node>>,
    /// DNS-querying terms in this record alone.
    pub own_lookups: u32,
    /// DNS-querying terms in this record and everything below it.
    pub total_lookups: u32,
}

/// Everything the walk learned.
#[derive(Debug, Default)]
struct Walk {
    findings: Vec<Finding>,
    voids: Vec<String>,
    uses_ptr: bool,
    failure: Option<(String, DnsFailure)>,
}

/// The outcome of the SPF checks, for `mailcheck spf` and `domain`.
pub struct SpfReport {
    /// Findings, `spf.*`.
    pub findings: Vec<Finding>,
    /// The root record text, if any.
    pub record: Option<String>,
    /// Total DNS-querying terms across the tree.
    pub lookups: u32,
    /// Void lookups seen.
    pub void_lookups: u32,
    /// The tree, when the domain has a record.
    pub tree: Option<Node>,
    /// check_host() result for `--ip`.
    pub result: Option<SpfResult>,
    /// mail-auth's full output for `--ip` (for Authentication-Results).
    pub output: Option<SpfOutput>,
    /// The directive that matched, and the domain whose record holds it.
    pub matched: Option<(String, String)>,
}

/// The SPF findings for `domain`, as used by `mailcheck domain`.
pub async fn check(
    dns: &Dns,
    domain: &str,
    ip: Option<IpAddr>,
    helo: Option<&str>,
) -> Vec<Finding> {
    analyse(dns, domain, &format!("postmaster@{domain}"), ip, helo)
        .await
        .findings
}

/// Walk the SPF tree of `domain` and, with `ip`, evaluate check_host() for
/// the MAIL FROM identity `sender`.
pub async fn analyse(
    dns: &Dns,
    domain: &str,
    sender: &str,
    ip: Option<IpAddr>,
    helo: Option<&str>,
) -> SpfReport {
    let mut walk = Walk::default();
    let budget = AtomicUsize::new(0);
    let root = walk_node(dns, &budget, domain.to_string(), Via::Root, Vec::new()).await;
    let (root, mut sub) = root;
    walk.merge(&mut sub);

    let mut findings = Vec::new();
    if let Some((what, failure)) = &walk.failure {
        findings.push(dns_error("spf.record", what, failure));
        return SpfReport::without_record(findings, None);
    }
    let Some(root) = root else {
        findings.extend(walk.findings);
        return SpfReport::without_record(findings, None);
    };

    findings.append(&mut walk.findings);
    let lookups = root.total_lookups;
    let mut breakdown = Vec::new();
    tree_lines(&root, 0, &mut breakdown);
    let mut lf = if lookups > LOOKUP_LIMIT {
        Finding::new(
            "spf.lookups",
            Status::Fail,
            format!("{lookups} DNS-querying terms (include, a, mx, ptr, exists, redirect) across the SPF tree; the limit is {LOOKUP_LIMIT}, so receivers return permerror (RFC 7208 4.6.4)"),
        )
        .fix("flatten includes you control into ip4:/ip6: ranges, drop includes of services you no longer use, or split senders onto subdomains")
    } else {
        Finding::new(
            "spf.lookups",
            Status::Pass,
            format!("{lookups} of {LOOKUP_LIMIT} DNS-querying terms used across the SPF tree"),
        )
    };
    lf.records = breakdown;
    findings.push(lf);

    let voids = walk.voids.len() as u32;
    if voids > VOID_LIMIT {
        let mut f = Finding::new(
            "spf.void-lookups",
            Status::Fail,
            format!("{voids} void lookups (names with no records) in the SPF tree; the limit is {VOID_LIMIT}, so receivers return permerror (RFC 7208 4.6.4)"),
        )
        .fix("remove the terms that point at names with no records");
        f.records = walk.voids.clone();
        findings.push(f);
    } else if voids > 0 {
        let mut f = Finding::new(
            "spf.void-lookups",
            Status::Warn,
            format!("{voids} void lookup{} (names with no records) in the SPF tree; more than {VOID_LIMIT} is a permerror", if voids == 1 { "" } else { "s" }),
        )
        .fix("remove terms that point at names with no records");
        f.records = walk.voids.clone();
        findings.push(f);
    } else {
        findings.push(Finding::new(
            "spf.void-lookups",
            Status::Pass,
            format!("no void lookups (limit {VOID_LIMIT})"),
        ));
    }

    findings.push(all_finding(&root));
    if walk.uses_ptr {
        findings.push(
            Finding::new(
                "spf.ptr",
                Status::Warn,
                "the SPF tree uses the ptr mechanism, which RFC 7208 5.5 says not to use: it is slow, unreliable, and some receivers skip it",
            )
            .fix("replace ptr with ip4:/ip6: ranges or a/mx mechanisms"),
        );
    }

    let (mut result, mut output, mut matched) = (None, None, None);
    if let Some(ip) = ip {
        let (f, out, m) = evaluate_ip(dns, &root, domain, sender, ip, helo).await;
        findings.push(f);
        result = Some(out.result());
        output = Some(out);
        matched = m;
    }

    SpfReport {
        findings,
        record: root.record.clone(),
        lookups,
        void_lookups: voids,
        tree: Some(root),
        result,
        output,
        matched,
    }
}

impl SpfReport {
    /// The report for a check the run's `--deadline` cut short: temperror.
    pub fn unfinished(domain: &str) -> SpfReport {
        SpfReport::without_record(
            vec![crate::report::deadline_finding(&format!(
                "the SPF check of {domain}"
            ))],
            Some(SpfResult::TempError),
        )
    }

    /// A report with no record to show: only findings and, maybe, a result.
    fn without_record(findings: Vec<Finding>, result: Option<SpfResult>) -> SpfReport {
        SpfReport {
            findings,
            record: None,
            lookups: 0,
            void_lookups: 0,
            tree: None,
            result,
            output: None,
            matched: None,
        }
    }

    /// The report for an identity whose domain is not a valid name: check_host()
    /// returns `none` without a lookup (RFC 7208 4.3).
    pub fn invalid(domain: &str) -> SpfReport {
        SpfReport::without_record(
            vec![Finding::new(
                "spf.record",
                Status::Info,
                format!("'{domain}' is not a valid domain name: SPF result none (RFC 7208 4.3)"),
            )],
            Some(SpfResult::None),
        )
    }
}

/// The include/redirect tree as JSON: each node's domain, how it was reached,
/// its record, lookup counts and children.
pub fn tree_json(node: &Node) -> serde_json::Value {
    let mut children: Vec<serde_json::Value> = node
        .terms
        .iter()
        .filter_map(|t| match &t.resolved {
            Resolved::Include(child) => Some(tree_json(child)),
            _ => None,
        })
        .collect();
    if let Some(r) = &node.redirect {
        children.push(tree_json(r));
    }
    serde_json::json!({
        "domain": node.domain,
        "via": match node.via { Via::Root => "root", Via::Include => "include", Via::Redirect => "redirect" },
        "record": node.record,
        "lookups": node.own_lookups,
        "total_lookups": node.total_lookups,
        "children": children,
    })
}

impl Walk {
    fn merge(&mut self, other: &mut Walk) {
        self.findings.append(&mut other.findings);
        self.voids.append(&mut other.voids);
        self.uses_ptr |= other.uses_ptr;
        if self.failure.is_none() {
            self.failure = other.failure.take();
        }
    }
}

/// The SPF records among a name's TXT records.
fn spf_records(txt: &[Vec<u8>]) -> Vec<String> {
    txt.iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .filter(|r| {
            let lower = r.to_ascii_lowercase();
            lower == "v=spf1" || lower.starts_with("v=spf1 ")
        })
        .collect()
}

/// The literal domain a macro string names, or None when it has macros.
fn literal_target(m: &Macro, current: &str) -> Option<String> {
    match m {
        Macro::None => Some(current.to_string()),
        Macro::Literal(bytes) => Some(
            String::from_utf8_lossy(bytes)
                .trim_end_matches('.')
                .to_ascii_lowercase(),
        ),
        _ => None,
    }
}

/// The directives' texts, in order, from the record text (modifiers left out).
fn directive_texts(record: &str) -> Vec<String> {
    record
        .split_ascii_whitespace()
        .skip(1)
        .filter(|t| !is_modifier(t))
        .map(str::to_string)
        .collect()
}

fn is_modifier(term: &str) -> bool {
    match term.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        }
        None => false,
    }
}

/// `ip4:`/`ip6:` arguments: an address of the right family and a prefix length
/// within range (RFC 7208 5.6). mail-auth is lenient about octets over 255.
fn valid_network(name: &str, rest: &str) -> bool {
    let Some(arg) = rest.strip_prefix(':') else {
        return !matches!(name, "ip4" | "ip6");
    };
    let (addr, len) = match arg.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (arg, None),
    };
    let (ok, max) = match name {
        "ip4" => (addr.parse::<std::net::Ipv4Addr>().is_ok(), 32),
        "ip6" => (addr.parse::<std::net::Ipv6Addr>().is_ok(), 128),
        _ => return true,
    };
    ok && len.is_none_or(|l| l.parse::<u8>().is_ok_and(|l| l <= max))
}

/// The mechanisms of RFC 7208 5.
const MECHANISMS: &[&str] = &["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"];

/// Find the first term that is not valid SPF (RFC 7208 4.6.1, 12): an
/// unknown mechanism, or a known one whose arguments do not parse. mail-auth
/// reads an unknown `name:value` as an unknown modifier and skips it; a
/// receiver following the RFC returns permerror, so it is reported here.
fn bad_term(record: &str) -> Option<String> {
    for term in record.split_ascii_whitespace().skip(1) {
        if is_modifier(term) {
            if SpfRecord::parse(format!("v=spf1 {term}").as_bytes()).is_err() {
                return Some(term.to_string());
            }
            continue;
        }
        let bare = term.trim_start_matches(['+', '-', '~', '?']);
        let name_end = bare.find([':', '/']).unwrap_or(bare.len());
        let name = bare[..name_end].to_ascii_lowercase();
        if bare.len() + 1 < term.len()
            || !MECHANISMS.contains(&name.as_str())
            || !valid_network(&name, &bare[name_end..])
            || SpfRecord::parse(format!("v=spf1 {term}").as_bytes()).is_err()
        {
            return Some(term.to_string());
        }
    }
    None
}

/// What one directive's lookups produced: its resolution and walk data
/// (void lookups, findings, failures) to merge into the parent's.
struct Pending {
    resolved: Resolved,
    walk: Walk,
}

impl Pending {
    fn done(resolved: Resolved) -> Pending {
        Pending {
            resolved,
            walk: Walk::default(),
        }
    }
}

/// Fetch and analyse one record and, concurrently, everything it references.
fn walk_node<'a>(
    dns: &'a Dns,
    budget: &'a AtomicUsize,
    domain: String,
    via: Via,
    stack: Vec<String>,
) -> BoxFuture<'a, (Option<Node>, Walk)> {
    async move {
        let mut walk = Walk::default();
        // A tree this large is far past the lookup limit already (every record
        // past the root was reached by a counted include or redirect); stop
        // fetching rather than follow an unbounded fan-out.
        if budget.fetch_add(1, Ordering::Relaxed) == MAX_NODES {
            walk.findings.push(
                Finding::new(
                    "spf.lookups",
                    Status::Fail,
                    format!("the SPF tree has more than {MAX_NODES} records; mailcheck stopped walking it at {domain}"),
                )
                .fix("flatten the include tree: receivers stop after 10 lookups"),
            );
        }
        if budget.load(Ordering::Relaxed) > MAX_NODES {
            return (None, walk);
        }
        let answer = match dns.query_str(&domain, RecordType::TXT).await {
            Ok(a) => a,
            Err(e) => {
                walk.failure = Some((format!("the SPF record of {domain}"), e));
                return (None, walk);
            }
        };
        let records = spf_records(&answer.txt());
        let term_name = match via {
            Via::Root => "spf.record",
            Via::Include => "spf.include",
            Via::Redirect => "spf.redirect",
        };
        if records.is_empty() {
            if via != Via::Root {
                walk.voids.push(format!("{domain} (TXT)"));
            }
            let (msg, fix) = match via {
                Via::Root => (
                    format!("{domain} publishes no SPF record: receivers cannot tell which servers may send its mail"),
                    format!("publish a TXT record at {domain}, e.g. \"v=spf1 mx -all\" listing every server that sends its mail"),
                ),
                _ => (
                    format!(
                        "{} target {domain} has no SPF record{}: receivers return permerror",
                        if via == Via::Include { "include:" } else { "redirect=" },
                        if answer.rcode == Rcode::NxDomain { " (the name does not exist)" } else { "" }
                    ),
                    format!("fix or remove the reference to {domain}"),
                ),
            };
            walk.findings.push(Finding::new(term_name, Status::Fail, msg).fix(fix));
            return (None, walk);
        }
        if records.len() > 1 {
            let mut f = Finding::new(
                "spf.record",
                Status::Fail,
                format!("{domain} publishes {} SPF records; receivers return permerror when there is more than one (RFC 7208 4.5)", records.len()),
            )
            .fix("merge them into a single v=spf1 record");
            f.records = records.iter().map(|r| format!("{domain}. TXT \"{r}\"")).collect();
            walk.findings.push(f);
        } else if via == Via::Root {
            walk.findings.push(
                Finding::new("spf.record", Status::Pass, format!("{domain} publishes an SPF record"))
                    .record(format!("{domain}. TXT \"{}\"", records[0])),
            );
        }
        let text = records[0].clone();
        let culprit = bad_term(&text);
        let parsed = match SpfRecord::parse(text.as_bytes()) {
            Ok(p) if culprit.is_none() => p,
            _ => {
                let culprit = culprit
                    .map(|t| format!(": the term \"{t}\" is not valid SPF"))
                    .unwrap_or_default();
                walk.findings.push(
                    Finding::new(
                        "spf.syntax",
                        Status::Fail,
                        format!("the SPF record of {domain} has a syntax error{culprit}; receivers return permerror (RFC 7208 4.6)"),
                    )
                    .fix("correct the term; see RFC 7208 section 5 for the mechanisms' syntax")
                    .record(format!("{domain}. TXT \"{text}\"")),
                );
                return (
                    Some(Node {
                        domain,
                        via,
                        record: Some(text),
                        terms: Vec::new(),
                        redirect: None,
                        own_lookups: 0,
                        total_lookups: 0,
                    }),
                    walk,
                );
            }
        };
        let texts = directive_texts(&text);
        let has_all = parsed.directives.iter().any(|d| d.mechanism == Mechanism::All);

        let mut own_lookups = 0u32;
        let mut pending = Vec::new();
        for (i, directive) in parsed.directives.iter().enumerate() {
            let shown = texts.get(i).cloned().unwrap_or_default();
            let fut: BoxFuture<'_, Pending> = match &directive.mechanism {
                Mechanism::Include { macro_string } => {
                    own_lookups += 1;
                    match literal_target(macro_string, &domain) {
                        Some(target) if stack.contains(&target) || target == domain => {
                            walk.findings.push(loop_finding(&domain, &target, "include"));
                            async { Pending::done(Resolved::Nothing) }.boxed()
                        }
                        Some(target) => {
                            let mut stack = stack.clone();
                            stack.push(domain.clone());
                            async move {
                                let (child, walk) = walk_node(dns, budget, target, Via::Include, stack).await;
                                let resolved = match child {
                                    Some(node) => Resolved::Include(Box::new(node)),
                                    None => Resolved::Nothing,
                                };
                                Pending { resolved, walk }
                            }
                            .boxed()
                        }
                        None => async { Pending::done(Resolved::Nothing) }.boxed(),
                    }
                }
                Mechanism::A { macro_string, .. } => {
                    own_lookups += 1;
                    match literal_target(macro_string, &domain) {
                        Some(target) => addresses_of(dns, target, "a").boxed(),
                        None => async { Pending::done(Resolved::Nothing) }.boxed(),
                    }
                }
                Mechanism::Mx { macro_string, .. } => {
                    own_lookups += 1;
                    match literal_target(macro_string, &domain) {
                        Some(target) => mx_addresses(dns, target).boxed(),
                        None => async { Pending::done(Resolved::Nothing) }.boxed(),
                    }
                }
                Mechanism::Exists { macro_string } => {
                    own_lookups += 1;
                    match literal_target(macro_string, &domain) {
                        Some(target) => async move {
                            match dns.query_str(&target, RecordType::A).await {
                                Ok(a) => {
                                    let mut walk = Walk::default();
                                    let found = !a.is_void(RecordType::A);
                                    if !found {
                                        walk.voids.push(format!("exists:{target} (A)"));
                                    }
                                    Pending {
                                        resolved: Resolved::Exists(found),
                                        walk,
                                    }
                                }
                                Err(e) => failed(format!("the A record of {target}"), e),
                            }
                        }
                        .boxed(),
                        None => async { Pending::done(Resolved::Nothing) }.boxed(),
                    }
                }
                Mechanism::Ptr { .. } => {
                    own_lookups += 1;
                    walk.uses_ptr = true;
                    async { Pending::done(Resolved::Nothing) }.boxed()
                }
                Mechanism::All | Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } => {
                    async { Pending::done(Resolved::Nothing) }.boxed()
                }
            };
            pending.push((directive.clone(), shown, fut));
        }

        // redirect= is ignored when the record has an `all` (RFC 7208 6.1).
        let mut redirect_fut = None;
        if let Some(m) = &parsed.redirect {
            if has_all {
                walk.findings.push(
                    Finding::new(
                        "spf.redirect",
                        Status::Warn,
                        format!("the SPF record of {domain} has both an all mechanism and redirect=; the redirect is ignored (RFC 7208 6.1)"),
                    )
                    .fix("remove one of them"),
                );
            } else {
                own_lookups += 1;
                if let Some(target) = literal_target(m, &domain) {
                    if stack.contains(&target) || target == domain {
                        walk.findings.push(loop_finding(&domain, &target, "redirect"));
                    } else {
                        let mut stack = stack.clone();
                        stack.push(domain.clone());
                        redirect_fut = Some(walk_node(dns, budget, target, Via::Redirect, stack));
                    }
                }
            }
        }

        // Each level of a chain costs a lookup, so a chain deeper than the
        // limit is already over it; the levels below are not fetched.
        let too_big = stack.len() > LOOKUP_LIMIT as usize;
        let (directives, shown, futs): (Vec<_>, Vec<_>, Vec<_>) = pending.into_iter().fold(
            (Vec::new(), Vec::new(), Vec::new()),
            |mut acc, (d, s, f)| {
                acc.0.push(d);
                acc.1.push(s);
                acc.2.push(f);
                acc
            },
        );
        let (results, redirect) = if too_big {
            (Vec::new(), None)
        } else {
            tokio::join!(join_all(futs), async {
                match redirect_fut {
                    Some(f) => Some(f.await),
                    None => None,
                }
            })
        };

        let mut total = own_lookups;
        let mut terms = Vec::new();
        let mut results = results.into_iter();
        for (directive, text) in directives.into_iter().zip(shown) {
            let resolved = match results.next() {
                Some(mut p) => {
                    walk.merge(&mut p.walk);
                    if let Resolved::Include(node) = &p.resolved {
                        total += node.total_lookups;
                    }
                    p.resolved
                }
                None => Resolved::Nothing,
            };
            terms.push(Term {
                directive,
                text,
                resolved,
            });
        }
        let redirect = match redirect {
            Some((node, mut w)) => {
                walk.merge(&mut w);
                node.map(|n| {
                    total += n.total_lookups;
                    Box::new(n)
                })
            }
            None => None,
        };
        (
            Some(Node {
                domain,
                via,
                record: Some(text),
                terms,
                redirect,
                own_lookups,
                total_lookups: total,
            }),
            walk,
        )
    }
    .boxed()
}

fn failed(what: String, e: DnsFailure) -> Pending {
    Pending {
        resolved: Resolved::Nothing,
        walk: Walk {
            failure: Some((what, e)),
            ..Walk::default()
        },
    }
}

async fn addresses_of(dns: &Dns, target: String, mechanism: &str) -> Pending {
    let (a, aaaa) = tokio::join!(
        dns.query_str(&target, RecordType::A),
        dns.query_str(&target, RecordType::AAAA)
    );
    let mut addrs = Vec::new();
    for (l, t) in [(a, "A"), (aaaa, "AAAA")] {
        match l {
            Ok(ans) => addrs.extend(ans.addresses()),
            Err(e) => return failed(format!("the {t} record of {target}"), e),
        }
    }
    let mut walk = Walk::default();
    if addrs.is_empty() {
        walk.voids.push(format!("{mechanism}:{target} (A/AAAA)"));
    }
    Pending {
        resolved: Resolved::Addresses(addrs),
        walk,
    }
}

async fn mx_addresses(dns: &Dns, target: String) -> Pending {
    let mx = match dns.query_str(&target, RecordType::MX).await {
        Ok(a) => a,
        Err(e) => return failed(format!("the MX record of {target}"), e),
    };
    let hosts: Vec<String> = mx
        .data(RecordType::MX)
        .filter_map(|d| match d {
            RData::MX(m) if !m.exchange.is_root() => Some(crate::dns::display_name(&m.exchange)),
            _ => None,
        })
        .collect();
    let mut w = Walk::default();
    if hosts.is_empty() {
        w.voids.push(format!("mx:{target} (MX)"));
        return Pending {
            resolved: Resolved::Addresses(Vec::new()),
            walk: w,
        };
    }
    if hosts.len() > 10 {
        w.findings.push(
            Finding::new(
                "spf.mx",
                Status::Fail,
                format!("mx:{target} names {} MX hosts; SPF allows at most 10 address lookups per mx mechanism, so receivers return permerror (RFC 7208 4.6.4)", hosts.len()),
            )
            .fix("use ip4:/ip6: ranges instead of mx for this domain"),
        );
    }
    let lookups = join_all(hosts.iter().take(10).map(|h| async move {
        tokio::join!(
            dns.query_str(h, RecordType::A),
            dns.query_str(h, RecordType::AAAA)
        )
    }))
    .await;
    let mut addrs = Vec::new();
    for (i, (a, aaaa)) in lookups.into_iter().enumerate() {
        for l in [a, aaaa] {
            match l {
                Ok(ans) => addrs.extend(ans.addresses()),
                Err(e) => return failed(format!("the address of {}", hosts[i]), e),
            }
        }
    }
    Pending {
        resolved: Resolved::Addresses(addrs),
        walk: w,
    }
}

fn loop_finding(domain: &str, target: &str, how: &str) -> Finding {
    Finding::new(
        "spf.loop",
        Status::Fail,
        format!("the SPF record of {domain} references {target} by {how}, which leads back to itself: receivers return permerror"),
    )
    .fix(format!("remove the {how} of {target} from {domain}"))
}

/// The finding about how the root record ends (`-all`, `~all`, `?all`, `+all`).
fn all_finding(root: &Node) -> Finding {
    let domain = &root.domain;
    let all = root
        .terms
        .iter()
        .find(|t| t.directive.mechanism == Mechanism::All);
    match all.map(|t| &t.directive.qualifier) {
        Some(Qualifier::Pass) => Finding::new(
            "spf.all",
            Status::Fail,
            format!("the SPF record of {domain} ends in +all: every server on the Internet may send as {domain}"),
        )
        .fix("end the record with -all (or ~all while you are still finding all your senders)"),
        Some(Qualifier::Neutral) => Finding::new(
            "spf.all",
            Status::Warn,
            format!("the SPF record of {domain} ends in ?all: mail from unlisted servers is neutral, so SPF protects nothing"),
        )
        .fix("end the record with -all or ~all"),
        Some(Qualifier::SoftFail) => Finding::new(
            "spf.all",
            Status::Pass,
            format!("the SPF record of {domain} ends in ~all: mail from unlisted servers soft-fails (DMARC decides what happens to it)"),
        ),
        Some(Qualifier::Fail) => Finding::new(
            "spf.all",
            Status::Pass,
            format!("the SPF record of {domain} ends in -all: mail from unlisted servers fails"),
        ),
        None if root.redirect.is_some() => Finding::new(
            "spf.all",
            Status::Pass,
            format!("the SPF record of {domain} delegates its policy with redirect="),
        ),
        None => Finding::new(
            "spf.all",
            Status::Warn,
            format!("the SPF record of {domain} has no all mechanism and no redirect=: unlisted servers get neutral, which protects nothing"),
        )
        .fix("end the record with -all or ~all"),
    }
}

/// Indented lines showing the tree with per-branch lookup counts.
fn tree_lines(node: &Node, depth: usize, out: &mut Vec<String>) {
    let mut line = String::new();
    let _ = write!(
        line,
        "{}{}{}: {} lookup{} here, {} in this branch",
        "  ".repeat(depth),
        match node.via {
            Via::Root => "",
            Via::Include => "include:",
            Via::Redirect => "redirect=",
        },
        node.domain,
        node.own_lookups,
        if node.own_lookups == 1 { "" } else { "s" },
        node.total_lookups
    );
    out.push(line);
    for t in &node.terms {
        if let Resolved::Include(child) = &t.resolved
            && !child.domain.is_empty()
        {
            tree_lines(child, depth + 1, out);
        }
    }
    if let Some(r) = &node.redirect {
        tree_lines(r, depth + 1, out);
    }
}

/// Run mail-auth's check_host() for `ip` and name the mechanism that matched.
async fn evaluate_ip(
    dns: &Dns,
    root: &Node,
    domain: &str,
    sender: &str,
    ip: IpAddr,
    helo: Option<&str>,
) -> (Finding, SpfOutput, Option<(String, String)>) {
    let helo = helo.unwrap_or(domain);
    let output = dns
        .authenticator()
        .check_host(
            mail_auth::Parameters::new(SpfParameters::new(ip, domain, helo, "mailcheck", sender))
                .with_cache(dns.caches()),
        )
        .await;
    let result = output.result();
    let matched = match matched_term(root, ip, 0) {
        Some((q, text, d)) if qualifier_result(&q) == result => Some((text, d)),
        _ => None,
    };
    let how = match &matched {
        Some((text, d)) => format!(" (matched \"{text}\" in the record of {d})"),
        None => String::new(),
    };
    let finding = match result {
        SpfResult::Pass => Finding::new(
            "spf.ip",
            Status::Pass,
            format!("{ip} may send for {domain}: SPF pass{how}"),
        ),
        SpfResult::TempError => Finding::new(
            "spf.ip",
            Status::Error,
            format!("SPF for {ip} at {domain} could not be completed: temperror (a DNS lookup failed)"),
        )
        .fix("retry; if it persists, check the nameservers of the names in the SPF tree"),
        other => Finding::new(
            "spf.ip",
            Status::Fail,
            format!("{ip} is not authorized to send for {domain}: SPF {}{how}", result_word(other)),
        )
        .fix(format!("add ip{}:{ip} (or an include: of the provider that owns it) to the SPF record of {domain}", if ip.is_ipv4() { "4" } else { "6" })),
    };
    (finding, output, matched)
}

fn qualifier_result(q: &Qualifier) -> SpfResult {
    match q {
        Qualifier::Pass => SpfResult::Pass,
        Qualifier::Fail => SpfResult::Fail,
        Qualifier::SoftFail => SpfResult::SoftFail,
        Qualifier::Neutral => SpfResult::Neutral,
    }
}

/// The contract's lower-case word for an SPF result.
pub fn result_word(r: SpfResult) -> &'static str {
    match r {
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::SoftFail => "softfail",
        SpfResult::Neutral => "neutral",
        SpfResult::TempError => "temperror",
        SpfResult::PermError => "permerror",
        SpfResult::None => "none",
    }
}

/// Evaluate the walked tree for `ip` (no macros, no ptr): the qualifier and
/// text of the first matching directive and the domain whose record holds it.
fn matched_term(node: &Node, ip: IpAddr, depth: usize) -> Option<(Qualifier, String, String)> {
    if depth > 12 {
        return None;
    }
    for t in &node.terms {
        let hit = match (&t.directive.mechanism, &t.resolved) {
            (Mechanism::All, _) => Some(None),
            (Mechanism::Ip4 { addr, mask }, _) => match ip {
                IpAddr::V4(v4) => (u32::from(v4) & mask == u32::from(*addr) & mask).then_some(None),
                _ => None,
            },
            (Mechanism::Ip6 { addr, mask }, _) => match ip {
                IpAddr::V6(v6) => {
                    (u128::from(v6) & mask == u128::from(*addr) & mask).then_some(None)
                }
                _ => None,
            },
            (
                Mechanism::A {
                    ip4_mask, ip6_mask, ..
                }
                | Mechanism::Mx {
                    ip4_mask, ip6_mask, ..
                },
                Resolved::Addresses(addrs),
            ) => addrs
                .iter()
                .any(|a| match (a, ip) {
                    (IpAddr::V4(a), IpAddr::V4(i)) => {
                        u32::from(*a) & ip4_mask == u32::from(i) & ip4_mask
                    }
                    (IpAddr::V6(a), IpAddr::V6(i)) => {
                        u128::from(*a) & ip6_mask == u128::from(i) & ip6_mask
                    }
                    _ => false,
                })
                .then_some(None),
            (Mechanism::Exists { .. }, Resolved::Exists(true)) => Some(None),
            (Mechanism::Include { .. }, Resolved::Include(child)) => {
                match matched_term(child, ip, depth + 1) {
                    Some((Qualifier::Pass, text, d)) => Some(Some((text, d))),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(inner) = hit {
            let (text, d) = match inner {
                Some((inner_text, inner_domain)) => {
                    (format!("{} -> {inner_text}", t.text), inner_domain)
                }
                None => (t.text.clone(), node.domain.clone()),
            };
            return Some((t.directive.qualifier.clone(), text, d));
        }
    }
    node.redirect
        .as_ref()
        .and_then(|r| matched_term(r, ip, depth + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_invalid_term() {
        assert_eq!(bad_term("v=spf1 mx -all"), None);
        assert_eq!(bad_term("v=spf1 mx foo=bar -all"), None);
        assert_eq!(
            bad_term("v=spf1 mx incloode:x.example -all").as_deref(),
            Some("incloode:x.example")
        );
        assert_eq!(
            bad_term("v=spf1 ip4:192.0.2.300 -all").as_deref(),
            Some("ip4:192.0.2.300")
        );
        assert_eq!(bad_term("v=spf1 +-all").as_deref(), Some("+-all"));
    }

    #[test]
    fn directive_texts_skip_modifiers() {
        assert_eq!(
            directive_texts("v=spf1 a redirect=x.example ip4:192.0.2.0/24 exp=e.example ~all"),
            ["a", "ip4:192.0.2.0/24", "~all"]
        );
    }
}
