//! Offline DNS answers from RFC 1035 master ("zone") files, for `--zone FILE`.
//!
//! Reading is done in three steps. `lex` turns the file into entries and tokens:
//! comments, parentheses across lines, quoting and `\DDD` escapes, each token with
//! its line. `read` applies the directives (`$ORIGIN`, `$TTL`, `$INCLUDE` of
//! regular files only, at most 256 MiB, 16 deep, no cycles; BIND's `$GENERATE` in
//! `generate`), completes relative owner names and works out each record's TTL
//! (RFC 1035 5.1, RFC 2308 4, BIND's `1h30m` units). The record data of every type
//! is then read by NLnet Labs' `domain` crate (`convert`): its
//! `ZoneRecordData::scan` knows the presentation format of about forty types
//! (SVCB/HTTPS with every SvcParam, RRSIG/NSEC/NSEC3 with type bitmaps, DNSKEY, DS,
//! CAA, TLSA, SSHFP, NAPTR, IPSECKEY, ZONEMD, ...) and RFC 3597 generic data, so a
//! zone written by BIND, Knot, `dig axfr` or `dnssec-signzone` loads as a server
//! would load it. The wire form `domain` builds is decoded by hickory into the
//! [`Record`]s the rest of mailcheck uses: typed where hickory has the type,
//! otherwise kept opaque (`RData::Unknown`), never refused. The commonest
//! types (A, AAAA, NS, CNAME, PTR, MX, SRV, TXT) written plainly are put in
//! wire form by `convert` itself, the same bytes `domain` would give (a test
//! holds the two readers to that); anything else in them goes to `domain`.
//!
//! Loading is built for large zones (100,000 records in about 0.1 s):
//! the file is read into one buffer and tokens are slices of it, names are
//! one lower-case wire-form buffer each, a hickory name is made once per
//! distinct owner, duplicates are found by keyed hashes of each record's data
//! rather than copies of it, and the index is keyed by wire-form names. A
//! file over 1 MB is read on two threads: one lexes and checks, the other
//! makes the hickory records (`read::Builder`), in file order.
//!
//! Why `domain` rather than record parsers of our own: NLnet Labs (NSD, Unbound)
//! maintain it against the IANA registries, and its scanners are public, so
//! mailcheck feeds them its own tokens. Its own file reader
//! (`zonefile::inplace::Zonefile`) is not used, because in 0.12.3 it refuses BIND's
//! TTL units (`1h30m`), `$GENERATE`, DNSSEC algorithm mnemonics
//! (`ECDSAP256SHA256`, RFC 4034 A.1), a byte-order mark, bytes that are not UTF-8,
//! and a file whose origin is only its SOA owner; it accepts `a..b` as a name, lets
//! parentheses nest, and keeps the closing quote of a quoted `$INCLUDE` file name;
//! it reports an unterminated quoted string on the line after it; and it gives
//! no line for a record, so a zone rule (CNAME and other data) could not
//! say where. mailcheck's lexer covers these, and `convert` maps the algorithm and
//! digest mnemonics to numbers and reads the types `domain` has no presentation
//! parser for (LOC, URI, SMIMEA, SPF, AFSDB, KX, RT, LP, L32, L64, NID, EUI48,
//! EUI64, DHCID, TA, DLV, NINFO, RESINFO, WALLET); any other type (CERT, APL, HIP,
//! ...) must be written in RFC 3597 generic form. `tests/it/zonefile.rs` holds all
//! of this to what BIND's named-checkzone makes of a corpus of real layouts.
//!
//! Zone rules, as named-checkzone applies them: the apex is the zone name given as
//! `--zone NAME=FILE`, else the SOA owner, else the first `$ORIGIN`; records
//! outside the apex are ignored with a warning ("ignoring out-of-zone data"), and
//! a TTL over 2^31 - 1 is read as 0 with a warning (RFC 2181 8); a
//! second SOA identical to the first (every `dig axfr` dump ends with one) is
//! dropped, a different one is an error; a CNAME beside other data is an error;
//! exact duplicates are dropped; names are stored lower-case; only class IN is
//! accepted. A [`ZoneSet`] then answers queries the way an authoritative server
//! would answer a resolver: the most specific zone answers, names outside every
//! zone are NXDOMAIN, CNAMEs are followed, wildcards synthesised (RFC 4592), a
//! CNAME loop is SERVFAIL, and a name at or below a delegation (NS below the apex)
//! answers SERVFAIL, since the child zone is not loaded.
//!
//! mailcheck's own directives, written by `--save-zone` (`crate::dns::save`)
//! and read here (`replay`): `$RECORDED` (a file of answers from many zones),
//! `$FAIL` (a question that fails, and how) and `$NODATA` (a name that
//! exists with no records).

#[cfg(test)]
mod answer_tests;
mod convert;
mod generate;
mod lex;
mod places;
mod read;
#[cfg(test)]
mod record_tests;
mod replay;
#[cfg(test)]
mod tests;

// The index's maps and sets are keyed by names: the crate's foldhash maps,
// seeded per process, so a crafted zone cannot aim at collisions.
use crate::util::{FastMap, FastSet, fast_map, fast_set};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
pub use replay::Replay;

use crate::dns::DnsFailure;

pub use places::{RecordPlace, RecordPlaces};

/// The largest master file (or included file) the reader takes: 256 MiB,
/// far above the zones of the domains mailcheck checks (a 10,000-domain
/// zone is about 7 MB), and small enough that a wrong path cannot exhaust
/// memory.
pub const MAX_ZONE_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// How many CNAME links a lookup follows before answering SERVFAIL.
const MAX_CNAME_CHAIN: usize = 16;

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
    /// The zone apex, fully qualified and lower-case: the name given with the file,
    /// else the SOA owner, else the file's first `$ORIGIN`.
    pub origin: Name,
    /// Every record of the zone in file order, names lower-cased, exact duplicates dropped.
    pub records: Vec<Record>,
    /// What was read but ignored (out-of-zone data), each with its file and line.
    pub warnings: Vec<ZoneError>,
    /// mailcheck's `$FAIL` and `$NODATA` directives: a recorded run's failed
    /// lookups and names that exist without records ([`Replay`]).
    pub replay: Replay,
    /// Where each of `records` was read (same order): for reports that point
    /// at the line behind a finding.
    pub places: Vec<RecordPlace>,
}

impl Zone {
    /// Reads and parses the master file at `path` (its `$INCLUDE`s are relative to its directory).
    pub fn load(path: &Path) -> Result<Zone, ZoneError> {
        Zone::load_source(&ZoneSource::file(path))
    }

    /// Reads the file of `source`, with its zone name when one was given.
    pub fn load_source(source: &ZoneSource) -> Result<Zone, ZoneError> {
        let path = source.path.as_path();
        let bytes = read::read_master_file(path, true).map_err(|message| ZoneError {
            path: path.to_path_buf(),
            line: 0,
            message,
        })?;
        read::parse(&bytes, path, source.origin.as_ref())
    }

    /// Parses master-file text; `path` names it in errors and anchors relative `$INCLUDE`s.
    pub fn parse(text: &str, path: &Path) -> Result<Zone, ZoneError> {
        Zone::parse_bytes(text.as_bytes(), path)
    }

    /// Like [`Zone::parse`] for raw bytes: master files need not be UTF-8 (RFC 1035 5.1).
    pub fn parse_bytes(bytes: &[u8], path: &Path) -> Result<Zone, ZoneError> {
        read::parse(bytes, path, None)
    }
}

/// A `--zone` argument: a file, and the zone's name when given as `NAME=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSource {
    /// The master file.
    pub path: PathBuf,
    /// The zone apex, for files without `$ORIGIN` or SOA at the top (as
    /// named-checkzone's `zonename filename`); None to take it from the file.
    pub origin: Option<Name>,
}

impl ZoneSource {
    /// A file whose origin comes from its own `$ORIGIN` or SOA.
    pub fn file(path: &Path) -> ZoneSource {
        ZoneSource {
            path: path.to_path_buf(),
            origin: None,
        }
    }

    /// Reads a `--zone` argument: `FILE`, or `NAME=FILE`. An argument that names an
    /// existing file is always that file, even with an `=` in it.
    pub fn from_arg(arg: &Path) -> Result<ZoneSource, String> {
        if arg.exists() {
            return Ok(ZoneSource::file(arg));
        }
        let Some((name, file)) = arg.to_str().and_then(|text| text.split_once('=')) else {
            return Ok(ZoneSource::file(arg));
        };
        let mut origin = Name::from_utf8(name)
            .map_err(|e| format!("--zone {}: '{name}' is not a zone name: {e}", arg.display()))?
            .to_lowercase();
        origin.set_fqdn(true);
        Ok(ZoneSource {
            path: PathBuf::from(file),
            origin: Some(origin),
        })
    }
}

impl From<PathBuf> for ZoneSource {
    fn from(path: PathBuf) -> ZoneSource {
        ZoneSource::file(&path)
    }
}

impl From<&PathBuf> for ZoneSource {
    fn from(path: &PathBuf) -> ZoneSource {
        ZoneSource::file(path)
    }
}

impl From<&ZoneSource> for ZoneSource {
    fn from(source: &ZoneSource) -> ZoneSource {
        source.clone()
    }
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
    /// Some zone has a `$FAIL` directive (else lookups need not look).
    has_failures: bool,
}

/// Lookup tables for one zone. Names are keys in lower-case uncompressed
/// wire form (RFC 1035 3.1), so that a name's ancestors are suffixes of its
/// key and building the index makes no hickory [`Name`]s.
#[derive(Debug, Clone)]
struct ZoneIndex {
    origin: Name,
    /// Every owner name and every name between an owner and the apex (empty
    /// non-terminals), each with the range of `order` that lists its records
    /// (empty for an empty non-terminal).
    names: FastMap<Box<[u8]>, (u32, u32)>,
    /// Indexes into the zone's records, grouped by owner, in file order within each.
    order: Vec<u32>,
    /// Owners of NS records below the apex: delegations to child zones.
    cuts: FastSet<Box<[u8]>>,
    /// The names of `names` as hickory names, made when first asked for.
    listed: OnceLock<Vec<Name>>,
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
        let has_failures = zones.iter().any(|zone| zone.replay.has_failures());
        ZoneSet {
            zones,
            indexes,
            by_origin,
            has_failures,
        }
    }

    /// Loads every file (paths, or [`ZoneSource`]s with a zone name); two files for
    /// the same zone apex are an error.
    pub fn load<'a, S>(sources: &'a [S]) -> Result<ZoneSet, ZoneError>
    where
        &'a S: Into<ZoneSource>,
    {
        let mut zones: Vec<Zone> = Vec::with_capacity(sources.len());
        let mut seen: HashMap<Name, PathBuf> = HashMap::new();
        for source in sources {
            let source: ZoneSource = source.into();
            let zone = Zone::load_source(&source)?;
            if let Some(first) = seen.get(&zone.origin) {
                return Err(ZoneError {
                    path: source.path.clone(),
                    line: 0,
                    message: format!(
                        "zone {} is already loaded from {}",
                        zone.origin,
                        first.display()
                    ),
                });
            }
            seen.insert(zone.origin.clone(), source.path);
            zones.push(zone);
        }
        Ok(ZoneSet::new(zones))
    }

    /// What loading ignored, in every zone (out-of-zone data), for the user to see.
    pub fn warnings(&self) -> impl Iterator<Item = &ZoneError> {
        self.zones.iter().flat_map(|zone| zone.warnings.iter())
    }

    /// Every name the zones hold: owners, and the names between an owner
    /// and its zone's apex. Lower case, fully qualified.
    pub fn names(&self) -> impl Iterator<Item = &Name> {
        self.indexes.iter().flat_map(ZoneIndex::names)
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

    /// How the question `name`/`rtype` fails, when the zone that covers
    /// `name` says so with a `$FAIL` directive (a recorded failure, [`Replay`]).
    pub fn failure(&self, name: &Name, rtype: RecordType) -> Option<DnsFailure> {
        if !self.has_failures {
            return None;
        }
        let name = normalize(name);
        let zone = self.zones.get(self.zone_for(&name)?)?;
        zone.replay.failure(&name, rtype)
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

/// `name`'s key: lower case, uncompressed wire form, root byte included.
fn wire_key(name: &Name, key: &mut Vec<u8>) {
    key.clear();
    for label in name.iter() {
        // hickory's labels are at most 63 bytes.
        key.push(label.len() as u8);
        key.extend(label.iter().map(u8::to_ascii_lowercase));
    }
    key.push(0);
}

/// Where each label of a wire-form key starts, leftmost first, then where
/// its root byte is: the key of the ancestor with `k` labels starts at
/// `starts[starts.len() - 1 - k]`.
fn label_starts(key: &[u8]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(8);
    let mut pos = 0;
    while let Some(&len) = key.get(pos) {
        starts.push(pos);
        if len == 0 {
            break;
        }
        pos += 1 + usize::from(len);
    }
    starts
}

/// The ancestor of the key `key` with `k` labels (`starts` from [`label_starts`]).
fn ancestor<'a>(key: &'a [u8], starts: &[usize], k: usize) -> &'a [u8] {
    starts
        .len()
        .checked_sub(1 + k)
        .and_then(|i| starts.get(i))
        .and_then(|&at| key.get(at..))
        .unwrap_or_default()
}

/// Adds `key` and its ancestors down to the apex (a key with `apex_labels`
/// labels) to `names`, as names without records, stopping at the first one
/// already there; returns `key`'s entry number.
fn add_name(
    names: &mut FastMap<Box<[u8]>, (u32, u32)>,
    spans: &mut Vec<(u32, u32)>,
    key: &[u8],
    apex_labels: usize,
) -> u32 {
    if let Some(&(id, _)) = names.get(key) {
        return id;
    }
    let starts = label_starts(key);
    let labels = starts.len().saturating_sub(1);
    let mut first = None;
    for k in (apex_labels..=labels).rev() {
        let name = ancestor(key, &starts, k);
        if names.contains_key(name) {
            break; // its ancestors are already there
        }
        let id = spans.len() as u32;
        spans.push((0, 0));
        names.insert(name.into(), (id, 0));
        first.get_or_insert(id);
    }
    first.unwrap_or(0)
}

impl ZoneIndex {
    fn build(zone: &Zone) -> ZoneIndex {
        let origin = normalize(&zone.origin);
        let apex_labels = label_count(&origin);
        let mut origin_key = Vec::new();
        wire_key(&origin, &mut origin_key);
        // While building, a name's value is (its entry number, 0); `spans`
        // holds each entry's (count, then start in `order`).
        // Owners and the names between them: most zones have fewer names than records.
        let guess = zone.records.len() * 3 / 4 + 1;
        let mut names: FastMap<Box<[u8]>, (u32, u32)> = fast_map(guess);
        let mut spans: Vec<(u32, u32)> = Vec::with_capacity(guess);
        let mut cuts = fast_set(0);
        add_name(&mut names, &mut spans, &origin_key, apex_labels);
        // Each record's entry, u32::MAX for records outside the zone.
        let mut owner_of: Vec<u32> = Vec::with_capacity(zone.records.len());
        let (mut key, mut last_key) = (Vec::with_capacity(64), Vec::with_capacity(64));
        let mut last: Option<u32> = None;
        for record in &zone.records {
            wire_key(&record.name, &mut key);
            let entry = match last {
                Some(entry) if key == last_key => Some(entry),
                _ if !lex::is_within_wire(&key, &origin_key) => None,
                _ => Some(add_name(&mut names, &mut spans, &key, apex_labels)),
            };
            // Records outside the apex cannot be reached: lookups come here
            // only for names in the zone.
            let Some(entry) = entry else {
                owner_of.push(u32::MAX);
                last = None;
                continue;
            };
            if let Some(span) = spans.get_mut(entry as usize) {
                span.0 += 1;
            }
            owner_of.push(entry);
            if record.record_type() == RecordType::NS
                && key != origin_key
                && !zone.replay.is_recorded()
            {
                cuts.insert(key.as_slice().into());
            }
            last = Some(entry);
            std::mem::swap(&mut key, &mut last_key);
        }
        // `$NODATA`: names that exist without records, and their ancestors.
        for (name, _) in zone.replay.nodata() {
            wire_key(name, &mut key);
            if lex::is_within_wire(&key, &origin_key) {
                add_name(&mut names, &mut spans, &key, apex_labels);
            }
        }
        // Counts to starts; then each record into its owner's range.
        let mut next = 0u32;
        for span in &mut spans {
            let count = span.0;
            *span = (next, count);
            next += count;
        }
        let mut order = vec![0u32; next as usize];
        let mut filled: Vec<u32> = spans.iter().map(|span| span.0).collect();
        for (i, entry) in owner_of.iter().enumerate() {
            if let Some(at) = filled.get_mut(*entry as usize) {
                if let Some(slot) = order.get_mut(*at as usize) {
                    *slot = i as u32;
                }
                *at += 1;
            }
        }
        for value in names.values_mut() {
            *value = spans.get(value.0 as usize).copied().unwrap_or_default();
        }
        ZoneIndex {
            origin,
            names,
            order,
            cuts,
            listed: OnceLock::new(),
        }
    }

    /// Every name of the zone, as hickory names.
    fn names(&self) -> std::slice::Iter<'_, Name> {
        self.listed
            .get_or_init(|| {
                self.names
                    .keys()
                    .filter_map(|key| Name::from_labels(lex::wire_labels(key)).ok())
                    .collect()
            })
            .iter()
    }

    /// The records of the name with key `key`: None when the name does not
    /// exist, empty for an empty non-terminal.
    fn at(&self, key: &[u8]) -> Option<&[u32]> {
        let &(start, count) = self.names.get(key)?;
        let (start, count) = (start as usize, count as usize);
        Some(self.order.get(start..start + count).unwrap_or_default())
    }

    /// What this zone says about `name` (lower-case, fully qualified, inside the zone).
    fn resolve(&self, zone: &Zone, name: &Name, rtype: RecordType) -> Step {
        let apex_labels = label_count(&self.origin);
        let mut key = Vec::with_capacity(64);
        wire_key(name, &mut key);
        let starts = label_starts(&key);
        let labels = starts.len().saturating_sub(1);
        // Below a zone cut the parent is not authoritative (RFC 1034 4.2.1); the NS and
        // DS records at the cut itself are still the parent's to give.
        if !self.cuts.is_empty() {
            for k in apex_labels + 1..=labels {
                if self.cuts.contains(ancestor(&key, &starts, k)) {
                    let at_cut = k == labels;
                    if at_cut && (rtype == RecordType::NS || rtype == RecordType::DS) {
                        break;
                    }
                    return Step::Delegated;
                }
            }
        }
        match self.at(&key) {
            Some([]) => return Step::NoData, // an empty non-terminal
            Some(found) => return answer_at(zone, found, name, rtype),
            None => {}
        }
        // RFC 4592 3.3.1: the closest encloser's `*` child, if it exists, answers.
        for k in (apex_labels..labels).rev() {
            let encloser = ancestor(&key, &starts, k);
            if !self.names.contains_key(encloser) {
                continue;
            }
            if encloser.len() + 2 > 255 {
                return Step::NxDomain; // no room for a `*` label
            }
            let mut wildcard = Vec::with_capacity(encloser.len() + 2);
            wildcard.extend_from_slice(&[1, b'*']);
            wildcard.extend_from_slice(encloser);
            return match self.at(&wildcard) {
                Some([]) => Step::NoData,
                Some(found) => answer_at(zone, found, name, rtype),
                None => Step::NxDomain,
            };
        }
        Step::NxDomain
    }
}

/// The answer from the records `found` of one owner, renamed to `qname` (for wildcards).
fn answer_at(zone: &Zone, found: &[u32], qname: &Name, rtype: RecordType) -> Step {
    let renamed = |record: &Record| {
        let mut record = record.clone();
        record.name = qname.clone();
        record
    };
    let records = found.iter().filter_map(|&i| zone.records.get(i as usize));
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
