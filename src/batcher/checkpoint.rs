//! State tree checkpoint: the tree after a batch executed on L1, kept in the data dir, so that
//! a restart applies only the blocks after it. `load`: data dir -> the batch the batcher starts
//! from; `CheckpointWriter`: executed batches -> the data dir, the leaves changed since the
//! checkpoint before (see `persistence::data_dir` `tree_checkpoint.rs` for how it is kept).
//!
//! Only an executed batch is a checkpoint: the batches after it, which the prover and the L1
//! sender may still need, are built again at start, with their trees. Those up to it are not:
//! their statuses answer, and what the RPC computes from their blocks (log proofs) reads the
//! blocks.

use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant},
};

use alloy_primitives::B256;
use alloy_sol_types::SolValue as _;

use super::BatchStore;
use crate::{
    abi::StoredBatchInfo,
    persistence::data_dir::{
        BatchesOnDisk, StoredLeaf, StoredTree, TreeCheckpointRecord, TreeWritten,
    },
    storage::ChainStore,
    tree::StateTree,
};

/// How often, at most, a checkpoint is handed to the data dir while batches execute (and once
/// more at a clean stop).
const INTERVAL: Duration = Duration::from_secs(1);

/// A sealed batch's tree and what the batch after it needs: where the batcher starts when it
/// does not build the batches up to it again.
#[derive(Debug, Clone)]
pub struct TreeBase {
    /// The batch.
    pub number: u64,
    /// Its last block.
    pub last_block: u64,
    /// That block's hash.
    pub last_block_hash: B256,
    /// The batch as L1 stores it (the next one's `prev`).
    pub stored: StoredBatchInfo,
    /// The state tree after it.
    pub tree: StateTree,
}

/// The checkpoint in the data dir, if it is one the batcher can start from: its batch is
/// recorded, executed on L1, its last block still on the chain, and its tree has the root it
/// was written with. Anything else is logged and the tree is built from genesis.
pub(super) fn load(
    disk: &BatchesOnDisk,
    chain: &ChainStore,
    batches: &BatchStore,
) -> Option<TreeBase> {
    let StoredTree { record, leaves } = match disk.tree_checkpoint() {
        Ok(Some(found)) => found,
        Ok(None) => return None,
        Err(err) => {
            tracing::warn!(
                "state tree checkpoint not used: {err:#}; the tree is rebuilt from genesis"
            );
            return None;
        }
    };
    match check(&record, leaves, chain, batches) {
        Ok(base) => Some(base),
        Err(why) => {
            tracing::info!(
                batch = record.batch,
                "state tree checkpoint not used: {why}; the tree is rebuilt from genesis"
            );
            None
        }
    }
}

fn check(
    record: &TreeCheckpointRecord,
    leaves: Vec<(B256, B256)>,
    chain: &ChainStore,
    batches: &BatchStore,
) -> Result<TreeBase, &'static str> {
    if record.last_block > chain.latest_number()
        || chain.block_hash(record.last_block) != record.last_block_hash
    {
        return Err("its block is no longer on the chain");
    }
    let status = batches
        .status(record.batch)
        .filter(|s| {
            s.last_block == record.last_block && s.last_block_hash == record.last_block_hash
        })
        .ok_or("its batch is not recorded")?;
    if status.execute.is_none() {
        return Err("its batch is not executed on L1");
    }
    let stored = StoredBatchInfo::abi_decode(&record.stored).map_err(|_| "it is damaged")?;
    if let Some(hashes) = status.hashes
        && (hashes.state_root != record.root || hashes.commitment != stored.commitment)
    {
        return Err("it is not the recorded batch's");
    }
    let tree = StateTree::from_leaves(leaves).ok_or("its leaves are not a tree")?;
    if tree.root() != record.root {
        return Err("its leaves do not hash to its root");
    }
    Ok(TreeBase {
        number: record.batch,
        last_block: record.last_block,
        last_block_hash: record.last_block_hash,
        stored,
        tree,
    })
}

/// Writes the tree checkpoint as batches execute: the leaves the batches since the last one
/// changed, or the whole tree when there is no checkpoint to build on. A checkpoint is handed to
/// the data dir, whose next checkpoint writes it with the blocks it stands on (one synced
/// write, off the runtime's workers); the batcher goes on meanwhile and takes the answer at a
/// later turn.
pub(super) struct CheckpointWriter {
    disk: Option<BatchesOnDisk>,
    /// The checkpoint on disk this run's keys build on: its batch and last block hash.
    on_disk: Option<(u64, B256)>,
    /// The tree keys each batch sealed after it wrote.
    written: BTreeMap<u64, Vec<B256>>,
    /// When the last one was handed over.
    last: Option<Instant>,
    /// The one handed over and not answered yet.
    waiting: Option<Waiting>,
    /// How often the chain went back: an answer to a checkpoint handed over before is not
    /// taken as the one this run builds on.
    rewinds: u64,
}

/// A checkpoint handed to the data dir.
struct Waiting {
    batch: u64,
    last_block_hash: B256,
    /// Built on the one on disk (else whole).
    on_top: bool,
    leaves: usize,
    rewinds: u64,
    written: TreeWritten,
}

impl CheckpointWriter {
    /// A writer to `disk` (`None`: nothing is written), after the checkpoint the batcher
    /// started from.
    pub(super) fn new(disk: Option<BatchesOnDisk>, base: Option<&TreeBase>) -> Self {
        Self {
            disk,
            on_disk: base.map(|b| (b.number, b.last_block_hash)),
            written: BTreeMap::new(),
            last: None,
            waiting: None,
            rewinds: 0,
        }
    }

    /// The checkpoint on disk this run builds on: its batch (0: none).
    fn done(&self) -> u64 {
        self.on_disk.map_or(0, |(number, _)| number)
    }

    /// Batch `number` was sealed, writing these tree keys.
    pub(super) fn sealed(&mut self, number: u64, keys: Vec<B256>) {
        if self.disk.is_some() {
            self.written.insert(number, keys);
        }
    }

    /// The batches after `kept` are gone (the L2 went back, or `0`: the batches were
    /// replaced); the data dir drops a checkpoint whose block went with them.
    pub(super) fn rewound(&mut self, kept: u64, batches: &BatchStore) {
        self.rewinds += 1;
        self.written.split_off(&(kept + 1));
        if self.done() > kept {
            self.on_disk = None;
            batches.set_checkpoint(None);
        }
    }

    /// Hands the tree after the last executed batch built in this run to the data dir, if it
    /// is newer than the checkpoint and `INTERVAL` has passed since the last one (or `now`: a
    /// clean stop, which waits until it is written).
    pub(super) async fn write(&mut self, batches: &BatchStore, now: bool) {
        let Some(disk) = self.disk.clone() else {
            return;
        };
        if !self.answered(batches, now).await {
            return;
        }
        let target = batches
            .last_at(super::L1Stage::Execute)
            .min(batches.last_built());
        if target <= self.done() || (!now && self.last.is_some_and(|t| t.elapsed() < INTERVAL)) {
            return;
        }
        // Its tree is let go once enough newer batches are sealed: a later one will do.
        let Some(after) = tree_after(batches, target) else {
            return;
        };
        let tree = &after.tree;
        let record = TreeCheckpointRecord {
            batch: target,
            last_block: after.last_block,
            last_block_hash: after.last_block_hash,
            stored: after.stored.abi_encode().into(),
            root: tree.root(),
            leaf_count: tree.leaf_count(),
        };
        let changed = self.on_disk.and_then(|base| {
            let keys: Option<BTreeSet<B256>> = (base.0 + 1..=target)
                .map(|n| self.written.get(&n))
                .try_fold(BTreeSet::new(), |mut all, keys| {
                    all.extend(keys?);
                    Some(all)
                });
            Some((base, changed_leaves(tree, &keys?)))
        });
        self.last = Some(Instant::now());
        // No checkpoint to build on (none yet, or the chain went back below it): whole.
        let (base, leaves) = match changed {
            Some((base, leaves)) => (Some(base), leaves),
            None => (
                None,
                (0..)
                    .zip(tree.leaves())
                    .map(|(i, (k, v))| (i, k, v))
                    .collect(),
            ),
        };
        self.waiting = Some(Waiting {
            batch: target,
            last_block_hash: after.last_block_hash,
            on_top: base.is_some(),
            leaves: leaves.len(),
            rewinds: self.rewinds,
            written: disk.queue_tree_checkpoint(record, base, leaves),
        });
        if now {
            self.answered(batches, true).await;
        }
    }

    /// Takes the answer to the checkpoint handed over, if any (`now`: checkpoints the data dir
    /// and waits for it). False: it is still waiting.
    async fn answered(&mut self, batches: &BatchStore, now: bool) -> bool {
        use tokio::sync::oneshot::error::TryRecvError;
        let Some(waiting) = self.waiting.as_mut() else {
            return true;
        };
        let answer = match waiting.written.try_recv() {
            Ok(answer) => Some(answer),
            Err(TryRecvError::Closed) => None,
            Err(TryRecvError::Empty) if !now => return false,
            Err(TryRecvError::Empty) => {
                let disk = self
                    .disk
                    .clone()
                    .expect("a checkpoint waits only with a data dir");
                if let Ok(Err(err)) = tokio::task::spawn_blocking(move || disk.checkpoint()).await {
                    tracing::warn!("the data dir's checkpoint failed: {err:#}");
                }
                (&mut waiting.written).await.ok()
            }
        };
        let waiting = self.waiting.take().expect("checked above");
        match answer {
            Some(Ok(true)) if waiting.rewinds == self.rewinds => {
                tracing::debug!(
                    batch = waiting.batch,
                    leaves = waiting.leaves,
                    "state tree checkpoint written"
                );
                self.on_disk = Some((waiting.batch, waiting.last_block_hash));
                self.written = self.written.split_off(&(waiting.batch + 1));
                batches.set_checkpoint(Some(waiting.batch));
            }
            // Written before the chain went back: the next one is whole.
            Some(Ok(true)) => self.on_disk = None,
            // The checkpoint on disk is not the one it built on: the next one is whole, now.
            // (Or its block left the chain meanwhile: the batcher is about to see it.)
            Some(Ok(false)) if waiting.on_top => {
                self.on_disk = None;
                self.last = None;
            }
            Some(Ok(false)) => {}
            Some(Err(err)) => {
                tracing::warn!("the state tree checkpoint cannot be written: {err:#}")
            }
            // The data dir's write failed (it warned); tried again after `INTERVAL`.
            None => {}
        }
        true
    }
}

/// Batch `number`'s tree and what the batch after it needs, while its tree is kept (a batch
/// built in this run, or the one it started from).
fn tree_after(batches: &BatchStore, number: u64) -> Option<TreeBase> {
    if let Some(record) = batches.get(number) {
        let batch = record.batch;
        return Some(TreeBase {
            number,
            last_block: batch.last_block,
            last_block_hash: batch.last_block_hash,
            stored: batch.stored.clone(),
            tree: batch.tree.clone()?,
        });
    }
    batches
        .base()
        .filter(|base| base.number == number)
        .map(|base| (*base).clone())
}

/// The leaves of `tree` holding `keys` (a key written to zero where it had no leaf has none).
fn changed_leaves(tree: &StateTree, keys: &BTreeSet<B256>) -> Vec<StoredLeaf> {
    keys.iter()
        .filter_map(|key| tree.leaf(key).map(|(index, value)| (index, *key, value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use alloy_primitives::keccak256;

    use super::*;

    /// A block's writes: new keys, updates of earlier ones, and a zero to a key never written.
    fn block(round: u8, block: u8) -> Vec<(B256, B256)> {
        let key = |i: u8| keccak256([i]);
        let value = |i: u8| B256::repeat_byte(round.wrapping_mul(7).wrapping_add(block) | i | 1);
        let mut writes = vec![
            (key(round * 10 + block), value(1)),
            (key(block), value(2)),
            (keccak256([0xee, round, block]), B256::ZERO),
        ];
        writes.sort_unstable_by_key(|(key, _)| *key);
        writes.dedup_by_key(|(key, _)| *key);
        writes
    }

    #[test]
    fn the_leaves_changed_since_a_checkpoint_bring_it_to_the_next_one() {
        let mut tree = StateTree::new();
        tree.apply(&block(0, 0));
        // The checkpoint as stored: leaf index -> key and value.
        let mut stored: BTreeMap<u64, (B256, B256)> = (0..).zip(tree.leaves()).collect();
        for round in 1..6 {
            let mut keys = BTreeSet::new();
            for b in 0..3 {
                let writes = block(round, b);
                tree.apply(&writes);
                keys.extend(writes.iter().map(|(key, _)| *key));
            }
            for (index, key, value) in changed_leaves(&tree, &keys) {
                stored.insert(index, (key, value));
            }
            assert_eq!(stored.len() as u64, tree.leaf_count());
            let read = StateTree::from_leaves(stored.values().copied()).expect("a tree");
            assert_eq!(read.root(), tree.root(), "round {round}");
        }
    }
}
