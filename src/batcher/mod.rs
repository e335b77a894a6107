//! Batcher: sealed blocks -> batches. `Batcher::run`: Chain (blocks) -> `Arc<Batch>` stream.
//!
//! It reads blocks from the chain store (the source of truth; events only wake it), applies
//! each block's writes to the state tree, and closes a batch by the seal criteria with
//! everything the L1 commit needs: state commitment, priority-ops hash, `l2LogsTreeRoot`,
//! DA commitment and `StoredBatchInfo`. It runs beside the sequencer, never in its way.
//! When the L2 goes back (revert, reset, reorg) it drops the batches past the new head and
//! goes on from the last one still on the chain. After a restart the recorded batches are
//! answered from the start (`restore`) while it builds them again from genesis.

pub(crate) mod commitment;
pub(crate) mod seal;
pub(crate) mod store;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_primitives::{Address, B256, Bytes, Keccak256, U256};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

pub(crate) use store::{BatchRecord, BatchStore, KEEP_TREES, L1Stage, L1Step};

use crate::{
    abi::{CommitBatchInfoZKsyncOS, StoredBatchInfo},
    config::SealCriteria,
    events::{BatchEvent, BatchStage, NodeEvent},
    storage::{ChainStore, StoredBlock, state::BlockWrites},
    tree::{StateCommitmentPreimage, StateTree, account_key, account_value, storage_key},
    tx::L2ToL1Log,
};
use commitment::{
    batch_commitment, genesis_batch_info, l2_logs_tree_root, logs_local_root, priority_ops_hash,
    stored_batch_info,
};
use seal::Fill;

/// How often an idle batcher checks whether the L2 went back.
const REWIND_CHECK: Duration = Duration::from_millis(100);

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

/// The batch being filled.
struct OpenBatch {
    first_block: u64,
    opened_at: Instant,
    fill: Fill,
    first_timestamp: u64,
    l1_txs: Vec<B256>,
    logs: Vec<BatchLog>,
    da: Keccak256,
}

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
}

impl Batcher {
    /// Seals batches until `cancel` fires or the next stage is gone.
    pub(crate) async fn run(
        self,
        output: mpsc::Sender<Arc<Batch>>,
        cancel: CancellationToken,
    ) -> anyhow::Result<()> {
        let mut wake = self.events.subscribe();
        let mut cursor = self.genesis_cursor();
        loop {
            if !self.catch_up(&mut cursor, &output).await {
                return Ok(());
            }
            let deadline = cursor
                .open
                .as_ref()
                .map(|open| open.opened_at + self.criteria.timeout);
            if let Some(deadline) = deadline
                && Instant::now() >= deadline
            {
                if !self.seal(&mut cursor, &output).await {
                    return Ok(());
                }
                continue;
            }
            tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
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

    /// The tree and batch 0 from the genesis block.
    fn genesis_cursor(&self) -> Cursor {
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
        }
    }

    /// What the state commitment after block `last` hashes besides the root of `tree`.
    fn commitment_preimage(&self, tree: &StateTree, last: &StoredBlock) -> StateCommitmentPreimage {
        commitment_preimage(&self.chain, tree, last)
    }

    /// Applies every block the chain has beyond the cursor, sealing full batches. Returns
    /// false when the next stage is gone.
    async fn catch_up(&self, cursor: &mut Cursor, output: &mpsc::Sender<Arc<Batch>>) -> bool {
        if cursor.generation != self.batches.generation() {
            // The batches were replaced (a loaded dump): seal them again from genesis.
            *cursor = self.genesis_cursor();
        }
        let head = self.chain.latest();
        let applied = cursor.next_block - 1;
        let still_there = self.chain.block(applied).map(|b| b.hash) == Some(cursor.last_hash);
        if !still_there {
            self.rewind(cursor);
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
                if block.header.number >= end && !self.seal(cursor, output).await {
                    return false;
                }
                continue;
            }
            if let Some(open) = &cursor.open
                && self.criteria.would_overflow(&open.fill, &next)
                && !self.seal(cursor, output).await
            {
                return false;
            }
            self.apply(cursor, &block, next);
            let full = cursor
                .open
                .as_ref()
                .is_some_and(|open| self.criteria.is_full(&open.fill));
            if full && !self.seal(cursor, output).await {
                return false;
            }
        }
        true
    }

    /// Adds one block to the open batch (opening one if needed).
    fn apply(&self, cursor: &mut Cursor, block: &StoredBlock, fill: Fill) {
        let writes = keyed(&block.writes);
        cursor.tree.apply(&writes);
        let open = cursor.open.get_or_insert_with(|| OpenBatch {
            first_block: block.header.number,
            opened_at: Instant::now(),
            fill: Fill::default(),
            first_timestamp: block.header.timestamp,
            l1_txs: vec![],
            logs: vec![],
            da: Keccak256::new(),
        });
        for (key, value) in &writes {
            open.da.update(key);
            open.da.update(value);
        }
        open.l1_txs.extend(
            block
                .txs
                .iter()
                .filter(|tx| tx.tx.envelope.as_l1().is_some())
                .map(|tx| tx.tx.hash),
        );
        for log in block_logs(block) {
            open.da.update(log.log.encode());
            open.logs.push(log);
        }
        open.fill.blocks += fill.blocks;
        open.fill.txs += fill.txs;
        open.fill.logs += fill.logs;
        open.fill.pubdata += fill.pubdata;
        cursor.next_block = block.header.number + 1;
        cursor.last_hash = block.hash;
    }

    /// Closes the open batch and hands it on. Returns false when the next stage is gone.
    async fn seal(&self, cursor: &mut Cursor, output: &mpsc::Sender<Arc<Batch>>) -> bool {
        let Some(open) = cursor.open.take() else {
            return true;
        };
        let last_block = cursor.next_block - 1;
        let Some(last) = self.chain.block(last_block) else {
            return true;
        };
        let leaves: Vec<B256> = open.logs.iter().map(BatchLog::leaf).collect();
        let commitment_preimage = self.commitment_preimage(&cursor.tree, &last);
        let commit_info = CommitBatchInfoZKsyncOS {
            batchNumber: cursor.prev.batchNumber + 1,
            newStateCommitment: commitment_preimage.commitment(cursor.tree.root()),
            numberOfLayer1Txs: U256::from(open.l1_txs.len()),
            priorityOperationsHash: priority_ops_hash(&open.l1_txs),
            dependencyRootsRollingHash: B256::ZERO,
            l2LogsTreeRoot: l2_logs_tree_root(logs_local_root(&leaves)),
            l2DaValidator: Address::ZERO,
            daCommitment: open.da.finalize(),
            firstBlockTimestamp: open.first_timestamp,
            lastBlockTimestamp: last.header.timestamp,
            chainId: U256::from(self.chain_id),
            operatorDAInput: Bytes::new(),
        };
        debug_assert_eq!(
            stored_batch_info(&commit_info).commitment,
            batch_commitment(&commit_info)
        );
        let stored = stored_batch_info(&commit_info);
        let batch = Arc::new(Batch {
            number: commit_info.batchNumber,
            first_block: open.first_block,
            last_block,
            last_block_hash: last.hash,
            tx_count: open.fill.txs,
            l1_txs: open.l1_txs,
            logs: open.logs,
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
    fn rewind(&self, cursor: &mut Cursor) {
        let dropped = self.batches.keep_on(&self.chain);
        tracing::info!(
            kept = self.batches.last_sealed(),
            dropped,
            "L2 went back: batches after the new head are dropped"
        );
        let from = self
            .batches
            .get(self.batches.last_built())
            .map(|record| record.batch);
        // A batch whose tree is no longer kept: from genesis, sealing at the recorded bounds.
        *cursor = match from.and_then(|batch| Some((batch.tree.clone()?, batch))) {
            Some((tree, batch)) => Cursor {
                generation: cursor.generation,
                tree,
                prev: batch.stored.clone(),
                next_block: batch.last_block + 1,
                last_hash: batch.last_block_hash,
                open: None,
            },
            None => self.genesis_cursor(),
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
fn block_fill(block: &StoredBlock) -> Fill {
    let logs: usize = block.txs.iter().map(|t| t.l2_to_l1_logs.len()).sum();
    Fill {
        blocks: 1,
        txs: block.txs.len() as u64,
        logs,
        pubdata: block.writes.len() * 64 + logs * 88,
    }
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
