//! `mailcheck smtp`: probes against small SMTP servers on 127.0.0.1, each
//! reached through `--connect-to` from the MX of the `smtp.example` fixture
//! zone. Certificates come from a test CA made with rcgen for each run.

use crate::support::{Out, fixtures, mailcheck, messages, statuses};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    sync::Arc,
    thread,
    time::Duration,
};

/// How a test server behaves.
#[derive(Clone)]
enum Behaviour {
    /// ESMTP with STARTTLS, presenting this certificate chain.
    Tls(Arc<rustls::ServerConfig>),
    /// ESMTP without STARTTLS.
    Plain,
    /// Greets with this reply and waits for QUIT.
    Refuse(&'static str),
    /// Sends something that is not SMTP.
    Garbage,
    /// Accepts the connection and says nothing.
    Silent,
    /// Answers STARTTLS with 220 and, in the same packet, a forged reply.
    Injects,
}

/// Start a server; it serves every connection until the test process ends.
fn serve(behaviour: Behaviour) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
    let port = listener.local_addr().expect("local address").port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let b = behaviour.clone();
            thread::spawn(move || {
                let _ = session(stream, b);
            });
        }
    });
    port
}

fn session(mut s: TcpStream, behaviour: Behaviour) -> std::io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    match behaviour {
        Behaviour::Silent => {
            thread::sleep(Duration::from_secs(5));
            Ok(())
        }
        Behaviour::Garbage => {
            s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n")?;
            thread::sleep(Duration::from_millis(500));
            Ok(())
        }
        Behaviour::Refuse(reply) => {
            s.write_all(format!("{reply}\r\n").as_bytes())?;
            while let Some(line) = read_line(&mut s) {
                if line.eq_ignore_ascii_case("QUIT") {
                    s.write_all(b"221 2.0.0 bye\r\n")?;
                    break;
                }
                s.write_all(b"503 5.5.1 go away\r\n")?;
            }
            Ok(())
        }
        Behaviour::Injects => {
            s.write_all(b"220 mx.smtp.example ESMTP test\r\n")?;
            while let Some(line) = read_line(&mut s) {
                match line.to_ascii_uppercase().as_str() {
                    l if l.starts_with("EHLO") => {
                        s.write_all(b"250-mx.smtp.example\r\n250 STARTTLS\r\n")?
                    }
                    "STARTTLS" => {
                        s.write_all(b"220 go ahead\r\n250 injected before TLS\r\n")?;
                        thread::sleep(Duration::from_millis(500));
                        break;
                    }
                    _ => s.write_all(b"221 bye\r\n")?,
                }
            }
            Ok(())
        }
        Behaviour::Plain => {
            s.write_all(b"220-mx.smtp.example ESMTP test\r\n220 second greeting line\r\n")?;
            converse(&mut s, false)?;
            Ok(())
        }
        Behaviour::Tls(config) => {
            s.write_all(b"220 mx.smtp.example ESMTP test\r\n")?;
            if converse(&mut s, true)? {
                let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
                let mut tls = rustls::StreamOwned::new(conn, s);
                converse(&mut tls, false)?;
            }
            Ok(())
        }
    }
}

/// Answer commands until QUIT (false) or an accepted STARTTLS (true).
fn converse(s: &mut (impl Read + Write), offer_tls: bool) -> std::io::Result<bool> {
    while let Some(line) = read_line(s) {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                s.write_all(
                    b"250-mx.smtp.example hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n",
                )?;
                if offer_tls {
                    s.write_all(b"250-STARTTLS\r\n")?;
                }
                s.write_all(b"250 8BITMIME\r\n")?;
            }
            "STARTTLS" if offer_tls => {
                s.write_all(b"220 2.0.0 ready to start TLS\r\n")?;
                s.flush()?;
                return Ok(true);
            }
            "QUIT" => {
                s.write_all(b"221 2.0.0 bye\r\n")?;
                s.flush()?;
                return Ok(false);
            }
            _ => s.write_all(b"502 5.5.1 not implemented\r\n")?,
        }
        s.flush()?;
    }
    Ok(false)
}

fn read_line(s: &mut impl Read) -> Option<String> {
    let mut line = Vec::new();
    let mut byte = [0u8];
    loop {
        match s.read(&mut byte) {
            Ok(1) if byte[0] == b'\n' => break,
            Ok(1) => line.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&line).trim_end().to_string())
}

/// A test CA, its PEM file, and a TLS server config for a leaf with `names`.
pub(crate) struct Pki {
    ca_file: tempfile::NamedTempFile,
    ca_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
    versions: &'static [&'static rustls::SupportedProtocolVersion],
}

impl Pki {
    pub(crate) fn new() -> Pki {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "mailcheck test CA");
        let cert = params.self_signed(&key).expect("CA certificate");
        let mut ca_file = tempfile::NamedTempFile::new().expect("temp file");
        ca_file.write_all(cert.pem().as_bytes()).expect("write CA");
        Pki {
            ca_file,
            ca_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
            versions: rustls::DEFAULT_VERSIONS,
        }
    }

    pub(crate) fn ca_path(&self) -> PathBuf {
        self.ca_file.path().to_path_buf()
    }

    /// A leaf certificate for `names`, signed by the CA, written as PEM
    /// files into `dir` for servers that read files (`mailcheck serve`,
    /// Postfix): the chain (leaf, then CA) and the key. Their paths.
    pub(crate) fn leaf_files(&self, names: &[&str], dir: &Path) -> (PathBuf, PathBuf) {
        let key = KeyPair::generate().expect("leaf key");
        let params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .expect("leaf params");
        let leaf = params.signed_by(&key, &self.issuer).expect("leaf");
        let ca = std::fs::read_to_string(self.ca_file.path()).expect("read CA");
        let (cert_path, key_path) = (dir.join("leaf.pem"), dir.join("leaf.key"));
        std::fs::write(&cert_path, format!("{}{ca}", leaf.pem())).expect("write chain");
        std::fs::write(&key_path, key.serialize_pem()).expect("write key");
        (cert_path, key_path)
    }

    pub(crate) fn server(&self, names: &[&str]) -> Arc<rustls::ServerConfig> {
        self.server_with(names, |_| {})
    }

    /// A server whose leaf parameters `edit` changes first (dates).
    fn server_with(
        &self,
        names: &[&str],
        edit: impl FnOnce(&mut CertificateParams),
    ) -> Arc<rustls::ServerConfig> {
        let key = KeyPair::generate().expect("leaf key");
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .expect("leaf params");
        edit(&mut params);
        let leaf = params.signed_by(&key, &self.issuer).expect("leaf");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(self.versions)
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone(), self.ca_der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .expect("server config");
        Arc::new(config)
    }
}

/// `mailcheck smtp smtp.example` with the fixture zones, its MX's port 25
/// sent to `port`, and `extra` arguments.
fn probe(port: u16, extra: &[&str]) -> Out {
    probe_at(&format!("127.0.0.1:{port}"), extra)
}

/// `mailcheck smtp smtp.example` as [`probe`] does, its MX's port 25 sent
/// to `addr` (`IP:PORT`): for servers other tests start.
pub(crate) fn probe_at(addr: &str, extra: &[&str]) -> Out {
    let zone = fixtures().join("smtp/smtp.example.zone");
    let reverse = fixtures().join("shared/reverse-192.0.2.zone");
    let connect_to = format!("mx.smtp.example:25:{addr}");
    let mut args = vec![
        "smtp",
        "smtp.example",
        "--zone",
        zone.to_str().unwrap(),
        "--zone",
        reverse.to_str().unwrap(),
        "--connect-to",
        &connect_to,
        "--ehlo",
        "probe.mailcheck.test",
    ];
    args.extend_from_slice(extra);
    mailcheck(&args)
}

/// The EHLO extensions a probe reported.
pub(crate) fn extensions(probe: &serde_json::Value) -> Vec<&str> {
    probe["extensions"]
        .as_array()
        .expect("extensions")
        .iter()
        .filter_map(|e| e.as_str())
        .collect()
}

#[test]
fn trusted_certificate_for_the_mx_name_passes() {
    let pki = Pki::new();
    let port = serve(Behaviour::Tls(pki.server(&["mx.smtp.example"])));
    let ca = pki.ca_path();
    let out = probe(port, &["--ca", ca.to_str().unwrap(), "--json"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let v = out.json();
    assert_eq!(v["domain"], "smtp.example");
    assert_eq!(v["status"], "pass");
    for name in [
        "smtp.connect",
        "smtp.banner",
        "smtp.ehlo",
        "smtp.starttls",
        "smtp.tls",
        "smtp.certificate",
        "smtp.ptr",
    ] {
        assert_eq!(statuses(&v, name), ["pass"], "{name}: {}", out.stdout);
    }
    let p = &v["probes"][0];
    assert_eq!(p["host"], "mx.smtp.example");
    assert_eq!(p["address"], "192.0.2.60");
    assert_eq!(p["connected_to"], format!("127.0.0.1:{port}"));
    assert_eq!(p["banner_code"], 220);
    assert_eq!(p["banner"], "mx.smtp.example ESMTP test");
    assert!(p["banner_ms"].as_u64().is_some());
    assert_eq!(
        extensions(p),
        ["PIPELINING", "SIZE 10240000", "STARTTLS", "8BITMIME"]
    );
    assert_eq!(p["tls_version"], "TLSv1.3");
    assert!(p["cipher"].as_str().unwrap().starts_with("TLS13_"), "{p}");
    assert_eq!(p["certificate"]["trusted"], true);
    assert_eq!(p["certificate"]["names"][0], "mx.smtp.example");
    assert!(
        p["certificate"]["not_after"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    // The text report says the same in words.
    let out = probe(port, &["--ca", ca.to_str().unwrap()]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.starts_with("smtp.example: pass"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("  SMTP\n"), "{}", out.stdout);
    assert!(out.stdout.contains("offers STARTTLS"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("the certificate is trusted and valid for mx.smtp.example"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("tls: TLSv1.3"), "{}", out.stdout);

    // Without --ca, the public roots do not know the test CA.
    let out = probe(port, &["--json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v = out.json();
    assert_eq!(statuses(&v, "smtp.certificate"), ["fail"]);
    assert!(messages(&v, "smtp.certificate")[0].contains("not issued by a trusted CA"));
    assert_eq!(v["probes"][0]["certificate"]["trusted"], false);
}

#[test]
fn certificate_for_another_name_fails() {
    let pki = Pki::new();
    let port = serve(Behaviour::Tls(pki.server(&["other.example"])));
    let ca = pki.ca_path();
    let out = probe(port, &["--ca", ca.to_str().unwrap(), "--json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v = out.json();
    assert_eq!(v["status"], "fail");
    assert_eq!(statuses(&v, "smtp.tls"), ["pass"]);
    assert_eq!(statuses(&v, "smtp.certificate"), ["fail"]);
    let m = &messages(&v, "smtp.certificate")[0];
    assert!(m.contains("names do not include the host name"), "{m}");
    assert!(m.contains("other.example"), "{m}");
    let cert = &v["probes"][0]["certificate"];
    assert_eq!(cert["trusted"], false);
    assert_eq!(cert["names"][0], "other.example");

    let out = probe(port, &["--ca", ca.to_str().unwrap()]);
    assert!(
        out.stdout.contains("fix: install a certificate"),
        "{}",
        out.stdout
    );
}

#[test]
fn no_starttls_fails() {
    let port = serve(Behaviour::Plain);
    let out = probe(port, &["--json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v = out.json();
    assert_eq!(statuses(&v, "smtp.banner"), ["pass"]);
    assert_eq!(statuses(&v, "smtp.ehlo"), ["pass"]);
    assert_eq!(statuses(&v, "smtp.starttls"), ["fail"]);
    assert!(statuses(&v, "smtp.certificate").is_empty());
    // A multi-line greeting is one reply.
    assert_eq!(
        v["probes"][0]["banner"],
        "mx.smtp.example ESMTP test\nsecond greeting line"
    );
    assert!(v["probes"][0]["tls_version"].is_null());

    let out = probe(port, &[]);
    assert!(
        out.stdout.contains("does not offer STARTTLS"),
        "{}",
        out.stdout
    );
}

#[test]
fn unreachable_port_is_an_error_not_a_broken_server() {
    // A port that was just free: nobody listens on it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = probe(port, &["--json"]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    let v = out.json();
    assert_eq!(v["status"], "error");
    assert_eq!(statuses(&v, "smtp.connect"), ["error"]);
    let fix = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "smtp.connect")
        .unwrap()["fix"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(fix.contains("outbound port 25 is often blocked"), "{fix}");

    let out = probe(port, &[]);
    assert_eq!(out.code, 3);
    assert!(
        out.stdout
            .contains("error could not connect to mx.smtp.example (192.0.2.60) port 25"),
        "{}",
        out.stdout
    );
}

#[test]
fn greylisting_banner_is_an_error() {
    for reply in ["421 4.3.2 too busy, try later", "450 4.7.1 greylisted"] {
        let port = serve(Behaviour::Refuse(reply));
        let out = probe(port, &["--json"]);
        assert_eq!(out.code, 3, "{reply}: {}", out.stdout);
        let v = out.json();
        assert_eq!(statuses(&v, "smtp.banner"), ["error"], "{reply}");
        assert!(messages(&v, "smtp.banner")[0].contains("temporary refusal"));
        assert_eq!(
            v["probes"][0]["banner_code"],
            reply[..3].parse::<u16>().unwrap()
        );
        assert!(
            statuses(&v, "smtp.ehlo").is_empty(),
            "no EHLO after a refusal"
        );
    }
}

#[test]
fn silent_and_garbage_servers() {
    let port = serve(Behaviour::Silent);
    let out = probe(port, &["--json", "--timeout", "1"]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    let v = out.json();
    assert_eq!(statuses(&v, "smtp.banner"), ["error"]);
    assert!(messages(&v, "smtp.banner")[0].contains("no complete reply within 1s"));

    let port = serve(Behaviour::Garbage);
    let out = probe(port, &["--json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v = out.json();
    assert_eq!(statuses(&v, "smtp.banner"), ["fail"]);
    assert!(messages(&v, "smtp.banner")[0].contains("does not speak SMTP"));
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &["smtp", "smtp.example", "--connect-to", "nonsense"][..],
        &["smtp", "smtp.example", "--ca", "/nonexistent/ca.pem"][..],
        &["smtp", "mx.example:99999"][..],
    ] {
        let out = mailcheck(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    }
}

#[test]
fn expired_certificate_fails_with_its_dates() {
    let pki = Pki::new();
    let port = serve(Behaviour::Tls(pki.server_with(&["mx.smtp.example"], |p| {
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2021, 1, 1);
    })));
    let ca = pki.ca_path();
    let out = probe(port, &["--ca", ca.to_str().unwrap(), "--json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v = out.json();
    assert_eq!(statuses(&v, "smtp.certificate"), ["fail"]);
    assert!(messages(&v, "smtp.certificate")[0].contains("has expired"));
    let cert = &v["probes"][0]["certificate"];
    assert_eq!(cert["not_before"], "2020-01-01T00:00:00Z");
    assert_eq!(cert["not_after"], "2021-01-01T00:00:00Z");
}

#[test]
fn permanent_refusal_in_the_greeting_is_an_error() {
    let port = serve(Behaviour::Refuse("554 5.7.1 no service for you"));
    let out = probe(port, &["--json"]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    let v = out.json();
    assert_eq!(statuses(&v, "smtp.banner"), ["error"]);
    assert!(messages(&v, "smtp.banner")[0].contains("refuses this client"));
}

#[test]
fn data_sent_before_the_tls_handshake_fails() {
    let port = serve(Behaviour::Injects);
    let out = probe(port, &["--json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v = out.json();
    assert_eq!(statuses(&v, "smtp.starttls"), ["fail"]);
    assert!(messages(&v, "smtp.starttls")[0].contains("sent data after its STARTTLS reply"));
    assert!(statuses(&v, "smtp.tls").is_empty());
}

/// `mailcheck smtp NAME` against the fixture zone, every host's port 25 sent
/// to `port`.
fn probe_any(name: &str, port: u16) -> Out {
    let zone = fixtures().join("smtp/smtp.example.zone");
    let connect_to = format!("::127.0.0.1:{port}");
    mailcheck(&[
        "smtp",
        name,
        "--zone",
        zone.to_str().unwrap(),
        "--connect-to",
        &connect_to,
        "--json",
    ])
}

#[test]
fn mx_hosts_are_probed_in_preference_order_at_every_address() {
    let port = serve(Behaviour::Plain);
    let out = probe_any("order.smtp.example", port);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let v = out.json();
    let probed: Vec<(String, String)> = v["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["host"].as_str().unwrap().to_string(),
                p["address"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        probed,
        [
            ("mx-a.order.smtp.example".into(), "192.0.2.61".into()),
            ("mx-a.order.smtp.example".into(), "2001:db8::61".into()),
            ("mx-b.order.smtp.example".into(), "192.0.2.62".into()),
        ]
    );
    assert!(
        messages(&v, "smtp.mx")[0].contains("mx-a.order.smtp.example, mx-b.order.smtp.example")
    );
    assert_eq!(statuses(&v, "smtp.banner"), ["pass", "pass", "pass"]);
    // No PTR is published for these addresses.
    assert_eq!(statuses(&v, "smtp.ptr"), ["warn", "warn", "warn"]);

    // No MX: the name's own address is probed.
    let out = probe_any("bare.smtp.example", port);
    let v = out.json();
    assert_eq!(v["probes"][0]["host"], "bare.smtp.example");
    assert_eq!(v["probes"][0]["address"], "192.0.2.63");

    // A null MX: nothing to probe, and nothing wrong.
    let out = probe_any("null.smtp.example", port);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let v = out.json();
    assert_eq!(statuses(&v, "smtp.mx"), ["info"]);
    assert!(v["probes"].as_array().unwrap().is_empty());

    // A domain that does not exist fails without a connection.
    let out = probe_any("missing.smtp.example", port);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(statuses(&out.json(), "smtp.mx"), ["fail"]);
}

#[test]
fn tls_1_2_is_reported_and_passes() {
    static TLS12_ONLY: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];
    let mut pki = Pki::new();
    pki.versions = TLS12_ONLY;
    let port = serve(Behaviour::Tls(pki.server(&["mx.smtp.example"])));
    let ca = pki.ca_path();
    let out = probe(port, &["--ca", ca.to_str().unwrap(), "--json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let v = out.json();
    assert_eq!(v["probes"][0]["tls_version"], "TLSv1.2");
    assert!(
        v["probes"][0]["cipher"]
            .as_str()
            .unwrap()
            .starts_with("TLS_ECDHE_")
    );
    assert_eq!(statuses(&v, "smtp.certificate"), ["pass"]);
}

#[test]
fn a_ca_file_without_certificates_is_exit_2() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"not a certificate\n").unwrap();
    let out = mailcheck(&[
        "smtp",
        "smtp.example",
        "--ca",
        file.path().to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("no PEM certificate"), "{}", out.stderr);
}

#[test]
fn deadline_cuts_a_silent_server_short() {
    let port = serve(Behaviour::Silent);
    // The silent server closes after 5 s, which alone would be an
    // `smtp.banner` error; `run.deadline` says the 1 s deadline ended it.
    let out = probe(port, &["--json", "--timeout", "30", "--deadline", "1"]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert_eq!(statuses(&out.json(), "run.deadline"), ["error"]);
}

/// `mailcheck smtp` against a server with a fresh leaf key, with the TLSA
/// records `tlsa` makes from the SHA-256 of the leaf's SubjectPublicKeyInfo
/// and of the CA certificate (lines for `_25._tcp.mx`) added to the
/// smtp.example zone.
fn probe_with_tlsa(tlsa: impl Fn(&str, &str) -> Vec<String>) -> Out {
    use sha2::Digest;
    let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
    let pki = Pki::new();
    let key = KeyPair::generate().expect("leaf key");
    let params = CertificateParams::new(vec!["mx.smtp.example".to_string()]).expect("params");
    let leaf = params.signed_by(&key, &pki.issuer).expect("leaf");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(pki.versions)
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), pki.ca_der.clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .expect("server config");
    let port = serve(Behaviour::Tls(Arc::new(config)));
    let spki = hex(&sha2::Sha256::digest(
        rcgen::PublicKeyData::subject_public_key_info(&key),
    ));
    let ca = hex(&sha2::Sha256::digest(pki.ca_der.as_ref()));
    let dir = tempfile::tempdir().expect("temp dir");
    let mut zone =
        std::fs::read_to_string(fixtures().join("smtp/smtp.example.zone")).expect("zone");
    for line in tlsa(&spki, &ca) {
        zone.push_str(&format!("_25._tcp.mx TLSA {line}\n"));
    }
    let zone_path = dir.path().join("smtp.example.zone");
    std::fs::write(&zone_path, zone).expect("write zone");
    let reverse = fixtures().join("shared/reverse-192.0.2.zone");
    let connect_to = format!("mx.smtp.example:25:127.0.0.1:{port}");
    let ca_path = pki.ca_path();
    mailcheck(&[
        "smtp",
        "smtp.example",
        "--zone",
        zone_path.to_str().unwrap(),
        "--zone",
        reverse.to_str().unwrap(),
        "--connect-to",
        &connect_to,
        "--ehlo",
        "probe.mailcheck.test",
        "--ca",
        ca_path.to_str().unwrap(),
        "--json",
    ])
}

#[test]
fn dane_match_compares_the_certificate_with_the_tlsa_records() {
    // No TLSA records: no dane.match finding.
    let out = probe_with_tlsa(|_, _| Vec::new());
    assert!(
        statuses(&out.json(), "dane.match").is_empty(),
        "{}",
        out.stdout
    );

    // DANE-EE of the leaf's public key.
    let out = probe_with_tlsa(|spki, _| vec![format!("3 1 1 {spki}")]);
    let v = out.json();
    assert_eq!(statuses(&v, "dane.match"), ["pass"], "{}", out.stdout);
    assert!(
        messages(&v, "dane.match")[0].contains("TLSA 3 1 1"),
        "{}",
        out.stdout
    );

    // DANE-TA of the CA certificate the server sends after its leaf.
    let out = probe_with_tlsa(|_, ca| vec![format!("2 0 1 {ca}")]);
    let v = out.json();
    assert_eq!(statuses(&v, "dane.match"), ["pass"], "{}", out.stdout);
    assert!(
        messages(&v, "dane.match")[0].contains("certificate 2"),
        "{}",
        out.stdout
    );

    // Records of other keys, and the CA's digest given as DANE-EE: no match.
    let out =
        probe_with_tlsa(|_, ca| vec![format!("3 1 1 {}", "ab".repeat(32)), format!("3 0 1 {ca}")]);
    let v = out.json();
    assert_eq!(statuses(&v, "dane.match"), ["fail"], "{}", out.stdout);
    assert!(
        messages(&v, "dane.match")[0].contains("matches none of its 2"),
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 1, "{}", out.stdout);

    // PKIX usages are not used for SMTP: nothing to match against.
    let out = probe_with_tlsa(|spki, _| vec![format!("1 1 1 {spki}")]);
    assert!(
        statuses(&out.json(), "dane.match").is_empty(),
        "{}",
        out.stdout
    );
}
