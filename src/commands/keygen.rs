//! `mailcheck dkim keygen`: generate a key pair, write the private key and
//! print the TXT record to publish.

use super::RunError;
use crate::{
    cli::KeygenArgs,
    config::{Config, Output},
    exit::ExitStatus,
    keys, names,
};
use serde_json::json;
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
        Output::Json => {
            let value = json!({
                "key_file": key.path,
                "algorithm": key.algorithm.to_string(),
                "bits": key.bits,
                "name": key.name,
                "record": key.record,
                "strings": key.strings,
                "zone": key.zone_text,
            });
            serde_json::to_writer(&mut *out, &value).map_err(|e| RunError::Io(e.into()))?;
            writeln!(out)?;
        }
        Output::Text { .. } => {
            writeln!(
                out,
                "; private key written to {} (mode 0600)",
                key.path.display()
            )?;
            writeln!(out, "; publish this TXT record at {}:", key.name)?;
            writeln!(out, "{}", key.zone_text.trim_end())?;
        }
    }
    Ok(ExitStatus::Success)
}
