//! Batches: what the batcher sealed and how far each got on L1. Written by the pipeline
//! stages, read by the RPC (`zks_getL1BatchDetails`, `safe` / `finalized`, log proofs).

use std::sync::Arc;

use alloy_primitives::B256;
use parking_lot::RwLock;

use crate::{batcher::Batch, l1::contracts::StoredBatchInfo};

/// One L1 step of a batch: its tx and when it landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1Step {
    /// The L1 tx.
    pub tx: B256,
    /// Unix seconds when its receipt arrived.
    pub at: u64,
}

/// A sealed batch and its progress.
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

/// A stage a batch reached on L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L1Stage {
    /// Committed.
    Commit,
    /// Proven on L1.
    Prove,
    /// Executed: final.
    Execute,
}

#[derive(Debug, Default)]
struct Inner {
    genesis: Option<StoredBatchInfo>,
    /// Batch `n` at index `n - 1`.
    batches: Vec<BatchRecord>,
}

/// Every batch since genesis. Readers take the lock only to clone.
#[derive(Debug, Default)]
pub struct BatchStore {
    inner: RwLock<Inner>,
}

impl BatchStore {
    /// Sets the genesis batch (number 0) that batch 1 follows.
    pub fn set_genesis(&self, genesis: StoredBatchInfo) {
        self.inner.write().genesis = Some(genesis);
    }

    /// The genesis batch, once the batcher has computed it.
    pub fn genesis(&self) -> Option<StoredBatchInfo> {
        self.inner.read().genesis.clone()
    }

    /// Adds the next sealed batch.
    pub fn push(&self, batch: Arc<Batch>) {
        let mut inner = self.inner.write();
        debug_assert_eq!(batch.number as usize, inner.batches.len() + 1);
        inner.batches.push(BatchRecord {
            batch,
            prover: None,
            commit: None,
            prove: None,
            execute: None,
        });
    }

    /// Drops every batch after `number` (the L2 went back before them).
    pub fn truncate(&self, number: u64) {
        self.inner.write().batches.truncate(number as usize);
    }

    /// Records who proved batch `number`.
    pub fn set_proven(&self, number: u64, prover: &str) {
        self.record_mut(number, |r| r.prover = Some(prover.to_string()));
    }

    /// Records an L1 step of batch `number`.
    pub fn set_l1(&self, number: u64, stage: L1Stage, step: L1Step) {
        self.record_mut(number, |r| match stage {
            L1Stage::Commit => r.commit = Some(step),
            L1Stage::Prove => r.prove = Some(step),
            L1Stage::Execute => r.execute = Some(step),
        });
    }

    /// Forgets the `stage` steps of batches after `last` (L1 went back: a revert or reset).
    pub fn clear_l1_after(&self, stage: L1Stage, last: u64) {
        let mut inner = self.inner.write();
        for record in inner.batches.iter_mut().skip(last as usize) {
            match stage {
                L1Stage::Commit => record.commit = None,
                L1Stage::Prove => record.prove = None,
                L1Stage::Execute => record.execute = None,
            }
        }
    }

    fn record_mut(&self, number: u64, f: impl FnOnce(&mut BatchRecord)) -> Option<()> {
        let mut inner = self.inner.write();
        let record = inner
            .batches
            .get_mut(usize::try_from(number).ok()?.checked_sub(1)?)?;
        f(record);
        Some(())
    }

    /// Batch `number` and its progress.
    pub fn get(&self, number: u64) -> Option<BatchRecord> {
        let inner = self.inner.read();
        inner
            .batches
            .get(usize::try_from(number).ok()?.checked_sub(1)?)
            .cloned()
    }

    /// Number of the last sealed batch (0: none yet).
    pub fn last_sealed(&self) -> u64 {
        self.inner.read().batches.len() as u64
    }

    /// The batch holding L2 block `block` (block 0 is in the genesis batch 0).
    pub fn batch_of_block(&self, block: u64) -> Option<u64> {
        if block == 0 {
            return Some(0);
        }
        let inner = self.inner.read();
        let i = inner
            .batches
            .partition_point(|r| r.batch.last_block < block);
        let record = inner.batches.get(i)?;
        (record.batch.first_block <= block).then_some(record.batch.number)
    }

    /// The last batch that reached `stage` (0: none).
    pub fn last_at(&self, stage: L1Stage) -> u64 {
        let inner = self.inner.read();
        let reached = |r: &BatchRecord| match stage {
            L1Stage::Commit => r.commit.is_some(),
            L1Stage::Prove => r.prove.is_some(),
            L1Stage::Execute => r.execute.is_some(),
        };
        inner.batches.partition_point(reached) as u64
    }

    /// Last L2 block of the last batch that reached `stage` (0: genesis).
    pub fn last_block_at(&self, stage: L1Stage) -> u64 {
        let n = self.last_at(stage);
        self.get(n).map(|r| r.batch.last_block).unwrap_or(0)
    }
}
