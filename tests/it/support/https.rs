//! A small HTTPS server on 127.0.0.1 for the MTA-STS and BIMI tests: it
//! answers each path from a fixed table (anything else is 404), one
//! request per connection, and remembers every path it was asked for.

use std::{
    collections::HashMap,
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    sync::{Arc, Mutex},
    thread,
    time::Duration,
};

/// One canned response.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers besides Content-Length and Connection.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// 200 with this Content-Type and body.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
        }
    }
}

/// A running server.
pub struct HttpsServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    asked: Arc<Mutex<Vec<String>>>,
}

impl HttpsServer {
    /// Serve `routes` (path -> reply) with this TLS configuration until the
    /// test process ends.
    pub fn start(tls: Arc<rustls::ServerConfig>, routes: &[(&str, Reply)]) -> HttpsServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let routes: Arc<HashMap<String, Reply>> = Arc::new(
            routes
                .iter()
                .map(|(p, r)| (p.to_string(), r.clone()))
                .collect(),
        );
        let asked = Arc::new(Mutex::new(Vec::new()));
        let seen = asked.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (tls, routes, seen) = (tls.clone(), routes.clone(), seen.clone());
                thread::spawn(move || {
                    let _ = answer(stream, tls, &routes, &seen);
                });
            }
        });
        HttpsServer { port, asked }
    }

    /// The `--connect-to` rule that sends every HTTPS connection here.
    pub fn connect_to(&self) -> String {
        format!("::127.0.0.1:{}", self.port)
    }

    /// Every path requested so far, in order.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

fn answer(
    stream: TcpStream,
    tls: Arc<rustls::ServerConfig>,
    routes: &HashMap<String, Reply>,
    asked: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let conn = rustls::ServerConnection::new(tls).map_err(std::io::Error::other)?;
    let mut s = rustls::StreamOwned::new(conn, stream);
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 || head.len() > 16 * 1024 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
    asked.lock().unwrap().push(path.clone());
    let reply = routes.get(&path).cloned().unwrap_or(Reply {
        status: 404,
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: b"not found".to_vec(),
    });
    let mut out = format!("HTTP/1.1 {} X\r\n", reply.status);
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    s.write_all(out.as_bytes())?;
    s.write_all(&reply.body)?;
    s.flush()?;
    s.conn.send_close_notify();
    let _ = s.flush();
    Ok(())
}

/// The domain fixtures that publish an `_mta-sts` record only to test
/// other areas (TLS-RPT): one policy server for the whole test process
/// serves them a valid policy covering their MX hosts. Returns the
/// arguments that send their policy fetch there (`--ca`, `--connect-to`).
pub fn fixture_policy_args() -> &'static [String] {
    static ARGS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ARGS.get_or_init(|| {
        const DOMAINS: [&str; 2] = ["tlsrpt-good.example", "tlsrpt-sts-only.example"];
        let pki = crate::smtp::Pki::new();
        let hosts: Vec<String> = DOMAINS.iter().map(|d| format!("mta-sts.{d}")).collect();
        let names: Vec<&str> = hosts.iter().map(String::as_str).collect();
        let mut policy = String::from("version: STSv1\r\nmode: enforce\r\n");
        for d in DOMAINS {
            policy.push_str(&format!("mx: mx.{d}\r\n"));
        }
        policy.push_str("max_age: 604800\r\n");
        let server = HttpsServer::start(
            pki.server(&names),
            &[("/.well-known/mta-sts.txt", Reply::ok("text/plain", policy))],
        );
        let args = vec![
            "--ca".to_string(),
            pki.ca_path().display().to_string(),
            "--connect-to".to_string(),
            server.connect_to(),
        ];
        // The CA file lives as long as the test process.
        std::mem::forget(pki);
        args
    })
}
