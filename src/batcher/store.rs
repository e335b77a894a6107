//! Batches: what the batcher sealed and how far each got on L1. Written by the pipeline
//! stages, read by the RPC (`zks_getL1BatchDetails`, `safe` / `finalized`, log proofs).
//!
//! Two layers. A batch's status (bounds, hashes, progress on L1) is what the RPC answers from:
//! it is kept in the data dir and read back when the store opens, before the RPC answers, so a
//! restart never takes back a batch, a step or a `finalized` a client has seen. The batch itself
//! (state tree, logs, commit info: what the prover, the L1 sender and `zks_getProof` need) lives
//! in memory: after a restart the batcher builds the recorded ones after its tree checkpoint
//! again in the background (`checkpoint.rs`), sealing at their recorded bounds, and their
//! statuses stay as they are meanwhile. The batches up to the checkpoint are not built again:
//! their statuses answer, and what needs their blocks reads them from the chain store.

use std::sync::Arc;

use alloy_primitives::B256;
use parking_lot::RwLock;

pub(crate) use super::status::{BatchStatus, L1Stage};
use super::{Batch, checkpoint::TreeBase};
use crate::{
    abi::StoredBatchInfo,
    persistence::{data_dir::BatchesOnDisk, records::BatchMark},
    storage::ChainStore,
    tree::StateTree,
};

/// One L1 step of a batch: its tx and when it landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1Step {
    /// The L1 tx.
    pub tx: B256,
    /// Unix seconds when its receipt arrived.
    pub at: u64,
}

/// A sealed batch and its progress (only once the batcher has built it in this run).
#[derive(Debug, Clone)]
pub struct BatchRecord {
    /// The batch.
    pub batch: Arc<Batch>,
    /// Who proved it, once proven.
    pub prover: Option<String>,
    /// `commitBatchesSharedBridge`.
    pub commit: Option<L1Step>,
    /// `proveBatchesSharedBridge`.
    pub prove: Option<L1Step>,
    /// `executeBatchesSharedBridge`.
    pub execute: Option<L1Step>,
}

#[derive(Debug, Default)]
struct Inner {
    genesis: Option<StoredBatchInfo>,
    /// Status of batch `n` at index `n - 1`: every batch sealed, in this run or recorded before.
    statuses: Vec<BatchStatus>,
    /// The sealed batch the batcher started from in this run (0: genesis): the batches up to
    /// it are not built in this run.
    base_number: u64,
    /// That batch's tree and what the next one needs, until the next one is let go of its
    /// tree too (the prover and a rewind to it use it meanwhile).
    base: Option<Arc<TreeBase>>,
    /// Batch `base_number + n` at index `n - 1`, as far as the batcher has built them in this run
    /// (never more than `statuses`; after a restart it catches up in the background).
    built: Vec<Arc<Batch>>,
    /// The built batches before this index have let their trees go (or are not executed yet).
    trees_dropped: usize,
    /// Bumped when the batches are replaced (a loaded dump): the batcher starts over.
    generation: u64,
    /// Where the batcher started in this run, once it caught up with the chain.
    resumed: Option<TreeResume>,
    /// The batch whose tree the data dir keeps as the tree checkpoint, as this run last read
    /// or wrote it.
    checkpoint: Option<u64>,
}

/// Where the batcher started after a start (or a load) and how far it had to go: with a tree
/// checkpoint, only the blocks after it are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeResume {
    /// The batch whose tree it started from (0: genesis).
    pub from_batch: u64,
    /// The blocks it applied to reach the chain's head.
    pub blocks_applied: u64,
}

/// How many of the latest built batches keep their state trees whatever their progress (older
/// ones keep theirs until executed on L1).
pub(crate) const KEEP_TREES: usize = 64;

impl Inner {
    /// The number of the batch before the first built one.
    /// Index in `built` of batch `number`.
    fn built_index(&self, number: u64) -> Option<usize> {
        let i = number.checked_sub(self.base_number + 1)?;
        usize::try_from(i).ok()
    }

    /// Lets the trees of the executed batches older than the latest `KEEP_TREES` go. Batches
    /// execute in order, so this stops at the first one not executed yet.
    fn drop_old_trees(&mut self) {
        let keep_from = self.built.len().saturating_sub(KEEP_TREES);
        while self.trees_dropped < keep_from {
            let i = self.trees_dropped;
            let status = self.statuses.get(self.base_number as usize + i);
            if status.is_none_or(|s| s.execute.is_none()) {
                break;
            }
            if self.built[i].tree.is_some() {
                self.built[i] = Arc::new(self.built[i].without_tree());
            }
            if i == 0 {
                self.base = None;
            }
            self.trees_dropped += 1;
        }
    }
}

/// Every batch since genesis. Readers take the lock only to clone.
#[derive(Debug, Default)]
pub struct BatchStore {
    inner: RwLock<Inner>,
    /// Where batches are kept (`None`: in memory only).
    disk: Option<BatchesOnDisk>,
    /// For an L2 that settles on the Gateway: how many of its batches are executed in a Gateway
    /// block that is itself final (its batch executed on L1). `finalized` stops there. `None`:
    /// executed is final (on L1).
    final_on_l1: RwLock<Option<u64>>,
}

/// The statuses of marks, as far as they follow each other from batch 1.
fn statuses(marks: &[BatchMark]) -> Vec<BatchStatus> {
    marks
        .iter()
        .enumerate()
        .take_while(|(i, m)| m.number == *i as u64 + 1)
        .map(|(_, m)| BatchStatus::from_mark(m))
        .collect()
}

impl BatchStore {
    /// A store kept in the data dir, with the batches it already has: their statuses are
    /// answered from now on.
    pub fn persisted(disk: BatchesOnDisk) -> anyhow::Result<Self> {
        let statuses = statuses(&disk.marks()?);
        Ok(Self {
            inner: RwLock::new(Inner {
                statuses,
                ..Default::default()
            }),
            disk: Some(disk),
            final_on_l1: RwLock::new(None),
        })
    }

    /// How many batches are final on L1 through the Gateway (see `final_on_l1`).
    pub fn set_final_on_l1(&self, batches: u64) {
        *self.final_on_l1.write() = Some(batches);
    }

    /// Forgets every batch and takes these (a loaded image): the batcher builds them again.
    pub fn load(&self, marks: Vec<BatchMark>) {
        let mut inner = self.inner.write();
        inner.built.clear();
        inner.base_number = 0;
        inner.base = None;
        inner.trees_dropped = 0;
        inner.generation += 1;
        inner.statuses = statuses(&marks);
        if let Some(disk) = &self.disk {
            let result = disk.truncate(0).and_then(|()| {
                inner
                    .statuses
                    .iter()
                    .try_for_each(|s| disk.put(&s.to_mark()))
            });
            if let Err(err) = result {
                tracing::warn!("batches cannot be written to the data dir: {err:#}");
            }
        }
    }

    /// Keeps the batches whose blocks `chain` still has and drops the rest (the L2 went back,
    /// perhaps before a restart); returns how many it dropped.
    pub fn keep_on(&self, chain: &ChainStore) -> u64 {
        let head = chain.latest_number();
        let keep = {
            let inner = self.inner.read();
            inner
                .statuses
                .iter()
                .take_while(|s| {
                    s.last_block <= head && chain.block_hash(s.last_block) == s.last_block_hash
                })
                .count() as u64
        };
        let dropped = self.last_sealed().saturating_sub(keep);
        if dropped > 0 {
            self.truncate(keep);
        }
        dropped
    }

    /// Every batch's bounds and progress, in order (a dump).
    pub fn marks(&self) -> Vec<BatchMark> {
        self.inner
            .read()
            .statuses
            .iter()
            .map(BatchStatus::to_mark)
            .collect()
    }

    /// The last block of batch `number` as recorded earlier, if that batch started at
    /// `first_block`: the batcher seals there again.
    pub fn recorded_end(&self, number: u64, first_block: u64) -> Option<u64> {
        let status = self.status(number)?;
        (status.first_block == first_block).then_some(status.last_block)
    }

    /// Writes a status to the data dir.
    fn write(&self, status: &BatchStatus) {
        if let Some(disk) = &self.disk
            && let Err(err) = disk.put(&status.to_mark())
        {
            tracing::warn!(
                number = status.number,
                "batch cannot be written to the data dir: {err:#}"
            );
        }
    }

    /// Drops the statuses after batch `number` from the data dir.
    fn forget_after(&self, number: u64) {
        if let Some(disk) = &self.disk
            && let Err(err) = disk.truncate(number)
        {
            tracing::warn!("batches cannot be written to the data dir: {err:#}");
        }
    }

    /// Starts the batches built in this run after `base` (`None`: genesis): the batcher goes on
    /// from its tree.
    pub fn start_from(&self, base: Option<Arc<TreeBase>>) {
        let mut inner = self.inner.write();
        inner.built.clear();
        inner.trees_dropped = 0;
        inner.base_number = base.as_ref().map_or(0, |b| b.number);
        inner.base = base;
    }

    /// The sealed batch the batcher started from in this run (0: genesis): the batches up to
    /// it are not built in this run.
    pub fn base_number(&self) -> u64 {
        self.inner.read().base_number
    }

    /// The tree after that batch and what the next one needs, while it is kept.
    pub fn base(&self) -> Option<Arc<TreeBase>> {
        self.inner.read().base.clone()
    }

    /// The state tree after batch `number`, while it is kept.
    pub fn tree(&self, number: u64) -> Option<StateTree> {
        let inner = self.inner.read();
        match &inner.base {
            Some(base) if base.number == number => Some(base.tree.clone()),
            _ => inner.built.get(inner.built_index(number)?)?.tree.clone(),
        }
    }

    /// Records where the batcher started (once it caught up with the chain).
    pub fn set_resumed(&self, resumed: TreeResume) {
        self.inner.write().resumed = Some(resumed);
    }

    /// Where the batcher started in this run, once it caught up with the chain.
    pub fn resumed(&self) -> Option<TreeResume> {
        self.inner.read().resumed
    }

    /// Records the batch whose tree the data dir keeps (`None`: none).
    pub fn set_checkpoint(&self, number: Option<u64>) {
        self.inner.write().checkpoint = number;
    }

    /// The batch whose tree the data dir keeps as the tree checkpoint, as this run last read or
    /// wrote it (`None`: none, or it was dropped).
    pub fn checkpoint(&self) -> Option<u64> {
        self.inner.read().checkpoint
    }

    /// The data dir's part for batches (`None`: in memory only).
    pub fn disk(&self) -> Option<&BatchesOnDisk> {
        self.disk.as_ref()
    }

    /// Sets the genesis batch (number 0) that batch 1 follows.
    pub fn set_genesis(&self, genesis: StoredBatchInfo) {
        self.inner.write().genesis = Some(genesis);
    }

    /// The genesis batch, once the batcher has computed it.
    pub fn genesis(&self) -> Option<StoredBatchInfo> {
        self.inner.read().genesis.clone()
    }

    /// Which set of batches this is (it changes when a dump is loaded).
    pub fn generation(&self) -> u64 {
        self.inner.read().generation
    }

    /// Adds the next built batch, unless the batches were replaced since the batcher looked
    /// (`generation`); returns whether it was taken. A batch sealed again at recorded bounds
    /// keeps its recorded status; one that differs from the record replaces it and every later
    /// one.
    pub fn push(&self, batch: Arc<Batch>, generation: u64) -> bool {
        let mut inner = self.inner.write();
        if inner.generation != generation
            || inner.built_index(batch.number) != Some(inner.built.len())
        {
            return false;
        }
        let sealed = BatchStatus::sealed(&batch);
        let index = (batch.number - 1) as usize;
        match inner.statuses.get_mut(index) {
            Some(recorded)
                if recorded.first_block == sealed.first_block
                    && recorded.last_block == sealed.last_block
                    && recorded.last_block_hash == sealed.last_block_hash =>
            {
                if recorded.hashes != sealed.hashes {
                    if recorded.hashes.is_some() {
                        tracing::warn!(
                            number = batch.number,
                            "batch sealed again with other hashes than recorded"
                        );
                    }
                    recorded.hashes = sealed.hashes;
                    let recorded = recorded.clone();
                    self.write(&recorded);
                }
            }
            Some(_) => {
                inner.statuses.truncate(index);
                self.forget_after(index as u64);
                self.write(&sealed);
                inner.statuses.push(sealed);
            }
            None => {
                self.write(&sealed);
                inner.statuses.push(sealed);
            }
        }
        inner.built.push(batch);
        inner.drop_old_trees();
        true
    }

    /// Drops every batch after `number` (the L2 went back before them).
    pub fn truncate(&self, number: u64) {
        let mut inner = self.inner.write();
        if number < inner.base_number {
            // Back before the batch the batcher started from: it starts over.
            inner.base_number = 0;
            inner.base = None;
            inner.built.clear();
        }
        let built = inner.built_index(number + 1).unwrap_or(0);
        inner.built.truncate(built);
        inner.trees_dropped = inner.trees_dropped.min(built);
        inner.statuses.truncate(number as usize);
        self.forget_after(number);
    }

    /// Records who proved batch `number`.
    pub fn set_proven(&self, number: u64, prover: &str) {
        self.status_mut(number, |s| s.prover = Some(prover.to_string()));
    }

    /// Records an L1 step of batch `number`.
    pub fn set_l1(&self, number: u64, stage: L1Stage, step: L1Step) {
        self.status_mut(number, |s| *s.step_mut(stage) = Some(step));
    }

    /// Forgets the `stage` steps of batches after `last` (L1 went back: a revert or reset).
    pub fn clear_l1_after(&self, stage: L1Stage, last: u64) {
        let mut inner = self.inner.write();
        for status in inner.statuses.iter_mut().skip(last as usize) {
            if status.step_mut(stage).take().is_some() {
                self.write(status);
            }
        }
    }

    fn status_mut(&self, number: u64, f: impl FnOnce(&mut BatchStatus)) -> Option<()> {
        let mut inner = self.inner.write();
        let status = inner
            .statuses
            .get_mut(usize::try_from(number).ok()?.checked_sub(1)?)?;
        let before = status.clone();
        f(status);
        if *status != before {
            self.write(status);
        }
        Some(())
    }

    /// Batch `number` and its progress, once the batcher has built it in this run.
    pub fn get(&self, number: u64) -> Option<BatchRecord> {
        let inner = self.inner.read();
        let batch = inner.built.get(inner.built_index(number)?)?.clone();
        let status = inner
            .statuses
            .get(usize::try_from(number).ok()?.checked_sub(1)?)?;
        Some(BatchRecord {
            batch,
            prover: status.prover.clone(),
            commit: status.commit,
            prove: status.prove,
            execute: status.execute,
        })
    }

    /// Batch `number`'s status (from the data dir until the batcher has built it again).
    pub fn status(&self, number: u64) -> Option<BatchStatus> {
        let inner = self.inner.read();
        inner
            .statuses
            .get(usize::try_from(number).ok()?.checked_sub(1)?)
            .cloned()
    }

    /// Number of the last sealed batch (0: none yet), recorded ones included.
    pub fn last_sealed(&self) -> u64 {
        self.inner.read().statuses.len() as u64
    }

    /// Number of the last batch the batcher has built in this run, or started from (after a
    /// restart it catches up with `last_sealed`).
    pub fn last_built(&self) -> u64 {
        let inner = self.inner.read();
        inner.base_number + inner.built.len() as u64
    }

    /// The batch holding L2 block `block` (block 0 is in the genesis batch 0).
    pub fn batch_of_block(&self, block: u64) -> Option<u64> {
        if block == 0 {
            return Some(0);
        }
        let inner = self.inner.read();
        let i = inner.statuses.partition_point(|s| s.last_block < block);
        let status = inner.statuses.get(i)?;
        (status.first_block <= block).then_some(status.number)
    }

    /// The last batch that reached `stage` (0: none).
    pub fn last_at(&self, stage: L1Stage) -> u64 {
        let inner = self.inner.read();
        inner.statuses.partition_point(|s| s.step(stage).is_some()) as u64
    }

    /// Last L2 block of the last batch that reached `stage` (0: genesis); for `Execute` on an
    /// L2 that settles on the Gateway, of the last one whose execution is final on L1.
    pub fn last_block_at(&self, stage: L1Stage) -> u64 {
        let mut n = self.last_at(stage);
        if let (L1Stage::Execute, Some(last)) = (stage, *self.final_on_l1.read()) {
            n = n.min(last);
        }
        self.status(n).map_or(0, |s| s.last_block)
    }
}

#[cfg(test)]
mod tests {
    use alloy_rlp::{Decodable as _, Encodable as _, RlpEncodable};

    use super::*;
    use crate::persistence::{
        data_dir::DataDir,
        records::{BatchHashes, StepRecord},
    };

    fn mark(number: u64, blocks: std::ops::RangeInclusive<u64>, executed: bool) -> BatchMark {
        let step = |taken: bool| StepRecord {
            tx: B256::repeat_byte(number as u8),
            at: u64::from(taken) * 1_700_000_000,
        };
        BatchMark {
            number,
            first_block: *blocks.start(),
            last_block: *blocks.end(),
            last_block_hash: B256::repeat_byte(0xb0 + number as u8),
            prover: "mock".into(),
            steps: vec![step(true), step(executed), step(executed)],
            hashes: Some(BatchHashes {
                state_commitment: B256::repeat_byte(1),
                state_root: B256::repeat_byte(2),
                commitment: B256::repeat_byte(3),
            }),
        }
    }

    #[test]
    fn recorded_batches_are_answered_as_soon_as_the_store_opens_again() {
        let temp = tempfile::tempdir().unwrap();
        let dir = Arc::new(DataDir::open(temp.path(), (270, 31337)).unwrap());
        let store = BatchStore::persisted(dir.batches()).unwrap();
        store.load(vec![
            mark(1, 1..=10, true),
            mark(2, 11..=20, true),
            mark(3, 21..=30, false),
        ]);
        drop(store);

        // A restart: nothing built yet, everything recorded answered.
        let store = BatchStore::persisted(dir.batches()).unwrap();
        assert_eq!((store.last_sealed(), store.last_built()), (3, 0));
        assert_eq!(store.last_at(L1Stage::Commit), 3);
        assert_eq!(store.last_block_at(L1Stage::Commit), 30);
        assert_eq!(store.last_block_at(L1Stage::Execute), 20);
        assert_eq!(store.batch_of_block(15), Some(2));
        assert_eq!(store.batch_of_block(30), Some(3));
        assert_eq!(store.batch_of_block(31), None);
        assert_eq!(store.status(2).unwrap().to_mark(), mark(2, 11..=20, true));
        assert!(store.get(2).is_none(), "not built in this run");
        assert_eq!(store.marks().len(), 3);

        // Progress made before the batcher has built a batch again is kept too.
        let step = L1Step {
            tx: B256::repeat_byte(9),
            at: 1_700_000_100,
        };
        store.set_l1(3, L1Stage::Prove, step);
        store.set_l1(3, L1Stage::Execute, step);
        drop(store);
        let store = BatchStore::persisted(dir.batches()).unwrap();
        assert_eq!(store.last_block_at(L1Stage::Execute), 30);

        // L1 went back (a revert there): the steps after it go, and stay gone.
        store.clear_l1_after(L1Stage::Execute, 1);
        drop(store);
        let store = BatchStore::persisted(dir.batches()).unwrap();
        assert_eq!(store.last_at(L1Stage::Execute), 1);
        assert_eq!(store.last_at(L1Stage::Commit), 3);
    }

    #[test]
    fn a_mark_written_before_hashes_were_kept_still_reads() {
        /// A batch mark as zkos-dev wrote it before it kept the hashes.
        #[derive(RlpEncodable)]
        struct Before {
            number: u64,
            first_block: u64,
            last_block: u64,
            last_block_hash: B256,
            prover: String,
            steps: Vec<StepRecord>,
        }
        let now = mark(4, 31..=40, true);
        let before = Before {
            number: now.number,
            first_block: now.first_block,
            last_block: now.last_block,
            last_block_hash: now.last_block_hash,
            prover: now.prover.clone(),
            steps: now.steps.clone(),
        };
        let mut bytes = vec![];
        before.encode(&mut bytes);
        let read = BatchMark::decode(&mut bytes.as_slice()).unwrap();
        assert_eq!(
            read,
            BatchMark {
                hashes: None,
                ..now.clone()
            }
        );
        // Without hashes it is written as before.
        let mut again = vec![];
        read.encode(&mut again);
        assert_eq!(again, bytes);
        // With them it reads back whole.
        let mut whole = vec![];
        now.encode(&mut whole);
        assert_eq!(BatchMark::decode(&mut whole.as_slice()).unwrap(), now);
    }

    fn built(number: u64) -> Arc<Batch> {
        Arc::new(Batch {
            number,
            first_block: number,
            last_block: number,
            last_block_hash: B256::repeat_byte(number as u8),
            tx_count: 1,
            l1_txs: vec![],
            logs: vec![],
            interop_roots: vec![],
            multichain_root: B256::ZERO,
            tree: Some(crate::tree::StateTree::new()),
            commitment_preimage: Default::default(),
            commit_info: Default::default(),
            stored: Default::default(),
            prev: Default::default(),
            opened_at: std::time::Instant::now(),
            sealed_at: std::time::Instant::now(),
        })
    }

    #[test]
    fn executed_batches_let_their_trees_go_once_enough_newer_ones_are_sealed() {
        let store = BatchStore::default();
        let executed = L1Step {
            tx: B256::repeat_byte(1),
            at: 1_700_000_000,
        };
        let total = KEEP_TREES as u64 + 10;
        for number in 1..=total {
            assert!(store.push(built(number), 0));
            // Batches up to 5 are executed at once, the rest never.
            if number <= 5 {
                store.set_l1(number, L1Stage::Execute, executed);
            }
        }
        let kept = |n: u64| store.get(n).unwrap().batch.tree.is_some();
        assert!((1..=5).all(|n| !kept(n)), "executed and old: let go");
        assert!((6..=total).all(kept), "not executed, or among the latest");
        // Once executed, the next seal lets them go, down to the latest KEEP_TREES.
        for number in 6..=total {
            store.set_l1(number, L1Stage::Execute, executed);
        }
        assert!(store.push(built(total + 1), 0));
        let first_kept = total + 1 - KEEP_TREES as u64 + 1;
        assert!((1..first_kept).all(|n| !kept(n)));
        assert!((first_kept..=total + 1).all(kept));
    }

    #[test]
    fn batches_are_built_after_the_one_the_batcher_started_from() {
        let temp = tempfile::tempdir().unwrap();
        let dir = Arc::new(DataDir::open(temp.path(), (270, 31337)).unwrap());
        let store = BatchStore::persisted(dir.batches()).unwrap();
        store.load((1..=3).map(|n| mark(n, n..=n, true)).collect());
        let mut tree = crate::tree::StateTree::new();
        tree.apply(&[(B256::repeat_byte(1), B256::repeat_byte(2))]);
        store.start_from(Some(Arc::new(TreeBase {
            number: 2,
            last_block: 2,
            last_block_hash: B256::repeat_byte(0xb2),
            stored: Default::default(),
            tree: tree.clone(),
        })));
        assert_eq!((store.base_number(), store.last_built()), (2, 2));
        assert!(store.get(2).is_none() && store.get(1).is_none());
        assert_eq!(store.tree(2).map(|t| t.root()), Some(tree.root()));
        // Batch 1 or 2 again is not the next one; 3 is.
        assert!(!store.push(built(2), 1));
        assert!(store.push(built(3), 1));
        assert_eq!(store.last_built(), 3);
        assert!(store.get(3).is_some());
        // Back before it: the batcher starts over from genesis.
        store.truncate(1);
        assert_eq!((store.base_number(), store.last_built()), (0, 0));
        assert!(store.tree(2).is_none());
        assert!(store.push(built(1), 1));
    }
}
