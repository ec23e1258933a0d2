//! `--save-zone FILE`: every DNS answer a run used, written as an RFC 1035
//! master file that `--zone FILE` reads back, so that the run can be
//! replayed offline with the same report.
//!
//! The [`Recorder`] is an [`AnswerSink`]: the DNS layer tells it of every
//! question it fetched (from the network or from zone files), once per
//! question; [`Recorder::master_file`] writes what it heard:
//!
//! * every record of every answer, CNAME chains included, each once, with
//!   the TTL it was first seen with (RFC 1035 5.1 presentation form; types
//!   without a form here in RFC 3597 generic form, `TYPEnn \# len hex`);
//! * owners in canonical order (RFC 4034 6.1), then by type; the records of
//!   one RRset in the order the answers gave them, which is the order a
//!   replay gives them back (an SPF check reports the first of two records);
//! * an NXDOMAIN answer as a comment, `; NXDOMAIN name.`: a name with no
//!   records in the file does not exist on replay anyway;
//! * a NODATA answer (NOERROR, nothing of the asked type, RFC 2308 2.2) as a
//!   comment, `; NODATA name. TYPE`, when the file holds other records at or
//!   below the name (so it exists on replay), else as mailcheck's `$NODATA`
//!   directive, which makes it exist;
//! * a lookup that failed (SERVFAIL, REFUSED, timeout, a referral, a lame
//!   answer, a local error) as mailcheck's `$FAIL` directive, which makes
//!   `--zone` fail that question with the same words
//!   ([`super::zone::Replay`] reads both directives).
//!
//! A question that failed and was answered when asked again later in the
//! run (`memo`) is saved as its answer: one file gives one answer per
//! question. A name whose first label is a literal `*` reads back as a
//! wildcard (RFC 4592 makes no difference between the two); no check asks
//! such a name.
//!
//! The file starts with `$RECORDED` and `$ORIGIN .`: it is one zone, the
//! root, covering every name the run asked about (the checked domains, a
//! provider's SPF includes, reverse names under in-addr.arpa), so `--zone
//! FILE` needs no `NAME=`; `$RECORDED` keeps the SOA records of the zones
//! it holds, if a check asked for them, from being taken as its apex. Written by hand rather than with hickory's or `domain`'s
//! presentation code, because the file must say what the run saw byte for
//! byte: names with any octet in a label (`\.`, `\DDD`), TXT strings with
//! quotes, backslashes and non-ASCII bytes, each character-string kept as
//! it was received.

use super::{AnswerSink, DnsFailure, Lookup, Rcode};
use crate::util::{FastMap, fast_map, lock};
use hickory_resolver::proto::{
    rr::{Name, RData, Record, RecordType},
    serialize::binary::{BinEncodable, BinEncoder, NameEncoding},
};
use std::{
    collections::{BTreeSet, HashSet},
    fmt::Write as _,
    sync::Mutex,
};

/// The longest character-string of a TXT record (RFC 1035 3.3).
const MAX_STRING: usize = 255;

/// Hears every question the DNS layer fetched, for `--save-zone`, and
/// keeps what the file will say about each name as it arrives: the answers
/// themselves are not kept, so a long batch holds each record once, however
/// many answers carried it.
#[derive(Debug, Default)]
pub struct Recorder {
    owners: Mutex<FastMap<Name, Owner>>,
}

impl AnswerSink for Recorder {
    fn learn(&self, name: &Name, rtype: RecordType, lookup: &Lookup) {
        let mut owners = lock(&self.owners);
        learn(&mut owners, name, u16::from(rtype), lookup);
    }
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Recorder {
        Recorder {
            owners: Mutex::new(fast_map(0)),
        }
    }

    /// How many names the file will speak of.
    pub fn len(&self) -> usize {
        lock(&self.owners).len()
    }

    /// True when nothing was heard.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Everything heard, as a master file.
    pub fn master_file(&self) -> String {
        write(&lock(&self.owners))
    }
}

/// What the file says about one owner name.
#[derive(Debug, Default)]
struct Owner {
    /// Records by type: (TTL, data), each data once, in the order of the
    /// first answer that held them.
    rrsets: Vec<(u16, Vec<(u32, RData)>)>,
    /// An answer said the name does not exist.
    nxdomain: bool,
    /// Types an answer said the name has none of.
    nodata: Vec<u16>,
    /// Questions about this name that failed, by type.
    failures: Vec<(u16, DnsFailure)>,
    /// Questions about this name that were answered, by type: a failure
    /// heard later (a batch asks a failed question again, `memo`) does not
    /// replace the answer, and an answer replaces an earlier failure.
    answered: Vec<u16>,
}

/// Fold one question's outcome into what the file will say.
fn learn(owners: &mut FastMap<Name, Owner>, name: &Name, code: u16, lookup: &Lookup) {
    let asked = owners.entry(key(name)).or_default();
    let answer = match lookup {
        Ok(answer) => answer,
        Err(failure) => {
            let known =
                asked.answered.contains(&code) || asked.failures.iter().any(|f| f.0 == code);
            if !known {
                asked.failures.push((code, failure.clone()));
            }
            return;
        }
    };
    asked.failures.retain(|f| f.0 != code);
    if !asked.answered.contains(&code) {
        asked.answered.push(code);
    }
    for record in &answer.records {
        add_record(owners.entry(key(&record.name)).or_default(), record);
    }
    if answer.data(RecordType::from(code)).next().is_none() {
        // The negative answer speaks of the end of the CNAME chain.
        let end = answer
            .records
            .iter()
            .rev()
            .find_map(|r| match &r.data {
                RData::CNAME(target) => Some(key(&target.0)),
                _ => None,
            })
            .unwrap_or_else(|| key(name));
        let owner = owners.entry(end).or_default();
        match answer.rcode {
            Rcode::NxDomain => owner.nxdomain = true,
            Rcode::NoError if !owner.nodata.contains(&code) => owner.nodata.push(code),
            Rcode::NoError => {}
        }
    }
}

/// The master file for these answers (question name, type, outcome), heard
/// in this order: the file is the same in any order, but for the order of an
/// RRset that two answers gave in different orders (the first is kept).
pub fn master_file(answers: &[(Name, RecordType, Lookup)]) -> String {
    let mut owners = fast_map(answers.len());
    for (name, rtype, lookup) in answers {
        learn(&mut owners, name, u16::from(*rtype), lookup);
    }
    write(&owners)
}

/// The file, owners in canonical order (RFC 4034 6.1), each owner's lines
/// by type.
fn write(owners: &FastMap<Name, Owner>) -> String {
    let mut names: Vec<&Name> = owners.keys().collect();
    names.sort();

    // The names that exist on replay: every owner of a record and every
    // name between it and the root (empty non-terminals, RFC 8020).
    let mut existing: HashSet<Name> = HashSet::new();
    for (name, owner) in owners {
        if owner.rrsets.is_empty() {
            continue;
        }
        for k in (0..=name.num_labels()).rev() {
            if !existing.insert(name.trim_to(usize::from(k))) {
                break;
            }
        }
    }

    let mut out = String::new();
    out.push_str(HEADER);
    out.push_str("$RECORDED\n$ORIGIN .\n");
    for name in names {
        let Some(owner) = owners.get(name) else {
            continue;
        };
        let shown = presentation_name(name);
        if owner.nxdomain && owner.rrsets.is_empty() {
            let _ = writeln!(out, "; NXDOMAIN {shown}");
        }
        let types: BTreeSet<u16> = owner
            .rrsets
            .iter()
            .map(|r| r.0)
            .chain(owner.nodata.iter().copied())
            .chain(owner.failures.iter().map(|f| f.0))
            .collect();
        for code in types {
            let rtype = RecordType::from(code);
            let rrset = owner.rrsets.iter().find(|r| r.0 == code);
            for (ttl, data) in rrset.into_iter().flat_map(|r| &r.1) {
                let _ = writeln!(out, "{shown}\t{ttl}\tIN\t{}", rdata_text(rtype, data));
            }
            if owner.nodata.contains(&code) && rrset.is_none() {
                if existing.contains(name) {
                    let _ = writeln!(out, "; NODATA {shown} {}", type_text(rtype));
                } else {
                    let _ = writeln!(out, "$NODATA {shown} {}", type_text(rtype));
                }
            }
            if let Some((_, failure)) = owner.failures.iter().find(|f| f.0 == code) {
                let _ = writeln!(
                    out,
                    "$FAIL {shown} {} {}",
                    type_text(rtype),
                    failure_text(failure)
                );
            }
        }
    }
    out
}

/// The file's first lines: what it is, and what other tools must be told.
const HEADER: &str = "\
; DNS answers recorded by mailcheck --save-zone; replay them with --zone FILE.
; NXDOMAIN and NODATA answers are comments. $RECORDED (answers from many
; zones), $FAIL (a lookup that failed) and $NODATA (a name that exists with no
; records) are mailcheck's own directives: remove those lines before giving
; this file to other DNS software.
";

/// A name as a map key: lower case, fully qualified.
fn key(name: &Name) -> Name {
    let mut name = name.to_lowercase();
    name.set_fqdn(true);
    name
}

/// Add a record to its owner unless the same data is already there.
fn add_record(owner: &mut Owner, record: &Record) {
    let code = u16::from(record.record_type());
    let at = match owner.rrsets.iter().position(|r| r.0 == code) {
        Some(at) => at,
        None => {
            owner.rrsets.push((code, Vec::new()));
            owner.rrsets.len() - 1
        }
    };
    if let Some((_, rrset)) = owner.rrsets.get_mut(at)
        && !rrset.iter().any(|(_, data)| *data == record.data)
    {
        rrset.push((record.ttl, record.data.clone()));
    }
}

/// A name in presentation form, fully qualified: every octet outside the
/// printable ASCII letters, digits and `-_*/+=` is escaped, so that any
/// label reads back as the same bytes (RFC 1035 5.1, RFC 4343 2.1).
pub fn presentation_name(name: &Name) -> String {
    if name.is_root() {
        return ".".to_string();
    }
    let mut out = String::new();
    for label in name.iter() {
        for &b in label {
            match b {
                b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$' => {
                    out.push('\\');
                    out.push(char::from(b));
                }
                0x21..=0x7e => out.push(char::from(b)),
                _ => {
                    let _ = write!(out, "\\{b:03}");
                }
            }
        }
        out.push('.');
    }
    out
}

/// One character-string in double quotes: `"` and `\` escaped with a
/// backslash, every byte outside printable ASCII as `\DDD`.
pub fn quoted(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

/// The types written in their own presentation form; others are generic.
fn has_form(rtype: RecordType) -> bool {
    matches!(
        rtype,
        RecordType::A
            | RecordType::AAAA
            | RecordType::MX
            | RecordType::TXT
            | RecordType::PTR
            | RecordType::CNAME
            | RecordType::NS
            | RecordType::SOA
            | RecordType::TLSA
    )
}

/// A type's mnemonic, or `TYPEnn` (RFC 3597 5) for the types written generically.
fn type_text(rtype: RecordType) -> String {
    if has_form(rtype) {
        rtype.to_string()
    } else {
        format!("TYPE{}", u16::from(rtype))
    }
}

/// `TYPE RDATA` of one record.
fn rdata_text(rtype: RecordType, data: &RData) -> String {
    let name = presentation_name;
    let form = match data {
        RData::A(a) => Some(a.0.to_string()),
        RData::AAAA(a) => Some(a.0.to_string()),
        RData::MX(mx) => Some(format!("{} {}", mx.preference, name(&mx.exchange))),
        RData::TXT(txt) => {
            let mut strings: Vec<String> = txt
                .txt_data
                .iter()
                .flat_map(|s| {
                    if s.is_empty() {
                        vec![quoted(s)]
                    } else {
                        s.chunks(MAX_STRING).map(quoted).collect()
                    }
                })
                .collect();
            if strings.is_empty() {
                strings.push(quoted(b""));
            }
            Some(strings.join(" "))
        }
        RData::PTR(p) => Some(name(&p.0)),
        RData::CNAME(c) => Some(name(&c.0)),
        RData::NS(n) => Some(name(&n.0)),
        RData::SOA(soa) => Some(format!(
            "{} {} {} {} {} {} {}",
            name(&soa.mname),
            name(&soa.rname),
            soa.serial,
            soa.refresh as u32,
            soa.retry as u32,
            soa.expire as u32,
            soa.minimum
        )),
        // RFC 6698 2.2; without association data, the generic form.
        RData::TLSA(_) => wire(data).and_then(|bytes| match bytes.as_slice() {
            [usage, selector, matching, association @ ..] if !association.is_empty() => Some(
                format!("{usage} {selector} {matching} {}", hex(association)),
            ),
            _ => None,
        }),
        _ => None,
    };
    match form {
        Some(text) if has_form(rtype) && data.record_type() == rtype => {
            format!("{rtype}\t{text}")
        }
        _ => {
            let bytes = wire(data).unwrap_or_default();
            let mut text = format!("TYPE{}\t\\# {}", u16::from(rtype), bytes.len());
            if !bytes.is_empty() {
                text.push(' ');
                text.push_str(&hex(&bytes));
            }
            text
        }
    }
}

/// Record data in wire form, names uncompressed (RFC 3597 4).
fn wire(data: &RData) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut encoder = BinEncoder::new(&mut buf);
    encoder.set_name_encoding(NameEncoding::Uncompressed);
    data.emit(&mut encoder).ok()?;
    Some(buf)
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// A failure as the rest of a `$FAIL` line: its kind, then its details.
fn failure_text(failure: &DnsFailure) -> String {
    match failure {
        DnsFailure::ServFail => "servfail".to_string(),
        DnsFailure::Refused => "refused".to_string(),
        DnsFailure::Timeout => "timeout".to_string(),
        DnsFailure::Referral { server, zone } => {
            format!("referral {server} {}", quoted(zone.as_bytes()))
        }
        DnsFailure::Lame { server } => format!("lame {server}"),
        DnsFailure::Local(why) => format!("local {}", quoted(why.as_bytes())),
        DnsFailure::Other(why) => format!("other {}", quoted(why.as_bytes())),
    }
}

#[cfg(test)]
mod tests;
