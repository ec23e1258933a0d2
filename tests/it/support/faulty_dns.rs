//! A DNS server on 127.0.0.1 that misbehaves on purpose, for fault-injection tests.
//!
//! [`FaultyDns`] answers from fixture zones (through mailcheck's own
//! [`ZoneSet`]) over UDP and TCP on one loopback port, except for the names it
//! is told to break. A name's [`Fault`] comes from a table given at start
//! (exact names, for names whose first label the protocol fixes: `_dmarc.…`,
//! `s1._domainkey.…`, reverse names) or else from the name's first label:
//! `silent.t.faults.example` never answers, `servfail.…` gets SERVFAIL, and so
//! on (see [`Fault`]). Every question is counted per (name, type) and
//! transport, so a test can check how often mailcheck asked.
//!
//! Like `dns_server.rs`, it runs on its own thread with its own tokio runtime
//! and stops when dropped. Nothing here binds or sends anywhere but 127.0.0.1.

// Each integration-test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use super::dns_server::{bind_udp_and_tcp, into_tokio};
use hickory_resolver::proto::op::{Edns, Message, MessageType, OpCode, ResponseCode};
use hickory_resolver::proto::rr::rdata::CNAME;
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use mailcheck::dns::zone::{ZoneRcode, ZoneSet};
use mailcheck::util::lock;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

/// The UDP payload size this server advertises in its own OPT record.
const SERVER_UDP_PAYLOAD: u16 = 1232;
/// The largest UDP answer to a query without EDNS (RFC 1035 4.2.1).
const CLASSIC_UDP_LIMIT: usize = 512;
/// TTL of the synthesized CNAME loop records.
const LOOP_TTL: u32 = 300;
/// The first label of the partner name in a synthesized CNAME loop.
const LOOP_PARTNER_LABEL: &str = "loop-b";
/// How many random bytes follow the message ID in a garbage datagram.
const GARBAGE_LEN: usize = 96;

/// One way of misbehaving for a name, on both transports unless stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// `silent`: the query is read and never answered (UDP and TCP).
    Silent,
    /// `servfail`: RCODE SERVFAIL, no records.
    ServFail,
    /// `refused`: RCODE REFUSED, no records.
    Refused,
    /// `truncated`: over UDP, TC set and an empty answer; over TCP the full answer.
    Truncated,
    /// `loop`: NOERROR with a CNAME loop `N → loop-b.N → N` and nothing else.
    Loop,
    /// `bigtxt`: the zone's (over 512-byte) answer; over UDP it is truncated (TC,
    /// empty) unless it fits the query's EDNS payload size; over TCP it is whole.
    BigTxt,
    /// `garbage`: over UDP, first a well-formed NXDOMAIN with the wrong message ID,
    /// then a datagram of random bytes (whose first two, the ID, are not the query's),
    /// then the right answer; over TCP just the right answer.
    Garbage,
    /// `garbled`: over UDP, first a datagram of the query's message ID followed by
    /// random bytes (it passes the ID check, then cannot be parsed), then the right
    /// answer; over TCP just the right answer.
    Garbled,
    /// `referral` (table only): NOERROR with no answer, no AA and no RA, and
    /// NS records for the name in the authority section, as a server that
    /// does not serve the name sends.
    Referral,
    /// `lame` (table only): NOERROR with no answer, no AA, no RA and no SOA.
    Lame,
    /// `flaky` (table only): silent for [`FLAKY_SILENCE`] after the first
    /// question about the name (UDP and TCP), then the right answer.
    Flaky,
    /// `duplicate` (table only): the right answer with every answer record
    /// twice, as a buggy forwarder sends it.
    Duplicate,
}

/// How long a `flaky` name stays silent after its first question.
pub const FLAKY_SILENCE: Duration = Duration::from_millis(1500);

impl Fault {
    /// Every fault, in the order the documentation lists them.
    pub const ALL: [Fault; 8] = [
        Fault::Silent,
        Fault::ServFail,
        Fault::Refused,
        Fault::Truncated,
        Fault::Loop,
        Fault::BigTxt,
        Fault::Garbage,
        Fault::Garbled,
    ];

    /// The first label that selects this fault, as written in fixture names.
    pub fn word(self) -> &'static str {
        match self {
            Fault::Silent => "silent",
            Fault::ServFail => "servfail",
            Fault::Refused => "refused",
            Fault::Truncated => "truncated",
            Fault::Loop => "loop",
            Fault::BigTxt => "bigtxt",
            Fault::Garbage => "garbage",
            Fault::Garbled => "garbled",
            Fault::Referral => "referral",
            Fault::Lame => "lame",
            Fault::Flaky => "flaky",
            Fault::Duplicate => "duplicate",
        }
    }

    /// The fault a first label selects, if any (case-insensitive).
    pub fn from_word(label: &str) -> Option<Fault> {
        Fault::ALL
            .into_iter()
            .find(|f| f.word().eq_ignore_ascii_case(label))
    }
}

/// The transport a query arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    /// A UDP datagram.
    Udp,
    /// A length-prefixed message on a TCP connection.
    Tcp,
}

/// How often one (name, type) was asked, per transport, and the largest UDP reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Queries received over UDP.
    pub udp: usize,
    /// Queries received over TCP.
    pub tcp: usize,
    /// Size in bytes of the largest UDP datagram sent back for it (0 if none).
    pub largest_udp_reply: usize,
}

/// What the server was configured with and what it has seen; shared with its thread.
struct Shared {
    zones: ZoneSet,
    /// Each zone's origin and SOA record, for the authority section of negative answers.
    soas: Vec<(Name, Record)>,
    table: HashMap<Name, Fault>,
    counts: Mutex<BTreeMap<(String, RecordType), Counts>>,
    /// Datagrams and messages that did not parse as a DNS query.
    unparsable: Mutex<usize>,
    /// When each `flaky` (name, type) was first asked.
    first_asked: Mutex<HashMap<(Name, RecordType), std::time::Instant>>,
}

/// A misbehaving DNS server on 127.0.0.1 (UDP and TCP, same port).
pub struct FaultyDns {
    /// The address to send queries to, for UDP and TCP alike.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl FaultyDns {
    /// Starts a server for these zone files and fault table; returns once it is listening.
    ///
    /// Table names are absolute or relative to the root, in any case. Panics with
    /// the reason if a zone cannot be read, a name cannot be parsed or no port binds.
    pub fn start(zone_files: &[PathBuf], table: &[(&str, Fault)]) -> FaultyDns {
        FaultyDns::try_start(zone_files, table).expect("start the faulty DNS server on 127.0.0.1")
    }

    /// Like [`FaultyDns::start`], but returns what went wrong instead of panicking.
    pub fn try_start(zone_files: &[PathBuf], table: &[(&str, Fault)]) -> Result<FaultyDns, String> {
        let zones = ZoneSet::load(zone_files).map_err(|e| e.to_string())?;
        let soas = zones
            .zones()
            .iter()
            .filter_map(|z| {
                z.records
                    .iter()
                    .find(|r| r.record_type() == RecordType::SOA && r.name == z.origin)
                    .map(|soa| (z.origin.clone(), soa.clone()))
            })
            .collect();
        let mut faults = HashMap::new();
        for (name, fault) in table {
            faults.insert(fqdn(name)?, *fault);
        }
        let shared = Arc::new(Shared {
            zones,
            soas,
            table: faults,
            counts: Mutex::new(BTreeMap::new()),
            unparsable: Mutex::new(0),
            first_asked: Mutex::new(HashMap::new()),
        });
        let (udp, tcp, addr) = bind_udp_and_tcp()?;
        let (stop_tx, stop_rx) = oneshot::channel();
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Result<(), String>>(1);
        let serving = shared.clone();
        let thread = thread::Builder::new()
            .name("faulty-dns-server".to_owned())
            .spawn(move || serve_on_own_runtime(serving, udp, tcp, stop_rx, ready_tx))
            .map_err(|e| format!("cannot spawn the faulty DNS thread: {e}"))?;
        let ready = ready_rx
            .recv()
            .unwrap_or_else(|_| Err("the faulty DNS thread died while starting".to_owned()));
        if let Err(e) = ready {
            let _ = thread.join();
            return Err(e);
        }
        Ok(FaultyDns {
            addr,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// How often `name` (presentation form, any case, final dot optional) was asked for `rtype`.
    pub fn count(&self, name: &str, rtype: RecordType) -> Counts {
        let key = (display(name), rtype);
        lock(&self.shared.counts)
            .get(&key)
            .copied()
            .unwrap_or_default()
    }

    /// Every (name, type) asked so far with its counts; names lower-case without the final dot.
    pub fn counts(&self) -> BTreeMap<(String, RecordType), Counts> {
        lock(&self.shared.counts).clone()
    }

    /// How many datagrams or TCP messages did not parse as a DNS query.
    pub fn unparsable(&self) -> usize {
        *lock(&self.shared.unparsable)
    }

    /// The fault this server applies to `name`, if any.
    pub fn fault_for(&self, name: &str) -> Option<Fault> {
        fqdn(name).ok().and_then(|n| self.shared.fault_for(&n))
    }
}

impl Drop for FaultyDns {
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

impl Shared {
    /// The table's fault for `name`, else the one its first label selects.
    fn fault_for(&self, name: &Name) -> Option<Fault> {
        let name = name.to_lowercase();
        if let Some(fault) = self.table.get(&name) {
            return Some(*fault);
        }
        let first = name.iter().next()?;
        let first = String::from_utf8_lossy(first);
        if first.eq_ignore_ascii_case(LOOP_PARTNER_LABEL) {
            return Some(Fault::Loop);
        }
        Fault::from_word(&first)
    }

    fn note(&self, name: &Name, rtype: RecordType, transport: Transport) {
        let key = (display(&name.to_ascii()), rtype);
        let mut counts = lock(&self.counts);
        let entry = counts.entry(key).or_default();
        match transport {
            Transport::Udp => entry.udp += 1,
            Transport::Tcp => entry.tcp += 1,
        }
    }

    /// The messages to send back for one received query, in order; none for silence.
    fn reply(&self, bytes: &[u8], transport: Transport, noise: &mut Noise) -> Vec<Vec<u8>> {
        let Ok(request) = Message::from_vec(bytes) else {
            *lock(&self.unparsable) += 1;
            return Vec::new();
        };
        if request.metadata.message_type != MessageType::Query {
            *lock(&self.unparsable) += 1;
            return Vec::new();
        }
        let Some(query) = request.queries.first().cloned() else {
            let response = base_response(&request, ResponseCode::FormErr);
            return encode(&response, &request, transport).into_iter().collect();
        };
        let (name, rtype) = (query.name.clone(), query.query_type);
        self.note(&name, rtype, transport);
        let fault = self.fault_for(&name);
        let normal = || self.answer(&request, &name, rtype);
        let response = match (fault, transport) {
            (Some(Fault::Silent), _) => return Vec::new(),
            (Some(Fault::Flaky), _) => {
                let first = *lock(&self.first_asked)
                    .entry((name.to_lowercase(), rtype))
                    .or_insert_with(std::time::Instant::now);
                if first.elapsed() < FLAKY_SILENCE {
                    return Vec::new();
                }
                normal()
            }
            (Some(Fault::Referral | Fault::Lame), _) => {
                let mut response = base_response(&request, ResponseCode::NoError);
                response.metadata.authoritative = false;
                response.metadata.recursion_available = false;
                if fault == Some(Fault::Referral) {
                    let ns =
                        Name::from_ascii("ns1.elsewhere.example.").unwrap_or_else(|_| Name::root());
                    response.add_authority(Record::from_rdata(
                        name.clone(),
                        LOOP_TTL,
                        RData::NS(hickory_resolver::proto::rr::rdata::NS(ns)),
                    ));
                }
                response
            }
            (Some(Fault::Duplicate), _) => {
                let mut response = normal();
                let twice: Vec<Record> = response
                    .answers
                    .iter()
                    .flat_map(|r| [r.clone(), r.clone()])
                    .collect();
                response.answers = twice;
                response
            }
            (Some(Fault::ServFail), _) => base_response(&request, ResponseCode::ServFail),
            (Some(Fault::Refused), _) => base_response(&request, ResponseCode::Refused),
            (Some(Fault::Truncated), Transport::Udp) => {
                let mut response = base_response(&request, ResponseCode::NoError);
                response.metadata.truncation = true;
                response
            }
            (Some(Fault::Loop), _) => {
                let mut response = base_response(&request, ResponseCode::NoError);
                response.add_answers(cname_loop(&name));
                response
            }
            (Some(Fault::Garbage), Transport::Udp) => {
                let id = request.metadata.id;
                let mut forged = base_response(&request, ResponseCode::NXDomain);
                forged.metadata.id = id.wrapping_add(1);
                let mut garbage = noise.bytes(GARBAGE_LEN);
                if garbage.starts_with(&id.to_be_bytes()) {
                    garbage[0] ^= 0xff;
                }
                let mut out: Vec<Vec<u8>> =
                    encode(&forged, &request, transport).into_iter().collect();
                out.push(garbage);
                out.extend(encode(&normal(), &request, transport));
                return self.sent(&name, rtype, transport, out);
            }
            (Some(Fault::Garbled), Transport::Udp) => {
                let mut garbled = request.metadata.id.to_be_bytes().to_vec();
                garbled.extend(noise.bytes(GARBAGE_LEN));
                let mut out = vec![garbled];
                out.extend(encode(&normal(), &request, transport));
                return self.sent(&name, rtype, transport, out);
            }
            _ => normal(),
        };
        let out = encode(&response, &request, transport).into_iter().collect();
        self.sent(&name, rtype, transport, out)
    }

    /// Notes the size of what goes back over UDP for (name, type); passes `out` through.
    fn sent(
        &self,
        name: &Name,
        rtype: RecordType,
        transport: Transport,
        out: Vec<Vec<u8>>,
    ) -> Vec<Vec<u8>> {
        if transport == Transport::Udp {
            let largest = out.iter().map(Vec::len).max().unwrap_or(0);
            let key = (display(&name.to_ascii()), rtype);
            let mut counts = lock(&self.counts);
            let entry = counts.entry(key).or_default();
            entry.largest_udp_reply = entry.largest_udp_reply.max(largest);
        }
        out
    }

    /// The zones' answer, with the enclosing zone's SOA when it is negative.
    fn answer(&self, request: &Message, name: &Name, rtype: RecordType) -> Message {
        let found = self.zones.lookup(name, rtype);
        let rcode = match found.rcode {
            ZoneRcode::NoError => ResponseCode::NoError,
            ZoneRcode::NxDomain => ResponseCode::NXDomain,
            ZoneRcode::ServFail => ResponseCode::ServFail,
        };
        let mut response = base_response(request, rcode);
        let positive = found.answers.iter().any(|r| r.record_type() == rtype);
        response.add_answers(found.answers);
        if !positive && rcode != ResponseCode::ServFail {
            let lower = name.to_lowercase();
            if let Some((_, soa)) = self
                .soas
                .iter()
                .filter(|(origin, _)| origin.zone_of(&lower))
                .max_by_key(|(origin, _)| origin.num_labels())
            {
                response.add_authority(soa.clone());
            }
        }
        response
    }
}

/// A response to `request` with its ID, question and EDNS presence, and no records.
fn base_response(request: &Message, rcode: ResponseCode) -> Message {
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.authoritative = request.metadata.op_code == OpCode::Query;
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.metadata.response_code = rcode;
    response.add_queries(request.queries.iter().cloned());
    if request.edns.is_some() {
        let mut edns = Edns::new();
        edns.set_max_payload(SERVER_UDP_PAYLOAD);
        response.set_edns(edns);
    }
    response
}

/// Wire form of `response`; over UDP, a truncated (TC, no records) copy when it is
/// larger than the client said it can take. `None` if it cannot be encoded.
fn encode(response: &Message, request: &Message, transport: Transport) -> Option<Vec<u8>> {
    let bytes = response.to_vec().ok()?;
    if transport == Transport::Tcp {
        return Some(bytes);
    }
    let limit = request
        .edns
        .as_ref()
        .map_or(CLASSIC_UDP_LIMIT, |e| usize::from(e.max_payload()))
        .max(CLASSIC_UDP_LIMIT);
    if bytes.len() <= limit {
        Some(bytes)
    } else {
        response.truncate().to_vec().ok()
    }
}

/// `name CNAME partner` and `partner CNAME name`, where the partner of `N` is
/// `loop-b.N` and the partner of `loop-b.N` is `N`.
fn cname_loop(name: &Name) -> Vec<Record> {
    let is_partner = name
        .iter()
        .next()
        .is_some_and(|l| l.eq_ignore_ascii_case(LOOP_PARTNER_LABEL.as_bytes()));
    let partner = if is_partner {
        name.base_name()
    } else {
        name.prepend_label(LOOP_PARTNER_LABEL)
            .unwrap_or_else(|_| name.clone())
    };
    vec![
        Record::from_rdata(name.clone(), LOOP_TTL, RData::CNAME(CNAME(partner.clone()))),
        Record::from_rdata(partner, LOOP_TTL, RData::CNAME(CNAME(name.clone()))),
    ]
}

/// A small deterministic byte source (xorshift64) for garbage datagrams.
struct Noise(u64);

impl Noise {
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                self.0.to_le_bytes()[0]
            })
            .collect()
    }
}

/// Runs the server on a current-thread runtime until `stop` fires or is dropped.
fn serve_on_own_runtime(
    shared: Arc<Shared>,
    udp: std::net::UdpSocket,
    tcp: std::net::TcpListener,
    stop: oneshot::Receiver<()>,
    ready: mpsc::SyncSender<Result<(), String>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(format!("cannot build a tokio runtime: {e}")));
            return;
        }
    };
    let sockets = {
        let _context = runtime.enter();
        into_tokio(udp, tcp)
    };
    let (udp, tcp) = match sockets {
        Ok(sockets) => sockets,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    runtime.block_on(serve(shared, udp, tcp, stop));
    // Aborts whatever is left (open TCP connections).
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// Answers UDP datagrams inline and each TCP connection on its own task.
async fn serve(
    shared: Arc<Shared>,
    udp: tokio::net::UdpSocket,
    tcp: tokio::net::TcpListener,
    mut stop: oneshot::Receiver<()>,
) {
    let mut datagram = vec![0_u8; 65_535];
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            received = udp.recv_from(&mut datagram) => {
                let Ok((len, peer)) = received else { continue };
                for reply in shared.reply(&datagram[..len], Transport::Udp, &mut noise) {
                    let _ = udp.send_to(&reply, peer).await;
                }
            }
            accepted = tcp.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_tcp(shared.clone(), stream));
                }
                // e.g. out of file descriptors: don't spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

/// Reads length-prefixed queries from one connection until it closes, answering each.
async fn serve_tcp(shared: Arc<Shared>, mut stream: tokio::net::TcpStream) {
    let mut noise = Noise(0x2545_f491_4f6c_dd1d);
    loop {
        let mut len = [0_u8; 2];
        if stream.read_exact(&mut len).await.is_err() {
            return;
        }
        let mut message = vec![0_u8; usize::from(u16::from_be_bytes(len))];
        if stream.read_exact(&mut message).await.is_err() {
            return;
        }
        for reply in shared.reply(&message, Transport::Tcp, &mut noise) {
            let Ok(prefix) = u16::try_from(reply.len()) else {
                continue;
            };
            let mut framed = prefix.to_be_bytes().to_vec();
            framed.extend_from_slice(&reply);
            if stream.write_all(&framed).await.is_err() {
                return;
            }
        }
    }
}

/// `name` as a lower-case, fully qualified [`Name`].
fn fqdn(name: &str) -> Result<Name, String> {
    let mut parsed = Name::from_ascii(name).map_err(|e| format!("bad name {name:?}: {e}"))?;
    parsed.set_fqdn(true);
    Ok(parsed.to_lowercase())
}

/// `name` lower-case without the final dot: the key of the query counts.
fn display(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}
