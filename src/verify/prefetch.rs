//! The DNS questions mail-auth's DKIM, ARC and DMARC evaluations will ask,
//! worked out from the message and the first answers, so `verify` fetches
//! each through mailcheck's own DNS layer (once) before mail-auth runs: its
//! resolver has no nameserver, and a question nobody fetched would be a
//! temperror.

use super::{arc, dkim, tags};
use crate::check::dmarc::Discovery;

/// The names a DNS tree walk (RFC 9989 4.10) may visit from `domain`: the
/// domain, then at most seven labels, then one label fewer each time.
pub(super) fn walk_names(domain: &str) -> Vec<String> {
    let labels: Vec<&str> = domain
        .trim_end_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
        .collect();
    let total = labels.len();
    let mut names = Vec::new();
    if total < 2 {
        return names;
    }
    let mut count = total;
    loop {
        names.push(format!("_dmarc.{}", labels[total - count..].join(".")));
        if count == 1 {
            break;
        }
        count = if count >= 8 { 7 } else { count - 1 };
    }
    names
}

/// RFC 4648 base32 without padding, as RFC 6541 ATPS names use it.
pub(super) fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Every TXT name mail-auth's DKIM and ARC evaluations may ask for, so each
/// is fetched through our DNS layer first (and asked once): keys, RFC 6651
/// report records and RFC 6541 ATPS records.
pub(super) fn txt_names_for_mailauth(
    found: &[dkim::Found<'_>],
    arc: &arc::ArcHeaders,
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for f in found {
        let s = &f.sig;
        if let Some(k) = s.key_name() {
            names.push(k);
        }
        let Some(d) = &s.d else { continue };
        if s.tags.get("r").is_some_and(|r| r.trim() == "y") {
            names.push(format!("_report._domainkey.{d}"));
        }
        if let Some(atps) = s.tags.get("atps") {
            let atps = tags::unfold(atps).to_ascii_lowercase();
            let hashed = match s.tags.get("atpsh").map(tags::unfold).as_deref() {
                Some("sha256") => Some(base32(
                    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, d.as_bytes()).as_ref(),
                )),
                Some("sha1") => Some(base32(
                    aws_lc_rs::digest::digest(
                        &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
                        d.as_bytes(),
                    )
                    .as_ref(),
                )),
                _ => None,
            };
            names.push(format!(
                "{}._atps.{atps}",
                hashed.unwrap_or_else(|| d.clone())
            ));
        }
    }
    names.extend(arc.key_names());
    names.sort();
    names.dedup();
    names
}

/// The DMARC questions mail-auth asks beyond the From domain's own tree walk
/// (which [`crate::check::dmarc::discover`] fetches): the tree walk of each domain it must
/// check for relaxed alignment (a passing signature's `d=` or the passing SPF
/// domain that is a subdomain of the author's organizational domain, RFC 9989
/// 4.10.2), and the From domain's A record when `np=` and `sp=` differ
/// (RFC 9989 4.7, as mail-auth applies it).
pub(super) fn dmarc_names_for_mailauth(
    from_domain: &str,
    discovery: Option<&Discovery>,
    dkim_domains: &[&str],
    spf_domain: Option<&str>,
) -> (Vec<String>, bool) {
    let record = discovery.and_then(|d| d.applies.map(|i| &d.walk[i]));
    let relaxed = |tag: &str| record.is_some_and(|f| f.tag(tag).is_none_or(|v| v != "s"));
    let org = discovery.map_or(from_domain, |d| d.organizational.as_str());
    let suffix = format!(".{org}");
    let candidates = dkim_domains
        .iter()
        .filter(|_| relaxed("adkim"))
        .chain(spf_domain.iter().filter(|_| relaxed("aspf")));
    let mut names: Vec<String> = candidates
        .map(|d| d.trim_end_matches('.').to_ascii_lowercase())
        .filter(|d| d != from_domain && (d == org || d.ends_with(&suffix)))
        .flat_map(|d| walk_names(&d))
        .collect();
    names.sort();
    names.dedup();
    let np_matters = record.is_some_and(|f| {
        let p = f.tag("p");
        let sp = f.tag("sp").or(p);
        let np = f.tag("np").or(sp);
        f.domain != from_domain && np != sp
    });
    (names, np_matters)
}
