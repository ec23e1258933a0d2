//! DNSSEC questions: answers with their signatures and denial records, for
//! `crate::dnssec` to validate.
//!
//! A live question goes out with the DO and CD bits (RFC 3225, RFC 4035
//! 3.2.2) and comes back whole: its answer section with the RRSIGs, and its
//! authority section with the SOA, NSEC and NSEC3 records of a negative
//! answer. In zone mode the same is served from the loaded files, as an
//! authoritative server for them would (RFC 4035 3.1): the records of the
//! asked type at the name with the RRSIGs that cover them; for no data, the
//! zone's SOA and the NSEC record at the name, each with its RRSIGs. A DS
//! question is answered by the parent's file (RFC 4035 3.1.4.1), so a parent
//! and child loaded together give the delegation's DS. What zone mode does
//! not serve: wildcard expansions and the NSEC/NSEC3 records that cover a
//! missing name (NXDOMAIN proofs).
//!
//! These questions have a memo of their own (bounded as the answer memo
//! is; a failure is not asked again) and bypass the sinks: `--save-zone`
//! records what the other checks asked, not these, so a replay of a signed
//! domain's saved answers finds no signatures.

use super::{Answer, DnsFailure, Rcode};
use crate::util::{FastMap, fast_map};
use hickory_resolver::proto::{
    dnssec::rdata::DNSSECRData,
    rr::{Name, RData, Record, RecordType},
};
use std::sync::Arc;

use super::zone::ZoneSet;

/// A reply to a DNSSEC question.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The answer section: the records, CNAMEs and the RRSIGs over them.
    pub answer: Answer,
    /// The authority section (SOA, NSEC, NSEC3 and their RRSIGs).
    pub authority: Vec<Record>,
    /// The AD flag of the reply. mailcheck does not act on it; it is shown
    /// beside mailcheck's own verdict.
    pub authentic_data: bool,
}

/// The result of one DNSSEC question.
pub type SignedLookup = Result<Arc<Signed>, DnsFailure>;

/// The loaded zones' records by owner name, built once per run on the first
/// DNSSEC question (a linear scan per question would be slow on a large zone).
pub struct ZoneIndex {
    /// Owner name -> (zone, record) positions.
    owners: FastMap<Name, Vec<(usize, usize)>>,
    /// Names that exist only because names below them do (empty
    /// non-terminals, RFC 4592 2.2.2).
    ancestors: FastMap<Name, ()>,
}

impl ZoneIndex {
    /// Index every record of `zones`.
    pub fn new(zones: &ZoneSet) -> ZoneIndex {
        let mut owners: FastMap<Name, Vec<(usize, usize)>> = fast_map(1024);
        let mut ancestors = fast_map(1024);
        for (z, zone) in zones.zones().iter().enumerate() {
            for (r, record) in zone.records.iter().enumerate() {
                let name = record.name.to_lowercase();
                let mut up = name.base_name();
                while zone.origin.zone_of(&up) && up != zone.origin {
                    ancestors.insert(up.clone(), ());
                    up = up.base_name();
                }
                owners.entry(name).or_default().push((z, r));
            }
        }
        ZoneIndex { owners, ancestors }
    }
}

fn covered(record: &Record) -> Option<RecordType> {
    match &record.data {
        RData::DNSSEC(DNSSECRData::RRSIG(sig)) => Some(sig.input().type_covered),
        _ => None,
    }
}

/// Answer a DNSSEC question from the loaded zones.
pub(crate) fn from_zone(
    zones: &ZoneSet,
    index: &ZoneIndex,
    name: &Name,
    rtype: RecordType,
) -> SignedLookup {
    let name = name.to_lowercase();
    // The most specific zone that holds the name; for DS, not the zone
    // whose apex it is (the DS set lives in the parent).
    let zone = zones
        .zones()
        .iter()
        .enumerate()
        .filter(|(_, z)| z.origin.zone_of(&name) && !(rtype == RecordType::DS && z.origin == name))
        .max_by_key(|(_, z)| z.origin.num_labels());
    let Some((z, zone)) = zone else {
        return Ok(Arc::new(Signed {
            answer: Answer::negative(Rcode::NxDomain),
            authority: Vec::new(),
            authentic_data: false,
        }));
    };
    let here: Vec<&Record> = index
        .owners
        .get(&name)
        .into_iter()
        .flatten()
        .filter(|(zi, _)| *zi == z)
        .filter_map(|(_, r)| zone.records.get(*r))
        .collect();
    // A name below a delegation of this zone is the child's: not served here.
    let mut up = name.clone();
    while up != zone.origin {
        let cut = index.owners.get(&up).into_iter().flatten().any(|(zi, r)| {
            *zi == z && zone.records.get(*r).map(Record::record_type) == Some(RecordType::NS)
        });
        let at_cut_for_ds = up == name && rtype == RecordType::DS;
        if cut && !at_cut_for_ds {
            return Err(DnsFailure::ServFail);
        }
        up = up.base_name();
    }
    let take = |t: RecordType| {
        here.iter()
            .filter(move |r| r.record_type() == t || covered(r) == Some(t))
            .map(|r| (*r).clone())
    };
    let mut records: Vec<Record> = take(rtype).collect();
    if records.iter().all(|r| r.record_type() != rtype) {
        records.clear();
        records.extend(take(RecordType::CNAME));
    }
    if !records.is_empty() {
        return Ok(Arc::new(Signed {
            answer: Answer {
                rcode: Rcode::NoError,
                records,
            },
            authority: Vec::new(),
            authentic_data: false,
        }));
    }
    let exists = !here.is_empty() || index.ancestors.contains_key(&name);
    let mut authority: Vec<Record> = index
        .owners
        .get(&zone.origin)
        .into_iter()
        .flatten()
        .filter(|(zi, _)| *zi == z)
        .filter_map(|(_, r)| zone.records.get(*r))
        .filter(|r| r.record_type() == RecordType::SOA || covered(r) == Some(RecordType::SOA))
        .cloned()
        .collect();
    authority.extend(take(RecordType::NSEC));
    if authority
        .iter()
        .all(|r| r.record_type() != RecordType::NSEC)
    {
        authority.extend(nsec3_denial(zone, z, index, &name));
    }
    Ok(Arc::new(Signed {
        answer: Answer::negative(if exists {
            Rcode::NoError
        } else {
            Rcode::NxDomain
        }),
        authority,
        authentic_data: false,
    }))
}

/// The NSEC3 records (with their RRSIGs) an NSEC3-signed zone answers a
/// negative question about `name` with (RFC 5155 7.2): the record at the
/// hash of the name, or else the closest encloser's and the one that
/// covers the hash of the next closer name. Empty for a zone without
/// NSEC3PARAM at its apex.
fn nsec3_denial(zone: &super::zone::Zone, z: usize, index: &ZoneIndex, name: &Name) -> Vec<Record> {
    let at = |owner: &Name| -> Vec<&Record> {
        index
            .owners
            .get(&owner.to_lowercase())
            .into_iter()
            .flatten()
            .filter(|(zi, _)| *zi == z)
            .filter_map(|(_, r)| zone.records.get(*r))
            .collect()
    };
    let Some(param) = at(&zone.origin).into_iter().find_map(|r| match &r.data {
        RData::DNSSEC(DNSSECRData::NSEC3PARAM(p)) => Some(p.clone()),
        _ => None,
    }) else {
        return Vec::new();
    };
    let hashed = |n: &Name| -> Option<Name> {
        let digest = param
            .hash_algorithm()
            .hash(param.salt(), n, param.iterations())
            .ok()?;
        Name::from_ascii(base32hex(digest.as_ref()))
            .and_then(|label| label.append_domain(&zone.origin))
            .ok()
    };
    let nsec3_at = |owner: &Name| -> Vec<Record> {
        at(owner)
            .into_iter()
            .filter(|r| {
                r.record_type() == RecordType::NSEC3 || covered(r) == Some(RecordType::NSEC3)
            })
            .cloned()
            .collect()
    };
    let Some(own) = hashed(name) else {
        return Vec::new();
    };
    let exact = nsec3_at(&own);
    if !exact.is_empty() {
        return exact;
    }
    // Closest encloser proof (RFC 5155 7.2.1).
    let first_label = |n: &Name| -> String {
        n.iter()
            .next()
            .map(|l| String::from_utf8_lossy(l).to_lowercase())
            .unwrap_or_default()
    };
    let mut encloser = name.base_name();
    let mut next_closer = name.clone();
    while zone.origin.zone_of(&encloser) {
        let Some(h) = hashed(&encloser) else { break };
        let found = nsec3_at(&h);
        if !found.is_empty() {
            let mut out = found;
            let Some(target) = hashed(&next_closer).map(|n| first_label(&n)) else {
                return out;
            };
            let cover = zone.records.iter().find(|r| match &r.data {
                RData::DNSSEC(DNSSECRData::NSEC3(n)) => {
                    let owner = first_label(&r.name);
                    let next = base32hex(n.next_hashed_owner_name());
                    if owner < next {
                        owner < target && target < next
                    } else {
                        target > owner || target < next
                    }
                }
                _ => false,
            });
            if let Some(c) = cover {
                out.extend(nsec3_at(&c.name));
            }
            return out;
        }
        next_closer = encloser.clone();
        encloser = encloser.base_name();
    }
    Vec::new()
}

/// RFC 4648 7's "base32hex" without padding, in lower case: how NSEC3 owner
/// names spell a hash (RFC 5155 3.3). Eight lines, so written here rather
/// than taken from a crate.
pub(crate) fn base32hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let digits = (chunk.len() * 8).div_ceil(5);
        for i in 0..digits {
            out.push(DIGITS[((n >> (35 - 5 * i)) & 31) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base32hex_is_rfc_4648s() {
        // RFC 4648 10, test vectors without padding, lower case.
        for (input, want) in [
            ("", ""),
            ("f", "co"),
            ("fo", "cpng"),
            ("foo", "cpnmu"),
            ("foob", "cpnmuog"),
            ("fooba", "cpnmuoj1"),
            ("foobar", "cpnmuoj1e8"),
        ] {
            assert_eq!(super::base32hex(input.as_bytes()), want, "{input}");
        }
    }
}
