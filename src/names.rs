//! Names as users type them: domains (international ones converted to
//! A-labels, RFC 5890) and DKIM selectors, checked once, with one rule each,
//! for every command and for key generation and signing.
//!
//! A name here is a DNS name, not a host name: labels of letters, digits,
//! hyphens and underscores (`_under.example` is a legal owner name, RFC 2181
//! 11), 1 to 63 bytes each, at most 253 bytes in all (RFC 1035 2.3.4).
//!
//! Identities that arrive over SMTP are not checked here: an SPF identity or
//! a HELO may be any string, and `spf::is_valid_domain` decides whether
//! check_host() has a domain to evaluate (RFC 7208 4.3).

use std::net::IpAddr;

/// Convert a domain as typed into the lower-case A-label form used in DNS,
/// or say why it is not a domain name. A final dot is allowed; an IP address
/// is refused.
pub fn domain(input: &str) -> Result<String, String> {
    let trimmed = input.trim().trim_end_matches('.');
    if trimmed.is_empty() {
        return Err(format!("'{input}' is not a domain name: it is empty"));
    }
    if trimmed.parse::<IpAddr>().is_ok() {
        return Err(format!("'{input}' is an IP address, not a domain name"));
    }
    let ascii = idna::domain_to_ascii(trimmed)
        .map_err(|_| format!("'{input}' is not a valid domain name"))?;
    if ascii.len() > 253 {
        return Err(format!(
            "'{input}' is not a valid domain name: longer than 253 characters"
        ));
    }
    for label in ascii.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(format!(
                "'{input}' is not a valid domain name: every label must have 1 to 63 characters"
            ));
        }
        if !is_label(label) {
            return Err(format!(
                "'{input}' is not a valid domain name: '{label}' has characters other than letters, digits and hyphens"
            ));
        }
    }
    Ok(ascii.to_ascii_lowercase())
}

/// Check a DKIM selector (`s=`, RFC 6376 3.1) and return it in lower case.
/// A selector is one or more DNS labels; the key record lives at
/// [`dkim_key_name`].
pub fn selector(input: &str) -> Result<String, String> {
    let s = input.trim().to_ascii_lowercase();
    let valid = !s.is_empty()
        && s.len() <= 253
        && s.split('.')
            .all(|label| !label.is_empty() && label.len() <= 63 && is_label(label));
    if !valid {
        return Err(format!(
            "--selector '{s}' is not a valid DKIM selector (DNS labels of letters, digits, '-' and '_')"
        ));
    }
    Ok(s)
}

/// Check every selector given on the command line (see [`selector`]).
pub fn selectors(given: &[String]) -> Result<Vec<String>, String> {
    given.iter().map(|s| selector(s)).collect()
}

/// Where a DKIM key record lives: `SELECTOR._domainkey.DOMAIN` (RFC 6376 3.6.2.1).
pub fn dkim_key_name(selector: &str, domain: &str) -> String {
    format!("{selector}._domainkey.{domain}")
}

/// Letters, digits, hyphens and underscores.
fn is_label(label: &str) -> bool {
    label
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_converted_and_checked() {
        assert_eq!(domain("Example.COM.").unwrap(), "example.com");
        assert_eq!(domain("bücher.example").unwrap(), "xn--bcher-kva.example");
        assert_eq!(domain("_under.example").unwrap(), "_under.example");
        assert_eq!(
            domain("exa mple.com").unwrap_err(),
            "'exa mple.com' is not a valid domain name: 'exa mple' has characters other than letters, digits and hyphens"
        );
        assert_eq!(
            domain("192.0.2.1").unwrap_err(),
            "'192.0.2.1' is an IP address, not a domain name"
        );
        assert!(domain("").is_err());
        assert!(domain("a..b.example").is_err());
        assert!(domain("example.com; x=1").is_err());
        assert!(domain(&format!("{}.example", "a".repeat(64))).is_err());
    }

    #[test]
    fn selectors_are_dns_labels() {
        assert_eq!(selector(" S1 ").unwrap(), "s1");
        assert_eq!(selector("2024_01.mail").unwrap(), "2024_01.mail");
        for bad in ["", "a b", ".s1", "s1.", "s1\r\nX: y", "s1;x=1", "a..b"] {
            assert!(selector(bad).is_err(), "{bad:?}");
        }
        assert!(
            selector("a b")
                .unwrap_err()
                .starts_with("--selector 'a b' is not a valid DKIM selector")
        );
        assert_eq!(
            dkim_key_name("s1", "example.com"),
            "s1._domainkey.example.com"
        );
    }
}
