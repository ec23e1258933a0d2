//! What the checks found: plain data, rendered by `render/`.

use serde::Serialize;

/// How a check came out. Ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Only reports something; never affects the verdict.
    Info,
    /// Correct.
    Pass,
    /// Works, but weak or risky; fails the run only with `--strict`.
    Warn,
    /// Could not be completed because DNS failed temporarily; a retry may succeed.
    Error,
    /// Wrong: mail will be rejected, lost, or unprotected.
    Fail,
}

impl Status {
    /// The lower-case word used in JSON and in the text report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Info => "info",
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Error => "error",
            Status::Fail => "fail",
        }
    }
}

/// The area of the mail DNS a finding belongs to: the first segment of its
/// name. Ordered as a report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// MX records and their addresses.
    Mx,
    /// Reverse DNS of the sending and receiving hosts.
    Ptr,
    /// The SPF record.
    Spf,
    /// DKIM keys.
    Dkim,
    /// The DMARC policy.
    Dmarc,
    /// DNSSEC signatures and the chain of trust.
    Dnssec,
    /// DANE TLSA records of the MX hosts (RFC 7672).
    Dane,
    /// The MTA-STS record and policy.
    #[serde(rename = "mta-sts")]
    MtaSts,
    /// SMTP TLS Reporting (RFC 8460).
    Tlsrpt,
    /// The BIMI record and logo.
    Bimi,
    /// The mail providers the domain uses, and what they expect of it.
    Provider,
    /// What the MX hosts say over SMTP (`mailcheck smtp`).
    Smtp,
    /// What `mailcheck.toml` expects of the domain (`mailcheck check`).
    Expect,
    /// The run itself (a `--deadline` that passed).
    Run,
}

impl Area {
    /// The area a finding name (`spf.lookups`) starts with.
    pub fn of(name: &str) -> Option<Area> {
        Some(match name.split('.').next()? {
            "mx" => Area::Mx,
            "ptr" => Area::Ptr,
            "spf" => Area::Spf,
            "dkim" => Area::Dkim,
            "dmarc" => Area::Dmarc,
            "dnssec" => Area::Dnssec,
            "dane" => Area::Dane,
            "mta-sts" => Area::MtaSts,
            "tlsrpt" => Area::Tlsrpt,
            "bimi" => Area::Bimi,
            "provider" => Area::Provider,
            "smtp" => Area::Smtp,
            "expect" => Area::Expect,
            "run" => Area::Run,
            _ => return None,
        })
    }

    /// The heading the text report gives the area.
    pub fn heading(self) -> &'static str {
        match self {
            Area::Mx => "MX",
            Area::Ptr => "PTR",
            Area::Spf => "SPF",
            Area::Dkim => "DKIM",
            Area::Dmarc => "DMARC",
            Area::Dnssec => "DNSSEC",
            Area::Dane => "DANE",
            Area::MtaSts => "MTA-STS",
            Area::Tlsrpt => "TLS-RPT",
            Area::Bimi => "BIMI",
            Area::Provider => "PROVIDERS",
            Area::Smtp => "SMTP",
            Area::Expect => "EXPECTATIONS",
            Area::Run => "RUN",
        }
    }
}

/// One finding: a stable dotted name (`spf.lookups`), a status, what was seen
/// and, when something is wrong, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable identifier; the first segment is the area (`mx`, `ptr`, `spf`, ...).
    pub name: String,
    /// The area, from the name's first segment.
    #[serde(skip)]
    pub area: Area,
    /// The outcome.
    pub status: Status,
    /// What was found, in words.
    pub message: String,
    /// A one-line hint for fixing it, when there is something to fix.
    pub fix: Option<String>,
    /// DNS records behind the finding, in presentation form.
    pub records: Vec<String>,
    /// Why this warning or failure is accepted (an `allow` of
    /// `mailcheck.toml`): still shown, it no longer counts towards the status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<String>,
}

impl Finding {
    /// A finding with no records. `name` starts with an area
    /// (`spf.lookups`) and has an entry in [`crate::explain`]; every name is
    /// a literal in mailcheck's checks, so anything else is a bug (a panic in
    /// a debug build, filed under `run` in a release build).
    ///
    /// A finding that is wrong (`warn`, `fail`, `error`) starts with the
    /// entry's general fix hint; [`Finding::fix`] replaces it with one that
    /// names the values at hand.
    pub fn new(name: &str, status: Status, message: impl Into<String>) -> Finding {
        let area = Area::of(name);
        debug_assert!(area.is_some(), "finding {name:?} names no area");
        let entry = crate::explain::lookup(name);
        debug_assert!(
            entry.is_some(),
            "finding {name:?} has no entry in src/explain/: add one"
        );
        let fix = match status {
            Status::Warn | Status::Fail | Status::Error => {
                entry.map(|e| e.fix).filter(|f| !f.is_empty())
            }
            Status::Pass | Status::Info => None,
        };
        Finding {
            name: name.to_string(),
            area: area.unwrap_or(Area::Run),
            status,
            message: message.into(),
            fix: fix.map(str::to_string),
            records: Vec::new(),
            allowed: None,
        }
    }

    /// Replace the general fix hint with one specific to this finding (one
    /// that names the record, host or address to change).
    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    /// Drop the fix hint: nothing the reader can change fixes this finding
    /// (another finding says what does).
    pub fn without_fix(mut self) -> Finding {
        self.fix = None;
        self
    }

    /// Attach a record shown with the finding.
    pub fn record(mut self, record: impl Into<String>) -> Finding {
        self.records.push(record.into());
        self
    }
}

/// The worst status among findings (fail > error > warn > pass); `info`
/// and allowed findings never count, and no findings at all is a pass.
pub fn worst(findings: &[Finding]) -> Status {
    findings
        .iter()
        .filter(|f| f.allowed.is_none())
        .map(|f| f.status)
        .filter(|s| *s != Status::Info)
        .max()
        .unwrap_or(Status::Pass)
}

/// Everything `mailcheck domain` found for one domain.
#[derive(Debug, Clone)]
pub struct DomainReport {
    /// The domain as checked (A-label form).
    pub domain: String,
    /// Findings in area order: mx, ptr, spf, dkim, dmarc.
    pub findings: Vec<Finding>,
}

/// The finding for a check the run's `--deadline` cut short.
pub fn deadline_finding(what: &str) -> Finding {
    Finding::new(
        "run.deadline",
        Status::Error,
        format!("the run's --deadline passed before {what} finished"),
    )
}

impl DomainReport {
    /// The report for a domain whose checks the deadline cut short.
    pub fn unfinished(domain: &str) -> DomainReport {
        DomainReport {
            domain: domain.to_string(),
            findings: vec![deadline_finding(&format!("the checks of {domain}"))],
        }
    }

    /// The overall status of the domain.
    pub fn status(&self) -> Status {
        worst(&self.findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_is_the_first_segment_of_the_name() {
        assert_eq!(
            Finding::new("dmarc.policy", Status::Pass, "m").area,
            Area::Dmarc
        );
        assert_eq!(
            Finding::new("run.deadline", Status::Error, "m").area,
            Area::Run
        );
        assert_eq!(Area::of("spf"), Some(Area::Spf));
        assert_eq!(Area::of("smtp.banner"), Some(Area::Smtp));
        assert_eq!(Area::of("expect.sender"), Some(Area::Expect));
        assert_eq!(Area::of("imap.banner"), None);
        assert!(Area::Mx < Area::Ptr && Area::Dkim < Area::Dmarc && Area::Dmarc < Area::Run);
        assert!(Area::Smtp < Area::Expect && Area::Expect < Area::Run);
    }

    #[test]
    fn worst_ignores_info_and_orders_fail_over_error() {
        let f = |s| Finding::new("spf.lookups", s, "m");
        assert_eq!(worst(&[]), Status::Pass);
        assert_eq!(worst(&[f(Status::Info)]), Status::Pass);
        assert_eq!(worst(&[f(Status::Warn), f(Status::Pass)]), Status::Warn);
        assert_eq!(worst(&[f(Status::Error), f(Status::Warn)]), Status::Error);
        assert_eq!(worst(&[f(Status::Error), f(Status::Fail)]), Status::Fail);
        let mut allowed = f(Status::Fail);
        allowed.allowed = Some("accepted".into());
        assert_eq!(worst(&[allowed, f(Status::Warn)]), Status::Warn);
    }

    #[test]
    fn a_wrong_finding_starts_with_the_tables_fix_and_a_specific_one_replaces_it() {
        let general = crate::explain::lookup("spf.lookups").map(|e| e.fix);
        for status in [Status::Warn, Status::Fail, Status::Error] {
            let f = Finding::new("spf.lookups", status, "m");
            assert_eq!(f.fix.as_deref(), general, "{status:?}");
        }
        for status in [Status::Pass, Status::Info] {
            assert_eq!(Finding::new("spf.lookups", status, "m").fix, None);
        }
        let specific = Finding::new("spf.lookups", Status::Fail, "m").fix("drop include:x");
        assert_eq!(specific.fix.as_deref(), Some("drop include:x"));
        assert_eq!(
            Finding::new("spf.ip", Status::Fail, "m").without_fix().fix,
            None
        );
        assert_eq!(
            deadline_finding("x").fix.as_deref(),
            crate::explain::lookup("run.deadline").map(|e| e.fix)
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "has no entry")]
    fn a_name_without_an_entry_panics_in_debug_builds() {
        let _ = Finding::new("spf.no-such-check", Status::Pass, "m");
    }
}
