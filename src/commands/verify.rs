//! `mailcheck verify MESSAGE...` (or `--from-file`): would a receiver accept
//! each message from the given connection?

use super::{RunError, build_dns, helo};
use crate::{
    auth::Auth,
    batch::{self, Batch, Outcome},
    cli::VerifyArgs,
    config::{Config, Output},
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

    fn subject(&self) -> render::Subject {
        render::Subject::message(self)
    }
}

/// A verified message and, for SARIF, the lines of its header fields.
struct Verified {
    report: VerifyReport,
    lines: Option<HeaderLines>,
    /// With `--json`: the report's JSON line, written by the task that
    /// verified the message, so the thread that writes results in order
    /// only copies bytes and both cores share the serialising.
    json: Option<Vec<u8>>,
}

/// Where a message's verdicts point in its file: the lines of its From,
/// Return-Path and DKIM-Signature fields (in header order).
#[derive(Debug, Default, PartialEq, Eq)]
struct HeaderLines {
    from: Option<usize>,
    return_path: Option<usize>,
    dkim: Vec<usize>,
}

impl HeaderLines {
    /// Read from the message's header block; nothing when it is not one.
    fn of(message: &[u8]) -> HeaderLines {
        let mut lines = HeaderLines::default();
        for field in crate::message::header_fields(message).unwrap_or_default() {
            let is = |name: &str| field.name.eq_ignore_ascii_case(name.as_bytes());
            if is("From") {
                lines.from.get_or_insert(field.line);
            } else if is("Return-Path") {
                lines.return_path.get_or_insert(field.line);
            } else if is("DKIM-Signature") {
                lines.dkim.push(field.line);
            }
        }
        lines
    }
}

impl Outcome for Verified {
    fn status(&self) -> Status {
        self.report.status()
    }

    fn json(&self, out: &mut dyn Write) -> io::Result<()> {
        match &self.json {
            Some(line) => out.write_all(line),
            None => self.report.json(out),
        }
    }

    fn text(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        self.report.text(out, color)
    }

    /// The verdicts as findings, placed in the message file (not standard
    /// input): `spf.result` at Return-Path, each `dkim.signature` at its
    /// DKIM-Signature, `dmarc.result` (and the note that there is no
    /// signature) at From.
    fn subject(&self) -> render::Subject {
        let mut subject = render::Subject::message(&self.report);
        let Some(lines) = &self.lines else {
            return subject;
        };
        let file = std::path::Path::new(&self.report.message);
        let mut dkim = lines.dkim.iter();
        subject.spots = subject
            .findings
            .iter()
            .map(|f| {
                let line = match f.name.as_str() {
                    "spf.result" => lines.return_path,
                    "dkim.signature" if !self.report.dkim.is_empty() => dkim.next().copied(),
                    _ => lines.from,
                };
                Some(render::Spot::new(file, line))
            })
            .collect();
        subject
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
    let sarif = config.output == Output::Sarif;
    let json = config.output == Output::Json;
    let check = |item: Item| {
        let dns = dns.clone();
        async move {
            let message = verifier::input::read(&item.label)?;
            let report = match batch::within(
                deadline,
                Box::pin(verifier::verify(&dns, &message, &item.envelope)),
            )
            .await
            {
                Some(report) => report?,
                None => VerifyReport::unfinished(&item.label),
            };
            let lines = (sarif && item.label != "-").then(|| HeaderLines::of(&message.bytes));
            drop(message);
            let json = json
                .then(|| {
                    let mut line = Vec::with_capacity(2048);
                    render::json::verify(&mut line, &report).map(|()| line)
                })
                .transpose()
                .map_err(|e| format!("{}: cannot write the report: {e}", item.label))?;
            Ok(Verified {
                report,
                lines,
                json,
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_of_a_message() {
        let message =
            b"Return-Path: <a@example.com>\r\nDKIM-Signature: v=1;\r\n  d=example.com\r\n\
            From: a@example.com\r\ndkim-signature: v=1\r\n\r\nFrom: body\r\n";
        let lines = HeaderLines::of(message);
        assert_eq!(
            lines,
            HeaderLines {
                from: Some(4),
                return_path: Some(1),
                dkim: vec![2, 5],
            }
        );
        assert_eq!(HeaderLines::of(b"  bad\r\n"), HeaderLines::default());
    }
}
