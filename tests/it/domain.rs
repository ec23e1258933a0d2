//! `mailcheck domain` on every fixture, through `--zone` and through the
//! local DNS server, with the same expectations both ways.

use crate::support::{MODES, Mode, messages, run_case, statuses};

/// One fixture and what mailcheck must say about it.
struct Case {
    /// `fixtures/domain/<zone>.zone`.
    zone: &'static str,
    /// The domain checked.
    domain: &'static str,
    /// Extra arguments (selectors, --ip).
    args: &'static [&'static str],
    /// Expected exit code.
    exit: i32,
    /// Expected top-level status.
    status: &'static str,
    /// (check name, a status one of its findings must have, words its message must contain).
    checks: &'static [(&'static str, &'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        zone: "example.com",
        domain: "example.com",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            ("mx.records", "pass", "2 MX records"),
            (
                "mx.address",
                "pass",
                "mx1.example.com resolves to 192.0.2.10, 2001:db8::10",
            ),
            ("ptr.mx", "pass", "forward-confirmed"),
            ("spf.record", "pass", "publishes an SPF record"),
            ("spf.lookups", "pass", "2 of 10"),
            ("spf.all", "pass", "-all"),
            ("dkim.selector", "pass", "selector s1"),
            ("dkim.key-size", "pass", "2048 bits"),
            ("dmarc.record", "pass", "_dmarc.example.com"),
            ("dmarc.policy", "pass", "reject"),
            ("dmarc.rua", "pass", "provider.example is authorized"),
        ],
    },
    Case {
        zone: "example.com",
        domain: "example.com",
        args: &["--ip", "198.51.100.7"],
        exit: 0,
        status: "pass",
        checks: &[("spf.ip", "pass", "ip4:198.51.100.0/24")],
    },
    Case {
        zone: "example.com",
        domain: "example.com",
        args: &["--ip", "203.0.113.9"],
        exit: 1,
        status: "fail",
        checks: &[
            (
                "spf.ip",
                "fail",
                "203.0.113.9 is not authorized to send for example.com: SPF fail",
            ),
            ("ptr.ip", "warn", "no PTR record"),
        ],
    },
    Case {
        zone: "example.com",
        domain: "example.com",
        args: &["--selector", "ed1", "--selector", "s1"],
        exit: 0,
        status: "pass",
        checks: &[
            ("dkim.key-size", "pass", "Ed25519"),
            ("dkim.key-size", "pass", "RSA key of 2048 bits"),
        ],
    },
    Case {
        zone: "example.com",
        domain: "example.com",
        args: &["--selector", "missing"],
        exit: 1,
        status: "fail",
        checks: &[(
            "dkim.selector",
            "fail",
            "no DKIM key at missing._domainkey.example.com",
        )],
    },
    Case {
        zone: "two-spf",
        domain: "two-spf.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[("spf.record", "fail", "2 SPF records")],
    },
    Case {
        zone: "spf-lookups",
        domain: "spf-lookups.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[("spf.lookups", "fail", "11 DNS-querying terms")],
    },
    Case {
        zone: "spf-void",
        domain: "spf-void.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[("spf.void-lookups", "fail", "3 void lookups")],
    },
    Case {
        zone: "spf-plus-all",
        domain: "spf-plus-all.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[("spf.all", "fail", "+all")],
    },
    Case {
        zone: "spf-missing-include",
        domain: "spf-missing-include.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[(
            "spf.include",
            "fail",
            "_spf.nowhere.example has no SPF record (the name does not exist)",
        )],
    },
    Case {
        zone: "spf-syntax",
        domain: "spf-syntax.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[(
            "spf.syntax",
            "fail",
            "\"incloode:_spf.provider.example\" is not valid SPF",
        )],
    },
    Case {
        zone: "dkim-1024",
        domain: "dkim-1024.example",
        args: &["--selector", "s1"],
        exit: 0,
        status: "warn",
        checks: &[("dkim.key-size", "warn", "1024 bits")],
    },
    Case {
        zone: "dkim-1024",
        domain: "dkim-1024.example",
        args: &["--selector", "s1", "--strict"],
        exit: 1,
        status: "warn",
        checks: &[("dkim.key-size", "warn", "1024 bits")],
    },
    Case {
        zone: "dkim-revoked",
        domain: "dkim-revoked.example",
        args: &["--selector", "s1"],
        exit: 1,
        status: "fail",
        checks: &[("dkim.revoked", "fail", "revoked (empty p=)")],
    },
    Case {
        zone: "dkim-testing",
        domain: "dkim-testing.example",
        args: &["--selector", "s1"],
        exit: 0,
        status: "warn",
        checks: &[("dkim.testing", "warn", "t=y")],
    },
    Case {
        zone: "dkim-cname",
        domain: "dkim-cname.example",
        args: &["--selector", "s1"],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "dkim.selector",
                "pass",
                "delegated by CNAME to s1.dkim.provider.example",
            ),
            ("dkim.key-size", "pass", "Ed25519"),
        ],
    },
    Case {
        zone: "no-dmarc",
        domain: "no-dmarc.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[(
            "dmarc.record",
            "fail",
            "no DMARC record for no-dmarc.example",
        )],
    },
    Case {
        zone: "dmarc-none",
        domain: "dmarc-none.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[("dmarc.policy", "warn", "monitoring only")],
    },
    Case {
        zone: "dmarc-testing",
        domain: "dmarc-testing.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[
            ("dmarc.testing", "warn", "t=y"),
            ("dmarc.pct", "warn", "pct=50"),
        ],
    },
    Case {
        zone: "dmarc-external-rua",
        domain: "dmarc-external-rua.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[(
            "dmarc.rua",
            "warn",
            "thirdparty.example has not authorized it",
        )],
    },
    Case {
        zone: "mx-no-address",
        domain: "mx-no-address.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[(
            "mx.address",
            "fail",
            "mx.mx-no-address.example has no A or AAAA record",
        )],
    },
    Case {
        zone: "mx-cname",
        domain: "mx-cname.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[("mx.cname", "fail", "is a CNAME (to mx1.provider.example)")],
    },
    Case {
        zone: "mx-ip-literal",
        domain: "mx-ip-literal.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[("mx.ip-literal", "fail", "192.0.2.91 is an IP address")],
    },
    Case {
        zone: "null-mx",
        domain: "null-mx.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[("mx.null", "info", "accepts no mail")],
    },
    Case {
        zone: "no-mx",
        domain: "no-mx.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[("mx.records", "warn", "implicit MX")],
    },
    Case {
        zone: "ptr-mismatch",
        domain: "ptr-mismatch.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[("ptr.mx", "fail", "does not resolve back to 192.0.2.92")],
    },
    Case {
        zone: "inherit",
        domain: "sub.inherit.example",
        args: &["--selector", "s1"],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "dmarc.record",
                "pass",
                "the record of inherit.example applies",
            ),
            (
                "dmarc.policy",
                "pass",
                "quarantine (sp=quarantine, inherited)",
            ),
        ],
    },
    // A single-label internal zone: a legal DNS name, read like any other.
    Case {
        zone: "corp",
        domain: "corp",
        args: &["--selector", "s1"],
        exit: 0,
        status: "warn",
        checks: &[
            ("mx.records", "pass", "1 MX record: mx1.corp"),
            ("ptr.mx", "pass", "forward-confirmed"),
            ("spf.record", "pass", "corp publishes an SPF record"),
            (
                "spf.record",
                "warn",
                "receivers evaluate no SPF for corp: 'corp' is a single label",
            ),
            ("dkim.selector", "pass", "selector s1"),
            ("dmarc.record", "pass", "DMARC record found at _dmarc.corp"),
            ("dmarc.policy", "pass", "policy for corp is reject"),
        ],
    },
    Case {
        zone: "corp",
        domain: "corp",
        args: &["--ip", "192.0.2.40"],
        exit: 1,
        status: "fail",
        checks: &[(
            "spf.ip",
            "fail",
            "SPF none: 'corp' is a single label, not a multi-label domain name (RFC 7208 4.3)",
        )],
    },
];

fn check_case(case: &Case, mode: Mode) {
    let label = format!("{} {:?} {:?}", case.domain, case.args, mode);
    let mut args = vec!["domain", case.domain, "--json"];
    args.extend_from_slice(case.args);
    let out = run_case(mode, case.zone, &args);
    assert_eq!(
        out.code, case.exit,
        "{label}: exit code\nstdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["domain"], case.domain, "{label}");
    assert_eq!(
        report["status"], case.status,
        "{label}: status\n{}",
        out.stdout
    );
    for (name, status, words) in case.checks {
        let st = statuses(&report, name);
        let msgs = messages(&report, name);
        let hit = st
            .iter()
            .zip(&msgs)
            .any(|(s, m)| s == status && m.contains(words));
        assert!(
            hit,
            "{label}: expected {name} = {status} saying {words:?}; got {st:?} {msgs:?}"
        );
    }

    // The human report says the same words.
    let mut text_args = vec!["domain", case.domain, "--color", "never"];
    text_args.extend_from_slice(case.args);
    let text = run_case(mode, case.zone, &text_args);
    assert_eq!(text.code, case.exit, "{label}: text exit code");
    assert!(
        text.stdout
            .starts_with(&format!("{}: {}", case.domain, case.status)),
        "{label}: text header\n{}",
        text.stdout
    );
    for (name, status, words) in case.checks {
        assert!(
            text.stdout
                .lines()
                .any(|l| l.contains(&format!("{status:<5} "))
                    && l.contains(words)
                    && l.contains(&format!("[{name}]"))),
            "{label}: text report lacks {name} {status} {words:?}\n{}",
            text.stdout
        );
    }
}

#[test]
fn every_fixture_through_zone_files() {
    for case in CASES {
        check_case(case, Mode::Zone);
    }
}

#[test]
fn every_fixture_through_the_local_dns_server() {
    for case in CASES {
        check_case(case, Mode::Server);
    }
}

#[test]
fn zone_and_server_give_identical_json() {
    for case in CASES {
        let mut args = vec!["domain", case.domain, "--json"];
        args.extend_from_slice(case.args);
        let [zone, server] = MODES.map(|m| run_case(m, case.zone, &args).stdout);
        assert_eq!(
            zone, server,
            "{} {:?}: --zone and the DNS server disagree",
            case.domain, case.args
        );
    }
}
