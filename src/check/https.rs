//! One HTTPS GET, the way MTA-STS (RFC 8461 3.3) and BIMI fetch their files:
//! the certificate must be valid for the host name (WebPKI roots, or
//! `--ca`), redirects are never followed (the caller sees the 3xx and its
//! `Location`), the body is read up to a size limit, and the whole fetch
//! (address lookup, connect, handshake, request, body) must finish within
//! the run's `--timeout`.
//!
//! HTTP/1.1 framing is hyper's; the TLS stack is the same rustls with the
//! aws-lc-rs provider that `mailcheck smtp` uses, and `--connect-to` rules
//! are shared with it. The host's addresses come from the run's DNS layer,
//! so `--zone` and `--resolver` decide where a fetch goes, exactly as they do
//! for every other lookup.

use super::smtp::{ConnectTo, route};
use crate::dns::{Dns, DnsFailure};
use hickory_resolver::proto::rr::RecordType;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::{fmt, net::IpAddr, sync::Arc, time::Duration};
use tokio::{net::TcpStream, time::timeout};

/// How fetches are made.
#[derive(Debug, Clone)]
pub struct HttpsOptions {
    /// How long one whole fetch may take.
    pub timeout: Duration,
    /// `--connect-to` rules.
    pub connect_to: Vec<ConnectTo>,
    /// The trust anchors the server's certificate is checked against.
    pub roots: Arc<rustls::RootCertStore>,
}

impl Default for HttpsOptions {
    /// The public (Mozilla) roots, no rules, five seconds.
    fn default() -> HttpsOptions {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        HttpsOptions {
            timeout: Duration::from_secs(5),
            connect_to: Vec::new(),
            roots: Arc::new(roots),
        }
    }
}

/// A response: its status, the headers the checks read, and the body.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The HTTP status code.
    pub status: u16,
    /// The Content-Type header, when present.
    pub content_type: Option<String>,
    /// The Location header of a redirect.
    pub location: Option<String>,
    /// The body (empty for a redirect or an error status: it is not read).
    pub body: Vec<u8>,
}

/// Why a fetch did not produce a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The host's addresses could not be looked up (temporary).
    Dns(DnsFailure),
    /// The host has no A or AAAA record.
    NoAddress,
    /// No TCP connection could be made.
    Connect(String),
    /// The TLS handshake failed (a certificate not valid for the name, ...).
    Tls(String),
    /// The server's HTTP was broken.
    Http(String),
    /// The body is larger than the limit.
    TooLarge(usize),
    /// The fetch did not finish within the timeout.
    Timeout(Duration),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Dns(e) => write!(f, "its address could not be looked up: {e}"),
            FetchError::NoAddress => f.write_str("the host has no A or AAAA record"),
            FetchError::Connect(e) => write!(f, "no connection: {e}"),
            FetchError::Tls(e) => write!(f, "the TLS handshake failed: {e}"),
            FetchError::Http(e) => write!(f, "the HTTP exchange failed: {e}"),
            FetchError::TooLarge(limit) => write!(f, "the body is larger than {limit} bytes"),
            FetchError::Timeout(t) => write!(f, "no complete response within {}s", t.as_secs_f64()),
        }
    }
}

/// GET `https://host[:port]path` (`path` with its query), reading at most
/// `limit` bytes of body.
pub async fn get(
    dns: &Dns,
    host: &str,
    port: u16,
    path: &str,
    limit: usize,
    options: &HttpsOptions,
) -> Result<Fetched, FetchError> {
    match timeout(
        options.timeout,
        fetch(dns, host, port, path, limit, options),
    )
    .await
    {
        Ok(r) => r,
        Err(_) => Err(FetchError::Timeout(options.timeout)),
    }
}

/// GET an `https:` URL (see [`get`]); anything else is refused by the caller.
pub async fn get_url(
    dns: &Dns,
    url: &url::Url,
    limit: usize,
    options: &HttpsOptions,
) -> Result<Fetched, FetchError> {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    get(
        dns,
        host,
        url.port_or_known_default().unwrap_or(443),
        &path,
        limit,
        options,
    )
    .await
}

async fn fetch(
    dns: &Dns,
    host: &str,
    port: u16,
    path: &str,
    limit: usize,
    options: &HttpsOptions,
) -> Result<Fetched, FetchError> {
    let stream = connect(dns, host, port, options).await?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| FetchError::Tls(e.to_string()))?
        .with_root_certificates(options.roots.clone())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let name = match host.parse::<IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => ServerName::try_from(host.trim_end_matches('.').to_string())
            .map_err(|e| FetchError::Tls(format!("{host} is not a name TLS can check: {e}")))?,
    };
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, stream)
        .await
        .map_err(|e| FetchError::Tls(e.to_string()))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(|e| FetchError::Http(e.to_string()))?;
    // The connection task ends when the response is read or the fetch is
    // dropped (timeout).
    let driver = tokio::spawn(connection);
    let authority = match (host.parse::<IpAddr>(), port) {
        (Ok(IpAddr::V6(ip)), 443) => format!("[{ip}]"),
        (Ok(IpAddr::V6(ip)), p) => format!("[{ip}]:{p}"),
        (_, 443) => host.to_string(),
        (_, p) => format!("{host}:{p}"),
    };
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, authority)
        .header(
            hyper::header::USER_AGENT,
            concat!("mailcheck/", env!("CARGO_PKG_VERSION")),
        )
        .body(Empty::<Bytes>::new())
        .map_err(|e| FetchError::Http(e.to_string()))?;
    let result = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| FetchError::Http(e.to_string()))?;
        let header = |h: hyper::header::HeaderName| {
            response
                .headers()
                .get(h)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let status = response.status().as_u16();
        let content_type = header(hyper::header::CONTENT_TYPE);
        let location = header(hyper::header::LOCATION);
        let body = if status == 200 {
            Limited::new(response.into_body(), limit)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        FetchError::TooLarge(limit)
                    } else {
                        FetchError::Http(e.to_string())
                    }
                })?
                .to_bytes()
                .to_vec()
        } else {
            Vec::new()
        };
        Ok(Fetched {
            status,
            content_type,
            location,
            body,
        })
    }
    .await;
    driver.abort();
    result
}

/// A TCP connection to the first address of `host` that answers (after
/// `--connect-to`).
async fn connect(
    dns: &Dns,
    host: &str,
    port: u16,
    options: &HttpsOptions,
) -> Result<TcpStream, FetchError> {
    let addresses: Vec<Option<IpAddr>> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![Some(ip)],
        // A rule with an address needs no lookup.
        Err(_) if route(&options.connect_to, host, port, None).is_some() => vec![None],
        Err(_) => {
            let (a, aaaa) = tokio::join!(
                dns.query_str(host, RecordType::A),
                dns.query_str(host, RecordType::AAAA)
            );
            let mut out = Vec::new();
            for lookup in [a, aaaa] {
                out.extend(lookup.map_err(FetchError::Dns)?.addresses());
            }
            if out.is_empty() {
                return Err(FetchError::NoAddress);
            }
            out.into_iter().map(Some).collect()
        }
    };
    // Each address gets its share of the timeout, so one that drops
    // packets leaves time to try the next.
    let share = options.timeout / u32::try_from(addresses.len().max(1)).unwrap_or(u32::MAX);
    let mut last = String::new();
    for address in addresses {
        let Some(to) = route(&options.connect_to, host, port, address) else {
            continue;
        };
        match timeout(share, TcpStream::connect(to)).await {
            Ok(Ok(s)) => return Ok(s),
            Ok(Err(e)) => last = format!("{to}: {e}"),
            Err(_) => last = format!("{to}: no answer within {}s", share.as_secs_f64()),
        }
    }
    Err(FetchError::Connect(last))
}
