//! One test per DKIM rule: a signature that is cryptographically valid
//! (the control case shows mail-auth passes what this signer makes) with
//! exactly one rule broken, verified end to end through [`super::verify`]
//! over zone-file DNS.

use super::{Envelope, VerifyReport, input, own, sig::Canon, verify};
use crate::{
    auth::Auth,
    dns::{
        Dns,
        zone::{Zone, ZoneSet},
    },
};
use aws_lc_rs::{rand::SystemRandom, signature::RsaKeyPair};
use base64::Engine;
use std::path::Path;

const BODY: &str = "Hello Bob,\r\n\r\nthe minutes are attached.\r\n";
const HEADERS: &str = "From: Alice <alice@example.com>\r\nTo: bob@example.net\r\nSubject: minutes\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m1@example.com>\r\n";

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn key() -> RsaKeyPair {
    let pem = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys/rsa2048.pem"),
    )
    .expect("test key");
    let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(der)
        .expect("base64");
    RsaKeyPair::from_pkcs8(&der).expect("PKCS#8 RSA key")
}

/// Sign `HEADERS` + `body` with a DKIM-Signature whose tags are `tags`
/// followed by `bh=` (relaxed body, first `l` bytes) and `b=`.
fn signed(tags: &str, body: &str, l: Option<usize>) -> Vec<u8> {
    let canon = own::canon_body(Canon::Relaxed, body.as_bytes());
    let covered = &canon[..l.unwrap_or(canon.len()).min(canon.len())];
    let bh = b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, covered).as_ref());
    let field = format!("DKIM-Signature: {tags} bh={bh}; b=\r\n");
    let mut msg = format!("{field}{HEADERS}\r\n{body}").into_bytes();
    let split = own::split(&msg);
    let sig = super::sig::SigHeader::parse(super::sig::Kind::Dkim, &field.as_bytes()[16..]);
    let mut data = Vec::new();
    for f in own::select(&split.fields, &sig.h, 0) {
        own::canon_header(Canon::Relaxed, f, &mut data, true);
    }
    own::canon_header(Canon::Relaxed, field.as_bytes(), &mut data, false);
    let key = key();
    let mut out = vec![0; key.public_modulus_len()];
    key.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        &data,
        &mut out,
    )
    .expect("sign");
    let b = b64(&out);
    let at = field.len() - 2;
    msg.splice(at..at, b.bytes());
    msg
}

const GOOD: &str =
    "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1; h=from:to:subject:date:message-id;";

fn zone(key_tags: &str) -> Auth {
    let p = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys/rsa2048.p"),
    )
    .expect("public key");
    let p = p.trim();
    let text = format!(
        "$ORIGIN example.com.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ TXT \"v=spf1 -all\"\n_dmarc TXT \"v=DMARC1; p=reject\"\ns1._domainkey TXT \"{key_tags} p=\" \"{}\" \"{}\"\n",
        &p[..200],
        &p[200..]
    );
    let zone = Zone::parse(&text, Path::new("test.zone")).expect("zone");
    Auth::new(Dns::zones(ZoneSet::new(vec![zone]))).expect("auth")
}

async fn run_with(msg: Vec<u8>, auth: &Auth) -> VerifyReport {
    let message = input::parse_message("m.eml", msg).expect("message");
    let envelope = Envelope {
        ip: "192.0.2.1".parse().expect("ip"),
        helo: None,
        mail_from: None,
        authserv_id: "mx.test".into(),
    };
    verify(auth, &message, &envelope).await.expect("verify")
}

async fn run(msg: Vec<u8>, key_tags: &str) -> VerifyReport {
    run_with(msg, &zone(key_tags)).await
}

/// One signature: its word, and its reason must contain `words`.
async fn expect(tags: &str, key_tags: &str, word: &str, words: &str) -> VerifyReport {
    let r = run(signed(tags, BODY, None), key_tags).await;
    assert_eq!(r.dkim.len(), 1, "{tags}");
    let d = &r.dkim[0];
    assert_eq!(d.result.word(), word, "{tags} / {key_tags}: {:?}", d.reason);
    let reason = d.reason.clone().unwrap_or_default();
    assert!(reason.contains(words), "{tags} / {key_tags}: {reason}");
    // The report always names the signature's d= and s=, and the
    // Authentication-Results header carries the same word.
    assert_eq!(d.domain.as_deref(), Some("example.com"));
    assert!(
        r.authentication_results.contains(&format!("dkim={word} ")),
        "{}",
        r.authentication_results
    );
    // Only a pass counts for DMARC.
    assert_eq!(r.dmarc.dkim_aligned, word == "pass");
    assert_eq!(
        r.dmarc.result.word(),
        if word == "pass" { "pass" } else { "fail" }
    );
    r
}

const KEY: &str = "v=DKIM1; k=rsa;";

#[tokio::test]
async fn control_the_test_signer_makes_signatures_mailauth_passes() {
    let r = expect(GOOD, KEY, "pass", "").await;
    assert!(r.dkim[0].reason.is_none());
    // A trailing ";" is allowed by RFC 6376 3.2's ABNF: GOOD ends in one
    // before bh=, and so does this.
    expect(
        &GOOD.replace("h=", "x=9999999999;; h=").replace(";;", ";"),
        KEY,
        "pass",
        "",
    )
    .await;
    // Our own path agrees with mail-auth on this message.
    let msg = signed(GOOD, BODY, None);
    let split = own::split(&msg);
    let f = super::dkim::signatures(&split);
    let p = base64::engine::general_purpose::STANDARD
        .decode(
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys/rsa2048.p"),
            )
            .expect("p")
            .trim(),
        )
        .expect("b64");
    assert_eq!(
        own::verify(&split, f[0].index, &f[0].sig, &p),
        own::Outcome::Pass { unsigned: 0 }
    );
}

#[tokio::test]
async fn tag_list_rules_are_permerror() {
    for (tags, words) in [
        (GOOD.replace("v=1; ", ""), "required v= tag is missing"),
        (GOOD.replace("v=1", "v=2"), "v=2"),
        (
            GOOD.replace("a=rsa-sha256; ", ""),
            "required a= tag is missing",
        ),
        (GOOD.replace("s=s1", "S=s1"), "S= is not s="),
        (
            GOOD.replace("d=example.com;", "d=example.com; d=example.com;"),
            "more than once",
        ),
        (GOOD.replace("s=s1;", "s=s1;;"), "empty tag-spec"),
        (GOOD.replace("s=s1;", "s=s1; 1x=y;"), "not a valid tag name"),
        (format!("{GOOD} q=https/wellknown;"), "q=https/wellknown"),
        (GOOD.replace("h=from:", "h="), "does not include From"),
        (format!("{GOOD} i=@other.example;"), "is not d=example.com"),
        (format!("{GOOD} x=1600000000;"), "expired"),
    ] {
        expect(&tags, KEY, "permerror", words).await;
    }
}

#[tokio::test]
async fn key_record_rules_are_permerror() {
    for (key, words) in [
        ("v=DKIM1; k=rsa; h=sha1;", "excludes sha256"),
        ("v=DKIM1; k=rsa; s=tlsrpt;", "does not include email"),
        ("v=DKIM1; k=ed25519;", "inappropriate key algorithm"),
        ("v=DKIM1; k=rsa;; ", "malformed"),
    ] {
        expect(GOOD, key, "permerror", words).await;
    }
    // t=s with i= in a subdomain: the reason names t=s.
    let tags = format!("{GOOD} i=@mail.example.com;");
    expect(&tags, "v=DKIM1; k=rsa; t=s;", "permerror", "t=s").await;
    expect(&tags, "v=DKIM1; k=rsa; t=y;", "pass", "").await;
    // A revoked key: p= empty.
    let text = "$ORIGIN example.com.\n@ SOA ns hostmaster 1 3600 600 86400 300\n_dmarc TXT \"v=DMARC1; p=reject\"\ns1._domainkey TXT \"v=DKIM1; k=rsa; p=\"\n";
    let dns = Dns::zones(ZoneSet::new(vec![
        Zone::parse(text, Path::new("t.zone")).expect("zone"),
    ]));
    let r = run_with(signed(GOOD, BODY, None), &Auth::new(dns).expect("auth")).await;
    assert_eq!(r.dkim[0].result.word(), "permerror");
    assert!(
        r.dkim[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("revoked")
    );
    // A key that does not parse as a key.
    let dns = Dns::zones(ZoneSet::new(vec![
        Zone::parse(
            &text.replace("p=\"", "p=!!notbase64\""),
            Path::new("t.zone"),
        )
        .expect("zone"),
    ]));
    let r = run_with(signed(GOOD, BODY, None), &Auth::new(dns).expect("auth")).await;
    assert_eq!(
        r.dkim[0].result.word(),
        "permerror",
        "{:?}",
        r.dkim[0].reason
    );
}

#[tokio::test]
async fn crypto_failures_are_fail() {
    let msg = signed(GOOD, BODY, None);
    let text = String::from_utf8(msg).expect("utf-8");
    let r = run(
        text.replace("minutes are", "minutes were").into_bytes(),
        KEY,
    )
    .await;
    assert_eq!(r.dkim[0].result.word(), "fail");
    assert!(
        r.dkim[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("body hash")
    );
    let r = run(
        text.replace("Subject: minutes", "Subject: money")
            .into_bytes(),
        KEY,
    )
    .await;
    assert_eq!(r.dkim[0].result.word(), "fail");
    assert!(r.authentication_results.contains("dkim=fail "));
}

#[tokio::test]
async fn a_header_that_does_not_parse_keeps_its_place() {
    let msg = signed(GOOD, BODY, None);
    let mut broken = b"DKIM-Signature: synerr\r\n".to_vec();
    broken.extend_from_slice(&msg);
    let r = run(broken, KEY).await;
    assert_eq!(r.dkim.len(), 2);
    assert_eq!(r.dkim[0].result.word(), "permerror");
    assert_eq!(r.dkim[0].domain, None);
    assert_eq!(
        r.dkim[0].canonicalization, None,
        "no default for a broken header"
    );
    assert_eq!(r.dkim[1].result.word(), "pass");
    assert!(
        r.authentication_results
            .starts_with("mx.test; dkim=permerror"),
        "{}",
        r.authentication_results
    );
}

#[tokio::test]
async fn body_length_limits() {
    let canon_len = own::canon_body(Canon::Relaxed, BODY.as_bytes()).len();
    // l= covering the whole body: a plain pass, with a note.
    let tags = format!("{GOOD} l={canon_len};");
    let r = run(signed(&tags, BODY, Some(canon_len)), KEY).await;
    assert_eq!(r.dkim[0].result.word(), "pass", "{:?}", r.dkim[0].reason);
    assert_eq!(r.dkim[0].unsigned_bytes, Some(0));
    assert_eq!(
        r.dkim[0].canonicalization.as_deref(),
        Some("relaxed/relaxed")
    );
    assert!(r.dmarc.dkim_aligned);
    // Content appended after signing: pass, counted, with the byte count.
    let msg = signed(&tags, BODY, Some(canon_len));
    let mut appended = msg.clone();
    appended.extend_from_slice(b"Click http://evil.example/\r\n");
    let r = run(appended, KEY).await;
    assert_eq!(r.dkim[0].result.word(), "pass");
    assert_eq!(r.dkim[0].unsigned_bytes, Some(28));
    assert!(r.dkim[0].notes[0].contains("28 bytes were appended"));
    assert!(r.dmarc.dkim_aligned);
    // A change inside the signed length fails.
    let text = String::from_utf8(msg).expect("utf-8");
    let r = run(text.replace("Hello Bob", "Hello Eve").into_bytes(), KEY).await;
    assert_eq!(r.dkim[0].result.word(), "fail");
    assert_eq!(r.dkim[0].selector.as_deref(), Some("s1"));
    // A cut body: l= beyond it.
    let r = run(
        text.replace("the minutes are attached.\r\n", "")
            .into_bytes(),
        KEY,
    )
    .await;
    assert_eq!(r.dkim[0].result.word(), "fail");
}

/// The key record published for a signature in a fixture's zone files.
fn fixture_key(zones: &[&str], name: &str) -> Vec<u8> {
    let paths: Vec<std::path::PathBuf> = zones
        .iter()
        .map(|z| Path::new(env!("CARGO_MANIFEST_DIR")).join(z))
        .collect();
    let set = ZoneSet::load(&paths).expect("zones");
    let name = hickory_resolver::proto::rr::Name::from_ascii(format!("{name}.")).expect("name");
    let answer = crate::dns::from_zone(&set, &name, hickory_resolver::proto::rr::RecordType::TXT)
        .expect("answer");
    let text = String::from_utf8(answer.txt().remove(0)).expect("text");
    super::sig::KeyRecord::parse(&text).p
}

/// mailcheck's own verification path (used for l=) reaches the same
/// conclusion as mail-auth on every dkimpy-signed fixture both can verify,
/// RSA and Ed25519, simple and relaxed: proof that its canonicalization and
/// header selection are right.
#[test]
fn own_path_agrees_with_mailauth_on_the_fixtures() {
    use own::Outcome::{BodyHash, Pass, Signature};
    let f = |n: &str| format!("fixtures/verify/{n}");
    for (msg, zones, expected) in [
        (
            "rsa-pass.eml",
            vec!["rsa-pass.zone"],
            vec![Pass { unsigned: 0 }],
        ),
        (
            "ed25519-pass.eml",
            vec!["ed25519-pass.zone"],
            vec![Pass { unsigned: 0 }],
        ),
        (
            "simple-simple.eml",
            vec!["simple-simple.zone"],
            vec![Pass { unsigned: 0 }],
        ),
        (
            "rfc8463.eml",
            vec!["rfc8463.zone"],
            vec![Pass { unsigned: 0 }, Pass { unsigned: 0 }],
        ),
        (
            "two-signatures.eml",
            vec!["two-signatures.zone", "two-signatures-esp.zone"],
            vec![Pass { unsigned: 0 }, Pass { unsigned: 0 }],
        ),
        (
            "body-modified.eml",
            vec!["body-modified.zone"],
            vec![BodyHash],
        ),
        (
            "header-modified.eml",
            vec!["header-modified.zone"],
            vec![Signature],
        ),
        (
            "length-appended.eml",
            vec!["length-appended.zone"],
            vec![Pass { unsigned: 165 }],
        ),
        (
            "independent/length-simple.eml",
            vec!["independent/length-simple.zone"],
            vec![Pass { unsigned: 0 }],
        ),
        (
            "independent/length-ed25519.eml",
            vec!["independent/length-ed25519.zone"],
            vec![Pass { unsigned: 0 }],
        ),
    ] {
        let bytes =
            std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(f(msg))).expect("fixture");
        let message = input::parse_message(msg, bytes).expect("message");
        let split = own::split(&message.bytes);
        let found = super::dkim::signatures(&split);
        let zones: Vec<String> = zones.iter().map(|z| f(z)).collect();
        let zones: Vec<&str> = zones.iter().map(String::as_str).collect();
        let got: Vec<own::Outcome> = found
            .iter()
            .map(|s| {
                let p = fixture_key(&zones, &s.sig.key_name().expect("key name"));
                own::verify(&split, s.index, &s.sig, &p)
            })
            .collect();
        assert_eq!(got, expected, "{msg}");
    }
}

/// Each signature mail-auth verified is matched to its header, so its
/// outcome (not a second verification) decides the verdict.
#[test]
fn mailauth_outputs_are_matched_to_their_headers() {
    let msg = signed(GOOD, BODY, None);
    let parsed = mail_auth::AuthenticatedMessage::parse(&msg).expect("parse");
    let split = own::split(&msg);
    let found = super::dkim::signatures(&split);
    let range = found[0].field.as_ptr_range();
    assert!(
        parsed
            .dkim_signatures()
            .iter()
            .any(|h| range.contains(&h.value.as_ptr()))
    );
}

/// In live mode mail-auth's evaluator for verify has no nameserver: a
/// question nobody fetched through our DNS layer fails at once as
/// temperror, rather than going out through a second resolver.
#[tokio::test]
async fn a_question_not_fetched_first_is_a_temperror_not_a_second_lookup() {
    let authenticator = crate::auth::sealed_authenticator().expect("authenticator");
    let caches = crate::auth::Caches::live();
    let msg = signed(GOOD, BODY, None);
    let parsed = mail_auth::AuthenticatedMessage::parse(&msg).expect("parse");
    let out = authenticator
        .verify_dkim(mail_auth::Parameters::new(&parsed).with_cache(&caches))
        .await;
    assert!(
        matches!(out[0].result(), mail_auth::DkimResult::TempError(_)),
        "{:?}",
        out[0].result()
    );
}

#[test]
fn tree_walk_names_and_base32_follow_their_rfcs() {
    // RFC 9989 4.10: the domain, then at most seven labels, then one fewer.
    assert_eq!(
        super::prefetch::walk_names("a.b.c.d.e.f.g.h.example.com"),
        [
            "_dmarc.a.b.c.d.e.f.g.h.example.com",
            "_dmarc.d.e.f.g.h.example.com",
            "_dmarc.e.f.g.h.example.com",
            "_dmarc.f.g.h.example.com",
            "_dmarc.g.h.example.com",
            "_dmarc.h.example.com",
            "_dmarc.example.com",
            "_dmarc.com",
        ]
    );
    assert!(super::prefetch::walk_names("com").is_empty());
    // RFC 4648 10, without padding.
    for (input, out) in [
        ("", ""),
        ("f", "MY"),
        ("fo", "MZXQ"),
        ("foobar", "MZXW6YTBOI"),
    ] {
        assert_eq!(super::prefetch::base32(input.as_bytes()), out);
    }
}

/// Everything mailcheck reads from a message before DNS, and its own l=
/// verification, on arbitrary bytes: nothing may panic.
fn read_everything(bytes: &[u8]) {
    let Ok(message) = input::parse_message("x.eml", bytes.to_vec()) else {
        return;
    };
    let split = own::split(&message.bytes);
    let arc = super::arc::ArcHeaders::read(&split);
    let _ = arc.key_names();
    let found = super::dkim::signatures(&split);
    let _ = super::prefetch::txt_names_for_mailauth(&found, &arc);
    for f in &found {
        let _ = f.sig.key_name();
        for p in [
            &b""[..],
            &[0u8; 32],
            &[0x30, 0x82, 0x01],
            b"garbage key bytes",
        ] {
            let _ = own::verify(&split, f.index, &f.sig, p);
        }
        let _ = super::sig::KeyRecord::parse(&String::from_utf8_lossy(f.field)).refuses(
            &f.sig,
            "n",
            Some(2048),
        );
    }
}

#[test]
fn no_input_makes_the_readers_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for dir in [
        "fuzz/seeds/message",
        "fixtures/verify",
        "fixtures/verify/malformed",
        "fixtures/verify/independent",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).expect("dir").flatten() {
            let p = entry.path();
            if p.is_file() && p.extension().is_none_or(|e| e == "eml") {
                inputs.push(std::fs::read(&p).expect("read"));
            }
        }
    }
    for input in &inputs {
        read_everything(input);
    }
    // Deterministic mutations of a signed message with l=: truncations,
    // byte flips and spliced separators in the signature and body.
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261204);
    let base = signed(&format!("{GOOD} l=10;"), BODY, Some(10));
    let specials = [b';', b'=', b'\r', b'\n', b' ', b':', 0xff, b'@', b'/'];
    for _ in 0..3000 {
        let mut m = base.clone();
        for _ in 0..rng.gen_range(1..6) {
            match rng.gen_range(0..3) {
                0 => {
                    let at = rng.gen_range(0..m.len());
                    m.truncate(at.max(1));
                }
                1 => {
                    let at = rng.gen_range(0..m.len());
                    m[at] = specials[rng.gen_range(0..specials.len())];
                }
                _ => {
                    let at = rng.gen_range(0..m.len());
                    m.insert(at, specials[rng.gen_range(0..specials.len())]);
                }
            }
        }
        read_everything(&m);
    }
}

#[test]
fn dmarc_questions_are_only_those_mail_auth_will_ask() {
    use crate::check::dmarc::{Discovery, Found, parse_tags};
    let discovery = |record: &str, at: &str| Discovery {
        walk: vec![Found {
            domain: at.into(),
            text: record.into(),
            tags: parse_tags(record),
            count: 1,
        }],
        queried: Vec::new(),
        applies: Some(0),
        organizational: "example.com".into(),
        unanswered: Vec::new(),
    };
    let relaxed = discovery("v=DMARC1; p=reject", "example.com");
    let (names, np) = super::prefetch::dmarc_names_for_mailauth(
        "example.com",
        Some(&relaxed),
        &["mail.example.com", "esp.example.net", "example.com"],
        Some("bounce.example.com"),
    );
    assert_eq!(
        names,
        [
            "_dmarc.bounce.example.com",
            "_dmarc.com",
            "_dmarc.example.com",
            "_dmarc.mail.example.com"
        ]
    );
    assert!(!np, "the author's own record: np= does not apply");
    // Strict alignment asks nothing more.
    let strict = discovery("v=DMARC1; p=reject; adkim=s; aspf=s", "example.com");
    let (names, _) = super::prefetch::dmarc_names_for_mailauth(
        "example.com",
        Some(&strict),
        &["mail.example.com"],
        Some("bounce.example.com"),
    );
    assert!(names.is_empty(), "{names:?}");
    // An organizational record whose np= differs from sp=: the From
    // domain's A record is asked.
    let org = discovery("v=DMARC1; p=reject; np=quarantine", "example.com");
    let (_, np) = super::prefetch::dmarc_names_for_mailauth("x.example.com", Some(&org), &[], None);
    assert!(np);
    let same = discovery("v=DMARC1; p=reject; sp=none; np=none", "example.com");
    let (_, np) =
        super::prefetch::dmarc_names_for_mailauth("x.example.com", Some(&same), &[], None);
    assert!(!np);
}
