//! Real DNS servers on 127.0.0.1 for integration tests.
//!
//! [`TestDns`] serves fixture zones with hickory-server over UDP and TCP on
//! one loopback port. [`BlackHole`] accepts queries on both transports and
//! never answers, for timeout tests. Both run on their own thread with their
//! own tokio runtime, so plain `#[test]` functions can use them, and both shut
//! down when dropped. [`TestDns::shared`] gives one server for the whole test
//! process; it lives in a static, is never dropped, and goes away with the
//! process.
//!
//! Nothing here binds or sends anywhere but 127.0.0.1.

// Each integration-test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::{Arc, OnceLock, mpsc};
use std::thread;
use std::time::Duration;

use hickory_resolver::proto::rr::rdata::SOA;
use hickory_resolver::proto::rr::{LowerName, Name, RData, Record, RecordType};
use hickory_server::Server;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use mailcheck::dns::zone::Zone;
use tokio::sync::oneshot;

/// How many times to look for a port that is free for both UDP and TCP.
const BIND_ATTEMPTS: u32 = 50;
/// An idle TCP client connection is closed by the server after this long.
const TCP_IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// Responses queued per TCP connection.
const TCP_RESPONSE_BUFFER: usize = 32;
/// TTL, and negative-caching TTL, of a synthesized SOA.
const SYNTHETIC_SOA_TTL: u32 = 300;

/// An authoritative DNS server on 127.0.0.1 (UDP and TCP, same port) serving fixture zones.
pub struct TestDns {
    /// The address to send queries to, for UDP and TCP alike.
    pub addr: SocketAddr,
    background: Background,
}

impl TestDns {
    /// Starts a server for `zones` plus an empty root zone; returns once it is listening.
    ///
    /// Panics with the reason if a zone cannot be served or no port can be bound.
    pub fn start(zones: &[Zone]) -> TestDns {
        TestDns::try_start(zones).expect("start the test DNS server on 127.0.0.1")
    }

    /// Like [`TestDns::start`], but returns what went wrong instead of panicking.
    pub fn try_start(zones: &[Zone]) -> Result<TestDns, String> {
        let catalog = build_catalog(zones)?;
        let (udp, tcp, addr) = bind_udp_and_tcp()?;
        let background = Background::spawn("test-dns-server", move |stop| {
            let (udp, tcp) = into_tokio(udp, tcp)?;
            let mut server = Server::new(catalog);
            server.register_socket(udp);
            server.register_listener(tcp, TCP_IDLE_TIMEOUT, TCP_RESPONSE_BUFFER);
            let shutdown = server.shutdown_token().clone();
            Ok(async move {
                tokio::spawn(async move {
                    // A send or a dropped sender both mean "stop".
                    let _ = stop.await;
                    shutdown.cancel();
                });
                if let Err(e) = server.block_until_done().await {
                    eprintln!("test DNS server on {addr} stopped with an error: {e}");
                }
            })
        })?;
        Ok(TestDns { addr, background })
    }

    /// One server per test process, started on first use with the zones `zones_loader` returns.
    ///
    /// Later calls return the same server and do not call their loader. The
    /// server is never dropped; it stops when the test process exits.
    pub fn shared(zones_loader: impl FnOnce() -> Vec<Zone>) -> &'static TestDns {
        static SHARED: OnceLock<TestDns> = OnceLock::new();
        SHARED.get_or_init(|| TestDns::start(&zones_loader()))
    }
}

/// A UDP socket and TCP listener on one 127.0.0.1 port that take queries and never answer.
pub struct BlackHole {
    /// The address queries vanish into, for UDP and TCP alike.
    pub addr: SocketAddr,
    background: Background,
}

impl BlackHole {
    /// Starts the black hole; returns once it is listening.
    pub fn start() -> BlackHole {
        BlackHole::try_start().expect("start the DNS black hole on 127.0.0.1")
    }

    /// Like [`BlackHole::start`], but returns what went wrong instead of panicking.
    pub fn try_start() -> Result<BlackHole, String> {
        let (udp, tcp, addr) = bind_udp_and_tcp()?;
        let background = Background::spawn("dns-black-hole", move |mut stop| {
            let (udp, tcp) = into_tokio(udp, tcp)?;
            Ok(async move {
                let mut datagram = vec![0_u8; 65_535];
                // Accepted connections are held, unread and unanswered, until drop.
                let mut held = Vec::new();
                loop {
                    tokio::select! {
                        _ = &mut stop => break,
                        _ = udp.recv_from(&mut datagram) => {}
                        accepted = tcp.accept() => match accepted {
                            Ok((stream, _)) => held.push(stream),
                            // e.g. out of file descriptors: don't spin.
                            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                        },
                    }
                }
            })
        })?;
        Ok(BlackHole { addr, background })
    }
}

/// A thread driving one future on its own runtime; dropping it stops the future and joins.
struct Background {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Background {
    /// Starts a thread with a current-thread runtime, runs `setup` there (inside the
    /// runtime), then drives the future it returns until stopped. Returns once
    /// `setup` is done, with its error if it failed.
    fn spawn<F, Fut>(name: &str, setup: F) -> Result<Background, String>
    where
        F: FnOnce(oneshot::Receiver<()>) -> Result<Fut, String> + Send + 'static,
        Fut: Future<Output = ()>,
    {
        let (stop_tx, stop_rx) = oneshot::channel();
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Result<(), String>>(1);
        let thread = thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("cannot build a tokio runtime: {e}")));
                        return;
                    }
                };
                let task = {
                    let _context = runtime.enter();
                    setup(stop_rx)
                };
                match task {
                    Ok(task) => {
                        let _ = ready_tx.send(Ok(()));
                        runtime.block_on(task);
                        // Aborts whatever is left (open TCP connections, helper tasks).
                        runtime.shutdown_timeout(Duration::from_secs(1));
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| format!("cannot spawn the {name} thread: {e}"))?;
        let ready = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(format!("the {name} thread died while starting")));
        match ready {
            Ok(()) => Ok(Background {
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Err(e) => {
                let _ = thread.join();
                Err(e)
            }
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on that thread has already been printed; don't panic in drop.
            let _ = thread.join();
        }
    }
}

/// Binds UDP on 127.0.0.1:0, then TCP on the same port, trying new ports until both bind.
pub(super) fn bind_udp_and_tcp() -> Result<(UdpSocket, TcpListener, SocketAddr), String> {
    let mut last_error = None;
    for _ in 0..BIND_ATTEMPTS {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| format!("cannot bind UDP on 127.0.0.1: {e}"))?;
        let addr = udp
            .local_addr()
            .map_err(|e| format!("cannot read the bound UDP address: {e}"))?;
        match TcpListener::bind(addr) {
            Ok(tcp) => return Ok((udp, tcp, addr)),
            Err(e) => last_error = Some(e),
        }
    }
    Err(format!(
        "no 127.0.0.1 port was free for both UDP and TCP after {BIND_ATTEMPTS} tries; last error: {}",
        last_error.map_or_else(|| "none".to_owned(), |e| e.to_string())
    ))
}

/// Hands both sockets to the current tokio runtime.
pub(super) fn into_tokio(
    udp: UdpSocket,
    tcp: TcpListener,
) -> Result<(tokio::net::UdpSocket, tokio::net::TcpListener), String> {
    // tokio's `from_std` requires non-blocking sockets.
    udp.set_nonblocking(true)
        .and_then(|()| tcp.set_nonblocking(true))
        .map_err(|e| format!("cannot make the sockets non-blocking: {e}"))?;
    let udp = tokio::net::UdpSocket::from_std(udp)
        .map_err(|e| format!("cannot hand the UDP socket to tokio: {e}"))?;
    let tcp = tokio::net::TcpListener::from_std(tcp)
        .map_err(|e| format!("cannot hand the TCP listener to tokio: {e}"))?;
    Ok((udp, tcp))
}

/// One in-memory zone handler per zone, plus an SOA-only root zone unless a fixture is the root.
fn build_catalog(zones: &[Zone]) -> Result<Catalog, String> {
    let mut catalog = Catalog::new();
    for zone in zones {
        let origin = LowerName::from(&zone.origin);
        if catalog.contains(&origin) {
            return Err(format!("zone {} is given more than once", zone.origin));
        }
        let handler = zone_handler(&zone.origin, &zone.records)?;
        catalog.upsert(origin, vec![Arc::new(handler)]);
    }
    let root = LowerName::from(Name::root());
    if !zones.iter().any(|zone| zone.origin.is_root()) {
        catalog.upsert(root, vec![Arc::new(zone_handler(&Name::root(), &[])?)]);
    }
    Ok(catalog)
}

/// An authoritative handler holding `records`, with an SOA at `origin` added if there is none.
fn zone_handler(origin: &Name, records: &[Record]) -> Result<InMemoryZoneHandler, String> {
    if !origin.is_fqdn() {
        return Err(format!("zone origin {origin} is not fully qualified"));
    }
    if let Some(outside) = records.iter().find(|r| !origin.zone_of(&r.name)) {
        return Err(format!(
            "record {} {} is outside zone {origin}",
            outside.name,
            outside.record_type()
        ));
    }
    let soa = records
        .iter()
        .find(|r| r.record_type() == RecordType::SOA && r.name == *origin)
        .cloned()
        .unwrap_or_else(|| synthetic_soa(origin));
    let serial = match &soa.data {
        RData::SOA(data) => data.serial,
        _ => 0,
    };
    let mut handler: InMemoryZoneHandler =
        InMemoryZoneHandler::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
    // The SOA goes in first: the handler reads it for every negative answer.
    for record in std::iter::once(&soa).chain(records.iter().filter(|r| **r != soa)) {
        if !handler.upsert_mut(record.clone(), serial) {
            return Err(format!(
                "zone {origin} cannot hold {} {} {} (class must be IN; a CNAME must be alone at its name)",
                record.name,
                record.dns_class,
                record.record_type()
            ));
        }
    }
    Ok(handler)
}

/// `origin. SOA ns.origin. hostmaster.origin. 1 3600 600 86400 300`.
fn synthetic_soa(origin: &Name) -> Record {
    let label = |l: &str| {
        Name::from_ascii(l)
            .and_then(|n| n.append_domain(origin))
            .unwrap_or_else(|_| origin.clone())
    };
    let soa = SOA::new(
        label("ns"),
        label("hostmaster"),
        1,
        3600,
        600,
        86_400,
        SYNTHETIC_SOA_TTL,
    );
    Record::from_rdata(origin.clone(), SYNTHETIC_SOA_TTL, RData::SOA(soa))
}

/// A UDP forwarder on 127.0.0.1 that counts every question it relays to an
/// upstream server, per (lower-case name, type): proof of how many times a
/// run asked each question.
pub struct CountingProxy {
    /// The address to send queries to (UDP only).
    pub addr: SocketAddr,
    counts: Arc<std::sync::Mutex<std::collections::HashMap<(String, String), usize>>>,
    background: Background,
}

impl CountingProxy {
    /// Starts a proxy in front of `upstream`; returns once it is listening.
    pub fn start(upstream: SocketAddr) -> CountingProxy {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the counting proxy");
        let addr = socket.local_addr().expect("proxy address");
        let counts = Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let seen = counts.clone();
        let background = Background::spawn("dns-counting-proxy", move |mut stop| {
            socket
                .set_nonblocking(true)
                .map_err(|e| format!("non-blocking: {e}"))?;
            let socket = Arc::new(
                tokio::net::UdpSocket::from_std(socket).map_err(|e| format!("tokio: {e}"))?,
            );
            Ok(async move {
                let mut buf = vec![0_u8; 65_535];
                loop {
                    let (n, client) = tokio::select! {
                        _ = &mut stop => break,
                        r = socket.recv_from(&mut buf) => match r {
                            Ok(r) => r,
                            Err(_) => continue,
                        },
                    };
                    let packet = buf[..n].to_vec();
                    if let Ok(message) = hickory_resolver::proto::op::Message::from_vec(&packet) {
                        for q in &message.queries {
                            let key = (
                                q.name().to_lowercase().to_ascii(),
                                q.query_type().to_string(),
                            );
                            *seen
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .entry(key)
                                .or_insert(0) += 1;
                        }
                    }
                    let socket = socket.clone();
                    tokio::spawn(async move {
                        let Ok(up) = tokio::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await
                        else {
                            return;
                        };
                        if up.send_to(&packet, upstream).await.is_err() {
                            return;
                        }
                        let mut answer = vec![0_u8; 65_535];
                        if let Ok(Ok(n)) =
                            tokio::time::timeout(Duration::from_secs(5), up.recv(&mut answer)).await
                        {
                            let _ = socket.send_to(&answer[..n], client).await;
                        }
                    });
                }
            })
        })
        .expect("start the counting proxy");
        CountingProxy {
            addr,
            counts,
            background,
        }
    }

    /// How many times each (name, type) was asked so far.
    pub fn counts(&self) -> std::collections::HashMap<(String, String), usize> {
        self.counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
