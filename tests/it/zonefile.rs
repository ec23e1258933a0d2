//! `--zone` with real-world master files, and broken ones.

use crate::support::mailcheck;

#[test]
fn opendkim_genkey_layout_is_read() {
    let out = mailcheck(&[
        "domain",
        "example.com",
        "--selector",
        "mail",
        "--json",
        "--zone",
        "fixtures/zonefiles/opendkim.zone",
    ]);
    let report = out.json();
    let key = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "dkim.key-size")
        .cloned()
        .unwrap_or_default();
    assert_eq!(key["status"], "pass", "{}", out.stdout);
    assert!(
        key["message"]
            .as_str()
            .unwrap_or("")
            .contains("RSA key of 2048 bits")
    );
}

#[test]
fn a_broken_zone_file_names_file_and_line_and_exits_2() {
    let out = mailcheck(&[
        "domain",
        "example.com",
        "--zone",
        "fixtures/zonefiles/broken-quote.zone",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .starts_with("mailcheck: fixtures/zonefiles/broken-quote.zone:7: "),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1);
}
