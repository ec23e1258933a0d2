//! Trust anchors: where a chain of trust starts (RFC 4033 2, RFC 4035 4.3).
//!
//! The default is the root zone's key-signing keys as IANA publishes them;
//! `--trust-anchor FILE` replaces them with DS or DNSKEY records in
//! zone-file form (a `dsset-` file of dnssec-signzone, a `K*.key` file of
//! dnssec-keygen, or lines copied from `dig DS`), for tests and private roots.

use crate::dns::zone::{Zone, ZoneSource};
use hickory_resolver::proto::{
    dnssec::{
        Algorithm, DigestType,
        rdata::{DNSKEY, DNSSECRData, DS},
    },
    rr::{Name, RData},
};
use std::path::Path;

/// The root zone's trust anchors, from IANA's
/// <https://data.iana.org/root-anchors/root-anchors.xml>: KSK-2017 (key tag
/// 20326, valid from 2017-02-02) and KSK-2024 (key tag 38696, valid from
/// 2024-07-18), both RSASHA256 (8) with SHA-256 (2) digests.
const ROOT_DS: [(u16, &str); 2] = [
    (
        20326,
        "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ),
    (
        38696,
        "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
    ),
];

/// The keys a chain of trust may start from, all at one name.
#[derive(Debug, Clone)]
pub struct Anchors {
    /// The name the anchors are for (`.` for the root).
    pub name: Name,
    /// DS records: a DNSKEY of `name` whose digest matches one is trusted.
    pub ds: Vec<DS>,
    /// DNSKEY records trusted as they are.
    pub keys: Vec<DNSKEY>,
    /// Where they came from, for reports ("the IANA root anchors" or the file).
    pub source: String,
}

impl Default for Anchors {
    fn default() -> Self {
        Anchors::root()
    }
}

impl Anchors {
    /// The IANA root trust anchors.
    pub fn root() -> Anchors {
        let ds = ROOT_DS
            .iter()
            .map(|(tag, hex)| {
                let digest = (0..hex.len())
                    .step_by(2)
                    .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
                    .collect();
                DS::new(*tag, Algorithm::RSASHA256, DigestType::SHA256, digest)
            })
            .collect();
        Anchors {
            name: Name::root(),
            ds,
            keys: Vec::new(),
            source: "the IANA root trust anchors (KSK-2017, KSK-2024)".into(),
        }
    }

    /// Read DS and DNSKEY records from a file in zone-file form; every one
    /// must be for the same name. An unreadable file, or one with no such
    /// records, is an error naming the file.
    pub fn load(path: &Path) -> Result<Anchors, String> {
        let source = ZoneSource {
            path: path.to_path_buf(),
            origin: Some(Name::root()),
        };
        let zone = Zone::load_source(&source).map_err(|e| format!("--trust-anchor {e}"))?;
        let mut anchors = Anchors {
            name: Name::root(),
            ds: Vec::new(),
            keys: Vec::new(),
            source: format!("the trust anchor file {}", path.display()),
        };
        let mut name: Option<Name> = None;
        for record in &zone.records {
            match &record.data {
                RData::DNSSEC(DNSSECRData::DS(ds)) => anchors.ds.push(ds.clone()),
                RData::DNSSEC(DNSSECRData::DNSKEY(key)) => anchors.keys.push(key.clone()),
                _ => continue,
            }
            match &name {
                Some(n) if *n != record.name => {
                    return Err(format!(
                        "--trust-anchor {}: anchors for more than one name ({n} and {}); give the records of one zone",
                        path.display(),
                        record.name
                    ));
                }
                Some(_) => {}
                None => name = Some(record.name.to_lowercase()),
            }
        }
        match name {
            Some(n) => {
                anchors.name = n;
                Ok(anchors)
            }
            None => Err(format!(
                "--trust-anchor {}: no DS or DNSKEY records in the file",
                path.display()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_anchors_are_the_two_iana_ksks() {
        let root = Anchors::root();
        assert!(root.name.is_root());
        let tags: Vec<u16> = root.ds.iter().map(DS::key_tag).collect();
        assert_eq!(tags, [20326, 38696]);
        assert!(root.ds.iter().all(|d| d.digest().len() == 32));
        assert_eq!(root.ds[1].digest()[..4], [0x68, 0x3d, 0x2d, 0x0a]);
    }

    #[test]
    fn a_file_without_anchors_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("anchor");
        std::fs::write(&path, "example.com. 3600 IN A 192.0.2.1\n").unwrap();
        let e = Anchors::load(&path).unwrap_err();
        assert!(e.contains("anchor") && e.contains("no DS or DNSKEY"), "{e}");
        std::fs::write(
            &path,
            "; dsset\nexample.com. IN DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n",
        )
        .unwrap();
        let a = Anchors::load(&path).unwrap();
        assert_eq!(a.name.to_string(), "example.com.");
        assert_eq!(a.ds.len(), 1);
        let missing = Anchors::load(&dir.path().join("nope")).unwrap_err();
        assert!(missing.contains("nope"), "{missing}");
    }
}
