//! Atomic Maildir delivery: write the message to `tmp/`, fsync it, rename it
//! into `new/`, fsync `new/`. A message appears in `new/` complete or not at
//! all; a crash leaves at most a file in `tmp/`.

use std::{
    fs::{self, File, OpenOptions},
    io::Write,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

/// The quarantine folder inside the Maildir (a Maildir++ sub-folder).
pub const QUARANTINE: &str = ".Quarantine";

/// A Maildir at `root`.
#[derive(Debug, Clone)]
pub struct Maildir {
    root: PathBuf,
    host: String,
}

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// `SECONDS.MMICROSPPIDQN.HOST`, the Maildir unique-name convention.
fn unique(host: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}.M{}P{}Q{n}.{host}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
    )
}

impl Maildir {
    /// Open the Maildir, creating `tmp/`, `new/` and `cur/` when missing.
    pub fn open(root: &Path, host: &str) -> Result<Maildir, String> {
        let dir = Maildir {
            root: root.to_path_buf(),
            host: host.replace(['/', ':'], "_"),
        };
        dir.create(&dir.root)?;
        Ok(dir)
    }

    fn create(&self, folder: &Path) -> Result<(), String> {
        for sub in ["tmp", "new", "cur"] {
            let p = folder.join(sub);
            fs::create_dir_all(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        Ok(())
    }

    /// A name no other delivery uses (the time, the process and a counter).
    pub fn unique_name(&self) -> String {
        unique(&self.host)
    }

    /// A message id when nothing is stored (no --maildir).
    pub fn unnamed() -> String {
        unique("mailcheck")
    }

    /// Deliver `parts` (written in order) as one message named `name`, into
    /// the root folder or the quarantine folder; the path in `new/` when done.
    /// Blocking: call from a blocking thread.
    pub fn deliver(
        &self,
        name: &str,
        parts: &[&[u8]],
        quarantine: bool,
    ) -> std::io::Result<PathBuf> {
        let folder = if quarantine {
            let q = self.root.join(QUARANTINE);
            self.create(&q).map_err(std::io::Error::other)?;
            q
        } else {
            self.root.clone()
        };
        let tmp = folder.join("tmp").join(name);
        let new = folder.join("new").join(name);
        let result = (|| {
            let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            for p in parts {
                file.write_all(p)?;
            }
            file.sync_all()?;
            drop(file);
            fs::rename(&tmp, &new)?;
            File::open(folder.join("new"))?.sync_all()
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_lands_in_new_and_leaves_tmp_empty() {
        let dir = tempfile::tempdir().unwrap();
        let md = Maildir::open(dir.path(), "mx/test").unwrap();
        let name = md.unique_name();
        assert!(name.ends_with(".mx_test"));
        let path = md
            .deliver(&name, &[b"A: b\r\n", b"\r\nbody\r\n"], false)
            .unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"A: b\r\n\r\nbody\r\n");
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
        assert!(dir.path().join("cur").is_dir());
        let q = md.deliver(&md.unique_name(), &[b"x\r\n"], true).unwrap();
        assert!(q.starts_with(dir.path().join(QUARANTINE).join("new")));
    }
}
