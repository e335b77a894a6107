//! The data dir's write-ahead log (`storage::wal`): each block's persist operation
//! ([`PersistOp`]) is logged, then applied to the database without a sync; a checkpoint syncs
//! the database and empties the log; opening the data dir re-applies what the log holds.

use alloy_rlp::Decodable as _;
use anyhow::{Context as _, bail};
use redb::ReadableTable as _;

use super::{CODES, DataDir, Role, WAL_FILE, encode, refuse};
use crate::persistence::records::{self, SettingsRecord, WritesRecord};

/// One chain's persisted blocks as one operation: the write-ahead log's record.
#[derive(Debug, alloy_rlp::RlpEncodable, alloy_rlp::RlpDecodable)]
pub(super) struct PersistOp {
    /// 0: the L2, 1: the L1.
    pub(super) role: u8,
    /// Blocks from this number on are replaced by `blocks`.
    pub(super) from: u64,
    /// `blocks` start with a new genesis: every block goes, those before `from` too.
    pub(super) genesis: bool,
    pub(super) blocks: Vec<records::BlockRecord>,
    /// Codes the blocks and `pending` use that the database may lack, with their hashes.
    pub(super) code_hashes: Vec<alloy_primitives::B256>,
    pub(super) codes: Vec<alloy_primitives::Bytes>,
    /// Dev-method changes since the last block.
    pub(super) pending: WritesRecord,
    /// The next block's settings.
    pub(super) settings: SettingsRecord,
}

impl PersistOp {
    fn role(&self) -> anyhow::Result<Role> {
        match self.role {
            0 => Ok(Role::L2),
            1 => Ok(Role::L1),
            n => bail!("a logged write names chain {n}"),
        }
    }

    /// Applies it in `txn`: the same result however often it is applied.
    fn apply(&self, txn: &redb::WriteTransaction) -> anyhow::Result<()> {
        let role = self.role()?;
        let mut table = txn.open_table(role.blocks())?;
        match self.genesis {
            true => table.retain(|_, _| false)?,
            false => table.retain_in(self.from.., |_, _| false)?,
        }
        let mut codes = txn.open_table(CODES)?;
        for (hash, code) in self.code_hashes.iter().zip(&self.codes) {
            if codes.get(&hash.0)?.is_none() {
                codes.insert(&hash.0, code.as_ref())?;
            }
        }
        for record in &self.blocks {
            table.insert(record.header.number, encode(record).as_slice())?;
        }
        let mut meta = txn.open_table(role.meta())?;
        meta.insert("pending", encode(&self.pending).as_slice())?;
        meta.insert("settings", encode(&self.settings).as_slice())?;
        Ok(())
    }
}

impl DataDir {
    /// `--sync always`: sync each block's write instead of logging it and syncing in groups.
    pub fn set_sync_always(&self, always: bool) {
        self.sync_always
            .store(always, std::sync::atomic::Ordering::Relaxed);
    }

    /// Re-applies the operations a killed process logged after its last checkpoint, then
    /// checkpoints.
    pub(super) fn replay_wal(&self) -> anyhow::Result<()> {
        let mut wal = self.wal.lock();
        let records = wal.records()?;
        if records.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin_write()?;
        for record in &records {
            let op = PersistOp::decode(&mut record.as_slice()).map_err(|e| {
                refuse(
                    &self.path,
                    format!(
                        "its write-ahead log {WAL_FILE} holds a record this version cannot read ({e})"
                    ),
                )
            })?;
            op.apply(&txn)?;
        }
        txn.commit().context("re-applying the write-ahead log")?;
        wal.clear()?;
        tracing::info!(
            operations = records.len(),
            "blocks written after the last checkpoint re-applied from the write-ahead log"
        );
        Ok(())
    }

    /// Logs `op` and applies it to the database (synced only with `--sync always`).
    pub(super) fn write(&self, op: &PersistOp) -> anyhow::Result<()> {
        let always = self.sync_always.load(std::sync::atomic::Ordering::Relaxed);
        let mut wal = self.wal.lock();
        if !always {
            wal.append(&encode(op))?;
        }
        let mut txn = self.db.begin_write().context("starting a write")?;
        txn.set_durability(match always {
            true => redb::Durability::Immediate,
            false => redb::Durability::None,
        })?;
        op.apply(&txn)?;
        txn.commit().context("writing the block")?;
        Ok(())
    }

    /// Makes every write so far durable in the database and empties the write-ahead log
    /// (every `--sync-interval`, and when the data dir closes).
    pub fn checkpoint(&self) -> anyhow::Result<()> {
        let mut wal = self.wal.lock();
        if wal.is_empty() {
            return Ok(());
        }
        let mut txn = self.db.begin_write()?;
        txn.set_durability(redb::Durability::Immediate)?;
        txn.commit().context("a checkpoint")?;
        wal.clear()
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        // A clean close leaves nothing to re-apply.
        if let Err(err) = self.checkpoint() {
            tracing::warn!("the data dir's last checkpoint failed: {err:#}");
        }
    }
}
