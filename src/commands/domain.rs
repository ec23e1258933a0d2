//! `mailcheck domain DOMAIN...` (or `--from-file`): every check of a domain's
//! mail DNS.

use super::{RunError, build_dns, domain_subject, helo, record_places};
use crate::{
    batch::{self, Batch, Outcome},
    check::{
        self, DomainOptions,
        https::HttpsOptions,
        smtp::{ConnectTo, roots},
    },
    cli::{DomainArgs, HttpsArgs},
    config::Config,
    dns::zone::RecordPlaces,
    exit::ExitStatus,
    names, render,
    report::{DomainReport, Status},
};
use std::{
    io::{self, Write},
    sync::Arc,
    time::Duration,
};

impl Outcome for DomainReport {
    fn status(&self) -> Status {
        DomainReport::status(self)
    }

    fn json(&self, out: &mut dyn Write) -> io::Result<()> {
        render::json::domain(out, self)
    }

    fn text(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        render::text::domain(out, self, color)
    }

    fn subject(&self) -> render::Subject {
        render::Subject::domain(self)
    }
}

/// A checked domain, and where its records were read (SARIF with `--zone`).
/// `check` reports its domains the same way.
pub(crate) struct Checked {
    pub(crate) report: DomainReport,
    pub(crate) places: Option<Arc<RecordPlaces>>,
}

impl Outcome for Checked {
    fn status(&self) -> Status {
        self.report.status()
    }

    fn json(&self, out: &mut dyn Write) -> io::Result<()> {
        self.report.json(out)
    }

    fn text(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        self.report.text(out, color)
    }

    fn subject(&self) -> render::Subject {
        domain_subject(&self.report, self.places.as_deref())
    }
}

/// Check every domain; reports come out in input order.
pub async fn run(
    config: &Config,
    args: &DomainArgs,
    timeout: Duration,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let selectors = names::selectors(&args.selectors).map_err(RunError::Input)?;
    let domains = match &args.batch.from_file {
        Some(source) => Batch::from_file(source, |fields| {
            batch::at_most(fields, 1, "one domain")?;
            names::domain(&fields[0])
        })
        .map_err(RunError::Input)?,
        None => Batch::of(
            args.domains
                .iter()
                .map(|d| names::domain(d))
                .collect::<Result<Vec<_>, _>>()
                .map_err(RunError::Input)?,
        ),
    };
    // SPF is evaluated by mailcheck itself: mail-auth evaluates nothing here.
    let dns = Arc::new(build_dns(config)?);
    let anchors = match &args.trust_anchor {
        Some(path) => crate::dnssec::Anchors::load(path).map_err(RunError::Input)?,
        None => crate::dnssec::Anchors::root(),
    };
    let options = Arc::new(DomainOptions {
        selectors,
        ip: args.ip,
        helo: helo(args.helo.as_deref()),
        anchors: Arc::new(anchors),
        https: https_options(&args.https, timeout)?,
    });
    let deadline = batch::deadline(config);
    let places = record_places(config, &dns);
    let check = |domain: String| {
        let (dns, options, places) = (dns.clone(), options.clone(), places.clone());
        async move {
            let report = batch::within(
                deadline,
                Box::pin(check::check_domain(&dns, &domain, &options)),
            )
            .await
            .unwrap_or_else(|| DomainReport::unfinished(&domain));
            Ok(Checked { report, places })
        }
    };
    batch::run(
        config,
        domains,
        args.batch.concurrency,
        args.strict,
        check,
        out,
        err,
    )
    .await
}

/// `--ca`, `--connect-to` and `--timeout` for the HTTPS fetches (MTA-STS
/// policy, BIMI logo).
pub(crate) fn https_options(args: &HttpsArgs, timeout: Duration) -> Result<HttpsOptions, RunError> {
    let connect_to = args
        .connect_to
        .iter()
        .map(|r| ConnectTo::parse(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(RunError::Input)?;
    let roots = roots(args.ca.as_deref()).map_err(RunError::Input)?;
    Ok(HttpsOptions {
        timeout,
        connect_to,
        roots: Arc::new(roots),
    })
}
