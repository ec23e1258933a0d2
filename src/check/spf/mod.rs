//! SPF (RFC 7208): the record, a walk over its include/redirect tree counting
//! DNS-querying terms (limit 10, 4.6.4) and void lookups (limit 2), loops,
//! missing includes, the `all` policy; and with `--ip`, check_host() with the
//! mechanism that matched.
//!
//! Records are parsed by [`crate::spf::parse`] (the program's one SPF
//! parser) and `--ip` is evaluated by [`crate::spf::check_host`]; the walk
//! here reports on the whole tree, which check_host() alone would not (it
//! stops at the first match), with every answer shared through the DNS layer.
//!
//! Discovery is `walk.rs` (fetch the tree), analysis is [`analyse`] here (what
//! the tree and check_host() add up to), and the words of every finding are
//! in `findings.rs`.

mod findings;
mod walk;

use super::dns_error;
use crate::spf::{self as spf_eval, Identity, Matched, Outcome, Verdict, parse::Directive};
use crate::{
    dns::Dns,
    report::{Finding, Status},
};
use std::{net::IpAddr, sync::atomic::AtomicUsize};
use walk::{Walk, walk_node};

pub use crate::spf::eval::{LOOKUP_LIMIT, VOID_LIMIT};
/// Safety bound on the size of the tree walked (records fetched).
const MAX_NODES: usize = 64;

/// How a record was reached; serialises as `root`, `include` or `redirect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
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

    // The analysis: the walk's findings, then the whole tree's.
    findings.append(&mut walk.findings);
    if !spf_eval::is_valid_domain(domain) {
        findings.push(findings::not_evaluated(domain));
    }
    findings.push(findings::lookups(&root));
    findings.push(findings::void_lookups(&walk.voids));
    findings.push(findings::all_finding(&root));
    if walk.uses_ptr {
        findings.push(findings::uses_ptr());
    }
    if let (Some(ip), Some(outcome)) = (ip, &outcome) {
        findings.push(findings::ip_finding(domain, ip, outcome));
    }

    SpfReport {
        findings,
        record: root.record.clone(),
        lookups: root.total_lookups,
        void_lookups: walk.voids.len() as u32,
        tree: Some(root),
        result: outcome.as_ref().map(|o| o.verdict),
        outcome,
    }
}

impl Node {
    /// A record shown without anything below it (it has a syntax error).
    fn leaf(domain: String, via: Via, record: String) -> Node {
        Node {
            domain,
            via,
            record: Some(record),
            terms: Vec::new(),
            redirect: None,
            own_lookups: 0,
            total_lookups: 0,
        }
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
