//! The open batch: what the blocks added so far bring to the L1 commit (L1 txs, L2->L1 logs,
//! interop roots imported, DA commitment, fill), and the same computed again from a sealed
//! batch's blocks.

use std::time::Instant;

use alloy_primitives::{Address, B256, Bytes, Keccak256, U256};

use super::{
    BatchLog,
    commitment::{
        batch_commitment, l2_logs_tree_root, logs_local_root, priority_ops_hash, stored_batch_info,
    },
    keyed,
    seal::Fill,
    status::BatchStatus,
};
use crate::{
    abi::{CommitBatchInfoZKsyncOS, InteropRoot, StoredBatchInfo},
    storage::{ChainStore, StoredBlock},
    tx::rolling_hash,
};

/// The batch being filled.
pub(super) struct OpenBatch {
    pub(super) first_block: u64,
    pub(super) opened_at: Instant,
    pub(super) fill: Fill,
    first_timestamp: u64,
    pub(super) l1_txs: Vec<B256>,
    pub(super) logs: Vec<BatchLog>,
    /// The interop roots its blocks' system txs imported, in order.
    pub(super) interop_roots: Vec<InteropRoot>,
    da: Keccak256,
    /// The tree keys its blocks wrote (for the tree checkpoint).
    pub(super) keys: Vec<B256>,
}

impl OpenBatch {
    /// A batch opened by `first`.
    pub(super) fn new(first: &StoredBlock) -> Self {
        Self {
            first_block: first.header.number,
            opened_at: Instant::now(),
            fill: Fill::default(),
            first_timestamp: first.header.timestamp,
            l1_txs: vec![],
            logs: vec![],
            interop_roots: vec![],
            da: Keccak256::new(),
            keys: vec![],
        }
    }

    /// Adds `block`, whose writes as tree keys and values are `writes`.
    pub(super) fn add(&mut self, block: &StoredBlock, writes: &[(B256, B256)], fill: Fill) {
        for (key, value) in writes {
            self.da.update(key);
            self.da.update(value);
        }
        self.keys.extend(writes.iter().map(|(key, _)| *key));
        self.l1_txs.extend(
            block
                .txs
                .iter()
                .filter(|tx| tx.tx.envelope.as_l1().is_some())
                .map(|tx| tx.tx.hash),
        );
        self.interop_roots.extend(imported_roots(block));
        for log in block_logs(block) {
            self.da.update(log.log.encode());
            self.logs.push(log);
        }
        self.fill.blocks += fill.blocks;
        self.fill.txs += fill.txs;
        self.fill.logs += fill.logs;
        self.fill.pubdata += fill.pubdata;
    }

    /// What `commitBatchesSharedBridge` carries for it as batch `number`, with this state
    /// commitment, its last block at `last_timestamp`, and this multichain root at its end.
    pub(super) fn commit_info(
        &self,
        number: u64,
        state_commitment: B256,
        last_timestamp: u64,
        chain_id: u64,
        multichain_root: B256,
    ) -> CommitBatchInfoZKsyncOS {
        let leaves: Vec<B256> = self.logs.iter().map(BatchLog::leaf).collect();
        let info = CommitBatchInfoZKsyncOS {
            batchNumber: number,
            newStateCommitment: state_commitment,
            numberOfLayer1Txs: U256::from(self.l1_txs.len()),
            priorityOperationsHash: priority_ops_hash(&self.l1_txs),
            dependencyRootsRollingHash: rolling_hash(B256::ZERO, &self.interop_roots),
            l2LogsTreeRoot: l2_logs_tree_root(logs_local_root(&leaves), multichain_root),
            l2DaValidator: Address::ZERO,
            daCommitment: self.da.clone().finalize(),
            firstBlockTimestamp: self.first_timestamp,
            lastBlockTimestamp: last_timestamp,
            chainId: U256::from(chain_id),
            operatorDAInput: Bytes::new(),
        };
        debug_assert_eq!(stored_batch_info(&info).commitment, batch_commitment(&info));
        info
    }
}

/// What L1 stores for a recorded batch and its last block's timestamp, computed again from its
/// blocks (for a batch the batcher did not build in this run: one up to its tree checkpoint),
/// whose multichain root is `multichain_root`. `None` if the blocks are gone, the status has no
/// hashes, or the result is not the recorded commitment.
pub(crate) fn stored_from_blocks(
    chain: &ChainStore,
    status: &BatchStatus,
    chain_id: u64,
    multichain_root: B256,
) -> Option<(StoredBatchInfo, u64)> {
    let hashes = status.hashes?;
    let blocks = chain.blocks(status.first_block, status.last_block);
    let (first, last) = (blocks.first()?, blocks.last()?);
    if last.hash != status.last_block_hash {
        return None;
    }
    let mut open = OpenBatch::new(first);
    for block in &blocks {
        open.add(block, &keyed(&block.writes), block_fill(block));
    }
    let info = open.commit_info(
        status.number,
        hashes.state_commitment,
        last.header.timestamp,
        chain_id,
        multichain_root,
    );
    let stored = stored_batch_info(&info);
    (stored.commitment == hashes.commitment).then_some((stored, last.header.timestamp))
}

/// The interop roots a block imported: those of its system txs that succeeded, in order.
pub(crate) fn imported_roots(block: &StoredBlock) -> impl Iterator<Item = InteropRoot> + '_ {
    block
        .txs
        .iter()
        .filter(|tx| tx.receipt.status())
        .filter_map(|tx| tx.tx.envelope.as_system())
        .flat_map(|system| system.roots().iter().cloned())
}

/// A block's L2->L1 logs, in order, as its batch holds them.
pub(crate) fn block_logs(block: &StoredBlock) -> impl Iterator<Item = BatchLog> + '_ {
    block.txs.iter().flat_map(|tx| {
        tx.l2_to_l1_logs
            .iter()
            .enumerate()
            .map(|(index_in_tx, log)| BatchLog {
                tx_hash: tx.tx.hash,
                index_in_tx,
                log: *log,
            })
    })
}

/// What one block adds to a batch.
pub(super) fn block_fill(block: &StoredBlock) -> Fill {
    let logs: usize = block.txs.iter().map(|t| t.l2_to_l1_logs.len()).sum();
    Fill {
        blocks: 1,
        txs: block.txs.len() as u64,
        logs,
        pubdata: block.writes.len() * 64 + logs * 88,
    }
}
