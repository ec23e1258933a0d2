//! Running a command: set up DNS, run the checks, render, decide the exit status.

use crate::{
    check::{self, DomainOptions},
    cli::{Cli, Command, DomainArgs},
    config::{Config, DnsConfig, Output, normalize_domain},
    dns::{Dns, zone::ZoneSet},
    exit::ExitStatus,
    render,
    report::Status,
};
use clap::CommandFactory;
use futures_util::{StreamExt, stream};
use std::io::{self, Write};

/// Why a command could not run (exit status 2), or output could not be written.
#[derive(Debug)]
pub enum RunError {
    /// Bad arguments or input; the message names what is wrong.
    Input(String),
    /// Writing the output failed.
    Io(io::Error),
}

impl From<io::Error> for RunError {
    fn from(e: io::Error) -> Self {
        RunError::Io(e)
    }
}

/// Set up the DNS layer the configuration asks for.
pub fn build_dns(config: &Config) -> Result<Dns, RunError> {
    match &config.dns {
        DnsConfig::Zones(paths) => {
            let zones = ZoneSet::load(paths).map_err(|e| RunError::Input(e.to_string()))?;
            Dns::zones(zones).map_err(RunError::Input)
        }
        DnsConfig::Live(options) => Dns::live(options).map_err(RunError::Input),
    }
}

/// Run the command line; the result is the exit status.
pub async fn run(cli: Cli, out: &mut dyn Write) -> Result<ExitStatus, RunError> {
    let config = Config::from_cli(&cli).map_err(RunError::Input)?;
    // The colour decision is made once, here, for everything that prints.
    colored::control::set_override(matches!(config.output, Output::Text { color: true }));
    match &cli.command {
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(*shell, &mut cmd, "mailcheck", out);
            Ok(ExitStatus::Success)
        }
        Command::Domain(args) => domain(&config, args, out).await,
    }
}

/// How many domains are checked at once.
const DOMAIN_CONCURRENCY: usize = 32;

async fn domain(
    config: &Config,
    args: &DomainArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let domains = args
        .domains
        .iter()
        .map(|d| normalize_domain(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(RunError::Input)?;
    let mut selectors = Vec::new();
    for s in &args.selectors {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() || s.contains(char::is_whitespace) || s.starts_with('.') || s.ends_with('.')
        {
            return Err(RunError::Input(format!(
                "--selector '{s}' is not a valid DKIM selector"
            )));
        }
        selectors.push(s);
    }
    let helo = match &args.helo {
        Some(h) => Some(normalize_domain(h).map_err(|e| RunError::Input(format!("--helo: {e}")))?),
        None => None,
    };
    let dns = build_dns(config)?;
    let options = DomainOptions {
        selectors,
        ip: args.ip,
        helo,
    };
    // Domains are checked concurrently; reports come out in argument order.
    let mut reports = stream::iter(domains.iter())
        .map(|d| check::check_domain(&dns, d, &options))
        .buffered(DOMAIN_CONCURRENCY);
    let mut statuses = Vec::new();
    while let Some(report) = reports.next().await {
        match config.output {
            Output::Json => render::json::domain(out, &report)?,
            Output::Text { color } => {
                if !statuses.is_empty() {
                    writeln!(out)?;
                }
                render::text::domain(out, &report, color)?;
            }
        }
        out.flush()?;
        statuses.push(report.status());
    }
    if let Output::Text { .. } = config.output
        && statuses.len() > 1
    {
        writeln!(out)?;
        render::text::summary(out, &statuses)?;
    }
    Ok(exit_for(&statuses, args.strict))
}

/// The exit status for a set of item statuses (see `ExitStatus`).
pub fn exit_for(statuses: &[Status], strict: bool) -> ExitStatus {
    if statuses.contains(&Status::Fail) || (strict && statuses.contains(&Status::Warn)) {
        ExitStatus::Failure
    } else if statuses.contains(&Status::Error) {
        ExitStatus::Inconclusive
    } else {
        ExitStatus::Success
    }
}
