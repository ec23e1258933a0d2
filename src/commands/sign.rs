//! `mailcheck dkim sign`: sign a message with a private key.

use super::RunError;
use crate::{cli::SignArgs, exit::ExitStatus, keys, names, verify as verifier};
use std::io::Write;

/// Sign the message; the signed message goes to `--out` or `out`.
pub fn run(args: &SignArgs, out: &mut dyn Write) -> Result<ExitStatus, RunError> {
    let message = verifier::input::read(&args.message).map_err(RunError::Input)?;
    let headers = args.headers.as_ref().map(|h| {
        h.split([':', ','])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    });
    let domain =
        names::domain(&args.domain).map_err(|e| RunError::Input(format!("--domain: {e}")))?;
    let selector = names::selector(&args.selector).map_err(RunError::Input)?;
    let signed = keys::sign(&keys::Sign {
        message: message.bytes,
        key: args.key.clone(),
        domain,
        selector,
        headers,
    })
    .map_err(|e| RunError::Input(e.to_string()))?;
    match &args.out {
        Some(path) => keys::write_new(path, &signed, 0o644, args.force)
            .map_err(|e| RunError::Input(e.to_string()))?,
        None => out.write_all(&signed)?,
    }
    Ok(ExitStatus::Success)
}
