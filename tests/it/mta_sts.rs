//! MTA-STS (`mailcheck mta-sts`, and the `mta-sts.*` findings of
//! `mailcheck domain`) and BIMI (`bimi.*`): DNS from the fixture zones
//! through `--zone` and through the local DNS server, the policy and the
//! logo from an HTTPS server on 127.0.0.1 reached with `--connect-to`, its
//! certificates from a test CA.

use crate::{
    smtp::Pki,
    support::{MODES, Mode, Out, https::HttpsServer, https::Reply, messages, run_case, statuses},
};

const POLICY_PATH: &str = "/.well-known/mta-sts.txt";

/// A policy for sts.example with this mode, these mx lines and max_age.
fn policy(mode: &str, mx: &[&str], max_age: u32) -> String {
    let mut p = format!("version: STSv1\r\nmode: {mode}\r\n");
    for m in mx {
        p.push_str(&format!("mx: {m}\r\n"));
    }
    p.push_str(&format!("max_age: {max_age}\r\n"));
    p
}

/// A policy that covers both MX hosts of sts.example.
fn good_policy() -> String {
    policy(
        "enforce",
        &["mx1.sts.example", "*.mail.sts.example"],
        604800,
    )
}

/// The HTTPS server for mta-sts.sts.example, with a certificate for `names`.
fn policy_server(pki: &Pki, names: &[&str], reply: Reply) -> HttpsServer {
    HttpsServer::start(pki.server(names), &[(POLICY_PATH, reply)])
}

/// `mailcheck COMMAND DOMAIN --json` with the test CA and every HTTPS
/// connection sent to `server`.
fn run(mode: Mode, zone: &str, command: &[&str], pki: &Pki, connect_to: &str) -> Out {
    let ca = pki.ca_path();
    let mut args: Vec<&str> = command.to_vec();
    args.extend([
        "--json",
        "--ca",
        ca.to_str().unwrap(),
        "--connect-to",
        connect_to,
    ]);
    run_case(mode, zone, &args)
}

/// Every finding of this name has `status`, there is at least one, and one
/// message holds `words`.
fn expect(out: &Out, name: &str, status: &str, words: &str) {
    let v = out.json();
    let s = statuses(&v, name);
    assert!(
        !s.is_empty() && s.iter().all(|x| x == status),
        "{name}: {s:?}, expected {status}\n{}",
        out.stdout
    );
    assert!(
        messages(&v, name).iter().any(|m| m.contains(words)),
        "{name}: no message with {words:?}\n{}",
        out.stdout
    );
}

#[test]
fn a_policy_that_covers_every_mx_passes() {
    let pki = Pki::new();
    let server = policy_server(
        &pki,
        &["mta-sts.sts.example"],
        Reply::ok("text/plain; charset=utf-8", good_policy()),
    );
    for mode in MODES {
        let out = run(
            mode,
            "sts",
            &["mta-sts", "sts.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 0, "{mode:?}: {}\n{}", out.stdout, out.stderr);
        assert_eq!(out.json()["status"], "pass");
        expect(&out, "mta-sts.record", "pass", "id=20261204T1");
        expect(
            &out,
            "mta-sts.policy",
            "pass",
            "https://mta-sts.sts.example/.well-known/mta-sts.txt",
        );
        expect(
            &out,
            "mta-sts.syntax",
            "pass",
            "mode enforce, max_age 604800, 2 mx patterns",
        );
        expect(&out, "mta-sts.mode", "pass", "enforce");
        expect(&out, "mta-sts.max-age", "pass", "7 days");
        expect(&out, "mta-sts.mx", "pass", "every MX host matches");
        let syntax = out.json()["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "mta-sts.syntax")
            .cloned()
            .unwrap();
        assert_eq!(
            syntax["records"],
            serde_json::json!([
                "version: STSv1",
                "mode: enforce",
                "mx: mx1.sts.example",
                "mx: *.mail.sts.example",
                "max_age: 604800"
            ])
        );
        // The same findings are part of `mailcheck domain`.
        let out = run(
            mode,
            "sts",
            &["domain", "sts.example"],
            &pki,
            &server.connect_to(),
        );
        expect(&out, "mta-sts.mx", "pass", "every MX host matches");
        expect(&out, "mta-sts.policy", "pass", "valid certificate");
    }
    assert!(server.asked().iter().all(|p| p == POLICY_PATH));
}

#[test]
fn an_mx_host_the_policy_does_not_cover_fails_by_name() {
    let pki = Pki::new();
    let server = policy_server(
        &pki,
        &["mta-sts.sts.example"],
        Reply::ok(
            "text/plain",
            policy("enforce", &["mx1.sts.example", "*.sts.example"], 604800),
        ),
    );
    for mode in MODES {
        let out = run(
            mode,
            "sts",
            &["mta-sts", "sts.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        // *.sts.example covers one label only: not mx2.mail.sts.example.
        expect(
            &out,
            "mta-sts.mx",
            "fail",
            "MX host mx2.mail.sts.example is not covered",
        );
    }
}

#[test]
fn testing_mode_and_a_short_max_age_warn() {
    let pki = Pki::new();
    let server = policy_server(
        &pki,
        &["mta-sts.sts.example"],
        Reply::ok(
            "text/plain",
            policy(
                "testing",
                &["mx1.sts.example", "mx2.mail.sts.example"],
                3600,
            ),
        ),
    );
    for mode in MODES {
        let out = run(
            mode,
            "sts",
            &["mta-sts", "sts.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 0, "{mode:?}: {}", out.stdout);
        assert_eq!(out.json()["status"], "warn");
        expect(&out, "mta-sts.mode", "warn", "testing");
        expect(&out, "mta-sts.max-age", "warn", "3600s is less than a day");
        expect(&out, "mta-sts.mx", "pass", "every MX host");
        let strict = run(
            mode,
            "sts",
            &["mta-sts", "sts.example", "--strict"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(strict.code, 1, "{mode:?}: {}", strict.stdout);
    }
}

#[test]
fn a_redirect_is_refused_and_not_followed() {
    let pki = Pki::new();
    let server = HttpsServer::start(
        pki.server(&["mta-sts.sts.example"]),
        &[
            (
                POLICY_PATH,
                Reply::redirect(302, "https://mta-sts.sts.example/elsewhere.txt"),
            ),
            ("/elsewhere.txt", Reply::ok("text/plain", good_policy())),
        ],
    );
    for mode in MODES {
        let out = run(
            mode,
            "sts",
            &["mta-sts", "sts.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(
            &out,
            "mta-sts.policy",
            "fail",
            "answered 302 with a redirect to https://mta-sts.sts.example/elsewhere.txt",
        );
        assert!(statuses(&out.json(), "mta-sts.mx").is_empty());
    }
    assert!(!server.asked().is_empty());
    assert!(
        server.asked().iter().all(|p| p == POLICY_PATH),
        "{:?}",
        server.asked()
    );
}

#[test]
fn a_policy_not_served_as_text_plain_fails() {
    let pki = Pki::new();
    let server = policy_server(
        &pki,
        &["mta-sts.sts.example"],
        Reply::ok("text/html", good_policy()),
    );
    for mode in MODES {
        let out = run(
            mode,
            "sts",
            &["mta-sts", "sts.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(
            &out,
            "mta-sts.policy",
            "fail",
            "served as \"text/html\", not text/plain",
        );
    }
}

#[test]
fn a_policy_over_64_kib_fails() {
    let pki = Pki::new();
    let mut big = good_policy();
    while big.len() <= 64 * 1024 {
        big.push_str(
            "x-padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
        );
    }
    let server = policy_server(&pki, &["mta-sts.sts.example"], Reply::ok("text/plain", big));
    for mode in MODES {
        let out = run(
            mode,
            "sts",
            &["mta-sts", "sts.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(&out, "mta-sts.policy", "fail", "larger than 65536 bytes");
    }
}

#[test]
fn a_certificate_for_another_name_fails() {
    let pki = Pki::new();
    let server = policy_server(
        &pki,
        &["www.sts.example"],
        Reply::ok("text/plain", good_policy()),
    );
    for mode in MODES {
        let out = run(
            mode,
            "sts",
            &["mta-sts", "sts.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(&out, "mta-sts.policy", "fail", "the TLS handshake failed");
        expect(&out, "mta-sts.policy", "fail", "certificate");
    }
    // Nothing was asked: the handshake stopped first.
    assert!(server.asked().is_empty());
}

#[test]
fn a_record_without_a_policy_server_fails() {
    let pki = Pki::new();
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for mode in MODES {
        let out = run(
            mode,
            "sts",
            &["mta-sts", "sts.example"],
            &pki,
            &format!("::127.0.0.1:{port}"),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(
            &out,
            "mta-sts.record",
            "pass",
            "announces an MTA-STS policy",
        );
        expect(
            &out,
            "mta-sts.policy",
            "fail",
            "could not be fetched: no connection",
        );
    }
}

#[test]
fn bad_and_duplicate_records_fail_without_a_fetch() {
    let pki = Pki::new();
    let server = policy_server(
        &pki,
        &["mta-sts.sts.example"],
        Reply::ok("text/plain", good_policy()),
    );
    for mode in MODES {
        let out = run(
            mode,
            "sts-bad-id",
            &["mta-sts", "sts-bad-id.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(
            &out,
            "mta-sts.record",
            "fail",
            "id=2026-12-04 must be 1 to 32 letters and digits",
        );
        let out = run(
            mode,
            "sts-two",
            &["mta-sts", "sts-two.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(&out, "mta-sts.record", "fail", "holds 2 MTA-STS records");
        assert_eq!(out.json()["checks"].as_array().unwrap().len(), 1);
    }
    assert!(server.asked().is_empty(), "{:?}", server.asked());
}

#[test]
fn no_record_is_information_only() {
    for mode in MODES {
        let out = run_case(mode, "example.com", &["mta-sts", "example.com", "--json"]);
        assert_eq!(out.code, 0, "{mode:?}: {}", out.stdout);
        expect(&out, "mta-sts.record", "info", "MTA-STS is not deployed");
        let out = run_case(mode, "example.com", &["domain", "example.com", "--json"]);
        expect(&out, "mta-sts.record", "info", "MTA-STS is not deployed");
        expect(
            &out,
            "bimi.record",
            "info",
            "no BIMI record at default._bimi.example.com",
        );
    }
}

#[test]
fn the_text_report_has_an_mta_sts_section() {
    let pki = Pki::new();
    let server = policy_server(
        &pki,
        &["mta-sts.sts.example"],
        Reply::ok(
            "text/plain",
            policy("enforce", &["mx1.sts.example"], 604800),
        ),
    );
    let ca = pki.ca_path();
    let rule = server.connect_to();
    let out = run_case(
        Mode::Zone,
        "sts",
        &[
            "mta-sts",
            "sts.example",
            "--ca",
            ca.to_str().unwrap(),
            "--connect-to",
            &rule,
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("MTA-STS"), "{}", out.stdout);
    assert!(
        out.stdout.contains("mx2.mail.sts.example"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("add an mx: line for mx2.mail.sts.example"),
        "{}",
        out.stdout
    );
}

const LOGO: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 100 100">
  <title>Example Brand</title>
  <circle cx="50" cy="50" r="40" fill="#1a5"/>
</svg>
"##;

/// A self-signed certificate for `names`, with the BIMI extended key
/// usage (a mark certificate) or without it.
fn mark(names: &[&str], bimi: bool) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    if bimi {
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::Other(vec![
            1, 3, 6, 1, 5, 5, 7, 3, 31,
        ])];
    }
    params.self_signed(&key).unwrap().pem()
}

/// The logo host of the BIMI fixtures, with this logo and mark certificate.
fn logo_server_with(pki: &Pki, logo: impl Into<Vec<u8>>, vmc: String) -> HttpsServer {
    HttpsServer::start(
        pki.server(&["logo.bimi.example", "logo.bimi-no-enforcement.example"]),
        &[
            ("/brand.svg", Reply::ok("image/svg+xml", logo)),
            ("/vmc.pem", Reply::ok("application/x-pem-file", vmc)),
        ],
    )
}

fn logo_server(pki: &Pki, logo: impl Into<Vec<u8>>) -> HttpsServer {
    logo_server_with(pki, logo, mark(&["bimi.example"], true))
}

#[test]
fn bimi_with_a_good_logo_and_dmarc_at_enforcement_passes() {
    let pki = Pki::new();
    let server = logo_server(&pki, LOGO);
    for mode in MODES {
        let out = run(
            mode,
            "bimi",
            &["domain", "bimi.example"],
            &pki,
            &server.connect_to(),
        );
        expect(
            &out,
            "bimi.record",
            "pass",
            "default._bimi.bimi.example publishes a BIMI record",
        );
        expect(&out, "bimi.dmarc", "pass", "quarantine");
        expect(
            &out,
            "bimi.authority",
            "pass",
            "https://logo.bimi.example/vmc.pem",
        );
        expect(
            &out,
            "bimi.logo",
            "pass",
            "https://logo.bimi.example/brand.svg",
        );
        expect(&out, "bimi.svg", "pass", "SVG Tiny PS");
    }
    let mut asked = server.asked();
    asked.sort();
    asked.dedup();
    assert_eq!(asked, ["/brand.svg", "/vmc.pem"]);
}

#[test]
fn a_logo_outside_the_svg_tiny_ps_profile_fails() {
    let pki = Pki::new();
    let bad = LOGO
        .replace("<title>Example Brand</title>", "<script>alert(1)</script>")
        .replace("tiny-ps", "tiny")
        .replace(
            "<circle",
            "<image xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=\"https://tracker.example/p.png\"/><circle",
        );
    let server = logo_server(&pki, bad);
    for mode in MODES {
        let out = run(
            mode,
            "bimi",
            &["domain", "bimi.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        for words in [
            "baseProfile is \"tiny\"",
            "no <title>",
            "<script>",
            "https://tracker.example/p.png",
        ] {
            expect(&out, "bimi.svg", "fail", words);
        }
    }
}

#[test]
fn a_logo_over_32_kib_fails() {
    let pki = Pki::new();
    let big = LOGO.replace(
        "</svg>",
        &format!("<desc>{}</desc></svg>", "x".repeat(40 * 1024)),
    );
    let server = logo_server(&pki, big);
    for mode in MODES {
        let out = run(
            mode,
            "bimi",
            &["domain", "bimi.example"],
            &pki,
            &server.connect_to(),
        );
        expect(&out, "bimi.svg", "fail", "larger than 32768 bytes");
    }
}

#[test]
fn bimi_needs_dmarc_at_enforcement_and_https() {
    let pki = Pki::new();
    let server = logo_server(&pki, LOGO);
    for mode in MODES {
        let out = run(
            mode,
            "bimi-no-enforcement",
            &["domain", "bimi-no-enforcement.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(&out, "bimi.dmarc", "fail", "is none");
        expect(&out, "bimi.authority", "info", "no a= mark certificate");
        expect(&out, "bimi.svg", "pass", "SVG Tiny PS");
        let out = run(
            mode,
            "bimi-http",
            &["domain", "bimi-http.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(&out, "bimi.logo", "fail", "is not an https: URL");
        expect(&out, "bimi.dmarc", "fail", "t=y");
        assert!(statuses(&out.json(), "bimi.svg").is_empty());
    }
}

#[test]
fn a_policy_server_that_stays_silent_fails_within_the_timeout() {
    let pki = Pki::new();
    // Accepts connections and never says anything.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let ca = pki.ca_path();
    let rule = format!("mta-sts.sts.example:443:127.0.0.1:{port}");
    let started = std::time::Instant::now();
    let out = run_case(
        Mode::Zone,
        "sts",
        &[
            "mta-sts",
            "sts.example",
            "--json",
            "--timeout",
            "1",
            "--ca",
            ca.to_str().unwrap(),
            "--connect-to",
            &rule,
        ],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(out.code, 1, "{}", out.stdout);
    expect(
        &out,
        "mta-sts.policy",
        "fail",
        "no complete response within 1s",
    );
}

#[test]
fn a_certificate_that_is_no_mark_certificate_for_the_domain_fails() {
    let pki = Pki::new();
    let server = logo_server_with(&pki, LOGO, mark(&["other.example"], false));
    for mode in MODES {
        let out = run(
            mode,
            "bimi",
            &["domain", "bimi.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(
            &out,
            "bimi.authority",
            "fail",
            "lacks the BIMI extended key usage",
        );
        expect(
            &out,
            "bimi.authority",
            "fail",
            "(other.example) names neither bimi.example",
        );
        expect(&out, "bimi.svg", "pass", "SVG Tiny PS");
    }
}

#[test]
fn an_invalid_policy_fails_and_is_shown() {
    let pki = Pki::new();
    let server = policy_server(
        &pki,
        &["mta-sts.sts.example"],
        Reply::ok(
            "text/plain",
            "version: STSv1\nmode: strict\nmx: mx1.sts.example\n",
        ),
    );
    for mode in MODES {
        let out = run(
            mode,
            "sts",
            &["mta-sts", "sts.example"],
            &pki,
            &server.connect_to(),
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        expect(
            &out,
            "mta-sts.syntax",
            "fail",
            "mode: \"strict\" is not enforce, testing or none",
        );
        expect(&out, "mta-sts.syntax", "fail", "no max_age: field");
        assert!(out.stdout.contains("mode: strict"), "{}", out.stdout);
        assert!(statuses(&out.json(), "mta-sts.mx").is_empty());
    }
}

#[test]
fn the_policy_host_address_comes_from_dns_and_a_dead_one_is_skipped() {
    let pki = Pki::new();
    let server = HttpsServer::start(
        pki.server(&["mta-sts.hosts.example"]),
        &[(
            POLICY_PATH,
            Reply::ok(
                "text/plain",
                policy("enforce", &["mx.hosts.example"], 86400),
            ),
        )],
    );
    let ca = pki.ca_path();
    // Only the port changes: the address is the one DNS gives.
    let rule = format!("mta-sts.hosts.example:443::{}", server.port);
    let out = crate::support::mailcheck(&[
        "mta-sts",
        "hosts.example",
        "--json",
        "--zone",
        "fixtures/mta-sts/hosts.example.zone",
        "--ca",
        ca.to_str().unwrap(),
        "--connect-to",
        &rule,
    ]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    expect(&out, "mta-sts.policy", "pass", "valid certificate");
    expect(&out, "mta-sts.mx", "pass", "every MX host matches");
    assert_eq!(server.asked(), [POLICY_PATH]);
}
