//! DKIM signing keys: generate a key pair and the DNS TXT record that
//! publishes it (RFC 6376 3.6.1; Ed25519 per RFC 8463, `keygen`), and sign a
//! message with it (rsa-sha256 or ed25519-sha256, relaxed/relaxed, `sign`)
//! using mail-auth. Keys are read and written as PEM by libraries
//! (rustls-pki-types, the RustCrypto `pkcs8`/`pkcs1` encoders that `rsa`
//! re-exports); files are written through `tempfile`.

mod keygen;
mod sign;
#[cfg(test)]
mod tests;

pub use keygen::{GeneratedKey, Keygen, keygen};
pub use sign::{DEFAULT_SIGNED_HEADERS, Sign, sign};

use crate::names;
use serde::Serialize;
use std::{
    fmt,
    fs::File,
    io::{self, Write},
    path::Path,
};

/// TTL written in the zone-file form of the key record.
pub const RECORD_TTL: u32 = 3600;

/// Longest DNS TXT character-string, in bytes (RFC 1035 3.3).
pub const MAX_TXT_STRING: usize = 255;

/// A DKIM key type and size that `keygen` can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum KeyAlgorithm {
    /// RSA, 2048-bit modulus (the usual choice; RFC 8301 recommends 2048).
    #[default]
    #[serde(rename = "rsa-2048")]
    Rsa2048,
    /// RSA, 3072-bit modulus.
    #[serde(rename = "rsa-3072")]
    Rsa3072,
    /// RSA, 4096-bit modulus (its record needs several TXT strings).
    #[serde(rename = "rsa-4096")]
    Rsa4096,
    /// Ed25519 (RFC 8463); not yet verified by every receiver.
    #[serde(rename = "ed25519")]
    Ed25519,
}

impl KeyAlgorithm {
    /// Every algorithm, in the order shown in help text.
    pub const ALL: [KeyAlgorithm; 4] = [
        KeyAlgorithm::Rsa2048,
        KeyAlgorithm::Rsa3072,
        KeyAlgorithm::Rsa4096,
        KeyAlgorithm::Ed25519,
    ];

    /// The command-line name: "rsa-2048", "rsa-3072", "rsa-4096" or "ed25519".
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa2048 => "rsa-2048",
            KeyAlgorithm::Rsa3072 => "rsa-3072",
            KeyAlgorithm::Rsa4096 => "rsa-4096",
            KeyAlgorithm::Ed25519 => "ed25519",
        }
    }

    /// The RSA modulus size in bits, or `None` for Ed25519.
    pub fn bits(self) -> Option<usize> {
        match self {
            KeyAlgorithm::Rsa2048 => Some(2048),
            KeyAlgorithm::Rsa3072 => Some(3072),
            KeyAlgorithm::Rsa4096 => Some(4096),
            KeyAlgorithm::Ed25519 => None,
        }
    }

    /// The `k=` tag value of the key record: "rsa" or "ed25519".
    pub fn key_type(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "ed25519",
            _ => "rsa",
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from key generation, key loading, signing or writing a file: one
/// line naming the file (or input) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// Write bytes to a new file; refuse to clobber without force; mode as given
/// (0o600 keys, 0o644 messages).
///
/// The bytes go to a temporary file beside `path`, created with `mode`
/// (so the file never exists with wider permissions) and synced; it is then
/// moved to `path`: without `force` only if nothing is there
/// (`persist_noclobber`, atomic), with `force` replacing what is there. A
/// reader sees no file or the whole file, never part of one; a failed write
/// leaves nothing behind.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32, force: bool) -> Result<(), KeyError> {
    if path.as_os_str().is_empty() {
        return Err(KeyError("output path is empty".into()));
    }
    let Some(name) = path.file_name() else {
        return Err(KeyError(format!("{}: not a file name", path.display())));
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::{fs::Permissions, os::unix::fs::PermissionsExt};
        builder.permissions(Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|err| io_error(path, "cannot create", &err))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|err| io_error(path, "cannot write", &err))?;
    if force {
        tmp.persist(path)
            .map_err(|err| io_error(path, "cannot replace", &err.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|err| {
            if err.error.kind() == io::ErrorKind::AlreadyExists {
                already_exists(path)
            } else {
                io_error(path, "cannot create", &err.error)
            }
        })?;
    }
    // Make the new name durable; failure here does not undo the write.
    let _ = File::open(dir).and_then(|dir| dir.sync_all());
    Ok(())
}

fn already_exists(path: &Path) -> KeyError {
    KeyError(format!(
        "{} already exists; pass --force to replace it",
        path.display()
    ))
}

fn io_error(path: &Path, what: &str, err: &io::Error) -> KeyError {
    KeyError(format!("{}: {what}: {err}", path.display()))
}

/// The signing domain and selector, checked as every command checks them
/// (`names`), so nothing but a DNS name reaches a `d=` or `s=` tag.
fn checked_names(domain: &str, selector: &str) -> Result<(String, String), KeyError> {
    let domain = names::domain(domain).map_err(KeyError)?;
    let selector = names::selector(selector).map_err(KeyError)?;
    Ok((domain, selector))
}
