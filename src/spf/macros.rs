//! SPF macro strings (RFC 7208 7): parsing into pieces and expansion.
//!
//! ```text
//! macro-string = *( macro-expand / macro-literal )
//! macro-expand = ( "%{" macro-letter transformers *delimiter "}" )
//!                / "%%" / "%_" / "%-"
//! macro-literal = %x21-24 / %x26-7E
//! transformers = *DIGIT [ "r" ]
//! delimiter    = "." / "-" / "+" / "," / "/" / "_" / "="
//! ```

use std::net::IpAddr;

/// A macro letter (RFC 7208 7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letter {
    /// `s`: the sender, `local-part@domain`.
    Sender,
    /// `l`: the sender's local-part.
    Local,
    /// `o`: the sender's domain.
    SenderDomain,
    /// `d`: the domain whose record is being evaluated.
    Domain,
    /// `i`: the client IP, dotted quad or dotted nibbles.
    Ip,
    /// `p`: the validated domain name of the client IP.
    Ptr,
    /// `v`: `in-addr` or `ip6`.
    Version,
    /// `h`: the HELO/EHLO string as the client sent it.
    Helo,
    /// `c`: the client IP in its usual text form (explanations only).
    ClientIp,
    /// `r`: the receiving host's name (explanations only).
    Receiver,
    /// `t`: the current time in seconds (explanations only).
    Time,
}

impl Letter {
    fn from_char(c: char) -> Option<Letter> {
        Some(match c.to_ascii_lowercase() {
            's' => Letter::Sender,
            'l' => Letter::Local,
            'o' => Letter::SenderDomain,
            'd' => Letter::Domain,
            'i' => Letter::Ip,
            'p' => Letter::Ptr,
            'v' => Letter::Version,
            'h' => Letter::Helo,
            'c' => Letter::ClientIp,
            'r' => Letter::Receiver,
            't' => Letter::Time,
            _ => return None,
        })
    }

    /// `c`, `r` and `t` are allowed only in explanation text (7.2).
    fn explanation_only(self) -> bool {
        matches!(self, Letter::ClientIp | Letter::Receiver | Letter::Time)
    }
}

/// One piece of a macro string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text copied as it is (`%%`, `%_` and `%-` already decoded).
    Literal(String),
    /// `%{...}`.
    Expand {
        /// Which value.
        letter: Letter,
        /// An upper-case letter: URL-escape the result (7.3).
        escape: bool,
        /// Keep only this many right-hand parts.
        keep: Option<usize>,
        /// Reverse the parts first.
        reverse: bool,
        /// The characters that split the value (`.` when none are given).
        delimiters: String,
    },
}

/// A parsed macro string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroString {
    /// The pieces, in order.
    pub pieces: Vec<Piece>,
    /// The text as written.
    pub source: String,
    /// Whether the text ends with a macro-expand (`%{..}`, `%%`, `%_`, `%-`).
    pub ends_with_expand: bool,
    /// Byte offset in `source` just after the last macro-expand.
    tail_start: usize,
}

/// Where a macro string appears, which decides what it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// In a record term: no spaces, no `c`/`r`/`t`.
    Record,
    /// An explanation string fetched by `exp=` (6.2): spaces and `c`/`r`/`t` too.
    Explanation,
}

impl MacroString {
    /// Parse `text` as a macro-string; the error says what is wrong.
    pub fn parse(text: &str, context: Context) -> Result<MacroString, String> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut ends_with_expand = false;
        let mut tail_start = 0;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                let Some(&next) = bytes.get(i + 1) else {
                    return Err("a '%' at the end (write %% for a percent sign)".into());
                };
                match next {
                    b'%' => literal.push('%'),
                    b'_' => literal.push(' '),
                    b'-' => literal.push_str("%20"),
                    b'{' => {
                        let close = text[i + 2..]
                            .find('}')
                            .ok_or_else(|| "a '%{' without its closing '}'".to_string())?;
                        let body = &text[i + 2..i + 2 + close];
                        let piece = parse_expand(body, context)?;
                        if !literal.is_empty() {
                            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                        }
                        pieces.push(piece);
                        i += 2 + close + 1;
                        ends_with_expand = true;
                        tail_start = i;
                        continue;
                    }
                    other => {
                        return Err(format!(
                            "'%{}' is not a macro (a '%' must be followed by '{{', '%', '_' or '-')",
                            other as char
                        ));
                    }
                }
                i += 2;
                ends_with_expand = true;
                tail_start = i;
                continue;
            }
            let allowed = match b {
                b' ' => context == Context::Explanation,
                0x21..=0x7e => true,
                _ => false,
            };
            if !allowed {
                return Err(if b.is_ascii() {
                    format!("the character 0x{b:02x} is not allowed")
                } else {
                    "non-ASCII text is not allowed (RFC 7208 3.1)".to_string()
                });
            }
            literal.push(b as char);
            ends_with_expand = false;
            i += 1;
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Ok(MacroString {
            pieces,
            source: text.to_string(),
            ends_with_expand,
            tail_start,
        })
    }

    /// Parse a domain-spec (7.1): a macro string that ends in a macro-expand
    /// or in `.` and a valid top label, optionally followed by a dot.
    pub fn parse_domain_spec(text: &str) -> Result<MacroString, String> {
        if text.is_empty() {
            return Err("the domain-spec is empty".into());
        }
        let m = MacroString::parse(text, Context::Record)?;
        if m.ends_with_expand {
            return Ok(m);
        }
        let tail = &text[m.tail_start..];
        let tail = tail.strip_suffix('.').unwrap_or(tail);
        match tail.rsplit_once('.') {
            Some((_, top)) if is_toplabel(top) => Ok(m),
            Some((_, top)) => Err(format!(
                "'{top}' is not a valid top label (letters, digits and inner hyphens, not all digits)"
            )),
            None => Err(format!(
                "'{text}' is not a domain: it needs a dot and a top label"
            )),
        }
    }

    /// The text when it holds no macro at all.
    pub fn literal(&self) -> Option<String> {
        match self.pieces.as_slice() {
            [] => Some(String::new()),
            [Piece::Literal(s)] => Some(s.clone()),
            _ => None,
        }
    }

    /// Whether the string uses `letter`.
    pub fn uses(&self, letter: Letter) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Expand { letter: l, .. } if *l == letter))
    }

    /// Expand with these values (7.3, 7.4).
    pub fn expand(&self, values: &Values<'_>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(s) => out.push_str(s),
                Piece::Expand {
                    letter,
                    escape,
                    keep,
                    reverse,
                    delimiters,
                } => {
                    let value = values.value(*letter);
                    let value = transform(&value, *keep, *reverse, delimiters);
                    if *escape {
                        url_escape(&value, &mut out);
                    } else {
                        out.push_str(&value);
                    }
                }
            }
        }
        out
    }
}

/// `%{` body `}`: letter, digits, `r`, delimiters.
fn parse_expand(body: &str, context: Context) -> Result<Piece, String> {
    let mut chars = body.chars();
    let c = chars
        .next()
        .ok_or_else(|| "an empty macro '%{}'".to_string())?;
    let letter = Letter::from_char(c).ok_or_else(|| format!("'%{{{c}' is not a macro letter"))?;
    if letter.explanation_only() && context == Context::Record {
        return Err(format!(
            "the macro letter '{c}' is allowed only in explanation text (RFC 7208 7.2)"
        ));
    }
    let rest = chars.as_str();
    let digits_end = rest
        .find(|ch: char| !ch.is_ascii_digit())
        .unwrap_or(rest.len());
    let digits = &rest[..digits_end];
    let keep = if digits.is_empty() {
        None
    } else {
        // Values beyond the 128 labels a name can have all mean "every part".
        let n: usize = digits.parse().unwrap_or(usize::MAX);
        if n == 0 {
            return Err("a macro's digit transformer must not be zero (RFC 7208 7.3)".into());
        }
        Some(n)
    };
    let mut rest = &rest[digits_end..];
    let mut reverse = false;
    if let Some(r) = rest.strip_prefix(['r', 'R']) {
        reverse = true;
        rest = r;
    }
    if let Some(bad) = rest.chars().find(|ch| !".-+,/_=".contains(*ch)) {
        return Err(format!("'{bad}' is not a macro delimiter"));
    }
    Ok(Piece::Expand {
        letter,
        escape: c.is_ascii_uppercase(),
        keep,
        reverse,
        delimiters: rest.to_string(),
    })
}

/// RFC 7208 7.1 toplabel: `( *alphanum ALPHA *alphanum ) /
/// ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`.
pub fn is_toplabel(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().any(|c| c.is_ascii_alphabetic() || *c == b'-')
}

/// Split on the delimiters, reverse, keep the right-hand parts, join with
/// dots (7.3). Without transformers or delimiters the value is unchanged.
fn transform(value: &str, keep: Option<usize>, reverse: bool, delimiters: &str) -> String {
    if keep.is_none() && !reverse && delimiters.is_empty() {
        return value.to_string();
    }
    let delims = if delimiters.is_empty() {
        "."
    } else {
        delimiters
    };
    let mut parts: Vec<&str> = value.split(|c| delims.contains(c)).collect();
    if reverse {
        parts.reverse();
    }
    if let Some(n) = keep
        && n < parts.len()
    {
        parts.drain(..parts.len() - n);
    }
    parts.join(".")
}

/// URL-escape everything outside RFC 3986's unreserved set (7.3).
fn url_escape(value: &str, out: &mut String) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The values the macro letters expand to.
#[derive(Debug, Clone)]
pub struct Values<'a> {
    /// The sender's local-part.
    pub local: &'a str,
    /// The sender's domain.
    pub sender_domain: &'a str,
    /// The current domain.
    pub domain: &'a str,
    /// The client address (IPv4-mapped addresses already made IPv4).
    pub ip: IpAddr,
    /// The HELO string as sent.
    pub helo: &'a str,
    /// The validated name for `%{p}` ("unknown" when none).
    pub ptr: &'a str,
    /// The receiving host, for `%{r}`.
    pub receiver: &'a str,
    /// Seconds since the epoch, for `%{t}`.
    pub time: u64,
}

impl Values<'_> {
    fn value(&self, letter: Letter) -> String {
        match letter {
            Letter::Sender => format!("{}@{}", self.local, self.sender_domain),
            Letter::Local => self.local.to_string(),
            Letter::SenderDomain => self.sender_domain.to_string(),
            Letter::Domain => self.domain.to_string(),
            Letter::Ip => dotted(self.ip),
            Letter::Ptr => self.ptr.to_string(),
            Letter::Version => match self.ip {
                IpAddr::V4(_) => "in-addr".into(),
                IpAddr::V6(_) => "ip6".into(),
            },
            Letter::Helo => self.helo.to_string(),
            Letter::ClientIp => self.ip.to_string(),
            Letter::Receiver => self.receiver.to_string(),
            Letter::Time => self.time.to_string(),
        }
    }
}

/// `%{i}`: a dotted quad, or for IPv6 32 dot-separated nibbles (7.3).
pub fn dotted(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let mut parts = Vec::with_capacity(32);
            for b in v6.octets() {
                parts.push(format!("{:x}", b >> 4));
                parts.push(format!("{:x}", b & 0x0f));
            }
            parts.join(".")
        }
    }
}

/// A target name after expansion (7.3): without a final dot, and when longer
/// than 253 characters, its left-hand labels removed until it fits.
pub fn domain_after_expansion(expanded: &str) -> String {
    let mut d = expanded.strip_suffix('.').unwrap_or(expanded);
    while d.len() > 253 {
        match d.split_once('.') {
            Some((_, rest)) => d = rest,
            None => break,
        }
    }
    d.to_string()
}
