//! Knot DNS (`knotd`) on 127.0.0.1 as an authoritative-only server, for tests
//! of `--resolver` pointed at the user's own nameserver: it answers with the
//! AA flag for the zones it is given, sets no RA flag, and answers REFUSED
//! for any name outside them (the parents of a domain included).
//!
//! [`Knot::start`] writes the zones and a minimal `knot.conf` into a
//! temporary directory, starts `knotd` on a free port and returns once it
//! answers; dropping the value kills the server and removes the directory.
//! CI installs `knotd` (Debian package `knot`, see `.ci/run`).

// Each integration-test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::dns_server::bind_udp_and_tcp;
use hickory_resolver::proto::op::{Message, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RecordType};

/// Where Debian installs the server.
const KNOTD: &str = "/usr/sbin/knotd";
/// How long the server may take to load its zones and answer.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// A running `knotd` serving the given zones on 127.0.0.1.
pub struct Knot {
    /// The address to send queries to (UDP and TCP).
    pub addr: SocketAddr,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Knot {
    /// Serves each `(origin, master file text)` zone; returns once the first
    /// zone's SOA is answered. Panics with the reason if `knotd` is missing
    /// or does not come up.
    pub fn start(zones: &[(String, String)]) -> Knot {
        let knotd = if Path::new(KNOTD).exists() {
            KNOTD.to_owned()
        } else {
            "knotd".to_owned()
        };
        let dir = tempfile::tempdir().expect("temporary directory for knotd");
        let root = dir.path();
        for sub in ["zones", "run", "db"] {
            std::fs::create_dir_all(root.join(sub)).expect("knotd directories");
        }
        let mut zone_list = String::new();
        for (origin, text) in zones {
            let origin = origin.trim_end_matches('.');
            std::fs::write(root.join("zones").join(format!("{origin}.zone")), text)
                .expect("write a zone file for knotd");
            let _ = writeln!(zone_list, "  - domain: {origin}");
        }
        let mut last_error = String::new();
        // A port free for UDP and TCP now may be taken before knotd binds it:
        // try a few.
        for _ in 0..5 {
            let addr = {
                let (_udp, _tcp, addr) = bind_udp_and_tcp().expect("a free port on 127.0.0.1");
                addr
            };
            let conf = format!(
                "server:\n  rundir: \"{run}\"\n  listen: {ip}@{port}\n  background-workers: 1\n\
                 database:\n  storage: \"{db}\"\n\
                 log:\n  - target: stderr\n    any: warning\n\
                 template:\n  - id: default\n    storage: \"{zones}\"\n    file: \"%s.zone\"\n    zonefile-sync: -1\n    journal-content: none\n\
                 zone:\n{zone_list}",
                run = root.join("run").display(),
                db = root.join("db").display(),
                zones = root.join("zones").display(),
                ip = addr.ip(),
                port = addr.port(),
            );
            let conf_path = root.join("knot.conf");
            std::fs::write(&conf_path, conf).expect("write knot.conf");
            let mut command = Command::new(&knotd);
            command
                .arg("-c")
                .arg(&conf_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            let mut child = spawn_dying_with_process(command).unwrap_or_else(|e| {
                panic!("cannot start {knotd} ({e}); install it with apt-get install knot")
            });
            let origin = zones.first().map_or(".", |(o, _)| o.as_str());
            match wait_until_answering(addr, origin, &mut child) {
                Ok(()) => {
                    return Knot {
                        addr,
                        child,
                        _dir: dir,
                    };
                }
                Err(e) => {
                    let _ = child.kill();
                    let output = child.wait_with_output().ok();
                    let stderr = output
                        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                        .unwrap_or_default();
                    last_error = format!("{e}; knotd said: {stderr}");
                }
            }
        }
        panic!("knotd did not come up: {last_error}");
    }
}

/// Starts `command` so that it is killed when the test process ends, even
/// when no `Drop` runs: a server kept in a `static` (shared by a binary's
/// tests) is never dropped. The child asks the kernel for SIGKILL when its
/// parent thread dies (`PR_SET_PDEATHSIG`), so it is started from one thread
/// that lives as long as the process, not from the test's own thread.
fn spawn_dying_with_process(command: Command) -> std::io::Result<Child> {
    use std::os::unix::process::CommandExt;
    use std::sync::{Mutex, OnceLock, mpsc};
    type Request = (Command, mpsc::Sender<std::io::Result<Child>>);
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Request>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::spawn(move || {
            for (mut command, reply) in rx {
                // SAFETY: between fork and exec only async-signal-safe calls:
                // prctl and getppid.
                unsafe {
                    command.pre_exec(|| {
                        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                        // The parent may have died before prctl took effect.
                        if libc::getppid() == 1 {
                            libc::_exit(1);
                        }
                        Ok(())
                    });
                }
                let _ = reply.send(command.spawn());
            }
            // The sender lives in a static: the loop ends only with the
            // process, and this thread with it.
        });
        Mutex::new(tx)
    });
    let (reply, answer) = mpsc::channel();
    spawner
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((command, reply))
        .map_err(|_| std::io::Error::other("the process spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| std::io::Error::other("the process spawner thread is gone"))?
}

impl Drop for Knot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Ask `addr` for the SOA of `origin` until it answers NOERROR, the child
/// exits, or [`READY_WITHIN`] passes.
fn wait_until_answering(addr: SocketAddr, origin: &str, child: &mut Child) -> Result<(), String> {
    let socket = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .map_err(|e| e.to_string())?;
    let mut name = Name::from_ascii(origin).map_err(|e| e.to_string())?;
    name.set_fqdn(true);
    let mut query = Message::query();
    query.metadata.id = 0x4b4e;
    query.add_query(Query::query(name, RecordType::SOA));
    let bytes = query.to_vec().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    while started.elapsed() < READY_WITHIN {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("knotd exited: {status}"));
        }
        let _ = socket.send_to(&bytes, addr);
        if let Ok((n, _)) = socket.recv_from(&mut buf)
            && let Ok(reply) = Message::from_vec(&buf[..n])
            && reply.metadata.id == query.metadata.id
            && reply.metadata.response_code == ResponseCode::NoError
            && !reply.answers.is_empty()
        {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("no answer from {addr} within {READY_WITHIN:?}"))
}
