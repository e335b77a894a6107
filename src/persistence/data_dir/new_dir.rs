//! A data dir path that holds no devnet yet: what a start creates there, and how a start that
//! fails takes it away again.

use std::path::{Path, PathBuf};

use redb::{Database, DatabaseError};

use super::{DB_FILE, SEAL_FILE, WAL_FILE, WAL_FILE_2};

/// What a start adds at a data dir path that holds no devnet yet: the outermost directory it
/// creates, or the database file in a directory that was there. A start that fails takes it
/// away again, leaving the path as it found it; a path that holds a devnet has none.
#[derive(Debug)]
pub struct NewDataDir {
    /// What to remove: a directory and all in it, or just `db`.
    created: PathBuf,
    /// The database file the start creates.
    db: PathBuf,
}

impl NewDataDir {
    /// How long [`NewDataDir::remove`] waits for the database to be let go of.
    const RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

    /// Looks at `path` before a start opens it (`None`: it holds a devnet, or is not a dir).
    pub fn before_start(path: &Path) -> Option<Self> {
        let db = path.join(DB_FILE);
        let created = match nothing_at(path) {
            false if path.is_dir() && nothing_at(&db) => db.clone(),
            false => return None,
            true => path
                .ancestors()
                .take_while(|p| !p.as_os_str().is_empty() && nothing_at(p))
                .last()?
                .to_path_buf(),
        };
        Some(Self { created, db })
    }

    /// Removes what the start created, once its database is closed (the failed start's tasks
    /// let go of it as they wind down). A database another process holds (a second start in
    /// the same new dir, which succeeded) is left alone.
    pub fn remove(self) {
        let deadline = std::time::Instant::now() + Self::RELEASE_WAIT;
        while self.db.exists() && held(&self.db) {
            if std::time::Instant::now() > deadline {
                tracing::warn!("{} is still open: it is left behind", self.db.display());
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let removed = match self.created == self.db {
            true => std::fs::remove_file(&self.created).and_then(|()| {
                for wal in [WAL_FILE, WAL_FILE_2, SEAL_FILE] {
                    match std::fs::remove_file(self.db.with_file_name(wal)) {
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        other => other?,
                    }
                }
                Ok(())
            }),
            false => std::fs::remove_dir_all(&self.created),
        };
        if let Err(err) = removed
            && err.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("cannot remove {}: {err}", self.created.display());
        }
    }
}

/// Whether nothing at all is at `path` (not even a dangling link).
fn nothing_at(path: &Path) -> bool {
    matches!(std::fs::symlink_metadata(path), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

/// Whether a database (this process's or another's) has `file` open.
fn held(file: &Path) -> bool {
    matches!(
        Database::builder().open_read_only(file),
        Err(DatabaseError::DatabaseAlreadyOpen)
    )
}
