//! JSON output: one object per checked item, one per line (JSON Lines).
//!
//! `mailcheck domain`:
//!
//! ```text
//! {"domain": "example.com",
//!  "status": "pass" | "warn" | "fail" | "error",
//!  "checks": [{"name": "spf.lookups", "status": "pass|warn|fail|error|info",
//!              "message": "...", "fix": "..." | null, "records": ["..."]}]}
//! ```
//!
//! `status` is the worst of the checks (fail > error > warn > pass; info
//! never counts). Check names are stable dotted identifiers whose first
//! segment is the area (`mx`, `ptr`, `spf`, `dkim`, `dmarc`).

use crate::report::{DomainReport, Finding, Status};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct DomainJson<'a> {
    domain: &'a str,
    status: Status,
    checks: Vec<CheckJson<'a>>,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    name: &'a str,
    status: Status,
    message: &'a str,
    fix: Option<&'a str>,
    records: &'a [String],
}

impl<'a> From<&'a Finding> for CheckJson<'a> {
    fn from(f: &'a Finding) -> Self {
        CheckJson {
            name: &f.name,
            status: f.status,
            message: &f.message,
            fix: f.fix.as_deref(),
            records: &f.records,
        }
    }
}

/// Write one domain report as a single JSON line.
pub fn domain(out: &mut dyn Write, report: &DomainReport) -> io::Result<()> {
    let value = DomainJson {
        domain: &report.domain,
        status: report.status(),
        checks: report.findings.iter().map(CheckJson::from).collect(),
    };
    serde_json::to_writer(&mut *out, &value)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_report_with_contract_keys() {
        let report = DomainReport {
            domain: "example.com".into(),
            findings: vec![
                Finding::new("spf.all", Status::Warn, "ends in ?all").fix("use -all"),
                Finding::new("mx.null", Status::Info, "null MX"),
            ],
        };
        let mut buf = Vec::new();
        domain(&mut buf, &report).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["domain"], "example.com");
        assert_eq!(v["status"], "warn");
        assert_eq!(v["checks"][0]["name"], "spf.all");
        assert_eq!(v["checks"][0]["fix"], "use -all");
        assert_eq!(v["checks"][1]["status"], "info");
    }
}
