//! The integration tests' harness: run the built binary, read its exit code,
//! standard output (JSON) and standard error; serve the fixture zones over
//! real DNS on 127.0.0.1.

pub mod dns_server;
pub mod faulty_dns;
pub mod https;
pub mod knot;

use dns_server::TestDns;
use mailcheck::dns::zone::Zone;
use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Out {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Out {
    /// Standard output as exactly one JSON object.
    pub fn json(&self) -> Value {
        let lines = self.json_lines();
        assert_eq!(
            lines.len(),
            1,
            "expected one JSON line, got:\n{}",
            self.stdout
        );
        lines.into_iter().next().unwrap_or(Value::Null)
    }

    /// Standard output as JSON Lines.
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {l}\nstderr: {}", self.stderr))
            })
            .collect()
    }
}

/// The repository's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Run mailcheck with these arguments, from the repository root, with colour
/// and the user's environment out of the way.
pub fn mailcheck(args: &[&str]) -> Out {
    let output = Command::new(env!("CARGO_BIN_EXE_mailcheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run the mailcheck binary");
    Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The zone files shared by every fixture domain (provider, reverse DNS).
pub fn shared_zone_files() -> Vec<PathBuf> {
    zone_files_in("shared")
}

/// The zone files in one fixtures folder, sorted.
pub fn zone_files_in(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join(dir))
        .unwrap_or_else(|e| panic!("read fixtures/{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "zone"))
        .collect();
    files.sort();
    files
}

/// Every fixture zone: the domains', the verify cases' and the shared ones.
pub fn all_zone_files() -> Vec<PathBuf> {
    let mut files = zone_files_in("domain");
    files.extend(zone_files_in("verify"));
    files.extend(zone_files_in("verify/independent"));
    files.extend(shared_zone_files());
    files
}

/// One DNS server on 127.0.0.1 for the whole test process, serving every
/// fixture zone (as read by mailcheck's own zone reader).
pub fn server() -> &'static TestDns {
    TestDns::shared(|| {
        all_zone_files()
            .iter()
            .map(|p| Zone::load(p).unwrap_or_else(|e| panic!("fixture zone: {e}")))
            .collect()
    })
}

/// How a test gets its DNS answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--zone` with the fixture's zone file and the shared ones: offline.
    Zone,
    /// `--resolver` pointing at the local DNS server serving every fixture.
    Server,
}

/// Both modes, for tests that must give the same result either way.
pub const MODES: [Mode; 2] = [Mode::Zone, Mode::Server];

/// The DNS arguments for a mode. `case` names the fixture zone file
/// (`fixtures/domain/<case>.zone`).
pub fn dns_args(mode: Mode, case: &str) -> Vec<String> {
    match mode {
        Mode::Zone => {
            let mut args = vec!["--zone".to_string(), format!("fixtures/domain/{case}.zone")];
            for f in shared_zone_files() {
                args.push("--zone".into());
                args.push(f.display().to_string());
            }
            args
        }
        Mode::Server => vec![
            "--resolver".into(),
            server().addr.to_string(),
            "--timeout".into(),
            "5".into(),
        ],
    }
}

/// Run mailcheck for a fixture case in a mode, with extra arguments first.
pub fn run_case(mode: Mode, case: &str, args: &[&str]) -> Out {
    let dns = dns_args(mode, case);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(dns.iter().map(String::as_str));
    mailcheck(&all)
}

/// The statuses of every check with this name in a `domain` JSON object.
pub fn statuses(report: &Value, name: &str) -> Vec<String> {
    report["checks"]
        .as_array()
        .map(|checks| {
            checks
                .iter()
                .filter(|c| c["name"] == name)
                .map(|c| c["status"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The messages of every check with this name.
pub fn messages(report: &Value, name: &str) -> Vec<String> {
    report["checks"]
        .as_array()
        .map(|checks| {
            checks
                .iter()
                .filter(|c| c["name"] == name)
                .map(|c| c["message"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}
