//! DKIM key records (RFC 6376 3.6.1) at `<selector>._domainkey.<domain>`:
//! present, parseable by mail-auth (as a verifier would), key type and RSA
//! size (read from `p=` with the rsa crate), testing flag, revoked keys, and
//! keys delegated by CNAME (as SES and Microsoft 365 publish them).

use super::dns_error;
use crate::{
    dns::Dns,
    names,
    report::{Finding, Status},
};
use base64::Engine;
use futures_util::future::join_all;
use hickory_resolver::proto::rr::RecordType;
use mail_auth::{dkim::DomainKey, dns::TxtRecordParser};

/// Selectors tried when none is given: those of the large mail providers and
/// the defaults of common signing software.
pub const COMMON_SELECTORS: &[&str] = &[
    "default",
    "dkim",
    "mail",
    "s1",
    "s2",
    "k1",
    "k2",
    "k3",
    "google",
    "selector1",
    "selector2",
    "smtp",
    "key1",
    "key2",
    "mx",
    "email",
    "dkim1",
    "mandrill",
    "everlytickey1",
    "zoho",
    "pm",
    "sig1",
    "mxvault",
];

/// The public key of a DKIM record, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyInfo {
    /// An RSA key of this many bits.
    Rsa(usize),
    /// An Ed25519 key (RFC 8463).
    Ed25519,
    /// `p=` is empty: the key was revoked.
    Revoked,
    /// The key could not be decoded.
    Invalid(String),
}

/// The tags of a DKIM key record, as published.
#[derive(Debug, Clone, Default)]
pub struct KeyRecord {
    /// The record text.
    pub text: String,
    /// `k=` (default rsa).
    pub key_type: String,
    /// `t=` flags.
    pub flags: Vec<String>,
    /// `h=` acceptable hashes, if restricted.
    pub hashes: Option<String>,
    /// `p=`, whitespace removed.
    pub public_key: String,
}

/// Parse the tag list of a key record (RFC 6376 3.2), leniently.
pub fn parse_key_record(text: &str) -> KeyRecord {
    let mut rec = KeyRecord {
        text: text.to_string(),
        key_type: "rsa".into(),
        ..KeyRecord::default()
    };
    for tag in text.split(';') {
        let Some((name, value)) = tag.split_once('=') else {
            continue;
        };
        let value: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        match name.trim() {
            "k" => rec.key_type = value.to_ascii_lowercase(),
            "t" => rec.flags = value.split(':').map(|s| s.to_ascii_lowercase()).collect(),
            "h" => rec.hashes = Some(value),
            "p" => rec.public_key = value,
            _ => {}
        }
    }
    rec
}

/// Decode `p=` and read the key's type and size.
pub fn key_info(rec: &KeyRecord) -> KeyInfo {
    if rec.public_key.is_empty() {
        return KeyInfo::Revoked;
    }
    let der = match base64::engine::general_purpose::STANDARD.decode(&rec.public_key) {
        Ok(d) => d,
        Err(e) => return KeyInfo::Invalid(format!("p= is not valid base64 ({e})")),
    };
    match rec.key_type.as_str() {
        "rsa" => match rsa_modulus_bits(&der) {
            Some(bits) => KeyInfo::Rsa(bits),
            None => KeyInfo::Invalid("p= does not hold an RSA public key".into()),
        },
        "ed25519" => {
            if der.len() == 32 {
                KeyInfo::Ed25519
            } else {
                KeyInfo::Invalid(format!(
                    "an Ed25519 key is 32 bytes, p= holds {}",
                    der.len()
                ))
            }
        }
        other => KeyInfo::Invalid(format!("unknown key type k={other}")),
    }
}

/// The size of an RSA public key given as SubjectPublicKeyInfo or PKCS#1 DER.
/// Read from the DER structure itself, so keys of any size (16,384 bits and
/// beyond, which the rsa crate refuses to load) are measured too.
fn rsa_modulus_bits(der: &[u8]) -> Option<usize> {
    use rsa::pkcs1::der::Decode;
    let pkcs1 = match rsa::pkcs8::spki::SubjectPublicKeyInfoRef::from_der(der) {
        Ok(spki) => spki.subject_public_key.raw_bytes().to_vec(),
        Err(_) => der.to_vec(),
    };
    let key = rsa::pkcs1::RsaPublicKey::from_der(&pkcs1).ok()?;
    let modulus = key.modulus.as_bytes();
    let first = modulus.iter().position(|b| *b != 0)?;
    let bits = (modulus.len() - first) * 8 - modulus[first].leading_zeros() as usize;
    Some(bits)
}

/// Check the given selectors, or the common ones when none is given.
pub async fn check(dns: &Dns, domain: &str, selectors: &[String]) -> Vec<Finding> {
    probe(dns, domain, selectors).await.findings()
}

/// What one selector's lookup found.
#[derive(Debug, Clone)]
struct Probed {
    selector: String,
    /// `None` when an unnamed selector does not exist.
    findings: Option<Vec<Finding>>,
    /// Where the selector's name is delegated by CNAME, if it is.
    target: Option<String>,
}

/// The selectors tried so far for one domain, before their findings are
/// summed up: `mailcheck domain` adds the selectors of the mail providers
/// it detects ([`Probe::extend`]) before reporting.
#[derive(Debug, Clone)]
pub struct Probe {
    named: bool,
    probed: Vec<Probed>,
}

/// Look up the given selectors, or the common ones when none is given.
pub async fn probe(dns: &Dns, domain: &str, selectors: &[String]) -> Probe {
    let named = !selectors.is_empty();
    let list: Vec<String> = if named {
        selectors.to_vec()
    } else {
        COMMON_SELECTORS.iter().map(|s| s.to_string()).collect()
    };
    let mut probe = Probe {
        named,
        probed: Vec::new(),
    };
    probe.look_up(dns, domain, &list, named).await;
    probe
}

impl Probe {
    async fn look_up(&mut self, dns: &Dns, domain: &str, list: &[String], named: bool) {
        let results = join_all(list.iter().map(|s| check_selector(dns, domain, s, named))).await;
        for (sel, (findings, target)) in list.iter().zip(results) {
            self.probed.push(Probed {
                selector: sel.clone(),
                findings,
                target,
            });
        }
    }

    /// Also try `extra` selectors (a detected provider's) that were not
    /// tried yet; like the common ones, a selector that does not exist
    /// adds nothing.
    pub async fn extend(&mut self, dns: &Dns, domain: &str, extra: &[String]) {
        let new: Vec<String> = extra
            .iter()
            .filter(|s| {
                !self
                    .probed
                    .iter()
                    .any(|p| p.selector.eq_ignore_ascii_case(s))
            })
            .cloned()
            .collect();
        self.look_up(dns, domain, &new, false).await;
    }

    /// Every selector tried, with the CNAME target its name is delegated
    /// to (if it is) and whether a key was found there.
    pub fn seen(&self) -> impl Iterator<Item = (&str, Option<&str>, bool)> {
        self.probed.iter().map(|p| {
            (
                p.selector.as_str(),
                p.target.as_deref(),
                p.findings.as_ref().is_some_and(|f| {
                    f.iter()
                        .any(|f| f.name == "dkim.selector" && f.status == Status::Pass)
                }),
            )
        })
    }

    /// Whether the lookup of `selector` failed (DNS did not answer): what
    /// is there is unknown.
    pub fn failed(&self, selector: &str) -> bool {
        self.probed.iter().any(|p| {
            p.selector == selector
                && p.findings
                    .as_ref()
                    .is_some_and(|f| f.iter().any(|f| f.status == Status::Error))
        })
    }

    /// The findings of every selector tried, and, when none was named and
    /// none has a key, a warning that says which were tried.
    pub fn findings(self) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut found = 0;
        let list: Vec<String> = self.probed.iter().map(|p| p.selector.clone()).collect();
        for p in self.probed {
            if let Some(r) = p.findings {
                if !r.is_empty() {
                    found += 1;
                }
                findings.extend(r);
            }
        }
        if !self.named && found == 0 && !findings.iter().any(|f| f.status == Status::Error) {
            findings.push(
                Finding::new(
                    "dkim.selector",
                    Status::Warn,
                    format!(
                        "no DKIM key found at {} common selectors ({}); selectors cannot be listed from DNS",
                        list.len(),
                        list.join(", ")
                    ),
                )
                .fix("name the selector your mail is signed with: --selector S (the s= tag of a DKIM-Signature header)"),
            );
        }
        findings
    }
}

/// Findings for one selector (`None`, or empty, when an unnamed selector
/// does not exist), and the CNAME target its name is delegated to.
async fn check_selector(
    dns: &Dns,
    domain: &str,
    selector: &str,
    named: bool,
) -> (Option<Vec<Finding>>, Option<String>) {
    let name = names::dkim_key_name(selector, domain);
    let answer = dns.query_str(&name, RecordType::TXT).await;
    let target = answer
        .as_ref()
        .ok()
        .and_then(|a| a.cname_chain().first().map(|(_, t)| t.clone()));
    (
        selector_findings(&name, answer, domain, selector, named),
        target,
    )
}

/// The findings for the answer to one selector's lookup.
fn selector_findings(
    name: &str,
    answer: crate::dns::Lookup,
    domain: &str,
    selector: &str,
    named: bool,
) -> Option<Vec<Finding>> {
    let name = name.to_string();
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            return Some(vec![dns_error(
                "dkim.selector",
                &format!("the DKIM key at {name}"),
                &e,
            )]);
        }
    };
    let texts: Vec<String> = answer
        .txt()
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect();
    let keys: Vec<&String> = texts
        .iter()
        .filter(|t| t.contains("p=") || t.trim_start().starts_with("v=DKIM1"))
        .collect();
    let chain = answer.cname_chain();
    if keys.is_empty()
        && let Some((_, target)) = chain.last()
    {
        // A dangling delegation: the selector is a CNAME (as SES and
        // Microsoft 365 have them published) whose target holds no key.
        let why = match answer.rcode {
            crate::dns::Rcode::NxDomain => "no such name",
            crate::dns::Rcode::NoError => "no TXT record there",
        };
        let mut finding = Finding::new(
            "dkim.selector",
            if named { Status::Fail } else { Status::Warn },
            format!(
                "no DKIM key for selector {selector}: {name} \u{2192} {target}: {why}; signatures with s={selector} d={domain} fail with permerror (key not found)"
            ),
        )
        .fix(format!(
            "publish the key at {target} (ask the provider the CNAME points to), or correct the CNAME at {name}"
        ));
        finding.records = answer.cname_lines();
        return Some(vec![finding]);
    }
    if keys.is_empty() {
        if !named {
            return None;
        }
        return Some(vec![
            Finding::new(
                "dkim.selector",
                Status::Fail,
                format!("no DKIM key at {name}: signatures with s={selector} d={domain} fail with permerror (key not found)"),
            )
            .fix(format!("publish the selector's public key as a TXT record at {name} (mailcheck dkim keygen prints it)")),
        ]);
    }
    let mut findings = Vec::new();
    // The key is shown under the name that holds it, after the CNAMEs
    // that lead there.
    let owner = answer
        .owner(RecordType::TXT)
        .unwrap_or_else(|| name.clone());
    let shown = |t: &str| format!("{owner}. TXT \"{t}\"");
    let mut first = Finding::new(
        "dkim.selector",
        Status::Pass,
        format!("DKIM key found for selector {selector}"),
    );
    first.records = answer.cname_lines();
    first.records.push(shown(keys[0]));
    if let Some((_, target)) = chain.last() {
        first.message =
            format!("DKIM key found for selector {selector} (delegated by CNAME to {target})");
    }
    findings.push(first);
    if keys.len() > 1 {
        findings.push(Finding::new(
            "dkim.key",
            Status::Warn,
            format!(
                "{name} has {} DKIM key records; verifiers use one of them unpredictably",
                keys.len()
            ),
        ));
    }
    let rec = parse_key_record(keys[0]);
    if let Err(e) = DomainKey::parse(keys[0].as_bytes()) {
        // A revoked key does not parse either; say so in the revoked finding below.
        if !rec.public_key.is_empty() {
            findings.push(
                Finding::new(
                    "dkim.key",
                    Status::Fail,
                    format!("the key record at {name} does not parse ({e}): every signature with s={selector} fails"),
                ),
            );
            return Some(findings);
        }
    }
    match key_info(&rec) {
        KeyInfo::Revoked => findings.push(
            Finding::new(
                "dkim.revoked",
                if named { Status::Fail } else { Status::Warn },
                format!("the key for selector {selector} is revoked (empty p=): signatures with s={selector} fail"),
            )
            .fix(format!("if mail is still signed with s={selector}, publish a new key and sign with it")),
        ),
        KeyInfo::Invalid(why) => findings.push(
            Finding::new(
                "dkim.key",
                Status::Fail,
                format!("the key for selector {selector} cannot be used: {why}"),
            ),
        ),
        KeyInfo::Ed25519 => findings.push(Finding::new(
            "dkim.key-size",
            Status::Pass,
            format!("selector {selector}: Ed25519 key (RFC 8463)"),
        )),
        KeyInfo::Rsa(bits) => findings.push(if bits < 1024 {
            Finding::new(
                "dkim.key-size",
                Status::Fail,
                format!("selector {selector}: RSA key of {bits} bits; verifiers reject keys under 1024 bits (RFC 8301 3.2)"),
            )
        } else if bits < 2048 {
            Finding::new(
                "dkim.key-size",
                Status::Warn,
                format!("selector {selector}: RSA key of {bits} bits; 2048 bits is the current minimum recommendation"),
            )
        } else {
            Finding::new(
                "dkim.key-size",
                Status::Pass,
                format!("selector {selector}: RSA key of {bits} bits"),
            )
        }),
    }
    if rec.flags.iter().any(|f| f == "y") {
        findings.push(
            Finding::new(
                "dkim.testing",
                Status::Warn,
                format!("the key for selector {selector} has t=y (testing): verifiers may treat its signatures as unsigned"),
            ),
        );
    }
    Some(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_and_revoked_keys() {
        let r = parse_key_record("v=DKIM1; k=ed25519; t=y:s; p=");
        assert_eq!(r.key_type, "ed25519");
        assert_eq!(r.flags, vec!["y", "s"]);
        assert_eq!(key_info(&r), KeyInfo::Revoked);
        let bad = parse_key_record("v=DKIM1; p=!!!");
        assert!(matches!(key_info(&bad), KeyInfo::Invalid(_)));
    }
}
