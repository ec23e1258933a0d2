//! DKIM signing keys: generate a key pair and the DNS TXT record that
//! publishes it (RFC 6376 3.6.1; Ed25519 per RFC 8463), and sign a message
//! with it (rsa-sha256 or ed25519-sha256, relaxed/relaxed) using mail-auth.

use crate::names;
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use mail_auth::{
    crypto::{DkimKey, Ed25519Key, RsaKey, Sha256},
    dkim::{DkimSigner, generate::DkimKeyPair},
    headers::HeaderWriter,
};
use rsa::{
    RsaPrivateKey, RsaPublicKey,
    pkcs1::DecodeRsaPrivateKey,
    pkcs8::{
        AlgorithmIdentifierRef, DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding,
        ObjectIdentifier, PrivateKeyInfo, der::Encode,
    },
    traits::PublicKeyParts,
};
use serde::Serialize;
use std::{
    borrow::Cow,
    fmt,
    fs::{self, File, OpenOptions},
    io::{self, Write},
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

/// TTL written in the zone-file form of the key record.
pub const RECORD_TTL: u32 = 3600;

/// Longest DNS TXT character-string, in bytes (RFC 1035 3.3).
pub const MAX_TXT_STRING: usize = 255;

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
/// PKCS#8 algorithm OID of Ed25519 (RFC 8410).
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// A DKIM key type and size that `keygen` can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum KeyAlgorithm {
    /// RSA, 2048-bit modulus (the usual choice; RFC 8301 recommends 2048).
    #[default]
    #[serde(rename = "rsa-2048")]
    Rsa2048,
    /// RSA, 3072-bit modulus.
    #[serde(rename = "rsa-3072")]
    Rsa3072,
    /// RSA, 4096-bit modulus (its record needs several TXT strings).
    #[serde(rename = "rsa-4096")]
    Rsa4096,
    /// Ed25519 (RFC 8463); not yet verified by every receiver.
    #[serde(rename = "ed25519")]
    Ed25519,
}

impl KeyAlgorithm {
    /// Every algorithm, in the order shown in help text.
    pub const ALL: [KeyAlgorithm; 4] = [
        KeyAlgorithm::Rsa2048,
        KeyAlgorithm::Rsa3072,
        KeyAlgorithm::Rsa4096,
        KeyAlgorithm::Ed25519,
    ];

    /// The command-line name: "rsa-2048", "rsa-3072", "rsa-4096" or "ed25519".
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa2048 => "rsa-2048",
            KeyAlgorithm::Rsa3072 => "rsa-3072",
            KeyAlgorithm::Rsa4096 => "rsa-4096",
            KeyAlgorithm::Ed25519 => "ed25519",
        }
    }

    /// The RSA modulus size in bits, or `None` for Ed25519.
    pub fn bits(self) -> Option<usize> {
        match self {
            KeyAlgorithm::Rsa2048 => Some(2048),
            KeyAlgorithm::Rsa3072 => Some(3072),
            KeyAlgorithm::Rsa4096 => Some(4096),
            KeyAlgorithm::Ed25519 => None,
        }
    }

    /// The `k=` tag value of the key record: "rsa" or "ed25519".
    pub fn key_type(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "ed25519",
            _ => "rsa",
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from key generation, key loading, signing or writing a file: one
/// line naming the file (or input) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

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

/// Signs a message and returns it with the DKIM-Signature header prepended (CRLF line endings).
pub fn sign(req: &Sign) -> Result<Vec<u8>, KeyError> {
    let (domain, selector) = checked_names(&req.domain, &req.selector)?;
    let key = load_key(&req.key)?;

    let message = to_crlf(&req.message);
    let present = header_names(&message)?;
    let from_count = present
        .iter()
        .filter(|name| name.eq_ignore_ascii_case("From"))
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
            .filter(|want| present.iter().any(|have| have.eq_ignore_ascii_case(want)))
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

/// Write bytes to a new file; refuse to clobber without force; mode as given (0o600 keys, 0o644 messages).
///
/// Without `force` the file is created exclusively with `mode` (unix), so it
/// never exists with wider permissions. With `force` the bytes go to a
/// temporary file in the same directory (same mode) that is then renamed over
/// `path`, so readers see either the old or the new file.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32, force: bool) -> Result<(), KeyError> {
    if path.as_os_str().is_empty() {
        return Err(KeyError("output path is empty".into()));
    }
    if !force {
        let file = create_exclusive(path, mode).map_err(|err| {
            if err.kind() == io::ErrorKind::AlreadyExists {
                already_exists(path)
            } else {
                io_error(path, "cannot create", &err)
            }
        })?;
        return write_and_sync(file, bytes).map_err(|err| {
            let _ = fs::remove_file(path);
            io_error(path, "cannot write", &err)
        });
    }

    let (tmp, file) = create_temp_beside(path, mode)?;
    let result = write_and_sync(file, bytes)
        .map_err(|err| io_error(&tmp, "cannot write", &err))
        .and_then(|()| {
            fs::rename(&tmp, path).map_err(|err| io_error(path, "cannot replace", &err))
        });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    } else if let Some(dir) = parent_dir(path) {
        // Make the rename durable; failure here does not undo the write.
        let _ = File::open(dir).and_then(|dir| dir.sync_all());
    }
    result
}

fn already_exists(path: &Path) -> KeyError {
    KeyError(format!(
        "{} already exists; pass --force to replace it",
        path.display()
    ))
}

fn io_error(path: &Path, what: &str, err: &io::Error) -> KeyError {
    KeyError(format!("{}: {what}: {err}", path.display()))
}

fn create_exclusive(path: &Path, mode: u32) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}

fn write_and_sync(mut file: File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    file.sync_all()
}

fn parent_dir(path: &Path) -> Option<&Path> {
    match path.parent() {
        Some(dir) if dir.as_os_str().is_empty() => Some(Path::new(".")),
        other => other,
    }
}

/// Creates `.<name>.tmp-<pid>-<n>` next to `path`, exclusively, with `mode`.
fn create_temp_beside(path: &Path, mode: u32) -> Result<(PathBuf, File), KeyError> {
    let dir = parent_dir(path).unwrap_or(Path::new("."));
    let Some(name) = path.file_name() else {
        return Err(KeyError(format!("{}: not a file name", path.display())));
    };
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut last_err = None;
    for attempt in 0..16u32 {
        let tmp = dir.join(format!(
            ".{}.tmp-{}-{:08x}",
            name.to_string_lossy(),
            std::process::id(),
            seed.wrapping_add(attempt.wrapping_mul(0x9e37_79b9))
        ));
        match create_exclusive(&tmp, mode) {
            Ok(file) => return Ok((tmp, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => last_err = Some(err),
            Err(err) => return Err(io_error(path, "cannot create temporary file", &err)),
        }
    }
    let err = last_err.unwrap_or_else(|| io::Error::other("no free temporary name"));
    Err(io_error(path, "cannot create temporary file", &err))
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
fn split_txt(text: &str) -> Vec<String> {
    text.as_bytes()
        .chunks(MAX_TXT_STRING)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect()
}

fn zone_multi_line(name: &str, strings: &[String]) -> String {
    let mut out = format!("{name}. {RECORD_TTL} IN TXT (");
    for piece in strings {
        out.push_str("\n\t\"");
        out.push_str(piece);
        out.push('"');
    }
    out.push_str(" )");
    out
}

fn zone_single_line(name: &str, strings: &[String]) -> String {
    let quoted: Vec<String> = strings.iter().map(|s| format!("\"{s}\"")).collect();
    format!("{name}. {RECORD_TTL} IN TXT {}", quoted.join(" "))
}

/// The signing domain and selector, checked as every command checks them
/// (`names`), so nothing but a DNS name reaches a `d=` or `s=` tag.
fn checked_names(domain: &str, selector: &str) -> Result<(String, String), KeyError> {
    let domain = names::domain(domain).map_err(KeyError)?;
    let selector = names::selector(selector).map_err(KeyError)?;
    Ok((domain, selector))
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

/// Converts bare LF line endings to CRLF; leaves CRLF (and lone CR) alone.
fn to_crlf(message: &[u8]) -> Cow<'_, [u8]> {
    let bare_lf = message
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || message[i - 1] != b'\r'));
    if !bare_lf {
        return Cow::Borrowed(message);
    }
    let mut out = Vec::with_capacity(message.len() + message.len() / 32 + 2);
    let mut prev = 0u8;
    for &b in message {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    Cow::Owned(out)
}

/// Names of the header fields of a CRLF message, in order (duplicates kept).
fn header_names(message: &[u8]) -> Result<Vec<String>, KeyError> {
    let mut names = Vec::new();
    let mut rest = message;
    let mut line_no = 0usize;
    while !rest.is_empty() {
        line_no += 1;
        let (line, next) = match rest.windows(2).position(|w| w == b"\r\n") {
            Some(end) => (&rest[..end], &rest[end + 2..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if names.is_empty() {
                return Err(KeyError(format!(
                    "message: line {line_no} is a continuation line before any header field"
                )));
            }
            continue;
        }
        let name = line
            .iter()
            .position(|&b| b == b':')
            .map(|colon| line[..colon].trim_ascii_end())
            .filter(|name| valid_field_name(name));
        match name {
            Some(name) => names.push(String::from_utf8_lossy(name).into_owned()),
            None => {
                let shown = String::from_utf8_lossy(&line[..line.len().min(40)]).into_owned();
                return Err(KeyError(format!(
                    "message: line {line_no} is not a header field: {shown:?}"
                )));
            }
        }
    }
    Ok(names)
}

/// Reads a PEM private key file into a mail-auth signing key.
fn load_key(path: &Path) -> Result<DkimKey, KeyError> {
    let shown = path.display();
    let bytes = fs::read(path).map_err(|err| io_error(path, "cannot read", &err))?;
    let not_pem = || KeyError(format!("{shown}: not a PEM private key (PKCS#8 or PKCS#1)"));
    let text = std::str::from_utf8(&bytes).map_err(|_| not_pem())?;
    let (label, der) = pem_private_key(text).map_err(|why| match why {
        PemProblem::Missing => not_pem(),
        PemProblem::Encrypted => KeyError(format!(
            "{shown}: encrypted private keys are not supported; decrypt it first (openssl pkey -in {shown} -out plain.pem)"
        )),
        PemProblem::Other(label) => KeyError(format!(
            "{shown}: PEM block \"{label}\" is not a supported private key (PKCS#8 RSA or Ed25519, or PKCS#1 RSA)"
        )),
        PemProblem::Base64 => KeyError(format!("{shown}: PEM body is not valid base64")),
    })?;
    let bad = |what: &str| KeyError(format!("{shown}: {what}"));

    if label == "RSA PRIVATE KEY" {
        let key = RsaPrivateKey::from_pkcs1_der(&der)
            .map_err(|err| bad(&format!("not a valid PKCS#1 RSA private key: {err}")))?;
        return rsa_signing_key(&key, &shown.to_string());
    }

    let info = PrivateKeyInfo::try_from(der.as_slice())
        .map_err(|err| bad(&format!("not a valid PKCS#8 private key: {err}")))?;
    if info.algorithm.oid == OID_RSA {
        let key = RsaPrivateKey::from_pkcs8_der(&der)
            .map_err(|err| bad(&format!("not a valid RSA private key: {err}")))?;
        rsa_signing_key(&key, &shown.to_string())
    } else if info.algorithm.oid == OID_ED25519 {
        Ed25519Key::from_pkcs8_der(&der)
            .map(DkimKey::Ed25519)
            .map_err(|err| bad(&format!("not a valid Ed25519 private key: {err}")))
    } else {
        let kind = match info.algorithm.oid.to_string().as_str() {
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

/// Wraps an RSA key for mail-auth (rsa-sha256), rejecting keys under 1024 bits.
fn rsa_signing_key(key: &RsaPrivateKey, shown: &str) -> Result<DkimKey, KeyError> {
    let bits = key.n().bits();
    if bits < MIN_RSA_BITS {
        return Err(KeyError(format!(
            "{shown}: RSA key of {bits} bits is too small; verifiers reject keys under {MIN_RSA_BITS} bits (RFC 8301)"
        )));
    }
    let der = key
        .to_pkcs8_der()
        .map_err(|err| KeyError(format!("{shown}: cannot encode RSA key: {err}")))?;
    // mail-auth takes rustls-pki-types' PrivateKeyDer, which sniffs PKCS#8 here.
    let key_der = der
        .as_bytes()
        .try_into()
        .map_err(|err: &str| KeyError(format!("{shown}: {err}")))?;
    RsaKey::<Sha256>::from_key_der(key_der)
        .map(DkimKey::Rsa)
        .map_err(|err| KeyError(format!("{shown}: not a usable RSA key: {err}")))
}

/// Why no private key could be taken from a PEM file.
enum PemProblem {
    Missing,
    Encrypted,
    Other(String),
    Base64,
}

/// Finds the first PEM private key block; returns its label and DER bytes.
fn pem_private_key(text: &str) -> Result<(String, Vec<u8>), PemProblem> {
    let mut other = None;
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
        else {
            continue;
        };
        match label {
            "PRIVATE KEY" | "RSA PRIVATE KEY" => {}
            "ENCRYPTED PRIVATE KEY" => return Err(PemProblem::Encrypted),
            _ => {
                other.get_or_insert_with(|| label.to_string());
                continue;
            }
        }
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        for line in lines.by_ref() {
            if line == end {
                closed = true;
                break;
            }
            if line.contains(':') {
                // RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED".
                if line.contains("ENCRYPTED") {
                    return Err(PemProblem::Encrypted);
                }
                continue;
            }
            body.push_str(line);
        }
        if !closed {
            return Err(PemProblem::Missing);
        }
        let der = BASE64
            .decode(body.as_bytes())
            .map_err(|_| PemProblem::Base64)?;
        return Ok((label.to_string(), der));
    }
    Err(other.map_or(PemProblem::Missing, PemProblem::Other))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_auth::{
        AuthenticatedMessage, DkimResult, DnsCache, DnsError, Error, MessageAuthenticator, NoCache,
        Parameters, ResolverCache, TxtRecord,
        dkim::{DkimError, DomainKey},
        dns::TxtRecordParser,
        hickory_resolver::{
            config::{ResolverConfig, ResolverOpts},
            proto::op::ResponseCode,
        },
    };
    use rsa::pkcs8::DecodePublicKey;
    use std::{borrow::Borrow, hash::Hash, sync::Arc, time::Instant};

    /// TXT cache that knows one DKIM key and answers NXDOMAIN for every other name.
    struct OneKey {
        name: String,
        key: Arc<DomainKey>,
    }

    impl ResolverCache<Box<str>, TxtRecord> for OneKey {
        fn get<Q>(&self, name: &Q) -> Option<TxtRecord>
        where
            Box<str>: Borrow<Q>,
            Q: Hash + Eq + ?Sized,
        {
            // Q is only known through Box<str>: Borrow<Q>; compare via an owned key.
            let ours: Box<str> = format!("{}.", self.name).into_boxed_str();
            if <Box<str> as Borrow<Q>>::borrow(&ours) == name {
                Some(TxtRecord::DomainKey(self.key.clone()))
            } else {
                Some(TxtRecord::Error(Error::Dns(DnsError::RecordNotFound(
                    ResponseCode::NXDomain,
                ))))
            }
        }

        fn remove<Q>(&self, _: &Q) -> Option<TxtRecord>
        where
            Box<str>: Borrow<Q>,
            Q: Hash + Eq + ?Sized,
        {
            None
        }

        fn insert(&self, _: Box<str>, _: TxtRecord, _: Instant) {}
    }

    impl DnsCache for OneKey {
        type Txt = OneKey;
        type Mx = NoCache;
        type Ipv4 = NoCache;
        type Ipv6 = NoCache;
        type Ptr = NoCache;

        fn txt(&self) -> Option<&Self::Txt> {
            Some(self)
        }
        fn mx(&self) -> Option<&Self::Mx> {
            None
        }
        fn ipv4(&self) -> Option<&Self::Ipv4> {
            None
        }
        fn ipv6(&self) -> Option<&Self::Ipv6> {
            None
        }
        fn ptr(&self) -> Option<&Self::Ptr> {
            None
        }
    }

    /// Verifies `signed` offline against `record` published at `name`.
    async fn verify(signed: &[u8], name: &str, record: &str) -> Vec<DkimResult> {
        let cache = OneKey {
            name: name.to_ascii_lowercase(),
            key: Arc::new(DomainKey::parse(record.as_bytes()).expect("record parses")),
        };
        let authenticator = MessageAuthenticator::new(
            ResolverConfig::from_parts(None, vec![], vec![]),
            ResolverOpts::default(),
        )
        .expect("offline resolver");
        let message = AuthenticatedMessage::parse(signed).expect("signed message parses");
        authenticator
            .verify_dkim(Parameters::new(&message).with_cache(&cache))
            .await
            .into_iter()
            .map(|out| out.result().clone())
            .collect()
    }

    const MESSAGE: &str = concat!(
        "From: Alice <alice@example.com>\r\n",
        "To: bob@example.org\r\n",
        "Subject: Quarterly report\r\n",
        "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n",
        "Message-ID: <1@example.com>\r\n",
        "X-Mailer: test\r\n",
        "\r\n",
        "Numbers are up.\r\n",
        "See you Monday.\r\n",
    );

    fn keygen_req(dir: &Path, algorithm: KeyAlgorithm, force: bool) -> Keygen {
        Keygen {
            domain: "Example.COM.".into(),
            selector: "s1".into(),
            algorithm,
            out: dir.join("key.pem"),
            force,
        }
    }

    fn sign_req(key: &Path, message: &[u8]) -> Sign {
        Sign {
            message: message.to_vec(),
            key: key.to_path_buf(),
            domain: "example.com".into(),
            selector: "s1".into(),
            headers: None,
        }
    }

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    /// The tags of the DKIM-Signature header at the top of `signed`.
    fn signature_tags(signed: &[u8]) -> Vec<(String, String)> {
        let text = String::from_utf8_lossy(signed);
        let end = text.find("\r\n").expect("header line");
        let mut header = text[..end].to_string();
        let mut rest = &text[end + 2..];
        while rest.starts_with([' ', '\t']) {
            let end = rest.find("\r\n").expect("continuation");
            header.push_str(&rest[..end]);
            rest = &rest[end + 2..];
        }
        let value = header
            .strip_prefix("DKIM-Signature:")
            .expect("starts with DKIM-Signature");
        value
            .split(';')
            .filter_map(|tag| tag.split_once('='))
            .map(|(k, v)| {
                let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
                (k.trim().to_string(), v)
            })
            .collect()
    }

    fn tag<'a>(tags: &'a [(String, String)], name: &str) -> Option<&'a str> {
        tags.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn check_generated(key: &GeneratedKey, algorithm: KeyAlgorithm) {
        assert_eq!(key.name, "s1._domainkey.example.com");
        assert_eq!(key.algorithm, algorithm);
        assert_eq!(key.bits, algorithm.bits());
        assert!(
            key.record
                .starts_with(&format!("v=DKIM1; k={}; p=", algorithm.key_type()))
        );
        DomainKey::parse(key.record.as_bytes()).expect("mail-auth parses the record");
        assert!(key.strings.iter().all(|s| s.len() <= MAX_TXT_STRING));
        assert_eq!(key.strings.concat(), key.record);
        assert!(
            key.zone_text
                .starts_with("s1._domainkey.example.com. 3600 IN TXT (")
        );
        assert!(key.zone_text.lines().count() > 1);
        assert!(key.zone_text.ends_with(" )"));
        assert_eq!(key.zone_line.lines().count(), 1);
        for piece in &key.strings {
            assert!(key.zone_text.contains(&format!("\"{piece}\"")));
            assert!(key.zone_line.contains(&format!("\"{piece}\"")));
        }
    }

    fn keygen_cycle(algorithm: KeyAlgorithm) {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = keygen(&keygen_req(dir.path(), algorithm, false)).expect("keygen");
        check_generated(&first, algorithm);
        let pem = fs::read(&first.path).expect("key written");
        assert!(pem.starts_with(b"-----BEGIN PRIVATE KEY-----\n"));
        #[cfg(unix)]
        assert_eq!(mode_of(&first.path), 0o600);

        let err = keygen(&keygen_req(dir.path(), algorithm, false)).expect_err("no clobber");
        assert_eq!(
            err.to_string(),
            format!(
                "{} already exists; pass --force to replace it",
                first.path.display()
            )
        );
        assert_eq!(fs::read(&first.path).expect("still there"), pem);

        let second = keygen(&keygen_req(dir.path(), algorithm, true)).expect("forced keygen");
        check_generated(&second, algorithm);
        let replaced = fs::read(&second.path).expect("key replaced");
        assert_ne!(replaced, pem);
        assert_ne!(second.record, first.record);
        assert!(replaced.starts_with(b"-----BEGIN PRIVATE KEY-----\n"));
        #[cfg(unix)]
        assert_eq!(mode_of(&second.path), 0o600);
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 1);
        // The key we wrote signs, and the record we printed verifies it.
        sign(&sign_req(&second.path, MESSAGE.as_bytes())).expect("sign with generated key");
    }

    #[test]
    fn keygen_rsa_2048() {
        keygen_cycle(KeyAlgorithm::Rsa2048);
    }

    #[test]
    fn keygen_ed25519() {
        keygen_cycle(KeyAlgorithm::Ed25519);
    }

    #[test]
    fn rsa_record_key_is_2048_bits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = keygen(&keygen_req(dir.path(), KeyAlgorithm::Rsa2048, false)).expect("keygen");
        let p = key.record.split_once("p=").expect("p=").1;
        let der = BASE64.decode(p).expect("base64");
        let public = RsaPublicKey::from_public_key_der(&der).expect("SPKI DER");
        assert_eq!(public.n().bits(), 2048);
        assert!(key.strings.len() >= 3, "2048-bit key needs a split");
        assert!(key.strings.iter().all(|s| !s.is_empty()));
    }

    #[test]
    fn ed25519_record_is_raw_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = keygen(&keygen_req(dir.path(), KeyAlgorithm::Ed25519, false)).expect("keygen");
        let p = key.record.split_once("p=").expect("p=").1;
        assert_eq!(BASE64.decode(p).expect("base64").len(), 32);
        assert_eq!(key.strings.len(), 2);
    }

    #[test]
    fn ed25519_pem_readable_by_openssl() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = keygen(&keygen_req(dir.path(), KeyAlgorithm::Ed25519, false)).expect("keygen");
        let Ok(out) = std::process::Command::new("openssl")
            .args(["pkey", "-noout", "-in"])
            .arg(&key.path)
            .output()
        else {
            eprintln!("openssl not found; skipping");
            return;
        };
        assert!(
            out.status.success(),
            "openssl pkey: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // And openssl derives the same public key we published.
        let Ok(out) = std::process::Command::new("openssl")
            .args(["pkey", "-pubout", "-outform", "DER", "-in"])
            .arg(&key.path)
            .output()
        else {
            return;
        };
        assert!(out.status.success());
        let p = BASE64
            .decode(key.record.split_once("p=").expect("p=").1)
            .expect("base64");
        assert!(out.stdout.ends_with(&p), "SPKI ends with the raw key");
    }

    async fn round_trip(algorithm: KeyAlgorithm) {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = keygen(&keygen_req(dir.path(), algorithm, false)).expect("keygen");
        let signed = sign(&sign_req(&key.path, MESSAGE.as_bytes())).expect("sign");
        assert!(signed.starts_with(b"DKIM-Signature: "));
        assert!(signed.ends_with(MESSAGE.as_bytes()));

        let tags = signature_tags(&signed);
        let expected_a = match algorithm {
            KeyAlgorithm::Ed25519 => "ed25519-sha256",
            _ => "rsa-sha256",
        };
        assert_eq!(tag(&tags, "a"), Some(expected_a));
        assert_eq!(tag(&tags, "c"), Some("relaxed/relaxed"));
        assert_eq!(tag(&tags, "d"), Some("example.com"));
        assert_eq!(tag(&tags, "s"), Some("s1"));
        assert_eq!(tag(&tags, "x"), None);
        let t: u64 = tag(&tags, "t").expect("t=").parse().expect("t= number");
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        assert!(t <= now && now - t < 600);
        // Only defaults present in the message are signed; X-Mailer is not.
        let mut h: Vec<String> = tag(&tags, "h")
            .expect("h=")
            .split(':')
            .map(str::to_ascii_lowercase)
            .collect();
        h.sort();
        assert_eq!(h, ["date", "from", "message-id", "subject", "to"]);

        assert_eq!(
            verify(&signed, &key.name, &key.record).await,
            [DkimResult::Pass]
        );

        let mut tampered = signed.clone();
        let at = tampered
            .windows(7)
            .position(|w| w == b"Numbers")
            .expect("body text");
        tampered[at] = b'n';
        // mail-auth reports a body hash mismatch as neutral, not fail.
        let results = verify(&tampered, &key.name, &key.record).await;
        assert!(
            matches!(
                results.as_slice(),
                [
                    DkimResult::Neutral(Error::Dkim(DkimError::BodyHashMismatch))
                        | DkimResult::Fail(Error::Dkim(DkimError::BodyHashMismatch))
                ]
            ),
            "{results:?}"
        );
    }

    #[tokio::test]
    async fn sign_verify_rsa() {
        round_trip(KeyAlgorithm::Rsa2048).await;
    }

    #[tokio::test]
    async fn sign_verify_ed25519() {
        round_trip(KeyAlgorithm::Ed25519).await;
    }

    #[tokio::test]
    async fn sign_bare_lf_message() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = keygen(&keygen_req(dir.path(), KeyAlgorithm::Ed25519, false)).expect("keygen");
        let lf = MESSAGE.replace("\r\n", "\n");
        let signed = sign(&sign_req(&key.path, lf.as_bytes())).expect("sign");
        assert!(signed.ends_with(MESSAGE.as_bytes()), "converted to CRLF");
        assert!(
            signed
                .iter()
                .enumerate()
                .all(|(i, &b)| b != b'\n' || (i > 0 && signed[i - 1] == b'\r')),
            "no bare LF left"
        );
        assert_eq!(
            verify(&signed, &key.name, &key.record).await,
            [DkimResult::Pass]
        );
    }

    #[tokio::test]
    async fn sign_with_header_override_and_pkcs1() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = keygen(&keygen_req(dir.path(), KeyAlgorithm::Rsa2048, false)).expect("keygen");
        // Rewrite the key as PKCS#1 ("BEGIN RSA PRIVATE KEY") and sign with that.
        let pem = fs::read_to_string(&key.path).expect("pem");
        let private = RsaPrivateKey::from_pkcs8_pem(&pem).expect("pkcs8");
        let pkcs1 =
            rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_pem(&private, LineEnding::LF).expect("pkcs1");
        let pkcs1_path = dir.path().join("pkcs1.pem");
        fs::write(&pkcs1_path, pkcs1.as_bytes()).expect("write");
        let mut req = sign_req(&pkcs1_path, MESSAGE.as_bytes());
        req.headers = Some(vec!["from:subject".into(), " X-Mailer ,".into()]);
        let signed = sign(&req).expect("sign");
        let tags = signature_tags(&signed);
        let mut h: Vec<String> = tag(&tags, "h")
            .expect("h=")
            .split(':')
            .map(str::to_ascii_lowercase)
            .collect();
        h.sort();
        assert_eq!(h, ["from", "subject", "x-mailer"]);
        assert_eq!(
            verify(&signed, &key.name, &key.record).await,
            [DkimResult::Pass]
        );
    }

    #[test]
    fn sign_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = keygen(&keygen_req(dir.path(), KeyAlgorithm::Ed25519, false)).expect("keygen");

        let no_from = "To: bob@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
        let err = sign(&sign_req(&key.path, no_from.as_bytes())).expect_err("no From");
        assert!(err.to_string().contains("no From header"), "{err}");

        let two_from = "From: a@example.com\r\nFrom: b@example.com\r\n\r\nbody\r\n";
        let err = sign(&sign_req(&key.path, two_from.as_bytes())).expect_err("two From");
        assert!(err.to_string().contains("2 From header fields"), "{err}");

        let err = sign(&sign_req(&key.path, b"")).expect_err("empty message");
        assert!(err.to_string().contains("no From header"), "{err}");

        let mbox = "From alice@example.com Mon Jan  1 10:00:00 2024\nFrom: a@example.com\n\nx\n";
        let err = sign(&sign_req(&key.path, mbox.as_bytes())).expect_err("mbox line");
        assert!(
            err.to_string().contains("line 1 is not a header field"),
            "{err}"
        );

        let mut req = sign_req(&key.path, MESSAGE.as_bytes());
        req.headers = Some(vec!["To:Subject".into()]);
        let err = sign(&req).expect_err("headers without From");
        assert!(err.to_string().contains("must include From"), "{err}");

        let mut req = sign_req(&key.path, MESSAGE.as_bytes());
        req.domain = "example.com; x=1".into();
        assert!(sign(&req).is_err(), "tag injection through d=");
        let mut req = sign_req(&key.path, MESSAGE.as_bytes());
        req.selector = "s1\r\nX: y".into();
        assert!(sign(&req).is_err(), "header injection through s=");
    }

    #[test]
    fn bad_key_files_name_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cases: [(&str, &[u8], &str); 6] = [
            ("junk.pem", b"hello, not a key\n", "not a PEM private key (PKCS#8 or PKCS#1)"),
            ("binary.pem", &[0xff, 0xfe, 0x00, 0x80], "not a PEM private key"),
            (
                "b64.pem",
                b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
                "not valid base64",
            ),
            (
                "der.pem",
                b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "not a valid PKCS#8 private key",
            ),
            (
                "cert.pem",
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "is not a supported private key",
            ),
            (
                "enc.pem",
                b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                "encrypted private keys are not supported",
            ),
        ];
        for (name, body, expected) in cases {
            let path = dir.path().join(name);
            fs::write(&path, body).expect("write");
            let err = sign(&sign_req(&path, MESSAGE.as_bytes())).expect_err(name);
            let text = err.to_string();
            assert!(text.starts_with(&format!("{}: ", path.display())), "{text}");
            assert!(text.contains(expected), "{text}");
            assert_eq!(text.lines().count(), 1);
        }
        let missing = dir.path().join("missing.pem");
        let err = sign(&sign_req(&missing, MESSAGE.as_bytes())).expect_err("missing");
        assert!(
            err.to_string()
                .starts_with(&format!("{}: cannot read", missing.display()))
        );
    }

    #[test]
    fn write_new_modes_and_force() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("msg.eml");
        write_new(&path, b"one", 0o644, false).expect("create");
        assert_eq!(fs::read(&path).expect("read"), b"one");
        let err = write_new(&path, b"two", 0o644, false).expect_err("exists");
        assert!(
            err.to_string()
                .ends_with("already exists; pass --force to replace it")
        );
        assert_eq!(fs::read(&path).expect("read"), b"one");
        write_new(&path, b"three", 0o600, true).expect("force");
        assert_eq!(fs::read(&path).expect("read"), b"three");
        #[cfg(unix)]
        assert_eq!(mode_of(&path), 0o600);
        let missing_dir = dir.path().join("nope").join("x.pem");
        let err = write_new(&missing_dir, b"x", 0o600, false).expect_err("no dir");
        assert!(
            err.to_string()
                .starts_with(&missing_dir.display().to_string())
        );
        assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[test]
    fn algorithm_names_in_json() {
        for alg in KeyAlgorithm::ALL {
            assert_eq!(
                serde_json::to_string(&alg).expect("json"),
                format!("\"{alg}\"")
            );
        }
    }

    #[test]
    fn txt_splitting_and_zone_text() {
        let long = "p=".to_string() + &"A".repeat(600);
        let pieces = split_txt(&long);
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces.concat(), long);
        assert!(pieces.iter().all(|p| p.len() <= MAX_TXT_STRING));
        let strings = vec!["v=DKIM1; k=rsa; ".to_string(), "p=AB".to_string()];
        assert_eq!(
            zone_multi_line("s1._domainkey.example.com", &strings),
            "s1._domainkey.example.com. 3600 IN TXT (\n\t\"v=DKIM1; k=rsa; \"\n\t\"p=AB\" )"
        );
        assert_eq!(
            zone_single_line("s1._domainkey.example.com", &strings),
            "s1._domainkey.example.com. 3600 IN TXT \"v=DKIM1; k=rsa; \" \"p=AB\""
        );
    }

    #[test]
    fn keygen_rejects_bad_names_before_writing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut req = keygen_req(dir.path(), KeyAlgorithm::Ed25519, false);
        req.selector = "bad selector".into();
        assert!(keygen(&req).is_err());
        let mut req = keygen_req(dir.path(), KeyAlgorithm::Ed25519, false);
        req.domain = String::new();
        assert!(keygen(&req).is_err());
        assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);
    }
}
