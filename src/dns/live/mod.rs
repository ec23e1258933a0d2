//! Live DNS: questions to recursive nameservers, and what their answers are
//! taken to mean.
//!
//! [`client`] carries one question to a server and back (UDP on fresh or
//! pooled sockets, TCP when needed); `resolve` follows the CNAME chain an
//! answer leaves unfinished, and decides which answers to believe: a
//! negative answer only when it says it is one (RFC 2308), a referral or a
//! lame answer never ([`unanswered`]).

pub mod client;
mod pool;
mod tcp;
#[cfg(test)]
mod tests;
mod wire;

use super::{Answer, DnsFailure, Lookup, Rcode};
use crate::names::display_name;
use client::Client;
use hickory_resolver::proto::{
    op::{Message, ResponseCode},
    rr::{Name, RData, Record, RecordType},
};
use std::{net::SocketAddr, sync::Arc};

/// How many questions one lookup may take to follow a CNAME chain that the
/// server's answers leave unfinished (an authoritative server answers only
/// for its own zones).
const MAX_CHASE_QUERIES: usize = 8;

/// The longest CNAME chain followed (as in zone files).
const MAX_CNAME_CHAIN: usize = 16;

/// Ask `name`/`rtype` and follow its CNAME chain: the answer holds the chain
/// and the records of the asked type at its end, nothing else the server
/// put in the answer section, each record once (a forwarder that repeats a
/// record must not make one SPF record two). A chain that loops, or runs
/// longer than [`MAX_CNAME_CHAIN`], is a server failure, never a missing
/// record.
///
/// A negative answer (NXDOMAIN, or NOERROR with nothing of the asked type)
/// is believed only when it says it is one (RFC 2308 2.1, 2.2): for the
/// asked name itself, the AA flag or the SOA of a zone that encloses it in
/// the authority section; for the end of a CNAME chain, that SOA (the AA
/// flag speaks for the first name only, RFC 1035 4.1.1). An empty answer to
/// the asked name that says neither is a referral or a lame answer
/// ([`unanswered`]); one at the end of a chain is asked again about
/// that name. A negative answer keeps the chain collected so far, so a
/// dangling CNAME can be reported with its target.
pub(crate) async fn resolve(client: &Client, name: &Name, rtype: RecordType) -> Lookup {
    let mut records: Vec<Record> = Vec::new();
    let mut current = name.clone();
    let mut seen = vec![current.clone()];
    for _ in 0..MAX_CHASE_QUERIES {
        let reply = client.query(&current, rtype).await?;
        let message = &reply.message;
        let asked = current.clone();
        loop {
            let mut found = false;
            for record in message
                .answers
                .iter()
                .filter(|r| r.record_type() == rtype && r.name == current)
            {
                found = true;
                push_once(&mut records, record);
            }
            if found {
                return Ok(Arc::new(Answer {
                    rcode: Rcode::NoError,
                    records,
                }));
            }
            let next = message.answers.iter().find_map(|r| match &r.data {
                RData::CNAME(c) if r.name == current => Some((r, c.0.clone())),
                _ => None,
            });
            let Some((record, target)) = next else { break };
            if seen.contains(&target) || seen.len() > MAX_CNAME_CHAIN {
                return Err(DnsFailure::ServFail);
            }
            seen.push(target.clone());
            push_once(&mut records, record);
            current = target;
        }
        // Nothing of the asked type at the end of the chain so far.
        if says_negative(message, &current, current == asked) {
            let rcode = if message.metadata.response_code == ResponseCode::NXDomain {
                Rcode::NxDomain
            } else {
                Rcode::NoError
            };
            return Ok(Arc::new(Answer { rcode, records }));
        }
        if current == asked {
            // An answer section about other names only, with nothing that
            // makes it a negative answer for this one.
            return Err(
                unanswered(message, &current, reply.server).unwrap_or(DnsFailure::Lame {
                    server: reply.server,
                }),
            );
        }
        // The chain leads to a name this answer says nothing certain about: ask it.
    }
    Err(DnsFailure::ServFail)
}

/// Add `record` unless the same name already has the same data.
fn push_once(records: &mut Vec<Record>, record: &Record) {
    if !records
        .iter()
        .any(|r| r.name == record.name && r.data == record.data)
    {
        records.push(record.clone());
    }
}

/// True when `message` is a negative answer for `name` that can be believed
/// (RFC 2308 2.1, 2.2): it carries the SOA of a zone enclosing `name` in its
/// authority section, or, when `name` is the question itself (`direct`),
/// the AA flag of a server authoritative for it. A recursive resolver's
/// negative answers carry the SOA (it is what they are cached by), so the
/// RA flag alone proves nothing: a server that sets RA and answers empty
/// without an SOA is treated as lame like any other.
pub fn says_negative(message: &Message, name: &Name, direct: bool) -> bool {
    (direct && message.metadata.authoritative)
        || message
            .authorities
            .iter()
            .any(|r| r.record_type() == RecordType::SOA && r.name.zone_of(name))
}

/// Why an empty answer to `name` is no answer, or `None` when it is a
/// negative answer to believe ([`says_negative`]): NS records in the
/// authority section make it a referral (the server does not serve the
/// name and would not resolve it); anything else is lame.
pub fn unanswered(message: &Message, name: &Name, server: SocketAddr) -> Option<DnsFailure> {
    if says_negative(message, name, true) {
        return None;
    }
    let referral = message
        .authorities
        .iter()
        .find(|r| r.record_type() == RecordType::NS);
    Some(match referral {
        Some(ns) => DnsFailure::Referral {
            server,
            zone: display_name(&ns.name),
        },
        None => DnsFailure::Lame { server },
    })
}
