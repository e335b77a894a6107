//! The data dir's write-ahead log (`storage::wal`) and group commit: each block's persist
//! operation ([`PersistOp`]) is logged (in the OS before its receipts show) and queued; a
//! checkpoint every `--checkpoint-interval` applies the queued operations to the database in one
//! synced write and empties the log, so the database's pages are written once per interval,
//! not once per block, and never on the sequencer's path; in between, the log itself is synced
//! every `--sync-interval`. Until then the archive reads the queued blocks from the queue.
//! Opening the data dir applies what the log holds that the database lacks (records carry
//! sequence numbers; the database keeps the last one it applied).

use std::sync::Arc;

use anyhow::{Context as _, bail};
use redb::ReadableDatabase as _;

use super::{
    DataDir, Role, WAL_FILE, batch_log,
    op::PersistOp,
    recent_txs::IndexChanges,
    refuse, tree_checkpoint,
    wal_record::{BlockInputs, Logged, LoggedBlock, from_record, record},
};
use crate::storage::StoredBlock;

/// A logged operation the database does not hold yet, with its blocks (the archive reads them
/// from here until it does).
#[derive(Debug)]
pub(super) struct Queued {
    seq: u64,
    /// Logged as a replay record (a restart replays it through the sequencer).
    light: bool,
    pub(super) op: PersistOp,
    pub(super) blocks: Vec<Arc<StoredBlock>>,
}

/// How many logged operations may wait for the database before the writer applies them itself
/// (the applier falling behind would otherwise let memory grow).
const MAX_QUEUED: usize = 4096;

/// A chain's meta key: the sequence number of its last logged operation the database holds.
const APPLIED_KEY: &str = "wal_applied";

impl DataDir {
    /// `--sync always`: sync each block's write instead of logging it and syncing in groups.
    pub fn set_sync_always(&self, always: bool) {
        self.sync_always
            .store(always, std::sync::atomic::Ordering::Relaxed);
    }

    /// The sequence number of the last logged operation of `role` the database holds.
    pub(super) fn applied_seq(&self, role: Role) -> anyhow::Result<u64> {
        self.seq_in(role.meta(), APPLIED_KEY)
    }

    /// The sequence number kept under `key` in `meta` (0: none).
    pub(super) fn seq_in(
        &self,
        meta: redb::TableDefinition<&str, &[u8]>,
        key: &str,
    ) -> anyhow::Result<u64> {
        let txn = self.db.begin_read()?;
        let meta = match txn.open_table(meta) {
            Ok(meta) => meta,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
            Err(err) => return Err(err.into()),
        };
        Ok(meta
            .get(key)?
            .and_then(|v| v.value().try_into().ok())
            .map_or(0, u64::from_be_bytes))
    }

    /// Reads what the log holds that the database lacks (after a killed process): each chain's
    /// latest blocks, logged one by one, are kept to be replayed through its sequencer
    /// ([`ChainOnDisk::logged_tail`]); anything before them and every other operation (the chain
    /// going back, a load, dev-method changes) is applied to the database now, in order.
    pub(super) fn replay_wal(&self) -> anyhow::Result<()> {
        let mut wal = self.wal.lock();
        let applied = [self.applied_seq(Role::L2)?, self.applied_seq(Role::L1)?];
        let batches_applied = self.batches_applied()?;
        let records = wal.records()?;
        let mut entries = Vec::with_capacity(records.len());
        let mut batch_writes = Vec::new();
        for record in &records {
            let (seq, logged) = from_record(record).map_err(|e| {
                refuse(
                    &self.path,
                    format!(
                        "its write-ahead log {WAL_FILE} holds a record this version cannot read ({e})"
                    ),
                )
            })?;
            if let Logged::Batch(write) = logged {
                if seq > batches_applied {
                    batch_writes.push((seq, *write));
                }
                continue;
            }
            let role = logged.role()?;
            if seq == 0 || seq > applied[role as usize] {
                entries.push((seq, role, logged));
            }
        }
        entries.sort_by_key(|(seq, _, _)| *seq);
        batch_writes.sort_by_key(|(seq, _)| *seq);
        if !batch_writes.is_empty() {
            let txn = self.write_txn()?;
            batch_log::apply_all(&txn, &batch_writes)?;
            txn.commit()
                .context("re-applying the write-ahead log's batches")?;
        }
        let last = (entries.iter().map(|(seq, _, _)| *seq))
            .chain(batch_writes.iter().map(|(seq, _)| *seq))
            .chain(applied)
            .chain([batches_applied])
            .max();
        self.seq
            .store(last.unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
        if entries.is_empty() {
            if !records.is_empty() {
                wal.clear()?;
            }
            return Ok(());
        }
        // Per chain, the blocks after its last other operation are replayed; that operation
        // and those before it are applied now.
        let mut tail = Vec::new();
        let mut now = Vec::new();
        for role in [Role::L2, Role::L1] {
            let mine: Vec<&(u64, Role, Logged)> =
                entries.iter().filter(|(_, r, _)| *r == role).collect();
            let mut split = mine.len();
            let mut blocks = Vec::new();
            while split > 0 {
                let (seq, _, logged) = mine[split - 1];
                match LoggedBlock::from_logged(*seq, logged)? {
                    Some(block) => blocks.push((role, block)),
                    None => break,
                }
                split -= 1;
            }
            tail.extend(blocks.into_iter().rev());
            for (seq, _, logged) in &mine[..split] {
                match logged {
                    Logged::Operation(op) => now.push((*seq, op)),
                    Logged::Batch(_) => unreachable!("left out above"),
                    // Whatever a chain logs after a block is logged once the block is synced.
                    Logged::Block(_) => {
                        return Err(refuse(
                            &self.path,
                            format!(
                                "its write-ahead log {WAL_FILE} holds a block record (number {seq}) before an operation that was to follow its sync"
                            ),
                        ));
                    }
                }
            }
        }
        now.sort_by_key(|(seq, _)| *seq);
        let txn = self.write_txn()?;
        let mut index = IndexChanges::default();
        for (_, op) in &now {
            op.apply(&txn, None, &mut index)?;
        }
        for role in [Role::L2, Role::L1] {
            let last = now
                .iter()
                .filter(|(_, op)| op.role().ok() == Some(role))
                .map(|(seq, _)| *seq)
                .max();
            if let Some(last) = last {
                txn.open_table(role.meta())?
                    .insert(APPLIED_KEY, last.to_be_bytes().as_slice())?;
            }
        }
        // Once all are applied: an early one may cut the chain short until a later one puts
        // it back, which must not take the tree checkpoint with it.
        tree_checkpoint::drop_if_off_chain(&txn)?;
        self.recent_txs
            .commit(txn, index)
            .context("re-applying the write-ahead log")?;
        if tail.is_empty() {
            wal.clear()?;
        }
        tracing::info!(
            applied = now.len(),
            to_replay = tail.len(),
            "operations logged after the last checkpoint: applied, and blocks to replay"
        );
        *self.tail.lock() = tail;
        Ok(())
    }

    /// Applies the logged blocks no sequencer replayed as they were logged (a data dir opened
    /// by a command, not a node), and empties the log, when they were logged whole; replay
    /// records need a sequencer, so they stay (and the chains are not read: see
    /// [`DataDir::unreplayed`]).
    pub(super) fn apply_logged(&self) -> anyhow::Result<()> {
        let mut tail = self.tail.lock();
        if tail.is_empty() || tail.iter().any(|(_, logged)| logged.op.is_none()) {
            return Ok(());
        }
        let _apply = self.apply.lock();
        let txn = self.write_txn()?;
        let mut index = IndexChanges::default();
        for (role, logged) in tail.iter() {
            if let Some(op) = &logged.op {
                op.apply(&txn, None, &mut index)?;
            }
            txn.open_table(role.meta())?
                .insert(APPLIED_KEY, logged.seq.to_be_bytes().as_slice())?;
        }
        tree_checkpoint::drop_if_off_chain(&txn)?;
        self.recent_txs
            .commit(txn, index)
            .context("applying the write-ahead log")?;
        tail.clear();
        self.wal.lock().clear()
    }

    /// Refuses to read the chains whole while the log holds blocks a killed node acknowledged
    /// and no sequencer replayed yet (they would be missing).
    pub(super) fn unreplayed(&self) -> anyhow::Result<()> {
        let count = self.tail.lock().len();
        if count > 0 {
            bail!(
                "data dir {} holds {count} blocks a killed node logged and did not write to its database yet: start it once (`zkos-dev start --data-dir {}`) to replay them, stop it, then try again",
                self.path.display(),
                self.path.display()
            );
        }
        Ok(())
    }

    /// Logs `op` (its `blocks` decoded): once this returns, a killed process keeps it. The
    /// database takes it at the next checkpoint, together with the others logged meanwhile (one
    /// write for many blocks); until then the archive reads its blocks from the queue. An
    /// operation that `rewrites` what the database holds (the chain going back, a new genesis,
    /// a whole state) is applied at once. `--sync always`: nothing is logged, and the
    /// database write is synced before this returns. `replayed`: the sequence number of the
    /// logged block `op` replays; it is not logged again, but written and synced at once.
    pub(super) fn write(
        &self,
        op: PersistOp,
        blocks: Vec<Arc<StoredBlock>>,
        rewrites: bool,
        replayed: Option<u64>,
    ) -> anyhow::Result<()> {
        let role = op.role()?;
        if let Some(seq) = replayed {
            let _apply = self.apply.lock();
            self.queue.lock().push(Arc::new(Queued {
                seq,
                light: false,
                op,
                blocks,
            }));
            self.apply_queued(redb::Durability::Immediate)?;
            // Replayed and written: the log's record is no longer needed.
            self.tail.lock().retain(|(_, logged)| logged.seq != seq);
            return Ok(());
        }
        if self.sync_always.load(std::sync::atomic::Ordering::Relaxed) {
            let _apply = self.apply.lock();
            self.apply_queued(redb::Durability::Immediate)?;
            let txn = self.write_txn().context("starting a write")?;
            let mut index = IndexChanges::default();
            op.apply(&txn, Some(&blocks), &mut index)?;
            if role == Role::L2 {
                tree_checkpoint::drop_if_off_chain(&txn)?;
            }
            self.recent_txs
                .commit(txn, index)
                .context("writing the block")?;
            return Ok(());
        }
        // One new block is logged as its replay record; anything else whole.
        let light = op.blocks.is_empty() && blocks.len() == 1 && op.hashes.len() == 1;
        let logged = match light {
            true => Logged::Block(Box::new(BlockInputs::of(
                role,
                &blocks[0],
                op.next_l1_txs[0],
                op.settings,
            ))),
            false => {
                // A restart replays a chain's blocks only after its last other operation:
                // those logged before this one must be in the database first.
                let unsynced_blocks = self
                    .queue
                    .lock()
                    .iter()
                    .any(|q| q.light && q.op.role == role as u8);
                if unsynced_blocks {
                    let _apply = self.apply.lock();
                    self.apply_queued(redb::Durability::Immediate)?;
                }
                Logged::Operation(Box::new(op.clone()))
            }
        };
        let waiting = {
            let mut wal = self.wal.lock();
            let seq = self.seq.load(std::sync::atomic::Ordering::Relaxed) + 1;
            wal.append(&record(seq, &logged))
                .context("writing the block")?;
            self.seq.store(seq, std::sync::atomic::Ordering::Relaxed);
            let mut queue = self.queue.lock();
            queue.push(Arc::new(Queued {
                seq,
                light,
                op,
                blocks,
            }));
            queue.len()
        };
        if rewrites || waiting >= MAX_QUEUED {
            let _apply = self.apply.lock();
            self.apply_queued(redb::Durability::None)?;
        }
        Ok(())
    }

    /// Writes the queued operations to the database now, not synced: for a write that stands on
    /// the blocks they hold (its own synced commit makes them durable with it).
    pub(super) fn apply_queue(&self) -> anyhow::Result<()> {
        let _apply = self.apply.lock();
        self.apply_queued(redb::Durability::None)
    }

    /// Applies the queued operations in one write (the caller holds `apply`).
    fn apply_queued(&self, durability: redb::Durability) -> anyhow::Result<()> {
        let queued: Vec<Arc<Queued>> = self.queue.lock().clone();
        let batch_writes = self.batch_queue.lock().clone();
        let sync = matches!(durability, redb::Durability::Immediate);
        if queued.is_empty() && batch_writes.is_empty() && !sync {
            return Ok(());
        }
        // A state tree checkpoint goes with a synced write only (it is never ahead of what a
        // power loss keeps).
        let tree = sync.then(|| self.tree_write.lock().take()).flatten();
        let started = std::time::Instant::now();
        let mut txn = self.write_txn().context("starting a write")?;
        txn.set_durability(durability)?;
        let mut last = [None, None];
        let mut index = IndexChanges::default();
        for queued in &queued {
            queued.op.apply(&txn, Some(&queued.blocks), &mut index)?;
            let role = queued.op.role()? as usize;
            last[role] = last[role].max(Some(queued.seq));
        }
        if last[Role::L2 as usize].is_some() {
            tree_checkpoint::drop_if_off_chain(&txn)?;
        }
        for role in [Role::L2, Role::L1] {
            if let Some(seq) = last[role as usize] {
                txn.open_table(role.meta())?
                    .insert(APPLIED_KEY, seq.to_be_bytes().as_slice())?;
            }
        }
        batch_log::apply_all(&txn, &batch_writes)?;
        let tree_written = tree.as_ref().map(|tree| tree.write(&txn)).transpose()?;
        // Before the blocks leave the queue: a reader finds them in one or the other.
        self.recent_txs
            .commit(txn, index)
            .context("writing the blocks")?;
        if let (Some(tree), Some(written)) = (tree, tree_written) {
            tree.finish(written);
        }
        tracing::debug!(
            operations = queued.len(),
            blocks = queued.iter().map(|q| q.blocks.len()).sum::<usize>(),
            txs = queued
                .iter()
                .flat_map(|q| &q.blocks)
                .map(|b| b.txs.len())
                .sum::<usize>(),
            synced = sync,
            elapsed_ms = started.elapsed().as_millis() as u64,
            thread = std::thread::current().name().unwrap_or("?"),
            "queued operations written to the database"
        );
        self.queue.lock().drain(..queued.len());
        self.batch_queue.lock().drain(..batch_writes.len());
        if !sync {
            self.unsynced
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }

    /// The logged operations of `role` the database does not hold yet, oldest first.
    pub(super) fn queued(&self, role: u8) -> Vec<Arc<Queued>> {
        self.queue
            .lock()
            .iter()
            .filter(|q| q.op.role == role)
            .cloned()
            .collect()
    }

    /// Whether so many operations wait for the database that it should take them now (before
    /// the writer must: [`MAX_QUEUED`]).
    pub fn queue_is_long(&self) -> bool {
        self.queue.lock().len() >= MAX_QUEUED / 2
    }

    /// Makes the records logged so far survive a power loss (every `--sync-interval` between
    /// checkpoints): the log is synced, the database is not written.
    pub fn sync_log(&self) -> anyhow::Result<()> {
        let file = self.wal.lock().active_file()?;
        file.sync_data().context("syncing the write-ahead log")
    }

    /// Makes every write so far durable in the database and empties the write-ahead log
    /// (every `--checkpoint-interval`, before the database is read whole, and when the data dir
    /// closes). New blocks are logged meanwhile: the log's other segment takes them.
    pub fn checkpoint(&self) -> anyhow::Result<()> {
        let _apply = self.apply.lock();
        // The log holds blocks no sequencer has replayed yet (a start under way): it stays.
        let replayed = self.tail.lock().is_empty();
        let rotated = replayed && self.wal.lock().rotate();
        let unsynced = self.unsynced.load(std::sync::atomic::Ordering::Relaxed);
        if !rotated
            && !unsynced
            && self.queue.lock().is_empty()
            && self.batch_queue.lock().is_empty()
            && self.tree_write.lock().is_none()
        {
            return Ok(());
        }
        let started = std::time::Instant::now();
        self.apply_queued(redb::Durability::Immediate)
            .context("a checkpoint")?;
        crate::metrics::checkpointed(started.elapsed());
        self.unsynced
            .store(false, std::sync::atomic::Ordering::Relaxed);
        if rotated {
            self.wal.lock().clear_inactive()?;
        }
        Ok(())
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        // A clean close leaves nothing to re-apply, and seals the file.
        let clean = match self.checkpoint() {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!("the data dir's last checkpoint failed: {err:#}");
                false
            }
        };
        self.close_and_seal(clean);
    }
}
