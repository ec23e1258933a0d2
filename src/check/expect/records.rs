//! `dmarc_policy`, `selectors`, `min_key_bits` and `mx`: what the domain's
//! records must say.

use crate::{
    check::{
        dkim::{KeyInfo, key_info, parse_key_record},
        dmarc::discover,
    },
    dns::{Dns, Rcode},
    keys::KeyAlgorithm,
    names::{self, display_name},
    report::{Finding, Status},
    words::Policy,
};
use futures_util::future::join_all;
use hickory_resolver::proto::rr::{RData, RecordType};
use mail_auth::{dkim::DomainKey, dns::TxtRecordParser};

/// How strong a policy is: none < quarantine < reject.
fn rank(p: Policy) -> u8 {
    match p {
        Policy::None => 0,
        Policy::Quarantine => 1,
        Policy::Reject => 2,
    }
}

/// The next lower policy: what a receiver applies under `t=y` (RFC 9989 4.7).
fn lower(p: Policy) -> Policy {
    match p {
        Policy::Reject => Policy::Quarantine,
        _ => Policy::None,
    }
}

/// `expect.dmarc-policy`: the policy that applies to the domain (`p=` of
/// its own record; `sp=`, else `p=`, of the record found by the tree walk,
/// RFC 9989 4.10), lowered one step by `t=y`, must be at least `least`.
pub(super) async fn dmarc_policy(dns: &Dns, domain: &str, least: Policy) -> Finding {
    const NAME: &str = "expect.dmarc-policy";
    let d = match discover(dns, domain).await {
        Ok(d) => d,
        Err((name, e)) => {
            return Finding::new(
                NAME,
                Status::Error,
                format!("could not look up the DMARC record at {name}: {e}"),
            )
            .fix("retry; if it persists, check the nameservers that serve this name");
        }
    };
    let fix = format!(
        "publish p={least} in _dmarc.{domain} once reports show your mail passes, or lower dmarc_policy in mailcheck.toml"
    );
    let Some(rec) = d.applies.map(|i| &d.walk[i]) else {
        return Finding::new(
            NAME,
            Status::Fail,
            format!("no DMARC record applies to {domain}; mailcheck.toml expects at least {least}"),
        )
        .fix(fix);
    };
    let word = |tag: &str| {
        rec.tag(tag)
            .and_then(|v| Policy::from_word(&v.to_ascii_lowercase()))
    };
    let own = rec.domain == domain;
    let (published, tag) = match (own, word("sp")) {
        (false, Some(sp)) => (Some(sp), "sp"),
        _ => (word("p"), "p"),
    };
    // A record without a valid p= counts as p=none when it asks for reports
    // (RFC 9989 4.7); without rua= receivers ignore it.
    let published = match published {
        Some(p) => p,
        None if rec.tag("rua").is_some() => Policy::None,
        None => {
            return Finding::new(
                NAME,
                Status::Fail,
                format!(
                    "the DMARC record of {} has no valid p= and no rua=: receivers ignore it; mailcheck.toml expects at least {least}",
                    rec.domain
                ),
            )
            .fix(fix);
        }
    };
    let testing = rec.tag("t").is_some_and(|t| t.eq_ignore_ascii_case("y"));
    let applied = if testing { lower(published) } else { published };
    let from = if own {
        format!("{tag}={published}")
    } else {
        format!("{tag}={published} of _dmarc.{}", rec.domain)
    };
    let how = if testing && applied != published {
        format!("{applied} ({from}, applied as {applied} because of t=y)")
    } else {
        format!("{applied} ({from})")
    };
    if rank(applied) >= rank(least) {
        Finding::new(
            NAME,
            Status::Pass,
            format!("DMARC policy for {domain} is {how}; at least {least} expected"),
        )
    } else {
        let fix = if testing && rank(published) >= rank(least) {
            format!("remove t=y from _dmarc.{}", rec.domain)
        } else {
            fix
        };
        Finding::new(
            NAME,
            Status::Fail,
            format!("DMARC policy for {domain} is {how}; mailcheck.toml expects at least {least}"),
        )
        .fix(fix)
    }
}

/// `expect.selector` for each selector and, with `min_key_bits`,
/// `expect.key-bits` for each key that could be decoded.
pub(super) async fn selectors(
    dns: &Dns,
    domain: &str,
    selectors: &[String],
    min_bits: Option<u32>,
) -> Vec<Finding> {
    let each = join_all(selectors.iter().map(|s| selector(dns, domain, s, min_bits))).await;
    each.into_iter().flatten().collect()
}

/// The key at one selector: it must exist, parse as a verifier parses it,
/// and not be revoked (RFC 6376 3.6.1); with `min_bits`, an RSA key must
/// have at least that many bits (Ed25519 keys, RFC 8463, always pass).
async fn selector(dns: &Dns, domain: &str, sel: &str, min_bits: Option<u32>) -> Vec<Finding> {
    const NAME: &str = "expect.selector";
    let at = names::dkim_key_name(sel, domain);
    let answer = match dns.query_str(&at, RecordType::TXT).await {
        Ok(a) => a,
        Err(e) => {
            return vec![
                Finding::new(
                    NAME,
                    Status::Error,
                    format!("could not look up the DKIM key at {at}: {e}"),
                )
                .fix("retry; if it persists, check the nameservers that serve this name"),
            ];
        }
    };
    let texts: Vec<String> = answer
        .txt()
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect();
    let Some(text) = texts
        .iter()
        .find(|t| t.contains("p=") || t.trim_start().starts_with("v=DKIM1"))
    else {
        return vec![
            Finding::new(
                NAME,
                Status::Fail,
                format!("selector {sel} has no DKIM key at {at}; mailcheck.toml expects one"),
            )
            .fix(format!(
                "publish the public key at {at} (mailcheck dkim keygen prints the record), or remove {sel} from selectors"
            )),
        ];
    };
    let rec = parse_key_record(text);
    let broken = |why: String| {
        vec![
            Finding::new(
                NAME,
                Status::Fail,
                format!("selector {sel} of {domain} has no usable key: {why}"),
            )
            .fix(format!(
                "publish a valid key at {at} (mailcheck dkim keygen prints the record)"
            )),
        ]
    };
    let info = key_info(&rec);
    if info == KeyInfo::Revoked {
        return broken("the key is revoked (empty p=)".into());
    }
    if let Err(e) = DomainKey::parse(text.as_bytes()) {
        return broken(format!("the record does not parse ({e})"));
    }
    let (kind, bits) = match info {
        KeyInfo::Rsa(bits) => (format!("RSA, {bits} bits"), Some(bits)),
        KeyInfo::Ed25519 => ("Ed25519".to_string(), None),
        KeyInfo::Invalid(why) => return broken(why),
        KeyInfo::Revoked => unreachable!("handled above"),
    };
    let mut findings = vec![Finding::new(
        NAME,
        Status::Pass,
        format!("selector {sel} of {domain} has a usable key ({kind})"),
    )];
    if let Some(min) = min_bits {
        findings.push(match bits {
            Some(b) if b < min as usize => Finding::new(
                "expect.key-bits",
                Status::Fail,
                format!("selector {sel}: RSA key of {b} bits, below min_key_bits = {min}"),
            )
            .fix(stronger_key(min)),
            Some(b) => Finding::new(
                "expect.key-bits",
                Status::Pass,
                format!("selector {sel}: RSA key of {b} bits, at least {min}"),
            ),
            None => Finding::new(
                "expect.key-bits",
                Status::Pass,
                format!("selector {sel}: Ed25519 key; min_key_bits = {min} applies to RSA keys"),
            ),
        });
    }
    findings
}

/// How to get a key of at least `min` bits: the smallest RSA key `mailcheck
/// dkim keygen` makes that is large enough, else Ed25519.
fn stronger_key(min: u32) -> String {
    let algorithm = KeyAlgorithm::ALL
        .into_iter()
        .filter_map(|a| a.bits().map(|b| (a, b)))
        .filter(|(_, b)| *b >= min as usize)
        .min_by_key(|(_, b)| *b)
        .map_or(KeyAlgorithm::Ed25519, |(a, _)| a);
    format!(
        "generate a new key (mailcheck dkim keygen --algorithm {}) and publish it under a new selector",
        algorithm.as_str()
    )
}

/// `expect.mx`: the MX hosts (a null MX aside) must be exactly `expected`,
/// in any order.
pub(super) async fn mx(dns: &Dns, domain: &str, expected: &[String]) -> Finding {
    const NAME: &str = "expect.mx";
    let answer = match dns.query_str(domain, RecordType::MX).await {
        Ok(a) => a,
        Err(e) => {
            return Finding::new(
                NAME,
                Status::Error,
                format!("could not look up the MX records of {domain}: {e}"),
            )
            .fix("retry; if it persists, check the nameservers that serve this name");
        }
    };
    let mut actual: Vec<String> = if answer.rcode == Rcode::NxDomain {
        Vec::new()
    } else {
        answer
            .data(RecordType::MX)
            .filter_map(|d| match d {
                RData::MX(mx) => Some(display_name(&mx.exchange)),
                _ => None,
            })
            .filter(|h| h != ".")
            .collect()
    };
    actual.sort();
    actual.dedup();
    let missing: Vec<&String> = expected.iter().filter(|h| !actual.contains(h)).collect();
    let extra: Vec<&String> = actual.iter().filter(|h| !expected.contains(h)).collect();
    let list = |hosts: &[&String]| {
        hosts
            .iter()
            .map(|h| h.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if missing.is_empty() && extra.is_empty() {
        let hosts: Vec<&String> = actual.iter().collect();
        return Finding::new(
            NAME,
            Status::Pass,
            if hosts.is_empty() {
                format!("{domain} has no MX hosts, as expected")
            } else {
                format!("the MX hosts of {domain} are as expected: {}", list(&hosts))
            },
        );
    }
    let mut differences = Vec::new();
    if !missing.is_empty() {
        differences.push(format!("missing {}", list(&missing)));
    }
    if !extra.is_empty() {
        differences.push(format!("not in mailcheck.toml: {}", list(&extra)));
    }
    Finding::new(
        NAME,
        Status::Fail,
        format!(
            "the MX hosts of {domain} are not the expected ones: {}",
            differences.join("; ")
        ),
    )
    .fix("publish MX records for exactly the hosts in mailcheck.toml, or correct mx there if the change is intended")
}
