//! What the whole-run formats (SARIF, JUnit) are written from: a list of
//! checked subjects (a domain or a message), each with its findings and,
//! where known, the place in a file each finding points at.
//!
//! Any command that reports findings builds [`Subject`]s: `domain`, `spf`,
//! `dkim`, `dmarc` and `smtp` from their `DomainReport`; `verify` turns its
//! verdicts into findings with [`verify_findings`].

use crate::{
    report::{DomainReport, Finding, Status},
    spf::Verdict,
    verify::{AuthResult, DmarcWord, SignatureVerdict, VerifyReport},
};
use std::path::{Component, Path};

/// What a subject is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// A domain (or host) whose DNS or servers were checked.
    Domain,
    /// A message file that was verified.
    Message,
}

/// A place in a file: where a finding points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spot {
    /// The file, relative to the current directory where it is inside it
    /// (code scanning wants repository-relative paths), with `/` separators.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
}

impl Spot {
    /// A spot in `file` at `line`; the path is made relative to the current
    /// directory when it lies inside it.
    pub fn new(file: &Path, line: Option<usize>) -> Spot {
        Spot {
            path: relative_path(file),
            line,
        }
    }
}

/// One checked subject and its findings, for the whole-run formats.
#[derive(Debug, Clone)]
pub struct Subject {
    /// The domain (A-label form) or the message path as given.
    pub name: String,
    /// A domain or a message.
    pub kind: SubjectKind,
    /// Every finding, in report order, passes included.
    pub findings: Vec<Finding>,
    /// Where each finding points, by index into `findings`; shorter than
    /// `findings` (or empty) where nothing is known.
    pub spots: Vec<Option<Spot>>,
}

impl Subject {
    /// A domain's report, without places.
    pub fn domain(report: &DomainReport) -> Subject {
        Subject {
            name: report.domain.clone(),
            kind: SubjectKind::Domain,
            findings: report.findings.clone(),
            spots: Vec::new(),
        }
    }

    /// A verified message, its verdicts as findings ([`verify_findings`]).
    pub fn message(report: &VerifyReport) -> Subject {
        Subject {
            name: report.message.clone(),
            kind: SubjectKind::Message,
            findings: verify_findings(report),
            spots: Vec::new(),
        }
    }

    /// Where finding `i` points, if known.
    pub fn spot(&self, i: usize) -> Option<&Spot> {
        self.spots.get(i).and_then(Option::as_ref)
    }
}

/// `path` relative to the current directory when it is inside it, else as
/// given; `./` dropped, `/` separators.
pub fn relative_path(path: &Path) -> String {
    let relative = match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => path.strip_prefix(&cwd).unwrap_or(path).to_path_buf(),
        _ => path.to_path_buf(),
    };
    let parts: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            other => other.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    if parts.first().is_some_and(String::is_empty) {
        // An absolute path: "/" + the rest.
        format!("/{}", parts[1..].join("/"))
    } else {
        parts.join("/")
    }
}

/// The verdicts of a verified message as findings, for SARIF and JUnit:
///
/// - `spf.result`: SPF for the identity checked;
/// - `dkim.signature`: one per DKIM-Signature, in header order (for an
///   unsigned message, one `info` saying so, as the text report does);
/// - `dmarc.result`: the verdict. Its status is the message's (fail when a
///   receiver would not accept it, error when DNS failed), a warning when the
///   From domain has no DMARC record and an aligned pass carries the message.
///
/// SPF and DKIM statuses follow the text report (temperror is error;
/// none and neutral SPF are warnings; anything else not a pass is a fail),
/// except that when the message passes, nothing is worse than a warning: a
/// signature that fails beside one that passes does not change the verdict,
/// so the exit status and the failures of the document agree.
pub fn verify_findings(r: &VerifyReport) -> Vec<Finding> {
    let passes = r.passes();
    let cap = |status: Status| {
        if passes && status > Status::Warn {
            Status::Warn
        } else {
            status
        }
    };
    let still = |status: Status| {
        if passes && status >= Status::Warn && status != Status::Pass {
            "; the message still passes DMARC"
        } else {
            ""
        }
    };
    let mut findings = Vec::new();

    let spf_status = match r.spf.result {
        Verdict::Pass => Status::Pass,
        Verdict::TempError => Status::Error,
        Verdict::None | Verdict::Neutral => Status::Warn,
        Verdict::Fail | Verdict::SoftFail | Verdict::PermError => Status::Fail,
    };
    let spf_message = match (&r.spf.domain, r.spf.identity) {
        (Some(domain), Some(identity)) => {
            let matched = match (&r.spf.mechanism, &r.spf.mechanism_domain) {
                (Some(m), Some(md)) => format!(", matched \"{m}\" in the record of {md}"),
                _ => String::new(),
            };
            format!(
                "spf={} for the {identity} identity {domain}{matched}",
                r.spf.result
            )
        }
        _ => "spf=none: no MAIL FROM, Return-Path or HELO to check".to_string(),
    };
    findings.push(Finding::new(
        "spf.result",
        cap(spf_status),
        format!("{spf_message}{}", still(spf_status)),
    ));

    if r.dkim.is_empty() && !r.from_domain.is_empty() {
        findings.push(Finding::new(
            "dkim.signature",
            Status::Info,
            "the message has no DKIM-Signature",
        ));
    }
    for d in &r.dkim {
        let status = dkim_status(d);
        let mut message = format!(
            "dkim={} d={} s={} a={}",
            d.result,
            d.domain.as_deref().unwrap_or("(none)"),
            d.selector.as_deref().unwrap_or("(none)"),
            d.algorithm.as_deref().unwrap_or("(none)"),
        );
        if let Some(reason) = &d.reason {
            message.push_str(": ");
            message.push_str(reason);
        }
        message.push_str(still(status));
        findings.push(Finding::new("dkim.signature", cap(status), message));
    }

    let dm = &r.dmarc;
    let status = if passes {
        if dm.result == DmarcWord::Pass {
            Status::Pass
        } else {
            Status::Warn
        }
    } else {
        r.status()
    };
    let mut message = match (&dm.record_domain, dm.policy) {
        (Some(rd), Some(p)) => format!(
            "dmarc={} for {}: policy {p} from _dmarc.{rd}, disposition {}",
            dm.result, r.from_domain, dm.disposition
        ),
        (Some(rd), None) => format!(
            "dmarc={}: the record at _dmarc.{rd} was not applied",
            dm.result
        ),
        (None, _) => format!(
            "dmarc={}: no DMARC record for {}",
            dm.result,
            if r.from_domain.is_empty() {
                "the From domain"
            } else {
                &r.from_domain
            }
        ),
    };
    if passes && dm.result != DmarcWord::Pass {
        message.push_str("; the message passes by an aligned SPF or DKIM pass");
    }
    findings.push(Finding::new("dmarc.result", status, message));
    findings
}

/// A signature's status, as the text report words it.
fn dkim_status(d: &SignatureVerdict) -> Status {
    match d.result {
        AuthResult::Pass if d.unsigned_bytes.is_some_and(|n| n > 0) => Status::Warn,
        AuthResult::Pass => Status::Pass,
        AuthResult::TempError => Status::Error,
        _ => Status::Fail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_current_directory() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(relative_path(&cwd.join("zones/a.zone")), "zones/a.zone");
        assert_eq!(relative_path(Path::new("./zones/a.zone")), "zones/a.zone");
        assert_eq!(relative_path(Path::new("a.zone")), "a.zone");
        assert_eq!(relative_path(Path::new("../x/a.zone")), "../x/a.zone");
        assert!(relative_path(Path::new("/nowhere-else/a.zone")).starts_with("/nowhere-else/"));
    }

    #[test]
    fn an_unfinished_message_is_an_error_on_its_dmarc_verdict() {
        let findings = verify_findings(&VerifyReport::unfinished("m.eml"));
        let names: Vec<_> = findings.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["spf.result", "dmarc.result"]);
        assert!(findings.iter().all(|f| f.status == Status::Error));
    }
}
