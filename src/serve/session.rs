//! One SMTP connection (RFC 5321 4.1): the command loop, the DATA phase and
//! delivery. Replies carry RFC 3463 enhanced status codes (RFC 2034).

use super::{Action, Receipt, Verdict, folded_field, maildir::Maildir, received_spf, rfc5322_date};
use crate::{
    auth::Auth,
    verify::{self, Envelope, PolicyWord, SpfVerdict, VerifyReport, input::Message},
};
use smtp_proto::{Error as ParseError, Request};
use std::{
    future::pending,
    io,
    net::IpAddr,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader},
    sync::{mpsc, watch},
    time::timeout,
};

/// The longest command line accepted, CRLF included. RFC 5321 4.5.3.1.4
/// sets 512; the MAIL parameters of SIZE, SMTPUTF8 and 8BITMIME fit well
/// inside twice that.
pub const MAX_COMMAND_LINE: usize = 1024;
/// How long writing a reply may take before the client is given up.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);
/// Errors (5xx replies to commands) a client may make before it is cut off.
pub const MAX_ERRORS: u32 = 10;
/// Recipients per transaction (RFC 5321 4.5.3.1.8: at least 100).
pub const MAX_RECIPIENTS: usize = 100;
/// How long DKIM, ARC and DMARC may take for one message.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(120);

/// A byte stream a session runs over: TCP, or TLS over TCP.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// What every session shares.
pub struct Server {
    /// The DNS and mail-auth state of `verify`.
    pub auth: Arc<Auth>,
    /// Where messages go; `None`: they are accepted and not stored.
    pub maildir: Option<Maildir>,
    /// Apply the DMARC disposition (reject: 550; quarantine: the quarantine folder).
    pub enforce: bool,
    /// This server's name (greeting, Received, authserv-id).
    pub host: String,
    /// The SIZE limit in bytes.
    pub max_size: usize,
    /// How long to wait for a command, a line of data or the TLS handshake.
    pub idle_timeout: Duration,
    /// The STARTTLS acceptor, when a certificate was given.
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// Each verdict goes here, to be printed.
    pub verdicts: mpsc::UnboundedSender<Verdict>,
}

/// One line read from the client.
enum Line {
    /// A line ending in LF, in the buffer.
    Full,
    /// A line longer than the limit; it was read and discarded.
    TooLong,
    /// The client closed the connection (a partial last line is dropped).
    Eof,
}

/// Read one line of at most `max` bytes into `buf`. A longer line is
/// consumed up to its LF without being kept, so memory stays bounded.
async fn read_line<R: AsyncBufReadExt + Unpin>(
    r: &mut R,
    max: usize,
    buf: &mut Vec<u8>,
) -> io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    loop {
        let avail = r.fill_buf().await?;
        if avail.is_empty() {
            return Ok(Line::Eof);
        }
        let (take, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        if !too_long {
            if buf.len() + take > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&avail[..take]);
            }
        }
        r.consume(take);
        if done {
            return Ok(if too_long { Line::TooLong } else { Line::Full });
        }
    }
}

/// The open transaction (RFC 5321 3.3).
struct Transaction {
    mail_from: String,
    spf: SpfVerdict,
    /// SPF for the HELO identity, when MAIL FROM named a sender.
    helo_spf: Option<SpfVerdict>,
    rcpt_to: Vec<String>,
}

/// How a session ends.
enum End {
    /// QUIT, or the client went away.
    Closed,
    /// Upgrade to TLS (STARTTLS accepted).
    StartTls,
}

/// Serve one connection until it ends. `shutdown` turns true when the server
/// stops: a session waiting for a command outside a transaction then says
/// 421 and closes; one inside a transaction finishes it first.
pub async fn serve(
    server: Arc<Server>,
    stream: Box<dyn Io>,
    ip: IpAddr,
    shutdown: watch::Receiver<bool>,
    greet: bool,
    tls: bool,
) {
    let mut session = Session {
        server,
        reader: BufReader::new(stream),
        out: Vec::new(),
        ip,
        helo: None,
        helo_spf: None,
        esmtp: false,
        tls,
        tx: None,
        errors: 0,
        shutdown,
    };
    if greet {
        let host = session.server.host.clone();
        session.reply(220, &format!("{host} ESMTP mailcheck"));
    }
    match session.run().await {
        Ok(End::StartTls) => {
            let Some(acceptor) = session.server.tls.clone() else {
                return;
            };
            // RFC 3207 4.2: anything the client pipelined after STARTTLS is
            // discarded with the plaintext state.
            let stream = session.reader.into_inner();
            match timeout(session.server.idle_timeout, acceptor.accept(stream)).await {
                Ok(Ok(tls_stream)) => {
                    Box::pin(serve(
                        session.server,
                        Box::new(tls_stream),
                        ip,
                        session.shutdown,
                        false,
                        true,
                    ))
                    .await;
                }
                Ok(Err(e)) => eprintln!("mailcheck: {ip}: TLS handshake failed: {e}"),
                Err(_) => eprintln!("mailcheck: {ip}: TLS handshake timed out"),
            }
        }
        Ok(End::Closed) | Err(_) => {}
    }
}

struct Session {
    server: Arc<Server>,
    reader: BufReader<Box<dyn Io>>,
    out: Vec<u8>,
    ip: IpAddr,
    helo: Option<String>,
    /// SPF for the HELO identity of the current HELO name (RFC 7208 2.3),
    /// evaluated at the first MAIL FROM that names a sender.
    helo_spf: Option<SpfVerdict>,
    esmtp: bool,
    tls: bool,
    tx: Option<Transaction>,
    errors: u32,
    shutdown: watch::Receiver<bool>,
}

impl Session {
    /// Queue a one-line reply.
    fn reply(&mut self, code: u16, text: &str) {
        self.out
            .extend_from_slice(format!("{code} {text}\r\n").as_bytes());
    }

    /// Queue an error reply and count it.
    fn error(&mut self, code: u16, text: &str) {
        self.errors += 1;
        self.reply(code, text);
    }

    /// Send what is queued.
    async fn flush(&mut self) -> io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let out = std::mem::take(&mut self.out);
        let w = self.reader.get_mut();
        match timeout(WRITE_TIMEOUT, async {
            w.write_all(&out).await?;
            w.flush().await
        })
        .await
        {
            Ok(r) => r,
            Err(_) => Err(io::ErrorKind::TimedOut.into()),
        }
    }

    async fn run(&mut self) -> io::Result<End> {
        let mut line = Vec::with_capacity(256);
        loop {
            if self.errors >= MAX_ERRORS {
                self.reply(421, "4.7.0 Too many errors, closing the connection");
                self.flush().await?;
                return Ok(End::Closed);
            }
            // PIPELINING (RFC 2920 3.1): replies to a group of commands go
            // out together, when no more input is waiting.
            if self.reader.buffer().is_empty() {
                self.flush().await?;
            }
            let in_tx = self.tx.is_some();
            let mut shutdown = self.shutdown.clone();
            let stop = async move {
                if in_tx {
                    pending::<()>().await;
                }
                let _ = shutdown.wait_for(|s| *s).await;
            };
            let read = tokio::select! {
                biased;
                _ = stop => {
                    self.reply(421, "4.3.2 Server shutting down, try again later");
                    self.flush().await?;
                    return Ok(End::Closed);
                }
                r = timeout(self.server.idle_timeout, read_line(&mut self.reader, MAX_COMMAND_LINE, &mut line)) => r,
            };
            match read {
                Err(_) => {
                    self.reply(
                        421,
                        "4.4.2 Timeout waiting for a command, closing the connection",
                    );
                    self.flush().await?;
                    return Ok(End::Closed);
                }
                Ok(Err(e)) => return Err(e),
                Ok(Ok(Line::Eof)) => return Ok(End::Closed),
                Ok(Ok(Line::TooLong)) => self.error(500, "5.5.2 Line too long"),
                Ok(Ok(Line::Full)) => {
                    let parsed = Request::parse(&mut line.iter()).map(Request::into_owned);
                    match parsed {
                        Ok(request) => {
                            if let Some(end) = self.command(request).await? {
                                self.flush().await?;
                                return Ok(end);
                            }
                        }
                        Err(e) => self.parse_error(e),
                    }
                }
            }
        }
    }

    fn parse_error(&mut self, e: ParseError) {
        match e {
            ParseError::UnknownCommand => self.error(500, "5.5.2 Command not recognized"),
            ParseError::InvalidSenderAddress => self.error(501, "5.1.7 Bad sender address syntax"),
            ParseError::InvalidRecipientAddress => {
                self.error(501, "5.1.3 Bad recipient address syntax")
            }
            ParseError::SyntaxError { syntax } => {
                self.error(501, &format!("5.5.4 Syntax: {syntax}"))
            }
            ParseError::InvalidParameter { param } => {
                self.error(501, &format!("5.5.4 Invalid parameter {param}"))
            }
            ParseError::UnsupportedParameter { param } => {
                let param: String = param
                    .chars()
                    .filter(|c| c.is_ascii_graphic())
                    .take(64)
                    .collect();
                self.error(555, &format!("5.5.4 Unsupported parameter {param}"))
            }
            _ => self.error(500, "5.5.2 Syntax error"),
        }
    }

    /// Handle one command; `Some` ends the session.
    async fn command(&mut self, request: Request<String>) -> io::Result<Option<End>> {
        match request {
            Request::Ehlo { host } => {
                self.tx = None;
                self.helo = Some(host);
                self.helo_spf = None;
                self.esmtp = true;
                let mut lines = vec![
                    self.server.host.clone(),
                    "PIPELINING".into(),
                    "8BITMIME".into(),
                    "SMTPUTF8".into(),
                    "ENHANCEDSTATUSCODES".into(),
                    format!("SIZE {}", self.server.max_size),
                ];
                if self.server.tls.is_some() && !self.tls {
                    lines.push("STARTTLS".into());
                }
                let last = lines.len() - 1;
                for (i, l) in lines.iter().enumerate() {
                    let sep = if i == last { ' ' } else { '-' };
                    self.out
                        .extend_from_slice(format!("250{sep}{l}\r\n").as_bytes());
                }
            }
            Request::Helo { host } => {
                self.tx = None;
                self.helo = Some(host);
                self.helo_spf = None;
                self.esmtp = false;
                let h = self.server.host.clone();
                self.reply(250, &h);
            }
            Request::Lhlo { .. } => self.error(500, "5.5.1 LHLO is for LMTP; this is SMTP"),
            Request::StartTls => {
                if self.tls {
                    self.error(503, "5.5.1 TLS already active");
                } else if self.server.tls.is_none() {
                    self.error(502, "5.5.1 STARTTLS not offered (no certificate)");
                } else {
                    self.reply(220, "2.0.0 Ready to start TLS");
                    return Ok(Some(End::StartTls));
                }
            }
            Request::Mail { from } => self.mail(from).await,
            Request::Rcpt { to } => {
                if self.tx.is_none() {
                    self.error(503, "5.5.1 Need MAIL before RCPT");
                } else if self
                    .tx
                    .as_ref()
                    .is_some_and(|t| t.rcpt_to.len() >= MAX_RECIPIENTS)
                {
                    self.reply(452, "4.5.3 Too many recipients");
                } else if to.address.is_empty() {
                    self.error(501, "5.1.3 Empty recipient");
                } else {
                    if let Some(t) = self.tx.as_mut() {
                        t.rcpt_to.push(to.address);
                    }
                    self.reply(250, "2.1.5 Recipient OK");
                }
            }
            Request::Data => match &self.tx {
                None => self.error(503, "5.5.1 Need MAIL before DATA"),
                Some(t) if t.rcpt_to.is_empty() => self.error(503, "5.5.1 Need RCPT before DATA"),
                Some(_) => {
                    self.reply(354, "Start mail input; end with <CRLF>.<CRLF>");
                    self.flush().await?;
                    if !self.data().await? {
                        return Ok(Some(End::Closed));
                    }
                }
            },
            Request::Bdat { .. } => self.error(502, "5.5.1 CHUNKING is not offered"),
            Request::Rset => {
                self.tx = None;
                self.reply(250, "2.0.0 OK");
            }
            Request::Noop { .. } => self.reply(250, "2.0.0 OK"),
            // RFC 5321 3.5.3: 252 when the server will accept the message
            // but does not verify the address.
            Request::Vrfy { .. } => self.reply(
                252,
                "2.5.0 Cannot VRFY user, but will accept message and attempt delivery",
            ),
            Request::Quit => {
                self.reply(221, "2.0.0 Bye");
                return Ok(Some(End::Closed));
            }
            Request::Auth { .. }
            | Request::Expn { .. }
            | Request::Help { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. } => self.error(502, "5.5.1 Command not implemented"),
        }
        Ok(None)
    }

    /// MAIL FROM: open a transaction and evaluate SPF for it.
    async fn mail(&mut self, from: smtp_proto::MailFrom<String>) {
        let Some(helo) = self.helo.clone() else {
            self.error(503, "5.5.1 Say EHLO or HELO first");
            return;
        };
        if self.tx.is_some() {
            self.error(503, "5.5.1 Nested MAIL command");
            return;
        }
        if from.size > self.server.max_size {
            self.error(
                552,
                &format!(
                    "5.3.4 Message size exceeds the fixed maximum of {} bytes",
                    self.server.max_size
                ),
            );
            return;
        }
        let mail_from = from.address;
        // RFC 7208 2.4: with a null reverse-path, check_host() runs for the
        // HELO identity.
        let spf = verify::spf_at_mail_from(
            self.server.auth.dns(),
            self.ip,
            Some(mail_from.as_str()).filter(|m| !m.is_empty()),
            Some(helo.as_str()),
            &self.server.host,
        )
        .await;
        // RFC 7208 2.3: the HELO identity is checked too; with a null
        // reverse-path it already was, as the transaction's SPF.
        let helo_spf = if mail_from.is_empty() {
            None
        } else {
            if self.helo_spf.is_none() {
                self.helo_spf = Some(
                    verify::spf_at_mail_from(
                        self.server.auth.dns(),
                        self.ip,
                        None,
                        Some(helo.as_str()),
                        &self.server.host,
                    )
                    .await,
                );
            }
            self.helo_spf.clone()
        };
        let word = spf.result.word();
        self.tx = Some(Transaction {
            mail_from,
            spf,
            helo_spf,
            rcpt_to: Vec::new(),
        });
        self.reply(250, &format!("2.1.0 Sender OK (SPF {word})"));
    }

    /// The DATA phase: read the message, authenticate, store, reply.
    /// `false` when the client went away.
    async fn data(&mut self) -> io::Result<bool> {
        let max = self.server.max_size;
        let mut message: Vec<u8> = Vec::new();
        let mut line = Vec::with_capacity(1024);
        let mut oversized = false;
        loop {
            // A line may be as long as what is left of the size budget.
            let room = (max + 2).saturating_sub(message.len()).max(3);
            let read = timeout(
                self.server.idle_timeout,
                read_line(&mut self.reader, room, &mut line),
            )
            .await;
            match read {
                Err(_) => {
                    self.reply(
                        421,
                        "4.4.2 Timeout waiting for data, closing the connection",
                    );
                    self.flush().await?;
                    return Ok(false);
                }
                Ok(Err(e)) => return Err(e),
                Ok(Ok(Line::Eof)) => return Ok(false),
                Ok(Ok(Line::TooLong)) => oversized = true,
                Ok(Ok(Line::Full)) => {
                    let content = line
                        .strip_suffix(b"\n")
                        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
                        .unwrap_or(&line);
                    if content == b"." {
                        break;
                    }
                    if oversized {
                        continue;
                    }
                    // RFC 5321 4.5.2: a leading dot was doubled by the client.
                    let content = content.strip_prefix(b".").unwrap_or(content);
                    if message.len() + content.len() + 2 > max {
                        oversized = true;
                        message = Vec::new();
                        continue;
                    }
                    message.extend_from_slice(content);
                    message.extend_from_slice(b"\r\n");
                }
            }
        }
        let Some(tx) = self.tx.take() else {
            return Ok(true);
        };
        if oversized {
            self.error(
                552,
                &format!("5.3.4 Message size exceeds the fixed maximum of {max} bytes"),
            );
            return Ok(true);
        }
        self.finish(tx, message).await;
        Ok(true)
    }

    /// Authenticate, enforce, store, and queue the reply.
    async fn finish(&mut self, tx: Transaction, bytes: Vec<u8>) {
        let server = self.server.clone();
        let helo = self.helo.clone().unwrap_or_default();
        let name = match &server.maildir {
            Some(m) => m.unique_name(),
            None => Maildir::unnamed(),
        };
        let message = Message {
            label: name.clone(),
            bytes,
        };
        let envelope = Envelope {
            ip: self.ip,
            helo: Some(helo.clone()),
            mail_from: Some(tx.mail_from.clone()),
            authserv_id: server.host.clone(),
        };
        let report = match timeout(
            VERIFY_TIMEOUT,
            Box::pin(verify::verify(&server.auth, &message, &envelope)),
        )
        .await
        {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                self.reply(
                    554,
                    &format!("5.6.0 Message not accepted: {}", one_line(&e)),
                );
                return;
            }
            Err(_) => VerifyReport::unfinished(&name),
        };
        let disposition = report.dmarc.disposition;
        let mut receipt = Receipt {
            client_ip: self.ip,
            helo: helo.clone(),
            mail_from: tx.mail_from.clone(),
            rcpt_to: tx.rcpt_to.clone(),
            helo_spf: tx.helo_spf.clone(),
            stored_as: None,
            action: Action::Accepted,
        };
        if server.enforce && disposition == PolicyWord::Reject {
            receipt.action = Action::Refused;
            let domain = report.from_domain.clone();
            let _ = server.verdicts.send(Verdict { report, receipt });
            self.reply(
                550,
                &format!(
                    "5.7.1 Message refused: it fails DMARC and the policy of {domain} is reject"
                ),
            );
            return;
        }
        let quarantine = server.enforce && disposition == PolicyWord::Quarantine;
        if let Some(maildir) = &server.maildir {
            let head = self.trace_headers(&report, &tx, &helo, &name);
            let maildir = maildir.clone();
            let (n, q) = (name.clone(), quarantine);
            let stored = tokio::task::spawn_blocking(move || {
                maildir.deliver(&n, &[head.as_bytes(), &message.bytes], q)
            })
            .await;
            match stored {
                Ok(Ok(path)) => {
                    receipt.stored_as = Some(path.display().to_string());
                    receipt.action = if quarantine {
                        Action::Quarantined
                    } else {
                        Action::Stored
                    };
                }
                Ok(Err(e)) => {
                    eprintln!("mailcheck: storing {name}: {e}");
                    self.reply(
                        451,
                        "4.3.0 Local error while storing the message; try again later",
                    );
                    return;
                }
                Err(e) => {
                    eprintln!("mailcheck: storing {name}: {e}");
                    self.reply(
                        451,
                        "4.3.0 Local error while storing the message; try again later",
                    );
                    return;
                }
            }
        }
        let _ = server.verdicts.send(Verdict { report, receipt });
        self.reply(250, &format!("2.0.0 OK, queued as {name}"));
    }

    /// The header fields prepended to a stored message: Authentication-Results
    /// (RFC 8601), Received-SPF (RFC 7208 9.1) and Received (RFC 5321 4.4).
    fn trace_headers(
        &self,
        report: &VerifyReport,
        tx: &Transaction,
        helo: &str,
        id: &str,
    ) -> String {
        let host = &self.server.host;
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let literal = match self.ip {
            IpAddr::V4(v4) => format!("[{v4}]"),
            IpAddr::V6(v6) => format!("[IPv6:{v6}]"),
        };
        let with = match (self.esmtp, self.tls) {
            (true, true) => "ESMTPS",
            (true, false) => "ESMTP",
            (false, true) => "SMTPS",
            (false, false) => "SMTP",
        };
        let for_clause = match tx.rcpt_to.as_slice() {
            [one] => format!("\r\n\tfor <{}>", one_line(one)),
            _ => String::new(),
        };
        let mut h = String::new();
        if !report.authentication_results.is_empty() {
            h.push_str(&folded_field(
                "Authentication-Results",
                &one_line(&report.authentication_results),
            ));
        }
        h.push_str(&folded_field(
            "Received-SPF",
            &received_spf(&tx.spf, self.ip, helo, &tx.mail_from, host),
        ));
        if let Some(helo_spf) = &tx.helo_spf {
            h.push_str(&folded_field(
                "Received-SPF",
                &received_spf(helo_spf, self.ip, helo, "", host),
            ));
        }
        h.push_str(&format!(
            "Received: from {} ({literal})\r\n\tby {host} (mailcheck) with {with} id {id}{for_clause};\r\n\t{}\r\n",
            one_line(helo),
            rfc5322_date(secs)
        ));
        h
    }
}

/// Text safe in a reply or a header: no CR or LF.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
