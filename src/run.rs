//! Running a command: set up DNS, run the checks, render, decide the exit status.

use crate::{
    auth::Auth,
    check::{self, DomainOptions},
    cli::{
        Cli, Command, DkimAction, DkimArgs, DmarcArgs, DomainArgs, KeygenArgs, SignArgs, SpfArgs,
        VerifyArgs,
    },
    config::{Config, DnsConfig, Output, normalize_domain},
    dns::{Dns, zone::ZoneSet},
    exit::ExitStatus,
    render,
    report::{DomainReport, Status},
    verify::{self as verifier, Envelope},
};
use clap::CommandFactory;
use futures_util::{FutureExt, Stream, StreamExt, stream};
use serde_json::{Map, Value, json};
use std::{
    io::{self, Write},
    sync::Arc,
};

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
    let dns = match &config.dns {
        DnsConfig::Zones(paths) => {
            let zones = ZoneSet::load(paths).map_err(|e| RunError::Input(e.to_string()))?;
            for warning in zones.warnings() {
                eprintln!("mailcheck: warning: {warning}");
            }
            Dns::zones(zones).map_err(RunError::Input)
        }
        DnsConfig::Live(options) => Dns::live(options).map_err(RunError::Input),
    }?;
    dns.notices()
        .iter()
        .for_each(|n| eprintln!("mailcheck: {n}"));
    Ok(dns)
}

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
        Command::Domain(args) => domain(&config, args, out, err).await,
        Command::Verify(args) => verify(&config, args, out, err).await,
        Command::Spf(args) => spf(&config, args, out, err).await,
        Command::Dkim(args) => match &args.action {
            Some(DkimAction::Keygen(k)) => keygen(&config, k, out),
            Some(DkimAction::Sign(s)) => sign(s, out),
            None => dkim(&config, args, out).await,
        },
        Command::Dmarc(args) => dmarc(&config, args, out).await,
    }
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

/// This host's name, the default authserv-id.
fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// The identity `mailcheck spf` evaluates: a bare domain is
/// `postmaster@DOMAIN`; an address is a MAIL FROM (empty local part:
/// postmaster). Returns (domain, sender); the domain may be invalid, which
/// check_host() answers with `none` (RFC 7208 4.3).
fn spf_identity(target: &str) -> (String, String) {
    let target = target.trim();
    match target.rsplit_once('@') {
        Some((local, domain)) => {
            let domain = normalize_domain(domain).unwrap_or_else(|_| domain.to_string());
            let local = if local.is_empty() {
                "postmaster"
            } else {
                local
            };
            (domain.clone(), format!("{local}@{domain}"))
        }
        None => {
            let domain = normalize_domain(target).unwrap_or_else(|_| target.to_string());
            (domain.clone(), format!("postmaster@{domain}"))
        }
    }
}

async fn dkim(
    config: &Config,
    args: &DkimArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let domain =
        normalize_domain(args.domain.as_deref().unwrap_or_default()).map_err(RunError::Input)?;
    let selectors = selectors(&args.selectors)?;
    let dns = build_dns(config)?;
    let findings = check::dkim::check(&dns, &domain, &selectors).await;
    let report = DomainReport { domain, findings };
    match config.output {
        Output::Json => {
            let mut extra = Map::new();
            extra.insert("selectors".into(), json!(selectors));
            render::json::domain_with(out, &report, extra)?;
        }
        Output::Text { color } => render::text::domain(out, &report, color)?,
    }
    Ok(exit_for(&[report.status()], false))
}

async fn dmarc(
    config: &Config,
    args: &DmarcArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let domain = normalize_domain(&args.domain).map_err(RunError::Input)?;
    let dns = build_dns(config)?;
    let (findings, discovery) = tokio::join!(
        check::dmarc::check(&dns, &domain),
        check::dmarc::discover(&dns, &domain)
    );
    let report = DomainReport {
        domain: domain.clone(),
        findings,
    };
    let applied = discovery
        .as_ref()
        .ok()
        .and_then(|d| d.applies.map(|i| &d.walk[i]));
    match config.output {
        Output::Json => {
            let mut extra = Map::new();
            if let Ok(d) = &discovery {
                extra.insert("queried".into(), json!(d.queried));
                extra.insert("organizational_domain".into(), json!(d.organizational));
            }
            extra.insert("record_domain".into(), json!(applied.map(|f| &f.domain)));
            extra.insert("record".into(), json!(applied.map(|f| &f.text)));
            let tags: Map<String, Value> = applied
                .map(|f| f.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
                .unwrap_or_default();
            extra.insert("tags".into(), Value::Object(tags));
            render::json::domain_with(out, &report, extra)?;
        }
        Output::Text { color } => {
            render::text::domain(out, &report, color)?;
            if let Ok(d) = &discovery {
                writeln!(out, "  tree walk: {}", d.queried.join(" -> "))?;
                writeln!(out, "  organizational domain: {}", d.organizational)?;
            }
            if let Some(f) = applied {
                writeln!(out, "  tags of _dmarc.{}:", f.domain)?;
                for (k, v) in &f.tags {
                    writeln!(out, "    {k}={v}  {}", check::dmarc::tag_meaning(k, v))?;
                }
            }
        }
    }
    Ok(exit_for(&[report.status()], false))
}

/// Validate DKIM selectors as given on the command line.
fn selectors(given: &[String]) -> Result<Vec<String>, RunError> {
    let mut out = Vec::new();
    for s in given {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() || s.contains(char::is_whitespace) || s.starts_with('.') || s.ends_with('.')
        {
            return Err(RunError::Input(format!(
                "--selector '{s}' is not a valid DKIM selector"
            )));
        }
        out.push(s);
    }
    Ok(out)
}

fn keygen(config: &Config, args: &KeygenArgs, out: &mut dyn Write) -> Result<ExitStatus, RunError> {
    let domain =
        normalize_domain(&args.domain).map_err(|e| RunError::Input(format!("--domain: {e}")))?;
    let selector = selectors(std::slice::from_ref(&args.selector))?.remove(0);
    let algorithm = args
        .algorithm
        .parse::<crate::keys::KeyAlgorithm>()
        .map_err(|_| {
            RunError::Input(format!(
                "--algorithm {}: expected rsa-2048, rsa-3072, rsa-4096 or ed25519",
                args.algorithm
            ))
        })?;
    let key = crate::keys::keygen(&crate::keys::Keygen {
        domain,
        selector,
        algorithm,
        out: args.out.clone(),
        force: args.force,
    })
    .map_err(|e| RunError::Input(e.to_string()))?;
    match config.output {
        Output::Json => {
            let value = json!({
                "key_file": key.path,
                "algorithm": key.algorithm.to_string(),
                "bits": key.bits,
                "name": key.name,
                "record": key.record,
                "strings": key.strings,
                "zone": key.zone_text,
            });
            serde_json::to_writer(&mut *out, &value).map_err(|e| RunError::Io(e.into()))?;
            writeln!(out)?;
        }
        Output::Text { .. } => {
            writeln!(
                out,
                "; private key written to {} (mode 0600)",
                key.path.display()
            )?;
            writeln!(out, "; publish this TXT record at {}:", key.name)?;
            writeln!(out, "{}", key.zone_text.trim_end())?;
        }
    }
    Ok(ExitStatus::Success)
}

fn sign(args: &SignArgs, out: &mut dyn Write) -> Result<ExitStatus, RunError> {
    let message = verifier::input::read(&args.message).map_err(RunError::Input)?;
    let headers = args.headers.as_ref().map(|h| {
        h.split([':', ','])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    });
    let domain =
        normalize_domain(&args.domain).map_err(|e| RunError::Input(format!("--domain: {e}")))?;
    let selector = selectors(std::slice::from_ref(&args.selector))?.remove(0);
    let signed = crate::keys::sign(&crate::keys::Sign {
        message: message.bytes,
        key: args.key.clone(),
        domain,
        selector,
        headers,
    })
    .map_err(|e| RunError::Input(e.to_string()))?;
    match &args.out {
        Some(path) => crate::keys::write_new(path, &signed, 0o644, args.force)
            .map_err(|e| RunError::Input(e.to_string()))?,
        None => out.write_all(&signed)?,
    }
    Ok(ExitStatus::Success)
}

/// The instant the whole run must end by (`--deadline`).
fn deadline(config: &Config) -> Option<tokio::time::Instant> {
    config.deadline.map(|d| tokio::time::Instant::now() + d)
}

/// Run one item's work as its own task, so a batch uses every worker thread
/// (CPU work such as signature checks runs in parallel, not only DNS waits).
/// Callers box the check's future: its state is kilobytes, and the task is
/// moved several times on its way to a worker (memcpy was 12% of a verify
/// run's instructions before).
async fn on_worker<T: Send + 'static>(
    fut: impl Future<Output = Result<T, String>> + Send + 'static,
) -> Result<T, String> {
    tokio::spawn(fut)
        .await
        .unwrap_or_else(|e| Err(format!("internal error: a task failed: {e}")))
}

/// Run `fut` unless the deadline passes first.
async fn within<T>(
    deadline: Option<tokio::time::Instant>,
    fut: impl Future<Output = T>,
) -> Option<T> {
    match deadline {
        Some(d) => tokio::time::timeout_at(d, fut).await.ok(),
        None => Some(fut.await),
    }
}

/// Items to process: from the command line, or lazily from a batch file.
type Items<'a, T> = Box<dyn Iterator<Item = Result<T, String>> + Send + 'a>;

/// Read a batch file, turning each line into an item with `parse`.
fn batch_items<'a, T: 'a>(
    source: &str,
    parse: impl Fn(&[String]) -> Result<T, String> + Send + 'a,
) -> Result<Items<'a, T>, RunError> {
    let lines = crate::batch::open(source).map_err(RunError::Input)?;
    let label = lines.label().to_string();
    Ok(Box::new(lines.map(move |line| match line {
        Ok(line) => parse(&line.fields).map_err(|e| format!("{label}:{}: {e}", line.number)),
        Err(e) => Err(e.0),
    })))
}

/// The next result of a batch. Output is flushed only when that result is
/// not ready yet, so whoever reads the stream sees every finished result as
/// soon as mailcheck has to wait, without one write per item when results
/// come faster than that.
async fn next_ready<S: Stream + Unpin>(
    results: &mut S,
    tally: &mut Tally<'_>,
) -> io::Result<Option<S::Item>> {
    if let Some(next) = results.next().now_or_never() {
        return Ok(next);
    }
    tally.flush()?;
    Ok(results.next().await)
}

/// Write per-item results in order; count statuses and bad items.
struct Tally<'w> {
    out: &'w mut dyn Write,
    err: &'w mut dyn Write,
    output: Output,
    statuses: Vec<Status>,
    bad_input: bool,
    progress: render::progress::Progress,
}

impl<'w> Tally<'w> {
    fn new(
        config: &Config,
        out: &'w mut dyn Write,
        err: &'w mut dyn Write,
        total: Option<usize>,
    ) -> Self {
        Tally {
            out,
            err,
            output: config.output,
            statuses: Vec::new(),
            bad_input: false,
            progress: render::progress::Progress::new(total),
        }
    }

    fn bad(&mut self, message: &str) -> io::Result<()> {
        self.bad_input = true;
        // Results before this line reach the terminal before its error.
        self.out.flush()?;
        self.progress.inc();
        self.progress
            .suspend(|| writeln!(self.err, "mailcheck: {message}"))
    }

    fn item(
        &mut self,
        status: Status,
        json: impl FnOnce(&mut dyn Write) -> io::Result<()>,
        text: impl FnOnce(&mut dyn Write, bool) -> io::Result<()>,
    ) -> io::Result<()> {
        self.progress.inc();
        let first = self.statuses.is_empty();
        let (out, output) = (&mut *self.out, self.output);
        self.progress.suspend(|| -> io::Result<()> {
            match output {
                Output::Json => json(out)?,
                Output::Text { color } => {
                    if !first {
                        writeln!(out)?;
                    }
                    text(out, color)?;
                }
            }
            Ok(())
        })?;
        self.statuses.push(status);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(self, strict: bool) -> Result<ExitStatus, RunError> {
        self.progress.finish();
        if let Output::Text { .. } = self.output
            && self.statuses.len() > 1
        {
            writeln!(self.out)?;
            render::text::summary(self.out, &self.statuses)?;
        }
        Ok(if self.bad_input {
            ExitStatus::Error
        } else {
            exit_for(&self.statuses, strict)
        })
    }
}

async fn domain(
    config: &Config,
    args: &DomainArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let selectors = selectors(&args.selectors)?;
    // The HELO is whatever the client sent: any string is accepted, and SPF
    // for one that is not a domain is `none` (RFC 7208 2.3).
    let helo = args.helo.clone();
    let (items, total): (Items<'_, String>, _) = match &args.from_file {
        Some(source) => (
            batch_items(source, |fields| match fields {
                [domain] => normalize_domain(domain),
                _ => Err(format!(
                    "expected one domain, found {} fields",
                    fields.len()
                )),
            })?,
            None,
        ),
        None => {
            let domains = args
                .domains
                .iter()
                .map(|d| normalize_domain(d))
                .collect::<Result<Vec<_>, _>>()
                .map_err(RunError::Input)?;
            let n = domains.len();
            (Box::new(domains.into_iter().map(Ok)), Some(n))
        }
    };
    // SPF is evaluated by mailcheck itself: mail-auth evaluates nothing here.
    let dns = build_dns(config)?;
    let options = DomainOptions {
        selectors,
        ip: args.ip,
        helo,
    };
    let deadline = deadline(config);
    let (dns, options) = (Arc::new(dns), Arc::new(options));
    // Domains are checked concurrently; reports come out in input order.
    let mut results = stream::iter(items)
        .map(|item| {
            let (dns, options) = (dns.clone(), options.clone());
            on_worker(async move {
                let domain = item?;
                Ok(within(
                    deadline,
                    Box::pin(check::check_domain(&dns, &domain, &options)),
                )
                .await
                .unwrap_or_else(|| DomainReport::unfinished(&domain)))
            })
        })
        .buffered(args.concurrency.max(1));
    let mut tally = Tally::new(config, out, err, total);
    while let Some(result) = next_ready(&mut results, &mut tally).await? {
        match result {
            Ok(report) => tally.item(
                report.status(),
                |o| render::json::domain(o, &report),
                |o, color| render::text::domain(o, &report, color),
            )?,
            Err(message) => tally.bad(&message)?,
        }
    }
    tally.finish(args.strict)
}

/// One message to verify and the connection it came on.
struct VerifyItem {
    label: String,
    envelope: Envelope,
}

async fn verify(
    config: &Config,
    args: &VerifyArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    if args.messages.iter().filter(|m| *m == "-").count() > 1 {
        return Err(RunError::Input(
            "standard input (-) can be read only once".into(),
        ));
    }
    // The HELO is whatever the client sent: any string is accepted, and SPF
    // for one that is not a domain is `none` (RFC 7208 2.3).
    let helo = args.helo.clone();
    let base = Envelope {
        ip: args
            .ip
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
        helo,
        mail_from: args.mail_from.clone(),
        authserv_id: args.authserv_id.clone().unwrap_or_else(host_name),
    };
    let (items, total): (Items<'_, VerifyItem>, _) = match &args.from_file {
        Some(source) => {
            let base = base.clone();
            let default_ip = args.ip;
            (
                batch_items(source, move |fields| {
                    if fields.len() > 4 {
                        return Err(format!(
                            "expected PATH [IP [HELO [MAIL-FROM]]], found {} fields",
                            fields.len()
                        ));
                    }
                    let mut envelope = base.clone();
                    envelope.ip = match fields.get(1) {
                        Some(ip) => ip
                            .parse()
                            .map_err(|_| format!("'{ip}' is not an IP address"))?,
                        None => default_ip.ok_or("no IP: give one on the line or with --ip")?,
                    };
                    if let Some(h) = fields.get(2) {
                        envelope.helo = Some(h.clone());
                    }
                    if let Some(m) = fields.get(3) {
                        envelope.mail_from = Some(m.clone());
                    }
                    Ok(VerifyItem {
                        label: fields[0].clone(),
                        envelope,
                    })
                })?,
                None,
            )
        }
        None => {
            if args.ip.is_none() {
                return Err(RunError::Input(
                    "--ip is required (the address the message came from)".into(),
                ));
            }
            let n = args.messages.len();
            let items: Vec<_> = args
                .messages
                .iter()
                .map(|m| {
                    Ok(VerifyItem {
                        label: m.clone(),
                        envelope: base.clone(),
                    })
                })
                .collect();
            (Box::new(items.into_iter()), Some(n))
        }
    };
    let dns = Arc::new(Auth::new(build_dns(config)?).map_err(RunError::Input)?);
    let deadline = deadline(config);
    let mut results = stream::iter(items)
        .map(|item| {
            let dns = dns.clone();
            on_worker(async move {
                let item = item?;
                let message = verifier::input::read(&item.label)?;
                match within(
                    deadline,
                    Box::pin(verifier::verify(&dns, &message, &item.envelope)),
                )
                .await
                {
                    Some(report) => report,
                    None => Ok(verifier::VerifyReport::unfinished(&item.label)),
                }
            })
        })
        .buffered(args.concurrency.max(1));
    let mut tally = Tally::new(config, out, err, total);
    while let Some(result) = next_ready(&mut results, &mut tally).await? {
        match result {
            Ok(report) => tally.item(
                report.status(),
                |o| render::json::verify(o, &report),
                |o, color| render::text::verify(o, &report, color),
            )?,
            Err(message) => tally.bad(&message)?,
        }
    }
    tally.finish(false)
}

/// One SPF check: an identity, and optionally an IP and HELO.
struct SpfItem {
    target: String,
    ip: Option<std::net::IpAddr>,
    helo: Option<String>,
}

async fn spf(
    config: &Config,
    args: &SpfArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    // The HELO is whatever the client sent: any string is accepted, and SPF
    // for one that is not a domain is `none` (RFC 7208 2.3).
    let helo = args.helo.clone();
    let (items, total): (Items<'_, SpfItem>, _) = match &args.from_file {
        Some(source) => {
            let (default_ip, default_helo) = (args.ip, helo.clone());
            (
                batch_items(source, move |fields| {
                    if fields.len() > 3 {
                        return Err(format!(
                            "expected IDENTITY IP [HELO], found {} fields",
                            fields.len()
                        ));
                    }
                    let ip = match fields.get(1) {
                        Some(ip) => Some(
                            ip.parse()
                                .map_err(|_| format!("'{ip}' is not an IP address"))?,
                        ),
                        None => default_ip,
                    };
                    let helo = match fields.get(2) {
                        Some(h) => Some(h.clone()),
                        None => default_helo.clone(),
                    };
                    Ok(SpfItem {
                        target: fields[0].clone(),
                        ip,
                        helo,
                    })
                })?,
                None,
            )
        }
        None => {
            let target = args.target.clone().unwrap_or_default();
            let item = SpfItem {
                target,
                ip: args.ip,
                helo,
            };
            (Box::new(std::iter::once(Ok(item))), Some(1))
        }
    };
    let dns = Arc::new(build_dns(config)?);
    let deadline = deadline(config);
    let mut results = stream::iter(items)
        .map(|item| {
            let dns = dns.clone();
            on_worker(async move {
                let item = item?;
                let (domain, sender) = spf_identity(&item.target);
                let valid = crate::spf::is_valid_domain(&domain);
                let report = if valid {
                    within(
                        deadline,
                        Box::pin(check::spf::analyse(
                            &dns,
                            &domain,
                            &sender,
                            item.ip,
                            item.helo.as_deref(),
                        )),
                    )
                    .await
                    .unwrap_or_else(|| check::spf::SpfReport::unfinished(&domain))
                } else {
                    check::spf::SpfReport::invalid(&domain)
                };
                Ok((item, domain, sender, report))
            })
        })
        .buffered(args.concurrency.max(1));
    let mut tally = Tally::new(config, out, err, total);
    while let Some(result) = next_ready(&mut results, &mut tally).await? {
        let (item, domain, sender, report) = match result {
            Ok(r) => r,
            Err(message) => {
                tally.bad(&message)?;
                continue;
            }
        };
        let result = match (item.ip, report.result) {
            (Some(_), Some(r)) => Some(r.word()),
            // Every report made for an IP carries check_host()'s result.
            (Some(_), None) => Some("temperror"),
            (None, _) => None,
        };
        let domain_report = DomainReport {
            domain: domain.clone(),
            findings: report.findings.clone(),
        };
        let status = match result {
            Some("pass") => Status::Pass,
            Some("temperror") => Status::Error,
            Some(_) => Status::Fail,
            None => domain_report.status(),
        };
        tally.item(
            status,
            |o| {
                let mut extra = Map::new();
                extra.insert("identity".into(), json!(sender));
                extra.insert("record".into(), json!(report.record));
                extra.insert("lookups".into(), json!(report.lookups));
                extra.insert("void_lookups".into(), json!(report.void_lookups));
                if let Some(r) = result {
                    extra.insert("result".into(), json!(r));
                    extra.insert("ip".into(), json!(item.ip));
                    extra.insert("mechanism".into(), json!(report.matched().map(|m| &m.text)));
                    extra.insert(
                        "mechanism_domain".into(),
                        json!(report.matched().map(|m| &m.domain)),
                    );
                    let outcome = report.outcome.as_ref();
                    extra.insert(
                        "explanation".into(),
                        json!(outcome.and_then(|o| o.explanation.as_ref())),
                    );
                    extra.insert(
                        "reason".into(),
                        json!(outcome.and_then(|o| o.reason.as_ref())),
                    );
                }
                if let Some(tree) = &report.tree {
                    extra.insert("tree".into(), check::spf::tree_json(tree));
                }
                render::json::domain_with(o, &domain_report, extra)
            },
            |o, color| {
                render::text::domain(o, &domain_report, color)?;
                if let (Some(r), Some(ip)) = (result, item.ip) {
                    writeln!(o, "  check_host({ip}, {domain}, {sender}) = {r}")?;
                    if let Some(e) = report.outcome.as_ref().and_then(|o| o.explanation.as_ref()) {
                        writeln!(o, "  explanation: {e}")?;
                    }
                }
                Ok(())
            },
        )?;
    }
    tally.finish(false)
}
