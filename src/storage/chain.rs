//! Chain: the receipts repository. Blocks, txs and receipts as the RPC serves them;
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
}

/// All blocks since genesis. Readers take the lock only to clone an `Arc`.
#[derive(Debug, Default)]
pub struct Chain {
    inner: RwLock<ChainHistory>,
}

impl Chain {
    /// A chain holding only `genesis`.
    pub fn new(genesis: StoredBlock) -> Self {
        let chain = Self::default();
        chain.push(Arc::new(genesis));
        chain
    }

    /// Appends a sealed block; its txs and receipts become visible.
    pub fn push(&self, block: Arc<StoredBlock>) {
        let mut inner = self.inner.write();
        debug_assert_eq!(block.header.number as usize, inner.blocks.len());
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
        let keep = (number as usize + 1).min(inner.blocks.len());
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
        (self.inner.read().blocks.len() - 1) as u64
    }

    /// Block by number.
    pub fn block(&self, number: u64) -> Option<Arc<StoredBlock>> {
        self.inner
            .read()
            .blocks
            .get(usize::try_from(number).ok()?)
            .cloned()
    }

    /// Block by hash.
    pub fn block_by_hash(&self, hash: &B256) -> Option<Arc<StoredBlock>> {
        let inner = self.inner.read();
        let number = *inner.by_hash.get(hash)?;
        inner.blocks.get(number as usize).cloned()
    }

    /// Hash of block `number` (zero when unknown), for `BLOCKHASH`.
    pub fn block_hash(&self, number: u64) -> B256 {
        self.block(number).map(|b| b.hash).unwrap_or_default()
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
                && t.tx.envelope.as_eth().is_some()
                && t.tx.envelope.nonce() == nonce
        })
    }

    /// Blocks `from..=to` (clamped to the chain).
    pub fn blocks(&self, from: u64, to: u64) -> Vec<Arc<StoredBlock>> {
        let inner = self.inner.read();
        let end = (to as usize).min(inner.blocks.len().saturating_sub(1));
        if from as usize > end {
            return vec![];
        }
        inner
            .blocks
            .focus()
            .narrow(from as usize..=end)
            .into_iter()
            .cloned()
            .collect()
    }
}
