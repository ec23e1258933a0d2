//! Reading master files: the file-safety rules, directives (`$ORIGIN`, `$TTL`,
//! `$INCLUDE`), owners and TTLs of records, and the rules of a whole zone.

use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};

use super::convert::{build_rdata, is_class, parse_type, rdata_of, type_name};
use super::generate::generate;
use super::lex::{
    DName, Entry, Fail, Lexer, MAX_TTL, Token, parse_name, parse_ttl_value, shown, token_bytes,
    upper, wire_to_name,
};
use super::replay::Replay;
use super::{MAX_ZONE_FILE_BYTES, RecordPlace, Zone, ZoneError};
use crate::util::{FastMap, FastSet};

/// How deeply `$INCLUDE` may nest.
const MAX_INCLUDE_DEPTH: usize = 16;
/// TTL used when neither the record, `$TTL`, a previous record nor the SOA gives one.
const DEFAULT_TTL: u32 = 3600;
/// Files larger than this are loaded on two threads (see [`Builder`]); for
/// smaller ones a thread would cost more than it saves.
const PIPELINE_BYTES: usize = 1 << 20;
/// Records handed from the reading thread to the building one at a time.
const CHUNK_RECORDS: usize = 2048;

/// Parses a master file; `origin` is the zone name given with it, if any.
pub(super) fn parse(bytes: &[u8], path: &Path, origin: Option<&Name>) -> Result<Zone, ZoneError> {
    let mut loader = Loader::default();
    let origin = origin.map(DName::from_name);
    loader.apex = origin.clone();
    // Room for a record per 64 bytes of text, up to a million (room a vector
    // does not use is never touched, so costs no memory).
    let capacity = (bytes.len() / 64).min(1 << 20);
    if bytes.len() <= PIPELINE_BYTES {
        loader.builder = Some(Builder::new(capacity));
        loader.read_file(bytes, path, origin, 0)?;
        let builder = loader.builder.take().unwrap_or_else(|| Builder::new(0));
        return loader.finish(path, || builder);
    }
    // A large zone: this thread reads the text, a second one makes the
    // hickory records (most of the memory the zone takes is written there).
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Chunk>(4);
        // Emptied chunks go back to be filled again (memory already touched).
        let (back, returned) = std::sync::mpsc::channel::<Chunk>();
        let building = scope.spawn(move || {
            let mut builder = Builder::new(capacity);
            for mut chunk in receiver {
                builder.add_chunk(&mut chunk);
                let _ = back.send(chunk);
            }
            builder
        });
        loader.sender = Some(sender);
        loader.returned = Some(returned);
        loader.chunk = Chunk::with_capacity(CHUNK_RECORDS);
        let read = loader.read_file(bytes, path, origin, 0);
        if read.is_ok() {
            loader.flush();
        }
        // Closing the channel ends the building thread.
        loader.sender = None;
        let built = || {
            building
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        };
        if let Err(e) = read {
            built();
            return Err(e);
        }
        // The zone checks run while the last records are being made.
        loader.finish(path, built)
    })
}

/// One record on its way to becoming a hickory [`Record`]: the wire forms
/// are in its [`Chunk`]'s `bytes`.
struct Item {
    /// Its owner's number (see `Loader::owner_ids`).
    owner: u32,
    /// The owner's wire form in `bytes`, for the first record of an owner.
    new_owner: Option<(u32, u32)>,
    ttl: u32,
    rtype: RecordType,
    /// The RDATA's wire form in `bytes`.
    wire: (u32, u32),
    /// hickory's rdata when reading made it already (the rarer types).
    rdata: Option<Box<RData>>,
}

/// Records read, in file order, for the [`Builder`].
#[derive(Default)]
struct Chunk {
    items: Vec<Item>,
    bytes: Vec<u8>,
}

impl Chunk {
    fn with_capacity(records: usize) -> Chunk {
        Chunk {
            items: Vec::with_capacity(records),
            bytes: Vec::with_capacity(records * 64),
        }
    }
}

/// Makes the hickory [`Record`]s: one hickory name per owner (records of the
/// owner get copies), the RDATA decoded from its wire form. For a large file
/// this runs on its own thread beside the reading; it refuses nothing (an
/// owner hickory cannot take is noted, and refused in `finish` if kept), so
/// errors stay in file order.
struct Builder {
    records: Vec<Record>,
    /// Each owner's hickory name, by number.
    names: Vec<Name>,
    /// The owners that cannot be hickory names, and why.
    bad_names: FastMap<usize, String>,
}

impl Builder {
    fn new(capacity: usize) -> Builder {
        Builder {
            records: Vec::with_capacity(capacity),
            names: Vec::with_capacity(capacity / 2),
            bad_names: FastMap::default(),
        }
    }

    /// Adds the records of `chunk`, leaving it empty.
    fn add_chunk(&mut self, chunk: &mut Chunk) {
        for item in chunk.items.drain(..) {
            self.add(item, &chunk.bytes);
        }
        chunk.bytes.clear();
    }

    fn add(&mut self, item: Item, bytes: &[u8]) {
        let slice = |(start, end): (u32, u32)| bytes.get(start as usize..end as usize);
        if let Some(range) = item.new_owner {
            let id = self.names.len();
            let name = wire_to_name(slice(range).unwrap_or(&[0])).unwrap_or_else(|e| {
                self.bad_names.insert(id, e);
                Name::root() // refused in `finish` if the record is kept
            });
            self.names.push(name);
        }
        let name = self
            .names
            .get(item.owner as usize)
            .cloned()
            .unwrap_or_else(Name::root);
        let rdata = match item.rdata {
            Some(rdata) => *rdata,
            None => rdata_of(item.rtype, slice(item.wire).unwrap_or_default()),
        };
        self.records.push(Record::from_rdata(name, item.ttl, rdata));
    }
}

/// Reads a master file of at most [`MAX_ZONE_FILE_BYTES`]. Regular files
/// always; a pipe (`--zone /dev/stdin`, `--zone <(...)`) only when
/// `allow_pipe`, which `$INCLUDE` does not set: an included device, pipe or
/// directory is refused before anything is read from it.
pub(super) fn read_master_file(path: &Path, allow_pipe: bool) -> Result<Vec<u8>, String> {
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
    // One buffer of the file's size (and a byte to see the end): a regular
    // file is then read in one `read` and one more that returns 0.
    let size = usize::try_from(meta.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(size.saturating_add(1));
    file.take(MAX_ZONE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_ZONE_FILE_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

// ---------------------------------------------------------------------------
// Loading (RFC 1035 5.1 directives, RFC 2308 4 $TTL)
// ---------------------------------------------------------------------------

/// What the whole-zone checks need of a record read (the record itself is
/// in `Loader::records`, at the same index).
struct Pending {
    /// Index of its owner in `Loader::owner_ids`: one per distinct owner name.
    owner: usize,
    rtype: RecordType,
    /// The same record (owner, type and RDATA) was read before: RFC 2181 5.
    duplicate: bool,
    file: usize,
    line: usize,
}

/// The SOA record, once seen.
struct SoaSeen {
    owner: DName,
    wire: Vec<u8>,
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
    /// Makes the records read, in file order, when they are made on this
    /// thread; `pending` says where each was read.
    builder: Option<Builder>,
    /// Else the records read so far, for the building thread.
    chunk: Chunk,
    sender: Option<std::sync::mpsc::SyncSender<Chunk>>,
    /// Chunks the building thread has emptied.
    returned: Option<std::sync::mpsc::Receiver<Chunk>>,
    /// Every distinct owner name, numbered in the order first seen.
    owner_ids: FastMap<DName, usize>,
    /// How many distinct owners were seen.
    owners: usize,
    /// The owner of the last record read, and its number.
    last_owner: Option<(DName, usize)>,
    /// The RDATA of the record being read, in wire form.
    wire: Vec<u8>,
    /// Every record read so far, as its owner's index, its type and two
    /// 64-bit hashes of its wire-form RDATA, foldhash and SipHash-1-3, each
    /// keyed at random per process: an exact copy of a record is a duplicate
    /// (RFC 2181 5). Two different RDATAs of one owner and type would have
    /// to collide in both at once (a chance of about 2^-128 for a pair, and
    /// not something a zone's author can aim at without the keys); keeping
    /// the hashes instead of the RDATA keeps the loader's memory small.
    seen: FastSet<(u32, u16, u64, u64)>,
    /// The keys of those two hashes.
    seeds: (foldhash::quality::RandomState, std::hash::RandomState),
    dollar_ttl: Option<u32>,
    last_ttl: Option<u32>,
    soa: Option<SoaSeen>,
    first_origin: Option<DName>,
    /// The zone name given with the file (`--zone NAME=FILE`): the apex.
    apex: Option<DName>,
    /// Records made by `$GENERATE` so far.
    generated: usize,
    /// TTLs over the maximum, read as 0: the file index and where.
    ttl_warnings: Vec<(usize, Fail)>,
    /// What mailcheck's own directives (`$FAIL`, `$NODATA`) said.
    replay: Replay,
}

/// The commonest record types by mnemonic (any case), as `parse_type` reads them.
pub(super) fn common_type(word: &[u8]) -> Option<RecordType> {
    let types = [
        (&b"A"[..], RecordType::A),
        (b"AAAA", RecordType::AAAA),
        (b"MX", RecordType::MX),
        (b"TXT", RecordType::TXT),
        (b"CNAME", RecordType::CNAME),
        (b"NS", RecordType::NS),
        (b"PTR", RecordType::PTR),
        (b"SRV", RecordType::SRV),
    ];
    types
        .iter()
        .find(|(mnemonic, _)| word.eq_ignore_ascii_case(mnemonic))
        .map(|(_, rtype)| *rtype)
}

/// A path's identity for cycle detection: canonical when it can be resolved.
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

impl Loader {
    /// A TTL; one over 2^31 - 1 is read as 0 with a warning, as BIND does
    /// (RFC 2181 8: such a value is treated as zero).
    fn ttl(&mut self, token: &Token, file: usize) -> Result<u32, Fail> {
        let value = parse_ttl_value(token)?;
        if value > MAX_TTL {
            let message = format!(
                "TTL '{}' exceeds {MAX_TTL} seconds: read as 0 (RFC 2181 8)",
                shown(token)
            );
            self.ttl_warnings
                .push((file, Fail::new(token.line, message)));
            return Ok(0);
        }
        Ok(value as u32)
    }

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
        if depth == 0 {
            // As the records in `parse`.
            let records = (src.len() / 64).min(1 << 20);
            self.pending.reserve(records);
            // A table that has to grow is rebuilt; one too large is memory
            // touched for nothing (entries are spread over it): one per 128.
            self.owner_ids.reserve(records / 2);
            self.seen.reserve(records / 2);
        }
        while let Some(entry) = lexer.next_entry().map_err(|f| f.at(path))? {
            let directive = !entry.blank_owner
                && entry
                    .tokens
                    .first()
                    .is_some_and(|t| !t.quoted && t.text.first() == Some(&b'$'));
            if directive {
                self.directive(&entry, path, origin, depth, file)?;
            } else {
                self.record(&entry, origin, file).map_err(|f| f.at(path))?;
            }
        }
        Ok(())
    }

    fn directive(
        &mut self,
        entry: &Entry<'_>,
        path: &Path,
        origin: &mut Option<DName>,
        depth: usize,
        file: usize,
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
                self.dollar_ttl = Some(self.ttl(arg, file).map_err(|f| f.at(path))?);
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
                let mut made = self.generated;
                generate(args, entry.line, &mut made, |record| {
                    self.record(record, origin, file)
                })
                .map_err(|f| f.at(path))?;
                self.generated = made;
            }
            _ => {
                // mailcheck's own `$FAIL` and `$NODATA` (written by --save-zone).
                let known = self
                    .replay
                    .directive(&word, entry, args, origin.as_ref())
                    .map_err(|f| f.at(path))?;
                if !known {
                    return Err(fail(format!("unknown directive {}", shown(keyword))));
                }
            }
        }
        Ok(())
    }

    fn record(
        &mut self,
        entry: &Entry<'_>,
        origin: &mut Option<DName>,
        file: usize,
    ) -> Result<(), Fail> {
        let mut rest = entry.tokens.as_slice();
        let owner = if entry.blank_owner {
            let last = self.last_owner.as_ref().map(|(owner, _)| owner);
            last.cloned().ok_or_else(|| {
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
                ttl = Some(self.ttl(token, file)?);
                continue;
            }
            // The usual words, without making an upper-case copy.
            if token.text.eq_ignore_ascii_case(b"IN") && !class_seen {
                class_seen = true;
                continue;
            }
            if let Some(rtype) = common_type(&token.text) {
                break rtype;
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
        self.wire.clear();
        let rdata = build_rdata(rtype, rest, origin.as_ref(), entry.line, &mut self.wire)?;
        let wire = self.wire.as_slice();

        let mut soa_minimum = self.soa.as_ref().map(|s| s.minimum);
        let in_apex = !self.replay.is_recorded()
            && self.apex.as_ref().is_none_or(|apex| owner.is_within(apex));
        if rtype == RecordType::SOA && in_apex {
            match &self.soa {
                // Every `dig axfr` dump ends with the SOA again: the same record is fine.
                Some(first) if first.owner == owner && first.wire == wire => {}
                Some(first) => {
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
                None => {
                    let minimum = match &rdata {
                        Some(RData::SOA(soa)) => soa.minimum,
                        _ => DEFAULT_TTL,
                    };
                    soa_minimum = Some(minimum);
                    self.soa = Some(SoaSeen {
                        owner: owner.clone(),
                        wire: wire.to_vec(),
                        minimum,
                        file,
                        line: entry.line,
                    });
                }
            }
        }
        // RFC 2308 4: $TTL; else RFC 1035 5.1: the previous record's; else the SOA minimum.
        let ttl = ttl
            .or(self.dollar_ttl)
            .or(self.last_ttl)
            .or(soa_minimum)
            .unwrap_or(DEFAULT_TTL);

        let known = match &self.last_owner {
            Some((last, id)) if *last == owner => Some(*id),
            _ => self.owner_ids.get(&owner).copied(),
        };
        let chunk = &mut self.chunk;
        let mut new_owner = None;
        let owner_id = match known {
            Some(id) => id,
            None => {
                let id = self.owners;
                self.owners += 1;
                let start = chunk.bytes.len() as u32;
                chunk.bytes.extend_from_slice(owner.wire());
                new_owner = Some((start, chunk.bytes.len() as u32));
                self.owner_ids.insert(owner.clone(), id);
                id
            }
        };
        let start = chunk.bytes.len() as u32;
        chunk.bytes.extend_from_slice(&self.wire);
        chunk.items.push(Item {
            owner: owner_id as u32,
            new_owner,
            ttl,
            rtype,
            wire: (start, chunk.bytes.len() as u32),
            rdata: rdata.map(Box::new),
        });
        match &mut self.builder {
            Some(builder) => {
                if let Some(item) = chunk.items.pop() {
                    builder.add(item, &chunk.bytes);
                }
                chunk.bytes.clear();
            }
            None if chunk.items.len() >= CHUNK_RECORDS => self.flush(),
            None => {}
        }
        self.last_owner = Some((owner, owner_id));
        let owner = owner_id;
        let key = (
            owner as u32,
            u16::from(rtype),
            self.seeds.0.hash_one(self.wire.as_slice()),
            self.seeds.1.hash_one(self.wire.as_slice()),
        );
        let duplicate = !self.seen.insert(key);
        self.pending.push(Pending {
            owner,
            rtype,
            duplicate,
            file,
            line: entry.line,
        });
        self.last_ttl = Some(ttl);
        Ok(())
    }

    /// Hands the records read so far to the building thread.
    fn flush(&mut self) {
        let empty = self.returned.as_ref().and_then(|r| r.try_recv().ok());
        let empty = empty.unwrap_or_else(|| Chunk::with_capacity(CHUNK_RECORDS));
        let chunk = std::mem::replace(&mut self.chunk, empty);
        if let Some(sender) = &self.sender {
            // The building thread ends only when the channel closes (or it
            // panics, which `parse` passes on when it joins it).
            let _ = sender.send(chunk);
        }
    }

    /// Whole-zone checks, then the [`Zone`] of the records `builder` gives.
    fn finish(self, top: &Path, builder: impl FnOnce() -> Builder) -> Result<Zone, ZoneError> {
        // The name given with the file; else the SOA owner (RFC 1035 5.2); else the
        // first $ORIGIN.
        let apex = match (&self.apex, &self.soa, &self.first_origin) {
            (Some(apex), _, _) => apex.clone(),
            // A recording (mailcheck's `$RECORDED`) covers every name.
            (None, _, _) if self.replay.is_recorded() => DName::from_name(&Name::root()),
            (None, Some(soa), _) => soa.owner.clone(),
            (None, None, Some(origin)) => origin.clone(),
            (None, None, None) => {
                return Err(ZoneError {
                    path: top.to_path_buf(),
                    line: 1,
                    message:
                        "no $ORIGIN and no SOA record: cannot tell which names this zone covers"
                            .to_string(),
                });
            }
        };
        let (files, pending) = (&self.files, self.pending);
        // Each owner's name by number.
        let mut owners: Vec<Option<&DName>> = vec![None; self.owners];
        for (name, &id) in &self.owner_ids {
            if let Some(slot) = owners.get_mut(id) {
                *slot = Some(name);
            }
        }
        let owners = &owners;
        let owner_of = |p: &Pending| {
            owners
                .get(p.owner)
                .copied()
                .flatten()
                .cloned()
                .unwrap_or_default()
        };
        let error_at = |p: &Pending, message: String| ZoneError {
            path: files
                .get(p.file)
                .cloned()
                .unwrap_or_else(|| top.to_path_buf()),
            line: p.line,
            message,
        };

        // Which records stay; they are moved out of `pending` at the end.
        let mut keep = vec![false; pending.len()];
        // Per owner: the first CNAME, and the first other record.
        let mut at_owner: Vec<(Option<&Pending>, Option<&Pending>)> =
            vec![(None, None); owners.len()];
        let mut warnings: Vec<ZoneError> = self
            .ttl_warnings
            .into_iter()
            .map(|(file, fail)| fail.at(files.get(file).map_or(top, PathBuf::as_path)))
            .collect();
        // Whether each owner is inside the apex, worked out once per owner.
        let inside: Vec<bool> = owners
            .iter()
            .map(|o| o.is_some_and(|o| o.is_within(&apex)))
            .collect();
        for (i, p) in pending.iter().enumerate() {
            // As BIND: data outside the zone cannot be served; say so and go on.
            if !inside.get(p.owner).copied().unwrap_or(false) {
                warnings.push(error_at(
                    p,
                    format!(
                        "ignoring out-of-zone data ({}): it is outside the zone {apex}",
                        owner_of(p)
                    ),
                ));
                continue;
            }
            // RFC 2181 5: an RRset holds no duplicate records; drop repeats.
            if p.duplicate {
                continue;
            }
            let Some((cname, other)) = at_owner.get_mut(p.owner) else {
                continue;
            };
            // RFC 1034 3.6.2 and RFC 2181 10.1: a CNAME stands alone (DNSSEC records aside).
            let dnssec = matches!(p.rtype, RecordType::RRSIG | RecordType::NSEC);
            if p.rtype == RecordType::CNAME {
                if let Some(first) = cname {
                    return Err(error_at(
                        p,
                        format!(
                            "second CNAME at {} (the first is on line {}): a name has at most one CNAME (RFC 2181 10.1)",
                            owner_of(p),
                            first.line
                        ),
                    ));
                }
                if let Some(first) = other {
                    return Err(error_at(
                        p,
                        format!(
                            "CNAME at {} which also has {} data (line {}): a CNAME must be the only record at its name (RFC 1034 3.6.2)",
                            owner_of(p),
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
                            owner_of(p),
                            first.line
                        ),
                    ));
                }
                if other.is_none() {
                    *other = Some(p);
                }
            }
            if let Some(k) = keep.get_mut(i) {
                *k = true;
            }
        }
        drop(at_owner);
        let builder = builder();
        let bad_names = &builder.bad_names;

        let kept = keep.iter().filter(|k| **k).count();
        let mut places = Vec::with_capacity(kept);
        let shared: Vec<Arc<Path>> = files.iter().map(|f| f.as_path().into()).collect();
        for (p, _) in pending.iter().zip(&keep).filter(|(_, k)| **k) {
            if let Some(e) = bad_names.get(&p.owner) {
                return Err(error_at(p, format!("bad name {}: {e}", owner_of(p))));
            }
            places.push(RecordPlace {
                file: shared.get(p.file).cloned().unwrap_or_else(|| top.into()),
                line: p.line,
            });
        }
        let mut records = builder.records;
        if kept < records.len() {
            let mut keep = keep.iter();
            records.retain(|_| keep.next().copied().unwrap_or(false));
        }
        let origin = apex.to_name().map_err(|e| ZoneError {
            path: top.to_path_buf(),
            line: 1,
            message: format!("bad zone apex {apex}: {e}"),
        })?;
        Ok(Zone {
            origin,
            records,
            warnings,
            replay: self.replay,
            places,
        })
    }
}
