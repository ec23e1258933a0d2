//! The `--save-zone` writer, read back by the `--zone` reader: what goes in
//! comes out, byte for byte.

use super::*;
use crate::dns::{Answer, from_zone, zone::Zone, zone::ZoneSet};
use hickory_resolver::proto::rr::rdata::{
    A, AAAA, CNAME, MX, NS, PTR, SOA, TLSA, TXT,
    tlsa::{CertUsage, Matching, Selector},
};
use std::{path::Path, sync::Arc};

fn name(text: &str) -> Name {
    Name::from_ascii(text).expect("name")
}

fn record(owner: &Name, ttl: u32, data: RData) -> Record {
    Record::from_rdata(owner.clone(), ttl, data)
}

fn found(records: Vec<Record>) -> Lookup {
    Ok(Arc::new(Answer {
        rcode: Rcode::NoError,
        records,
    }))
}

fn negative(rcode: Rcode, records: Vec<Record>) -> Lookup {
    Ok(Arc::new(Answer { rcode, records }))
}

/// The file for these answers, loaded back as `--zone` loads it.
fn replay(answers: &[(Name, RecordType, Lookup)]) -> (String, ZoneSet) {
    let text = master_file(answers);
    let zone = Zone::parse(&text, Path::new("saved.zone"))
        .unwrap_or_else(|e| panic!("the saved file must load: {e}\n{text}"));
    assert!(zone.origin.is_root(), "{text}");
    assert!(zone.warnings.is_empty(), "{:?}", zone.warnings);
    (text, ZoneSet::new(vec![zone]))
}

/// Each recorded question asked again of the replayed file gives the same
/// outcome: the same records (name, TTL, data, order), the same RCODE, the
/// same failure.
fn assert_replays(answers: &[(Name, RecordType, Lookup)]) -> String {
    let (text, zones) = replay(answers);
    for (q, rtype, lookup) in answers {
        let again = from_zone(&zones, q, *rtype);
        match (lookup, &again) {
            (Ok(want), Ok(got)) => {
                assert_eq!(got.rcode, want.rcode, "{q} {rtype}\n{text}");
                let shape = |records: &[Record]| -> Vec<(Name, u32, RData)> {
                    records
                        .iter()
                        .map(|r| (r.name.to_lowercase(), r.ttl, r.data.clone()))
                        .collect()
                };
                assert_eq!(
                    shape(&got.records),
                    shape(&want.records),
                    "{q} {rtype}\n{text}"
                );
            }
            (Err(want), Err(got)) => {
                assert_eq!(got, want, "{q} {rtype}\n{text}");
                assert_eq!(got.to_string(), want.to_string());
            }
            _ => panic!("{q} {rtype}: recorded {lookup:?}, replayed {again:?}\n{text}"),
        }
    }
    text
}

#[test]
fn txt_strings_with_quotes_backslashes_and_non_ascii_read_back_the_same() {
    let owner = name("odd.example.");
    let strings: Vec<Vec<u8>> = vec![
        b"say \"hi\"".to_vec(),
        b"back\\slash; (paren) $dollar @at".to_vec(),
        "caf\u{e9} \u{1f4e7}".as_bytes().to_vec(),
        vec![0, 9, 10, 13, 127, 255],
        Vec::new(),
    ];
    let txt = TXT::from_bytes(strings.iter().map(Vec::as_slice).collect());
    let answers = vec![(
        owner.clone(),
        RecordType::TXT,
        found(vec![record(&owner, 300, RData::TXT(txt))]),
    )];
    let text = assert_replays(&answers);
    assert!(text.contains(r#""say \"hi\"""#), "{text}");
    assert!(
        text.contains(r#""back\\slash; (paren) $dollar @at""#),
        "{text}"
    );
    assert!(text.contains(r#""caf\195\169 \240\159\147\167""#), "{text}");
    assert!(text.contains(r#""\000\009\010\013\127\255" """#), "{text}");
}

#[test]
fn a_txt_string_over_255_bytes_is_split_into_strings_of_255() {
    let owner = name("long.example.");
    let long: Vec<u8> = (0..600u32).map(|i| b'a' + (i % 26) as u8).collect();
    let txt = TXT::from_bytes(vec![long.as_slice()]);
    let text = master_file(&[(
        owner.clone(),
        RecordType::TXT,
        found(vec![record(&owner, 60, RData::TXT(txt))]),
    )]);
    let line = text
        .lines()
        .find(|l| l.starts_with("long.example."))
        .expect("the record");
    let strings: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
    assert_eq!(
        strings.iter().map(|s| s.len()).collect::<Vec<_>>(),
        [255, 255, 90]
    );
    let (_, zones) = replay(&[]);
    drop(zones);
    let zone = Zone::parse(&text, Path::new("saved.zone")).expect("loads");
    let answer = from_zone(&ZoneSet::new(vec![zone]), &owner, RecordType::TXT).expect("answer");
    assert_eq!(answer.txt(), vec![long]);
}

#[test]
fn names_with_any_octet_read_back_as_the_same_name() {
    let labels: Vec<&[u8]> = vec![
        b"dot.in.label",
        b"sp ace",
        b"q\"uote",
        b"semi;colon",
        b"(paren)",
        b"@at",
        b"$dollar",
        b"back\\slash",
        &[0, 0x7f, 0xc3, 0xa9, 0xff],
        b"example",
    ];
    let owner = Name::from_labels(labels).expect("name");
    let target = Name::from_labels(vec![&b"mx.with space"[..], b"example"]).expect("name");
    let answers = vec![
        (
            owner.clone(),
            RecordType::MX,
            found(vec![record(
                &owner,
                300,
                RData::MX(MX::new(10, target.clone())),
            )]),
        ),
        (
            target.clone(),
            RecordType::A,
            found(vec![record(&target, 300, RData::A(A::new(192, 0, 2, 1)))]),
        ),
    ];
    let text = assert_replays(&answers);
    assert!(
        text.contains(
            r#"dot\.in\.label.sp\032ace.q\"uote.semi\;colon.\(paren\).\@at.\$dollar.back\\slash.\000\127\195\169\255.example."#
        ),
        "{text}"
    );
    assert!(text.contains(r"10 mx\.with\032space.example."), "{text}");
}

#[test]
fn every_record_of_a_cname_chain_is_written_and_replayed_in_order() {
    let asked = name("www.chain.example.");
    let middle = name("cdn.chain.example.");
    let end = name("edge.provider.example.");
    let chain = vec![
        record(&asked, 300, RData::CNAME(CNAME(middle.clone()))),
        record(&middle, 120, RData::CNAME(CNAME(end.clone()))),
        record(&end, 60, RData::A(A::new(192, 0, 2, 7))),
        record(&end, 60, RData::A(A::new(192, 0, 2, 8))),
    ];
    // The AAAA question ends in NODATA at the end of the chain.
    let answers = vec![
        (asked.clone(), RecordType::A, found(chain.clone())),
        (
            asked.clone(),
            RecordType::AAAA,
            negative(Rcode::NoError, chain[..2].to_vec()),
        ),
    ];
    let text = assert_replays(&answers);
    // Each record once, though two answers held the chain.
    assert_eq!(text.matches("CNAME").count(), 2, "{text}");
    assert!(
        text.contains("; NODATA edge.provider.example. AAAA"),
        "{text}"
    );
}

#[test]
fn every_type_the_checks_ask_reads_back() {
    let owner = name("types.example.");
    let soa = SOA::new(
        name("ns1.types.example."),
        name("hostmaster.types.example."),
        2026120401,
        7200,
        3600,
        1209600,
        300,
    );
    let tlsa = TLSA::new(
        CertUsage::DaneEe,
        Selector::Spki,
        Matching::Sha256,
        vec![0xab; 32],
    );
    let other = name("other.example.");
    let other_soa = SOA::new(
        name("ns.other.example."),
        name("dns\\.admin.other.example."),
        1,
        2,
        3,
        4,
        5,
    );
    let reverse = name("1.2.0.192.in-addr.arpa.");
    let tlsa_owner = name("_25._tcp.mx.types.example.");
    let caa = name("caa.types.example.");
    let unknown = RData::Unknown {
        code: RecordType::Unknown(65280),
        rdata: hickory_resolver::proto::rr::rdata::NULL::with(vec![1, 2, 3, 0xff]),
    };
    let answers = vec![
        (
            owner.clone(),
            RecordType::A,
            found(vec![record(&owner, 1, RData::A(A::new(192, 0, 2, 1)))]),
        ),
        (
            owner.clone(),
            RecordType::AAAA,
            found(vec![record(
                &owner,
                2,
                RData::AAAA(AAAA::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            )]),
        ),
        (
            owner.clone(),
            RecordType::MX,
            found(vec![
                record(&owner, 3, RData::MX(MX::new(20, name("b.types.example.")))),
                record(&owner, 3, RData::MX(MX::new(10, name("a.types.example.")))),
            ]),
        ),
        (
            owner.clone(),
            RecordType::TXT,
            found(vec![
                record(&owner, 4, RData::TXT(TXT::new(vec!["v=spf1 -all".into()]))),
                record(&owner, 4, RData::TXT(TXT::new(vec!["second".into()]))),
            ]),
        ),
        (
            owner.clone(),
            RecordType::SOA,
            found(vec![record(&owner, 5, RData::SOA(soa))]),
        ),
        // Records of a second zone's apex: a recording is no one zone, so
        // neither the NS records (a delegation) nor a second SOA stop it.
        (
            other.clone(),
            RecordType::SOA,
            found(vec![record(&other, 9, RData::SOA(other_soa))]),
        ),
        (
            owner.clone(),
            RecordType::NS,
            found(vec![record(
                &owner,
                10,
                RData::NS(NS(name("ns1.types.example."))),
            )]),
        ),
        (
            reverse.clone(),
            RecordType::PTR,
            found(vec![record(&reverse, 6, RData::PTR(PTR(owner.clone())))]),
        ),
        (
            tlsa_owner.clone(),
            RecordType::TLSA,
            found(vec![record(&tlsa_owner, 7, RData::TLSA(tlsa))]),
        ),
        (
            caa.clone(),
            RecordType::Unknown(65280),
            found(vec![record(&caa, 8, unknown)]),
        ),
    ];
    let text = assert_replays(&answers);
    for line in [
        "types.example.\t1\tIN\tA\t192.0.2.1",
        "types.example.\t2\tIN\tAAAA\t2001:db8::1",
        // An RRset keeps the order of the answer (a replay gives it back so).
        "types.example.\t3\tIN\tMX\t20 b.types.example.\ntypes.example.\t3\tIN\tMX\t10 a.types.example.",
        "types.example.\t4\tIN\tTXT\t\"v=spf1 -all\"",
        "types.example.\t5\tIN\tSOA\tns1.types.example. hostmaster.types.example. 2026120401 7200 3600 1209600 300",
        "1.2.0.192.in-addr.arpa.\t6\tIN\tPTR\ttypes.example.",
        "_25._tcp.mx.types.example.\t7\tIN\tTLSA\t3 1 1 ABABABAB",
        "caa.types.example.\t8\tIN\tTYPE65280\t\\# 4 010203FF",
        "other.example.\t9\tIN\tSOA\tns.other.example. dns\\.admin.other.example. 1 2 3 4 5",
        "types.example.\t10\tIN\tNS\tns1.types.example.",
    ] {
        assert!(text.contains(line), "no {line:?} in\n{text}");
    }
}

#[test]
fn negative_answers_are_comments_and_a_bare_nodata_is_a_directive() {
    let gone = name("_dmarc.gone.example.");
    let apex = name("kept.example.");
    let bare = name("bare.example.");
    let answers = vec![
        (
            gone.clone(),
            RecordType::TXT,
            negative(Rcode::NxDomain, vec![]),
        ),
        (
            apex.clone(),
            RecordType::MX,
            found(vec![record(
                &apex,
                300,
                RData::MX(MX::new(0, Name::root())),
            )]),
        ),
        (
            apex.clone(),
            RecordType::AAAA,
            negative(Rcode::NoError, vec![]),
        ),
        (
            bare.clone(),
            RecordType::A,
            negative(Rcode::NoError, vec![]),
        ),
    ];
    let text = assert_replays(&answers);
    assert!(text.contains("; NXDOMAIN _dmarc.gone.example.\n"), "{text}");
    assert!(text.contains("; NODATA kept.example. AAAA\n"), "{text}");
    // Nothing else in the file makes bare.example exist: the directive does.
    assert!(text.contains("\n$NODATA bare.example. A\n"), "{text}");
    assert!(text.contains("kept.example.\t300\tIN\tMX\t0 .\n"), "{text}");
}

#[test]
fn every_kind_of_failure_replays_with_the_same_words() {
    let server: std::net::SocketAddr = "127.0.0.1:5353".parse().expect("addr");
    let server6: std::net::SocketAddr = "[::1]:53".parse().expect("addr");
    let failures = [
        DnsFailure::ServFail,
        DnsFailure::Refused,
        DnsFailure::Timeout,
        DnsFailure::Referral {
            server,
            zone: "example.org".into(),
        },
        DnsFailure::Lame { server: server6 },
        DnsFailure::Local("no file descriptor left (\"EMFILE\")".into()),
        DnsFailure::Other("malformed answer: caf\u{e9} \\ done".into()),
    ];
    let answers: Vec<(Name, RecordType, Lookup)> = failures
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                name(&format!("f{i}.example.")),
                RecordType::TXT,
                Err(f.clone()),
            )
        })
        .collect();
    let text = assert_replays(&answers);
    assert!(text.contains("$FAIL f0.example. TXT servfail\n"), "{text}");
    assert!(
        text.contains("$FAIL f3.example. TXT referral 127.0.0.1:5353 \"example.org\"\n"),
        "{text}"
    );
    assert!(
        text.contains("$FAIL f4.example. TXT lame [::1]:53\n"),
        "{text}"
    );
    // Another type of a failed name is not failed.
    let (_, zones) = replay(&answers);
    assert!(from_zone(&zones, &name("f0.example."), RecordType::A).is_ok());
}

#[test]
fn the_file_is_the_same_whatever_order_the_answers_came_in() {
    let a = name("a.example.");
    let b = name("B.example.");
    let answers = vec![
        (
            b.clone(),
            RecordType::A,
            found(vec![record(&b, 300, RData::A(A::new(192, 0, 2, 2)))]),
        ),
        (
            a.clone(),
            RecordType::TXT,
            found(vec![record(
                &a,
                300,
                RData::TXT(TXT::new(vec!["x".into()])),
            )]),
        ),
        (a.clone(), RecordType::A, Err(DnsFailure::Timeout)),
    ];
    let mut reversed = answers.clone();
    reversed.reverse();
    let text = master_file(&answers);
    assert_eq!(text, master_file(&reversed));
    // Canonical order (RFC 4034 6.1), owners lower-cased, then by type.
    let a_txt = text.find("a.example.\t300\tIN\tTXT").expect("a TXT");
    let a_fail = text.find("$FAIL a.example. A timeout").expect("a A");
    let b_a = text.find("b.example.\t300\tIN\tA").expect("b A");
    assert!(a_fail < a_txt && a_txt < b_a, "{text}");
}

#[test]
fn an_answer_had_after_a_failure_is_what_the_recorder_keeps() {
    let q = name("retry.example.");
    let answer = found(vec![record(&q, 300, RData::A(A::new(192, 0, 2, 9)))]);
    let recorder = Recorder::new();
    recorder.learn(&q, RecordType::A, &Err(DnsFailure::Timeout));
    recorder.learn(&q, RecordType::A, &answer);
    recorder.learn(&q, RecordType::A, &Err(DnsFailure::ServFail));
    assert_eq!(recorder.len(), 1);
    let text = recorder.master_file();
    assert!(
        text.contains("retry.example.\t300\tIN\tA\t192.0.2.9"),
        "{text}"
    );
    assert!(!text.contains("\n$FAIL"), "{text}");
}

#[test]
fn bad_directives_are_errors_naming_the_line() {
    for (text, words) in [
        (
            "$ORIGIN .\n$FAIL x. TXT bogus\n",
            "unknown kind of failure bogus",
        ),
        (
            "$ORIGIN .\n$FAIL x. TXT\n",
            "$FAIL takes a name, a record type",
        ),
        ("$ORIGIN .\n$FAIL x. TXT servfail extra\n", "takes nothing"),
        (
            "$ORIGIN .\n$FAIL x. TXT lame nowhere\n",
            "nowhere is not a nameserver address",
        ),
        (
            "$ORIGIN .\n$FAIL x. NOTATYPE servfail\n",
            "unknown record type",
        ),
        (
            "$ORIGIN .\n$NODATA x.\n",
            "$NODATA takes a name and a record type",
        ),
        ("$ORIGIN .\n$UNHEARD x.\n", "unknown directive $UNHEARD"),
    ] {
        let err = Zone::parse(text, Path::new("saved.zone")).expect_err(text);
        assert_eq!(err.line, 2, "{text}: {err}");
        assert!(err.to_string().contains(words), "{text}: {err}");
    }
}
