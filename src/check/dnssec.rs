//! `dnssec.*`: whether the domain's zone is signed and its answers validate,
//! by mailcheck's own validator ([`crate::dnssec`]), from the trust anchors
//! down (RFC 4035 4.3, 5).
//!
//! `dnssec.chain` gives the state of the domain's zone; when it is secure,
//! `dnssec.mx` and `dnssec.txt` say whether the MX and TXT (SPF) answers
//! carry valid signatures. An unsigned domain gets the chain finding alone,
//! as `info`: DNSSEC is not required of a mail domain, only of DANE.

use crate::{
    dnssec::{Checked, State, Trust, Validator},
    names::parse_name,
    report::{Finding, Status},
};
use hickory_resolver::proto::rr::RecordType;

/// The `dnssec.*` findings of `domain`, and the domain's chain of trust
/// (DANE needs it).
pub async fn check(validator: &Validator<'_>, domain: &str) -> (Vec<Finding>, Option<Trust>) {
    let Ok(name) = parse_name(domain) else {
        return (Vec::new(), None);
    };
    let trust = validator.zone_trust(&name).await;
    let mut findings = vec![chain_finding(domain, &trust)];
    if trust.state == State::Secure {
        let (mx, txt) = tokio::join!(
            validator.rrset_in(&trust, &name, RecordType::MX),
            validator.rrset_in(&trust, &name, RecordType::TXT),
        );
        findings.push(rrset_finding("dnssec.mx", "MX", domain, &mx));
        findings.push(rrset_finding("dnssec.txt", "TXT", domain, &txt));
    }
    (findings, Some(trust))
}

fn chain_finding(domain: &str, trust: &Trust) -> Finding {
    let mut finding = match trust.state {
        State::Secure => Finding::new(
            "dnssec.chain",
            Status::Pass,
            format!(
                "{domain} is in the DNSSEC-signed zone {} and its chain of trust validates (secure): {}",
                crate::names::display_name(&trust.zone),
                trust.why
            ),
        ),
        State::Insecure => Finding::new(
            "dnssec.chain",
            Status::Info,
            format!("{domain} is not DNSSEC-signed (insecure): {}", trust.why),
        ),
        State::Bogus => Finding::new(
            "dnssec.chain",
            Status::Fail,
            format!(
                "{domain}'s DNSSEC chain of trust does not validate (bogus): {}; validating resolvers answer SERVFAIL for the domain's names",
                trust.why
            ),
        ),
        State::Indeterminate => Finding::new(
            "dnssec.chain",
            Status::Info,
            format!("{domain}'s DNSSEC state is indeterminate: {}", trust.why),
        ),
    };
    finding.records = trust.records.clone();
    finding
}

fn rrset_finding(name: &str, what: &str, domain: &str, checked: &Checked) -> Finding {
    let ad = if checked.authentic_data {
        " (the resolver also set the AD flag; mailcheck's verdict is its own)"
    } else {
        ""
    };
    match (checked.state, checked.present) {
        (State::Secure, true) => Finding::new(name, Status::Pass, format!("{}{ad}", checked.why)),
        (State::Secure, false) => Finding::new(
            name,
            Status::Info,
            format!("{domain} has no {what} records, and {}", checked.why),
        ),
        (State::Bogus, _) => Finding::new(
            name,
            Status::Fail,
            format!(
                "{} (bogus){ad}: validating resolvers answer SERVFAIL for them",
                checked.why
            ),
        ),
        (state, _) => Finding::new(
            name,
            Status::Info,
            format!(
                "the {what} records of {domain} are {state}: {}",
                checked.why
            ),
        ),
    }
}
