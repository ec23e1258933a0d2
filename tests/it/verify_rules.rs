//! `mailcheck verify` against RFC 6376 / 8617 / 8301 rules on messages signed
//! by an independent implementation (dkimpy; see fixtures/verify/CASES.md,
//! "Independent signatures"), and the promise that verify asks each DNS
//! question once, through one DNS stack.

use crate::support::{MODES, Mode, dns_server::CountingProxy, mailcheck, server};
use serde_json::Value;

const IP: &str = "192.0.2.250";

fn run(case: &str, mode: Mode, json: bool) -> crate::support::Out {
    let msg = format!("fixtures/verify/independent/{case}.eml");
    let mut args: Vec<String> = vec![
        "verify".into(),
        msg,
        "--ip".into(),
        IP.into(),
        "--authserv-id".into(),
        "mx.test".into(),
    ];
    if json {
        args.push("--json".into());
    } else {
        args.extend(["--color".into(), "never".into()]);
    }
    match mode {
        Mode::Zone => {
            args.push("--zone".into());
            args.push(format!("fixtures/verify/independent/{case}.zone"));
        }
        Mode::Server => args.extend(["--resolver".into(), server().addr.to_string()]),
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    mailcheck(&refs)
}

/// (case, DKIM result word, words in the reason or notes, ARC result).
const CASES: &[(&str, &str, &str, Option<&str>)] = &[
    ("plain", "pass", "", None),
    ("np-subdomain", "pass", "", None),
    ("length-whole", "pass", "has nothing past it", None),
    ("length-appended", "pass", "bytes were appended", None),
    ("length-simple", "pass", "has nothing past it", None),
    ("length-ed25519", "pass", "has nothing past it", None),
    ("body-changed", "fail", "body hash does not match", None),
    ("key-h-sha1", "permerror", "excludes sha256", None),
    ("key-s-tlsrpt", "permerror", "does not include email", None),
    ("key-t-s", "permerror", "t=s", None),
    ("key-revoked", "permerror", "revoked", None),
    (
        "key-k-ed25519",
        "permerror",
        "inappropriate key algorithm",
        None,
    ),
    ("tag-duplicate", "permerror", "more than once", None),
    ("tag-case", "permerror", "S= is not s=", None),
    ("tag-empty", "permerror", "empty tag-spec", None),
    ("tag-q", "permerror", "q=", None),
    ("synerr", "permerror", "not a tag=value pair", None),
    ("arc-pass", "pass", "", Some("pass")),
    (
        "arc-two-hops",
        "fail",
        "signature does not verify",
        Some("pass"),
    ),
    ("arc-sha1", "pass", "", Some("fail")),
    ("arc-no-ams", "pass", "", Some("fail")),
    ("arc-ams-signs-seal", "pass", "", Some("fail")),
    ("arc-key-h-sha1", "pass", "", Some("fail")),
    ("arc-tag-empty", "pass", "", Some("fail")),
];

fn check(case: &str, word: &str, words: &str, arc: Option<&str>, mode: Mode) {
    let out = run(case, mode, true);
    let v = out.json();
    let label = format!("{case} {mode:?}");
    let dkim = v["dkim"].as_array().expect("dkim list");
    // synerr carries a broken header above a valid one.
    let first = &dkim[0];
    assert_eq!(first["result"], word, "{label}: {first}\n{}", out.stderr);
    let said = format!("{} {}", first["reason"], first["notes"]);
    assert!(said.contains(words), "{label}: {said}");
    if case != "synerr" {
        for tag in ["domain", "selector", "algorithm", "canonicalization"] {
            assert!(first[tag].is_string(), "{label}: {tag} missing: {first}");
        }
    }
    // DMARC (SPF fails from this IP) rests on DKIM: it passes exactly when
    // an author signature passes (synerr's second, valid one does).
    let dmarc_pass = word == "pass" || case == "synerr";
    if case == "synerr" {
        assert_eq!(dkim.len(), 2, "{label}: one entry per header");
        assert_eq!(dkim[1]["result"], "pass", "{label}");
    }
    assert_eq!(
        v["dmarc"]["result"],
        if dmarc_pass { "pass" } else { "fail" },
        "{label}"
    );
    assert_eq!(out.code, if dmarc_pass { 0 } else { 1 }, "{label}");
    let ar = v["authentication_results"].as_str().unwrap_or("");
    assert!(ar.contains(&format!("dkim={word} ")), "{label}: {ar}");
    if case == "np-subdomain" {
        // mail-auth learnt the From domain does not exist (its A record,
        // fetched through our DNS layer), so np= applies.
        assert_eq!(v["dmarc"]["policy_tag"], "np", "{label}");
        assert!(ar.contains("policy.dmarc=quarantine"), "{label}: {ar}");
    }
    match arc {
        Some(a) => {
            assert_eq!(v["arc"]["result"], a, "{label}: {}", v["arc"]);
            assert!(ar.contains(&format!("arc={a} ")), "{label}: {ar}");
        }
        None => assert!(v["arc"].is_null(), "{label}"),
    }
    let text = run(case, mode, false);
    assert_eq!(text.code, out.code, "{label}: text exit");
    assert!(!text.stdout.contains("=?"), "{label}: {}", text.stdout);
    assert!(
        text.stdout.contains(&format!("dkim={word}")),
        "{label}: {}",
        text.stdout
    );
    if !words.is_empty() {
        assert!(text.stdout.contains(words), "{label}: {}", text.stdout);
    }
}

#[test]
fn independent_signatures_get_rfc_words_through_zone_files_and_the_server() {
    for mode in MODES {
        for (case, word, words, arc) in CASES {
            check(case, word, words, *arc, mode);
        }
    }
}

#[test]
fn a_two_hop_chain_counts_its_sets() {
    let v = run("arc-two-hops", Mode::Zone, true).json();
    assert_eq!(v["arc"]["instances"], 2, "{}", v["arc"]);
    assert_eq!(v["arc"]["result"], "pass");
}

#[test]
fn appended_content_is_counted_in_bytes() {
    let v = run("length-appended", Mode::Zone, true).json();
    let n = v["dkim"][0]["unsigned_bytes"].as_u64().unwrap_or(0);
    assert!(n > 0, "{v}");
    assert!(
        v["dkim"][0]["notes"][0]
            .as_str()
            .unwrap_or("")
            .contains(&format!("{n} bytes were appended"))
    );
    let text = run("length-appended", Mode::Zone, false).stdout;
    assert!(text.contains("    warn  dkim=pass"), "{text}");
    let v = run("length-whole", Mode::Zone, true).json();
    assert_eq!(v["dkim"][0]["unsigned_bytes"], 0);
}

/// Every question verify needs goes through mailcheck's DNS layer once:
/// mail-auth's DKIM, ARC and DMARC evaluations ask nothing themselves.
#[test]
fn verify_asks_each_question_once() {
    let proxy = CountingProxy::start(server().addr);
    for case in [
        "independent/arc-pass",
        "independent/arc-two-hops",
        "two-signatures",
        "relaxed-alignment",
        "independent/length-appended",
        "subdomain-policy",
        "independent/np-subdomain",
    ] {
        let before = proxy.counts();
        let msg = format!("fixtures/verify/{case}.eml");
        let out = mailcheck(&[
            "verify",
            &msg,
            "--ip",
            "203.0.113.5",
            "--json",
            "--resolver",
            &proxy.addr.to_string(),
        ]);
        let v: Value = out.json();
        assert_ne!(out.code, 3, "{case}: nothing may be inconclusive\n{v}");
        assert!(
            !v.to_string().contains("temperror"),
            "{case}: a question mail-auth asked was not fetched first\n{v}"
        );
        let after = proxy.counts();
        let asked: Vec<_> = after
            .iter()
            .filter(|(k, n)| **n > before.get(*k).copied().unwrap_or(0))
            .collect();
        assert!(!asked.is_empty(), "{case}: no question reached the server");
        for (k, n) in &asked {
            let new = **n - before.get(*k).copied().unwrap_or(0);
            assert_eq!(new, 1, "{case}: {k:?} asked {new} times");
        }
        // The signatures' keys were among them.
        for d in v["dkim"].as_array().into_iter().flatten() {
            let name = format!(
                "{}._domainkey.{}.",
                d["selector"].as_str().unwrap_or(""),
                d["domain"].as_str().unwrap_or("")
            );
            assert!(
                asked.iter().any(|((n, t), _)| *n == name && t == "TXT"),
                "{case}: {name} not asked"
            );
        }
    }
}
