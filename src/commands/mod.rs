//! The commands: each module turns its arguments into checks over the DNS
//! source the configuration chose, renders the result and decides the exit
//! status. `domain`, `verify` and `spf` run their items through the batch
//! runner (`crate::batch`).

pub mod check;
pub mod dkim;
pub mod dmarc;
pub mod domain;
pub mod keygen;
pub mod serve;
pub mod sign;
pub mod smtp;
pub mod spf;
pub mod verify;

use crate::{
    cli::{Cli, Command, DkimAction},
    config::{Config, DnsConfig, Output},
    dns::{Dns, zone::ZoneSet},
    exit::ExitStatus,
};
use clap::CommandFactory;
use std::io::Write;

pub use crate::exit::RunError;

/// Run the command line; the result is the exit status. Results go to `out`;
/// per-item diagnostics (a message that could not be read) go to `err`.
pub async fn run(
    cli: Cli,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let config = Config::from_cli(&cli).map_err(RunError::Input)?;
    // The colour decision is made once, here, for everything that prints.
    colored::control::set_override(matches!(config.output, Output::Text { color: true }));
    match &cli.command {
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(*shell, &mut cmd, "mailcheck", out);
            Ok(ExitStatus::Success)
        }
        Command::Domain(args) => domain::run(&config, args, out, err).await,
        Command::Check(args) => check::run(&config, args, out, err).await,
        Command::Verify(args) => verify::run(&config, args, out, err).await,
        Command::Spf(args) => spf::run(&config, args, out, err).await,
        Command::Dkim(args) => match &args.action {
            Some(DkimAction::Keygen(k)) => keygen::run(&config, k, out),
            Some(DkimAction::Sign(s)) => sign::run(s, out),
            None => dkim::run(&config, args, out).await,
        },
        Command::Dmarc(args) => dmarc::run(&config, args, out).await,
        Command::Smtp(args) => smtp::run(&config, args, cli.dns.timeout, out).await,
        Command::Serve(args) => serve::run(&config, args, out, err).await,
    }
}

/// Set up the DNS layer the configuration asks for.
pub fn build_dns(config: &Config) -> Result<Dns, RunError> {
    let dns = match &config.dns {
        DnsConfig::Zones(paths) => {
            let zones = ZoneSet::load(paths).map_err(|e| RunError::Input(e.to_string()))?;
            for warning in zones.warnings() {
                eprintln!("mailcheck: warning: {warning}");
            }
            Dns::zones(zones)
        }
        DnsConfig::Live(options) => Dns::live(options).map_err(RunError::Input)?,
    };
    dns.notices()
        .iter()
        .for_each(|n| eprintln!("mailcheck: {n}"));
    Ok(dns)
}

/// The HELO/EHLO identity as the client sent it, from `--helo` or a batch
/// line. Any string is accepted as it is: SPF for a HELO that is not a domain
/// name is `none` (RFC 7208 2.3), decided by `spf::is_valid_domain`.
pub(crate) fn helo(given: Option<&str>) -> Option<String> {
    given.map(str::to_string)
}
