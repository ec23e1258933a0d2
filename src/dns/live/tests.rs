//! The live client against small servers on 127.0.0.1 that misbehave on
//! purpose: lost, stale, truncated and mis-cased answers, referrals, lame
//! servers, silence.

use super::{
    client::{Client, MAX_IN_FLIGHT_PER_SERVER},
    pool::{QUERIES_PER_SOCKET, SOCKETS_PER_SERVER},
    wire::{EDNS_PAYLOAD, UDP_BUFFER},
};
use crate::{dns::DnsFailure, util::lock};
use hickory_resolver::proto::rr::{
    RData, Record,
    rdata::{A, NS, SOA},
};
use hickory_resolver::proto::{
    op::{Message, Query, ResponseCode},
    rr::{Name, RecordType},
};
use std::collections::HashSet;
use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::UdpSocket,
};

/// Serve UDP on `socket`: every query, with the port it came from, goes
/// to `reply`, and each datagram it returns is sent back in order.
fn serve(socket: UdpSocket, mut reply: impl FnMut(&Message, u16) -> Vec<Vec<u8>> + Send + 'static) {
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

/// A UDP nameserver on 127.0.0.1 answering with `reply` as [`serve`] does;
/// its address.
async fn udp_server(
    reply: impl FnMut(&Message, u16) -> Vec<Vec<u8>> + Send + 'static,
) -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    serve(socket, reply);
    addr
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
    let copies = Arc::new(Mutex::new(0usize));
    let seen = copies.clone();
    let server = udp_server(move |query, _| {
        let mut copies = lock(&seen);
        *copies += 1;
        if *copies == 1 {
            Vec::new()
        } else {
            vec![response(query).to_vec().unwrap()]
        }
    })
    .await;
    let client = Client::new(vec![server], Duration::from_secs(1));
    let name: Name = "example.com.".parse().unwrap();
    let message = client.query(&name, RecordType::A).await.unwrap().message;
    assert_eq!(message.metadata.response_code, ResponseCode::NoError);
    assert_eq!(*lock(&copies), 2);
}

#[tokio::test]
async fn edns_is_offered_and_dropped_for_a_server_that_refuses_it() {
    // FORMERR to any query with EDNS, an answer to one without.
    let offered = Arc::new(Mutex::new(Vec::new()));
    let seen = offered.clone();
    let server = udp_server(move |query, _| {
        let payload = query.edns.as_ref().map(|e| e.max_payload());
        lock(&seen).push(payload);
        let mut m = response(query);
        if payload.is_some() {
            m.metadata.response_code = ResponseCode::FormErr;
        }
        vec![m.to_vec().unwrap()]
    })
    .await;
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
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let server = udp_server(move |query, port| {
        let mut log = lock(&log);
        log.push((port, query.metadata.id, query.queries[0].name().to_ascii()));
        if log.len() == 1 {
            return Vec::new();
        }
        let mut m = a_record(query);
        let lower = query.queries[0].name().to_lowercase();
        m.queries[0] = Query::query(lower, RecordType::A);
        vec![m.to_vec().unwrap()]
    })
    .await;
    let tcp = serve_tcp(server, a_record).await;
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
        let server = udp_server(|query, _| {
            let mut big = a_record(query).to_vec().unwrap();
            big.resize(5_000, 0);
            vec![big]
        })
        .await;
        let tcp = serve_tcp(server, a_record).await;
        let client = if fresh {
            Client::with_fresh_sockets(vec![server], Duration::from_secs(3))
        } else {
            Client::new(vec![server], Duration::from_secs(3))
        };
        let name: Name = "big.example.".parse().unwrap();
        // Waiting for a datagram that fits would end in a timeout error.
        let reply = client.query(&name, RecordType::A).await.unwrap();
        assert_eq!(reply.message.answers.len(), 1);
        assert_eq!(tcp.load(Ordering::Relaxed), 1);
    }
}

#[tokio::test]
async fn a_refusal_without_a_question_section_is_taken_at_once() {
    let server = udp_server(|query, _| {
        let mut m = Message::response(query.metadata.id, query.metadata.op_code);
        m.metadata.response_code = ResponseCode::Refused;
        vec![m.to_vec().unwrap()]
    })
    .await;
    let client = Client::new(vec![server], Duration::from_secs(5));
    let name: Name = "example.com.".parse().unwrap();
    // Waiting for a reply with the question would end in a timeout.
    let err = client.query(&name, RecordType::A).await.unwrap_err();
    assert_eq!(err, DnsFailure::Refused);
}

#[tokio::test]
async fn referrals_and_lame_answers_are_failures_naming_the_server() {
    let server = udp_server(|query, _| {
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
    })
    .await;
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
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        servers.push(
            udp_server(move |query, _| {
                seen.fetch_add(1, Ordering::Relaxed);
                vec![response(query).to_vec().unwrap()]
            })
            .await,
        );
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
    let asked = Arc::new(AtomicUsize::new(0));
    let seen = asked.clone();
    let server = udp_server(move |query, _| {
        seen.fetch_add(1, Ordering::Relaxed);
        let mut m = response(query);
        m.metadata.response_code = ResponseCode::Refused;
        vec![m.to_vec().unwrap()]
    })
    .await;
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
    let names = Arc::new(Mutex::new(HashSet::new()));
    let seen = names.clone();
    let server = udp_server(move |query, _| {
        lock(&seen).insert(query.queries[0].name().to_ascii());
        Vec::new()
    })
    .await;
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
    let working = udp_server(|query, _| vec![response(query).to_vec().unwrap()]).await;
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
