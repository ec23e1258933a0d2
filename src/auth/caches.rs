//! mail-auth's caches, one per record type, filled from our answers.

use crate::{
    dns::{Answer, Lookup, MEMO_CAPACITY, Rcode, from_zone, memo::Generations, zone::ZoneSet},
    names::{ip_from_reverse_name, reverse_name},
    util::{FastSet, lock},
};
use hickory_resolver::proto::{
    op::ResponseCode,
    rr::{Name, RData, RecordType},
};
use mail_auth::{
    DnsCache, DnsError, Error, Mx, Negative, RecordSet, ResolverCache, TxtRecord,
    dkim::{AtpsRecord, DkimReportRecord, DomainKey},
    dmarc::DmarcRecord,
    dns::{DnssecStatus, TxtRecordParser},
    mta_sts::{MtaStsRecord, TlsRptRecord},
    spf::SpfRecord,
};
use std::{
    borrow::Borrow,
    hash::Hash,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    sync::{Arc, Mutex, OnceLock},
    time::Instant,
};

type Negatable<T> = Result<RecordSet<T>, Negative>;

/// How a zone-mode cache answers a name the zones hold, the first time
/// mail-auth asks for it.
type Fill<K, V> = Box<dyn Fn(&K) -> Option<V> + Send + Sync>;

/// One record type's cache: answers, the keys whose query failed, and what a
/// miss means (`None`: mail-auth asks its resolver, which, sealed, fails;
/// `Some`: the name does not exist).
pub struct MapCache<K, V> {
    answers: Mutex<Generations<K, V>>,
    failed: Mutex<Generations<K, ()>>,
    miss: Option<V>,
    /// Zone mode: every name the zones hold, and how to answer for one. An
    /// answer is built when first asked for, not when the zones are loaded.
    lazy: Option<Lazy<K, V>>,
}

/// The names a zone-mode cache can answer, and how.
struct Lazy<K, V> {
    known: Arc<KnownNames<K>>,
    fill: Fill<K, V>,
}

/// The set of names the zones hold, listed the first time mail-auth asks
/// for anything: a run where mail-auth evaluates nothing (`domain` without
/// `--ip`) never pays for it.
struct KnownNames<K> {
    set: OnceLock<FastSet<K>>,
    list: Box<dyn Fn() -> FastSet<K> + Send + Sync>,
}

impl<K> KnownNames<K> {
    fn new(list: impl Fn() -> FastSet<K> + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(KnownNames {
            set: OnceLock::new(),
            list: Box::new(list),
        })
    }

    fn set(&self) -> &FastSet<K> {
        self.set.get_or_init(|| (self.list)())
    }
}

impl<K: Hash + Eq + Clone, V: Clone> MapCache<K, V> {
    /// Live caches are bounded (a miss is asked again); zone caches keep
    /// what they built, because their misses mean NXDOMAIN.
    fn new(miss: Option<V>) -> Self {
        let capacity = if miss.is_some() {
            usize::MAX
        } else {
            MEMO_CAPACITY
        };
        MapCache {
            answers: Mutex::new(Generations::new(capacity)),
            failed: Mutex::new(Generations::new(capacity)),
            miss,
            lazy: None,
        }
    }

    /// A zone-mode cache: `known` names are answered by `fill` on first use,
    /// any other is `miss` (NXDOMAIN).
    fn zone(miss: V, known: Arc<KnownNames<K>>, fill: Fill<K, V>) -> Self {
        let mut cache = MapCache::new(Some(miss));
        cache.lazy = Some(Lazy { known, fill });
        cache
    }

    /// True when the cache holds an answer or a failure for `key`; a held
    /// entry is marked as used, so it stays for the reader about to come.
    fn holds<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        lock(&self.answers).get(key).is_some() || lock(&self.failed).get(key).is_some()
    }

    fn put(&self, key: K, value: Option<V>) {
        match value {
            Some(v) => {
                lock(&self.answers).insert(key, v);
            }
            None => {
                lock(&self.failed).insert(key, ());
            }
        }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> ResolverCache<K, V> for MapCache<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(v) = lock(&self.answers).get(name) {
            return Some(v.clone());
        }
        if lock(&self.failed).contains(name) {
            return None;
        }
        // The set hands back its own key for `name`: that is what makes a
        // lazy answer possible through this generic signature.
        if let Some(lazy) = &self.lazy
            && let Some(key) = lazy.known.set().get(name)
        {
            let value = (lazy.fill)(key);
            self.put(key.clone(), value.clone());
            return value;
        }
        self.miss.clone()
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        lock(&self.answers).remove(name)
    }

    fn insert(&self, key: K, value: V, _valid_until: Instant) {
        // One run is short; answers are kept for all of it.
        lock(&self.answers).insert(key, value);
    }
}

/// The five caches mail-auth consults, one per record type.
pub struct Caches {
    txt: MapCache<Box<str>, TxtRecord>,
    mx: MapCache<Box<str>, Negatable<Mx>>,
    ipv4: MapCache<Box<str>, Negatable<Ipv4Addr>>,
    ipv6: MapCache<Box<str>, Negatable<Ipv6Addr>>,
    ptr: MapCache<IpAddr, Negatable<Box<str>>>,
}

fn nx<T>() -> Negatable<T> {
    Err(Negative {
        code: ResponseCode::NXDomain,
    })
}

impl Caches {
    /// Empty caches: a miss goes to mail-auth's resolver (which, sealed,
    /// fails: temperror).
    pub fn live() -> Caches {
        Caches {
            txt: MapCache::new(None),
            mx: MapCache::new(None),
            ipv4: MapCache::new(None),
            ipv6: MapCache::new(None),
            ptr: MapCache::new(None),
        }
    }

    /// Caches that answer from the zones: a name the zones hold gets its
    /// answer built when mail-auth first asks for it; any other name is
    /// NXDOMAIN. (Names only a wildcard would match are not among them.)
    pub fn from_zones(zones: &Arc<ZoneSet>) -> Caches {
        let z = zones.clone();
        let names =
            KnownNames::new(move || z.names().map(|n| cache_key(n).into_boxed_str()).collect());
        let z = zones.clone();
        let ips = KnownNames::new(move || z.names().filter_map(ip_from_reverse_name).collect());
        let answer = |zones: &Arc<ZoneSet>, key: &str, rtype: RecordType| -> Lookup {
            match Name::from_ascii(key) {
                Ok(name) => from_zone(zones, &name, rtype),
                Err(_) => Ok(Arc::new(Answer::negative(Rcode::NxDomain))),
            }
        };
        let z = zones.clone();
        let txt: Fill<Box<str>, TxtRecord> =
            Box::new(move |key| Some(txt_value(key, &answer(&z, key, RecordType::TXT))));
        let z = zones.clone();
        let mx: Fill<Box<str>, Negatable<Mx>> =
            Box::new(move |key| mx_value(&answer(&z, key, RecordType::MX)));
        let z = zones.clone();
        let ipv4: Fill<Box<str>, Negatable<Ipv4Addr>> =
            Box::new(move |key| ipv4_value(&answer(&z, key, RecordType::A)));
        let z = zones.clone();
        let ipv6: Fill<Box<str>, Negatable<Ipv6Addr>> =
            Box::new(move |key| ipv6_value(&answer(&z, key, RecordType::AAAA)));
        let z = zones.clone();
        let ptr: Fill<IpAddr, Negatable<Box<str>>> =
            Box::new(move |ip| ptr_value(&from_zone(&z, &reverse_name(*ip), RecordType::PTR)));
        Caches {
            txt: MapCache::zone(
                TxtRecord::Error(Error::Dns(DnsError::RecordNotFound(ResponseCode::NXDomain))),
                names.clone(),
                txt,
            ),
            mx: MapCache::zone(nx(), names.clone(), mx),
            ipv4: MapCache::zone(nx(), names.clone(), ipv4),
            ipv6: MapCache::zone(nx(), names, ipv6),
            ptr: MapCache::zone(nx(), ips, ptr),
        }
    }

    /// Record an answer unless the cache of its type still holds one for
    /// the name. Live caches are bounded apart from the DNS layer's memo, so
    /// an answer the memo still serves (and therefore does not fetch, or
    /// tell its sinks, again) may have left mail-auth's cache; without this,
    /// mail-auth would find nothing there and report temperror.
    pub fn ensure(&self, name: &Name, rtype: RecordType, lookup: &Lookup) {
        let key = cache_key(name);
        let held = match rtype {
            RecordType::TXT => self.txt.holds(key.as_str()),
            RecordType::MX => self.mx.holds(key.as_str()),
            RecordType::A => self.ipv4.holds(key.as_str()),
            RecordType::AAAA => self.ipv6.holds(key.as_str()),
            RecordType::PTR => match ip_from_reverse_name(name) {
                Some(ip) => self.ptr.holds(&ip),
                None => true,
            },
            _ => true,
        };
        if !held {
            self.learn(name, rtype, lookup);
        }
    }

    /// Record one answer in the cache of its type.
    pub fn learn(&self, name: &Name, rtype: RecordType, lookup: &Lookup) {
        let key = cache_key(name);
        match rtype {
            RecordType::TXT => {
                let value = txt_value(&key, lookup);
                self.txt.put(key.into_boxed_str(), Some(value));
            }
            RecordType::MX => self.mx.put(key.into_boxed_str(), mx_value(lookup)),
            RecordType::A => self.ipv4.put(key.into_boxed_str(), ipv4_value(lookup)),
            RecordType::AAAA => self.ipv6.put(key.into_boxed_str(), ipv6_value(lookup)),
            RecordType::PTR => {
                if let Some(ip) = ip_from_reverse_name(name) {
                    self.ptr.put(ip, ptr_value(lookup));
                }
            }
            _ => {}
        }
    }
}

/// A TXT answer as mail-auth keeps it: parsed as the record type the name
/// holds, or the error (a failed query is a resolver error, not "no record").
fn txt_value(key: &str, lookup: &Lookup) -> TxtRecord {
    match lookup {
        Ok(answer) => {
            let records = answer.txt();
            if records.is_empty() {
                TxtRecord::Error(Error::Dns(DnsError::RecordNotFound(code(answer))))
            } else {
                parse_txt(key, &records)
            }
        }
        Err(failure) => TxtRecord::Error(Error::Dns(DnsError::Resolver(failure.to_string()))),
    }
}

fn mx_value(lookup: &Lookup) -> Option<Negatable<Mx>> {
    negatable(lookup, |answer| {
        let mut groups: Vec<(u16, Vec<Box<str>>)> = Vec::new();
        for d in answer.data(RecordType::MX) {
            if let RData::MX(mx) = d {
                let exchange = mx.exchange.to_lowercase().to_ascii().into_boxed_str();
                match groups.iter_mut().find(|g| g.0 == mx.preference) {
                    Some(g) => g.1.push(exchange),
                    None => groups.push((mx.preference, vec![exchange])),
                }
            }
        }
        groups.sort_by_key(|g| g.0);
        groups
            .into_iter()
            .map(|(preference, exchanges)| Mx {
                preference,
                exchanges: exchanges.into_boxed_slice(),
            })
            .collect()
    })
}

/// The records of one type in an answer, each picked out of its RData.
fn records_value<T>(
    lookup: &Lookup,
    rtype: RecordType,
    pick: impl Fn(&RData) -> Option<T>,
) -> Option<Negatable<T>> {
    negatable(lookup, |answer| {
        answer.data(rtype).filter_map(&pick).collect()
    })
}

fn ipv4_value(lookup: &Lookup) -> Option<Negatable<Ipv4Addr>> {
    records_value(lookup, RecordType::A, |d| match d {
        RData::A(a) => Some(a.0),
        _ => None,
    })
}

fn ipv6_value(lookup: &Lookup) -> Option<Negatable<Ipv6Addr>> {
    records_value(lookup, RecordType::AAAA, |d| match d {
        RData::AAAA(a) => Some(a.0),
        _ => None,
    })
}

fn ptr_value(lookup: &Lookup) -> Option<Negatable<Box<str>>> {
    records_value(lookup, RecordType::PTR, |d| match d {
        RData::PTR(p) if !p.0.is_root() => Some(p.0.to_lowercase().to_ascii().into_boxed_str()),
        _ => None,
    })
}

fn code(answer: &Answer) -> ResponseCode {
    match answer.rcode {
        Rcode::NxDomain => ResponseCode::NXDomain,
        Rcode::NoError => ResponseCode::NoError,
    }
}

/// Convert an answer into what mail-auth keeps: records, a negative answer, or
/// (for a failed query) nothing.
fn negatable<T>(lookup: &Lookup, records: impl Fn(&Answer) -> Arc<[T]>) -> Option<Negatable<T>> {
    match lookup {
        Ok(answer) => {
            let records = records(answer);
            Some(if records.is_empty() {
                Err(Negative { code: code(answer) })
            } else {
                Ok(RecordSet {
                    records,
                    dnssec_status: DnssecStatus::Indeterminate,
                })
            })
        }
        Err(_) => None,
    }
}

/// mail-auth's cache key: lower case with the final dot.
fn cache_key(name: &Name) -> String {
    let mut key = name.to_lowercase().to_ascii();
    if !key.ends_with('.') {
        key.push('.');
    }
    key
}

/// Parse TXT records as the record type mail-auth will ask for at this name:
/// DMARC under `_dmarc`, DKIM keys under `_domainkey`, and so on; SPF elsewhere.
fn parse_txt(key: &str, records: &[Vec<u8>]) -> TxtRecord {
    let labels: Vec<&str> = key.split('.').collect();
    let has = |l: &str| labels.iter().any(|x| x.eq_ignore_ascii_case(l));
    if has("_dmarc") {
        DmarcRecord::parse_records(records).into()
    } else if labels.first().is_some_and(|l| *l == "_report") && has("_domainkey") {
        DkimReportRecord::parse_records(records).into()
    } else if has("_domainkey") {
        DomainKey::parse_records(records).into()
    } else if has("_atps") {
        AtpsRecord::parse_records(records).into()
    } else if has("_mta-sts") {
        MtaStsRecord::parse_records(records).into()
    } else if labels.len() > 1 && labels[0] == "_smtp" && labels[1] == "_tls" {
        TlsRptRecord::parse_records(records).into()
    } else {
        SpfRecord::parse_records(records).into()
    }
}

impl DnsCache for Caches {
    type Txt = MapCache<Box<str>, TxtRecord>;
    type Mx = MapCache<Box<str>, Negatable<Mx>>;
    type Ipv4 = MapCache<Box<str>, Negatable<Ipv4Addr>>;
    type Ipv6 = MapCache<Box<str>, Negatable<Ipv6Addr>>;
    type Ptr = MapCache<IpAddr, Negatable<Box<str>>>;

    fn txt(&self) -> Option<&Self::Txt> {
        Some(&self.txt)
    }
    fn mx(&self) -> Option<&Self::Mx> {
        Some(&self.mx)
    }
    fn ipv4(&self) -> Option<&Self::Ipv4> {
        Some(&self.ipv4)
    }
    fn ipv6(&self) -> Option<&Self::Ipv6> {
        Some(&self.ipv6)
    }
    fn ptr(&self) -> Option<&Self::Ptr> {
        Some(&self.ptr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_resolver::proto::rr::{Record, rdata::TXT};

    fn name(text: &str) -> Name {
        Name::from_ascii(text).expect("name")
    }

    fn txt(owner: &Name, text: &str) -> Lookup {
        Ok(Arc::new(Answer {
            rcode: Rcode::NoError,
            records: vec![Record::from_rdata(
                owner.clone(),
                300,
                RData::TXT(TXT::new(vec![text.to_string()])),
            )],
        }))
    }

    #[test]
    fn ensure_puts_back_an_answer_the_bounded_live_cache_let_go() {
        let caches = Caches::live();
        let dmarc = name("_dmarc.example.com.");
        let answer = txt(&dmarc, "v=DMARC1; p=reject");
        caches.learn(&dmarc, RecordType::TXT, &answer);
        // Enough other answers for two generations to fill.
        for i in 0..=2 * MEMO_CAPACITY {
            let other = name(&format!("_dmarc.d{i}.example."));
            caches.learn(&other, RecordType::TXT, &txt(&other, "v=DMARC1; p=none"));
        }
        assert!(caches.txt.get("_dmarc.example.com.").is_none());
        caches.ensure(&dmarc, RecordType::TXT, &answer);
        let Some(TxtRecord::Dmarc(record)) = caches.txt.get("_dmarc.example.com.") else {
            panic!("the record was not put back");
        };
        assert_eq!(record.p, mail_auth::dmarc::Policy::Reject);
        // A held answer is left as it is.
        caches.ensure(&dmarc, RecordType::TXT, &txt(&dmarc, "v=DMARC1; p=none"));
        let Some(TxtRecord::Dmarc(record)) = caches.txt.get("_dmarc.example.com.") else {
            panic!("the record went away");
        };
        assert_eq!(record.p, mail_auth::dmarc::Policy::Reject);
    }
}
