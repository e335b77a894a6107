//! The batches' marks through the write-ahead log: a batch store's write (a batch sealed,
//! proven, committed, executed; the batches after one dropped) is logged, in the OS before it
//! returns (so a killed process keeps it, as it keeps the blocks), and queued; the next
//! checkpoint writes the queued marks with the queued blocks. A mark never waits for the
//! database, whose writer a checkpoint may hold for a while.
//!
//! The database keeps the sequence number of the last batch write it holds (`wal_batches` in
//! the L2's meta): opening the data dir applies the logged ones after it, in order.

use alloy_primitives::Bytes;
use anyhow::Context as _;

use super::{BATCHES, DataDir, L2_META, wal_record::Logged};

/// A chain's meta key: the sequence number of the last logged batch write the database holds.
const APPLIED_KEY: &str = "wal_batches";

/// One write to the batches' table.
#[derive(Debug, Clone, PartialEq, Eq, alloy_rlp::RlpEncodable, alloy_rlp::RlpDecodable)]
pub(super) struct BatchWrite {
    /// The batch written, or the last one kept.
    number: u64,
    /// Its mark (`BatchMark`'s encoding); empty: the batches after `number` are dropped.
    mark: Bytes,
}

impl BatchWrite {
    /// Writes (or rewrites) batch `number`'s mark.
    pub(super) fn put(number: u64, mark: Vec<u8>) -> Self {
        Self {
            number,
            mark: mark.into(),
        }
    }

    /// Drops the marks of the batches after `number`.
    pub(super) fn truncate(number: u64) -> Self {
        Self {
            number,
            mark: Bytes::new(),
        }
    }

    fn apply(&self, txn: &redb::WriteTransaction) -> anyhow::Result<()> {
        let mut table = txn.open_table(BATCHES)?;
        match self.mark.is_empty() {
            true => table.retain_in((self.number + 1).., |_, _| false)?,
            false => {
                table.insert(self.number, self.mark.as_ref())?;
            }
        }
        Ok(())
    }
}

/// Applies `writes` (sequence number, write; in order) in `txn` and records the last.
pub(super) fn apply_all(
    txn: &redb::WriteTransaction,
    writes: &[(u64, BatchWrite)],
) -> anyhow::Result<()> {
    for (_, write) in writes {
        write.apply(txn)?;
    }
    if let Some((last, _)) = writes.last() {
        txn.open_table(L2_META)?
            .insert(APPLIED_KEY, last.to_be_bytes().as_slice())?;
    }
    Ok(())
}

impl DataDir {
    /// Logs `write` and queues it for the next checkpoint (`--sync always`: writes it, synced).
    pub(super) fn log_batch(&self, write: BatchWrite) -> anyhow::Result<()> {
        if self.sync_always.load(std::sync::atomic::Ordering::Relaxed) {
            let txn = self.write_txn()?;
            write.apply(&txn)?;
            txn.commit()?;
            return Ok(());
        }
        let mut wal = self.wal.lock();
        let seq = self.seq.load(std::sync::atomic::Ordering::Relaxed) + 1;
        let record = super::wal_record::record(seq, &Logged::Batch(Box::new(write.clone())));
        wal.append(&record).context("logging a batch")?;
        self.seq.store(seq, std::sync::atomic::Ordering::Relaxed);
        self.batch_queue.lock().push((seq, write));
        Ok(())
    }

    /// The sequence number of the last logged batch write the database holds.
    pub(super) fn batches_applied(&self) -> anyhow::Result<u64> {
        self.seq_in(L2_META, APPLIED_KEY)
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::B256;

    use super::*;
    use crate::persistence::records::BatchMark;

    fn mark(number: u64, prover: &str) -> BatchMark {
        BatchMark {
            number,
            first_block: number * 10,
            last_block: number * 10 + 9,
            last_block_hash: B256::repeat_byte(number as u8),
            prover: prover.into(),
            steps: vec![],
            hashes: None,
        }
    }

    /// The data dir's files as a killed process leaves them: copied while it is open.
    fn as_killed(from: &std::path::Path) -> tempfile::TempDir {
        let to = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), to.path().join(entry.file_name())).unwrap();
            }
        }
        to
    }

    #[test]
    fn logged_marks_survive_a_kill_and_are_applied_in_order_once() {
        let temp = tempfile::tempdir().unwrap();
        let dir = std::sync::Arc::new(DataDir::open(temp.path(), (270, 31337)).unwrap());
        let disk = dir.batches();
        // Checkpointed: in the database.
        disk.put(&mark(1, "")).unwrap();
        disk.put(&mark(2, "")).unwrap();
        dir.checkpoint().unwrap();
        // Logged only: batch 2 proven, 3 sealed, then dropped again, 4 sealed after it.
        disk.put(&mark(2, "mock")).unwrap();
        disk.put(&mark(3, "")).unwrap();
        disk.truncate(2).unwrap();
        disk.put(&mark(3, "again")).unwrap();
        assert!(!dir.wal.lock().is_empty(), "logged, not checkpointed");

        let killed = as_killed(temp.path());
        let reopened = DataDir::open_existing(killed.path()).unwrap();
        let want = vec![mark(1, ""), mark(2, "mock"), mark(3, "again")];
        assert_eq!(reopened.batch_marks().unwrap(), want);
        // Applied once: a second opening (the log emptied or skipped) reads the same.
        drop(reopened);
        let reopened = DataDir::open_existing(killed.path()).unwrap();
        assert_eq!(reopened.batch_marks().unwrap(), want);
        // And the running one reads them too (from the queue, written on the way).
        assert_eq!(dir.batch_marks().unwrap(), want);
    }
}
