//! `mailcheck verify`: what a receiver would conclude about a message from
//! an IP. Every DKIM signature, SPF for the MAIL FROM (or HELO) identity,
//! ARC, DMARC alignment and the disposition, all evaluated by mail-auth over
//! the same DNS layer as the rest of mailcheck; mailcheck adds the words
//! (why a signature failed, which mechanism matched, which record applied).

pub mod input;

use crate::{
    check::{
        dkim::{KeyInfo, key_info, parse_key_record},
        dmarc::{self, Discovery},
        spf::result_word,
    },
    dns::Dns,
    report::Status,
};
use futures_util::future::join_all;
use hickory_resolver::proto::rr::RecordType;
use mail_auth::{
    AuthenticatedMessage, AuthenticationResults, DkimOutput, DkimResult, DmarcResult, Error,
    Parameters, SpfOutput,
    crypto::{Algorithm, CryptoError},
    dkim::{Canonicalization, DkimError},
    dmarc::{Policy, verify::DmarcParameters},
    spf::verify::SpfParameters,
};
use std::net::IpAddr;

/// The connection a message is verified as having arrived on.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The sending IP.
    pub ip: IpAddr,
    /// The HELO/EHLO name.
    pub helo: Option<String>,
    /// The MAIL FROM address; when absent, the message's Return-Path.
    pub mail_from: Option<String>,
    /// The receiver's name in Authentication-Results (RFC 8601 authserv-id).
    pub authserv_id: String,
}

/// One DKIM-Signature and what became of it.
#[derive(Debug, Clone)]
pub struct SignatureVerdict {
    /// `pass`, `fail`, `neutral`, `none`, `temperror` or `permerror`.
    pub result: &'static str,
    /// `d=`.
    pub domain: Option<String>,
    /// `s=`.
    pub selector: Option<String>,
    /// `a=`.
    pub algorithm: Option<&'static str>,
    /// `c=` as `header/body`.
    pub canonicalization: Option<String>,
    /// Why it did not pass, in words.
    pub reason: Option<String>,
    /// Facts worth knowing even when it passed (weak key, testing key, l=, rsa-sha1).
    pub notes: Vec<String>,
    /// The key's size in bits (RSA) when the key was found.
    pub key_bits: Option<usize>,
    /// `rsa` or `ed25519`, when the key was found.
    pub key_type: Option<String>,
}

/// SPF for the message.
#[derive(Debug, Clone)]
pub struct SpfVerdict {
    /// The RFC 7208 result word.
    pub result: &'static str,
    /// The domain whose record was evaluated.
    pub domain: Option<String>,
    /// `mailfrom` or `helo` (or null when there was no identity to check).
    pub identity: Option<&'static str>,
    /// The directive that matched, as written.
    pub mechanism: Option<String>,
    /// The domain whose record holds that directive.
    pub mechanism_domain: Option<String>,
}

/// DMARC for the message.
#[derive(Debug, Clone)]
pub struct DmarcVerdict {
    /// `pass`, `fail`, `none`, `temperror` or `permerror`.
    pub result: &'static str,
    /// The published policy that applies (`p`, `sp` or `np`), before `t=y`.
    pub policy: Option<&'static str>,
    /// Which tag the policy came from.
    pub policy_tag: Option<&'static str>,
    /// What a receiver applying the policy does.
    pub disposition: &'static str,
    /// SPF passed for a domain aligned with the From domain.
    pub spf_aligned: bool,
    /// A DKIM signature passed for a domain aligned with the From domain.
    pub dkim_aligned: bool,
    /// `t=y`.
    pub testing: bool,
    /// A legacy `pct` below 100.
    pub pct: Option<u8>,
    /// The domain whose `_dmarc` record applied.
    pub record_domain: Option<String>,
    /// That record's text.
    pub record: Option<String>,
    /// The organizational domain (RFC 9989 4.10.2).
    pub organizational_domain: Option<String>,
    /// `adkim` and `aspf`: `r` or `s`.
    pub adkim: &'static str,
    /// See `adkim`.
    pub aspf: &'static str,
}

/// ARC, when the message carries ARC headers.
#[derive(Debug, Clone)]
pub struct ArcVerdict {
    /// The chain's validation result.
    pub result: &'static str,
    /// How many ARC sets the chain has.
    pub instances: usize,
    /// Why it did not pass.
    pub reason: Option<String>,
}

/// Everything `mailcheck verify` says about one message.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// The message as named by the user.
    pub message: String,
    /// The RFC 5322 From domain.
    pub from_domain: String,
    /// SPF.
    pub spf: SpfVerdict,
    /// One entry per DKIM-Signature, in header order.
    pub dkim: Vec<SignatureVerdict>,
    /// DMARC.
    pub dmarc: DmarcVerdict,
    /// ARC, when present.
    pub arc: Option<ArcVerdict>,
    /// The Authentication-Results header a receiver would add (value only).
    pub authentication_results: String,
}

impl VerifyReport {
    /// The report for a message the run's `--deadline` cut short: every
    /// evaluation is temperror, so the status is error (exit 3).
    pub fn unfinished(label: &str) -> VerifyReport {
        VerifyReport {
            message: label.to_string(),
            from_domain: String::new(),
            spf: SpfVerdict {
                result: "temperror",
                domain: None,
                identity: None,
                mechanism: None,
                mechanism_domain: None,
            },
            dkim: Vec::new(),
            dmarc: DmarcVerdict {
                result: "temperror",
                policy: None,
                policy_tag: None,
                disposition: "none",
                spf_aligned: false,
                dkim_aligned: false,
                testing: false,
                pct: None,
                record_domain: None,
                record: None,
                organizational_domain: None,
                adkim: "r",
                aspf: "r",
            },
            arc: None,
            // Nothing was concluded, so there is nothing a receiver would record.
            authentication_results: String::new(),
        }
    }

    /// Would a receiver accept it: DMARC passes or, with no DMARC record, an
    /// aligned SPF or DKIM pass exists.
    pub fn passes(&self) -> bool {
        self.dmarc.result == "pass"
            || (self.dmarc.policy.is_none()
                && self.dmarc.result == "none"
                && (self.dmarc.spf_aligned || self.dmarc.dkim_aligned))
    }

    /// A DNS failure kept some check from completing.
    pub fn inconclusive(&self) -> bool {
        self.spf.result == "temperror"
            || self.dmarc.result == "temperror"
            || self.dkim.iter().any(|d| d.result == "temperror")
    }

    /// The overall status: pass, error (inconclusive) or fail.
    pub fn status(&self) -> Status {
        if self.passes() {
            Status::Pass
        } else if self.inconclusive() {
            Status::Error
        } else {
            Status::Fail
        }
    }
}

fn dkim_word(r: &DkimResult) -> &'static str {
    match r {
        DkimResult::Pass => "pass",
        DkimResult::Neutral(_) => "neutral",
        DkimResult::Fail(_) => "fail",
        DkimResult::PermError(_) => "permerror",
        DkimResult::TempError(_) => "temperror",
        DkimResult::None => "none",
    }
}

fn dmarc_word(r: &DmarcResult) -> &'static str {
    match r {
        DmarcResult::Pass => "pass",
        DmarcResult::Fail(_) => "fail",
        DmarcResult::TempError(_) => "temperror",
        DmarcResult::PermError(_) => "permerror",
        DmarcResult::None => "none",
    }
}

fn algorithm_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::RsaSha256 => "rsa-sha256",
        Algorithm::RsaSha1 => "rsa-sha1",
        Algorithm::Ed25519Sha256 => "ed25519-sha256",
        Algorithm::MlDsa44 => "mldsa44",
    }
}

fn canon_name(c: Canonicalization) -> &'static str {
    match c {
        Canonicalization::Relaxed => "relaxed",
        Canonicalization::Simple => "simple",
    }
}

fn policy_word(p: Policy) -> &'static str {
    match p {
        Policy::Reject => "reject",
        Policy::Quarantine => "quarantine",
        Policy::None | Policy::Unspecified => "none",
    }
}

/// In words, why a signature did not pass.
fn dkim_reason(result: &DkimResult, name: &str) -> Option<String> {
    let err = match result {
        DkimResult::Pass | DkimResult::None => return None,
        DkimResult::Neutral(e)
        | DkimResult::Fail(e)
        | DkimResult::PermError(e)
        | DkimResult::TempError(e) => e,
    };
    Some(match err {
        Error::Dkim(DkimError::BodyHashMismatch) => {
            "body hash does not match: the body changed after signing".into()
        }
        Error::Crypto(CryptoError::FailedVerification) => {
            "signature does not verify: a signed header changed after signing (or the key in DNS is not the signing key)".into()
        }
        Error::Dkim(DkimError::SignatureExpired) => "the signature has expired (x= is in the past)".into(),
        Error::Dkim(DkimError::AuidMismatch) => "i= is not d= or a subdomain of it (RFC 6376 3.5)".into(),
        Error::Dkim(DkimError::PublicKeyRevoked) => format!("the key at {name} is revoked (empty p=)"),
        Error::Dkim(DkimError::BodyLengthTag) => {
            "the signature has an l= body length: content could be appended after signing, so it is not trusted (RFC 6376 8.2)".into()
        }
        Error::Dkim(DkimError::UnsupportedAlgorithm) => "unsupported signing algorithm".into(),
        Error::Dkim(DkimError::UnsupportedKeyType) | Error::Crypto(CryptoError::IncompatibleAlgorithms) => {
            format!("the key at {name} is of the wrong type for the signature's algorithm")
        }
        Error::Crypto(CryptoError::MalformedPublicKey) => format!("the key at {name} cannot be decoded"),
        Error::Dns(mail_auth::DnsError::RecordNotFound(_)) | Error::Dns(mail_auth::DnsError::InvalidRecordType) => {
            format!("no DKIM key at {name} (key not found)")
        }
        Error::Dns(mail_auth::DnsError::Resolver(e)) => format!("could not fetch the key at {name}: {e}"),
        Error::Parse | Error::Base64 => "the DKIM-Signature header is malformed".into(),
        other => other.to_string(),
    })
}

/// The key found at a signature's selector, read with our own DNS layer so
/// the report can give its type and size (mail-auth does not expose them).
struct KeyFacts {
    bits: Option<usize>,
    key_type: Option<String>,
    testing: bool,
}

async fn key_facts(dns: &Dns, name: &str) -> Option<KeyFacts> {
    let answer = dns.query_str(name, RecordType::TXT).await.ok()?;
    let text = answer
        .txt()
        .into_iter()
        .map(|r| String::from_utf8_lossy(&r).into_owned())
        .find(|t| t.contains("p="))?;
    let rec = parse_key_record(&text);
    let (bits, key_type) = match key_info(&rec) {
        KeyInfo::Rsa(b) => (Some(b), Some("rsa".to_string())),
        KeyInfo::Ed25519 => (None, Some("ed25519".to_string())),
        _ => (None, Some(rec.key_type.clone())),
    };
    Some(KeyFacts {
        bits,
        key_type,
        testing: rec.flags.iter().any(|f| f == "y"),
    })
}

/// Verify one message as a receiver would.
pub async fn verify(
    dns: &Dns,
    message: &input::Message,
    envelope: &Envelope,
) -> Result<VerifyReport, String> {
    let label = &message.label;
    let parsed = AuthenticatedMessage::parse(&message.bytes).ok_or_else(|| {
        format!("{label}: not an RFC 5322 message (no header fields could be parsed)")
    })?;
    let from = parsed.first_from_address().to_string();
    let from_domain = match from.rsplit_once('@') {
        Some((_, d)) if !d.trim().is_empty() => crate::config::normalize_domain(d)
            .map_err(|e| format!("{label}: the From address {from} has an invalid domain: {e}"))?,
        _ => {
            return Err(format!(
                "{label}: the From header has no address with a domain; DMARC cannot be evaluated"
            ));
        }
    };

    // SPF identity: --mail-from, else Return-Path; empty or absent -> HELO.
    let mail_from = envelope.mail_from.clone().or_else(|| return_path(&parsed));
    let mail_from = mail_from.filter(|m| !m.trim().is_empty() && m.trim() != "<>");
    let helo = envelope.helo.clone();

    // Fetch what our own analysis needs first; every answer lands in the
    // shared caches, so mail-auth's evaluations reuse it.
    let signatures = parsed.dkim_signatures();
    let key_names: Vec<String> = signatures
        .iter()
        .map(|h| format!("{}._domainkey.{}", h.header.s, h.header.d))
        .collect();
    let (keys, discovery, spf_report) = tokio::join!(
        join_all(key_names.iter().map(|n| key_facts(dns, n))),
        dmarc::discover(dns, &from_domain),
        spf_for(
            dns,
            envelope.ip,
            mail_from.as_deref(),
            helo.as_deref(),
            &envelope.authserv_id
        ),
    );

    let authenticator = dns.authenticator();
    let (dkim_outputs, arc_output) = tokio::join!(
        authenticator.verify_dkim(Parameters::new(&parsed).with_cache(dns.caches())),
        authenticator.verify_arc(Parameters::new(&parsed).with_cache(dns.caches()))
    );
    // RFC 8301 3.1: an rsa-sha1 signature must not be considered valid, so it
    // cannot make DMARC pass.
    let is_sha1_pass = |o: &DkimOutput<'_>| {
        o.result() == &DkimResult::Pass && o.signature().is_some_and(|s| s.a == Algorithm::RsaSha1)
    };
    let dmarc_dkim: Vec<DkimOutput<'_>> = dkim_outputs
        .iter()
        .filter(|o| !is_sha1_pass(o))
        .cloned()
        .collect();

    let (spf_output, spf_verdict, spf_domain) = spf_report;
    let dmarc_output = authenticator
        .verify_dmarc(
            Parameters::new(DmarcParameters::new(
                &parsed,
                &dmarc_dkim,
                spf_domain.as_deref().unwrap_or(""),
                &spf_output,
            ))
            .with_cache(dns.caches()),
        )
        .await;

    // DKIM verdicts, in header order.
    let mut dkim = Vec::new();
    let mut ordered: Vec<(usize, &DkimOutput<'_>)> = dkim_outputs
        .iter()
        .map(|o| {
            let pos = o
                .signature()
                .and_then(|s| signatures.iter().position(|h| std::ptr::eq(&h.header, s)))
                .map(|i| signatures[i].value.as_ptr() as usize)
                .unwrap_or(0);
            (pos, o)
        })
        .collect();
    ordered.sort_by_key(|(pos, _)| *pos);
    for (_, o) in ordered {
        let sig = o.signature();
        let idx = sig.and_then(|s| signatures.iter().position(|h| std::ptr::eq(&h.header, s)));
        let name = sig
            .map(|s| format!("{}._domainkey.{}", s.s, s.d))
            .unwrap_or_default();
        let facts = idx.and_then(|i| keys.get(i)).and_then(|k| k.as_ref());
        let mut notes = Vec::new();
        if let Some(s) = sig {
            if s.a == Algorithm::RsaSha1 {
                notes.push(
                    "signed with rsa-sha1, which RFC 8301 forbids: receivers do not accept it"
                        .into(),
                );
            }
            if s.l > 0 {
                notes.push(format!(
                    "l={} limits the signed body; anything after it is unsigned",
                    s.l
                ));
            }
        }
        if let Some(f) = facts {
            if let Some(b) = f.bits
                && b < 2048
            {
                notes.push(format!(
                    "the key is only {b} bits (2048 recommended; under 1024 is rejected, RFC 8301)"
                ));
            }
            if f.testing {
                notes.push(
                    "the key is in testing mode (t=y): receivers may treat the message as unsigned"
                        .into(),
                );
            }
        }
        let (result, reason) = if is_sha1_pass(o) {
            (
                "neutral",
                Some("rsa-sha1 is not an acceptable algorithm (RFC 8301 3.1)".to_string()),
            )
        } else {
            (dkim_word(o.result()), dkim_reason(o.result(), &name))
        };
        dkim.push(SignatureVerdict {
            result,
            domain: sig.map(|s| s.d.clone()),
            selector: sig.map(|s| s.s.clone()),
            algorithm: sig.map(|s| algorithm_name(s.a)),
            canonicalization: sig.map(|s| format!("{}/{}", canon_name(s.ch), canon_name(s.cb))),
            reason,
            notes,
            key_bits: facts.and_then(|f| f.bits),
            key_type: facts.and_then(|f| f.key_type.clone()),
        });
    }

    let arc = if parsed.arc_seals().is_empty() && parsed.arc_message_signatures().is_empty() {
        None
    } else {
        Some(ArcVerdict {
            result: dkim_word(arc_output.result()),
            instances: parsed.arc_seals().len(),
            reason: dkim_reason(arc_output.result(), "the ARC key"),
        })
    };

    let mut dmarc = dmarc_verdict(dns, &from_domain, &dmarc_output, discovery.ok()).await;
    if dmarc.policy.is_none() {
        // No DMARC record: say whether an aligned pass exists anyway (relaxed
        // alignment by organizational domain, from the public suffix list).
        let org = dmarc::org_domain(&from_domain);
        dmarc.spf_aligned = spf_verdict.result == "pass"
            && spf_verdict
                .domain
                .as_deref()
                .is_some_and(|d| dmarc::org_domain(d) == org);
        dmarc.dkim_aligned = dkim.iter().any(|d| {
            d.result == "pass"
                && d.domain
                    .as_deref()
                    .is_some_and(|x| dmarc::org_domain(x) == org)
        });
    }

    let mut ar =
        AuthenticationResults::new(&envelope.authserv_id).with_dkim_results(&dmarc_dkim, &from);
    if let Some(d) = &spf_domain {
        let mf = mail_from.clone().unwrap_or_default();
        let helo_name = helo.clone().unwrap_or_else(|| d.clone());
        let sp = match spf_verdict.identity {
            Some("mailfrom") => {
                SpfParameters::mail_from(envelope.ip, &helo_name, &envelope.authserv_id, &mf)
            }
            _ => SpfParameters::helo(envelope.ip, &helo_name, &envelope.authserv_id),
        };
        ar = ar.with_spf_result(&spf_output, &sp);
    }
    if arc.is_some() {
        ar = ar.with_arc_result(&arc_output, envelope.ip);
    }
    ar = ar.with_dmarc_result(&dmarc_output);
    let authentication_results = unfold(&ar.to_string());

    Ok(VerifyReport {
        message: label.clone(),
        from_domain,
        spf: spf_verdict,
        dkim,
        dmarc,
        arc,
        authentication_results,
    })
}

/// The Return-Path address, without angle brackets.
fn return_path(parsed: &AuthenticatedMessage<'_>) -> Option<String> {
    parsed
        .headers()
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(b"Return-Path"))
        .map(|(_, value)| {
            String::from_utf8_lossy(value)
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string()
        })
}

/// Collapse folding whitespace into single spaces.
fn unfold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// SPF for the MAIL FROM identity, else HELO; with neither, `none`.
/// check_host() is mailcheck's own (RFC 7208); mail-auth gets its result as
/// an `SpfOutput` for DMARC and the Authentication-Results header. An
/// identity whose domain is not a valid name is `none` (RFC 7208 2.3, 4.3).
async fn spf_for(
    dns: &Dns,
    ip: IpAddr,
    mail_from: Option<&str>,
    helo: Option<&str>,
    receiver: &str,
) -> (SpfOutput, SpfVerdict, Option<String>) {
    let domain_of = |d: &str| {
        crate::config::normalize_domain(d)
            .unwrap_or_else(|_| d.trim_end_matches('.').to_ascii_lowercase())
    };
    let (identity, local, domain) = match (mail_from, helo) {
        (Some(mf), _) => {
            let (local, dom) = match mf.rsplit_once('@') {
                Some((l, d)) => (l, d),
                None => ("postmaster", mf),
            };
            let local = if local.is_empty() {
                "postmaster"
            } else {
                local
            };
            ("mailfrom", local, domain_of(dom))
        }
        (None, Some(h)) => ("helo", "postmaster", domain_of(h)),
        (None, None) => {
            return (
                SpfOutput::new(String::new()),
                SpfVerdict {
                    result: "none",
                    domain: None,
                    identity: None,
                    mechanism: None,
                    mechanism_domain: None,
                },
                None,
            );
        }
    };
    if crate::spf::is_valid_domain(&domain) {
        crate::check::spf::prefetch(dns, &domain).await;
    }
    let outcome = crate::spf::check_host(
        dns,
        &crate::spf::Identity {
            ip,
            local,
            sender_domain: &domain,
            helo: helo.unwrap_or(&domain),
            receiver,
        },
        &domain,
    )
    .await;
    let mut output = SpfOutput::new(domain.clone()).with_result(outcome.verdict.to_mail_auth());
    if let Some(e) = &outcome.explanation {
        output = output.with_explanation(e.clone());
    }
    let (mechanism, mechanism_domain) = match outcome.matched {
        Some(m) => (Some(m.text), Some(m.domain)),
        None => (None, None),
    };
    let verdict = SpfVerdict {
        result: result_word(outcome.verdict),
        domain: Some(domain.clone()),
        identity: Some(identity),
        mechanism,
        mechanism_domain,
    };
    (output, verdict, Some(domain))
}

/// The DMARC verdict: mail-auth's result, plus where the record was found,
/// the published policy and the disposition.
async fn dmarc_verdict(
    dns: &Dns,
    from_domain: &str,
    out: &mail_auth::DmarcOutput,
    discovery: Option<Discovery>,
) -> DmarcVerdict {
    let result = dmarc_word(&out.result());
    let found = discovery
        .as_ref()
        .and_then(|d| d.applies.map(|i| d.walk[i].clone()));
    let record = out.record();
    let (policy, policy_tag, testing) = match record {
        None => (None, None, false),
        Some(rec) => {
            let own = found.as_ref().is_some_and(|f| f.domain == from_domain);
            let (p, tag) = if rec.p == Policy::Unspecified {
                (Policy::None, "p")
            } else if own {
                (rec.p, "p")
            } else if rec.np != rec.sp && !domain_exists(dns, from_domain).await {
                (rec.np, "np")
            } else {
                (rec.sp, "sp")
            };
            (Some(policy_word(p)), Some(tag), rec.t)
        }
    };
    let disposition = match (result, policy) {
        ("pass", _) | (_, None) => "none",
        ("fail", Some("reject")) if testing => "quarantine",
        ("fail", Some(_)) if testing => "none",
        ("fail", Some(p)) => p,
        _ => "none",
    };
    let pct = found
        .as_ref()
        .and_then(|f| f.tag("pct"))
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|p| *p < 100);
    DmarcVerdict {
        result,
        policy,
        policy_tag,
        disposition,
        spf_aligned: out.spf_result() == &DmarcResult::Pass,
        dkim_aligned: out.dkim_result() == &DmarcResult::Pass,
        testing,
        pct,
        record_domain: found.as_ref().map(|f| f.domain.clone()),
        record: found.as_ref().map(|f| f.text.clone()),
        organizational_domain: discovery.map(|d| d.organizational),
        adkim: record.map_or("r", |r| {
            if r.adkim == mail_auth::dmarc::Alignment::Strict {
                "s"
            } else {
                "r"
            }
        }),
        aspf: record.map_or("r", |r| {
            if r.aspf == mail_auth::dmarc::Alignment::Strict {
                "s"
            } else {
                "r"
            }
        }),
    }
}

/// RFC 8020 as mail-auth applies it for `np`: NXDOMAIN for A means the
/// domain does not exist.
async fn domain_exists(dns: &Dns, domain: &str) -> bool {
    match dns.query_str(domain, RecordType::A).await {
        Ok(a) => a.rcode != crate::dns::Rcode::NxDomain,
        Err(_) => true,
    }
}
