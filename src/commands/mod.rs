//! The commands: each module turns its arguments into checks over the DNS
//! source the configuration chose, renders the result and decides the exit
//! status. `domain`, `verify` and `spf` run their items through the batch
//! runner (`crate::batch`).

pub mod check;
pub mod dkim;
pub mod dmarc;
pub mod domain;
pub mod explain;
pub mod keygen;
pub mod mta_sts;
pub mod serve;
pub mod sign;
pub mod smtp;
pub mod spf;
pub mod verify;

use crate::{
    cli::{Cli, Command, DkimAction},
    config::{Config, DnsConfig, Output, SaveZone},
    dns::{
        Dns,
        zone::{RecordPlace, RecordPlaces, ZoneSet},
    },
    exit::ExitStatus,
    render::{self, Spot, Subject},
    report::DomainReport,
};
use clap::CommandFactory;
use std::{io::Write, sync::Arc};

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
    refuse_document(&cli.command, config.output)?;
    if let Some(save) = &config.save_zone {
        save_zone_first(save, &cli.command)?;
    }
    let status = match &cli.command {
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(*shell, &mut cmd, "mailcheck", out);
            Ok(ExitStatus::Success)
        }
        Command::Explain(args) => explain::run(&config, args, out),
        Command::Man { dir } => {
            std::fs::create_dir_all(dir)
                .and_then(|()| clap_mangen::generate_to(Cli::command(), dir))
                .map_err(|e| RunError::Input(format!("{}: {e}", dir.display())))?;
            Ok(ExitStatus::Success)
        }
        Command::Domain(args) => domain::run(&config, args, cli.dns.timeout, out, err).await,
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
        Command::MtaSts(args) => mta_sts::run(&config, args, cli.dns.timeout, out).await,
        Command::Serve(args) => serve::run(&config, args, out, err).await,
    };
    save_answers(&config, &status)?;
    status
}

/// After the run (exit 0, 1, 3, or 2 for a batch line that could not be
/// read; a --deadline cut included): write the answers it used, when
/// `--save-zone` asks. A run that could not start writes nothing.
fn save_answers(config: &Config, status: &Result<ExitStatus, RunError>) -> Result<(), RunError> {
    if let (Ok(_), Some(save)) = (status, &config.save_zone) {
        let text = save.recorder.master_file();
        crate::keys::write_new(&save.path, text.as_bytes(), 0o644, save.force)
            .map_err(|e| RunError::Input(format!("--save-zone {e}")))?;
    }
    Ok(())
}

/// Before the run, what makes `--save-zone` impossible: a command that looks
/// up no DNS, a folder that is not there, or a file that is there already
/// without `--force` (checked again, atomically, when the file is written).
fn save_zone_first(save: &SaveZone, command: &Command) -> Result<(), RunError> {
    let no_dns = match command {
        Command::Completions { .. } => Some("completions"),
        Command::Explain(_) => Some("explain"),
        Command::Man { .. } => Some("man"),
        Command::Dkim(args) => match &args.action {
            Some(DkimAction::Keygen(_)) => Some("dkim keygen"),
            Some(DkimAction::Sign(_)) => Some("dkim sign"),
            None => None,
        },
        _ => None,
    };
    if let Some(what) = no_dns {
        return Err(RunError::Input(format!(
            "--save-zone: {what} looks up no DNS, there is nothing to save"
        )));
    }
    let dir = match save.path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        return Err(RunError::Input(format!(
            "--save-zone {}: there is no folder {}",
            save.path.display(),
            dir.display()
        )));
    }
    if !save.force && save.path.symlink_metadata().is_ok() {
        return Err(RunError::Input(format!(
            "--save-zone {} already exists; pass --force to replace it",
            save.path.display()
        )));
    }
    Ok(())
}

/// SARIF and JUnit report findings; a command that has none (a completion
/// script, a key, a signed message, a server's stream of verdicts) refuses
/// them (exit 2). Text and JSON are accepted everywhere, as before.
fn refuse_document(command: &Command, output: Output) -> Result<(), RunError> {
    let what = match command {
        Command::Completions { .. } => "completions prints a shell script",
        Command::Dkim(args) => match args.action {
            Some(DkimAction::Keygen(_)) => "dkim keygen writes a key and its record",
            Some(DkimAction::Sign(_)) => "dkim sign writes a signed message",
            None => return Ok(()),
        },
        Command::Serve(_) => "serve prints a verdict per message as it arrives",
        _ => return Ok(()),
    };
    match output {
        Output::Sarif | Output::Junit => Err(RunError::Input(format!(
            "--format {} is for commands that report findings; {what}: use --format text or json",
            if output == Output::Sarif {
                "sarif"
            } else {
                "junit"
            }
        ))),
        Output::Text { .. } | Output::Json => Ok(()),
    }
}

/// For SARIF with `--zone`: where every loaded record was read, so results
/// can point at the line behind a finding. None otherwise.
pub(crate) fn record_places(config: &Config, dns: &Dns) -> Option<Arc<RecordPlaces>> {
    if config.output != Output::Sarif {
        return None;
    }
    dns.zone_set()
        .map(|zones| Arc::new(RecordPlaces::new(zones)))
}

/// A domain report as a whole-run subject, each finding placed in the zone
/// files when `places` is given: at the first of its records found there;
/// a finding with none (`spf.all` shows no record) at the first placed
/// record of another finding of its area (for `spf.all`, the SPF record
/// `spf.record` shows); failing that, at the domain's first record in the
/// zone that holds it.
pub(crate) fn domain_subject(report: &DomainReport, places: Option<&RecordPlaces>) -> Subject {
    let mut subject = Subject::domain(report);
    let Some(places) = places else {
        return subject;
    };
    let own: Vec<Option<&RecordPlace>> = report
        .findings
        .iter()
        .map(|f| f.records.iter().find_map(|r| places.record(r)))
        .collect();
    let fallback = places.domain(&report.domain);
    subject.spots = report
        .findings
        .iter()
        .zip(&own)
        .map(|(finding, place)| {
            let sibling = || {
                report
                    .findings
                    .iter()
                    .zip(&own)
                    .filter(|(other, _)| other.area == finding.area)
                    .find_map(|(_, p)| *p)
            };
            place
                .or_else(sibling)
                .or(fallback)
                .map(|p| Spot::new(&p.file, Some(p.line)))
        })
        .collect();
    subject
}

/// Write a single-item command's report as a whole-run document (SARIF or
/// JUnit).
pub(crate) fn write_document(
    out: &mut dyn Write,
    config: &Config,
    subject: Subject,
    strict: bool,
) -> Result<(), RunError> {
    render::document(out, config.output, &[subject], &[], strict)?;
    Ok(())
}

/// Set up the DNS layer the configuration asks for.
pub fn build_dns(config: &Config) -> Result<Dns, RunError> {
    let dns = match &config.dns {
        DnsConfig::Zones(paths) => {
            let zones = ZoneSet::load(paths).map_err(|e| RunError::Input(e.to_string()))?;
            for warning in zones.warnings() {
                eprintln!("mailcheck: warning: {warning}");
            }
            let dns = Dns::zones(zones);
            // The zones live as long as the process: freeing a large zone's
            // hundreds of thousands of records one by one at exit is work
            // nobody waits for, so the memory goes back with the process.
            if let Some(zones) = dns.zone_set() {
                std::mem::forget(Arc::clone(zones));
            }
            dns
        }
        DnsConfig::Live(options) => Dns::live(options).map_err(RunError::Input)?,
    };
    // --save-zone hears every answer, from the network or from zone files.
    let dns = match &config.save_zone {
        Some(save) => dns.with_sink(save.recorder.clone()),
        None => dns,
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
