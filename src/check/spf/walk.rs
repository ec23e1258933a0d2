//! Discovery: the walk over an SPF record's include/redirect tree. Each
//! record is fetched, parsed and its directives' lookups started together
//! with its children's, so the walk's wall time is the depth of the tree.
//! The walk builds the tree ([`Node`]) and collects what it saw on the way
//! (void lookups, `ptr`, DNS failures, findings about records and loops).

use super::{MAX_NODES, Node, Resolved, Term, Via, findings};
use crate::{
    dns::{Answer, Dns, DnsFailure, Lookup, Rcode},
    names::display_name,
    report::Finding,
    spf::{
        eval::{LOOKUP_LIMIT, to_name},
        macros::MacroString,
        parse::{self, Directive, Mechanism, Record},
    },
};
use futures_util::future::{BoxFuture, FutureExt, join_all};
use hickory_resolver::proto::rr::{RData, RecordType};
use std::{
    net::IpAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

/// Everything the walk learned besides the tree.
#[derive(Debug, Default)]
pub(super) struct Walk {
    pub findings: Vec<Finding>,
    pub voids: Vec<String>,
    pub uses_ptr: bool,
    pub failure: Option<(String, DnsFailure)>,
}

impl Walk {
    /// Take in what a child's walk learned, after this one's own findings.
    pub fn merge(&mut self, other: &mut Walk) {
        self.findings.append(&mut other.findings);
        self.voids.append(&mut other.voids);
        self.uses_ptr |= other.uses_ptr;
        if self.failure.is_none() {
            self.failure = other.failure.take();
        }
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

    fn nothing() -> BoxFuture<'static, Pending> {
        async { Pending::done(Resolved::Nothing) }.boxed()
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
}

/// What every record of one walk shares: the DNS source and the budget of
/// records fetched.
#[derive(Clone, Copy)]
struct Place<'a> {
    dns: &'a Dns,
    budget: &'a AtomicUsize,
}

/// Fetch and analyse the record of `domain` and, concurrently, everything
/// it references. `stack` holds the domains above it in the tree.
pub(super) fn walk_node<'a>(
    dns: &'a Dns,
    budget: &'a AtomicUsize,
    domain: String,
    via: Via,
    stack: Vec<String>,
) -> BoxFuture<'a, (Option<Node>, Walk)> {
    walk_record(Place { dns, budget }, domain, via, stack).boxed()
}

async fn walk_record(
    at: Place<'_>,
    domain: String,
    via: Via,
    stack: Vec<String>,
) -> (Option<Node>, Walk) {
    let mut walk = Walk::default();
    // A tree this large is far past the lookup limit already (every record
    // past the root was reached by a counted include or redirect); stop
    // fetching rather than follow an unbounded fan-out.
    if at.budget.fetch_add(1, Ordering::Relaxed) == MAX_NODES {
        walk.findings.push(findings::too_many_records(&domain));
    }
    if at.budget.load(Ordering::Relaxed) > MAX_NODES {
        return (None, walk);
    }
    let Some((text, record)) = fetch_record(at.dns, &domain, via, &mut walk).await else {
        return (None, walk);
    };
    let Some(record) = record else {
        // A syntax error: the node is shown, with nothing below it.
        let node = Node::leaf(domain, via, text);
        return (Some(node), walk);
    };
    let node = walk_terms(at, domain, via, stack, text, record, &mut walk).await;
    (Some(node), walk)
}

/// The SPF record of `domain`: its text and, unless it has a syntax error,
/// its parse. `None` when there is no record or the lookup failed; the
/// findings about the record go into `walk`.
async fn fetch_record(
    dns: &Dns,
    domain: &str,
    via: Via,
    walk: &mut Walk,
) -> Option<(String, Option<Arc<Record>>)> {
    let answer = match query_target(dns, domain, RecordType::TXT).await {
        Ok(a) => a,
        Err(e) => {
            walk.failure = Some((format!("the SPF record of {domain}"), e));
            return None;
        }
    };
    let txt = answer.txt();
    let raw = parse::select(&txt);
    let records: Vec<String> = raw
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect();
    if records.is_empty() {
        if via != Via::Root {
            walk.voids.push(format!("{domain} (TXT)"));
        }
        let missing = answer.rcode == Rcode::NxDomain;
        walk.findings
            .push(findings::no_record(domain, via, missing));
        return None;
    }
    let held = findings::Held {
        owner: answer
            .owner(RecordType::TXT)
            .unwrap_or_else(|| domain.to_string()),
        chain: answer.cname_lines(),
    };
    if records.len() > 1 {
        walk.findings
            .push(findings::several_records(domain, &held, &records));
    } else if via == Via::Root {
        walk.findings
            .push(findings::record(domain, &held, &records[0]));
    }
    let text = records[0].clone();
    let parsed = if via == Via::Include {
        parse::parse_shared(raw[0])
    } else {
        parse::parse(raw[0]).map(Arc::new)
    };
    match parsed {
        Ok(record) => Some((text, Some(record))),
        Err(e) => {
            walk.findings
                .push(findings::syntax(domain, &held, &text, &e));
            Some((text, None))
        }
    }
}

/// Resolve every directive of a parsed record (and its redirect)
/// concurrently and build its node.
async fn walk_terms(
    at: Place<'_>,
    domain: String,
    via: Via,
    stack: Vec<String>,
    text: String,
    record: Arc<Record>,
    walk: &mut Walk,
) -> Node {
    let has_all = record
        .directives
        .iter()
        .any(|d| d.mechanism == Mechanism::All);
    let mut own_lookups = 0u32;
    let mut directives = Vec::new();
    let mut futs = Vec::new();
    for directive in record.directives.iter().cloned() {
        if directive.mechanism.queries_dns() {
            own_lookups += 1;
        }
        futs.push(resolve(at, &directive, &domain, &stack, walk));
        directives.push(directive);
    }

    // redirect= is ignored when the record has an `all` (RFC 7208 6.1).
    let mut redirect_fut = None;
    if let Some(m) = &record.redirect {
        if has_all {
            walk.findings.push(findings::redirect_ignored(&domain));
        } else {
            own_lookups += 1;
            if let Some(target) = literal_target(Some(m), &domain) {
                if stack.contains(&target) || target == domain {
                    walk.findings
                        .push(findings::loop_back(&domain, &target, "redirect"));
                } else {
                    let stack = below(&stack, &domain);
                    redirect_fut = Some(walk_node(at.dns, at.budget, target, Via::Redirect, stack));
                }
            }
        }
    }

    // Each level of a chain costs a lookup, so a chain deeper than the
    // limit is already over it; the levels below are not fetched.
    let too_big = stack.len() > LOOKUP_LIMIT as usize;
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
    let mut results = results.into_iter();
    let terms = directives
        .into_iter()
        .map(|directive| {
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
            Term {
                text: directive.text.clone(),
                directive,
                resolved,
            }
        })
        .collect();
    let redirect = redirect.and_then(|(node, mut w)| {
        walk.merge(&mut w);
        node.map(|n| {
            total += n.total_lookups;
            Box::new(n)
        })
    });
    Node {
        domain,
        via,
        record: Some(text),
        terms,
        redirect,
        own_lookups,
        total_lookups: total,
    }
}

/// The lookups of one directive, started but not awaited. Findings that
/// need no lookup (a loop, `ptr`) go into `walk` now, in directive order.
fn resolve<'a>(
    at: Place<'a>,
    directive: &Directive,
    domain: &str,
    stack: &[String],
    walk: &mut Walk,
) -> BoxFuture<'a, Pending> {
    match &directive.mechanism {
        Mechanism::Include(spec) => match literal_target(Some(spec), domain) {
            Some(target) if stack.contains(&target) || target == domain => {
                walk.findings
                    .push(findings::loop_back(domain, &target, "include"));
                Pending::nothing()
            }
            Some(target) => {
                let stack = below(stack, domain);
                async move {
                    let (child, walk) =
                        walk_node(at.dns, at.budget, target, Via::Include, stack).await;
                    let resolved = match child {
                        Some(node) => Resolved::Include(Box::new(node)),
                        None => Resolved::Nothing,
                    };
                    Pending { resolved, walk }
                }
                .boxed()
            }
            None => Pending::nothing(),
        },
        Mechanism::A { domain: spec, .. } => match literal_target(spec.as_ref(), domain) {
            Some(target) => addresses_of(at.dns, target, "a").boxed(),
            None => Pending::nothing(),
        },
        Mechanism::Mx { domain: spec, .. } => match literal_target(spec.as_ref(), domain) {
            Some(target) => mx_addresses(at.dns, target).boxed(),
            None => Pending::nothing(),
        },
        Mechanism::Exists(spec) => match literal_target(Some(spec), domain) {
            Some(target) => exists(at.dns, target).boxed(),
            None => Pending::nothing(),
        },
        Mechanism::Ptr(_) => {
            walk.uses_ptr = true;
            Pending::nothing()
        }
        Mechanism::All | Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } => Pending::nothing(),
    }
}

/// The chain of domains for a child of `domain`.
fn below(stack: &[String], domain: &str) -> Vec<String> {
    let mut stack = stack.to_vec();
    stack.push(domain.to_string());
    stack
}

/// Ask about a target name as check_host() does: any octets but dots are
/// label text; a name that cannot exist (an empty or over-long label) has
/// no records.
async fn query_target(dns: &Dns, target: &str, rtype: RecordType) -> Lookup {
    match to_name(target.trim_end_matches('.')) {
        Some(name) => dns.query(&name, rtype).await,
        None => Ok(Arc::new(Answer::negative(Rcode::NxDomain))),
    }
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

/// `exists`: whether the name has an A record.
async fn exists(dns: &Dns, target: String) -> Pending {
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
        Err(e) => Pending::failed(format!("the A record of {target}"), e),
    }
}

/// `a`: the addresses of the target.
async fn addresses_of(dns: &Dns, target: String, mechanism: &str) -> Pending {
    let (a, aaaa) = tokio::join!(
        query_target(dns, &target, RecordType::A),
        query_target(dns, &target, RecordType::AAAA)
    );
    let mut addrs = Vec::new();
    for (l, t) in [(a, "A"), (aaaa, "AAAA")] {
        match l {
            Ok(ans) => addrs.extend(ans.addresses()),
            Err(e) => return Pending::failed(format!("the {t} record of {target}"), e),
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

/// `mx`: the addresses of the target's MX hosts (at most 10, RFC 7208 4.6.4).
async fn mx_addresses(dns: &Dns, target: String) -> Pending {
    let mx = match query_target(dns, &target, RecordType::MX).await {
        Ok(a) => a,
        Err(e) => return Pending::failed(format!("the MX record of {target}"), e),
    };
    let hosts: Vec<String> = mx
        .data(RecordType::MX)
        .filter_map(|d| match d {
            RData::MX(m) if !m.exchange.is_root() => Some(display_name(&m.exchange)),
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
        w.findings.push(findings::too_many_mx(&target, hosts.len()));
    }
    let lookups = join_all(hosts.iter().take(10).map(|h| async move {
        tokio::join!(
            query_target(dns, h, RecordType::A),
            query_target(dns, h, RecordType::AAAA)
        )
    }))
    .await;
    let mut addrs: Vec<IpAddr> = Vec::new();
    for (i, (a, aaaa)) in lookups.into_iter().enumerate() {
        for l in [a, aaaa] {
            match l {
                Ok(ans) => addrs.extend(ans.addresses()),
                Err(e) => return Pending::failed(format!("the address of {}", hosts[i]), e),
            }
        }
    }
    Pending {
        resolved: Resolved::Addresses(addrs),
        walk: w,
    }
}
