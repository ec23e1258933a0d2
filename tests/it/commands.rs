//! The focused commands: `spf`, `dkim` and `dmarc`, through both DNS paths.

use crate::support::{MODES, run_case, statuses};

#[test]
fn spf_analyses_the_tree_and_evaluates_an_ip() {
    for mode in MODES {
        let out = run_case(
            mode,
            "spf-lookups",
            &["spf", "spf-lookups.example", "--json"],
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stderr);
        let v = out.json();
        assert_eq!(v["lookups"], 11);
        assert_eq!(
            v["record"],
            "v=spf1 mx a include:_s1.spf-lookups.example include:_s2.spf-lookups.example -all"
        );
        assert!(v.get("result").is_none(), "no result without --ip");
        let children = v["tree"]["children"].as_array().expect("children");
        assert_eq!(children.len(), 2);
        assert_eq!(children[0]["domain"], "_s1.spf-lookups.example");
        assert_eq!(children[0]["lookups"], 4);
        assert_eq!(statuses(&v, "spf.lookups"), ["fail"]);

        // A MAIL FROM address is the identity; the IP passes through an include.
        let out = run_case(
            mode,
            "example.com",
            &[
                "spf",
                "bounce@example.com",
                "--ip",
                "198.51.100.7",
                "--json",
            ],
        );
        assert_eq!(out.code, 0, "{mode:?}: {}", out.stdout);
        let v = out.json();
        assert_eq!(v["identity"], "bounce@example.com");
        assert_eq!(v["result"], "pass");
        assert_eq!(
            v["mechanism"],
            "include:_spf.provider.example -> ip4:198.51.100.0/24"
        );
        assert_eq!(v["mechanism_domain"], "_spf.provider.example");

        // An empty local part means postmaster; an IP not listed fails with -all.
        let out = run_case(
            mode,
            "example.com",
            &["spf", "@example.com", "--ip", "203.0.113.9", "--json"],
        );
        assert_eq!(out.code, 1);
        let v = out.json();
        assert_eq!(v["identity"], "postmaster@example.com");
        assert_eq!(v["result"], "fail");
        assert_eq!(v["mechanism"], "-all");
    }
}

#[test]
fn spf_with_an_identity_that_is_not_a_domain_is_none_not_an_error() {
    let out = run_case(
        crate::support::Mode::Zone,
        "example.com",
        &["spf", "user@not_a..domain", "--ip", "203.0.113.9", "--json"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.json()["result"], "none");
}

#[test]
fn dkim_shows_the_key_and_the_cname_chain() {
    for mode in MODES {
        let out = run_case(
            mode,
            "dkim-cname",
            &["dkim", "dkim-cname.example", "--selector", "s1", "--json"],
        );
        assert_eq!(out.code, 0, "{mode:?}: {}", out.stdout);
        let v = out.json();
        let sel = &v["checks"][0];
        assert_eq!(sel["name"], "dkim.selector");
        assert_eq!(
            sel["records"][0],
            "s1._domainkey.dkim-cname.example. CNAME s1.dkim.provider.example."
        );
        assert_eq!(statuses(&v, "dkim.key-size"), ["pass"]);

        let out = run_case(
            mode,
            "dkim-revoked",
            &["dkim", "dkim-revoked.example", "--selector", "s1"],
        );
        assert_eq!(out.code, 1);
        assert!(out.stdout.contains("revoked (empty p=)"), "{}", out.stdout);
    }
}

#[test]
fn dmarc_shows_the_tree_walk_and_explains_tags() {
    for mode in MODES {
        let out = run_case(mode, "inherit", &["dmarc", "sub.inherit.example", "--json"]);
        assert_eq!(out.code, 0, "{mode:?}: {}", out.stdout);
        let v = out.json();
        assert_eq!(
            v["queried"],
            serde_json::json!([
                "_dmarc.sub.inherit.example",
                "_dmarc.inherit.example",
                "_dmarc.example"
            ])
        );
        assert_eq!(v["record_domain"], "inherit.example");
        assert_eq!(v["organizational_domain"], "inherit.example");
        assert_eq!(v["tags"]["sp"], "quarantine");

        let out = run_case(
            mode,
            "inherit",
            &["dmarc", "sub.inherit.example", "--color", "never"],
        );
        assert!(out.stdout.contains("sp=quarantine  policy for subdomains without their own record: treat failing mail as suspicious"), "{}", out.stdout);
        assert!(out.stdout.contains(
            "tree walk: _dmarc.sub.inherit.example -> _dmarc.inherit.example -> _dmarc.example"
        ));
    }
}

#[test]
fn a_single_label_name_is_queried_by_every_command() {
    for mode in MODES {
        // spf: the record is read and analysed; check_host() gives none.
        let out = run_case(mode, "corp", &["spf", "corp", "--json"]);
        assert_eq!(out.code, 0, "{mode:?}: {}", out.stdout);
        let v = out.json();
        assert_eq!(v["record"], "v=spf1 mx -all");
        assert_eq!(v["lookups"], 1);
        assert_eq!(statuses(&v, "spf.record"), ["pass", "warn"]);
        let out = run_case(
            mode,
            "corp",
            &["spf", "bounce@corp", "--ip", "192.0.2.40", "--json"],
        );
        assert_eq!(out.code, 1, "{mode:?}: {}", out.stdout);
        let v = out.json();
        assert_eq!(v["identity"], "bounce@corp");
        assert_eq!(v["record"], "v=spf1 mx -all");
        assert_eq!(v["result"], "none");
        assert_eq!(
            v["reason"],
            "'corp' is a single label, not a multi-label domain name (RFC 7208 4.3)"
        );

        // dmarc: the tree walk of one label reads _dmarc.corp.
        let out = run_case(mode, "corp", &["dmarc", "corp", "--json"]);
        assert_eq!(out.code, 0, "{mode:?}: {}", out.stdout);
        let v = out.json();
        assert_eq!(v["queried"], serde_json::json!(["_dmarc.corp"]));
        assert_eq!(v["record_domain"], "corp");
        assert_eq!(v["record"], "v=DMARC1; p=reject");
        let out = run_case(mode, "corp", &["dmarc", "corp", "--color", "never"]);
        assert!(
            out.stdout.contains("tree walk: _dmarc.corp\n"),
            "{}",
            out.stdout
        );
        assert!(!out.stdout.contains("no DMARC record"), "{}", out.stdout);

        // dkim: the key under the single label.
        let out = run_case(
            mode,
            "corp",
            &["dkim", "corp", "--selector", "s1", "--json"],
        );
        assert_eq!(out.code, 0, "{mode:?}: {}", out.stdout);
        let v = out.json();
        assert_eq!(statuses(&v, "dkim.key-size"), ["pass"]);

        // verify: the record is shown but not applied, and the verdict says
        // why instead of claiming there is no record.
        let dir = tempfile::tempdir().expect("temporary directory");
        let eml = dir.path().join("corp.eml");
        std::fs::write(
            &eml,
            "From: a@corp\r\nTo: b@corp\r\nSubject: single label\r\n\r\nhello\r\n",
        )
        .expect("write a message");
        let eml = eml.to_string_lossy().into_owned();
        let verify = |format: &[&str]| {
            let mut args = vec![
                "verify",
                &eml,
                "--ip",
                "192.0.2.40",
                "--mail-from",
                "a@corp",
            ];
            args.extend_from_slice(format);
            run_case(mode, "corp", &args)
        };
        let out = verify(&["--json"]);
        let v = out.json();
        assert_eq!(v["dmarc"]["result"], "none", "{mode:?}: {}", out.stdout);
        assert_eq!(v["dmarc"]["record_domain"], "corp");
        assert_eq!(
            v["dmarc"]["notes"][0],
            "corp is a single label: receivers evaluate no DMARC for it, so the record at _dmarc.corp does not apply"
        );
        let out = verify(&["--color", "never"]);
        assert!(
            out.stdout
                .contains("dmarc=none: the record at _dmarc.corp was not applied")
                && out.stdout.contains("note: corp is a single label")
                && !out.stdout.contains("no DMARC record"),
            "{mode:?}: {}",
            out.stdout
        );
    }
}

#[test]
fn records_reached_through_a_cname_are_shown_under_the_name_that_holds_them() {
    for mode in MODES {
        // DKIM: the chain, then the key under the provider's name.
        let out = run_case(
            mode,
            "dkim-cname",
            &["dkim", "dkim-cname.example", "--selector", "s1", "--json"],
        );
        let v = out.json();
        assert_eq!(
            records(&v, "dkim.selector"),
            [
                "s1._domainkey.dkim-cname.example. CNAME s1.dkim.provider.example.",
                "s1.dkim.provider.example. TXT \"v=DKIM1; k=ed25519; p=kNQrLg+U7cKnAtnme6V+6Zu5VQ78McvQsUdjzJ59iyY=\""
            ],
            "{mode:?}"
        );

        // MX: the exchange's address under the CNAME's target.
        let out = run_case(mode, "mx-cname", &["domain", "mx-cname.example", "--json"]);
        let v = out.json();
        assert_eq!(
            records(&v, "mx.cname"),
            ["mail.mx-cname.example. CNAME mx1.provider.example."]
        );
        assert_eq!(
            records(&v, "mx.address"),
            ["mx1.provider.example. A 198.51.100.25"],
            "{mode:?}"
        );

        // SPF, MX and DMARC of a name that is a CNAME.
        let out = run_case(
            mode,
            "cname-records",
            &["domain", "mail.cname-records.example", "--json"],
        );
        let v = out.json();
        let chain = "mail.cname-records.example. CNAME real.cname-records.example.";
        assert_eq!(
            records(&v, "spf.record"),
            [chain, "real.cname-records.example. TXT \"v=spf1 -all\""],
            "{mode:?}"
        );
        assert_eq!(
            records(&v, "mx.null"),
            [chain, "real.cname-records.example. MX 0 ."]
        );
        assert_eq!(
            records(&v, "dmarc.record"),
            [
                "_dmarc.mail.cname-records.example. CNAME policy.cname-records.example.",
                "policy.cname-records.example. TXT \"v=DMARC1; p=reject\""
            ]
        );
    }
}

/// The record lines of every check with this name, in order.
fn records(report: &serde_json::Value, name: &str) -> Vec<String> {
    report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["name"] == name)
        .flat_map(|c| c["records"].as_array().cloned().unwrap_or_default())
        .map(|r| r.as_str().unwrap_or("").to_string())
        .collect()
}
