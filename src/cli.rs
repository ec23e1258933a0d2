//! Every clap type of mailcheck. The doc comments are the help text.

use crate::keys::KeyAlgorithm;
use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

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

    /// Print one JSON object per checked item (JSON Lines) instead of the
    /// report: short for --format json.
    #[arg(long, global = true)]
    pub json: bool,

    /// How to print the results: text (the report), json (JSON Lines), sarif
    /// (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit
    /// XML document, for CI test reports). The exit status is the same in
    /// every format.
    #[arg(long, value_enum, global = true, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// When to colour the report: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true, value_name = "WHEN")]
    pub color: ColorWhen,
}

/// DNS source options, accepted by every command that looks up DNS.
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// Answer DNS from this RFC 1035 master file instead of the network
    /// (repeatable); NAME=FILE gives the zone's name to a file without $ORIGIN
    /// or SOA at the top. Names no loaded zone covers do not exist. Sends nothing.
    #[arg(long, value_name = "[NAME=]FILE", global = true)]
    pub zone: Vec<PathBuf>,

    /// Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of
    /// the system's resolvers.
    #[arg(long, value_name = "ADDR", global = true, conflicts_with = "zone", value_parser = resolver_address)]
    pub resolver: Option<SocketAddr>,

    /// Seconds to wait for each DNS answer before giving up on that try (for
    /// smtp: also for each step of the SMTP conversation; for domain and
    /// mta-sts: also for each HTTPS fetch as a whole).
    #[arg(long, value_name = "SECS", global = true, default_value = "5", value_parser = timeout_seconds)]
    pub timeout: Duration,

    /// Seconds the whole run may take; checks still unfinished then report
    /// status error (exit 3).
    #[arg(long, value_name = "SECS", global = true, value_parser = deadline_seconds)]
    pub deadline: Option<Duration>,

    /// Write every DNS answer this run used to FILE, as a master file that
    /// --zone FILE replays offline with the same results (written at the end
    /// of the run; failed lookups are kept as mailcheck's $FAIL directive).
    #[arg(long, value_name = "FILE", global = true)]
    pub save_zone: Option<PathBuf>,

    /// Replace the --save-zone file if it exists.
    #[arg(long, global = true)]
    pub force: bool,
}

/// `--resolver`: `IP`, `IP:PORT` or `[IPv6]:PORT`; port 53 by default.
pub fn resolver_address(text: &str) -> Result<SocketAddr, String> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    text.parse::<SocketAddr>()
        .map_err(|_| "expected an IP address, IP:PORT or [IPv6]:PORT".into())
}

/// `--timeout`: more than 0 and at most an hour.
fn timeout_seconds(text: &str) -> Result<Duration, String> {
    seconds(text, 3600.0)
}

/// `serve --idle-timeout`: more than 0 and at most a day.
fn idle_seconds(text: &str) -> Result<Duration, String> {
    seconds(text, 86_400.0)
}

/// `--deadline`: more than 0 and at most a day.
fn deadline_seconds(text: &str) -> Result<Duration, String> {
    seconds(text, 86_400.0)
}

/// A number of seconds (fractions allowed) above 0 and at most `max`.
fn seconds(text: &str, max: f64) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= max => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("expected a number of seconds between 0 and {max}")),
    }
}

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The human report.
    Text,
    /// One JSON object per checked item (JSON Lines).
    Json,
    /// One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass.
    Sarif,
    /// One JUnit XML document: a test suite per domain or message, a test case per finding.
    Junit,
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
    /// Check domains against a mailcheck.toml (for CI): every check of
    /// `domain`, plus the senders, selectors, key sizes, DMARC policy and MX
    /// hosts the file expects, with its accepted exceptions.
    Check(CheckArgs),
    /// Would a receiver accept this message from this IP? Every DKIM signature,
    /// SPF, ARC, DMARC alignment and the disposition.
    Verify(VerifyArgs),
    /// Analyse a domain's SPF record (include tree, lookup counts), and with
    /// --ip evaluate check_host() for that IP.
    Spf(SpfArgs),
    /// Check a DKIM key record; or generate a key pair, or sign a message.
    Dkim(DkimArgs),
    /// Find the DMARC policy that applies to a domain and explain every tag.
    Dmarc(DmarcArgs),
    /// Probe a domain's MX hosts (or one host) over SMTP: greeting, EHLO,
    /// STARTTLS, TLS version and cipher, the certificate, and PTR. Exit 3
    /// when port 25 cannot be reached.
    Smtp(SmtpArgs),
    /// Check MTA-STS (RFC 8461): the _mta-sts TXT record, the policy fetched
    /// over HTTPS from mta-sts.DOMAIN, and whether it covers every MX host.
    #[command(name = "mta-sts")]
    MtaSts(MtaStsArgs),
    /// Receive mail over SMTP and authenticate each message as it arrives:
    /// SPF at MAIL FROM, DKIM, ARC and DMARC at the end of DATA, the verdict
    /// written into the message and printed, one line per message.
    Serve(ServeArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: Shell,
    },
    /// Explain a finding name: what it checks, why it matters, the RFC
    /// sections, how to fix it and an example of a good record.
    Explain(ExplainArgs),
    /// Write the man pages (mailcheck.1 and a mailcheck-COMMAND.1 for each
    /// command) into DIR, e.g. /usr/local/share/man/man1.
    Man {
        /// The directory to write the pages to.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

/// Arguments of `mailcheck explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A finding name (spf.lookups), as reports show it in brackets; an area
    /// alone (spf) lists that area's names.
    #[arg(
        value_name = "NAME",
        required_unless_present = "list",
        conflicts_with = "list"
    )]
    pub name: Option<String>,

    /// List every finding name, one a line (with --json, every entry, one
    /// JSON object a line).
    #[arg(long)]
    pub list: bool,
}

/// The batch options of `domain`, `verify` and `spf`. Each command words
/// their help for its own items (`mut_arg` on the command's arguments).
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Read items from this file, one a line (- for standard input).
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<String>,

    /// How many items to check at once.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub concurrency: usize,
}

/// Arguments of `mailcheck domain`.
#[derive(Debug, Args)]
#[command(mut_arg("from_file", |a| a.help("Read domains from this file (one a line; - for standard input)")))]
#[command(mut_arg("concurrency", |a| a.help("How many domains to check at once")))]
pub struct DomainArgs {
    /// Domains to check (international names are accepted and converted to A-labels).
    #[arg(
        required_unless_present = "from_file",
        conflicts_with = "from_file",
        value_name = "DOMAIN"
    )]
    pub domains: Vec<String>,

    /// --from-file and --concurrency.
    #[command(flatten)]
    pub batch: BatchArgs,

    /// DKIM selector to check (repeatable); without it, common selectors are tried.
    #[arg(long = "selector", short = 's', value_name = "S")]
    pub selectors: Vec<String>,

    /// An outbound IP that must pass SPF for the domain and have forward-confirmed reverse DNS.
    #[arg(long, value_name = "IP")]
    pub ip: Option<IpAddr>,

    /// HELO/EHLO string to use with --ip, exactly as a client sent it (any
    /// text, e.g. "[192.0.2.1]"): SPF's %{h}; defaults to the domain.
    #[arg(long, value_name = "NAME", requires = "ip")]
    pub helo: Option<String>,

    /// DNSSEC trust anchor: DS or DNSKEY records of one zone, in zone-file
    /// form (a dsset- or K*.key file); default: the IANA root keys.
    #[arg(long, value_name = "FILE")]
    pub trust_anchor: Option<PathBuf>,

    /// --ca and --connect-to for the MTA-STS policy and the BIMI logo.
    #[command(flatten)]
    pub https: HttpsArgs,

    /// Treat warnings as failures (exit 1).
    #[arg(long)]
    pub strict: bool,
}

/// Arguments of `mailcheck check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The expectations file (TOML; docs/interface.md describes it).
    #[arg(
        long,
        short = 'c',
        value_name = "FILE",
        default_value = "mailcheck.toml"
    )]
    pub config: PathBuf,

    /// Treat warnings as failures (exit 1).
    #[arg(long)]
    pub strict: bool,
}

/// Arguments of `mailcheck verify`.
#[derive(Debug, Args)]
#[command(mut_arg("from_file", |a| a.help(
    "Read messages from this file, one a line: PATH [IP [HELO [MAIL-FROM]]] \
     (missing fields fall back to --ip, --helo, --mail-from)")))]
#[command(mut_arg("concurrency", |a| a
    .help("How many messages to verify at once")
    .default_value("32")))]
pub struct VerifyArgs {
    /// RFC 5322 message files (.eml), or - for standard input.
    #[arg(
        required_unless_present = "from_file",
        conflicts_with = "from_file",
        value_name = "MESSAGE"
    )]
    pub messages: Vec<String>,

    /// --from-file and --concurrency.
    #[command(flatten)]
    pub batch: BatchArgs,

    /// The IP address the message arrived from.
    #[arg(long, value_name = "IP")]
    pub ip: Option<IpAddr>,

    /// The HELO/EHLO string the client sent, exactly as sent (any text). SPF
    /// checks it when there is no MAIL FROM; one that is not a domain name
    /// (e.g. "[192.0.2.1]") gives SPF none (RFC 7208 2.3).
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,

    /// The SMTP MAIL FROM address; defaults to the message's Return-Path.
    #[arg(long, value_name = "ADDR")]
    pub mail_from: Option<String>,

    /// The receiver's name in the Authentication-Results header (default: this host's name).
    #[arg(long, value_name = "NAME")]
    pub authserv_id: Option<String>,
}

/// Arguments of `mailcheck spf`.
#[derive(Debug, Args)]
#[command(mut_arg("from_file", |a| a.help("Read checks from this file, one a line: IDENTITY IP [HELO]")))]
#[command(mut_arg("concurrency", |a| a.help("How many checks to run at once")))]
pub struct SpfArgs {
    /// A domain (checked as postmaster@DOMAIN) or a MAIL FROM address.
    #[arg(
        value_name = "DOMAIN|ADDR",
        required_unless_present = "from_file",
        conflicts_with = "from_file"
    )]
    pub target: Option<String>,

    /// --from-file and --concurrency.
    #[command(flatten)]
    pub batch: BatchArgs,

    /// Evaluate check_host() for this IP: pass required for exit 0.
    #[arg(long, value_name = "IP")]
    pub ip: Option<IpAddr>,

    /// HELO/EHLO string for SPF's %{h}, exactly as a client sent it (any
    /// text, e.g. "[192.0.2.1]"); defaults to the domain.
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,
}

/// Arguments of `mailcheck dkim`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct DkimArgs {
    /// Generate a key pair or sign a message.
    #[command(subcommand)]
    pub action: Option<DkimAction>,

    /// The domain whose key record to check.
    #[arg(value_name = "DOMAIN", required = true)]
    pub domain: Option<String>,

    /// The selector (repeatable).
    #[arg(long = "selector", short = 's', value_name = "S", required = true)]
    pub selectors: Vec<String>,
}

/// DKIM key management.
#[derive(Debug, Subcommand)]
pub enum DkimAction {
    /// Generate a DKIM key pair: the private key to a file (mode 0600), the
    /// TXT record to publish on standard output.
    Keygen(KeygenArgs),
    /// Sign a message with a private key; the signed message goes to standard
    /// output or --out.
    Sign(SignArgs),
}

/// Arguments of `mailcheck dkim keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The signing domain (d=).
    #[arg(long, value_name = "D")]
    pub domain: String,
    /// The selector (s=); the record goes at S._domainkey.D.
    #[arg(long, value_name = "S")]
    pub selector: String,
    /// Key algorithm.
    #[arg(long, value_name = "ALG", value_enum, ignore_case = true, default_value_t = KeyAlgorithm::Rsa2048)]
    pub algorithm: KeyAlgorithm,
    /// Where to write the private key (PKCS#8 PEM, mode 0600).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `mailcheck dkim sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The message to sign, or - for standard input.
    #[arg(value_name = "MESSAGE")]
    pub message: String,
    /// The private key (PKCS#8 or PKCS#1 PEM).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The signing domain (d=).
    #[arg(long, value_name = "D")]
    pub domain: String,
    /// The selector (s=).
    #[arg(long, value_name = "S")]
    pub selector: String,
    /// Header fields to sign, separated by colons or commas (must include From).
    #[arg(long, value_name = "LIST")]
    pub headers: Option<String>,
    /// Write the signed message here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `mailcheck dmarc`.
#[derive(Debug, Args)]
pub struct DmarcArgs {
    /// The domain whose DMARC policy to find.
    #[arg(value_name = "DOMAIN")]
    pub domain: String,
}

/// How HTTPS fetches (the MTA-STS policy, the BIMI logo) are made.
#[derive(Debug, Args)]
pub struct HttpsArgs {
    /// Trust the CA certificates in this PEM file instead of the public
    /// (Mozilla) roots for HTTPS fetches (the MTA-STS policy, the BIMI logo).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,

    /// Connect to ADDR:PORT whenever HOST:PORT is to be reached over HTTPS
    /// (as curl's --connect-to; an empty HOST or PORT matches any).
    /// Repeatable. Certificates are still checked against HOST.
    #[arg(long, value_name = "HOST:PORT:ADDR:PORT")]
    pub connect_to: Vec<String>,
}

/// Arguments of `mailcheck mta-sts`.
#[derive(Debug, Args)]
pub struct MtaStsArgs {
    /// The domain whose MTA-STS record and policy to check.
    #[arg(value_name = "DOMAIN")]
    pub domain: String,

    /// --ca and --connect-to for the policy fetch.
    #[command(flatten)]
    pub https: HttpsArgs,

    /// Treat warnings as failures (exit 1).
    #[arg(long)]
    pub strict: bool,
}

/// Arguments of `mailcheck smtp`.
#[derive(Debug, Args)]
pub struct SmtpArgs {
    /// A domain (its MX hosts are probed in preference order, at every A and
    /// AAAA address), or a host or IP, with :PORT to probe another port than 25.
    #[arg(value_name = "DOMAIN|HOST[:PORT]")]
    pub target: String,

    /// Trust the CA certificates in this PEM file instead of the public
    /// (Mozilla) roots, e.g. for a private CA.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,

    /// Connect to ADDR:PORT whenever HOST:PORT is to be reached (as curl's
    /// --connect-to; an empty HOST or PORT matches any). Repeatable. Names
    /// and certificates are still checked against HOST.
    #[arg(long, value_name = "HOST:PORT:ADDR:PORT")]
    pub connect_to: Vec<String>,

    /// The name to send in EHLO (default: this host's name).
    #[arg(long, value_name = "NAME")]
    pub ehlo: Option<String>,
}

/// `--algorithm` takes the algorithm names of `keys::KeyAlgorithm`.
impl ValueEnum for KeyAlgorithm {
    fn value_variants<'a>() -> &'a [Self] {
        &KeyAlgorithm::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            KeyAlgorithm::Rsa2048 => "RSA, 2048 bits: the usual choice (RFC 8301)",
            KeyAlgorithm::Rsa3072 => "RSA, 3072 bits",
            KeyAlgorithm::Rsa4096 => "RSA, 4096 bits: the record needs several TXT strings",
            KeyAlgorithm::Ed25519 => "Ed25519 (RFC 8463): not yet verified by every receiver",
        };
        Some(PossibleValue::new(self.as_str()).help(help))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolver_addresses() {
        assert_eq!(resolver_address("127.0.0.1").unwrap().port(), 53);
        assert_eq!(resolver_address("127.0.0.1:5353").unwrap().port(), 5353);
        assert_eq!(resolver_address("[::1]:5353").unwrap().port(), 5353);
        assert!(resolver_address("localhost").is_err());
    }

    #[test]
    fn seconds_are_bounded() {
        assert_eq!(timeout_seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(timeout_seconds("3600"), Ok(Duration::from_secs(3600)));
        for bad in ["0", "-1", "3601", "nan", "inf", "five"] {
            assert!(timeout_seconds(bad).is_err(), "{bad}");
        }
        assert!(deadline_seconds("86400").is_ok());
        assert!(deadline_seconds("86401").is_err());
    }

    #[test]
    fn every_key_algorithm_is_a_value() {
        for alg in KeyAlgorithm::ALL {
            assert_eq!(KeyAlgorithm::from_str(alg.as_str(), true), Ok(alg));
        }
        assert!(KeyAlgorithm::from_str("rsa-1024", true).is_err());
    }
}

/// Arguments of `mailcheck serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen for SMTP on this address and port (e.g. 127.0.0.1:2525, [::]:25).
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: SocketAddr,

    /// Also listen for implicit TLS (RFC 8314, port 465 in production);
    /// needs --tls-cert and --tls-key.
    #[arg(long, value_name = "ADDR:PORT", requires = "tls_cert")]
    pub listen_tls: Option<SocketAddr>,

    /// PEM certificate chain: offers STARTTLS (RFC 3207).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Store each accepted message in this Maildir (tmp/, new/, cur/ are
    /// created). Without it, messages are acknowledged with 250 and not stored.
    #[arg(long, value_name = "DIR")]
    pub maildir: Option<PathBuf>,

    /// Apply the DMARC disposition: reject is refused with 550 5.7.1 at the
    /// end of DATA (nothing stored); quarantine is stored in the Maildir's
    /// .Quarantine folder.
    #[arg(long)]
    pub enforce: bool,

    /// This server's name: the greeting, the Received line and the
    /// Authentication-Results authserv-id (default: this host's name).
    #[arg(long, value_name = "NAME")]
    pub authserv_id: Option<String>,

    /// The largest message accepted, in bytes (advertised as SIZE).
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_size: usize,

    /// Connections served at once; more are answered 421 and closed.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_connections: usize,

    /// How long to wait for the client's next command, next line of data or
    /// TLS handshake before answering 421 and closing (RFC 5321 4.5.3.2:
    /// at least 5 minutes on the Internet).
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = idle_seconds)]
    pub idle_timeout: Duration,

    /// After SIGTERM or SIGINT, how long transactions in progress may take
    /// to finish before the server exits.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub grace: u64,
}
