//! Batch forms: `--from-file FILE|-` for domain, verify and spf.

use crate::support::{Mode, dns_args, mailcheck};
use std::io::Write;

fn with_zones(mut args: Vec<String>) -> Vec<String> {
    args.extend(dns_args(Mode::Server, ""));
    args
}

fn run(args: Vec<String>) -> crate::support::Out {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    mailcheck(&refs)
}

#[test]
fn domain_from_file_streams_in_order_and_reports_bad_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("domains.txt");
    std::fs::write(
        &list,
        "# fixtures\nexample.com\n\ntwo-spf.example\nnot a domain\nnull-mx.example\n",
    )
    .expect("write");
    let out = run(with_zones(vec![
        "domain".into(),
        "--from-file".into(),
        list.display().to_string(),
        "--json".into(),
        "--concurrency".into(),
        "2".into(),
    ]));
    let names: Vec<String> = out
        .json_lines()
        .iter()
        .map(|l| l["domain"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(names, ["example.com", "two-spf.example", "null-mx.example"]);
    assert_eq!(out.code, 2, "a malformed line makes the run exit 2");
    assert_eq!(
        out.stderr.trim(),
        format!(
            "mailcheck: {}:5: expected one domain, found 3 fields",
            list.display()
        )
    );
}

#[test]
fn domain_from_stdin() {
    let mut args = vec![
        "domain".to_string(),
        "--from-file".into(),
        "-".into(),
        "--json".into(),
    ];
    args.extend(dns_args(Mode::Server, ""));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mailcheck"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"null-mx.example\nexample.com\n")
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    let names: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["domain"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(names, ["null-mx.example", "example.com"]);
}

#[test]
fn verify_from_file_takes_ip_helo_and_mail_from_per_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("messages.txt");
    std::fs::write(
        &list,
        "fixtures/verify/spf-only.eml 203.0.113.5\n\
         fixtures/verify/spf-only.eml 192.0.2.250\n\
         fixtures/verify/spf-only.eml\n\
         fixtures/verify/rsa-pass.eml 192.0.2.250 mail.example bounce@rsa-pass.verify.example\n\
         fixtures/verify/rsa-pass.eml not-an-ip\n",
    )
    .expect("write");
    let out = run(with_zones(vec![
        "verify".into(),
        "--from-file".into(),
        list.display().to_string(),
        "--ip".into(),
        "203.0.113.5".into(),
        "--json".into(),
    ]));
    let lines = out.json_lines();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert_eq!(lines[0]["dmarc"]["result"], "pass");
    assert_eq!(
        lines[1]["dmarc"]["result"], "fail",
        "the line's IP wins over --ip"
    );
    assert_eq!(
        lines[2]["dmarc"]["result"], "pass",
        "no IP on the line: --ip"
    );
    assert_eq!(lines[3]["spf"]["result"], "fail");
    assert_eq!(lines[3]["dmarc"]["result"], "pass", "DKIM carries it");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(":5: 'not-an-ip' is not an IP address"),
        "{}",
        out.stderr
    );
}

#[test]
fn spf_from_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("spf.txt");
    std::fs::write(&list, "example.com 198.51.100.7\nbounce@example.com 203.0.113.9\n@example.com 198.51.100.8 mail.example.com\n").expect("write");
    let out = run(with_zones(vec![
        "spf".into(),
        "--from-file".into(),
        list.display().to_string(),
        "--json".into(),
    ]));
    let results: Vec<String> = out
        .json_lines()
        .iter()
        .map(|l| l["result"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(results, ["pass", "fail", "pass"]);
    assert_eq!(out.code, 1, "one check failed");
}

#[test]
fn deadline_bounds_a_run_against_a_server_that_never_answers() {
    let hole = crate::support::dns_server::BlackHole::start();
    let started = std::time::Instant::now();
    let out = mailcheck(&[
        "domain",
        "example.com",
        "--json",
        "--resolver",
        &hole.addr.to_string(),
        "--timeout",
        "30",
        "--deadline",
        "1.5",
    ]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.code, 3);
    let v = out.json();
    assert_eq!(v["status"], "error");
    assert_eq!(v["checks"][0]["name"], "run.deadline");
}
