//! Serve every fixture zone over real DNS on 127.0.0.1, for benchmarks and
//! for trying mailcheck by hand against a nameserver:
//!
//!     cargo run --example fixture_dns
//!     mailcheck domain example.com --resolver <the address it prints>
//!
//! It prints the address, then serves until standard input is closed.

#[path = "../tests/it/support/dns_server.rs"]
mod dns_server;

use mailcheck::dns::zone::Zone;
use std::{io::Read, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut zones = Vec::new();
    for dir in ["domain", "shared"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("read the fixtures folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "zone"))
            .collect();
        files.sort();
        for f in files {
            match Zone::load(&f) {
                Ok(z) => zones.push(z),
                Err(e) => {
                    eprintln!("fixture_dns: {e}");
                    std::process::exit(2);
                }
            }
        }
    }
    let server = dns_server::TestDns::start(&zones);
    println!("{}", server.addr);
    // Serve until whoever started us closes our standard input.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
}
