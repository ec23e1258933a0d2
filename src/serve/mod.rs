//! `mailcheck serve`: an SMTP receiver (RFC 5321) that authenticates each
//! message as it arrives, with the same engines as `mailcheck verify`.
//!
//! SPF check_host() runs at MAIL FROM for the client's IP, HELO and MAIL
//! FROM; DKIM, ARC and DMARC run at the end of DATA (`verify::verify`). The
//! verdict is written into the message (`Authentication-Results`, RFC 8601;
//! `Received-SPF`, RFC 7208 9.1; a `Received` line, RFC 5321 4.4) and the
//! message is stored in a Maildir ([`maildir`]).
//!
//! Commands are parsed by the `smtp-proto` crate; this module only frames
//! lines (with a length limit, RFC 5321 4.5.3.1.4) and writes replies.
//! Message data is read line by line with dot-unstuffing (RFC 5321 4.5.2)
//! into memory, bounded by the SIZE limit, so a client that goes away
//! mid-DATA leaves nothing on disk.

pub mod maildir;
pub mod session;

use crate::verify::{SpfVerdict, VerifyReport};
use std::net::IpAddr;

/// What the server knows about one received message, beside its verdict.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// The client's address.
    pub client_ip: IpAddr,
    /// The HELO/EHLO name it gave.
    pub helo: String,
    /// The MAIL FROM reverse-path (empty for the null sender).
    pub mail_from: String,
    /// Every accepted RCPT TO.
    pub rcpt_to: Vec<String>,
    /// SPF for the HELO identity (RFC 7208 2.3) when the MAIL FROM named a
    /// sender; with the null sender the verdict's SPF is the HELO check.
    pub helo_spf: Option<crate::verify::SpfVerdict>,
    /// Where the message was stored, or `None` (no --maildir, or refused).
    pub stored_as: Option<String>,
    /// `refused` when --enforce rejected it, `quarantined` when it went to the
    /// quarantine folder, `stored` or `accepted` (not stored) otherwise.
    pub action: Action,
}

/// What the server did with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// 250, stored in `new/`.
    Stored,
    /// 250, stored in the `.Quarantine` folder (--enforce, DMARC quarantine).
    Quarantined,
    /// 250 without --maildir: nothing stored.
    Accepted,
    /// 550 5.7.1 (--enforce, DMARC reject): nothing stored.
    Refused,
}

impl Action {
    /// The word used in the text and JSON output.
    pub fn word(self) -> &'static str {
        match self {
            Action::Stored => "stored",
            Action::Quarantined => "quarantined",
            Action::Accepted => "accepted",
            Action::Refused => "refused",
        }
    }
}

/// A verdict for one message: the verify report and the receipt.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The `verify` report.
    pub report: VerifyReport,
    /// The SMTP side.
    pub receipt: Receipt,
}

/// The `Received-SPF` header value (RFC 7208 9.1): the result, a comment,
/// then the key-value pairs.
pub fn received_spf(
    spf: &SpfVerdict,
    ip: IpAddr,
    helo: &str,
    mail_from: &str,
    receiver: &str,
) -> String {
    let result = spf.result.word();
    let domain = spf.domain.as_deref().unwrap_or("");
    let comment = match spf.result {
        crate::spf::Verdict::Pass => {
            format!("domain of {domain} designates {ip} as permitted sender")
        }
        crate::spf::Verdict::Fail => {
            format!("domain of {domain} does not designate {ip} as permitted sender")
        }
        crate::spf::Verdict::SoftFail => {
            format!("domain of transitioning {domain} does not designate {ip} as permitted sender")
        }
        crate::spf::Verdict::Neutral => format!("{ip} is neither permitted nor denied by {domain}"),
        crate::spf::Verdict::None => "no SPF record or no identity to check".to_string(),
        crate::spf::Verdict::TempError => "a DNS lookup failed temporarily".to_string(),
        crate::spf::Verdict::PermError => format!("the SPF record of {domain} is unusable"),
    };
    let identity = match spf.identity {
        Some(crate::words::SpfIdentity::Helo) => "helo",
        _ => "mailfrom",
    };
    let mut v = format!("{result} ({receiver}: {comment}) client-ip={ip};");
    if !mail_from.is_empty() {
        v.push_str(&format!(" envelope-from=\"{}\";", quoted(mail_from)));
    }
    if !helo.is_empty() {
        v.push_str(&format!(" helo=\"{}\";", quoted(helo)));
    }
    v.push_str(&format!(" receiver={receiver}; identity={identity}"));
    if let Some(m) = &spf.mechanism {
        v.push_str(&format!("; mechanism=\"{}\"", quoted(m)));
    }
    v
}

/// A value safe inside a quoted-string: no quotes, backslashes or controls.
/// A header field `name: value` folded (RFC 5322 2.2.3) so that its lines
/// stay within 78 characters where a space allows it, and so never reach
/// the 998-character limit of RFC 5322 2.1.1 unless a single word does.
/// Each fold puts CRLF before an existing space: unfolding gives back the
/// value exactly, inside quoted strings and comments too. Ends with CRLF.
pub fn folded_field(name: &str, value: &str) -> String {
    const WIDTH: usize = 78;
    let mut words = value.split(' ');
    let mut out = format!("{name}: {}", words.next().unwrap_or(""));
    let mut line = out.len();
    for word in words {
        // Never fold before an empty word: a line of only white space is
        // not allowed (RFC 5322 3.2.2).
        if !word.is_empty() && line + 1 + word.len() > WIDTH {
            out.push_str("\r\n");
            line = 0;
        }
        out.push(' ');
        out.push_str(word);
        line += 1 + word.len();
    }
    out.push_str("\r\n");
    out
}

fn quoted(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect()
}

/// An RFC 5322 3.3 date-time in UTC for `secs` since the epoch.
pub fn rfc5322_date(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (the proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {} {} {} {:02}:{:02}:{:02} +0000",
        DAYS[(days.rem_euclid(7)) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc5322() {
        assert_eq!(rfc5322_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(1_795_165_800),
            "Fri, 20 Nov 2026 09:10:00 +0000"
        );
        assert_eq!(rfc5322_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
    }

    #[test]
    fn received_spf_has_the_rfc7208_keys() {
        let spf = SpfVerdict {
            result: crate::spf::Verdict::Pass,
            domain: Some("example.org".into()),
            identity: Some(crate::words::SpfIdentity::MailFrom),
            mechanism: Some("ip4:127.0.0.1".into()),
            mechanism_domain: Some("example.org".into()),
        };
        let v = received_spf(
            &spf,
            "127.0.0.1".parse().unwrap(),
            "client.example",
            "a@example.org",
            "mx.test",
        );
        assert_eq!(
            v,
            "pass (mx.test: domain of example.org designates 127.0.0.1 as permitted sender) \
             client-ip=127.0.0.1; envelope-from=\"a@example.org\"; helo=\"client.example\"; \
             receiver=mx.test; identity=mailfrom; mechanism=\"ip4:127.0.0.1\""
        );
    }

    #[test]
    fn long_fields_are_folded_at_spaces_and_unfold_to_the_value() {
        let value = "mx.test; dkim=pass header.d=example.org header.s=s1 header.a=rsa-sha256 \
                     header.b=\"abcdEFGH\"; spf=pass (mx.test: domain of  a@example.org \
                     designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@example.org; \
                     dmarc=pass header.from=example.org";
        let field = folded_field("Authentication-Results", value);
        assert!(field.ends_with("\r\n"));
        let lines: Vec<&str> = field.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 2, "{field}");
        assert!(lines.iter().all(|l| l.len() <= 78), "{field}");
        assert!(
            lines[1..]
                .iter()
                .all(|l| l.starts_with(' ') && !l.trim().is_empty())
        );
        let unfolded = field.trim_end_matches("\r\n").replace("\r\n", "");
        assert_eq!(unfolded, format!("Authentication-Results: {value}"));
        // A short field is one line; a word longer than a line stays whole.
        assert_eq!(folded_field("X", "a b"), "X: a b\r\n");
        let long = "x".repeat(100);
        assert_eq!(
            folded_field("X", &format!("a {long}")),
            format!("X: a\r\n {long}\r\n")
        );
    }
}
