//! `mailcheck mta-sts DOMAIN`: the `mta-sts.*` checks of `mailcheck domain`
//! on their own (the checks are in `check::mta_sts`).

use super::{
    RunError, build_dns, domain::https_options, domain_subject, record_places, write_document,
};
use crate::{
    check,
    cli::MtaStsArgs,
    config::{Config, Output},
    exit::ExitStatus,
    names, render,
    report::DomainReport,
};
use std::{io::Write, time::Duration};

/// Check the domain's MTA-STS record, policy and MX coverage.
pub async fn run(
    config: &Config,
    args: &MtaStsArgs,
    timeout: Duration,
    out: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let domain = names::domain(&args.domain).map_err(RunError::Input)?;
    let https = https_options(&args.https, timeout)?;
    let dns = build_dns(config)?;
    let work = check::mta_sts::check(&dns, &domain, &https);
    let findings = match config.deadline {
        Some(d) => match tokio::time::timeout(d, work).await {
            Ok(f) => f,
            Err(_) => DomainReport::unfinished(&domain).findings,
        },
        None => work.await,
    };
    let report = DomainReport { domain, findings };
    match config.output {
        Output::Json => render::json::domain(out, &report)?,
        Output::Text { color } => render::text::domain(out, &report, color)?,
        Output::Sarif | Output::Junit => {
            let places = record_places(config, &dns);
            write_document(
                out,
                config,
                domain_subject(&report, places.as_deref()),
                args.strict,
            )?
        }
    }
    Ok(ExitStatus::of(&[report.status()], args.strict))
}
