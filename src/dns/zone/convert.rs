//! Record data: the tokens of one record to hickory [`RData`], through `domain`.
//!
//! `domain`'s `ZoneRecordData::scan` reads the presentation form of every type it
//! knows from a [`Scanner`]; [`TokenScanner`] is that scanner over mailcheck's own
//! tokens (so line numbers and escapes stay ours). The result is composed into
//! wire form and decoded by hickory, which gives typed data for the types it has
//! and opaque data for the rest. Before `domain` sees them, DNSSEC algorithm and
//! digest mnemonics become numbers (RFC 4034 A.1, as BIND writes them) and SOA
//! timers in BIND units become seconds. The few types `domain` cannot read from
//! presentation form are read here ([`own_rdata`]).
//!
//! Most records of a mail domain's zone are A, AAAA, MX, TXT, CNAME, NS, PTR or
//! SRV in their plain form; [`fast_wire`] puts those in wire form directly,
//! without `domain`'s scanners, which go symbol by symbol through generic
//! builders (a tenth of the time of loading a 100,000-record zone).

use std::borrow::Cow;
use std::net::Ipv4Addr;

use domain::base::charstr::CharStr;
use domain::base::iana::{Rtype, SecurityAlgorithm};
use domain::base::name::Name as WireName;
use domain::base::rdata::ComposeRecordData;
use domain::base::scan::{ConvertSymbols, EntrySymbol, Scan, Scanner, ScannerError, Symbol};
use domain::dep::octseq::str::Str;
use domain::rdata::ZoneRecordData;
use hickory_resolver::proto::rr::rdata::NULL;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::proto::serialize::binary::{BinDecoder, Restrict};

use super::lex::{
    DName, Fail, Token, decode_escape, decode_hex, parse_name, parse_ttl, parse_uint, shown,
    token_bytes, unescape_into, upper,
};

/// The RFC 1035 class mnemonics (and RFC 3597 `CLASSnn`).
pub(super) fn is_class(word: &str) -> bool {
    matches!(word, "IN" | "CS" | "CH" | "HS" | "NONE" | "ANY")
        || word
            .strip_prefix("CLASS")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Presentation name of a type: its mnemonic, or `TYPEnn` (RFC 3597 5).
pub(super) fn type_name(rtype: RecordType) -> String {
    Rtype::from_int(u16::from(rtype)).to_string()
}

/// A record type from its mnemonic or `TYPEnn`; meta and query types are refused.
pub(super) fn parse_type(token: &Token) -> Result<RecordType, Fail> {
    let word = upper(token);
    let code = if let Some(digits) = word.strip_prefix("TYPE")
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        let digits = Token {
            text: digits.as_bytes().to_vec().into(),
            ..token.clone()
        };
        parse_uint(&digits, "type number", 65_535)? as u16
    } else {
        Rtype::from_mnemonic(word.as_bytes())
            .filter(|_| !token.quoted && word != "*")
            .ok_or_else(|| Fail::new(token.line, format!("unknown record type {}", shown(token))))?
            .to_int()
    };
    // RFC 6895 3.1: 0 is reserved, 41 is OPT, 128-255 are query and meta types.
    if code == 0 || code == 41 || (128..=255).contains(&code) {
        return Err(Fail::new(
            token.line,
            format!(
                "{} is a query or meta type, not a record type: it cannot appear in a zone file",
                shown(token)
            ),
        ));
    }
    Ok(RecordType::from(code))
}

/// Decodes wire-form RDATA with hickory's own decoder, giving its typed rdata.
fn decode_rdata(rtype: RecordType, wire: &[u8]) -> Result<RData, String> {
    let len = u16::try_from(wire.len()).map_err(|_| "RDATA over 65535 bytes".to_string())?;
    let mut decoder = BinDecoder::new(wire);
    RData::read(&mut decoder, rtype, Restrict::new(len)).map_err(|e| e.to_string())
}

/// Opaque RDATA of `rtype`, as hickory keeps types it does not know.
fn unknown_rdata(rtype: RecordType, wire: &[u8]) -> RData {
    let rdata = if wire.is_empty() {
        NULL::new()
    } else {
        NULL::with(wire.to_vec())
    };
    RData::Unknown { code: rtype, rdata }
}

/// RFC 3597 section 5: `\# <length> <hex words>`.
fn generic_rdata(tokens: &[Token<'_>], line: usize) -> Result<Vec<u8>, Fail> {
    let len_token = tokens.get(1).ok_or_else(|| {
        Fail::new(
            line,
            "generic record data '\\#' needs a length and hex data (RFC 3597 5)",
        )
    })?;
    let len = parse_uint(len_token, "generic record data length", 65_535)?;
    let mut hex = Vec::new();
    for token in tokens.get(2..).unwrap_or_default() {
        if token.quoted {
            return Err(Fail::new(
                token.line,
                "generic record data must be hex digits, not a quoted string",
            ));
        }
        hex.extend_from_slice(&token.text);
    }
    let bytes = decode_hex(&hex).ok_or_else(|| {
        Fail::new(
            line,
            "bad hex in generic record data: expected an even number of hex digits (RFC 3597 5)",
        )
    })?;
    if bytes.len() as u64 != len {
        return Err(Fail::new(
            line,
            format!(
                "generic record data says {len} bytes but {} bytes of hex follow (RFC 3597 5)",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

/// Builds the RDATA of one record from its tokens: its wire form is appended
/// to `out`; hickory's rdata is returned when it was made on the way (the
/// long way, through `domain`), None for the commonest types, whose wire form
/// [`rdata_of`] decodes.
pub(super) fn build_rdata(
    rtype: RecordType,
    tokens: &[Token<'_>],
    origin: Option<&DName>,
    line: usize,
    out: &mut Vec<u8>,
) -> Result<Option<RData>, Fail> {
    let start = out.len();
    if fast_wire(rtype, tokens, origin, out) {
        // Decoded later by `rdata_of`, perhaps on another thread.
        return Ok(None);
    }
    out.truncate(start);
    let (wire, rdata) = scan_rdata(rtype, tokens, origin, line)?;
    out.extend_from_slice(&wire);
    Ok(Some(rdata))
}

/// hickory's rdata for wire-form RDATA that [`fast_wire`] wrote: typed, or
/// opaque when hickory cannot read it.
pub(super) fn rdata_of(rtype: RecordType, wire: &[u8]) -> RData {
    decode_rdata(rtype, wire).unwrap_or_else(|_| unknown_rdata(rtype, wire))
}

/// The wire form of the record data of the commonest types (A, AAAA, NS,
/// CNAME, PTR, MX, TXT, SRV), read straight from the tokens and appended to
/// `out`; false, with `out` in any state, when the data is not in the plain
/// form this reads (then [`scan_rdata`] reads it, and reports what is wrong).
///
/// Every record this accepts, `domain`'s scanners accept with the same wire
/// form: each field is taken only in the form whose reading by `domain` is
/// plain (unquoted numbers of digits, unquoted addresses without escapes, names
/// through the same [`parse_name`]); anything else goes the long way.
/// `fast_path_agrees_with_domain` in the tests holds the two to that.
pub(super) fn fast_wire(
    rtype: RecordType,
    tokens: &[Token<'_>],
    origin: Option<&DName>,
    out: &mut Vec<u8>,
) -> bool {
    // RFC 3597 generic data (`\# <length> <hex>`) is read by `scan_rdata`.
    if tokens
        .first()
        .is_some_and(|t| !t.quoted && *t.text == *b"\\#")
    {
        return false;
    }
    let plain = |t: &Token<'_>| !t.quoted && !t.text.contains(&b'\\');
    let number = |t: &Token<'_>| -> Option<u16> {
        if !plain(t) || t.text.is_empty() || t.text.len() > 5 {
            return None;
        }
        let mut value: u32 = 0;
        for &c in t.text.iter() {
            if !c.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(c - b'0');
        }
        u16::try_from(value).ok()
    };
    let name = |t: &Token<'_>, out: &mut Vec<u8>| -> bool {
        match parse_name(t, origin) {
            Ok(name) => {
                name.write_wire(out);
                true
            }
            Err(_) => false,
        }
    };
    fn text<'t>(t: &'t Token<'_>) -> Option<&'t str> {
        if t.quoted || t.text.contains(&b'\\') {
            return None;
        }
        std::str::from_utf8(&t.text).ok()
    }
    match (rtype, tokens) {
        (RecordType::A, [addr]) => match text(addr).and_then(|a| a.parse::<Ipv4Addr>().ok()) {
            Some(addr) => out.extend_from_slice(&addr.octets()),
            None => return false,
        },
        (RecordType::AAAA, [addr]) => {
            match text(addr).and_then(|a| a.parse::<std::net::Ipv6Addr>().ok()) {
                Some(addr) => out.extend_from_slice(&addr.octets()),
                None => return false,
            }
        }
        (RecordType::NS | RecordType::CNAME | RecordType::PTR, [target]) => {
            if !name(target, out) {
                return false;
            }
        }
        (RecordType::MX, [preference, exchange]) => {
            let Some(preference) = number(preference) else {
                return false;
            };
            out.extend_from_slice(&preference.to_be_bytes());
            if !name(exchange, out) {
                return false;
            }
        }
        (RecordType::SRV, [priority, weight, port, target]) => {
            for field in [priority, weight, port] {
                let Some(value) = number(field) else {
                    return false;
                };
                out.extend_from_slice(&value.to_be_bytes());
            }
            if !name(target, out) {
                return false;
            }
        }
        // RFC 1035 3.3.14: one or more character-strings of at most 255 bytes.
        (RecordType::TXT, [_, ..]) => {
            let start = out.len();
            for token in tokens {
                let at = out.len();
                out.push(0);
                unescape_into(&token.text, out);
                let Ok(len) = u8::try_from(out.len() - at - 1) else {
                    return false;
                };
                if let Some(b) = out.get_mut(at) {
                    *b = len;
                }
            }
            if out.len() - start > usize::from(u16::MAX) {
                return false;
            }
        }
        _ => return false,
    }
    true
}

/// The RDATA of one record read by `domain`'s scanners (or ours, for the
/// types it has no scanner for): the wire form and hickory's rdata.
pub(super) fn scan_rdata(
    rtype: RecordType,
    tokens: &[Token<'_>],
    origin: Option<&DName>,
    line: usize,
) -> Result<(Vec<u8>, RData), Fail> {
    let name = type_name(rtype);
    if let Some(first) = tokens.first()
        && !first.quoted
        && *first.text == *b"\\#"
    {
        let wire = generic_rdata(tokens, line)?;
        let rdata = decode_rdata(rtype, &wire).map_err(|e| {
            Fail::new(
                line,
                format!("generic record data is not valid {name} data: {e}"),
            )
        })?;
        return Ok((wire, rdata));
    }
    let code = u16::from(rtype);
    // Types whose last field runs to the end of the entry (hex, base64): `domain`
    // takes it as empty when missing, BIND (and the RFCs' formats) require it.
    let fields = match code {
        61 | 49 => 1,                           // OPENPGPKEY, DHCID
        44 => 3,                                // SSHFP
        43 | 59 | 32768 | 32769 | 48 | 60 => 4, // DS, CDS, TA, DLV, DNSKEY, CDNSKEY
        52 | 53 | 63 => 4,                      // TLSA, SMIMEA, ZONEMD
        50 => 5,                                // NSEC3
        46 => 9,                                // RRSIG
        _ => 0,
    };
    if tokens.len() < fields {
        return Err(Fail::new(
            line,
            format!("bad {name} record data: the record data ends too early"),
        ));
    }
    let tokens = with_numbers(code, tokens)?;
    let mut scanner = TokenScanner {
        tokens: &tokens,
        pos: 0,
        origin,
        rtype: &name,
        detail: None,
    };
    let scanned = match own_rdata(code, &mut scanner) {
        Some(result) => result,
        None => ZoneRecordData::scan(Rtype::from_int(code), &mut scanner).and_then(|data| {
            let mut wire = Vec::new();
            data.compose_rdata(&mut wire)
                .map_err(|_| ScanError::custom("record data over 65535 bytes"))?;
            Ok(wire)
        }),
    };
    let wire = match scanned {
        Ok(wire) => wire,
        Err(e) if e.0 == "unknown record type with concrete data" => {
            return Err(Fail::new(
                line,
                format!(
                    "{name} records have no presentation form mailcheck can read: write the record in RFC 3597 generic form (TYPE{code} \\# <length> <hex>)"
                ),
            ));
        }
        Err(e) => return Err(scanner.failure(e, line)),
    };
    if let Some(extra) = tokens.get(scanner.pos) {
        return Err(Fail::new(
            extra.line,
            format!("unexpected '{}' after the {name} record data", shown(extra)),
        ));
    }
    if wire.len() > usize::from(u16::MAX) {
        return Err(Fail::new(
            line,
            format!(
                "{name} record data of {} bytes exceeds 65535 (RFC 1035 3.2.1)",
                wire.len()
            ),
        ));
    }
    // Valid data hickory cannot read (a type it parses more strictly) stays opaque.
    let rdata = decode_rdata(rtype, &wire).unwrap_or_else(|_| unknown_rdata(rtype, &wire));
    Ok((wire, rdata))
}

/// A copy of `tokens` with the fields `domain` wants as numbers made numbers:
/// DNSSEC algorithm mnemonics (RFC 4034 A.1), DS digest mnemonics, SOA timers in
/// BIND units (`1h`, `2d`).
fn with_numbers<'a, 'b>(code: u16, tokens: &'b [Token<'a>]) -> Result<Cow<'b, [Token<'a>]>, Fail> {
    let rtype = Rtype::from_int(code);
    let dnssec = [
        Rtype::DNSKEY,
        Rtype::CDNSKEY,
        Rtype::RRSIG,
        Rtype::DS,
        Rtype::CDS,
    ];
    if !(dnssec.contains(&rtype) || rtype == Rtype::SOA || code == 32768 || code == 32769) {
        return Ok(Cow::Borrowed(tokens));
    }
    let mut tokens = tokens.to_vec();
    let set =
        |token: &mut Token<'_>, value: u64| token.text = value.to_string().into_bytes().into();
    let algorithm = |token: &mut Token<'_>| {
        if let Some(alg) = SecurityAlgorithm::from_mnemonic(&token.text) {
            set(token, u64::from(alg.to_int()));
        }
    };
    if rtype == Rtype::DNSKEY || rtype == Rtype::CDNSKEY {
        tokens.get_mut(2).map(algorithm);
    } else if rtype == Rtype::RRSIG {
        tokens.get_mut(1).map(algorithm);
    } else if rtype == Rtype::DS || rtype == Rtype::CDS || code == 32768 || code == 32769 {
        tokens.get_mut(1).map(algorithm);
        if let Some(digest) = tokens.get_mut(2) {
            let value = match upper(digest).as_str() {
                "SHA-1" | "SHA1" => Some(1),
                "SHA-256" | "SHA256" => Some(2),
                "GOST" => Some(3),
                "SHA-384" | "SHA384" => Some(4),
                _ => None,
            };
            if let Some(value) = value {
                set(digest, value);
            }
        }
    } else if rtype == Rtype::SOA {
        for token in tokens.iter_mut().skip(3).take(4) {
            let seconds = parse_ttl(token)?;
            set(token, u64::from(seconds));
        }
    }
    Ok(Cow::Owned(tokens))
}

/// The types `domain` has no presentation parser for; None for the others.
fn own_rdata(code: u16, s: &mut TokenScanner<'_>) -> Option<Result<Vec<u8>, ScanError>> {
    let scan_as = |s: &mut TokenScanner<'_>, rtype: Rtype| {
        let data = ZoneRecordData::scan(rtype, s)?;
        let mut wire = Vec::new();
        data.compose_rdata(&mut wire)
            .map_err(|_| ScanError::custom("record data over 65535 bytes"))?;
        Ok(wire)
    };
    let result = match code {
        // SPF (RFC 7208 3.1), NINFO, RESINFO (RFC 9606), WALLET: TXT's form.
        99 | 56 | 261 | 262 => scan_as(s, Rtype::TXT),
        // SMIMEA (RFC 8162): TLSA's form.
        53 => scan_as(s, Rtype::TLSA),
        // TA, DLV (RFC 4431): DS's form.
        32768 | 32769 => scan_as(s, Rtype::DS),
        // DHCID (RFC 4701): base64, as OPENPGPKEY.
        49 => scan_as(s, Rtype::OPENPGPKEY),
        // AFSDB (RFC 1183), RT, KX (RFC 2230), LP (RFC 6742): a number and a name.
        18 | 21 | 36 | 107 => (|| {
            let mut wire = u16::scan(s)?.to_be_bytes().to_vec();
            wire.extend_from_slice(s.scan_name()?.as_slice());
            Ok(wire)
        })(),
        // L32 (RFC 6742): preference and an IPv4 locator.
        105 => (|| {
            let mut wire = u16::scan(s)?.to_be_bytes().to_vec();
            let addr = s.scan_ascii_str(|t| {
                t.parse::<Ipv4Addr>()
                    .map_err(|_| ScanError::custom("expected an IPv4 address"))
            })?;
            wire.extend_from_slice(&addr.octets());
            Ok(wire)
        })(),
        // NID, L64 (RFC 6742): preference and 64 bits as four groups of hex.
        104 | 106 => (|| {
            let mut wire = u16::scan(s)?.to_be_bytes().to_vec();
            let bytes = s.scan_ascii_str(|t| hex_groups(t, ':', 4, 4))?;
            wire.extend_from_slice(&bytes);
            Ok(wire)
        })(),
        // EUI48, EUI64 (RFC 7043): hex pairs joined by '-'.
        108 => s.scan_ascii_str(|t| hex_groups(t, '-', 6, 2)),
        109 => s.scan_ascii_str(|t| hex_groups(t, '-', 8, 2)),
        // URI (RFC 7553 4.5): priority, weight, and the target as one string.
        256 => (|| {
            let mut wire = u16::scan(s)?.to_be_bytes().to_vec();
            wire.extend_from_slice(&u16::scan(s)?.to_be_bytes());
            wire.extend_from_slice(&s.scan_octets()?);
            Ok(wire)
        })(),
        // LOC (RFC 1876 3).
        29 => s.loc(),
        _ => return None,
    };
    Some(result)
}

/// `groups` groups of `digits` hex digits separated by `sep`, as bytes.
fn hex_groups(text: &str, sep: char, groups: usize, digits: usize) -> Result<Vec<u8>, ScanError> {
    let parts: Vec<&str> = text.split(sep).collect();
    let bad = || {
        ScanError(format!(
            "expected {groups} groups of {digits} hex digits joined by '{sep}'"
        ))
    };
    if parts.len() != groups || parts.iter().any(|p| p.len() != digits) {
        return Err(bad());
    }
    decode_hex(parts.concat().as_bytes()).ok_or_else(bad)
}

/// A failure inside `domain`'s scanners, or a more precise one of ours.
#[derive(Debug)]
pub(super) struct ScanError(String);

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScanError {}

impl ScannerError for ScanError {
    fn custom(msg: &'static str) -> Self {
        ScanError(msg.to_string())
    }

    fn end_of_entry() -> Self {
        ScanError("the record data ends too early".to_string())
    }

    fn short_buf() -> Self {
        ScanError("the record data is too long".to_string())
    }

    fn trailing_tokens() -> Self {
        ScanError("unexpected data after the record data".to_string())
    }
}

impl From<domain::base::scan::BadSymbol> for ScanError {
    fn from(e: domain::base::scan::BadSymbol) -> Self {
        ScanError(e.to_string())
    }
}

/// `domain`'s view of one record's RDATA tokens.
struct TokenScanner<'a> {
    tokens: &'a [Token<'a>],
    pos: usize,
    origin: Option<&'a DName>,
    rtype: &'a str,
    /// A precise error of ours (a bad name, an over-long string), preferred
    /// over the generic one `domain` passes up.
    detail: Option<Fail>,
}

/// The symbols of a token's raw text: `\DDD` and `\X` escapes, and any byte that
/// is not printable ASCII as its decimal escape (RFC 1035 allows any octet).
fn symbols(raw: &[u8]) -> impl Iterator<Item = Symbol> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let c = *raw.get(i)?;
        if c == b'\\' {
            let (byte, len) = decode_escape(raw, i).ok()?;
            let digit = raw.get(i + 1).is_some_and(u8::is_ascii_digit);
            i += len;
            return Some(if digit {
                Symbol::DecimalEscape(byte)
            } else {
                Symbol::SimpleEscape(byte)
            });
        }
        i += 1;
        Some(if (0x20..0x7f).contains(&c) {
            Symbol::Char(char::from(c))
        } else {
            Symbol::DecimalEscape(c)
        })
    })
}

impl<'a> TokenScanner<'a> {
    fn next(&mut self) -> Result<&'a Token<'a>, ScanError> {
        let token = self
            .tokens
            .get(self.pos)
            .ok_or_else(ScanError::end_of_entry)?;
        self.pos += 1;
        Ok(token)
    }

    /// The error to report for `e`, at the token being read.
    fn failure(&mut self, e: ScanError, line: usize) -> Fail {
        if let Some(detail) = self.detail.take() {
            return detail;
        }
        let at = self.pos.checked_sub(1).and_then(|i| self.tokens.get(i));
        match at {
            Some(token) if e.0 != ScanError::end_of_entry().0 => Fail::new(
                token.line,
                format!("bad {} record data at '{}': {e}", self.rtype, shown(token)),
            ),
            _ => Fail::new(line, format!("bad {} record data: {e}", self.rtype)),
        }
    }

    fn fail(&mut self, fail: Fail) -> ScanError {
        let e = ScanError(fail.message.clone());
        self.detail = Some(fail);
        e
    }

    /// LOC (RFC 1876 3): `d1 [m1 [s1]] N|S d2 [m2 [s2]] E|W alt[m] [siz[m] [hp[m] [vp[m]]]]`.
    fn loc(&mut self) -> Result<Vec<u8>, ScanError> {
        let bad = |what: &str| ScanError(format!("bad LOC {what} (RFC 1876 3)"));
        let angle = |s: &mut Self, limit: u64, hemispheres: [u8; 2]| -> Result<u32, ScanError> {
            let mut parts = Vec::new();
            let sign = loop {
                let token = s.next()?;
                let text = token_bytes(token).to_ascii_uppercase();
                if let [h] = text.as_slice()
                    && hemispheres.contains(h)
                {
                    break if *h == hemispheres[0] { 1i64 } else { -1 };
                }
                parts.push(String::from_utf8_lossy(&text).into_owned());
                if parts.len() > 3 {
                    return Err(bad("coordinate"));
                }
            };
            let (deg, min, sec) = match parts.as_slice() {
                [d] => (d.as_str(), "0", "0"),
                [d, m] => (d.as_str(), m.as_str(), "0"),
                [d, m, s] => (d.as_str(), m.as_str(), s.as_str()),
                _ => return Err(bad("coordinate")),
            };
            let deg: u64 = deg.parse().map_err(|_| bad("degrees"))?;
            let min: u64 = min.parse().map_err(|_| bad("minutes"))?;
            let msec = decimal(sec, 3).ok_or_else(|| bad("seconds"))?;
            if deg > limit || min >= 60 || msec >= 60_000 || (deg == limit && (min | msec) != 0) {
                return Err(bad("coordinate"));
            }
            let thousandths = ((deg * 60 + min) * 60_000 + msec) as i64;
            Ok((i64::from(1u32 << 31) + sign * thousandths) as u32)
        };
        let lat = angle(self, 90, [b'N', b'S'])?;
        let lon = angle(self, 180, [b'E', b'W'])?;
        let meters = |s: &mut Self, signed: bool| -> Result<i64, ScanError> {
            let token = s.next()?;
            let text = String::from_utf8_lossy(&token_bytes(token)).into_owned();
            let text = text.strip_suffix(['m', 'M']).unwrap_or(&text);
            let (negative, digits) = match text.strip_prefix('-') {
                Some(rest) if signed => (true, rest),
                _ => (false, text),
            };
            let cm = decimal(digits, 2).ok_or_else(|| bad("distance"))? as i64;
            Ok(if negative { -cm } else { cm })
        };
        let alt = meters(self, true)? + 10_000_000;
        let alt = u32::try_from(alt).map_err(|_| bad("altitude"))?;
        // Size, horizontal and vertical precision default to 1 m, 10 km, 10 m.
        let mut sizes = [100i64, 1_000_000, 1_000];
        for size in &mut sizes {
            if self.pos < self.tokens.len() {
                *size = meters(self, false)?;
            }
        }
        let mut wire = vec![0u8];
        for cm in sizes {
            // Mantissa and power of ten, each 0-9, in centimetres.
            let (mut mantissa, mut exponent) = (cm, 0u8);
            while mantissa > 9 {
                mantissa /= 10;
                exponent += 1;
            }
            if exponent > 9 {
                return Err(bad("size"));
            }
            wire.push((mantissa as u8) << 4 | exponent);
        }
        for value in [lat, lon, alt] {
            wire.extend_from_slice(&value.to_be_bytes());
        }
        Ok(wire)
    }
}

/// A non-negative decimal with at most `places` fractional digits, scaled by 10^places.
fn decimal(text: &str, places: u32) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 9
        || fraction.len() > places as usize
        || !digits(whole)
        || !digits(fraction)
    {
        return None;
    }
    let mut value: u64 = whole.parse().ok()?;
    for i in 0..places as usize {
        let d = fraction
            .as_bytes()
            .get(i)
            .map_or(0, |b| u64::from(b - b'0'));
        value = value * 10 + d;
    }
    Some(value)
}

impl Scanner for TokenScanner<'_> {
    type Octets = Vec<u8>;
    type OctetsBuilder = Vec<u8>;
    type Name = WireName<Vec<u8>>;
    type Error = ScanError;

    fn has_space(&self) -> bool {
        self.tokens.get(self.pos).is_some_and(|t| !t.adjacent)
    }

    fn continues(&mut self) -> bool {
        self.pos < self.tokens.len()
    }

    fn scan_symbols<F>(&mut self, mut op: F) -> Result<(), ScanError>
    where
        F: FnMut(Symbol) -> Result<(), ScanError>,
    {
        symbols(&self.next()?.text).try_for_each(&mut op)
    }

    fn scan_entry_symbols<F>(&mut self, mut op: F) -> Result<(), ScanError>
    where
        F: FnMut(EntrySymbol) -> Result<(), ScanError>,
    {
        while self.pos < self.tokens.len() {
            symbols(&self.next()?.text).try_for_each(|sym| op(sym.into()))?;
            op(EntrySymbol::EndOfToken)?;
        }
        Ok(())
    }

    fn convert_token<C: ConvertSymbols<Symbol, ScanError>>(
        &mut self,
        mut convert: C,
    ) -> Result<Vec<u8>, ScanError> {
        let mut out = Vec::new();
        for sym in symbols(&self.next()?.text) {
            if let Some(data) = convert.process_symbol(sym)? {
                out.extend_from_slice(data);
            }
        }
        if let Some(data) = convert.process_tail()? {
            out.extend_from_slice(data);
        }
        Ok(out)
    }

    fn convert_entry<C: ConvertSymbols<EntrySymbol, ScanError>>(
        &mut self,
        mut convert: C,
    ) -> Result<Vec<u8>, ScanError> {
        let mut out = Vec::new();
        while self.pos < self.tokens.len() {
            for sym in symbols(&self.next()?.text) {
                if let Some(data) = convert.process_symbol(sym.into())? {
                    out.extend_from_slice(data);
                }
            }
        }
        if let Some(data) = convert.process_tail()? {
            out.extend_from_slice(data);
        }
        Ok(out)
    }

    fn scan_octets(&mut self) -> Result<Vec<u8>, ScanError> {
        Ok(token_bytes(self.next()?))
    }

    fn scan_svcb_octets(&mut self) -> Result<Vec<u8>, ScanError> {
        // `key="quoted value"` is one parameter written as two tokens.
        let mut out = token_bytes(self.next()?);
        if let Some(next) = self.tokens.get(self.pos)
            && next.adjacent
            && next.quoted
        {
            out.extend_from_slice(&token_bytes(next));
            self.pos += 1;
        }
        Ok(out)
    }

    fn scan_ascii_str<F, T>(&mut self, op: F) -> Result<T, ScanError>
    where
        F: FnOnce(&str) -> Result<T, ScanError>,
    {
        let bytes = token_bytes(self.next()?);
        match std::str::from_utf8(&bytes) {
            Ok(text) if text.is_ascii() => op(text),
            _ => Err(ScanError::custom("expected ASCII text")),
        }
    }

    fn scan_name(&mut self) -> Result<WireName<Vec<u8>>, ScanError> {
        let token = self.next()?;
        let name = parse_name(token, self.origin).map_err(|fail| self.fail(fail))?;
        let mut wire = Vec::with_capacity(name.wire_len());
        name.write_wire(&mut wire);
        WireName::from_octets(wire).map_err(|_| ScanError::custom("bad domain name"))
    }

    fn scan_charstr(&mut self) -> Result<CharStr<Vec<u8>>, ScanError> {
        let token = self.next()?;
        let bytes = token_bytes(token);
        if bytes.len() > 255 {
            let fail = Fail::new(
                token.line,
                format!(
                    "{} string of {} bytes; a character-string holds at most 255 (RFC 1035 3.3): split it into several quoted strings",
                    self.rtype,
                    bytes.len()
                ),
            );
            return Err(self.fail(fail));
        }
        CharStr::from_octets(bytes).map_err(|_| ScanError::custom("bad character-string"))
    }

    fn scan_string(&mut self) -> Result<Str<Vec<u8>>, ScanError> {
        let bytes = token_bytes(self.next()?);
        Str::from_utf8(bytes).map_err(|_| ScanError::custom("expected UTF-8 text"))
    }

    fn scan_charstr_entry(&mut self) -> Result<Vec<u8>, ScanError> {
        let mut out = Vec::new();
        while self.pos < self.tokens.len() {
            let s = self.scan_charstr()?;
            out.push(s.len() as u8);
            out.extend_from_slice(s.as_slice());
        }
        Ok(out)
    }

    fn scan_opt_unknown_marker(&mut self) -> Result<bool, ScanError> {
        let marker = self
            .tokens
            .get(self.pos)
            .is_some_and(|t| !t.quoted && *t.text == *b"\\#");
        if marker {
            self.pos += 1;
        }
        Ok(marker)
    }

    fn octets_builder(&mut self) -> Result<Vec<u8>, ScanError> {
        Ok(Vec::new())
    }
}
