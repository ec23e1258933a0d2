//! `--zone` with real-world master files, and broken ones.

use std::path::Path;
use std::str::FromStr;

use hickory_resolver::proto::rr::{Name, RData};
use mailcheck::dns::zone::{Zone, ZoneSource};

use crate::support::mailcheck;

#[test]
fn opendkim_genkey_layout_is_read() {
    let out = mailcheck(&[
        "domain",
        "example.com",
        "--selector",
        "mail",
        "--json",
        "--zone",
        "fixtures/zonefiles/opendkim.zone",
    ]);
    let report = out.json();
    let key = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "dkim.key-size")
        .cloned()
        .unwrap_or_default();
    assert_eq!(key["status"], "pass", "{}", out.stdout);
    assert!(
        key["message"]
            .as_str()
            .unwrap_or("")
            .contains("RSA key of 2048 bits")
    );
}

#[test]
fn a_broken_zone_file_names_file_and_line_and_exits_2() {
    let out = mailcheck(&[
        "domain",
        "example.com",
        "--zone",
        "fixtures/zonefiles/broken-quote.zone",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .starts_with("mailcheck: fixtures/zonefiles/broken-quote.zone:7: "),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1);
}

/// The zone files under fixtures/zonefiles/ and the zone name each is loaded as.
const CORPUS: &[(&str, &str)] = &[
    ("2.0.192.in-addr.arpa.zone", "2.0.192.in-addr.arpa"),
    ("axfr.example.zone", "axfr.example"),
    ("big-ttl.example.zone", "big-ttl.example"),
    ("broken-quote.zone", "example.com"),
    ("modern.example.zone", "modern.example"),
    ("opendkim.zone", "example.com"),
    ("out-of-zone.zone", "reject.example"),
    ("plesk-export.zone", "plesk.example"),
    ("reject-bad-address.zone", "reject.example"),
    ("reject-bad-escape.zone", "reject.example"),
    ("reject-cname-and-other-data.zone", "reject.example"),
    ("reject-ds-without-digest.zone", "reject.example"),
    ("reject-generic-length.zone", "reject.example"),
    ("reject-long-string.zone", "reject.example"),
    ("reject-second-soa.zone", "reject.example"),
    ("reject-short-mx.zone", "reject.example"),
    ("reject-unknown-type.zone", "reject.example"),
    ("signed.example.zone", "signed.example"),
    ("signed3.example.zone", "signed3.example"),
];

/// One record as compared: owner, type code, TTL, and the data of the types mail
/// checks read (A, AAAA, MX, TXT, PTR, CNAME, NS).
type Row = (String, u16, u32, String);

/// What named-checkzone makes of a file: None when it refuses it, else its
/// canonical records (`-D`) and its warnings: out-of-zone data ignored, TTLs
/// over 2^31 - 1 read as 0.
fn named_checkzone(zone: &str, file: &Path) -> Option<(Vec<Row>, Vec<&'static str>)> {
    let out = std::process::Command::new("named-checkzone")
        // `-i local`: integrity checks of in-zone names only; out-of-zone MX
        // and NS targets would be looked up in the system's DNS.
        .args(["-i", "local", "-D", "-o", "-", zone])
        .arg(file)
        .output()
        .expect("named-checkzone runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let messages = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    // Its warnings about what it read differently from the file, in mailcheck's words.
    let mut warnings = Vec::new();
    for line in messages.lines() {
        if line.contains("ignoring out-of-zone data") {
            warnings.push("ignoring out-of-zone data");
        } else if line.contains("> MAXTTL") {
            warnings.push("read as 0 (RFC 2181 8)");
        }
    }
    if !out.status.success() {
        return None;
    }
    let mut rows = Vec::new();
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [owner, ttl, "IN", rtype, ..] = fields.as_slice() else {
            continue; // named-checkzone's own messages
        };
        let code = domain::base::iana::Rtype::from_str(rtype)
            .unwrap_or_else(|_| panic!("type {rtype}"))
            .to_int();
        let data = fields[4..].join(" ");
        let data = match *rtype {
            "A" | "AAAA" => data,
            "MX" | "PTR" | "CNAME" | "NS" => data.to_ascii_lowercase(),
            "TXT" => format!("{:?}", bind_strings(&data)),
            _ => String::new(),
        };
        rows.push((owner.to_ascii_lowercase(), code, ttl.parse().unwrap(), data));
    }
    rows.sort();
    Some((rows, warnings))
}

/// The strings of a TXT record as named-checkzone prints them: quoted, with
/// `\"`, `\\` and `\DDD` escapes.
fn bind_strings(text: &str) -> Vec<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut strings = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        i += 1;
        let mut s = Vec::new();
        while bytes[i] != b'"' {
            if bytes[i] == b'\\' {
                if bytes[i + 1].is_ascii_digit() {
                    let n = std::str::from_utf8(&bytes[i + 1..i + 4]).unwrap();
                    s.push(n.parse().unwrap());
                    i += 4;
                } else {
                    s.push(bytes[i + 1]);
                    i += 2;
                }
            } else {
                s.push(bytes[i]);
                i += 1;
            }
        }
        strings.push(s);
        i += 1;
    }
    strings
}

/// The same rows from mailcheck's reading of the file.
fn mailcheck_rows(zone: &Zone) -> Vec<Row> {
    let mut rows: Vec<Row> = zone
        .records
        .iter()
        .map(|r| {
            let data = match &r.data {
                RData::A(a) => a.0.to_string(),
                RData::AAAA(a) => a.0.to_string(),
                RData::MX(mx) => format!("{} {}", mx.preference, mx.exchange),
                RData::PTR(name) => name.0.to_string(),
                RData::CNAME(name) => name.0.to_string(),
                RData::NS(name) => name.0.to_string(),
                RData::TXT(txt) => format!(
                    "{:?}",
                    txt.txt_data.iter().map(|s| s.to_vec()).collect::<Vec<_>>()
                ),
                _ => String::new(),
            };
            (r.name.to_string(), u16::from(r.record_type()), r.ttl, data)
        })
        .collect();
    rows.sort();
    rows
}

/// mailcheck and BIND's named-checkzone read every file of the corpus alike: the
/// same files refused, the same records (owner, type and TTL of every record, and
/// the data of A, AAAA, MX, TXT, PTR, CNAME and NS), the same warnings (out-of-zone
/// data ignored, over-long TTLs read as 0). Through the
/// command line too: `--zone NAME=FILE` exits 2 exactly for the refused files.
#[test]
fn zone_files_read_as_named_checkzone_reads_them() {
    let have = std::process::Command::new("named-checkzone")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    // No skipping: a differential test that passes without its peer proves
    // nothing. `.ci/run` installs it.
    assert!(
        have,
        "named-checkzone is not installed: apt-get install bind9-utils (as .ci/run does)"
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/zonefiles");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".zone"))
        .collect();
    on_disk.sort();
    let listed: Vec<String> = CORPUS.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(on_disk, listed, "every fixture zone file is in CORPUS");

    let (mut accepted, mut refused) = (0, 0);
    for (file, name) in CORPUS {
        let path = dir.join(file);
        let bind = named_checkzone(name, &path);
        let origin = Name::from_ascii(format!("{name}.")).unwrap();
        let ours = Zone::load_source(&ZoneSource {
            path: path.clone(),
            origin: Some(origin),
        });
        let relative = format!("fixtures/zonefiles/{file}");
        let cli = mailcheck(&[
            "dmarc",
            name,
            "--json",
            "--zone",
            &format!("{name}={relative}"),
        ]);
        match (&bind, &ours) {
            (Some((rows, warnings)), Ok(zone)) => {
                accepted += 1;
                assert!(rows.len() >= 3, "{file}: {rows:?}");
                assert_eq!(&mailcheck_rows(zone), rows, "{file}");
                assert_eq!(zone.warnings.len(), warnings.len(), "{file}");
                for (ours, theirs) in zone.warnings.iter().zip(warnings) {
                    assert!(ours.message.contains(theirs), "{file}: {ours}");
                }
                assert_ne!(cli.code, 2, "{file}: {}", cli.stderr);
                let warned = cli.stderr.matches("mailcheck: warning: ").count();
                assert_eq!(warned, warnings.len(), "{file}: {}", cli.stderr);
            }
            (None, Err(e)) => {
                refused += 1;
                assert_eq!(cli.code, 2, "{file}");
                let shown = e
                    .to_string()
                    .replace(&path.display().to_string(), &relative);
                assert_eq!(cli.stderr.trim_end(), format!("mailcheck: {shown}"));
            }
            (Some(_), Err(e)) => {
                panic!("{file}: named-checkzone accepts it, mailcheck refuses it: {e}")
            }
            (None, Ok(_)) => panic!("{file}: named-checkzone refuses it, mailcheck accepts it"),
        }
    }
    assert!(
        accepted >= 8 && refused >= 10,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn a_zone_with_todays_record_types_loads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("https.zone");
    std::fs::write(
        &file,
        "$ORIGIN example.org.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 2h 15m 2w 5m\n@ IN HTTPS 1 . alpn=h2\n@ IN TXT \"v=spf1 -all\"\n",
    )
    .unwrap();
    let out = mailcheck(&[
        "spf",
        "example.org",
        "--json",
        "--zone",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["record"], "v=spf1 -all");

    let out = mailcheck(&[
        "domain",
        "modern.example",
        "--selector",
        "mail",
        "--json",
        "--zone",
        "fixtures/zonefiles/modern.example.zone",
    ]);
    assert_ne!(out.code, 2, "{}", out.stderr);
    let report = out.json();
    let check = |name: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(check("spf.record")["status"], "pass", "{}", out.stdout);
    assert_eq!(check("dmarc.policy")["status"], "pass", "{}", out.stdout);
    assert!(
        check("dkim.key-size")["message"]
            .as_str()
            .unwrap_or("")
            .contains("Ed25519"),
        "{}",
        out.stdout
    );
}

#[test]
fn out_of_zone_data_is_ignored_with_a_warning() {
    let out = mailcheck(&[
        "spf",
        "reject.example",
        "--json",
        "--zone",
        "fixtures/zonefiles/out-of-zone.zone",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["record"], "v=spf1 mx -all");
    assert_eq!(
        out.stderr,
        "mailcheck: warning: fixtures/zonefiles/out-of-zone.zone:9: ignoring out-of-zone data (elsewhere.example.): it is outside the zone reject.example.\n"
    );
}

#[test]
fn zone_name_for_a_file_without_origin() {
    let out = mailcheck(&[
        "dmarc",
        "plesk.example",
        "--zone",
        "fixtures/zonefiles/plesk-export.zone",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with(
            "mailcheck: fixtures/zonefiles/plesk-export.zone:4: relative name '@' but no $ORIGIN"
        ) && out.stderr.contains("--zone NAME=FILE"),
        "{}",
        out.stderr
    );
    let out = mailcheck(&[
        "dmarc",
        "plesk.example",
        "--json",
        "--zone",
        "plesk.example=fixtures/zonefiles/plesk-export.zone",
    ]);
    assert_eq!(out.json()["record"], "v=DMARC1; p=none", "{}", out.stderr);
}
