//! `mailcheck dkim keygen`: generate a key pair, write the private key and
//! print the TXT record to publish.

use super::RunError;
use crate::{
    cli::KeygenArgs,
    config::{Config, Output},
    exit::ExitStatus,
    keys, names, render,
};
use std::io::Write;

/// Generate the key and print its record (zone-file text, or JSON).
pub fn run(
    config: &Config,
    args: &KeygenArgs,
    out: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    let domain =
        names::domain(&args.domain).map_err(|e| RunError::Input(format!("--domain: {e}")))?;
    let selector = names::selector(&args.selector).map_err(RunError::Input)?;
    let key = keys::keygen(&keys::Keygen {
        domain,
        selector,
        algorithm: args.algorithm,
        out: args.out.clone(),
        force: args.force,
    })
    .map_err(|e| RunError::Input(e.to_string()))?;
    match config.output {
        Output::Json => render::json::keygen(out, &key)?,
        // SARIF and JUnit are refused before the command runs.
        Output::Text { .. } | Output::Sarif | Output::Junit => render::text::keygen(out, &key)?,
    }
    Ok(ExitStatus::Success)
}
