//! DNSSEC and DANE (`dnssec.*`, `dane.*`) against zones signed at test time
//! by BIND's `dnssec-keygen` and `dnssec-signzone` (bind9-utils), so their
//! RRSIG dates are current, served two ways: read with `--zone`, and by Knot
//! DNS on 127.0.0.1 (support/knot.rs) with `--resolver`. The trust anchor is
//! the DS set of the parent `dnssec.test.` (`--trust-anchor`), so no root
//! needs signing and nothing leaves 127.0.0.1.
//!
//! Under `dnssec.test.` (signed):
//! * `good`: signed, DS at the parent; TLSA 3 1 1 for its MX host;
//! * `expired`: signed with RRSIGs that expired in 2020;
//! * `badds`: signed, but the parent's DS matches none of its keys;
//! * `plain`: an unsigned delegation (NSEC at the parent proves no DS),
//!   with TLSA records: DANE without DNSSEC;
//! * `tampered`: signed, then its MX record changed: a bad signature;
//! * `pkix`: signed, with a PKIX-EE (usage 1) TLSA record;
//! * `n3`: signed with NSEC3, delegating `plain.n3` without DS;
//! * `o3`: the same with NSEC3 opt-out, delegating `plain.o3`.

use crate::support::knot::Knot;
use crate::support::{Out, mailcheck, messages, statuses};
use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

const PARENT: &str = "dnssec.test";
const TLSA_DATA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The signed zones, written once per test process.
struct Zones {
    dir: tempfile::TempDir,
    /// (origin, file) of every zone, the parent first.
    files: Vec<(String, PathBuf)>,
}

fn child_zone(origin: &str, usage: u8) -> String {
    format!(
        "$ORIGIN {origin}.\n$TTL 3600\n@ SOA ns.{origin}. hostmaster.{origin}. 1 7200 3600 1209600 3600\n\
         @ NS ns.{origin}.\nns A 192.0.2.53\n@ MX 10 mx.{origin}.\nmx A 192.0.2.25\n\
         @ TXT \"v=spf1 mx -all\"\n_25._tcp.mx TLSA {usage} 1 1 {TLSA_DATA}\n"
    )
}

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}); install bind9-utils"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Add a fresh ECDSA P-256 key to the zone file of `origin` and sign it
/// (`extra`: more dnssec-signzone options).
fn sign(dir: &Path, origin: &str, extra: &[&str]) -> PathBuf {
    let key = run(
        dir,
        "dnssec-keygen",
        &[
            "-q",
            "-a",
            "ECDSAP256SHA256",
            "-f",
            "KSK",
            "-n",
            "ZONE",
            origin,
        ],
    );
    let zone = dir.join(format!("{origin}.zone"));
    let mut text = std::fs::read_to_string(&zone).unwrap();
    text.push_str(&std::fs::read_to_string(dir.join(format!("{key}.key"))).unwrap());
    std::fs::write(&zone, text).unwrap();
    let signed = format!("{origin}.signed");
    let zone_file = format!("{origin}.zone");
    let mut args = vec!["-q", "-z"];
    args.extend_from_slice(extra);
    args.extend(["-o", origin, "-f", signed.as_str(), zone_file.as_str()]);
    run(dir, "dnssec-signzone", &args);
    dir.join(signed)
}

fn zones() -> &'static Zones {
    static ZONES: OnceLock<Zones> = OnceLock::new();
    ZONES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut files = Vec::new();
        let mut parent = format!(
            "$ORIGIN {PARENT}.\n$TTL 3600\n@ SOA ns hostmaster 1 7200 3600 1209600 3600\n@ NS ns\nns A 192.0.2.53\n"
        );
        for (child, usage) in [
            ("good", 3),
            ("expired", 3),
            ("badds", 3),
            ("plain", 3),
            ("tampered", 3),
            ("pkix", 1),
            ("n3", 3),
            ("o3", 3),
        ] {
            let origin = format!("{child}.{PARENT}");
            let mut text = child_zone(&origin, usage);
            if child == "n3" || child == "o3" {
                // An unsigned delegation below a zone signed with NSEC3.
                text.push_str("plain NS ns.plain\nns.plain A 192.0.2.53\n");
            }
            std::fs::write(d.join(format!("{origin}.zone")), text).unwrap();
            parent.push_str(&format!("{child} NS ns.{child}\nns.{child} A 192.0.2.53\n"));
            let file = match child {
                "plain" => d.join(format!("{origin}.zone")),
                // Valid in January 2020 only; -P: no check of the result.
                "expired" => sign(d, &origin, &["-P", "-s", "20200101000000", "-e", "20200201000000"]),
                // NSEC3 without salt or extra iterations (RFC 9276).
                "n3" => sign(d, &origin, &["-3", "-"]),
                // NSEC3 with opt-out, as most TLDs sign: no NSEC3 record
                // for the unsigned delegation itself.
                "o3" => sign(d, &origin, &["-3", "-", "-A"]),
                _ => sign(d, &origin, &[]),
            };
            match child {
                "plain" => {}
                // A DS with a digest of no key of the zone.
                "badds" => parent.push_str(&format!(
                    "badds DS 11111 13 2 {}\n",
                    TLSA_DATA.to_uppercase()
                )),
                _ => parent.push_str(
                    &std::fs::read_to_string(d.join(format!("dsset-{origin}."))).unwrap(),
                ),
            }
            if child == "tampered" {
                let text = std::fs::read_to_string(&file).unwrap();
                let changed = text.replacen("MX\t10 mx.", "MX\t20 mx.", 1);
                assert_ne!(text, changed, "the signed file's MX line");
                std::fs::write(&file, changed).unwrap();
            }
            files.push((origin, file));
        }
        for parent in ["n3", "o3"] {
            let below = format!("plain.{parent}.{PARENT}");
            std::fs::write(d.join(format!("{below}.zone")), child_zone(&below, 3)).unwrap();
            files.push((below.clone(), d.join(format!("{below}.zone"))));
        }
        std::fs::write(d.join(format!("{PARENT}.zone")), parent).unwrap();
        let parent_file = sign(d, PARENT, &[]);
        files.insert(0, (PARENT.to_string(), parent_file));
        Zones { dir, files }
    })
}

fn anchor() -> String {
    zones()
        .dir
        .path()
        .join(format!("dsset-{PARENT}."))
        .display()
        .to_string()
}

/// `mailcheck domain DOMAIN --trust-anchor` over the signed zones as files.
fn by_zone(domain: &str, extra: &[&str]) -> Out {
    let z = zones();
    let anchor = anchor();
    let mut args = vec!["domain", domain, "--json", "--trust-anchor", &anchor];
    args.extend_from_slice(extra);
    let paths: Vec<String> = z
        .files
        .iter()
        .map(|(_, f)| f.display().to_string())
        .collect();
    for p in &paths {
        args.extend(["--zone", p.as_str()]);
    }
    mailcheck(&args)
}

fn knot() -> &'static Knot {
    static KNOT: OnceLock<Knot> = OnceLock::new();
    KNOT.get_or_init(|| {
        let zones: Vec<(String, String)> = zones()
            .files
            .iter()
            .map(|(o, f)| (o.clone(), std::fs::read_to_string(f).unwrap()))
            .collect();
        Knot::start(&zones)
    })
}

/// The same over DNS, from Knot serving the signed zones.
fn by_server(domain: &str, extra: &[&str]) -> Out {
    let addr = knot().addr.to_string();
    let anchor = anchor();
    let mut args = vec![
        "domain",
        domain,
        "--json",
        "--trust-anchor",
        &anchor,
        "--resolver",
        &addr,
        "--timeout",
        "5",
    ];
    args.extend_from_slice(extra);
    mailcheck(&args)
}

fn both(domain: &str) -> [(&'static str, Value); 2] {
    [
        ("--zone", by_zone(domain, &[]).json()),
        ("--resolver", by_server(domain, &[]).json()),
    ]
}

fn one(report: &Value, name: &str) -> (String, String) {
    let s = statuses(report, name);
    let m = messages(report, name);
    assert_eq!(s.len(), 1, "one {name}: {report}");
    (s[0].clone(), m[0].clone())
}

#[test]
fn a_good_chain_is_secure_and_its_tlsa_records_pass() {
    for (how, report) in both("good.dnssec.test") {
        let (status, message) = one(&report, "dnssec.chain");
        assert_eq!(status, "pass", "{how}: {report}");
        assert!(message.contains("(secure)"), "{how}: {message}");
        assert_eq!(one(&report, "dnssec.mx").0, "pass", "{how}: {report}");
        assert_eq!(one(&report, "dnssec.txt").0, "pass", "{how}: {report}");
        let (status, message) = one(&report, "dane.tlsa");
        assert_eq!(status, "pass", "{how}: {report}");
        assert!(message.contains("3 1 1"), "{how}: {message}");
        assert_eq!(one(&report, "dane.dnssec").0, "pass", "{how}: {report}");
    }
}

#[test]
fn an_expired_rrsig_is_bogus() {
    for (how, report) in both("expired.dnssec.test") {
        let (status, message) = one(&report, "dnssec.chain");
        assert_eq!(status, "fail", "{how}: {report}");
        assert!(message.contains("(bogus)"), "{how}: {message}");
        assert!(
            message.contains("expired at 20200201000000"),
            "{how}: {message}"
        );
        assert_eq!(one(&report, "dane.dnssec").0, "fail", "{how}: {report}");
        assert_eq!(report["status"], "fail", "{how}");
    }
}

#[test]
fn a_ds_that_matches_no_key_is_bogus() {
    for (how, report) in both("badds.dnssec.test") {
        let (status, message) = one(&report, "dnssec.chain");
        assert_eq!(status, "fail", "{how}: {report}");
        assert!(message.contains("key tag 11111"), "{how}: {message}");
        assert!(
            message.contains("matches none of its DNSKEY"),
            "{how}: {message}"
        );
    }
}

#[test]
fn an_unsigned_delegation_is_insecure_not_bogus_and_its_tlsa_fails() {
    for (how, report) in both("plain.dnssec.test") {
        let (status, message) = one(&report, "dnssec.chain");
        assert_eq!(status, "info", "{how}: {report}");
        assert!(message.contains("(insecure)"), "{how}: {message}");
        assert!(message.contains("NSEC"), "{how}: {message}");
        assert!(statuses(&report, "dnssec.mx").is_empty(), "{how}: {report}");
        // TLSA under an insecure zone: senders ignore it.
        let (status, message) = one(&report, "dane.dnssec");
        assert_eq!(status, "fail", "{how}: {report}");
        assert!(message.contains("unsigned zone"), "{how}: {message}");
    }
}

#[test]
fn a_record_changed_after_signing_fails_its_signature() {
    for (how, report) in both("tampered.dnssec.test") {
        assert_eq!(one(&report, "dnssec.chain").0, "pass", "{how}: {report}");
        let (status, message) = one(&report, "dnssec.mx");
        assert_eq!(status, "fail", "{how}: {report}");
        assert!(message.contains("does not verify"), "{how}: {message}");
        assert_eq!(one(&report, "dnssec.txt").0, "pass", "{how}: {report}");
    }
}

#[test]
fn a_pkix_usage_warns_for_smtp() {
    for (how, report) in both("pkix.dnssec.test") {
        let (status, message) = one(&report, "dane.tlsa");
        assert_eq!(status, "warn", "{how}: {report}");
        assert!(message.contains("PKIX-EE"), "{how}: {message}");
        assert!(message.contains("RFC 7672 3.1.3"), "{how}: {message}");
    }
}

#[test]
fn without_the_test_anchor_the_chain_is_indeterminate_and_no_query_leaves() {
    // The default anchor is the root; this source serves no root, and the
    // walk must not go elsewhere for it.
    let addr = knot().addr.to_string();
    let out = mailcheck(&[
        "domain",
        "good.dnssec.test",
        "--json",
        "--resolver",
        &addr,
        "--timeout",
        "2",
    ]);
    let report = out.json();
    let (status, message) = one(&report, "dnssec.chain");
    assert_eq!(status, "info", "{report}");
    assert!(message.contains("indeterminate"), "{message}");
    assert!(message.contains("IANA root"), "{message}");
    // TLSA that cannot be validated warns, never passes.
    assert_eq!(one(&report, "dane.dnssec").0, "warn", "{report}");
}

#[test]
fn a_bad_trust_anchor_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("anchor.txt");
    std::fs::write(&path, "example.com. A 192.0.2.1\n").unwrap();
    let p = path.display().to_string();
    let out = mailcheck(&[
        "domain",
        "example.com",
        "--trust-anchor",
        &p,
        "--resolver",
        "127.0.0.1:9",
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("anchor.txt"), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn a_dnskey_anchor_at_the_zone_itself_works_as_well() {
    let z = zones();
    // The K*.key file dnssec-keygen wrote for good.dnssec.test.
    let key = std::fs::read_dir(z.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("Kgood.dnssec.test.+013+") && n.ends_with(".key")
        })
        .expect("the key file of good.dnssec.test");
    let key = key.display().to_string();
    let paths: Vec<String> = z
        .files
        .iter()
        .map(|(_, f)| f.display().to_string())
        .collect();
    let mut args = vec![
        "domain",
        "good.dnssec.test",
        "--json",
        "--trust-anchor",
        &key,
    ];
    for p in &paths {
        args.extend(["--zone", p.as_str()]);
    }
    let report = mailcheck(&args).json();
    let (status, message) = one(&report, "dnssec.chain");
    assert_eq!(status, "pass", "{report}");
    assert!(message.contains("Kgood.dnssec.test"), "{message}");
    // A name the anchor does not cover stays indeterminate.
    let mut args = vec![
        "domain",
        "plain.dnssec.test",
        "--json",
        "--trust-anchor",
        &key,
    ];
    for p in &paths {
        args.extend(["--zone", p.as_str()]);
    }
    let report = mailcheck(&args).json();
    let (status, message) = one(&report, "dnssec.chain");
    assert_eq!(status, "info", "{report}");
    assert!(message.contains("does not cover"), "{message}");
}

#[test]
fn no_ds_proven_by_nsec3_is_insecure_with_and_without_opt_out() {
    for (domain, proof) in [
        ("plain.n3.dnssec.test", "an NSEC3 record"),
        ("plain.o3.dnssec.test", "opt-out NSEC3 records"),
    ] {
        for (how, report) in both(domain) {
            let (status, message) = one(&report, "dnssec.chain");
            assert_eq!(status, "info", "{domain} {how}: {report}");
            assert!(message.contains("(insecure)"), "{domain} {how}: {message}");
            assert!(message.contains(proof), "{domain} {how}: {message}");
            assert_eq!(
                one(&report, "dane.dnssec").0,
                "fail",
                "{domain} {how}: {report}"
            );
        }
    }
    // The NSEC3 zones themselves validate.
    for domain in ["n3.dnssec.test", "o3.dnssec.test"] {
        for (how, report) in both(domain) {
            assert_eq!(
                one(&report, "dnssec.chain").0,
                "pass",
                "{domain} {how}: {report}"
            );
            assert_eq!(
                one(&report, "dnssec.mx").0,
                "pass",
                "{domain} {how}: {report}"
            );
        }
    }
}
