//! `mailcheck dkim DOMAIN --selector S...`: check DKIM key records.

use super::{RunError, build_dns, domain_subject, record_places, write_document};
use crate::{
    check,
    cli::DkimArgs,
    config::{Config, Output},
    exit::ExitStatus,
    names, render,
    report::DomainReport,
};
use std::io::Write;

/// Check the key record of every selector given.
pub async fn run(
    config: &Config,
    args: &DkimArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let domain =
        names::domain(args.domain.as_deref().unwrap_or_default()).map_err(RunError::Input)?;
    let selectors = names::selectors(&args.selectors).map_err(RunError::Input)?;
    let dns = build_dns(config)?;
    let findings = check::dkim::check(&dns, &domain, &selectors).await;
    let report = DomainReport { domain, findings };
    match config.output {
        Output::Json => render::json::dkim(out, &report, &selectors)?,
        Output::Text { color } => render::text::domain(out, &report, color)?,
        Output::Sarif | Output::Junit => {
            let places = record_places(config, &dns);
            write_document(
                out,
                config,
                domain_subject(&report, places.as_deref()),
                false,
            )?
        }
    }
    Ok(ExitStatus::of(&[report.status()], false))
}
