//! `--save-zone FILE` then `--zone FILE`: a run against a real DNS server on
//! 127.0.0.1 is recorded, then replayed offline, and the replay must print
//! the same JSON, byte for byte, with the same exit code. Every fixture zone
//! of the domain, spf, dkim, dmarc and verify tests goes through it, and the
//! failures of the fault-injecting server (SERVFAIL, REFUSED, silence, a
//! CNAME loop, a referral, a lame answer) must come back as the same
//! `error` / `temperror` with the same words.

use crate::support::faulty_dns::{Fault, FaultyDns};
use crate::support::knot::Knot;
use crate::support::{Out, fixtures, mailcheck, server, zone_files_in};
use mailcheck::dns::zone::Zone;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// An address the fixture provider's SPF record authorizes.
const PROVIDER_IP: &str = "198.51.100.7";
/// An address most fixture SPF records reject.
const STRANGER_IP: &str = "203.0.113.9";
/// An address the verify fixtures' SPF records authorize, and one they do not.
const VERIFY_IPS: [&str; 2] = ["203.0.113.5", "192.0.2.250"];

/// A fresh file name for each recording of this test process.
fn fresh(dir: &Path, label: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let safe: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(60)
        .collect();
    dir.join(format!("{n}-{safe}.zone"))
}

/// What one round trip gave: the recorded run, the file it wrote, and its path.
struct Trip {
    first: Out,
    saved: String,
    file: PathBuf,
}

/// Runs `args` with `--json` against `dns` (live arguments), saving the
/// answers, then again against the saved file alone; the two runs must
/// agree byte for byte and in exit code.
fn round_trip(dir: &Path, args: &[&str], dns: &[&str]) -> Trip {
    let label = args.join(" ");
    let file = fresh(dir, &label);
    let path = file.to_str().expect("UTF-8 temp path");
    let mut live: Vec<&str> = args.to_vec();
    live.extend(["--json", "--save-zone", path]);
    live.extend(dns);
    let first = mailcheck(&live);
    assert!(
        [0, 1, 3].contains(&first.code),
        "{label}: exit {}\n{}\n{}",
        first.code,
        first.stdout,
        first.stderr
    );
    assert!(!first.stdout.is_empty(), "{label}: no output");
    let saved = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{label}: no saved file {path}: {e}\n{}", first.stderr));
    let mut offline: Vec<&str> = args.to_vec();
    offline.extend(["--json", "--zone", path]);
    let again = mailcheck(&offline);
    assert_eq!(
        again.code, first.code,
        "{label}: exit code of the replay\n{}\n{saved}",
        again.stderr
    );
    assert_eq!(
        again.stdout, first.stdout,
        "{label}: the replay's JSON differs\n{saved}"
    );
    Trip { first, saved, file }
}

/// The local DNS server serving every fixture, as arguments.
fn server_args() -> Vec<String> {
    vec!["--resolver".into(), server().addr.to_string()]
}

/// The domain each fixture zone is about (its apex), and the zone files.
fn fixture_domains() -> Vec<String> {
    zone_files_in("domain")
        .iter()
        .map(|path| {
            let zone = Zone::load(path).unwrap_or_else(|e| panic!("{e}"));
            mailcheck::names::display_name(&zone.origin)
        })
        .collect()
}

/// How many round trips a test made, for its message.
fn trips(count: usize, what: &str) {
    eprintln!("replay: {count} {what} round trips byte-identical");
}

#[test]
fn every_domain_fixture_replays_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dns = server_args();
    let dns: Vec<&str> = dns.iter().map(String::as_str).collect();
    let mut domains = fixture_domains();
    // Names the domain and command tests check below a fixture's apex.
    domains.extend([
        "mail.cname-records.example".into(),
        "sub.inherit.example".into(),
    ]);
    assert!(domains.len() >= 24, "{domains:?}");
    let mut count = 0;
    for d in &domains {
        for extra in [&[][..], &["--ip", PROVIDER_IP], &["--ip", STRANGER_IP]] {
            let mut args = vec!["domain", d.as_str()];
            args.extend_from_slice(extra);
            round_trip(dir.path(), &args, &dns);
            count += 1;
        }
    }
    trips(count, "domain");
}

#[test]
fn every_spf_dkim_and_dmarc_fixture_replays_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dns = server_args();
    let dns: Vec<&str> = dns.iter().map(String::as_str).collect();
    let mut count = 0;
    for d in fixture_domains() {
        let bounce = format!("bounce@{d}");
        let runs: [&[&str]; 6] = [
            &["spf", &d],
            &["spf", &d, "--ip", PROVIDER_IP],
            &["spf", &bounce, "--ip", STRANGER_IP],
            &["dmarc", &d],
            &["dkim", &d, "--selector", "s1"],
            &["dkim", &d, "--selector", "nosuchkey"],
        ];
        for args in runs {
            round_trip(dir.path(), args, &dns);
            count += 1;
        }
    }
    for args in [
        &["dmarc", "sub.inherit.example"][..],
        &["spf", "spf-lookups.example", "--ip", PROVIDER_IP],
    ] {
        round_trip(dir.path(), args, &dns);
        count += 1;
    }
    trips(count, "spf/dkim/dmarc");
}

/// Every message of fixtures/verify (and its independent/ cases).
fn messages() -> Vec<String> {
    let mut found = Vec::new();
    for dir in ["verify", "verify/independent"] {
        let mut here: Vec<String> = std::fs::read_dir(fixtures().join(dir))
            .expect("fixtures")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .map(|p| {
                format!(
                    "fixtures/{dir}/{}",
                    p.file_name().unwrap().to_string_lossy()
                )
            })
            .collect();
        here.sort();
        found.extend(here);
    }
    found
}

#[test]
fn every_verify_fixture_replays_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dns = server_args();
    let dns: Vec<&str> = dns.iter().map(String::as_str).collect();
    let messages = messages();
    assert!(messages.len() >= 20, "{messages:?}");
    let mut count = 0;
    for msg in &messages {
        for ip in VERIFY_IPS {
            let args = ["verify", msg, "--ip", ip, "--authserv-id", "mx.test"];
            round_trip(dir.path(), &args, &dns);
            count += 1;
        }
    }
    trips(count, "verify");
}

#[test]
fn a_batch_replays_from_one_file_covering_every_zone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dns = server_args();
    let dns: Vec<&str> = dns.iter().map(String::as_str).collect();
    let list = dir.path().join("domains.txt");
    std::fs::write(&list, fixture_domains().join("\n")).expect("write list");
    let list = list.to_str().expect("UTF-8");
    let trip = round_trip(
        dir.path(),
        &["domain", "--from-file", list, "--ip", PROVIDER_IP],
        &dns,
    );
    assert_eq!(trip.first.stdout.lines().count(), fixture_domains().len());
    // One file, one zone: the root, holding the fixture domains, the shared
    // provider and the reverse zones alike.
    assert!(
        trip.saved.contains("\n$RECORDED\n$ORIGIN .\n"),
        "{}",
        trip.saved
    );
    for owner in [
        "example.com.\t",
        "_spf.provider.example.\t",
        "10.2.0.192.in-addr.arpa.\t",
    ] {
        assert!(
            trip.saved.lines().any(|l| l.starts_with(owner)),
            "no {owner} in\n{}",
            trip.saved
        );
    }
    let zone = Zone::load(&trip.file).expect("the saved file loads");
    assert!(zone.origin.is_root());
    named_checkzone_accepts(&trip.file, zone.records.len());

    let messages = messages();
    let list = dir.path().join("messages.txt");
    let lines: Vec<String> = messages
        .iter()
        .map(|m| format!("{m} {}", VERIFY_IPS[0]))
        .collect();
    std::fs::write(&list, lines.join("\n")).expect("write list");
    let list = list.to_str().expect("UTF-8");
    let trip = round_trip(dir.path(), &["verify", "--from-file", list], &dns);
    assert_eq!(trip.first.stdout.lines().count(), messages.len());
}

/// BIND's named-checkzone loads the saved file, once mailcheck's own
/// directives are removed, with the same number of records mailcheck reads.
/// The file is answers, not a zone of its own: it has no SOA and NS at its
/// apex, which named-checkzone requires, so the check gives it a root SOA,
/// NS and the NS's address (three records) first.
fn named_checkzone_accepts(file: &Path, records: usize) {
    let saved = std::fs::read_to_string(file).expect("read");
    let mut text = String::from(
        ". 3600 IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 300\n\
         . 3600 IN NS ns.invalid.\n\
         ns.invalid. 3600 IN A 192.0.2.53\n",
    );
    for line in saved.lines() {
        if !["$RECORDED", "$FAIL", "$NODATA"]
            .iter()
            .any(|d| line.starts_with(d))
        {
            text.push_str(line);
            text.push('\n');
        }
    }
    let checked = file.with_extension("bind");
    std::fs::write(&checked, text).expect("write");
    let out = std::process::Command::new("named-checkzone")
        // `-i local`: no lookups of out-of-zone names in the system's DNS.
        .args(["-i", "local", "-D", "-o", "-", "."])
        .arg(&checked)
        .output()
        .expect("named-checkzone runs (bind9-utils)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "named-checkzone refuses the saved file:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = stdout
        .lines()
        .filter(|l| l.split_whitespace().nth(2) == Some("IN"))
        .count();
    assert_eq!(rows, records + 3, "{stdout}");
}

/// The fault server's zones (tests/it/faults.rs).
fn fault_zones() -> Vec<PathBuf> {
    vec![
        fixtures().join("faults/faults.example.zone"),
        fixtures().join("faults/reverse-203.0.113.zone"),
    ]
}

#[test]
fn failed_lookups_replay_as_the_same_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (Fault::ServFail, "servfail"),
        (Fault::Refused, "refused"),
        (Fault::Silent, "timeout"),
        (Fault::Loop, "servfail"),
        (Fault::Referral, "referral 127.0.0.1:"),
        (Fault::Lame, "lame 127.0.0.1:"),
    ];
    for (fault, written) in cases {
        // The DMARC record of one domain and the SPF include target of another.
        let server = FaultyDns::start(
            &fault_zones(),
            &[
                ("_dmarc.dmarc-ok.faults.example", fault),
                ("ok.t.faults.example", fault),
            ],
        );
        let addr = server.addr.to_string();
        let dns = ["--resolver", addr.as_str(), "--timeout", "1"];
        let label = format!("{fault:?}");

        let trip = round_trip(dir.path(), &["domain", "dmarc-ok.faults.example"], &dns);
        assert_eq!(trip.first.code, 3, "{label}: {}", trip.first.stdout);
        let report: serde_json::Value = serde_json::from_str(&trip.first.stdout).expect("JSON");
        assert_eq!(report["status"], "error", "{label}: {}", trip.first.stdout);
        let line = format!("$FAIL _dmarc.dmarc-ok.faults.example. TXT {written}");
        assert!(
            trip.saved.contains(&line),
            "{label}: no {line:?} in\n{}",
            trip.saved
        );

        let trip = round_trip(
            dir.path(),
            &["spf", "include-ok.faults.example", "--ip", "203.0.113.5"],
            &dns,
        );
        assert_eq!(trip.first.code, 3, "{label}: {}", trip.first.stdout);
        let report: serde_json::Value = serde_json::from_str(&trip.first.stdout).expect("JSON");
        assert_eq!(
            report["result"], "temperror",
            "{label}: {}",
            trip.first.stdout
        );

        let trip = round_trip(dir.path(), &["dmarc", "dmarc-ok.faults.example"], &dns);
        assert_eq!(trip.first.code, 3, "{label}: {}", trip.first.stdout);
        let zone = Zone::load(&trip.file).expect("loads");
        named_checkzone_accepts(&trip.file, zone.records.len());
    }
}

#[test]
fn saving_from_zone_files_keeps_only_the_answers_used() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut dns = vec![
        "--zone".to_string(),
        "fixtures/domain/example.com.zone".into(),
    ];
    for f in zone_files_in("shared") {
        dns.push("--zone".into());
        dns.push(f.display().to_string());
    }
    let dns: Vec<&str> = dns.iter().map(String::as_str).collect();
    let trip = round_trip(dir.path(), &["domain", "example.com"], &dns);
    let saved = Zone::load(&trip.file).expect("loads").records.len();
    let loaded: usize = std::iter::once(fixtures().join("domain/example.com.zone"))
        .chain(zone_files_in("shared"))
        .map(|p| Zone::load(&p).expect("fixture").records.len())
        .sum();
    assert!(saved > 5 && saved < loaded, "{saved} of {loaded}");
    // Reverse names of the shared zones that example.com does not use.
    assert!(
        !trip.saved.contains("100.51.198.in-addr.arpa"),
        "{}",
        trip.saved
    );
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("kept.zone");
    std::fs::write(&file, "keep me\n").expect("write");
    let path = file.to_str().expect("UTF-8");
    let zone = ["--zone", "fixtures/domain/example.com.zone"];
    let mut args = vec!["dmarc", "example.com", "--json", "--save-zone", path];
    args.extend(zone);
    let out = mailcheck(&args);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stdout.is_empty(),
        "the run must not start: {}",
        out.stdout
    );
    assert_eq!(
        out.stderr.trim(),
        format!("mailcheck: --save-zone {path} already exists; pass --force to replace it")
    );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "keep me\n");

    args.push("--force");
    let out = mailcheck(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let saved = std::fs::read_to_string(&file).expect("read");
    assert!(
        saved.starts_with("; DNS answers recorded by mailcheck"),
        "{saved}"
    );
    assert!(
        saved.contains("_dmarc.example.com.\t3600\tIN\tTXT\t\"v=DMARC1;"),
        "{saved}"
    );
    // Nothing else is left in the folder (no temporary file).
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(left.len(), 1);

    // A folder that is not there stops the run before it starts.
    let nowhere = dir.path().join("no/such/folder/saved.zone");
    let nowhere = nowhere.to_str().expect("UTF-8");
    let mut args = vec!["dmarc", "example.com", "--json", "--save-zone", nowhere];
    args.extend(zone);
    let out = mailcheck(&args);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr
            .contains(&format!("--save-zone {nowhere}: there is no folder")),
        "{}",
        out.stderr
    );

    // A command that looks up nothing has nothing to save.
    let out = mailcheck(&["completions", "bash", "--save-zone", path, "--force"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("completions looks up no DNS"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_run_cut_by_its_deadline_saves_what_was_answered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = FaultyDns::start(
        &fault_zones(),
        &[("_dmarc.dmarc-ok.faults.example", Fault::Silent)],
    );
    let addr = server.addr.to_string();
    let file = dir.path().join("cut.zone");
    let path = file.to_str().expect("UTF-8");
    let out = mailcheck(&[
        "domain",
        "dmarc-ok.faults.example",
        "--json",
        "--resolver",
        &addr,
        "--timeout",
        "5",
        "--deadline",
        "1.5",
        "--save-zone",
        path,
    ]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("run.deadline"), "{}", out.stdout);
    let saved = std::fs::read_to_string(&file).expect("saved despite the deadline");
    assert!(
        saved.contains("dmarc-ok.faults.example.\t3600\tIN\tMX\t10 mx.dmarc-ok.faults.example."),
        "{saved}"
    );
    // The question still unanswered when the run ended is not in the file.
    assert!(!saved.contains("_dmarc.dmarc-ok"), "{saved}");
}

#[test]
fn answers_from_an_authoritative_server_replay_with_its_refusals() {
    // Knot serves the checked zones and REFUSES everything else, their
    // parents included: the refusals are recorded as `$FAIL ... refused` and
    // replay to the same report, whether they changed a finding or not.
    let rsa_pass = std::fs::read_to_string(fixtures().join("verify/rsa-pass.zone")).expect("read");
    let inc = "$ORIGIN inc.test.\n$TTL 300\n\
               @ SOA ns.inc.test. hostmaster.inc.test. 1 3600 600 86400 300\n\
               @ NS ns.inc.test.\nns A 192.0.2.53\n\
               @ MX 10 mx.inc.test.\nmx A 192.0.2.10\n\
               @ TXT \"v=spf1 mx include:_spf.elsewhere.example -all\"\n\
               _dmarc TXT \"v=DMARC1; p=reject\"\n";
    let knot = Knot::start(&[
        ("rsa-pass.verify.example".into(), rsa_pass),
        ("inc.test".into(), inc.into()),
    ]);
    let dir = tempfile::tempdir().expect("temp dir");
    let addr = knot.addr.to_string();
    let dns = ["--resolver", addr.as_str(), "--timeout", "2"];
    for ip in VERIFY_IPS {
        let trip = round_trip(
            dir.path(),
            &["verify", "fixtures/verify/rsa-pass.eml", "--ip", ip],
            &dns,
        );
        assert!(trip.saved.contains(" TXT refused\n"), "{}", trip.saved);
    }
    round_trip(dir.path(), &["dmarc", "rsa-pass.verify.example"], &dns);
    let trip = round_trip(
        dir.path(),
        &["domain", "inc.test", "--ip", "192.0.2.10"],
        &dns,
    );
    assert_eq!(trip.first.code, 3, "{}", trip.first.stdout);
    assert!(
        trip.saved
            .contains("$FAIL _spf.elsewhere.example. TXT refused\n"),
        "{}",
        trip.saved
    );
}

/// A plain ESMTP server on 127.0.0.1 (no STARTTLS) for `mailcheck smtp`.
fn plain_smtp_server() -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().expect("clone");
                let _ = writer.write_all(b"220 mx.smtp.example ESMTP replay test\r\n");
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let reply: &[u8] = if line.to_ascii_uppercase().starts_with("EHLO") {
                        b"250-mx.smtp.example\r\n250 SIZE 10240000\r\n"
                    } else if line.eq_ignore_ascii_case("QUIT") {
                        b"221 2.0.0 bye\r\n"
                    } else {
                        b"502 5.5.2 not here\r\n"
                    };
                    if writer.write_all(reply).is_err() || reply.starts_with(b"221") {
                        break;
                    }
                }
            });
        }
    });
    port
}

/// `smtp` JSON with its one time measurement (the greeting's delay in ms)
/// blanked, in the `banner_ms` key and in the words that quote it.
fn without_times(json: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    fn blank(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    if key == "banner_ms" {
                        *item = serde_json::Value::Null;
                    } else {
                        blank(item);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(blank),
            serde_json::Value::String(text) => {
                if let Some(at) = text.find(" after ")
                    && text.ends_with(" ms")
                {
                    text.truncate(at);
                }
            }
            _ => {}
        }
    }
    blank(&mut value);
    value.to_string()
}

#[test]
fn an_smtp_probe_replays_the_same_report_times_excepted() {
    let port = plain_smtp_server();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("smtp.zone");
    let path = file.to_str().expect("UTF-8");
    let connect_to = format!("mx.smtp.example:25:127.0.0.1:{port}");
    let base = [
        "smtp",
        "smtp.example",
        "--json",
        "--connect-to",
        &connect_to,
        "--ehlo",
        "probe.mailcheck.test",
    ];
    let zone = fixtures().join("smtp/smtp.example.zone");
    let reverse = fixtures().join("shared/reverse-192.0.2.zone");
    let mut first_args = base.to_vec();
    first_args.extend([
        "--zone",
        zone.to_str().expect("UTF-8"),
        "--zone",
        reverse.to_str().expect("UTF-8"),
        "--save-zone",
        path,
    ]);
    let first = mailcheck(&first_args);
    assert_eq!(
        first.code, 1,
        "no STARTTLS fails: {}\n{}",
        first.stdout, first.stderr
    );
    assert!(first.stdout.contains("\"banner_ms\":"), "{}", first.stdout);
    let mut again_args = base.to_vec();
    again_args.extend(["--zone", path]);
    let again = mailcheck(&again_args);
    assert_eq!(again.code, first.code, "{}", again.stderr);
    assert_eq!(without_times(&again.stdout), without_times(&first.stdout));
}

#[test]
fn serve_saves_the_answers_of_every_message_when_it_stops() {
    use std::io::{BufRead, BufReader, Write};
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("serve.zone");
    let path = file.to_str().expect("UTF-8");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let listen = format!("127.0.0.1:{port}");
    let zone = fixtures().join("verify/ed25519-pass.zone");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mailcheck"))
        .args([
            "serve",
            "--listen",
            &listen,
            "--authserv-id",
            "mx.test",
            "--json",
        ])
        .args(["--zone", zone.to_str().expect("UTF-8"), "--save-zone", path])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start mailcheck serve");
    let started = std::time::Instant::now();
    let stream = loop {
        if let Ok(s) = std::net::TcpStream::connect(&listen) {
            break s;
        }
        assert!(started.elapsed().as_secs() < 20, "serve did not listen");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("timeout");
    let mut writer = stream.try_clone().expect("clone");
    let mut reader = BufReader::new(stream);
    let mut reply = || {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).expect("read") > 0,
                "closed: {all}"
            );
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    };
    assert!(reply().starts_with("220"));
    let message = std::fs::read_to_string(fixtures().join("verify/ed25519-pass.eml"))
        .expect("message")
        .replace("\r\n", "\n")
        .replace('\n', "\r\n");
    for (line, code) in [
        (
            "EHLO mail.ed25519-pass.verify.example\r\n".to_string(),
            "250",
        ),
        (
            "MAIL FROM:<bounce@ed25519-pass.verify.example>\r\n".into(),
            "250",
        ),
        ("RCPT TO:<bob@receiver.example>\r\n".into(), "250"),
        ("DATA\r\n".into(), "354"),
        (format!("{message}.\r\n"), "250"),
        ("QUIT\r\n".into(), "221"),
    ] {
        writer.write_all(line.as_bytes()).expect("write");
        let got = reply();
        assert!(got.starts_with(code), "{line:?}: {got}");
    }
    let mut verdict = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut verdict)
        .expect("a verdict");
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0));
    let saved = std::fs::read_to_string(&file).expect("saved at shutdown");
    assert!(
        saved.contains("ed1._domainkey.ed25519-pass.verify.example.\t"),
        "{saved}"
    );

    // The saved answers give `verify` the verdict serve gave.
    let out = mailcheck(&[
        "verify",
        "fixtures/verify/ed25519-pass.eml",
        "--ip",
        "127.0.0.1",
        "--helo",
        "mail.ed25519-pass.verify.example",
        "--mail-from",
        "bounce@ed25519-pass.verify.example",
        "--authserv-id",
        "mx.test",
        "--json",
        "--zone",
        path,
    ]);
    let served: serde_json::Value = serde_json::from_str(&verdict).expect("JSON");
    let replayed = out.json();
    for key in ["spf", "dkim", "dmarc", "authentication_results"] {
        assert_eq!(
            replayed[key], served[key],
            "{key}\n{verdict}\n{}",
            out.stdout
        );
    }
}

/// A zone whose records need escaping in a master file: TXT strings with
/// quotes, backslashes, semicolons and non-ASCII bytes, a record of several
/// strings, an MX host whose name has a space and a dot inside a label.
const ODD_ZONE: &str = r#"$ORIGIN odd.test.
$TTL 600
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 192.0.2.53
@ MX 10 mx\032one.odd.test.
@ MX 20 mx\.two.odd.test.
mx\032one A 192.0.2.61
mx\.two AAAA 2001:db8::62
@ TXT "v=spf1 a:mx\\one.odd.test \"quoted\" ; -all"
@ TXT "caf\195\169" "second; string" "\000\255"
_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:r\195\169@odd.test"
s1._domainkey TXT "v=DKIM1; k=rsa; p=" "not\\base64\"at all"
"#;

#[test]
fn escaped_names_and_strings_survive_the_round_trip() {
    use crate::support::dns_server::TestDns;
    let zone = Zone::parse(ODD_ZONE, Path::new("odd.zone")).expect("the odd zone loads");
    let server = TestDns::start(&[zone]);
    let addr = server.addr.to_string();
    let dns = ["--resolver", addr.as_str()];
    let dir = tempfile::tempdir().expect("temp dir");
    let mut saved = Vec::new();
    for args in [
        &[
            "domain",
            "odd.test",
            "--selector",
            "s1",
            "--ip",
            "192.0.2.61",
        ][..],
        &["spf", "odd.test", "--ip", "192.0.2.61"],
        &["dmarc", "odd.test"],
        &["dkim", "odd.test", "--selector", "s1"],
    ] {
        let trip = round_trip(dir.path(), args, &dns);
        let zone = Zone::load(&trip.file).expect("loads");
        named_checkzone_accepts(&trip.file, zone.records.len());
        saved.push(trip.saved);
    }
    let domain = &saved[0];
    for line in [
        "odd.test.\t600\tIN\tMX\t10 mx\\032one.odd.test.",
        "odd.test.\t600\tIN\tMX\t20 mx\\.two.odd.test.",
        "; NODATA mx\\.two.odd.test. A\nmx\\.two.odd.test.\t600\tIN\tAAAA\t2001:db8::62",
        "odd.test.\t600\tIN\tTXT\t\"v=spf1 a:mx\\\\one.odd.test \\\"quoted\\\" ; -all\"",
        "odd.test.\t600\tIN\tTXT\t\"caf\\195\\169\" \"second; string\" \"\\000\\255\"",
    ] {
        assert!(domain.contains(line), "no {line:?} in\n{domain}");
    }
}

#[test]
fn text_reports_replay_byte_for_byte_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let resolver = server().addr.to_string();
    let mut count = 0;
    for d in fixture_domains() {
        let file = fresh(dir.path(), &d);
        let path = file.to_str().expect("UTF-8");
        let base = ["domain", d.as_str(), "--color", "never"];
        let mut live = base.to_vec();
        live.extend(["--resolver", &resolver, "--save-zone", path]);
        let first = mailcheck(&live);
        let mut offline = base.to_vec();
        offline.extend(["--zone", path]);
        let again = mailcheck(&offline);
        assert_eq!(again.code, first.code, "{d}: {}", again.stderr);
        assert_eq!(
            again.stdout, first.stdout,
            "{d}: the replay's report differs"
        );
        assert_eq!(again.stderr, first.stderr, "{d}");
        assert!(
            first.stdout.starts_with(&format!("{d}: ")),
            "{}",
            first.stdout
        );
        count += 1;
    }
    trips(count, "text");
}
