//! A stub resolver's transport: one question to a recursive nameserver over
//! UDP, again over TCP when the answer comes back truncated, too large for
//! the receive buffer, or with its question in the wrong case.
//!
//! Written here rather than taken from hickory's resolver because checking
//! thousands of domains asks tens of thousands of questions, and the
//! resolver's layers (its own cache, retries and server statistics)
//! duplicate what [`crate::dns::Dns`] already does; the messages themselves are
//! built and parsed by hickory-proto.
//!
//! Source ports (RFC 5452 9.2). For a nameserver that is not on this machine
//! every question, and every resend of it, goes out from a fresh UDP socket
//! whose port the operating system picks at random, with a random ID, and
//! the question name in random letter case (the "0x20" bits): an off-path
//! attacker must guess port, ID and case at once. An answer whose question
//! comes back in another case is not trusted; the question is asked again
//! over TCP. For a nameserver on a loopback address no one off this machine
//! can inject answers, so the questions share a few connected sockets per
//! server (`pool.rs`), which saves several system calls per question
//! (BENCHMARKS.md, "Why these constants").
//!
//! Either way:
//!
//! * sockets are connected to the server, so the kernel drops datagrams
//!   from anyone else; an answer is taken only when its ID, name, type and
//!   class match a question in flight (a FORMERR or REFUSED without a
//!   question section is taken by its ID alone, so a server that rejects
//!   the question costs no timeout);
//! * anything else that arrives (a stale answer, a datagram that does not
//!   parse) is ignored, and the question waits for its real answer;
//! * a question with no answer is sent again after a third of the timeout,
//!   as stub resolvers do, so one lost datagram costs a moment, not a failed
//!   lookup; the first answer to any copy counts;
//! * a server that is not listening (ICMP port unreachable) fails the
//!   question at once instead of letting it time out;
//! * at most [`MAX_IN_FLIGHT_PER_SERVER`] questions are in flight to one
//!   server; the others wait their turn (their timeout starts when sent);
//! * a server that answers FORMERR or NOTIMP to EDNS is asked without it,
//!   and from then on without it (RFC 6891 7);
//! * running out of file descriptors or buffers is this machine's problem
//!   ([`DnsFailure::Local`]): it does not make the server look dead.

use super::{
    pool::Pool,
    tcp, unanswered,
    wire::{Got, Opt, UDP_BUFFER, encode, parse_answer},
};
use crate::dns::DnsFailure;
use futures_util::{StreamExt, stream::FuturesUnordered};
use hickory_resolver::proto::{
    op::{Message, ResponseCode},
    rr::{Name, RecordType},
};
use std::{
    net::SocketAddr,
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    time::Duration,
};
use tokio::{net::UdpSocket, sync::Semaphore};

/// The most questions in flight to one server at once. A batch at
/// `--concurrency 64` would otherwise put about 640 in flight; a server's
/// receive buffer, or a rate limit on a public resolver, drops the excess,
/// and every dropped datagram costs a third of the timeout.
pub const MAX_IN_FLIGHT_PER_SERVER: usize = 192;

/// How long a question waits for a file descriptor to be freed when none is
/// left for its socket.
const LOCAL_RETRY: Duration = Duration::from_millis(20);

/// The shortest wait before a UDP query is sent again.
pub(super) const MIN_RESEND_INTERVAL: Duration = Duration::from_millis(200);

/// One nameserver and what is known about it.
struct Server {
    addr: SocketAddr,
    /// On a loopback address: questions share pooled sockets.
    pooled: bool,
    /// It answered FORMERR or NOTIMP to EDNS and then answered without it.
    no_edns: AtomicBool,
    /// Places for questions in flight.
    in_flight: Semaphore,
}

/// Questions to a list of nameservers, tried in order.
pub struct Client {
    servers: Vec<Server>,
    timeout: Duration,
    /// Start each question at the next server in turn (`options rotate`).
    rotate: bool,
    /// Rounds over the servers per question (`options attempts:`).
    attempts: usize,
    /// The shared sockets of loopback servers.
    pool: Pool,
    /// The server asked first: moves on past one that did not answer.
    first: AtomicUsize,
    /// With `rotate`: counts questions, to start each at the next server.
    rotation: AtomicUsize,
}

/// A server's reply, and which server sent it.
#[derive(Debug)]
pub struct Reply {
    /// The answer message (NOERROR or NXDOMAIN).
    pub message: Message,
    /// The server that answered.
    pub server: SocketAddr,
}

/// The failure for a socket operation that went wrong: running out of file
/// descriptors, buffers or memory is local; anything else is put on the
/// server (`what` says which operation).
pub(super) fn io_failure(what: &str, e: &std::io::Error) -> DnsFailure {
    #[cfg(target_os = "linux")]
    let local = [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM];
    #[cfg(not(target_os = "linux"))]
    let local = [24, 23, 55, 12];
    if e.raw_os_error().is_some_and(|code| local.contains(&code)) {
        DnsFailure::Local(format!("{what}: {e}"))
    } else {
        DnsFailure::Other(format!("{what}: {e}"))
    }
}

impl Client {
    /// A client for `servers` (tried in order), each question waiting at most
    /// `timeout` per server.
    pub fn new(servers: Vec<SocketAddr>, timeout: Duration) -> Client {
        Client::with_options(servers, timeout, false, 1)
    }

    /// Like [`Client::new`]; with `rotate`, each question starts at the next
    /// server in turn (resolv.conf's `options rotate`), and goes round the
    /// servers `attempts` times at most (`options attempts:`).
    pub fn with_options(
        servers: Vec<SocketAddr>,
        timeout: Duration,
        rotate: bool,
        attempts: usize,
    ) -> Client {
        let pool = Pool::new(servers.len());
        let servers = servers
            .into_iter()
            .map(|addr| Server {
                addr,
                pooled: addr.ip().is_loopback(),
                no_edns: AtomicBool::new(false),
                in_flight: Semaphore::new(MAX_IN_FLIGHT_PER_SERVER),
            })
            .collect();
        Client {
            servers,
            timeout,
            rotate,
            attempts: attempts.max(1),
            pool,
            first: AtomicUsize::new(0),
            rotation: AtomicUsize::new(0),
        }
    }

    /// A client that uses a fresh socket per question for every server, as
    /// it does for remote ones, so tests on 127.0.0.1 can exercise that path.
    #[cfg(test)]
    pub(super) fn with_fresh_sockets(servers: Vec<SocketAddr>, timeout: Duration) -> Client {
        let mut client = Client::new(servers, timeout);
        for server in &mut client.servers {
            server.pooled = false;
        }
        client
    }

    /// Ask `name`/`rtype`. The first server that answers NOERROR or NXDOMAIN
    /// with something to believe gives the answer; otherwise the last
    /// server's failure is returned. A referral or lame answer is that
    /// server's failure for this name ([`unanswered`]): the next server is
    /// asked. Servers are tried in order, starting from the first one that
    /// last answered at all: one that timed out or is unreachable is not
    /// asked first again, so a dead nameserver costs one timeout, not one
    /// per question.
    pub async fn query(&self, name: &Name, rtype: RecordType) -> Result<Reply, DnsFailure> {
        self.query_with(name, rtype, false).await
    }

    /// Ask `name`/`rtype` as [`Client::query`] does, with the DO and CD bits
    /// set (RFC 3225, RFC 4035 3.2.2): the reply carries the RRSIGs of its
    /// answer and the NSEC/NSEC3 records of a denial, for mailcheck to
    /// validate (`crate::dnssec`).
    pub async fn query_dnssec(&self, name: &Name, rtype: RecordType) -> Result<Reply, DnsFailure> {
        self.query_with(name, rtype, true).await
    }

    async fn query_with(
        &self,
        name: &Name,
        rtype: RecordType,
        dnssec: bool,
    ) -> Result<Reply, DnsFailure> {
        let mut last = DnsFailure::Other("no nameserver is configured".into());
        let count = self.servers.len();
        let start = if self.rotate {
            self.rotation.fetch_add(1, Ordering::Relaxed)
        } else {
            self.first.load(Ordering::Relaxed)
        };
        for server in (0..count * self.attempts).map(|k| (start + k) % count) {
            let outcome = self.ask(server, name, rtype, dnssec).await;
            if !self.rotate && matches!(outcome, Err(DnsFailure::Timeout | DnsFailure::Other(_))) {
                let _ = self.first.compare_exchange(
                    server,
                    (server + 1) % count,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
            let addr = self.servers[server].addr;
            match outcome {
                Ok(message) => match message.metadata.response_code {
                    ResponseCode::NoError | ResponseCode::NXDomain => {
                        if message.answers.is_empty()
                            && let Some(failure) = unanswered(&message, name, addr)
                        {
                            last = failure;
                            continue;
                        }
                        return Ok(Reply {
                            message,
                            server: addr,
                        });
                    }
                    ResponseCode::ServFail => last = DnsFailure::ServFail,
                    ResponseCode::Refused => last = DnsFailure::Refused,
                    other => last = DnsFailure::Other(format!("{addr} answered {other}")),
                },
                Err(failure) => last = failure,
            }
        }
        Err(last)
    }

    async fn ask(
        &self,
        server: usize,
        name: &Name,
        rtype: RecordType,
        dnssec: bool,
    ) -> Result<Message, DnsFailure> {
        let entry = &self.servers[server];
        let _place = entry
            .in_flight
            .acquire()
            .await
            .map_err(|_| DnsFailure::Local("the client is shutting down".into()))?;
        let edns = !entry.no_edns.load(Ordering::Relaxed);
        let opt = match (edns, dnssec) {
            (false, _) => Opt::Plain,
            (true, false) => Opt::Edns,
            (true, true) => Opt::Dnssec,
        };
        let mut got = self.udp(server, name, rtype, opt).await?;
        if edns
            && let Got::Message(message) = &got
            && matches!(
                message.metadata.response_code,
                ResponseCode::FormErr | ResponseCode::NotImp
            )
        {
            // A server that does not understand EDNS (RFC 6891 7): ask
            // plainly, and keep doing so if that works.
            got = self.udp(server, name, rtype, Opt::Plain).await?;
            if let Got::Message(plain) = &got
                && !matches!(
                    plain.metadata.response_code,
                    ResponseCode::FormErr | ResponseCode::NotImp
                )
            {
                entry.no_edns.store(true, Ordering::Relaxed);
            }
        }
        match got {
            Got::Message(message) if !message.metadata.truncation => Ok(message),
            _ => tcp::ask(entry.addr, name, rtype, self.timeout, dnssec && edns).await,
        }
    }

    async fn udp(
        &self,
        server: usize,
        name: &Name,
        rtype: RecordType,
        edns: Opt,
    ) -> Result<Got, DnsFailure> {
        if self.servers[server].pooled {
            let addr = self.servers[server].addr;
            self.pool
                .ask(server, addr, self.timeout, name, rtype, edns)
                .await
        } else {
            self.udp_fresh(self.servers[server].addr, name, rtype, edns)
                .await
        }
    }

    /// One question from fresh sockets (servers not on this machine): each
    /// copy, the first and every resend, from its own socket with a port the
    /// system picks, its own random ID and its own random letter case. An
    /// answer to any copy counts until the timeout.
    async fn udp_fresh(
        &self,
        server: SocketAddr,
        name: &Name,
        rtype: RecordType,
        edns: Opt,
    ) -> Result<Got, DnsFailure> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let interval = (self.timeout / 3).max(MIN_RESEND_INTERVAL);
        let mut copies = FuturesUnordered::new();
        loop {
            let id: u16 = rand::random();
            let asked = random_case(name);
            let packet = encode(id, &asked, rtype, edns)?;
            match open_socket(server).await {
                Ok(socket) => {
                    socket
                        .send(&packet)
                        .await
                        .map_err(|e| io_failure("cannot send the question", &e))?;
                    copies.push(await_answer(socket, id, asked, rtype));
                }
                // No descriptor left: the copies already out keep waiting;
                // with none out, wait for other questions to free one.
                Err(DnsFailure::Local(why)) => {
                    if copies.is_empty() {
                        if tokio::time::Instant::now() + LOCAL_RETRY >= deadline {
                            return Err(DnsFailure::Local(why));
                        }
                        tokio::time::sleep(LOCAL_RETRY).await;
                        continue;
                    }
                }
                Err(failure) => return Err(failure),
            }
            let wait = (tokio::time::Instant::now() + interval).min(deadline);
            match tokio::time::timeout_at(wait, copies.next()).await {
                Ok(Some(Ok(got))) => return Ok(got),
                // This copy's socket failed (port unreachable): the server
                // is not there.
                Ok(Some(Err(failure))) => return Err(failure),
                Err(_) if tokio::time::Instant::now() >= deadline => {
                    return Err(DnsFailure::Timeout);
                }
                // Time for the next copy.
                Ok(None) | Err(_) => {}
            }
        }
    }
}

/// A new UDP socket on a port the system picks, connected to `server`.
pub(super) async fn open_socket(server: SocketAddr) -> Result<UdpSocket, DnsFailure> {
    let local: SocketAddr = if server.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local)
        .await
        .map_err(|e| io_failure("cannot open a UDP socket", &e))?;
    socket
        .connect(server)
        .await
        .map_err(|e| io_failure(&format!("cannot reach {server}"), &e))?;
    Ok(socket)
}

/// Wait on `socket` for the answer to question `id` about `asked` (in the
/// letter case it was sent in).
async fn await_answer(
    socket: UdpSocket,
    id: u16,
    asked: Name,
    rtype: RecordType,
) -> Result<Got, DnsFailure> {
    let mut buf = vec![0u8; UDP_BUFFER + 1];
    loop {
        let n = socket
            .recv(&mut buf)
            .await
            .map_err(|e| DnsFailure::Other(format!("the server is unreachable: {e}")))?;
        if n > UDP_BUFFER {
            if buf[..2] == id.to_be_bytes() {
                return Ok(Got::UseTcp);
            }
            continue;
        }
        let Some(message) = parse_answer(&buf[..n], id, &asked, rtype) else {
            continue;
        };
        // 0x20: a copy of the question in other letters than were sent is
        // not from the server that read it; TCP settles it.
        let same_case = message
            .queries
            .first()
            .is_none_or(|q| q.name().eq_case(&asked));
        return Ok(if same_case {
            Got::Message(message)
        } else {
            Got::UseTcp
        });
    }
}

/// `name` with each ASCII letter in random case (the 0x20 bits).
fn random_case(name: &Name) -> Name {
    let labels: Vec<Vec<u8>> = name
        .iter()
        .map(|label| {
            label
                .iter()
                .map(|b| {
                    if b.is_ascii_alphabetic() && rand::random::<bool>() {
                        b ^ 0x20
                    } else {
                        *b
                    }
                })
                .collect()
        })
        .collect();
    match Name::from_labels(labels) {
        Ok(mut n) => {
            n.set_fqdn(name.is_fqdn());
            n
        }
        Err(_) => name.clone(),
    }
}
