//! `mta-sts.*`: SMTP MTA Strict Transport Security (RFC 8461). The
//! `_mta-sts` TXT record announces a policy (3.1); the policy itself is a
//! small text file fetched over HTTPS from
//! `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` (3.3), and it lists the
//! MX host patterns a sender may deliver to (3.2, 4.1).
//!
//! The two formats are tiny key-value lists; they are parsed here, beside
//! their checks, because the checks need to say exactly which part is wrong
//! (a crate would only say "invalid").
//!
//! The policy is fetched only when the TXT record exists: a domain without
//! MTA-STS costs no connection.

use super::{
    dns_error,
    https::{self, FetchError, Fetched, HttpsOptions},
};
use crate::{
    dns::{Dns, Rcode},
    names::display_name,
    report::{Finding, Status},
};
use hickory_resolver::proto::rr::{RData, RecordType};

/// The largest policy read (RFC 8461 3.3: senders may limit it to 64 KiB).
pub const MAX_POLICY: usize = 64 * 1024;
/// The largest `max_age` (RFC 8461 3.2: about one year).
pub const MAX_AGE_LIMIT: u64 = 31_557_600;
/// Below this `max_age` (one day) a policy that enforces or tests warns:
/// RFC 8461 3.2 recommends weeks, and a policy cached for less than a day
/// protects little against an attacker who blocks its renewal.
pub const SHORT_MAX_AGE: u64 = 86_400;

/// The policy's mode (RFC 8461 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Deliver only to valid MX hosts over verified TLS.
    Enforce,
    /// Report failures (TLS-RPT) but deliver anyway.
    Testing,
    /// No policy: senders forget any cached one.
    None,
}

impl Mode {
    fn word(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Testing => "testing",
            Mode::None => "none",
        }
    }
}

/// A parsed policy (RFC 8461 3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// `mode`.
    pub mode: Mode,
    /// `max_age` in seconds.
    pub max_age: u64,
    /// Every `mx` pattern, in order.
    pub mx: Vec<String>,
}

/// Parse the `_mta-sts` TXT record (RFC 8461 3.1): `v=STSv1` first, then
/// `id=` of 1 to 32 letters and digits; other fields are extensions.
/// Returns the id.
pub fn parse_txt(text: &str) -> Result<String, String> {
    let mut fields = text.split(';').map(|f| f.trim_matches([' ', '\t']));
    if fields.next() != Some("v=STSv1") {
        return Err("the record must start with v=STSv1".into());
    }
    let mut id = None;
    for field in fields {
        if field.is_empty() {
            continue;
        }
        let Some((name, value)) = field.split_once('=') else {
            return Err(format!("{field:?} is not a name=value field"));
        };
        if name == "id" {
            if id.is_some() {
                return Err("id= appears more than once".into());
            }
            if value.is_empty()
                || value.len() > 32
                || !value.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(format!(
                    "id={value} must be 1 to 32 letters and digits (RFC 8461 3.1)"
                ));
            }
            id = Some(value.to_string());
        } else if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        {
            return Err(format!("{name:?} is not a field name"));
        }
    }
    id.ok_or_else(|| "the record has no id= field".into())
}

/// Parse a policy (RFC 8461 3.2): `key: value` lines ending in CRLF or LF.
/// The first of a repeated field counts; unknown fields are ignored.
/// Returns the policy, or every problem found.
pub fn parse_policy(text: &str) -> Result<Policy, Vec<String>> {
    let mut problems = Vec::new();
    let (mut version, mut mode, mut max_age) = (None, None, None);
    let mut mx = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            problems.push(format!("line {}: {line:?} is not key: value", n + 1));
            continue;
        };
        let value = value.trim_matches([' ', '\t']);
        match key {
            "version" if version.is_none() => version = Some(value.to_string()),
            "mode" if mode.is_none() => {
                mode = Some(match value {
                    "enforce" => Some(Mode::Enforce),
                    "testing" => Some(Mode::Testing),
                    "none" => Some(Mode::None),
                    other => {
                        problems.push(format!("mode: {other:?} is not enforce, testing or none"));
                        None
                    }
                })
            }
            "max_age" if max_age.is_none() => {
                max_age = Some(match value.parse::<u64>() {
                    Ok(v) if value.len() <= 10 && v <= MAX_AGE_LIMIT => Some(v),
                    _ => {
                        problems.push(format!(
                            "max_age: {value:?} is not a number of seconds from 0 to {MAX_AGE_LIMIT}"
                        ));
                        None
                    }
                })
            }
            "mx" => {
                if is_mx_pattern(value) {
                    mx.push(value.to_ascii_lowercase());
                } else {
                    problems.push(format!(
                        "mx: {value:?} is not a host name or *.domain pattern"
                    ));
                }
            }
            _ => {}
        }
    }
    match version.as_deref() {
        Some("STSv1") => {}
        Some(v) => problems.push(format!("version: {v:?} is not STSv1")),
        None => problems.push("no version: field (must be version: STSv1)".into()),
    }
    if mode.is_none() {
        problems.push("no mode: field".into());
    }
    if max_age.is_none() {
        problems.push("no max_age: field".into());
    }
    let mode = mode.flatten();
    if matches!(mode, Some(Mode::Enforce | Mode::Testing)) && mx.is_empty() && problems.is_empty() {
        problems
            .push("no mx: field: a policy that enforces or tests must list the MX hosts".into());
    }
    match (mode, max_age.flatten()) {
        (Some(mode), Some(max_age)) if problems.is_empty() => Ok(Policy { mode, max_age, mx }),
        _ => Err(problems),
    }
}

/// A host name, or `*.` and a host name (RFC 8461 3.2, `sts-policy-mx-value`).
fn is_mx_pattern(value: &str) -> bool {
    let name = value.strip_prefix("*.").unwrap_or(value);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// Whether an MX host matches a pattern (RFC 8461 4.1): exactly, or with
/// `*.` standing for one whole leftmost label; case-insensitive.
pub fn covers(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(rest) => host
            .split_once('.')
            .is_some_and(|(label, tail)| !label.is_empty() && tail == rest),
        None => host == pattern,
    }
}

/// The label of the policy host (RFC 8461 3.3).
const POLICY_LABEL: &str = "mta-sts";

/// The policy's URL host for a domain: `mta-sts.DOMAIN`.
pub fn policy_host(domain: &str) -> String {
    format!("{POLICY_LABEL}.{domain}")
}

/// Check MTA-STS for `domain`.
pub async fn check(dns: &Dns, domain: &str, options: &HttpsOptions) -> Vec<Finding> {
    let name = format!("_mta-sts.{domain}");
    let answer = match dns.query_str(&name, RecordType::TXT).await {
        Ok(a) => a,
        Err(e) => return vec![dns_error("mta-sts.record", &format!("{name} TXT"), &e)],
    };
    let records: Vec<String> = answer
        .txt()
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect();
    // RFC 8461 3.1: records that do not begin with v=STSv1; are discarded.
    let sts: Vec<&String> = records
        .iter()
        .filter(|r| r.starts_with("v=STSv1"))
        .collect();
    let mut findings = Vec::new();
    let _id = match sts.as_slice() {
        [] => {
            return vec![Finding::new(
                "mta-sts.record",
                Status::Info,
                format!(
                    "no MTA-STS record at {name}: MTA-STS is not deployed, senders use TLS only opportunistically"
                ),
            )];
        }
        [one] => match parse_txt(one) {
            Ok(id) => {
                findings.push(
                    Finding::new(
                        "mta-sts.record",
                        Status::Pass,
                        format!("{name} announces an MTA-STS policy (id={id})"),
                    )
                    .record(format!("{name}. TXT \"{one}\"")),
                );
                id
            }
            Err(e) => {
                return vec![
                    Finding::new(
                        "mta-sts.record",
                        Status::Fail,
                        format!("{name} is not a valid MTA-STS record: {e}; senders ignore MTA-STS for {domain}"),
                    )
                    .record(format!("{name}. TXT \"{one}\"")),
                ];
            }
        },
        several => {
            let mut f = Finding::new(
                "mta-sts.record",
                Status::Fail,
                format!(
                    "{name} holds {} MTA-STS records: senders treat the domain as having no policy (RFC 8461 3.1)",
                    several.len()
                ),
            )
            .fix(format!("keep exactly one TXT record starting v=STSv1 at {name}"));
            for r in several {
                f = f.record(format!("{name}. TXT \"{r}\""));
            }
            return vec![f];
        }
    };
    let host = policy_host(domain);
    let url = format!("https://{host}/.well-known/mta-sts.txt");
    let (fetched, mx) = tokio::join!(
        https::get(
            dns,
            &host,
            443,
            "/.well-known/mta-sts.txt",
            MAX_POLICY,
            options
        ),
        exchanges(dns, domain)
    );
    let Some(text) = policy_text(&host, &url, fetched, &mut findings) else {
        return findings;
    };
    // The policy's lines are shown with its syntax finding (the first 20).
    let shown = |mut f: Finding| {
        for line in text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .take(20)
        {
            f = f.record(line);
        }
        f
    };
    let policy = match parse_policy(&text) {
        Ok(p) => {
            findings.push(shown(Finding::new(
                "mta-sts.syntax",
                Status::Pass,
                format!(
                    "the policy is valid: mode {}, max_age {}, {} mx pattern{}",
                    p.mode.word(),
                    p.max_age,
                    p.mx.len(),
                    if p.mx.len() == 1 { "" } else { "s" }
                ),
            )));
            p
        }
        Err(problems) => {
            findings.push(shown(Finding::new(
                "mta-sts.syntax",
                Status::Fail,
                format!(
                    "the policy at {url} is invalid, so senders ignore it: {}",
                    problems.join("; ")
                ),
            )));
            return findings;
        }
    };
    findings.push(match policy.mode {
        Mode::Enforce => Finding::new(
            "mta-sts.mode",
            Status::Pass,
            "mode: enforce: senders deliver only to the listed MX hosts over verified TLS",
        ),
        Mode::Testing => Finding::new(
            "mta-sts.mode",
            Status::Warn,
            "mode: testing: senders report TLS failures (TLS-RPT) but still deliver over unverified or plain connections",
        ),
        Mode::None => Finding::new(
            "mta-sts.mode",
            Status::Info,
            "mode: none: the policy is withdrawn; senders forget any cached policy",
        ),
    });
    if policy.mode != Mode::None {
        findings.push(max_age(policy.max_age));
        findings.extend(coverage(domain, &policy, mx));
    }
    findings
}

/// The policy's text, or the finding that says why there is none.
fn policy_text(
    host: &str,
    url: &str,
    fetched: Result<Fetched, FetchError>,
    findings: &mut Vec<Finding>,
) -> Option<String> {
    let fail = |message: String| Finding::new("mta-sts.policy", Status::Fail, message);
    let response = match fetched {
        Ok(r) => r,
        Err(FetchError::Dns(e)) => {
            findings.push(dns_error(
                "mta-sts.policy",
                &format!("the address of the policy host of {url}"),
                &e,
            ));
            return None;
        }
        Err(e) => {
            let fix = match &e {
                FetchError::NoAddress => format!(
                    "publish an A (and/or AAAA) record for {host} pointing at the web server that serves the policy"
                ),
                FetchError::Tls(_) => format!(
                    "install a certificate for {host} from a public CA (the name must be in its subjectAltName) on the policy server"
                ),
                FetchError::TooLarge(_) => "keep the policy file under 64 KiB".to_string(),
                _ => format!("serve the policy over HTTPS on port 443 at {host}"),
            };
            findings.push(
                fail(format!(
                    "the TXT record announces a policy, but {url} could not be fetched: {e}; senders that have no cached policy apply none"
                ))
                .fix(fix),
            );
            return None;
        }
    };
    if (300..400).contains(&response.status) {
        findings.push(
            fail(format!(
                "{url} answered {} with a redirect{}: senders do not follow redirects (RFC 8461 3.3)",
                response.status,
                response
                    .location
                    .as_deref()
                    .map(|l| format!(" to {l}"))
                    .unwrap_or_default()
            ))
            .fix("serve the policy itself at that URL, with status 200"),
        );
        return None;
    }
    if response.status != 200 {
        findings.push(fail(format!(
            "{url} answered HTTP status {} instead of 200 with the policy",
            response.status
        )));
        return None;
    }
    let media = response.content_type.as_deref().map(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    if media.as_deref() != Some("text/plain") {
        findings.push(
            fail(format!(
                "{url} is served as {}, not text/plain (RFC 8461 3.2)",
                response
                    .content_type
                    .as_deref()
                    .map(|c| format!("{c:?}"))
                    .unwrap_or_else(|| "no Content-Type".into())
            ))
            .fix("serve the policy file with Content-Type: text/plain"),
        );
        return None;
    }
    let Ok(text) = String::from_utf8(response.body) else {
        findings.push(fail(format!("{url} is not UTF-8 text")));
        return None;
    };
    findings.push(Finding::new(
        "mta-sts.policy",
        Status::Pass,
        format!(
            "{url} was fetched over HTTPS with a valid certificate ({} bytes, text/plain)",
            text.len()
        ),
    ));
    Some(text)
}

fn max_age(seconds: u64) -> Finding {
    if seconds < SHORT_MAX_AGE {
        Finding::new(
            "mta-sts.max-age",
            Status::Warn,
            format!(
                "max_age {seconds}s is less than a day: senders soon forget the policy, so an attacker who blocks its renewal can downgrade delivery"
            ),
        )
        .fix("set max_age to weeks (e.g. max_age: 1209600) once the policy works (RFC 8461 3.2)")
    } else {
        Finding::new(
            "mta-sts.max-age",
            Status::Pass,
            format!("max_age {seconds}s ({} days)", seconds / 86_400),
        )
    }
}

/// MX hosts of the domain, or the finding that says why they are unknown.
async fn exchanges(dns: &Dns, domain: &str) -> Result<Vec<String>, Finding> {
    let answer = dns
        .query_str(domain, RecordType::MX)
        .await
        .map_err(|e| dns_error("mta-sts.mx", &format!("the MX records of {domain}"), &e))?;
    if answer.rcode == Rcode::NxDomain {
        return Ok(Vec::new());
    }
    let mut hosts: Vec<String> = answer
        .data(RecordType::MX)
        .filter_map(|d| match d {
            RData::MX(mx) => Some(display_name(&mx.exchange)),
            _ => None,
        })
        .filter(|h| h != "." && !h.is_empty())
        .collect();
    hosts.sort();
    hosts.dedup();
    Ok(hosts)
}

/// Whether every MX host matches an `mx` pattern (RFC 8461 4.1).
fn coverage(domain: &str, policy: &Policy, mx: Result<Vec<String>, Finding>) -> Option<Finding> {
    let hosts = match mx {
        Ok(h) => h,
        Err(f) => return Some(f),
    };
    if hosts.is_empty() {
        return Some(Finding::new(
            "mta-sts.mx",
            Status::Info,
            format!("{domain} has no MX host to compare with the policy's mx patterns"),
        ));
    }
    let uncovered: Vec<&String> = hosts
        .iter()
        .filter(|h| !policy.mx.iter().any(|p| covers(p, h)))
        .collect();
    let patterns = policy.mx.join(", ");
    Some(if uncovered.is_empty() {
        Finding::new(
            "mta-sts.mx",
            Status::Pass,
            format!("every MX host matches the policy's mx patterns ({patterns})"),
        )
    } else {
        let list = uncovered
            .iter()
            .map(|h| h.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let one = uncovered.len() == 1;
        let consequence = match (policy.mode == Mode::Enforce, one) {
            (true, true) => "senders that enforce the policy will not deliver to it",
            (true, false) => "senders that enforce the policy will not deliver to them",
            (false, _) => "senders report every delivery there as a policy failure",
        };
        Finding::new(
            "mta-sts.mx",
            Status::Fail,
            format!(
                "MX host{list_intro} not covered by the policy's mx patterns ({patterns}): {consequence}",
                list_intro = if one {
                    format!(" {list} is")
                } else {
                    format!("s {list} are")
                }
            ),
        )
        .fix(format!(
            "add an mx: line for {list} to the policy (and change its id= in the TXT record so senders refetch it)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_records() {
        assert_eq!(parse_txt("v=STSv1; id=20261204T1"), Ok("20261204T1".into()));
        assert_eq!(parse_txt("v=STSv1;id=abc;"), Ok("abc".into()));
        assert_eq!(parse_txt("v=STSv1; id=abc; ext=1"), Ok("abc".into()));
        for bad in [
            "v=STSv1",
            "v=STSv1; id=",
            "v=STSv1; id=2026-12-04",
            "v=STSv1; id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "v=STSv1; id=a; id=b",
            "v=STSv2; id=a",
            "id=a; v=STSv1",
            "v=STSv1; id=a; garbage",
        ] {
            assert!(parse_txt(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn policies() {
        let p = parse_policy(
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
        )
        .unwrap();
        assert_eq!(p.mode, Mode::Enforce);
        assert_eq!(p.max_age, 604800);
        assert_eq!(p.mx, ["mail.example.com", "*.example.net"]);
        // LF endings, no mx in mode none, unknown fields ignored.
        let p = parse_policy("version: STSv1\nmode: none\nmax_age: 0\nfoo: bar\n").unwrap();
        assert_eq!(p.mode, Mode::None);
        for (bad, says) in [
            ("mode: enforce\nmx: a.example\nmax_age: 1\n", "no version"),
            (
                "version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n",
                "STSv2",
            ),
            (
                "version: STSv1\nmode: on\nmx: a.example\nmax_age: 1\n",
                "\"on\"",
            ),
            (
                "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n",
                "max_age",
            ),
            (
                "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n",
                "max_age",
            ),
            ("version: STSv1\nmode: enforce\nmax_age: 86400\n", "no mx"),
            (
                "version: STSv1\nmode: enforce\nmx: bad_host.example\nmax_age: 86400\n",
                "bad_host",
            ),
            (
                "version: STSv1\nmode: enforce\nmx: a.example\n",
                "no max_age",
            ),
            ("version: STSv1\nmode enforce\n", "not key: value"),
        ] {
            let problems = parse_policy(bad).unwrap_err().join("; ");
            assert!(problems.contains(says), "{bad:?}: {problems}");
        }
        assert_eq!(
            parse_policy(&format!(
                "version: STSv1\nmode: testing\nmx: a.example\nmax_age: {MAX_AGE_LIMIT}\n"
            ))
            .unwrap()
            .max_age,
            MAX_AGE_LIMIT
        );
    }

    #[test]
    fn wildcards_match_one_leftmost_label() {
        assert!(covers("mail.example.com", "MAIL.example.com."));
        assert!(covers("*.example.com", "mx1.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("*.example.com", "a.b.example.com"));
        assert!(!covers("mail.example.com", "mail2.example.com"));
        assert!(!covers("*.example.com", "mx1.example.net"));
    }
}
