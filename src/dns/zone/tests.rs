use super::*;
use std::net::Ipv4Addr;

const DKIM_KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsFi8wBAPK9dJpkI49cnI5bDPhpBMxx8acOCwBv5A+13DtpPaEcq3eUPh74jBkQxaaQRZvSPzNoLYGiSy13QNoKMG1rRQLknssOwh1z+874E94UoYvBoVfsOy8cXQWqOgWhCcxYCfSVLzL+IqIjPNGPLNyagjVt636R0ivB8HHvONm4mqT5PTwIG4nMj34AXaz05vgFSDEDrwVouLd8EBVopEdNhVBQIbEsqyb26w98X2u018jsnNLg/1ONo28vHEXBiVQBRfb08Ht9n3M9HDRZwmPmpzS198j/zaRiMsHzrAGo1etP2FfOUOUwwvmnMyIgjhD8TBDl/7gWlPatocmQIDAQAB";

pub(super) fn path() -> &'static Path {
    Path::new("t.zone")
}

pub(super) fn zone(text: &str) -> Zone {
    match Zone::parse(text, path()) {
        Ok(zone) => zone,
        Err(e) => panic!("{e}"),
    }
}

fn error(text: &str) -> ZoneError {
    match Zone::parse(text, path()) {
        Ok(zone) => panic!("parsed: {:?}", zone.records),
        Err(e) => e,
    }
}

pub(super) fn assert_error(text: &str, line: usize, needle: &str) {
    let e = error(text);
    assert_eq!(e.line, line, "{e}");
    assert!(e.message.contains(needle), "{e}");
}

pub(super) fn n(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

pub(super) fn of_type(zone: &Zone, owner: &str, rtype: RecordType) -> Vec<Record> {
    zone.records
        .iter()
        .filter(|r| r.name == n(owner) && r.record_type() == rtype)
        .cloned()
        .collect()
}

/// The TXT strings of the single TXT record at `owner`.
fn txt_strings(zone: &Zone, owner: &str) -> Vec<Vec<u8>> {
    let records = of_type(zone, owner, RecordType::TXT);
    assert_eq!(records.len(), 1, "{records:?}");
    match &records[0].data {
        RData::TXT(txt) => txt.txt_data.iter().map(|s| s.to_vec()).collect(),
        other => panic!("{other:?}"),
    }
}

fn txt(zone: &Zone, owner: &str) -> Vec<u8> {
    txt_strings(zone, owner).concat()
}

pub(super) const HEAD: &str = "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n  IN NS ns1\nns1 IN A 192.0.2.53\n";

#[test]
fn opendkim_genkey_layout() {
    let text = format!(
        "{HEAD}s1._domainkey\tIN\tTXT\t( \"v=DKIM1; h=sha256; k=rsa; \"\n\t  \"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA{}\" )  ; ----- DKIM key s1 for example.com\nafter IN A 192.0.2.1\n",
        &DKIM_KEY[44..200]
    );
    let z = zone(&text);
    let strings = txt_strings(&z, "s1._domainkey.example.com.");
    assert_eq!(strings.len(), 2);
    assert_eq!(
        txt(&z, "s1._domainkey.example.com."),
        format!("v=DKIM1; h=sha256; k=rsa; p={}", &DKIM_KEY[..200]).into_bytes()
    );
    // The record after the parenthesised one still parses, with its own owner.
    assert_eq!(of_type(&z, "after.example.com.", RecordType::A).len(), 1);
}

#[test]
fn opendkim_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/zonefiles");
    let z = Zone::load(&dir.join("opendkim.zone")).unwrap();
    assert_eq!(z.origin, n("example.com."));
    let key = txt_strings(&z, "mail._domainkey.example.com.");
    assert_eq!(key.len(), 3);
    assert_eq!(
        key.concat(),
        format!("v=DKIM1; h=sha256; k=rsa; p={DKIM_KEY}").into_bytes()
    );
    assert_eq!(
        txt(&z, "example.com."),
        b"v=spf1 mx ip4:192.0.2.0/24 -all".to_vec()
    );
    let soa = of_type(&z, "example.com.", RecordType::SOA);
    match &soa[0].data {
        RData::SOA(soa) => {
            assert_eq!(soa.serial, 2024010101);
            assert_eq!((soa.refresh, soa.retry, soa.expire), (3600, 900, 604_800));
            assert_eq!(soa.minimum, 300);
        }
        other => panic!("{other:?}"),
    }
    let set = ZoneSet::load(&[dir.join("opendkim.zone")]).unwrap();
    let mx = set.lookup(&n("EXAMPLE.com."), RecordType::MX);
    assert_eq!(mx.rcode, ZoneRcode::NoError);
    assert_eq!(mx.answers.len(), 1);

    let e = Zone::load(&dir.join("broken-quote.zone")).unwrap_err();
    assert_eq!(e.line, 7);
    assert!(
        e.to_string()
            .ends_with("broken-quote.zone:7: unterminated quoted string (no closing '\"')"),
        "{e}"
    );
}

#[test]
fn decimal_and_char_escapes() {
    let z = zone(&format!(
        "{HEAD}a TXT \"a\\059b\"\nb TXT \"\\255\" \"x\\000y\"\nc TXT \"say \\\"hi\\\" \\\\ \\q\"\nd TXT semi\\;colon\n"
    ));
    assert_eq!(txt(&z, "a.example.com."), b"a;b".to_vec());
    assert_eq!(
        txt_strings(&z, "b.example.com."),
        vec![vec![255u8], b"x\0y".to_vec()]
    );
    assert_eq!(txt(&z, "c.example.com."), b"say \"hi\" \\ q".to_vec());
    assert_eq!(txt(&z, "d.example.com."), b"semi;colon".to_vec());
    assert_error(&format!("{HEAD}a TXT \"\\256\"\n"), 6, "out of range");
    assert_error(
        &format!("{HEAD}a TXT \"\\12x\"\n"),
        6,
        "three decimal digits",
    );
}

#[test]
fn semicolon_in_quotes_is_not_a_comment() {
    let z = zone(&format!(
        "{HEAD}_dmarc TXT \"v=DMARC1; p=none; (x)\" ; a real comment \"with quote\n"
    ));
    assert_eq!(
        txt(&z, "_dmarc.example.com."),
        b"v=DMARC1; p=none; (x)".to_vec()
    );
}

#[test]
fn unquoted_txt_and_escaped_names() {
    let z = zone(&format!(
        "{HEAD}w TXT hello world\na\\.b A 192.0.2.1\n\\065BC A 192.0.2.2\n"
    ));
    assert_eq!(
        txt_strings(&z, "w.example.com."),
        vec![b"hello".to_vec(), b"world".to_vec()]
    );
    let dotted = Name::from_labels(vec![&b"a.b"[..], b"example", b"com"]).unwrap();
    assert_eq!(of_type(&z, &dotted.to_ascii(), RecordType::A).len(), 1);
    assert_eq!(of_type(&z, "abc.example.com.", RecordType::A).len(), 1);
}

#[test]
fn origin_first_versus_last() {
    let z = zone(
        "$ORIGIN example.com.\n@ SOA ns1 host 1 2 3 4 5\nwww A 192.0.2.1\n$ORIGIN sub\nwww A 192.0.2.2\n$ORIGIN other.example.com.\n@ A 192.0.2.3\n",
    );
    assert_eq!(z.origin, n("example.com."));
    assert_eq!(of_type(&z, "www.example.com.", RecordType::A).len(), 1);
    assert_eq!(of_type(&z, "www.sub.example.com.", RecordType::A).len(), 1);
    assert_eq!(of_type(&z, "other.example.com.", RecordType::A).len(), 1);
    // Without an SOA the first $ORIGIN is the apex.
    let z = zone("$ORIGIN example.org.\na A 192.0.2.1\n$ORIGIN sub.example.org.\nb A 192.0.2.2\n");
    assert_eq!(z.origin, n("example.org."));
    // Without $ORIGIN the SOA owner is the apex and completes relative names.
    let z = zone("Example.NET. 60 IN SOA ns1 host 1 2 3 4 5\nwww A 192.0.2.1\n");
    assert_eq!(z.origin, n("example.net."));
    assert_eq!(z.origin.to_string(), "example.net.");
    assert_eq!(of_type(&z, "www.example.net.", RecordType::A).len(), 1);
    // A BIND-style dump starts with $ORIGIN . and still has its SOA owner as apex.
    let z = zone(
        "$ORIGIN .\nexample.net 60 IN SOA ns1.example.net. host.example.net. 1 2 3 4 5\n$ORIGIN example.net.\nwww A 192.0.2.1\n",
    );
    assert_eq!(z.origin, n("example.net."));
}

#[test]
fn missing_origin_errors() {
    assert_error("www A 192.0.2.1\n", 1, "relative name 'www' but no $ORIGIN");
    assert_error("\n\n@ A 192.0.2.1\n", 3, "no $ORIGIN");
    assert_error(
        "; nothing useful\nwww.example.com. A 192.0.2.1\n",
        1,
        "no $ORIGIN and no SOA record: cannot tell which names this zone covers",
    );
    assert_error("", 1, "no $ORIGIN and no SOA record");
}

#[test]
fn ttls_and_units() {
    let z = zone(
        "$ORIGIN example.com.\n@ SOA ns1 host 1 2 3 4 300\na A 192.0.2.1\nb 1h A 192.0.2.2\nc A 192.0.2.3\n$TTL 2d\nd A 192.0.2.4\ne IN 1w30m A 192.0.2.5\nf 90 IN A 192.0.2.6\ng CLASS1 1H30M A 192.0.2.7\n",
    );
    let ttl = |o: &str| of_type(&z, &format!("{o}.example.com."), RecordType::A)[0].ttl;
    // SOA minimum for the SOA itself, then the previous record's TTL.
    assert_eq!(of_type(&z, "example.com.", RecordType::SOA)[0].ttl, 300);
    assert_eq!(ttl("a"), 300);
    assert_eq!(ttl("b"), 3600);
    assert_eq!(ttl("c"), 3600);
    assert_eq!(ttl("d"), 172_800);
    assert_eq!(ttl("e"), 606_600);
    assert_eq!(ttl("f"), 90);
    assert_eq!(ttl("g"), 5400);
    // Nothing at all: 3600.
    let z = zone("$ORIGIN example.com.\na A 192.0.2.1\n");
    assert_eq!(z.records[0].ttl, 3600);
    assert_error(
        "$ORIGIN example.com.\na 1x A 192.0.2.1\n",
        2,
        "bad TTL '1x'",
    );
    // Over 2^31 - 1: read as 0 with a warning, as BIND does (RFC 2181 8).
    let z =
        zone("$ORIGIN example.com.\n$TTL 3000000000\na A 192.0.2.1\nb 2147483648 A 192.0.2.2\n");
    assert_eq!((z.records[0].ttl, z.records[1].ttl), (0, 0));
    assert_eq!(
        z.warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec![
            "t.zone:2: TTL '3000000000' exceeds 2147483647 seconds: read as 0 (RFC 2181 8)",
            "t.zone:4: TTL '2147483648' exceeds 2147483647 seconds: read as 0 (RFC 2181 8)",
        ]
    );
    assert_error(
        "$ORIGIN example.com.\na IN CH A 192.0.2.1\n",
        2,
        "two classes",
    );
    assert_error("$ORIGIN example.com.\na CH A 192.0.2.1\n", 2, "only IN");
}

#[test]
fn includes() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.zone");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(
        dir.path().join("sub/keys.zone"),
        "s1._domainkey TXT \"v=DKIM1; p=abc\"\n$ORIGIN elsewhere.example.com.\nx A 192.0.2.9\n",
    )
    .unwrap();
    std::fs::write(
        &main,
        format!(
            "{HEAD}$INCLUDE sub/keys.zone mail\nafter A 192.0.2.8\n$INCLUDE \"sub/keys.zone\"\n"
        ),
    )
    .unwrap();
    let z = Zone::load(&main).unwrap();
    assert_eq!(
        txt(&z, "s1._domainkey.mail.example.com."),
        b"v=DKIM1; p=abc".to_vec()
    );
    assert_eq!(
        txt(&z, "s1._domainkey.example.com."),
        b"v=DKIM1; p=abc".to_vec()
    );
    assert_eq!(
        of_type(&z, "x.elsewhere.example.com.", RecordType::A).len(),
        1
    );
    // The include's $ORIGIN does not leak back (RFC 1035 5.1).
    assert_eq!(of_type(&z, "after.example.com.", RecordType::A).len(), 1);

    // A missing include: error at the $INCLUDE line of the including file.
    std::fs::write(&main, format!("{HEAD}\n$INCLUDE nope.zone\n")).unwrap();
    let e = Zone::load(&main).unwrap_err();
    assert_eq!((e.path.as_path(), e.line), (main.as_path(), 7), "{e}");
    assert!(e.message.contains("cannot read included file"), "{e}");

    // A file including itself.
    std::fs::write(&main, format!("{HEAD}$INCLUDE main.zone\n")).unwrap();
    let e = Zone::load(&main).unwrap_err();
    assert_eq!(e.line, 6, "{e}");
    assert!(e.message.contains("include cycle"), "{e}");

    // Indirectly: main -> sub/a.zone -> ../main.zone; the error names sub/a.zone line 2.
    std::fs::write(
        dir.path().join("sub/a.zone"),
        "; a\n$INCLUDE ../main.zone\n",
    )
    .unwrap();
    std::fs::write(&main, format!("{HEAD}$INCLUDE sub/a.zone\n")).unwrap();
    let e = Zone::load(&main).unwrap_err();
    assert!(e.path.ends_with("sub/a.zone"), "{e}");
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("include cycle"), "{e}");

    // Errors inside an included file name that file and its line.
    std::fs::write(
        dir.path().join("sub/bad.zone"),
        "ok A 192.0.2.1\nbad A 300.0.2.1\n",
    )
    .unwrap();
    std::fs::write(&main, format!("{HEAD}$INCLUDE sub/bad.zone\n")).unwrap();
    let e = Zone::load(&main).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("sub/bad.zone:2: bad A record data at '300.0.2.1': expected IPv4 address"),
        "{e}"
    );
}

#[test]
fn includes_of_devices_directories_and_pipes_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.zone");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for (target, why) in [
        ("/dev/zero", "not a regular file"),
        ("sub", "is a directory"),
    ] {
        std::fs::write(&main, format!("{HEAD}$INCLUDE {target}\n")).unwrap();
        let e = Zone::load(&main).unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        assert!(e.message.contains(why), "{target}: {e}");
        assert!(e.path.ends_with("main.zone"), "{e}");
    }
    // The zone file itself: a device is refused too.
    let e = Zone::load(Path::new("/dev/zero")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "/dev/zero: is not a regular file (a device, socket or pipe)"
    );
    let e = Zone::load(dir.path()).unwrap_err();
    assert!(e.message.contains("is a directory"), "{e}");
    // Too large: refused from its size alone (a sparse file, nothing read).
    let huge = dir.path().join("huge.zone");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(MAX_ZONE_FILE_BYTES + 1)
        .unwrap();
    let e = Zone::load(&huge).unwrap_err();
    assert!(e.message.contains("larger than 256 MiB"), "{e}");
    std::fs::write(&main, format!("{HEAD}$INCLUDE huge.zone\n")).unwrap();
    let e = Zone::load(&main).unwrap_err();
    assert!(e.message.contains("larger than 256 MiB"), "{e}");
}

#[test]
fn unreadable_file() {
    let e = Zone::load(Path::new("/nonexistent/x.zone")).unwrap_err();
    assert_eq!(e.line, 0);
    assert!(e.to_string().starts_with("/nonexistent/x.zone: "), "{e}");
    let e = ZoneSet::load(&[PathBuf::from("/nonexistent/y.zone")]).unwrap_err();
    assert_eq!(e.path, PathBuf::from("/nonexistent/y.zone"));
}

#[test]
fn generic_records() {
    let z = zone(&format!(
        "{HEAD}g TYPE99 \\# 4 0a000001\ne TYPE65280 \\# 0\nh TYPE65281 \\# 6 0a00 00 01 ( ff\n ee )\na TYPE1 \\# 4 c0000201\nt type16 \\# 3 026869\n"
    ));
    let g = of_type(&z, "g.example.com.", RecordType::Unknown(99));
    match &g[0].data {
        RData::Unknown { code, rdata } => {
            assert_eq!(*code, RecordType::Unknown(99));
            assert_eq!(rdata.anything, vec![10, 0, 0, 1]);
        }
        other => panic!("{other:?}"),
    }
    let e = of_type(&z, "e.example.com.", RecordType::Unknown(65280));
    assert_eq!(e.len(), 1);
    let h = of_type(&z, "h.example.com.", RecordType::Unknown(65281));
    assert!(matches!(&h[0].data, RData::Unknown { rdata, .. } if rdata.anything.len() == 6));
    let a = of_type(&z, "a.example.com.", RecordType::A);
    assert!(matches!(&a[0].data, RData::A(a) if a.0 == Ipv4Addr::new(192, 0, 2, 1)));
    assert_eq!(txt(&z, "t.example.com."), b"hi".to_vec());

    assert_error(
        &format!("{HEAD}g TYPE99 \\# 5 0a000001\n"),
        6,
        "says 5 bytes but 4",
    );
    assert_error(
        &format!("{HEAD}g TYPE99 \\# 1 0a0\n"),
        6,
        "even number of hex",
    );
    assert_error(
        &format!("{HEAD}g TYPE1 \\# 3 0a0000\n"),
        6,
        "not valid A data",
    );
    assert_error(&format!("{HEAD}g FOO bar\n"), 6, "unknown record type FOO");
    assert_error(&format!("{HEAD}g AXFR 1\n"), 6, "meta type");
    assert_error(&format!("{HEAD}g TYPE255 \\# 0\n"), 6, "meta type");
    assert_error(
        &format!("{HEAD}g CERT PGP 0 0 AAAA\n"),
        6,
        "CERT records have no presentation form mailcheck can read: write the record in RFC 3597 generic form (TYPE37",
    );
}

#[test]
fn txt_string_limit() {
    let ok = "x".repeat(255);
    let z = zone(&format!("{HEAD}ok TXT \"{ok}\" \"{ok}\"\n"));
    assert_eq!(txt(&z, "ok.example.com.").len(), 510);
    let long = "x".repeat(256);
    assert_error(
        &format!("{HEAD}long TXT ( \"short\"\n \"{long}\" )\n"),
        7,
        "TXT string of 256 bytes; a character-string holds at most 255 (RFC 1035 3.3): split it into several quoted strings",
    );
    // Escapes count once: 255 \DDD escapes are 255 bytes.
    let escaped = "\\065".repeat(255);
    let z = zone(&format!("{HEAD}e TXT \"{escaped}\"\n"));
    assert_eq!(txt(&z, "e.example.com."), vec![b'A'; 255]);
}

#[test]
fn lexical_errors() {
    assert_error(
        &format!("{HEAD}a TXT \"never closed\nb A 192.0.2.1\n"),
        6,
        "unterminated quoted string",
    );
    assert_error(
        &format!("{HEAD}a TXT ( \"one\"\n   \"two\" \"three\n"),
        7,
        "unterminated quoted string",
    );
    assert_error(
        &format!("{HEAD}\n\na TXT ( \"one\"\n \"two\"\nb A 192.0.2.1\n"),
        8,
        "unterminated parenthesis",
    );
    assert_error(
        &format!("{HEAD}a A 192.0.2.1 )\n"),
        6,
        "')' without a matching '('",
    );
    assert_error(&format!("{HEAD}a TXT ( ( \"x\" ) )\n"), 6, "do not nest");
    assert_error(&format!("{HEAD}a TXT x\\"), 6, "backslash at the end");
    assert_error(&format!("{HEAD}$BOGUS 1\n"), 6, "unknown directive $BOGUS");
    assert_error(&format!("{HEAD}a\n"), 6, "no type");
}

#[test]
fn name_limits() {
    let l63 = "a".repeat(63);
    let z = zone(&format!("{HEAD}{l63} A 192.0.2.1\n"));
    assert_eq!(z.records.len(), 4);
    assert_error(
        &format!("{HEAD}{} A 192.0.2.1\n", "a".repeat(64)),
        6,
        "is 64 bytes; a label holds at most 63 (RFC 1035 2.3.4)",
    );
    // 4 labels of 63 plus example.com. = 4*64 + 13 = 269 bytes.
    let long = [l63.as_str(); 4].join(".");
    assert_error(&format!("{HEAD}{long} A 192.0.2.1\n"), 6, "at most 255");
    assert_error(&format!("{HEAD}a..b A 192.0.2.1\n"), 6, "empty label");
    assert_error(
        &format!("{HEAD}\"quoted\" A 192.0.2.1\n"),
        6,
        "quoted string",
    );
}

#[test]
fn record_types() {
    let z = zone(&format!(
        "{HEAD}@ MX 0 .\nmail MX 10 mx1.example.net.\nv6 AAAA 2001:db8::1\n_sip._tcp SRV 10 60 5060 sip\n@ CAA 0 issue \"letsencrypt.org\"\nr PTR host.example.net.\n_25._tcp.mail TLSA 3 1 1 ( 0123456789abcdef\n 0123456789ABCDEF )\nspf SPF \"v=spf1 -all\"\n"
    ));
    let null_mx = of_type(&z, "example.com.", RecordType::MX);
    assert!(
        matches!(&null_mx[0].data, RData::MX(mx) if mx.preference == 0 && mx.exchange.is_root())
    );
    let mx = of_type(&z, "mail.example.com.", RecordType::MX);
    assert!(matches!(&mx[0].data, RData::MX(mx) if mx.exchange == n("mx1.example.net.")));
    assert_eq!(of_type(&z, "v6.example.com.", RecordType::AAAA).len(), 1);
    let srv = of_type(&z, "_sip._tcp.example.com.", RecordType::SRV);
    assert!(
        matches!(&srv[0].data, RData::SRV(s) if s.port == 5060 && s.target == n("sip.example.com."))
    );
    assert_eq!(of_type(&z, "example.com.", RecordType::CAA).len(), 1);
    assert_eq!(of_type(&z, "r.example.com.", RecordType::PTR).len(), 1);
    assert_eq!(
        of_type(&z, "_25._tcp.mail.example.com.", RecordType::TLSA).len(),
        1
    );
    assert_eq!(
        of_type(&z, "spf.example.com.", RecordType::Unknown(99)).len(),
        1
    );

    assert_error(
        &format!("{HEAD}a A 192.0.2\n"),
        6,
        "at '192.0.2': expected IPv4 address",
    );
    assert_error(
        &format!("{HEAD}a AAAA 2001:db8::g\n"),
        6,
        "bad AAAA record data at '2001:db8::g': expected IPv6 address",
    );
    assert_error(
        &format!("{HEAD}a MX mail\n"),
        6,
        "bad MX record data at 'mail': expected decimal number",
    );
    assert_error(
        &format!("{HEAD}a MX 10\n"),
        6,
        "bad MX record data: the record data ends too early",
    );
    assert_error(
        &format!("{HEAD}a A 192.0.2.1 192.0.2.2\n"),
        6,
        "unexpected '192.0.2.2'",
    );
    assert_error(
        &format!("{HEAD}a SRV 1 2 70000 x\n"),
        6,
        "at '70000': decimal number overflow",
    );
    assert_error(
        &format!("{HEAD}\n@ SOA ns1 host 1 2 3 4 5\n"),
        7,
        "second SOA",
    );
}

#[test]
fn blank_owner_inherits() {
    let z = zone(
        "$ORIGIN example.com.\nmail 300 IN A 192.0.2.1\n\t\tIN AAAA 2001:db8::1\n  MX 10 mail\n\n; comment\n\t TXT \"x\"\n",
    );
    for rtype in [
        RecordType::A,
        RecordType::AAAA,
        RecordType::MX,
        RecordType::TXT,
    ] {
        let found = of_type(&z, "mail.example.com.", rtype);
        assert_eq!(found.len(), 1, "{rtype}");
        assert_eq!(found[0].ttl, 300);
    }
    assert_error(
        "$ORIGIN example.com.\n  A 192.0.2.1\n",
        2,
        "no previous record",
    );
}

#[test]
fn zone_rules() {
    // Out-of-zone data is ignored with a warning naming its line, as BIND does.
    let z = zone(&format!(
        "{HEAD}other.example.net. A 192.0.2.1\nin A 192.0.2.2\n"
    ));
    assert!(of_type(&z, "other.example.net.", RecordType::A).is_empty());
    assert_eq!(of_type(&z, "in.example.com.", RecordType::A).len(), 1);
    assert_eq!(
        z.warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec![
            "t.zone:6: ignoring out-of-zone data (other.example.net.): it is outside the zone example.com."
        ]
    );
    assert_error(
        &format!("{HEAD}w CNAME x\nw A 192.0.2.1\n"),
        7,
        "RFC 1034 3.6.2",
    );
    assert_error(
        &format!("{HEAD}w A 192.0.2.1\nw CNAME x\n"),
        7,
        "RFC 1034 3.6.2",
    );
    assert_error(&format!("{HEAD}w CNAME x\nw CNAME y\n"), 7, "second CNAME");
    // Exact duplicates are dropped, not errors.
    let z = zone(&format!(
        "{HEAD}w CNAME x\nw CNAME x\nd A 192.0.2.1\nD A 192.0.2.1\n"
    ));
    assert_eq!(z.records.len(), 5);
}

#[test]
fn names_are_lower_cased() {
    let z = zone("$ORIGIN Example.COM.\n@ SOA NS1 Host 1 2 3 4 5\nWWW CNAME Target.Example.Com.\n");
    assert_eq!(z.origin.to_string(), "example.com.");
    let cname = of_type(&z, "www.example.com.", RecordType::CNAME);
    assert_eq!(cname[0].name.to_string(), "www.example.com.");
    assert!(matches!(&cname[0].data, RData::CNAME(c) if c.0.to_string() == "target.example.com."));
}

#[test]
fn invalid_utf8_and_garbage_do_not_panic() {
    let z = Zone::parse_bytes(
        b"$ORIGIN example.com.\n\xff\xfe A 192.0.2.1\nt TXT \"\xc3\x28\"\n",
        path(),
    )
    .unwrap();
    assert_eq!(txt(&z, "t.example.com."), vec![0xc3, 0x28]);
    // A cheap deterministic fuzz: random bytes from a zone-ish alphabet.
    let alphabet = b" \t\n\n();\"\\\\0123456789abcIN TXT A MX SOA @.$ORIGIN$TTL$INCLUDE#\xff";
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..3000 {
        let mut text = b"$ORIGIN example.com.\n".to_vec();
        for _ in 0..(seed % 120) {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
        }
        let _ = Zone::parse_bytes(&text, path());
    }
}

#[test]
fn error_display() {
    let e = ZoneError {
        path: PathBuf::from("fixtures/x.zone"),
        line: 12,
        message: "unterminated quoted string".to_string(),
    };
    assert_eq!(
        e.to_string(),
        "fixtures/x.zone:12: unterminated quoted string"
    );
    let e = ZoneError { line: 0, ..e };
    assert_eq!(e.to_string(), "fixtures/x.zone: unterminated quoted string");
}
