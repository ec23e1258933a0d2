//! `mailcheck check [--config FILE]`: every domain of a `mailcheck.toml`
//! checked as `mailcheck domain` checks it, plus the file's expectations
//! (`expect.*`) and accepted exceptions. Reports go through the same batch
//! runner and renderers as `domain`'s: one item per domain.

use super::{RunError, build_dns, domain::Checked, record_places};
use crate::{
    batch::{self, Batch, Outcome},
    check::expect::{self, DomainExpect},
    cli::CheckArgs,
    config::Config,
    exit::ExitStatus,
    render,
    report::{DomainReport, Status},
};
use std::{
    io::{self, Write},
    path::Path,
    sync::Arc,
};

/// A domain checked against its `[[domain]]` table. In SARIF the domain
/// checks are placed in the zone files (with `--zone`), and each `expect.*`
/// finding at the line of mailcheck.toml that states the expectation.
struct Expected {
    checked: Checked,
    spec: DomainExpect,
}

impl Outcome for Expected {
    fn status(&self) -> Status {
        self.checked.status()
    }

    fn json(&self, out: &mut dyn Write) -> io::Result<()> {
        self.checked.json(out)
    }

    fn text(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        self.checked.text(out, color)
    }

    fn subject(&self) -> render::Subject {
        let mut subject = self.checked.subject();
        subject.spots.resize(subject.findings.len(), None);
        let file = Path::new(&self.spec.lines.file);
        for (finding, spot) in subject.findings.iter().zip(subject.spots.iter_mut()) {
            if let Some(line) = expect::place::line(&self.spec, finding) {
                *spot = Some(render::Spot::new(file, Some(line)));
            }
        }
        subject
    }
}

/// Domains checked at once.
const CONCURRENCY: usize = 8;

/// Read the file, then check every domain; reports come out in file order.
pub async fn run(
    config: &Config,
    args: &CheckArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let expectations = expect::load(&args.config).map_err(RunError::Input)?;
    let dns = Arc::new(build_dns(config)?);
    let deadline = batch::deadline(config);
    // SARIF with --zone places each finding at its record's line.
    let places = record_places(config, &dns);
    let check = |spec: DomainExpect| {
        let (dns, places) = (dns.clone(), places.clone());
        async move {
            let report = batch::within(deadline, Box::pin(expect::check(&dns, &spec)))
                .await
                .unwrap_or_else(|| DomainReport::unfinished(&spec.name));
            Ok(Expected {
                checked: Checked { report, places },
                spec,
            })
        }
    };
    batch::run(
        config,
        Batch::of(expectations.domains),
        CONCURRENCY,
        args.strict,
        check,
        out,
        err,
    )
    .await
}
