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
//! A finding that a `mailcheck.toml` allow accepts (`mailcheck check`) also
//! has `"allowed": true, "allow_reason": "..."`; it keeps its own status but
//! does not count towards the top-level one.
//!
//! `status` is the worst of the checks (fail > error > warn > pass; info
//! never counts). Check names are stable dotted identifiers whose first
//! segment is the area (`mx`, `ptr`, `spf`, `dkim`, `dmarc`, `smtp`).
//!
//! `mailcheck spf`, `dkim` and `dmarc` print the same object with their own
//! keys after `checks`:
//!
//! ```text
//! spf:   "identity", "record", "lookups", "void_lookups",
//!        with an IP: "result", "ip", "mechanism", "mechanism_domain",
//!                    "explanation", "reason",
//!        with a record: "tree": {"domain", "via": "root|include|redirect",
//!                                "record", "lookups", "total_lookups",
//!                                "children": [...]}
//! dkim:  "selectors"
//! dmarc: "queried", "organizational_domain" (when the tree walk ran),
//!        "record_domain", "record", "tags": {"p": "reject", ...}
//! ```
//!
//! `mailcheck smtp` prints the domain object (`domain` is the target as
//! given) with `"probes"`: one object per address probed, in MX preference
//! order: `{"host", "address", "connected_to", "banner_code", "banner",
//! "banner_ms", "extensions": [...], "tls_version", "cipher",
//! "certificate": {"subject", "names", "not_before", "not_after",
//! "trusted", "error"} | null}`; a step not reached is null.
//!
//! `mailcheck dkim keygen --json` prints `{"key_file", "algorithm", "bits",
//! "name", "record", "strings", "zone"}`; `verify` is documented on
//! [`verify`].
//!
//! Every object is written from a private `Serialize` struct built from the
//! plain report data; a struct's field order is its key order, and result
//! words are the enums of `crate::words`.

use crate::{
    check::{
        dmarc::{Discovery, Found},
        smtp::{CertInfo, Probe},
        spf::{Node, Resolved, SpfReport, Via},
    },
    keys::GeneratedKey,
    report::{DomainReport, Finding, Status},
    spf::Verdict,
    verify::{
        Alignment, ArcVerdict, AuthResult, DmarcVerdict, DmarcWord, PolicyTag, PolicyWord,
        SignatureVerdict, SpfIdentity, SpfVerdict, VerifyReport,
    },
};
use serde::Serialize;
use serde_json::{Map, Value};
use std::{
    io::{self, Write},
    net::IpAddr,
    path::Path,
};

// Field order is key order: every struct below lists its keys in the order
// the contract prints them.

#[derive(Serialize)]
struct DomainJson<'a> {
    domain: &'a str,
    status: Status,
    checks: Vec<CheckJson<'a>>,
}

impl<'a> From<&'a DomainReport> for DomainJson<'a> {
    fn from(report: &'a DomainReport) -> Self {
        DomainJson {
            domain: &report.domain,
            status: report.status(),
            checks: report.findings.iter().map(CheckJson::from).collect(),
        }
    }
}

#[derive(Serialize)]
struct CheckJson<'a> {
    name: &'a str,
    status: Status,
    message: &'a str,
    fix: Option<&'a str>,
    records: &'a [String],
    /// Present only on a finding a `mailcheck.toml` allow accepts.
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_reason: Option<&'a str>,
}

impl<'a> From<&'a Finding> for CheckJson<'a> {
    fn from(f: &'a Finding) -> Self {
        CheckJson {
            name: &f.name,
            status: f.status,
            message: &f.message,
            fix: f.fix.as_deref(),
            records: &f.records,
            allowed: f.allowed.as_ref().map(|_| true),
            allow_reason: f.allowed.as_deref(),
        }
    }
}

/// Write one domain report as a single JSON line.
pub fn domain(out: &mut dyn Write, report: &DomainReport) -> io::Result<()> {
    line(out, &DomainJson::from(report))
}

fn line<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    // Serialised into memory first: serde_json writes a value in many small
    // pieces, each a dynamic call through `out` otherwise.
    let mut buf = Vec::with_capacity(LINE_CAPACITY);
    serde_json::to_writer(&mut buf, value)?;
    buf.push(b'\n');
    out.write_all(&buf)
}

/// Room for a typical JSON line (an SPF case is ~2 KiB, a domain 2-5 KiB).
const LINE_CAPACITY: usize = 4096;

/// `mailcheck spf`: the domain report, then the SPF keys.
#[derive(Serialize)]
struct SpfJson<'a> {
    #[serde(flatten)]
    report: DomainJson<'a>,
    identity: &'a str,
    record: Option<&'a str>,
    lookups: u32,
    void_lookups: u32,
    #[serde(flatten)]
    evaluated: Option<EvaluatedJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tree: Option<TreeJson<'a>>,
}

/// check_host()'s outcome, present when an IP was given.
#[derive(Serialize)]
struct EvaluatedJson<'a> {
    result: Verdict,
    ip: Option<IpAddr>,
    mechanism: Option<&'a str>,
    mechanism_domain: Option<&'a str>,
    explanation: Option<&'a str>,
    reason: Option<&'a str>,
}

/// One record of the include/redirect tree.
#[derive(Serialize)]
struct TreeJson<'a> {
    domain: &'a str,
    via: Via,
    record: Option<&'a str>,
    lookups: u32,
    total_lookups: u32,
    children: Vec<TreeJson<'a>>,
}

impl<'a> From<&'a Node> for TreeJson<'a> {
    fn from(node: &'a Node) -> Self {
        let includes = node.terms.iter().filter_map(|t| match &t.resolved {
            Resolved::Include(child) => Some(TreeJson::from(&**child)),
            _ => None,
        });
        TreeJson {
            domain: &node.domain,
            via: node.via,
            record: node.record.as_deref(),
            lookups: node.own_lookups,
            total_lookups: node.total_lookups,
            children: includes
                .chain(node.redirect.as_deref().map(TreeJson::from))
                .collect(),
        }
    }
}

/// Write one `mailcheck spf` report: the findings as a domain report, the
/// identity, the record and its lookup counts; with an IP, check_host()'s
/// `result`, `ip`, `mechanism`, `mechanism_domain`, `explanation` and
/// `reason`; and the include/redirect `tree` (each node's `domain`, `via`,
/// `record`, `lookups`, `total_lookups` and `children`).
pub fn spf(
    out: &mut dyn Write,
    findings: &DomainReport,
    sender: &str,
    ip: Option<IpAddr>,
    result: Option<Verdict>,
    report: &SpfReport,
) -> io::Result<()> {
    let outcome = report.outcome.as_ref();
    let value = SpfJson {
        report: DomainJson::from(findings),
        identity: sender,
        record: report.record.as_deref(),
        lookups: report.lookups,
        void_lookups: report.void_lookups,
        evaluated: result.map(|result| EvaluatedJson {
            result,
            ip,
            mechanism: report.matched().map(|m| m.text.as_str()),
            mechanism_domain: report.matched().map(|m| m.domain.as_str()),
            explanation: outcome.and_then(|o| o.explanation.as_deref()),
            reason: outcome.and_then(|o| o.reason.as_deref()),
        }),
        tree: report.tree.as_ref().map(TreeJson::from),
    };
    line(out, &value)
}

/// Write an SPF include/redirect tree alone, as one JSON value.
pub fn spf_tree(out: &mut dyn Write, node: &Node) -> io::Result<()> {
    serde_json::to_writer(out, &TreeJson::from(node)).map_err(io::Error::from)
}

/// `mailcheck dkim`: the domain report and the selectors checked.
#[derive(Serialize)]
struct DkimJson<'a> {
    #[serde(flatten)]
    report: DomainJson<'a>,
    selectors: &'a [String],
}

/// Write one `mailcheck dkim` report.
pub fn dkim(out: &mut dyn Write, report: &DomainReport, selectors: &[String]) -> io::Result<()> {
    line(
        out,
        &DkimJson {
            report: DomainJson::from(report),
            selectors,
        },
    )
}

/// `mailcheck dmarc`: the domain report, the tree walk and the record that
/// applies with its tags.
#[derive(Serialize)]
struct DmarcJson<'a> {
    #[serde(flatten)]
    report: DomainJson<'a>,
    #[serde(flatten)]
    walk: Option<WalkJson<'a>>,
    record_domain: Option<&'a str>,
    record: Option<&'a str>,
    /// Tag names to values; a repeated tag keeps its first place and its
    /// last value.
    tags: Map<String, Value>,
}

/// The names the DMARC tree walk asked and where it ended.
#[derive(Serialize)]
struct WalkJson<'a> {
    queried: &'a [String],
    organizational_domain: &'a str,
}

/// Write one `mailcheck dmarc` report; `discovery` is the tree walk, when
/// it could be done.
pub fn dmarc(
    out: &mut dyn Write,
    report: &DomainReport,
    discovery: Option<&Discovery>,
) -> io::Result<()> {
    let applied: Option<&Found> = discovery.and_then(|d| d.applies.map(|i| &d.walk[i]));
    let tags = applied
        .map(|f| {
            f.tags
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        })
        .unwrap_or_default();
    let value = DmarcJson {
        report: DomainJson::from(report),
        walk: discovery.map(|d| WalkJson {
            queried: &d.queried,
            organizational_domain: &d.organizational,
        }),
        record_domain: applied.map(|f| f.domain.as_str()),
        record: applied.map(|f| f.text.as_str()),
        tags,
    };
    line(out, &value)
}

/// `mailcheck dkim keygen`: the key file and the record to publish.
#[derive(Serialize)]
struct KeygenJson<'a> {
    key_file: &'a Path,
    algorithm: String,
    bits: Option<usize>,
    name: &'a str,
    record: &'a str,
    strings: &'a [String],
    zone: &'a str,
}

/// Write the result of `mailcheck dkim keygen`.
pub fn keygen(out: &mut dyn Write, key: &GeneratedKey) -> io::Result<()> {
    line(
        out,
        &KeygenJson {
            key_file: &key.path,
            algorithm: key.algorithm.to_string(),
            bits: key.bits,
            name: &key.name,
            record: &key.record,
            strings: &key.strings,
            zone: &key.zone_text,
        },
    )
}

#[derive(Serialize)]
struct VerifyJson<'a> {
    message: &'a str,
    from_domain: &'a str,
    status: Status,
    spf: SpfVerdictJson<'a>,
    dkim: Vec<SignatureJson<'a>>,
    dmarc: DmarcVerdictJson<'a>,
    arc: Option<ArcJson<'a>>,
    authentication_results: &'a str,
}

#[derive(Serialize)]
struct SpfVerdictJson<'a> {
    result: Verdict,
    domain: Option<&'a str>,
    identity: Option<SpfIdentity>,
    mechanism: Option<&'a str>,
    mechanism_domain: Option<&'a str>,
}

impl<'a> From<&'a SpfVerdict> for SpfVerdictJson<'a> {
    fn from(s: &'a SpfVerdict) -> Self {
        SpfVerdictJson {
            result: s.result,
            domain: s.domain.as_deref(),
            identity: s.identity,
            mechanism: s.mechanism.as_deref(),
            mechanism_domain: s.mechanism_domain.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct SignatureJson<'a> {
    result: AuthResult,
    domain: Option<&'a str>,
    selector: Option<&'a str>,
    algorithm: Option<&'a str>,
    canonicalization: Option<&'a str>,
    reason: Option<&'a str>,
    notes: &'a [String],
    key_type: Option<&'a str>,
    key_bits: Option<usize>,
    unsigned_bytes: Option<u64>,
}

impl<'a> From<&'a SignatureVerdict> for SignatureJson<'a> {
    fn from(d: &'a SignatureVerdict) -> Self {
        SignatureJson {
            result: d.result,
            domain: d.domain.as_deref(),
            selector: d.selector.as_deref(),
            algorithm: d.algorithm.as_deref(),
            canonicalization: d.canonicalization.as_deref(),
            reason: d.reason.as_deref(),
            notes: &d.notes,
            key_type: d.key_type.as_deref(),
            key_bits: d.key_bits,
            unsigned_bytes: d.unsigned_bytes,
        }
    }
}

#[derive(Serialize)]
struct DmarcVerdictJson<'a> {
    result: DmarcWord,
    policy: Option<PolicyWord>,
    policy_tag: Option<PolicyTag>,
    disposition: PolicyWord,
    spf_aligned: bool,
    dkim_aligned: bool,
    testing: bool,
    record_domain: Option<&'a str>,
    record: Option<&'a str>,
    organizational_domain: Option<&'a str>,
    adkim: Alignment,
    aspf: Alignment,
    #[serde(skip_serializing_if = "Option::is_none")]
    pct: Option<u8>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

impl<'a> From<&'a DmarcVerdict> for DmarcVerdictJson<'a> {
    fn from(d: &'a DmarcVerdict) -> Self {
        DmarcVerdictJson {
            result: d.result,
            policy: d.policy,
            policy_tag: d.policy_tag,
            disposition: d.disposition,
            spf_aligned: d.spf_aligned,
            dkim_aligned: d.dkim_aligned,
            testing: d.testing,
            record_domain: d.record_domain.as_deref(),
            record: d.record.as_deref(),
            organizational_domain: d.organizational_domain.as_deref(),
            adkim: d.adkim,
            aspf: d.aspf,
            pct: d.pct,
            notes: &d.notes,
        }
    }
}

#[derive(Serialize)]
struct ArcJson<'a> {
    result: AuthResult,
    instances: usize,
    reason: Option<&'a str>,
}

impl<'a> From<&'a ArcVerdict> for ArcJson<'a> {
    fn from(a: &'a ArcVerdict) -> Self {
        ArcJson {
            result: a.result,
            instances: a.instances,
            reason: a.reason.as_deref(),
        }
    }
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
///            "dkim_aligned", "testing", "record_domain", "record",
///            "organizational_domain", "adkim", "aspf", "pct", "notes"},
///  ("pct": only when a legacy pct below 100 is published; "notes": only
///  when the verdict had to assume something, e.g. a parent `_dmarc` name
///  the server would not answer)
///  "arc": null | {"result", "instances", "reason"},
///  "authentication_results"}
/// ```
pub fn verify(out: &mut dyn Write, r: &VerifyReport) -> io::Result<()> {
    line(out, &VerifyJson::from(r))
}

impl<'a> From<&'a VerifyReport> for VerifyJson<'a> {
    fn from(r: &'a VerifyReport) -> Self {
        VerifyJson {
            message: &r.message,
            from_domain: &r.from_domain,
            status: r.status(),
            spf: SpfVerdictJson::from(&r.spf),
            dkim: r.dkim.iter().map(SignatureJson::from).collect(),
            dmarc: DmarcVerdictJson::from(&r.dmarc),
            arc: r.arc.as_ref().map(ArcJson::from),
            authentication_results: &r.authentication_results,
        }
    }
}

/// `mailcheck serve`: the `verify` object of one received message, then
/// the SMTP side: `client_ip`, `helo`, `mail_from`, `rcpt_to`, `action`
/// (stored, quarantined, accepted or refused) and `stored_as` (the path in
/// the Maildir, or null).
pub fn serve(
    out: &mut dyn Write,
    r: &VerifyReport,
    receipt: &crate::serve::Receipt,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct ServeJson<'a> {
        #[serde(flatten)]
        verify: VerifyJson<'a>,
        client_ip: IpAddr,
        helo: &'a str,
        mail_from: &'a str,
        rcpt_to: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        spf_helo: Option<SpfVerdictJson<'a>>,
        action: crate::serve::Action,
        stored_as: Option<&'a str>,
    }
    let value = ServeJson {
        verify: VerifyJson::from(r),
        client_ip: receipt.client_ip,
        helo: &receipt.helo,
        mail_from: &receipt.mail_from,
        rcpt_to: &receipt.rcpt_to,
        spf_helo: receipt.helo_spf.as_ref().map(SpfVerdictJson::from),
        action: receipt.action,
        stored_as: receipt.stored_as.as_deref(),
    };
    line(out, &value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut buf = Vec::new();
        f(&mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn command_keys_follow_the_domain_keys_in_contract_order() {
        let report = DomainReport {
            domain: "example.com".into(),
            findings: vec![],
        };
        let selectors = ["s1".to_string()];
        assert_eq!(
            written(|b| dkim(b, &report, &selectors)),
            "{\"domain\":\"example.com\",\"status\":\"pass\",\"checks\":[],\"selectors\":[\"s1\"]}\n"
        );
        // Without the tree walk: no queried/organizational_domain, null record.
        assert_eq!(
            written(|b| dmarc(b, &report, None)),
            "{\"domain\":\"example.com\",\"status\":\"pass\",\"checks\":[],\"record_domain\":null,\"record\":null,\"tags\":{}}\n"
        );
        // An invalid identity evaluated for an IP: the check_host() keys
        // come before any tree, and the result is its lower-case word.
        let spf_report = SpfReport::invalid("bad..name");
        let text = written(|b| {
            spf(
                b,
                &report,
                "postmaster@bad..name",
                Some("192.0.2.1".parse().unwrap()),
                Some(Verdict::None),
                &spf_report,
            )
        });
        assert!(
            text.contains("\"checks\":[],\"identity\":\"postmaster@bad..name\",\"record\":null,\"lookups\":0,\"void_lookups\":0,\"result\":\"none\",\"ip\":\"192.0.2.1\",\"mechanism\":null"),
            "{text}"
        );
        assert!(!text.contains("\"tree\""), "{text}");
    }

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

/// `mailcheck smtp`: the domain report, then one object per address probed.
#[derive(Serialize)]
struct SmtpJson<'a> {
    #[serde(flatten)]
    report: DomainJson<'a>,
    probes: Vec<ProbeJson<'a>>,
}

#[derive(Serialize)]
struct ProbeJson<'a> {
    host: &'a str,
    address: Option<IpAddr>,
    connected_to: Option<String>,
    banner_code: Option<u16>,
    banner: Option<&'a str>,
    banner_ms: Option<u64>,
    extensions: &'a [String],
    tls_version: Option<&'a str>,
    cipher: Option<&'a str>,
    certificate: Option<CertJson<'a>>,
}

#[derive(Serialize)]
struct CertJson<'a> {
    subject: Option<&'a str>,
    names: &'a [String],
    not_before: &'a str,
    not_after: &'a str,
    trusted: bool,
    error: Option<&'a str>,
}

impl<'a> From<&'a CertInfo> for CertJson<'a> {
    fn from(c: &'a CertInfo) -> Self {
        CertJson {
            subject: c.subject.as_deref(),
            names: &c.names,
            not_before: &c.not_before,
            not_after: &c.not_after,
            trusted: c.trusted,
            error: c.error.as_deref(),
        }
    }
}

impl<'a> From<&'a Probe> for ProbeJson<'a> {
    fn from(p: &'a Probe) -> Self {
        ProbeJson {
            host: &p.host,
            address: p.address,
            connected_to: p.connected_to.map(|a| a.to_string()),
            banner_code: p.banner_code,
            banner: p.banner.as_deref(),
            banner_ms: p.banner_ms,
            extensions: &p.extensions,
            tls_version: p.tls_version.as_deref(),
            cipher: p.cipher.as_deref(),
            certificate: p.certificate.as_ref().map(CertJson::from),
        }
    }
}

/// Write one `mailcheck smtp` report as a single JSON line.
pub fn smtp(out: &mut dyn Write, report: &DomainReport, probes: &[Probe]) -> io::Result<()> {
    line(
        out,
        &SmtpJson {
            report: DomainJson::from(report),
            probes: probes.iter().map(ProbeJson::from).collect(),
        },
    )
}
