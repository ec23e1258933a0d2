//! Offline DNS answers from RFC 1035 master ("zone") files, for `--zone FILE`.
//!
//! The reader is written by hand (hickory-proto's own master-file parser mis-lexes
//! quoted strings inside parentheses, decodes `\DDD` wrongly and accepts over-long
//! character-strings). It follows RFC 1035 section 5 (master files), RFC 2308
//! section 4 (`$TTL`), RFC 3597 section 5 (generic `TYPEnn \# len hex` records)
//! and RFC 4592 (wildcards), and produces hickory [`Record`]s. A [`ZoneSet`] then
//! answers queries the way an authoritative server would answer a resolver.
//!
//! Choices beyond the RFCs' letter: the apex is the SOA owner (else the first
//! `$ORIGIN`), so BIND dumps that start with `$ORIGIN .` work; records outside the
//! apex, a second SOA, and a CNAME beside other data are load errors; exact duplicate
//! records are dropped; names are stored lower-case; only class IN is accepted; a
//! name at or below a delegation (NS below the apex) answers SERVFAIL, since the
//! child zone is not loaded; types without a presentation parser here (RRSIG, NSEC,
//! SVCB, ...) must be written in RFC 3597 generic form.

use std::collections::{HashMap, HashSet};

/// Maps and sets keyed by names: foldhash instead of SipHash, which was a
/// third of the instructions of loading a 1,000-domain zone (callgrind).
/// Seeded per process, so a crafted zone cannot aim at collisions.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<K> = HashSet<K, foldhash::fast::RandomState>;

fn fast_map<K, V>(capacity: usize) -> FastMap<K, V> {
    FastMap::with_capacity_and_hasher(capacity, Default::default())
}

fn fast_set<K>(capacity: usize) -> FastSet<K> {
    FastSet::with_capacity_and_hasher(capacity, Default::default())
}
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use hickory_resolver::proto::rr::rdata::NULL;
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::proto::serialize::binary::{BinDecoder, Restrict};

/// The largest master file (or included file) the reader takes: 256 MiB,
/// far above the zones of the domains mailcheck checks (a 10,000-domain
/// zone is about 7 MB), and small enough that a wrong path cannot exhaust
/// memory.
pub const MAX_ZONE_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// How deeply `$INCLUDE` may nest.
const MAX_INCLUDE_DEPTH: usize = 16;
/// How many CNAME links a lookup follows before answering SERVFAIL.
const MAX_CNAME_CHAIN: usize = 16;
/// TTL used when neither the record, `$TTL`, a previous record nor the SOA gives one.
const DEFAULT_TTL: u32 = 3600;
/// Largest TTL a zone may state (RFC 2181 section 8).
const MAX_TTL: u64 = 0x7fff_ffff;

/// A master file could not be read: the file, the 1-based line, what is wrong.
///
/// `line` is 0 when the file as a whole could not be read (missing, no permission).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    /// The file, as the user (or the including file) named it.
    pub path: PathBuf,
    /// 1-based line number, or 0 for an error about the whole file.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
        }
    }
}

impl std::error::Error for ZoneError {}

/// One loaded master file.
#[derive(Debug, Clone)]
pub struct Zone {
    /// The zone apex, fully qualified and lower-case: the SOA owner, or without an
    /// SOA the file's first `$ORIGIN`.
    pub origin: Name,
    /// Every record of the zone in file order, names lower-cased, exact duplicates dropped.
    pub records: Vec<Record>,
}

impl Zone {
    /// Reads and parses the master file at `path` (its `$INCLUDE`s are relative to its directory).
    pub fn load(path: &Path) -> Result<Zone, ZoneError> {
        let bytes = read_master_file(path, true).map_err(|message| ZoneError {
            path: path.to_path_buf(),
            line: 0,
            message,
        })?;
        Zone::parse_bytes(&bytes, path)
    }

    /// Parses master-file text; `path` names it in errors and anchors relative `$INCLUDE`s.
    pub fn parse(text: &str, path: &Path) -> Result<Zone, ZoneError> {
        Zone::parse_bytes(text.as_bytes(), path)
    }

    /// Like [`Zone::parse`] for raw bytes: master files need not be UTF-8 (RFC 1035 5.1).
    pub fn parse_bytes(bytes: &[u8], path: &Path) -> Result<Zone, ZoneError> {
        let mut loader = Loader::default();
        loader.read_file(bytes, path, None, 0)?;
        loader.finish(path)
    }
}

/// Reads a master file of at most [`MAX_ZONE_FILE_BYTES`]. Regular files
/// always; a pipe (`--zone /dev/stdin`, `--zone <(...)`) only when
/// `allow_pipe`, which `$INCLUDE` does not set: an included device, pipe or
/// directory is refused before anything is read from it.
fn read_master_file(path: &Path, allow_pipe: bool) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    let kind = meta.file_type();
    let too_big = || {
        format!(
            "is larger than {} MiB, the most mailcheck reads",
            MAX_ZONE_FILE_BYTES / (1024 * 1024)
        )
    };
    if meta.len() > MAX_ZONE_FILE_BYTES {
        return Err(too_big());
    }
    if kind.is_dir() {
        return Err("is a directory, not a zone file".to_string());
    }
    #[cfg(unix)]
    let pipe = std::os::unix::fs::FileTypeExt::is_fifo(&kind);
    #[cfg(not(unix))]
    let pipe = false;
    let readable = kind.is_file() || (allow_pipe && pipe);
    if !readable {
        return Err("is not a regular file (a device, socket or pipe)".to_string());
    }
    let mut bytes = Vec::new();
    file.take(MAX_ZONE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_ZONE_FILE_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

/// How a [`ZoneSet`] lookup ended, as the RCODE a resolver would see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZoneRcode {
    /// The name exists (possibly with no records of the asked type: NODATA).
    NoError,
    /// The name does not exist, or no loaded zone covers it.
    NxDomain,
    /// No answer can be given: a CNAME loop, a chain that is too long, or a delegation
    /// to a zone that is not loaded.
    ServFail,
}

/// The answer to one [`ZoneSet::lookup`].
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneAnswer {
    /// The response code.
    pub rcode: ZoneRcode,
    /// The answer section: CNAMEs followed, then the records asked for.
    pub answers: Vec<Record>,
}

/// Several zones answering together, the most specific zone answering for its names.
#[derive(Debug, Clone, Default)]
pub struct ZoneSet {
    zones: Vec<Zone>,
    indexes: Vec<ZoneIndex>,
    by_origin: FastMap<Name, usize>,
}

/// Lookup tables for one zone; every name is lower-case and fully qualified.
#[derive(Debug, Clone)]
struct ZoneIndex {
    origin: Name,
    /// Owner name to indexes into the zone's records.
    by_name: FastMap<Name, Vec<usize>>,
    /// Every owner name and every name between an owner and the apex (empty non-terminals).
    existing: FastSet<Name>,
    /// Owners of NS records below the apex: delegations to child zones.
    cuts: FastSet<Name>,
}

/// What one zone says about one name.
enum Step {
    Answer(Vec<Record>),
    NoData,
    NxDomain,
    Cname(Box<Record>, Name),
    Delegated,
}

impl ZoneSet {
    /// Indexes `zones`; when two share an origin, the first one answers for it.
    pub fn new(zones: Vec<Zone>) -> ZoneSet {
        let mut by_origin = fast_map(zones.len());
        let mut indexes = Vec::with_capacity(zones.len());
        for (i, zone) in zones.iter().enumerate() {
            let index = ZoneIndex::build(zone);
            by_origin.entry(index.origin.clone()).or_insert(i);
            indexes.push(index);
        }
        ZoneSet {
            zones,
            indexes,
            by_origin,
        }
    }

    /// Loads every file; two files for the same zone apex are an error.
    pub fn load(paths: &[PathBuf]) -> Result<ZoneSet, ZoneError> {
        let mut zones: Vec<Zone> = Vec::with_capacity(paths.len());
        let mut seen: HashMap<Name, &Path> = HashMap::new();
        for path in paths {
            let zone = Zone::load(path)?;
            if let Some(first) = seen.get(&zone.origin) {
                return Err(ZoneError {
                    path: path.clone(),
                    line: 0,
                    message: format!(
                        "zone {} is already loaded from {}",
                        zone.origin,
                        first.display()
                    ),
                });
            }
            seen.insert(zone.origin.clone(), path);
            zones.push(zone);
        }
        Ok(ZoneSet::new(zones))
    }

    /// Every name the zones hold: owners, and the names between an owner
    /// and its zone's apex. Lower case, fully qualified.
    pub fn names(&self) -> impl Iterator<Item = &Name> {
        self.indexes.iter().flat_map(|index| index.existing.iter())
    }

    /// The loaded zones, in the order given.
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// Answers `name`/`rtype` like an authoritative server followed by a resolver:
    /// CNAMEs are chased across zones (RFC 1034 4.3.2), wildcards synthesised (RFC 4592).
    pub fn lookup(&self, name: &Name, rtype: RecordType) -> ZoneAnswer {
        let mut answers = Vec::new();
        let mut current = normalize(name);
        let mut seen = HashSet::new();
        seen.insert(current.clone());
        loop {
            let Some(i) = self.zone_for(&current) else {
                return ZoneAnswer {
                    rcode: ZoneRcode::NxDomain,
                    answers,
                };
            };
            let (Some(zone), Some(index)) = (self.zones.get(i), self.indexes.get(i)) else {
                return servfail();
            };
            match index.resolve(zone, &current, rtype) {
                Step::Answer(records) => {
                    answers.extend(records);
                    return ZoneAnswer {
                        rcode: ZoneRcode::NoError,
                        answers,
                    };
                }
                Step::NoData => {
                    return ZoneAnswer {
                        rcode: ZoneRcode::NoError,
                        answers,
                    };
                }
                Step::NxDomain => {
                    return ZoneAnswer {
                        rcode: ZoneRcode::NxDomain,
                        answers,
                    };
                }
                Step::Delegated => return servfail(),
                Step::Cname(record, target) => {
                    answers.push(*record);
                    if answers.len() > MAX_CNAME_CHAIN || !seen.insert(target.clone()) {
                        return servfail();
                    }
                    current = target;
                }
            }
        }
    }

    /// The most specific loaded zone whose apex is `name` or an ancestor of it.
    fn zone_for(&self, name: &Name) -> Option<usize> {
        (0..=label_count(name))
            .rev()
            .find_map(|k| self.by_origin.get(&name.trim_to(k)).copied())
    }
}

fn servfail() -> ZoneAnswer {
    ZoneAnswer {
        rcode: ZoneRcode::ServFail,
        answers: Vec::new(),
    }
}

/// Lower-case and fully qualified, the form every index key has.
fn normalize(name: &Name) -> Name {
    let mut name = name.to_lowercase();
    name.set_fqdn(true);
    name
}

fn label_count(name: &Name) -> usize {
    name.iter().count()
}

impl ZoneIndex {
    fn build(zone: &Zone) -> ZoneIndex {
        let origin = normalize(&zone.origin);
        let apex_labels = label_count(&origin);
        let mut by_name: FastMap<Name, Vec<usize>> = fast_map(zone.records.len());
        let mut existing = fast_set(zone.records.len());
        let mut cuts = fast_set(0);
        existing.insert(origin.clone());
        for (i, record) in zone.records.iter().enumerate() {
            let owner = normalize(&record.name);
            if !origin.zone_of(&owner) {
                continue; // cannot be reached: lookups come here only for names in the zone
            }
            for k in (apex_labels..=label_count(&owner)).rev() {
                if !existing.insert(owner.trim_to(k)) {
                    break; // its ancestors are already there
                }
            }
            if record.record_type() == RecordType::NS && owner != origin {
                cuts.insert(owner.clone());
            }
            by_name.entry(owner).or_default().push(i);
        }
        ZoneIndex {
            origin,
            by_name,
            existing,
            cuts,
        }
    }

    /// What this zone says about `name` (lower-case, fully qualified, inside the zone).
    fn resolve(&self, zone: &Zone, name: &Name, rtype: RecordType) -> Step {
        let apex_labels = label_count(&self.origin);
        let labels = label_count(name);
        // Below a zone cut the parent is not authoritative (RFC 1034 4.2.1); the NS and
        // DS records at the cut itself are still the parent's to give.
        for k in apex_labels + 1..=labels {
            if self.cuts.contains(&name.trim_to(k)) {
                let at_cut = k == labels;
                if at_cut && (rtype == RecordType::NS || rtype == RecordType::DS) {
                    break;
                }
                return Step::Delegated;
            }
        }
        if let Some(found) = self.by_name.get(name) {
            return answer_at(zone, found, name, rtype);
        }
        if self.existing.contains(name) {
            return Step::NoData; // an empty non-terminal
        }
        // RFC 4592 3.3.1: the closest encloser's `*` child, if it exists, answers.
        for k in (apex_labels..labels).rev() {
            let encloser = name.trim_to(k);
            if !self.existing.contains(&encloser) {
                continue;
            }
            let Ok(wildcard) = encloser.prepend_label("*") else {
                return Step::NxDomain;
            };
            if let Some(found) = self.by_name.get(&wildcard) {
                return answer_at(zone, found, name, rtype);
            }
            if self.existing.contains(&wildcard) {
                return Step::NoData;
            }
            return Step::NxDomain;
        }
        Step::NxDomain
    }
}

/// The answer from the records `found` of one owner, renamed to `qname` (for wildcards).
fn answer_at(zone: &Zone, found: &[usize], qname: &Name, rtype: RecordType) -> Step {
    let renamed = |record: &Record| {
        let mut record = record.clone();
        record.name = qname.clone();
        record
    };
    let records = found.iter().filter_map(|&i| zone.records.get(i));
    let matching: Vec<Record> = records
        .clone()
        .filter(|r| rtype == RecordType::ANY || r.record_type() == rtype)
        .map(renamed)
        .collect();
    if !matching.is_empty() {
        return Step::Answer(matching);
    }
    if rtype != RecordType::CNAME {
        for record in records {
            if let RData::CNAME(target) = &record.data {
                return Step::Cname(Box::new(renamed(record)), normalize(&target.0));
            }
        }
    }
    Step::NoData
}

// ---------------------------------------------------------------------------
// Lexing (RFC 1035 section 5.1)
// ---------------------------------------------------------------------------

/// A parse error inside one file, before the file's path is attached.
#[derive(Debug)]
struct Fail {
    line: usize,
    message: String,
}

impl Fail {
    fn new(line: usize, message: impl Into<String>) -> Fail {
        Fail {
            line,
            message: message.into(),
        }
    }

    fn at(self, path: &Path) -> ZoneError {
        ZoneError {
            path: path.to_path_buf(),
            line: self.line,
            message: self.message,
        }
    }
}

/// One word of an entry. Unquoted words keep their backslash escapes (a name needs
/// to tell `\.` from `.`); quoted words are already unescaped.
#[derive(Debug, Clone)]
struct Token {
    text: Vec<u8>,
    quoted: bool,
    line: usize,
}

/// One logical line: a record or a directive, parentheses already joined.
#[derive(Debug)]
struct Entry {
    line: usize,
    blank_owner: bool,
    tokens: Vec<Token>,
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
}

/// Decodes the escape whose backslash is at `src[i]`: `\DDD` (a decimal byte value)
/// or `\X` (the byte X), RFC 1035 5.1. Returns the byte and the length of the escape.
fn decode_escape(src: &[u8], i: usize) -> Result<(u8, usize), String> {
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
fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
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
    out
}

/// A token's bytes with escapes removed.
fn token_bytes(token: &Token) -> Vec<u8> {
    if token.quoted {
        token.text.clone()
    } else {
        unescape(&token.text)
    }
}

/// A token for an error message, shortened when long.
fn shown(token: &Token) -> String {
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

fn upper(token: &Token) -> String {
    String::from_utf8_lossy(&token.text).to_ascii_uppercase()
}

impl<'a> Lexer<'a> {
    fn new(src: &'a [u8]) -> Lexer<'a> {
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
    fn next_entry(&mut self) -> Result<Option<Entry>, Fail> {
        while self.pos < self.src.len() {
            // Always at the start of a physical line here.
            let blank_owner = matches!(self.peek(), Some(b' ' | b'\t'));
            let mut tokens = Vec::new();
            let mut paren: Option<usize> = None;
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
                    b'"' => tokens.push(self.quoted()?),
                    _ => tokens.push(self.word()?),
                }
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
    fn quoted(&mut self) -> Result<Token, Fail> {
        let line = self.line;
        let unterminated = || Fail::new(line, "unterminated quoted string (no closing '\"')");
        self.pos += 1;
        let mut text = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\n') => return Err(unterminated()),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Token {
                        text,
                        quoted: true,
                        line,
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
                    text.push(byte);
                    self.pos += len;
                }
                Some(c) => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// An unquoted word, escapes kept raw but validated.
    fn word(&mut self) -> Result<Token, Fail> {
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
        let text = self.src.get(start..self.pos).unwrap_or_default().to_vec();
        Ok(Token {
            text,
            quoted: false,
            line,
        })
    }
}

// ---------------------------------------------------------------------------
// Names (RFC 1035 sections 2.3.4 and 5.1)
// ---------------------------------------------------------------------------

/// An absolute domain name as lower-cased labels without the root:
/// `www.example.com.` is `[www, example, com]`, the root is `[]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
struct DName {
    labels: Vec<Vec<u8>>,
}

impl DName {
    /// Length in uncompressed wire form, counting the root byte.
    fn wire_len(&self) -> usize {
        self.labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1
    }

    /// True when `self` is `apex` or below it.
    fn is_within(&self, apex: &DName) -> bool {
        self.labels
            .len()
            .checked_sub(apex.labels.len())
            .and_then(|start| self.labels.get(start..))
            .is_some_and(|tail| tail == apex.labels.as_slice())
    }

    fn write_wire(&self, out: &mut Vec<u8>) {
        for label in &self.labels {
            // Labels are at most 63 bytes: checked when the name was parsed.
            out.push(label.len() as u8);
            out.extend_from_slice(label);
        }
        out.push(0);
    }

    fn to_name(&self) -> Result<Name, String> {
        Name::from_labels(self.labels.iter().map(Vec::as_slice)).map_err(|e| e.to_string())
    }
}

impl fmt::Display for DName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.labels.is_empty() {
            return f.write_str(".");
        }
        for label in &self.labels {
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
fn parse_name(token: &Token, origin: Option<&DName>) -> Result<DName, Fail> {
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
    let raw = token.text.as_slice();
    let no_origin = || {
        Fail::new(
            line,
            format!(
                "relative name '{}' but no $ORIGIN (and no SOA record before it) to complete it",
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
    let mut labels = Vec::new();
    let mut label = Vec::new();
    let mut absolute = false;
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        match c {
            b'\\' => {
                let (byte, len) = decode_escape(raw, i).map_err(|m| Fail::new(line, m))?;
                label.push(byte);
                i += len;
            }
            b'.' => {
                if label.is_empty() {
                    return Err(Fail::new(
                        line,
                        format!("empty label in the name '{}'", shown(token)),
                    ));
                }
                labels.push(std::mem::take(&mut label));
                absolute = i + 1 == raw.len();
                i += 1;
            }
            _ => {
                label.push(c);
                i += 1;
            }
        }
    }
    if !label.is_empty() {
        labels.push(label);
    }
    for label in &labels {
        if label.len() > 63 {
            return Err(Fail::new(
                line,
                format!(
                    "label '{}' is {} bytes; a label holds at most 63 (RFC 1035 2.3.4)",
                    String::from_utf8_lossy(label),
                    label.len()
                ),
            ));
        }
    }
    // Names compare case-insensitively (RFC 4343): store them lower-case, escapes included.
    for label in &mut labels {
        label.make_ascii_lowercase();
    }
    let mut name = DName { labels };
    if !absolute {
        let origin = origin.ok_or_else(no_origin)?;
        name.labels.extend(origin.labels.iter().cloned());
    }
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
fn parse_uint(token: &Token, what: &str, max: u64) -> Result<u64, Fail> {
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
fn parse_ttl(token: &Token) -> Result<u32, Fail> {
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
    for &c in &token.text {
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
    total = total.saturating_add(number.unwrap_or(0));
    if total > MAX_TTL {
        return Err(Fail::new(
            token.line,
            format!(
                "TTL '{}' exceeds {MAX_TTL} seconds (RFC 2181 8)",
                shown(token)
            ),
        ));
    }
    u32::try_from(total).map_err(|_| bad())
}

fn decode_hex(text: &[u8]) -> Option<Vec<u8>> {
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

fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let body = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for chunk in body.chunks(4) {
        let mut acc: u32 = 0;
        for &c in chunk {
            acc = acc << 6 | sextet(c)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&acc.to_be_bytes()[1..]),
            3 => out.extend_from_slice(&(acc << 6).to_be_bytes()[1..3]),
            2 => out.push((acc >> 4) as u8),
            _ => return None,
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Record types and RDATA
// ---------------------------------------------------------------------------

/// The RFC 1035 class mnemonics (and RFC 3597 `CLASSnn`).
fn is_class(word: &str) -> bool {
    matches!(word, "IN" | "CS" | "CH" | "HS" | "NONE" | "ANY")
        || word
            .strip_prefix("CLASS")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Presentation name of a type: its mnemonic, or `TYPEnn` (RFC 3597 5).
fn type_name(rtype: RecordType) -> String {
    match rtype {
        RecordType::Unknown(99) => "SPF".to_string(),
        RecordType::Unknown(code) => format!("TYPE{code}"),
        other => other.to_string(),
    }
}

/// A record type from its mnemonic or `TYPEnn`; meta and query types are refused.
fn parse_type(token: &Token) -> Result<RecordType, Fail> {
    let word = upper(token);
    let rtype = if let Some(digits) = word.strip_prefix("TYPE")
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        let code = parse_uint(
            &Token {
                text: digits.as_bytes().to_vec(),
                quoted: false,
                line: token.line,
            },
            "type number",
            65_535,
        )?;
        RecordType::from(u16::try_from(code).unwrap_or(0))
    } else if word == "SPF" {
        RecordType::from(99)
    } else if word == "*" {
        return Err(Fail::new(token.line, "unknown record type *"));
    } else {
        RecordType::from_str(&word)
            .map_err(|_| Fail::new(token.line, format!("unknown record type {}", shown(token))))?
    };
    let code = u16::from(rtype);
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
    Ok(rtype)
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

/// Walks the RDATA tokens of one record, building its wire form.
struct Rdata<'a> {
    tokens: &'a [Token],
    pos: usize,
    line: usize,
    origin: Option<&'a DName>,
    rtype: String,
    wire: Vec<u8>,
}

impl<'a> Rdata<'a> {
    fn next(&mut self, what: &str) -> Result<&'a Token, Fail> {
        let token = self.tokens.get(self.pos).ok_or_else(|| {
            Fail::new(
                self.line,
                format!("{} record is missing its {what}", self.rtype),
            )
        })?;
        self.pos += 1;
        Ok(token)
    }

    fn has_more(&self) -> bool {
        self.pos < self.tokens.len()
    }

    fn end(&self) -> Result<(), Fail> {
        match self.tokens.get(self.pos) {
            Some(extra) => Err(Fail::new(
                extra.line,
                format!(
                    "unexpected '{}' after the {} record data",
                    shown(extra),
                    self.rtype
                ),
            )),
            None => Ok(()),
        }
    }

    fn u8(&mut self, what: &str) -> Result<(), Fail> {
        let token = self.next(what)?;
        let value = parse_uint(token, what, u64::from(u8::MAX))?;
        self.wire.push(value as u8);
        Ok(())
    }

    fn u16(&mut self, what: &str) -> Result<(), Fail> {
        let token = self.next(what)?;
        let value = parse_uint(token, what, u64::from(u16::MAX))?;
        self.wire.extend_from_slice(&(value as u16).to_be_bytes());
        Ok(())
    }

    fn u32(&mut self, what: &str) -> Result<(), Fail> {
        let token = self.next(what)?;
        let value = parse_uint(token, what, u64::from(u32::MAX))?;
        self.wire.extend_from_slice(&(value as u32).to_be_bytes());
        Ok(())
    }

    fn ttl(&mut self, what: &str) -> Result<(), Fail> {
        let token = self.next(what)?;
        let value = parse_ttl(token)?;
        self.wire.extend_from_slice(&value.to_be_bytes());
        Ok(())
    }

    fn name(&mut self, what: &str) -> Result<(), Fail> {
        let token = self.next(what)?;
        parse_name(token, self.origin)?.write_wire(&mut self.wire);
        Ok(())
    }

    /// One `<character-string>` (RFC 1035 3.3): quoted or not, at most 255 bytes.
    fn char_string(&mut self, what: &str) -> Result<(), Fail> {
        let token = self.next(what)?;
        let bytes = token_bytes(token);
        if bytes.len() > 255 {
            return Err(Fail::new(
                token.line,
                format!(
                    "{} string of {} bytes; a character-string holds at most 255 (RFC 1035 3.3): split it into several quoted strings",
                    self.rtype,
                    bytes.len()
                ),
            ));
        }
        self.wire.push(bytes.len() as u8);
        self.wire.extend_from_slice(&bytes);
        Ok(())
    }

    /// The remaining tokens joined, unquoted (hex and base64 may be split by spaces).
    fn rest_joined(&mut self, what: &str) -> Result<(Vec<u8>, usize), Fail> {
        let first = self.next(what)?;
        let line = first.line;
        let mut joined = Vec::new();
        for token in self.tokens.get(self.pos - 1..).unwrap_or_default() {
            if token.quoted {
                return Err(Fail::new(token.line, format!("{what} must not be quoted")));
            }
            joined.extend_from_slice(&token.text);
        }
        self.pos = self.tokens.len();
        Ok((joined, line))
    }

    fn hex(&mut self, what: &str) -> Result<(), Fail> {
        let (text, line) = self.rest_joined(what)?;
        let bytes = decode_hex(&text).ok_or_else(|| {
            Fail::new(
                line,
                format!("bad {what}: expected an even number of hex digits"),
            )
        })?;
        self.wire.extend_from_slice(&bytes);
        Ok(())
    }

    fn base64(&mut self, what: &str) -> Result<(), Fail> {
        let (text, line) = self.rest_joined(what)?;
        let bytes =
            decode_base64(&text).ok_or_else(|| Fail::new(line, format!("bad base64 in {what}")))?;
        self.wire.extend_from_slice(&bytes);
        Ok(())
    }
}

/// RFC 3597 section 5: `\# <length> <hex words>`.
fn generic_rdata(tokens: &[Token], line: usize) -> Result<Vec<u8>, Fail> {
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

/// Builds the RDATA of one record from its tokens: the wire form and hickory's rdata.
fn build_rdata(
    rtype: RecordType,
    tokens: &[Token],
    origin: Option<&DName>,
    line: usize,
) -> Result<(Vec<u8>, RData), Fail> {
    let name = type_name(rtype);
    if let Some(first) = tokens.first()
        && !first.quoted
        && first.text == b"\\#"
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
    let mut r = Rdata {
        tokens,
        pos: 0,
        line,
        origin,
        rtype: name.clone(),
        wire: Vec::new(),
    };
    match rtype {
        RecordType::A => {
            let token = r.next("IPv4 address")?;
            let addr = std::str::from_utf8(&token.text)
                .ok()
                .filter(|_| !token.quoted)
                .and_then(|s| Ipv4Addr::from_str(s).ok())
                .ok_or_else(|| {
                    Fail::new(token.line, format!("bad IPv4 address '{}'", shown(token)))
                })?;
            r.wire.extend_from_slice(&addr.octets());
        }
        RecordType::AAAA => {
            let token = r.next("IPv6 address")?;
            let addr = std::str::from_utf8(&token.text)
                .ok()
                .filter(|_| !token.quoted)
                .and_then(|s| Ipv6Addr::from_str(s).ok())
                .ok_or_else(|| {
                    Fail::new(token.line, format!("bad IPv6 address '{}'", shown(token)))
                })?;
            r.wire.extend_from_slice(&addr.octets());
        }
        RecordType::NS
        | RecordType::CNAME
        | RecordType::PTR
        | RecordType::DNAME
        | RecordType::ANAME => r.name("target name")?,
        RecordType::MX => {
            // RFC 7505: exchange "." with preference 0 is a null MX.
            r.u16("preference")?;
            r.name("exchange")?;
        }
        RecordType::TXT | RecordType::Unknown(99) => {
            r.char_string("text")?;
            while r.has_more() {
                r.char_string("text")?;
            }
        }
        RecordType::SOA => {
            r.name("primary server (MNAME)")?;
            r.name("mailbox (RNAME)")?;
            r.u32("serial")?;
            r.ttl("refresh")?;
            r.ttl("retry")?;
            r.ttl("expire")?;
            r.ttl("minimum")?;
        }
        RecordType::SRV => {
            r.u16("priority")?;
            r.u16("weight")?;
            r.u16("port")?;
            r.name("target")?;
        }
        RecordType::CAA => {
            // RFC 8659 4.1.1: flags, tag (1-15 letters and digits), value.
            r.u8("flags")?;
            let tag = r.next("tag")?;
            if tag.quoted
                || tag.text.is_empty()
                || tag.text.len() > 15
                || !tag.text.iter().all(u8::is_ascii_alphanumeric)
            {
                return Err(Fail::new(
                    tag.line,
                    format!(
                        "bad CAA tag '{}': 1-15 letters and digits (RFC 8659 4.1.1)",
                        shown(tag)
                    ),
                ));
            }
            r.wire.push(tag.text.len() as u8);
            r.wire.extend_from_slice(&tag.text);
            let value = r.next("value")?;
            r.wire.extend_from_slice(&token_bytes(value));
        }
        RecordType::TLSA | RecordType::SMIMEA => {
            r.u8("certificate usage")?;
            r.u8("selector")?;
            r.u8("matching type")?;
            r.hex("certificate association data")?;
        }
        RecordType::SSHFP => {
            r.u8("algorithm")?;
            r.u8("fingerprint type")?;
            r.hex("fingerprint")?;
        }
        RecordType::HINFO => {
            r.char_string("CPU")?;
            r.char_string("OS")?;
        }
        RecordType::NAPTR => {
            r.u16("order")?;
            r.u16("preference")?;
            r.char_string("flags")?;
            r.char_string("services")?;
            r.char_string("regexp")?;
            r.name("replacement")?;
        }
        RecordType::DS | RecordType::CDS => {
            r.u16("key tag")?;
            r.u8("algorithm")?;
            r.u8("digest type")?;
            r.hex("digest")?;
        }
        RecordType::DNSKEY | RecordType::CDNSKEY => {
            r.u16("flags")?;
            r.u8("protocol")?;
            r.u8("algorithm")?;
            r.base64("public key")?;
        }
        RecordType::OPENPGPKEY => r.base64("public key")?,
        _ => {
            return Err(Fail::new(
                line,
                format!(
                    "{name} records are not supported in presentation form by this reader: write the record in RFC 3597 generic form (TYPE{} \\# <length> <hex>)",
                    u16::from(rtype)
                ),
            ));
        }
    }
    r.end()?;
    let wire = r.wire;
    if wire.len() > usize::from(u16::MAX) {
        return Err(Fail::new(
            line,
            format!(
                "{name} record data of {} bytes exceeds 65535 (RFC 1035 3.2.1)",
                wire.len()
            ),
        ));
    }
    // Our own encoding is valid; should hickory refuse it, keep it opaque.
    let rdata = decode_rdata(rtype, &wire).unwrap_or_else(|_| unknown_rdata(rtype, &wire));
    Ok((wire, rdata))
}

// ---------------------------------------------------------------------------
// Loading (RFC 1035 5.1 directives, RFC 2308 4 $TTL)
// ---------------------------------------------------------------------------

/// A record read but not yet checked against the whole zone.
struct Pending {
    owner: DName,
    rtype: RecordType,
    ttl: u32,
    wire: Vec<u8>,
    rdata: RData,
    file: usize,
    line: usize,
}

/// The SOA record, once seen.
struct SoaSeen {
    owner: DName,
    minimum: u32,
    file: usize,
    line: usize,
}

/// State shared by a master file and everything it includes.
#[derive(Default)]
struct Loader {
    /// Every file read, indexed by `Pending::file`.
    files: Vec<PathBuf>,
    /// Canonical paths of the files being read, outermost first (for cycles).
    stack: Vec<PathBuf>,
    pending: Vec<Pending>,
    dollar_ttl: Option<u32>,
    last_ttl: Option<u32>,
    soa: Option<SoaSeen>,
    first_origin: Option<DName>,
    last_owner: Option<DName>,
}

/// A path's identity for cycle detection: canonical when it can be resolved.
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

impl Loader {
    fn read_file(
        &mut self,
        src: &[u8],
        path: &Path,
        origin: Option<DName>,
        depth: usize,
    ) -> Result<(), ZoneError> {
        let file = self.files.len();
        self.files.push(path.to_path_buf());
        self.stack.push(identity(path));
        let mut origin = origin;
        let result = self.read_entries(src, path, &mut origin, depth, file);
        self.stack.pop();
        result
    }

    fn read_entries(
        &mut self,
        src: &[u8],
        path: &Path,
        origin: &mut Option<DName>,
        depth: usize,
        file: usize,
    ) -> Result<(), ZoneError> {
        let mut lexer = Lexer::new(src);
        while let Some(entry) = lexer.next_entry().map_err(|f| f.at(path))? {
            let directive = !entry.blank_owner
                && entry
                    .tokens
                    .first()
                    .is_some_and(|t| !t.quoted && t.text.first() == Some(&b'$'));
            if directive {
                self.directive(&entry, path, origin, depth)?;
            } else {
                self.record(&entry, origin, file).map_err(|f| f.at(path))?;
            }
        }
        Ok(())
    }

    fn directive(
        &mut self,
        entry: &Entry,
        path: &Path,
        origin: &mut Option<DName>,
        depth: usize,
    ) -> Result<(), ZoneError> {
        let fail = |message: String| Fail::new(entry.line, message).at(path);
        let Some((keyword, args)) = entry.tokens.split_first() else {
            return Ok(());
        };
        let word = upper(keyword);
        match word.as_str() {
            "$ORIGIN" => {
                let [arg] = args else {
                    return Err(fail("$ORIGIN takes exactly one domain name".to_string()));
                };
                let name = parse_name(arg, origin.as_ref()).map_err(|f| f.at(path))?;
                if depth == 0 && self.first_origin.is_none() {
                    self.first_origin = Some(name.clone());
                }
                *origin = Some(name);
            }
            "$TTL" => {
                let [arg] = args else {
                    return Err(fail("$TTL takes exactly one TTL".to_string()));
                };
                self.dollar_ttl = Some(parse_ttl(arg).map_err(|f| f.at(path))?);
            }
            "$INCLUDE" => {
                let (file_token, origin_token) = match args {
                    [file] => (file, None),
                    [file, name] => (file, Some(name)),
                    _ => {
                        return Err(fail(
                            "$INCLUDE takes a file name and an optional origin".to_string(),
                        ));
                    }
                };
                // RFC 1035 5.1: the included file starts from the given origin (relative
                // to the current one) and never changes the including file's origin.
                let child_origin = match origin_token {
                    Some(token) => {
                        Some(parse_name(token, origin.as_ref()).map_err(|f| f.at(path))?)
                    }
                    None => origin.clone(),
                };
                let file_name = String::from_utf8(token_bytes(file_token))
                    .map_err(|_| fail("the $INCLUDE file name is not valid UTF-8".to_string()))?;
                let named = PathBuf::from(&file_name);
                let child = match path.parent() {
                    Some(dir) if named.is_relative() => dir.join(&named),
                    _ => named,
                };
                if depth + 1 > MAX_INCLUDE_DEPTH {
                    return Err(fail(format!(
                        "$INCLUDE {file_name}: includes nest more than {MAX_INCLUDE_DEPTH} deep"
                    )));
                }
                if self.stack.contains(&identity(&child)) {
                    return Err(fail(format!(
                        "$INCLUDE {file_name}: include cycle: {} is already being read",
                        child.display()
                    )));
                }
                let bytes = read_master_file(&child, false).map_err(|e| {
                    fail(format!(
                        "cannot read included file {}: {e}",
                        child.display()
                    ))
                })?;
                self.read_file(&bytes, &child, child_origin, depth + 1)?;
            }
            "$GENERATE" => {
                return Err(fail(
                    "$GENERATE is a BIND extension this reader does not support".to_string(),
                ));
            }
            _ => {
                return Err(fail(format!("unknown directive {}", shown(keyword))));
            }
        }
        Ok(())
    }

    fn record(
        &mut self,
        entry: &Entry,
        origin: &mut Option<DName>,
        file: usize,
    ) -> Result<(), Fail> {
        let mut rest = entry.tokens.as_slice();
        let owner = if entry.blank_owner {
            self.last_owner.clone().ok_or_else(|| {
                Fail::new(
                    entry.line,
                    "the line starts with whitespace (same owner as the previous record) but there is no previous record",
                )
            })?
        } else {
            let Some((first, tail)) = rest.split_first() else {
                return Err(Fail::new(entry.line, "empty record"));
            };
            rest = tail;
            parse_name(first, origin.as_ref())?
        };

        // RFC 1035 5.1: [<TTL>] [<class>] <type> <RDATA>, TTL and class in either order.
        let mut ttl: Option<u32> = None;
        let mut class_seen = false;
        let rtype = loop {
            let Some((token, tail)) = rest.split_first() else {
                return Err(Fail::new(entry.line, "record has no type"));
            };
            rest = tail;
            if token.quoted {
                return Err(Fail::new(
                    token.line,
                    format!(
                        "expected a TTL, class or record type, found the quoted string {}",
                        shown(token)
                    ),
                ));
            }
            if token.text.first().is_some_and(u8::is_ascii_digit) {
                if ttl.is_some() {
                    return Err(Fail::new(token.line, "two TTLs in one record"));
                }
                ttl = Some(parse_ttl(token)?);
                continue;
            }
            let word = upper(token);
            if is_class(&word) {
                if class_seen {
                    return Err(Fail::new(token.line, "two classes in one record"));
                }
                if word != "IN" && word != "CLASS1" {
                    return Err(Fail::new(
                        token.line,
                        format!("class {word} is not supported: only IN zones can be loaded"),
                    ));
                }
                class_seen = true;
                continue;
            }
            break parse_type(token)?;
        };

        // Without $ORIGIN the SOA owner is the origin, already for the SOA's own RDATA.
        if rtype == RecordType::SOA && origin.is_none() {
            *origin = Some(owner.clone());
        }
        let (wire, rdata) = build_rdata(rtype, rest, origin.as_ref(), entry.line)?;

        let mut soa_minimum = self.soa.as_ref().map(|s| s.minimum);
        if rtype == RecordType::SOA {
            if let Some(first) = &self.soa {
                let where_ = self
                    .files
                    .get(first.file)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                return Err(Fail::new(
                    entry.line,
                    format!(
                        "second SOA record (the first is at {where_}:{}): a master file holds exactly one zone (RFC 1035 5.2)",
                        first.line
                    ),
                ));
            }
            let minimum = match &rdata {
                RData::SOA(soa) => soa.minimum,
                _ => DEFAULT_TTL,
            };
            soa_minimum = Some(minimum);
            self.soa = Some(SoaSeen {
                owner: owner.clone(),
                minimum,
                file,
                line: entry.line,
            });
        }
        // RFC 2308 4: $TTL; else RFC 1035 5.1: the previous record's; else the SOA minimum.
        let ttl = ttl
            .or(self.dollar_ttl)
            .or(self.last_ttl)
            .or(soa_minimum)
            .unwrap_or(DEFAULT_TTL);

        self.pending.push(Pending {
            owner: owner.clone(),
            rtype,
            ttl,
            wire,
            rdata,
            file,
            line: entry.line,
        });
        self.last_owner = Some(owner);
        self.last_ttl = Some(ttl);
        Ok(())
    }

    /// Whole-zone checks, then the [`Zone`].
    fn finish(self, top: &Path) -> Result<Zone, ZoneError> {
        // The SOA owner is the apex (RFC 1035 5.2); without an SOA, the first $ORIGIN.
        let apex = match (&self.soa, &self.first_origin) {
            (Some(soa), _) => soa.owner.clone(),
            (None, Some(origin)) => origin.clone(),
            (None, None) => {
                return Err(ZoneError {
                    path: top.to_path_buf(),
                    line: 1,
                    message:
                        "no $ORIGIN and no SOA record: cannot tell which names this zone covers"
                            .to_string(),
                });
            }
        };
        let files = &self.files;
        let error_at = |p: &Pending, message: String| ZoneError {
            path: files
                .get(p.file)
                .cloned()
                .unwrap_or_else(|| top.to_path_buf()),
            line: p.line,
            message,
        };

        let mut kept: Vec<&Pending> = Vec::with_capacity(self.pending.len());
        let mut unique: FastSet<(&DName, u16, &[u8])> = fast_set(self.pending.len());
        // Per owner: the first CNAME, and the first other record.
        let mut at_owner: FastMap<&DName, (Option<&Pending>, Option<&Pending>)> =
            fast_map(self.pending.len());
        for p in &self.pending {
            if !p.owner.is_within(&apex) {
                return Err(error_at(
                    p,
                    format!("{} is outside this zone ({apex})", p.owner),
                ));
            }
            // RFC 2181 5: an RRset holds no duplicate records; drop repeats.
            if !unique.insert((&p.owner, u16::from(p.rtype), p.wire.as_slice())) {
                continue;
            }
            let (cname, other) = at_owner.entry(&p.owner).or_default();
            // RFC 1034 3.6.2 and RFC 2181 10.1: a CNAME stands alone (DNSSEC records aside).
            let dnssec = matches!(p.rtype, RecordType::RRSIG | RecordType::NSEC);
            if p.rtype == RecordType::CNAME {
                if let Some(first) = cname {
                    return Err(error_at(
                        p,
                        format!(
                            "second CNAME at {} (the first is on line {}): a name has at most one CNAME (RFC 2181 10.1)",
                            p.owner, first.line
                        ),
                    ));
                }
                if let Some(first) = other {
                    return Err(error_at(
                        p,
                        format!(
                            "CNAME at {} which also has {} data (line {}): a CNAME must be the only record at its name (RFC 1034 3.6.2)",
                            p.owner,
                            type_name(first.rtype),
                            first.line
                        ),
                    ));
                }
                *cname = Some(p);
            } else if !dnssec {
                if let Some(first) = cname {
                    return Err(error_at(
                        p,
                        format!(
                            "{} record at {} which has a CNAME (line {}): a CNAME must be the only record at its name (RFC 1034 3.6.2)",
                            type_name(p.rtype),
                            p.owner,
                            first.line
                        ),
                    ));
                }
                if other.is_none() {
                    *other = Some(p);
                }
            }
            kept.push(p);
        }

        let mut records = Vec::with_capacity(kept.len());
        for p in kept {
            let name = p
                .owner
                .to_name()
                .map_err(|e| error_at(p, format!("bad name {}: {e}", p.owner)))?;
            records.push(Record::from_rdata(name, p.ttl, p.rdata.clone()));
        }
        let origin = apex.to_name().map_err(|e| ZoneError {
            path: top.to_path_buf(),
            line: 1,
            message: format!("bad zone apex {apex}: {e}"),
        })?;
        Ok(Zone { origin, records })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DKIM_KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsFi8wBAPK9dJpkI49cnI5bDPhpBMxx8acOCwBv5A+13DtpPaEcq3eUPh74jBkQxaaQRZvSPzNoLYGiSy13QNoKMG1rRQLknssOwh1z+874E94UoYvBoVfsOy8cXQWqOgWhCcxYCfSVLzL+IqIjPNGPLNyagjVt636R0ivB8HHvONm4mqT5PTwIG4nMj34AXaz05vgFSDEDrwVouLd8EBVopEdNhVBQIbEsqyb26w98X2u018jsnNLg/1ONo28vHEXBiVQBRfb08Ht9n3M9HDRZwmPmpzS198j/zaRiMsHzrAGo1etP2FfOUOUwwvmnMyIgjhD8TBDl/7gWlPatocmQIDAQAB";

    fn path() -> &'static Path {
        Path::new("t.zone")
    }

    fn zone(text: &str) -> Zone {
        match Zone::parse(text, path()) {
            Ok(zone) => zone,
            Err(e) => panic!("{e}"),
        }
    }

    fn error(text: &str) -> ZoneError {
        match Zone::parse(text, path()) {
            Ok(zone) => panic!("parsed: {:?}", zone.records),
            Err(e) => e,
        }
    }

    fn assert_error(text: &str, line: usize, needle: &str) {
        let e = error(text);
        assert_eq!(e.line, line, "{e}");
        assert!(e.message.contains(needle), "{e}");
    }

    fn n(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    fn of_type(zone: &Zone, owner: &str, rtype: RecordType) -> Vec<Record> {
        zone.records
            .iter()
            .filter(|r| r.name == n(owner) && r.record_type() == rtype)
            .cloned()
            .collect()
    }

    /// The TXT strings of the single TXT record at `owner`.
    fn txt_strings(zone: &Zone, owner: &str) -> Vec<Vec<u8>> {
        let records = of_type(zone, owner, RecordType::TXT);
        assert_eq!(records.len(), 1, "{records:?}");
        match &records[0].data {
            RData::TXT(txt) => txt.txt_data.iter().map(|s| s.to_vec()).collect(),
            other => panic!("{other:?}"),
        }
    }

    fn txt(zone: &Zone, owner: &str) -> Vec<u8> {
        txt_strings(zone, owner).concat()
    }

    const HEAD: &str = "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n  IN NS ns1\nns1 IN A 192.0.2.53\n";

    #[test]
    fn opendkim_genkey_layout() {
        let text = format!(
            "{HEAD}s1._domainkey\tIN\tTXT\t( \"v=DKIM1; h=sha256; k=rsa; \"\n\t  \"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA{}\" )  ; ----- DKIM key s1 for example.com\nafter IN A 192.0.2.1\n",
            &DKIM_KEY[44..200]
        );
        let z = zone(&text);
        let strings = txt_strings(&z, "s1._domainkey.example.com.");
        assert_eq!(strings.len(), 2);
        assert_eq!(
            txt(&z, "s1._domainkey.example.com."),
            format!("v=DKIM1; h=sha256; k=rsa; p={}", &DKIM_KEY[..200]).into_bytes()
        );
        // The record after the parenthesised one still parses, with its own owner.
        assert_eq!(of_type(&z, "after.example.com.", RecordType::A).len(), 1);
    }

    #[test]
    fn opendkim_fixture() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/zonefiles");
        let z = Zone::load(&dir.join("opendkim.zone")).unwrap();
        assert_eq!(z.origin, n("example.com."));
        let key = txt_strings(&z, "mail._domainkey.example.com.");
        assert_eq!(key.len(), 3);
        assert_eq!(
            key.concat(),
            format!("v=DKIM1; h=sha256; k=rsa; p={DKIM_KEY}").into_bytes()
        );
        assert_eq!(
            txt(&z, "example.com."),
            b"v=spf1 mx ip4:192.0.2.0/24 -all".to_vec()
        );
        let soa = of_type(&z, "example.com.", RecordType::SOA);
        match &soa[0].data {
            RData::SOA(soa) => {
                assert_eq!(soa.serial, 2024010101);
                assert_eq!((soa.refresh, soa.retry, soa.expire), (3600, 900, 604_800));
                assert_eq!(soa.minimum, 300);
            }
            other => panic!("{other:?}"),
        }
        let set = ZoneSet::load(&[dir.join("opendkim.zone")]).unwrap();
        let mx = set.lookup(&n("EXAMPLE.com."), RecordType::MX);
        assert_eq!(mx.rcode, ZoneRcode::NoError);
        assert_eq!(mx.answers.len(), 1);

        let e = Zone::load(&dir.join("broken-quote.zone")).unwrap_err();
        assert_eq!(e.line, 7);
        assert!(
            e.to_string()
                .ends_with("broken-quote.zone:7: unterminated quoted string (no closing '\"')"),
            "{e}"
        );
    }

    #[test]
    fn decimal_and_char_escapes() {
        let z = zone(&format!(
            "{HEAD}a TXT \"a\\059b\"\nb TXT \"\\255\" \"x\\000y\"\nc TXT \"say \\\"hi\\\" \\\\ \\q\"\nd TXT semi\\;colon\n"
        ));
        assert_eq!(txt(&z, "a.example.com."), b"a;b".to_vec());
        assert_eq!(
            txt_strings(&z, "b.example.com."),
            vec![vec![255u8], b"x\0y".to_vec()]
        );
        assert_eq!(txt(&z, "c.example.com."), b"say \"hi\" \\ q".to_vec());
        assert_eq!(txt(&z, "d.example.com."), b"semi;colon".to_vec());
        assert_error(&format!("{HEAD}a TXT \"\\256\"\n"), 6, "out of range");
        assert_error(
            &format!("{HEAD}a TXT \"\\12x\"\n"),
            6,
            "three decimal digits",
        );
    }

    #[test]
    fn semicolon_in_quotes_is_not_a_comment() {
        let z = zone(&format!(
            "{HEAD}_dmarc TXT \"v=DMARC1; p=none; (x)\" ; a real comment \"with quote\n"
        ));
        assert_eq!(
            txt(&z, "_dmarc.example.com."),
            b"v=DMARC1; p=none; (x)".to_vec()
        );
    }

    #[test]
    fn unquoted_txt_and_escaped_names() {
        let z = zone(&format!(
            "{HEAD}w TXT hello world\na\\.b A 192.0.2.1\n\\065BC A 192.0.2.2\n"
        ));
        assert_eq!(
            txt_strings(&z, "w.example.com."),
            vec![b"hello".to_vec(), b"world".to_vec()]
        );
        let dotted = Name::from_labels(vec![&b"a.b"[..], b"example", b"com"]).unwrap();
        assert_eq!(of_type(&z, &dotted.to_ascii(), RecordType::A).len(), 1);
        assert_eq!(of_type(&z, "abc.example.com.", RecordType::A).len(), 1);
    }

    #[test]
    fn origin_first_versus_last() {
        let z = zone(
            "$ORIGIN example.com.\n@ SOA ns1 host 1 2 3 4 5\nwww A 192.0.2.1\n$ORIGIN sub\nwww A 192.0.2.2\n$ORIGIN other.example.com.\n@ A 192.0.2.3\n",
        );
        assert_eq!(z.origin, n("example.com."));
        assert_eq!(of_type(&z, "www.example.com.", RecordType::A).len(), 1);
        assert_eq!(of_type(&z, "www.sub.example.com.", RecordType::A).len(), 1);
        assert_eq!(of_type(&z, "other.example.com.", RecordType::A).len(), 1);
        // Without an SOA the first $ORIGIN is the apex.
        let z =
            zone("$ORIGIN example.org.\na A 192.0.2.1\n$ORIGIN sub.example.org.\nb A 192.0.2.2\n");
        assert_eq!(z.origin, n("example.org."));
        // Without $ORIGIN the SOA owner is the apex and completes relative names.
        let z = zone("Example.NET. 60 IN SOA ns1 host 1 2 3 4 5\nwww A 192.0.2.1\n");
        assert_eq!(z.origin, n("example.net."));
        assert_eq!(z.origin.to_string(), "example.net.");
        assert_eq!(of_type(&z, "www.example.net.", RecordType::A).len(), 1);
        // A BIND-style dump starts with $ORIGIN . and still has its SOA owner as apex.
        let z = zone(
            "$ORIGIN .\nexample.net 60 IN SOA ns1.example.net. host.example.net. 1 2 3 4 5\n$ORIGIN example.net.\nwww A 192.0.2.1\n",
        );
        assert_eq!(z.origin, n("example.net."));
    }

    #[test]
    fn missing_origin_errors() {
        assert_error("www A 192.0.2.1\n", 1, "relative name 'www' but no $ORIGIN");
        assert_error("\n\n@ A 192.0.2.1\n", 3, "no $ORIGIN");
        assert_error(
            "; nothing useful\nwww.example.com. A 192.0.2.1\n",
            1,
            "no $ORIGIN and no SOA record: cannot tell which names this zone covers",
        );
        assert_error("", 1, "no $ORIGIN and no SOA record");
    }

    #[test]
    fn ttls_and_units() {
        let z = zone(
            "$ORIGIN example.com.\n@ SOA ns1 host 1 2 3 4 300\na A 192.0.2.1\nb 1h A 192.0.2.2\nc A 192.0.2.3\n$TTL 2d\nd A 192.0.2.4\ne IN 1w30m A 192.0.2.5\nf 90 IN A 192.0.2.6\ng CLASS1 1H30M A 192.0.2.7\n",
        );
        let ttl = |o: &str| of_type(&z, &format!("{o}.example.com."), RecordType::A)[0].ttl;
        // SOA minimum for the SOA itself, then the previous record's TTL.
        assert_eq!(of_type(&z, "example.com.", RecordType::SOA)[0].ttl, 300);
        assert_eq!(ttl("a"), 300);
        assert_eq!(ttl("b"), 3600);
        assert_eq!(ttl("c"), 3600);
        assert_eq!(ttl("d"), 172_800);
        assert_eq!(ttl("e"), 606_600);
        assert_eq!(ttl("f"), 90);
        assert_eq!(ttl("g"), 5400);
        // Nothing at all: 3600.
        let z = zone("$ORIGIN example.com.\na A 192.0.2.1\n");
        assert_eq!(z.records[0].ttl, 3600);
        assert_error(
            "$ORIGIN example.com.\na 1x A 192.0.2.1\n",
            2,
            "bad TTL '1x'",
        );
        assert_error("$ORIGIN example.com.\n$TTL 3000000000\n", 2, "RFC 2181");
        assert_error(
            "$ORIGIN example.com.\na IN CH A 192.0.2.1\n",
            2,
            "two classes",
        );
        assert_error("$ORIGIN example.com.\na CH A 192.0.2.1\n", 2, "only IN");
    }

    #[test]
    fn includes() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main.zone");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(
            dir.path().join("sub/keys.zone"),
            "s1._domainkey TXT \"v=DKIM1; p=abc\"\n$ORIGIN elsewhere.example.com.\nx A 192.0.2.9\n",
        )
        .unwrap();
        std::fs::write(
            &main,
            format!(
                "{HEAD}$INCLUDE sub/keys.zone mail\nafter A 192.0.2.8\n$INCLUDE \"sub/keys.zone\"\n"
            ),
        )
        .unwrap();
        let z = Zone::load(&main).unwrap();
        assert_eq!(
            txt(&z, "s1._domainkey.mail.example.com."),
            b"v=DKIM1; p=abc".to_vec()
        );
        assert_eq!(
            txt(&z, "s1._domainkey.example.com."),
            b"v=DKIM1; p=abc".to_vec()
        );
        assert_eq!(
            of_type(&z, "x.elsewhere.example.com.", RecordType::A).len(),
            1
        );
        // The include's $ORIGIN does not leak back (RFC 1035 5.1).
        assert_eq!(of_type(&z, "after.example.com.", RecordType::A).len(), 1);

        // A missing include: error at the $INCLUDE line of the including file.
        std::fs::write(&main, format!("{HEAD}\n$INCLUDE nope.zone\n")).unwrap();
        let e = Zone::load(&main).unwrap_err();
        assert_eq!((e.path.as_path(), e.line), (main.as_path(), 7), "{e}");
        assert!(e.message.contains("cannot read included file"), "{e}");

        // A file including itself.
        std::fs::write(&main, format!("{HEAD}$INCLUDE main.zone\n")).unwrap();
        let e = Zone::load(&main).unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        assert!(e.message.contains("include cycle"), "{e}");

        // Indirectly: main -> sub/a.zone -> ../main.zone; the error names sub/a.zone line 2.
        std::fs::write(
            dir.path().join("sub/a.zone"),
            "; a\n$INCLUDE ../main.zone\n",
        )
        .unwrap();
        std::fs::write(&main, format!("{HEAD}$INCLUDE sub/a.zone\n")).unwrap();
        let e = Zone::load(&main).unwrap_err();
        assert!(e.path.ends_with("sub/a.zone"), "{e}");
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("include cycle"), "{e}");

        // Errors inside an included file name that file and its line.
        std::fs::write(
            dir.path().join("sub/bad.zone"),
            "ok A 192.0.2.1\nbad A 300.0.2.1\n",
        )
        .unwrap();
        std::fs::write(&main, format!("{HEAD}$INCLUDE sub/bad.zone\n")).unwrap();
        let e = Zone::load(&main).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("sub/bad.zone:2: bad IPv4 address '300.0.2.1'"),
            "{e}"
        );
    }

    #[test]
    fn includes_of_devices_directories_and_pipes_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main.zone");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for (target, why) in [
            ("/dev/zero", "not a regular file"),
            ("sub", "is a directory"),
        ] {
            std::fs::write(&main, format!("{HEAD}$INCLUDE {target}\n")).unwrap();
            let e = Zone::load(&main).unwrap_err();
            assert_eq!(e.line, 6, "{e}");
            assert!(e.message.contains(why), "{target}: {e}");
            assert!(e.path.ends_with("main.zone"), "{e}");
        }
        // The zone file itself: a device is refused too.
        let e = Zone::load(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/zero: is not a regular file (a device, socket or pipe)"
        );
        let e = Zone::load(dir.path()).unwrap_err();
        assert!(e.message.contains("is a directory"), "{e}");
        // Too large: refused from its size alone (a sparse file, nothing read).
        let huge = dir.path().join("huge.zone");
        std::fs::File::create(&huge)
            .unwrap()
            .set_len(MAX_ZONE_FILE_BYTES + 1)
            .unwrap();
        let e = Zone::load(&huge).unwrap_err();
        assert!(e.message.contains("larger than 256 MiB"), "{e}");
        std::fs::write(&main, format!("{HEAD}$INCLUDE huge.zone\n")).unwrap();
        let e = Zone::load(&main).unwrap_err();
        assert!(e.message.contains("larger than 256 MiB"), "{e}");
    }

    #[test]
    fn unreadable_file() {
        let e = Zone::load(Path::new("/nonexistent/x.zone")).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(e.to_string().starts_with("/nonexistent/x.zone: "), "{e}");
        let e = ZoneSet::load(&[PathBuf::from("/nonexistent/y.zone")]).unwrap_err();
        assert_eq!(e.path, PathBuf::from("/nonexistent/y.zone"));
    }

    #[test]
    fn generic_records() {
        let z = zone(&format!(
            "{HEAD}g TYPE99 \\# 4 0a000001\ne TYPE65280 \\# 0\nh TYPE65281 \\# 6 0a00 00 01 ( ff\n ee )\na TYPE1 \\# 4 c0000201\nt type16 \\# 3 026869\n"
        ));
        let g = of_type(&z, "g.example.com.", RecordType::Unknown(99));
        match &g[0].data {
            RData::Unknown { code, rdata } => {
                assert_eq!(*code, RecordType::Unknown(99));
                assert_eq!(rdata.anything, vec![10, 0, 0, 1]);
            }
            other => panic!("{other:?}"),
        }
        let e = of_type(&z, "e.example.com.", RecordType::Unknown(65280));
        assert_eq!(e.len(), 1);
        let h = of_type(&z, "h.example.com.", RecordType::Unknown(65281));
        assert!(matches!(&h[0].data, RData::Unknown { rdata, .. } if rdata.anything.len() == 6));
        let a = of_type(&z, "a.example.com.", RecordType::A);
        assert!(matches!(&a[0].data, RData::A(a) if a.0 == Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!(txt(&z, "t.example.com."), b"hi".to_vec());

        assert_error(
            &format!("{HEAD}g TYPE99 \\# 5 0a000001\n"),
            6,
            "says 5 bytes but 4",
        );
        assert_error(
            &format!("{HEAD}g TYPE99 \\# 1 0a0\n"),
            6,
            "even number of hex",
        );
        assert_error(
            &format!("{HEAD}g TYPE1 \\# 3 0a0000\n"),
            6,
            "not valid A data",
        );
        assert_error(&format!("{HEAD}g FOO bar\n"), 6, "unknown record type FOO");
        assert_error(&format!("{HEAD}g AXFR 1\n"), 6, "meta type");
        assert_error(&format!("{HEAD}g TYPE255 \\# 0\n"), 6, "meta type");
        assert_error(
            &format!("{HEAD}g RRSIG A 8 2 300 1 2 3 x. AAAA\n"),
            6,
            "generic form",
        );
    }

    #[test]
    fn txt_string_limit() {
        let ok = "x".repeat(255);
        let z = zone(&format!("{HEAD}ok TXT \"{ok}\" \"{ok}\"\n"));
        assert_eq!(txt(&z, "ok.example.com.").len(), 510);
        let long = "x".repeat(256);
        assert_error(
            &format!("{HEAD}long TXT ( \"short\"\n \"{long}\" )\n"),
            7,
            "TXT string of 256 bytes; a character-string holds at most 255 (RFC 1035 3.3): split it into several quoted strings",
        );
        // Escapes count once: 255 \DDD escapes are 255 bytes.
        let escaped = "\\065".repeat(255);
        let z = zone(&format!("{HEAD}e TXT \"{escaped}\"\n"));
        assert_eq!(txt(&z, "e.example.com."), vec![b'A'; 255]);
    }

    #[test]
    fn lexical_errors() {
        assert_error(
            &format!("{HEAD}a TXT \"never closed\nb A 192.0.2.1\n"),
            6,
            "unterminated quoted string",
        );
        assert_error(
            &format!("{HEAD}a TXT ( \"one\"\n   \"two\" \"three\n"),
            7,
            "unterminated quoted string",
        );
        assert_error(
            &format!("{HEAD}\n\na TXT ( \"one\"\n \"two\"\nb A 192.0.2.1\n"),
            8,
            "unterminated parenthesis",
        );
        assert_error(
            &format!("{HEAD}a A 192.0.2.1 )\n"),
            6,
            "')' without a matching '('",
        );
        assert_error(&format!("{HEAD}a TXT ( ( \"x\" ) )\n"), 6, "do not nest");
        assert_error(&format!("{HEAD}a TXT x\\"), 6, "backslash at the end");
        assert_error(&format!("{HEAD}$BOGUS 1\n"), 6, "unknown directive $BOGUS");
        assert_error(&format!("{HEAD}a\n"), 6, "no type");
    }

    #[test]
    fn name_limits() {
        let l63 = "a".repeat(63);
        let z = zone(&format!("{HEAD}{l63} A 192.0.2.1\n"));
        assert_eq!(z.records.len(), 4);
        assert_error(
            &format!("{HEAD}{} A 192.0.2.1\n", "a".repeat(64)),
            6,
            "is 64 bytes; a label holds at most 63 (RFC 1035 2.3.4)",
        );
        // 4 labels of 63 plus example.com. = 4*64 + 13 = 269 bytes.
        let long = [l63.as_str(); 4].join(".");
        assert_error(&format!("{HEAD}{long} A 192.0.2.1\n"), 6, "at most 255");
        assert_error(&format!("{HEAD}a..b A 192.0.2.1\n"), 6, "empty label");
        assert_error(
            &format!("{HEAD}\"quoted\" A 192.0.2.1\n"),
            6,
            "quoted string",
        );
    }

    #[test]
    fn record_types() {
        let z = zone(&format!(
            "{HEAD}@ MX 0 .\nmail MX 10 mx1.example.net.\nv6 AAAA 2001:db8::1\n_sip._tcp SRV 10 60 5060 sip\n@ CAA 0 issue \"letsencrypt.org\"\nr PTR host.example.net.\n_25._tcp.mail TLSA 3 1 1 ( 0123456789abcdef\n 0123456789ABCDEF )\nspf SPF \"v=spf1 -all\"\n"
        ));
        let null_mx = of_type(&z, "example.com.", RecordType::MX);
        assert!(
            matches!(&null_mx[0].data, RData::MX(mx) if mx.preference == 0 && mx.exchange.is_root())
        );
        let mx = of_type(&z, "mail.example.com.", RecordType::MX);
        assert!(matches!(&mx[0].data, RData::MX(mx) if mx.exchange == n("mx1.example.net.")));
        assert_eq!(of_type(&z, "v6.example.com.", RecordType::AAAA).len(), 1);
        let srv = of_type(&z, "_sip._tcp.example.com.", RecordType::SRV);
        assert!(
            matches!(&srv[0].data, RData::SRV(s) if s.port == 5060 && s.target == n("sip.example.com."))
        );
        assert_eq!(of_type(&z, "example.com.", RecordType::CAA).len(), 1);
        assert_eq!(of_type(&z, "r.example.com.", RecordType::PTR).len(), 1);
        assert_eq!(
            of_type(&z, "_25._tcp.mail.example.com.", RecordType::TLSA).len(),
            1
        );
        assert_eq!(
            of_type(&z, "spf.example.com.", RecordType::Unknown(99)).len(),
            1
        );

        assert_error(&format!("{HEAD}a A 192.0.2\n"), 6, "bad IPv4 address");
        assert_error(
            &format!("{HEAD}a AAAA 2001:db8::g\n"),
            6,
            "bad IPv6 address",
        );
        assert_error(&format!("{HEAD}a MX mail\n"), 6, "bad preference");
        assert_error(&format!("{HEAD}a MX 10\n"), 6, "missing its exchange");
        assert_error(
            &format!("{HEAD}a A 192.0.2.1 192.0.2.2\n"),
            6,
            "unexpected '192.0.2.2'",
        );
        assert_error(&format!("{HEAD}a SRV 1 2 70000 x\n"), 6, "bad port");
        assert_error(
            &format!("{HEAD}\n@ SOA ns1 host 1 2 3 4 5\n"),
            7,
            "second SOA",
        );
    }

    #[test]
    fn blank_owner_inherits() {
        let z = zone(
            "$ORIGIN example.com.\nmail 300 IN A 192.0.2.1\n\t\tIN AAAA 2001:db8::1\n  MX 10 mail\n\n; comment\n\t TXT \"x\"\n",
        );
        for rtype in [
            RecordType::A,
            RecordType::AAAA,
            RecordType::MX,
            RecordType::TXT,
        ] {
            let found = of_type(&z, "mail.example.com.", rtype);
            assert_eq!(found.len(), 1, "{rtype}");
            assert_eq!(found[0].ttl, 300);
        }
        assert_error(
            "$ORIGIN example.com.\n  A 192.0.2.1\n",
            2,
            "no previous record",
        );
    }

    #[test]
    fn zone_rules() {
        assert_error(
            &format!("{HEAD}other.example.net. A 192.0.2.1\n"),
            6,
            "outside this zone",
        );
        assert_error(
            &format!("{HEAD}w CNAME x\nw A 192.0.2.1\n"),
            7,
            "RFC 1034 3.6.2",
        );
        assert_error(
            &format!("{HEAD}w A 192.0.2.1\nw CNAME x\n"),
            7,
            "RFC 1034 3.6.2",
        );
        assert_error(&format!("{HEAD}w CNAME x\nw CNAME y\n"), 7, "second CNAME");
        // Exact duplicates are dropped, not errors.
        let z = zone(&format!(
            "{HEAD}w CNAME x\nw CNAME x\nd A 192.0.2.1\nD A 192.0.2.1\n"
        ));
        assert_eq!(z.records.len(), 5);
    }

    #[test]
    fn names_are_lower_cased() {
        let z =
            zone("$ORIGIN Example.COM.\n@ SOA NS1 Host 1 2 3 4 5\nWWW CNAME Target.Example.Com.\n");
        assert_eq!(z.origin.to_string(), "example.com.");
        let cname = of_type(&z, "www.example.com.", RecordType::CNAME);
        assert_eq!(cname[0].name.to_string(), "www.example.com.");
        assert!(
            matches!(&cname[0].data, RData::CNAME(c) if c.0.to_string() == "target.example.com.")
        );
    }

    #[test]
    fn invalid_utf8_and_garbage_do_not_panic() {
        let z = Zone::parse_bytes(
            b"$ORIGIN example.com.\n\xff\xfe A 192.0.2.1\nt TXT \"\xc3\x28\"\n",
            path(),
        )
        .unwrap();
        assert_eq!(txt(&z, "t.example.com."), vec![0xc3, 0x28]);
        // A cheap deterministic fuzz: random bytes from a zone-ish alphabet.
        let alphabet = b" \t\n\n();\"\\\\0123456789abcIN TXT A MX SOA @.$ORIGIN$TTL$INCLUDE#\xff";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut text = b"$ORIGIN example.com.\n".to_vec();
            for _ in 0..(seed % 120) {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                text.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            let _ = Zone::parse_bytes(&text, path());
        }
    }

    fn set(zones: &[&str]) -> ZoneSet {
        ZoneSet::new(zones.iter().map(|t| zone(t)).collect())
    }

    fn names(answer: &ZoneAnswer) -> Vec<(String, RecordType)> {
        answer
            .answers
            .iter()
            .map(|r| (r.name.to_string(), r.record_type()))
            .collect()
    }

    #[test]
    fn nodata_nxdomain_and_empty_non_terminals() {
        let s = set(&[&format!(
            "{HEAD}mail A 192.0.2.25\ns1._domainkey.mail TXT \"k\"\n"
        )]);
        let a = s.lookup(&n("mail.example.com."), RecordType::A);
        assert_eq!((a.rcode, a.answers.len()), (ZoneRcode::NoError, 1));
        let nodata = s.lookup(&n("mail.example.com."), RecordType::TXT);
        assert_eq!(
            (nodata.rcode, nodata.answers.len()),
            (ZoneRcode::NoError, 0)
        );
        let ent = s.lookup(&n("_domainkey.mail.example.com."), RecordType::TXT);
        assert_eq!((ent.rcode, ent.answers.len()), (ZoneRcode::NoError, 0));
        let nx = s.lookup(&n("nope.example.com."), RecordType::A);
        assert_eq!((nx.rcode, nx.answers.len()), (ZoneRcode::NxDomain, 0));
        let nx = s.lookup(&n("x.s1._domainkey.mail.example.com."), RecordType::TXT);
        assert_eq!(nx.rcode, ZoneRcode::NxDomain);
        let outside = s.lookup(&n("example.org."), RecordType::A);
        assert_eq!(
            (outside.rcode, outside.answers.len()),
            (ZoneRcode::NxDomain, 0)
        );
        let apex = s.lookup(&n("example.com."), RecordType::NS);
        assert_eq!(apex.answers.len(), 1);
    }

    #[test]
    fn case_insensitive_lookup() {
        let s = set(&[&format!("{HEAD}MiXeD A 192.0.2.1\n")]);
        for q in [
            "mixed.example.com.",
            "MIXED.EXAMPLE.COM.",
            "Mixed.Example.Com",
            "mixed.example.com",
        ] {
            let a = s.lookup(&Name::from_ascii(q).unwrap(), RecordType::A);
            assert_eq!((a.rcode, a.answers.len()), (ZoneRcode::NoError, 1), "{q}");
        }
    }

    #[test]
    fn cname_chains() {
        let com = format!(
            "{HEAD}www CNAME web.example.net.\nloop1 CNAME loop2\nloop2 CNAME loop1\nself CNAME self\ndangling CNAME nowhere.example.org.\nmissing CNAME gone\nc0 CNAME c1\nc1 CNAME c2\nc2 CNAME c3\nc3 CNAME c4\nc4 CNAME c5\nc5 CNAME c6\nc6 CNAME c7\nc7 CNAME c8\nc8 CNAME c9\nc9 CNAME c10\nc10 CNAME c11\nc11 CNAME c12\nc12 CNAME c13\nc13 CNAME c14\nc14 CNAME c15\nc15 CNAME c16\nc16 CNAME c17\nc17 A 192.0.2.17\n"
        );
        let net =
            "$ORIGIN example.net.\n@ SOA ns host 1 2 3 4 5\nweb CNAME host\nhost A 192.0.2.80\n";
        let s = set(&[&com, net]);

        let a = s.lookup(&n("www.example.com."), RecordType::A);
        assert_eq!(a.rcode, ZoneRcode::NoError);
        assert_eq!(
            names(&a),
            vec![
                ("www.example.com.".to_string(), RecordType::CNAME),
                ("web.example.net.".to_string(), RecordType::CNAME),
                ("host.example.net.".to_string(), RecordType::A),
            ]
        );
        // Asking for the CNAME itself does not follow it.
        let c = s.lookup(&n("www.example.com."), RecordType::CNAME);
        assert_eq!(
            names(&c),
            vec![("www.example.com.".to_string(), RecordType::CNAME)]
        );
        // A target that exists without the type: NODATA with the chain.
        let nodata = s.lookup(&n("www.example.com."), RecordType::MX);
        assert_eq!(
            (nodata.rcode, nodata.answers.len()),
            (ZoneRcode::NoError, 2)
        );
        // Targets in no zone, or missing in a zone: NXDOMAIN, the CNAME kept.
        let d = s.lookup(&n("dangling.example.com."), RecordType::A);
        assert_eq!((d.rcode, d.answers.len()), (ZoneRcode::NxDomain, 1));
        let m = s.lookup(&n("missing.example.com."), RecordType::A);
        assert_eq!((m.rcode, m.answers.len()), (ZoneRcode::NxDomain, 1));
        // Loops and over-long chains.
        for q in ["loop1.example.com.", "self.example.com."] {
            let l = s.lookup(&n(q), RecordType::A);
            assert_eq!((l.rcode, l.answers.len()), (ZoneRcode::ServFail, 0), "{q}");
        }
        let long = s.lookup(&n("c0.example.com."), RecordType::A);
        assert_eq!(long.rcode, ZoneRcode::ServFail);
        let sixteen = s.lookup(&n("c1.example.com."), RecordType::A);
        assert_eq!(
            (sixteen.rcode, sixteen.answers.len()),
            (ZoneRcode::NoError, 17)
        );
    }

    #[test]
    fn most_specific_zone_wins() {
        let parent = format!("{HEAD}host.sub A 192.0.2.1\nonly.sub A 192.0.2.2\n");
        let child = "$ORIGIN sub.example.com.\n@ SOA ns1 host 1 2 3 4 5\nhost A 198.51.100.1\n";
        for order in [[parent.as_str(), child], [child, parent.as_str()]] {
            let s = set(&order);
            assert_eq!(s.zones().len(), 2);
            let a = s.lookup(&n("host.sub.example.com."), RecordType::A);
            assert!(
                matches!(&a.answers[..], [r] if matches!(&r.data, RData::A(a) if a.0 == Ipv4Addr::new(198, 51, 100, 1)))
            );
            // The child zone is authoritative: the parent's stray data is not seen.
            let only = s.lookup(&n("only.sub.example.com."), RecordType::A);
            assert_eq!(only.rcode, ZoneRcode::NxDomain);
            let top = s.lookup(&n("ns1.example.com."), RecordType::A);
            assert_eq!(top.answers.len(), 1);
        }
    }

    #[test]
    fn duplicate_zone_files() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.zone"), dir.path().join("b.zone"));
        std::fs::write(&a, HEAD).unwrap();
        std::fs::write(&b, HEAD.replace("ns1 IN A", "NS1 IN A")).unwrap();
        let e = ZoneSet::load(&[a.clone(), b]).unwrap_err();
        assert!(e.message.contains("already loaded from"), "{e}");
        assert_eq!(ZoneSet::load(&[a]).unwrap().zones().len(), 1);
    }

    #[test]
    fn wildcards() {
        let s = set(&[&format!(
            "{HEAD}*.mail TXT \"wild\"\n*.mail MX 10 mx\nreal.mail A 192.0.2.1\n*.alias CNAME ns1\n"
        )]);
        let w = s.lookup(&n("anything.mail.example.com."), RecordType::TXT);
        assert_eq!(
            names(&w),
            vec![("anything.mail.example.com.".to_string(), RecordType::TXT)]
        );
        let deep = s.lookup(&n("a.b.mail.example.com."), RecordType::MX);
        assert_eq!(deep.answers.len(), 1);
        let nodata = s.lookup(&n("x.mail.example.com."), RecordType::A);
        assert_eq!(
            (nodata.rcode, nodata.answers.len()),
            (ZoneRcode::NoError, 0)
        );
        // An existing name is not covered by the wildcard.
        let real = s.lookup(&n("real.mail.example.com."), RecordType::TXT);
        assert_eq!((real.rcode, real.answers.len()), (ZoneRcode::NoError, 0));
        let below_real = s.lookup(&n("x.real.mail.example.com."), RecordType::TXT);
        assert_eq!(below_real.rcode, ZoneRcode::NxDomain);
        let alias = s.lookup(&n("q.alias.example.com."), RecordType::A);
        assert_eq!(
            names(&alias),
            vec![
                ("q.alias.example.com.".to_string(), RecordType::CNAME),
                ("ns1.example.com.".to_string(), RecordType::A),
            ]
        );
    }

    #[test]
    fn delegations() {
        let s = set(&[&format!(
            "{HEAD}child NS ns.child\nns.child A 192.0.2.99\nto-child CNAME www.child\n"
        )]);
        let ns = s.lookup(&n("child.example.com."), RecordType::NS);
        assert_eq!((ns.rcode, ns.answers.len()), (ZoneRcode::NoError, 1));
        for q in [
            "child.example.com.",
            "www.child.example.com.",
            "ns.child.example.com.",
        ] {
            let a = s.lookup(&n(q), RecordType::A);
            assert_eq!(a.rcode, ZoneRcode::ServFail, "{q}");
        }
        let c = s.lookup(&n("to-child.example.com."), RecordType::TXT);
        assert_eq!(c.rcode, ZoneRcode::ServFail);
    }

    #[test]
    fn error_display() {
        let e = ZoneError {
            path: PathBuf::from("fixtures/x.zone"),
            line: 12,
            message: "unterminated quoted string".to_string(),
        };
        assert_eq!(
            e.to_string(),
            "fixtures/x.zone:12: unterminated quoted string"
        );
        let e = ZoneError { line: 0, ..e };
        assert_eq!(e.to_string(), "fixtures/x.zone: unterminated quoted string");
    }
}
