//! ChainStore: the receipts repository. Blocks, txs and receipts as the RPC serves them;
//! a block is visible here as soon as the sequencer has sealed it.
//!
//! The indexes are persistent collections (`imbl`), so a snapshot of the whole chain is an
//! O(1) clone that shares structure with the live one (`evm_snapshot` per test stays cheap).

use std::sync::Arc;

use alloy_consensus::{Header, ReceiptEnvelope};
use alloy_primitives::{Address, B256, Bytes, Log};
use parking_lot::RwLock;

use crate::tx::ReadyTx;

/// A tx as included in a block, with its receipt.
#[derive(Debug, Clone)]
pub struct StoredTx {
    /// The tx and its sender.
    pub tx: ReadyTx,
    /// The consensus receipt (status, cumulative gas, logs, bloom).
    pub receipt: ReceiptEnvelope<Log>,
    /// What it sent to L1 (messages, an L1 tx's service log).
    pub l2_to_l1_logs: Vec<crate::tx::L2ToL1Log>,
    /// Gas used by this tx alone.
    pub gas_used: u64,
    /// Price paid per gas.
    pub effective_gas_price: u128,
    /// Created contract.
    pub contract_address: Option<Address>,
    /// Revert data of a failed tx.
    pub revert: Option<Bytes>,
    /// Block it is in.
    pub block_number: u64,
    /// Hash of that block.
    pub block_hash: B256,
    /// Timestamp of that block.
    pub block_timestamp: u64,
    /// Position in the block.
    pub index: u64,
    /// Block-wide index of its first log.
    pub first_log_index: u64,
    /// Its `console.log` lines (recorded only when the node output is on).
    pub console: Vec<String>,
    /// Its rendered call trace, when the node output asked for it.
    pub trace: Option<String>,
}

/// A sealed block.
#[derive(Debug, Clone)]
pub struct StoredBlock {
    /// Its header.
    pub header: Header,
    /// keccak of the RLP header.
    pub hash: B256,
    /// Its txs in order.
    pub txs: Vec<Arc<StoredTx>>,
    /// The final values of what it changed (dev-method edits since the previous block
    /// included): the state tree's input.
    pub writes: Arc<super::state::BlockWrites>,
}

/// Blocks and their indexes. Cloning is O(1).
#[derive(Debug, Clone, Default)]
pub struct ChainHistory {
    /// Number of the genesis block: 0, or the remote block a fork starts from.
    first: u64,
    blocks: imbl::Vector<Arc<StoredBlock>>,
    by_hash: imbl::HashMap<B256, u64>,
    txs: imbl::HashMap<B256, Arc<StoredTx>>,
    addresses: super::address_index::AddressIndex,
}

impl ChainHistory {
    /// Number and hash of the latest block.
    pub fn head(&self) -> (u64, B256) {
        let last = self.blocks.last().expect("the chain always has genesis");
        (last.header.number, last.hash)
    }

    /// Every block from genesis.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<StoredBlock>> {
        self.blocks.iter()
    }

    /// Index of block `number` in `blocks`.
    fn index(&self, number: u64) -> Option<usize> {
        usize::try_from(number.checked_sub(self.first)?).ok()
    }
}

/// All blocks since genesis. Readers take the lock only to clone an `Arc`.
#[derive(Debug, Default)]
pub struct ChainStore {
    inner: RwLock<ChainHistory>,
    /// On a fork, the remote: the hashes of the blocks before genesis are its.
    fork: RwLock<Option<crate::fork::Fork>>,
}

impl ChainStore {
    /// A chain holding only `genesis`.
    pub fn new(genesis: StoredBlock) -> Self {
        let chain = Self::default();
        chain.push(Arc::new(genesis));
        chain
    }

    /// Appends a sealed block; its txs and receipts become visible.
    pub fn push(&self, block: Arc<StoredBlock>) {
        let mut inner = self.inner.write();
        if inner.blocks.is_empty() {
            inner.first = block.header.number;
        }
        debug_assert_eq!(block.header.number, inner.first + inner.blocks.len() as u64);
        inner.by_hash.insert(block.hash, block.header.number);
        for tx in &block.txs {
            inner.txs.insert(tx.tx.hash, tx.clone());
        }
        inner.addresses.add(&block);
        inner.blocks.push_back(block);
    }

    /// Drops every block after `number` (and their txs). `anvil_rollback`, `anvil_reorg`.
    pub fn truncate(&self, number: u64) {
        let mut inner = self.inner.write();
        let keep = inner
            .index(number)
            .map_or(1, |i| i + 1)
            .min(inner.blocks.len());
        let removed = inner.blocks.split_off(keep);
        for block in removed.iter().rev() {
            inner.addresses.remove(block);
        }
        for block in removed.iter() {
            inner.by_hash.remove(&block.hash);
            for tx in &block.txs {
                inner.txs.remove(&tx.tx.hash);
            }
        }
    }

    /// The whole chain as it is now (O(1)).
    pub fn snapshot(&self) -> ChainHistory {
        self.inner.read().clone()
    }

    /// Puts back a chain taken with `snapshot`.
    pub fn restore(&self, history: ChainHistory) {
        *self.inner.write() = history;
    }

    /// Starts over from a new genesis block (`anvil_reset`).
    pub fn reset(&self, genesis: StoredBlock) {
        *self.inner.write() = ChainHistory::default();
        self.push(Arc::new(genesis));
    }

    /// The latest block.
    pub fn latest(&self) -> Arc<StoredBlock> {
        self.inner
            .read()
            .blocks
            .last()
            .cloned()
            .expect("the chain always has genesis")
    }

    /// Number of the latest block.
    pub fn latest_number(&self) -> u64 {
        let inner = self.inner.read();
        inner.first + inner.blocks.len() as u64 - 1
    }

    /// Number of the genesis block: 0, or on a fork the remote block it starts from.
    pub fn first_number(&self) -> u64 {
        self.inner.read().first
    }

    /// The genesis block.
    pub fn genesis(&self) -> Arc<StoredBlock> {
        self.inner
            .read()
            .blocks
            .front()
            .cloned()
            .expect("the chain always has genesis")
    }

    /// Block by number.
    pub fn block(&self, number: u64) -> Option<Arc<StoredBlock>> {
        let inner = self.inner.read();
        inner.blocks.get(inner.index(number)?).cloned()
    }

    /// Block by hash.
    pub fn block_by_hash(&self, hash: &B256) -> Option<Arc<StoredBlock>> {
        let inner = self.inner.read();
        let number = *inner.by_hash.get(hash)?;
        inner.blocks.get(inner.index(number)?).cloned()
    }

    /// Hash of block `number` (zero when unknown), for `BLOCKHASH`; on a fork, the remote's
    /// for the blocks before the fork block.
    pub fn block_hash(&self, number: u64) -> B256 {
        if let Some(block) = self.block(number) {
            return block.hash;
        }
        match &*self.fork.read() {
            Some(fork) if number < self.first_number() => {
                fork.block_hash(number).unwrap_or_else(|e| {
                    tracing::warn!("{e}");
                    B256::ZERO
                })
            }
            _ => B256::ZERO,
        }
    }

    /// Makes this chain a fork of `fork`'s remote (its history before genesis is the remote's).
    pub fn set_fork(&self, fork: Option<crate::fork::Fork>) {
        *self.fork.write() = fork;
    }

    /// The remote this chain forks, if any.
    pub fn fork(&self) -> Option<crate::fork::Fork> {
        self.fork.read().clone()
    }

    /// An included tx by hash.
    pub fn tx(&self, hash: &B256) -> Option<Arc<StoredTx>> {
        self.inner.read().txs.get(hash).cloned()
    }

    /// The included txs `address` appears in, in chain order (see `AddressIndex`).
    pub fn txs_of(&self, address: &Address) -> imbl::Vector<Arc<StoredTx>> {
        self.inner.read().addresses.txs_of(address)
    }

    /// The block after which `address` first had code (`None`: it never had any).
    pub fn code_since(&self, address: &Address) -> Option<u64> {
        self.inner.read().addresses.code_since(address)
    }

    /// The included tx `sender` signed with `nonce` (L1 txs have no sender nonce).
    pub fn tx_by_sender_and_nonce(&self, sender: &Address, nonce: u64) -> Option<Arc<StoredTx>> {
        use alloy_consensus::Transaction as _;
        self.txs_of(sender).into_iter().find(|t| {
            t.tx.sender == *sender
                && t.tx.envelope.as_l1().is_none()
                && t.tx.envelope.nonce() == nonce
        })
    }

    /// Blocks `from..=to` (clamped to the chain).
    pub fn blocks(&self, from: u64, to: u64) -> Vec<Arc<StoredBlock>> {
        let inner = self.inner.read();
        let from = from.max(inner.first);
        if to < from || inner.blocks.is_empty() {
            return vec![];
        }
        let end = ((to - inner.first) as usize).min(inner.blocks.len() - 1);
        let start = (from - inner.first) as usize;
        if start > end {
            return vec![];
        }
        inner
            .blocks
            .focus()
            .narrow(start..=end)
            .into_iter()
            .cloned()
            .collect()
    }
}
