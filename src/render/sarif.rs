//! SARIF 2.1.0 output (`--format sarif`): one log for the whole run, for code
//! scanning (GitHub, GitLab, Azure DevOps) and SARIF viewers.
//!
//! ```text
//! {"$schema": ".../sarif-schema-2.1.0.json", "version": "2.1.0",
//!  "runs": [{
//!    "tool": {"driver": {"name": "mailcheck", "version", "informationUri"?,
//!             "rules": [{"id": "spf.all", "shortDescription": {"text"},
//!                        "fullDescription": {"text"},
//!                        "help": {"text", "markdown"},
//!                        "properties": {"tags": ["spf"]}}]}},
//!    "invocations": [{"executionSuccessful": true,
//!                     "toolExecutionNotifications": [...]?}],
//!    "results": [{"ruleId": "spf.all", "ruleIndex": 0, "kind": "fail",
//!                 "level": "error", "message": {"text"},
//!                 "locations": [{"physicalLocation"?: {"artifactLocation": {"uri"},
//!                                                      "region": {"startLine"}},
//!                                "logicalLocations": [{"name", "fullyQualifiedName",
//!                                                      "kind": "resource"}]}],
//!                 "properties": {"subject", "status", "fix"?, "records"?}}]}]}
//! ```
//!
//! - One `result` per finding that is neither a pass nor info; `ruleId` is
//!   the finding name. `fail` is level `error`, `warn` is level `warning`;
//!   `error` (a check DNS kept from completing) is `kind: "open"` with
//!   level `none`: SARIF's word for "could not tell whether this is a
//!   problem" (SARIF 2.1.0 3.27.9, 3.27.10: a kind other than `fail` has level
//!   `none`). `properties.status` always carries mailcheck's own word.
//!   A finding a mailcheck.toml allow accepts keeps its level and has
//!   `"suppressions": [{"kind": "external", "status": "accepted",
//!   "justification": REASON}]` (SARIF 2.1.0 3.35): code scanning shows it
//!   as dismissed, not as an open alert.
//! - Rules come from the finding table (`crate::explain`): what the finding
//!   checks, why it matters and how to fix it. A name the table does not
//!   know yet is described by the first finding that used it (its message
//!   and fix), so every rule has a non-empty `help`.
//! - Locations: a finding with a place in a file (`--zone`: the line of the
//!   record behind it; `verify`: the header line of the message) has a
//!   `physicalLocation` with a path relative to the current directory, as
//!   code scanning needs; every result also has a `logicalLocation` naming
//!   the domain or message.
//! - Items a batch could not check (a bad line, an unreadable message) are
//!   `toolExecutionNotifications` of level `error`, and
//!   `executionSuccessful` is false: the run exits 2.
//!
//! The document is built from private `Serialize` structs, like the JSON
//! output, rather than with a SARIF object-model crate (`serde-sarif`): the
//! part of SARIF mailcheck writes is a dozen small objects, and the generated
//! model of the whole schema (builders for every one of its ~70 object types)
//! would cost more build time than it saves. What keeps the output honest is
//! the OASIS schema in `tests/schemas/`, which the integration tests validate
//! every document against.

use super::subject::{Subject, SubjectKind};
use crate::{
    explain,
    report::{Finding, Status},
};
use serde::Serialize;
use std::{
    collections::HashMap,
    io::{self, Write},
};

/// The schema a SARIF log names: the OASIS SARIF 2.1.0 schema (errata 01).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    kind: &'static str,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    /// An allowed finding (mailcheck.toml): accepted, with its reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    properties: ResultProperties<'a>,
}

/// SARIF 2.1.0 3.35: a result the project has accepted.
#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    subject: &'a str,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    records: &'a [String],
}

/// Write the SARIF log of a run: `subjects` in order, and `problems`, the
/// items that could not be checked (each a message as printed on standard
/// error).
pub fn write(out: &mut dyn Write, subjects: &[Subject], problems: &[String]) -> io::Result<()> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    let mut results = Vec::new();
    for subject in subjects {
        for (i, finding) in subject.findings.iter().enumerate() {
            if matches!(finding.status, Status::Pass | Status::Info) {
                continue;
            }
            let index = *rule_index.entry(&finding.name).or_insert_with(|| {
                rules.push(rule(finding));
                rules.len() - 1
            });
            results.push(result(subject, i, finding, index));
        }
    }
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "mailcheck",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: information_uri(),
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: problems.is_empty(),
                tool_execution_notifications: problems
                    .iter()
                    .map(|p| Notification {
                        level: "error",
                        message: Text { text: p.clone() },
                    })
                    .collect(),
            }],
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The package's home page or repository, when Cargo.toml names one.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
}

fn result<'a>(
    subject: &'a Subject,
    i: usize,
    finding: &'a Finding,
    rule_index: usize,
) -> SarifResult<'a> {
    let (kind, level) = match finding.status {
        Status::Fail => ("fail", "error"),
        Status::Warn => ("fail", "warning"),
        // Inconclusive: a temporary DNS failure kept the check from completing.
        _ => ("open", "none"),
    };
    let text = match &finding.fix {
        Some(fix) => format!("{} (fix: {fix})", finding.message),
        None => finding.message.clone(),
    };
    let physical_location = subject.spot(i).map(|spot| PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri_path(&spot.path),
        },
        region: spot.line.map(|start_line| Region { start_line }),
    });
    let suppressions = finding
        .allowed
        .as_deref()
        .map(|reason| Suppression {
            kind: "external",
            status: "accepted",
            justification: reason,
        })
        .into_iter()
        .collect();
    SarifResult {
        suppressions,
        rule_id: &finding.name,
        rule_index,
        kind,
        level,
        message: Text { text },
        locations: [Location {
            physical_location,
            logical_locations: [LogicalLocation {
                name: &subject.name,
                fully_qualified_name: &subject.name,
                kind: match subject.kind {
                    SubjectKind::Domain | SubjectKind::Message => "resource",
                },
            }],
        }],
        properties: ResultProperties {
            subject: &subject.name,
            status: finding.status,
            fix: finding.fix.as_deref(),
            records: &finding.records,
        },
    }
}

/// The rule of a finding name: from the finding table, or from `first`, the
/// first finding that used the name, when the table has no entry for it.
fn rule(first: &Finding) -> Rule {
    let name = first.name.as_str();
    let tags = vec![name.split('.').next().unwrap_or(name).to_string()];
    let Some(entry) = explain::lookup(name) else {
        let fix = first.fix.as_deref().unwrap_or(&first.message);
        return Rule {
            id: name.to_string(),
            short_description: Text {
                text: first.message.clone(),
            },
            full_description: Text {
                text: first.message.clone(),
            },
            help: Help {
                text: fix.to_string(),
                markdown: fix.to_string(),
            },
            properties: RuleProperties { tags },
        };
    };
    Rule {
        id: name.to_string(),
        short_description: Text {
            text: entry.checks.to_string(),
        },
        full_description: Text {
            text: entry.why.to_string(),
        },
        help: Help {
            text: help_text(entry),
            markdown: help_markdown(entry),
        },
        properties: RuleProperties { tags },
    }
}

/// A rule's help as plain text: the fix, the example and the RFCs.
pub fn help_text(entry: &explain::Entry) -> String {
    let mut text = entry.fix.to_string();
    if !entry.example.is_empty() {
        text.push_str(&format!("\n\nExample: {}", entry.example));
    }
    if !entry.rfc.is_empty() {
        text.push_str(&format!("\n\nSee {}.", entry.rfc));
    }
    text
}

/// A rule's help as Markdown: the same, the example as code.
fn help_markdown(entry: &explain::Entry) -> String {
    let mut text = format!("**{}**\n\n{}", entry.checks, entry.fix);
    if !entry.example.is_empty() {
        text.push_str(&format!("\n\nExample:\n\n```\n{}\n```", entry.example));
    }
    if !entry.rfc.is_empty() {
        text.push_str(&format!("\n\nSee {}.", entry.rfc));
    }
    text
}

/// A relative path as a URI reference (RFC 3986 4.2): each byte outside the
/// unreserved set and `/` percent-encoded.
fn uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::super::subject::Spot;
    use super::*;
    use serde_json::Value;

    fn subject() -> Subject {
        Subject {
            name: "example.com".into(),
            kind: SubjectKind::Domain,
            findings: vec![
                Finding::new("spf.record", Status::Pass, "ok"),
                Finding::new("spf.all", Status::Fail, "ends in +all").fix("end with -all"),
                Finding::new("dmarc.policy", Status::Warn, "p=none"),
                Finding::new("run.deadline", Status::Error, "cut short"),
                Finding::new("mx.records", Status::Info, "one MX"),
                Finding::new("dmarc.policy", Status::Warn, "p=none again"),
            ],
            spots: vec![
                None,
                Some(Spot {
                    path: "zones/my zone.zone".into(),
                    line: Some(9),
                }),
            ],
        }
    }

    fn render(subjects: &[Subject], problems: &[String]) -> Value {
        let mut out = Vec::new();
        write(&mut out, subjects, problems).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn one_result_per_finding_that_is_not_a_pass() {
        let log = render(&[subject()], &[]);
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        let ids: Vec<&str> = results
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            ["spf.all", "dmarc.policy", "run.deadline", "dmarc.policy"]
        );
        let levels: Vec<&str> = results
            .iter()
            .map(|r| r["level"].as_str().unwrap())
            .collect();
        assert_eq!(levels, ["error", "warning", "none", "warning"]);
        assert_eq!(results[2]["kind"], "open");
        assert_eq!(results[2]["properties"]["status"], "error");
        // Rules once each, in order of first use; results point at them.
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(rule_ids, ["spf.all", "dmarc.policy", "run.deadline"]);
        assert_eq!(results[3]["ruleIndex"], 1);
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    }

    #[test]
    fn locations_are_the_file_and_line_or_the_subject() {
        let log = render(&[subject()], &[]);
        let results = &log["runs"][0]["results"];
        let located = &results[0]["locations"][0];
        assert_eq!(
            located["physicalLocation"]["artifactLocation"]["uri"],
            "zones/my%20zone.zone"
        );
        assert_eq!(located["physicalLocation"]["region"]["startLine"], 9);
        assert_eq!(located["logicalLocations"][0]["name"], "example.com");
        assert!(results[1]["locations"][0].get("physicalLocation").is_none());
        assert_eq!(
            results[1]["locations"][0]["logicalLocations"][0]["name"],
            "example.com"
        );
        assert_eq!(
            results[0]["message"]["text"],
            "ends in +all (fix: end with -all)"
        );
    }

    #[test]
    fn rules_take_the_finding_table_or_the_finding() {
        let log = render(&[subject()], &[]);
        for rule in log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
        {
            let id = rule["id"].as_str().unwrap();
            let help = rule["help"]["text"].as_str().unwrap();
            assert!(!help.is_empty(), "{id}");
            assert!(
                !rule["help"]["markdown"].as_str().unwrap().is_empty(),
                "{id}"
            );
            match explain::lookup(id) {
                Some(entry) => {
                    assert_eq!(help, help_text(entry), "{id}");
                    assert_eq!(rule["shortDescription"]["text"], entry.checks, "{id}");
                    assert_eq!(rule["fullDescription"]["text"], entry.why, "{id}");
                }
                None if id == "spf.all" => assert_eq!(help, "end with -all"),
                None => assert!(
                    !rule["shortDescription"]["text"]
                        .as_str()
                        .unwrap()
                        .is_empty()
                ),
            }
        }
        // run.deadline has an entry today: its help is the table's.
        let entry = explain::lookup("run.deadline").unwrap();
        assert!(help_text(entry).starts_with(entry.fix));
    }

    #[test]
    fn items_that_could_not_be_checked_are_notifications() {
        let log = render(&[], &["batch line 3: not an IP".to_string()]);
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        assert_eq!(
            invocation["toolExecutionNotifications"][0]["message"]["text"],
            "batch line 3: not an IP"
        );
        assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
        assert_eq!(log["version"], "2.1.0");
    }
}
