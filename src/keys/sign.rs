//! `sign`: add a DKIM-Signature to a message with a private key read from a
//! PEM file (PKCS#8 RSA or Ed25519, or PKCS#1 RSA).

use super::{KeyError, checked_names, io_error, keygen::OID_ED25519};
use crate::message;
use mail_auth::{
    crypto::{DkimKey, Ed25519Key, RsaKey, Sha256},
    dkim::DkimSigner,
    headers::HeaderWriter,
};
use rsa::{
    RsaPrivateKey,
    pkcs1::DecodeRsaPrivateKey,
    pkcs8::{DecodePrivateKey, ObjectIdentifier, PrivateKeyInfo},
    traits::PublicKeyParts,
};
use rustls_pki_types::{PrivateKeyDer, pem::PemObject};
use std::{
    borrow::Cow,
    fs,
    path::{Path, PathBuf},
};

/// Header fields signed by default, when present in the message (From always).
pub const DEFAULT_SIGNED_HEADERS: &[&str] = &[
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "List-Id",
    "List-Unsubscribe",
];

/// Smallest RSA key accepted for signing (RFC 8301 3.2).
const MIN_RSA_BITS: usize = 1024;

/// PKCS#8 algorithm OID of rsaEncryption.
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A request to sign a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sign {
    /// The message as read (LF or CRLF line endings).
    pub message: Vec<u8>,
    /// Private key file: PKCS#8 PEM (RSA or Ed25519) or PKCS#1 PEM (RSA).
    pub key: PathBuf,
    /// Signing domain (`d=`).
    pub domain: String,
    /// Selector (`s=`).
    pub selector: String,
    /// Header fields to sign instead of the defaults; must include From.
    pub headers: Option<Vec<String>>,
}

/// Signs a message and returns it with the DKIM-Signature header prepended (CRLF line endings).
pub fn sign(req: &Sign) -> Result<Vec<u8>, KeyError> {
    let (domain, selector) = checked_names(&req.domain, &req.selector)?;
    let key = load_key(&req.key)?;

    let message: Cow<'_, [u8]> = if message::is_crlf(&req.message) {
        Cow::Borrowed(&req.message)
    } else {
        Cow::Owned(message::to_crlf(&req.message))
    };
    let present: Vec<&[u8]> = message::header_fields(&message)
        .map_err(|e| KeyError(format!("message:{}: {e}", e.line())))?
        .into_iter()
        .map(|field| field.name)
        .collect();
    let from_count = present
        .iter()
        .filter(|name| name.eq_ignore_ascii_case(b"From"))
        .count();
    match from_count {
        0 => {
            return Err(KeyError(
                "message: no From header field; DKIM must sign From (RFC 6376 5.4)".into(),
            ));
        }
        1 => {}
        n => {
            return Err(KeyError(format!(
                "message: {n} From header fields; RFC 5322 allows exactly one"
            )));
        }
    }

    let headers = match &req.headers {
        Some(list) => parse_header_list(list)?,
        None => DEFAULT_SIGNED_HEADERS
            .iter()
            .filter(|want| {
                present
                    .iter()
                    .any(|have| have.eq_ignore_ascii_case(want.as_bytes()))
            })
            .map(|name| (*name).to_string())
            .collect(),
    };

    let signature = DkimSigner::from_key(key)
        .domain(domain)
        .selector(selector)
        .headers(headers)
        .sign(&message)
        .map_err(|err| KeyError(format!("message: signing failed: {err}")))?;

    let mut out = Vec::with_capacity(message.len() + 1024);
    signature.write_header(&mut out);
    out.extend_from_slice(&message);
    Ok(out)
}

/// Parses a `--headers` list (each entry colon- or comma-separated); must name From.
fn parse_header_list(list: &[String]) -> Result<Vec<String>, KeyError> {
    let mut names: Vec<String> = Vec::new();
    for name in list
        .iter()
        .flat_map(|entry| entry.split([':', ',']))
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        if !valid_field_name(name.as_bytes()) {
            return Err(KeyError(format!(
                "--headers: {name:?} is not a header field name"
            )));
        }
        if !names.iter().any(|have| have.eq_ignore_ascii_case(name)) {
            names.push(name.to_string());
        }
    }
    if names.is_empty() {
        return Err(KeyError("--headers: no header field names given".into()));
    }
    if !names.iter().any(|name| name.eq_ignore_ascii_case("From")) {
        return Err(KeyError(
            "--headers: the list must include From (RFC 6376 5.4)".into(),
        ));
    }
    Ok(names)
}

/// RFC 5322 field name: printable ASCII except ':'.
fn valid_field_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b) && b != b':')
}

/// Reads a PEM private key file into a mail-auth signing key. The PEM
/// sections are found and decoded by rustls-pki-types (the first private key
/// in the file counts, so a certificate-and-key bundle works); what is left
/// here is telling the user why a file holds no usable key.
fn load_key(path: &Path) -> Result<DkimKey, KeyError> {
    let shown = path.display();
    let bytes = fs::read(path).map_err(|err| io_error(path, "cannot read", &err))?;
    let bad = |what: &str| KeyError(format!("{shown}: {what}"));
    let key = PrivateKeyDer::from_pem_slice(&bytes)
        .map_err(|err| bad(&pem_problem(&bytes, &err, &shown.to_string())))?;
    match key {
        PrivateKeyDer::Pkcs1(der) => {
            let rsa = RsaPrivateKey::from_pkcs1_der(der.secret_pkcs1_der())
                .map_err(|err| bad(&format!("not a valid PKCS#1 RSA private key: {err}")))?;
            rsa_signing_key(&rsa, PrivateKeyDer::Pkcs1(der), path)
        }
        PrivateKeyDer::Pkcs8(der) => {
            let info = PrivateKeyInfo::try_from(der.secret_pkcs8_der())
                .map_err(|err| bad(&format!("not a valid PKCS#8 private key: {err}")))?;
            let oid = info.algorithm.oid;
            if oid == OID_RSA {
                let rsa = RsaPrivateKey::from_pkcs8_der(der.secret_pkcs8_der())
                    .map_err(|err| bad(&format!("not a valid RSA private key: {err}")))?;
                rsa_signing_key(&rsa, PrivateKeyDer::Pkcs8(der), path)
            } else if oid == OID_ED25519 {
                Ed25519Key::from_pkcs8_der(der.secret_pkcs8_der())
                    .map(DkimKey::Ed25519)
                    .map_err(|err| bad(&format!("not a valid Ed25519 private key: {err}")))
            } else {
                let kind = match oid.to_string().as_str() {
                    "1.2.840.10045.2.1" => "EC (ECDSA)".to_string(),
                    "1.3.101.113" => "Ed448".to_string(),
                    "1.2.840.113549.1.1.10" => "RSA-PSS".to_string(),
                    oid => format!("OID {oid}"),
                };
                Err(bad(&format!(
                    "{kind} keys cannot sign DKIM; use an RSA or Ed25519 key"
                )))
            }
        }
        PrivateKeyDer::Sec1(_) => Err(bad(
            "EC (ECDSA) keys cannot sign DKIM; use an RSA or Ed25519 key",
        )),
        _ => Err(bad(
            "not a supported private key (PKCS#8 RSA or Ed25519, or PKCS#1 RSA)",
        )),
    }
}

/// Why a file yielded no private key, in words: an encrypted key, a PEM
/// block of another kind (a certificate), bad base64, or no PEM at all.
fn pem_problem(bytes: &[u8], err: &rustls_pki_types::pem::Error, shown: &str) -> String {
    use rustls_pki_types::pem::Error;
    let text = String::from_utf8_lossy(bytes);
    // RFC 7468 11 (PKCS#8 EncryptedPrivateKeyInfo) or RFC 1421 headers
    // ("Proc-Type: 4,ENCRYPTED") in a PKCS#1 block.
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || text.contains("Proc-Type: 4,ENCRYPTED")
    {
        return format!(
            "encrypted private keys are not supported; decrypt it first (openssl pkey -in {shown} -out plain.pem)"
        );
    }
    match err {
        Error::Base64Decode(_) => "PEM body is not valid base64".into(),
        Error::NoItemsFound => {
            let label = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("-----BEGIN ")?.strip_suffix("-----"));
            match label {
                Some(label) => format!(
                    "PEM block \"{label}\" is not a supported private key (PKCS#8 RSA or Ed25519, or PKCS#1 RSA)"
                ),
                None => "not a PEM private key (PKCS#8 or PKCS#1)".into(),
            }
        }
        _ => "not a PEM private key (PKCS#8 or PKCS#1)".into(),
    }
}

/// Wraps an RSA key for mail-auth (rsa-sha256), rejecting keys under 1024
/// bits. mail-auth takes the key as read, PKCS#1 or PKCS#8.
fn rsa_signing_key(
    key: &RsaPrivateKey,
    der: PrivateKeyDer<'static>,
    path: &Path,
) -> Result<DkimKey, KeyError> {
    let shown = path.display();
    let bits = key.n().bits();
    if bits < MIN_RSA_BITS {
        return Err(KeyError(format!(
            "{shown}: RSA key of {bits} bits is too small; verifiers reject keys under {MIN_RSA_BITS} bits (RFC 8301)"
        )));
    }
    RsaKey::<Sha256>::from_key_der(der)
        .map(DkimKey::Rsa)
        .map_err(|err| KeyError(format!("{shown}: not a usable RSA key: {err}")))
}
