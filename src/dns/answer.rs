//! What a question gets back: an answer (NOERROR or NXDOMAIN with its
//! records), or the reason there is none ([`DnsFailure`]).

use crate::names::display_name;
use hickory_resolver::proto::rr::{RData, Record, RecordType};
use std::{
    fmt,
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

/// The outcome of a completed query: the name exists or not, and the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rcode {
    /// NOERROR: the name exists (the record list may still be empty: NODATA).
    NoError,
    /// NXDOMAIN: the name does not exist.
    NxDomain,
}

/// The answer section of one query, CNAMEs included, in the order a resolver
/// gives them (the chain first, then the records of the asked type).
#[derive(Debug, Clone)]
pub struct Answer {
    /// Whether the final name exists.
    pub rcode: Rcode,
    /// Answer records, CNAMEs included.
    pub records: Vec<Record>,
}

impl Answer {
    /// A negative answer.
    pub fn negative(rcode: Rcode) -> Answer {
        Answer {
            rcode,
            records: Vec::new(),
        }
    }

    /// The record data of the asked type (CNAMEs left out).
    pub fn data(&self, rtype: RecordType) -> impl Iterator<Item = &RData> {
        self.records
            .iter()
            .filter(move |r| r.record_type() == rtype)
            .map(|r| &r.data)
    }

    /// Each TXT record's character-strings joined into one byte string
    /// (RFC 7208 3.3, RFC 6376 3.6.2.2).
    pub fn txt(&self) -> Vec<Vec<u8>> {
        self.data(RecordType::TXT)
            .filter_map(|d| match d {
                RData::TXT(txt) => Some(
                    txt.txt_data
                        .iter()
                        .flat_map(|s| s.iter().copied())
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    }

    /// Addresses from A and AAAA records.
    pub fn addresses(&self) -> Vec<IpAddr> {
        self.records
            .iter()
            .filter_map(|r| match &r.data {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                _ => None,
            })
            .collect()
    }

    /// Target names of PTR records, in presentation form without the final dot.
    pub fn ptr_names(&self) -> Vec<String> {
        self.data(RecordType::PTR)
            .filter_map(|d| match d {
                RData::PTR(p) => Some(display_name(&p.0)),
                _ => None,
            })
            .collect()
    }

    /// The CNAME chain followed to reach the answer: (alias, target) pairs.
    pub fn cname_chain(&self) -> Vec<(String, String)> {
        self.records
            .iter()
            .filter_map(|r| match &r.data {
                RData::CNAME(c) => Some((display_name(&r.name), display_name(&c.0))),
                _ => None,
            })
            .collect()
    }

    /// The name that holds the records of `rtype`, as users write it: the end
    /// of the CNAME chain, or the asked name when there is none. `None` when
    /// there are no such records.
    pub fn owner(&self, rtype: RecordType) -> Option<String> {
        self.records
            .iter()
            .find(|r| r.record_type() == rtype)
            .map(|r| display_name(&r.name))
    }

    /// The CNAME chain as zone-file lines (`alias. CNAME target.`), in the
    /// order it was followed.
    pub fn cname_lines(&self) -> Vec<String> {
        self.cname_chain()
            .iter()
            .map(|(from, to)| format!("{from}. CNAME {to}."))
            .collect()
    }

    /// True when the name does not exist or has no records of the asked type
    /// (a "void lookup" in RFC 7208 4.6.4 terms).
    pub fn is_void(&self, rtype: RecordType) -> bool {
        self.data(rtype).next().is_none()
    }
}

/// A query that could not be completed. These are temporary by nature: a retry
/// may succeed, and they are never reported as a missing record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsFailure {
    /// No answer arrived in time.
    Timeout,
    /// The server answered SERVFAIL (or a zone file has a CNAME loop).
    ServFail,
    /// The server refused to answer.
    Refused,
    /// The server did not answer but referred to other nameservers (NS
    /// records in the authority section, no AA flag): it does not serve the
    /// name and does not resolve it for us.
    Referral {
        /// The server that sent the referral.
        server: SocketAddr,
        /// The zone whose nameservers it named.
        zone: String,
    },
    /// The server sent an empty answer that claims nothing: no AA flag and no
    /// SOA record of an enclosing zone (RFC 2308 2.2), so it is not evidence
    /// that the name or its records are missing (a lame server).
    Lame {
        /// The server that sent it.
        server: SocketAddr,
    },
    /// The question could not be sent for a reason on this machine (no file
    /// descriptor or buffer left); the server is not to blame.
    Local(String),
    /// Any other failure (network error, malformed answer).
    Other(String),
}

impl fmt::Display for DnsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DnsFailure::Timeout => f.write_str("DNS query timed out"),
            DnsFailure::ServFail => f.write_str("DNS server failure (SERVFAIL)"),
            DnsFailure::Refused => f.write_str("DNS query refused (REFUSED)"),
            DnsFailure::Referral { server, zone } => write!(
                f,
                "the nameserver {server} would not answer: it referred the question to the nameservers of {zone} (a referral, not an answer)"
            ),
            DnsFailure::Lame { server } => write!(
                f,
                "the nameserver {server} would not answer: its reply was empty with no AA flag and no SOA (it does not serve this name)"
            ),
            DnsFailure::Local(m) => {
                write!(f, "DNS query not sent: {m} (a problem on this machine)")
            }
            DnsFailure::Other(m) => write!(f, "DNS query failed: {m}"),
        }
    }
}

/// The result of one question.
pub type Lookup = Result<Arc<Answer>, DnsFailure>;
