//! `dane.*`: DANE for SMTP (RFC 7672) — the TLSA records at
//! `_25._tcp.<MX host>` of every MX host, whether their parameters suit SMTP,
//! and whether they are DNSSEC-secure (TLSA records a sender cannot validate
//! are ignored, RFC 7672 2.2).
//!
//! A domain with no TLSA records anywhere gets no `dane.*` finding unless
//! its zone is signed (then one `info`: DANE could be deployed).

use super::dns_error;
use crate::{
    dns::{Dns, parse_name},
    dnssec::{State, Trust, Validator},
    names::display_name,
    report::{Finding, Status},
};
use futures_util::future::join_all;
use hickory_resolver::proto::rr::{
    RData, RecordType,
    rdata::tlsa::{CertUsage, Matching, Selector, TLSA},
};

/// The `dane.*` findings of `domain`, whose own zone's chain is `trust`.
pub async fn check(
    dns: &Dns,
    validator: &Validator<'_>,
    domain: &str,
    trust: Option<&Trust>,
) -> Vec<Finding> {
    let signed = trust.is_some_and(|t| t.state == State::Secure);
    let Ok(mx) = dns.query_str(domain, RecordType::MX).await else {
        return Vec::new();
    };
    let mut hosts: Vec<(u16, String)> = mx
        .data(RecordType::MX)
        .filter_map(|d| match d {
            RData::MX(m) => Some((m.preference, display_name(&m.exchange))),
            _ => None,
        })
        .filter(|(_, h)| h != "." && !h.is_empty())
        .collect();
    hosts.sort();
    hosts.dedup_by(|a, b| a.1 == b.1);
    let per_host = join_all(
        hosts
            .iter()
            .map(|(_, host)| check_host(dns, validator, host, signed)),
    )
    .await;
    let mut findings = Vec::new();
    let mut without = Vec::new();
    for ((_, host), outcome) in hosts.iter().zip(per_host) {
        match outcome {
            Some(f) => findings.extend(f),
            None => without.push(host.clone()),
        }
    }
    if findings.is_empty() {
        if signed && !hosts.is_empty() {
            findings.push(Finding::new(
                "dane.tlsa",
                Status::Info,
                format!(
                    "no MX host of {domain} publishes TLSA records: DANE is not in use (the zone is signed, so it could be)"
                ),
            ));
        }
    } else if !without.is_empty() {
        findings.push(
            Finding::new(
                "dane.tlsa",
                Status::Warn,
                format!(
                    "{} of {domain} publish{} no TLSA records while other MX hosts do: mail through {} is not protected by DANE",
                    without.join(", "),
                    if without.len() == 1 { "es" } else { "" },
                    if without.len() == 1 { "it" } else { "them" },
                ),
            )
            .fix(format!(
                "publish TLSA records at {}",
                without
                    .iter()
                    .map(|h| format!("_25._tcp.{h}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
    findings
}

/// The findings for one MX host, or `None` when it has no TLSA records (or
/// their lookup failed in an unsigned domain, where it changes nothing).
async fn check_host(
    dns: &Dns,
    validator: &Validator<'_>,
    host: &str,
    signed: bool,
) -> Option<Vec<Finding>> {
    let owner = format!("_25._tcp.{host}");
    let answer = match dns.query_str(&owner, RecordType::TLSA).await {
        Ok(a) => a,
        Err(e) if signed => {
            return Some(vec![dns_error(
                "dane.tlsa",
                &format!("the TLSA records of {host} ({owner})"),
                &e,
            )]);
        }
        Err(_) => return None,
    };
    let records: Vec<&TLSA> = answer
        .data(RecordType::TLSA)
        .filter_map(|d| match d {
            RData::TLSA(t) => Some(t),
            _ => None,
        })
        .collect();
    if records.is_empty() {
        return None;
    }
    let shown: Vec<String> = records
        .iter()
        .map(|t| format!("{owner}. TLSA {t}"))
        .collect();
    let mut findings = vec![usage_finding(host, &records, &shown)];
    let name = parse_name(&owner).ok()?;
    let (trust, checked) = validator.rrset(&name, RecordType::TLSA).await;
    let zone = display_name(&trust.zone);
    let mut f = match checked.state {
        State::Secure => Finding::new(
            "dane.dnssec",
            Status::Pass,
            format!("{} (secure)", checked.why),
        ),
        State::Insecure => Finding::new(
            "dane.dnssec",
            Status::Fail,
            format!(
                "the TLSA records of {host} are in an unsigned zone, and senders ignore TLSA records they cannot validate (RFC 7672 2.2); insecure: {}",
                checked.why
            ),
        )
        .fix(format!(
            "sign the zone of {host} and publish its DS at the parent, or remove the TLSA records"
        )),
        State::Bogus => Finding::new(
            "dane.dnssec",
            Status::Fail,
            format!(
                "the TLSA records of {host} do not validate (bogus): {}; validating senders cannot look them up and defer mail to {host} (RFC 7672 2.1.1)",
                checked.why
            ),
        )
        .fix(format!("re-sign the zone {zone} and check its DS records at the parent")),
        State::Indeterminate => Finding::new(
            "dane.dnssec",
            Status::Warn,
            format!(
                "the TLSA records of {host} could not be validated (indeterminate): {}",
                checked.why
            ),
        )
        .fix(
            "check from a DNS source that serves the chain of trust with its signatures (a \
             resolver that passes on DNSSEC records), or name the zone's anchor with --trust-anchor",
        ),
    };
    f.records = shown;
    findings.push(f);
    Some(findings)
}

/// What is wrong with one TLSA record for SMTP, with how bad it is; `None`
/// when it is a usable DANE-EE or DANE-TA record (RFC 7672 3.1).
pub fn problem(t: &TLSA) -> Option<(Status, String)> {
    let usage = u8::from(t.cert_usage);
    let selector = u8::from(t.selector);
    let matching = u8::from(t.matching);
    let params = format!("{usage} {selector} {matching}");
    match t.cert_usage {
        CertUsage::DaneEe | CertUsage::DaneTa => {}
        CertUsage::PkixTa | CertUsage::PkixEe => {
            return Some((
                Status::Warn,
                format!(
                    "TLSA {params}: usage {usage} ({}) is not used for SMTP; senders treat the record as unusable (RFC 7672 3.1.3)",
                    if usage == 0 { "PKIX-TA" } else { "PKIX-EE" }
                ),
            ));
        }
        _ => {
            return Some((
                Status::Fail,
                format!("TLSA {params}: certificate usage {usage} is not defined (RFC 6698 7.2)"),
            ));
        }
    }
    if !matches!(t.selector, Selector::Full | Selector::Spki) {
        return Some((
            Status::Fail,
            format!(
                "TLSA {params}: selector {selector} is not defined (0 full certificate, 1 public key; RFC 6698 2.1.2)"
            ),
        ));
    }
    let want = match t.matching {
        Matching::Raw => None,
        Matching::Sha256 => Some(32),
        Matching::Sha512 => Some(64),
        _ => {
            return Some((
                Status::Fail,
                format!(
                    "TLSA {params}: matching type {matching} is not defined (0 exact, 1 SHA-256, 2 SHA-512; RFC 6698 2.1.3)"
                ),
            ));
        }
    };
    match want {
        Some(len) if t.cert_data.len() != len => Some((
            Status::Fail,
            format!(
                "TLSA {params}: the association data is {} bytes; a {} digest is {len}",
                t.cert_data.len(),
                if len == 32 { "SHA-256" } else { "SHA-512" }
            ),
        )),
        None if t.cert_data.is_empty() => Some((
            Status::Fail,
            format!("TLSA {params}: the association data is empty"),
        )),
        _ => None,
    }
}

fn usage_finding(host: &str, records: &[&TLSA], shown: &[String]) -> Finding {
    let problems: Vec<(Status, String)> = records.iter().filter_map(|t| problem(t)).collect();
    let usable = records.len() - problems.len();
    let mut f = if problems.is_empty() {
        let params: Vec<String> = records
            .iter()
            .map(|t| {
                format!(
                    "{} {} {}",
                    u8::from(t.cert_usage),
                    u8::from(t.selector),
                    u8::from(t.matching)
                )
            })
            .collect();
        Finding::new(
            "dane.tlsa",
            Status::Pass,
            format!(
                "{host} publishes {} TLSA record{} suited to SMTP ({})",
                records.len(),
                if records.len() == 1 { "" } else { "s" },
                params.join(", ")
            ),
        )
    } else if usable == 0 {
        // Only PKIX usages: a warning (RFC 7672 3.1.3); undefined values fail.
        let worst = problems.iter().map(|p| p.0).max().unwrap_or(Status::Fail);
        Finding::new(
            "dane.tlsa",
            worst,
            format!(
                "{host} has no usable TLSA record: {}; senders fall back to unauthenticated TLS",
                problems
                    .iter()
                    .map(|p| p.1.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
    } else {
        let worst = problems.iter().map(|p| p.0).max().unwrap_or(Status::Warn);
        Finding::new(
            "dane.tlsa",
            worst.min(Status::Warn),
            format!(
                "{host}: {} (the other {usable} record{} usable)",
                problems
                    .iter()
                    .map(|p| p.1.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                if usable == 1 { " is" } else { "s are" }
            ),
        )
    };
    f.records = shown.to_vec();
    f
}

/// The usable TLSA records at `_PORT._tcp.HOST` (RFC 7672 3.1: DANE-TA and
/// DANE-EE with defined selector and matching), for matching against the
/// certificate `mailcheck smtp` is shown; empty when there are none or the
/// lookup fails (a failure is `dane.tlsa`'s to report, in `mailcheck domain`).
pub async fn tlsa_for_smtp(dns: &Dns, host: &str, port: u16) -> Vec<TLSA> {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Vec::new();
    }
    let owner = format!("_{port}._tcp.{}", host.trim_end_matches('.'));
    match dns.query_str(&owner, RecordType::TLSA).await {
        Ok(answer) => answer
            .data(RecordType::TLSA)
            .filter_map(|d| match d {
                RData::TLSA(t) if problem(t).is_none() => Some(t.clone()),
                _ => None,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The part of `cert` (DER) a TLSA selector names: the whole certificate
/// (0) or its SubjectPublicKeyInfo (1) (RFC 6698 2.1.2).
fn selected(cert: &[u8], selector: Selector) -> Option<Vec<u8>> {
    match selector {
        Selector::Full => Some(cert.to_vec()),
        Selector::Spki => {
            let (_, parsed) = x509_parser::parse_x509_certificate(cert).ok()?;
            Some(parsed.tbs_certificate.subject_pki.raw.to_vec())
        }
        _ => None,
    }
}

/// Whether `cert` (DER) matches the association data of `t` (RFC 6698 2.1.3).
pub fn matches(t: &TLSA, cert: &[u8]) -> bool {
    use sha2::Digest;
    let Some(data) = selected(cert, t.selector) else {
        return false;
    };
    match t.matching {
        Matching::Raw => data == t.cert_data,
        Matching::Sha256 => sha2::Sha256::digest(&data).as_slice() == t.cert_data.as_slice(),
        Matching::Sha512 => sha2::Sha512::digest(&data).as_slice() == t.cert_data.as_slice(),
        _ => false,
    }
}

/// The `dane.match` finding: whether the certificate chain `at` presented
/// matches one of the usable TLSA records (RFC 7672 3.1): DANE-EE (3)
/// against the leaf, DANE-TA (2) against a CA certificate the server sent.
/// For DANE-TA, mailcheck does not check that the leaf chains to the
/// matching CA, nor the name in the leaf (RFC 7672 3.2.2); for DANE-EE no
/// name or date check applies (RFC 7672 3.1.1).
pub fn match_finding(at: &str, tlsa: &[TLSA], chain: &[Vec<u8>]) -> Finding {
    let shown = |t: &TLSA| {
        format!(
            "{} {} {}",
            u8::from(t.cert_usage),
            u8::from(t.selector),
            u8::from(t.matching)
        )
    };
    let hit = tlsa.iter().find_map(|t| match t.cert_usage {
        CertUsage::DaneEe => chain
            .first()
            .filter(|leaf| matches(t, leaf))
            .map(|_| format!("the server's certificate matches TLSA {}", shown(t))),
        CertUsage::DaneTa => chain.iter().skip(1).position(|ca| matches(t, ca)).map(|i| {
            format!(
                "certificate {} of the chain the server sent matches TLSA {} (a trust anchor; mailcheck does not check the chain to it or the name in the leaf)",
                i + 2,
                shown(t)
            )
        }),
        _ => None,
    });
    let records: Vec<String> = tlsa.iter().map(|t| format!("TLSA {t}")).collect();
    let mut f = match hit {
        Some(how) => Finding::new("dane.match", Status::Pass, format!("{at}: {how}")),
        None => Finding::new(
            "dane.match",
            Status::Fail,
            format!(
                "{at}: the certificate the server presented matches none of its {} usable TLSA record{} ({}): senders that use DANE will not deliver to it",
                tlsa.len(),
                if tlsa.len() == 1 { "" } else { "s" },
                tlsa.iter().map(shown).collect::<Vec<_>>().join(", ")
            ),
        ),
    };
    f.records = records;
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlsa(usage: u8, selector: u8, matching: u8, len: usize) -> TLSA {
        TLSA::new(
            CertUsage::from(usage),
            Selector::from(selector),
            Matching::from(matching),
            vec![7; len],
        )
    }

    #[test]
    fn smtp_takes_dane_ee_and_dane_ta_and_warns_on_pkix_usages() {
        // RFC 7672 3.1: DANE-EE and DANE-TA with any defined selector and matching.
        for usage in [2, 3] {
            for selector in [0, 1] {
                assert_eq!(problem(&tlsa(usage, selector, 1, 32)), None);
                assert_eq!(problem(&tlsa(usage, selector, 2, 64)), None);
                assert_eq!(problem(&tlsa(usage, selector, 0, 300)), None);
            }
        }
        // RFC 7672 3.1.3: PKIX-TA and PKIX-EE are unusable for SMTP.
        for usage in [0, 1] {
            let (status, why) = problem(&tlsa(usage, 1, 1, 32)).unwrap();
            assert_eq!(status, Status::Warn);
            assert!(why.contains("3.1.3"), "{why}");
        }
    }

    #[test]
    fn undefined_values_and_wrong_digest_lengths_fail() {
        for (t, word) in [
            (tlsa(4, 1, 1, 32), "usage 4"),
            (tlsa(3, 2, 1, 32), "selector 2"),
            (tlsa(3, 1, 3, 32), "matching type 3"),
            (tlsa(3, 1, 1, 31), "31 bytes"),
            (tlsa(3, 1, 2, 32), "SHA-512 digest is 64"),
            (tlsa(3, 1, 0, 0), "empty"),
        ] {
            let (status, why) = problem(&t).unwrap();
            assert_eq!(status, Status::Fail, "{t}");
            assert!(why.contains(word), "{t}: {why}");
        }
    }

    #[test]
    fn the_usage_finding_weighs_usable_records_against_the_rest() {
        let shown = |r: &[&TLSA]| r.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        let good = tlsa(3, 1, 1, 32);
        let pkix = tlsa(1, 1, 1, 32);
        let broken = tlsa(9, 1, 1, 32);
        let f = usage_finding("mx", &[&good], &shown(&[&good]));
        assert_eq!(f.status, Status::Pass);
        // One usable record beside broken ones: a warning, never a failure.
        let f = usage_finding("mx", &[&good, &broken], &shown(&[&good, &broken]));
        assert_eq!(f.status, Status::Warn, "{}", f.message);
        // Only PKIX usages: a warning; only undefined values: a failure.
        assert_eq!(usage_finding("mx", &[&pkix], &[]).status, Status::Warn);
        assert_eq!(usage_finding("mx", &[&broken], &[]).status, Status::Fail);
    }

    #[test]
    fn matching_uses_the_selected_part_and_digest() {
        use sha2::Digest;
        let cert = b"not a certificate".to_vec();
        let full_sha256 = sha2::Sha256::digest(&cert).to_vec();
        let t = TLSA::new(
            CertUsage::DaneEe,
            Selector::Full,
            Matching::Sha256,
            full_sha256,
        );
        assert!(matches(&t, &cert));
        let exact = TLSA::new(
            CertUsage::DaneEe,
            Selector::Full,
            Matching::Raw,
            cert.clone(),
        );
        assert!(matches(&exact, &cert));
        assert!(!matches(&exact, b"another"));
        // Selector 1 needs a parseable certificate for its public key.
        let spki = TLSA::new(
            CertUsage::DaneEe,
            Selector::Spki,
            Matching::Raw,
            cert.clone(),
        );
        assert!(!matches(&spki, &cert));
    }
}
