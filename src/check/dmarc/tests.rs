//! Tests of DMARC discovery and findings.

use super::*;
use crate::dns::DnsFailure;
use crate::dns::zone::{Zone, ZoneSet};
use std::path::Path;

/// DNS from zone text; a name whose `_dmarc` is a CNAME loop fails
/// (SERVFAIL), as a parent the server refuses would.
fn zone_dns(text: &str) -> Dns {
    let zone = Zone::parse(text, Path::new("walk.zone")).unwrap();
    Dns::zones(ZoneSet::new(vec![zone]))
}

const FAILING_PARENT: &str = "$ORIGIN test.\n@ SOA ns hostmaster 1 2 3 4 5\n\
    _dmarc CNAME loop._dmarc\nloop._dmarc CNAME _dmarc\n";

#[tokio::test]
async fn a_failed_parent_changes_nothing_it_cannot_change() {
    // Own record: it applies; the organizational domain is the list's.
    let dns = zone_dns(&format!(
        "{FAILING_PARENT}_dmarc.d TXT \"v=DMARC1; p=reject\"\n"
    ));
    let d = discover(&dns, "d.test").await.unwrap();
    assert_eq!(d.walk[d.applies.unwrap()].domain, "d.test");
    assert_eq!(d.organizational, "d.test");
    assert_eq!(d.unanswered.len(), 1);
    // No own record, the organizational domain's record applies.
    let d = discover(&dns, "mail.d.test").await.unwrap();
    assert_eq!(d.walk[d.applies.unwrap()].domain, "d.test");
    let text = check(&dns, "mail.d.test").await[0].message.clone();
    assert!(text.contains("public suffix list"), "{text}");
}

#[tokio::test]
async fn a_failed_name_that_could_decide_fails_the_walk() {
    // The organizational domain's own name fails: no verdict.
    let dns = zone_dns(&format!(
        "{FAILING_PARENT}_dmarc.d CNAME loop._dmarc.d\nloop._dmarc.d CNAME _dmarc.d\n"
    ));
    let (name, e) = discover(&dns, "mail.d.test").await.unwrap_err();
    assert_eq!(name, "_dmarc.d.test");
    assert_eq!(e, DnsFailure::ServFail);
    // No record anywhere that answered, a parent failed: no verdict
    // either (never "no DMARC record").
    let dns = zone_dns(FAILING_PARENT);
    let (name, _) = discover(&dns, "d.test").await.unwrap_err();
    assert_eq!(name, "_dmarc.test");
    // A record that is not the organizational domain's, a parent failed.
    let dns = zone_dns(&format!(
        "{FAILING_PARENT}_dmarc.b.c TXT \"v=DMARC1; p=none\"\n"
    ));
    assert!(discover(&dns, "a.b.c.test").await.is_err());
}

#[tokio::test]
async fn a_single_label_domain_is_walked_like_any_other() {
    // RFC 9989 4.10.1 step 1 asks at the author domain, however many
    // labels it has.
    let dns = zone_dns(
        "$ORIGIN corp.\n@ SOA ns hostmaster 1 2 3 4 5\n_dmarc TXT \"v=DMARC1; p=reject\"\n",
    );
    let d = discover(&dns, "corp").await.unwrap();
    assert_eq!(d.queried, ["_dmarc.corp"]);
    assert_eq!(d.walk[d.applies.unwrap()].domain, "corp");
    assert_eq!(d.organizational, "corp");
    let dns = zone_dns("$ORIGIN corp.\n@ SOA ns hostmaster 1 2 3 4 5\n");
    let findings = check(&dns, "corp").await;
    assert!(
        findings[0].message.contains("(looked at _dmarc.corp)"),
        "{}",
        findings[0].message
    );
}

#[test]
fn recognises_dmarc_records() {
    assert!(is_dmarc("v=DMARC1; p=none"));
    assert!(is_dmarc("v=DMARC1"));
    assert!(!is_dmarc("v=DMARC10; p=none"));
    assert!(!is_dmarc("v=spf1 -all"));
    assert_eq!(org_domain("reports.example.co.uk"), "example.co.uk");
}
