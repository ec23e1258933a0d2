//! A stub resolver's transport: one question to a recursive nameserver over
//! UDP, again over TCP when the answer comes back truncated.
//!
//! Checking thousands of domains asks tens of thousands of questions. A fresh
//! UDP socket per question (what hickory's resolver does) costs five system
//! calls besides the send and the receive, and the resolver's layers around
//! it (caching, retries, server statistics) duplicate what [`super::Dns`]
//! already does. So the questions share a few connected UDP sockets per
//! server instead:
//!
//! * each socket is connected to the server, so the kernel drops datagrams
//!   from anyone else; the ID of every question is random and unique among
//!   the questions in flight on its socket, and an answer is taken only when
//!   its ID, name (any case), type and class match a question in flight;
//! * a socket carries at most [`QUERIES_PER_SOCKET`] questions and is then
//!   replaced by a new one (a new random source port), so the port an
//!   off-path attacker would have to guess keeps changing;
//! * anything else that arrives (a stale answer, a datagram that does not
//!   parse, an answer for a question nobody asked) is ignored, and the
//!   question waits for its real answer until its timeout;
//! * a question with no answer is sent again (same ID) after a third of the
//!   timeout, as stub resolvers do, so one lost datagram costs a moment, not
//!   a failed lookup;
//! * a server that is not listening (ICMP port unreachable) fails every
//!   question in flight on that socket at once instead of letting each one
//!   time out.
//!
//! The messages themselves are built and parsed by hickory-proto.

use super::DnsFailure;
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
    sync::oneshot,
};

/// How many sockets each server's questions are spread over. With the
/// default `--concurrency` of 64 domains, about 640 questions are in flight
/// at once: 40 answers per socket fit its receive buffer many times over.
const SOCKETS_PER_SERVER: usize = 16;

/// How many consecutive questions go to the same socket.
const QUERIES_PER_TURN: usize = 16;

/// How many questions one socket carries before it is replaced.
pub const QUERIES_PER_SOCKET: u32 = 256;

/// The UDP payload size offered with EDNS (RFC 6891).
const EDNS_PAYLOAD: u16 = 1232;

/// The shortest wait before a UDP query is sent again.
const MIN_RESEND_INTERVAL: Duration = Duration::from_millis(200);

/// A socket reader's buffer: above the 1,232 bytes mailcheck offers with
/// EDNS and the 4,096 many servers use regardless. A longer datagram is cut
/// short by the kernel, fails to parse and is dropped like any other.
const UDP_BUFFER: usize = 4_096;

/// Questions to a list of nameservers, tried in order.
pub struct Client {
    servers: Vec<SocketAddr>,
    timeout: Duration,
    /// `SOCKETS_PER_SERVER` slots per server, in server order.
    slots: Vec<Mutex<Option<Arc<Channel>>>>,
    turn: AtomicU32,
    /// The server asked first: moves on past one that did not answer.
    first: AtomicUsize,
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
    reply: oneshot::Sender<Result<Message, DnsFailure>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Client {
    /// A client for `servers` (tried in order), each question waiting at most
    /// `timeout` per server.
    pub fn new(servers: Vec<SocketAddr>, timeout: Duration) -> Client {
        let slots = (0..servers.len() * SOCKETS_PER_SERVER)
            .map(|_| Mutex::new(None))
            .collect();
        Client {
            servers,
            timeout,
            slots,
            turn: AtomicU32::new(0),
            first: AtomicUsize::new(0),
        }
    }

    /// Ask `name`/`rtype`. The first server that answers NOERROR or NXDOMAIN
    /// gives the answer; otherwise the last server's failure is returned.
    /// Servers are tried in order, starting from the first one that last
    /// answered at all: one that timed out or is unreachable is not asked
    /// first again, so a dead nameserver costs one timeout, not one per
    /// question.
    pub async fn query(&self, name: &Name, rtype: RecordType) -> Result<Message, DnsFailure> {
        let mut last = DnsFailure::Other("no nameserver is configured".into());
        let count = self.servers.len();
        let start = self.first.load(Ordering::Relaxed);
        for server in (0..count).map(|k| (start + k) % count) {
            let outcome = self.ask(server, name, rtype).await;
            if matches!(outcome, Err(DnsFailure::Timeout | DnsFailure::Other(_))) {
                let _ = self.first.compare_exchange(
                    server,
                    (server + 1) % count,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
            match outcome {
                Ok(message) => match message.metadata.response_code {
                    ResponseCode::NoError | ResponseCode::NXDomain => return Ok(message),
                    ResponseCode::ServFail => last = DnsFailure::ServFail,
                    ResponseCode::Refused => last = DnsFailure::Refused,
                    other => last = DnsFailure::Other(format!("the server answered {other}")),
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
        let mut message = self.udp(server, name, rtype, true).await?;
        if matches!(
            message.metadata.response_code,
            ResponseCode::FormErr | ResponseCode::NotImp
        ) {
            // A server that does not understand EDNS (RFC 6891 7): ask plainly.
            message = self.udp(server, name, rtype, false).await?;
        }
        if message.metadata.truncation {
            return self.tcp(self.servers[server], name, rtype).await;
        }
        Ok(message)
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
        let channel = Channel::open(self.servers[server], self.timeout).await?;
        channel.used.store(1, Ordering::Relaxed);
        if let Some(old) = lock(slot).replace(channel.clone()) {
            old.retired.store(true, Ordering::Relaxed);
        }
        Ok(channel)
    }

    async fn udp(
        &self,
        server: usize,
        name: &Name,
        rtype: RecordType,
        edns: bool,
    ) -> Result<Message, DnsFailure> {
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
                return Err(DnsFailure::Other(e.to_string()));
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
            let mut stream = TcpStream::connect(server).await?;
            stream.set_nodelay(true)?;
            let mut framed = Vec::with_capacity(packet.len() + 2);
            framed.extend_from_slice(&(packet.len() as u16).to_be_bytes());
            framed.extend_from_slice(&packet);
            stream.write_all(&framed).await?;
            loop {
                let mut len = [0u8; 2];
                stream.read_exact(&mut len).await?;
                let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
                stream.read_exact(&mut buf).await?;
                // An answer to anything else on this connection is skipped.
                if let Some(message) = parse_answer(&buf, id, name, rtype) {
                    return Ok::<_, std::io::Error>(message);
                }
            }
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok(message)) => Ok(message),
            Ok(Err(e)) => Err(DnsFailure::Other(format!("TCP: {e}"))),
            Err(_) => Err(DnsFailure::Timeout),
        }
    }
}

impl Channel {
    /// A new socket connected to `server`, and its reader task.
    async fn open(server: SocketAddr, timeout: Duration) -> Result<Arc<Channel>, DnsFailure> {
        let local: SocketAddr = if server.is_ipv4() {
            (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(local)
            .await
            .map_err(|e| DnsFailure::Other(format!("cannot open a UDP socket: {e}")))?;
        socket
            .connect(server)
            .await
            .map_err(|e| DnsFailure::Other(format!("cannot reach {server}: {e}")))?;
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
    ) -> Option<(u16, oneshot::Receiver<Result<Message, DnsFailure>>)> {
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
        let Some(message) = parse_answer(datagram, id, &question.name, question.rtype) else {
            return;
        };
        if let Some(question) = pending.remove(&id) {
            let _ = question.reply.send(Ok(message));
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
    let mut buf = vec![0u8; UDP_BUFFER];
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
/// with this ID, to exactly this one question (the name in any case).
fn parse_answer(bytes: &[u8], id: u16, name: &Name, rtype: RecordType) -> Option<Message> {
    let message = Message::from_vec(bytes).ok()?;
    let [asked] = message.queries.as_slice() else {
        return None;
    };
    // hickory compares names without regard to case.
    let answers = message.metadata.id == id
        && message.metadata.message_type == MessageType::Response
        && asked.query_type() == rtype
        && asked.query_class() == DNSClass::IN
        && asked.name() == name;
    answers.then_some(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_resolver::proto::rr::{RData, Record, rdata::A};
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

    /// An empty response to `query`, with its question.
    fn response(query: &Message) -> Message {
        let mut m = Message::response(query.metadata.id, query.metadata.op_code);
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
                let message = client.query(&name, RecordType::A).await.unwrap();
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
        let message = client.query(&name, RecordType::A).await.unwrap();
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
        let message = client.query(&name, RecordType::TXT).await.unwrap();
        assert_eq!(message.metadata.response_code, ResponseCode::NoError);
        assert_eq!(*lock(&offered), vec![Some(EDNS_PAYLOAD), None]);
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
