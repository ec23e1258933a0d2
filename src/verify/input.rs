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
    let cannot = |e: std::io::Error| format!("{label}: cannot read: {e}");
    let raw = if label == "-" {
        read_stream(&mut std::io::stdin().lock(), Vec::new()).map_err(cannot)?
    } else {
        let mut file = std::fs::File::open(label).map_err(cannot)?;
        let meta = file.metadata().map_err(cannot)?;
        if meta.is_dir() {
            return Err(format!("{label}: is a directory, not a message file"));
        }
        if meta.is_file() {
            if meta.len() > MAX_MESSAGE_BYTES {
                return Err(too_large(label));
            }
            read_file(&mut file, meta.len() as usize).map_err(cannot)?
        } else {
            read_stream(&mut file, Vec::new()).map_err(cannot)?
        }
    };
    if raw.len() as u64 > MAX_MESSAGE_BYTES {
        return Err(too_large(label));
    }
    parse_message(label, raw)
}

fn too_large(label: &str) -> String {
    format!(
        "{label}: larger than {} MiB; mailcheck reads messages up to that size",
        MAX_MESSAGE_BYTES / (1024 * 1024)
    )
}

/// Read a stream to its end, or to one byte past the size limit.
fn read_stream(r: &mut dyn Read, mut raw: Vec<u8>) -> std::io::Result<Vec<u8>> {
    let room = (MAX_MESSAGE_BYTES + 1).saturating_sub(raw.len() as u64);
    r.take(room).read_to_end(&mut raw)?;
    Ok(raw)
}

/// Read a regular file of `size` bytes (its size when it was opened) into
/// a buffer of that size: one `read` call for a file that does not change
/// meanwhile. A read that ends the file at `size` bytes short of the byte
/// asked beyond it is the end of the file, so no further call is made to
/// see it; a file that grew is read on to its new end.
fn read_file(file: &mut std::fs::File, size: usize) -> std::io::Result<Vec<u8>> {
    let mut raw = vec![0u8; size + 1];
    let mut filled = 0;
    loop {
        let n = match file.read(&mut raw[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        filled += n;
        if n == 0 || filled == size {
            raw.truncate(filled);
            return Ok(raw);
        }
        if filled == raw.len() {
            // Longer than when it was opened.
            return read_stream(file, raw);
        }
    }
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

    #[test]
    fn a_file_is_read_whole_at_any_size_and_refused_past_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.eml");
        let label = path.to_str().expect("utf-8 path");
        let header = "From: a@b.example\nSubject: x\n\n";
        for body_len in [0, 1, 4095, 4096, 70_000] {
            let text = format!("{header}{}", "y".repeat(body_len));
            std::fs::write(&path, &text).expect("write");
            let m = read(label).expect("read");
            assert_eq!(m.bytes, to_crlf(text.as_bytes()), "{body_len}");
        }
        // Sparse: one byte past the limit costs no disk.
        let file = std::fs::File::create(&path).expect("create");
        file.set_len(MAX_MESSAGE_BYTES + 1).expect("set_len");
        assert!(read(label).unwrap_err().contains("larger than 64 MiB"));
        assert!(
            read(dir.path().to_str().unwrap())
                .unwrap_err()
                .contains("is a directory")
        );
        assert!(
            read(&format!("{label}.missing"))
                .unwrap_err()
                .contains("cannot read")
        );
    }
}
