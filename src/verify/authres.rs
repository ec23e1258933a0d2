//! The `dkim=` and `arc=` parts, and `dmarc=` when mailcheck decided
//! alignment itself, of the Authentication-Results header
//! (RFC 8601 2.2, 2.7.1; RFC 8617 2.2), written from mailcheck's own
//! verdicts so the header says what the report says.

use super::{ArcVerdict, DmarcVerdict, SignatureVerdict};
use std::net::IpAddr;

/// A property value: as is when it is an RFC 2045 token (or a domain),
/// else quoted.
fn pvalue(v: &str) -> String {
    let token = !v.is_empty()
        && v.bytes().all(|b| {
            b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b) || b == b'.' || b == b'@'
        });
    if token { v.to_string() } else { quoted(v) }
}

fn quoted(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// `; dkim=WORD reason="..." header.d=D header.i=I header.s=S header.a=A header.b=B`.
pub fn dkim(d: &SignatureVerdict) -> String {
    let mut out = format!(";\r\n\tdkim={}", d.result);
    if let Some(r) = &d.reason {
        out.push_str(&format!(" reason={}", quoted(r)));
    }
    if let Some(v) = &d.domain {
        out.push_str(&format!(" header.d={}", pvalue(v)));
    }
    if let Some(v) = &d.auid {
        out.push_str(&format!(" header.i={}", pvalue(v)));
    }
    if let Some(v) = &d.selector {
        out.push_str(&format!(" header.s={}", pvalue(v)));
    }
    if let Some(v) = &d.algorithm {
        out.push_str(&format!(" header.a={}", pvalue(v)));
    }
    if let Some(v) = &d.header_b {
        out.push_str(&format!(" header.b={}", pvalue(v)));
    }
    out
}

/// `; arc=WORD smtp.remote-ip=IP`.
pub fn arc(a: &ArcVerdict, ip: IpAddr) -> String {
    let mut out = format!(";\r\n\tarc={}", a.result);
    if let Some(r) = &a.reason {
        out.push_str(&format!(" reason={}", quoted(r)));
    }
    out.push_str(&format!(" smtp.remote-ip={}", pvalue(&ip.to_string())));
    out
}

/// `; dmarc=WORD (comment) header.from=D policy.dmarc=P`, for a verdict
/// whose alignment mailcheck decided by the public suffix list (mail-auth
/// writes the part otherwise).
pub fn dmarc(d: &DmarcVerdict, from_domain: &str) -> String {
    format!(
        ";\r\n\tdmarc={} (organizational domain from the public suffix list) header.from={} policy.dmarc={}",
        d.result,
        pvalue(from_domain),
        d.policy.unwrap_or(super::PolicyWord::None)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_only_when_needed() {
        assert_eq!(pvalue("example.com"), "example.com");
        assert_eq!(pvalue("@mail.example.com"), "@mail.example.com");
        assert_eq!(pvalue("a b"), "\"a b\"");
        assert_eq!(pvalue("x\"y"), "\"x\\\"y\"");
        assert_eq!(pvalue("ab+/cd=="), "\"ab+/cd==\"");
    }
}
