//! The shared sockets of nameservers on a loopback address: a few connected
//! UDP sockets per server, each with one reader task that hands every
//! answer to the question in flight it matches. No one off this machine can
//! inject answers on loopback, so the fresh socket per question that remote
//! servers get ([`super::client`]) would only cost system calls; each socket
//! is still replaced after [`QUERIES_PER_SOCKET`] questions.

use super::{
    client::{MIN_RESEND_INTERVAL, io_failure, open_socket},
    wire::{Got, Opt, UDP_BUFFER, encode, parse_answer},
};
use crate::{dns::DnsFailure, util::lock};
use hickory_resolver::proto::rr::{Name, RecordType};
use std::{
    collections::HashMap,
    io,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU32, Ordering},
    },
    time::Duration,
};
use tokio::{io::Interest, net::UdpSocket, sync::oneshot};

/// How many sockets each loopback server's questions are spread over.
pub(super) const SOCKETS_PER_SERVER: usize = 16;

/// How many consecutive questions go to the same pooled socket.
const QUERIES_PER_TURN: usize = 16;

/// How many questions one pooled socket carries before it is replaced.
pub const QUERIES_PER_SOCKET: u32 = 256;

/// The pooled sockets of every server of one client.
pub(super) struct Pool {
    /// `SOCKETS_PER_SERVER` slots per server, in server order (filled for
    /// loopback servers only).
    slots: Vec<Mutex<Option<Arc<Channel>>>>,
    turn: AtomicU32,
}

impl Pool {
    /// Empty slots for `servers` servers.
    pub(super) fn new(servers: usize) -> Pool {
        Pool {
            slots: (0..servers * SOCKETS_PER_SERVER)
                .map(|_| Mutex::new(None))
                .collect(),
            turn: AtomicU32::new(0),
        }
    }

    /// A socket of `server` with room for one more question.
    async fn channel(
        &self,
        server: usize,
        addr: SocketAddr,
        timeout: Duration,
    ) -> Result<Arc<Channel>, DnsFailure> {
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
        let channel = match Channel::open(addr, timeout).await {
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

    /// One question to the server at index `server` (address `addr`) on
    /// one of its pooled sockets.
    pub(super) async fn ask(
        &self,
        server: usize,
        addr: SocketAddr,
        timeout: Duration,
        name: &Name,
        rtype: RecordType,
        edns: Opt,
    ) -> Result<Got, DnsFailure> {
        // A socket retired and drained just now has no reader: take another.
        let (channel, id, reply) = loop {
            let channel = self.channel(server, addr, timeout).await?;
            if let Some((id, reply)) = channel.register(name, rtype) {
                break (channel, id, reply);
            }
        };
        let packet = encode(id, name, rtype, edns)?;
        // UDP may lose a datagram either way (a full receive buffer drops it
        // silently): the same query, same ID, goes out again after a third
        // of the timeout, and whichever answer arrives first counts.
        let deadline = tokio::time::Instant::now() + timeout;
        let interval = (timeout / 3).max(MIN_RESEND_INTERVAL);
        let mut reply = reply;
        let mut sent = channel.send_first(id, &packet).await;
        loop {
            if let Err(e) = sent {
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
            sent = channel.socket.send(&packet).await.map(drop);
        }
    }
}

/// One connected UDP socket and the questions in flight on it.
struct Channel {
    socket: UdpSocket,
    /// Questions in flight by ID; `None` once the reader has stopped.
    pending: Mutex<Option<HashMap<u16, Pending>>>,
    /// Questions asked but not sent yet, by ID ([`Channel::send_first`]).
    outbox: Mutex<Vec<(u16, Vec<u8>)>>,
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

impl Channel {
    /// A new socket connected to `server`, and its reader task.
    async fn open(server: SocketAddr, timeout: Duration) -> Result<Arc<Channel>, DnsFailure> {
        let socket = open_socket(server).await?;
        let channel = Arc::new(Channel {
            socket,
            pending: Mutex::new(Some(HashMap::new())),
            outbox: Mutex::new(Vec::new()),
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

    /// Send a question's first copy together with the others asked on
    /// this socket meanwhile: the first question into an empty outbox lets
    /// the tasks ready to run go first (a `domain` check asks about ten
    /// questions in one go, a batch many checks' worth), then sends all that
    /// gathered in one system call. Each datagram sent wakes the server's
    /// thread when it sleeps, and on a loopback server that shares this
    /// machine's cores that wake-up, and the switch to the server it causes,
    /// cost more than the send itself (BENCHMARKS.md, "spf and domain
    /// batches"). A question whose datagram cannot be sent fails with that
    /// error, as with a send of its own.
    async fn send_first(&self, id: u16, packet: &[u8]) -> io::Result<()> {
        let first = {
            let mut outbox = lock(&self.outbox);
            outbox.push((id, packet.to_vec()));
            outbox.len() == 1
        };
        if !first {
            return Ok(());
        }
        let mut flush = Flush(Some(self));
        tokio::task::yield_now().await;
        flush.0 = None;
        let batch = std::mem::take(&mut *lock(&self.outbox));
        let mut own = Ok(());
        let mut at = 0;
        while at < batch.len() {
            match self
                .socket
                .async_io(Interest::WRITABLE, || {
                    send_batch(&self.socket, &batch[at..])
                })
                .await
            {
                Ok(n) => at += n.max(1),
                Err(e) => {
                    let (failed, _) = &batch[at];
                    if *failed == id {
                        own = Err(e);
                    } else {
                        self.fail(*failed, io_failure("cannot send the question", &e));
                    }
                    at += 1;
                }
            }
        }
        own
    }

    /// The question `id` fails with `failure`.
    fn fail(&self, id: u16, failure: DnsFailure) {
        let question = lock(&self.pending).as_mut().and_then(|p| p.remove(&id));
        if let Some(question) = question {
            let _ = question.reply.send(Err(failure));
        }
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

/// Sends the outbox of a channel whose first asker went away before
/// sending it (its check was cancelled): the others' questions still go
/// out, as far as the socket takes them without waiting.
struct Flush<'a>(Option<&'a Channel>);

impl Drop for Flush<'_> {
    fn drop(&mut self) {
        if let Some(channel) = self.0 {
            let batch = std::mem::take(&mut *lock(&channel.outbox));
            let mut at = 0;
            while at < batch.len() {
                match channel.socket.try_io(Interest::WRITABLE, || {
                    send_batch(&channel.socket, &batch[at..])
                }) {
                    Ok(n) => at += n.max(1),
                    // The rest go out again after the resend interval.
                    Err(_) => break,
                }
            }
        }
    }
}

/// Send the datagrams of `batch` on `socket` (connected), as many as one
/// `sendmmsg` takes; returns how many went. An error is the first
/// datagram's.
#[cfg(target_os = "linux")]
fn send_batch(socket: &UdpSocket, batch: &[(u16, Vec<u8>)]) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    let mut iovecs: Vec<libc::iovec> = batch
        .iter()
        .map(|(_, packet)| libc::iovec {
            iov_base: packet.as_ptr() as *mut libc::c_void,
            iov_len: packet.len(),
        })
        .collect();
    let mut headers: Vec<libc::mmsghdr> = iovecs
        .iter_mut()
        .map(|iov| {
            // SAFETY: mmsghdr is plain data; all zero is an empty header.
            let mut header: libc::mmsghdr = unsafe { std::mem::zeroed() };
            header.msg_hdr.msg_iov = iov;
            header.msg_hdr.msg_iovlen = 1;
            header
        })
        .collect();
    let count = headers.len().min(libc::c_uint::MAX as usize) as libc::c_uint;
    // SAFETY: the headers point at iovecs that point at the packets, all
    // alive for the call; the socket is connected, so no address is given.
    let sent = unsafe { libc::sendmmsg(socket.as_raw_fd(), headers.as_mut_ptr(), count, 0) };
    if sent < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(sent as usize)
    }
}

/// Send the first datagram of `batch` on `socket`; returns 1.
#[cfg(not(target_os = "linux"))]
fn send_batch(socket: &UdpSocket, batch: &[(u16, Vec<u8>)]) -> io::Result<usize> {
    socket.try_send(&batch[0].1).map(|_| 1)
}

/// How many datagrams a socket's reader takes in one system call.
const RECV_BATCH: usize = 8;

thread_local! {
    /// The receive buffers of the socket readers that run on this thread:
    /// datagrams are received and handed on without an await in between,
    /// so the readers of one thread share one set. Each datagram's buffer
    /// has a byte more than UDP_BUFFER: one that fills it was cut short
    /// (`Channel::deliver`). A set per reader held 32 KiB for each socket,
    /// and sockets are replaced every few hundred questions.
    static RECV_BUFFERS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Receive up to [`RECV_BATCH`] datagrams on `socket` in one `recvmmsg`,
/// the i-th into the i-th `UDP_BUFFER + 1` bytes of `bufs`, its length
/// in `lens[i]`; returns how many arrived. An error is the first
/// datagram's (`WouldBlock` when none is waiting).
#[cfg(target_os = "linux")]
fn recv_batch(
    socket: &UdpSocket,
    bufs: &mut [u8],
    lens: &mut [usize; RECV_BATCH],
) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    let mut iovecs: [libc::iovec; RECV_BATCH] = std::array::from_fn(|_| libc::iovec {
        iov_base: std::ptr::null_mut(),
        iov_len: 0,
    });
    for (iov, buf) in iovecs.iter_mut().zip(bufs.chunks_exact_mut(UDP_BUFFER + 1)) {
        iov.iov_base = buf.as_mut_ptr() as *mut libc::c_void;
        iov.iov_len = buf.len();
    }
    // SAFETY: mmsghdr is plain data; all zero is an empty header.
    let mut headers: [libc::mmsghdr; RECV_BATCH] = unsafe { std::mem::zeroed() };
    for (header, iov) in headers.iter_mut().zip(iovecs.iter_mut()) {
        header.msg_hdr.msg_iov = iov;
        header.msg_hdr.msg_iovlen = 1;
    }
    // SAFETY: each header points at an iovec that points at its own part
    // of `bufs`, all alive for the call; no address or control data is asked.
    let got = unsafe {
        libc::recvmmsg(
            socket.as_raw_fd(),
            headers.as_mut_ptr(),
            RECV_BATCH as libc::c_uint,
            0,
            std::ptr::null_mut(),
        )
    };
    if got < 0 {
        return Err(io::Error::last_os_error());
    }
    let got = got as usize;
    for (len, header) in lens.iter_mut().zip(&headers).take(got) {
        *len = header.msg_len as usize;
    }
    Ok(got)
}

/// Receive one datagram into the first `UDP_BUFFER + 1` bytes of `bufs`.
#[cfg(not(target_os = "linux"))]
fn recv_batch(
    socket: &UdpSocket,
    bufs: &mut [u8],
    lens: &mut [usize; RECV_BATCH],
) -> io::Result<usize> {
    lens[0] = socket.try_recv(&mut bufs[..UDP_BUFFER + 1])?;
    Ok(1)
}

/// Read a socket's answers until it is retired and nothing is in flight.
async fn read_answers(channel: Arc<Channel>, timeout: Duration) {
    // Wake at least this often to notice that the socket was retired.
    let tick = timeout.clamp(Duration::from_millis(100), Duration::from_secs(1));
    loop {
        // ERROR too: a server that is not listening shows as an error on
        // the socket (ICMP port unreachable), not as something to read.
        let received = channel
            .socket
            .async_io(Interest::READABLE | Interest::ERROR, || {
                RECV_BUFFERS.with_borrow_mut(|bufs| {
                    if bufs.is_empty() {
                        bufs.resize(RECV_BATCH * (UDP_BUFFER + 1), 0);
                    }
                    let mut lens = [0usize; RECV_BATCH];
                    let n = recv_batch(&channel.socket, bufs, &mut lens)?;
                    for (i, len) in lens.iter().enumerate().take(n) {
                        channel.deliver(&bufs[i * (UDP_BUFFER + 1)..][..*len]);
                    }
                    Ok(n)
                })
            });
        match tokio::time::timeout(tick, received).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => channel.fail_all(&e.to_string()),
            Err(_) => {}
        }
        if channel.finished() {
            return;
        }
    }
}
