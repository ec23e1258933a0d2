//! Where each record of a loaded zone was written: its file and line, so a
//! report can point at the line behind a finding (SARIF locations).
//!
//! Findings show their records in presentation form (`owner TYPE rdata`,
//! as `crate::report::Finding::records` holds them). [`RecordPlaces`] finds
//! the zone record such a line shows: the owner and type must match; the data
//! is compared loosely (case, spacing, the quoting and splitting of TXT
//! strings), and when no record of that owner and type has the same data, the
//! first one of the RRset is taken, since the line is about that RRset.

use super::{ZoneSet, label_count, normalize};
use crate::util::{FastMap, fast_map};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

/// The file and 1-based line a record was read from (for a record written
/// over several lines, the line it starts on; for `$GENERATE`, its line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPlace {
    /// The file, as the user (or the including file) named it; shared by
    /// every record of the file.
    pub file: Arc<Path>,
    /// 1-based line.
    pub line: usize,
}

/// An index from (owner, type) to the places of the records of every loaded zone.
#[derive(Debug, Clone, Default)]
pub struct RecordPlaces {
    by_key: FastMap<(Name, RecordType), Vec<(String, RecordPlace)>>,
    /// Per owner name: the place of its first record.
    by_owner: FastMap<Name, RecordPlace>,
    /// Per zone apex: the place of the zone's first record.
    apexes: Vec<(Name, RecordPlace)>,
}

impl RecordPlaces {
    /// Indexes every record of `zones` that has a place.
    pub fn new(zones: &ZoneSet) -> RecordPlaces {
        let mut by_key: FastMap<(Name, RecordType), Vec<(String, RecordPlace)>> = fast_map(0);
        let mut by_owner: FastMap<Name, RecordPlace> = fast_map(0);
        let mut apexes = Vec::new();
        for zone in zones.zones() {
            for (record, place) in zone.records.iter().zip(&zone.places) {
                let owner = normalize(&record.name);
                by_owner
                    .entry(owner.clone())
                    .or_insert_with(|| place.clone());
                by_key
                    .entry((owner, record.record_type()))
                    .or_default()
                    .push((data_key_of(record), place.clone()));
            }
            if let Some(first) = zone.places.first() {
                apexes.push((normalize(&zone.origin), first.clone()));
            }
        }
        RecordPlaces {
            by_key,
            by_owner,
            apexes,
        }
    }

    /// Where the record shown as `line` (`owner TYPE rdata`) was read; None
    /// when the line is not a record or no loaded zone holds one like it.
    pub fn record(&self, line: &str) -> Option<&RecordPlace> {
        let mut parts = line.trim().splitn(3, char::is_whitespace);
        let owner = Name::from_utf8(parts.next()?).ok()?;
        let rtype = RecordType::from_str(&parts.next()?.to_ascii_uppercase()).ok()?;
        let data = data_key_of_text(rtype, parts.next().unwrap_or(""));
        let found = self.by_key.get(&(normalize(&owner), rtype))?;
        found
            .iter()
            .find(|(key, _)| *key == data)
            .or_else(|| found.first())
            .map(|(_, place)| place)
    }

    /// The first record of the most specific loaded zone that holds `domain`,
    /// preferring a record owned by `domain` itself: where a finding about
    /// the domain with no record of its own points.
    pub fn domain(&self, domain: &str) -> Option<&RecordPlace> {
        let name = normalize(&Name::from_utf8(domain).ok()?);
        let (_, first) = self
            .apexes
            .iter()
            .filter(|(apex, _)| apex.zone_of(&name))
            .max_by_key(|(apex, _)| label_count(apex))?;
        Some(self.by_owner.get(&name).unwrap_or(first))
    }
}

/// The record data as compared: TXT strings joined, anything else its
/// presentation form in lower case, spaces collapsed, no final dots.
fn data_key_of(record: &Record) -> String {
    match &record.data {
        RData::TXT(txt) => txt
            .txt_data
            .iter()
            .map(|s| String::from_utf8_lossy(s))
            .collect(),
        data => loose(&data.to_string()),
    }
}

/// The same key for data in presentation form.
fn data_key_of_text(rtype: RecordType, text: &str) -> String {
    if rtype != RecordType::TXT {
        return loose(text);
    }
    let text = text.trim();
    if !text.starts_with('"') {
        return text.to_string();
    }
    // Quoted strings, joined: `"v=spf1 " "-all"`, or one string as a finding
    // shows it, whose inner quotes are not escaped.
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    inner.split("\" \"").collect()
}

fn loose(text: &str) -> String {
    text.split_whitespace()
        .map(|w| w.trim_end_matches('.').to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::{Zone, ZoneSet};
    use super::*;
    use std::path::PathBuf;

    const ZONE: &str = "$ORIGIN example.com.\n$TTL 3600\n\
        @ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n\
        \x20 IN NS ns1\n\
        ns1 IN A 192.0.2.53\n\
        @ IN MX 10 mx\n\
        @ IN MX 20 MX2.example.com.\n\
        @ IN TXT ( \"v=spf1 \"\n\
        \x20        \"-all\" )\n\
        _dmarc IN TXT \"v=DMARC1; p=reject\"\n";

    fn places() -> RecordPlaces {
        let zone = Zone::parse(ZONE, Path::new("zones/example.zone")).unwrap();
        RecordPlaces::new(&ZoneSet::new(vec![zone]))
    }

    #[test]
    fn a_record_line_finds_its_file_and_line() {
        let p = places();
        let at = |line: &str| p.record(line).map(|p| (p.file.to_path_buf(), p.line));
        let file = PathBuf::from("zones/example.zone");
        assert_eq!(
            at("example.com. MX 20 mx2.example.com."),
            Some((file.clone(), 7))
        );
        assert_eq!(
            at("Example.COM. MX 10 mx.example.com."),
            Some((file.clone(), 6))
        );
        // TXT strings split over lines, shown as one string by a finding.
        assert_eq!(
            at("example.com. TXT \"v=spf1 -all\""),
            Some((file.clone(), 8))
        );
        assert_eq!(
            at("_dmarc.example.com. TXT \"v=DMARC1; p=reject\""),
            Some((file.clone(), 10))
        );
        // Same owner and type, other data: the RRset's first record.
        assert_eq!(
            at("example.com. MX 30 other.example."),
            Some((file.clone(), 6))
        );
        assert_eq!(at("example.com. AAAA ::1"), None);
        assert_eq!(at("example.com: 1 lookup here"), None);
        assert_eq!(at(""), None);
    }

    #[test]
    fn an_included_record_is_placed_in_its_own_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("keys.inc"),
            "; keys\ns1._domainkey IN TXT \"v=DKIM1; p=\"\n",
        )
        .unwrap();
        let top = dir.path().join("example.zone");
        std::fs::write(&top, format!("{ZONE}$INCLUDE keys.inc\n")).unwrap();
        let zone = Zone::load(&top).unwrap();
        let p = RecordPlaces::new(&ZoneSet::new(vec![zone]));
        let place = p
            .record("s1._domainkey.example.com. TXT \"v=DKIM1; p=\"")
            .unwrap();
        assert_eq!(place.file.file_name().unwrap(), "keys.inc");
        assert_eq!(place.line, 2);
        let ns = p.record("example.com. NS ns1.example.com.").unwrap();
        assert_eq!(ns.file.as_ref(), top.as_path());
    }

    #[test]
    fn a_domain_points_at_its_first_record() {
        let p = places();
        assert_eq!(p.domain("example.com").map(|p| p.line), Some(3));
        assert_eq!(p.domain("ns1.example.com").map(|p| p.line), Some(5));
        // A name the zone holds no record for: the zone's first record.
        assert_eq!(p.domain("nothing.example.com").map(|p| p.line), Some(3));
        assert_eq!(p.domain("example.org"), None);
    }
}
