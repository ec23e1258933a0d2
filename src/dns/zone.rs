//! Temporary interface stub; the real reader replaces this file.
use hickory_resolver::proto::rr::{Name, Record, RecordType};
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct ZoneError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}
impl std::fmt::Display for ZoneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}
impl std::error::Error for ZoneError {}
pub struct Zone {
    pub origin: Name,
    pub records: Vec<Record>,
}
impl Zone {
    pub fn load(path: &Path) -> Result<Zone, ZoneError> {
        Err(ZoneError {
            path: path.into(),
            line: 0,
            message: "stub".into(),
        })
    }
}
pub struct ZoneSet {
    zones: Vec<Zone>,
}
pub enum ZoneRcode {
    NoError,
    NxDomain,
    ServFail,
}
pub struct ZoneAnswer {
    pub rcode: ZoneRcode,
    pub answers: Vec<Record>,
}
impl ZoneSet {
    pub fn new(zones: Vec<Zone>) -> ZoneSet {
        ZoneSet { zones }
    }
    pub fn load(paths: &[PathBuf]) -> Result<ZoneSet, ZoneError> {
        Ok(ZoneSet::new(
            paths
                .iter()
                .map(|p| Zone::load(p))
                .collect::<Result<_, _>>()?,
        ))
    }
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }
    pub fn lookup(&self, _name: &Name, _rtype: RecordType) -> ZoneAnswer {
        ZoneAnswer {
            rcode: ZoneRcode::NxDomain,
            answers: vec![],
        }
    }
}
