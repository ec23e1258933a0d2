//! Reading a message the way a receiver's MTA would hand it over: CRLF line
//! endings, a bounded size, and a header block that parses.

use std::io::Read;

/// The line-ending rule is `message`'s, shared with signing.
pub use crate::message::to_crlf;
use crate::message::{header_fields, into_crlf};

/// The largest message mailcheck reads: 64 MiB. Receivers refuse far smaller
/// messages (RFC 5321 SIZE limits are commonly 25-50 MB); a larger file is an
/// error (exit 2), so memory stays bounded.
pub const MAX_MESSAGE_BYTES: u64 = 64 * 1024 * 1024;

/// A message as read, with CRLF line endings.
#[derive(Debug, Clone)]
pub struct Message {
    /// How the user named it (a path, or `-` for standard input).
    pub label: String,
    /// The bytes, line endings normalised to CRLF and a final CRLF ensured.
    pub bytes: Vec<u8>,
}

/// Read a message from a path, or standard input for `-`.
pub fn read(label: &str) -> Result<Message, String> {
    let mut raw = Vec::new();
    let limited = |r: &mut dyn Read, raw: &mut Vec<u8>| -> std::io::Result<u64> {
        r.take(MAX_MESSAGE_BYTES + 1)
            .read_to_end(raw)
            .map(|n| n as u64)
    };
    let n = if label == "-" {
        limited(&mut std::io::stdin().lock(), &mut raw)
    } else {
        let mut file =
            std::fs::File::open(label).map_err(|e| format!("{label}: cannot read: {e}"))?;
        let meta = file
            .metadata()
            .map_err(|e| format!("{label}: cannot read: {e}"))?;
        if meta.is_dir() {
            return Err(format!("{label}: is a directory, not a message file"));
        }
        // Sized from the file, so a message is read in one or two calls
        // rather than a doubling series of small reads.
        if meta.is_file() {
            raw.reserve_exact(meta.len().min(MAX_MESSAGE_BYTES) as usize + 1);
        }
        limited(&mut file, &mut raw)
    }
    .map_err(|e| format!("{label}: cannot read: {e}"))?;
    if n > MAX_MESSAGE_BYTES {
        return Err(format!(
            "{label}: larger than {} MiB; mailcheck reads messages up to that size",
            MAX_MESSAGE_BYTES / (1024 * 1024)
        ));
    }
    parse_message(label, raw)
}

/// A message from bytes already read: line endings normalised to CRLF, then
/// the header block checked as [`read`] checks it. `label` names the message
/// in errors (`LABEL:LINE: what is wrong`).
pub fn parse_message(label: &str, raw: Vec<u8>) -> Result<Message, String> {
    // Most messages already end their lines in CRLF: keep the buffer as read
    // rather than copying it, so memory stays at one copy of the message.
    let bytes = into_crlf(raw);
    check_headers(label, &bytes)?;
    Ok(Message {
        label: label.to_string(),
        bytes,
    })
}

/// The header block must be RFC 5322 header fields (as `message`'s scanner
/// reads them: `name: value` lines and their folded continuations, ending at
/// an empty line or the end of the file), with exactly one From field.
fn check_headers(label: &str, bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Err(format!("{label}: empty file, not a message"));
    }
    let fields = header_fields(bytes).map_err(|e| format!("{label}:{}: {e}", e.line()))?;
    let mut froms = fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case(b"from"))
        .map(|f| f.line);
    match (froms.next(), froms.next()) {
        (None, _) => Err(format!(
            "{label}: no From header field; DMARC cannot be evaluated and receivers reject such mail (RFC 5322 3.6 requires one)"
        )),
        (Some(_), None) => Ok(()),
        (Some(_), Some(second)) => Err(format!(
            "{label}:{second}: a second From header field; RFC 5322 3.6 allows one, and DMARC receivers reject such mail"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_block_errors_name_the_line() {
        let e = check_headers("m.eml", b"From: a@b.example\r\nSubject x\r\n\r\nbody").unwrap_err();
        assert_eq!(
            e,
            "m.eml:2: header line without a colon: not an RFC 5322 header field"
        );
        let e =
            check_headers("m.eml", b"From: a@b.example\r\nFrom: c@d.example\r\n\r\n").unwrap_err();
        assert!(e.starts_with("m.eml:2: a second From"));
        assert!(
            check_headers("m.eml", b"To: x@y.example\r\n\r\n")
                .unwrap_err()
                .contains("no From")
        );
        assert!(
            check_headers(
                "m.eml",
                b"From: a@b.example\r\n  folded\r\n\r\nbody: not a header\r\n"
            )
            .is_ok()
        );
        assert_eq!(
            check_headers("m.eml", b"  folded\r\nFrom: a@b.example\r\n\r\n").unwrap_err(),
            "m.eml:1: the message starts with a continuation line, not a header field"
        );
        assert_eq!(
            check_headers("m.eml", b"From: a@b.example\r\nBad Name: x\r\n\r\n").unwrap_err(),
            "m.eml:2: invalid header field name (RFC 5322 2.2: printable characters, no spaces)"
        );
    }
}
