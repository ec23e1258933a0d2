//! `mailcheck dmarc DOMAIN`: find the DMARC policy that applies and explain it.

use super::{RunError, build_dns};
use crate::{
    check,
    cli::DmarcArgs,
    config::{Config, Output},
    exit::ExitStatus,
    names, render,
    report::DomainReport,
};
use serde_json::{Map, Value, json};
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
    Ok(ExitStatus::of(&[report.status()], false))
}
