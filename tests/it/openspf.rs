//! The OpenSPF RFC 7208 test suite (`tests/openspf/rfc7208-tests.yml`, see
//! the README there) run against the `mailcheck` binary.
//!
//! Each scenario's `zonedata` becomes a zone file. A record of type SPF is
//! published as TXT (RFC 7208 dropped type SPF), except at a name that has
//! TXT entries of its own (`TXT: NONE` included): the "Selecting records"
//! scenario checks that such SPF-type records are ignored. Scenarios without
//! `TIMEOUT` run both offline (`--zone`) and through a DNS server on
//! 127.0.0.1 (`--resolver`); those with `TIMEOUT` only through the server,
//! which never answers a question for a `TIMEOUT` name unless that name has
//! records of the asked type (as the suite's own driver does). Every test
//! is runnable; none is skipped.

use crate::support::Out;
use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
use hickory_resolver::proto::rr::{Name, RecordType};
use mailcheck::dns::zone::{Zone, ZoneRcode, ZoneSet};
use serde::Deserialize;
use serde_yaml_ng::Value;
use std::collections::{BTreeMap, HashSet};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// One test of a scenario.
#[derive(Debug, Clone)]
struct Case {
    scenario: String,
    name: String,
    helo: String,
    host: String,
    mailfrom: String,
    results: Vec<String>,
    explanation: Option<String>,
}

/// One scenario: its zone and tests.
struct Scenario {
    description: String,
    zone_text: Vec<u8>,
    timeouts: HashSet<String>,
    cases: Vec<Case>,
}

fn suite_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openspf/rfc7208-tests.yml")
}

fn string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => panic!("expected a string in the suite, found {other:?}"),
    }
}

/// A domain name in master-file form: anything but letters, digits, `-`,
/// `_` and `.` as `\DDD`, with the final dot.
fn zone_name(name: &str) -> String {
    let name = name.trim_end_matches('.');
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\{b:03}"));
        }
    }
    if out.is_empty() {
        ".".into()
    } else {
        out + "."
    }
}

/// A character-string in master-file form: quoted, with `"`, `\` and bytes
/// outside printable ASCII as `\DDD`.
fn zone_string(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\{b:03}"));
        }
    }
    out.push('"');
    out
}

fn txt_strings(v: &Value) -> Vec<String> {
    match v {
        Value::Sequence(items) => items.iter().map(string).collect(),
        other => vec![string(other)],
    }
}

/// The zone file of a scenario's `zonedata`, and its `TIMEOUT` names.
fn zone_of(zonedata: &Value) -> (Vec<u8>, HashSet<String>) {
    let mut text = String::from(
        "$ORIGIN .\n$TTL 300\n. IN SOA ns.openspf.test. hostmaster.openspf.test. 1 3600 600 86400 300\n",
    );
    let mut timeouts = HashSet::new();
    let Value::Mapping(names) = zonedata else {
        panic!("zonedata is not a mapping");
    };
    for (name, entries) in names {
        let name = string(name);
        let owner = zone_name(&name);
        let Value::Sequence(entries) = entries else {
            panic!("zonedata for {name} is not a list");
        };
        let has_txt = entries
            .iter()
            .any(|e| matches!(e, Value::Mapping(m) if m.keys().any(|k| string(k) == "TXT")));
        for entry in entries {
            let Value::Mapping(m) = entry else {
                assert_eq!(string(entry), "TIMEOUT", "unknown zonedata entry at {name}");
                timeouts.insert(name.trim_end_matches('.').to_ascii_lowercase());
                continue;
            };
            for (rtype, value) in m {
                let rtype = string(rtype);
                let rtype = match rtype.as_str() {
                    "SPF" if has_txt => continue,
                    "SPF" => "TXT".to_string(),
                    _ => rtype,
                };
                let rdata = match rtype.as_str() {
                    "TXT" => {
                        let strings = txt_strings(value);
                        if strings == ["NONE"] {
                            continue;
                        }
                        if strings.is_empty() {
                            // A TXT record with no strings cannot be
                            // written; an empty string is just as much
                            // not an SPF record.
                            zone_string("")
                        } else {
                            strings
                                .iter()
                                .map(|s| zone_string(s))
                                .collect::<Vec<_>>()
                                .join(" ")
                        }
                    }
                    "MX" => {
                        let Value::Sequence(mx) = value else {
                            panic!("MX at {name} is not [pref, host]");
                        };
                        format!("{} {}", string(&mx[0]), zone_name(&string(&mx[1])))
                    }
                    "PTR" | "CNAME" => zone_name(&string(value)),
                    "A" | "AAAA" => string(value),
                    other => panic!("record type {other} at {name} is not handled"),
                };
                text.push_str(&format!("{owner} IN {rtype} {rdata}\n"));
            }
        }
    }
    (text.into_bytes(), timeouts)
}

fn load_suite() -> Vec<Scenario> {
    let text = std::fs::read_to_string(suite_path()).expect("read the OpenSPF suite");
    let mut scenarios = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(&text) {
        let doc = Value::deserialize(doc).expect("the OpenSPF suite is YAML");
        let description = string(&doc["description"]);
        let (zone_text, timeouts) = zone_of(&doc["zonedata"]);
        let Value::Mapping(tests) = &doc["tests"] else {
            panic!("scenario {description} has no tests");
        };
        let cases = tests
            .iter()
            .map(|(name, t)| Case {
                scenario: description.clone(),
                name: string(name),
                helo: string(&t["helo"]),
                host: string(&t["host"]),
                mailfrom: string(&t["mailfrom"]),
                results: match &t["result"] {
                    Value::Sequence(r) => r.iter().map(string).collect(),
                    r => vec![string(r)],
                },
                explanation: t.get("explanation").map(string),
            })
            .collect();
        scenarios.push(Scenario {
            description,
            zone_text,
            timeouts,
            cases,
        });
    }
    scenarios
}

/// A DNS server on 127.0.0.1 (UDP) answering from one zone, silent for a
/// `TIMEOUT` name's types that have no records there.
struct SuiteDns {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl SuiteDns {
    fn start(zone: ZoneSet, timeouts: HashSet<String>) -> SuiteDns {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port on 127.0.0.1");
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .expect("set a read timeout");
        let addr = socket.local_addr().expect("the server's address");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !stopping.load(Ordering::Relaxed) {
                let Ok((n, peer)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                if let Some(reply) = answer(&zone, &timeouts, &buf[..n]) {
                    let _ = socket.send_to(&reply, peer);
                }
            }
        });
        SuiteDns {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for SuiteDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn answer(zone: &ZoneSet, timeouts: &HashSet<String>, request: &[u8]) -> Option<Vec<u8>> {
    let request = Message::from_vec(request).ok()?;
    if request.metadata.message_type != MessageType::Query {
        return None;
    }
    let query = request.queries.first()?.clone();
    let name: &Name = &query.name;
    let rtype: RecordType = query.query_type;
    let found = zone.lookup(name, rtype);
    let key = name.to_ascii().trim_end_matches('.').to_ascii_lowercase();
    let has_type = found
        .answers
        .iter()
        .any(|r| r.record_type() == rtype && r.name.to_lowercase() == name.to_lowercase());
    if timeouts.contains(&key) && !has_type {
        return None;
    }
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.authoritative = true;
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.response_code = match found.rcode {
        ZoneRcode::NoError => ResponseCode::NoError,
        ZoneRcode::NxDomain => ResponseCode::NXDomain,
        ZoneRcode::ServFail => ResponseCode::ServFail,
    };
    response.add_queries(request.queries.iter().cloned());
    response.add_answers(found.answers);
    if let Some(edns) = &request.edns {
        let mut e = hickory_resolver::proto::op::Edns::new();
        e.set_max_payload(edns.max_payload().max(512));
        response.set_edns(e);
    }
    response.to_vec().ok()
}

/// How a case reaches its DNS.
#[derive(Debug, Clone)]
enum Via {
    Zone(PathBuf),
    Server(SocketAddr),
}

fn run_case(case: &Case, via: &Via) -> Result<(), String> {
    let identity = if case.mailfrom.is_empty() {
        // RFC 7208 2.4: a null MAIL FROM is checked as postmaster@HELO.
        format!("postmaster@{}", case.helo)
    } else {
        case.mailfrom.clone()
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailcheck"));
    cmd.args([
        "spf", &identity, "--ip", &case.host, "--helo", &case.helo, "--json",
    ]);
    match via {
        Via::Zone(path) => cmd.arg("--zone").arg(path),
        Via::Server(addr) => cmd
            .args(["--resolver", &addr.to_string()])
            .args(["--timeout", "0.5"]),
    };
    let output = cmd
        .stdin(Stdio::null())
        .env_remove("NO_COLOR")
        .output()
        .map_err(|e| format!("cannot run mailcheck: {e}"))?;
    let out = Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).map_err(|e| {
        format!(
            "exit {}, output is not one JSON object ({e}): {}{}",
            out.code, out.stdout, out.stderr
        )
    })?;
    let result = v["result"].as_str().unwrap_or("(no result)").to_string();
    if !case.results.contains(&result) {
        return Err(format!(
            "result {result}, expected {} ({})",
            case.results.join(" or "),
            v["reason"]
        ));
    }
    // Exit status per the contract: 0 only for pass, 3 for temperror.
    let want_code = match result.as_str() {
        "pass" => 0,
        "temperror" => 3,
        _ => 1,
    };
    if out.code != want_code {
        return Err(format!("result {result} but exit {}", out.code));
    }
    if let Some(want) = &case.explanation {
        let got = v["explanation"].as_str();
        let ok = match (want.as_str(), got) {
            ("DEFAULT", None) => true,
            // The suite writes %{ir} of IPv6 with upper-case nibbles, RFC
            // 7208 7.4 with lower-case ones: hex digits compare in any case.
            (w, Some(g)) => w.eq_ignore_ascii_case(g),
            _ => false,
        };
        if !ok {
            return Err(format!("explanation {got:?}, expected {want:?}"));
        }
    }
    Ok(())
}

/// Run `cases` over `via` on a few threads; the failures, by name.
fn run_all(cases: &[Case], via: &Via) -> Vec<String> {
    let threads = 4;
    let chunks: Vec<Vec<Case>> = (0..threads)
        .map(|t| cases.iter().skip(t).step_by(threads).cloned().collect())
        .collect();
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let via = via.clone();
            thread::spawn(move || {
                chunk
                    .iter()
                    .filter_map(|c| {
                        run_case(c, &via)
                            .err()
                            .map(|e| format!("{} / {} ({:?}): {e}", c.scenario, c.name, via))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().expect("a runner thread panicked"))
        .collect()
}

#[test]
fn openspf_rfc7208_suite() {
    let started = Instant::now();
    let scenarios = load_suite();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut failed: BTreeMap<String, String> = BTreeMap::new();
    let mut total = 0;
    for (i, s) in scenarios.iter().enumerate() {
        total += s.cases.len();
        let path = dir.path().join(format!("scenario{i}.zone"));
        std::fs::write(&path, &s.zone_text).expect("write the scenario's zone file");
        let zone = Zone::parse_bytes(&s.zone_text, &path)
            .unwrap_or_else(|e| panic!("scenario {}: {e}", s.description));
        let key = |f: &str| f.split(" (").next().unwrap_or(f).to_string();
        if s.timeouts.is_empty() {
            for f in run_all(&s.cases, &Via::Zone(path.clone())) {
                failed.insert(key(&f), f);
            }
        }
        let server = SuiteDns::start(ZoneSet::new(vec![zone]), s.timeouts.clone());
        for f in run_all(&s.cases, &Via::Server(server.addr)) {
            failed.entry(key(&f)).or_insert(f);
        }
    }
    let passed = total - failed.len();
    // Written to the standard error handle, not through `eprintln!`, so the
    // test harness does not capture it: the count shows in every test run.
    let mut summary = format!(
        "openspf rfc7208: {passed} of {total} runnable tests pass (0 not runnable) in {:.1} s\n",
        started.elapsed().as_secs_f64()
    );
    for f in failed.values() {
        summary.push_str(&format!("  FAIL {f}\n"));
    }
    let _ = std::io::Write::write_all(&mut std::io::stderr(), summary.as_bytes());
    assert!(
        failed.is_empty(),
        "{} of {total} OpenSPF tests fail:\n{}",
        failed.len(),
        failed.values().cloned().collect::<Vec<_>>().join("\n")
    );
}
