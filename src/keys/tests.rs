//! Tests of key generation, key loading, signing and file writing.

use super::{
    keygen::{split_txt, zone_multi_line, zone_single_line},
    *,
};
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
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
use rsa::{
    RsaPrivateKey, RsaPublicKey,
    pkcs8::{DecodePrivateKey, LineEnding},
    traits::PublicKeyParts,
};
use std::{borrow::Borrow, hash::Hash, sync::Arc, time::Instant};
use std::{
    fs,
    path::Path,
    time::{SystemTime, UNIX_EPOCH},
};

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

/// The `h=` list, lower-cased and sorted.
fn signed_headers(tags: &[(String, String)]) -> Vec<String> {
    let mut h: Vec<String> = tag(tags, "h")
        .expect("h=")
        .split(':')
        .map(str::to_ascii_lowercase)
        .collect();
    h.sort();
    h
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
    // openssl is installed by .ci/run; without it this test cannot check
    // anything, so it fails rather than passing unchecked.
    let openssl = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .arg(&key.path)
            .output()
            .expect("openssl must be installed for this test (apt-get install openssl)")
    };
    let out = openssl(&["pkey", "-noout", "-in"]);
    assert!(
        out.status.success(),
        "openssl pkey: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And openssl derives the same public key we published.
    let out = openssl(&["pkey", "-pubout", "-outform", "DER", "-in"]);
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
    let h = signed_headers(&tags);
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
    let h = signed_headers(&tags);
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
    assert_eq!(
        err.to_string(),
        "message:1: invalid header field name (RFC 5322 2.2: printable characters, no spaces)"
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
        (
            "junk.pem",
            b"hello, not a key\n",
            "not a PEM private key (PKCS#8 or PKCS#1)",
        ),
        (
            "binary.pem",
            &[0xff, 0xfe, 0x00, 0x80],
            "not a PEM private key",
        ),
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
fn key_files_in_bundles_and_encrypted_pkcs1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = keygen(&keygen_req(dir.path(), KeyAlgorithm::Ed25519, false)).expect("keygen");
    let pem = fs::read_to_string(&key.path).expect("pem");
    // A certificate before the key, and text around it, as in a bundle.
    let bundle = dir.path().join("bundle.pem");
    let text = format!(
        "Bag Attributes\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n{pem}"
    );
    fs::write(&bundle, text).expect("write");
    sign(&sign_req(&bundle, MESSAGE.as_bytes())).expect("the key after the certificate signs");
    // A PKCS#1 key encrypted the old OpenSSL way (RFC 1421 headers).
    let old = dir.path().join("old.pem");
    fs::write(
        &old,
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
    )
    .expect("write");
    let err = sign(&sign_req(&old, MESSAGE.as_bytes())).expect_err("encrypted");
    assert!(
        err.to_string()
            .contains("encrypted private keys are not supported"),
        "{err}"
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
