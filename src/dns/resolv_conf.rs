//! The system's nameservers, read from `/etc/resolv.conf` the way the C
//! library reads them (resolv.conf(5)), for live lookups without
//! `--resolver`.
//!
//! Hand-written because only four of the file's keywords matter here and
//! hickory's reader does not report which options it ignored: mailcheck
//! must say exactly what it honours.
//!
//! * `nameserver ADDR`: at most the first three are used (glibc's MAXNS);
//!   later ones are ignored as glibc ignores them.
//! * `options rotate`: each question starts at the next nameserver in turn.
//! * `options attempts:N`: each question goes round the nameservers N times
//!   (at most 5, glibc's RES_MAXRETRY); without it, once, since every
//!   question already sends its datagram up to three times within the
//!   timeout.
//! * `options timeout:N` is not used: `--timeout` (default 5 seconds, the
//!   C library's default too) sets the wait per nameserver.
//! * Without the file, the C library asks the local host: so does
//!   mailcheck, and says so on standard error.
//!
//! `search`, `domain` and `ndots` do not apply: mailcheck only asks fully
//! qualified names. The `RES_OPTIONS` and `LOCALDOMAIN` environment
//! variables are not read.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::Path,
};

/// Where the system's resolver configuration is.
pub const PATH: &str = "/etc/resolv.conf";

/// The most nameservers used (glibc's MAXNS).
pub const MAX_NAMESERVERS: usize = 3;

/// The most rounds over the nameservers (glibc's RES_MAXRETRY).
pub const MAX_ATTEMPTS: usize = 5;

/// What resolv.conf says, as far as mailcheck uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemResolvers {
    /// The nameservers to ask, in order (port 53).
    pub servers: Vec<SocketAddr>,
    /// `options rotate`.
    pub rotate: bool,
    /// Rounds over the nameservers per question (`options attempts:`), 1 by default.
    pub attempts: usize,
    /// A note for the user about what was assumed, if anything.
    pub note: Option<String>,
}

/// Read `path`; a missing file means the local host, as in the C library.
pub fn read(path: &Path) -> Result<SystemResolvers, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(parse(&text, path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SystemResolvers {
            servers: vec![SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 53)],
            rotate: false,
            attempts: 1,
            note: Some(format!(
                "{} does not exist: asking the nameserver on 127.0.0.1, as the C library does (use --resolver to choose one)",
                path.display()
            )),
        }),
        Err(e) => Err(format!("{}: cannot read: {e}", path.display())),
    }
}

/// The nameservers and options of a resolv.conf text.
pub fn parse(text: &str, path: &Path) -> SystemResolvers {
    let mut servers = Vec::new();
    let mut rotate = false;
    let mut attempts = 1;
    let mut extra = 0;
    for line in text.lines() {
        let line = line.split(['#', ';']).next().unwrap_or("");
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => {
                // A zone index (fe80::1%eth0) cannot be given to a socket
                // address here: such a line is skipped.
                if let Some(ip) = words.next().and_then(|w| w.parse::<IpAddr>().ok()) {
                    if servers.len() < MAX_NAMESERVERS {
                        servers.push(SocketAddr::new(ip, 53));
                    } else {
                        extra += 1;
                    }
                }
            }
            Some("options") => {
                for option in words {
                    if option == "rotate" {
                        rotate = true;
                    } else if let Some(Ok(n)) =
                        option.strip_prefix("attempts:").map(str::parse::<usize>)
                    {
                        attempts = n.clamp(1, MAX_ATTEMPTS);
                    }
                }
            }
            _ => {}
        }
    }
    let mut note = None;
    if servers.is_empty() {
        // glibc: no nameserver line means the local host.
        servers.push(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 53));
        note = Some(format!(
            "{} names no nameserver: asking 127.0.0.1, as the C library does (use --resolver to choose one)",
            path.display()
        ));
    } else if extra > 0 {
        note = Some(format!(
            "{} names {} nameservers: only the first {MAX_NAMESERVERS} are asked, as the C library does",
            path.display(),
            MAX_NAMESERVERS + extra
        ));
    }
    SystemResolvers {
        servers,
        rotate,
        attempts,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nameservers_and_options_as_glibc_reads_them() {
        let path = Path::new("/etc/resolv.conf");
        let conf = parse(
            "# comment\nsearch example.com\nnameserver 192.0.2.1\nnameserver 2001:db8::1 ; v6\n\
             nameserver fe80::1%eth0\nnameserver 192.0.2.3\nnameserver 192.0.2.4\n\
             options ndots:2 timeout:1 attempts:9 rotate\n",
            path,
        );
        assert_eq!(
            conf.servers,
            vec![
                "192.0.2.1:53".parse::<SocketAddr>().unwrap(),
                "[2001:db8::1]:53".parse().unwrap(),
                "192.0.2.3:53".parse().unwrap(),
            ]
        );
        assert!(conf.rotate);
        assert_eq!(conf.attempts, MAX_ATTEMPTS);
        assert!(conf.note.unwrap().contains("only the first 3"));

        let empty = parse("search example.com\n", path);
        assert_eq!(empty.servers, vec!["127.0.0.1:53".parse().unwrap()]);
        assert!(empty.note.unwrap().contains("127.0.0.1"));
        assert_eq!(empty.attempts, 1);
        assert!(!empty.rotate);

        let missing = read(Path::new("/nonexistent/resolv.conf")).unwrap();
        assert_eq!(missing.servers, vec!["127.0.0.1:53".parse().unwrap()]);
        assert!(missing.note.unwrap().contains("does not exist"));
    }
}
