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
    // Mail providers (provider.*): each one as documented, and with mistakes.
    Case {
        zone: "provider-m365",
        domain: "m365.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Microsoft 365 (from MX m365-example.mail.protection.outlook.com, include:spf.protection.outlook.com, DKIM selector1",
            ),
            ("provider.spf", "pass", "include:spf.protection.outlook.com"),
            (
                "provider.mx",
                "pass",
                "m365-example.mail.protection.outlook.com",
            ),
            (
                "provider.dkim",
                "pass",
                "the 2 Microsoft 365 DKIM CNAMEs are all published (selector1, selector2)",
            ),
            (
                "dkim.selector",
                "pass",
                "selector selector2 (delegated by CNAME",
            ),
        ],
    },
    Case {
        zone: "provider-m365-broken",
        domain: "m365-broken.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[
            (
                "provider.spf",
                "warn",
                "does not include spf.protection.outlook.com",
            ),
            (
                "provider.dkim",
                "warn",
                "selector2._domainkey.m365-broken.example points to selector2-other-example._domainkey.contoso.onmicrosoft.com, not where Microsoft 365 documents it",
            ),
            (
                "provider.dkim",
                "warn",
                "you published 1 of the 2 Microsoft 365 DKIM CNAMEs (selector1)",
            ),
        ],
    },
    Case {
        zone: "provider-google",
        domain: "google.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Google Workspace (from MX smtp.google.com, include:_spf.google.com)",
            ),
            ("provider.spf", "pass", "include:_spf.google.com"),
            ("provider.mx", "pass", "smtp.google.com"),
            (
                "provider.dkim",
                "pass",
                "the Google Workspace DKIM key is published (google)",
            ),
        ],
    },
    Case {
        zone: "provider-nested",
        domain: "nested.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Google Workspace (from include:_spf.google.com in the SPF record of _spf.nested.example)",
            ),
            ("provider.spf", "pass", "include:_spf.google.com"),
            (
                "provider.dkim",
                "pass",
                "the Google Workspace DKIM key is published (google)",
            ),
        ],
    },
    Case {
        zone: "provider-google-broken",
        domain: "google-broken.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[
            ("provider.detected", "info", "Google Workspace (from MX"),
            ("provider.spf", "warn", "does not include _spf.google.com"),
            ("provider.mx", "warn", "but not alt2.aspmx.l.google.com"),
            (
                "provider.dkim",
                "info",
                "no Google Workspace DKIM key found for google-broken.example",
            ),
        ],
    },
    Case {
        zone: "provider-ses",
        domain: "bounce.ses.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[
            (
                "provider.detected",
                "info",
                "Amazon SES (from MX feedback-smtp.us-east-1.amazonses.com, include:amazonses.com)",
            ),
            (
                "provider.mail-from",
                "pass",
                "bounce.ses.example is a custom MAIL FROM domain for Amazon SES: MX feedback-smtp.us-east-1.amazonses.com and include:amazonses.com",
            ),
        ],
    },
    Case {
        zone: "provider-ses-broken",
        domain: "bounce.ses-broken.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[(
            "provider.mail-from",
            "warn",
            "its SPF record does not include amazonses.com",
        )],
    },
    Case {
        zone: "provider-sendgrid",
        domain: "sendgrid.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "SendGrid (from DKIM s1 \u{2192} s1.domainkey.u123.wl123.sendgrid.net",
            ),
            (
                "provider.dkim",
                "pass",
                "the 2 SendGrid DKIM CNAMEs are all published",
            ),
        ],
    },
    Case {
        zone: "provider-sendgrid-broken",
        domain: "sendgrid-broken.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[(
            "provider.dkim",
            "warn",
            "you published 1 of the 2 SendGrid DKIM CNAMEs (s1); missing or wrong: s2._domainkey.sendgrid-broken.example",
        )],
    },
    Case {
        zone: "provider-mailgun",
        domain: "mailgun.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Mailgun (from MX mxa.mailgun.org, MX mxb.mailgun.org, include:mailgun.org)",
            ),
            ("provider.mx", "pass", "mxa.mailgun.org, mxb.mailgun.org"),
        ],
    },
    Case {
        zone: "provider-mailgun-broken",
        domain: "mailgun-broken.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[("provider.mx", "warn", "Mailgun but not mxb.mailgun.org")],
    },
    Case {
        zone: "provider-zoho",
        domain: "zoho.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Zoho Mail (from MX mx.zoho.com",
            ),
            ("provider.spf", "pass", "include:zoho.com"),
            (
                "provider.mx",
                "pass",
                "mx.zoho.com, mx2.zoho.com, mx3.zoho.com",
            ),
        ],
    },
    Case {
        zone: "provider-zoho-broken",
        domain: "zoho-broken.example",
        args: &["--selector", "s1"],
        exit: 1,
        status: "fail",
        checks: &[
            ("provider.spf", "warn", "does not include zoho.com"),
            ("provider.mx", "warn", "but not mx2.zoho.com, mx3.zoho.com"),
        ],
    },
    Case {
        zone: "provider-fastmail",
        domain: "fastmail.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Fastmail (from MX in1-smtp.messagingengine.com",
            ),
            (
                "provider.mx",
                "pass",
                "in1-smtp.messagingengine.com, in2-smtp.messagingengine.com",
            ),
            (
                "provider.dkim",
                "pass",
                "the 3 Fastmail DKIM CNAMEs are all published (fm1, fm2, fm3)",
            ),
            // fm1-fm3 are not among the common selectors: probed because
            // Fastmail was detected.
            (
                "dkim.selector",
                "pass",
                "selector fm3 (delegated by CNAME to fm3.fastmail.example.dkim.fmhosted.com)",
            ),
        ],
    },
    Case {
        zone: "provider-fastmail-broken",
        domain: "fastmail-broken.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[(
            "provider.dkim",
            "warn",
            "you published 2 of the 3 Fastmail DKIM CNAMEs (fm1, fm2); missing or wrong: fm3._domainkey.fastmail-broken.example",
        )],
    },
    Case {
        zone: "provider-proton",
        domain: "proton.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Proton Mail (from MX mail.protonmail.ch",
            ),
            ("provider.spf", "pass", "include:_spf.protonmail.ch"),
            (
                "provider.dkim",
                "pass",
                "the 3 Proton Mail DKIM CNAMEs are all published",
            ),
        ],
    },
    Case {
        zone: "provider-proton-broken",
        domain: "proton-broken.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[
            ("provider.mx", "warn", "but not mailsec.protonmail.ch"),
            (
                "provider.dkim",
                "warn",
                "you published 1 of the 3 Proton Mail DKIM CNAMEs (protonmail)",
            ),
        ],
    },
    Case {
        zone: "provider-mandrill",
        domain: "mandrill.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Mailchimp/Mandrill (from include:spf.mandrillapp.com",
            ),
            (
                "provider.dkim",
                "pass",
                "the 2 Mailchimp/Mandrill DKIM CNAMEs are all published (mte1, mte2)",
            ),
            (
                "dkim.selector",
                "pass",
                "selector mte2 (delegated by CNAME to dkim2.mandrillapp.com)",
            ),
        ],
    },
    Case {
        zone: "provider-mandrill-broken",
        domain: "mandrill-broken.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[(
            "provider.dkim",
            "warn",
            "you published 1 of the 2 Mailchimp/Mandrill DKIM CNAMEs (mte1)",
        )],
    },
    Case {
        zone: "provider-brevo",
        domain: "brevo.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Brevo (from include:spf.brevo.com)",
            ),
            (
                "provider.dkim",
                "pass",
                "the 2 Brevo DKIM CNAMEs are all published (brevo1, brevo2)",
            ),
        ],
    },
    Case {
        zone: "provider-brevo-broken",
        domain: "brevo-broken.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Brevo (from include:spf.sendinblue.com)",
            ),
            (
                "provider.dkim",
                "info",
                "no Brevo DKIM CNAMEs found for brevo-broken.example",
            ),
        ],
    },
    // SMTP TLS Reporting (tlsrpt.*, RFC 8460).
    Case {
        zone: "tlsrpt-good",
        domain: "tlsrpt-good.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "tlsrpt.record",
                "pass",
                "TLS-RPT record found at _smtp._tls.tlsrpt-good.example",
            ),
            (
                "tlsrpt.rua",
                "pass",
                "go to mailto:tls@tlsrpt-good.example, https://reports.tlsrpt-good.example/v1",
            ),
        ],
    },
    Case {
        zone: "tlsrpt-sts-only",
        domain: "tlsrpt-sts-only.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[(
            "tlsrpt.record",
            "warn",
            "enforces TLS for incoming mail (MTA-STS",
        )],
    },
    Case {
        zone: "tlsrpt-dane-only",
        domain: "tlsrpt-dane-only.example",
        args: &[],
        exit: 0,
        status: "warn",
        checks: &[(
            "tlsrpt.record",
            "warn",
            "DANE (_25._tcp.mx.tlsrpt-dane-only.example TLSA)",
        )],
    },
    Case {
        zone: "tlsrpt-bad-uri",
        domain: "tlsrpt-bad-uri.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[(
            "tlsrpt.rua",
            "fail",
            "is neither a mailto: nor an https: URI",
        )],
    },
    Case {
        zone: "tlsrpt-two",
        domain: "tlsrpt-two.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[("tlsrpt.record", "fail", "2 TLS-RPT records")],
    },
    Case {
        zone: "tlsrpt-no-rua",
        domain: "tlsrpt-no-rua.example",
        args: &[],
        exit: 1,
        status: "fail",
        checks: &[("tlsrpt.record", "fail", "rua= is missing")],
    },
    Case {
        zone: "example.com",
        domain: "example.com",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[(
            "tlsrpt.record",
            "info",
            "no v=TLSRPTv1 record at _smtp._tls.example.com",
        )],
    },
];

fn check_case(case: &Case, mode: Mode) {
    let label = format!("{} {:?} {:?}", case.domain, case.args, mode);
    let mut args = vec!["domain", case.domain, "--json"];
    args.extend_from_slice(case.args);
    // A fixture with an _mta-sts record gets its policy from a local server.
    let zone =
        std::fs::read_to_string(format!("fixtures/domain/{}.zone", case.zone)).unwrap_or_default();
    let policy: &[String] = if zone.contains("_mta-sts") {
        crate::support::https::fixture_policy_args()
    } else {
        &[]
    };
    args.extend(policy.iter().map(String::as_str));
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
    text_args.extend(policy.iter().map(String::as_str));
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

/// Cases with selectors that cannot be guessed (SES tokens, Postmark's dated
/// selectors): `--zone` can list the names under `_domainkey`, live DNS
/// cannot, so the two modes agree on these expectations but not on every
/// finding.
const LISTING_CASES: &[Case] = &[
    Case {
        zone: "provider-ses",
        domain: "ses.example",
        args: &[
            "--selector",
            "k4xq7zq2xkd3r5hv6lbjzyu6mtyixwtj",
            "--selector",
            "p2vj3mfkbxg6wctahsahq7q7h7b4ujlv",
            "--selector",
            "x7ziuadnmhsjbh2hjqkrhsxigu5wwbvn",
        ],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Amazon SES (from include:amazonses.com, DKIM k4xq7zq2xkd3r5hv6lbjzyu6mtyixwtj",
            ),
            (
                "provider.dkim",
                "pass",
                "the 3 Amazon SES DKIM CNAMEs are all published",
            ),
        ],
    },
    Case {
        zone: "provider-postmark",
        domain: "postmark.example",
        args: &[],
        exit: 0,
        status: "pass",
        checks: &[
            (
                "provider.detected",
                "info",
                "Postmark (from include:spf.mtasv.net)",
            ),
            ("provider.spf", "pass", "include:spf.mtasv.net"),
        ],
    },
];

#[test]
fn listing_cases_through_both_modes() {
    for case in LISTING_CASES {
        for mode in MODES {
            check_case(case, mode);
        }
    }
}

/// The (status, message) of every check named `name`.
fn findings(out: &crate::support::Out, name: &str) -> Vec<(String, String)> {
    let report = out.json();
    statuses(&report, name)
        .into_iter()
        .zip(messages(&report, name))
        .collect()
}

#[test]
fn zone_files_list_the_selectors_and_mail_from_that_cannot_be_guessed() {
    let has = |out: &crate::support::Out, name: &str, status: &str, words: &str| {
        assert!(
            findings(out, name)
                .iter()
                .any(|(s, m)| s == status && m.contains(words)),
            "expected {name} = {status} saying {words:?}\n{}",
            out.stdout
        );
    };
    let args = ["domain", "ses-broken.example", "--json"];
    // --zone: the two CNAMEs under _domainkey are listed and counted, and
    // the MAIL FROM subdomain is found by its MX.
    let zone = run_case(Mode::Zone, "provider-ses-broken", &args);
    assert_eq!(zone.code, 0, "{}", zone.stdout);
    assert_eq!(zone.json()["status"], "warn");
    has(
        &zone,
        "provider.dkim",
        "warn",
        "you published 2 of the 3 Amazon SES DKIM CNAMEs",
    );
    has(
        &zone,
        "provider.mail-from",
        "warn",
        "bounce.ses-broken.example is a custom MAIL FROM domain",
    );
    // Live DNS cannot list names: SES tokens are not guessed, only reported.
    let live = run_case(Mode::Server, "provider-ses-broken", &args);
    assert_eq!(live.code, 0, "{}", live.stdout);
    has(
        &live,
        "provider.dkim",
        "info",
        "whose selectors cannot be guessed; none is visible",
    );
    has(
        &live,
        "provider.mail-from",
        "info",
        "cannot be found from DNS alone",
    );
    // Named, the two visible tokens are counted; the third is not claimed missing.
    let named = run_case(
        Mode::Server,
        "provider-ses-broken",
        &[
            &args[..],
            &["--selector", "k4xq7zq2xkd3r5hv6lbjzyu6mtyixwtj"],
        ]
        .concat(),
    );
    has(
        &named,
        "provider.dkim",
        "info",
        "1 visible (k4xq7zq2xkd3r5hv6lbjzyu6mtyixwtj)",
    );

    let zone = run_case(
        Mode::Zone,
        "provider-ses",
        &["domain", "ses.example", "--json"],
    );
    has(
        &zone,
        "provider.dkim",
        "pass",
        "the 3 Amazon SES DKIM CNAMEs are all published",
    );
    has(
        &zone,
        "provider.mail-from",
        "pass",
        "bounce.ses.example is a custom MAIL FROM domain for Amazon SES",
    );
    // s1 is listed too, but points to another provider: not an SES token.
    assert!(
        findings(&zone, "provider.dkim")
            .iter()
            .all(|(s, _)| s == "pass"),
        "{}",
        zone.stdout
    );
    has(
        &zone,
        "dkim.selector",
        "pass",
        "selector s1 (delegated by CNAME to s1.dkim.provider.example)",
    );
    // Postmark's dated selector is probed once listed.
    let zone = run_case(
        Mode::Zone,
        "provider-postmark",
        &["domain", "postmark.example", "--json"],
    );
    has(
        &zone,
        "provider.dkim",
        "pass",
        "the Postmark DKIM key is published (20240101000000pm)",
    );
    has(&zone, "dkim.selector", "pass", "selector 20240101000000pm");
}

/// A lookup that failed says nothing about the record: the provider checks
/// conclude nothing from it (the DKIM and SPF checks report the failure).
#[test]
fn a_failed_lookup_is_never_a_missing_provider_record() {
    use crate::support::{
        faulty_dns::{Fault, FaultyDns},
        fixtures, mailcheck, shared_zone_files,
    };
    let mut zones = vec![fixtures().join("domain/provider-m365.zone")];
    zones.extend(shared_zone_files());
    for (name, failed) in [
        ("selector2._domainkey.m365.example", "provider.dkim"),
        ("spf.protection.outlook.com", "provider.spf"),
    ] {
        let server = FaultyDns::start(&zones, &[(name, Fault::ServFail)]);
        let addr = server.addr.to_string();
        let out = mailcheck(&[
            "domain",
            "m365.example",
            "--json",
            "--resolver",
            &addr,
            "--timeout",
            "2",
        ]);
        assert_eq!(out.code, 3, "{name}: {}", out.stdout);
        let report = out.json();
        assert_eq!(report["status"], "error", "{name}: {}", out.stdout);
        // Still recognised, and nothing said about what could not be seen.
        assert!(
            messages(&report, "provider.detected")
                .iter()
                .any(|m| m.starts_with("Microsoft 365 (from")),
            "{name}: {}",
            out.stdout
        );
        assert!(
            statuses(&report, failed).is_empty(),
            "{name}: {failed} concluded from a failed lookup: {}",
            out.stdout
        );
    }
}
