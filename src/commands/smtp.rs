//! `mailcheck smtp DOMAIN|HOST[:PORT]`: probe the MX hosts of a domain (or
//! one host) over SMTP; the checks are in `check::smtp`.

use super::{RunError, build_dns, domain_subject, verify::host_name, write_document};
use crate::{
    check::smtp::{self, ConnectTo, Options, Target},
    cli::SmtpArgs,
    config::{Config, Output},
    exit::ExitStatus,
    names, render,
    report::DomainReport,
};
use std::{io::Write, net::IpAddr, sync::Arc, time::Duration};

/// Probe the target; exit 3 when nothing failed but a host could not be
/// reached (often outbound port 25 is blocked).
pub async fn run(
    config: &Config,
    args: &SmtpArgs,
    timeout: Duration,
    out: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let target = target(&args.target).map_err(RunError::Input)?;
    let connect_to = args
        .connect_to
        .iter()
        .map(|r| ConnectTo::parse(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(RunError::Input)?;
    let roots = smtp::roots(args.ca.as_deref()).map_err(RunError::Input)?;
    let ehlo = match &args.ehlo {
        Some(name) => names::domain(name).map_err(|e| RunError::Input(format!("--ehlo: {e}")))?,
        None => host_name(),
    };
    let dns = build_dns(config)?;
    let options = Options {
        ehlo,
        timeout,
        connect_to,
        roots: Arc::new(roots),
    };
    let work = smtp::check(&dns, &target, &options);
    let (findings, probes) = match config.deadline {
        Some(d) => match tokio::time::timeout(d, work).await {
            Ok(r) => r,
            Err(_) => (DomainReport::unfinished(&target.name).findings, Vec::new()),
        },
        None => work.await,
    };
    let report = DomainReport {
        domain: target.name.clone(),
        findings,
    };
    match config.output {
        Output::Json => render::json::smtp(out, &report, &probes)?,
        Output::Text { color } => render::text::smtp(out, &report, &probes, color)?,
        // Findings about servers, not records: placed by the target's name.
        Output::Sarif | Output::Junit => {
            write_document(out, config, domain_subject(&report, None), false)?
        }
    }
    Ok(ExitStatus::of(&[report.status()], false))
}

/// `DOMAIN`, `HOST:PORT`, an IP, or `[IPv6]:PORT`.
fn target(text: &str) -> Result<Target, String> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(Target {
            name: ip.to_string(),
            port: None,
        });
    }
    if let Ok(sa) = text.parse::<std::net::SocketAddr>() {
        return Ok(Target {
            name: sa.ip().to_string(),
            port: Some(sa.port()),
        });
    }
    let (name, port) =
        match text.rsplit_once(':') {
            Some((n, p)) => (
                n,
                Some(p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                    format!("'{text}': the port must be a number from 1 to 65535")
                })?),
            ),
            None => (text, None),
        };
    Ok(Target {
        name: names::domain(name)?,
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = target("MX.Example.com:2525").unwrap();
        assert_eq!((t.name.as_str(), t.port), ("mx.example.com", Some(2525)));
        let t = target("example.com").unwrap();
        assert_eq!((t.name.as_str(), t.port), ("example.com", None));
        let t = target("[::1]:25").unwrap();
        assert_eq!((t.name.as_str(), t.port), ("::1", Some(25)));
        assert_eq!(target("192.0.2.1").unwrap().port, None);
        for bad in ["mx.example:0", "mx.example:x", "bad host", ""] {
            assert!(target(bad).is_err(), "{bad}");
        }
    }
}
