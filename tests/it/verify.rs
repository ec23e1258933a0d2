//! `mailcheck verify` on real signed messages (signed by an independent DKIM
//! implementation, see fixtures/verify/CASES.md), through `--zone` and
//! through the local DNS server; plus keygen -> sign -> verify round trips.

use crate::support::{MODES, Mode, mailcheck, server};
use serde_json::Value;

/// One message and what a receiver would conclude.
struct Case {
    /// `fixtures/verify/<name>.eml`.
    name: &'static str,
    /// Zone files (in fixtures/verify) besides `<name>.zone`.
    zones: &'static [&'static str],
    ip: &'static str,
    extra: &'static [&'static str],
    exit: i32,
    /// (result, words in the reason) per DKIM-Signature, in header order.
    dkim: &'static [(&'static str, &'static str)],
    spf: &'static str,
    dmarc: &'static str,
    policy: Option<&'static str>,
    disposition: &'static str,
    /// (spf_aligned, dkim_aligned).
    aligned: (bool, bool),
}

const PASS_IP: &str = "203.0.113.5";
const FAIL_IP: &str = "192.0.2.250";

const CASES: &[Case] = &[
    Case {
        name: "rsa-pass",
        zones: &[],
        ip: PASS_IP,
        extra: &[],
        exit: 0,
        dkim: &[("pass", "")],
        spf: "pass",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (true, true),
    },
    Case {
        name: "ed25519-pass",
        zones: &[],
        ip: PASS_IP,
        extra: &[],
        exit: 0,
        dkim: &[("pass", "")],
        spf: "pass",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (true, true),
    },
    Case {
        name: "simple-simple",
        zones: &[],
        ip: PASS_IP,
        extra: &[],
        exit: 0,
        dkim: &[("pass", "")],
        spf: "pass",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (true, true),
    },
    Case {
        name: "body-modified",
        zones: &[],
        ip: FAIL_IP,
        extra: &[],
        exit: 1,
        dkim: &[("fail", "the body changed after signing")],
        spf: "fail",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
    Case {
        name: "header-modified",
        zones: &[],
        ip: FAIL_IP,
        extra: &[],
        exit: 1,
        dkim: &[("fail", "a signed header changed")],
        spf: "fail",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
    Case {
        name: "key-missing",
        zones: &[],
        ip: PASS_IP,
        extra: &[],
        exit: 0,
        dkim: &[(
            "permerror",
            "no DKIM key at gone._domainkey.key-missing.verify.example",
        )],
        spf: "pass",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (true, false),
    },
    Case {
        name: "key-revoked",
        zones: &[],
        ip: FAIL_IP,
        extra: &[],
        exit: 1,
        dkim: &[("permerror", "revoked")],
        spf: "fail",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
    Case {
        name: "rsa-sha1",
        zones: &[],
        ip: FAIL_IP,
        extra: &[],
        exit: 1,
        dkim: &[("permerror", "RFC 8301")],
        spf: "fail",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
    Case {
        name: "expired",
        zones: &[],
        ip: FAIL_IP,
        extra: &[],
        exit: 1,
        dkim: &[("permerror", "expired")],
        spf: "fail",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
    Case {
        name: "identity-mismatch",
        zones: &[],
        ip: FAIL_IP,
        extra: &[],
        exit: 1,
        dkim: &[("permerror", "is not d=identity-mismatch.verify.example")],
        spf: "fail",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
    // l= with content appended after signing: the signature verifies over
    // its l= bytes, so it passes (and counts for DMARC), with a warning that
    // names the unsigned bytes (README: "Body length limits").
    Case {
        name: "length-appended",
        zones: &[],
        ip: FAIL_IP,
        extra: &[],
        exit: 0,
        dkim: &[("pass", "")],
        spf: "fail",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (false, true),
    },
    Case {
        name: "testing-key",
        zones: &[],
        ip: PASS_IP,
        extra: &[],
        exit: 0,
        dkim: &[("pass", "")],
        spf: "pass",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (true, true),
    },
    Case {
        name: "rsa-1024",
        zones: &[],
        ip: PASS_IP,
        extra: &[],
        exit: 0,
        dkim: &[("pass", "")],
        spf: "pass",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (true, true),
    },
    Case {
        name: "two-signatures",
        zones: &["two-signatures-esp"],
        ip: FAIL_IP,
        extra: &[],
        exit: 0,
        dkim: &[("pass", ""), ("pass", "")],
        spf: "fail",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (false, true),
    },
    Case {
        name: "misaligned",
        zones: &["esp-misaligned"],
        ip: PASS_IP,
        extra: &[],
        exit: 1,
        dkim: &[("pass", "")],
        spf: "pass",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
    Case {
        name: "spf-only",
        zones: &[],
        ip: PASS_IP,
        extra: &[],
        exit: 0,
        dkim: &[],
        spf: "pass",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (true, false),
    },
    Case {
        name: "spf-only",
        zones: &[],
        ip: FAIL_IP,
        extra: &[],
        exit: 1,
        dkim: &[],
        spf: "fail",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
    Case {
        name: "dmarc-testing",
        zones: &["dmarc-testing-bounce"],
        ip: PASS_IP,
        extra: &[],
        exit: 1,
        dkim: &[],
        spf: "pass",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "quarantine",
        aligned: (false, false),
    },
    Case {
        name: "dmarc-pct",
        zones: &["dmarc-pct-bounce"],
        ip: PASS_IP,
        extra: &[],
        exit: 1,
        dkim: &[],
        spf: "pass",
        dmarc: "fail",
        policy: Some("quarantine"),
        disposition: "quarantine",
        aligned: (false, false),
    },
    Case {
        name: "no-dmarc",
        zones: &[],
        ip: PASS_IP,
        extra: &[],
        exit: 0,
        dkim: &[("pass", "")],
        spf: "pass",
        dmarc: "none",
        policy: None,
        disposition: "none",
        aligned: (true, true),
    },
    Case {
        name: "subdomain-policy",
        zones: &["subdomain-policy-bounce"],
        ip: PASS_IP,
        extra: &[],
        exit: 1,
        dkim: &[],
        spf: "pass",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
    Case {
        name: "relaxed-alignment",
        zones: &[],
        ip: FAIL_IP,
        extra: &[],
        exit: 0,
        dkim: &[("pass", "")],
        spf: "fail",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (false, true),
    },
    Case {
        name: "strict-alignment",
        zones: &[],
        ip: FAIL_IP,
        extra: &[],
        exit: 1,
        dkim: &[("pass", "")],
        spf: "fail",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
    Case {
        name: "rfc8463",
        zones: &["../domain/example.com"],
        ip: PASS_IP,
        extra: &["--mail-from", "joe@football.example.com"],
        exit: 0,
        dkim: &[("pass", ""), ("pass", "")],
        spf: "pass",
        dmarc: "pass",
        policy: Some("reject"),
        disposition: "none",
        aligned: (true, true),
    },
    Case {
        name: "arc-sealed",
        zones: &["forwarder"],
        ip: FAIL_IP,
        extra: &[],
        exit: 1,
        dkim: &[("fail", "a signed header changed")],
        spf: "fail",
        dmarc: "fail",
        policy: Some("reject"),
        disposition: "reject",
        aligned: (false, false),
    },
];

fn run(case: &Case, mode: Mode, json: bool) -> crate::support::Out {
    let msg = format!("fixtures/verify/{}.eml", case.name);
    let mut args: Vec<String> = vec![
        "verify".into(),
        msg,
        "--ip".into(),
        case.ip.into(),
        "--authserv-id".into(),
        "mx.test".into(),
    ];
    args.extend(case.extra.iter().map(|s| s.to_string()));
    if json {
        args.push("--json".into());
    } else {
        args.extend(["--color".into(), "never".into()]);
    }
    match mode {
        Mode::Zone => {
            for z in std::iter::once(case.name).chain(case.zones.iter().copied()) {
                args.push("--zone".into());
                args.push(format!("fixtures/verify/{z}.zone"));
            }
        }
        Mode::Server => {
            args.extend(["--resolver".into(), server().addr.to_string()]);
        }
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    mailcheck(&refs)
}

fn check(case: &Case, mode: Mode) {
    let label = format!("{} --ip {} {mode:?}", case.name, case.ip);
    let out = run(case, mode, true);
    assert_eq!(
        out.code, case.exit,
        "{label}: exit\n{}\n{}",
        out.stdout, out.stderr
    );
    let v = out.json();
    assert_eq!(
        v["message"],
        format!("fixtures/verify/{}.eml", case.name),
        "{label}"
    );
    let dkim = v["dkim"].as_array().expect("dkim list");
    assert_eq!(
        dkim.len(),
        case.dkim.len(),
        "{label}: one entry per signature\n{}",
        out.stdout
    );
    for (entry, (result, words)) in dkim.iter().zip(case.dkim) {
        assert_eq!(entry["result"], *result, "{label}: {entry}");
        let reason = entry["reason"].as_str().unwrap_or("");
        if words.is_empty() {
            assert!(
                entry["reason"].is_null(),
                "{label}: a pass has no reason: {entry}"
            );
        } else {
            assert!(
                reason.contains(words),
                "{label}: reason {reason:?} lacks {words:?}"
            );
        }
    }
    assert_eq!(v["spf"]["result"], case.spf, "{label}: spf");
    let dm = &v["dmarc"];
    assert_eq!(dm["result"], case.dmarc, "{label}: dmarc\n{dm}");
    assert_eq!(
        dm["policy"],
        case.policy.map_or(Value::Null, Value::from),
        "{label}: policy"
    );
    assert_eq!(dm["disposition"], case.disposition, "{label}: disposition");
    assert_eq!(
        (dm["spf_aligned"].as_bool(), dm["dkim_aligned"].as_bool()),
        (Some(case.aligned.0), Some(case.aligned.1)),
        "{label}: alignment"
    );
    let ar = v["authentication_results"].as_str().unwrap_or("");
    assert!(ar.starts_with("mx.test;"), "{label}: {ar}");
    // One dkim= per signature with the report's word, or dkim=none.
    let words: Vec<String> = case.dkim.iter().map(|(r, _)| format!("dkim={r}")).collect();
    let in_ar: Vec<String> = ar
        .split(';')
        .map(str::trim)
        .filter(|p| p.starts_with("dkim="))
        .map(|p| p.split(' ').next().unwrap_or("").to_string())
        .collect();
    if words.is_empty() {
        assert_eq!(in_ar, ["dkim=none"], "{label}: {ar}");
    } else {
        assert_eq!(in_ar, words, "{label}: {ar}");
    }
    assert!(
        ar.contains(&format!("dmarc={}", case.dmarc)),
        "{label}: {ar}"
    );

    let text = run(case, mode, false);
    assert_eq!(text.code, case.exit, "{label}: text exit");
    assert!(
        text.stdout
            .contains(&format!("disposition: {}", case.disposition)),
        "{label}:\n{}",
        text.stdout
    );
    for (_, words) in case.dkim {
        assert!(
            text.stdout.contains(words),
            "{label}: text lacks {words:?}\n{}",
            text.stdout
        );
    }
}

#[test]
fn every_message_through_zone_files() {
    for case in CASES {
        check(case, Mode::Zone);
    }
}

#[test]
fn every_message_through_the_local_dns_server() {
    for case in CASES {
        check(case, Mode::Server);
    }
}

#[test]
fn zone_and_server_agree_on_every_message() {
    for case in CASES {
        let [a, b] = MODES.map(|m| run(case, m, true).stdout);
        assert_eq!(a, b, "{}: --zone and the DNS server disagree", case.name);
    }
}

#[test]
fn testing_pct_and_weak_keys_are_reported() {
    let v = run(&CASES[17], Mode::Zone, true).json();
    assert_eq!(v["dmarc"]["testing"], true);
    let v = run(&CASES[18], Mode::Zone, true).json();
    assert_eq!(v["dmarc"]["pct"], 25);
    let text = run(&CASES[18], Mode::Zone, false).stdout;
    assert!(
        text.contains("an RFC 7489 receiver applies the policy to 25% of failing mail"),
        "{text}"
    );
    let v = run(&CASES[12], Mode::Zone, true).json();
    assert_eq!(v["dkim"][0]["key_bits"], 1024);
    assert!(
        v["dkim"][0]["notes"][0]
            .as_str()
            .unwrap_or("")
            .contains("1024 bits")
    );
    let v = run(&CASES[11], Mode::Zone, true).json();
    assert!(v["dkim"][0]["notes"].to_string().contains("testing mode"));
    let v = run(&CASES[24], Mode::Zone, true).json();
    assert_eq!(v["arc"]["result"], "pass");
    assert_eq!(v["arc"]["instances"], 1);
}

#[test]
fn several_messages_in_order_and_stdin() {
    let out = mailcheck(&[
        "verify",
        "fixtures/verify/spf-only.eml",
        "fixtures/verify/rsa-pass.eml",
        "--ip",
        PASS_IP,
        "--json",
        "--zone",
        "fixtures/verify/spf-only.zone",
        "--zone",
        "fixtures/verify/rsa-pass.zone",
    ]);
    let names: Vec<String> = out
        .json_lines()
        .iter()
        .map(|l| l["message"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        names,
        [
            "fixtures/verify/spf-only.eml",
            "fixtures/verify/rsa-pass.eml"
        ]
    );
    assert_eq!(out.code, 0);

    let bytes = std::fs::read("fixtures/verify/rsa-pass.eml").expect("fixture");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mailcheck"))
        .args([
            "verify",
            "-",
            "--ip",
            PASS_IP,
            "--json",
            "--zone",
            "fixtures/verify/rsa-pass.zone",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&bytes)
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(v["message"], "-");
    assert_eq!(v["dkim"][0]["result"], "pass");
}

#[test]
fn malformed_messages_get_one_line_errors_or_defined_results() {
    let zone = ["--zone", "fixtures/verify/rsa-pass.zone"];
    for (file, code, stderr) in [
        ("empty", 2, "malformed/empty.eml: empty file, not a message"),
        ("binary", 2, "malformed/binary.eml:1: "),
        ("no-from", 2, "malformed/no-from.eml: no From header field"),
        (
            "two-from",
            2,
            "malformed/two-from.eml:8: a second From header field",
        ),
        (
            "from-no-domain",
            2,
            "malformed/from-no-domain.eml: the From header has no address with a domain",
        ),
        (
            "header-no-colon",
            2,
            "malformed/header-no-colon.eml:9: header line without a colon",
        ),
        ("bad-utf8-header", 1, ""),
        ("bare-lf", 0, ""),
        ("no-final-newline", 0, ""),
    ] {
        let path = format!("fixtures/verify/malformed/{file}.eml");
        let mut args = vec!["verify", path.as_str(), "--ip", PASS_IP, "--json"];
        args.extend(zone);
        let out = mailcheck(&args);
        assert_eq!(out.code, code, "{file}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{file}: {}", out.stderr);
        if code == 2 {
            assert!(out.stdout.is_empty());
            assert_eq!(out.stderr.lines().count(), 1, "{file}: {}", out.stderr);
            assert!(out.stderr.contains(stderr), "{file}: {}", out.stderr);
        } else {
            let v = out.json();
            if code == 0 {
                assert_eq!(v["dkim"][0]["result"], "pass", "{file}: read as CRLF");
            }
        }
    }
    let out = mailcheck(&[
        "verify",
        "fixtures/verify/does-not-exist.eml",
        "--ip",
        PASS_IP,
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("mailcheck: fixtures/verify/does-not-exist.eml: cannot read"),
        "{}",
        out.stderr
    );
}

#[test]
fn keygen_sign_verify_round_trip_for_rsa_and_ed25519() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for (alg, sel) in [("rsa-2048", "r1"), ("ed25519", "e1")] {
        let key = d.join(format!("{sel}.pem"));
        let keyp = key.to_str().expect("utf-8 path");
        let out = mailcheck(&[
            "dkim",
            "keygen",
            "--domain",
            "roundtrip.example",
            "--selector",
            sel,
            "--algorithm",
            alg,
            "--out",
            keyp,
            "--json",
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let generated = out.json();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key)
                .expect("key file")
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600, "private key mode");
        }
        // Refuses to clobber.
        let before = std::fs::read(&key).expect("key");
        let again = mailcheck(&[
            "dkim",
            "keygen",
            "--domain",
            "roundtrip.example",
            "--selector",
            sel,
            "--algorithm",
            alg,
            "--out",
            keyp,
        ]);
        assert_eq!(again.code, 2);
        assert!(again.stderr.contains("already exists"), "{}", again.stderr);
        assert_eq!(std::fs::read(&key).expect("key"), before);

        // Publish the printed record in a zone.
        let zone = d.join(format!("{sel}.zone"));
        let zone_text = format!(
            "$ORIGIN roundtrip.example.\n$TTL 300\n@ IN SOA ns hostmaster 1 3600 600 86400 300\n@ IN TXT \"v=spf1 ip4:203.0.113.0/24 -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject\"\n{}\n",
            generated["zone"].as_str().expect("zone text")
        );
        std::fs::write(&zone, zone_text).expect("write zone");
        let zonep = zone.to_str().expect("utf-8");

        let msg = d.join("msg.eml");
        std::fs::write(&msg, "From: Alice <alice@roundtrip.example>\nTo: bob@example.net\nSubject: round trip\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <rt@roundtrip.example>\n\nHello Bob.\n").expect("msg");
        let signed = d.join(format!("signed-{sel}.eml"));
        let signedp = signed.to_str().expect("utf-8");
        let out = mailcheck(&[
            "dkim",
            "sign",
            msg.to_str().expect("utf-8"),
            "--key",
            keyp,
            "--domain",
            "roundtrip.example",
            "--selector",
            sel,
            "--out",
            signedp,
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let out = mailcheck(&[
            "dkim",
            "sign",
            msg.to_str().expect("utf-8"),
            "--key",
            keyp,
            "--domain",
            "roundtrip.example",
            "--selector",
            sel,
            "--out",
            signedp,
        ]);
        assert_eq!(out.code, 2, "sign --out refuses to clobber");

        let out = mailcheck(&[
            "verify",
            signedp,
            "--ip",
            PASS_IP,
            "--mail-from",
            "bounce@roundtrip.example",
            "--json",
            "--zone",
            zonep,
        ]);
        assert_eq!(out.code, 0, "{alg}: {}\n{}", out.stdout, out.stderr);
        let v = out.json();
        assert_eq!(v["dkim"][0]["result"], "pass", "{alg}");
        assert_eq!(v["dmarc"]["result"], "pass");

        // Tamper with the body: the body hash no longer matches.
        let text = std::fs::read_to_string(&signed)
            .expect("signed")
            .replace("Hello Bob.", "Hello Eve.");
        let tampered = d.join(format!("tampered-{sel}.eml"));
        std::fs::write(&tampered, text).expect("write");
        let out = mailcheck(&[
            "verify",
            tampered.to_str().expect("utf-8"),
            "--ip",
            "192.0.2.250",
            "--mail-from",
            "bounce@roundtrip.example",
            "--json",
            "--zone",
            zonep,
        ]);
        assert_eq!(out.code, 1);
        let v = out.json();
        assert_eq!(v["dkim"][0]["result"], "fail");
        assert!(
            v["dkim"][0]["reason"]
                .as_str()
                .unwrap_or("")
                .contains("body changed after signing")
        );
        assert_eq!(v["dmarc"]["disposition"], "reject");
    }
}
