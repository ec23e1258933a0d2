//! `mailcheck.toml`: what each domain's mail DNS is expected to be.
//!
//! ```toml
//! [[domain]]
//! name = "example.com"
//! selectors = ["s1", "s2"]                   # keys that must exist and be usable
//! senders = ["203.0.113.0/28", "include:_spf.provider.example"]
//! not_senders = ["198.51.100.7"]             # must not get SPF pass
//! dmarc_policy = "reject"                    # at least this: none < quarantine < reject
//! min_key_bits = 2048                        # RSA keys of `selectors`
//! mx = ["mx1.example.com", "mx2.example.com"] # exactly these MX hosts
//!
//! [[domain.allow]]
//! finding = "ptr.mx"
//! match = "mx2.example.com"                  # optional: words of the finding's message
//! reason = "our provider controls reverse DNS"
//! ```
//!
//! Read with `serde` and `toml`: the TOML grammar is the `toml` crate's,
//! whose errors carry the byte span that becomes `FILE:LINE`. Every value is
//! checked while it is read (a domain, a selector, a CIDR block, a policy
//! word), so its error points at its own line; unknown keys are errors.

use crate::{names, report::Area, words::Policy};
use ipnet::IpNet;
use serde::Deserialize;
use std::{fmt, net::IpAddr, path::Path};
use toml::Spanned;

/// Everything a `mailcheck.toml` asks for, in file order.
#[derive(Debug, Clone)]
pub struct Expectations {
    /// One entry per `[[domain]]` table.
    pub domains: Vec<DomainExpect>,
}

/// The expectations of one `[[domain]]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainExpect {
    /// The domain (A-label form, lower case).
    pub name: String,
    /// DKIM selectors whose keys must exist and be usable; they are also
    /// the selectors the DKIM checks look at.
    pub selectors: Vec<String>,
    /// Addresses, blocks and includes that must get SPF `pass`.
    pub senders: Vec<Sender>,
    /// Addresses, blocks and includes that must not.
    pub not_senders: Vec<Sender>,
    /// The least DMARC policy that may apply.
    pub dmarc_policy: Option<Policy>,
    /// The least size of the RSA keys of `selectors`.
    pub min_key_bits: Option<u32>,
    /// The exact set of MX hosts, when given.
    pub mx: Option<Vec<String>>,
    /// Findings accepted as they are.
    pub allow: Vec<Allow>,
    /// Where in the file each expectation is written.
    pub lines: KeyLines,
}

/// The 1-based lines of a `[[domain]]` table's keys in `file`, so that a
/// report (SARIF) can point at the expectation behind an `expect.*` finding.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyLines {
    /// The file, as given.
    pub file: String,
    /// `name =`.
    pub name: usize,
    /// Each item of `senders`, in order.
    pub senders: Vec<usize>,
    /// Each item of `not_senders`, in order.
    pub not_senders: Vec<usize>,
    /// `dmarc_policy =`.
    pub dmarc_policy: Option<usize>,
    /// Each item of `selectors`, in order.
    pub selectors: Vec<usize>,
    /// `min_key_bits =`.
    pub min_key_bits: Option<usize>,
    /// The first item of `mx` (the name's line for `mx = []`).
    pub mx: Option<usize>,
}

/// One entry of `senders` or `not_senders`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// An address (a /32 or /128) or a CIDR block.
    Net(IpNet),
    /// `include:DOMAIN`: the SPF tree reaches DOMAIN's record.
    Include(String),
}

impl fmt::Display for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sender::Net(net) if net.prefix_len() == net.max_prefix_len() => {
                write!(f, "{}", net.addr())
            }
            Sender::Net(net) => write!(f, "{net}"),
            Sender::Include(domain) => write!(f, "include:{domain}"),
        }
    }
}

/// A `[[domain.allow]]` entry: a finding accepted as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    /// The finding name, exactly (`ptr.mx`).
    pub finding: String,
    /// When given, only findings whose message contains these words
    /// (ignoring case) are accepted.
    pub matching: Option<String>,
    /// Why it is accepted; shown beside the finding.
    pub reason: String,
    /// Where the entry is: `FILE:LINE`.
    pub at: String,
}

/// Read and check a `mailcheck.toml`. Errors are one line: `FILE:LINE:
/// what is wrong`, or `FILE: ...` when the file cannot be read.
pub fn load(path: &Path) -> Result<Expectations, String> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{label}: cannot read: {e}"))?;
    parse(&label, &text)
}

/// Check the text of a `mailcheck.toml` whose name (for messages) is `label`.
pub fn parse(label: &str, text: &str) -> Result<Expectations, String> {
    let at = |offset: usize| format!("{label}:{}", line_of(text, offset));
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        let mut message = one_line(e.message());
        if message == "missing field `reason`" {
            message.push_str(": every [[domain.allow]] says why its finding is accepted");
        }
        format!("{label}:{line}: {message}")
    })?;
    if raw.domain.is_empty() {
        return Err(format!(
            "{label}:1: no [[domain]] table: nothing to check (each [[domain]] has a name = \"example.com\")"
        ));
    }
    let mut domains: Vec<DomainExpect> = Vec::new();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for table in raw.domain {
        let d = table.into_inner();
        let name = d.name.get_ref().0.clone();
        let line = line_of(text, d.name.span().start);
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
            return Err(format!(
                "{label}:{line}: {name} is already a [[domain]] at line {first}: give each domain one table"
            ));
        }
        seen.push((name.clone(), line));
        if let Some(bits) = &d.min_key_bits
            && d.selectors.is_empty()
        {
            return Err(format!(
                "{}: min_key_bits needs the selectors whose keys it applies to: add selectors = [\"s1\"]",
                at(bits.span().start)
            ));
        }
        let mut allow = Vec::new();
        for entry in d.allow {
            let span = entry.span();
            let a = entry.into_inner();
            if a.reason.get_ref().trim().is_empty() {
                return Err(format!(
                    "{}: the reason is empty: say why {} is accepted",
                    at(a.reason.span().start),
                    a.finding.0
                ));
            }
            allow.push(Allow {
                finding: a.finding.0,
                matching: a.matching.filter(|m| !m.trim().is_empty()),
                reason: a.reason.into_inner().trim().to_string(),
                at: at(span.start),
            });
        }
        let lines_of = |items: &[Spanned<String>]| -> Vec<usize> {
            items
                .iter()
                .map(|i| line_of(text, i.span().start))
                .collect()
        };
        let lines = KeyLines {
            file: label.to_string(),
            name: line,
            senders: lines_of(&d.senders),
            not_senders: lines_of(&d.not_senders),
            dmarc_policy: d
                .dmarc_policy
                .as_ref()
                .map(|p| line_of(text, p.span().start)),
            selectors: lines_of(&d.selectors),
            min_key_bits: d
                .min_key_bits
                .as_ref()
                .map(|b| line_of(text, b.span().start)),
            mx: d.mx.as_ref().map(|hosts| {
                hosts
                    .first()
                    .map_or(line, |h| line_of(text, h.span().start))
            }),
        };
        domains.push(DomainExpect {
            lines,
            name,
            selectors: each(d.selectors, &at, selector)?,
            senders: each(d.senders, &at, sender)?,
            not_senders: each(d.not_senders, &at, sender)?,
            dmarc_policy: d.dmarc_policy.map(|p| p.into_inner().0),
            min_key_bits: d.min_key_bits.map(|b| b.into_inner().0),
            mx: d
                .mx
                .map(|hosts| each(hosts, &at, names::domain))
                .transpose()?,
            allow,
        });
    }
    Ok(Expectations { domains })
}

/// Read each item of a list, refusing the first bad one at its own line
/// (toml gives an error inside an array the line where the array starts).
fn each<T>(
    items: Vec<Spanned<String>>,
    at: &dyn Fn(usize) -> String,
    read: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    items
        .into_iter()
        .map(|item| read(item.get_ref()).map_err(|e| format!("{}: {e}", at(item.span().start))))
        .collect()
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Messages are printed on one line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

// The file as written. Each value type checks itself while it is read, so
// toml reports its error at the value's own line.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    domain: Vec<Spanned<RawDomain>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomain {
    name: Spanned<DomainName>,
    #[serde(default)]
    selectors: Vec<Spanned<String>>,
    #[serde(default)]
    senders: Vec<Spanned<String>>,
    #[serde(default)]
    not_senders: Vec<Spanned<String>>,
    dmarc_policy: Option<Spanned<PolicyEntry>>,
    min_key_bits: Option<Spanned<KeyBits>>,
    mx: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    allow: Vec<Spanned<RawAllow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    finding: FindingName,
    #[serde(rename = "match")]
    matching: Option<String>,
    reason: Spanned<String>,
}

/// A domain name, converted to its lower-case A-label form.
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct DomainName(String);

impl TryFrom<String> for DomainName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        names::domain(&s).map(DomainName)
    }
}

/// Read one DKIM selector.
fn selector(text: &str) -> Result<String, String> {
    names::selector(text).map_err(|_| {
        format!(
            "'{text}' is not a valid DKIM selector (DNS labels of letters, digits, '-' and '_')"
        )
    })
}

/// Read one sender entry.
pub(super) fn sender(text: &str) -> Result<Sender, String> {
    let t = text.trim();
    if let Some(domain) = t.strip_prefix("include:") {
        return names::domain(domain)
            .map(Sender::Include)
            .map_err(|e| format!("include:{domain}: {e}"));
    }
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Ok(Sender::Net(IpNet::from(ip)));
    }
    if t.contains('/') {
        let net: IpNet = t.parse().map_err(|_| {
            format!("'{t}' is not a CIDR block (an address, '/', a prefix length: 203.0.113.0/28)")
        })?;
        if net.trunc() != net {
            return Err(format!(
                "'{t}' has bits set after its /{} prefix: did you mean {}?",
                net.prefix_len(),
                net.trunc()
            ));
        }
        return Ok(Sender::Net(net));
    }
    Err(format!(
        "'{t}' is not an IP address, a CIDR block (203.0.113.0/28) or include:DOMAIN"
    ))
}

/// `none`, `quarantine` or `reject`.
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct PolicyEntry(Policy);

impl TryFrom<String> for PolicyEntry {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Policy::from_word(&s.trim().to_ascii_lowercase())
            .map(PolicyEntry)
            .ok_or_else(|| format!("dmarc_policy '{s}' is not none, quarantine or reject"))
    }
}

/// A key size in bits: 512 to 16384.
#[derive(Deserialize)]
#[serde(try_from = "i64")]
struct KeyBits(u32);

impl TryFrom<i64> for KeyBits {
    type Error = String;
    fn try_from(n: i64) -> Result<Self, String> {
        match u32::try_from(n) {
            Ok(bits) if (512..=16384).contains(&bits) => Ok(KeyBits(bits)),
            _ => Err(format!("min_key_bits = {n} is not between 512 and 16384")),
        }
    }
}

/// The name of a finding another check reports (`ptr.mx`, `dkim.key-size`).
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct FindingName(String);

impl TryFrom<String> for FindingName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let name = s.trim().to_string();
        match Area::of(&name) {
            _ if !name.contains('.') => Err(format!(
                "finding '{name}' is not a finding name (area.check, e.g. ptr.mx)"
            )),
            Some(Area::Expect) => Err(format!(
                "finding '{name}' is an expectation: change the expectation in the [[domain]] table instead of allowing it"
            )),
            Some(_) => Ok(FindingName(name)),
            None => Err(format!(
                "finding '{name}' names no area (mx, ptr, spf, dkim, dmarc, smtp, run)"
            )),
        }
    }
}
