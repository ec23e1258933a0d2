//! `mailcheck spf DOMAIN|ADDR` (or `--from-file`): analyse a domain's SPF
//! record and, with an IP, evaluate check_host() for it.

use super::{RunError, build_dns, domain_subject, helo, record_places};
use crate::{
    batch::{self, Batch, Outcome},
    check::{self, spf::SpfReport},
    cli::SpfArgs,
    config::Config,
    dns::zone::RecordPlaces,
    exit::ExitStatus,
    names, render,
    report::{DomainReport, Finding, Status},
    spf::Verdict,
};
use std::{
    io::{self, Write},
    net::IpAddr,
    sync::Arc,
};

/// One SPF check: an identity, and optionally an IP and HELO.
struct Item {
    target: String,
    ip: Option<IpAddr>,
    helo: Option<String>,
}

/// A batch line: `IDENTITY IP [HELO]`; a missing IP or HELO comes from the
/// command line.
fn parse_line(
    fields: &[String],
    default_ip: Option<IpAddr>,
    default_helo: &Option<String>,
) -> Result<Item, String> {
    batch::at_most(fields, 3, "IDENTITY IP [HELO]")?;
    let ip = match fields.get(1) {
        Some(ip) => Some(batch::ip_field(ip)?),
        None => default_ip,
    };
    let helo = match fields.get(2) {
        Some(h) => helo(Some(h)),
        None => default_helo.clone(),
    };
    Ok(Item {
        target: fields[0].clone(),
        ip,
        helo,
    })
}

/// The identity `mailcheck spf` evaluates: a bare domain is
/// `postmaster@DOMAIN`; an address is a MAIL FROM (empty local part:
/// postmaster). Returns (domain, sender); the domain may be invalid, which
/// check_host() answers with `none` (RFC 7208 4.3).
fn spf_identity(target: &str) -> (String, String) {
    let target = target.trim();
    match target.rsplit_once('@') {
        Some((local, domain)) => {
            let domain = names::domain(domain).unwrap_or_else(|_| domain.to_string());
            let local = if local.is_empty() {
                "postmaster"
            } else {
                local
            };
            (domain.clone(), format!("{local}@{domain}"))
        }
        None => {
            let domain = names::domain(target).unwrap_or_else(|_| target.to_string());
            (domain.clone(), format!("postmaster@{domain}"))
        }
    }
}

/// A finished SPF check, as the batch runner writes it.
struct Checked {
    item: Item,
    sender: String,
    report: SpfReport,
    /// check_host()'s result, when an IP was given.
    result: Option<Verdict>,
    /// The findings, as a domain report for the checked domain.
    findings: DomainReport,
    /// Where the records were read (SARIF with `--zone`).
    places: Option<Arc<RecordPlaces>>,
}

impl Checked {
    fn new(
        item: Item,
        domain: String,
        sender: String,
        report: SpfReport,
        places: Option<Arc<RecordPlaces>>,
    ) -> Checked {
        let result = match (item.ip, report.result) {
            (Some(_), Some(r)) => Some(r),
            // Every report made for an IP carries check_host()'s result.
            (Some(_), None) => Some(Verdict::TempError),
            (None, _) => None,
        };
        let findings = DomainReport {
            domain,
            findings: report.findings.clone(),
        };
        Checked {
            item,
            sender,
            report,
            result,
            findings,
            places,
        }
    }
}

impl Outcome for Checked {
    fn status(&self) -> Status {
        match self.result {
            Some(Verdict::Pass) => Status::Pass,
            Some(Verdict::TempError) => Status::Error,
            Some(_) => Status::Fail,
            None => self.findings.status(),
        }
    }

    fn json(&self, out: &mut dyn Write) -> io::Result<()> {
        render::json::spf(
            out,
            &self.findings,
            &self.sender,
            self.item.ip,
            self.result,
            &self.report,
        )
    }

    fn text(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        render::text::spf(
            out,
            &self.findings,
            &self.sender,
            self.item.ip,
            self.result,
            &self.report,
            color,
        )
    }

    /// The findings; with an IP, check_host()'s result first, as the
    /// finding `spf.result` (its status is the item's: only pass passes).
    fn subject(&self) -> render::Subject {
        let (Some(result), Some(ip)) = (self.result, self.item.ip) else {
            return domain_subject(&self.findings, self.places.as_deref());
        };
        let mut finding = Finding::new(
            "spf.result",
            self.status(),
            format!("spf={result} for {} from {ip}", self.sender),
        );
        if let Some(record) = &self.report.record {
            finding
                .records
                .push(format!("{}. TXT \"{record}\"", self.findings.domain));
        }
        let mut report = self.findings.clone();
        report.findings.insert(0, finding);
        domain_subject(&report, self.places.as_deref())
    }
}

/// Run every SPF check; reports come out in input order.
pub async fn run(
    config: &Config,
    args: &SpfArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let default_helo = helo(args.helo.as_deref());
    let checks = match &args.batch.from_file {
        Some(source) => {
            let default_ip = args.ip;
            Batch::from_file(source, move |fields| {
                parse_line(fields, default_ip, &default_helo)
            })
            .map_err(RunError::Input)?
        }
        None => Batch::of(vec![Item {
            target: args.target.clone().unwrap_or_default(),
            ip: args.ip,
            helo: default_helo,
        }]),
    };
    let dns = Arc::new(build_dns(config)?);
    let deadline = batch::deadline(config);
    let places = record_places(config, &dns);
    let check = |item: Item| {
        let (dns, places) = (dns.clone(), places.clone());
        async move {
            let (domain, sender) = spf_identity(&item.target);
            // Any DNS name has a record to show, a single label (`corp`)
            // included; check_host() itself gives `none` for one that is not
            // a multi-label domain (RFC 7208 4.3).
            let report = if names::domain(&domain).is_ok() {
                batch::within(
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
                .unwrap_or_else(|| SpfReport::unfinished(&domain))
            } else {
                SpfReport::invalid(&domain)
            };
            Ok(Checked::new(item, domain, sender, report, places))
        }
    };
    batch::run(
        config,
        checks,
        args.batch.concurrency,
        false,
        check,
        out,
        err,
    )
    .await
}
