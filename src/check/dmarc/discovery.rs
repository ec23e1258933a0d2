//! Discovery: the DNS tree walk that finds the DMARC record that applies
//! to a domain (RFC 9989 4.10) and its organizational domain.

use super::{Found, is_dmarc, org_domain, parse_tags};
use crate::dns::{Dns, DnsFailure};
use futures_util::future::join_all;
use hickory_resolver::proto::rr::RecordType;

/// The result of policy discovery.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// Every record found, from the domain itself upwards.
    pub walk: Vec<Found>,
    /// The names queried, in order.
    pub queried: Vec<String>,
    /// Index into `walk` of the record that applies.
    pub applies: Option<usize>,
    /// The organizational domain (RFC 9989 4.10.2).
    pub organizational: String,
    /// Names of the walk that could not be looked up although the walk
    /// needed them, with the failure. Only names whose answer cannot change
    /// which record applies end up here: the policy stands, but the
    /// organizational domain was taken from the public suffix list.
    pub unanswered: Vec<(String, DnsFailure)>,
}

fn strip_labels(domain: &str, n: usize) -> &str {
    let mut s = domain;
    for _ in 0..n {
        match s.split_once('.') {
            Some((_, rest)) => s = rest,
            None => return "",
        }
    }
    s
}

/// The DNS tree walk of RFC 9989 4.10, the same steps mail-auth takes: start at
/// the domain, then at most seven labels, then one label fewer each time,
/// stopping at a record with `psd=y` or `psd=n`. A single-label domain
/// (`corp`, an internal zone) is walked too: step 1 of 4.10.1 asks at the
/// author domain whatever its length, so `_dmarc.corp` is read. mail-auth
/// walks nothing for a single label, so `verify` of mail from such a domain
/// gets its DMARC result `none`. The names are queried
/// concurrently (each at most once per run, shared with mail-auth), so a walk
/// costs one round trip.
///
/// A name that cannot be looked up fails the walk only when its answer could
/// change which record applies. Names past a `psd=y`/`psd=n` stop are never
/// read. When the domain has its own record, that record applies whatever
/// its parents hold; only the organizational domain is then uncertain, and
/// it comes from the public suffix list instead. When the domain has no
/// record, the record at the public-suffix-list organizational domain
/// decides if that name was answered and holds one; otherwise the first
/// failure is the walk's. This is what lets `--resolver` point at an
/// authoritative server that serves the domain's zone and refuses its
/// parents.
pub async fn discover(dns: &Dns, domain: &str) -> Result<Discovery, (String, DnsFailure)> {
    let total = domain.split('.').filter(|l| !l.is_empty()).count();
    let mut walk = Vec::new();
    let mut queried = Vec::new();
    let mut unanswered: Vec<(String, DnsFailure)> = Vec::new();
    if total >= 1 {
        // The names the walk may visit, in order: the domain, then at most
        // seven labels, then one label fewer each time.
        let mut names = Vec::new();
        let mut count = total;
        loop {
            names.push(strip_labels(domain, total - count));
            if count == 1 {
                break;
            }
            count = if count >= 8 { 7 } else { count - 1 };
        }
        // Ask them all at once: the walk's wall time is one round trip, not
        // one per label. The records are then read in walk order.
        let answers = join_all(names.iter().map(|name| async move {
            let qname = format!("_dmarc.{name}");
            let answer = dns.query_str(&qname, RecordType::TXT).await;
            (qname, answer)
        }))
        .await;
        for (name, (qname, answer)) in names.iter().zip(answers) {
            queried.push(qname.clone());
            let answer = match answer {
                Ok(answer) => answer,
                Err(e) => {
                    unanswered.push((qname, e));
                    continue;
                }
            };
            let records: Vec<String> = answer
                .txt()
                .iter()
                .map(|r| String::from_utf8_lossy(r).into_owned())
                .filter(|t| is_dmarc(t))
                .collect();
            if let Some(first) = records.first() {
                let found = Found {
                    domain: name.to_string(),
                    text: first.clone(),
                    tags: parse_tags(first),
                    count: records.len(),
                };
                let stop = matches!(found.psd(), Some('y' | 'n'));
                walk.push(found);
                if stop {
                    break;
                }
            }
        }
    }
    // The domain's own name decides everything when it fails.
    if let Some((qname, e)) = unanswered
        .iter()
        .find(|(q, _)| q == &format!("_dmarc.{domain}"))
    {
        return Err((qname.clone(), e.clone()));
    }
    // Organizational domain (RFC 9989 4.10.2).
    let mut organizational = None;
    for f in &walk {
        match f.psd() {
            Some('n') => {
                organizational = Some(f.domain.clone());
                break;
            }
            Some('y') if f.domain != domain => {
                let depth = f.domain.split('.').count() + 1;
                organizational =
                    Some(strip_labels(domain, total.saturating_sub(depth)).to_string());
                break;
            }
            _ => {}
        }
    }
    // Names past a stop were never read, so every unanswered name lies
    // between the domain and the record found: any of them could hold a
    // `psd=n` record that would make it the organizational domain.
    let organizational = if unanswered.is_empty() {
        organizational
            .or_else(|| walk.last().map(|f| f.domain.clone()))
            .unwrap_or_else(|| domain.to_string())
    } else {
        // Some name the walk needed is unknown: the walk cannot say which
        // domain is organizational; the public suffix list can.
        org_domain(domain)
    };
    let own = walk.iter().position(|f| f.domain == domain);
    let applies = own
        .or_else(|| walk.iter().position(|f| f.domain == organizational))
        .or_else(|| walk.len().checked_sub(1));
    if own.is_none() && !unanswered.is_empty() {
        // Without a record of its own, the domain's policy comes from a
        // parent; a parent that could not be asked might hold it, unless
        // the record found is the organizational domain's.
        let decided = applies.is_some_and(|i| walk[i].domain == organizational);
        let org_unanswered = unanswered
            .iter()
            .any(|(q, _)| q == &format!("_dmarc.{organizational}"));
        if !decided || org_unanswered {
            let (qname, e) = unanswered.swap_remove(0);
            return Err((qname, e));
        }
    }
    Ok(Discovery {
        walk,
        queried,
        applies,
        organizational,
        unanswered,
    })
}
