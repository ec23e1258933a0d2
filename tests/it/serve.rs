//! `mailcheck serve` against real SMTP clients on 127.0.0.1: swaks (the
//! Debian package) for whole transactions, raw TCP for bad sequences and
//! faults. The server runs as a child process on a free port and is stopped
//! with SIGTERM, which must end it with exit 0.

use super::support::fixtures;
use serde_json::Value;
use std::{
    fs,
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

/// A running `mailcheck serve`.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) addr: SocketAddr,
    lines: mpsc::Receiver<String>,
    pub(crate) maildir: PathBuf,
    _dir: tempfile::TempDir,
}

/// swaks (the Debian package) sending to `server` (`IP:PORT`) for
/// bob@receiver.example with these arguments; its exit status and output.
pub(crate) fn swaks(server: &str, args: &[&str]) -> (i32, String) {
    let out: Output = Command::new("swaks")
        .args(["--server", server, "--to", "bob@receiver.example"])
        .args(["--timeout", "30"])
        .args(args)
        .output()
        .expect("run swaks (the Debian package `swaks`)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The zone of `serve.test`: SPF allows 127.0.0.1, DMARC p=reject.
const SERVE_ZONE: &str = "$ORIGIN serve.test.\n$TTL 300\n\
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n\
@ IN NS ns1\nns1 IN A 192.0.2.53\n\
@ IN TXT \"v=spf1 ip4:127.0.0.1 -all\"\n\
_dmarc IN TXT \"v=DMARC1; p=reject\"\n\
client IN TXT \"v=spf1 -all\"\n\
quarantine IN TXT \"v=spf1 -all\"\n\
_dmarc.quarantine IN TXT \"v=DMARC1; p=quarantine\"\n";

impl Server {
    /// Start `mailcheck serve --json` with these extra arguments, the
    /// verify fixture zones and `serve.test`, storing into a fresh Maildir.
    pub(crate) fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("temporary directory");
        let zone = dir.path().join("serve.test.zone");
        fs::write(&zone, SERVE_ZONE).expect("write zone");
        let maildir = dir.path().join("Maildir");
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let v = fixtures().join("verify");
        let mut args: Vec<String> = vec![
            "serve".into(),
            "--listen".into(),
            addr.to_string(),
            "--maildir".into(),
            maildir.display().to_string(),
            "--authserv-id".into(),
            "mx.test".into(),
            "--json".into(),
            "--zone".into(),
            zone.display().to_string(),
        ];
        for case in ["ed25519-pass", "body-modified"] {
            args.push("--zone".into());
            args.push(v.join(format!("{case}.zone")).display().to_string());
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailcheck"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start mailcheck serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let start = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "mailcheck serve did not listen on {addr}"
            );
            if let Ok(Some(status)) = child.try_wait() {
                panic!("mailcheck serve exited early: {status}");
            }
            thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            addr,
            lines,
            maildir,
            _dir: dir,
        }
    }

    /// The next verdict line, as JSON.
    pub(crate) fn verdict(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(30))
            .expect("a verdict line on stdout");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// SIGTERM, then the exit code.
    pub(crate) fn stop(&mut self) -> i32 {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            if start.elapsed() > Duration::from_secs(40) {
                let _ = self.child.kill();
                panic!("mailcheck serve did not stop after SIGTERM");
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    pub(crate) fn files(&self, sub: &str) -> Vec<PathBuf> {
        files(&self.maildir.join(sub))
    }

    /// swaks to this server; its output and exit status.
    fn swaks(&self, args: &[&str]) -> (i32, String) {
        swaks(&self.addr.to_string(), args)
    }

    fn connect(&self) -> Client {
        let stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut c = Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            stream,
        };
        let greeting = c.reply();
        assert!(greeting.starts_with("220 mx.test"), "{greeting}");
        c
    }
}

impl Drop for Server {
    /// A test that fails still leaves no server running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    match fs::read_dir(dir) {
        Ok(d) => d.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// A raw SMTP client.
struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    /// One whole reply (all its lines), joined with newlines.
    fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("read a reply");
            assert!(n > 0, "connection closed; got so far: {all:?}");
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return all.trim_end().to_string();
            }
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// Send a command line, return the reply.
    fn cmd(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes());
        self.reply()
    }
}

/// A message with its folded header fields unfolded (RFC 5322 2.2.3:
/// CRLF before a space removed); the Received field folds with tabs and
/// keeps its lines.
pub(crate) fn unfold(text: &str) -> String {
    text.replace("\r\n ", " ")
}

pub(crate) fn eml(case: &str) -> String {
    fixtures()
        .join("verify")
        .join(format!("{case}.eml"))
        .display()
        .to_string()
}

#[test]
fn a_signed_message_is_authenticated_stored_and_reported() {
    let mut server = Server::start(&[]);
    let (code, out) = server.swaks(&[
        "--from",
        "bounce@ed25519-pass.verify.example",
        "--helo",
        "mail.ed25519-pass.verify.example",
        "--data",
        &eml("ed25519-pass"),
    ]);
    assert_eq!(code, 0, "{out}");
    for ext in [
        "PIPELINING",
        "8BITMIME",
        "SMTPUTF8",
        "ENHANCEDSTATUSCODES",
        "SIZE 10485760",
    ] {
        assert!(
            out.contains(&format!("250-{ext}")) || out.contains(&format!("250 {ext}")),
            "{ext}: {out}"
        );
    }
    assert!(out.contains("250 2.1.0 Sender OK (SPF fail)"), "{out}");
    let v = server.verdict();
    assert_eq!(v["status"], "pass");
    assert_eq!(v["dkim"][0]["result"], "pass");
    assert_eq!(v["spf"]["result"], "fail");
    assert_eq!(v["dmarc"]["result"], "pass");
    assert_eq!(v["client_ip"], "127.0.0.1");
    assert_eq!(v["helo"], "mail.ed25519-pass.verify.example");
    assert_eq!(v["mail_from"], "bounce@ed25519-pass.verify.example");
    assert_eq!(v["rcpt_to"], serde_json::json!(["bob@receiver.example"]));
    assert_eq!(v["action"], "stored");
    let stored = PathBuf::from(v["stored_as"].as_str().expect("stored_as"));
    assert_eq!(server.files("new"), vec![stored.clone()]);
    assert!(server.files("tmp").is_empty());
    assert!(out.contains(&format!(
        "250 2.0.0 OK, queued as {}",
        stored.file_name().unwrap().to_string_lossy()
    )));
    let stored_text = fs::read_to_string(&stored).unwrap();
    // The fields serve adds (those above its Received line) are folded at
    // spaces into lines of at most 78 characters.
    let added: Vec<&str> = stored_text
        .lines()
        .take_while(|l| !l.starts_with("Received: "))
        .collect();
    assert!(added.len() > 3, "{added:?}");
    assert!(added.iter().all(|l| l.len() <= 78), "{added:#?}");
    let text = unfold(&stored_text);
    let original = fs::read_to_string(eml("ed25519-pass"))
        .unwrap()
        .replace("\r\n", "\n")
        .replace('\n', "\r\n");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(
            "Authentication-Results: mx.test; dkim=pass header.d=ed25519-pass.verify.example"
        ),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("dmarc=pass"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("Received-SPF: fail (mx.test: domain of ed25519-pass.verify.example does not designate 127.0.0.1 as permitted sender) client-ip=127.0.0.1; envelope-from=\"bounce@ed25519-pass.verify.example\"; helo=\"mail.ed25519-pass.verify.example\"; receiver=mx.test; identity=mailfrom"),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[2],
        "Received-SPF: none (mx.test: no SPF record or no identity to check) client-ip=127.0.0.1; helo=\"mail.ed25519-pass.verify.example\"; receiver=mx.test; identity=helo"
    );
    assert_eq!(
        lines[3],
        "Received: from mail.ed25519-pass.verify.example ([127.0.0.1])"
    );
    assert!(
        lines[4].contains("by mx.test (mailcheck) with ESMTP id"),
        "{}",
        lines[4]
    );
    assert!(
        stored_text.contains(&original),
        "the message follows the trace headers unchanged (swaks adds an empty last line)"
    );
    assert_eq!(server.stop(), 0);
}

#[test]
fn pipelined_transactions_with_spf_pass_are_each_authenticated() {
    let mut server = Server::start(&[]);
    for n in 0..2 {
        let (code, out) = server.swaks(&[
            "--pipeline",
            "--from",
            "alice@serve.test",
            "--helo",
            "client.serve.test",
            "--header",
            "From: Alice <alice@serve.test>",
            "--header",
            &format!("Subject: pipelined {n}"),
            "--body",
            ".leading dot\r\nline two",
        ]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("250 2.1.0 Sender OK (SPF pass)"), "{out}");
        let v = server.verdict();
        assert_eq!(v["spf"]["result"], "pass");
        assert_eq!(v["dmarc"]["result"], "pass");
        assert_eq!(v["dmarc"]["spf_aligned"], true);
        assert_eq!(v["status"], "pass");
        let text = unfold(&fs::read_to_string(v["stored_as"].as_str().unwrap()).unwrap());
        assert!(text.contains("\r\nReceived-SPF: pass (mx.test: domain of serve.test designates 127.0.0.1 as permitted sender)"), "{text}");
        // The HELO identity is checked as well (RFC 7208 2.3), in its own
        // Received-SPF field; it does not decide DMARC.
        assert_eq!(v["spf_helo"]["result"], "fail", "{v}");
        assert_eq!(v["spf_helo"]["identity"], "helo", "{v}");
        assert!(text.contains("\r\nReceived-SPF: fail (mx.test: domain of client.serve.test does not designate 127.0.0.1 as permitted sender) client-ip=127.0.0.1; helo=\"client.serve.test\"; receiver=mx.test; identity=helo; mechanism=\"-all\"\r\n"), "{text}");
        assert!(text.contains(&format!("Subject: pipelined {n}\r\n")));
        assert!(
            text.contains("\r\n.leading dot\r\nline two\r\n"),
            "dot-unstuffed: {text}"
        );
    }
    assert_eq!(server.files("new").len(), 2);
    assert_eq!(server.stop(), 0);
}

#[test]
fn an_oversized_message_gets_552_and_is_not_stored() {
    let mut server = Server::start(&["--max-size", "2000"]);
    let body = "x".repeat(70).repeat(60);
    let (code, out) = server.swaks(&["--from", "alice@serve.test", "--body", &body]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("552 5.3.4"), "{out}");
    // Declared with SIZE: refused at MAIL FROM.
    let mut c = server.connect();
    assert!(c.cmd("EHLO client.test").contains("250 SIZE 2000"));
    let r = c.cmd("MAIL FROM:<alice@serve.test> SIZE=5000");
    assert!(r.starts_with("552 5.3.4"), "{r}");
    assert!(
        c.cmd("MAIL FROM:<alice@serve.test> SIZE=100")
            .starts_with("250 ")
    );
    assert!(c.cmd("QUIT").starts_with("221"));
    assert!(server.files("new").is_empty());
    assert!(
        server.lines.try_recv().is_err(),
        "no verdict for a refused message"
    );
    assert_eq!(server.stop(), 0);
}

#[test]
fn enforce_refuses_a_forged_message_and_quarantines() {
    let mut server = Server::start(&["--enforce"]);
    let (code, out) = server.swaks(&[
        "--from",
        "x@body-modified.verify.example",
        "--data",
        &eml("body-modified"),
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("550 5.7.1 Message refused: it fails DMARC and the policy of body-modified.verify.example is reject"),
        "{out}"
    );
    let v = server.verdict();
    assert_eq!(v["action"], "refused");
    assert_eq!(v["dmarc"]["disposition"], "reject");
    assert_eq!(v["stored_as"], Value::Null);
    assert!(server.files("new").is_empty());

    // p=quarantine: stored, in the .Quarantine folder.
    let (code, out) = server.swaks(&[
        "--from",
        "a@quarantine.serve.test",
        "--header",
        "From: <a@quarantine.serve.test>",
    ]);
    assert_eq!(code, 0, "{out}");
    let v = server.verdict();
    assert_eq!(v["action"], "quarantined");
    let q = files(&server.maildir.join(".Quarantine").join("new"));
    assert_eq!(q.len(), 1);
    assert_eq!(v["stored_as"], q[0].display().to_string());
    assert!(server.files("new").is_empty());
    assert_eq!(server.stop(), 0);
}

#[test]
fn commands_out_of_sequence_or_malformed_get_the_rfc5321_codes() {
    let mut server = Server::start(&[]);
    let mut c = server.connect();
    let expect = |c: &mut Client, cmd: &str, code: &str| {
        let r = c.cmd(cmd);
        assert!(r.starts_with(code), "{cmd} -> {r}, expected {code}");
    };
    expect(&mut c, "MAIL FROM:<a@serve.test>", "503 5.5.1");
    expect(&mut c, "NOOP", "250 2.0.0");
    expect(&mut c, "VRFY bob", "252 ");
    expect(&mut c, "FROBNICATE", "500 5.5.2");
    expect(&mut c, "EHLO", "501 5.5.4");
    expect(&mut c, "EHLO client.test", "250");
    expect(&mut c, "RCPT TO:<bob@receiver.example>", "503 5.5.1");
    expect(&mut c, "DATA", "503 5.5.1");
    expect(&mut c, "MAIL FROM:<not an address", "501");
    expect(&mut c, "MAIL FROM:<a@serve.test>", "250 2.1.0");
    expect(&mut c, "MAIL FROM:<a@serve.test>", "503 5.5.1");
    expect(&mut c, "DATA", "503 5.5.1");
    expect(&mut c, "RSET", "250 2.0.0");
    expect(&mut c, "RCPT TO:<bob@receiver.example>", "503 5.5.1");
    expect(&mut c, "QUIT", "221 2.0.0");
    // A command line longer than the limit (RFC 5321 4.5.3.1.4).
    let mut c = server.connect();
    expect(&mut c, "STARTTLS", "502 5.5.1");
    let long = format!("NOOP {}", "a".repeat(5000));
    expect(&mut c, &long, "500 5.5.2 Line too long");
    expect(&mut c, "QUIT", "221 2.0.0");
    // Too many errors: the connection is closed with 421.
    let mut c = server.connect();
    for _ in 0..10 {
        assert!(c.cmd("BOGUS").starts_with("500"));
    }
    let r = c.cmd("BOGUS");
    assert!(r.starts_with("421 4.7.0"), "{r}");
    assert_eq!(server.stop(), 0);
}

#[test]
fn a_client_that_drops_mid_data_leaves_nothing_and_garbage_harms_no_one() {
    let mut server = Server::start(&[]);
    let mut c = server.connect();
    c.cmd("EHLO client.test");
    c.cmd("MAIL FROM:<alice@serve.test>");
    c.cmd("RCPT TO:<bob@receiver.example>");
    assert!(c.cmd("DATA").starts_with("354"));
    c.send(b"From: <alice@serve.test>\r\nSubject: cut short\r\n\r\nhalf a body\r\n");
    drop(c);

    // Binary garbage and a 3 MB line on one connection, while another one
    // delivers.
    let mut garbage = server.connect();
    let mut noise: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .map(|b| if b == b'\n' { 0 } else { b })
        .collect();
    noise.extend_from_slice(b"\r\n\x01\x02\xff\xfe\r\n");
    garbage.send(&noise);
    let r = garbage.reply();
    assert!(r.starts_with("500 5.5.2 Line too long"), "{r}");
    let r = garbage.reply();
    assert!(r.starts_with("500 5.5.2"), "{r}");
    let writer = {
        let mut s = garbage.stream.try_clone().unwrap();
        thread::spawn(move || {
            let mut huge = vec![b'A'; 3 << 20];
            huge.extend_from_slice(b"\r\n");
            s.write_all(&huge).expect("the server reads a huge line");
        })
    };
    let (code, out) = server.swaks(&[
        "--from",
        "alice@serve.test",
        "--header",
        "From: <alice@serve.test>",
    ]);
    assert_eq!(code, 0, "{out}");
    let v = server.verdict();
    assert_eq!(v["action"], "stored");
    writer.join().unwrap();
    let r = garbage.reply();
    assert!(r.starts_with("500 5.5.2 Line too long"), "{r}");
    assert!(garbage.cmd("NOOP").starts_with("250 2.0.0"));

    assert_eq!(server.files("new").len(), 1, "only the complete message");
    assert!(server.files("tmp").is_empty());
    assert_eq!(server.stop(), 0);
}

#[test]
fn the_connection_limit_answers_421() {
    let mut server = Server::start(&["--max-connections", "2"]);
    // The probe connection that waited for the port must be gone first.
    thread::sleep(Duration::from_millis(500));
    let _a = server.connect();
    let _b = server.connect();
    let mut c = TcpStream::connect(server.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut s = String::new();
    let _ = c.read_to_string(&mut s);
    assert!(s.starts_with("421 4.3.2"), "{s}");
    assert_eq!(server.stop(), 0);
}

#[test]
fn sigterm_lets_a_transaction_finish_and_closes_idle_sessions() {
    let mut server = Server::start(&[]);
    let mut idle = server.connect();
    idle.cmd("EHLO idle.test");
    let mut busy = server.connect();
    busy.cmd("EHLO client.test");
    busy.cmd("MAIL FROM:<alice@serve.test>");
    busy.cmd("RCPT TO:<bob@receiver.example>");
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(server.child.id() as i32, libc::SIGTERM) };
    let r = idle.reply();
    assert!(r.starts_with("421 4.3.2"), "{r}");
    assert!(busy.cmd("DATA").starts_with("354"));
    busy.send(b"From: <alice@serve.test>\r\nSubject: in flight\r\n\r\nbody\r\n.\r\n");
    let r = busy.reply();
    assert!(r.starts_with("250 2.0.0"), "{r}");
    let v = server.verdict();
    assert_eq!(v["action"], "stored");
    // Its transaction done, the session is closed like the idle one.
    let r = busy.cmd("QUIT");
    assert!(r.starts_with("421 4.3.2"), "{r}");
    assert_eq!(server.stop(), 0);
}

/// A self-signed certificate for mx.test, made by openssl.
fn certificate(dir: &Path) -> (String, String) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=mx.test",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success());
    (cert.display().to_string(), key.display().to_string())
}

#[test]
fn starttls_and_implicit_tls_are_served_with_the_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = certificate(dir.path());
    let tls_port = free_port();
    let tls_addr = format!("127.0.0.1:{tls_port}");
    let mut server = Server::start(&[
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--listen-tls",
        &tls_addr,
    ]);
    let (code, out) = server.swaks(&[
        "--tls",
        "--from",
        "alice@serve.test",
        "--header",
        "From: <alice@serve.test>",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("250 STARTTLS"), "{out}");
    assert!(out.contains("220 2.0.0 Ready to start TLS"), "{out}");
    let v = server.verdict();
    let text = fs::read_to_string(v["stored_as"].as_str().unwrap()).unwrap();
    assert!(text.contains("with ESMTPS id"), "{text}");

    let out = Command::new("swaks")
        .args([
            "--server",
            &tls_addr,
            "--tlsc",
            "--to",
            "bob@receiver.example",
        ])
        .args([
            "--from",
            "alice@serve.test",
            "--header",
            "From: <alice@serve.test>",
        ])
        .output()
        .unwrap();
    let text_out = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text_out}");
    assert!(
        !text_out.contains("STARTTLS"),
        "no STARTTLS inside TLS: {text_out}"
    );
    let v = server.verdict();
    assert_eq!(v["action"], "stored");
    assert_eq!(server.stop(), 0);
}

/// `mailcheck smtp` probing `mailcheck serve`: the MX of the `smtp.example`
/// fixture is sent to serve's port; serve presents a certificate from a test
/// CA, first for the MX's name, then for another name.
#[test]
fn smtp_probe_of_serve_checks_starttls_and_the_certificate_name() {
    let pki = crate::smtp::Pki::new();
    let ca = pki.ca_path();
    for (name, code, verdict) in [("mx.smtp.example", 0, "pass"), ("wrong.example", 1, "fail")] {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = pki.leaf_files(&[name], dir.path());
        let mut server = Server::start(&[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ]);
        let out = crate::smtp::probe_at(
            &server.addr.to_string(),
            &["--ca", ca.to_str().unwrap(), "--json"],
        );
        assert_eq!(out.code, code, "{name}: {}\n{}", out.stdout, out.stderr);
        let v = out.json();
        let status = |n: &str| crate::support::statuses(&v, n);
        assert_eq!(status("smtp.banner"), ["pass"], "{}", out.stdout);
        assert_eq!(status("smtp.starttls"), ["pass"], "{}", out.stdout);
        assert_eq!(status("smtp.tls"), ["pass"], "{}", out.stdout);
        assert_eq!(status("smtp.certificate"), [verdict], "{}", out.stdout);
        let p = &v["probes"][0];
        assert!(p["banner"].as_str().unwrap().starts_with("mx.test"), "{p}");
        assert_eq!(p["tls_version"], "TLSv1.3");
        assert_eq!(p["certificate"]["names"][0], name);
        let ext = crate::smtp::extensions(p);
        for e in ["PIPELINING", "STARTTLS", "8BITMIME", "SMTPUTF8"] {
            assert!(ext.contains(&e), "{e} in {ext:?}");
        }
        if verdict == "fail" {
            let m = &crate::support::messages(&v, "smtp.certificate")[0];
            assert!(m.contains("wrong.example"), "{m}");
        }
        assert_eq!(server.stop(), 0);
    }
}

/// A message with a numbered body of `lines` lines, ending in a line that
/// names it; `complete` checks a stored copy has all of it.
fn numbered_message(id: usize, lines: usize) -> Vec<u8> {
    let mut m = format!(
        "From: <alice@serve.test>\r\nTo: <bob@receiver.example>\r\nSubject: message {id}\r\n\r\n"
    )
    .into_bytes();
    for n in 0..lines {
        m.extend_from_slice(
            format!("line {n:06} of message {id} {}\r\n", "x".repeat(60)).as_bytes(),
        );
    }
    m.extend_from_slice(format!("end of message {id}\r\n").as_bytes());
    m
}

fn complete(stored: &str, lines: usize) -> bool {
    let Some(id) = stored
        .lines()
        .find_map(|l| l.strip_prefix("Subject: message "))
        .map(str::to_string)
    else {
        return false;
    };
    stored.ends_with(&format!("end of message {id}\r\n"))
        && (0..lines).all(|n| stored.contains(&format!("line {n:06} of message {id} ")))
}

#[test]
fn kill_9_during_transactions_leaves_no_truncated_message_in_new() {
    const LINES: usize = 4000; // ~300 KB a message
    let mut server = Server::start(&[]);
    let addr = server.addr;
    let mut senders = Vec::new();
    for client in 0..6 {
        senders.push(thread::spawn(move || {
            let Ok(stream) = TcpStream::connect(addr) else {
                return;
            };
            let mut c = Client {
                reader: BufReader::new(stream.try_clone().unwrap()),
                stream,
            };
            let _ = c
                .reader
                .get_ref()
                .set_read_timeout(Some(Duration::from_secs(30)));
            // Once the server is killed every read fails: the loop ends.
            let mut line = String::new();
            if c.reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let mut send = |bytes: &[u8]| -> Option<String> {
                c.stream.write_all(bytes).ok()?;
                let mut reply = String::new();
                loop {
                    let mut l = String::new();
                    if c.reader.read_line(&mut l).ok()? == 0 {
                        return None;
                    }
                    reply.push_str(&l);
                    if l.as_bytes().get(3) != Some(&b'-') {
                        return Some(reply);
                    }
                }
            };
            send(b"EHLO client.test\r\n");
            for n in 0.. {
                let id = client * 1000 + n;
                let mut data = numbered_message(id, LINES);
                data.extend_from_slice(b".\r\n");
                if send(b"MAIL FROM:<alice@serve.test>\r\n").is_none()
                    || send(b"RCPT TO:<bob@receiver.example>\r\n").is_none()
                    || send(b"DATA\r\n").is_none()
                    || send(&data).is_none()
                {
                    return;
                }
            }
        }));
    }
    // Let some messages be stored and others be in flight, then kill.
    server.verdict();
    server.verdict();
    thread::sleep(Duration::from_millis(30));
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(server.child.id() as i32, libc::SIGKILL) };
    let _ = server.child.wait();
    for s in senders {
        s.join().unwrap();
    }
    let stored = server.files("new");
    eprintln!(
        "kill -9: {} messages in new/, {} files of debris in tmp/",
        stored.len(),
        server.files("tmp").len()
    );
    assert!(stored.len() >= 2, "{stored:?}");
    for path in &stored {
        let text = fs::read_to_string(path).unwrap();
        assert!(
            complete(&text, LINES),
            "{} is not a whole message ({} bytes)",
            path.display(),
            text.len()
        );
    }
}

#[test]
fn two_hundred_concurrent_connections_are_served() {
    const CLIENTS: usize = 200;
    let mut server = Server::start(&["--max-connections", "250"]);
    let addr = server.addr;
    let all_connected = std::sync::Arc::new(std::sync::Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| {
            let all_connected = all_connected.clone();
            thread::spawn(move || {
                let stream = TcpStream::connect(addr).expect("connect");
                stream
                    .set_read_timeout(Some(Duration::from_secs(60)))
                    .unwrap();
                let mut c = Client {
                    reader: BufReader::new(stream.try_clone().unwrap()),
                    stream,
                };
                let greeting = c.reply();
                // Every client holds its connection open until all 200 are
                // greeted: the server serves them at the same time.
                all_connected.wait();
                assert!(greeting.starts_with("220 mx.test"), "{greeting}");
                assert!(c.cmd("EHLO client.test").starts_with("250"));
                assert!(c.cmd("MAIL FROM:<alice@serve.test>").starts_with("250"));
                assert!(c.cmd("RCPT TO:<bob@receiver.example>").starts_with("250"));
                assert!(c.cmd("DATA").starts_with("354"));
                let mut data = numbered_message(id, 20);
                data.extend_from_slice(b".\r\n");
                c.send(&data);
                let r = c.reply();
                assert!(r.starts_with("250 2.0.0"), "{r}");
                assert!(c.cmd("QUIT").starts_with("221"));
            })
        })
        .collect();
    for c in clients {
        c.join().expect("a client was not served");
    }
    let verdicts: Vec<Value> = (0..CLIENTS).map(|_| server.verdict()).collect();
    assert!(verdicts.iter().all(|v| v["action"] == "stored"));
    let stored = server.files("new");
    assert_eq!(stored.len(), CLIENTS);
    for path in &stored {
        assert!(complete(&fs::read_to_string(path).unwrap(), 20));
    }
    assert_eq!(server.stop(), 0);
}

#[test]
fn a_client_that_goes_quiet_gets_421_after_the_idle_timeout() {
    let mut server = Server::start(&["--idle-timeout", "1"]);
    // Quiet after the greeting.
    let mut quiet = server.connect();
    let r = quiet.reply();
    assert!(
        r.starts_with("421 4.4.2 Timeout waiting for a command"),
        "{r}"
    );
    let mut rest = String::new();
    let _ = quiet.reader.read_to_string(&mut rest);
    assert_eq!(rest, "", "the connection is closed after the 421");

    // Quiet in the middle of DATA: nothing is stored.
    let mut c = server.connect();
    c.cmd("EHLO client.test");
    c.cmd("MAIL FROM:<alice@serve.test>");
    c.cmd("RCPT TO:<bob@receiver.example>");
    assert!(c.cmd("DATA").starts_with("354"));
    c.send(b"From: <alice@serve.test>\r\nSubject: never finished\r\n\r\nhalf");
    let r = c.reply();
    assert!(r.starts_with("421 4.4.2 Timeout waiting for data"), "{r}");
    assert!(server.files("new").is_empty());
    assert!(server.files("tmp").is_empty());
    assert_eq!(server.stop(), 0);
}
