//! SMTP TLS Reporting (RFC 8460): the `_smtp._tls.DOMAIN` TXT record that
//! tells sending servers where to report failed TLS sessions, and whether a
//! domain that enforces TLS (MTA-STS, RFC 8461; DANE, RFC 7672) publishes it.
//!
//! The record grammar is RFC 8460 3 and small enough to read by hand; no
//! crate parses it.

use super::{dns_error, provider::mx_hosts};
use crate::{
    dns::{Dns, Lookup},
    report::{Finding, Status},
};
use futures_util::future::join_all;
use hickory_resolver::proto::rr::RecordType;

/// A TLS-RPT record, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsRpt {
    /// The `rua=` URIs, in order.
    pub rua: Vec<String>,
}

/// Why a record is not valid TLS-RPT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// The grammar of RFC 8460 3 is not met.
    Syntax(String),
    /// A `rua=` URI is neither a valid `mailto:` nor a valid `https:` URI.
    Uri(String),
}

/// Whether a TXT record is a TLS-RPT record: it starts with `v=TLSRPTv1`
/// followed by `;` (RFC 8460 3: other records are discarded).
pub fn is_tlsrpt(text: &str) -> bool {
    text.strip_prefix("v=TLSRPTv1")
        .is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(';'))
}

/// Parse a TLS-RPT record (RFC 8460 3):
/// `v=TLSRPTv1 1*(field-delim field) [field-delim]`, where a field is
/// `rua=URI *(, URI)` or an extension `name=value`.
pub fn parse(text: &str) -> Result<TlsRpt, Invalid> {
    let rest = text
        .strip_prefix("v=TLSRPTv1")
        .ok_or_else(|| Invalid::Syntax("the record must start with v=TLSRPTv1".into()))?;
    let mut parts: Vec<&str> = rest.split(';').collect();
    // What precedes the first ';' may only be white space.
    if !parts.remove(0).trim_matches([' ', '\t']).is_empty() {
        return Err(Invalid::Syntax("v=TLSRPTv1 must be followed by ;".into()));
    }
    // One trailing delimiter is allowed.
    if parts
        .last()
        .is_some_and(|p| p.trim_matches([' ', '\t']).is_empty())
    {
        parts.pop();
    }
    if parts.is_empty() {
        return Err(Invalid::Syntax(
            "the record has no fields; rua= is required".into(),
        ));
    }
    let mut rua = None;
    for field in parts {
        let field = field.trim_matches([' ', '\t']);
        let Some((name, value)) = field.split_once('=') else {
            return Err(Invalid::Syntax(format!("\"{field}\" is not name=value")));
        };
        if name == "rua" {
            if rua.is_some() {
                return Err(Invalid::Syntax("rua= appears twice".into()));
            }
            let mut uris = Vec::new();
            for uri in value.split(',') {
                let uri = uri.trim_matches([' ', '\t']);
                check_uri(uri)?;
                uris.push(uri.to_string());
            }
            rua = Some(uris);
        } else if !valid_ext_name(name) || !valid_ext_value(value) {
            return Err(Invalid::Syntax(format!(
                "\"{field}\" is not a valid extension field"
            )));
        }
    }
    let rua =
        rua.ok_or_else(|| Invalid::Syntax("rua= is missing (RFC 8460 3 requires it)".into()))?;
    Ok(TlsRpt { rua })
}

/// `tlsrpt-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`
fn valid_ext_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() <= 32
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// `tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)`
fn valid_ext_value(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| matches!(b, 0x21..=0x3A | 0x3C | 0x3E..=0x7E))
}

/// A `rua=` URI: `mailto:` with an address, or `https:` with a host
/// (RFC 8460 3: the two schemes defined for reports).
fn check_uri(uri: &str) -> Result<(), Invalid> {
    let bad = |why: &str| Err(Invalid::Uri(format!("\"{uri}\" {why}")));
    if uri.is_empty() {
        return bad("is empty");
    }
    if uri.bytes().any(|b| b <= b' ' || b == 0x7F || b == b'"') {
        return bad("holds a space or a character a URI cannot");
    }
    let lower = uri.to_ascii_lowercase();
    if let Some(addr) = lower.strip_prefix("mailto:") {
        let addr = addr.split('?').next().unwrap_or_default();
        match addr.rsplit_once('@') {
            Some((local, host))
                if !local.is_empty()
                    && host.contains('.')
                    && !host.starts_with('.')
                    && !host.ends_with('.') =>
            {
                Ok(())
            }
            _ => bad("is not mailto: with an address"),
        }
    } else if let Some(rest) = lower.strip_prefix("https://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() {
            bad("names no host")
        } else {
            Ok(())
        }
    } else {
        bad("is neither a mailto: nor an https: URI")
    }
}

/// What enforces TLS for mail to the domain, as far as DNS shows.
struct Enforcement {
    /// "MTA-STS", "DANE for mx.example.com", ...
    found: Vec<String>,
    /// Lookups that failed, each with what it was for.
    failed: Vec<Finding>,
}

async fn enforcement(dns: &Dns, domain: &str) -> Enforcement {
    let sts_name = format!("_mta-sts.{domain}");
    let (sts, hosts) = tokio::join!(
        dns.query_str(&sts_name, RecordType::TXT),
        mx_hosts(dns, domain)
    );
    let mut e = Enforcement {
        found: Vec::new(),
        failed: Vec::new(),
    };
    match &sts {
        Ok(a) => {
            if a.txt().iter().any(|t| t.starts_with(b"v=STSv1")) {
                e.found.push(format!("MTA-STS ({sts_name})"));
            }
        }
        Err(err) => e.failed.push(dns_error(
            "tlsrpt.record",
            &format!("the MTA-STS record at {sts_name}"),
            err,
        )),
    }
    let hosts = match hosts {
        Ok(hosts) => hosts,
        Err(err) => {
            let what = format!("the MX records of {domain} (to look for DANE)");
            e.failed.push(dns_error("tlsrpt.record", &what, &err));
            Vec::new()
        }
    };
    let tlsa: Vec<(String, Lookup)> = join_all(hosts.iter().map(|h| async move {
        let name = format!("_25._tcp.{h}");
        let answer = dns.query_str(&name, RecordType::TLSA).await;
        (name, answer)
    }))
    .await;
    for (name, lookup) in tlsa {
        match lookup {
            Ok(a) if a.data(RecordType::TLSA).next().is_some() => {
                e.found.push(format!("DANE ({name} TLSA)"))
            }
            Ok(_) => {}
            Err(err) => e.failed.push(dns_error(
                "tlsrpt.record",
                &format!("the TLSA records at {name}"),
                &err,
            )),
        }
    }
    e
}

/// The `tlsrpt.*` findings for `domain`.
pub async fn check(dns: &Dns, domain: &str) -> Vec<Finding> {
    let name = format!("_smtp._tls.{domain}");
    let (answer, enforced) = tokio::join!(
        dns.query_str(&name, RecordType::TXT),
        enforcement(dns, domain)
    );
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            return vec![dns_error(
                "tlsrpt.record",
                &format!("the TLS-RPT record at {name}"),
                &e,
            )];
        }
    };
    let texts: Vec<String> = answer
        .txt()
        .iter()
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .filter(|t| is_tlsrpt(t))
        .collect();
    let shown = |t: &str| format!("{name}. TXT \"{t}\"");
    match texts.as_slice() {
        [] => {
            if !enforced.found.is_empty() {
                return vec![
                    Finding::new(
                        "tlsrpt.record",
                        Status::Warn,
                        format!(
                            "{domain} enforces TLS for incoming mail ({}) without TLS-RPT: no v=TLSRPTv1 record at {name}, so no sender reports the deliveries that fail TLS (RFC 8460)",
                            enforced.found.join(", ")
                        ),
                    )
                    .fix(format!("publish \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\" as TXT at {name}")),
                ];
            }
            if !enforced.failed.is_empty() {
                // Whether TLS is enforced is unknown: so is the verdict.
                return enforced.failed;
            }
            vec![
                Finding::new(
                    "tlsrpt.record",
                    Status::Info,
                    format!("no v=TLSRPTv1 record at {name}: senders report no TLS failures for {domain} (RFC 8460); worth adding with MTA-STS or DANE"),
                )
                .fix(format!("publish \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\" as TXT at {name}")),
            ]
        }
        [one] => match parse(one) {
            Ok(rec) => vec![
                Finding::new(
                    "tlsrpt.record",
                    Status::Pass,
                    format!("TLS-RPT record found at {name}"),
                )
                .record(shown(one)),
                Finding::new(
                    "tlsrpt.rua",
                    Status::Pass,
                    format!("TLS reports for {domain} go to {}", rec.rua.join(", ")),
                ),
            ],
            Err(Invalid::Uri(why)) => vec![
                Finding::new(
                    "tlsrpt.rua",
                    Status::Fail,
                    format!("the TLS-RPT record at {name} is invalid: rua URI {why}; senders ignore the record (RFC 8460 3)"),
                )
                .fix("give rua= one or more mailto:ADDRESS or https://HOST/PATH URIs, separated by commas")
                .record(shown(one)),
            ],
            Err(Invalid::Syntax(why)) => vec![
                Finding::new(
                    "tlsrpt.record",
                    Status::Fail,
                    format!("the TLS-RPT record at {name} is invalid ({why}); senders ignore it (RFC 8460 3)"),
                )
                .fix(format!("publish it as \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\""))
                .record(shown(one)),
            ],
        },
        many => {
            let mut f = Finding::new(
                "tlsrpt.record",
                Status::Fail,
                format!(
                    "{} TLS-RPT records at {name}: with more than one, senders treat {domain} as not implementing TLS-RPT (RFC 8460 3)",
                    many.len()
                ),
            )
            .fix("merge them into one record: one rua= may list several URIs, separated by commas");
            f.records = many.iter().map(|t| shown(t)).collect();
            vec![f]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_rfc_8460_grammar() {
        let r = parse("v=TLSRPTv1; rua=mailto:tls@example.com").unwrap();
        assert_eq!(r.rua, vec!["mailto:tls@example.com"]);
        let r = parse("v=TLSRPTv1 ;rua=mailto:a@example.com , https://r.example.net/tls;").unwrap();
        assert_eq!(
            r.rua,
            vec!["mailto:a@example.com", "https://r.example.net/tls"]
        );
        // Extensions are allowed (RFC 8460 3, tlsrpt-extension).
        assert!(parse("v=TLSRPTv1; ext.1=x; rua=mailto:a@example.com").is_ok());
        assert!(matches!(parse("v=TLSRPTv1"), Err(Invalid::Syntax(_))));
        assert!(matches!(
            parse("v=TLSRPTv1; ext=1"),
            Err(Invalid::Syntax(_))
        ));
        assert!(matches!(
            parse("v=TLSRPTv1 rua=mailto:a@example.com"),
            Err(Invalid::Syntax(_))
        ));
        assert!(matches!(
            parse("v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com"),
            Err(Invalid::Syntax(_))
        ));
        assert!(matches!(
            parse("v=TLSRPTv1; -x=1; rua=mailto:a@example.com"),
            Err(Invalid::Syntax(_))
        ));
        assert!(matches!(
            parse("v=TLSRPTv1; rua=http://r.example.net/"),
            Err(Invalid::Uri(_))
        ));
        assert!(matches!(
            parse("v=TLSRPTv1; rua=tls@example.com"),
            Err(Invalid::Uri(_))
        ));
        assert!(matches!(
            parse("v=TLSRPTv1; rua=mailto:nobody"),
            Err(Invalid::Uri(_))
        ));
        assert!(matches!(
            parse("v=TLSRPTv1; rua=https://"),
            Err(Invalid::Uri(_))
        ));
    }

    #[test]
    fn only_records_with_the_version_and_a_delimiter_count() {
        assert!(is_tlsrpt("v=TLSRPTv1; rua=mailto:a@example.com"));
        assert!(is_tlsrpt("v=TLSRPTv1 ; rua=mailto:a@example.com"));
        assert!(!is_tlsrpt("v=TLSRPTv10; rua=mailto:a@example.com"));
        assert!(!is_tlsrpt("v=STSv1; id=1"));
    }
}
