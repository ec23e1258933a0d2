//! `smtp.*`: probe a domain's MX hosts over SMTP the way a sending server
//! would: connect to port 25, read the greeting, EHLO, STARTTLS (RFC 3207),
//! check the certificate against the MX host name, and QUIT.
//!
//! The reply reader is hand-written rather than taken from a crate: the
//! probe reads only replies (never commands), and needs exactly three things
//! an SMTP library would hide from it: the raw greeting text, a per-reply
//! timeout and a hard cap on hostile input (a line cap of
//! [`MAX_LINE`] bytes, well above the 512 of RFC 5321 4.5.3.1.5, and a cap
//! on the lines of one reply). Multi-line replies follow RFC 5321 4.2.1.
//!
//! The certificate is verified by rustls's WebPKI verifier (the same roots
//! a sending MTA would use, or `--ca`), wrapped so that the handshake
//! completes even with a bad certificate: the probe records the verifier's
//! verdict as the `smtp.certificate` finding instead of giving up, and
//! reads the dates and names from the leaf with x509-parser.

use crate::{
    check::mx::fcrdns,
    dns::{Dns, Rcode},
    names::display_name,
    report::{Finding, Status},
};
use hickory_resolver::proto::rr::{RData, RecordType};
use rustls::{
    DigitallySignedStruct, SignatureScheme,
    client::WebPkiServerVerifier,
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    pki_types::{CertificateDer, ServerName, UnixTime},
};
use std::{
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader},
    net::TcpStream,
    time::timeout,
};

/// The longest reply line read: RFC 5321 4.5.3.1.5 allows 512 octets; real
/// servers send longer EHLO lines, so the cap leaves generous slack.
pub const MAX_LINE: usize = 4096;
/// The most lines one reply may have before the server counts as hostile.
pub const MAX_REPLY_LINES: usize = 200;

/// What the command probes.
#[derive(Debug, Clone)]
pub struct Target {
    /// A domain or host name (A-label form), or an IP literal.
    pub name: String,
    /// A port given on the command line: the target is then a host.
    pub port: Option<u16>,
}

/// One `--connect-to HOST:PORT:ADDR:PORT` rule, with curl's meaning: a
/// connection to HOST:PORT goes to ADDR:PORT instead. An empty HOST or PORT
/// matches any; an empty ADDR or PORT keeps the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    host: Option<String>,
    port: Option<u16>,
    addr: Option<IpAddr>,
    to_port: Option<u16>,
}

impl ConnectTo {
    /// Parse `HOST:PORT:ADDR:PORT`; ADDR is an IP (IPv6 in brackets).
    pub fn parse(text: &str) -> Result<ConnectTo, String> {
        let bad = || {
            format!(
                "--connect-to {text:?}: expected HOST:PORT:ADDR:PORT (ADDR an IP address, IPv6 in brackets)"
            )
        };
        let (host, rest) = text.split_once(':').ok_or_else(bad)?;
        let (port, rest) = rest.split_once(':').ok_or_else(bad)?;
        let (addr, to_port) = rest.rsplit_once(':').ok_or_else(bad)?;
        let port_of = |p: &str| -> Result<Option<u16>, String> {
            if p.is_empty() {
                Ok(None)
            } else {
                p.parse().map(Some).map_err(|_| bad())
            }
        };
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        Ok(ConnectTo {
            host: (!host.is_empty()).then(|| host.trim_end_matches('.').to_ascii_lowercase()),
            port: port_of(port)?,
            addr: if addr.is_empty() {
                None
            } else {
                Some(addr.parse().map_err(|_| bad())?)
            },
            to_port: port_of(to_port)?,
        })
    }

    fn matches(&self, host: &str, port: u16) -> bool {
        self.host
            .as_deref()
            .is_none_or(|h| h.eq_ignore_ascii_case(host.trim_end_matches('.')))
            && self.port.is_none_or(|p| p == port)
    }
}

/// Where to connect for `host`:`port` at `addr`: the first matching rule
/// wins (as in curl).
pub fn route(
    rules: &[ConnectTo],
    host: &str,
    port: u16,
    addr: Option<IpAddr>,
) -> Option<SocketAddr> {
    match rules.iter().find(|r| r.matches(host, port)) {
        Some(r) => Some(SocketAddr::new(r.addr.or(addr)?, r.to_port.unwrap_or(port))),
        None => addr.map(|a| SocketAddr::new(a, port)),
    }
}

/// How the probe runs.
#[derive(Clone)]
pub struct Options {
    /// The name sent in EHLO.
    pub ehlo: String,
    /// How long each step (connect, each reply, the handshake) may take.
    pub timeout: Duration,
    /// `--connect-to` rules.
    pub connect_to: Vec<ConnectTo>,
    /// The trust anchors certificates are checked against.
    pub roots: Arc<rustls::RootCertStore>,
}

/// What one address told the probe, for the report's own keys.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    /// The MX host (or the host given).
    pub host: String,
    /// Its address as DNS gives it (or the IP given).
    pub address: Option<IpAddr>,
    /// Where the probe connected (differs with --connect-to).
    pub connected_to: Option<SocketAddr>,
    /// The greeting, lines joined by newlines, without reply codes.
    pub banner: Option<String>,
    /// The greeting's reply code.
    pub banner_code: Option<u16>,
    /// Milliseconds from the established connection to the end of the greeting.
    pub banner_ms: Option<u64>,
    /// EHLO keywords (upper case) with their parameters.
    pub extensions: Vec<String>,
    /// The negotiated TLS version (`TLSv1.3`).
    pub tls_version: Option<String>,
    /// The negotiated cipher suite.
    pub cipher: Option<String>,
    /// The leaf certificate, when one was seen.
    pub certificate: Option<CertInfo>,
    /// The certificates the server presented (DER), leaf first, for
    /// matching against TLSA records (`dane.match`).
    pub chain: Vec<Vec<u8>>,
}

/// The leaf certificate's dates and names, and the verifier's verdict.
#[derive(Debug, Clone)]
pub struct CertInfo {
    /// Subject common name, when present.
    pub subject: Option<String>,
    /// DNS names and IPs of the subjectAltName extension.
    pub names: Vec<String>,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// Whether the chain verified against the roots for the MX host name.
    pub trusted: bool,
    /// Why not, in words.
    pub error: Option<String>,
}

/// Probe a target: findings in probe order, and one [`Probe`] per address.
pub async fn check(dns: &Dns, target: &Target, options: &Options) -> (Vec<Finding>, Vec<Probe>) {
    let mut findings = Vec::new();
    let port = target.port.unwrap_or(25);
    let hosts: Vec<String> = match target.name.parse::<IpAddr>() {
        Ok(_) => vec![target.name.clone()],
        Err(_) if target.port.is_some() => vec![target.name.clone()],
        Err(_) => {
            match exchanges(dns, &target.name).await {
                Ok(Some(hosts)) if hosts.is_empty() => {
                    findings.push(Finding::new(
                    "smtp.mx",
                    Status::Info,
                    format!("{} publishes a null MX: it accepts no mail, nothing to probe (RFC 7505)", target.name),
                ));
                    return (findings, Vec::new());
                }
                Ok(Some(hosts)) => {
                    findings.push(Finding::new(
                        "smtp.mx",
                        Status::Info,
                        format!(
                            "MX hosts of {} in preference order: {}",
                            target.name,
                            hosts.join(", ")
                        ),
                    ));
                    hosts
                }
                // No MX: the name itself is the host (RFC 5321 5.1's implicit MX).
                Ok(None) => vec![target.name.clone()],
                Err(f) => return (vec![f], Vec::new()),
            }
        }
    };
    let mut probes = Vec::new();
    for host in hosts {
        let addresses = match host.parse::<IpAddr>() {
            Ok(ip) => vec![Some(ip)],
            Err(_) => match addresses(dns, &host).await {
                Ok(a)
                    if a.is_empty() && route(&options.connect_to, &host, port, None).is_some() =>
                {
                    vec![None]
                }
                Ok(a) if a.is_empty() => {
                    findings.push(
                        Finding::new(
                            "smtp.connect",
                            Status::Fail,
                            format!("{host} has no A or AAAA record: nothing to connect to"),
                        )
                        .fix(format!("publish an A (and/or AAAA) record for {host}")),
                    );
                    continue;
                }
                Ok(a) => a.into_iter().map(Some).collect(),
                Err(f) => {
                    findings.push(f);
                    continue;
                }
            },
        };
        for address in addresses {
            let (f, probe) = probe_address(dns, &host, address, port, options).await;
            findings.extend(f);
            probes.push(probe);
        }
    }
    (findings, probes)
}

/// The MX hosts in preference order; `None` when there is no MX record.
async fn exchanges(dns: &Dns, domain: &str) -> Result<Option<Vec<String>>, Finding> {
    let answer = dns
        .query_str(domain, RecordType::MX)
        .await
        .map_err(|e| super::dns_error("smtp.mx", &format!("the MX records of {domain}"), &e))?;
    if answer.rcode == Rcode::NxDomain {
        return Err(Finding::new(
            "smtp.mx",
            Status::Fail,
            format!("{domain} does not exist (NXDOMAIN): there is no mail server to probe"),
        ));
    }
    let mut mx: Vec<(u16, String)> = answer
        .data(RecordType::MX)
        .filter_map(|d| match d {
            RData::MX(mx) => Some((mx.preference, display_name(&mx.exchange))),
            _ => None,
        })
        .collect();
    if mx.is_empty() {
        return Ok(None);
    }
    mx.sort();
    Ok(Some(
        mx.into_iter()
            .map(|(_, h)| h)
            .filter(|h| h != ".")
            .collect(),
    ))
}

async fn addresses(dns: &Dns, host: &str) -> Result<Vec<IpAddr>, Finding> {
    let (a, aaaa) = tokio::join!(
        dns.query_str(host, RecordType::A),
        dns.query_str(host, RecordType::AAAA)
    );
    let mut out = Vec::new();
    for lookup in [a, aaaa] {
        match lookup {
            Ok(ans) => out.extend(ans.addresses()),
            Err(e) => {
                return Err(super::dns_error(
                    "smtp.connect",
                    &format!("the address of {host}"),
                    &e,
                ));
            }
        }
    }
    Ok(out)
}

/// Why a step of the conversation could not finish.
#[derive(Debug)]
enum Stop {
    /// The peer could not be reached or went silent: an `error`.
    Unreachable(String),
    /// The peer said something that is not SMTP: a `fail`.
    Garbage(String),
}

/// One SMTP reply: the code and each line's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code.
    pub code: u16,
    /// The text of each line, after the code and separator.
    pub lines: Vec<String>,
}

/// Read one reply (RFC 5321 4.2.1): lines `CODE-text`, the last `CODE text`
/// (or the bare code), all with the same code.
async fn read_reply<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    limit: Duration,
) -> Result<Reply, Stop> {
    let work = async {
        let mut lines = Vec::new();
        let mut code = None;
        loop {
            let line = read_line(reader).await?;
            let parsed = parse_line(&line).ok_or_else(|| {
                Stop::Garbage(format!("not an SMTP reply line: {:?}", shorten(&line)))
            })?;
            if *code.get_or_insert(parsed.0) != parsed.0 {
                return Err(Stop::Garbage(format!(
                    "reply code changed within one reply: {:?}",
                    shorten(&line)
                )));
            }
            lines.push(parsed.2);
            if lines.len() > MAX_REPLY_LINES {
                return Err(Stop::Garbage(format!(
                    "a reply of more than {MAX_REPLY_LINES} lines"
                )));
            }
            if parsed.1 {
                return Ok(Reply {
                    code: parsed.0,
                    lines,
                });
            }
        }
    };
    match timeout(limit, work).await {
        Ok(r) => r,
        Err(_) => Err(Stop::Unreachable(format!(
            "no complete reply within {}s",
            limit.as_secs_f64()
        ))),
    }
}

/// One line up to CRLF (or bare LF), at most [`MAX_LINE`] bytes.
async fn read_line<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Result<String, Stop> {
    let mut line = Vec::new();
    loop {
        let buf = reader
            .fill_buf()
            .await
            .map_err(|e| Stop::Unreachable(format!("reading failed: {e}")))?;
        if buf.is_empty() {
            return Err(Stop::Unreachable(if line.is_empty() {
                "the server closed the connection".into()
            } else {
                "the server closed the connection in the middle of a line".into()
            }));
        }
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(&buf[..take]);
        reader.consume(take);
        if line.len() > MAX_LINE {
            return Err(Stop::Garbage(format!(
                "a reply line longer than {MAX_LINE} bytes"
            )));
        }
        if done {
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            return Ok(String::from_utf8_lossy(&line).into_owned());
        }
    }
}

/// `250-text` -> (250, false, "text"); `250 text` or `250` -> last line.
pub fn parse_line(line: &str) -> Option<(u16, bool, String)> {
    let b = line.as_bytes();
    if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_digit) || !(b'2'..=b'5').contains(&b[0]) {
        return None;
    }
    let code = line[..3].parse().ok()?;
    match b.get(3) {
        None => Some((code, true, String::new())),
        Some(b' ') => Some((code, true, line[4..].to_string())),
        Some(b'-') => Some((code, false, line[4..].to_string())),
        _ => None,
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(80).collect()
}

const BLOCKED: &str = "outbound port 25 is often blocked by ISPs, cloud providers and firewalls; run the probe from a host that may send mail before concluding the server is down";

/// Probe one address of one host.
async fn probe_address(
    dns: &Dns,
    host: &str,
    address: Option<IpAddr>,
    port: u16,
    options: &Options,
) -> (Vec<Finding>, Probe) {
    let mut probe = Probe {
        host: host.to_string(),
        address,
        ..Probe::default()
    };
    let at = match address {
        Some(a) if a.to_string() != host => format!("{host} ({a})"),
        _ => host.to_string(),
    };
    let mut findings = Vec::new();
    let Some(dest) = route(&options.connect_to, host, port, address) else {
        return (findings, probe);
    };
    probe.connected_to = Some(dest);
    let ptr = async {
        match address {
            Some(ip) => fcrdns(dns, ip, "smtp.ptr", &format!("{host} address")).await,
            _ => Vec::new(),
        }
    };
    let tlsa = super::dane::tlsa_for_smtp(dns, host, port);
    let conversation = converse(host, port, dest, options, &at, &mut probe, &mut findings);
    let (_, ptr, tlsa) = tokio::join!(conversation, ptr, tlsa);
    if !tlsa.is_empty() && !probe.chain.is_empty() {
        findings.push(super::dane::match_finding(&at, &tlsa, &probe.chain));
    }
    findings.extend(ptr);
    (findings, probe)
}

/// Connect, greet, EHLO, STARTTLS, EHLO again, QUIT; findings as it goes.
async fn converse(
    host: &str,
    port: u16,
    dest: SocketAddr,
    options: &Options,
    at: &str,
    probe: &mut Probe,
    findings: &mut Vec<Finding>,
) {
    let via = if Some(dest.ip()) != probe.address || dest.port() != port {
        format!(" (--connect-to {dest})")
    } else {
        String::new()
    };
    let stream = match timeout(options.timeout, TcpStream::connect(dest)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            findings.push(Finding::new(
                "smtp.connect",
                Status::Error,
                format!("could not connect to {at} port {port}{via}: {e}"),
            ));
            return;
        }
        Err(_) => {
            findings.push(Finding::new(
                "smtp.connect",
                Status::Error,
                format!(
                    "no answer from {at} port {port}{via} within {}s",
                    options.timeout.as_secs_f64()
                ),
            ));
            return;
        }
    };
    findings.push(Finding::new(
        "smtp.connect",
        Status::Pass,
        format!("connected to {at} port {port}{via}"),
    ));
    let started = Instant::now();
    let mut conn = BufReader::new(stream);
    let banner = match read_reply(&mut conn, options.timeout).await {
        Ok(r) => r,
        Err(stop) => {
            findings.push(stopped("smtp.banner", at, "the greeting", stop));
            return;
        }
    };
    let ms = started.elapsed().as_millis() as u64;
    probe.banner = Some(banner.lines.join("\n"));
    probe.banner_code = Some(banner.code);
    probe.banner_ms = Some(ms);
    let text = banner.lines.first().cloned().unwrap_or_default();
    match banner.code {
        220 => findings.push(
            Finding::new(
                "smtp.banner",
                Status::Pass,
                format!("{at} greets with 220 after {ms} ms"),
            )
            .record(format!("220 {text}")),
        ),
        code => {
            let why = if code / 100 == 4 {
                "a temporary refusal: the server may be busy, greylisting, or limiting this client's address"
            } else {
                "the server refuses this client; it may be refusing the probing address rather than all mail"
            };
            findings.push(
                Finding::new(
                    "smtp.banner",
                    Status::Error,
                    format!("{at} greets with {code} instead of 220: {why}"),
                )
                .record(format!("{code} {text}"))
                .fix(format!(
                    "retry later, from a host that may send mail; {BLOCKED}"
                )),
            );
            let _ = quit(&mut conn, options.timeout).await;
            return;
        }
    }
    let ehlo = match command(
        &mut conn,
        &format!("EHLO {}", options.ehlo),
        options.timeout,
    )
    .await
    {
        Ok(r) => r,
        Err(stop) => {
            findings.push(stopped("smtp.ehlo", at, "EHLO", stop));
            return;
        }
    };
    if ehlo.code != 250 {
        findings.push(Finding::new(
            "smtp.ehlo",
            Status::Fail,
            format!(
                "{at} answers EHLO with {} {}",
                ehlo.code,
                ehlo.lines.first().map(String::as_str).unwrap_or("")
            ),
        ));
        let _ = quit(&mut conn, options.timeout).await;
        return;
    }
    probe.extensions = extensions(&ehlo);
    findings.push(Finding::new(
        "smtp.ehlo",
        Status::Pass,
        format!(
            "{at} answers EHLO with {} extension{}: {}",
            probe.extensions.len(),
            if probe.extensions.len() == 1 { "" } else { "s" },
            probe.extensions.join(", ")
        ),
    ));
    let offers_tls = probe
        .extensions
        .iter()
        .any(|e| e.split_whitespace().next() == Some("STARTTLS"));
    if !offers_tls {
        findings.push(Finding::new(
            "smtp.starttls",
            Status::Fail,
            format!("{at} does not offer STARTTLS: mail to it travels unencrypted"),
        ));
        let _ = quit(&mut conn, options.timeout).await;
        return;
    }
    let go = match command(&mut conn, "STARTTLS", options.timeout).await {
        Ok(r) => r,
        Err(stop) => {
            findings.push(stopped("smtp.starttls", at, "STARTTLS", stop));
            return;
        }
    };
    if go.code != 220 {
        findings.push(
            Finding::new(
                "smtp.starttls",
                Status::Fail,
                format!(
                    "{at} offers STARTTLS but answers it with {} {}",
                    go.code,
                    go.lines.first().map(String::as_str).unwrap_or("")
                ),
            )
            .fix(
                "check the server's TLS configuration (certificate and key readable by the server)",
            ),
        );
        let _ = quit(&mut conn, options.timeout).await;
        return;
    }
    if !conn.buffer().is_empty() {
        // RFC 3207 4.2 / the STARTTLS command injection class of bugs.
        findings.push(Finding::new(
            "smtp.starttls",
            Status::Fail,
            format!("{at} sent data after its STARTTLS reply, before the TLS handshake; that data is discarded"),
        )
        .fix("the server, or a device in front of it, must send nothing between its 220 to STARTTLS and the TLS handshake (RFC 3207 4.2): update the server software or remove the device"));
        return;
    }
    findings.push(Finding::new(
        "smtp.starttls",
        Status::Pass,
        format!("{at} offers STARTTLS"),
    ));
    let stream = conn.into_inner();
    tls(host, stream, options, at, probe, findings).await;
}

/// The TLS handshake over an accepted STARTTLS, the certificate, EHLO
/// again (RFC 3207 4.2) and QUIT.
async fn tls(
    host: &str,
    stream: TcpStream,
    options: &Options,
    at: &str,
    probe: &mut Probe,
    findings: &mut Vec<Finding>,
) {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verdict = Arc::new(Mutex::new(None));
    let verifier =
        match WebPkiServerVerifier::builder_with_provider(options.roots.clone(), provider.clone())
            .build()
        {
            Ok(v) => v,
            Err(e) => {
                findings.push(
                    Finding::new(
                        "smtp.tls",
                        Status::Error,
                        format!("no certificate verifier: {e}"),
                    )
                    .fix("check the --ca file: it must hold at least one PEM CA certificate"),
                );
                return;
            }
        };
    let recorder = Arc::new(Recorder {
        inner: verifier,
        verdict: verdict.clone(),
    });
    let config = match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(recorder)
            .with_no_client_auth(),
        Err(e) => {
            findings.push(Finding::new(
                "smtp.tls",
                Status::Error,
                format!("TLS configuration: {e}"),
            )
            .fix("this is mailcheck's own TLS setup failing, not the server's: retry, and report it if it persists"));
            return;
        }
    };
    let name = match host.parse::<IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => match ServerName::try_from(host.trim_end_matches('.').to_string()) {
            Ok(n) => n,
            Err(e) => {
                findings.push(Finding::new(
                    "smtp.tls",
                    Status::Fail,
                    format!("{host} is not a name TLS can check: {e}"),
                ));
                return;
            }
        },
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tls = match timeout(options.timeout, connector.connect(name, stream)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            findings.push(Finding::new(
                "smtp.tls",
                Status::Fail,
                format!("the TLS handshake with {at} failed: {e}"),
            ));
            return;
        }
        Err(_) => {
            findings.push(Finding::new(
                "smtp.tls",
                Status::Error,
                format!(
                    "the TLS handshake with {at} did not finish within {}s",
                    options.timeout.as_secs_f64()
                ),
            ));
            return;
        }
    };
    {
        let (_, session) = tls.get_ref();
        probe.tls_version = session
            .protocol_version()
            .and_then(|v| v.as_str())
            .map(|v| v.replace("TLSv1_", "TLSv1."));
        probe.cipher = session
            .negotiated_cipher_suite()
            .and_then(|c| c.suite().as_str())
            .map(str::to_string);
        findings.push(Finding::new(
            "smtp.tls",
            Status::Pass,
            format!(
                "{at}: {} with {}",
                probe.tls_version.as_deref().unwrap_or("TLS"),
                probe.cipher.as_deref().unwrap_or("an unnamed cipher suite")
            ),
        ));
        probe.chain = session
            .peer_certificates()
            .map(|c| c.iter().map(|d| d.to_vec()).collect())
            .unwrap_or_default();
        let leaf = session.peer_certificates().and_then(|c| c.first());
        let outcome = verdict.lock().map(|v| v.clone()).unwrap_or(None);
        findings.push(certificate(host, at, leaf, outcome, probe));
    }
    let mut conn = BufReader::new(tls);
    match command(
        &mut conn,
        &format!("EHLO {}", options.ehlo),
        options.timeout,
    )
    .await
    {
        Ok(r) if r.code == 250 => {}
        Ok(r) => findings.push(Finding::new(
            "smtp.ehlo",
            Status::Fail,
            format!("{at} answers EHLO after STARTTLS with {}", r.code),
        )),
        Err(stop) => findings.push(stopped("smtp.ehlo", at, "EHLO after STARTTLS", stop)),
    }
    let _ = quit(&mut conn, options.timeout).await;
}

/// The `smtp.certificate` finding from the verifier's verdict and the leaf.
fn certificate(
    host: &str,
    at: &str,
    leaf: Option<&CertificateDer<'_>>,
    outcome: Option<Result<(), String>>,
    probe: &mut Probe,
) -> Finding {
    let Some(leaf) = leaf else {
        return Finding::new(
            "smtp.certificate",
            Status::Fail,
            format!("{at} presented no certificate"),
        );
    };
    let mut info = match describe(leaf) {
        Ok(i) => i,
        Err(e) => {
            return Finding::new(
                "smtp.certificate",
                Status::Fail,
                format!("{at} presented a certificate that cannot be parsed: {e}"),
            );
        }
    };
    let outcome = outcome.unwrap_or_else(|| Err("the certificate was never verified".into()));
    info.trusted = outcome.is_ok();
    info.error = outcome.as_ref().err().cloned();
    let names = if info.names.is_empty() {
        info.subject.clone().unwrap_or_else(|| "no names".into())
    } else {
        info.names.join(", ")
    };
    let dates = format!("valid {} to {}", info.not_before, info.not_after);
    let finding = match &outcome {
        Ok(()) => Finding::new(
            "smtp.certificate",
            Status::Pass,
            format!("{at}: the certificate is trusted and valid for {host} ({names}; {dates})"),
        ),
        Err(e) => Finding::new(
            "smtp.certificate",
            Status::Fail,
            format!("{at}: the certificate is not accepted for {host}: {e} (names: {names}; {dates})"),
        )
        .fix(format!(
            "install a certificate from a public CA whose names include {host}, with its intermediate certificates"
        )),
    };
    probe.certificate = Some(info);
    finding
}

/// The leaf's names and dates.
fn describe(leaf: &CertificateDer<'_>) -> Result<CertInfo, String> {
    use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
    let (_, cert) = X509Certificate::from_der(leaf.as_ref()).map_err(|e| e.to_string())?;
    let subject = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string);
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            match n {
                GeneralName::DNSName(d) => names.push(d.to_string()),
                GeneralName::IPAddress(b) => match b.len() {
                    4 => names.push(
                        IpAddr::from(<[u8; 4]>::try_from(*b).unwrap_or_default()).to_string(),
                    ),
                    16 => names.push(
                        IpAddr::from(<[u8; 16]>::try_from(*b).unwrap_or_default()).to_string(),
                    ),
                    _ => {}
                },
                _ => {}
            }
        }
    }
    let date = |t: x509_parser::time::ASN1Time| {
        let d = t.to_datetime();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )
    };
    Ok(CertInfo {
        subject,
        names,
        not_before: date(cert.validity().not_before),
        not_after: date(cert.validity().not_after),
        trusted: false,
        error: None,
    })
}

/// A finding for a conversation that stopped at `step`.
fn stopped(name: &str, at: &str, step: &str, stop: Stop) -> Finding {
    match stop {
        Stop::Unreachable(why) => Finding::new(
            name,
            Status::Error,
            format!("{at}: {step} did not complete: {why}"),
        )
        .fix(format!("retry later; {BLOCKED}")),
        Stop::Garbage(why) => Finding::new(
            name,
            Status::Fail,
            format!("{at} does not speak SMTP at {step}: {why}"),
        )
        .fix("make sure an SMTP server, not another service, listens on this port"),
    }
}

/// Send one command line and read its reply.
async fn command<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut BufReader<S>,
    line: &str,
    limit: Duration,
) -> Result<Reply, Stop> {
    let send = async {
        let s = conn.get_mut();
        s.write_all(format!("{line}\r\n").as_bytes()).await?;
        s.flush().await
    };
    match timeout(limit, send).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(Stop::Unreachable(format!("sending failed: {e}"))),
        Err(_) => return Err(Stop::Unreachable("sending timed out".into())),
    }
    read_reply(conn, limit).await
}

async fn quit<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut BufReader<S>,
    limit: Duration,
) -> Result<Reply, Stop> {
    command(conn, "QUIT", limit).await
}

/// The EHLO keywords: every line after the first (RFC 5321 4.1.1.1), the
/// keyword upper-cased.
fn extensions(reply: &Reply) -> Vec<String> {
    reply
        .lines
        .iter()
        .skip(1)
        .filter_map(|l| {
            let mut parts = l.splitn(2, ' ');
            let keyword = parts.next()?.trim().to_ascii_uppercase();
            if keyword.is_empty() {
                return None;
            }
            Some(match parts.next().map(str::trim) {
                Some(p) if !p.is_empty() => format!("{keyword} {p}"),
                _ => keyword,
            })
        })
        .collect()
}

/// Wraps the WebPKI verifier: records its verdict, lets the handshake go on.
#[derive(Debug)]
struct Recorder {
    inner: Arc<WebPkiServerVerifier>,
    verdict: Arc<Mutex<Option<Result<(), String>>>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(|_| ())
            .map_err(|e| cert_error(&e));
        if let Ok(mut v) = self.verdict.lock() {
            *v = Some(result);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The verifier's error in words.
fn cert_error(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "the certificate's names do not include the host name".into()
            }
            C::Expired | C::ExpiredContext { .. } => "the certificate has expired".into(),
            C::NotValidYet | C::NotValidYetContext { .. } => {
                "the certificate is not valid yet".into()
            }
            C::UnknownIssuer => {
                "the certificate is not issued by a trusted CA (unknown issuer, or intermediates missing)".into()
            }
            C::Revoked => "the certificate is revoked".into(),
            C::BadSignature => "the certificate's signature is bad".into(),
            other => format!("{other:?}"),
        },
        other => other.to_string(),
    }
}

/// The trust anchors: the Mozilla roots, or the PEM certificates of `--ca`.
pub fn roots(ca: Option<&std::path::Path>) -> Result<rustls::RootCertStore, String> {
    use rustls::pki_types::pem::PemObject;
    let mut store = rustls::RootCertStore::empty();
    match ca {
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!("{}: no PEM certificate", path.display()));
            }
            for c in certs {
                store
                    .add(c)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lines() {
        assert_eq!(
            parse_line("250-PIPELINING"),
            Some((250, false, "PIPELINING".into()))
        );
        assert_eq!(parse_line("250 OK"), Some((250, true, "OK".into())));
        assert_eq!(parse_line("220"), Some((220, true, String::new())));
        for bad in ["", "25", "abc def", "250x", "650 no", "HTTP/1.1 400"] {
            assert_eq!(parse_line(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn multi_line_reply_and_caps() {
        let mut r = BufReader::new(&b"250-mx.example\r\n250-STARTTLS\r\n250 SIZE 100\r\n"[..]);
        let reply = read_reply(&mut r, Duration::from_secs(1)).await.unwrap();
        assert_eq!(reply.code, 250);
        assert_eq!(extensions(&reply), ["STARTTLS", "SIZE 100"]);

        let long = format!("220 {}\r\n", "x".repeat(MAX_LINE + 10));
        let mut r = BufReader::new(long.as_bytes());
        assert!(matches!(
            read_reply(&mut r, Duration::from_secs(1)).await,
            Err(Stop::Garbage(_))
        ));

        let mut r = BufReader::new(&b"250-a\r\n251 b\r\n"[..]);
        assert!(matches!(
            read_reply(&mut r, Duration::from_secs(1)).await,
            Err(Stop::Garbage(_))
        ));

        let mut r = BufReader::new(&b"220-a\r\n"[..]);
        assert!(matches!(
            read_reply(&mut r, Duration::from_secs(1)).await,
            Err(Stop::Unreachable(_))
        ));

        let many = "250-x\r\n".repeat(MAX_REPLY_LINES + 5);
        let mut r = BufReader::new(many.as_bytes());
        assert!(matches!(
            read_reply(&mut r, Duration::from_secs(1)).await,
            Err(Stop::Garbage(_))
        ));
    }

    #[test]
    fn connect_to_follows_curl() {
        let r = [ConnectTo::parse("mx.example:25:127.0.0.1:2525").unwrap()];
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            route(&r, "MX.example.", 25, Some(ip)),
            Some("127.0.0.1:2525".parse().unwrap())
        );
        assert_eq!(
            route(&r, "other.example", 25, Some(ip)),
            Some("192.0.2.1:25".parse().unwrap())
        );
        assert_eq!(
            route(&r, "mx.example", 587, Some(ip)),
            Some("192.0.2.1:587".parse().unwrap())
        );
        let any = ConnectTo::parse("::[::1]:2525").unwrap();
        assert_eq!(
            route(&[any], "a.example", 25, None),
            Some("[::1]:2525".parse().unwrap())
        );
        let keep = ConnectTo::parse("a.example:25::2525").unwrap();
        assert_eq!(
            route(&[keep], "a.example", 25, Some(ip)),
            Some("192.0.2.1:2525".parse().unwrap())
        );
        for bad in [
            "a.example",
            "a:25:127.0.0.1",
            "a:x:127.0.0.1:25",
            "a:25:nothost:25",
        ] {
            assert!(ConnectTo::parse(bad).is_err(), "{bad}");
        }
    }
}
