//! `mailcheck verify MESSAGE...` (or `--from-file`): would a receiver accept
//! each message from the given connection?

use super::{RunError, build_dns, helo};
use crate::{
    auth::Auth,
    batch::{self, Batch, Outcome},
    cli::VerifyArgs,
    config::Config,
    exit::ExitStatus,
    render,
    report::Status,
    verify::{self as verifier, Envelope, VerifyReport},
};
use std::{
    io::{self, Write},
    net::{IpAddr, Ipv4Addr},
    sync::Arc,
};

impl Outcome for VerifyReport {
    fn status(&self) -> Status {
        VerifyReport::status(self)
    }

    fn json(&self, out: &mut dyn Write) -> io::Result<()> {
        render::json::verify(out, self)
    }

    fn text(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        render::text::verify(out, self, color)
    }
}

/// One message to verify and the connection it came on.
struct Item {
    label: String,
    envelope: Envelope,
}

/// A batch line: `PATH [IP [HELO [MAIL-FROM]]]`; missing fields come from
/// the command line (`base`, and `default_ip` when `--ip` was given).
fn parse_line(
    fields: &[String],
    base: &Envelope,
    default_ip: Option<IpAddr>,
) -> Result<Item, String> {
    batch::at_most(fields, 4, "PATH [IP [HELO [MAIL-FROM]]]")?;
    let mut envelope = base.clone();
    envelope.ip = match fields.get(1) {
        Some(ip) => batch::ip_field(ip)?,
        None => default_ip.ok_or("no IP: give one on the line or with --ip")?,
    };
    if let Some(h) = fields.get(2) {
        envelope.helo = helo(Some(h));
    }
    if let Some(m) = fields.get(3) {
        envelope.mail_from = Some(m.clone());
    }
    Ok(Item {
        label: fields[0].clone(),
        envelope,
    })
}

/// Verify every message; reports come out in input order.
pub async fn run(
    config: &Config,
    args: &VerifyArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, RunError> {
    if args.messages.iter().filter(|m| *m == "-").count() > 1 {
        return Err(RunError::Input(
            "standard input (-) can be read only once".into(),
        ));
    }
    let base = Envelope {
        ip: args.ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        helo: helo(args.helo.as_deref()),
        mail_from: args.mail_from.clone(),
        authserv_id: args.authserv_id.clone().unwrap_or_else(host_name),
    };
    let messages = match &args.batch.from_file {
        Some(source) => {
            let default_ip = args.ip;
            Batch::from_file(source, move |fields| parse_line(fields, &base, default_ip))
                .map_err(RunError::Input)?
        }
        None => {
            if args.ip.is_none() {
                return Err(RunError::Input(
                    "--ip is required (the address the message came from)".into(),
                ));
            }
            Batch::of(
                args.messages
                    .iter()
                    .map(|m| Item {
                        label: m.clone(),
                        envelope: base.clone(),
                    })
                    .collect(),
            )
        }
    };
    let dns = Arc::new(Auth::new(build_dns(config)?).map_err(RunError::Input)?);
    let deadline = batch::deadline(config);
    let check = |item: Item| {
        let dns = dns.clone();
        async move {
            let message = verifier::input::read(&item.label)?;
            match batch::within(
                deadline,
                Box::pin(verifier::verify(&dns, &message, &item.envelope)),
            )
            .await
            {
                Some(report) => report,
                None => Ok(VerifyReport::unfinished(&item.label)),
            }
        }
    };
    batch::run(
        config,
        messages,
        args.batch.concurrency,
        false,
        check,
        out,
        err,
    )
    .await
}

/// This host's name (gethostname(2)), the default authserv-id; `localhost`
/// when the system has none.
#[cfg(target_os = "linux")]
pub(crate) fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    match std::str::from_utf8(&buf[..end]) {
        Ok(name) if ok && !name.trim().is_empty() => name.trim().to_string(),
        _ => "localhost".into(),
    }
}

/// This host's name, the default authserv-id (`localhost` off Linux).
#[cfg(not(target_os = "linux"))]
pub(crate) fn host_name() -> String {
    "localhost".into()
}
