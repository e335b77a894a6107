//! A batch's status: what is known of a sealed batch without its tree (bounds, hashes,
//! progress on L1), what the RPC answers and the data dir keeps as a `BatchMark`.

use alloy_primitives::B256;

use super::{Batch, store::L1Step};
use crate::persistence::records::{BatchHashes, BatchMark, StepRecord};

/// What is known of a sealed batch without its tree: what the RPC answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchStatus {
    /// Batch number.
    pub number: u64,
    /// Its first L2 block.
    pub first_block: u64,
    /// Its last L2 block.
    pub last_block: u64,
    /// Hash of its last block.
    pub last_block_hash: B256,
    /// Its hashes (`None`: recorded by an older zkos-dev, until the batcher seals it again).
    pub hashes: Option<BatchHashes>,
    /// Who proved it, once proven.
    pub prover: Option<String>,
    /// `commitBatchesSharedBridge`.
    pub commit: Option<L1Step>,
    /// `proveBatchesSharedBridge`.
    pub prove: Option<L1Step>,
    /// `executeBatchesSharedBridge`.
    pub execute: Option<L1Step>,
}

impl BatchStatus {
    /// A batch just sealed: no progress yet.
    pub(super) fn sealed(batch: &Batch) -> Self {
        Self {
            number: batch.number,
            first_block: batch.first_block,
            last_block: batch.last_block,
            last_block_hash: batch.last_block_hash,
            hashes: Some(BatchHashes {
                state_commitment: batch.commit_info.newStateCommitment,
                state_root: batch
                    .tree
                    .as_ref()
                    .map_or(B256::ZERO, crate::tree::StateTree::root),
                commitment: batch.stored.commitment,
            }),
            prover: None,
            commit: None,
            prove: None,
            execute: None,
        }
    }

    pub(super) fn from_mark(mark: &BatchMark) -> Self {
        let step = |i: usize| {
            mark.steps
                .get(i)
                .filter(|s| s.at > 0)
                .map(|s| L1Step { tx: s.tx, at: s.at })
        };
        Self {
            number: mark.number,
            first_block: mark.first_block,
            last_block: mark.last_block,
            last_block_hash: mark.last_block_hash,
            hashes: mark.hashes,
            prover: (!mark.prover.is_empty()).then(|| mark.prover.clone()),
            commit: step(0),
            prove: step(1),
            execute: step(2),
        }
    }

    pub(super) fn to_mark(&self) -> BatchMark {
        let step = |s: Option<L1Step>| {
            s.map_or(
                StepRecord {
                    tx: B256::ZERO,
                    at: 0,
                },
                |s| StepRecord {
                    tx: s.tx,
                    at: s.at.max(1),
                },
            )
        };
        BatchMark {
            number: self.number,
            first_block: self.first_block,
            last_block: self.last_block,
            last_block_hash: self.last_block_hash,
            prover: self.prover.clone().unwrap_or_default(),
            steps: vec![step(self.commit), step(self.prove), step(self.execute)],
            hashes: self.hashes,
        }
    }

    /// Its `stage` step, once taken.
    pub fn step(&self, stage: L1Stage) -> Option<L1Step> {
        match stage {
            L1Stage::Commit => self.commit,
            L1Stage::Prove => self.prove,
            L1Stage::Execute => self.execute,
        }
    }

    pub(super) fn step_mut(&mut self, stage: L1Stage) -> &mut Option<L1Step> {
        match stage {
            L1Stage::Commit => &mut self.commit,
            L1Stage::Prove => &mut self.prove,
            L1Stage::Execute => &mut self.execute,
        }
    }
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
