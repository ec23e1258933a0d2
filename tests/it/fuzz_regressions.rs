//! Inputs found by fuzzing (fuzz/, see fuzz/run.sh), kept as regression tests,
//! and a quick pass of every seed input through the `zone_file` and `message`
//! fuzz targets' logic. These call the library directly; nothing may panic.

use hickory_resolver::proto::rr::{RData, RecordType};
use mail_auth::AuthenticatedMessage;
use mailcheck::{
    dns::zone::{Zone, ZoneRcode, ZoneSet},
    verify::input,
};
use std::path::{Path, PathBuf};

/// The seed inputs of one fuzz target (fuzz/seeds/<target>/).
fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
}

/// A parent zone beside the one under test, as in the fuzz target.
const PARENT_ZONE: &str = "$ORIGIN example.com.\n@ SOA ns1 hostmaster 1 1h 15m 1w 300\n@ NS ns1\nns1 A 192.0.2.53\nwww CNAME sub.example.com.\nalias CNAME www.example.net.\n* TXT \"wild\"\nsub.sub A 192.0.2.1\n";

const LOOKUP_TYPES: &[RecordType] = &[
    RecordType::A,
    RecordType::AAAA,
    RecordType::TXT,
    RecordType::MX,
    RecordType::CNAME,
    RecordType::NS,
    RecordType::DS,
    RecordType::PTR,
    RecordType::ANY,
];

/// The `zone_file` fuzz target: parse, then look up every owner, CNAME/MX/NS
/// target and a name below each owner. Returns the parse result.
fn zone_file(data: &[u8]) -> Result<Zone, String> {
    let zone = Zone::parse_bytes(data, Path::new("fuzz.zone")).map_err(|e| e.to_string())?;
    let mut names = vec![zone.origin.clone()];
    for record in zone.records.iter().take(24) {
        names.push(record.name.clone());
        match &record.data {
            RData::CNAME(c) => names.push(c.0.clone()),
            RData::MX(mx) => names.push(mx.exchange.clone()),
            RData::NS(ns) => names.push(ns.0.clone()),
            RData::PTR(p) => names.push(p.0.clone()),
            _ => {}
        }
        if let Ok(below) = record.name.prepend_label("zz") {
            names.push(below);
        }
    }
    names.truncate(48);
    let parent = Zone::parse(PARENT_ZONE, Path::new("parent.zone")).expect("parent zone");
    let set = ZoneSet::new(vec![zone.clone(), parent]);
    for qname in &names {
        for &rtype in LOOKUP_TYPES {
            let answer = set.lookup(qname, rtype);
            if answer.rcode == ZoneRcode::ServFail {
                assert!(answer.answers.is_empty(), "SERVFAIL with answers");
            }
            assert!(
                rtype == RecordType::ANY
                    || answer
                        .answers
                        .iter()
                        .skip_while(|r| r.record_type() == RecordType::CNAME)
                        .all(|r| r.record_type() == rtype),
                "answer section out of order for {qname} {rtype}"
            );
        }
    }
    Ok(zone)
}

/// The `message` fuzz target: CRLF normalisation, the header check, then
/// mail-auth's parse and what `verify` reads before DNS. Returns the result
/// of the header check.
fn message(data: &[u8]) -> Result<(), String> {
    let crlf = input::to_crlf(data);
    for (i, b) in crlf.iter().enumerate() {
        match b {
            b'\n' => assert!(i > 0 && crlf[i - 1] == b'\r', "bare LF at {i}"),
            b'\r' => assert_eq!(crlf.get(i + 1), Some(&b'\n'), "bare CR at {i}"),
            _ => {}
        }
    }
    assert_eq!(input::to_crlf(&crlf), crlf, "to_crlf is not idempotent");
    let message = input::parse_message("fuzz.eml", data.to_vec())?;
    assert_eq!(message.bytes, crlf);
    if let Some(parsed) = AuthenticatedMessage::parse(&message.bytes) {
        let from = parsed.first_from_address().to_string();
        if let Some((_, domain)) = from.rsplit_once('@') {
            let _ = mailcheck::config::normalize_domain(domain);
        }
        for h in parsed.dkim_signatures() {
            let _ =
                mailcheck::dns::parse_name(&format!("{}._domainkey.{}", h.header.s, h.header.d));
        }
    }
    Ok(())
}

#[test]
fn every_zone_seed_parses_and_answers() {
    let mut loaded = 0;
    for (path, bytes) in seeds("zone_file") {
        // The seeds are the fixture zones: each loads, but for the one that is
        // broken on purpose, which names its line.
        match zone_file(&bytes) {
            Ok(zone) => {
                assert!(!zone.records.is_empty(), "{}", path.display());
                loaded += 1;
            }
            Err(e) => assert!(
                path.to_string_lossy().contains("broken") && e.starts_with("fuzz.zone:"),
                "{}: {e}",
                path.display()
            ),
        }
    }
    assert!(loaded >= 20, "only {loaded} zone seeds");
}

#[test]
fn every_message_seed_is_read_without_panic() {
    let mut accepted = 0;
    for (path, bytes) in seeds("message") {
        let malformed = path.to_string_lossy().contains("malformed");
        match message(&bytes) {
            Ok(()) => accepted += 1,
            // The malformed fixtures may be refused, with a line-numbered reason.
            Err(e) => assert!(
                malformed && e.starts_with("fuzz.eml"),
                "{}: {e}",
                path.display()
            ),
        }
    }
    assert!(accepted >= 15, "only {accepted} message seeds accepted");
}

#[test]
fn corpus_style_garbage_does_not_panic() {
    // Shapes the fuzzers start from: empty, lone separators, NULs, a huge
    // label, unbalanced parentheses, a dangling escape.
    let inputs: &[&[u8]] = &[
        b"",
        b"\n",
        b"\r",
        b"\r\r\n\n",
        b":",
        b"\0\0\0",
        b"$ORIGIN .\n@ SOA . . 0 0 0 0 0\n",
        b"$ORIGIN example.com.\n( ; open\n",
        b"$ORIGIN example.com.\na TXT \"\\",
        b"$ORIGIN example.com.\n*.* CNAME *\n",
        b"From:\r\n\r\n",
        b"From: a@\r\n\r\n",
        b" From: x\r\n",
    ];
    for data in inputs {
        let _ = zone_file(data);
        let _ = message(data);
    }
}

/// Found while building the fuzz harness (not a panic): runs failed with
/// exit 2 ("cannot set up the offline resolver: ... No CA certificates were
/// loaded from the system") on a host without a CA store, such as a slim CI
/// container, even offline with `--zone`. mail-auth's `aws-lc-rs` feature
/// turns on hickory's TLS with rustls-platform-verifier, which loaded the
/// system roots for a TLS client mailcheck never uses; `dns::no_tls` now
/// gives it a placeholder root instead. Both DNS modes, with the environment
/// of such a host as rustls-native-certs sees it.
#[test]
fn runs_without_system_ca_certificates() {
    for mode in crate::support::MODES {
        let mut args = vec!["domain".to_string(), "example.com".into(), "--json".into()];
        args.extend(crate::support::dns_args(mode, "example.com"));
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_mailcheck"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("SSL_CERT_FILE", "/dev/null")
            .env("SSL_CERT_DIR", "/nonexistent")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run the mailcheck binary");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{mode:?}: {stderr}");
        assert!(stderr.is_empty(), "{mode:?}: {stderr}");
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("one JSON object");
        assert_eq!(report["domain"], "example.com", "{mode:?}");
    }
}
