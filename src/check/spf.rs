//! SPF (RFC 7208): the record, a walk over its include/redirect tree counting
//! DNS-querying terms (limit 10, 4.6.4) and void lookups (limit 2), loops,
//! missing includes, the `all` policy; and with `--ip`, check_host() with the
//! mechanism that matched.
//!
//! Records are parsed by [`crate::spf::parse`] (the program's one SPF
//! parser) and `--ip` is evaluated by [`crate::spf::check_host`]; the walk
//! here reports on the whole tree, which check_host() alone would not (it
//! stops at the first match), with every answer shared through the DNS layer.

use super::dns_error;
use crate::spf::{
    self as spf_eval, Identity, Matched, Outcome, Verdict,
    macros::MacroString,
    parse::{self, Directive, Mechanism, Qualifier},
};
use crate::{
    dns::{Dns, DnsFailure, Rcode},
    report::{Finding, Status},
};
use futures_util::future::{BoxFuture, FutureExt, join_all};
use hickory_resolver::proto::rr::{RData, RecordType};
use std::{
    fmt::Write as _,
    net::IpAddr,
    sync::atomic::{AtomicUsize, Ordering},
};

pub use crate::spf::eval::{LOOKUP_LIMIT, VOID_LIMIT};
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
    pub result: Option<Verdict>,
    /// check_host()'s whole outcome for `--ip`: the matched directive, the
    /// explanation of a fail, why an error.
    pub outcome: Option<Outcome>,
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

/// Fetch the SPF tree of `domain` (records, and the addresses its literal
/// `a`/`mx`/`exists` targets name) with independent lookups in flight
/// together, so that check_host(), which asks one question at a time in
/// record order, then finds its answers in the run's memo: the wall time is
/// the depth of the tree, not the number of its lookups.
pub async fn prefetch(dns: &Dns, domain: &str) {
    let budget = AtomicUsize::new(0);
    let _ = walk_node(dns, &budget, domain.to_string(), Via::Root, Vec::new()).await;
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

    // check_host() runs on its own: it stops where a receiver would, and
    // its lookups are the walk's, answered from the run's shared memo.
    let outcome = match ip {
        Some(ip) => Some(evaluate(dns, domain, sender, ip, helo).await),
        None => None,
    };

    let mut findings = Vec::new();
    if let Some((what, failure)) = &walk.failure {
        findings.push(dns_error("spf.record", what, failure));
        return SpfReport::without_record(findings, outcome);
    }
    let Some(root) = root else {
        findings.extend(walk.findings);
        return SpfReport::without_record(findings, outcome);
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

    if let (Some(ip), Some(outcome)) = (ip, &outcome) {
        findings.push(ip_finding(domain, ip, outcome));
    }

    SpfReport {
        findings,
        record: root.record.clone(),
        lookups,
        void_lookups: voids,
        tree: Some(root),
        result: outcome.as_ref().map(|o| o.verdict),
        outcome,
    }
}

impl SpfReport {
    /// The report for a check the run's `--deadline` cut short: temperror.
    pub fn unfinished(domain: &str) -> SpfReport {
        SpfReport::without_record(
            vec![crate::report::deadline_finding(&format!(
                "the SPF check of {domain}"
            ))],
            Some(Outcome {
                verdict: Verdict::TempError,
                matched: None,
                explanation: None,
                reason: Some("the run's --deadline passed".into()),
                lookups: 0,
                voids: 0,
            }),
        )
    }

    /// A report with no record to show: only findings and, maybe, a result.
    fn without_record(findings: Vec<Finding>, outcome: Option<Outcome>) -> SpfReport {
        SpfReport {
            findings,
            record: None,
            lookups: 0,
            void_lookups: 0,
            tree: None,
            result: outcome.as_ref().map(|o| o.verdict),
            outcome,
        }
    }

    /// The directive that matched and the domain whose record holds it.
    pub fn matched(&self) -> Option<&Matched> {
        self.outcome.as_ref().and_then(|o| o.matched.as_ref())
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
            Some(Outcome {
                verdict: Verdict::None,
                matched: None,
                explanation: None,
                reason: Some(format!(
                    "'{domain}' is not a valid domain name (RFC 7208 4.3)"
                )),
                lookups: 0,
                voids: 0,
            }),
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

/// Ask about a target name as check_host() does: any octets but dots are
/// label text; a name that cannot exist (an empty or over-long label) has
/// no records.
async fn query_target(dns: &Dns, target: &str, rtype: RecordType) -> crate::dns::Lookup {
    match spf_eval::eval::to_name(target.trim_end_matches('.')) {
        Some(name) => dns.query(&name, rtype).await,
        None => Ok(std::sync::Arc::new(crate::dns::Answer::negative(
            Rcode::NxDomain,
        ))),
    }
}

/// The SPF records among a name's TXT records (RFC 7208 4.5).
fn spf_records(txt: &[Vec<u8>]) -> Vec<String> {
    parse::select(txt)
        .into_iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect()
}

/// The literal domain a domain-spec names (the current domain when there is
/// none), or None when it has macros, which only check_host() can expand.
fn literal_target(m: Option<&MacroString>, current: &str) -> Option<String> {
    match m {
        None => Some(current.to_string()),
        Some(m) => m
            .literal()
            .map(|t| t.trim_end_matches('.').to_ascii_lowercase()),
    }
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
        let answer = match query_target(dns, &domain, RecordType::TXT).await {
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
        let raw = answer.txt();
        let raw = parse::select(&raw);
        let parsed = match parse::parse(raw[0]) {
            Ok(p) => p,
            Err(e) => {
                walk.findings.push(
                    Finding::new(
                        "spf.syntax",
                        Status::Fail,
                        format!("the SPF record of {domain} has a syntax error: {e}; receivers return permerror (RFC 7208 4.6)"),
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
        let has_all = parsed.directives.iter().any(|d| d.mechanism == Mechanism::All);

        let mut own_lookups = 0u32;
        let mut pending = Vec::new();
        for directive in &parsed.directives {
            let shown = directive.text.clone();
            let fut: BoxFuture<'_, Pending> = match &directive.mechanism {
                Mechanism::Include(macro_string) => {
                    own_lookups += 1;
                    match literal_target(Some(macro_string), &domain) {
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
                Mechanism::A { domain: spec, .. } => {
                    own_lookups += 1;
                    match literal_target(spec.as_ref(), &domain) {
                        Some(target) => addresses_of(dns, target, "a").boxed(),
                        None => async { Pending::done(Resolved::Nothing) }.boxed(),
                    }
                }
                Mechanism::Mx { domain: spec, .. } => {
                    own_lookups += 1;
                    match literal_target(spec.as_ref(), &domain) {
                        Some(target) => mx_addresses(dns, target).boxed(),
                        None => async { Pending::done(Resolved::Nothing) }.boxed(),
                    }
                }
                Mechanism::Exists(macro_string) => {
                    own_lookups += 1;
                    match literal_target(Some(macro_string), &domain) {
                        Some(target) => async move {
                            match query_target(dns, &target, RecordType::A).await {
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
                Mechanism::Ptr(_) => {
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
                if let Some(target) = literal_target(Some(m), &domain) {
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
        query_target(dns, &target, RecordType::A),
        query_target(dns, &target, RecordType::AAAA)
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
    let mx = match query_target(dns, &target, RecordType::MX).await {
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
            query_target(dns, h, RecordType::A),
            query_target(dns, h, RecordType::AAAA)
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
    match all.map(|t| t.directive.qualifier) {
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

/// check_host() for `ip` and the MAIL FROM identity `sender`
/// (`local@domain`), with `helo` as sent (the domain when none was given).
async fn evaluate(
    dns: &Dns,
    domain: &str,
    sender: &str,
    ip: IpAddr,
    helo: Option<&str>,
) -> Outcome {
    let local = match sender.rsplit_once('@') {
        Some((l, _)) if !l.is_empty() => l,
        _ => "postmaster",
    };
    let identity = Identity {
        ip,
        local,
        sender_domain: domain,
        helo: helo.unwrap_or(domain),
        receiver: "unknown",
    };
    spf_eval::check_host(dns, &identity, domain).await
}

/// The `spf.ip` finding: what check_host() said about `ip`.
fn ip_finding(domain: &str, ip: IpAddr, outcome: &Outcome) -> Finding {
    let how = match &outcome.matched {
        Some(m) => format!(" (matched \"{}\" in the record of {})", m.text, m.domain),
        None => String::new(),
    };
    let why = match &outcome.reason {
        Some(r) => format!(": {r}"),
        None => String::new(),
    };
    match outcome.verdict {
        Verdict::Pass => Finding::new(
            "spf.ip",
            Status::Pass,
            format!("{ip} may send for {domain}: SPF pass{how}"),
        ),
        Verdict::TempError => Finding::new(
            "spf.ip",
            Status::Error,
            format!("SPF for {ip} at {domain} could not be completed: temperror{why}"),
        )
        .fix("retry; if it persists, check the nameservers of the names in the SPF tree"),
        other => {
            let explanation = match &outcome.explanation {
                Some(e) => format!("; the domain explains: \"{e}\""),
                None => String::new(),
            };
            Finding::new(
                "spf.ip",
                Status::Fail,
                format!("{ip} is not authorized to send for {domain}: SPF {other}{how}{why}{explanation}"),
            )
            .fix(format!("add ip{}:{ip} (or an include: of the provider that owns it) to the SPF record of {domain}", if ip.is_ipv4() { "4" } else { "6" }))
        }
    }
}

/// The contract's lower-case word for an SPF result.
pub fn result_word(r: Verdict) -> &'static str {
    r.word()
}
