//! Domain names as mailcheck writes and reads them: presentation form in,
//! lower case without the final dot out, and the reverse-lookup names of
//! addresses (RFC 1035 3.5, RFC 3596 2.5).

use hickory_resolver::proto::rr::Name;
use std::net::IpAddr;

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

#[cfg(test)]
mod tests {
    use super::*;

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
