//! One verdict per DKIM-Signature header, in header order, in RFC 8601 2.7.1
//! words.
//!
//! mail-auth does the cryptography for every signature it accepts; this
//! module decides what its outcome means and adds what it leaves out:
//!
//! | mail-auth                                  | mailcheck                        | decided by |
//! |--------------------------------------------|----------------------------------|------------|
//! | `neutral` body hash mismatch               | `fail`                           | RFC 6376 6.1.3, RFC 8601 2.7.1 |
//! | `neutral` expired                          | `permerror`                      | RFC 6376 3.5, 6.1.1 |
//! | `fail` i= outside d=                       | `permerror`                      | RFC 6376 6.1.1 |
//! | accepts repeated, mis-cased, empty tags    | `permerror`                      | RFC 6376 3.2, 6.1.1 |
//! | accepts unknown `q=`, no From in `h=`      | `permerror`                      | RFC 6376 3.5, 5.4, 6.1.1 |
//! | ignores key `h=`, `s=`                     | `permerror`                      | RFC 6376 3.6.1, 6.1.2 |
//! | `fail` for `t=s` with i= in a subdomain    | `permerror`, reason names `t=s`  | RFC 6376 3.6.1, 6.1.2 |
//! | `pass` for rsa-sha1                        | `permerror`                      | RFC 8301 3.1 |
//! | drops a header it cannot parse             | `permerror` entry, tags as read  | RFC 6376 6.1.1 |
//! | refuses `l=` (no d=, s=, a=, c=)           | verified here ([`super::own`])   | RFC 6376 3.4.5, 3.5 |

use super::{
    AuthResult, SignatureVerdict,
    own::{self, Outcome, Split},
    sig::{Alg, KeyRecord, Kind, SigHeader},
};
use crate::{
    check::dkim::{KeyInfo, key_info, parse_key_record},
    dns::Lookup,
};
use mail_auth::{DkimOutput, DkimResult, Error, crypto::CryptoError, dkim::DkimError};

/// Every DKIM-Signature field of a message: its index among the header
/// fields and what its tags say.
pub struct Found<'a> {
    /// Index into [`Split::fields`].
    pub index: usize,
    /// The whole field.
    pub field: &'a [u8],
    /// The header as read with the rules applied.
    pub sig: SigHeader,
}

/// The DKIM-Signature fields, top to bottom.
pub fn signatures<'a>(split: &Split<'a>) -> Vec<Found<'a>> {
    split
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| own::field_name(f).eq_ignore_ascii_case(b"DKIM-Signature"))
        .map(|(index, field)| {
            let colon = memchr::memchr(b':', field).map_or(field.len(), |c| c + 1);
            Found {
                index,
                field,
                sig: SigHeader::parse(Kind::Dkim, &field[colon..]),
            }
        })
        .collect()
}

/// The key published for a signature, as our DNS layer fetched it.
pub enum Key {
    /// No `s=` or `d=`, so no key name.
    NoName,
    /// The lookup failed (temporary).
    Failed(String),
    /// The name has no TXT record.
    Missing,
    /// The first record, read strictly.
    Found {
        /// The record as read.
        record: KeyRecord,
        /// The record's text.
        text: String,
        /// What the report says about the key.
        facts: KeyFacts,
    },
}

/// The facts a report gives about a signature's key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFacts {
    /// The size in bits of an RSA key.
    pub bits: Option<usize>,
    /// `rsa`, `ed25519`, or the `k=` as published.
    pub kind: Option<String>,
    /// `t=y`: the key is in testing mode.
    pub testing: bool,
}

impl Key {
    /// Read a key lookup's answer.
    pub fn from_lookup(lookup: &Lookup) -> Key {
        match lookup {
            Err(e) => Key::Failed(e.to_string()),
            Ok(answer) => {
                let texts: Vec<String> = answer
                    .txt()
                    .iter()
                    .map(|t| String::from_utf8_lossy(t).into_owned())
                    .collect();
                // RFC 6376 3.6.2.2: with several records, use the one that
                // is a key record (has p=); mail-auth does the same.
                let text = texts
                    .iter()
                    .find(|t| KeyRecord::parse(t).problems.is_empty())
                    .or_else(|| texts.iter().find(|t| t.contains("p=")))
                    .or(texts.first());
                match text {
                    None => Key::Missing,
                    Some(t) => Key::Found {
                        record: KeyRecord::parse(t),
                        text: t.clone(),
                        facts: key_facts(t),
                    },
                }
            }
        }
    }
}

/// Words for one signature when mail-auth's outcome is final.
fn from_mailauth(result: &DkimResult, name: &str) -> (AuthResult, Option<String>) {
    let err = match result {
        DkimResult::Pass => return (AuthResult::Pass, None),
        DkimResult::None => return (AuthResult::None, None),
        DkimResult::Neutral(e)
        | DkimResult::Fail(e)
        | DkimResult::PermError(e)
        | DkimResult::TempError(e) => e,
    };
    match (result, err) {
        (_, Error::Dkim(DkimError::BodyHashMismatch)) => (
            AuthResult::Fail,
            Some("body hash does not match: the body changed after signing (RFC 6376 6.1.3)".into()),
        ),
        (_, Error::Crypto(CryptoError::FailedVerification)) => (
            AuthResult::Fail,
            Some("signature does not verify: a signed header changed after signing (or the key in DNS is not the signing key) (RFC 6376 6.1.3)".into()),
        ),
        (_, Error::Dkim(DkimError::SignatureExpired)) => (
            AuthResult::PermError,
            Some("the signature has expired (x= is in the past, RFC 6376 3.5, 6.1.1)".into()),
        ),
        (_, Error::Dkim(DkimError::AuidMismatch)) => (
            AuthResult::PermError,
            Some("i= is not d= or a subdomain of it (RFC 6376 3.5, 6.1.1)".into()),
        ),
        (_, Error::Dkim(DkimError::PublicKeyRevoked)) => (
            AuthResult::PermError,
            Some(format!("the key at {name} is revoked (empty p=, RFC 6376 3.6.1)")),
        ),
        (_, Error::Dkim(DkimError::UnsupportedKeyType) | Error::Crypto(CryptoError::IncompatibleAlgorithms)) => (
            AuthResult::PermError,
            Some(format!("the key at {name} is of the wrong type for the signature's algorithm (RFC 6376 6.1.2)")),
        ),
        (_, Error::Crypto(CryptoError::MalformedPublicKey)) => (
            AuthResult::PermError,
            Some(format!("the key at {name} cannot be decoded (RFC 6376 6.1.2)")),
        ),
        (_, Error::Dns(mail_auth::DnsError::RecordNotFound(_) | mail_auth::DnsError::InvalidRecordType)) => (
            AuthResult::PermError,
            Some(format!("no DKIM key at {name} (key not found, RFC 6376 6.1.2)")),
        ),
        (DkimResult::TempError(_), e) | (_, e @ Error::Dns(mail_auth::DnsError::Resolver(_))) => (
            AuthResult::TempError,
            Some(format!("could not fetch the key at {name}: {e}")),
        ),
        (DkimResult::Fail(_), e) => (AuthResult::Fail, Some(format!("signature does not verify: {e}"))),
        (_, e) => (AuthResult::PermError, Some(e.to_string())),
    }
}

/// Read the facts a report gives about a key from its record's text.
fn key_facts(text: &str) -> KeyFacts {
    let rec = parse_key_record(text);
    let (bits, kind) = match key_info(&rec) {
        KeyInfo::Rsa(b) => (Some(b), Some("rsa".to_string())),
        KeyInfo::Ed25519 => (None, Some("ed25519".to_string())),
        _ => (None, Some(rec.key_type.clone())),
    };
    KeyFacts {
        bits,
        kind,
        testing: rec.flags.iter().any(|f| f == "y"),
    }
}

/// What became of one signature.
pub struct Judged {
    /// The verdict for the report.
    pub verdict: SignatureVerdict,
    /// mail-auth's output for DMARC, when the signature counts (pass or
    /// temperror); `None` otherwise.
    pub for_dmarc: Option<usize>,
    /// The signature passed through our own path (l=): DMARC needs a
    /// mail-auth signature built for it.
    pub own_pass: bool,
}

/// Judge one signature. `output` is mail-auth's outcome for it (by index
/// into `outputs`), when mail-auth verified it; `key` is the key lookup.
pub fn judge(
    found: &Found<'_>,
    split: &Split<'_>,
    outputs: &[DkimOutput<'_>],
    output: Option<usize>,
    key: &Key,
    now: u64,
) -> Judged {
    let sig = &found.sig;
    let name = sig.key_name().unwrap_or_default();
    let mut notes = Vec::new();
    let (mut key_bits, mut key_type, mut testing) = (None, None, false);
    if let Key::Found { facts, .. } = key {
        (key_bits, key_type, testing) = (facts.bits, facts.kind.clone(), facts.testing);
    }
    let mut unsigned_bytes = None;
    let (result, reason, for_dmarc, own_pass): (AuthResult, Option<String>, Option<usize>, bool) =
        if !sig.problems.is_empty() {
            (
                AuthResult::PermError,
                Some(sig.problems.join("; ")),
                None,
                false,
            )
        } else if let Some(x) = sig.x.filter(|x| *x < now) {
            (
                AuthResult::PermError,
                Some(format!(
                    "the signature has expired (x={x} is in the past, RFC 6376 3.5, 6.1.1)"
                )),
                None,
                false,
            )
        } else {
            match key {
                Key::NoName => (
                    AuthResult::PermError,
                    Some("no key name".into()),
                    None,
                    false,
                ),
                Key::Failed(e) => (
                    AuthResult::TempError,
                    Some(format!("could not fetch the key at {name}: {e}")),
                    output,
                    false,
                ),
                Key::Missing => (
                    AuthResult::PermError,
                    Some(format!(
                        "no DKIM key at {name} (key not found, RFC 6376 6.1.2)"
                    )),
                    None,
                    false,
                ),
                Key::Found { record, .. } => {
                    if let Some(why) = record.refuses(sig, &name, key_bits) {
                        (AuthResult::PermError, Some(why), None, false)
                    } else if let Some(i) = output {
                        // With atps=, mail-auth's result is the RFC 6541 ATPS
                        // lookup's (a separate method, dkim-atps); reaching it
                        // means the signature itself verified.
                        let (word, reason) = if outputs[i].is_atps() {
                            (AuthResult::Pass, None)
                        } else {
                            from_mailauth(outputs[i].result(), &name)
                        };
                        let counts = matches!(word, AuthResult::Pass | AuthResult::TempError);
                        (word, reason, counts.then_some(i), false)
                    } else {
                        match own::verify(split, found.index, sig, &record.p) {
                            Outcome::Pass { unsigned } => {
                                unsigned_bytes = sig.l.map(|_| unsigned);
                                (AuthResult::Pass, None, None, true)
                            }
                            Outcome::BodyHash => (
                                AuthResult::Fail,
                                Some("body hash does not match: the body changed after signing (RFC 6376 6.1.3)".into()),
                                None,
                                false,
                            ),
                            Outcome::LengthBeyondBody { body } => (
                                AuthResult::Fail,
                                Some(format!(
                                    "l={} is longer than the body ({body} bytes after canonicalization): the body was cut after signing (RFC 6376 3.5)",
                                    sig.l.unwrap_or(0)
                                )),
                                None,
                                false,
                            ),
                            Outcome::Signature => (
                                AuthResult::Fail,
                                Some("signature does not verify: a signed header changed after signing (or the key in DNS is not the signing key) (RFC 6376 6.1.3)".into()),
                                None,
                                false,
                            ),
                            Outcome::BadKey(why) => (
                                AuthResult::PermError,
                                Some(format!("the key at {name} cannot be used: {why} (RFC 6376 6.1.2)")),
                                None,
                                false,
                            ),
                        }
                    }
                }
            }
        };
    if let Some(l) = sig.l {
        match unsigned_bytes {
            Some(0) => notes.push(format!(
                "l={l} limits the signed body to {l} bytes; the body has nothing past it"
            )),
            Some(n) => notes.push(format!(
                "WARNING: {n} bytes were appended after the signed body (l={l}); that content is not covered by the signature and could have been added by anyone (RFC 6376 8.2)"
            )),
            None => notes.push(format!(
                "l={l} limits the signed body; anything after it is unsigned"
            )),
        }
    }
    if sig.alg == Some(Alg::RsaSha1) {
        notes.push(
            "signed with rsa-sha1, which RFC 8301 forbids: receivers do not accept it".into(),
        );
    }
    if let Some(b) = key_bits
        && (1024..2048).contains(&b)
    {
        notes.push(format!(
            "the key is only {b} bits (2048 recommended; under 1024 is rejected, RFC 8301)"
        ));
    }
    if testing {
        notes.push(
            "the key is in testing mode (t=y): receivers may treat the message as unsigned".into(),
        );
    }
    Judged {
        verdict: SignatureVerdict {
            result,
            domain: sig.d.clone(),
            selector: sig.s.clone(),
            algorithm: sig.a.clone(),
            canonicalization: sig.c.clone().or_else(|| sig.tags.display("c")),
            reason,
            notes,
            key_bits,
            key_type,
            unsigned_bytes,
            header_b: sig
                .tags
                .get("b")
                .map(super::tags::unfold)
                .map(|b| b.chars().take(8).collect()),
            auid: sig.tags.get("i").map(super::tags::unfold),
        },
        for_dmarc,
        own_pass,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailauth_outcomes_get_rfc_8601_words() {
        let cases = [
            (
                DkimResult::Neutral(Error::Dkim(DkimError::BodyHashMismatch)),
                "fail",
            ),
            (
                DkimResult::Fail(Error::Crypto(CryptoError::FailedVerification)),
                "fail",
            ),
            (
                DkimResult::Neutral(Error::Dkim(DkimError::SignatureExpired)),
                "permerror",
            ),
            (
                DkimResult::Fail(Error::Dkim(DkimError::AuidMismatch)),
                "permerror",
            ),
            (
                DkimResult::PermError(Error::Dkim(DkimError::PublicKeyRevoked)),
                "permerror",
            ),
            (
                DkimResult::PermError(Error::Crypto(CryptoError::MalformedPublicKey)),
                "permerror",
            ),
            (
                DkimResult::TempError(Error::Dns(mail_auth::DnsError::Resolver("x".into()))),
                "temperror",
            ),
            (DkimResult::Pass, "pass"),
        ];
        for (r, word) in cases {
            assert_eq!(from_mailauth(&r, "s._domainkey.d").0.word(), word, "{r:?}");
        }
    }
}
