//! Every clap type of mailcheck. The doc comments are the help text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use std::{net::IpAddr, path::PathBuf};

/// Check a domain's mail DNS (MX, PTR, SPF, DKIM, DMARC) and say what is wrong
/// and how to fix it.
///
/// Exit status: 0 every check passed (warnings allowed unless --strict), 1 a
/// check failed, 2 the command could not run (bad arguments or input), 3
/// inconclusive: a DNS lookup failed temporarily.
#[derive(Debug, Parser)]
#[command(name = "mailcheck", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to check.
    #[command(subcommand)]
    pub command: Command,

    /// Where DNS answers come from.
    #[command(flatten)]
    pub dns: DnsArgs,

    /// Print one JSON object per checked item (JSON Lines) instead of the report.
    #[arg(long, global = true)]
    pub json: bool,

    /// When to colour the report: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true, value_name = "WHEN")]
    pub color: ColorWhen,
}

/// DNS source options, accepted by every command that looks up DNS.
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// Answer DNS from this RFC 1035 master file instead of the network
    /// (repeatable). Names no loaded zone covers do not exist. Sends nothing.
    #[arg(long, value_name = "FILE", global = true)]
    pub zone: Vec<PathBuf>,

    /// Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of
    /// the system's resolvers.
    #[arg(long, value_name = "ADDR", global = true, conflicts_with = "zone")]
    pub resolver: Option<String>,

    /// Seconds to wait for each DNS answer before giving up on that try.
    #[arg(long, value_name = "SECS", global = true, default_value_t = 5.0)]
    pub timeout: f64,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when standard output is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the mail DNS of one or more domains: MX, PTR, SPF, DKIM, DMARC.
    Domain(DomainArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: Shell,
    },
}

/// Arguments of `mailcheck domain`.
#[derive(Debug, Args)]
pub struct DomainArgs {
    /// Domains to check (international names are accepted and converted to A-labels).
    #[arg(required = true, value_name = "DOMAIN")]
    pub domains: Vec<String>,

    /// DKIM selector to check (repeatable); without it, common selectors are tried.
    #[arg(long = "selector", short = 's', value_name = "S")]
    pub selectors: Vec<String>,

    /// An outbound IP that must pass SPF for the domain and have forward-confirmed reverse DNS.
    #[arg(long, value_name = "IP")]
    pub ip: Option<IpAddr>,

    /// HELO name to use with --ip (for SPF macros); defaults to the domain.
    #[arg(long, value_name = "NAME", requires = "ip")]
    pub helo: Option<String>,

    /// Treat warnings as failures (exit 1).
    #[arg(long)]
    pub strict: bool,
}
