//! Rules of `mailcheck.toml` and of the expectations that need no DNS.

use super::{
    allow,
    config::{Allow, Sender, parse, sender},
    senders::addresses,
};
use crate::{
    report::{Finding, Status, worst},
    words::Policy,
};
use std::net::IpAddr;

/// The error of a file, which must be one line.
fn error(text: &str) -> String {
    let e = parse("m.toml", text).expect_err("the file must be refused");
    assert!(!e.contains('\n'), "one line: {e}");
    e
}

#[test]
fn a_full_file_is_read() {
    let text = r#"
[[domain]]
name = "Example.COM."
selectors = ["S1", "s2"]
senders = ["203.0.113.0/28", "192.0.2.1", "2001:db8::/64", "include:_spf.Provider.example"]
not_senders = ["198.51.100.7"]
dmarc_policy = "Quarantine"
min_key_bits = 2048
mx = ["mx1.example.com"]

[[domain.allow]]
finding = "ptr.mx"
match = "mx2"
reason = "our provider controls reverse DNS"

[[domain]]
name = "example.net"
"#;
    let e = parse("m.toml", text).unwrap();
    assert_eq!(e.domains.len(), 2);
    let d = &e.domains[0];
    assert_eq!(d.name, "example.com");
    assert_eq!(d.selectors, ["s1", "s2"]);
    assert_eq!(d.senders.len(), 4);
    assert_eq!(
        d.senders[3],
        Sender::Include("_spf.provider.example".into())
    );
    assert_eq!(d.dmarc_policy, Some(Policy::Quarantine));
    assert_eq!(d.min_key_bits, Some(2048));
    assert_eq!(d.mx.as_deref(), Some(&["mx1.example.com".to_string()][..]));
    assert_eq!(
        d.allow,
        [Allow {
            finding: "ptr.mx".into(),
            matching: Some("mx2".into()),
            reason: "our provider controls reverse DNS".into(),
            at: "m.toml:11".into(),
        }]
    );
    let plain = &e.domains[1];
    assert!(plain.senders.is_empty() && plain.mx.is_none() && plain.dmarc_policy.is_none());
}

#[test]
fn errors_name_the_line() {
    assert!(
        error("[[domain]]\nname = \"example.com\"\nsenders = [\"1.2.3.4\"\n")
            .starts_with("m.toml:")
    );
    assert_eq!(
        error("[[domain]]\nname = \"example.com\"\nselector = [\"s1\"]\n")
            .split(": ")
            .next(),
        Some("m.toml:3")
    );
    let cidr = error(
        "[[domain]]\nname = \"example.com\"\n\nsenders = [\"192.0.2.0/24\",\n  \"203.0.113.0/33\"]\n",
    );
    assert!(
        cidr.starts_with("m.toml:5: '203.0.113.0/33' is not a CIDR block"),
        "{cidr}"
    );
    let host_bits = error("[[domain]]\nname = \"example.com\"\nsenders = [\"203.0.113.5/28\"]\n");
    assert!(
        host_bits.contains("did you mean 203.0.113.0/28"),
        "{host_bits}"
    );
    let reason =
        error("[[domain]]\nname = \"example.com\"\n[[domain.allow]]\nfinding = \"ptr.mx\"\n");
    assert!(
        reason.starts_with("m.toml:3: missing field `reason`"),
        "{reason}"
    );
    let empty = error(
        "[[domain]]\nname = \"example.com\"\n[[domain.allow]]\nfinding = \"ptr.mx\"\nreason = \" \"\n",
    );
    assert!(
        empty.starts_with("m.toml:5: the reason is empty"),
        "{empty}"
    );
    let policy = error("[[domain]]\nname = \"example.com\"\ndmarc_policy = \"strict\"\n");
    assert!(
        policy.starts_with("m.toml:3: dmarc_policy 'strict'"),
        "{policy}"
    );
    let domain = error("[[domain]]\nname = \"not a domain\"\n");
    assert!(
        domain.starts_with("m.toml:2: 'not a domain' is not a valid domain name"),
        "{domain}"
    );
    let ip = error("[[domain]]\nname = \"192.0.2.1\"\n");
    assert!(ip.starts_with("m.toml:2:"), "{ip}");
    let bits =
        error("[[domain]]\nname = \"example.com\"\nselectors = [\"s1\"]\nmin_key_bits = 100\n");
    assert!(bits.starts_with("m.toml:4: min_key_bits = 100"), "{bits}");
    let lonely = error("[[domain]]\nname = \"example.com\"\nmin_key_bits = 2048\n");
    assert!(
        lonely.starts_with("m.toml:3: min_key_bits needs the selectors"),
        "{lonely}"
    );
    let twice = error("[[domain]]\nname = \"example.com\"\n[[domain]]\nname = \"EXAMPLE.com\"\n");
    assert!(
        twice.starts_with("m.toml:4: example.com is already a [[domain]] at line 2"),
        "{twice}"
    );
    assert!(error("").starts_with("m.toml:1: no [[domain]] table"));
    assert!(error("[[domain]]\n").starts_with("m.toml:1: missing field `name`"));
}

#[test]
fn allow_names_a_finding_of_another_area() {
    let file = |finding: &str| {
        format!(
            "[[domain]]\nname = \"example.com\"\n[[domain.allow]]\nfinding = \"{finding}\"\nreason = \"r\"\n"
        )
    };
    assert!(parse("m.toml", &file("dkim.key-size")).is_ok());
    assert!(
        error(&file("expect.sender"))
            .starts_with("m.toml:4: finding 'expect.sender' is an expectation")
    );
    assert!(error(&file("imap.banner")).contains("names no area"));
    assert!(error(&file("ptr")).contains("is not a finding name"));
}

#[test]
fn senders_are_addresses_blocks_or_includes() {
    assert_eq!(sender("192.0.2.1").unwrap().to_string(), "192.0.2.1");
    assert_eq!(sender("2001:db8::1").unwrap().to_string(), "2001:db8::1");
    assert_eq!(sender("192.0.2.0/24").unwrap().to_string(), "192.0.2.0/24");
    assert_eq!(
        sender("include:Example.net").unwrap().to_string(),
        "include:example.net"
    );
    for bad in [
        "mx",
        "include:",
        "include:a b",
        "192.0.2.0/",
        "192.0.2.1/24",
        "::1/129",
        "a:example.com",
    ] {
        assert!(sender(bad).is_err(), "{bad}");
    }
}

#[test]
fn small_blocks_are_tested_whole_and_large_ones_at_both_ends() {
    let net = |s: &str| match sender(s).unwrap() {
        Sender::Net(n) => n,
        Sender::Include(_) => unreachable!(),
    };
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert_eq!(addresses(&net("192.0.2.7")), [ip("192.0.2.7")]);
    let slash28 = addresses(&net("203.0.113.0/28"));
    assert_eq!(slash28.len(), 16);
    assert_eq!(
        (slash28[0], slash28[15]),
        (ip("203.0.113.0"), ip("203.0.113.15"))
    );
    assert_eq!(addresses(&net("198.51.100.0/24")).len(), 256);
    assert_eq!(
        addresses(&net("198.51.100.0/23")),
        [ip("198.51.100.0"), ip("198.51.101.255")]
    );
    assert_eq!(addresses(&net("2001:db8::/120")).len(), 256);
    assert_eq!(
        addresses(&net("2001:db8::/64")),
        [ip("2001:db8::"), ip("2001:db8::ffff:ffff:ffff:ffff")]
    );
    assert_eq!(
        addresses(&net("0.0.0.0/0")),
        [ip("0.0.0.0"), ip("255.255.255.255")]
    );
}

fn allow_entry(finding: &str, matching: Option<&str>) -> Allow {
    Allow {
        finding: finding.into(),
        matching: matching.map(str::to_string),
        reason: "accepted on purpose".into(),
        at: "m.toml:9".into(),
    }
}

#[test]
fn an_allow_accepts_warnings_and_failures_of_its_name() {
    let mut findings = vec![
        Finding::new(
            "ptr.mx",
            Status::Fail,
            "MX address 192.0.2.11 has no PTR (mx2)",
        ),
        Finding::new("ptr.mx", Status::Pass, "MX address 192.0.2.10 is confirmed"),
        Finding::new(
            "dkim.key-size",
            Status::Warn,
            "selector s1: RSA key of 1024 bits",
        ),
    ];
    allow::apply(&[allow_entry("ptr.mx", None)], &mut findings);
    assert_eq!(findings.len(), 3, "no stale warning");
    assert_eq!(findings[0].allowed.as_deref(), Some("accepted on purpose"));
    assert_eq!(findings[1].allowed, None, "a pass needs no exception");
    assert_eq!(findings[2].allowed, None, "another name is not accepted");
    assert_eq!(worst(&findings), Status::Warn);
}

#[test]
fn match_narrows_an_allow_to_words_of_the_message() {
    let mut findings = vec![
        Finding::new(
            "ptr.mx",
            Status::Fail,
            "MX address 192.0.2.11 has no PTR (MX2.example.com)",
        ),
        Finding::new(
            "ptr.mx",
            Status::Fail,
            "MX address 192.0.2.12 has no PTR (mx3.example.com)",
        ),
    ];
    allow::apply(
        &[allow_entry("ptr.mx", Some("mx2.example.com"))],
        &mut findings,
    );
    assert!(findings[0].allowed.is_some());
    assert!(findings[1].allowed.is_none());
    assert_eq!(worst(&findings), Status::Fail);
}

#[test]
fn an_allow_that_accepts_nothing_is_a_warning() {
    let mut findings = vec![Finding::new("ptr.mx", Status::Pass, "confirmed")];
    allow::apply(
        &[
            allow_entry("ptr.mx", None),
            allow_entry("spf.all", Some("~all")),
        ],
        &mut findings,
    );
    let stale: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.name == "expect.allow")
        .collect();
    assert_eq!(stale.len(), 2);
    assert!(
        stale
            .iter()
            .all(|f| f.status == Status::Warn && f.message.contains("m.toml:9"))
    );
    assert!(
        stale[1].message.contains("spf.all matching \"~all\""),
        "{}",
        stale[1].message
    );
}

#[test]
fn an_allow_is_not_stale_when_its_check_could_not_run() {
    let mut findings = vec![Finding::new("ptr.mx", Status::Error, "could not look up")];
    allow::apply(&[allow_entry("ptr.mx", None)], &mut findings);
    assert_eq!(findings.len(), 1);
    assert!(findings[0].allowed.is_none(), "an error is never accepted");
    assert_eq!(worst(&findings), Status::Error);
}
