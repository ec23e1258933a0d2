//! `--resolver` pointed at an authoritative-only server (Knot DNS on
//! 127.0.0.1, support/knot.rs) that serves the checked domains' zones and
//! refuses everything else, their parents included: a lookup whose answer
//! cannot change a finding must not make the report `error`; one that can
//! makes that finding `error` and no other.

use crate::support::knot::Knot;
use crate::support::{Out, mailcheck};
use serde_json::Value;
use std::time::Instant;

/// A 2048-bit RSA key record (the fixtures' rsa2048 test key).
const KEY: &str = "( \"v=DKIM1; k=rsa; \" \"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvwnZC/hFgdm33S+4vgFYF/0IWPxITWrhW2kdS1EiAhxAWkJET8PVuju9sZX9GVx7w29+zPwzRjjdE8Oyc+fpjlITQyXqje37jKFiOVttdYIUbsRs+zniXObnrRhup8POn75zOL1JArqfOrIPLn50dexuwsSe\" \"z1y/PjEDE6TBAKeC20RAKIcQMh0+lQSUX6CjmDXchc2d9qsu3ey/EvkGVJNNEA4oWqqj8rS8gPU2P0Lgi48dSH5qidTVb/GMkI2aPnwYe5GiBu3tgcN+FZvopXCTSCi113lyhPYzguRyt8GHuJKvONXpRYtznPSeqcJ8pD77JWiXEjfK1C2LmRlT0QIDAQAB\" )";

/// The SOA and NS lines every zone starts with.
fn head(origin: &str) -> String {
    format!(
        "$ORIGIN {origin}.\n$TTL 300\n@ SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 300\n@ NS ns.{origin}.\nns A 192.0.2.53\n"
    )
}

/// A domain as a mail domain's zone has it: its own MX host (the address
/// `mx_ip`), SPF `spf`, a DKIM key at s1 and DMARC p=reject with reports to
/// itself; `mail.<origin>` also sends mail, without a DMARC record of its own.
fn domain_zone(origin: &str, mx_ip: &str, spf: &str) -> String {
    let mut z = head(origin);
    z.push_str(&format!(
        "@ MX 10 mx.{origin}.\nmx A {mx_ip}\n@ TXT \"{spf}\"\n\
         _dmarc TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{origin}\"\n\
         s1._domainkey TXT {KEY}\n\
         mail MX 10 mx.{origin}.\nmail TXT \"v=spf1 mx -all\"\ns1._domainkey.mail TXT {KEY}\n"
    ));
    z
}

/// The reverse zone of 192.0.2.0/24 with a PTR per `(last octet, name)`.
fn reverse_zone(ptrs: &[(u8, String)]) -> String {
    let mut z = head("2.0.192.in-addr.arpa");
    for (octet, name) in ptrs {
        z.push_str(&format!("{octet} PTR {name}.\n"));
    }
    z
}

/// Knot serving d.test, e.test and the reverse zone of their MX addresses,
/// and nothing else: `test.` and `elsewhere.example.` are REFUSED.
fn start() -> Knot {
    Knot::start(&[
        (
            "d.test".into(),
            domain_zone("d.test", "192.0.2.10", "v=spf1 mx -all"),
        ),
        (
            "e.test".into(),
            domain_zone(
                "e.test",
                "192.0.2.11",
                "v=spf1 mx include:_spf.elsewhere.example -all",
            ),
        ),
        (
            "2.0.192.in-addr.arpa".into(),
            reverse_zone(&[(10, "mx.d.test".into()), (11, "mx.e.test".into())]),
        ),
    ])
}

fn run(knot: &Knot, args: &[&str]) -> Out {
    let addr = knot.addr.to_string();
    let mut all = args.to_vec();
    all.extend(["--json", "--resolver", &addr, "--timeout", "2"]);
    mailcheck(&all)
}

/// (name, status, message) of every check.
fn checks(report: &Value) -> Vec<(String, String, String)> {
    report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or("").to_owned(),
                c["status"].as_str().unwrap_or("").to_owned(),
                c["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_domain_is_checked_on_its_own_authoritative_server() {
    let knot = start();
    let out = run(&knot, &["domain", "d.test", "--selector", "s1"]);
    let report = out.json();
    // _dmarc.test is REFUSED by this server; the record at _dmarc.d.test
    // decides the policy, so the walk's parent does not matter.
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(report["status"], "pass", "{}", out.stdout);
    for (name, status, _) in checks(&report) {
        // d.test publishes no TLS-RPT, MTA-STS or BIMI record, and is
        // unsigned while the root's keys are refused (DNSSEC indeterminate):
        // reported, not held against it.
        let expected = if name == "tlsrpt.record"
            || name == "dnssec.chain"
            || name.starts_with("mta-sts.")
            || name.starts_with("bimi.")
        {
            "info"
        } else {
            "pass"
        };
        assert_eq!(status, expected, "{name}: {}", out.stdout);
    }

    // The dmarc command shows the walk and the public-suffix-list fallback
    // for the organizational domain.
    let out = run(&knot, &["dmarc", "d.test"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = out.json();
    assert_eq!(report["record_domain"], "d.test", "{}", out.stdout);
    assert_eq!(report["organizational_domain"], "d.test", "{}", out.stdout);
}

#[test]
fn a_subdomain_inherits_its_organizational_record_by_the_public_suffix_list() {
    let knot = start();
    let out = run(&knot, &["domain", "mail.d.test", "--selector", "s1"]);
    let report = out.json();
    assert_eq!(out.code, 0, "{}", out.stdout);
    let dmarc: Vec<_> = checks(&report)
        .into_iter()
        .filter(|(n, _, _)| n == "dmarc.record")
        .collect();
    assert_eq!(dmarc.len(), 1, "{}", out.stdout);
    let (_, status, message) = &dmarc[0];
    assert_eq!(status, "pass", "{message}");
    assert!(
        message.contains("the record of d.test applies")
            && message.contains("public suffix list")
            && message.contains("_dmarc.test")
            && message.contains("REFUSED"),
        "{message}"
    );
}

#[test]
fn an_include_the_server_does_not_serve_fails_only_the_spf_finding() {
    let knot = start();
    let out = run(&knot, &["domain", "e.test", "--selector", "s1"]);
    let report = out.json();
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert_eq!(report["status"], "error", "{}", out.stdout);
    for (name, status, message) in checks(&report) {
        if status == "error" {
            assert!(name.starts_with("spf."), "{name}: {message}");
            assert!(message.contains("_spf.elsewhere.example"), "{message}");
        } else {
            assert_ne!(status, "fail", "{name}: {message}");
        }
    }
}

#[test]
fn a_batch_against_the_authoritative_server() {
    let knot = start();
    let dir = tempfile::tempdir().expect("temporary directory");
    let list = dir.path().join("domains.txt");
    std::fs::write(&list, "d.test\nmail.d.test\ne.test\n").expect("write the list");
    let list = list.display().to_string();
    let out = run(&knot, &["domain", "--from-file", &list, "--selector", "s1"]);
    let statuses: Vec<String> = out
        .json_lines()
        .iter()
        .map(|r| format!("{} {}", r["domain"].as_str().unwrap_or(""), r["status"]))
        .collect();
    assert_eq!(
        statuses,
        [
            "d.test \"pass\"",
            "mail.d.test \"pass\"",
            "e.test \"error\""
        ],
        "{}",
        out.stdout
    );
}

/// At full size: 1,000 domains, each its own zone on the authoritative
/// server, checked in one batch, give 1,000 reports and none of them
/// `error` (about a second, Knot's loading of the zones included).
#[test]
fn a_thousand_domains_against_the_authoritative_server() {
    const COUNT: usize = 1_000;
    let mut zones = Vec::new();
    let mut ptrs = Vec::new();
    let mut names = String::new();
    for i in 0..COUNT {
        let origin = format!("d{i:04}.test");
        // Addresses 192.0.2.1-250 shared round robin; PTR names the first.
        let octet = (i % 250 + 1) as u8;
        if i < 250 {
            ptrs.push((octet, format!("mx.{origin}")));
        }
        let mx_owner = format!("d{:04}.test", i % 250);
        let mut zone = domain_zone(&origin, &format!("192.0.2.{octet}"), "v=spf1 mx -all");
        // The MX host is the first domain sharing the address, so the PTR
        // name resolves back to it (forward-confirmed).
        zone = zone.replace(
            &format!("@ MX 10 mx.{origin}."),
            &format!("@ MX 10 mx.{mx_owner}."),
        );
        names.push_str(&origin);
        names.push('\n');
        zones.push((origin, zone));
    }
    zones.push(("2.0.192.in-addr.arpa".into(), reverse_zone(&ptrs)));
    let knot = Knot::start(&zones);
    let dir = tempfile::tempdir().expect("temporary directory");
    let list = dir.path().join("domains.txt");
    std::fs::write(&list, names).expect("write the list");
    let list = list.display().to_string();
    let started = Instant::now();
    let out = run(&knot, &["domain", "--from-file", &list, "--selector", "s1"]);
    let elapsed = started.elapsed();
    let reports = out.json_lines();
    assert_eq!(reports.len(), COUNT, "{}", out.stderr);
    let errors: Vec<&Value> = reports.iter().filter(|r| r["status"] == "error").collect();
    assert!(
        errors.is_empty(),
        "{} error reports, first: {}",
        errors.len(),
        errors[0]
    );
    eprintln!("1,000 domains against Knot: {elapsed:?}");
}

#[test]
fn few_file_descriptors_are_a_local_matter() {
    // With the open-file limit (soft and hard) as low as the process can
    // start with, sockets are scarce: questions share the sockets already
    // open, and any that still cannot be sent fail as a problem on this
    // machine, never as the server's silence or refusal.
    let knot = start();
    let normal = run(&knot, &["domain", "d.test", "--selector", "s1"]);
    assert_eq!(normal.code, 0, "{}", normal.stdout);
    let addr = knot.addr.to_string();
    for limit in 7..=16 {
        let output = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_mailcheck"))
            .args([
                "domain",
                "d.test",
                "--selector",
                "s1",
                "--json",
                "--resolver",
                &addr,
                "--timeout",
                "2",
            ])
            .output()
            .expect("run mailcheck under bash");
        if output.status.code() == Some(2) {
            // Too few to start the runtime at all: try one more.
            continue;
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let report: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("limit {limit}: not JSON ({e}): {stdout}"));
        let same = checks(&report)
            .iter()
            .map(|(n, s, _)| (n.clone(), s.clone()))
            .eq(checks(&normal.json())
                .iter()
                .map(|(n, s, _)| (n.clone(), s.clone())));
        for (name, status, message) in checks(&report) {
            if status == "error" {
                assert!(
                    message.contains("on this machine"),
                    "limit {limit}: {name}: {message}"
                );
            }
        }
        assert!(
            same || report["status"] == "error",
            "limit {limit}: {stdout}"
        );
        return;
    }
    panic!("mailcheck did not start with up to 16 open files");
}

/// A fixture zone of fixtures/verify as Knot serves it.
fn verify_zone(case: &str) -> (String, String) {
    let path = crate::support::fixtures()
        .join("verify")
        .join(format!("{case}.zone"));
    let text = std::fs::read_to_string(&path).expect("read a verify fixture zone");
    (format!("{case}.verify.example"), text)
}

#[test]
fn a_message_is_verified_against_its_domains_own_authoritative_server() {
    // Knot serves each message's domain and refuses every parent
    // (_dmarc.verify.example, _dmarc.example): those answers cannot change
    // the verdict, so the message still passes DMARC.
    let knot = Knot::start(&[verify_zone("rsa-pass"), verify_zone("relaxed-alignment")]);
    for case in ["rsa-pass", "relaxed-alignment"] {
        let eml = format!("fixtures/verify/{case}.eml");
        let out = run(&knot, &["verify", &eml, "--ip", "203.0.113.5"]);
        assert_eq!(out.code, 0, "{case}: {}\n{}", out.stdout, out.stderr);
        let report = out.json();
        assert_eq!(report["dmarc"]["result"], "pass", "{case}: {}", out.stdout);
        assert_eq!(
            report["dmarc"]["policy"], "reject",
            "{case}: {}",
            out.stdout
        );
        assert_eq!(
            report["dkim"][0]["result"], "pass",
            "{case}: {}",
            out.stdout
        );
        assert_eq!(report["spf"]["result"], "pass", "{case}: {}", out.stdout);
    }
}

#[test]
fn relaxed_alignment_with_unanswered_parents_uses_the_public_suffix_list() {
    // The signature's d= is a subdomain of the From domain, whose record
    // applies; Knot refuses the parents, so the organizational domain comes
    // from the public suffix list, and the report says so.
    // SPF fails (the address is not listed), so only the signature can
    // align.
    let knot = Knot::start(&[verify_zone("relaxed-alignment")]);
    let out = run(
        &knot,
        &[
            "verify",
            "fixtures/verify/relaxed-alignment.eml",
            "--ip",
            "198.51.100.99",
        ],
    );
    let report = out.json();
    assert_eq!(report["spf"]["result"], "fail", "{}", out.stdout);
    assert_eq!(report["dmarc"]["result"], "pass", "{}", out.stdout);
    assert_eq!(report["dmarc"]["dkim_aligned"], true, "{}", out.stdout);
    let notes = report["dmarc"]["notes"].to_string();
    assert!(
        notes.contains("_dmarc.verify.example") && notes.contains("public suffix list"),
        "{}",
        out.stdout
    );
    assert!(
        report["authentication_results"]
            .as_str()
            .is_some_and(|a| a.contains("dmarc=pass")),
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
}
