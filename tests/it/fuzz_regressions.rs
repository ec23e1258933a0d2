//! Inputs found by fuzzing (fuzz/, see fuzz/run.sh), kept as regression tests,
//! and a quick pass of every seed input through the `zone_file` and `message`
//! fuzz targets. These call the library directly; nothing may panic.

use std::path::{Path, PathBuf};

/// The fuzz targets' bodies, compiled here as well so the seeds run through
/// exactly the code the fuzzer runs. Only the zone, message, signature and
/// macro targets are called: the others set the process environment, which a
/// multi-threaded test process must not do.
#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod fuzz_targets;

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

#[test]
fn every_zone_seed_parses_and_answers() {
    let mut loaded = 0;
    for (path, bytes) in seeds("zone_file") {
        // The seeds are the fixture zones: each loads, but for those that are
        // broken on purpose (broken-*, reject-*), which name their line, and
        // those that need their origin from the command line (no $ORIGIN).
        match fuzz_targets::zone_lookups(&bytes) {
            Ok(zone) => {
                assert!(!zone.records.is_empty(), "{}", path.display());
                loaded += 1;
            }
            Err(e) => assert!(
                e.starts_with("fuzz.zone:")
                    && (["broken", "reject"]
                        .iter()
                        .any(|w| path.to_string_lossy().contains(w))
                        || e.contains("no $ORIGIN")),
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
        match fuzz_targets::message_checks(&bytes) {
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
fn every_generate_seed_loads() {
    // The $GENERATE lines of the fixtures and hand-written ones with each
    // modifier: after the target's zone head, each makes a zone that loads.
    for (path, bytes) in seeds("zone_generate") {
        let zone = fuzz_targets::zone_lookups(&[fuzz_targets::GENERATE_HEAD, &bytes].concat())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(zone.records.len() > 2, "{}", path.display());
    }
}

#[test]
fn every_signature_and_macro_seed_runs_without_panic() {
    for (_, bytes) in seeds("dkim_sig") {
        fuzz_targets::dkim_sig(&bytes);
    }
    for (_, bytes) in seeds("spf_macro") {
        fuzz_targets::spf_macro(&bytes);
    }
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
        let _ = fuzz_targets::zone_lookups(data);
        let _ = fuzz_targets::message_checks(data);
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
