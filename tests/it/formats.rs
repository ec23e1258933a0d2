//! `--format sarif|junit|json|text`: SARIF logs valid against the OASIS
//! schema and pointing at the right zone and message lines, JUnit XML read
//! back, `--json` the same as `--format json`, the same exit status in every
//! format, and the combinations that are refused.

use crate::support::{dns_args, fixtures, mailcheck, zone_files_in};
use mailcheck::{explain, render::sarif::help_text};
use serde_json::Value;
use std::path::Path;

/// mailcheck with `args`, then the fixture case's `--zone` files.
fn with_zone(case: &str, args: &[&str]) -> crate::support::Out {
    let dns = dns_args(crate::support::Mode::Zone, case);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(dns.iter().map(String::as_str));
    mailcheck(&all)
}

/// The OASIS SARIF 2.1.0 schema, vendored in tests/schemas.
fn sarif_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).expect("read the SARIF schema");
    let schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Standard output as one SARIF log, checked against the schema and
/// mailcheck's own promises (one run, every rule described).
fn sarif(out: &crate::support::Out) -> Value {
    let log: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{}", out.stdout));
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "invalid SARIF: {errors:#?}\n{}",
        out.stdout
    );
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(1));
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "mailcheck");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    for rule in driver["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let help = rule["help"]["text"].as_str().unwrap_or_default();
        assert!(!help.is_empty(), "rule {id} has no help");
        assert!(
            !rule["help"]["markdown"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        );
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        );
        if let Some(entry) = explain::lookup(id) {
            assert_eq!(
                help,
                help_text(entry),
                "rule {id}: help from the finding table"
            );
            assert_eq!(rule["fullDescription"]["text"], entry.why, "rule {id}");
        }
    }
    log
}

#[test]
fn the_schema_catches_a_broken_log() {
    let out = with_zone(
        "spf-plus-all",
        &["domain", "spf-plus-all.example", "--format", "sarif"],
    );
    let mut log: Value = serde_json::from_str(&out.stdout).unwrap();
    let validator = sarif_validator();
    assert!(validator.is_valid(&log));
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&log), "a level SARIF does not have");
    log["runs"][0]["results"][0]["level"] = "error".into();
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&log), "lines start at 1");
}

fn results(log: &Value) -> Vec<Value> {
    log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The results with this rule.
fn with_rule(log: &Value, rule: &str) -> Vec<Value> {
    results(log)
        .into_iter()
        .filter(|r| r["ruleId"] == rule)
        .collect()
}

/// (uri, startLine) of a result's physical location.
fn place(result: &Value) -> (String, usize) {
    let physical = &result["locations"][0]["physicalLocation"];
    (
        physical["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        physical["region"]["startLine"].as_u64().unwrap_or(0) as usize,
    )
}

/// Line `n` (1-based) of a file in the repository.
fn line_of(path: &str, n: usize) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .nth(n.saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn sarif_of_a_zone_points_at_the_line_of_the_record_behind_each_finding() {
    let out = with_zone(
        "spf-plus-all",
        &["domain", "spf-plus-all.example", "--format", "sarif"],
    );
    let json = with_zone(
        "spf-plus-all",
        &["domain", "spf-plus-all.example", "--json"],
    );
    assert_eq!(out.code, json.code, "{}", out.stderr);
    assert_eq!(out.code, 1);
    let log = sarif(&out);
    // One result per finding that is neither pass nor info.
    let report = json.json();
    let not_passing: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] != "pass" && c["status"] != "info")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let ids: Vec<String> = results(&log)
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, not_passing);
    // spf.all shows no record itself: it points at the SPF record spf.record shows.
    let all = &with_rule(&log, "spf.all")[0];
    assert_eq!(all["level"], "error");
    let (uri, line) = place(all);
    assert_eq!(uri, "fixtures/domain/spf-plus-all.zone");
    assert!(
        line_of(&uri, line).contains("\"v=spf1 mx +all\""),
        "line {line}"
    );
    assert_eq!(
        all["locations"][0]["logicalLocations"][0]["name"],
        "spf-plus-all.example"
    );
}

#[test]
fn sarif_places_findings_with_records_and_their_area() {
    // Two SPF records: the finding shows both; it points at the first.
    let log = sarif(&with_zone(
        "two-spf",
        &["domain", "two-spf.example", "--format", "sarif"],
    ));
    let record = &with_rule(&log, "spf.record")[0];
    let (uri, line) = place(record);
    assert_eq!(uri, "fixtures/domain/two-spf.zone");
    assert!(
        line_of(&uri, line).contains("\"v=spf1 mx -all\""),
        "line {line}"
    );
    // p=none: the policy finding points at the DMARC record.
    let log = sarif(&with_zone(
        "dmarc-none",
        &["domain", "dmarc-none.example", "--format", "sarif"],
    ));
    let policy = &with_rule(&log, "dmarc.policy")[0];
    assert_eq!(policy["level"], "warning");
    let (uri, line) = place(policy);
    assert!(line_of(&uri, line).starts_with("_dmarc"), "line {line}");
}

#[test]
fn every_domain_fixture_gives_valid_sarif_with_lines_inside_its_files() {
    let files = zone_files_in("domain");
    assert!(files.len() > 10);
    for file in files {
        let case = file.file_stem().unwrap().to_string_lossy().to_string();
        let zone = std::fs::read_to_string(&file).unwrap();
        let origin = zone
            .lines()
            .find_map(|l| l.strip_prefix("$ORIGIN "))
            .unwrap_or_else(|| panic!("{case}: no $ORIGIN"))
            .trim()
            .trim_end_matches('.')
            .to_string();
        let out = with_zone(&case, &["domain", &origin, "--format", "sarif"]);
        let json = with_zone(&case, &["domain", &origin, "--json"]);
        assert_eq!(
            out.code, json.code,
            "{case}: the format changes no exit status"
        );
        let log = sarif(&out);
        for result in results(&log) {
            let (uri, line) = place(&result);
            assert!(uri.starts_with("fixtures/"), "{case}: {uri}");
            assert!(
                !line_of(&uri, line).is_empty(),
                "{case}: {uri}:{line} is no record"
            );
        }
    }
}

#[test]
fn sarif_without_zone_files_names_the_domain() {
    let server = crate::support::server();
    let out = mailcheck(&[
        "domain",
        "spf-plus-all.example",
        "--format",
        "sarif",
        "--resolver",
        &server.addr.to_string(),
    ]);
    let log = sarif(&out);
    let all = &with_rule(&log, "spf.all")[0];
    let location = &all["locations"][0];
    assert!(location.get("physicalLocation").is_none(), "{location}");
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "spf-plus-all.example"
    );
}

#[test]
fn sarif_of_verify_points_at_the_header_fields() {
    let verify = |ip: &str, format: &[&str]| {
        let mut args = vec![
            "verify",
            "fixtures/verify/body-modified.eml",
            "--ip",
            ip,
            "--zone",
            "fixtures/verify/body-modified.zone",
        ];
        args.extend_from_slice(format);
        mailcheck(&args)
    };
    let header = |result: &Value| {
        let (uri, line) = place(result);
        assert_eq!(uri, "fixtures/verify/body-modified.eml");
        line_of(&uri, line)
    };
    // From an authorized IP, SPF passes and carries DMARC: the broken
    // signature is a warning, and the message passes (exit 0).
    let out = verify("203.0.113.5", &["--format", "sarif"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(verify("203.0.113.5", &["--json"]).code, 0);
    let log = sarif(&out);
    let ids: Vec<String> = results(&log)
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["dkim.signature"]);
    let dkim = &results(&log)[0];
    assert_eq!(dkim["level"], "warning");
    assert!(header(dkim).starts_with("DKIM-Signature:"));
    assert!(
        dkim["message"]["text"]
            .as_str()
            .unwrap()
            .contains("body hash")
    );
    // From an IP outside the SPF record, nothing passes: every verdict fails.
    let out = verify("192.0.2.250", &["--format", "sarif"]);
    assert_eq!(out.code, 1);
    assert_eq!(verify("192.0.2.250", &["--json"]).code, 1);
    let log = sarif(&out);
    let spf = &with_rule(&log, "spf.result")[0];
    assert_eq!(spf["level"], "error");
    assert!(header(spf).starts_with("Return-Path:"));
    let dmarc = &with_rule(&log, "dmarc.result")[0];
    assert_eq!(dmarc["level"], "error");
    assert!(header(dmarc).starts_with("From:"));
    assert_eq!(
        dmarc["locations"][0]["logicalLocations"][0]["name"],
        "fixtures/verify/body-modified.eml"
    );
}

#[test]
fn sarif_of_a_verify_batch_is_one_log() {
    let out = mailcheck(&[
        "verify",
        "fixtures/verify/rsa-pass.eml",
        "fixtures/verify/body-modified.eml",
        "--ip",
        "192.0.2.250",
        "--zone",
        "fixtures/verify/rsa-pass.zone",
        "--zone",
        "fixtures/verify/body-modified.zone",
        "--format",
        "sarif",
    ]);
    assert_eq!(out.code, 1);
    let log = sarif(&out);
    let subjects: Vec<String> = results(&log)
        .iter()
        .map(|r| r["properties"]["subject"].as_str().unwrap().to_string())
        .collect();
    for message in [
        "fixtures/verify/rsa-pass.eml",
        "fixtures/verify/body-modified.eml",
    ] {
        assert!(subjects.iter().any(|s| s == message), "{subjects:?}");
    }
}

#[test]
fn sarif_of_spf_reports_the_result_and_the_record() {
    let out = with_zone(
        "two-spf",
        &[
            "spf",
            "two-spf.example",
            "--ip",
            "192.0.2.10",
            "--format",
            "sarif",
        ],
    );
    let json = with_zone(
        "two-spf",
        &["spf", "two-spf.example", "--ip", "192.0.2.10", "--json"],
    );
    assert_eq!(out.code, json.code);
    let log = sarif(&out);
    let result = &with_rule(&log, "spf.result")[0];
    let word = json.json()["result"].as_str().unwrap().to_string();
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("spf={word} ")),
        "{result}"
    );
    let (uri, _) = place(result);
    assert_eq!(uri, "fixtures/domain/two-spf.zone");
    assert!(!with_rule(&log, "spf.record").is_empty());
}

/// The JUnit document, parsed: per test suite, its name and its test cases
/// (name, classname, kind of outcome, message).
type Suites = Vec<(String, Vec<(String, String, &'static str, String)>)>;

fn junit(stdout: &str) -> Suites {
    let doc =
        roxmltree::Document::parse(stdout).unwrap_or_else(|e| panic!("not XML ({e}):\n{stdout}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let mut suites = Vec::new();
    let mut total = 0;
    let mut failures = 0;
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let mut cases = Vec::new();
        for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
            let outcome = case.children().find(|n| n.is_element());
            let (kind, message) = match outcome {
                Some(n) if n.has_tag_name("failure") => ("failure", n.attribute("message")),
                Some(n) if n.has_tag_name("error") => ("error", n.attribute("message")),
                Some(n) if n.has_tag_name("system-out") => ("passed", n.text()),
                _ => ("passed", None),
            };
            failures += usize::from(kind == "failure");
            cases.push((
                case.attribute("name").unwrap_or_default().to_string(),
                case.attribute("classname").unwrap_or_default().to_string(),
                kind,
                message.unwrap_or_default().to_string(),
            ));
        }
        assert_eq!(
            suite.attribute("tests"),
            Some(cases.len().to_string().as_str())
        );
        total += cases.len();
        suites.push((
            suite.attribute("name").unwrap_or_default().to_string(),
            cases,
        ));
    }
    assert_eq!(root.attribute("tests"), Some(total.to_string().as_str()));
    assert_eq!(
        root.attribute("failures"),
        Some(failures.to_string().as_str())
    );
    suites
}

#[test]
fn junit_has_a_suite_per_domain_and_a_case_per_finding() {
    let mut zones = Vec::new();
    for case in ["spf-plus-all", "dmarc-none"] {
        zones.push("--zone".to_string());
        zones.push(
            fixtures()
                .join(format!("domain/{case}.zone"))
                .display()
                .to_string(),
        );
    }
    let run = |format: &[&str], strict: bool| {
        let mut args = vec!["domain", "spf-plus-all.example", "dmarc-none.example"];
        args.extend_from_slice(format);
        if strict {
            args.push("--strict");
        }
        args.extend(zones.iter().map(String::as_str));
        mailcheck(&args)
    };
    let json = run(&["--json"], false);
    let out = run(&["--format", "junit"], false);
    assert_eq!(out.code, json.code);
    let suites = junit(&out.stdout);
    let reports = json.json_lines();
    assert_eq!(suites.len(), reports.len());
    for ((name, cases), report) in suites.iter().zip(&reports) {
        assert_eq!(name, report["domain"].as_str().unwrap());
        let checks = report["checks"].as_array().unwrap();
        assert_eq!(cases.len(), checks.len(), "{name}");
        for ((case, classname, kind, message), check) in cases.iter().zip(checks) {
            assert_eq!(case, check["name"].as_str().unwrap());
            assert_eq!(classname, name);
            let expected = match check["status"].as_str().unwrap() {
                "fail" => "failure",
                "error" => "error",
                _ => "passed",
            };
            assert_eq!(*kind, expected, "{name} {case}");
            if *kind != "passed" {
                assert_eq!(message, check["message"].as_str().unwrap());
            }
            if check["status"] == "warn" {
                assert!(message.starts_with("warn: "), "{message}");
            }
        }
    }
    // --strict: warnings fail the run, and are failures in the document.
    let strict = run(&["--format", "junit"], true);
    assert_eq!(strict.code, run(&["--json"], true).code);
    let warned = suites
        .iter()
        .flat_map(|(_, cases)| cases)
        .filter(|c| c.3.starts_with("warn: "))
        .count();
    assert!(warned > 0);
    let failures = |s: &Suites| {
        s.iter()
            .flat_map(|(_, c)| c)
            .filter(|c| c.2 == "failure")
            .count()
    };
    assert_eq!(failures(&junit(&strict.stdout)), failures(&suites) + warned);
}

#[test]
fn junit_of_verify_has_a_suite_per_message() {
    let out = mailcheck(&[
        "verify",
        "fixtures/verify/body-modified.eml",
        "--ip",
        "192.0.2.250",
        "--zone",
        "fixtures/verify/body-modified.zone",
        "--format",
        "junit",
    ]);
    assert_eq!(out.code, 1);
    let suites = junit(&out.stdout);
    assert_eq!(suites.len(), 1);
    let (name, cases) = &suites[0];
    assert_eq!(name, "fixtures/verify/body-modified.eml");
    let names: Vec<&str> = cases.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["spf.result", "dkim.signature", "dmarc.result"]);
    assert!(cases.iter().all(|c| c.2 == "failure"), "{cases:?}");
}

#[test]
fn json_and_format_json_print_the_same() {
    for args in [
        vec!["domain", "spf-plus-all.example"],
        vec!["spf", "spf-plus-all.example", "--ip", "192.0.2.1"],
        vec!["dmarc", "spf-plus-all.example"],
    ] {
        let mut short = args.clone();
        short.push("--json");
        let mut long = args.clone();
        long.extend(["--format", "json"]);
        let mut both = args.clone();
        both.extend(["--json", "--format", "json"]);
        let a = with_zone("spf-plus-all", &short);
        let b = with_zone("spf-plus-all", &long);
        let c = with_zone("spf-plus-all", &both);
        assert!(!a.stdout.is_empty());
        assert_eq!(a.stdout, b.stdout, "{args:?}");
        assert_eq!(a.stdout, c.stdout, "{args:?}");
        assert_eq!((a.code, b.code), (c.code, c.code));
        // And every other format exits the same way.
        for format in ["text", "sarif", "junit"] {
            let mut other = args.clone();
            other.extend(["--format", format]);
            assert_eq!(
                with_zone("spf-plus-all", &other).code,
                a.code,
                "{args:?} {format}"
            );
        }
    }
}

#[test]
fn refused_combinations_exit_2() {
    let refused = |args: &[&str], needle: &str| {
        let out = mailcheck(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert_eq!(out.stderr.lines().count(), 1, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(needle), "{args:?}: {}", out.stderr);
    };
    let zone = "fixtures/domain/spf-plus-all.zone";
    refused(
        &[
            "domain",
            "spf-plus-all.example",
            "--zone",
            zone,
            "--json",
            "--format",
            "sarif",
        ],
        "--json and --format sarif disagree",
    );
    refused(
        &[
            "domain",
            "spf-plus-all.example",
            "--zone",
            zone,
            "--format",
            "text",
            "--json",
        ],
        "--json and --format text disagree",
    );
    refused(
        &["domain", "spf-plus-all.example", "--format", "xml"],
        "xml",
    );
    refused(
        &["completions", "bash", "--format", "sarif"],
        "--format sarif",
    );
    refused(
        &["serve", "--listen", "127.0.0.1:0", "--format", "junit"],
        "--format junit",
    );
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    refused(
        &[
            "dkim",
            "keygen",
            "--domain",
            "example.com",
            "--selector",
            "s1",
            "--out",
            key.to_str().unwrap(),
            "--format",
            "sarif",
        ],
        "--format sarif",
    );
    assert!(!key.exists(), "a refused keygen writes no key");
    // Text and JSON still work for them.
    assert_eq!(
        mailcheck(&["completions", "bash", "--format", "text"]).code,
        0
    );
}

#[test]
fn a_batch_with_a_bad_line_still_writes_its_document() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("domains.txt");
    std::fs::write(&list, "spf-plus-all.example\nnot a domain at all\n").unwrap();
    let out = with_zone(
        "spf-plus-all",
        &[
            "domain",
            "--from-file",
            list.to_str().unwrap(),
            "--format",
            "sarif",
        ],
    );
    assert_eq!(out.code, 2);
    let log = sarif(&out);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("domains.txt:2:"),
        "{notes:?}"
    );
    assert!(!with_rule(&log, "spf.all").is_empty());
    let out = with_zone(
        "spf-plus-all",
        &[
            "domain",
            "--from-file",
            list.to_str().unwrap(),
            "--format",
            "junit",
        ],
    );
    assert_eq!(out.code, 2);
    let suites = junit(&out.stdout);
    let (name, cases) = suites.last().unwrap();
    assert_eq!(name, "input");
    assert_eq!(cases[0].2, "error");
}

#[test]
fn junit_of_an_unsigned_message_that_passes_has_no_failure() {
    let run = |format: &str| {
        mailcheck(&[
            "verify",
            "fixtures/verify/spf-only.eml",
            "--ip",
            "203.0.113.5",
            "--zone",
            "fixtures/verify/spf-only.zone",
            "--format",
            format,
        ])
    };
    let out = run("junit");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let suites = junit(&out.stdout);
    let cases = &suites[0].1;
    let kinds: Vec<(&str, &str)> = cases.iter().map(|c| (c.0.as_str(), c.2)).collect();
    assert_eq!(
        kinds,
        [
            ("spf.result", "passed"),
            ("dkim.signature", "passed"),
            ("dmarc.result", "passed")
        ]
    );
    assert_eq!(cases[1].3, "the message has no DKIM-Signature");
    // Nothing that passes or only informs is a SARIF result.
    let out = run("sarif");
    assert_eq!(out.code, 0);
    assert!(results(&sarif(&out)).is_empty(), "{}", out.stdout);
}

#[test]
fn an_inconclusive_smtp_probe_is_open_in_sarif_and_an_error_in_junit() {
    // Nothing listens on port 1 of the loopback; DNS comes from a zone file,
    // so nothing leaves the machine.
    let run = |format: &str| {
        mailcheck(&[
            "smtp",
            "127.0.0.1:1",
            "--timeout",
            "2",
            "--zone",
            "fixtures/domain/spf-plus-all.zone",
            "--format",
            format,
        ])
    };
    let json = run("json");
    assert_eq!(json.code, 3, "{}", json.stderr);
    let out = run("sarif");
    assert_eq!(out.code, 3);
    let log = sarif(&out);
    let connect = &with_rule(&log, "smtp.connect")[0];
    assert_eq!(connect["kind"], "open");
    assert_eq!(connect["level"], "none");
    assert_eq!(connect["properties"]["status"], "error");
    assert_eq!(
        connect["locations"][0]["logicalLocations"][0]["name"],
        "127.0.0.1"
    );
    let out = run("junit");
    assert_eq!(out.code, 3);
    let suites = junit(&out.stdout);
    let case = suites[0].1.iter().find(|c| c.0 == "smtp.connect").unwrap();
    assert_eq!(case.2, "error");
}
