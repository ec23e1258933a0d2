//! check_host() (RFC 7208 4) over mailcheck's DNS layer.

use super::{
    Verdict,
    macros::{Context, Letter, MacroString, Values, domain_after_expansion},
    parse::{self, Mechanism, Record},
};
use crate::dns::{Answer, Dns, Rcode};
use crate::names::reverse_name;
use futures_util::future::{BoxFuture, FutureExt};
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use std::{
    net::IpAddr,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};

/// RFC 7208 4.6.4: at most 10 terms that query DNS.
pub const LOOKUP_LIMIT: u32 = 10;
/// RFC 7208 4.6.4: at most 2 void lookups.
pub const VOID_LIMIT: u32 = 2;
/// RFC 7208 4.6.4: at most 10 names from one MX or PTR answer.
const NAME_LIMIT: usize = 10;

/// Who is sending: the inputs of check_host() besides the domain (4.1).
#[derive(Debug, Clone)]
pub struct Identity<'a> {
    /// The SMTP client's address.
    pub ip: IpAddr,
    /// The sender's local-part (`postmaster` for a HELO check).
    pub local: &'a str,
    /// The sender's domain (the MAIL FROM domain, or the HELO name).
    pub sender_domain: &'a str,
    /// The HELO/EHLO string exactly as the client sent it.
    pub helo: &'a str,
    /// The receiving host's name, for `%{r}` in explanations.
    pub receiver: &'a str,
}

/// The directive that decided the result, and the domain whose record holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The term as written; through an include, `include:x -> term`.
    pub text: String,
    /// The domain whose record holds the deciding term.
    pub domain: String,
}

/// What check_host() returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The result.
    pub verdict: Verdict,
    /// The directive that matched, when one did.
    pub matched: Option<Matched>,
    /// The `exp=` explanation of a `fail` (6.2), when the record gives one.
    pub explanation: Option<String>,
    /// Why the result is `permerror`, `temperror` or `none`, in words.
    pub reason: Option<String>,
    /// DNS-querying terms evaluated (4.6.4).
    pub lookups: u32,
    /// Void lookups met (4.6.4).
    pub voids: u32,
}

/// An evaluation that stops with an error result.
enum Stop {
    Temp(String),
    Perm(String),
}

/// What one record's evaluation produced.
struct Eval {
    verdict: Verdict,
    matched: Option<Matched>,
    explanation: Option<String>,
    reason: Option<String>,
}

impl Eval {
    fn none(reason: String) -> Eval {
        Eval {
            verdict: Verdict::None,
            matched: None,
            explanation: None,
            reason: Some(reason),
        }
    }
}

struct Checker<'a> {
    dns: &'a Dns,
    id: &'a Identity<'a>,
    ip: IpAddr,
    lookups: AtomicU32,
    voids: AtomicU32,
}

/// check_host(ip, domain, sender) (4): the SPF result for `domain` and the
/// client and sender in `id`.
pub async fn check_host(dns: &Dns, id: &Identity<'_>, domain: &str) -> Outcome {
    let checker = Checker {
        dns,
        id,
        // An IPv4-mapped IPv6 client is an IPv4 client (5).
        ip: id.ip.to_canonical(),
        lookups: AtomicU32::new(0),
        voids: AtomicU32::new(0),
    };
    let domain = domain
        .strip_suffix('.')
        .unwrap_or(domain)
        .to_ascii_lowercase();
    let result = if super::is_valid_domain(&domain) {
        checker.evaluate(domain, false).await
    } else {
        // 4.3: a malformed domain, or one that is not multi-label, is
        // "none" without any lookup.
        Ok(Eval::none(super::not_an_identity(&domain)))
    };
    let (lookups, voids) = (
        checker.lookups.load(Ordering::Relaxed),
        checker.voids.load(Ordering::Relaxed),
    );
    match result {
        Ok(e) => Outcome {
            verdict: e.verdict,
            matched: e.matched,
            explanation: e.explanation,
            reason: e.reason,
            lookups,
            voids,
        },
        Err(stop) => {
            let (verdict, reason) = match stop {
                Stop::Temp(r) => (Verdict::TempError, r),
                Stop::Perm(r) => (Verdict::PermError, r),
            };
            Outcome {
                verdict,
                matched: None,
                explanation: None,
                reason: Some(reason),
                lookups,
                voids,
            }
        }
    }
}

/// A target name as DNS can ask it, or None when it cannot be one (an empty
/// or over-long label): such a name has no records. Any other octets are
/// kept as they are (a domain-spec may hold `:`, `/` or, through macros,
/// spaces).
pub fn to_name(domain: &str) -> Option<Name> {
    if domain.is_empty() || domain.len() > 253 {
        return None;
    }
    let labels: Vec<&[u8]> = domain.split('.').map(str::as_bytes).collect();
    if labels.iter().any(|l| l.is_empty() || l.len() > 63) {
        return None;
    }
    let mut name = Name::from_labels(labels).ok()?;
    name.set_fqdn(true);
    Some(name)
}

/// Whether `name` is `target` or a name below it (5.5), in any case.
fn ends_in(name: &str, target: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let target = target.trim_end_matches('.').to_ascii_lowercase();
    name == target || name.ends_with(&format!(".{target}"))
}

fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

impl Checker<'_> {
    /// The address type `a`, `mx` and `ptr` ask for this client (5.3).
    fn address_type(&self) -> RecordType {
        if self.ip.is_ipv4() {
            RecordType::A
        } else {
            RecordType::AAAA
        }
    }

    /// Count one DNS-querying term; over the limit is permerror (4.6.4).
    fn count_lookup(&self) -> Result<(), Stop> {
        let n = self.lookups.fetch_add(1, Ordering::Relaxed) + 1;
        if n > LOOKUP_LIMIT {
            return Err(Stop::Perm(format!(
                "more than {LOOKUP_LIMIT} DNS-querying terms (RFC 7208 4.6.4)"
            )));
        }
        Ok(())
    }

    /// Count a void lookup when the answer is one; over the limit is
    /// permerror (4.6.4).
    fn note_void(&self, answer: &Answer, rtype: RecordType, what: &str) -> Result<(), Stop> {
        if answer.rcode == Rcode::NxDomain || answer.is_void(rtype) {
            let n = self.voids.fetch_add(1, Ordering::Relaxed) + 1;
            if n > VOID_LIMIT {
                return Err(Stop::Perm(format!(
                    "more than {VOID_LIMIT} void lookups, the last for {what} (RFC 7208 4.6.4)"
                )));
            }
        }
        Ok(())
    }

    async fn query(&self, name: &Name, rtype: RecordType, what: &str) -> Result<Arc<Answer>, Stop> {
        self.dns
            .query(name, rtype)
            .await
            .map_err(|e| Stop::Temp(format!("the {rtype} lookup of {what} failed: {e}")))
    }

    /// The validated domain name of the client for `%{p}` (7.3, 5.5):
    /// `domain` itself, else a name below it, else any validated name, else
    /// "unknown".
    async fn validated_name(&self, domain: &str) -> String {
        let names = self.validated_names().await;
        names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(domain))
            .or_else(|| names.iter().find(|n| ends_in(n, domain)))
            .or_else(|| names.first())
            .cloned()
            .unwrap_or_else(|| "unknown".into())
    }

    /// The client's PTR names (at most 10) whose addresses include the
    /// client (5.5). Lookups that fail are skipped.
    async fn validated_names(&self) -> Vec<String> {
        let Ok(ptr) = self
            .dns
            .query(&reverse_name(self.ip), RecordType::PTR)
            .await
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for name in ptr.ptr_names().into_iter().take(NAME_LIMIT) {
            let Some(n) = to_name(&name) else { continue };
            if let Ok(a) = self.dns.query(&n, self.address_type()).await
                && a.addresses().contains(&self.ip)
            {
                out.push(name);
            }
        }
        out
    }

    /// Expand a macro string with `domain` as `%{d}`.
    async fn expand(&self, m: &MacroString, domain: &str) -> String {
        let ptr = if m.uses(Letter::Ptr) {
            self.validated_name(domain).await
        } else {
            String::new()
        };
        let time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        m.expand(&Values {
            local: self.id.local,
            sender_domain: self.id.sender_domain,
            domain,
            ip: self.ip,
            helo: self.id.helo,
            ptr: &ptr,
            receiver: self.id.receiver,
            time,
        })
    }

    /// A mechanism's target: its domain-spec expanded, or the current domain.
    async fn target(&self, spec: Option<&MacroString>, domain: &str) -> String {
        match spec {
            Some(m) => domain_after_expansion(&self.expand(m, domain).await),
            None => domain.to_string(),
        }
    }

    /// Evaluate the record of `domain`; `in_include` for the recursive
    /// check_host() of an include (whose explanation is never used).
    fn evaluate(&self, domain: String, in_include: bool) -> BoxFuture<'_, Result<Eval, Stop>> {
        async move {
            let Some(name) = to_name(&domain) else {
                return Ok(Eval::none(format!("'{domain}' is not a valid domain name")));
            };
            let txt = self.query(&name, RecordType::TXT, &domain).await?;
            if txt.rcode == Rcode::NxDomain {
                return Ok(Eval::none(format!("{domain} does not exist")));
            }
            let all_txt = txt.txt();
            let records = parse::select(&all_txt);
            let text = match records.as_slice() {
                [] => return Ok(Eval::none(format!("{domain} publishes no SPF record"))),
                [one] => *one,
                many => {
                    return Err(Stop::Perm(format!(
                        "{domain} publishes {} SPF records (RFC 7208 4.5)",
                        many.len()
                    )));
                }
            };
            let parsed = if in_include {
                parse::parse_shared(text)
            } else {
                parse::parse(text).map(Arc::new)
            };
            let record = parsed.map_err(|e| {
                Stop::Perm(format!(
                    "the SPF record of {domain} has a syntax error: {e}"
                ))
            })?;
            self.run(&record, domain, in_include).await
        }
        .boxed()
    }

    async fn run(&self, record: &Record, domain: String, in_include: bool) -> Result<Eval, Stop> {
        for d in &record.directives {
            if d.mechanism.queries_dns() {
                self.count_lookup()?;
            }
            let hit = match &d.mechanism {
                Mechanism::All => Some(None),
                Mechanism::Ip4 { addr, prefix } => {
                    in_network(self.ip, IpAddr::V4(*addr), *prefix).then_some(None)
                }
                Mechanism::Ip6 { addr, prefix } => {
                    in_network(self.ip, IpAddr::V6(*addr), *prefix).then_some(None)
                }
                Mechanism::A { domain: spec, cidr } => {
                    let target = self.target(spec.as_ref(), &domain).await;
                    self.match_a(&target, cidr).await?.then_some(None)
                }
                Mechanism::Mx { domain: spec, cidr } => {
                    let target = self.target(spec.as_ref(), &domain).await;
                    self.match_mx(&target, cidr).await?.then_some(None)
                }
                Mechanism::Ptr(spec) => {
                    let target = self.target(spec.as_ref(), &domain).await;
                    self.match_ptr(&target).await?.then_some(None)
                }
                Mechanism::Exists(spec) => {
                    let target = self.target(Some(spec), &domain).await;
                    self.match_exists(&target).await?.then_some(None)
                }
                Mechanism::Include(spec) => {
                    let target = self.target(Some(spec), &domain).await;
                    let inner = self.evaluate(target.clone(), true).await?;
                    match inner.verdict {
                        Verdict::Pass => Some(inner.matched),
                        Verdict::Fail | Verdict::SoftFail | Verdict::Neutral => None,
                        // 5.2: an include of a domain without a record is permerror.
                        _ => {
                            return Err(Stop::Perm(format!(
                                "include:{target} has no SPF record{} (RFC 7208 5.2)",
                                inner.reason.map(|r| format!(": {r}")).unwrap_or_default()
                            )));
                        }
                    }
                }
            };
            if let Some(inner) = hit {
                let matched = match inner {
                    Some(m) => Matched {
                        text: format!("{} -> {}", d.text, m.text),
                        domain: m.domain,
                    },
                    None => Matched {
                        text: d.text.clone(),
                        domain: domain.clone(),
                    },
                };
                let verdict = d.qualifier.verdict();
                let explanation = if verdict == Verdict::Fail && !in_include {
                    self.explain(record.exp.as_ref(), &domain).await
                } else {
                    None
                };
                return Ok(Eval {
                    verdict,
                    matched: Some(matched),
                    explanation,
                    reason: None,
                });
            }
        }
        if let Some(spec) = &record.redirect {
            self.count_lookup()?;
            let target = self.target(Some(spec), &domain).await;
            let result = self.evaluate(target.clone(), in_include).await?;
            if result.verdict == Verdict::None {
                // 6.1: a redirect to a domain without a record is permerror.
                return Err(Stop::Perm(format!(
                    "redirect={target} has no SPF record{} (RFC 7208 6.1)",
                    result.reason.map(|r| format!(": {r}")).unwrap_or_default()
                )));
            }
            return Ok(result);
        }
        Ok(Eval {
            verdict: Verdict::Neutral,
            matched: None,
            explanation: None,
            reason: None,
        })
    }

    async fn match_a(&self, target: &str, cidr: &parse::DualCidr) -> Result<bool, Stop> {
        let Some(name) = to_name(target) else {
            return Ok(false);
        };
        let rtype = self.address_type();
        let answer = self.query(&name, rtype, target).await?;
        self.note_void(&answer, rtype, &format!("a:{target}"))?;
        Ok(self.matches_any(&answer.addresses(), cidr))
    }

    fn matches_any(&self, addrs: &[IpAddr], cidr: &parse::DualCidr) -> bool {
        addrs.iter().any(|a| {
            let prefix = if a.is_ipv4() { cidr.v4 } else { cidr.v6 };
            in_network(self.ip, *a, prefix)
        })
    }

    async fn match_mx(&self, target: &str, cidr: &parse::DualCidr) -> Result<bool, Stop> {
        let Some(name) = to_name(target) else {
            return Ok(false);
        };
        let answer = self.query(&name, RecordType::MX, target).await?;
        self.note_void(&answer, RecordType::MX, &format!("mx:{target}"))?;
        let hosts: Vec<Name> = answer
            .data(RecordType::MX)
            .filter_map(|d| match d {
                RData::MX(m) if !m.exchange.is_root() => Some(m.exchange.clone()),
                _ => None,
            })
            .collect();
        if hosts.len() > NAME_LIMIT {
            return Err(Stop::Perm(format!(
                "mx:{target} names {} hosts; at most {NAME_LIMIT} may be looked up (RFC 7208 4.6.4)",
                hosts.len()
            )));
        }
        let rtype = self.address_type();
        for host in &hosts {
            let a = self.query(host, rtype, &host.to_ascii()).await?;
            if self.matches_any(&a.addresses(), cidr) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn match_ptr(&self, target: &str) -> Result<bool, Stop> {
        // 5.5: a failed PTR lookup makes the mechanism not match.
        let Ok(ptr) = self
            .dns
            .query(&reverse_name(self.ip), RecordType::PTR)
            .await
        else {
            return Ok(false);
        };
        self.note_void(&ptr, RecordType::PTR, "ptr")?;
        let rtype = self.address_type();
        for name in ptr.ptr_names().into_iter().take(NAME_LIMIT) {
            let Some(n) = to_name(&name) else { continue };
            // 5.5: a failed address lookup skips that name.
            if let Ok(a) = self.dns.query(&n, rtype).await
                && a.addresses().contains(&self.ip)
                && ends_in(&name, target)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn match_exists(&self, target: &str) -> Result<bool, Stop> {
        let Some(name) = to_name(target) else {
            return Ok(false);
        };
        // 5.7: always an A lookup, whatever the client's address family.
        let answer = self.query(&name, RecordType::A, target).await?;
        self.note_void(&answer, RecordType::A, &format!("exists:{target}"))?;
        Ok(!answer.is_void(RecordType::A))
    }

    /// The explanation of a `fail` (6.2): the TXT record that `exp=` names,
    /// expanded. Any problem (no exp=, a lookup error, no or several
    /// records, bad text) means no explanation; it never changes the result,
    /// and its lookup counts toward no limit.
    async fn explain(&self, exp: Option<&MacroString>, domain: &str) -> Option<String> {
        let target = domain_after_expansion(&self.expand(exp?, domain).await);
        let name = to_name(&target)?;
        let answer = self.dns.query(&name, RecordType::TXT).await.ok()?;
        let txt = answer.txt();
        let [one] = txt.as_slice() else { return None };
        let text = std::str::from_utf8(one).ok()?;
        let m = MacroString::parse(text, Context::Explanation).ok()?;
        Some(self.expand(&m, domain).await)
    }
}
