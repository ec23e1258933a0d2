//! `senders` and `not_senders`: who may send mail for the domain.
//!
//! An address or block is judged by check_host() (RFC 7208 4) for the MAIL
//! FROM `postmaster@DOMAIN` with the domain as HELO, exactly as `mailcheck
//! spf DOMAIN --ip IP` evaluates it. A block of at most
//! [`EVERY_ADDRESS_UP_TO`] addresses has every address tested; a larger one
//! its first and last address (an SPF record authorizes blocks, so a block
//! that passes at both ends almost always passes inside). A sender passes
//! only with `pass`; `softfail`, `neutral`, `none` and `permerror` are not
//! `pass`, and `temperror` makes the expectation inconclusive (status
//! `error`).
//!
//! `include:DOMAIN` is judged on the SPF tree that `mailcheck domain` walks:
//! the domain's record must reach DOMAIN's record through `include:` or
//! `redirect=`, directly or through other includes, with a `+` (pass)
//! qualifier on every include on the way, so DOMAIN's senders get `pass`.

use crate::{
    check::spf::{Node, Resolved, analyse},
    dns::Dns,
    report::{Finding, Status},
    spf::{
        Identity, Outcome, Verdict, check_host,
        parse::{Mechanism, Qualifier},
    },
};
use futures_util::{StreamExt, future::join_all, stream};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::config::Sender;

/// Blocks of at most this many addresses have every address tested.
pub const EVERY_ADDRESS_UP_TO: u128 = 256;

/// check_host() evaluations in flight at once for one block.
const IN_FLIGHT: usize = 16;

/// The `expect.sender` and `expect.not-sender` findings of one domain.
pub(super) async fn check(
    dns: &Dns,
    domain: &str,
    senders: &[Sender],
    not_senders: &[Sender],
) -> Vec<Finding> {
    let wanted = senders.iter().map(|s| (s, true));
    let unwanted = not_senders.iter().map(|s| (s, false));
    let entries: Vec<(&Sender, bool)> = wanted.chain(unwanted).collect();
    // The SPF tree, walked once for all the include: entries (and not at
    // all without one).
    let mut tree = Tree {
        root: None,
        failed: false,
    };
    if entries.iter().any(|(s, _)| matches!(s, Sender::Include(_))) {
        let report = analyse(dns, domain, &format!("postmaster@{domain}"), None, None).await;
        tree.failed = report.findings.iter().any(|f| f.status == Status::Error);
        tree.root = report.tree;
    }
    let tree = &tree;
    join_all(entries.into_iter().map(|(sender, must_pass)| async move {
        match sender {
            Sender::Net(net) => block(dns, domain, net, must_pass).await,
            Sender::Include(target) => include(domain, target, tree, must_pass),
        }
    }))
    .await
}

/// The first and last address of a block, as numbers.
fn bounds(net: &IpNet) -> (u128, u128) {
    match net {
        IpNet::V4(n) => (
            u32::from(n.network()).into(),
            u32::from(n.broadcast()).into(),
        ),
        IpNet::V6(n) => (n.network().into(), n.broadcast().into()),
    }
}

/// Whether a block is too large to test every address.
fn sampled(net: &IpNet) -> bool {
    let (first, last) = bounds(net);
    last - first >= EVERY_ADDRESS_UP_TO
}

/// The addresses tested for a block: all of a small one, else its first
/// and last.
pub(super) fn addresses(net: &IpNet) -> Vec<IpAddr> {
    let (first, last) = bounds(net);
    let ip = |n: u128| match net {
        IpNet::V4(_) => IpAddr::V4(Ipv4Addr::from(n as u32)),
        IpNet::V6(_) => IpAddr::V6(Ipv6Addr::from(n)),
    };
    if !sampled(net) {
        (first..=last).map(ip).collect()
    } else {
        vec![ip(first), ip(last)]
    }
}

/// check_host() for every address tested of `net`.
async fn block(dns: &Dns, domain: &str, net: &IpNet, must_pass: bool) -> Finding {
    // The finding name of an entry of `senders` or of `not_senders`.
    let name = if must_pass {
        "expect.sender"
    } else {
        "expect.not-sender"
    };
    let tested = addresses(net);
    let outcomes: Vec<(IpAddr, Outcome)> = stream::iter(tested.iter().copied())
        .map(|ip| async move {
            let identity = Identity {
                ip,
                local: "postmaster",
                sender_domain: domain,
                helo: domain,
                receiver: "unknown",
            };
            (ip, check_host(dns, &identity, domain).await)
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    let entry = Sender::Net(*net).to_string();
    let whole = match tested.len() {
        1 => String::new(),
        2 if sampled(net) => "the first and last addresses of ".to_string(),
        n => format!("all {n} addresses of "),
    };
    let wrong: Vec<&(IpAddr, Outcome)> = outcomes
        .iter()
        .filter(|(_, o)| (o.verdict == Verdict::Pass) != must_pass)
        .collect();
    let unsure: Vec<&(IpAddr, Outcome)> = outcomes
        .iter()
        .filter(|(_, o)| o.verdict == Verdict::TempError)
        .collect();
    let mechanism = match net {
        IpNet::V4(_) => format!("ip4:{entry}"),
        IpNet::V6(_) => format!("ip6:{entry}"),
    };
    let decisive: Vec<&&(IpAddr, Outcome)> = wrong
        .iter()
        .filter(|(_, o)| o.verdict != Verdict::TempError)
        .collect();
    if !decisive.is_empty() {
        let listed = if tested.len() == 1 {
            let o = &decisive[0].1;
            format!("it gets {} ({})", o.verdict, why(o))
        } else {
            format!(
                "{} of the {} addresses tested do not: {}",
                decisive.len(),
                tested.len(),
                grouped(&decisive)
            )
        };
        return if must_pass {
            Finding::new(
                name,
                Status::Fail,
                format!("{entry} must get SPF pass for {domain}, but {listed}"),
            )
            .fix(format!(
                "authorize it in the SPF record of {domain} (e.g. {mechanism}), or correct senders in mailcheck.toml"
            ))
        } else {
            let by = why(&decisive[0].1);
            Finding::new(
                name,
                Status::Fail,
                format!("{entry} must not get SPF pass for {domain}, but {listed}"),
            )
            .fix(format!(
                "remove what authorizes it ({by}), or correct not_senders in mailcheck.toml"
            ))
        };
    }
    if let Some((ip, o)) = unsure.first() {
        return Finding::new(
            name,
            Status::Error,
            format!(
                "could not evaluate SPF for {entry} at {domain}: {ip} gets temperror ({})",
                why(o)
            ),
        )
        .fix("retry; if it persists, check the nameservers of the names the SPF record uses");
    }
    let (_, first) = &outcomes[0];
    if must_pass {
        Finding::new(
            name,
            Status::Pass,
            format!(
                "{whole}{entry} may send for {domain}: SPF pass ({})",
                why(first)
            ),
        )
    } else if tested.len() == 1 {
        Finding::new(
            name,
            Status::Pass,
            format!(
                "{entry} is not authorized for {domain}: SPF {} ({})",
                first.verdict,
                why(first)
            ),
        )
    } else {
        Finding::new(
            name,
            Status::Pass,
            format!(
                "{whole}{entry} are not authorized for {domain}: none gets SPF pass ({} for {})",
                first.verdict, outcomes[0].0
            ),
        )
    }
}

/// Addresses with the same result and reason together, at most three
/// named per group: `192.0.2.0, 192.0.2.1, 192.0.2.2 and 189 more get fail
/// (-all in the record of example.com)`.
fn grouped(outcomes: &[&&(IpAddr, Outcome)]) -> String {
    let mut groups: Vec<(Verdict, String, Vec<IpAddr>)> = Vec::new();
    for (ip, o) in outcomes.iter().map(|x| **x) {
        let reason = why(o);
        match groups
            .iter_mut()
            .find(|(v, r, _)| *v == o.verdict && *r == reason)
        {
            Some((_, _, ips)) => ips.push(*ip),
            None => groups.push((o.verdict, reason, vec![*ip])),
        }
    }
    groups
        .iter()
        .map(|(verdict, reason, ips)| {
            let named: Vec<String> = ips.iter().take(3).map(IpAddr::to_string).collect();
            let more = match ips.len() {
                n if n > 3 => format!(" and {} more", n - 3),
                _ => String::new(),
            };
            let verb = if ips.len() == 1 { "gets" } else { "get" };
            format!("{}{more} {verb} {verdict} ({reason})", named.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What decided a check_host() result, in words.
fn why(o: &Outcome) -> String {
    if let Some(m) = &o.matched {
        return if m.text.contains(" -> ") {
            m.text.clone()
        } else {
            format!("{} in the record of {}", m.text, m.domain)
        };
    }
    match (&o.reason, o.verdict) {
        (Some(reason), _) => reason.clone(),
        (None, Verdict::Neutral) => "no mechanism matched".into(),
        (None, v) => v.to_string(),
    }
}

/// The domain's SPF tree, for the include entries.
struct Tree {
    /// The tree, when the domain has a record that could be read.
    root: Option<Node>,
    /// Whether a lookup failed (the tree is then unknown).
    failed: bool,
}

/// How the tree reaches an include target.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Route {
    /// The domains from the root to the target.
    pub chain: Vec<String>,
    /// Whether every include on the way has the `+` qualifier.
    pub authorizes: bool,
    /// Whether the target publishes an SPF record.
    pub published: bool,
    /// The term that reaches the target: `include` or `redirect`.
    pub via: &'static str,
}

/// Find `target` in the tree below `node`, depth first in record order.
pub(super) fn route(node: &Node, target: &str) -> Option<Route> {
    let mut chain = Vec::new();
    find(node, target, &mut chain, true)
}

fn find(node: &Node, target: &str, chain: &mut Vec<String>, authorizes: bool) -> Option<Route> {
    chain.push(node.domain.clone());
    for term in &node.terms {
        if !matches!(term.directive.mechanism, Mechanism::Include(_)) {
            continue;
        }
        let pass = authorizes && term.directive.qualifier == Qualifier::Pass;
        match &term.resolved {
            Resolved::Include(child) => {
                if same(&child.domain, target) {
                    chain.push(child.domain.clone());
                    return Some(Route {
                        chain: chain.clone(),
                        authorizes: pass,
                        published: child.record.is_some(),
                        via: "include",
                    });
                }
                if let Some(r) = find(child, target, chain, pass) {
                    return Some(r);
                }
            }
            _ if include_target(&term.text).is_some_and(|t| same(&t, target)) => {
                chain.push(target.to_string());
                return Some(Route {
                    chain: chain.clone(),
                    authorizes: pass,
                    published: false,
                    via: "include",
                });
            }
            _ => {}
        }
    }
    if let Some(next) = &node.redirect {
        if same(&next.domain, target) {
            chain.push(next.domain.clone());
            return Some(Route {
                chain: chain.clone(),
                authorizes,
                published: next.record.is_some(),
                via: "redirect",
            });
        }
        if let Some(r) = find(next, target, chain, authorizes) {
            return Some(r);
        }
    }
    chain.pop();
    None
}

/// The literal domain of an `include:` term as written (`~include:x.`).
fn include_target(text: &str) -> Option<String> {
    let t = text.trim_start_matches(['+', '-', '~', '?']);
    let (name, domain) = t.split_once(':')?;
    name.eq_ignore_ascii_case("include")
        .then(|| domain.trim_end_matches('.').to_ascii_lowercase())
}

fn same(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// The finding for an `include:DOMAIN` entry.
fn include(domain: &str, target: &str, tree: &Tree, must_pass: bool) -> Finding {
    // The finding name of an entry of `senders` or of `not_senders`.
    let name = if must_pass {
        "expect.sender"
    } else {
        "expect.not-sender"
    };
    let entry = format!("include:{target}");
    let Some(root) = &tree.root else {
        if tree.failed {
            return Finding::new(
                name,
                Status::Error,
                format!("could not read the SPF record of {domain} to look for {entry}"),
            )
            .fix("retry; if it persists, check the nameservers that serve the SPF records");
        }
        return if must_pass {
            Finding::new(
                name,
                Status::Fail,
                format!("{domain} publishes no SPF record, so it does not include {target}"),
            )
            .fix(format!(
                "publish an SPF record at {domain} with {entry}, e.g. \"v=spf1 {entry} -all\""
            ))
        } else {
            Finding::new(
                name,
                Status::Pass,
                format!("{domain} publishes no SPF record; it does not include {target}"),
            )
        };
    };
    let found = route(root, target);
    match (found, must_pass) {
        (None, true) => Finding::new(
            name,
            Status::Fail,
            format!("the SPF record of {domain} does not include {target}, directly or through its includes"),
        )
        .fix(format!("add {entry} to the SPF record of {domain}, or correct senders in mailcheck.toml")),
        (None, false) => Finding::new(
            name,
            Status::Pass,
            format!("the SPF record of {domain} does not include {target}"),
        ),
        (Some(r), true) if !r.published => Finding::new(
            name,
            Status::Fail,
            format!(
                "the SPF record of {domain} includes {target} ({}), but {target} publishes no SPF record: receivers get permerror",
                r.chain.join(" \u{2192} ")
            ),
        )
        .fix(format!("check the name {target}: the provider's documentation gives the include to use")),
        (Some(r), true) if !r.authorizes => Finding::new(
            name,
            Status::Fail,
            format!(
                "the SPF record of {domain} reaches {target} ({}) only through an include whose qualifier is not +: its senders do not get pass",
                r.chain.join(" \u{2192} ")
            ),
        )
        .fix(format!("write include:{target} without a -, ~ or ? qualifier")),
        (Some(r), true) => Finding::new(
            name,
            Status::Pass,
            format!("the SPF record of {domain} includes {target} ({})", r.chain.join(" \u{2192} ")),
        ),
        (Some(r), false) => {
            let holder = r.chain[r.chain.len() - 2].clone();
            let (verb, term) = match r.via {
                "redirect" => ("redirects to", format!("redirect={target}")),
                _ => ("includes", entry.clone()),
            };
            Finding::new(
                name,
                Status::Fail,
                format!(
                    "the SPF record of {domain} {verb} {target} ({}), which mailcheck.toml lists in not_senders",
                    r.chain.join(" \u{2192} ")
                ),
            )
            .fix(format!("remove {term} from the SPF record of {holder}, or correct not_senders in mailcheck.toml"))
        }
    }
}
