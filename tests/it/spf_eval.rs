//! SPF as a user sees it: any HELO string is accepted (RFC 7208 2.3), an
//! identity that is not a domain is `none`, records with syntax errors are
//! `permerror`, and a `fail` carries the domain's `exp=` explanation.

use crate::support::{MODES, Mode, dns_args, mailcheck, run_case};

fn run(args: &[String]) -> crate::support::Out {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    mailcheck(&refs)
}

const ODD_HELOS: [&str; 3] = ["[1.2.3.5]", "JUMPIN' JUPITER", "%%%%"];

#[test]
fn any_helo_is_accepted_and_the_mail_from_result_stands() {
    for mode in MODES {
        for helo in ODD_HELOS {
            let out = run_case(
                mode,
                "example.com",
                &[
                    "spf",
                    "bounce@example.com",
                    "--ip",
                    "198.51.100.7",
                    "--helo",
                    helo,
                    "--json",
                ],
            );
            assert_eq!(out.code, 0, "{mode:?} {helo}: {}", out.stderr);
            assert_eq!(out.json()["result"], "pass", "{mode:?} {helo}");
        }
    }
}

#[test]
fn a_helo_identity_that_is_not_a_domain_is_none() {
    for helo in ODD_HELOS {
        let identity = format!("postmaster@{helo}");
        let out = run_case(
            Mode::Zone,
            "example.com",
            &[
                "spf",
                &identity,
                "--ip",
                "198.51.100.7",
                "--helo",
                helo,
                "--json",
            ],
        );
        // Not a pass, so exit 1; never 2 (the input is fine).
        assert_eq!(out.code, 1, "{helo}: {}", out.stderr);
        let v = out.json();
        assert_eq!(v["result"], "none", "{helo}");
        assert!(
            v["reason"].as_str().unwrap().contains("RFC 7208 4.3"),
            "{v}"
        );
    }
}

#[test]
fn verify_with_an_odd_helo_and_no_mail_from_checks_the_helo_identity() {
    // The RFC 8463 message has no Return-Path: SPF checks the HELO, which is
    // an address literal, so SPF is none; DKIM still makes DMARC pass.
    let mut args: Vec<String> = [
        "verify",
        "fixtures/verify/rfc8463.eml",
        "--ip",
        "203.0.113.5",
        "--helo",
        "[203.0.113.5]",
        "--json",
    ]
    .map(String::from)
    .to_vec();
    args.extend(dns_args(Mode::Server, ""));
    let out = run(&args);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let v = out.json();
    assert_eq!(v["spf"]["identity"], "helo");
    assert_eq!(v["spf"]["result"], "none");
    assert_eq!(v["dmarc"]["result"], "pass");
    let ar = v["authentication_results"].as_str().unwrap();
    assert!(ar.contains("spf=none"), "{ar}");
}

#[test]
fn batch_helo_fields_and_domain_helo_take_any_string() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("spf.txt");
    std::fs::write(
        &list,
        "bounce@example.com 198.51.100.7 [1.2.3.5]\n\
         postmaster@[1.2.3.5] 198.51.100.7 [1.2.3.5]\n",
    )
    .expect("write");
    let mut args: Vec<String> = ["spf", "--from-file", &list.display().to_string(), "--json"]
        .map(String::from)
        .to_vec();
    args.extend(dns_args(Mode::Server, ""));
    let out = run(&args);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 2, "{}{}", out.stdout, out.stderr);
    assert_eq!(lines[0]["result"], "pass");
    assert_eq!(lines[1]["result"], "none");
    assert_eq!(out.code, 1, "one item is not a pass: {}", out.stderr);

    let out = run_case(
        Mode::Zone,
        "example.com",
        &[
            "domain",
            "example.com",
            "--ip",
            "198.51.100.7",
            "--helo",
            "JUMPIN' JUPITER",
            "--json",
        ],
    );
    assert_ne!(out.code, 2, "{}", out.stderr);
    let v = out.json();
    let ip = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "spf.ip")
        .expect("an spf.ip check");
    assert_eq!(ip["status"], "pass", "{ip}");
}

/// A zone of its own for the records below, offline.
fn with_zone(records: &str, args: &[&str]) -> crate::support::Out {
    let dir = tempfile::tempdir().expect("tempdir");
    let zone = dir.path().join("t.zone");
    std::fs::write(
        &zone,
        format!(
            "$ORIGIN spf-eval.example.\n$TTL 300\n@ IN SOA ns h 1 3600 600 86400 300\n{records}\n"
        ),
    )
    .expect("write");
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.push("--zone".into());
    all.push(zone.display().to_string());
    run(&all)
}

#[test]
fn a_fail_shows_the_explanation_and_a_late_syntax_error_is_permerror() {
    let records = "@ IN TXT \"v=spf1 ip4:192.0.2.0/24 -all exp=why.spf-eval.example\"\n\
                   why IN TXT \"%{i} may not send for %{d}\"\n\
                   bad IN TXT \"v=spf1 ip4:192.0.2.0/24 -all ip4:192.0.2.1/33\"";
    let out = with_zone(
        records,
        &["spf", "spf-eval.example", "--ip", "198.51.100.1", "--json"],
    );
    assert_eq!(out.code, 1);
    let v = out.json();
    assert_eq!(v["result"], "fail");
    assert_eq!(
        v["explanation"],
        "198.51.100.1 may not send for spf-eval.example"
    );
    let out = with_zone(
        records,
        &["spf", "spf-eval.example", "--ip", "198.51.100.1"],
    );
    assert!(
        out.stdout
            .contains("explanation: 198.51.100.1 may not send for spf-eval.example"),
        "{}",
        out.stdout
    );

    // The first term matches, but the record is broken further on.
    let out = with_zone(
        records,
        &["spf", "bad.spf-eval.example", "--ip", "192.0.2.1", "--json"],
    );
    assert_eq!(out.code, 1);
    let v = out.json();
    assert_eq!(v["result"], "permerror");
    assert!(
        v["reason"].as_str().unwrap().contains("ip4:192.0.2.1/33"),
        "{v}"
    );
    let syntax: Vec<_> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "spf.syntax")
        .collect();
    assert_eq!(syntax.len(), 1, "{v}");
    assert_eq!(syntax[0]["status"], "fail");
}
