//! A stub resolver's transport: one question to a recursive nameserver over
//! UDP, again over TCP when the answer comes back truncated, too large for
//! the receive buffer, or with its question in the wrong case.
//!
//! Written here rather than taken from hickory's resolver because checking
//! thousands of domains asks tens of thousands of questions, and the
//! resolver's layers (its own cache, retries and server statistics)
//! duplicate what [`super::Dns`] already does; the messages themselves are
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
//! server (each replaced after [`QUERIES_PER_SOCKET`] questions), which
//! saves five system calls per question (BENCHMARKS.md).
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

use super::{DnsFailure, display_name};
use futures_util::{StreamExt, stream::FuturesUnordered};
use hickory_resolver::proto::{
    op::{Edns, Message, MessageType, Query, ResponseCode},
    rr::{DNSClass, Name, RecordType},
};
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpStream, UdpSocket},
    sync::{Semaphore, oneshot},
};

/// How many sockets each loopback server's questions are spread over.
const SOCKETS_PER_SERVER: usize = 16;

/// How many consecutive questions go to the same pooled socket.
const QUERIES_PER_TURN: usize = 16;

/// How many questions one pooled socket carries before it is replaced.
pub const QUERIES_PER_SOCKET: u32 = 256;

/// The most questions in flight to one server at once. A batch at
/// `--concurrency 64` would otherwise put about 640 in flight; a server's
/// receive buffer, or a rate limit on a public resolver, drops the excess,
/// and every dropped datagram costs a third of the timeout.
pub const MAX_IN_FLIGHT_PER_SERVER: usize = 192;

/// The UDP payload size offered with EDNS (RFC 6891).
const EDNS_PAYLOAD: u16 = 1232;

/// How long a question waits for a file descriptor to be freed when none is
/// left for its socket.
const LOCAL_RETRY: Duration = Duration::from_millis(20);

/// The shortest wait before a UDP query is sent again.
const MIN_RESEND_INTERVAL: Duration = Duration::from_millis(200);

/// A socket reader's buffer: above the 1,232 bytes mailcheck offers with
/// EDNS and the 4,096 many servers use regardless. A longer datagram fills
/// the buffer's extra byte: its question is asked again over TCP.
const UDP_BUFFER: usize = 4_096;

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
    /// `SOCKETS_PER_SERVER` slots per server, in server order (used for
    /// loopback servers only).
    slots: Vec<Mutex<Option<Arc<Channel>>>>,
    turn: AtomicU32,
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

/// What one UDP exchange produced.
enum Got {
    /// The answer.
    Message(Message),
    /// The answer cannot be used as it came (larger than the buffer, or its
    /// question in another case): ask over TCP.
    UseTcp,
}

/// One connected UDP socket and the questions in flight on it.
struct Channel {
    socket: UdpSocket,
    /// Questions in flight by ID; `None` once the reader has stopped.
    pending: Mutex<Option<HashMap<u16, Pending>>>,
    /// Questions sent so far.
    used: AtomicU32,
    /// No new question may use it; its reader stops once nothing is in flight.
    retired: AtomicBool,
}

struct Pending {
    name: Name,
    rtype: RecordType,
    reply: oneshot::Sender<Result<Got, DnsFailure>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The failure for a socket operation that went wrong: running out of file
/// descriptors, buffers or memory is local; anything else is put on the
/// server (`what` says which operation).
fn io_failure(what: &str, e: &std::io::Error) -> DnsFailure {
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

/// True when `message` is a negative answer for `name` that can be believed
/// (RFC 2308 2.1, 2.2): it carries the SOA of a zone enclosing `name` in its
/// authority section, or, when `name` is the question itself (`direct`),
/// the AA flag of a server authoritative for it. A recursive resolver's
/// negative answers carry the SOA (it is what they are cached by), so the
/// RA flag alone proves nothing: a server that sets RA and answers empty
/// without an SOA is treated as lame like any other.
pub fn says_negative(message: &Message, name: &Name, direct: bool) -> bool {
    (direct && message.metadata.authoritative)
        || message
            .authorities
            .iter()
            .any(|r| r.record_type() == RecordType::SOA && r.name.zone_of(name))
}

/// Why an empty answer to `name` is no answer, or `None` when it is a
/// negative answer to believe ([`says_negative`]): NS records in the
/// authority section make it a referral (the server does not serve the
/// name and would not resolve it); anything else is lame.
pub fn unanswered(message: &Message, name: &Name, server: SocketAddr) -> Option<DnsFailure> {
    if says_negative(message, name, true) {
        return None;
    }
    let referral = message
        .authorities
        .iter()
        .find(|r| r.record_type() == RecordType::NS);
    Some(match referral {
        Some(ns) => DnsFailure::Referral {
            server,
            zone: display_name(&ns.name),
        },
        None => DnsFailure::Lame { server },
    })
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
        let slots = (0..servers.len() * SOCKETS_PER_SERVER)
            .map(|_| Mutex::new(None))
            .collect();
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
            slots,
            turn: AtomicU32::new(0),
            first: AtomicUsize::new(0),
            rotation: AtomicUsize::new(0),
        }
    }

    /// A client that uses a fresh socket per question for every server, as
    /// it does for remote ones, so tests on 127.0.0.1 can exercise that path.
    #[cfg(test)]
    fn with_fresh_sockets(servers: Vec<SocketAddr>, timeout: Duration) -> Client {
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
        let mut last = DnsFailure::Other("no nameserver is configured".into());
        let count = self.servers.len();
        let start = if self.rotate {
            self.rotation.fetch_add(1, Ordering::Relaxed)
        } else {
            self.first.load(Ordering::Relaxed)
        };
        for server in (0..count * self.attempts).map(|k| (start + k) % count) {
            let outcome = self.ask(server, name, rtype).await;
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
    ) -> Result<Message, DnsFailure> {
        let entry = &self.servers[server];
        let _place = entry
            .in_flight
            .acquire()
            .await
            .map_err(|_| DnsFailure::Local("the client is shutting down".into()))?;
        let edns = !entry.no_edns.load(Ordering::Relaxed);
        let mut got = self.udp(server, name, rtype, edns).await?;
        if edns
            && let Got::Message(message) = &got
            && matches!(
                message.metadata.response_code,
                ResponseCode::FormErr | ResponseCode::NotImp
            )
        {
            // A server that does not understand EDNS (RFC 6891 7): ask
            // plainly, and keep doing so if that works.
            got = self.udp(server, name, rtype, false).await?;
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
            _ => self.tcp(entry.addr, name, rtype).await,
        }
    }

    async fn udp(
        &self,
        server: usize,
        name: &Name,
        rtype: RecordType,
        edns: bool,
    ) -> Result<Got, DnsFailure> {
        if self.servers[server].pooled {
            self.udp_pooled(server, name, rtype, edns).await
        } else {
            self.udp_fresh(self.servers[server].addr, name, rtype, edns)
                .await
        }
    }

    /// A socket of `server` with room for one more question.
    async fn channel(&self, server: usize) -> Result<Arc<Channel>, DnsFailure> {
        // Runs of QUERIES_PER_TURN questions per socket, so a single check
        // opens one or two sockets, not all of them.
        let turn = self.turn.fetch_add(1, Ordering::Relaxed) as usize / QUERIES_PER_TURN
            % SOCKETS_PER_SERVER;
        let slot = &self.slots[server * SOCKETS_PER_SERVER + turn];
        if let Some(channel) = lock(slot).as_ref()
            && channel.used.fetch_add(1, Ordering::Relaxed) < QUERIES_PER_SOCKET
        {
            return Ok(channel.clone());
        }
        let channel = match Channel::open(self.servers[server].addr, self.timeout).await {
            Ok(channel) => channel,
            // No descriptor left for a new socket: keep using one this
            // server already has, over its quota, rather than fail.
            Err(DnsFailure::Local(why)) => {
                let open = self.slots[server * SOCKETS_PER_SERVER..][..SOCKETS_PER_SERVER]
                    .iter()
                    .find_map(|slot| lock(slot).clone());
                return open.ok_or(DnsFailure::Local(why));
            }
            Err(failure) => return Err(failure),
        };
        channel.used.store(1, Ordering::Relaxed);
        if let Some(old) = lock(slot).replace(channel.clone()) {
            old.retired.store(true, Ordering::Relaxed);
        }
        Ok(channel)
    }

    /// One question on a pooled socket (loopback servers).
    async fn udp_pooled(
        &self,
        server: usize,
        name: &Name,
        rtype: RecordType,
        edns: bool,
    ) -> Result<Got, DnsFailure> {
        // A socket retired and drained just now has no reader: take another.
        let (channel, id, reply) = loop {
            let channel = self.channel(server).await?;
            if let Some((id, reply)) = channel.register(name, rtype) {
                break (channel, id, reply);
            }
        };
        let packet = encode(id, name, rtype, edns)?;
        // UDP may lose a datagram either way (a full receive buffer drops it
        // silently): the same query, same ID, goes out again after a third
        // of the timeout, and whichever answer arrives first counts.
        let deadline = tokio::time::Instant::now() + self.timeout;
        let interval = (self.timeout / 3).max(MIN_RESEND_INTERVAL);
        let mut reply = reply;
        loop {
            if let Err(e) = channel.socket.send(&packet).await {
                channel.forget(id);
                return Err(io_failure("cannot send the question", &e));
            }
            let wait = tokio::time::Instant::now() + interval;
            match tokio::time::timeout_at(wait.min(deadline), &mut reply).await {
                Ok(Ok(answer)) => return answer,
                Ok(Err(_)) => {
                    return Err(DnsFailure::Other("the socket's reader stopped".into()));
                }
                Err(_) if tokio::time::Instant::now() >= deadline => {
                    channel.forget(id);
                    return Err(DnsFailure::Timeout);
                }
                Err(_) => {}
            }
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
        edns: bool,
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

    /// One question over its own TCP connection (RFC 7766), all within the timeout.
    async fn tcp(
        &self,
        server: SocketAddr,
        name: &Name,
        rtype: RecordType,
    ) -> Result<Message, DnsFailure> {
        let id: u16 = rand::random();
        let packet = encode(id, name, rtype, false)?;
        let exchange = async {
            let mut stream = TcpStream::connect(server)
                .await
                .map_err(|e| io_failure("TCP", &e))?;
            let io = |e: std::io::Error| io_failure("TCP", &e);
            stream.set_nodelay(true).map_err(io)?;
            let mut framed = Vec::with_capacity(packet.len() + 2);
            framed.extend_from_slice(&(packet.len() as u16).to_be_bytes());
            framed.extend_from_slice(&packet);
            stream.write_all(&framed).await.map_err(io)?;
            loop {
                let mut len = [0u8; 2];
                stream.read_exact(&mut len).await.map_err(io)?;
                let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
                stream.read_exact(&mut buf).await.map_err(io)?;
                // An answer to anything else on this connection is skipped.
                if let Some(message) = parse_answer(&buf, id, name, rtype) {
                    return Ok(message);
                }
            }
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(DnsFailure::Timeout),
        }
    }
}

/// A new UDP socket on a port the system picks, connected to `server`.
async fn open_socket(server: SocketAddr) -> Result<UdpSocket, DnsFailure> {
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

impl Channel {
    /// A new socket connected to `server`, and its reader task.
    async fn open(server: SocketAddr, timeout: Duration) -> Result<Arc<Channel>, DnsFailure> {
        let socket = open_socket(server).await?;
        let channel = Arc::new(Channel {
            socket,
            pending: Mutex::new(Some(HashMap::new())),
            used: AtomicU32::new(0),
            retired: AtomicBool::new(false),
        });
        tokio::spawn(read_answers(channel.clone(), timeout));
        Ok(channel)
    }

    /// A random ID not in flight on this socket, and where its answer
    /// arrives; `None` when the socket's reader has stopped.
    fn register(
        &self,
        name: &Name,
        rtype: RecordType,
    ) -> Option<(u16, oneshot::Receiver<Result<Got, DnsFailure>>)> {
        let (reply, receiver) = oneshot::channel();
        let mut pending = lock(&self.pending);
        let pending = pending.as_mut()?;
        let id = loop {
            let id: u16 = rand::random();
            if !pending.contains_key(&id) {
                break id;
            }
        };
        pending.insert(
            id,
            Pending {
                name: name.clone(),
                rtype,
                reply,
            },
        );
        Some((id, receiver))
    }

    fn forget(&self, id: u16) {
        if let Some(pending) = lock(&self.pending).as_mut() {
            pending.remove(&id);
        }
    }

    /// Hand a datagram to the question it answers; anything else is dropped.
    /// One that filled the buffer was cut short: its question goes to TCP.
    fn deliver(&self, datagram: &[u8]) {
        if datagram.len() < 12 {
            return;
        }
        let id = u16::from_be_bytes([datagram[0], datagram[1]]);
        let mut pending = lock(&self.pending);
        let Some(pending) = pending.as_mut() else {
            return;
        };
        let Some(question) = pending.get(&id) else {
            return;
        };
        let got = if datagram.len() > UDP_BUFFER {
            Got::UseTcp
        } else {
            match parse_answer(datagram, id, &question.name, question.rtype) {
                Some(message) => Got::Message(message),
                None => return,
            }
        };
        if let Some(question) = pending.remove(&id) {
            let _ = question.reply.send(Ok(got));
        }
    }

    /// The server is unreachable: every question in flight fails now.
    fn fail_all(&self, why: &str) {
        let mut pending = lock(&self.pending);
        for (_, question) in pending.iter_mut().flat_map(|p| p.drain()) {
            let _ = question.reply.send(Err(DnsFailure::Other(format!(
                "the server is unreachable: {why}"
            ))));
        }
    }

    /// True, and the reader marked stopped, once the socket is retired and
    /// nothing is in flight on it.
    fn finished(&self) -> bool {
        let mut pending = lock(&self.pending);
        let done =
            self.retired.load(Ordering::Relaxed) && pending.as_ref().is_none_or(|p| p.is_empty());
        if done {
            *pending = None;
        }
        done
    }
}

/// Read a socket's answers until it is retired and nothing is in flight.
async fn read_answers(channel: Arc<Channel>, timeout: Duration) {
    let mut buf = vec![0u8; UDP_BUFFER + 1];
    // Wake at least this often to notice that the socket was retired.
    let tick = timeout.clamp(Duration::from_millis(100), Duration::from_secs(1));
    loop {
        match tokio::time::timeout(tick, channel.socket.recv(&mut buf)).await {
            Ok(Ok(n)) => channel.deliver(&buf[..n]),
            Ok(Err(e)) => channel.fail_all(&e.to_string()),
            Err(_) => {}
        }
        if channel.finished() {
            return;
        }
    }
}

/// A recursive query for `name`/`rtype` with this ID; over UDP it offers
/// EDNS with a 1,232-byte payload (the DNS Flag Day 2020 size, which avoids
/// IP fragmentation), so a DKIM key or a long SPF record needs no TCP retry.
fn encode(id: u16, name: &Name, rtype: RecordType, edns: bool) -> Result<Vec<u8>, DnsFailure> {
    let mut message = Message::query();
    message.metadata.id = id;
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(name.clone(), rtype));
    if edns {
        let mut opt = Edns::new();
        opt.set_max_payload(EDNS_PAYLOAD);
        message.edns = Some(opt);
    }
    message
        .to_vec()
        .map_err(|e| DnsFailure::Other(format!("cannot encode the question for {name}: {e}")))
}

/// The message in `bytes` if it is the answer to this question: a response
/// with this ID, to exactly this one question (the name in any case). A
/// FORMERR, NOTIMP or REFUSED without a question section is taken by its ID
/// alone: servers that reject a question often leave it out.
fn parse_answer(bytes: &[u8], id: u16, name: &Name, rtype: RecordType) -> Option<Message> {
    let message = Message::from_vec(bytes).ok()?;
    if message.metadata.id != id || message.metadata.message_type != MessageType::Response {
        return None;
    }
    let answers = match message.queries.as_slice() {
        // hickory compares names without regard to case.
        [asked] => {
            asked.query_type() == rtype
                && asked.query_class() == DNSClass::IN
                && asked.name() == name
        }
        [] => matches!(
            message.metadata.response_code,
            ResponseCode::FormErr | ResponseCode::NotImp | ResponseCode::Refused
        ),
        _ => false,
    };
    answers.then_some(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_resolver::proto::rr::{
        RData, Record,
        rdata::{A, NS, SOA},
    };
    use std::collections::HashSet;

    /// Serve UDP on `socket`: every query, with the port it came from, goes
    /// to `reply`, and each datagram it returns is sent back in order.
    fn serve(
        socket: UdpSocket,
        mut reply: impl FnMut(&Message, u16) -> Vec<Vec<u8>> + Send + 'static,
    ) {
        tokio::spawn(async move {
            let mut buf = vec![0u8; UDP_BUFFER];
            while let Ok((n, from)) = socket.recv_from(&mut buf).await {
                let query = Message::from_vec(&buf[..n]).unwrap();
                for datagram in reply(&query, from.port()) {
                    let _ = socket.send_to(&datagram, from).await;
                }
            }
        });
    }

    /// An empty authoritative response to `query`, with its question.
    fn response(query: &Message) -> Message {
        let mut m = Message::response(query.metadata.id, query.metadata.op_code);
        m.metadata.authoritative = true;
        m.add_query(query.queries[0].clone());
        m
    }

    /// A nameserver on 127.0.0.1 that, before each real answer, sends two
    /// decoys: the right question under another ID, and the right ID for
    /// another name. It records the source port of every question.
    async fn decoy_server() -> (SocketAddr, Arc<Mutex<HashSet<u16>>>) {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        // A receive buffer that holds a burst of 640 questions (the
        // kernel's default holds about 200): this server has one task.
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            let size: libc::c_int = 8 << 20;
            // SAFETY: a valid socket, option and option length.
            let r = unsafe {
                libc::setsockopt(
                    socket.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_RCVBUF,
                    (&size as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                )
            };
            assert_eq!(r, 0, "{}", std::io::Error::last_os_error());
        }
        let addr = socket.local_addr().unwrap();
        let ports = Arc::new(Mutex::new(HashSet::new()));
        let seen = ports.clone();
        serve(socket, move |query, port| {
            lock(&seen).insert(port);
            let question = query.queries[0].name().clone();
            let answer = |id: u16, name: Name| {
                let mut m = Message::response(id, query.metadata.op_code);
                m.add_query(Query::query(name.clone(), RecordType::A));
                m.add_answer(Record::from_rdata(name, 60, RData::A(A::new(192, 0, 2, 1))));
                m.to_vec().unwrap()
            };
            let id = query.metadata.id;
            let other: Name = "decoy.example.".parse().unwrap();
            vec![
                answer(id.wrapping_add(1), question.clone()),
                answer(id, other),
                vec![0xde, 0xad],
                answer(id, question),
            ]
        });
        (addr, ports)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn answers_match_their_question_and_sockets_are_replaced() {
        let (server, ports) = decoy_server().await;
        let client = Arc::new(Client::new(vec![server], Duration::from_secs(5)));
        let total = 3 * QUERIES_PER_SOCKET as usize * SOCKETS_PER_SERVER;
        // 640 questions in flight, as a batch at the default concurrency has.
        let in_flight = Arc::new(tokio::sync::Semaphore::new(640));
        let mut tasks = Vec::new();
        for i in 0..total {
            let (client, in_flight) = (client.clone(), in_flight.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = in_flight.acquire().await.unwrap();
                let name: Name = format!("host{i}.example.").parse().unwrap();
                let message = client.query(&name, RecordType::A).await.unwrap().message;
                assert_eq!(message.answers.len(), 1);
                assert_eq!(message.answers[0].name, name);
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        // Each socket carried at most QUERIES_PER_SOCKET questions.
        let ports = lock(&ports).len();
        assert!(
            ports >= total / QUERIES_PER_SOCKET as usize,
            "{ports} source ports"
        );
    }

    #[tokio::test]
    async fn a_closed_port_fails_at_once_and_silence_times_out() {
        // Bind and drop: nothing listens there any more.
        let closed = std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let client = Client::new(vec![closed], Duration::from_secs(30));
        let name: Name = "example.com.".parse().unwrap();
        // "Unreachable", not a timeout: the ICMP error ended the question.
        let err = client.query(&name, RecordType::A).await.unwrap_err();
        assert!(
            matches!(err, DnsFailure::Other(ref m) if m.contains("unreachable")),
            "{err}"
        );

        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let client = Client::new(
            vec![silent.local_addr().unwrap()],
            Duration::from_millis(200),
        );
        assert_eq!(
            client.query(&name, RecordType::A).await.unwrap_err(),
            DnsFailure::Timeout
        );
    }

    #[tokio::test]
    async fn a_lost_datagram_is_sent_again() {
        // This server ignores the first copy of every query.
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server = socket.local_addr().unwrap();
        let copies = Arc::new(Mutex::new(0usize));
        let seen = copies.clone();
        serve(socket, move |query, _| {
            let mut copies = lock(&seen);
            *copies += 1;
            if *copies == 1 {
                Vec::new()
            } else {
                vec![response(query).to_vec().unwrap()]
            }
        });
        let client = Client::new(vec![server], Duration::from_secs(1));
        let name: Name = "example.com.".parse().unwrap();
        let message = client.query(&name, RecordType::A).await.unwrap().message;
        assert_eq!(message.metadata.response_code, ResponseCode::NoError);
        assert_eq!(*lock(&copies), 2);
    }

    #[tokio::test]
    async fn edns_is_offered_and_dropped_for_a_server_that_refuses_it() {
        // FORMERR to any query with EDNS, an answer to one without.
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server = socket.local_addr().unwrap();
        let offered = Arc::new(Mutex::new(Vec::new()));
        let seen = offered.clone();
        serve(socket, move |query, _| {
            let payload = query.edns.as_ref().map(|e| e.max_payload());
            lock(&seen).push(payload);
            let mut m = response(query);
            if payload.is_some() {
                m.metadata.response_code = ResponseCode::FormErr;
            }
            vec![m.to_vec().unwrap()]
        });
        let client = Client::new(vec![server], Duration::from_secs(1));
        let name: Name = "example.com.".parse().unwrap();
        let message = client.query(&name, RecordType::TXT).await.unwrap().message;
        assert_eq!(message.metadata.response_code, ResponseCode::NoError);
        assert_eq!(*lock(&offered), vec![Some(EDNS_PAYLOAD), None]);
        // Remembered: the next question goes out without EDNS at once.
        client.query(&name, RecordType::MX).await.unwrap();
        assert_eq!(*lock(&offered), vec![Some(EDNS_PAYLOAD), None, None]);
    }

    /// A TCP listener on `addr`'s port that answers every query with
    /// `reply(query)`, and counts the queries.
    async fn serve_tcp(addr: SocketAddr, reply: fn(&Message) -> Message) -> Arc<AtomicUsize> {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut len = [0u8; 2];
                    while stream.read_exact(&mut len).await.is_ok() {
                        let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
                        if stream.read_exact(&mut buf).await.is_err() {
                            return;
                        }
                        seen.fetch_add(1, Ordering::Relaxed);
                        let out = reply(&Message::from_vec(&buf).unwrap()).to_vec().unwrap();
                        let mut framed = (out.len() as u16).to_be_bytes().to_vec();
                        framed.extend(out);
                        let _ = stream.write_all(&framed).await;
                    }
                });
            }
        });
        count
    }

    /// An authoritative answer with one A record for the question.
    fn a_record(query: &Message) -> Message {
        let mut m = response(query);
        let name = query.queries[0].name().clone();
        m.add_answer(Record::from_rdata(name, 60, RData::A(A::new(192, 0, 2, 7))));
        m
    }

    #[tokio::test]
    async fn fresh_sockets_per_copy_random_case_and_tcp_on_a_case_mismatch() {
        // Over UDP this server drops the first copy of each question and
        // echoes the name in lower case; over TCP it answers properly.
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server = socket.local_addr().unwrap();
        let tcp = serve_tcp(server, a_record).await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        serve(socket, move |query, port| {
            let mut log = lock(&log);
            log.push((port, query.metadata.id, query.queries[0].name().to_ascii()));
            if log.len() == 1 {
                return Vec::new();
            }
            let mut m = a_record(query);
            let lower = query.queries[0].name().to_lowercase();
            m.queries[0] = Query::query(lower, RecordType::A);
            vec![m.to_vec().unwrap()]
        });
        let client = Client::with_fresh_sockets(vec![server], Duration::from_secs(3));
        let name: Name = "mixed-case-letters.example.".parse().unwrap();
        let reply = client.query(&name, RecordType::A).await.unwrap();
        assert_eq!(reply.message.answers.len(), 1);
        let seen = lock(&seen).clone();
        assert_eq!(seen.len(), 2, "{seen:?}");
        // Two copies: two sockets (ports), two IDs; the answer's case did
        // not match what was sent, so the question went to TCP.
        assert_ne!(seen[0].0, seen[1].0, "{seen:?}");
        assert_ne!(seen[0].1, seen[1].1, "{seen:?}");
        assert!(
            seen.iter().any(|(_, _, n)| *n != n.to_lowercase()),
            "no letter was sent in upper case: {seen:?}"
        );
        assert_eq!(tcp.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn an_answer_larger_than_the_buffer_is_asked_again_over_tcp() {
        for fresh in [false, true] {
            // UDP: a 5,000-byte datagram that starts with the query's ID.
            let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let server = socket.local_addr().unwrap();
            let tcp = serve_tcp(server, a_record).await;
            serve(socket, |query, _| {
                let mut big = a_record(query).to_vec().unwrap();
                big.resize(5_000, 0);
                vec![big]
            });
            let client = if fresh {
                Client::with_fresh_sockets(vec![server], Duration::from_secs(3))
            } else {
                Client::new(vec![server], Duration::from_secs(3))
            };
            let name: Name = "big.example.".parse().unwrap();
            let started = std::time::Instant::now();
            let reply = client.query(&name, RecordType::A).await.unwrap();
            assert_eq!(reply.message.answers.len(), 1);
            assert_eq!(tcp.load(Ordering::Relaxed), 1);
            assert!(started.elapsed() < Duration::from_secs(1), "fresh {fresh}");
        }
    }

    #[tokio::test]
    async fn a_refusal_without_a_question_section_is_taken_at_once() {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server = socket.local_addr().unwrap();
        serve(socket, |query, _| {
            let mut m = Message::response(query.metadata.id, query.metadata.op_code);
            m.metadata.response_code = ResponseCode::Refused;
            vec![m.to_vec().unwrap()]
        });
        let client = Client::new(vec![server], Duration::from_secs(5));
        let name: Name = "example.com.".parse().unwrap();
        let started = std::time::Instant::now();
        let err = client.query(&name, RecordType::A).await.unwrap_err();
        assert_eq!(err, DnsFailure::Refused);
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn referrals_and_lame_answers_are_failures_naming_the_server() {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server = socket.local_addr().unwrap();
        serve(socket, |query, _| {
            let mut m = Message::response(query.metadata.id, query.metadata.op_code);
            m.add_query(query.queries[0].clone());
            let name = query.queries[0].name().to_ascii();
            if name.starts_with("referral.") {
                let zone: Name = "example.".parse().unwrap();
                let ns: Name = "ns.elsewhere.test.".parse().unwrap();
                m.add_authority(Record::from_rdata(zone, 60, RData::NS(NS(ns))));
            } else if name.starts_with("soa.") {
                let zone: Name = "example.".parse().unwrap();
                let soa = SOA::new(zone.clone(), zone.clone(), 1, 2, 3, 4, 5);
                m.add_authority(Record::from_rdata(zone, 60, RData::SOA(soa)));
            } else if name.starts_with("aa.") {
                m.metadata.authoritative = true;
            } else if name.starts_with("ra.") {
                m.metadata.recursion_available = true;
            }
            vec![m.to_vec().unwrap()]
        });
        let client = Client::new(vec![server], Duration::from_secs(5));
        let ask = |n: &str| n.parse::<Name>().unwrap();
        assert_eq!(
            client
                .query(&ask("referral.example."), RecordType::TXT)
                .await
                .unwrap_err(),
            DnsFailure::Referral {
                server,
                zone: "example".into()
            }
        );
        for lame in ["lame.example.", "ra.example."] {
            assert_eq!(
                client.query(&ask(lame), RecordType::TXT).await.unwrap_err(),
                DnsFailure::Lame { server },
                "{lame}"
            );
        }
        for negative in ["soa.example.", "aa.example."] {
            let reply = client.query(&ask(negative), RecordType::TXT).await;
            assert!(reply.is_ok(), "{negative}: {reply:?}");
        }
        let text = DnsFailure::Lame { server }.to_string();
        assert!(
            text.contains(&server.to_string()) && !text.contains('\n'),
            "{text}"
        );
    }

    #[tokio::test]
    async fn rotate_spreads_questions_and_attempts_go_round_again() {
        // Two servers that answer and count; rotate: they take turns.
        let mut counts = Vec::new();
        let mut servers = Vec::new();
        for _ in 0..2 {
            let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            servers.push(socket.local_addr().unwrap());
            let count = Arc::new(AtomicUsize::new(0));
            let seen = count.clone();
            serve(socket, move |query, _| {
                seen.fetch_add(1, Ordering::Relaxed);
                vec![response(query).to_vec().unwrap()]
            });
            counts.push(count);
        }
        let client = Client::with_options(servers, Duration::from_secs(2), true, 1);
        for i in 0..6 {
            let name: Name = format!("q{i}.example.").parse().unwrap();
            client.query(&name, RecordType::A).await.unwrap();
        }
        let taken: Vec<usize> = counts.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        assert_eq!(taken, vec![3, 3]);

        // attempts:2 against a server that refuses: asked twice, then REFUSED.
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server = socket.local_addr().unwrap();
        let asked = Arc::new(AtomicUsize::new(0));
        let seen = asked.clone();
        serve(socket, move |query, _| {
            seen.fetch_add(1, Ordering::Relaxed);
            let mut m = response(query);
            m.metadata.response_code = ResponseCode::Refused;
            vec![m.to_vec().unwrap()]
        });
        let client = Client::with_options(vec![server], Duration::from_secs(2), false, 2);
        let name: Name = "example.com.".parse().unwrap();
        assert_eq!(
            client.query(&name, RecordType::A).await.unwrap_err(),
            DnsFailure::Refused
        );
        assert_eq!(asked.load(Ordering::Relaxed), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn questions_in_flight_to_one_server_are_capped() {
        // A server that never answers and notes every name it is asked.
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server = socket.local_addr().unwrap();
        let names = Arc::new(Mutex::new(HashSet::new()));
        let seen = names.clone();
        serve(socket, move |query, _| {
            lock(&seen).insert(query.queries[0].name().to_ascii());
            Vec::new()
        });
        let client = Arc::new(Client::new(vec![server], Duration::from_secs(3)));
        let tasks: Vec<_> = (0..2 * MAX_IN_FLIGHT_PER_SERVER)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move {
                    let name: Name = format!("q{i}.example.").parse().unwrap();
                    let _ = client.query(&name, RecordType::A).await;
                })
            })
            .collect();
        // Well before the first resend (after a second): every question
        // that got a place has been sent once, and no other.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(lock(&names).len(), MAX_IN_FLIGHT_PER_SERVER);
        for task in tasks {
            task.abort();
        }
    }

    #[tokio::test]
    async fn a_nameserver_that_never_answers_is_skipped_after_one_timeout() {
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let working = socket.local_addr().unwrap();
        serve(socket, |query, _| vec![response(query).to_vec().unwrap()]);
        let servers = vec![silent.local_addr().unwrap(), working];
        let client = Client::new(servers, Duration::from_millis(600));
        let name: Name = "example.com.".parse().unwrap();
        // The first question waits out the silent server, then gets its answer;
        // the later ones go straight to the server that answers.
        client.query(&name, RecordType::A).await.unwrap();
        for _ in 0..5 {
            client.query(&name, RecordType::MX).await.unwrap();
        }
        silent.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 512];
        let mut asked = Vec::new();
        while let Ok(n) = silent.recv(&mut buf) {
            asked.push(Message::from_vec(&buf[..n]).unwrap().queries[0].query_type());
        }
        assert!(
            !asked.is_empty() && asked.iter().all(|t| *t == RecordType::A),
            "{asked:?}"
        );
    }
}
