//! DNSSEC validation done by mailcheck itself (RFC 4033, 4034, 4035): the
//! chain of trust from a trust anchor down to the zone of a name, and the
//! signatures over the records the checks read (MX, TXT, TLSA).
//!
//! A resolver's AD flag is not taken as proof: every answer is asked again
//! with the DO and CD bits ([`Dns::query_dnssec`]) and its RRSIGs are
//! verified here with hickory-proto's DNSSEC primitives (key digests, key
//! tags, the signed-data form of RFC 4034 3.1.8.1 and the signature
//! algorithms over aws-lc-rs). What is written here is the walk, which
//! hickory leaves to its own resolver: mailcheck's answers come through its
//! own transport and zone files, so the resolver's validating layer cannot
//! see them.
//!
//! The walk (RFC 4035 5): the anchor's DNSKEY set must contain a key the
//! anchor names (by DS digest or as a DNSKEY) and be signed by it; below
//! it, each name that has an SOA of its own is a zone cut. At a cut, a DS
//! set signed by the parent's keys must match a DNSKEY of the child that
//! signs the child's DNSKEY set; no DS, proven by an NSEC record at the cut
//! signed by the parent (RFC 4035 5.2), makes the child and everything below
//! it insecure. The outcome is one of RFC 4035 4.3's states ([`State`]).
//!
//! A DS denied with NSEC3 (RFC 5155 8.6) is proven by an NSEC3 record at
//! the hash of the cut, or, in an opt-out zone (most TLDs), by the closest
//! encloser's NSEC3 and an opt-out NSEC3 covering the next closer name.
//! Not validated: other NSEC3 proofs (NODATA and NXDOMAIN for the records
//! the checks read; a DS denial that fits neither shape above is
//! indeterminate, and says so); NSEC records that
//! cover a missing name (NXDOMAIN proofs); wildcard expansions (an RRSIG
//! with fewer labels than its owner is verified, but the proof that no
//! closer name exists is not checked). A chain that cannot be followed from
//! the configured DNS source (a `--resolver` that serves only the test's
//! zones, zone files without the anchor's zone) is indeterminate: mailcheck
//! asks no other server.

pub mod anchor;
#[cfg(test)]
mod tests;

use crate::dns::{Dns, DnsFailure, signed::Signed};
use crate::names::display_name;
pub use anchor::Anchors;
use futures_util::future::join_all;
use hickory_resolver::proto::{
    dnssec::{
        Verifier,
        rdata::{DNSKEY, DNSSECRData, DS, NSEC3, RRSIG},
    },
    rr::{DNSClass, Name, RData, Record, RecordType},
};
use serde::Serialize;
use std::{fmt, sync::Arc};

/// The most signature verifications one RRset may cost. Keys that share a
/// key tag, times signatures, would otherwise let a hostile zone make one
/// answer cost millions of them (CVE-2023-50387, "KeyTrap"); real zones
/// need one or two, four in a key rollover.
pub const MAX_VERIFICATIONS: usize = 8;

/// The security status of an answer or a zone (RFC 4035 4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// A chain of signed DNSKEY and DS records leads from a trust anchor to it.
    Secure,
    /// Provably unsigned: a signed parent proves there is no DS.
    Insecure,
    /// It should be signed, and the signatures or the chain do not check out.
    Bogus,
    /// Neither could be established from the DNS source.
    Indeterminate,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Secure => "secure",
            State::Insecure => "insecure",
            State::Bogus => "bogus",
            State::Indeterminate => "indeterminate",
        })
    }
}

/// Where a name's chain of trust ends: the state, the zone it reached and why.
#[derive(Debug, Clone)]
pub struct Trust {
    /// The state of the name's zone.
    pub state: State,
    /// The deepest zone the walk reached (the zone of the name when secure;
    /// the unsigned delegation when insecure).
    pub zone: Name,
    /// The validated DNSKEYs of `zone` (secure only).
    keys: Vec<DNSKEY>,
    /// In words, for the report: what was proven or what failed.
    pub why: String,
    /// Zone-file lines of the DS and DNSKEY records the walk used.
    pub records: Vec<String>,
}

/// The outcome of validating one RRset.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Its state.
    pub state: State,
    /// In words.
    pub why: String,
    /// Whether records of the asked type exist.
    pub present: bool,
    /// The reply's AD flag (shown only: mailcheck does not act on it).
    pub authentic_data: bool,
}

/// The current time in seconds since 1970, as RRSIG times count it.
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A validator for one run: the trust anchors, the DNS source and the time.
pub struct Validator<'a> {
    dns: &'a Dns,
    anchors: &'a Anchors,
    now: u32,
}

impl<'a> Validator<'a> {
    /// Validate answers from `dns` against `anchors`, at the current time.
    pub fn new(dns: &'a Dns, anchors: &'a Anchors) -> Validator<'a> {
        Validator::at(dns, anchors, now() as u32)
    }

    /// Validate as at `now` (seconds since 1970, modulo 2^32).
    pub fn at(dns: &'a Dns, anchors: &'a Anchors, now: u32) -> Validator<'a> {
        Validator { dns, anchors, now }
    }

    /// The anchors in use.
    pub fn anchors(&self) -> &Anchors {
        self.anchors
    }

    fn trust(&self, state: State, zone: &Name, why: impl Into<String>) -> Trust {
        Trust {
            state,
            zone: zone.clone(),
            keys: Vec::new(),
            why: why.into(),
            records: Vec::new(),
        }
    }

    /// Follow the chain of trust from the anchor down to the zone of `name`.
    pub async fn zone_trust(&self, name: &Name) -> Trust {
        let anchor = &self.anchors.name;
        let mut name = name.to_lowercase();
        name.set_fqdn(true);
        if !anchor.zone_of(&name) {
            return self.trust(
                State::Indeterminate,
                anchor,
                format!(
                    "{} does not cover {} (it is for {})",
                    self.anchors.source,
                    display_name(&name),
                    shown(anchor)
                ),
            );
        }
        let mut records = Vec::new();
        // The anchor's own keys first: when the DNS source cannot give them
        // (a server for the user's own zones only), the walk ends here, and
        // none of the questions below is worth asking. The answer is
        // memoised, so only the first check of a run waits for it.
        let reply = self.dns.query_dnssec(anchor, RecordType::DNSKEY).await;
        if matches!(&reply, Ok(r) if has(r, anchor, RecordType::DNSKEY)) {
            // Every question the walk may ask goes out at once (the answers
            // are memoised), so the rest of the walk costs one round trip,
            // not one per zone cut.
            let levels: Vec<Name> = (anchor.num_labels()..=name.num_labels())
                .map(|d| name.trim_to(d as usize))
                .collect();
            join_all(levels.iter().flat_map(|n| {
                [RecordType::SOA, RecordType::DS, RecordType::DNSKEY]
                    .map(|t| self.dns.query_dnssec(n, t))
            }))
            .await;
        }
        let keys = match reply {
            Ok(reply) if has(&reply, anchor, RecordType::DNSKEY) => reply,
            // Not served by this source (a --resolver for the test's zones
            // only, zone files without the anchor's zone): said the same way
            // live and in a replay of the other answers.
            Ok(_)
            | Err(DnsFailure::Refused | DnsFailure::Referral { .. } | DnsFailure::Lame { .. }) => {
                return self.trust(
                    State::Indeterminate,
                    anchor,
                    format!(
                        "the DNS source does not serve the DNSKEY records of {}, where {} start, so the chain of trust cannot be followed",
                        shown(anchor),
                        self.anchors.source
                    ),
                );
            }
            Err(e) => {
                return self.trust(
                    State::Indeterminate,
                    anchor,
                    format!(
                        "the DNSKEY records of {}, where {} start, could not be read ({}), so the chain of trust cannot be followed",
                        shown(anchor),
                        self.anchors.source,
                        brief(&e)
                    ),
                );
            }
        };
        let all_keys = dnskeys(&keys, anchor);
        let trusted: Vec<DNSKEY> = all_keys
            .iter()
            .filter(|k| {
                self.anchors.keys.contains(k)
                    || self.anchors.ds.iter().any(|ds| ds_matches(ds, anchor, k))
            })
            .cloned()
            .collect();
        records.extend(lines(&keys, anchor, RecordType::DNSKEY));
        if trusted.is_empty() {
            let mut t = self.trust(
                State::Bogus,
                anchor,
                format!(
                    "no DNSKEY of {} matches {}",
                    shown(anchor),
                    self.anchors.source
                ),
            );
            t.records = records;
            return t;
        }
        if let Err(why) = self.verify(
            &keys.answer.records,
            anchor,
            RecordType::DNSKEY,
            anchor,
            &trusted,
        ) {
            let mut t = self.trust(
                State::Bogus,
                anchor,
                format!("the DNSKEY records of {}: {why}", shown(anchor)),
            );
            t.records = records;
            return t;
        }
        let mut zone = anchor.clone();
        let mut zone_keys = all_keys;
        let mut proven = vec![format!(
            "the DNSKEY set of {} matches {}",
            shown(anchor),
            self.anchors.source
        )];
        for depth in (anchor.num_labels() + 1)..=name.num_labels() {
            let child = name.trim_to(depth as usize);
            // Is `child` the apex of a zone of its own?
            let soa = match self.dns.query_dnssec(&child, RecordType::SOA).await {
                Ok(reply) => reply,
                Err(e) => {
                    let mut t = self.trust(
                        State::Indeterminate,
                        &zone,
                        format!(
                            "the SOA question for {} failed ({})",
                            display_name(&child),
                            brief(&e)
                        ),
                    );
                    t.records = records;
                    return t;
                }
            };
            if !has(&soa, &child, RecordType::SOA) {
                if soa.answer.rcode == crate::dns::Rcode::NxDomain {
                    break;
                }
                continue;
            }
            // A zone cut: the parent's DS set.
            let ds_reply = match self.dns.query_dnssec(&child, RecordType::DS).await {
                Ok(reply) => reply,
                Err(e) => {
                    let mut t = self.trust(
                        State::Indeterminate,
                        &zone,
                        format!(
                            "the DS records of {} could not be read from its parent {} ({})",
                            display_name(&child),
                            shown(&zone),
                            brief(&e)
                        ),
                    );
                    t.records = records;
                    return t;
                }
            };
            let ds_set = ds_records(&ds_reply, &child);
            if ds_set.is_empty() {
                let mut t = self.no_ds(&ds_reply, &zone, &zone_keys, &child);
                t.records = records;
                return t;
            }
            records.extend(lines(&ds_reply, &child, RecordType::DS));
            if let Err(why) = self.verify(
                &ds_reply.answer.records,
                &child,
                RecordType::DS,
                &zone,
                &zone_keys,
            ) {
                let mut t = self.trust(
                    State::Bogus,
                    &child,
                    format!(
                        "the DS records of {} in {}: {why}",
                        display_name(&child),
                        shown(&zone)
                    ),
                );
                t.records = records;
                return t;
            }
            if !ds_set
                .iter()
                .any(|ds| ds.algorithm().is_supported() && ds.digest_type().is_supported())
            {
                let mut t = self.trust(
                    State::Insecure,
                    &child,
                    format!(
                        "the DS records of {} use only algorithms mailcheck cannot check, so it is treated as unsigned (RFC 4035 5.2)",
                        display_name(&child)
                    ),
                );
                t.records = records;
                return t;
            }
            let key_reply = match self.dns.query_dnssec(&child, RecordType::DNSKEY).await {
                Ok(reply) => reply,
                Err(e) => {
                    let mut t = self.trust(
                        State::Indeterminate,
                        &child,
                        format!(
                            "the DNSKEY records of {} could not be read ({})",
                            display_name(&child),
                            brief(&e)
                        ),
                    );
                    t.records = records;
                    return t;
                }
            };
            records.extend(lines(&key_reply, &child, RecordType::DNSKEY));
            let child_keys = dnskeys(&key_reply, &child);
            let entry: Vec<DNSKEY> = child_keys
                .iter()
                .filter(|k| ds_set.iter().any(|ds| ds_matches(ds, &child, k)))
                .cloned()
                .collect();
            if entry.is_empty() {
                let tags: Vec<String> = ds_set.iter().map(|d| d.key_tag().to_string()).collect();
                let mut t = self.trust(
                    State::Bogus,
                    &child,
                    format!(
                        "the DS record{} of {} at its parent (key tag {}) match{} none of its DNSKEY records",
                        if ds_set.len() == 1 { "" } else { "s" },
                        display_name(&child),
                        tags.join(", "),
                        if ds_set.len() == 1 { "es" } else { "" },
                    ),
                );
                t.records = records;
                return t;
            }
            if let Err(why) = self.verify(
                &key_reply.answer.records,
                &child,
                RecordType::DNSKEY,
                &child,
                &entry,
            ) {
                let mut t = self.trust(
                    State::Bogus,
                    &child,
                    format!("the DNSKEY records of {}: {why}", display_name(&child)),
                );
                t.records = records;
                return t;
            }
            proven.push(format!(
                "DS {} at {} matches its DNSKEY",
                ds_set
                    .iter()
                    .map(|d| d.key_tag().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                display_name(&child)
            ));
            zone = child;
            zone_keys = child_keys;
        }
        Trust {
            state: State::Secure,
            zone: zone.clone(),
            keys: zone_keys,
            why: proven.join("; "),
            records,
        }
    }

    /// A cut below a secure `parent` without DS records: insecure when the
    /// parent proves it with a signed NSEC record at the cut.
    fn no_ds(&self, reply: &Signed, parent: &Name, keys: &[DNSKEY], child: &Name) -> Trust {
        let nsec: Vec<&Record> = reply
            .authority
            .iter()
            .filter(|r| r.record_type() == RecordType::NSEC && r.name == *child)
            .collect();
        if let Some(record) = nsec.first() {
            let RData::DNSSEC(DNSSECRData::NSEC(n)) = &record.data else {
                return self.trust(State::Bogus, child, "a malformed NSEC record");
            };
            if let Err(why) = self.verify(&reply.authority, child, RecordType::NSEC, parent, keys) {
                return self.trust(
                    State::Bogus,
                    child,
                    format!(
                        "{} has no DS records, and the NSEC record that should prove it: {why}",
                        display_name(child)
                    ),
                );
            }
            let types: Vec<RecordType> = n.type_bit_maps().collect();
            if types.contains(&RecordType::DS) {
                return self.trust(
                    State::Bogus,
                    child,
                    format!(
                        "{}'s signed NSEC record lists DS, but no DS records came",
                        display_name(child)
                    ),
                );
            }
            return self.trust(
                State::Insecure,
                child,
                format!(
                    "{} is a delegation without DS records: the signed zone {} proves it with an NSEC record, so {} is unsigned (RFC 4035 5.2)",
                    display_name(child),
                    shown(parent),
                    display_name(child)
                ),
            );
        }
        if let Some(t) = self.nsec3_no_ds(reply, parent, keys, child) {
            return t;
        }
        if reply
            .authority
            .iter()
            .any(|r| r.record_type() == RecordType::NSEC3)
        {
            return self.trust(
                State::Indeterminate,
                child,
                format!(
                    "{} has no DS records at {}, which denies them with NSEC3; mailcheck does not validate NSEC3 proofs, so whether it is provably unsigned is not established",
                    display_name(child),
                    shown(parent)
                ),
            );
        }
        self.trust(
            State::Bogus,
            child,
            format!(
                "the signed zone {} answered that {} has no DS records without a signed NSEC or NSEC3 proof (or the resolver removed it)",
                shown(parent),
                display_name(child)
            ),
        )
    }

    /// The NSEC3 proof that the cut `child` of the secure `parent` has no
    /// DS (RFC 5155 8.6): an NSEC3 record at the hash of `child` without DS
    /// (and with NS), or, in an opt-out zone, an NSEC3 at the hash of the
    /// closest encloser and an opt-out NSEC3 that covers the hash of the next
    /// closer name (RFC 5155 7.2.1, 6). Every NSEC3 record used must be
    /// signed by the parent. `None` when there are no NSEC3 records or they
    /// prove nothing of the kind.
    fn nsec3_no_ds(
        &self,
        reply: &Signed,
        parent: &Name,
        keys: &[DNSKEY],
        child: &Name,
    ) -> Option<Trust> {
        let nsec3: Vec<(String, &NSEC3)> = reply
            .authority
            .iter()
            .filter_map(|r| match &r.data {
                RData::DNSSEC(DNSSECRData::NSEC3(n)) if parent.zone_of(&r.name) => {
                    let label = r.name.iter().next()?;
                    Some((String::from_utf8_lossy(label).to_lowercase(), n))
                }
                _ => None,
            })
            .collect();
        let (_, first) = nsec3.first()?;
        let hash = |n: &Name| -> Option<String> {
            let digest = first
                .hash_algorithm()
                .hash(first.salt(), n, first.iterations())
                .ok()?;
            Some(crate::dns::signed::base32hex(digest.as_ref()))
        };
        let signed = |label: &str| -> bool {
            Name::from_ascii(label)
                .and_then(|l| l.append_domain(parent))
                .is_ok_and(|owner| {
                    self.verify(&reply.authority, &owner, RecordType::NSEC3, parent, keys)
                        .is_ok()
                })
        };
        let insecure = |how: &str| {
            self.trust(
                State::Insecure,
                child,
                format!(
                    "{} is a delegation without DS records: the signed zone {} proves it with {how}, so {} is unsigned (RFC 5155 8.6)",
                    display_name(child),
                    shown(parent),
                    display_name(child)
                ),
            )
        };
        // A matching NSEC3 record.
        let child_hash = hash(child)?;
        if let Some((label, n)) = nsec3.iter().find(|(l, _)| *l == child_hash) {
            if !signed(label) {
                return None;
            }
            let types: Vec<RecordType> = n.type_bit_maps().collect();
            if types.contains(&RecordType::DS) {
                return Some(self.trust(
                    State::Bogus,
                    child,
                    format!(
                        "{}'s signed NSEC3 record lists DS, but no DS records came",
                        display_name(child)
                    ),
                ));
            }
            return Some(insecure("an NSEC3 record"));
        }
        // Opt-out: the closest encloser matches, the next closer is covered.
        let mut encloser = child.base_name();
        let mut next_closer = child.clone();
        while parent.zone_of(&encloser) {
            let h = hash(&encloser)?;
            if let Some((label, _)) = nsec3.iter().find(|(l, _)| *l == h) {
                let nc = hash(&next_closer)?;
                let cover = nsec3.iter().find(|(owner, n)| {
                    let next = crate::dns::signed::base32hex(n.next_hashed_owner_name());
                    n.opt_out()
                        && if *owner < next {
                            *owner < nc && nc < next
                        } else {
                            nc > *owner || nc < next
                        }
                })?;
                if signed(label) && signed(&cover.0) {
                    return Some(insecure("opt-out NSEC3 records"));
                }
                return None;
            }
            next_closer = encloser.clone();
            encloser = encloser.base_name();
        }
        None
    }

    /// Verify the RRset `owner`/`rtype` in `records` with an RRSIG by
    /// `signer` made with one of `keys`, valid now.
    fn verify(
        &self,
        records: &[Record],
        owner: &Name,
        rtype: RecordType,
        signer: &Name,
        keys: &[DNSKEY],
    ) -> Result<(), String> {
        let rrset: Vec<Record> = records
            .iter()
            .filter(|r| r.record_type() == rtype && r.name == *owner)
            .cloned()
            .collect();
        let sigs: Vec<&RRSIG> = records
            .iter()
            .filter(|r| r.name == *owner)
            .filter_map(|r| match &r.data {
                RData::DNSSEC(DNSSECRData::RRSIG(s)) if s.input().type_covered == rtype => Some(s),
                _ => None,
            })
            .collect();
        if sigs.is_empty() {
            return Err(format!("no RRSIG covers the {rtype} records"));
        }
        let mut reasons = Vec::new();
        let mut tried = 0;
        for sig in sigs {
            let input = sig.input();
            if input.signer_name != *signer {
                reasons.push(format!(
                    "the RRSIG (key tag {}) is by {}, not {}",
                    input.key_tag,
                    shown(&input.signer_name),
                    shown(signer)
                ));
                continue;
            }
            let expiration = input.sig_expiration.get();
            let inception = input.sig_inception.get();
            // Serial-number arithmetic (RFC 4034 3.1.5).
            if (self.now.wrapping_sub(expiration) as i32) > 0 {
                reasons.push(format!(
                    "the RRSIG (key tag {}) expired at {}",
                    input.key_tag,
                    rrsig_time(expiration)
                ));
                continue;
            }
            if (inception.wrapping_sub(self.now) as i32) > 0 {
                reasons.push(format!(
                    "the RRSIG (key tag {}) is not valid before {}",
                    input.key_tag,
                    rrsig_time(inception)
                ));
                continue;
            }
            let candidates: Vec<&DNSKEY> = keys
                .iter()
                .filter(|k| {
                    k.zone_key()
                        && !k.revoke()
                        && k.algorithm() == input.algorithm
                        && k.calculate_key_tag().ok() == Some(input.key_tag)
                })
                .collect();
            if candidates.is_empty() {
                reasons.push(format!(
                    "no trusted DNSKEY of {} has the RRSIG's key tag {} and algorithm {}",
                    shown(signer),
                    input.key_tag,
                    input.algorithm
                ));
                continue;
            }
            if !input.algorithm.is_supported() {
                reasons.push(format!(
                    "the RRSIG's algorithm {} is not one mailcheck can verify",
                    input.algorithm
                ));
                continue;
            }
            let mut ok = false;
            for key in candidates {
                if tried == MAX_VERIFICATIONS {
                    reasons.push(format!(
                        "more than {MAX_VERIFICATIONS} signature checks would be needed, and mailcheck stops there"
                    ));
                    return Err(reasons.join("; "));
                }
                tried += 1;
                if key
                    .verify_rrsig(owner, DNSClass::IN, sig, rrset.iter())
                    .is_ok()
                {
                    ok = true;
                    break;
                }
            }
            if ok {
                return Ok(());
            }
            reasons.push(format!(
                "the RRSIG (key tag {}) does not verify: the signature is bad",
                input.key_tag
            ));
        }
        Err(reasons.join("; "))
    }

    /// Validate the `rtype` records of `name`: its zone's chain of trust and
    /// the RRSIGs over the answer.
    pub async fn rrset(&self, name: &Name, rtype: RecordType) -> (Trust, Checked) {
        let trust = self.zone_trust(name).await;
        let checked = self.rrset_in(&trust, name, rtype).await;
        (trust, checked)
    }

    /// Validate the `rtype` records of `name` in a zone whose chain of trust
    /// is `trust`.
    pub async fn rrset_in(&self, trust: &Trust, name: &Name, rtype: RecordType) -> Checked {
        let reply = match self.dns.query_dnssec(name, rtype).await {
            Ok(reply) => reply,
            Err(e) => {
                return Checked {
                    state: State::Indeterminate,
                    why: format!("the question with DNSSEC records failed ({})", brief(&e)),
                    present: false,
                    authentic_data: false,
                };
            }
        };
        let present = has(&reply, name, rtype);
        let ad = reply.authentic_data;
        let checked = |state, why: String| Checked {
            state,
            why,
            present,
            authentic_data: ad,
        };
        match trust.state {
            State::Secure => {}
            other => return checked(other, trust.why.clone()),
        }
        if !present {
            if reply
                .answer
                .records
                .iter()
                .any(|r| r.record_type() == RecordType::CNAME)
            {
                return checked(
                    State::Indeterminate,
                    format!(
                        "{} is a CNAME; mailcheck does not validate through CNAMEs",
                        display_name(name)
                    ),
                );
            }
            // NODATA proven by a signed NSEC at the name.
            let proven = reply.authority.iter().any(|r| match &r.data {
                RData::DNSSEC(DNSSECRData::NSEC(n)) if r.name == *name => {
                    !n.type_bit_maps().any(|t| t == rtype)
                }
                _ => false,
            }) && self
                .verify(
                    &reply.authority,
                    name,
                    RecordType::NSEC,
                    &trust.zone,
                    &trust.keys,
                )
                .is_ok();
            return if proven {
                checked(
                    State::Secure,
                    format!(
                        "a signed NSEC record proves {} has no {rtype} records",
                        display_name(name)
                    ),
                )
            } else {
                checked(
                    State::Indeterminate,
                    format!(
                        "no {rtype} records; mailcheck did not validate the denial (NSEC3, or an NSEC that covers the name)"
                    ),
                )
            };
        }
        match self.verify(&reply.answer.records, name, rtype, &trust.zone, &trust.keys) {
            Ok(()) => checked(
                State::Secure,
                format!(
                    "the {rtype} records of {} are signed by {} and validate",
                    display_name(name),
                    display_name(&trust.zone)
                ),
            ),
            Err(why) => checked(
                State::Bogus,
                format!("the {rtype} records of {}: {why}", display_name(name)),
            ),
        }
    }
}

/// True when `reply` holds records of `rtype` at `owner`.
fn has(reply: &Signed, owner: &Name, rtype: RecordType) -> bool {
    reply
        .answer
        .records
        .iter()
        .any(|r| r.record_type() == rtype && r.name == *owner)
}

fn dnskeys(reply: &Signed, owner: &Name) -> Vec<DNSKEY> {
    reply
        .answer
        .records
        .iter()
        .filter(|r| r.name == *owner)
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::DNSKEY(k)) => Some(k.clone()),
            _ => None,
        })
        .collect()
}

fn ds_records(reply: &Signed, owner: &Name) -> Vec<DS> {
    reply
        .answer
        .records
        .iter()
        .filter(|r| r.name == *owner)
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::DS(d)) => Some(d.clone()),
            _ => None,
        })
        .collect()
}

/// True when `ds` names `key` of zone `owner`: same key tag and algorithm,
/// and the digest of the key matches (RFC 4034 5.1.4).
fn ds_matches(ds: &DS, owner: &Name, key: &DNSKEY) -> bool {
    key.calculate_key_tag().ok() == Some(ds.key_tag())
        && key.algorithm() == ds.algorithm()
        && ds.digest_type().is_supported()
        && ds.covers(owner, key).unwrap_or(false)
}

/// Zone-file lines of the `rtype` records at `owner` in `reply`.
fn lines(reply: &Signed, owner: &Name, rtype: RecordType) -> Vec<String> {
    reply
        .answer
        .records
        .iter()
        .filter(|r| r.record_type() == rtype && r.name == *owner)
        .map(|r| format!("{} {rtype} {}", shown(owner), r.data))
        .collect()
}

/// A name as zone files write it: with the final dot, `.` for the root.
fn shown(name: &Name) -> String {
    if name.is_root() {
        ".".into()
    } else {
        format!("{}.", display_name(name))
    }
}

/// A DNS failure in a few words.
fn brief(e: &DnsFailure) -> String {
    e.to_string()
}

/// An RRSIG time in its presentation form, YYYYMMDDHHmmSS UTC (RFC 4034 3.2).
pub fn rrsig_time(t: u32) -> String {
    let secs = i64::from(t);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// The anchors of a run, shared by the checks.
pub type SharedAnchors = Arc<Anchors>;
