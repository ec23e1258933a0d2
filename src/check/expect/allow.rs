//! `[[domain.allow]]`: findings accepted as they are.
//!
//! An allow entry accepts every warning or failure whose name is its
//! `finding` (exactly) and, with `match`, whose message contains those words
//! (ignoring case). An accepted finding is still reported, with the reason,
//! but no longer counts towards the domain's status or the exit status.
//! Findings that pass or only inform need no exception, and a DNS failure
//! (status `error`) is never accepted: nothing is known about that check.
//!
//! An entry that accepts nothing is stale: the problem it excused is gone
//! (or its name or words no longer match), and a stale exception would
//! silently excuse the next problem of that name. It becomes an
//! `expect.allow` warning naming the entry. When every finding it names
//! could not be checked (status `error`), staleness cannot be told and no
//! warning is given.

use super::config::Allow;
use crate::report::{Finding, Status};

/// Mark the findings each entry accepts and add an `expect.allow` warning
/// for each entry that accepts nothing.
pub(super) fn apply(allows: &[Allow], findings: &mut Vec<Finding>) {
    let mut stale = Vec::new();
    for allow in allows {
        let words = allow.matching.as_deref().map(str::to_lowercase);
        let mut accepted = false;
        let mut unknown = false;
        for f in findings.iter_mut().filter(|f| {
            f.name == allow.finding
                && words
                    .as_deref()
                    .is_none_or(|w| f.message.to_lowercase().contains(w))
        }) {
            match f.status {
                Status::Warn | Status::Fail => {
                    // The first entry that accepts a finding gives its reason.
                    if f.allowed.is_none() {
                        f.allowed = Some(allow.reason.clone());
                    }
                    accepted = true;
                }
                Status::Error => unknown = true,
                Status::Pass | Status::Info => {}
            }
        }
        if !accepted && !unknown {
            stale.push(stale_finding(allow));
        }
    }
    findings.extend(stale);
}

fn stale_finding(allow: &Allow) -> Finding {
    let what = match &allow.matching {
        Some(words) => format!("{} matching \"{words}\"", allow.finding),
        None => allow.finding.clone(),
    };
    Finding::new(
        "expect.allow",
        Status::Warn,
        format!(
            "the allow for {what} ({}) accepts nothing: no {} finding warns or fails",
            allow.at, allow.finding
        ),
    )
    .fix("remove the stale [[domain.allow]] entry, so that it cannot hide the next problem")
}
