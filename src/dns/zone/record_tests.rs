//! Reading record types through `domain` and mailcheck's own readers, DNSSEC
//! mnemonics, repeated SOAs, zone names given with the file, `$GENERATE`.

use super::tests::{HEAD, assert_error, n, of_type, path, zone};
use super::*;

/// The wire form of the single record of `rtype` at `owner`.
fn wire_of(zone: &Zone, owner: &str, rtype: RecordType) -> Vec<u8> {
    use hickory_resolver::proto::serialize::binary::{BinEncodable, BinEncoder};
    let records = of_type(zone, owner, rtype);
    assert_eq!(records.len(), 1, "{owner} {rtype}: {records:?}");
    let mut wire = Vec::new();
    records[0]
        .data
        .emit(&mut BinEncoder::new(&mut wire))
        .unwrap();
    wire
}

fn hex(text: &str) -> Vec<u8> {
    lex::decode_hex(text.as_bytes()).unwrap()
}

#[test]
fn every_record_type_of_a_real_zone_loads() {
    let z = zone(&format!(
        "{HEAD}@ IN HTTPS 1 . alpn=h2\n\
         www SVCB 1 web alpn=\"h2,h3\" port=8443 ipv4hint=192.0.2.80\n\
         @ CAA 0 issue \"letsencrypt.org\"\n\
         _25._tcp TLSA 3 1 1 0123456789abcdef\n\
         @ SSHFP 4 2 0123456789abcdef\n\
         @ NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .\n\
         @ LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m\n\
         b LOC 42 21 54 N 71 06 18 W -24m 30m\n\
         _http._tcp URI 10 1 \"http://www.example.com/\"\n\
         @ DNSKEY 257 3 13 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ== )\n\
         sub DS 12345 13 2 2BB183AF5F22588179A53B0A98631FAD1A2921182BB183AF5F22588179A53B0A\n\
         @ RRSIG A 13 2 3600 20360101000000 20260101000000 12345 example.com. mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n\
         @ NSEC www.example.com. A NS SOA RRSIG NSEC DNSKEY\n\
         h NSEC3 1 0 10 AABBCCDD ( 2t7b4g4vsa5smi47k61mv5bv1a22bojr ) A RRSIG\n\
         @ NSEC3PARAM 1 0 10 AABBCCDD\n\
         @ CDS 0 0 0 00\n\
         @ CDNSKEY 0 3 0 AA==\n\
         k OPENPGPKEY AAAA\n\
         s SMIMEA 3 1 1 0123\n\
         @ HINFO \"PC\" \"Linux\"\n\
         @ RP mbox.example.com. txt.example.com.\n\
         _sip._tcp SRV 0 5 5060 sip\n\
         old DNAME example.net.\n\
         @ SPF \"v=spf1 -all\"\n\
         afs AFSDB 1 afs.example.com.\n\
         e EUI48 00-00-5e-00-53-2a\n\
         l L64 10 2001:0db8:1140:1000\n\
         d DHCID AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=\n\
         @ ZONEMD 2026 1 1 ( 0123456789abcdef0123456789abcdef0123456789abcdef\n\
           0123456789abcdef0123456789abcdef0123456789abcdef )\n"
    ));
    assert!(matches!(
        &of_type(&z, "example.com.", RecordType::HTTPS)[0].data,
        RData::HTTPS(_)
    ));
    assert!(matches!(
        &of_type(&z, "www.example.com.", RecordType::SVCB)[0].data,
        RData::SVCB(_)
    ));
    for (owner, rtype) in [
        ("example.com.", RecordType::CAA),
        ("_25._tcp.example.com.", RecordType::TLSA),
        ("example.com.", RecordType::SSHFP),
        ("example.com.", RecordType::NAPTR),
        ("example.com.", RecordType::DNSKEY),
        ("sub.example.com.", RecordType::DS),
        ("example.com.", RecordType::RRSIG),
        ("example.com.", RecordType::NSEC),
        ("h.example.com.", RecordType::NSEC3),
        ("example.com.", RecordType::NSEC3PARAM),
        ("example.com.", RecordType::CDS),
        ("example.com.", RecordType::CDNSKEY),
        ("k.example.com.", RecordType::OPENPGPKEY),
        ("example.com.", RecordType::HINFO),
        ("_sip._tcp.example.com.", RecordType::SRV),
        ("old.example.com.", RecordType::DNAME),
    ] {
        assert_eq!(of_type(&z, owner, rtype).len(), 1, "{owner} {rtype}");
    }
    // Types read here, checked against the wire form dnspython gives.
    let code = RecordType::from;
    assert_eq!(
        wire_of(&z, "example.com.", code(29)),
        hex("000016138b3cf018810cbce0009895b8")
    );
    assert_eq!(
        wire_of(&z, "b.example.com.", code(29)),
        hex("0033161389172dd070be15f000988d20")
    );
    assert_eq!(
        wire_of(&z, "_http._tcp.example.com.", code(256)),
        hex("000a0001687474703a2f2f7777772e6578616d706c652e636f6d2f")
    );
    assert_eq!(
        wire_of(&z, "e.example.com.", code(108)),
        hex("00005e00532a")
    );
    assert_eq!(
        wire_of(&z, "l.example.com.", code(106)),
        hex("000a20010db811401000")
    );
    assert_eq!(
        wire_of(&z, "afs.example.com.", code(18)),
        hex("000103616673076578616d706c6503636f6d00")
    );
    assert_eq!(wire_of(&z, "s.example.com.", code(53)), hex("0301010123"));
    assert_eq!(of_type(&z, "d.example.com.", code(49)).len(), 1);
    assert_eq!(of_type(&z, "example.com.", code(63)).len(), 1);
    assert_eq!(wire_of(&z, "example.com.", code(99)), b"\x0bv=spf1 -all");
    assert_error(
        &format!("{HEAD}@ LOC 91 0 0 N 0 E 0m\n"),
        6,
        "bad LOC record data",
    );
    assert_error(
        &format!("{HEAD}e EUI48 00-00-5e\n"),
        6,
        "6 groups of 2 hex digits",
    );
}

#[test]
fn dnssec_algorithm_and_digest_mnemonics() {
    // RFC 4034 A.1: the mnemonic and the number are the same record.
    let key =
        "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==";
    let digest = "2BB183AF5F22588179A53B0A98631FAD1A2921182BB183AF5F22588179A53B0A";
    let z = zone(&format!(
        "{HEAD}a DNSKEY 257 3 ECDSAP256SHA256 {key}\nb DNSKEY 257 3 13 {key}\n\
         a DS 1 ecdsap256sha256 SHA-256 {digest}\nb DS 1 13 2 {digest}\n\
         a RRSIG A RSASHA256 2 300 20360101000000 20260101000000 3 example.com. AAAA\n\
         b RRSIG A 8 2 300 20360101000000 20260101000000 3 example.com. AAAA\n"
    ));
    for rtype in [RecordType::DNSKEY, RecordType::DS, RecordType::RRSIG] {
        assert_eq!(
            wire_of(&z, "a.example.com.", rtype),
            wire_of(&z, "b.example.com.", rtype),
            "{rtype}"
        );
    }
    assert_error(
        &format!("{HEAD}a DNSKEY 257 3 NOSUCHALG {key}\n"),
        6,
        "at 'NOSUCHALG'",
    );
}

#[test]
fn a_repeated_identical_soa_is_one_record() {
    // Every `dig axfr` dump ends with the SOA it started with.
    let soa = "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300\n";
    let z = zone(&format!(
        "{soa}example.com. 3600 IN NS ns1.example.com.\n{soa}"
    ));
    assert_eq!(of_type(&z, "example.com.", RecordType::SOA).len(), 1);
    assert_eq!(z.records.len(), 2);
    // A different SOA is still an error, at its line.
    assert_error(
        &format!("{soa}{}", soa.replace(" 1 7200", " 2 7200")),
        2,
        "second SOA",
    );
}

#[test]
fn zone_name_given_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("panel.txt");
    std::fs::write(
        &file,
        "$TTL 300\n@ IN SOA ns1 hostmaster 1 2 3 4 5\n@ IN MX 10 mail\nmail IN A 192.0.2.25\n",
    )
    .unwrap();
    let e = Zone::load(&file).unwrap_err();
    assert!(e.message.contains("--zone NAME=FILE"), "{e}");

    let arg = format!("Panel.Example={}", file.display());
    let source = ZoneSource::from_arg(Path::new(&arg)).unwrap();
    assert_eq!(source.path, file);
    assert_eq!(source.origin, Some(n("panel.example.")));
    let z = Zone::load_source(&source).unwrap();
    assert_eq!(z.origin, n("panel.example."));
    assert!(matches!(
        &of_type(&z, "panel.example.", RecordType::MX)[0].data,
        RData::MX(mx) if mx.exchange == n("mail.panel.example.")
    ));
    // The whole argument is a path when such a file exists, '=' or not.
    let odd = dir.path().join("a=b.zone");
    std::fs::write(&odd, HEAD).unwrap();
    let source = ZoneSource::from_arg(&odd).unwrap();
    assert_eq!((source.path, source.origin), (odd, None));
    // A plain path stays a path.
    let source = ZoneSource::from_arg(Path::new("/nonexistent/x.zone")).unwrap();
    assert_eq!(source.origin, None);
}

#[test]
fn generate_expands_ranges_as_bind_does() {
    let z = zone(
        "$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 3600\n@ SOA ns1.example.com. h.example.com. 1 2 3 4 5\n\
         $GENERATE 1-3 $ PTR host$.example.com.\n\
         $GENERATE 100-140/20 ${0,4,d} 300 IN PTR h${-100,2,x}-${0,0,X}-${1,0,o}.example.com.\n\
         $GENERATE 7-7 a\\$b$$c$ TXT x$\n\
         $GENERATE 1-1 n${0,3,n} A 192.0.2.$\n",
    );
    let ptr = |owner: &str| match &of_type(&z, owner, RecordType::PTR)[..] {
        [r] => match &r.data {
            RData::PTR(p) => (p.0.to_string(), r.ttl),
            other => panic!("{other:?}"),
        },
        other => panic!("{owner}: {other:?}"),
    };
    assert_eq!(
        ptr("3.2.0.192.in-addr.arpa."),
        ("host3.example.com.".into(), 3600)
    );
    assert_eq!(
        ptr("0120.2.0.192.in-addr.arpa."),
        ("h14-78-171.example.com.".into(), 300)
    );
    assert_eq!(
        of_type(&z, "0140.2.0.192.in-addr.arpa.", RecordType::PTR).len(),
        1
    );
    let dollar = Name::from_labels(vec![
        &b"a$b$c7"[..],
        b"2",
        b"0",
        b"192",
        b"in-addr",
        b"arpa",
    ])
    .unwrap();
    assert!(z.records.iter().any(|r| r.name == dollar
        && matches!(&r.data, RData::TXT(t) if t.txt_data.concat() == b"x7".to_vec())));
    assert_eq!(
        of_type(&z, "n1.0.0.2.0.192.in-addr.arpa.", RecordType::A).len(),
        1
    );
    assert_eq!(z.records.len(), 1 + 3 + 3 + 1 + 1);

    for (line, needle) in [
        ("$GENERATE 5-1 $ A 192.0.2.1", "start above stop"),
        ("$GENERATE 1-2/0 $ A 192.0.2.1", "step of 0"),
        ("$GENERATE x $ A 192.0.2.1", "range 'x'"),
        ("$GENERATE 1-2 $", "takes a range"),
        ("$GENERATE 1-2 ${1,2,q} A 192.0.2.1", "bad modifier"),
        ("$GENERATE 1-2 ${-5} A 192.0.2.1", "bad modifier"),
        ("$GENERATE 1-2 $ A 192.0.2.$$", "bad A record data"),
        (
            "$GENERATE 0-4294967295 $ TXT x",
            "more than 10000000 records",
        ),
    ] {
        assert_error(&format!("{HEAD}{line}\n"), 6, needle);
    }
}

/// Random record data for every type the readers know: `domain`'s scanners and
/// mailcheck's own must refuse nonsense with an error, never panic.
#[test]
fn random_record_data_of_every_type_does_not_panic() {
    let types = [
        "A",
        "AAAA",
        "MX",
        "TXT",
        "CNAME",
        "NS",
        "PTR",
        "SOA",
        "SRV",
        "CAA",
        "TLSA",
        "SMIMEA",
        "SSHFP",
        "NAPTR",
        "LOC",
        "URI",
        "DNSKEY",
        "CDNSKEY",
        "DS",
        "CDS",
        "RRSIG",
        "NSEC",
        "NSEC3",
        "NSEC3PARAM",
        "OPENPGPKEY",
        "HINFO",
        "RP",
        "DNAME",
        "SVCB",
        "HTTPS",
        "ZONEMD",
        "IPSECKEY",
        "AFSDB",
        "KX",
        "L32",
        "L64",
        "NID",
        "EUI48",
        "EUI64",
        "DHCID",
        "SPF",
        "TYPE65280",
        "DLV",
    ];
    let pool = [
        "0",
        "1",
        "13",
        "65535",
        "65536",
        "4294967296",
        "-1",
        "1h",
        ".",
        "@",
        "x",
        "a.b.",
        "\\#",
        "\\# 0",
        "AAAA",
        "AA==",
        "====",
        "00",
        "0g",
        "\"q\"",
        "\"\"",
        "alpn=h2",
        "alpn=\"h2,h3\"",
        "port=99999",
        "mandatory=alpn",
        "key65535=x",
        "ipv4hint=1.2.3.4",
        "ech=",
        "N",
        "S",
        "E",
        "W",
        "90",
        "181",
        "59.999",
        "-100000m",
        "1e9m",
        "ECDSAP256SHA256",
        "SHA-256",
        "A",
        "RRSIG",
        "TYPE0",
        "20360101000000",
        "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
        "-",
        "00-00",
        "1:2:3:4",
        "192.0.2.1",
        "2001:db8::1",
        "\\255",
        "\\046",
        "(",
        ")",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    for _ in 0..4000 {
        let mut line = format!("{HEAD}x {}", types[next(types.len())]);
        for _ in 0..next(12) {
            line.push(' ');
            line.push_str(pool[next(pool.len())]);
        }
        line.push('\n');
        let _ = Zone::parse(&line, path());
    }
}

/// The RDATA of one record, read by the fast path (None when it declines)
/// and by `domain`'s scanners.
fn both_paths(
    rtype: RecordType,
    tokens: &[lex::Token<'_>],
    origin: &lex::DName,
) -> (Option<Vec<u8>>, Result<Vec<u8>, String>) {
    let mut fast = Vec::new();
    let fast = convert::fast_wire(rtype, tokens, Some(origin), &mut fast).then_some(fast);
    let slow = convert::scan_rdata(rtype, tokens, Some(origin), 1)
        .map(|(wire, _)| wire)
        .map_err(|fail| fail.message);
    (fast, slow)
}

/// Every record data the fast path reads, `domain` reads to the same wire
/// form; what the fast path declines goes to `domain`, so the two accept and
/// refuse the same records.
fn assert_paths_agree(rtype: RecordType, tokens: &[lex::Token<'_>], origin: &lex::DName) -> bool {
    let (fast, slow) = both_paths(rtype, tokens, origin);
    let Some(fast) = fast else {
        return false;
    };
    let texts: Vec<String> = tokens
        .iter()
        .map(|t| String::from_utf8_lossy(&t.text).into_owned())
        .collect();
    assert_eq!(Ok(fast), slow, "{rtype} {texts:?}");
    true
}

#[test]
fn fast_path_agrees_with_domain() {
    let origin = lex::DName::from_name(&n("example.com."));
    let cases: &[(&str, &[&str])] = &[
        (
            "A",
            &[
                "192.0.2.1",
                "\"192.0.2.1\"",
                "0.0.0.0",
                "255.255.255.255",
                "256.1.1.1",
                "01.2.3.4",
                "1.2.3",
                "1.2.3.4.5",
                "192.0.2.1 extra",
                "",
                "\\049.2.3.4",
                "1.2.3.4x",
                "+1.2.3.4",
                " 1.2.3.4",
                "\\# 4 c0000201",
            ],
        ),
        (
            "AAAA",
            &[
                "2001:db8::1",
                "::",
                "::ffff:192.0.2.1",
                "2001:DB8::A",
                "2001:db8:::1",
                "\"2001:db8::1\"",
                "2001:db8::1 x",
                "1.2.3.4",
                "2001:db8::g",
            ],
        ),
        (
            "MX",
            &[
                "10 mx.example.com.",
                "0 .",
                "65535 mx",
                "65536 mx",
                "010 mx",
                "+10 mx",
                "\"10\" mx",
                "10 \"mx\"",
                "10",
                "10 mx extra",
                "mx 10",
                "1\\048 mx",
                "10 @",
                "10 a..b",
                "10 Mx.Example.COM",
                "10 a\\.b",
                "10 \\065bc",
                "99999 mx",
                "-1 mx",
                "10 *.example.com.",
            ],
        ),
        (
            "SRV",
            &[
                "0 5 5060 sip.example.com.",
                "1 2 3 .",
                "1 2 65536 x",
                "1 2 x",
                "1 2 3 4 5",
                "\"1\" 2 3 t",
                "01 02 03 t",
            ],
        ),
        (
            "TXT",
            &[
                "\"v=spf1 -all\"",
                "plain",
                "\"a\" \"b\" c",
                "\"\"",
                "\"a\\\"b\"",
                "\"a\\059b\"",
                "a\\032b",
                "\"\\255\"",
                "\"semi;colon\"",
                "\"tab\there\"",
                "\"caf\u{e9}\"",
                "\\# 3 026869",
                "\"\\#\" 3 026869",
                "\\#",
            ],
        ),
        (
            "CNAME",
            &[
                "www",
                "www.example.org.",
                "@",
                "\"www\"",
                "a b",
                ".",
                "a..b",
            ],
        ),
        ("NS", &["ns1", "ns1.example.net.", "\\@", "x\\000y"]),
        ("PTR", &["host.example.", "1.2.0.192.in-addr.arpa."]),
    ];
    let mut read_fast = 0;
    for (rtype, datas) in cases {
        let rtype: RecordType = rtype.parse().unwrap();
        for data in *datas {
            let text = format!("{data}\n");
            let mut lexer = lex::Lexer::new(text.as_bytes());
            let tokens = match lexer.next_entry() {
                Ok(Some(entry)) => entry.tokens,
                _ => Vec::new(),
            };
            read_fast += usize::from(assert_paths_agree(rtype, &tokens, &origin));
        }
    }
    // Long strings: 255 bytes is one character-string, 256 is refused.
    for len in [254, 255, 256, 300] {
        let text = format!("\"{}\" x\n", "a".repeat(len));
        let tokens = lex::Lexer::new(text.as_bytes())
            .next_entry()
            .unwrap()
            .unwrap()
            .tokens;
        let (fast, slow) = both_paths(RecordType::TXT, &tokens, &origin);
        assert_eq!(fast.is_some(), len <= 255);
        assert_eq!(slow.is_ok(), len <= 255, "{len}");
        read_fast += usize::from(assert_paths_agree(RecordType::TXT, &tokens, &origin));
    }
    assert!(
        read_fast > 40,
        "the fast path read only {read_fast} records"
    );

    // Every record of the fast types in the zone files of the test corpus.
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "zone" || e == "db") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 50, "{} zone files", files.len());
    let fast_types = [
        RecordType::A,
        RecordType::AAAA,
        RecordType::MX,
        RecordType::SRV,
        RecordType::TXT,
        RecordType::CNAME,
        RecordType::NS,
        RecordType::PTR,
    ];
    let mut compared = 0;
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let mut lexer = lex::Lexer::new(&bytes);
        while let Ok(Some(entry)) = lexer.next_entry() {
            let at = entry.tokens.iter().position(|t| {
                convert::parse_type(t).is_ok_and(|rtype| fast_types.contains(&rtype))
            });
            let Some(at) = at else { continue };
            let rtype = convert::parse_type(&entry.tokens[at]).unwrap();
            let (fast, slow) = both_paths(rtype, &entry.tokens[at + 1..], &origin);
            if let Some(fast) = fast {
                assert_eq!(Ok(fast), slow, "{}:{}", file.display(), entry.line);
                compared += 1;
            }
        }
    }
    assert!(
        compared > 500,
        "only {compared} records of the corpus compared"
    );
}

/// Owner names made from the wire form are the names hickory makes from
/// their labels: case and escaped bytes kept, fully qualified.
#[test]
fn owner_names_from_wire_form_are_hickorys_names() {
    let origin = lex::DName::from_name(&n("Example.COM."));
    for text in [
        "www",
        "a\\.b",
        "x\\000y",
        "@",
        "*.wild",
        "UPPER.case.",
        "\\255\\032z",
        ".",
    ] {
        let line = format!("{text}\n");
        let tokens = lex::Lexer::new(line.as_bytes())
            .next_entry()
            .unwrap()
            .unwrap()
            .tokens;
        let name = lex::parse_name(&tokens[0], Some(&origin)).unwrap();
        let made = name.to_name().unwrap();
        let labels = Name::from_labels(name.labels()).unwrap();
        assert_eq!(made, labels, "{text}");
        assert!(made.is_fqdn(), "{text}");
        assert_eq!(made.to_string(), labels.to_string(), "{text}");
        let raw: Vec<&[u8]> = made.iter().collect();
        let expected: Vec<&[u8]> = labels.iter().collect();
        assert_eq!(raw, expected, "{text}");
    }
}

/// The record types `read` recognises without an upper-case copy are the
/// ones `parse_type` reads from the same words; other words are left to it.
#[test]
fn common_type_words_read_as_parse_type_reads_them() {
    let words = [
        "A", "a", "AAAA", "aaaa", "Mx", "txt", "CNAME", "ns", "PTR", "srv", "SOA", "AA", "TXT2",
        "IN", "TYPE1", "",
    ];
    let mut known = 0;
    for word in words {
        let line = format!("x{word}\n");
        let mut tokens = lex::Lexer::new(line.as_bytes())
            .next_entry()
            .unwrap()
            .unwrap()
            .tokens;
        tokens[0].text = tokens[0].text[1..].to_vec().into();
        let Some(rtype) = read::common_type(&tokens[0].text) else {
            continue;
        };
        known += 1;
        assert_eq!(convert::parse_type(&tokens[0]).unwrap(), rtype, "{word}");
    }
    assert_eq!(known, 10);
}
