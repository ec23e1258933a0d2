//! `mailcheck dmarc DOMAIN`: find the DMARC policy that applies and explain it.

use super::{RunError, build_dns, domain_subject, record_places, write_document};
use crate::{
    check,
    cli::DmarcArgs,
    config::{Config, Output},
    exit::ExitStatus,
    names, render,
    report::DomainReport,
};
use std::io::Write;

/// Check the domain's DMARC policy; the JSON and text reports add the tree
/// walk and the tags of the record that applies.
pub async fn run(
    config: &Config,
    args: &DmarcArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let domain = names::domain(&args.domain).map_err(RunError::Input)?;
    let dns = build_dns(config)?;
    let (findings, discovery) = tokio::join!(
        check::dmarc::check(&dns, &domain),
        check::dmarc::discover(&dns, &domain)
    );
    let report = DomainReport {
        domain: domain.clone(),
        findings,
    };
    let discovery = discovery.as_ref().ok();
    match config.output {
        Output::Json => render::json::dmarc(out, &report, discovery)?,
        Output::Text { color } => render::text::dmarc(out, &report, discovery, color)?,
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
