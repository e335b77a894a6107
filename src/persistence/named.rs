//! Named snapshots: `<data-dir>/snapshots/NAME.zkdump`, each a dump of the whole devnet
//! (`zkos_saveSnapshot` / `zkos_loadSnapshot`, `zkos-dev snapshot save|load|list|rm`).
//! `NamedSnapshots::{save, load, list, remove}` -> files, written as `dump` writes them.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::Serialize;

use super::{
    data_dir::SNAPSHOT_DIR,
    dump::{DevnetDump, TEMP_PREFIX, read_file, write_file},
};

/// The file name ending of a named snapshot.
pub const EXTENSION: &str = "zkdump";

/// The snapshots of one data dir.
#[derive(Debug, Clone)]
pub struct NamedSnapshots {
    dir: PathBuf,
}

/// One named snapshot, as `list` reports it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NamedSnapshotInfo {
    /// Its name.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// When it was saved (seconds since the Unix epoch).
    pub saved_at: u64,
}

/// Checks a snapshot name: 1 to 64 of `A-Z a-z 0-9 . _ -`, not starting with a dot, so a
/// name is always one file inside the snapshots dir.
pub fn check_name(name: &str) -> anyhow::Result<()> {
    let ok = (1..=64).contains(&name.len())
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        bail!(
            "invalid snapshot name {name:?}: use 1 to 64 letters, digits, '.', '_' or '-' (not starting with '.')"
        );
    }
    Ok(())
}

impl NamedSnapshots {
    /// The snapshots of the data dir at `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join(SNAPSHOT_DIR),
        }
    }

    /// Where snapshot `name` lives.
    pub fn path(&self, name: &str) -> anyhow::Result<PathBuf> {
        check_name(name)?;
        Ok(self.dir.join(format!("{name}.{EXTENSION}")))
    }

    /// Saves `dump` as `name`, replacing a snapshot of that name.
    pub fn save(&self, name: &str, dump: &DevnetDump) -> anyhow::Result<NamedSnapshotInfo> {
        let path = self.path(name)?;
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create {}", self.dir.display()))?;
        write_file(&path, &dump.to_bytes())?;
        info(&path, name)
    }

    /// Reads snapshot `name`.
    pub fn load(&self, name: &str) -> anyhow::Result<DevnetDump> {
        let path = self.path(name)?;
        if !path.exists() {
            bail!("no snapshot named {name:?} (`zkos-dev snapshot list` shows the saved ones)");
        }
        read_file(&path)
    }

    /// The named snapshots, by name.
    pub fn list(&self) -> anyhow::Result<Vec<NamedSnapshotInfo>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", self.dir.display())),
        };
        let mut saved = vec![];
        for entry in entries {
            let path = entry?.path();
            let name = match (path.file_stem(), path.extension()) {
                (Some(stem), Some(ext)) if ext == EXTENSION => stem.to_string_lossy().into_owned(),
                _ => continue,
            };
            if check_name(&name).is_ok() {
                saved.push(info(&path, &name)?);
            }
        }
        saved.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(saved)
    }

    /// Removes the temporary files of saves cut short (a node killed while saving); returns how
    /// many. Only for whoever holds the data dir: no save of its is under way then.
    pub fn remove_unfinished(&self) -> anyhow::Result<usize> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", self.dir.display())),
        };
        let mut removed = 0;
        for entry in entries {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
                && entry.file_type()?.is_file()
            {
                std::fs::remove_file(entry.path())
                    .with_context(|| format!("cannot remove {}", entry.path().display()))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Removes snapshot `name`; false if there was none.
    pub fn remove(&self, name: &str) -> anyhow::Result<bool> {
        let path = self.path(name)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
        }
    }
}

fn info(path: &Path, name: &str) -> anyhow::Result<NamedSnapshotInfo> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    let saved_at = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    Ok(NamedSnapshotInfo {
        name: name.to_string(),
        bytes: meta.len(),
        saved_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_cut_short_leaves_nothing_once_the_data_dir_is_opened_again() {
        let temp = tempfile::tempdir().unwrap();
        let open = || super::super::data_dir::DataDir::open(temp.path(), (270, 31337)).unwrap();
        let saved = NamedSnapshots::new(temp.path());
        drop(open());
        let kept = saved.path("kept").unwrap();
        std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
        write_file(&kept, b"a whole snapshot").unwrap();
        // What `write_file` leaves when the node is killed before its rename.
        let (_, cut) = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(temp.path().join(SNAPSHOT_DIR))
            .unwrap()
            .keep()
            .unwrap();
        drop(open());
        assert!(!cut.exists(), "{} is left", cut.display());
        assert_eq!(std::fs::read(&kept).unwrap(), b"a whole snapshot");
    }

    #[test]
    fn names_stay_inside_the_snapshots_dir() {
        for good in ["a", "before-deploy", "v1.2_x", &"n".repeat(64)] {
            check_name(good).unwrap();
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "../x",
            "a/b",
            "a\\b",
            "sp ace",
            &"n".repeat(65),
        ] {
            let err = check_name(bad).unwrap_err().to_string();
            assert!(err.contains("invalid snapshot name"), "{bad:?}: {err}");
        }
    }
}
