use super::{Anchors, State, Validator, rrsig_time};
use crate::dns::{
    Dns,
    zone::{Zone, ZoneSet},
};
use hickory_resolver::proto::rr::{Name, RecordType};
use std::path::Path;

#[test]
fn rrsig_times_are_written_as_rfc_4034_says() {
    assert_eq!(rrsig_time(0), "19700101000000");
    assert_eq!(rrsig_time(1_796_403_600), "20261204170000");
    assert_eq!(rrsig_time(951_782_400), "20000229000000");
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/dnssec")
        .join(name)
}

fn dns() -> Dns {
    let zone = Zone::load(&fixture("signed.test.zone")).expect("fixture zone");
    Dns::zones(ZoneSet::new(vec![zone]))
}

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

/// Seconds since 1970 at midnight UTC on 1 January of `year` (2000-2099).
fn new_year(year: u32) -> u32 {
    let days: u32 = (1970..year)
        .map(|y| if y % 4 == 0 { 366 } else { 365 })
        .sum();
    days * 86_400
}

#[tokio::test]
async fn signatures_validate_only_between_inception_and_expiration() {
    let dns = dns();
    let anchors = Anchors::load(&fixture("signed.test.anchor")).unwrap();
    assert_eq!(anchors.keys.len(), 1);
    assert_eq!(rrsig_time(new_year(2026)), "20260101000000");

    let during = Validator::at(&dns, &anchors, new_year(2030));
    let (trust, mx) = during.rrset(&name("signed.test."), RecordType::MX).await;
    assert_eq!(trust.state, State::Secure, "{}", trust.why);
    assert_eq!(mx.state, State::Secure, "{}", mx.why);
    assert!(mx.present);
    let (_, tlsa) = during
        .rrset(&name("_25._tcp.mx.signed.test."), RecordType::TLSA)
        .await;
    assert_eq!(tlsa.state, State::Secure, "{}", tlsa.why);
    // NODATA proven by the signed NSEC record at the name.
    let (_, aaaa) = during
        .rrset(&name("mx.signed.test."), RecordType::AAAA)
        .await;
    assert_eq!(
        (aaaa.state, aaaa.present),
        (State::Secure, false),
        "{}",
        aaaa.why
    );

    let before = Validator::at(&dns, &anchors, new_year(2025));
    let trust = before.zone_trust(&name("signed.test.")).await;
    assert_eq!(trust.state, State::Bogus);
    assert!(trust.why.contains("not valid before 2026"), "{}", trust.why);

    let after = Validator::at(&dns, &anchors, new_year(2037));
    let trust = after.zone_trust(&name("signed.test.")).await;
    assert_eq!(trust.state, State::Bogus);
    assert!(
        trust.why.contains("expired at 20360101000000"),
        "{}",
        trust.why
    );
}

#[tokio::test]
async fn the_root_anchor_over_zone_files_without_a_root_is_indeterminate() {
    let dns = dns();
    let anchors = Anchors::root();
    let v = Validator::at(&dns, &anchors, new_year(2030));
    let trust = v.zone_trust(&name("signed.test.")).await;
    assert_eq!(trust.state, State::Indeterminate);
    assert!(trust.why.contains("does not serve"), "{}", trust.why);
}

#[tokio::test]
async fn a_key_that_is_not_the_zones_is_bogus_and_a_name_outside_it_indeterminate() {
    let dns = dns();
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.key");
    // A well-formed ECDSA P-256 DNSKEY that is not the zone's.
    std::fs::write(
        &other,
        "signed.test. IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n",
    )
    .unwrap();
    let anchors = Anchors::load(&other).unwrap();
    let v = Validator::at(&dns, &anchors, new_year(2030));
    let trust = v.zone_trust(&name("signed.test.")).await;
    assert_eq!(trust.state, State::Bogus);
    assert!(
        trust.why.contains("no DNSKEY of signed.test. matches"),
        "{}",
        trust.why
    );
    let trust = v.zone_trust(&name("example.org.")).await;
    assert_eq!(trust.state, State::Indeterminate);
    assert!(trust.why.contains("does not cover"), "{}", trust.why);
}

#[tokio::test]
async fn a_flood_of_signatures_costs_at_most_the_limit_of_checks() {
    use super::MAX_VERIFICATIONS;
    use hickory_resolver::proto::{
        dnssec::rdata::{DNSSECRData, RRSIG},
        rr::{RData, Record},
    };
    let dns = dns();
    let anchors = Anchors::load(&fixture("signed.test.anchor")).unwrap();
    let v = Validator::at(&dns, &anchors, new_year(2030));
    let apex = name("signed.test.");
    let trust = v.zone_trust(&apex).await;
    assert_eq!(trust.state, State::Secure, "{}", trust.why);
    let reply = dns.query_dnssec(&apex, RecordType::MX).await.unwrap();
    let records = &reply.answer.records;
    let (genuine, sig) = records
        .iter()
        .find_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::RRSIG(s)) => Some((r.clone(), s.clone())),
            _ => None,
        })
        .expect("the MX RRSIG");
    let forged: Vec<Record> = (0..=MAX_VERIFICATIONS as u8)
        .map(|i| {
            let bad = RRSIG::from_sig(sig.input().clone(), vec![i; sig.sig().len()]);
            Record::from_rdata(apex.clone(), 3600, RData::DNSSEC(DNSSECRData::RRSIG(bad)))
        })
        .collect();
    let mx: Vec<Record> = records
        .iter()
        .filter(|r| r.record_type() == RecordType::MX)
        .cloned()
        .collect();
    // The genuine signature after more forged ones than the limit: refused.
    let mut flood = mx.clone();
    flood.extend(forged.iter().cloned());
    flood.push(genuine.clone());
    let e = v
        .verify(&flood, &apex, RecordType::MX, &trust.zone, &trust.keys)
        .unwrap_err();
    assert!(e.contains(&format!("more than {MAX_VERIFICATIONS}")), "{e}");
    // Before them: accepted.
    let mut first = mx;
    first.push(genuine);
    first.extend(forged);
    assert_eq!(
        v.verify(&first, &apex, RecordType::MX, &trust.zone, &trust.keys),
        Ok(())
    );
}
