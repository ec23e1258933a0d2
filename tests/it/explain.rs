//! `mailcheck explain`, the fix hints it shares with the report, the man
//! pages, and the interface document that lists every finding name.

use crate::support::{Mode, mailcheck, run_case};
use serde_json::Value;
use std::{collections::BTreeSet, path::Path};

/// Every name `explain --list` prints.
fn listed() -> Vec<String> {
    let out = mailcheck(&["explain", "--list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout.lines().map(str::to_string).collect()
}

#[test]
fn explain_prints_every_section_of_an_entry() {
    let out = mailcheck(&["explain", "spf.lookups"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert!(out.stdout.starts_with("spf.lookups\n"), "{}", out.stdout);
    for heading in [
        "What it checks",
        "Why it matters",
        "RFC",
        "How to fix it",
        "Example",
    ] {
        assert!(
            out.stdout.lines().any(|l| l == heading),
            "no {heading}:\n{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("RFC 7208 4.6.4"), "{}", out.stdout);
    assert!(out.stdout.contains("permerror"), "{}", out.stdout);
    assert!(out.stdout.contains("v=spf1"), "{}", out.stdout);
    // Names are matched without regard to case, as a user may type them.
    let upper = mailcheck(&["explain", "SPF.Lookups"]);
    assert_eq!(upper.code, 0);
    assert_eq!(upper.stdout, out.stdout);
}

#[test]
fn explain_json_is_one_object_with_the_six_keys() {
    let out = mailcheck(&["explain", "dkim.key-size", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = out.json();
    let keys: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["name", "checks", "why", "rfc", "fix", "example"]);
    assert_eq!(v["name"], "dkim.key-size");
    assert!(v["rfc"].as_str().unwrap_or("").contains("RFC 8301 3.2"));
    assert!(v["example"].as_str().unwrap_or("").contains("v=DKIM1"));
}

#[test]
fn an_entry_without_an_rfc_or_example_leaves_those_sections_out() {
    let out = mailcheck(&["explain", "run.deadline"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("How to fix it"));
    assert!(!out.stdout.lines().any(|l| l == "RFC" || l == "Example"));
    let json = mailcheck(&["explain", "run.deadline", "--json"]).json();
    assert_eq!(json["rfc"], "");
    assert_eq!(json["example"], "");
}

#[test]
fn list_prints_every_name_once_and_each_one_explains() {
    let names = listed();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "a name listed twice");
    assert!(names.len() >= 39, "only {} names", names.len());
    for area in ["mx.", "ptr.", "spf.", "dkim.", "dmarc.", "smtp.", "run."] {
        assert!(names.iter().any(|n| n.starts_with(area)), "no {area}* name");
    }
    for name in &names {
        let out = mailcheck(&["explain", name]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert!(out.stdout.starts_with(&format!("{name}\n")), "{name}");
    }
}

#[test]
fn list_json_is_one_entry_a_line_in_the_same_order() {
    let out = mailcheck(&["explain", "--list", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let entries = out.json_lines();
    let names: Vec<String> = entries
        .iter()
        .map(|e| e["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(names, listed());
    for e in &entries {
        for key in ["checks", "why", "fix"] {
            assert!(
                !e[key].as_str().unwrap_or("").is_empty(),
                "{}: empty {key}",
                e["name"]
            );
        }
    }
}

#[test]
fn an_area_lists_its_names() {
    for arg in ["dkim", "dkim."] {
        let out = mailcheck(&["explain", arg]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let names: Vec<&str> = out.stdout.lines().collect();
        assert!(names.contains(&"dkim.key-size"), "{}", out.stdout);
        assert!(
            names.iter().all(|n| n.starts_with("dkim.")),
            "{}",
            out.stdout
        );
    }
}

#[test]
fn an_unknown_name_is_exit_2_with_the_closest_names() {
    let out = mailcheck(&["explain", "spf.lookup"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.starts_with("mailcheck: "), "{}", out.stderr);
    assert!(out.stderr.contains("spf.lookup"), "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean spf.lookups"),
        "{}",
        out.stderr
    );

    let far = mailcheck(&["explain", "imap.banner-size-of-things"]);
    assert_eq!(far.code, 2);
    assert_eq!(far.stderr.lines().count(), 1, "{}", far.stderr);
    assert!(far.stderr.contains("--list"), "{}", far.stderr);

    // Neither a name nor --list; both at once.
    assert_eq!(mailcheck(&["explain"]).code, 2);
    assert_eq!(mailcheck(&["explain", "spf.all", "--list"]).code, 2);
}

#[test]
fn the_report_and_explain_give_the_same_general_fix() {
    // One table: a failing spf.all (+all) carries the entry's fix in the
    // report, in JSON and in the text, exactly as explain prints it.
    let entry = mailcheck(&["explain", "spf.all", "--json"]).json();
    let fix = entry["fix"].as_str().expect("a fix");
    let out = run_case(
        Mode::Zone,
        "spf-plus-all",
        &["domain", "spf-plus-all.example", "--json"],
    );
    let report = out.json();
    let spf_all: Vec<&Value> = report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["name"] == "spf.all")
        .collect();
    assert_eq!(spf_all.len(), 1, "{report}");
    assert_eq!(spf_all[0]["status"], "fail");
    assert_eq!(spf_all[0]["fix"], fix);

    let text = run_case(
        Mode::Zone,
        "spf-plus-all",
        &["domain", "spf-plus-all.example", "--color", "never"],
    );
    assert!(
        text.stdout.contains(&format!("fix: {fix}")),
        "{}",
        text.stdout
    );
}

#[test]
fn every_finding_that_is_wrong_carries_a_fix_and_every_name_is_explained() {
    let names: BTreeSet<String> = listed().into_iter().collect();
    let mut cases: Vec<String> = std::fs::read_dir("fixtures/domain")
        .expect("fixtures/domain")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".zone").map(str::to_string)
        })
        .collect();
    cases.sort();
    assert!(cases.len() > 10);
    let mut wrong = 0;
    for case in cases {
        let domain = if case.contains('.') || case == "corp" {
            case.clone()
        } else {
            format!("{case}.example")
        };
        let out = run_case(Mode::Zone, &case, &["domain", &domain, "--json"]);
        assert!(out.code == 0 || out.code == 1, "{case}: {}", out.stderr);
        let report = out.json();
        for c in report["checks"].as_array().into_iter().flatten() {
            let name = c["name"].as_str().unwrap_or("");
            assert!(names.contains(name), "{case}: {name} is not explained");
            if matches!(c["status"].as_str(), Some("warn" | "fail" | "error")) {
                wrong += 1;
                assert!(
                    c["fix"].as_str().is_some_and(|f| !f.is_empty()),
                    "{case}: {name} is {} without a fix: {c}",
                    c["status"]
                );
            }
        }
    }
    assert!(wrong > 20, "only {wrong} findings that are wrong");
}

#[test]
fn committed_man_pages_are_current() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = mailcheck(&["man", &dir.path().display().to_string()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let names = |d: &Path| -> BTreeSet<String> {
        std::fs::read_dir(d)
            .map(|r| {
                r.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let fresh = names(dir.path());
    let committed = names(Path::new("docs/man"));
    let regenerate = "regenerate with `cargo run -- man docs/man` (after removing docs/man/*.1)";
    assert_eq!(fresh, committed, "docs/man has other pages: {regenerate}");
    assert!(fresh.contains("mailcheck.1") && fresh.contains("mailcheck-explain.1"));
    for page in &fresh {
        let now = std::fs::read_to_string(dir.path().join(page)).unwrap_or_default();
        let then = std::fs::read_to_string(Path::new("docs/man").join(page)).unwrap_or_default();
        assert!(now == then, "docs/man/{page} is stale: {regenerate}");
    }
}

#[test]
fn the_interface_document_lists_every_finding_name() {
    let doc = std::fs::read_to_string("docs/interface.md").expect("docs/interface.md");
    let missing: Vec<&str> = mailcheck::explain::all()
        .map(|e| e.name)
        .filter(|n| !doc.contains(&format!("`{n}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/interface.md does not list {missing:?}"
    );
    // And names nothing that does not exist: every `area.name` in the
    // finding table is an entry.
    let table = doc
        .split("### Every finding name")
        .nth(1)
        .expect("an Every finding name section");
    let table = table.split("\n## ").next().unwrap_or(table);
    for line in table.lines().filter(|l| l.starts_with("| `")) {
        let name = line[3..].split('`').next().unwrap_or("");
        assert!(
            mailcheck::explain::lookup(name).is_some(),
            "docs/interface.md lists {name}, which has no entry"
        );
    }
}
