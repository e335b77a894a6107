//! Batcher: sealed blocks -> batches. `Batcher::run`: Chain (blocks) -> `Arc<Batch>` stream.
//!
//! It reads blocks from the chain store (the source of truth; events only wake it), applies
//! each block's writes to the state tree, and closes a batch by the seal criteria with
//! everything the L1 commit needs: state commitment, priority-ops hash, `l2LogsTreeRoot`,
//! DA commitment and `StoredBatchInfo`. It runs beside the sequencer, never in its way.
//! When the L2 goes back (revert, reset, reorg) it drops the batches past the new head and
//! goes on from the last one still on the chain. After a restart the recorded batches are
//! answered from the start (`restore`) while it builds again those after its tree checkpoint
//! (the tree after an executed batch, in the data dir: `checkpoint.rs`), or from genesis
//! without one.

mod batch;
pub(crate) mod checkpoint;
pub(crate) mod commitment;
mod open;
pub(crate) mod seal;
mod status;
pub(crate) mod store;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_primitives::B256;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

pub(crate) use batch::{Batch, BatchLog};
pub use store::TreeResume;
pub(crate) use store::{BatchRecord, BatchStore, KEEP_TREES, L1Stage, L1Step};

use crate::{
    abi::StoredBatchInfo,
    config::SealCriteria,
    events::{BatchStage, NodeEvent},
    storage::{ChainStore, StoredBlock, state::BlockWrites},
    tree::{StateCommitmentPreimage, StateTree, account_key, account_value, storage_key},
};
use checkpoint::{CheckpointWriter, TreeBase};
use commitment::{genesis_batch_info, stored_batch_info};
use open::{OpenBatch, block_fill};
pub(crate) use open::{block_logs, imported_roots, stored_from_blocks};
use seal::Fill;

/// How often an idle batcher checks whether the L2 went back.
const REWIND_CHECK: Duration = Duration::from_millis(100);

/// Closes batches. Its fields are its dependencies.
pub(crate) struct Batcher {
    /// Where blocks come from.
    pub chain: Arc<ChainStore>,
    /// Where sealed batches are recorded.
    pub batches: Arc<BatchStore>,
    /// When to seal.
    pub criteria: SealCriteria,
    /// The L2 chain id (part of the commitment).
    pub chain_id: u64,
    /// Wakes it (new blocks) and hears of its batches.
    pub events: broadcast::Sender<NodeEvent>,
}

/// Where the batcher is.
struct Cursor {
    /// The batch store's generation it follows.
    generation: u64,
    tree: StateTree,
    prev: StoredBatchInfo,
    next_block: u64,
    last_hash: B256,
    open: Option<OpenBatch>,
    /// Blocks applied since it was placed (how far a start had to go).
    applied: u64,
}

impl Batcher {
    /// Seals batches until `cancel` fires or the next stage is gone.
    pub(crate) async fn run(
        self,
        output: mpsc::Sender<Arc<Batch>>,
        cancel: CancellationToken,
    ) -> anyhow::Result<()> {
        let mut wake = self.events.subscribe();
        let (mut cursor, mut checkpoints) = self.start();
        let from_batch = cursor.prev.batchNumber;
        let mut caught_up = false;
        loop {
            if !self.catch_up(&mut cursor, &mut checkpoints, &output).await {
                return Ok(());
            }
            if !caught_up {
                caught_up = true;
                tracing::info!(
                    from_batch,
                    blocks_applied = cursor.applied,
                    "state tree caught up with the chain"
                );
                self.batches.set_resumed(TreeResume {
                    from_batch,
                    blocks_applied: cursor.applied,
                });
            }
            checkpoints.write(&self.batches, false).await;
            let deadline = cursor
                .open
                .as_ref()
                .map(|open| open.opened_at + self.criteria.timeout);
            if let Some(deadline) = deadline
                && Instant::now() >= deadline
            {
                if !self.seal(&mut cursor, &mut checkpoints, &output).await {
                    return Ok(());
                }
                continue;
            }
            tokio::select! {
                _ = cancel.cancelled() => {
                    // A clean stop: the next start goes on from the last executed batch.
                    checkpoints.write(&self.batches, true).await;
                    return Ok(());
                }
                event = wake.recv() => {
                    if let Err(broadcast::error::RecvError::Closed) = event {
                        return Ok(());
                    }
                }
                // Blocks wake it; the chain going back (a revert, a reset) sends none, so it
                // also looks now and then.
                _ = tokio::time::sleep_until(
                    deadline.unwrap_or_else(|| Instant::now() + REWIND_CHECK).into()
                ) => {}
            }
        }
    }

    /// Where a start begins: the tree checkpoint in the data dir if it can be used, else
    /// genesis; and the writer of the next checkpoints.
    fn start(&self) -> (Cursor, CheckpointWriter) {
        let disk = self.batches.disk().cloned();
        let base = disk
            .as_ref()
            .and_then(|disk| checkpoint::load(disk, &self.chain, &self.batches));
        self.batches.set_checkpoint(base.as_ref().map(|b| b.number));
        let checkpoints = CheckpointWriter::new(disk, base.as_ref());
        let cursor = match base {
            Some(base) => self.base_cursor(Arc::new(base)),
            None => self.genesis_cursor(),
        };
        (cursor, checkpoints)
    }

    /// The tree and batch 0 from the genesis block.
    fn genesis_cursor(&self) -> Cursor {
        if self.batches.base_number() > 0 {
            self.batches.start_from(None);
        }
        let genesis = self.chain.genesis();
        let (tree, prev) = genesis_batch(&self.chain);
        self.batches.set_genesis(prev.clone());
        Cursor {
            generation: self.batches.generation(),
            tree,
            prev,
            next_block: genesis.header.number + 1,
            last_hash: genesis.hash,
            open: None,
            applied: 0,
        }
    }

    /// The tree after `base`, which the batches up to it are not built again from.
    fn base_cursor(&self, base: Arc<TreeBase>) -> Cursor {
        self.batches.start_from(Some(base.clone()));
        Cursor {
            generation: self.batches.generation(),
            tree: base.tree.clone(),
            prev: base.stored.clone(),
            next_block: base.last_block + 1,
            last_hash: base.last_block_hash,
            open: None,
            applied: 0,
        }
    }

    /// What the state commitment after block `last` hashes besides the root of `tree`.
    fn commitment_preimage(&self, tree: &StateTree, last: &StoredBlock) -> StateCommitmentPreimage {
        commitment_preimage(&self.chain, tree, last)
    }

    /// Applies every block the chain has beyond the cursor, sealing full batches. Returns
    /// false when the next stage is gone.
    async fn catch_up(
        &self,
        cursor: &mut Cursor,
        checkpoints: &mut CheckpointWriter,
        output: &mpsc::Sender<Arc<Batch>>,
    ) -> bool {
        if cursor.generation != self.batches.generation() {
            // The batches were replaced (a loaded dump): seal them again from genesis.
            *cursor = self.genesis_cursor();
            checkpoints.rewound(0, &self.batches);
        }
        let executed = self.batches.last_at(L1Stage::Execute);
        if executed < self.batches.base_number() {
            // L1 went back before the batch this run started from: the L1 sender needs the
            // batches up to it again, so they are built again from genesis.
            *cursor = self.genesis_cursor();
        }
        let head = self.chain.latest();
        let applied = cursor.next_block - 1;
        let still_there = self.chain.block(applied).map(|b| b.hash) == Some(cursor.last_hash);
        if !still_there {
            self.rewind(cursor, checkpoints);
        }
        while cursor.next_block <= head.header.number {
            let Some(block) = self.chain.block(cursor.next_block) else {
                break;
            };
            let next = block_fill(&block);
            // A batch recorded before (a restart, a loaded image) is sealed at its bounds again,
            // whatever the criteria say now: L1 knows it by those bounds.
            let first = cursor
                .open
                .as_ref()
                .map_or(block.header.number, |open| open.first_block);
            if let Some(end) = self
                .batches
                .recorded_end(cursor.prev.batchNumber + 1, first)
            {
                self.apply(cursor, &block, next);
                if block.header.number >= end && !self.seal(cursor, checkpoints, output).await {
                    return false;
                }
                continue;
            }
            if let Some(open) = &cursor.open
                && self.criteria.would_overflow(&open.fill, &next)
                && !self.seal(cursor, checkpoints, output).await
            {
                return false;
            }
            self.apply(cursor, &block, next);
            let full = cursor
                .open
                .as_ref()
                .is_some_and(|open| self.criteria.is_full(&open.fill));
            if full && !self.seal(cursor, checkpoints, output).await {
                return false;
            }
        }
        true
    }

    /// Adds one block to the open batch (opening one if needed).
    fn apply(&self, cursor: &mut Cursor, block: &StoredBlock, fill: Fill) {
        let writes = keyed(&block.writes);
        cursor.tree.apply(&writes);
        cursor
            .open
            .get_or_insert_with(|| OpenBatch::new(block))
            .add(block, &writes, fill);
        cursor.next_block = block.header.number + 1;
        cursor.last_hash = block.hash;
        cursor.applied += 1;
    }

    /// Closes the open batch and hands it on. Returns false when the next stage is gone.
    async fn seal(
        &self,
        cursor: &mut Cursor,
        checkpoints: &mut CheckpointWriter,
        output: &mpsc::Sender<Arc<Batch>>,
    ) -> bool {
        let Some(mut open) = cursor.open.take() else {
            return true;
        };
        open.keys.sort_unstable();
        open.keys.dedup();
        checkpoints.sealed(cursor.prev.batchNumber + 1, std::mem::take(&mut open.keys));
        let last_block = cursor.next_block - 1;
        let Some(last) = self.chain.block(last_block) else {
            return true;
        };
        let commitment_preimage = self.commitment_preimage(&cursor.tree, &last);
        let multichain_root = commitment::multichain_root(|slot| {
            let key = crate::tree::storage_key(crate::tx::MESSAGE_ROOT, B256::from(slot));
            cursor.tree.get(&key).unwrap_or_default()
        });
        let commit_info = open.commit_info(
            cursor.prev.batchNumber + 1,
            commitment_preimage.commitment(cursor.tree.root()),
            last.header.timestamp,
            self.chain_id,
            multichain_root,
        );
        let stored = stored_batch_info(&commit_info);
        let batch = Arc::new(Batch {
            number: commit_info.batchNumber,
            first_block: open.first_block,
            last_block,
            last_block_hash: last.hash,
            tx_count: open.fill.txs,
            l1_txs: std::mem::take(&mut open.l1_txs),
            logs: std::mem::take(&mut open.logs),
            interop_roots: std::mem::take(&mut open.interop_roots),
            multichain_root,
            tree: Some(cursor.tree.clone()),
            commitment_preimage,
            commit_info,
            stored: stored.clone(),
            prev: std::mem::replace(&mut cursor.prev, stored),
            opened_at: open.opened_at,
            sealed_at: Instant::now(),
        });
        if !self.batches.push(batch.clone(), cursor.generation) {
            // The batches were replaced meanwhile: the next look starts over.
            return true;
        }
        if self
            .batches
            .get(batch.number)
            .is_some_and(|r| r.execute.is_some())
        {
            // Sealed again after a restart and already final on L1: nothing left to do.
            return true;
        }
        let _ = self.events.send(batch.event(
            BatchStage::Sealed,
            None,
            batch.sealed_at - batch.opened_at,
        ));
        output.send(batch).await.is_ok()
    }

    /// The L2 went back: keep the batches still on the chain, drop the rest and go on from
    /// the last one built (the open batch is rebuilt from the chain; recorded batches not built
    /// yet are sealed again at their bounds).
    fn rewind(&self, cursor: &mut Cursor, checkpoints: &mut CheckpointWriter) {
        let dropped = self.batches.keep_on(&self.chain);
        checkpoints.rewound(self.batches.last_sealed(), &self.batches);
        tracing::info!(
            kept = self.batches.last_sealed(),
            dropped,
            "L2 went back: batches after the new head are dropped"
        );
        let from = self
            .batches
            .get(self.batches.last_built())
            .map(|record| record.batch);
        // A batch whose tree is no longer kept: from the batch the batcher started from (whose
        // tree is), else from genesis, sealing at the recorded bounds.
        *cursor = match from.and_then(|batch| Some((batch.tree.clone()?, batch))) {
            Some((tree, batch)) => Cursor {
                generation: cursor.generation,
                tree,
                prev: batch.stored.clone(),
                next_block: batch.last_block + 1,
                last_hash: batch.last_block_hash,
                open: None,
                applied: 0,
            },
            None => match self.batches.base() {
                Some(base) => self.base_cursor(base),
                None => self.genesis_cursor(),
            },
        };
    }
}

/// What the RPC answers about batches before the batcher runs: batch 0, from the genesis block,
/// and the recorded batches `chain` still has. Called once the chain is open, before its RPC
/// answers.
pub(crate) fn restore(chain: &ChainStore, batches: &BatchStore) {
    batches.set_genesis(genesis_batch(chain).1);
    let dropped = batches.keep_on(chain);
    if dropped > 0 {
        // The node stopped after the L2 went back and before the batcher saw it.
        tracing::info!(
            dropped,
            "recorded batches past the chain's head are dropped"
        );
    }
}

/// The tree after the genesis block, and batch 0 as L1 stores it.
fn genesis_batch(chain: &ChainStore) -> (StateTree, StoredBatchInfo) {
    let genesis = chain.genesis();
    let mut tree = StateTree::new();
    tree.apply(&keyed(&genesis.writes));
    let commitment = commitment_preimage(chain, &tree, &genesis).commitment(tree.root());
    (tree, genesis_batch_info(commitment))
}

/// What the state commitment after block `last` hashes besides the root of `tree`.
fn commitment_preimage(
    chain: &ChainStore,
    tree: &StateTree,
    last: &StoredBlock,
) -> StateCommitmentPreimage {
    let number = last.header.number;
    let hashes = chain.hashes(number.saturating_sub(255), number);
    StateCommitmentPreimage::new(tree.leaf_count(), number, &hashes, last.header.timestamp)
}

/// A block's writes as tree keys and values, sorted by key (the tree's insertion order).
pub(crate) fn keyed(writes: &BlockWrites) -> Vec<(B256, B256)> {
    let mut out: Vec<(B256, B256)> = writes
        .accounts
        .iter()
        .map(|(address, leaf)| {
            let value = leaf
                .map(|l| account_value(l.nonce, l.balance, l.code_hash, l.code_len))
                .unwrap_or_default();
            (account_key(*address), value)
        })
        .chain(writes.slots.iter().map(|(address, slot, value)| {
            (storage_key(*address, B256::from(*slot)), B256::from(*value))
        }))
        .collect();
    out.sort_unstable_by_key(|(key, _)| *key);
    out.dedup_by_key(|(key, _)| *key);
    out
}
