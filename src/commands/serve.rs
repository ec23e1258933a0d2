//! `mailcheck serve --listen ADDR:PORT`: accept connections, run an SMTP
//! session on each (`crate::serve::session`), print one verdict line per
//! received message, and stop cleanly on SIGTERM or SIGINT.

use super::{RunError, build_dns};
use crate::{
    auth::Auth,
    cli::ServeArgs,
    config::{Config, Output},
    exit::ExitStatus,
    render,
    serve::{
        Verdict,
        maildir::Maildir,
        session::{self, Server},
    },
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use std::{io::Write, net::SocketAddr, path::Path, sync::Arc, time::Duration};
use tokio::{
    io::AsyncWriteExt,
    net::{TcpListener, TcpStream},
    sync::{Semaphore, mpsc, watch},
    task::JoinSet,
};

/// Run the server until SIGTERM or SIGINT.
pub async fn run(
    config: &Config,
    args: &ServeArgs,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let host = args
        .authserv_id
        .clone()
        .unwrap_or_else(super::verify::host_name);
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(acceptor(cert, key).map_err(RunError::Input)?),
        _ => None,
    };
    if args.listen_tls.is_some() && tls.is_none() {
        return Err(RunError::Input(
            "--listen-tls needs --tls-cert and --tls-key".into(),
        ));
    }
    let maildir = match &args.maildir {
        Some(dir) => Some(Maildir::open(dir, &host).map_err(RunError::Input)?),
        None => None,
    };
    if args.max_connections == 0 {
        return Err(RunError::Input(
            "--max-connections must be at least 1".into(),
        ));
    }
    let auth = Arc::new(Auth::new(build_dns(config)?).map_err(RunError::Input)?);
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| RunError::Input(format!("--listen {}: {e}", args.listen)))?;
    let tls_listener = match args.listen_tls {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .map_err(|e| RunError::Input(format!("--listen-tls {addr}: {e}")))?,
        ),
        None => None,
    };
    let (verdicts, mut printed) = mpsc::unbounded_channel::<Verdict>();
    let server = Arc::new(Server {
        auth,
        maildir,
        enforce: args.enforce,
        host,
        max_size: args.max_size,
        idle_timeout: args.idle_timeout,
        tls,
        verdicts,
    });
    eprintln!(
        "mailcheck: serving SMTP on {}{}",
        listener.local_addr().map_or(args.listen, |a| a),
        match &tls_listener {
            Some(l) => format!(
                " and SMTP over TLS on {}",
                l.local_addr()
                    .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |a| a)
            ),
            None => String::new(),
        }
    );

    let slots = Arc::new(Semaphore::new(args.max_connections));
    let (stop, shutdown) = watch::channel(false);
    let mut sessions = JoinSet::new();
    stop_signals::install();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let accept_tls = async |l: &Option<TcpListener>| match l {
        Some(l) => l.accept().await,
        None => std::future::pending().await,
    };
    loop {
        let (stream, peer, implicit_tls) = tokio::select! {
            _ = tick.tick() => if stop_signals::received() { break } else { continue },
            Some(v) = printed.recv() => {
                print(config, out, &v)?;
                continue;
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => continue,
            r = listener.accept() => match r {
                Ok((s, p)) => (s, p, false),
                Err(e) => { eprintln!("mailcheck: accept: {e}"); tokio::time::sleep(Duration::from_millis(100)).await; continue; }
            },
            r = accept_tls(&tls_listener) => match r {
                Ok((s, p)) => (s, p, true),
                Err(e) => { eprintln!("mailcheck: accept: {e}"); tokio::time::sleep(Duration::from_millis(100)).await; continue; }
            },
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            sessions.spawn(refuse(stream));
            continue;
        };
        let server = server.clone();
        let shutdown = shutdown.clone();
        sessions.spawn(async move {
            let _permit = permit;
            connection(server, stream, peer, shutdown, implicit_tls).await;
        });
    }

    // Stop accepting; sessions between transactions say 421 and close,
    // transactions in progress get `--grace` seconds to finish.
    drop(listener);
    drop(tls_listener);
    let _ = stop.send(true);
    let grace = tokio::time::sleep(Duration::from_secs(args.grace));
    tokio::pin!(grace);
    loop {
        tokio::select! {
            Some(v) = printed.recv() => print(config, out, &v)?,
            next = sessions.join_next() => if next.is_none() { break },
            _ = &mut grace => {
                eprintln!("mailcheck: {} connection(s) still open after {}s; closing them", sessions.len(), args.grace);
                sessions.abort_all();
                break;
            }
        }
    }
    drop(server);
    while let Ok(v) = printed.try_recv() {
        print(config, out, &v)?;
    }
    Ok(ExitStatus::Success)
}

/// SIGTERM and SIGINT set a flag the accept loop polls. Hand-written
/// rather than tokio's signal driver: that driver opens a socket pair when
/// the runtime starts, for every command, and panics when the process has no
/// file descriptor to spare.
#[cfg(unix)]
mod stop_signals {
    use std::sync::atomic::{AtomicBool, Ordering};

    static RECEIVED: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_signal(_: libc::c_int) {
        // Only an atomic store: async-signal-safe.
        RECEIVED.store(true, Ordering::SeqCst);
    }

    /// Route SIGTERM and SIGINT to the flag.
    pub fn install() {
        for sig in [libc::SIGTERM, libc::SIGINT] {
            // SAFETY: the handler only stores to an atomic.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as usize;
                libc::sigemptyset(&mut action.sa_mask);
                action.sa_flags = libc::SA_RESTART;
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
    }

    /// A stop signal arrived.
    pub fn received() -> bool {
        RECEIVED.load(Ordering::SeqCst)
    }
}

/// One verdict line on standard output, flushed so a reader sees it now.
fn print(config: &Config, out: &mut dyn Write, v: &Verdict) -> Result<(), RunError> {
    match config.output {
        Output::Json => render::json::serve(out, &v.report, &v.receipt)?,
        Output::Text { color } => render::text::serve(out, &v.report, &v.receipt, color)?,
        // Refused before the server starts.
        Output::Sarif | Output::Junit => {}
    }
    out.flush()?;
    Ok(())
}

/// Over the connection limit: say so (RFC 5321 3.8 allows 421 in place of
/// the greeting) and close.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(
        Duration::from_secs(10),
        stream.write_all(b"421 4.3.2 Too many connections, try again later\r\n"),
    )
    .await;
}

/// Run one connection, in TLS from the start for the implicit-TLS listener.
async fn connection(
    server: Arc<Server>,
    stream: TcpStream,
    peer: SocketAddr,
    shutdown: watch::Receiver<bool>,
    implicit_tls: bool,
) {
    let ip = peer.ip().to_canonical();
    let _ = stream.set_nodelay(true);
    if implicit_tls {
        let Some(acceptor) = server.tls.clone() else {
            return;
        };
        match tokio::time::timeout(server.idle_timeout, acceptor.accept(stream)).await {
            Ok(Ok(tls)) => session::serve(server, Box::new(tls), ip, shutdown, true, true).await,
            Ok(Err(e)) => eprintln!("mailcheck: {ip}: TLS handshake failed: {e}"),
            Err(_) => eprintln!("mailcheck: {ip}: TLS handshake timed out"),
        }
    } else {
        session::serve(server, Box::new(stream), ip, shutdown, true, false).await;
    }
}

/// The TLS acceptor for a PEM certificate chain and key.
fn acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|i| i.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate in the file", cert.display()));
    }
    let key_der =
        PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| format!("{} / {}: {e}", cert.display(), key.display()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
