//! Settings resolved once from the command line: no clap types past this point.

use crate::{
    cli::{Cli, ColorWhen, Format},
    dns::{DnsSource, LiveOptions, save::Recorder, zone::ZoneSource},
};
use std::{io::IsTerminal, path::PathBuf, sync::Arc, time::Duration};

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
    /// One SARIF 2.1.0 log for the whole run (`render::sarif`).
    Sarif,
    /// One JUnit XML document for the whole run (`render::junit`).
    Junit,
}

impl Output {
    /// True for the formats written once for the whole run (SARIF, JUnit),
    /// after every item is checked; text and JSON Lines stream item by item.
    pub fn is_document(self) -> bool {
        matches!(self, Output::Sarif | Output::Junit)
    }
}

/// Where DNS answers come from.
#[derive(Debug, Clone)]
pub enum DnsConfig {
    /// Zone files, offline (`--zone FILE` or `--zone NAME=FILE`).
    Zones(Vec<ZoneSource>),
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
    /// Where to write the answers the run used (`--save-zone`), if anywhere.
    pub save_zone: Option<SaveZone>,
}

/// `--save-zone FILE`: the file, whether it may be replaced (`--force`), and
/// the recorder every DNS layer of the run reports its answers to.
#[derive(Debug, Clone)]
pub struct SaveZone {
    /// The master file to write.
    pub path: PathBuf,
    /// Replace the file if it exists.
    pub force: bool,
    /// Hears every answer.
    pub recorder: Arc<Recorder>,
}

impl Config {
    /// Resolve the command line. Errors are messages for exit status 2.
    pub fn from_cli(cli: &Cli) -> Result<Config, String> {
        let format = match (cli.json, cli.format) {
            (true, None | Some(Format::Json)) => Format::Json,
            (true, Some(other)) => {
                return Err(format!(
                    "--json and --format {} disagree: --json is short for --format json",
                    format_word(other)
                ));
            }
            (false, format) => format.unwrap_or(Format::Text),
        };
        let output = match format {
            Format::Json => Output::Json,
            Format::Sarif => Output::Sarif,
            Format::Junit => Output::Junit,
            Format::Text => {
                let color = match cli.color {
                    ColorWhen::Always => true,
                    ColorWhen::Never => false,
                    ColorWhen::Auto => {
                        std::io::stdout().is_terminal()
                            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    }
                };
                Output::Text { color }
            }
        };
        let dns = if !cli.dns.zone.is_empty() {
            let sources = cli.dns.zone.iter().map(|arg| ZoneSource::from_arg(arg));
            DnsConfig::Zones(sources.collect::<Result<_, _>>()?)
        } else {
            let source = match cli.dns.resolver {
                Some(addr) => DnsSource::Server(addr),
                None => DnsSource::System,
            };
            DnsConfig::Live(LiveOptions {
                source,
                timeout: cli.dns.timeout,
            })
        };
        let deadline = cli.dns.deadline;
        let save_zone = cli.dns.save_zone.as_ref().map(|path| SaveZone {
            path: path.clone(),
            force: cli.dns.force,
            recorder: Arc::new(Recorder::new()),
        });
        Ok(Config {
            output,
            dns,
            deadline,
            save_zone,
        })
    }
}

/// The word of a format, as `--format` takes it.
pub fn format_word(format: Format) -> &'static str {
    match format {
        Format::Text => "text",
        Format::Json => "json",
        Format::Sarif => "sarif",
        Format::Junit => "junit",
    }
}
