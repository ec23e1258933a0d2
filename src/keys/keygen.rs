//! `keygen`: generate a DKIM key pair with mail-auth, write the private key
//! as PKCS#8 PEM (mode 0600) and build the TXT record that publishes the
//! public key (RFC 6376 3.6.1, RFC 8463 for Ed25519).

use super::{
    KeyAlgorithm, KeyError, MAX_TXT_STRING, RECORD_TTL, already_exists, checked_names, write_new,
};
use crate::names;
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use mail_auth::{crypto::Ed25519Key, dkim::generate::DkimKeyPair};
use rsa::{
    RsaPrivateKey, RsaPublicKey,
    pkcs1::DecodeRsaPrivateKey,
    pkcs8::{
        AlgorithmIdentifierRef, EncodePrivateKey, EncodePublicKey, LineEnding, PrivateKeyInfo,
        der::Encode,
    },
};
use serde::Serialize;
use std::path::PathBuf;

/// PKCS#8 algorithm OID of Ed25519 (RFC 8410).
pub(super) const OID_ED25519: rsa::pkcs8::ObjectIdentifier =
    rsa::pkcs8::ObjectIdentifier::new_unwrap("1.3.101.112");

/// A request to generate a key pair and write the private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keygen {
    /// Signing domain (`d=`), e.g. "example.com"; IDNs are converted to A-labels.
    pub domain: String,
    /// Selector (`s=`), e.g. "s1".
    pub selector: String,
    /// Key type and size.
    pub algorithm: KeyAlgorithm,
    /// Where to write the private key (PKCS#8 PEM, mode 0600).
    pub out: PathBuf,
    /// Replace an existing file at `out` (atomically).
    pub force: bool,
}

/// A generated key: where the private key went and the DNS record to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedKey {
    /// Path of the private key file written.
    pub path: PathBuf,
    /// Key type and size.
    pub algorithm: KeyAlgorithm,
    /// RSA modulus size in bits; `None` for Ed25519.
    pub bits: Option<usize>,
    /// Owner name of the TXT record, without a trailing dot, e.g. "s1._domainkey.example.com".
    pub name: String,
    /// The TXT record's value, e.g. "v=DKIM1; k=rsa; p=MIIB...".
    pub record: String,
    /// `record` split into character-strings of at most 255 bytes, in order.
    pub strings: Vec<String>,
    /// Multi-line zone-file form, ready to paste (no trailing newline).
    pub zone_text: String,
    /// Single-line zone-file form of the same record (no trailing newline).
    pub zone_line: String,
}

/// Generates a key pair, writes the private key and returns the record to publish.
pub fn keygen(req: &Keygen) -> Result<GeneratedKey, KeyError> {
    let (domain, selector) = checked_names(&req.domain, &req.selector)?;
    // Fail fast before a slow RSA generation; write_new re-checks atomically.
    if !req.force && req.out.symlink_metadata().is_ok() {
        return Err(already_exists(&req.out));
    }

    let (pem, public_b64) = match req.algorithm.bits() {
        Some(bits) => generate_rsa(bits)?,
        None => generate_ed25519()?,
    };
    write_new(&req.out, pem.as_bytes(), 0o600, req.force)?;

    let name = names::dkim_key_name(&selector, &domain);
    let prefix = format!("v=DKIM1; k={}; ", req.algorithm.key_type());
    let record = format!("{prefix}p={public_b64}");
    let mut strings = vec![prefix];
    strings.extend(split_txt(&format!("p={public_b64}")));
    let zone_text = zone_multi_line(&name, &strings);
    let zone_line = zone_single_line(&name, &strings);

    Ok(GeneratedKey {
        path: req.out.clone(),
        algorithm: req.algorithm,
        bits: req.algorithm.bits(),
        name,
        record,
        strings,
        zone_text,
        zone_line,
    })
}
/// Generates an RSA key with mail-auth; returns (PKCS#8 PEM, base64 SPKI DER).
fn generate_rsa(bits: usize) -> Result<(String, String), KeyError> {
    let pair = DkimKeyPair::generate_rsa(bits)
        .map_err(|err| KeyError(format!("RSA-{bits} key generation failed: {err}")))?;
    // mail-auth hands out PKCS#1 DER; rewrite as PKCS#8 and SubjectPublicKeyInfo.
    let key = RsaPrivateKey::from_pkcs1_der(pair.private_key())
        .map_err(|err| KeyError(format!("RSA-{bits} key generation failed: {err}")))?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|err| KeyError(format!("RSA-{bits} key encoding failed: {err}")))?;
    let spki = RsaPublicKey::from(&key)
        .to_public_key_der()
        .map_err(|err| KeyError(format!("RSA-{bits} public key encoding failed: {err}")))?;
    Ok((pem.to_string(), BASE64.encode(spki.as_bytes())))
}

/// Generates an Ed25519 key with mail-auth; returns (PKCS#8 v1 PEM, base64 raw public key).
fn generate_ed25519() -> Result<(String, String), KeyError> {
    let fail = |what: &str| KeyError(format!("Ed25519 key generation failed: {what}"));
    let pair = DkimKeyPair::generate_ed25519().map_err(|err| fail(&err.to_string()))?;
    let info =
        PrivateKeyInfo::try_from(pair.private_key()).map_err(|err| fail(&err.to_string()))?;
    // The private key is an OCTET STRING holding the 32-byte seed (RFC 8410 7).
    // Re-encode as plain PKCS#8 v1, the form `openssl genpkey` writes, which
    // every reader accepts (some reject v2 with the embedded public key).
    let inner = info.private_key;
    if inner.len() != 34 || inner[0] != 0x04 || inner[1] != 0x20 {
        return Err(fail("unexpected PKCS#8 layout"));
    }
    let v1 = PrivateKeyInfo::new(
        AlgorithmIdentifierRef {
            oid: OID_ED25519,
            parameters: None,
        },
        inner,
    )
    .to_der()
    .map_err(|err| fail(&err.to_string()))?;
    // Check the rewritten key is the same key before anything is written.
    let reloaded = Ed25519Key::from_pkcs8_der(&v1).map_err(|err| fail(&err.to_string()))?;
    if reloaded.public_key() != pair.public_key() {
        return Err(fail("public key mismatch after re-encoding"));
    }
    let pem = rsa::pkcs8::der::pem::encode_string("PRIVATE KEY", LineEnding::LF, &v1)
        .map_err(|err| fail(&err.to_string()))?;
    Ok((pem, BASE64.encode(pair.public_key())))
}

/// Splits `text` (ASCII) into pieces of at most 255 bytes.
pub(super) fn split_txt(text: &str) -> Vec<String> {
    text.as_bytes()
        .chunks(MAX_TXT_STRING)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect()
}

pub(super) fn zone_multi_line(name: &str, strings: &[String]) -> String {
    let mut out = format!("{name}. {RECORD_TTL} IN TXT (");
    for piece in strings {
        out.push_str("\n\t\"");
        out.push_str(piece);
        out.push('"');
    }
    out.push_str(" )");
    out
}

pub(super) fn zone_single_line(name: &str, strings: &[String]) -> String {
    let quoted: Vec<String> = strings.iter().map(|s| format!("\"{s}\"")).collect();
    format!("{name}. {RECORD_TTL} IN TXT {}", quoted.join(" "))
}
