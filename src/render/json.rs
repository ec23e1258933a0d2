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

use crate::{
    report::{DomainReport, Finding, Status},
    verify::VerifyReport,
};
use serde::Serialize;
use serde_json::{Map, Value, json};
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
    domain_with(out, report, Map::new())
}

/// A domain report with command-specific keys added (`spf`, `dkim`, `dmarc`).
pub fn domain_with(
    out: &mut dyn Write,
    report: &DomainReport,
    extra: Map<String, Value>,
) -> io::Result<()> {
    let value = DomainJson {
        domain: &report.domain,
        status: report.status(),
        checks: report.findings.iter().map(CheckJson::from).collect(),
    };
    let mut value = serde_json::to_value(&value).map_err(io::Error::other)?;
    if let Value::Object(map) = &mut value {
        for (k, v) in extra {
            map.insert(k, v);
        }
    }
    line(out, &value)
}

fn line(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Write one verified message (the contract's `verify` object).
///
/// ```text
/// {"message", "from_domain", "status": "pass|fail|error",
///  "spf": {"result", "domain", "identity", "mechanism", "mechanism_domain"},
///  "dkim": [{"result", "domain", "selector", "algorithm", "canonicalization",
///            "reason", "notes", "key_type", "key_bits", "unsigned_bytes"}],
///  ("unsigned_bytes": with l=, the canonical body bytes past the signed
///  length; null without l=)
///  "dmarc": {"result", "policy", "policy_tag", "disposition", "spf_aligned",
///            "dkim_aligned", "testing", "pct", "record_domain", "record",
///            "organizational_domain", "adkim", "aspf"},
///  "arc": null | {"result", "instances", "reason"},
///  "authentication_results"}
/// ```
pub fn verify(out: &mut dyn Write, r: &VerifyReport) -> io::Result<()> {
    let dkim: Vec<Value> = r
        .dkim
        .iter()
        .map(|d| {
            json!({
                "result": d.result,
                "domain": d.domain,
                "selector": d.selector,
                "algorithm": d.algorithm,
                "canonicalization": d.canonicalization,
                "reason": d.reason,
                "notes": d.notes,
                "key_type": d.key_type,
                "key_bits": d.key_bits,
                "unsigned_bytes": d.unsigned_bytes,
            })
        })
        .collect();
    let mut dmarc = json!({
        "result": r.dmarc.result,
        "policy": r.dmarc.policy,
        "policy_tag": r.dmarc.policy_tag,
        "disposition": r.dmarc.disposition,
        "spf_aligned": r.dmarc.spf_aligned,
        "dkim_aligned": r.dmarc.dkim_aligned,
        "testing": r.dmarc.testing,
        "record_domain": r.dmarc.record_domain,
        "record": r.dmarc.record,
        "organizational_domain": r.dmarc.organizational_domain,
        "adkim": r.dmarc.adkim,
        "aspf": r.dmarc.aspf,
    });
    if let (Some(pct), Value::Object(m)) = (r.dmarc.pct, &mut dmarc) {
        m.insert("pct".into(), json!(pct));
    }
    let value = json!({
        "message": r.message,
        "from_domain": r.from_domain,
        "status": r.status(),
        "spf": {
            "result": r.spf.result,
            "domain": r.spf.domain,
            "identity": r.spf.identity,
            "mechanism": r.spf.mechanism,
            "mechanism_domain": r.spf.mechanism_domain,
        },
        "dkim": dkim,
        "dmarc": dmarc,
        "arc": r.arc.as_ref().map(|a| json!({"result": a.result, "instances": a.instances, "reason": a.reason})),
        "authentication_results": r.authentication_results,
    });
    line(out, &value)
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
