//! `mailcheck check`: the expectations of a mailcheck.toml (fixtures/check/)
//! over the fixture domains, through `--zone` and through the local DNS
//! server; config errors with their line; allows; the default config path;
//! and the CI files of docs/ci/ run as written.

use crate::support::{
    MODES, Mode, Out, mailcheck, messages, server, shared_zone_files, statuses, zone_files_in,
};
use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// Every fixture zone as `--zone` arguments (absolute paths).
fn zone_args() -> Vec<String> {
    let mut files = zone_files_in("domain");
    files.extend(shared_zone_files());
    files
        .iter()
        .flat_map(|f| ["--zone".to_string(), f.display().to_string()])
        .collect()
}

/// The DNS arguments of a mode, for every fixture domain at once.
fn dns(mode: Mode) -> Vec<String> {
    match mode {
        Mode::Zone => zone_args(),
        Mode::Server => vec!["--resolver".into(), server().addr.to_string()],
    }
}

/// `mailcheck check -c fixtures/check/CASE.toml EXTRA... DNS...`.
fn check(mode: Mode, case: &str, extra: &[&str]) -> Out {
    let config = format!("fixtures/check/{case}.toml");
    let mut args = vec!["check", "--config", config.as_str()];
    args.extend_from_slice(extra);
    let dns = dns(mode);
    args.extend(dns.iter().map(String::as_str));
    mailcheck(&args)
}

/// The report of one domain among JSON lines.
fn report<'a>(lines: &'a [Value], domain: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["domain"] == domain)
        .unwrap_or_else(|| panic!("no report for {domain}"))
}

/// Assert the statuses of a finding name, in order, and that the message
/// of each contains its words.
fn expect(report: &Value, name: &str, want: &[(&str, &str)]) {
    let got = statuses(report, name);
    let said = messages(report, name);
    assert_eq!(
        got,
        want.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        "{name}: {said:#?}"
    );
    for ((_, words), message) in want.iter().zip(&said) {
        assert!(
            message.contains(words),
            "{name}: {message:?} lacks {words:?}"
        );
    }
}

#[test]
fn a_config_whose_expectations_hold_passes() {
    for mode in MODES {
        let out = check(mode, "pass", &["--json"]);
        assert_eq!(out.code, 0, "{mode:?}: {}{}", out.stdout, out.stderr);
        let lines = out.json_lines();
        let domains: Vec<&str> = lines.iter().filter_map(|l| l["domain"].as_str()).collect();
        assert_eq!(
            domains,
            ["example.com", "sub.inherit.example", "null-mx.example"],
            "file order"
        );
        let ex = report(&lines, "example.com");
        assert_eq!(ex["status"], "pass");
        expect(
            ex,
            "expect.sender",
            &[
                ("pass", "192.0.2.10 may send for example.com: SPF pass (mx"),
                ("pass", "all 16 addresses of 198.51.100.0/28 may send"),
                ("pass", "all 256 addresses of 2001:db8:100::/120 may send"),
                ("pass", "includes _spf.provider.example"),
            ],
        );
        expect(
            ex,
            "expect.not-sender",
            &[
                (
                    "pass",
                    "203.0.113.9 is not authorized for example.com: SPF fail",
                ),
                ("pass", "does not include amazonses.com"),
            ],
        );
        expect(ex, "expect.dmarc-policy", &[("pass", "reject (p=reject)")]);
        expect(
            ex,
            "expect.selector",
            &[("pass", "selector s1"), ("pass", "selector ed1")],
        );
        expect(
            ex,
            "expect.key-bits",
            &[("pass", "2048 bits, at least 2048"), ("pass", "Ed25519")],
        );
        expect(
            ex,
            "expect.mx",
            &[("pass", "mx1.example.com, mx2.example.com")],
        );
        expect(
            report(&lines, "null-mx.example"),
            "expect.mx",
            &[("pass", "null-mx.example has no MX hosts, as expected")],
        );
        let sub = report(&lines, "sub.inherit.example");
        expect(
            sub,
            "expect.dmarc-policy",
            &[(
                "pass",
                "quarantine (sp=quarantine of _dmarc.inherit.example)",
            )],
        );
    }
}

#[test]
fn the_domain_checks_are_those_of_mailcheck_domain() {
    let dns = zone_args();
    let mut args = vec!["domain", "example.com", "-s", "s1", "-s", "ed1", "--json"];
    args.extend(dns.iter().map(String::as_str));
    let domain = mailcheck(&args).json();
    let out = check(Mode::Zone, "pass", &["--json"]);
    let lines = out.json_lines();
    let checked = report(&lines, "example.com");
    let own: Vec<&Value> = checked["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["name"].as_str().unwrap_or("").starts_with("expect."))
        .collect();
    let domain_checks: Vec<&Value> = domain["checks"].as_array().unwrap().iter().collect();
    assert_eq!(own, domain_checks);
}

#[test]
fn unmet_expectations_fail() {
    for mode in MODES {
        let out = check(mode, "fail", &["--json"]);
        assert_eq!(out.code, 1, "{mode:?}: {}{}", out.stdout, out.stderr);
        let lines = out.json_lines();
        let ex = report(&lines, "example.com");
        assert_eq!(ex["status"], "fail");
        expect(
            ex,
            "expect.sender",
            &[
                (
                    "fail",
                    "192.0.2.12 must get SPF pass for example.com, but it gets fail (-all",
                ),
                ("fail", "does not include amazonses.com"),
            ],
        );
        expect(
            ex,
            "expect.not-sender",
            &[
                (
                    "fail",
                    "198.51.100.7 must not get SPF pass for example.com, but it gets pass",
                ),
                ("fail", "includes _spf.provider.example"),
            ],
        );
        expect(
            ex,
            "expect.selector",
            &[
                ("pass", "selector s1"),
                ("fail", "no DKIM key at gone._domainkey.example.com"),
            ],
        );
        expect(
            ex,
            "expect.mx",
            &[(
                "fail",
                "missing mx3.example.com; not in mailcheck.toml: mx2.example.com",
            )],
        );
        expect(
            report(&lines, "dmarc-testing.example"),
            "expect.dmarc-policy",
            &[(
                "fail",
                "quarantine (p=reject, applied as quarantine because of t=y)",
            )],
        );
        expect(
            report(&lines, "dkim-1024.example"),
            "expect.key-bits",
            &[("fail", "1024 bits, below min_key_bits = 2048")],
        );
        expect(
            report(&lines, "spf-missing-include.example"),
            "expect.sender",
            &[("fail", "_spf.nowhere.example publishes no SPF record")],
        );
        // A failed expectation carries a fix.
        let fail = ex["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "expect.sender")
            .unwrap();
        assert!(
            fail["fix"]
                .as_str()
                .unwrap_or("")
                .contains("ip4:192.0.2.12")
        );
    }
}

#[test]
fn the_text_report_has_an_expectations_section() {
    let out = check(Mode::Zone, "fail", &["--color", "never"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("example.com: fail\n"), "{}", out.stdout);
    assert!(out.stdout.contains("  EXPECTATIONS\n"));
    assert!(out.stdout.contains(
        "    fail  192.0.2.12 must get SPF pass for example.com, but it gets fail (-all in the record of example.com)  [expect.sender]\n"
    ));
    assert!(
        out.stdout
            .contains("4 checked: 0 pass, 0 warn, 4 fail, 0 error")
    );
}

#[test]
fn an_allowed_failure_is_shown_and_does_not_fail_the_run() {
    for mode in MODES {
        let out = check(mode, "allow", &["--json"]);
        assert_eq!(out.code, 0, "{mode:?}: {}{}", out.stdout, out.stderr);
        let r = out.json();
        // The stale allow warns; the allowed failure does not count.
        assert_eq!(r["status"], "warn");
        let record = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "dmarc.record")
            .unwrap();
        assert_eq!(record["status"], "fail");
        assert_eq!(record["allowed"], true);
        assert_eq!(record["allow_reason"], "DMARC is published next quarter");
        // Findings that are not allowed have no such keys.
        let spf = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "spf.record")
            .unwrap();
        assert!(spf.get("allowed").is_none() && spf.get("allow_reason").is_none());
        expect(
            &r,
            "expect.allow",
            &[(
                "warn",
                "the allow for ptr.mx (fixtures/check/allow.toml:11) accepts nothing",
            )],
        );
    }
    // --strict counts the stale allow's warning, never the allowed failure.
    assert_eq!(check(Mode::Zone, "allow", &["--strict"]).code, 1);
    let text = check(Mode::Zone, "allow", &["--color", "never"]);
    assert_eq!(text.code, 0);
    assert!(
        text.stdout.starts_with("no-dmarc.example: warn\n"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("[dmarc.record] (allowed: DMARC is published next quarter)\n"),
        "{}",
        text.stdout
    );
}

#[test]
fn config_errors_name_the_file_and_line() {
    for (case, line, words) in [
        ("bad-syntax", 4, ""),
        ("bad-unknown-key", 4, "unknown field `selector`"),
        ("bad-cidr", 6, "'198.51.100.0/33' is not a CIDR block"),
        ("bad-missing-reason", 5, "missing field `reason`"),
    ] {
        let out = check(Mode::Zone, case, &[]);
        assert_eq!(out.code, 2, "{case}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{case}");
        assert_eq!(
            out.stderr.lines().count(),
            1,
            "{case}: one line: {}",
            out.stderr
        );
        let start = format!("mailcheck: fixtures/check/{case}.toml:{line}: {words}");
        assert!(out.stderr.starts_with(&start), "{case}: {}", out.stderr);
    }
}

#[test]
fn a_missing_config_is_exit_2_naming_the_file() {
    let out = mailcheck(&["check", "--config", "fixtures/check/none.toml"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("mailcheck: fixtures/check/none.toml: cannot read:"),
        "{}",
        out.stderr
    );
}

/// Run the binary in `dir`.
fn mailcheck_in(dir: &Path, args: &[String]) -> Out {
    let output = Command::new(env!("CARGO_BIN_EXE_mailcheck"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run the mailcheck binary");
    Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn the_default_config_is_mailcheck_toml_in_the_current_directory() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut args = vec!["check".to_string(), "--json".into()];
    args.extend(zone_args());
    let missing = mailcheck_in(dir.path(), &args);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .starts_with("mailcheck: mailcheck.toml: cannot read:"),
        "{}",
        missing.stderr
    );
    std::fs::copy(
        fixture("check/fail.toml"),
        dir.path().join("mailcheck.toml"),
    )
    .expect("copy");
    let out = mailcheck_in(dir.path(), &args);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.json_lines().len(), 4);
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

// The CI files of docs/ci/ are run as written: their mailcheck command lines
// are taken from the YAML and run by `sh` in a directory holding a fixture
// mailcheck.toml, with `mailcheck` on PATH being the built binary with the
// fixture zones appended (`--zone` is a global option), so no network is
// used and the lines themselves are unchanged. They use `--format sarif`
// and `--format junit`.

/// The shell lines of a CI file that run mailcheck itself (not its install).
fn mailcheck_lines(scripts: &[String]) -> Vec<String> {
    scripts
        .iter()
        .flat_map(|s| s.lines())
        .map(str::trim)
        .filter(|l| l.starts_with("mailcheck "))
        .map(str::to_string)
        .collect()
}

/// The `run:` of every step of every job of a GitHub Actions workflow.
fn github_runs(workflow: &Value) -> Vec<String> {
    workflow["jobs"]
        .as_object()
        .expect("jobs")
        .values()
        .flat_map(|job| job["steps"].as_array().cloned().unwrap_or_default())
        .filter_map(|step| step["run"].as_str().map(str::to_string))
        .collect()
}

/// The `script:` lines of every job of a GitLab CI file.
fn gitlab_scripts(file: &Value) -> Vec<String> {
    file.as_object()
        .expect("jobs")
        .values()
        .flat_map(|job| job["script"].as_array().cloned().unwrap_or_default())
        .filter_map(|line| line.as_str().map(str::to_string))
        .collect()
}

fn read_yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Run one CI line with `sh` in a fresh directory holding the fixture
/// `config` as mailcheck.toml; the directory is returned for its files.
fn run_ci_line(line: &str, config: &str) -> (Out, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::copy(fixture(config), dir.path().join("mailcheck.toml")).expect("copy");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let wrapper = bin.join("mailcheck");
    let quoted: Vec<String> = zone_args().iter().map(|a| format!("'{a}'")).collect();
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\" {}\n",
            env!("CARGO_BIN_EXE_mailcheck"),
            quoted.join(" ")
        ),
    )
    .expect("wrapper");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("sh")
        .args(["-c", line])
        .current_dir(dir.path())
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .expect("run sh");
    let out = Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    if out.stderr.contains("--format") {
        panic!(
            "`{line}` needs `--format sarif|junit`, which this build lacks: {}",
            out.stderr
        );
    }
    (out, dir)
}

/// The file a shell line redirects its output to (`... > FILE`).
fn redirect_target(line: &str) -> String {
    line.rsplit_once('>')
        .map(|(_, f)| f.trim().to_string())
        .unwrap_or_else(|| panic!("`{line}` writes no file"))
}

#[test]
fn the_github_actions_workflow_runs_and_uploads_what_it_wrote() {
    let workflow = read_yaml("docs/ci/github-actions.yml");
    let lines = mailcheck_lines(&github_runs(&workflow));
    assert_eq!(lines.len(), 1, "one mailcheck run: {lines:?}");
    let line = &lines[0];
    assert!(line.starts_with("mailcheck check "), "{line}");
    let sarif = redirect_target(line);
    // The upload step uploads that file, whatever the check's outcome.
    let steps = workflow["jobs"]["mailcheck"]["steps"].as_array().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert_eq!(upload["with"]["sarif_file"].as_str(), Some(sarif.as_str()));
    assert_eq!(upload["if"], "always()");

    // Expectations met: exit 0, a SARIF log without results (alerts).
    let (out, dir) = run_ci_line(line, "check/pass.toml");
    assert_eq!(out.code, 0, "{line}: {}", out.stderr);
    let log = sarif_log(&dir.path().join(&sarif));
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(0));

    // Unmet: the step fails (exit 1), still writing the log, with an alert
    // per failed expectation.
    let (out, dir) = run_ci_line(line, "check/fail.toml");
    assert_eq!(out.code, 1, "{line}: {}", out.stderr);
    let log = sarif_log(&dir.path().join(&sarif));
    let results = log["runs"][0]["results"].as_array().expect("results");
    let sender = results
        .iter()
        .find(|r| {
            r["ruleId"] == "expect.sender"
                && r["message"]["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("192.0.2.12 must get SPF pass"))
        })
        .unwrap_or_else(|| panic!("no expect.sender alert: {results:#?}"));
    assert_eq!(sender["level"], "error");
    // An unmet expectation is placed at the line of mailcheck.toml that
    // states it (`senders = [...]` is line 7 of fail.toml); with --zone,
    // every other alert at a line of a zone file.
    let sender_place = &sender["locations"][0]["physicalLocation"];
    assert_eq!(sender_place["artifactLocation"]["uri"], "mailcheck.toml");
    assert_eq!(sender_place["region"]["startLine"], 7);
    for r in results {
        let place = &r["locations"][0]["physicalLocation"];
        let uri = place["artifactLocation"]["uri"].as_str().unwrap_or("");
        let expectation = r["ruleId"].as_str().unwrap_or("").starts_with("expect.");
        assert!(
            if expectation {
                uri == "mailcheck.toml"
            } else {
                uri.ends_with(".zone")
            },
            "{r:#}"
        );
        assert!(place["region"]["startLine"].as_u64() >= Some(1), "{r:#}");
    }
}

/// A SARIF 2.1.0 log written by a CI line, valid against the vendored
/// OASIS schema (tests/schemas).
fn sarif_log(path: &Path) -> Value {
    let written = std::fs::read_to_string(path).expect("the SARIF file");
    let log: Value = serde_json::from_str(&written).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0", "{written}");
    let schema_file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_file).expect("read the SARIF schema"))
            .expect("the SARIF schema is JSON");
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}\n{written}");
    log
}

#[test]
fn the_gitlab_job_runs_and_reports_what_it_wrote() {
    let file = read_yaml("docs/ci/gitlab-ci.yml");
    let lines = mailcheck_lines(&gitlab_scripts(&file));
    assert_eq!(lines.len(), 1, "one mailcheck run: {lines:?}");
    let line = &lines[0];
    let junit = redirect_target(line);
    assert_eq!(
        file["mailcheck"]["artifacts"]["reports"]["junit"].as_str(),
        Some(junit.as_str())
    );
    assert_eq!(file["mailcheck"]["artifacts"]["when"], "always");

    let (out, dir) = run_ci_line(line, "check/fail.toml");
    assert_eq!(out.code, 1, "{line}: {}", out.stderr);
    let written = std::fs::read_to_string(dir.path().join(&junit)).expect("the JUnit file");
    assert!(written.contains("<testsuite"), "{written}");
    assert!(written.contains("expect.key-bits"), "{written}");
}

#[test]
fn an_expectation_whose_lookups_fail_is_inconclusive() {
    use crate::support::faulty_dns::{Fault, FaultyDns};
    let mut zones = vec![fixture("domain/example.com.zone")];
    zones.extend(shared_zone_files());
    let server = FaultyDns::start(
        &zones,
        &[
            ("_dmarc.example.com", Fault::ServFail),
            ("s1._domainkey.example.com", Fault::ServFail),
        ],
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = dir.path().join("mailcheck.toml");
    std::fs::write(
        &config,
        "[[domain]]\nname = \"example.com\"\nselectors = [\"s1\"]\ndmarc_policy = \"reject\"\n\
         [[domain.allow]]\nfinding = \"dkim.selector\"\nreason = \"rotating\"\n",
    )
    .expect("write");
    let addr = server.addr.to_string();
    let config = config.display().to_string();
    let out = mailcheck(&[
        "check",
        "--config",
        &config,
        "--json",
        "--resolver",
        &addr,
        "--timeout",
        "1",
    ]);
    assert_eq!(out.code, 3, "{}{}", out.stdout, out.stderr);
    let r = out.json();
    assert_eq!(r["status"], "error");
    expect(&r, "expect.dmarc-policy", &[("error", "could not look up")]);
    expect(&r, "expect.selector", &[("error", "could not look up")]);
    // The allow's finding could not be checked: neither accepted nor stale.
    assert!(statuses(&r, "expect.allow").is_empty());
    assert!(r.to_string().find("\"allowed\"").is_none());
}

#[test]
fn senders_through_qualifiers_redirects_and_large_blocks() {
    let out = mailcheck(&[
        "check",
        "--config",
        "fixtures/check/senders.toml",
        "--json",
        "--zone",
        "fixtures/check/senders.example.zone",
        "--zone",
        "fixtures/shared/provider.zone",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let r = out.json();
    expect(
        &r,
        "expect.sender",
        &[
            ("pass", "all 64 addresses of 192.0.2.64/26 may send"),
            ("pass", "all 128 addresses of 203.0.113.128/25 may send"),
            (
                "pass",
                "senders.example \u{2192} _spf.senders.example \u{2192} _spf2.senders.example",
            ),
            ("fail", "only through an include whose qualifier is not +"),
            (
                "fail",
                "192.0.2.0/24 must get SPF pass for senders.example, but 192 of the 256 addresses tested do not: \
                 192.0.2.0, 192.0.2.1, 192.0.2.2 and 189 more get fail (-all in the record of _spf.senders.example)",
            ),
        ],
    );
    expect(
        &r,
        "expect.not-sender",
        &[
            (
                "pass",
                "the first and last addresses of 198.51.0.0/16 are not authorized",
            ),
            (
                "pass",
                "198.51.100.7 is not authorized for senders.example: SPF softfail",
            ),
            ("fail", "redirects to _spf.senders.example"),
        ],
    );
}

#[test]
fn allowed_findings_are_not_alerts_or_failures_in_ci_reports() {
    // An allowed finding does not fail the run, so the CI reports must not
    // show it as a problem either: SARIF marks it suppressed with the reason
    // (SARIF 2.1.0 3.35), JUnit does not count it as a failure.
    let github = mailcheck_lines(&github_runs(&read_yaml("docs/ci/github-actions.yml")));
    let (out, dir) = run_ci_line(&github[0], "check/allow.toml");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let log = sarif_log(&dir.path().join(redirect_target(&github[0])));
    let results = log["runs"][0]["results"].as_array().expect("results");
    let allowed = results
        .iter()
        .find(|r| r["ruleId"] == "dmarc.record")
        .unwrap_or_else(|| panic!("the allowed finding is listed: {results:#?}"));
    assert_eq!(
        allowed["suppressions"][0]["justification"], "DMARC is published next quarter",
        "{allowed:#}"
    );

    let gitlab = mailcheck_lines(&gitlab_scripts(&read_yaml("docs/ci/gitlab-ci.yml")));
    let (out, dir) = run_ci_line(&gitlab[0], "check/allow.toml");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let xml = std::fs::read_to_string(dir.path().join(redirect_target(&gitlab[0])))
        .expect("the JUnit file");
    let case = xml
        .split("<testcase ")
        .find(|c| c.starts_with("name=\"dmarc.record\""))
        .unwrap_or_else(|| panic!("a test case for the allowed finding: {xml}"));
    let case = case.split("</testcase>").next().unwrap_or(case);
    assert!(!case.contains("<failure"), "{case}");
}
