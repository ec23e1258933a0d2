//! Lexing master files (RFC 1035 5.1): entries, tokens, escapes, names, numbers, TTLs.
//!
//! Written here rather than taken from `domain` (whose `inplace` reader is not
//! used, see the module above): it keeps each record's line for messages, reads
//! bytes that are not UTF-8, refuses `a..b`, and reads BIND's TTL units.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use hickory_resolver::proto::rr::Name;

use super::ZoneError;

/// Largest TTL a zone may state (RFC 2181 section 8).
pub(super) const MAX_TTL: u64 = 0x7fff_ffff;

// ---------------------------------------------------------------------------
// Lexing (RFC 1035 section 5.1)
// ---------------------------------------------------------------------------

/// A parse error inside one file, before the file's path is attached.
#[derive(Debug)]
pub(super) struct Fail {
    pub(super) line: usize,
    pub(super) message: String,
}

impl Fail {
    pub(super) fn new(line: usize, message: impl Into<String>) -> Fail {
        Fail {
            line,
            message: message.into(),
        }
    }

    pub(super) fn at(self, path: &Path) -> ZoneError {
        ZoneError {
            path: path.to_path_buf(),
            line: self.line,
            message: self.message,
        }
    }
}

/// One word of an entry, its backslash escapes kept (a name needs to tell `\.`
/// from `.`, an SVCB value `\,` from `,`) but already checked.
#[derive(Debug, Clone)]
pub(super) struct Token<'a> {
    /// The text, without the quotes of a quoted word: a slice of the file,
    /// owned only when made by `$GENERATE` or rewritten for `domain`.
    pub(super) text: Cow<'a, [u8]>,
    /// Written in double quotes.
    pub(super) quoted: bool,
    /// The line it starts on.
    pub(super) line: usize,
    /// Follows the previous token with no space between (SVCB's `alpn="h2"`).
    pub(super) adjacent: bool,
}

/// One logical line: a record or a directive, parentheses already joined.
#[derive(Debug)]
pub(super) struct Entry<'a> {
    pub(super) line: usize,
    pub(super) blank_owner: bool,
    pub(super) tokens: Vec<Token<'a>>,
}

pub(super) struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
}

/// Decodes the escape whose backslash is at `src[i]`: `\DDD` (a decimal byte value)
/// or `\X` (the byte X), RFC 1035 5.1. Returns the byte and the length of the escape.
pub(super) fn decode_escape(src: &[u8], i: usize) -> Result<(u8, usize), String> {
    let Some(&c) = src.get(i + 1) else {
        return Err("a backslash at the end of the text escapes nothing".to_string());
    };
    if !c.is_ascii_digit() {
        return Ok((c, 2));
    }
    let digits = src
        .get(i + 1..i + 4)
        .filter(|d| d.iter().all(u8::is_ascii_digit))
        .ok_or_else(|| {
            "bad escape: a backslash before a digit must be \\DDD, three decimal digits".to_string()
        })?;
    let value = digits
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    u8::try_from(value)
        .map(|b| (b, 4))
        .map_err(|_| format!("escape \\{value:03} is out of range: \\DDD is a byte value 0-255"))
}

/// Removes the escapes from an unquoted word (already validated by the lexer).
pub(super) fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    unescape_into(raw, &mut out);
    out
}

/// Appends `raw` with its escapes removed to `out`.
pub(super) fn unescape_into(raw: &[u8], out: &mut Vec<u8>) {
    if !raw.contains(&b'\\') {
        out.extend_from_slice(raw);
        return;
    }
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        if c == b'\\'
            && let Ok((byte, len)) = decode_escape(raw, i)
        {
            out.push(byte);
            i += len;
            continue;
        }
        out.push(c);
        i += 1;
    }
}

/// A token's bytes with escapes removed.
pub(super) fn token_bytes(token: &Token) -> Vec<u8> {
    unescape(&token.text)
}

/// A token for an error message, shortened when long.
pub(super) fn shown(token: &Token) -> String {
    let text = String::from_utf8_lossy(&token.text);
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push_str("...");
    }
    if token.quoted {
        format!("\"{out}\"")
    } else {
        out
    }
}

pub(super) fn upper(token: &Token) -> String {
    String::from_utf8_lossy(&token.text).to_ascii_uppercase()
}

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a [u8]) -> Lexer<'a> {
        let src = src.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(src);
        Lexer {
            src,
            pos: 0,
            line: 1,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    /// The next non-empty entry; comments and blank lines are skipped.
    pub(super) fn next_entry(&mut self) -> Result<Option<Entry<'a>>, Fail> {
        while self.pos < self.src.len() {
            // Always at the start of a physical line here.
            let blank_owner = matches!(self.peek(), Some(b' ' | b'\t'));
            let mut tokens = Vec::with_capacity(8);
            let mut paren: Option<usize> = None;
            // The next token follows the previous one with nothing between.
            let mut adjacent = false;
            loop {
                let Some(c) = self.peek() else {
                    if let Some(open) = paren {
                        return Err(Fail::new(
                            open,
                            "unterminated parenthesis: the '(' opened on this line is never closed",
                        ));
                    }
                    break;
                };
                match c {
                    b'\n' => {
                        self.pos += 1;
                        self.line += 1;
                        if paren.is_none() {
                            break;
                        }
                    }
                    b' ' | b'\t' | b'\r' => self.pos += 1,
                    b';' => {
                        while self.peek().is_some_and(|c| c != b'\n') {
                            self.pos += 1;
                        }
                    }
                    b'(' => {
                        if let Some(open) = paren {
                            return Err(Fail::new(
                                self.line,
                                format!(
                                    "'(' inside the '(' opened on line {open}: parentheses do not nest"
                                ),
                            ));
                        }
                        paren = Some(self.line);
                        self.pos += 1;
                    }
                    b')' => {
                        if paren.is_none() {
                            return Err(Fail::new(self.line, "')' without a matching '('"));
                        }
                        paren = None;
                        self.pos += 1;
                    }
                    _ => {
                        let mut token = if c == b'"' {
                            self.quoted()?
                        } else {
                            self.word()?
                        };
                        token.adjacent = adjacent;
                        tokens.push(token);
                        adjacent = true;
                        continue;
                    }
                }
                adjacent = false;
            }
            if let Some(first) = tokens.first() {
                return Ok(Some(Entry {
                    line: first.line,
                    blank_owner,
                    tokens,
                }));
            }
        }
        Ok(None)
    }

    /// A quoted character-string; `self.pos` is at the opening quote.
    fn quoted(&mut self) -> Result<Token<'a>, Fail> {
        let line = self.line;
        let unterminated = || Fail::new(line, "unterminated quoted string (no closing '\"')");
        self.pos += 1;
        let start = self.pos;
        loop {
            match self.peek() {
                None | Some(b'\n') => return Err(unterminated()),
                Some(b'"') => {
                    let text = Cow::Borrowed(self.src.get(start..self.pos).unwrap_or_default());
                    self.pos += 1;
                    return Ok(Token {
                        text,
                        quoted: true,
                        line,
                        adjacent: false,
                    });
                }
                Some(b'\\') => {
                    if self.src.get(self.pos + 1).is_none() {
                        return Err(unterminated());
                    }
                    let (byte, len) = decode_escape(self.src, self.pos)
                        .map_err(|message| Fail::new(self.line, message))?;
                    if byte == b'\n' && len == 2 {
                        self.line += 1;
                    }
                    self.pos += len;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// An unquoted word, escapes kept raw but validated.
    fn word(&mut self) -> Result<Token<'a>, Fail> {
        let line = self.line;
        let start = self.pos;
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' => break,
                b'\\' => {
                    let (byte, len) = decode_escape(self.src, self.pos)
                        .map_err(|message| Fail::new(self.line, message))?;
                    if byte == b'\n' && len == 2 {
                        self.line += 1;
                    }
                    self.pos += len;
                }
                _ => self.pos += 1,
            }
        }
        let text = Cow::Borrowed(self.src.get(start..self.pos).unwrap_or_default());
        Ok(Token {
            text,
            quoted: false,
            line,
            adjacent: false,
        })
    }
}

// ---------------------------------------------------------------------------
// Names (RFC 1035 sections 2.3.4 and 5.1)
// ---------------------------------------------------------------------------

/// An absolute domain name, lower-cased, in uncompressed wire form (RFC 1035
/// 3.1): `www.example.com.` is `\x03www\x07example\x03com\x00`, the root is
/// `\x00`. One buffer per name: equal names have equal bytes, and a name's
/// ancestors are suffixes of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct DName {
    wire: Vec<u8>,
}

impl Default for DName {
    fn default() -> DName {
        DName { wire: vec![0] }
    }
}

impl DName {
    /// The lower-cased labels of a hickory name.
    pub(super) fn from_name(name: &Name) -> DName {
        let mut wire = Vec::with_capacity(32);
        for label in name.iter() {
            // hickory's labels are at most 63 bytes.
            wire.push(label.len() as u8);
            wire.extend(label.iter().map(u8::to_ascii_lowercase));
        }
        wire.push(0);
        DName { wire }
    }

    /// The labels, leftmost first, without the root.
    pub(super) fn labels(&self) -> impl Iterator<Item = &[u8]> + '_ {
        wire_labels(&self.wire)
    }

    /// Length in uncompressed wire form, counting the root byte.
    pub(super) fn wire_len(&self) -> usize {
        self.wire.len()
    }

    /// True when `self` is `apex` or below it.
    pub(super) fn is_within(&self, apex: &DName) -> bool {
        is_within_wire(&self.wire, &apex.wire)
    }

    pub(super) fn write_wire(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.wire);
    }

    /// The hickory name, read from the wire form by hickory's own decoder
    /// (quicker than building it label by label).
    pub(super) fn to_name(&self) -> Result<Name, String> {
        wire_to_name(&self.wire)
    }

    /// The uncompressed wire form, lower case, root byte included.
    pub(super) fn wire(&self) -> &[u8] {
        &self.wire
    }
}

/// The hickory name of an uncompressed wire-form name, read by hickory's own
/// decoder (quicker than building it label by label).
pub(super) fn wire_to_name(wire: &[u8]) -> Result<Name, String> {
    use hickory_resolver::proto::serialize::binary::{BinDecodable, BinDecoder};
    Name::read(&mut BinDecoder::new(wire))
        .or_else(|_| Name::from_labels(wire_labels(wire)))
        .map_err(|e| e.to_string())
}

/// The labels of an uncompressed wire-form name, without the root.
pub(super) fn wire_labels(wire: &[u8]) -> impl Iterator<Item = &[u8]> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let len = usize::from(*wire.get(pos)?);
        if len == 0 {
            return None;
        }
        let label = wire.get(pos + 1..pos + 1 + len)?;
        pos += 1 + len;
        Some(label)
    })
}

/// True when the wire-form name `name` is `apex` or below it (both lower-case).
pub(super) fn is_within_wire(name: &[u8], apex: &[u8]) -> bool {
    let mut pos = 0;
    while name.len() - pos > apex.len() {
        match name.get(pos) {
            Some(&len) if len > 0 => pos += 1 + usize::from(len),
            _ => return false,
        }
    }
    name.get(pos..) == Some(apex)
}

impl fmt::Display for DName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.wire.len() <= 1 {
            return f.write_str(".");
        }
        for label in self.labels() {
            for &b in label {
                match b {
                    b'.' | b'\\' | b'"' | b';' | b'(' | b')' | b'@' | b'$' => {
                        write!(f, "\\{}", char::from(b))?
                    }
                    0x21..=0x7e => write!(f, "{}", char::from(b))?,
                    _ => write!(f, "\\{b:03}")?,
                }
            }
            f.write_str(".")?;
        }
        Ok(())
    }
}

/// Parses a name token: `@`, absolute (`a.b.`) or relative to `origin`.
pub(super) fn parse_name(token: &Token, origin: Option<&DName>) -> Result<DName, Fail> {
    let line = token.line;
    if token.quoted {
        return Err(Fail::new(
            line,
            format!(
                "expected a domain name, found the quoted string {}",
                shown(token)
            ),
        ));
    }
    let raw: &[u8] = &token.text;
    let no_origin = || {
        Fail::new(
            line,
            format!(
                "relative name '{}' but no $ORIGIN (and no SOA record before it) to complete it: give the zone name as --zone NAME=FILE",
                shown(token)
            ),
        )
    };
    if raw == b"@" {
        return origin.cloned().ok_or_else(no_origin);
    }
    if raw == b"." {
        return Ok(DName::default());
    }
    let mut wire = Vec::with_capacity(raw.len() + 2 + origin.map_or(0, DName::wire_len));
    // Where the length byte of the label being read is.
    let mut start = 0;
    wire.push(0);
    // The first label over 63 bytes: reported once every label is known not empty.
    let mut too_long: Option<(usize, usize)> = None;
    let mut absolute = false;
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        match c {
            b'\\' => {
                let (byte, len) = decode_escape(raw, i).map_err(|m| Fail::new(line, m))?;
                wire.push(byte);
                i += len;
            }
            b'.' => {
                let len = wire.len() - start - 1;
                if len == 0 {
                    return Err(Fail::new(
                        line,
                        format!("empty label in the name '{}'", shown(token)),
                    ));
                }
                if len > 63 && too_long.is_none() {
                    too_long = Some((start + 1, wire.len()));
                }
                if let Some(b) = wire.get_mut(start) {
                    *b = len.min(255) as u8;
                }
                start = wire.len();
                wire.push(0);
                absolute = i + 1 == raw.len();
                i += 1;
            }
            _ => {
                wire.push(c);
                i += 1;
            }
        }
    }
    let len = wire.len() - start - 1;
    if len > 63 && too_long.is_none() {
        too_long = Some((start + 1, wire.len()));
    }
    if let Some((from, to)) = too_long {
        let label = wire.get(from..to).unwrap_or_default();
        return Err(Fail::new(
            line,
            format!(
                "label '{}' is {} bytes; a label holds at most 63 (RFC 1035 2.3.4)",
                String::from_utf8_lossy(label),
                label.len()
            ),
        ));
    }
    if len > 0 {
        if let Some(b) = wire.get_mut(start) {
            *b = len as u8;
        }
    } else {
        // `wire[start]` is the 0 after the last label (or of an empty name).
        wire.truncate(start);
    }
    // Names compare case-insensitively (RFC 4343): store them lower-case,
    // escapes included (length bytes, at most 63, are below 'A').
    wire.make_ascii_lowercase();
    if absolute {
        wire.push(0);
    } else {
        let origin = origin.ok_or_else(no_origin)?;
        wire.extend_from_slice(&origin.wire);
    }
    let name = DName { wire };
    if name.wire_len() > 255 {
        return Err(Fail::new(
            line,
            format!(
                "the name {name} is {} bytes in wire form; a name holds at most 255 (RFC 1035 2.3.4)",
                name.wire_len()
            ),
        ));
    }
    Ok(name)
}

// ---------------------------------------------------------------------------
// Numbers and TTLs
// ---------------------------------------------------------------------------

/// A plain decimal number no larger than `max`.
pub(super) fn parse_uint(token: &Token, what: &str, max: u64) -> Result<u64, Fail> {
    let text = &token.text;
    let bad = || {
        Fail::new(
            token.line,
            format!("bad {what} '{}': expected a number 0-{max}", shown(token)),
        )
    };
    if token.quoted || text.is_empty() || text.len() > 20 || !text.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let value = text.iter().try_fold(0u64, |acc, d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    value.filter(|v| *v <= max).ok_or_else(bad)
}

/// A TTL: seconds, or BIND units such as `1h`, `2d`, `1w30m` (s, m, h, d, w).
pub(super) fn parse_ttl(token: &Token) -> Result<u32, Fail> {
    let total = parse_ttl_value(token)?;
    if total > MAX_TTL {
        return Err(Fail::new(
            token.line,
            format!(
                "TTL '{}' exceeds {MAX_TTL} seconds (RFC 2181 8)",
                shown(token)
            ),
        ));
    }
    Ok(total as u32)
}

/// A TTL's value in seconds, however large (saturating).
pub(super) fn parse_ttl_value(token: &Token) -> Result<u64, Fail> {
    let bad = || {
        Fail::new(
            token.line,
            format!(
                "bad TTL '{}': expected seconds or units like 1h, 2d, 1w30m",
                shown(token)
            ),
        )
    };
    if token.quoted || token.text.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for &c in token.text.iter() {
        if c.is_ascii_digit() {
            let n = number.unwrap_or(0);
            number = Some(n.saturating_mul(10).saturating_add(u64::from(c - b'0')));
            continue;
        }
        let unit: u64 = match c.to_ascii_lowercase() {
            b's' => 1,
            b'm' => 60,
            b'h' => 3600,
            b'd' => 86_400,
            b'w' => 604_800,
            _ => return Err(bad()),
        };
        let n = number.take().ok_or_else(bad)?;
        total = total.saturating_add(n.saturating_mul(unit));
    }
    // A trailing bare number counts as seconds (`1h30` is 3630).
    Ok(total.saturating_add(number.unwrap_or(0)))
}

pub(super) fn decode_hex(text: &[u8]) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Some(nibble(*hi)? << 4 | nibble(*lo)?),
            _ => None,
        })
        .collect()
}
