//! mailcheck's own master-file directives, written by `--save-zone` so that
//! a recorded run replays through `--zone` with the same outcome
//! ([`crate::dns::save`] writes them):
//!
//! ```text
//! $RECORDED
//! $FAIL    <name> <type> <kind> [<detail>...]
//! $NODATA  <name> <type>
//! ```
//!
//! `$RECORDED` (at the top) says the file holds the answers a run used, not
//! one zone: its apex is the root whatever SOA records it holds (unless
//! `--zone NAME=FILE` names one), an SOA record is data like any other (the
//! SOAs of several zones may be there), and NS records are not delegations
//! (RFC 1034 4.2.1 speaks of a zone; the recorded answers came from
//! everywhere).
//!
//! `$FAIL` says the question `<name>`/`<type>` could not be answered, and
//! how: `servfail`, `refused`, `timeout`, `referral <server> "<zone>"`,
//! `lame <server>`, `local "<why>"` or `other "<why>"` (one for each
//! [`DnsFailure`]); `--zone` then fails that exact question the same way,
//! with the same words. `$NODATA` says `<name>` exists although the file
//! holds no record of it (a NOERROR answer with no records, RFC 2308 2.2):
//! without it, a name with no records in the file is NXDOMAIN, which is not
//! what the recorded server said (DMARC's non-existent-domain policy `np`,
//! RFC 9989, and the MX checks tell the two apart).
//!
//! No other tool knows these directives (BIND's named-checkzone refuses an
//! unknown `$` directive), so a recorded file is checked by other tools with
//! those lines removed. Names are relative to the current `$ORIGIN` like any
//! owner; the type is a mnemonic or `TYPEnn`.

use std::net::SocketAddr;

use hickory_resolver::proto::rr::{Name, RecordType};

use super::convert::parse_type;
use super::lex::{DName, Entry, Fail, Token, parse_name, shown, token_bytes, upper};
use crate::dns::DnsFailure;
use crate::util::FastMap;

/// What a master file's mailcheck directives say, beyond its records.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Questions that fail, and how (`$FAIL`); names lower-case, fully qualified.
    failures: FastMap<(Name, RecordType), DnsFailure>,
    /// Names that exist with no records of a type (`$NODATA`).
    nodata: Vec<(Name, RecordType)>,
    /// `$RECORDED`: the file is a recording, not one zone.
    recorded: bool,
}

impl Replay {
    /// How the question `name`/`rtype` fails, when a `$FAIL` says so.
    /// `name` must be lower case and fully qualified.
    pub fn failure(&self, name: &Name, rtype: RecordType) -> Option<DnsFailure> {
        self.failures.get(&(name.clone(), rtype)).cloned()
    }

    /// The names `$NODATA` says exist, with the type each was asked for.
    pub fn nodata(&self) -> &[(Name, RecordType)] {
        &self.nodata
    }

    /// True when a `$RECORDED` directive says the file holds a run's
    /// answers from many zones: root apex, SOA records as data, no
    /// delegations.
    pub fn is_recorded(&self) -> bool {
        self.recorded
    }

    /// True when a `$FAIL` directive names some question.
    pub fn has_failures(&self) -> bool {
        !self.failures.is_empty()
    }

    /// True when the file had no mailcheck directive.
    pub fn is_empty(&self) -> bool {
        self.failures.is_empty() && self.nodata.is_empty() && !self.recorded
    }

    /// Reads one `$RECORDED`, `$FAIL` or `$NODATA` entry; `Ok(false)` when `word` is
    /// neither (the caller reports the unknown directive).
    pub(super) fn directive(
        &mut self,
        word: &str,
        entry: &Entry,
        args: &[Token],
        origin: Option<&DName>,
    ) -> Result<bool, Fail> {
        match word {
            "$RECORDED" => {
                if !args.is_empty() {
                    return Err(Fail::new(entry.line, "$RECORDED takes nothing"));
                }
                self.recorded = true;
                Ok(true)
            }
            "$FAIL" => {
                let [name, rtype, kind, detail @ ..] = args else {
                    return Err(Fail::new(
                        entry.line,
                        "$FAIL takes a name, a record type and how the lookup failed \
                         (servfail, refused, timeout, referral SERVER ZONE, lame SERVER, \
                         local TEXT or other TEXT)",
                    ));
                };
                let key = (question_name(name, origin)?, parse_type(rtype)?);
                let failure = failure(kind, detail, entry.line)?;
                self.failures.entry(key).or_insert(failure);
                Ok(true)
            }
            "$NODATA" => {
                let [name, rtype] = args else {
                    return Err(Fail::new(
                        entry.line,
                        "$NODATA takes a name and a record type",
                    ));
                };
                let key = (question_name(name, origin)?, parse_type(rtype)?);
                if !self.nodata.contains(&key) {
                    self.nodata.push(key);
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// A directive's name: lower case, fully qualified.
fn question_name(token: &Token, origin: Option<&DName>) -> Result<Name, Fail> {
    let name = parse_name(token, origin)?;
    let mut name = name
        .to_name()
        .map_err(|e| Fail::new(token.line, format!("bad name {name}: {e}")))?
        .to_lowercase();
    name.set_fqdn(true);
    Ok(name)
}

/// The failure a `$FAIL` kind and its details describe.
fn failure(kind: &Token, detail: &[Token], line: usize) -> Result<DnsFailure, Fail> {
    let text = |token: &Token| String::from_utf8_lossy(&token_bytes(token)).into_owned();
    let server = |token: &Token| {
        text(token).parse::<SocketAddr>().map_err(|_| {
            Fail::new(
                token.line,
                format!(
                    "{} is not a nameserver address (IP:PORT or [IPv6]:PORT)",
                    shown(token)
                ),
            )
        })
    };
    let word = upper(kind).to_ascii_lowercase();
    let wrong = |wanted: &str| {
        Fail::new(
            line,
            format!("$FAIL {word} takes {wanted} after the kind of failure"),
        )
    };
    Ok(match (word.as_str(), detail) {
        ("servfail", []) => DnsFailure::ServFail,
        ("refused", []) => DnsFailure::Refused,
        ("timeout", []) => DnsFailure::Timeout,
        ("referral", [addr, zone]) => DnsFailure::Referral {
            server: server(addr)?,
            zone: text(zone),
        },
        ("lame", [addr]) => DnsFailure::Lame {
            server: server(addr)?,
        },
        ("local", [why]) => DnsFailure::Local(text(why)),
        ("other", [why]) => DnsFailure::Other(text(why)),
        ("servfail" | "refused" | "timeout", _) => return Err(wrong("nothing")),
        ("referral", _) => return Err(wrong("the server and the zone it referred to")),
        ("lame", _) => return Err(wrong("the server")),
        ("local" | "other", _) => return Err(wrong("one quoted reason")),
        _ => {
            return Err(Fail::new(
                kind.line,
                format!(
                    "unknown kind of failure {}: expected servfail, refused, timeout, \
                     referral, lame, local or other",
                    shown(kind)
                ),
            ));
        }
    })
}
