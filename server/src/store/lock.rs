//! The lock file beside a SQLite store: one process per file, and a record of how far the
//! log had got.
//!
//! *One process.* A second process writing the same file stays correct but goes stale: its
//! live subscribers never hear of the other's appends. So opening a store takes an
//! exclusive `flock` on `<db>.lock` and holds it while the store is open. The kernel drops
//! the lock when the process dies, SIGKILL included, so a crash never leaves a stale lock
//! behind (the file stays; only the lock counts). `annals backup` takes no lock: it reads.
//!
//! *How far the log had got.* After each commit the writer records the last position in the
//! lock file (no fsync: it is written after the commit is durable, so it can lag behind the
//! database but never run ahead of it). On open, a database that ends before that position
//! has lost acknowledged events — its write-ahead log (`<db>-wal`) was deleted, cut short or
//! left behind in a copy, or the database file itself was replaced — and is refused with a
//! message that says so, instead of being served (or re-seeded) as if nothing happened.
//!
//! The file is text, `pid <pid>\nposition <position>\n`, padded to a fixed length so each
//! update is one write in place. It is created owner-only (0600).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rustix::fs::{flock, FlockOperation};

use super::StoreError;

/// The length of the lock file's text: every update rewrites it whole, in place.
const RECORD_LEN: usize = 64;

/// The held lock of a store, and the position it recorded before this process took it.
#[derive(Debug)]
pub struct StoreLock {
    file: File,
    path: PathBuf,
    pid: u32,
}

/// `<db>.lock`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl StoreLock {
    /// Takes the lock of the store at `db` (creating `<db>.lock`), or says which process
    /// holds it. Returns the lock and the last position recorded in it (0 when none).
    pub fn acquire(db: &Path) -> Result<(Self, u64), StoreError> {
        let path = lock_path(db);
        let fail =
            |what: &str, e: &dyn std::fmt::Display| StoreError::Storage(format!("{}: {what}: {e}", path.display()));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&path).map_err(|e| fail("cannot open the lock file", &e))?;
        let mut text = String::new();
        // A lock file that is not text is treated as recording nothing.
        let _ = file.read_to_string(&mut text);
        if let Err(e) = flock(&file, FlockOperation::NonBlockingLockExclusive) {
            if e == rustix::io::Errno::WOULDBLOCK {
                let holder =
                    field(&text, "pid").map_or_else(|| "another process".to_owned(), |pid| format!("process {pid}"));
                return Err(StoreError::Storage(format!(
                    "{} is in use by {holder} (it holds {}): stop that annals first. Two processes on one \
                     file go stale; to copy a live store use `annals backup`",
                    db.display(),
                    path.display()
                )));
            }
            return Err(fail("cannot lock the store", &e));
        }
        let recorded = field(&text, "position").unwrap_or(0);
        let lock = Self { file, path, pid: std::process::id() };
        Ok((lock, recorded))
    }

    /// Records `position` as acknowledged (and this process as the holder).
    pub fn record(&mut self, position: u64) -> std::io::Result<()> {
        let mut text = format!("pid {}\nposition {position}\n", self.pid);
        // Padding with spaces keeps every record the same length, so a shorter one never
        // leaves the tail of a longer one behind.
        while text.len() < RECORD_LEN {
            text.push(' ');
        }
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(text.as_bytes())
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The number after `name ` on a line of the lock file's text.
fn field(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|line| line.trim().strip_prefix(name)?.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_and_the_position_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("a.db");
        let (mut first, recorded) = StoreLock::acquire(&db).expect("first");
        assert_eq!(recorded, 0);
        first.record(1234).expect("record");
        first.record(7).expect("shorter record");
        let err = StoreLock::acquire(&db).expect_err("held").to_string();
        assert!(err.contains(&format!("process {}", std::process::id())) && err.contains("a.db.lock"), "{err}");
        drop(first);
        let (_, recorded) = StoreLock::acquire(&db).expect("free again");
        assert_eq!(recorded, 7);
        assert_eq!(field("pid 5\nposition 12\n   ", "position"), Some(12));
        assert_eq!(field("garbage", "position"), None);
    }
}
