//! `mailcheck check [--config FILE]`: every domain of a `mailcheck.toml`
//! checked as `mailcheck domain` checks it, plus the file's expectations
//! (`expect.*`) and accepted exceptions. Reports go through the same batch
//! runner and renderers as `domain`'s: one item per domain.

use super::{RunError, build_dns, domain::Checked, record_places};
use crate::{
    batch::{self, Batch},
    check::expect::{self, DomainExpect},
    cli::CheckArgs,
    config::Config,
    exit::ExitStatus,
    report::DomainReport,
};
use std::{io::Write, sync::Arc};

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
            Ok(Checked { report, places })
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
