//! Strict SPF record parsing (RFC 7208 4.5, 4.6.1, 5, 6 and the ABNF of 12).
//!
//! A record is parsed once, completely, before anything is evaluated: any
//! term that does not follow the grammar makes the whole record a
//! `permerror` (4.6), however late in the record it appears.

use super::macros::{Context, MacroString};
use crate::util::{FastMap, lock};
use std::{
    net::{Ipv4Addr, Ipv6Addr},
    sync::{Arc, Mutex},
};

/// A directive's qualifier (4.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    /// `+` (the default).
    Pass,
    /// `-`.
    Fail,
    /// `~`.
    SoftFail,
    /// `?`.
    Neutral,
}

impl Qualifier {
    /// The result a matching directive gives.
    pub fn verdict(self) -> super::Verdict {
        match self {
            Qualifier::Pass => super::Verdict::Pass,
            Qualifier::Fail => super::Verdict::Fail,
            Qualifier::SoftFail => super::Verdict::SoftFail,
            Qualifier::Neutral => super::Verdict::Neutral,
        }
    }
}

/// CIDR prefix lengths of `a` and `mx` (5.3, 5.4): 32 and 128 unless given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DualCidr {
    /// IPv4 prefix length, 0 to 32.
    pub v4: u8,
    /// IPv6 prefix length, 0 to 128.
    pub v6: u8,
}

impl Default for DualCidr {
    fn default() -> Self {
        DualCidr { v4: 32, v6: 128 }
    }
}

/// A mechanism (5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    /// `all`.
    All,
    /// `include:domain-spec`.
    Include(MacroString),
    /// `a[:domain-spec][/cidr4][//cidr6]`.
    A {
        /// The target; the current domain when absent.
        domain: Option<MacroString>,
        /// Prefix lengths.
        cidr: DualCidr,
    },
    /// `mx[:domain-spec][/cidr4][//cidr6]`.
    Mx {
        /// The target; the current domain when absent.
        domain: Option<MacroString>,
        /// Prefix lengths.
        cidr: DualCidr,
    },
    /// `ptr[:domain-spec]`.
    Ptr(Option<MacroString>),
    /// `ip4:network[/len]`.
    Ip4 {
        /// The network address.
        addr: Ipv4Addr,
        /// Prefix length, 0 to 32.
        prefix: u8,
    },
    /// `ip6:network[/len]`.
    Ip6 {
        /// The network address.
        addr: Ipv6Addr,
        /// Prefix length, 0 to 128.
        prefix: u8,
    },
    /// `exists:domain-spec`.
    Exists(MacroString),
}

impl Mechanism {
    /// Whether evaluating it queries DNS and so counts toward the limit of
    /// 10 (4.6.4).
    pub fn queries_dns(&self) -> bool {
        !matches!(
            self,
            Mechanism::All | Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. }
        )
    }
}

/// A directive: qualifier, mechanism, and the term as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The qualifier.
    pub qualifier: Qualifier,
    /// The mechanism.
    pub mechanism: Mechanism,
    /// The term as written in the record.
    pub text: String,
}

/// A parsed SPF record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Directives, in order.
    pub directives: Vec<Directive>,
    /// `redirect=` (6.1).
    pub redirect: Option<MacroString>,
    /// `exp=` (6.2).
    pub exp: Option<MacroString>,
}

/// Why a record does not parse: the offending term and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The term, as written (lossily decoded when not ASCII).
    pub term: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the term \"{}\" is not valid SPF: {}",
            self.term.escape_debug(),
            self.reason
        )
    }
}

/// Whether a TXT string is an SPF record: `v=spf1` (any case) followed by a
/// space or nothing (4.5).
pub fn is_spf_record(txt: &[u8]) -> bool {
    txt.len() >= 6 && txt[..6].eq_ignore_ascii_case(b"v=spf1") && (txt.len() == 6 || txt[6] == b' ')
}

/// Which of a name's TXT records are SPF records (4.5).
pub fn select(txt: &[Vec<u8>]) -> Vec<&[u8]> {
    txt.iter()
        .map(Vec::as_slice)
        .filter(|t| is_spf_record(t))
        .collect()
}

/// How many parsed records [`parse_shared`] keeps; when full it starts over.
const SHARED_RECORDS: usize = 1_024;

/// Parse a record that many others name, an include's target (a
/// provider's `_spf` record): each text is parsed once and shared while
/// the cache holds it ([`SHARED_RECORDS`]). In a batch most include
/// targets are the same few providers' records, and parsing them again
/// for every domain was about 8% of an SPF check's instructions.
pub fn parse_shared(record: &[u8]) -> Result<Arc<Record>, SyntaxError> {
    type Shared = FastMap<Box<[u8]>, Result<Arc<Record>, SyntaxError>>;
    static SHARED: Mutex<Option<Shared>> = Mutex::new(None);
    if let Some(hit) = lock(&SHARED).as_ref().and_then(|c| c.get(record)) {
        return hit.clone();
    }
    let parsed = parse(record).map(Arc::new);
    let mut cache = lock(&SHARED);
    let cache = cache.get_or_insert_with(FastMap::default);
    if cache.len() >= SHARED_RECORDS {
        cache.clear();
    }
    cache.insert(record.into(), parsed.clone());
    parsed
}

/// Parse a whole record (`v=spf1 ...`).
pub fn parse(record: &[u8]) -> Result<Record, SyntaxError> {
    if !is_spf_record(record) {
        return Err(SyntaxError {
            term: String::from_utf8_lossy(record.get(..6).unwrap_or(record)).into_owned(),
            reason: "the record does not start with v=spf1".into(),
        });
    }
    let mut out = Record {
        directives: Vec::new(),
        redirect: None,
        exp: None,
    };
    // Terms are separated by one or more spaces, and nothing else (4.6.1).
    for raw in record[6..].split(|b| *b == b' ').filter(|t| !t.is_empty()) {
        let fail = |reason: String| SyntaxError {
            term: String::from_utf8_lossy(raw).into_owned(),
            reason,
        };
        let Ok(term) = std::str::from_utf8(raw) else {
            return Err(fail("non-ASCII text is not allowed (RFC 7208 3.1)".into()));
        };
        if !term.is_ascii() {
            return Err(fail("non-ASCII text is not allowed (RFC 7208 3.1)".into()));
        }
        parse_term(term, &mut out).map_err(fail)?;
    }
    Ok(out)
}

/// The length of a modifier name at the start of `term` (`ALPHA *( ALPHA /
/// DIGIT / "-" / "_" / "." )`), 0 if there is none.
fn name_len(term: &str) -> usize {
    let b = term.as_bytes();
    if b.first().is_none_or(|c| !c.is_ascii_alphabetic()) {
        return 0;
    }
    b.iter()
        .position(|c| !(c.is_ascii_alphanumeric() || b"-_.".contains(c)))
        .unwrap_or(b.len())
}

fn parse_term(term: &str, out: &mut Record) -> Result<(), String> {
    let n = name_len(term);
    if n > 0 && term.as_bytes().get(n) == Some(&b'=') {
        let name = term[..n].to_ascii_lowercase();
        let value = &term[n + 1..];
        match name.as_str() {
            "redirect" | "exp" => {
                let slot = if name == "redirect" {
                    &mut out.redirect
                } else {
                    &mut out.exp
                };
                if slot.is_some() {
                    return Err(format!("{name}= appears more than once (RFC 7208 6)"));
                }
                *slot = Some(MacroString::parse_domain_spec(value)?);
            }
            // Unknown modifiers are ignored, but must be well-formed (6, A).
            _ => {
                MacroString::parse(value, Context::Record)?;
            }
        }
        return Ok(());
    }
    if term.starts_with('=') {
        return Err("a modifier needs a name before '='".into());
    }
    let (qualifier, body) = match term.as_bytes()[0] {
        b'+' => (Qualifier::Pass, &term[1..]),
        b'-' => (Qualifier::Fail, &term[1..]),
        b'~' => (Qualifier::SoftFail, &term[1..]),
        b'?' => (Qualifier::Neutral, &term[1..]),
        _ => (Qualifier::Pass, term),
    };
    let name_end = body.find([':', '/']).unwrap_or(body.len());
    let name = body[..name_end].to_ascii_lowercase();
    let rest = &body[name_end..];
    let mechanism = match name.as_str() {
        "all" => {
            if !rest.is_empty() {
                return Err("all takes no argument".into());
            }
            Mechanism::All
        }
        "include" => Mechanism::Include(required_domain(rest, "include")?),
        "exists" => Mechanism::Exists(required_domain(rest, "exists")?),
        "a" | "mx" => {
            let (domain, cidr) = match rest.strip_prefix(':') {
                Some(arg) => {
                    let (spec, cidr) = split_dual_cidr(arg)?;
                    (Some(MacroString::parse_domain_spec(spec)?), cidr)
                }
                None => (None, parse_dual_cidr(rest)?),
            };
            if name == "a" {
                Mechanism::A { domain, cidr }
            } else {
                Mechanism::Mx { domain, cidr }
            }
        }
        "ptr" => match rest.strip_prefix(':') {
            Some(arg) => Mechanism::Ptr(Some(MacroString::parse_domain_spec(arg)?)),
            None if rest.is_empty() => Mechanism::Ptr(None),
            None => return Err("ptr takes no CIDR length".into()),
        },
        "ip4" => {
            let arg = rest
                .strip_prefix(':')
                .ok_or("ip4 needs ':' and an address")?;
            let (addr, len) = split_prefix(arg);
            let addr = parse_ipv4(addr).ok_or_else(|| {
                format!("'{addr}' is not an IPv4 address (four decimal numbers, no leading zeros)")
            })?;
            let prefix = match len {
                Some(l) => cidr_length(l, 32)?,
                None => 32,
            };
            Mechanism::Ip4 { addr, prefix }
        }
        "ip6" => {
            let arg = rest
                .strip_prefix(':')
                .ok_or("ip6 needs ':' and an address")?;
            let (addr, len) = split_prefix(arg);
            let addr: Ipv6Addr = addr
                .parse()
                .map_err(|_| format!("'{addr}' is not an IPv6 address"))?;
            let prefix = match len {
                Some(l) => cidr_length(l, 128)?,
                None => 128,
            };
            Mechanism::Ip6 { addr, prefix }
        }
        "" => return Err("a qualifier without a mechanism".into()),
        other => {
            return Err(format!(
                "'{other}' is not a mechanism (all, include, a, mx, ptr, ip4, ip6, exists)"
            ));
        }
    };
    out.directives.push(Directive {
        qualifier,
        mechanism,
        text: term.to_string(),
    });
    Ok(())
}

fn required_domain(rest: &str, name: &str) -> Result<MacroString, String> {
    let arg = rest
        .strip_prefix(':')
        .ok_or_else(|| format!("{name} needs ':' and a domain"))?;
    MacroString::parse_domain_spec(arg)
}

fn split_prefix(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (arg, None),
    }
}

/// A CIDR length: digits without a leading zero, at most `max` (5.6, 12).
fn cidr_length(digits: &str, max: u8) -> Result<u8, String> {
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && digits.len() <= 3;
    match digits.parse::<u16>() {
        Ok(n) if ok && n <= u16::from(max) => Ok(n as u8),
        _ => Err(format!(
            "'/{digits}' is not a prefix length from 0 to {max} without leading zeros"
        )),
    }
}

/// `dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]` as the
/// whole of `s`.
fn parse_dual_cidr(s: &str) -> Result<DualCidr, String> {
    let mut cidr = DualCidr::default();
    let mut rest = s;
    if rest.is_empty() {
        return Ok(cidr);
    }
    if !rest.starts_with("//") {
        let Some(after) = rest.strip_prefix('/') else {
            return Err(format!("'{s}' is not a CIDR length"));
        };
        let end = after.find('/').unwrap_or(after.len());
        cidr.v4 = cidr_length(&after[..end], 32)?;
        rest = &after[end..];
    }
    if !rest.is_empty() {
        let Some(v6) = rest.strip_prefix("//") else {
            return Err(format!("'{rest}' is not an IPv6 CIDR length (write //N)"));
        };
        cidr.v6 = cidr_length(v6, 128)?;
    }
    Ok(cidr)
}

/// Split `domain-spec [dual-cidr-length]`: a trailing `/N`, `//N` or
/// `/N//N` of digits is the CIDR part; a domain-spec may itself hold `/`.
fn split_dual_cidr(arg: &str) -> Result<(&str, DualCidr), String> {
    let mut body = arg;
    let mut suffix_start = arg.len();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(i) = body.rfind("//")
        && digits(&body[i + 2..])
    {
        body = &body[..i];
        suffix_start = i;
    }
    if let Some(i) = body.rfind('/')
        && digits(&body[i + 1..])
    {
        body = &body[..i];
        suffix_start = i;
    }
    Ok((body, parse_dual_cidr(&arg[suffix_start..])?))
}

/// `ip4-network`: four decimal numbers 0-255 without leading zeros (12).
fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for o in &mut octets {
        let p = parts.next()?;
        if p.is_empty()
            || p.len() > 3
            || !p.bytes().all(|b| b.is_ascii_digit())
            || (p.len() > 1 && p.starts_with('0'))
        {
            return None;
        }
        *o = p.parse().ok()?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}
