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
//!
//! The DNS layer's side of names is here too: presentation form in, lower
//! case without the final dot out ([`parse_name`], [`display_name`]), and
//! the reverse-lookup names of addresses (RFC 1035 3.5, RFC 3596 2.5).

use hickory_resolver::proto::rr::Name;
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

/// Parse a presentation-form domain name as a fully qualified, lower-case name.
pub fn parse_name(name: &str) -> Result<Name, String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err("empty domain name".into());
    }
    let mut n = Name::from_ascii(trimmed).map_err(|e| e.to_string())?;
    n.set_fqdn(true);
    Ok(n.to_lowercase())
}

/// The name as users write it: lower case, no final dot.
pub fn display_name(name: &Name) -> String {
    let s = name.to_ascii();
    let s = s.strip_suffix('.').unwrap_or(&s);
    if s.is_empty() {
        ".".into()
    } else {
        s.to_ascii_lowercase()
    }
}

/// The reverse-lookup name of an address (RFC 1035 3.5, RFC 3596 2.5).
pub fn reverse_name(ip: IpAddr) -> Name {
    let mut text = String::new();
    match ip {
        IpAddr::V4(v4) => {
            for o in v4.octets().iter().rev() {
                text.push_str(&format!("{o}."));
            }
            text.push_str("in-addr.arpa.");
        }
        IpAddr::V6(v6) => {
            for b in v6.octets().iter().rev() {
                text.push_str(&format!("{:x}.{:x}.", b & 0x0f, b >> 4));
            }
            text.push_str("ip6.arpa.");
        }
    }
    // The text is built from digits and dots only, so it always parses.
    Name::from_ascii(&text).unwrap_or_else(|_| Name::root())
}

/// The address a reverse-lookup name stands for, if it is one.
pub fn ip_from_reverse_name(name: &Name) -> Option<IpAddr> {
    let text = display_name(name);
    if let Some(rest) = text.strip_suffix(".in-addr.arpa") {
        let parts: Vec<&str> = rest.split('.').collect();
        if parts.len() != 4 {
            return None;
        }
        let mut octets = [0u8; 4];
        for (i, p) in parts.iter().rev().enumerate() {
            octets[i] = p.parse().ok()?;
        }
        Some(IpAddr::from(octets))
    } else if let Some(rest) = text.strip_suffix(".ip6.arpa") {
        let nibbles: Vec<&str> = rest.split('.').collect();
        if nibbles.len() != 32 {
            return None;
        }
        let mut octets = [0u8; 16];
        for (i, pair) in nibbles.chunks(2).enumerate() {
            let lo = u8::from_str_radix(pair[0], 16).ok()?;
            let hi = u8::from_str_radix(pair[1], 16).ok()?;
            octets[15 - i] = (hi << 4) | lo;
        }
        Some(IpAddr::from(octets))
    } else {
        None
    }
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

    #[test]
    fn reverse_names_round_trip() {
        for ip in ["192.0.2.10", "2001:db8::25"] {
            let ip: IpAddr = ip.parse().unwrap();
            let name = reverse_name(ip);
            assert_eq!(ip_from_reverse_name(&name), Some(ip));
        }
        assert_eq!(
            display_name(&reverse_name("192.0.2.10".parse().unwrap())),
            "10.2.0.192.in-addr.arpa"
        );
    }
}
