//! Batches: what the batcher seals (`Batch`, with its L2->L1 logs `BatchLog`), as the prover,
//! the L1 sender and the RPC read them.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_primitives::B256;

use crate::{
    abi::{CommitBatchInfoZKsyncOS, InteropRoot, StoredBatchInfo},
    events::{BatchEvent, BatchStage, NodeEvent},
    tree::{StateCommitmentPreimage, StateTree},
    tx::L2ToL1Log,
};

/// One L2->L1 log of a batch, where it came from and where it sits in the logs tree.
#[derive(Debug, Clone)]
pub struct BatchLog {
    /// The tx that sent it.
    pub tx_hash: B256,
    /// Its index among that tx's L2->L1 logs.
    pub index_in_tx: usize,
    /// The log (its tx number is the tx's position in its block).
    pub log: L2ToL1Log,
}

impl BatchLog {
    /// Its leaf in the logs tree.
    pub fn leaf(&self) -> B256 {
        alloy_primitives::keccak256(self.log.encode())
    }
}

/// A sealed batch: consecutive blocks proven and committed as one.
#[derive(Debug)]
pub struct Batch {
    /// Batch number (genesis is 0).
    pub number: u64,
    /// Its first L2 block.
    pub first_block: u64,
    /// Its last L2 block.
    pub last_block: u64,
    /// Hash of its last block (to notice when the L2 went back past it).
    pub last_block_hash: B256,
    /// Txs in its blocks.
    pub tx_count: u64,
    /// The L1 txs it ran, in order.
    pub l1_txs: Vec<B256>,
    /// Its L2->L1 logs, in order.
    pub logs: Vec<BatchLog>,
    /// The interop roots it imported (its `dependencyRootsRollingHash` is over them): the
    /// execute call names them.
    pub interop_roots: Vec<InteropRoot>,
    /// The aggregated root of the chains settling on this one at its end (zero but on the
    /// Gateway): the right half of its `l2LogsTreeRoot`.
    pub multichain_root: B256,
    /// The state tree after it (an O(1) copy: `zks_getProof`, the prover). `None` once the
    /// batch is executed and `store::KEEP_TREES` newer batches are sealed: each copy keeps the
    /// nodes its batch changed, so keeping every batch's would grow with the history.
    pub tree: Option<StateTree>,
    /// What its state commitment hashes besides the tree root.
    pub commitment_preimage: StateCommitmentPreimage,
    /// What `commitBatchesSharedBridge` carries for it.
    pub commit_info: CommitBatchInfoZKsyncOS,
    /// What L1 stores for it once committed.
    pub stored: StoredBatchInfo,
    /// The batch before it, as L1 stores it.
    pub prev: StoredBatchInfo,
    /// When its first block arrived.
    pub opened_at: Instant,
    /// When it was sealed.
    pub sealed_at: Instant,
}

impl Batch {
    /// The batch without its state tree (an old, executed one).
    pub(crate) fn without_tree(&self) -> Self {
        Self {
            number: self.number,
            first_block: self.first_block,
            last_block: self.last_block,
            last_block_hash: self.last_block_hash,
            tx_count: self.tx_count,
            l1_txs: self.l1_txs.clone(),
            logs: self.logs.clone(),
            interop_roots: self.interop_roots.clone(),
            multichain_root: self.multichain_root,
            tree: None,
            commitment_preimage: self.commitment_preimage,
            commit_info: self.commit_info.clone(),
            stored: self.stored.clone(),
            prev: self.prev.clone(),
            opened_at: self.opened_at,
            sealed_at: self.sealed_at,
        }
    }

    /// The leaves of its logs tree.
    pub fn log_leaves(&self) -> Vec<B256> {
        self.logs.iter().map(BatchLog::leaf).collect()
    }

    /// The event saying it reached `stage` (the one place a `BatchEvent` is built: the batcher,
    /// the provers and the L1 sender all announce through it).
    pub fn event(&self, stage: BatchStage, l1_tx: Option<B256>, took: Duration) -> NodeEvent {
        NodeEvent::Batch(Arc::new(BatchEvent {
            number: self.number,
            blocks: self.first_block..=self.last_block,
            tx_count: self.tx_count,
            stage,
            l1_tx,
            took,
        }))
    }
}
