//! JUnit XML output (`--format junit`): one document for the whole run, for
//! the test reports of CI systems (GitLab, Jenkins, Azure Pipelines, ...).
//!
//! ```text
//! <testsuites name="mailcheck" tests failures errors>
//!   <testsuite name="example.com" tests failures errors>     one per domain or message
//!     <testcase name="spf.all" classname="example.com">     one per finding
//!       <failure message="..." type="fail">message, fix, records</failure>
//!     </testcase>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! A finding's status decides its test case:
//!
//! | status | test case |
//! |--------|-----------|
//! | pass | passed |
//! | info | passed, the message in `system-out` (info only reports; it never fails a run) |
//! | warn | passed, the message in `system-out`; with `--strict`, a `failure` of type `warn`, as the exit status then counts it |
//! | fail | `failure` of type `fail` |
//! | error | `error` of type `error`: DNS failed temporarily, so the check is inconclusive |
//! | allowed (mailcheck.toml) | passed, `system-out` starting `allowed (REASON): ` |
//!
//! Items a batch could not check (a bad line, an unreadable message) are
//! `error` test cases in a last test suite named `input`. The XML is written
//! by the `quick-junit` crate, which escapes text and drops characters XML
//! cannot hold.

use super::subject::Subject;
use crate::report::{Finding, Status};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::io::{self, Write};

/// Write the JUnit document of a run: a test suite per subject, and one for
/// `problems` (items that could not be checked) when there are any.
/// `strict` makes warnings failures, as `--strict` does for the exit status.
pub fn write(
    out: &mut dyn Write,
    subjects: &[Subject],
    problems: &[String],
    strict: bool,
) -> io::Result<()> {
    let mut report = Report::new("mailcheck");
    for subject in subjects {
        let mut suite = TestSuite::new(subject.name.as_str());
        for finding in &subject.findings {
            suite.add_test_case(case(&subject.name, finding, strict));
        }
        report.add_test_suite(suite);
    }
    if !problems.is_empty() {
        let mut suite = TestSuite::new("input");
        for (i, problem) in problems.iter().enumerate() {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(problem.as_str()).set_type("input");
            let mut case = TestCase::new(format!("item {}", i + 1), status);
            case.set_classname("input");
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    // quick-junit ends the document with a newline.
    report.serialize(&mut *out).map_err(io::Error::other)
}

fn case(subject: &str, finding: &Finding, strict: bool) -> TestCase {
    let failing = |kind: NonSuccessKind, word: &str| {
        let mut status = TestCaseStatus::non_success(kind);
        status
            .set_message(finding.message.as_str())
            .set_type(word)
            .set_description(details(finding));
        status
    };
    let (status, out) = match finding.status {
        _ if let Some(reason) = &finding.allowed => (
            TestCaseStatus::success(),
            Some(format!("allowed ({reason}): {}", details(finding))),
        ),
        Status::Pass => (TestCaseStatus::success(), None),
        Status::Info => (TestCaseStatus::success(), Some(details(finding))),
        Status::Warn if strict => (failing(NonSuccessKind::Failure, "warn"), None),
        Status::Warn => (
            TestCaseStatus::success(),
            Some(format!("warn: {}", details(finding))),
        ),
        Status::Fail => (failing(NonSuccessKind::Failure, "fail"), None),
        Status::Error => (failing(NonSuccessKind::Error, "error"), None),
    };
    let mut case = TestCase::new(finding.name.as_str(), status);
    case.set_classname(subject);
    if let Some(out) = out {
        case.set_system_out(out);
    }
    case
}

/// The message, the fix and the records of a finding, one a line.
fn details(finding: &Finding) -> String {
    let mut text = finding.message.clone();
    if let Some(fix) = &finding.fix {
        text.push_str("\nfix: ");
        text.push_str(fix);
    }
    for record in &finding.records {
        text.push_str("\nrecord: ");
        text.push_str(record);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::super::subject::SubjectKind;
    use super::*;

    fn render(strict: bool) -> String {
        let subject = Subject {
            name: "example.com".into(),
            kind: SubjectKind::Domain,
            findings: vec![
                Finding::new("spf.record", Status::Pass, "ok"),
                Finding::new("spf.all", Status::Fail, "ends in +all <&>").fix("end with -all"),
                Finding::new("dmarc.policy", Status::Warn, "p=none"),
                Finding::new("run.deadline", Status::Error, "cut short"),
                Finding::new("mx.records", Status::Info, "one MX"),
            ],
            spots: Vec::new(),
        };
        let mut out = Vec::new();
        write(&mut out, &[subject], &[], strict).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn statuses_become_failures_errors_and_passes() {
        let xml = render(false);
        assert!(xml.contains(r#"tests="5""#), "{xml}");
        assert!(xml.contains(r#"failures="1""#), "{xml}");
        assert!(xml.contains(r#"errors="1""#), "{xml}");
        assert!(xml.contains("ends in +all &lt;&amp;&gt;"), "{xml}");
        assert!(xml.contains("warn: p=none"), "{xml}");
        let strict = render(true);
        assert!(strict.contains(r#"failures="2""#), "{strict}");
        assert!(strict.contains(r#"type="warn""#), "{strict}");
    }
}
