//! Findings: the words mailcheck says about an SPF tree, each built from
//! what the walk found (`walk.rs`) or check_host() returned.

use super::{Node, Resolved, Via};
use crate::{
    report::{Finding, Status},
    spf::{
        Outcome, Verdict,
        eval::{LOOKUP_LIMIT, VOID_LIMIT},
        parse::{Mechanism, Qualifier, SyntaxError},
    },
};
use std::{fmt::Write as _, net::IpAddr};

/// The walk stopped: more than `MAX_NODES` records.
pub(super) fn too_many_records(domain: &str) -> Finding {
    Finding::new(
        "spf.lookups",
        Status::Fail,
        format!(
            "the SPF tree has more than {} records; mailcheck stopped walking it at {domain}",
            super::MAX_NODES
        ),
    )
}

/// `domain` publishes a record but is no check_host() identity (a single
/// label such as `corp`): receivers give `none` without reading it (RFC 7208
/// 4.3), so the record protects nothing.
pub(super) fn not_evaluated(domain: &str) -> Finding {
    Finding::new(
        "spf.record",
        Status::Warn,
        format!(
            "receivers evaluate no SPF for {domain}: {}, so check_host() gives none",
            crate::spf::not_an_identity(domain)
        ),
    )
    .fix("use a domain of two or more labels in MAIL FROM and HELO for mail that SPF should cover")
}

/// `domain`, reached `via`, has no SPF record (`missing`: the name does not exist).
pub(super) fn no_record(domain: &str, via: Via, missing: bool) -> Finding {
    let (name, msg, fix) = match via {
        Via::Root => (
            "spf.record",
            format!(
                "{domain} publishes no SPF record: receivers cannot tell which servers may send its mail"
            ),
            format!(
                "publish a TXT record at {domain}, e.g. \"v=spf1 mx -all\" listing every server that sends its mail"
            ),
        ),
        Via::Include | Via::Redirect => (
            if via == Via::Include {
                "spf.include"
            } else {
                "spf.redirect"
            },
            format!(
                "{} target {domain} has no SPF record{}: receivers return permerror",
                if via == Via::Include {
                    "include:"
                } else {
                    "redirect="
                },
                if missing {
                    " (the name does not exist)"
                } else {
                    ""
                }
            ),
            format!("fix or remove the reference to {domain}"),
        ),
    };
    Finding::new(name, Status::Fail, msg).fix(fix)
}

/// Where a domain's TXT records are held: the name at the end of its CNAME
/// chain, and the chain as zone-file lines (empty without one).
pub(super) struct Held {
    /// The name that holds the records.
    pub owner: String,
    /// `alias. CNAME target.` lines, in the order followed.
    pub chain: Vec<String>,
}

impl Held {
    /// The chain, then each record under its owner.
    fn lines<'a>(&self, records: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut lines = self.chain.clone();
        lines.extend(
            records
                .into_iter()
                .map(|r| format!("{}. TXT \"{r}\"", self.owner)),
        );
        lines
    }
}

/// More than one SPF record at `domain` (RFC 7208 4.5).
pub(super) fn several_records(domain: &str, held: &Held, records: &[String]) -> Finding {
    let mut f = Finding::new(
        "spf.record",
        Status::Fail,
        format!("{domain} publishes {} SPF records; receivers return permerror when there is more than one (RFC 7208 4.5)", records.len()),
    )
    .fix("merge them into a single v=spf1 record");
    f.records = held.lines(records.iter().map(String::as_str));
    f
}

/// The domain's own record.
pub(super) fn record(domain: &str, held: &Held, text: &str) -> Finding {
    let mut f = Finding::new(
        "spf.record",
        Status::Pass,
        format!("{domain} publishes an SPF record"),
    );
    f.records = held.lines([text]);
    f
}

/// A record with a syntax error (RFC 7208 4.6).
pub(super) fn syntax(domain: &str, held: &Held, text: &str, e: &SyntaxError) -> Finding {
    let mut f = Finding::new(
        "spf.syntax",
        Status::Fail,
        format!(
            "the SPF record of {domain} has a syntax error: {e}; receivers return permerror (RFC 7208 4.6)"
        ),
    );
    f.records = held.lines([text]);
    f
}

/// Both `all` and `redirect=` (RFC 7208 6.1).
pub(super) fn redirect_ignored(domain: &str) -> Finding {
    Finding::new(
        "spf.redirect",
        Status::Warn,
        format!("the SPF record of {domain} has both an all mechanism and redirect=; the redirect is ignored (RFC 7208 6.1)"),
    )
    .fix("remove one of them")
}

/// An `mx` whose target has more than 10 MX hosts (RFC 7208 4.6.4).
pub(super) fn too_many_mx(target: &str, hosts: usize) -> Finding {
    Finding::new(
        "spf.mx",
        Status::Fail,
        format!(
            "mx:{target} names {hosts} MX hosts; SPF allows at most 10 address lookups per mx mechanism, so receivers return permerror (RFC 7208 4.6.4)"
        ),
    )
}

/// The lookup count of the whole tree, with the per-branch breakdown.
pub(super) fn lookups(root: &Node) -> Finding {
    let lookups = root.total_lookups;
    let mut breakdown = Vec::new();
    tree_lines(root, 0, &mut breakdown);
    let mut lf = if lookups > LOOKUP_LIMIT {
        Finding::new(
            "spf.lookups",
            Status::Fail,
            format!(
                "{lookups} DNS-querying terms (include, a, mx, ptr, exists, redirect) across the SPF tree; the limit is {LOOKUP_LIMIT}, so receivers return permerror (RFC 7208 4.6.4)"
            ),
        )
    } else {
        Finding::new(
            "spf.lookups",
            Status::Pass,
            format!("{lookups} of {LOOKUP_LIMIT} DNS-querying terms used across the SPF tree"),
        )
    };
    lf.records = breakdown;
    lf
}

/// The void lookups of the tree (RFC 7208 4.6.4: at most 2).
pub(super) fn void_lookups(voids: &[String]) -> Finding {
    let n = voids.len() as u32;
    if n > VOID_LIMIT {
        let mut f = Finding::new(
            "spf.void-lookups",
            Status::Fail,
            format!(
                "{n} void lookups (names with no records) in the SPF tree; the limit is {VOID_LIMIT}, so receivers return permerror (RFC 7208 4.6.4)"
            ),
        );
        f.records = voids.to_vec();
        f
    } else if n > 0 {
        let mut f = Finding::new(
            "spf.void-lookups",
            Status::Warn,
            format!(
                "{n} void lookup{} (names with no records) in the SPF tree; more than {VOID_LIMIT} is a permerror",
                if n == 1 { "" } else { "s" }
            ),
        );
        f.records = voids.to_vec();
        f
    } else {
        Finding::new(
            "spf.void-lookups",
            Status::Pass,
            format!("no void lookups (limit {VOID_LIMIT})"),
        )
    }
}

/// The tree uses `ptr` (RFC 7208 5.5).
pub(super) fn uses_ptr() -> Finding {
    Finding::new(
        "spf.ptr",
        Status::Warn,
        "the SPF tree uses the ptr mechanism, which RFC 7208 5.5 says not to use: it is slow, unreliable, and some receivers skip it",
    )
}

/// A record that leads back to itself through `how` (include or redirect).
pub(super) fn loop_back(domain: &str, target: &str, how: &str) -> Finding {
    Finding::new(
        "spf.loop",
        Status::Fail,
        format!("the SPF record of {domain} references {target} by {how}, which leads back to itself: receivers return permerror"),
    )
    .fix(format!("remove the {how} of {target} from {domain}"))
}

/// The finding about how the root record ends (`-all`, `~all`, `?all`, `+all`).
pub(super) fn all_finding(root: &Node) -> Finding {
    let domain = &root.domain;
    let all = root
        .terms
        .iter()
        .find(|t| t.directive.mechanism == Mechanism::All);
    match all.map(|t| t.directive.qualifier) {
        Some(Qualifier::Pass) => Finding::new(
            "spf.all",
            Status::Fail,
            format!(
                "the SPF record of {domain} ends in +all: every server on the Internet may send as {domain}"
            ),
        ),
        Some(Qualifier::Neutral) => Finding::new(
            "spf.all",
            Status::Warn,
            format!(
                "the SPF record of {domain} ends in ?all: mail from unlisted servers is neutral, so SPF protects nothing"
            ),
        ),
        Some(Qualifier::SoftFail) => Finding::new(
            "spf.all",
            Status::Pass,
            format!(
                "the SPF record of {domain} ends in ~all: mail from unlisted servers soft-fails (DMARC decides what happens to it)"
            ),
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
            format!(
                "the SPF record of {domain} has no all mechanism and no redirect=: unlisted servers get neutral, which protects nothing"
            ),
        ),
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

/// The `spf.ip` finding: what check_host() said about `ip`.
pub(super) fn ip_finding(domain: &str, ip: IpAddr, outcome: &Outcome) -> Finding {
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
            let finding = Finding::new(
                "spf.ip",
                Status::Fail,
                format!(
                    "{ip} is not authorized to send for {domain}: SPF {other}{how}{why}{explanation}"
                ),
            );
            if crate::spf::is_valid_domain(domain) {
                finding.fix(format!("add ip{}:{ip} (or an include: of the provider that owns it) to the SPF record of {domain}", if ip.is_ipv4() { "4" } else { "6" }))
            } else {
                // No record helps; spf.record says what does.
                finding.without_fix()
            }
        }
    }
}
