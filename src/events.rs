//! Events: what happened in the node, broadcast to RPC subscriptions, filters, logs and the TUI.
//! Lagging receivers lose events, never node data: storage stays the source of truth.

use std::{ops::RangeInclusive, sync::Arc, time::Duration};

use alloy_primitives::B256;

use crate::storage::StoredBlock;

/// Capacity of the event channel; a receiver further behind than this lags.
pub const EVENT_CAPACITY: usize = 4096;

/// One thing that happened.
#[derive(Debug, Clone)]
pub enum NodeEvent {
    /// A block was sealed and its receipts are visible.
    BlockSealed(Arc<StoredBlock>),
    /// A tx entered the mempool.
    TxPending(B256),
    /// A priority tx (deposit or L1->L2 call) arrived from L1 and waits for the next block.
    L1TxQueued {
        /// Its priority id (the `nonce` of the 0x7f tx).
        priority_id: u64,
        /// Its canonical hash, also its L2 tx hash.
        hash: B256,
    },
    /// A batch moved one stage further on its way to L1 (L2 only).
    Batch(Arc<BatchEvent>),
}

/// A batch reaching a stage of the settlement pipeline.
#[derive(Debug, Clone)]
pub struct BatchEvent {
    /// Batch number (1 is the first batch after genesis).
    pub number: u64,
    /// The L2 blocks it holds.
    pub blocks: RangeInclusive<u64>,
    /// How many txs those blocks hold (L1 txs included).
    pub tx_count: u64,
    /// The stage reached.
    pub stage: BatchStage,
    /// The L1 tx of this step (commit, prove or execute), when there is one.
    pub l1_tx: Option<B256>,
    /// How long the step took (sealing: the batch's age; proving: the prover's time;
    /// L1 steps: from sending the tx to its receipt).
    pub took: Duration,
}

/// The lifecycle of a batch: sealed -> proven -> committed -> verified -> executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchStage {
    /// The batcher closed it; its commitment is known.
    Sealed,
    /// The prover produced a proof (`prover`: "mock", "reexec" or an external worker id).
    Proven {
        /// Who proved it.
        prover: String,
    },
    /// The prover refused it; it will not reach L1.
    ProofRejected {
        /// Why.
        reason: String,
    },
    /// `commitBatchesSharedBridge` landed on L1.
    Committed,
    /// `proveBatchesSharedBridge` landed on L1 (the proof verified there).
    Verified,
    /// `executeBatchesSharedBridge` landed on L1: the batch is final.
    Executed,
    /// An L1 call for this batch failed and will be retried.
    L1Error {
        /// What L1 answered.
        reason: String,
    },
}

impl BatchStage {
    /// Short lower-case name (`sealed`, `proven`, ...), for logs and the TUI.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sealed => "sealed",
            Self::Proven { .. } => "proven",
            Self::ProofRejected { .. } => "rejected",
            Self::Committed => "committed",
            Self::Verified => "verified",
            Self::Executed => "executed",
            Self::L1Error { .. } => "l1-error",
        }
    }
}
