//! The write-ahead log: append-only files of records, each written to the OS (`write`, no
//! sync) before what it describes becomes visible, so it survives a killed process. Its owner
//! makes what the records describe durable elsewhere now and then, and clears the log.
//!
//! The log is two files (segments): records go to the active one. To make the records so far
//! durable elsewhere without holding up new ones, the owner rotates (new records go to the
//! other segment from then on), makes what the rotated-away segment holds durable, then clears
//! it. Records carry their order themselves (the owner's sequence numbers): after a crash in
//! between, both segments hold records.
//!
//! A record is `len (u32 LE) ‖ check (first 4 bytes of keccak256(payload)) ‖ payload`. A
//! record cut short by a crash (or one whose check fails) ends its segment: it and anything
//! after it were never acknowledged.

use std::{
    fs::{File, OpenOptions},
    io::{Read as _, Seek as _, SeekFrom, Write as _},
    path::{Path, PathBuf},
};

use alloy_primitives::keccak256;
use anyhow::Context as _;

/// An open log.
#[derive(Debug)]
pub struct Wal {
    segments: [Segment; 2],
    /// The segment records go to.
    active: usize,
}

#[derive(Debug)]
struct Segment {
    path: PathBuf,
    file: File,
}

fn check(payload: &[u8]) -> [u8; 4] {
    let hash = keccak256(payload);
    [hash[0], hash[1], hash[2], hash[3]]
}

impl Segment {
    fn open(path: PathBuf) -> anyhow::Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .with_context(|| format!("cannot open the write-ahead log {}", path.display()))?;
        Ok(Self { path, file })
    }

    /// Every whole record, oldest first; a torn or damaged tail is cut off (and left out).
    fn records(&mut self) -> anyhow::Result<Vec<Vec<u8>>> {
        let mut bytes = Vec::new();
        self.file.seek(SeekFrom::Start(0))?;
        self.file.read_to_end(&mut bytes)?;
        let mut records = Vec::new();
        let mut at = 0;
        while let Some(header) = bytes.get(at..at + 8) {
            let len = u32::from_le_bytes(header[..4].try_into().expect("4 bytes")) as usize;
            let Some(payload) = bytes.get(at + 8..at + 8 + len) else {
                break;
            };
            if header[4..8] != check(payload) {
                break;
            }
            records.push(payload.to_vec());
            at += 8 + len;
        }
        if at < bytes.len() {
            tracing::warn!(
                path = %self.path.display(),
                dropped = bytes.len() - at,
                "the write-ahead log ends in a record cut short (a crash while writing it): it is dropped"
            );
            self.file.set_len(at as u64)?;
        }
        Ok(records)
    }

    fn is_empty(&self) -> bool {
        self.file.metadata().is_ok_and(|m| m.len() == 0)
    }

    fn clear(&mut self) -> anyhow::Result<()> {
        self.file.set_len(0)?;
        Ok(())
    }
}

impl Wal {
    /// Opens (or creates) the log whose segments are `paths`.
    pub fn open(paths: [&Path; 2]) -> anyhow::Result<Self> {
        Ok(Self {
            segments: [
                Segment::open(paths[0].to_path_buf())?,
                Segment::open(paths[1].to_path_buf())?,
            ],
            active: 0,
        })
    }

    /// Every whole record of both segments (the active one's first); a torn or damaged tail is
    /// cut off (and left out).
    pub fn records(&mut self) -> anyhow::Result<Vec<Vec<u8>>> {
        let active = self.active;
        let mut records = self.segments[active].records()?;
        records.extend(self.segments[1 - active].records()?);
        Ok(records)
    }

    /// Appends one record: in the OS once this returns (a killed process keeps it).
    pub fn append(&mut self, payload: &[u8]) -> anyhow::Result<()> {
        let len = u32::try_from(payload.len()).context("a write-ahead log record over 4 GiB")?;
        let mut record = Vec::with_capacity(8 + payload.len());
        record.extend_from_slice(&len.to_le_bytes());
        record.extend_from_slice(&check(payload));
        record.extend_from_slice(payload);
        let file = &mut self.segments[self.active].file;
        let before = file.metadata()?.len();
        if let Err(err) = file.write_all(&record) {
            // A record written in part (a full disk) would end the log before any later one.
            let _ = file.set_len(before);
            return Err(err.into());
        }
        Ok(())
    }

    /// A handle on the segment records go to, to sync it (`fdatasync`) without holding the log:
    /// records appended before the sync then survive a power loss.
    pub fn active_file(&self) -> anyhow::Result<File> {
        Ok(self.segments[self.active].file.try_clone()?)
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.segments.iter().all(Segment::is_empty)
    }

    /// New records go to the other segment from now on; returns whether the one left behind
    /// holds any (to make durable, then [`Wal::clear_inactive`]).
    pub fn rotate(&mut self) -> bool {
        let left = !self.segments[self.active].is_empty();
        if left {
            self.active = 1 - self.active;
        }
        left
    }

    /// Empties the segment records do not go to (what it held is durable elsewhere now).
    pub fn clear_inactive(&mut self) -> anyhow::Result<()> {
        self.segments[1 - self.active].clear()
    }

    /// Empties the log (what it held is durable elsewhere now).
    pub fn clear(&mut self) -> anyhow::Result<()> {
        for segment in &mut self.segments {
            segment.clear()?;
            segment.file.sync_data()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_reopening_and_a_torn_tail_is_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal");
        let other = dir.path().join("wal.1");
        let mut wal = Wal::open([&path, &other]).unwrap();
        wal.append(b"one").unwrap();
        wal.append(&[7u8; 1000]).unwrap();
        drop(wal);
        // A record cut short by a crash: its header and half its payload.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(&10u32.to_le_bytes()).unwrap();
        file.write_all(&check(b"0123456789")).unwrap();
        file.write_all(b"01234").unwrap();
        drop(file);

        let mut wal = Wal::open([&path, &other]).unwrap();
        let records = wal.records().unwrap();
        assert_eq!(records, vec![b"one".to_vec(), vec![7u8; 1000]]);
        // The torn tail is gone: what comes next follows the whole records.
        wal.append(b"three").unwrap();
        assert_eq!(wal.records().unwrap().len(), 3);
        wal.clear().unwrap();
        assert!(wal.records().unwrap().is_empty());
    }

    #[test]
    fn a_damaged_record_ends_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal");
        let other = dir.path().join("wal.1");
        let mut wal = Wal::open([&path, &other]).unwrap();
        wal.append(b"good").unwrap();
        wal.append(b"flipped").unwrap();
        drop(wal);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        let mut wal = Wal::open([&path, &other]).unwrap();
        assert_eq!(wal.records().unwrap(), vec![b"good".to_vec()]);
    }

    #[test]
    fn rotating_sends_new_records_to_the_other_segment_and_clearing_it_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("wal"), dir.path().join("wal.1"));
        let mut wal = Wal::open([&a, &b]).unwrap();
        assert!(!wal.rotate(), "an empty segment stays active");
        wal.append(b"first").unwrap();
        assert!(wal.rotate());
        wal.append(b"second").unwrap();
        // Both are there until the rotated-away segment is cleared.
        assert_eq!(wal.records().unwrap().len(), 2);
        wal.clear_inactive().unwrap();
        assert_eq!(wal.records().unwrap(), vec![b"second".to_vec()]);
        drop(wal);
        // Reopened, it still finds the record in the second segment.
        let mut wal = Wal::open([&a, &b]).unwrap();
        assert_eq!(wal.records().unwrap(), vec![b"second".to_vec()]);
        wal.clear().unwrap();
        assert!(wal.is_empty());
    }
}
