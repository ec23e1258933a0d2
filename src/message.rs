//! An RFC 5322 message as bytes: the one line-ending rule and the one header
//! scanner that reading, verifying and signing a message share.
//!
//! Hand-written because both are a few lines over bytes and must not
//! allocate per line: a full MIME parser (mail-parser, which mail-auth
//! already uses) decodes far more than this needs and is lenient where
//! mailcheck reports an error with its line number.

use std::fmt;

/// True when every line ends in CRLF, the last one included: such a
/// message is already in the form SMTP carries, and is kept as read.
pub fn is_crlf(raw: &[u8]) -> bool {
    // memchr finds the line breaks with vector instructions, which keeps
    // this check off a verify run's profile (BENCHMARKS.md).
    raw.ends_with(b"\r\n")
        && memchr::memchr_iter(b'\n', raw).all(|i| i > 0 && raw[i - 1] == b'\r')
        && memchr::memchr_iter(b'\r', raw).all(|i| raw.get(i + 1) == Some(&b'\n'))
}

/// The line-ending rule: bare LF and bare CR become CRLF, and a missing
/// final line ending is added (RFC 5322 2.3: lines end in CRLF; a message
/// saved on Unix has bare LF).
pub fn to_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 32 + 2);
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'\r' if raw.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// [`to_crlf`], without a copy when the message already has CRLF endings.
pub fn into_crlf(raw: Vec<u8>) -> Vec<u8> {
    if is_crlf(&raw) { raw } else { to_crlf(&raw) }
}

/// One header field of the header block: its name and the line it starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field name as written (RFC 5322 2.2: printable ASCII, no colon).
    pub name: &'a [u8],
    /// 1-based line number of the field's first line.
    pub line: usize,
}

/// Why the header block is not RFC 5322 header fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// The first line is a folded continuation line.
    StartsWithContinuation,
    /// A line that is neither a field nor a continuation (no colon).
    NoColon(usize),
    /// A field whose name is empty or has characters outside RFC 5322 2.2.
    BadName(usize),
}

impl HeaderError {
    /// The line the problem is on.
    pub fn line(self) -> usize {
        match self {
            HeaderError::StartsWithContinuation => 1,
            HeaderError::NoColon(line) | HeaderError::BadName(line) => line,
        }
    }
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::StartsWithContinuation => {
                f.write_str("the message starts with a continuation line, not a header field")
            }
            HeaderError::NoColon(_) => {
                f.write_str("header line without a colon: not an RFC 5322 header field")
            }
            HeaderError::BadName(_) => f.write_str(
                "invalid header field name (RFC 5322 2.2: printable characters, no spaces)",
            ),
        }
    }
}

/// The header fields of a message (any line endings), in order, up to the
/// empty line that ends the header block or the end of the message. Folded
/// continuation lines belong to the field before them.
pub fn header_fields(message: &[u8]) -> Result<Vec<Field<'_>>, HeaderError> {
    let mut fields = Vec::new();
    for (index, line) in message.split(|b| *b == b'\n').enumerate() {
        let line_no = index + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if fields.is_empty() {
                return Err(HeaderError::StartsWithContinuation);
            }
            continue;
        }
        let colon = memchr::memchr(b':', line).ok_or(HeaderError::NoColon(line_no))?;
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|b| (33..=126).contains(b)) {
            return Err(HeaderError::BadName(line_no));
        }
        fields.push(Field {
            name,
            line: line_no,
        });
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_become_crlf() {
        assert_eq!(to_crlf(b"a\nb\r\nc\rd"), b"a\r\nb\r\nc\r\nd\r\n");
        assert_eq!(to_crlf(b""), b"");
        assert!(is_crlf(b"a\r\nb\r\n"));
        assert!(!is_crlf(b"a\r\nb"));
        assert!(!is_crlf(b"a\nb\r\n"));
        assert!(!is_crlf(b"a\rb\r\n"));
        assert!(!is_crlf(b"a\r\r\nb\r\n"));
        assert!(!is_crlf(b"a\r\n\nb\r\n"));
        assert!(is_crlf(b"\r\n\r\n"));
        assert_eq!(into_crlf(b"x\n".to_vec()), b"x\r\n");
    }

    #[test]
    fn header_fields_in_order_with_their_lines() {
        let fields = header_fields(
            b"From: a@b.example\r\nSubject: x\r\n  folded\r\nTo: c\r\n\r\nbody: no\r\n",
        )
        .unwrap();
        let names: Vec<(&[u8], usize)> = fields.iter().map(|f| (f.name, f.line)).collect();
        assert_eq!(
            names,
            [(&b"From"[..], 1), (&b"Subject"[..], 2), (&b"To"[..], 4)]
        );
        assert_eq!(header_fields(b"").unwrap(), []);
        assert_eq!(
            header_fields(b" x\r\n"),
            Err(HeaderError::StartsWithContinuation)
        );
        assert_eq!(
            header_fields(b"From: a\r\nSubject x\r\n"),
            Err(HeaderError::NoColon(2))
        );
        // An mbox "From " line is not a header field.
        assert_eq!(
            header_fields(b"From a@b Mon Jan  1 10:00:00 2024\nFrom: a\n"),
            Err(HeaderError::BadName(1))
        );
    }
}
