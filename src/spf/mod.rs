//! SPF (RFC 7208): mailcheck's own record parser and check_host() evaluator.
//!
//! Written here rather than taken from mail-auth because mail-auth 0.15's SPF
//! is lenient where RFC 7208 says `permerror`, and differs elsewhere; it passed
//! 148 of the 198 runnable tests of the OpenSPF RFC 7208 suite. What it gets
//! wrong, and this module follows the RFC on:
//!
//! * syntax errors anywhere in a record must be `permerror` before anything is
//!   evaluated (4.6, 4.6.1, the ABNF of 12): CIDR lengths out of range or with
//!   leading zeros, `a:1.2.3.4` (numeric top label), a domain-spec without a
//!   valid top label, control or non-ASCII characters, `=bar` (empty modifier
//!   name), `foo=%{x}` (bad macro), `exp=`/`redirect=` with a bad domain-spec,
//!   a repeated `exp=` or `redirect=` (6), an `ip4:` that is not a dotted quad;
//! * the void-lookup limit (more than 2 is `permerror`) and the 10-name limits
//!   of `mx` (`permerror`) and `ptr` (the rest ignored) (4.6.4);
//! * `a`/`mx` look up A for an IPv4 client and AAAA for an IPv6 one, so a
//!   `/cidr6` never matches an IPv4 client and `ip6:` never matches one
//!   either (5.3, 5.4, 5.6); an IPv4-mapped IPv6 client is IPv4 (5); `exists`
//!   always asks for A (5.7);
//! * record selection: `v=spf10` is not a record, two records are `permerror`,
//!   a record split over several strings is joined (3.3, 4.5);
//! * `ptr` per 5.5 (validated names, implicit domain, IPv6 clients), and macros
//!   per 7: `%{p}`, `%{h}` for a HELO that is not a domain, `%{i}` of IPv6 as
//!   dotted nibbles, transformers and delimiters, URL escaping of upper-case
//!   letters, `c`/`r`/`t` only in explanations, domain truncation (7.3);
//! * `exp=` (6.2): fetched only for a `fail`, ignored (never changing the
//!   result) when its lookup or text is bad; `redirect=` replaces the
//!   explanation, `include:` never contributes one.
//!
//! The record is parsed strictly once into [`parse::Record`]; the `domain` and
//! `spf` analysis walk (lookup counts, void lookups, the include tree) in
//! `check::spf` reads the same typed form. [`eval::check_host`] evaluates it
//! over mailcheck's [`crate::dns::Dns`] layer, so every answer is shared with
//! the rest of the run. The OpenSPF RFC 7208 suite runs in the integration
//! tests (`tests/it/openspf.rs`).

pub mod eval;
pub mod macros;
pub mod parse;

#[cfg(test)]
mod tests;

pub use eval::{Identity, Matched, Outcome, check_host};

/// An SPF result (RFC 7208 2.6); serialises as its lower-case word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The client is authorized (2.6.3).
    Pass,
    /// The client is not authorized (2.6.4).
    Fail,
    /// Probably not authorized (2.6.5).
    SoftFail,
    /// No assertion (2.6.2), also when nothing matched.
    Neutral,
    /// No record, or the identity is not a domain (2.6.1).
    None,
    /// A DNS lookup failed temporarily (2.6.6).
    TempError,
    /// The published records could not be interpreted (2.6.7).
    PermError,
}

impl Verdict {
    /// The lower-case word of RFC 7208 2.6.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::SoftFail => "softfail",
            Verdict::Neutral => "neutral",
            Verdict::None => "none",
            Verdict::TempError => "temperror",
            Verdict::PermError => "permerror",
        }
    }

    /// The same result in mail-auth's terms, for its DMARC evaluation and
    /// Authentication-Results builder.
    pub fn to_mail_auth(self) -> mail_auth::SpfResult {
        use mail_auth::SpfResult as R;
        match self {
            Verdict::Pass => R::Pass,
            Verdict::Fail => R::Fail,
            Verdict::SoftFail => R::SoftFail,
            Verdict::Neutral => R::Neutral,
            Verdict::None => R::None,
            Verdict::TempError => R::TempError,
            Verdict::PermError => R::PermError,
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

/// Why `domain` is no check_host() identity domain (see
/// [`is_valid_domain`]), in words: a single label such as `corp` is a legal
/// DNS name, only not one SPF evaluates.
pub fn not_an_identity(domain: &str) -> String {
    let d = domain.strip_suffix('.').unwrap_or(domain);
    if !d.is_empty() && !d.contains('.') && crate::names::domain(d).is_ok() {
        format!("'{d}' is a single label, not a multi-label domain name (RFC 7208 4.3)")
    } else {
        format!("'{domain}' is not a valid domain name (RFC 7208 4.3)")
    }
}

/// Whether `domain` can be a check_host() identity domain (RFC 7208 4.3): a
/// multi-label name whose labels have 1 to 63 letters, digits, hyphens or
/// underscores, at most 253 octets in all (a final dot aside), and whose top
/// label is not all digits. An address literal such as `[192.0.2.1]`, a bare
/// label or text with spaces is not: check_host() returns `none` for it.
pub fn is_valid_domain(domain: &str) -> bool {
    let d = domain.strip_suffix('.').unwrap_or(domain);
    let labels_ok = d.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    let top_ok = d
        .rsplit('.')
        .next()
        .is_some_and(|t| !t.bytes().all(|b| b.is_ascii_digit()));
    !d.is_empty() && d.len() <= 253 && d.contains('.') && labels_ok && top_ok
}
