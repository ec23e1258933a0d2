//! The command line itself: exit codes, errors, DNS timeouts, several domains,
//! colour, completions.

use crate::support::{Mode, dns_args, dns_server::BlackHole, mailcheck, run_case};
use std::time::{Duration, Instant};

#[test]
fn dns_timeout_is_an_error_status_and_exit_3_never_a_missing_record() {
    let hole = BlackHole::start();
    let addr = hole.addr.to_string();
    let started = Instant::now();
    let out = mailcheck(&[
        "domain",
        "example.com",
        "--json",
        "--resolver",
        &addr,
        "--timeout",
        "1",
    ]);
    // Bounded: two attempts of one second per question, all asked concurrently.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        out.code, 3,
        "stdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["status"], "error");
    let checks = report["checks"].as_array().expect("checks");
    assert!(!checks.is_empty());
    for c in checks {
        assert_ne!(c["status"], "fail", "a timeout must not fail a check: {c}");
        let msg = c["message"].as_str().unwrap_or("");
        assert!(
            !msg.contains("no SPF record") && !msg.contains("no DMARC record"),
            "{msg}"
        );
    }
    assert!(checks.iter().any(
        |c| c["status"] == "error" && c["message"].as_str().unwrap_or("").contains("timed out")
    ));
}

#[test]
fn several_domains_come_out_in_argument_order_one_json_line_each() {
    let out = run_case(
        Mode::Zone,
        "example.com",
        &[
            "domain",
            "example.com",
            "nothing-here.example",
            "example.com",
            "--json",
        ],
    );
    let lines = out.json_lines();
    let names: Vec<&str> = lines
        .iter()
        .map(|l| l["domain"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        ["example.com", "nothing-here.example", "example.com"]
    );
    assert_eq!(lines[1]["status"], "fail");
    assert_eq!(out.code, 1);
}

#[test]
fn several_domains_in_text_end_with_a_summary() {
    let out = run_case(
        Mode::Server,
        "example.com",
        &[
            "domain",
            "example.com",
            "two-spf.example",
            "--color",
            "never",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("\ntwo-spf.example: fail\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .trim_end()
            .ends_with("2 checked: 1 pass, 0 warn, 1 fail, 0 error"),
        "{}",
        out.stdout
    );
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    for args in [
        &["domain", "exa mple.com"][..],
        &["domain", "example.com", "--ip", "300.1.2.3"],
        &["domain", "example.com", "--resolver", "not-an-address"],
        &["domain", "example.com", "--timeout", "0"],
        &["domain", "example.com", "--selector", "s1;x=1"],
        &["dkim", "example.com", "--selector", "s1\r\nX: y"],
        &[
            "domain",
            "example.com",
            "--zone",
            "fixtures/does-not-exist.zone",
        ],
    ] {
        let out = mailcheck(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
    }
    let out = mailcheck(&["domain", "exa mple.com"]);
    assert_eq!(
        out.stderr.trim(),
        "mailcheck: 'exa mple.com' is not a valid domain name: 'exa mple' has characters other than letters, digits and hyphens"
    );
    // Values are parsed where they are read: one line naming the option.
    for (args, words) in [
        (
            &[
                "dkim",
                "keygen",
                "--domain",
                "example.com",
                "--selector",
                "s1",
                "--algorithm",
                "rsa-1024",
                "--out",
                "never-written.pem",
            ][..],
            "[possible values: rsa-2048, rsa-3072, rsa-4096, ed25519]",
        ),
        (
            &["domain", "example.com", "--resolver", "localhost"],
            "'--resolver <ADDR>': expected an IP address, IP:PORT or [IPv6]:PORT",
        ),
        (
            &["domain", "example.com", "--timeout", "0"],
            "'--timeout <SECS>': expected a number of seconds between 0 and 3600",
        ),
    ] {
        let out = mailcheck(args);
        assert_eq!(out.code, 2, "{args:?}");
        assert!(out.stderr.contains(words), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    }
    // The same selector rule for checking a key and for making one.
    for args in [
        &["domain", "example.com", "--selector", "s1;x=1"][..],
        &[
            "dkim",
            "keygen",
            "--domain",
            "example.com",
            "--selector",
            "s1;x=1",
            "--out",
            "never-written.pem",
        ],
    ] {
        let out = mailcheck(args);
        assert_eq!(
            out.stderr.trim(),
            "mailcheck: --selector 's1;x=1' is not a valid DKIM selector (DNS labels of letters, digits, '-' and '_')",
            "{args:?}"
        );
    }
    let out = mailcheck(&[
        "domain",
        "example.com",
        "--zone",
        "fixtures/does-not-exist.zone",
    ]);
    assert!(
        out.stderr
            .starts_with("mailcheck: fixtures/does-not-exist.zone"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn international_domains_are_checked_as_a_labels() {
    let out = run_case(
        Mode::Zone,
        "example.com",
        &["domain", "bücher.example", "--json"],
    );
    assert_eq!(out.json()["domain"], "xn--bcher-kva.example");
}

#[test]
fn colour_only_when_asked() {
    let plain = run_case(Mode::Zone, "example.com", &["domain", "example.com"]);
    assert!(
        !plain.stdout.contains('\u{1b}'),
        "not a terminal: no colour"
    );
    let always = run_case(
        Mode::Zone,
        "example.com",
        &["domain", "example.com", "--color", "always"],
    );
    assert!(always.stdout.contains("\u{1b}["), "{}", always.stdout);
    let json = run_case(
        Mode::Zone,
        "example.com",
        &["domain", "example.com", "--color", "always", "--json"],
    );
    assert!(!json.stdout.contains('\u{1b}'), "JSON is never coloured");
}

#[test]
fn zone_mode_sends_no_packet() {
    // Every name outside the loaded zones is NXDOMAIN offline: a domain the
    // zones do not hold fails as non-existent, it does not time out.
    let mut args = vec!["domain", "unknown.example", "--json", "--timeout", "1"];
    let dns = dns_args(Mode::Zone, "example.com");
    args.extend(dns.iter().map(String::as_str));
    let out = mailcheck(&args);
    assert_eq!(out.code, 1);
    let report = out.json();
    assert!(
        report["checks"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("does not exist")
    );
}

#[test]
fn committed_completions_are_current() {
    for (shell, file) in [
        ("bash", "completions/mailcheck.bash"),
        ("zsh", "completions/_mailcheck"),
        ("fish", "completions/mailcheck.fish"),
    ] {
        let out = mailcheck(&["completions", shell]);
        assert_eq!(out.code, 0);
        let committed = std::fs::read_to_string(file).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "{file} is stale: regenerate with `mailcheck completions {shell} > {file}`"
        );
    }
}
