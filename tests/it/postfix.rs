//! Postfix (the Debian package) as mailcheck's peer on 127.0.0.1: a relay
//! whose `relayhost` is `mailcheck serve`, so mail submitted to Postfix is
//! authenticated on arrival at serve; a bounce from Postfix when serve
//! refuses a message; and `mailcheck smtp` probing Postfix's STARTTLS.
//!
//! Each test runs its own throw-away Postfix instance through
//! `tests/peers/postfix.sh` (configuration, queue and log in a temporary
//! directory; listening on 127.0.0.1 only; no DNS). Postfix needs root, as
//! in CI. Where the package cannot be installed, `.ci/run` says so in
//! MAILCHECK_NO_POSTFIX and these tests are skipped with that message;
//! without it, a missing Postfix fails them.

use crate::serve::{Server, eml, free_port, swaks};
use crate::smtp::{Pki, extensions, probe_at};
use crate::support::{messages, statuses};
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    thread,
    time::{Duration, Instant},
};

/// A running Postfix instance.
struct Postfix {
    dir: tempfile::TempDir,
    port: u16,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/postfix.sh")
}

impl Postfix {
    /// Start an instance with these `postfix.sh start` options; None (the
    /// test is skipped) only when MAILCHECK_NO_POSTFIX says why Postfix
    /// cannot be had.
    fn start(options: &[&str]) -> Option<Postfix> {
        let installed = Path::new("/usr/sbin/postfix").exists();
        // SAFETY: geteuid(2) has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        if !installed || !root {
            let why = if installed {
                "not root"
            } else {
                "postfix is not installed"
            };
            match std::env::var("MAILCHECK_NO_POSTFIX") {
                Ok(reason) => {
                    eprintln!("skipped: Postfix peer test ({why}): {reason}");
                    return None;
                }
                Err(_) => panic!(
                    "the Postfix peer tests need the Debian package postfix and root \
                     ({why}); `.ci/run` installs it. Set MAILCHECK_NO_POSTFIX=REASON \
                     to skip them where it cannot be installed."
                ),
            }
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = free_port();
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(dir.path().join("postfix"))
            .args(["--port", &port.to_string()])
            .args(options)
            .output()
            .expect("run tests/peers/postfix.sh");
        assert!(
            out.status.success(),
            "Postfix did not start: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Some(Postfix { dir, port })
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("postfix/maillog")).unwrap_or_default()
    }

    /// Wait until the log has a line containing all of `words`; that line.
    fn wait_for_log(&self, words: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let log = self.log();
            if let Some(line) = log.lines().find(|l| words.iter().all(|w| l.contains(w))) {
                return line.to_string();
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no Postfix log line with {words:?}:\n{log}"
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// swaks submitting to this Postfix; its exit status and output.
    fn swaks(&self, args: &[&str]) -> (i32, String) {
        swaks(&format!("127.0.0.1:{}", self.port), args)
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(self.dir.path().join("postfix"))
            .output();
    }
}

/// `mailcheck serve` with a certificate for mx.mailcheck.test from `pki`
/// (the name Postfix verifies), and these extra arguments.
fn serve_with_tls(pki: &Pki, dir: &Path, extra: &[&str]) -> Server {
    let (cert, key) = pki.leaf_files(&["mx.mailcheck.test"], dir);
    let mut args = vec![
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    Server::start(&args)
}

/// `mailcheck serve` (with a certificate for mx.mailcheck.test from a test
/// CA, and `serve_args`) behind a Postfix whose relayhost it is, verifying
/// that certificate.
struct Relay {
    server: Server,
    postfix: Postfix,
    _pki: Pki,
    _dir: tempfile::TempDir,
}

impl Relay {
    fn start(serve_args: &[&str]) -> Option<Relay> {
        let pki = Pki::new();
        let dir = tempfile::tempdir().unwrap();
        let server = serve_with_tls(&pki, dir.path(), serve_args);
        let relay = server.addr.port().to_string();
        let ca = pki.ca_path();
        let postfix = Postfix::start(&["--relayhost", &relay, "--ca", ca.to_str().unwrap()])?;
        Some(Relay {
            server,
            postfix,
            _pki: pki,
            _dir: dir,
        })
    }
}

#[test]
fn mail_relayed_by_postfix_over_verified_starttls_is_authenticated_at_serve() {
    // The whole Relay stays bound: its certificate files must outlive the test.
    let Some(Relay {
        mut server,
        postfix,
        _pki,
        _dir,
    }) = Relay::start(&[])
    else {
        return;
    };
    let (code, out) = postfix.swaks(&[
        "--from",
        "bounce@ed25519-pass.verify.example",
        "--data",
        &eml("ed25519-pass"),
    ]);
    assert_eq!(code, 0, "{out}");

    // Postfix verified serve's certificate, and serve took the message.
    let v = server.verdict();
    let tls = postfix.wait_for_log(&["Verified TLS connection established to 127.0.0.1"]);
    assert!(tls.contains("TLSv1.3"), "{tls}");
    let sent = postfix.wait_for_log(&["status=sent", "bob@receiver.example"]);
    assert!(sent.contains("250 2.0.0"), "{sent}");

    // serve judged the message as Postfix relayed it: Postfix's address and
    // HELO, the original envelope sender, the signature intact.
    assert_eq!(v["client_ip"], "127.0.0.1");
    assert_eq!(v["helo"], "relay.mailcheck.test");
    assert_eq!(v["mail_from"], "bounce@ed25519-pass.verify.example");
    assert_eq!(
        v["spf_helo"]["result"], "none",
        "no SPF for the relay's name"
    );
    assert_eq!(v["dkim"][0]["result"], "pass", "{v}");
    assert_eq!(v["dmarc"]["result"], "pass", "{v}");
    assert_eq!(v["action"], "stored");
    let stored = fs::read_to_string(v["stored_as"].as_str().unwrap()).unwrap();
    let head = stored.split("\r\n\r\n").next().unwrap();
    assert!(
        head.starts_with("Authentication-Results: mx.test;"),
        "{head}"
    );
    assert!(head.contains("dkim=pass"), "{head}");
    assert!(head.contains("Received-SPF: "), "{head}");
    assert!(
        head.contains("Received: from relay.mailcheck.test (") && head.contains("with ESMTPS id"),
        "{head}"
    );
    // Postfix's own Received line comes after serve's.
    assert!(head.contains("by relay.mailcheck.test (Postfix)"), "{head}");
    assert_eq!(server.stop(), 0);
}

#[test]
fn a_message_serve_refuses_is_bounced_by_postfix_to_its_sender() {
    // The whole Relay stays bound: its certificate files must outlive the test.
    let Some(Relay {
        mut server,
        postfix,
        _pki,
        _dir,
    }) = Relay::start(&["--enforce"])
    else {
        return;
    };
    let (code, out) = postfix.swaks(&[
        "--from",
        "x@body-modified.verify.example",
        "--data",
        &eml("body-modified"),
    ]);
    assert_eq!(code, 0, "Postfix accepts it for relaying: {out}");

    // serve refuses it at the end of DATA ...
    let refused = server.verdict();
    assert_eq!(refused["action"], "refused");
    assert_eq!(refused["dmarc"]["disposition"], "reject");
    let line = postfix.wait_for_log(&["status=bounced", "bob@receiver.example"]);
    assert!(
        line.contains("said: 550 5.7.1 Message refused: it fails DMARC"),
        "{line}"
    );

    // ... and Postfix sends the sender a delivery status notification, which
    // (relayed like all its mail) arrives at serve with the null sender.
    let bounce = server.verdict();
    assert_eq!(bounce["mail_from"], "", "{bounce}");
    assert_eq!(bounce["action"], "stored", "{bounce}");
    let stored = fs::read_to_string(bounce["stored_as"].as_str().unwrap()).unwrap();
    assert!(stored.contains("report-type=delivery-status"), "{stored}");
    assert!(
        stored.contains("x@body-modified.verify.example"),
        "{stored}"
    );
    assert!(stored.contains("550 5.7.1"), "{stored}");
    assert!(server.files("new").len() == 1, "only the bounce is stored");
    assert_eq!(server.stop(), 0);
}

#[test]
fn smtp_probe_of_postfix_reports_its_starttls() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = pki.leaf_files(&["mx.smtp.example"], dir.path());
    let Some(postfix) = Postfix::start(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]) else {
        return;
    };
    let ca = pki.ca_path();
    let addr = format!("127.0.0.1:{}", postfix.port);
    let args = |json: bool| {
        let mut a = vec!["--ca", ca.to_str().unwrap()];
        if json {
            a.push("--json");
        }
        a
    };
    let out = probe_at(&addr, &args(true));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let v = out.json();
    for name in [
        "smtp.banner",
        "smtp.ehlo",
        "smtp.starttls",
        "smtp.tls",
        "smtp.certificate",
    ] {
        assert_eq!(statuses(&v, name), ["pass"], "{name}: {}", out.stdout);
    }
    let p = &v["probes"][0];
    assert_eq!(p["banner"], "relay.mailcheck.test ESMTP Postfix");
    assert_eq!(p["tls_version"], "TLSv1.3");
    assert_eq!(p["certificate"]["trusted"], true);
    let ext = extensions(p);
    for e in [
        "PIPELINING",
        "SIZE 52428800",
        "STARTTLS",
        "8BITMIME",
        "ENHANCEDSTATUSCODES",
    ] {
        assert!(ext.contains(&e), "{e} in {ext:?}");
    }
    assert!(
        messages(&v, "smtp.certificate")[0].contains("mx.smtp.example"),
        "{}",
        out.stdout
    );
    // Postfix saw the probe's TLS handshake.
    postfix.wait_for_log(&["Anonymous TLS connection established from localhost[127.0.0.1]"]);

    let text = probe_at(&addr, &args(false));
    assert_eq!(text.code, 0);
    assert!(text.stdout.contains("offers STARTTLS"), "{}", text.stdout);
}
