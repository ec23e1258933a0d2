//! Settings resolved once from the command line: no clap types past this point.

use crate::{
    cli::{Cli, ColorWhen},
    dns::{DnsSource, LiveOptions},
};
use std::{
    io::IsTerminal,
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

/// How to print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The human report, coloured or not.
    Text {
        /// Use ANSI colours.
        color: bool,
    },
    /// JSON Lines, never coloured.
    Json,
}

/// Where DNS answers come from.
#[derive(Debug, Clone)]
pub enum DnsConfig {
    /// Zone files, offline.
    Zones(Vec<PathBuf>),
    /// The network.
    Live(LiveOptions),
}

/// Everything the commands need to know about how to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Output format.
    pub output: Output,
    /// DNS source.
    pub dns: DnsConfig,
    /// How long the whole run may take (`--deadline`).
    pub deadline: Option<Duration>,
}

impl Config {
    /// Resolve the command line. Errors are messages for exit status 2.
    pub fn from_cli(cli: &Cli) -> Result<Config, String> {
        let output = if cli.json {
            Output::Json
        } else {
            let color = match cli.color {
                ColorWhen::Always => true,
                ColorWhen::Never => false,
                ColorWhen::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            Output::Text { color }
        };
        if !(cli.dns.timeout.is_finite() && cli.dns.timeout > 0.0 && cli.dns.timeout <= 3600.0) {
            return Err(format!(
                "--timeout {}: expected a number of seconds between 0 and 3600",
                cli.dns.timeout
            ));
        }
        let dns = if !cli.dns.zone.is_empty() {
            DnsConfig::Zones(cli.dns.zone.clone())
        } else {
            let source = match &cli.dns.resolver {
                Some(addr) => DnsSource::Server(parse_resolver(addr)?),
                None => DnsSource::System,
            };
            DnsConfig::Live(LiveOptions {
                source,
                timeout: Duration::from_secs_f64(cli.dns.timeout),
            })
        };
        let deadline = match cli.dns.deadline {
            None => None,
            Some(d) if d.is_finite() && d > 0.0 && d <= 86_400.0 => {
                Some(Duration::from_secs_f64(d))
            }
            Some(d) => {
                return Err(format!(
                    "--deadline {d}: expected a number of seconds between 0 and 86400"
                ));
            }
        };
        Ok(Config {
            output,
            dns,
            deadline,
        })
    }
}

/// `IP`, `IP:PORT`, `[IPv6]:PORT`; port 53 by default.
pub fn parse_resolver(text: &str) -> Result<SocketAddr, String> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    text.parse::<SocketAddr>()
        .map_err(|_| format!("--resolver {text}: expected an IP address, IP:PORT or [IPv6]:PORT"))
}

/// `names::domain` under its older path, which `verify` and the fuzz targets
/// still use.
pub use crate::names::domain as normalize_domain;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolver_addresses() {
        assert_eq!(parse_resolver("127.0.0.1").unwrap().port(), 53);
        assert_eq!(parse_resolver("127.0.0.1:5353").unwrap().port(), 5353);
        assert_eq!(parse_resolver("[::1]:5353").unwrap().port(), 5353);
        assert!(parse_resolver("localhost").is_err());
    }
}
