//! ChainStore: the receipts repository. Blocks, txs and receipts as the RPC serves them;
//! a block is visible here as soon as the sequencer has sealed it.
//!
//! In memory (`--ephemeral`) it holds every block and its indexes. With a data dir it holds
//! every block's hash and a window of the latest blocks (`--cache-blocks`) with their indexes;
//! older blocks, txs and the address index are read from the data dir (`Archive`), which holds
//! every block before the sequencer makes it visible here, so a block can leave the window at
//! any time.
//!
//! The indexes are persistent collections (`imbl`), so a snapshot of the whole chain is an
//! O(1) clone that shares structure with the live one (`evm_snapshot` per test stays cheap).

use std::sync::Arc;

use alloy_consensus::{Header, ReceiptEnvelope};
use alloy_primitives::{Address, B256, Bytes, Log};
use parking_lot::RwLock;

use crate::tx::ReadyTx;

mod history;

pub use history::{CACHED_TXS, ChainHistory};

use super::archive::{Archive, TxRef, logged};

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

/// All blocks since genesis. Readers take the lock only to clone an `Arc`.
#[derive(Debug, Default)]
pub struct ChainStore {
    inner: RwLock<ChainHistory>,
    /// On a fork, the remote: the hashes of the blocks before genesis are its.
    fork: RwLock<Option<crate::fork::Fork>>,
    /// The data dir's blocks and how many blocks stay in memory (`None`: all do).
    archive: RwLock<Option<(Arc<dyn Archive>, usize)>>,
}

impl ChainStore {
    /// A chain holding only `genesis`, every block in memory.
    pub fn new(genesis: StoredBlock) -> Self {
        let chain = Self::default();
        chain.push(Arc::new(genesis));
        chain
    }

    /// A chain read back from a data dir: every block's hash from `first` on, the latest
    /// `recent` blocks (at least the head) in memory, the rest in `archive`; `window` blocks
    /// stay in memory from now on.
    pub fn resumed(
        first: u64,
        hashes: Vec<B256>,
        recent: Vec<Arc<StoredBlock>>,
        archive: Arc<dyn Archive>,
        window: usize,
    ) -> Self {
        let mut history = ChainHistory::empty(Some((archive.clone(), window)));
        history.first = first;
        history.hashes = hashes.into_iter().collect();
        for block in recent {
            history.hold(block);
        }
        debug_assert!(!history.blocks.is_empty(), "the head is in memory");
        Self {
            inner: RwLock::new(history),
            fork: Default::default(),
            archive: RwLock::new(Some((archive, window))),
        }
    }

    /// From now on, keeps only the latest `window` blocks in memory and reads older ones from
    /// `archive`, which must hold every block of the chain (the data dir, once written).
    pub fn keep_in(&self, archive: Arc<dyn Archive>, window: usize) {
        *self.archive.write() = Some((archive, window));
        self.use_archive();
    }

    /// Lets the blocks beyond the window go (a restored or loaded history held them all): call
    /// once the archive holds them.
    pub fn use_archive(&self) {
        let Some((archive, window)) = self.archive.read().clone() else {
            return;
        };
        let mut inner = self.inner.write();
        inner.archive = Some(archive);
        inner.window = window.max(1);
        inner.addresses = None;
        inner.evict();
    }

    /// Appends a sealed block; its txs and receipts become visible.
    pub fn push(&self, block: Arc<StoredBlock>) {
        self.inner.write().push(block);
    }

    /// Drops every block after `number` (and their txs). `anvil_rollback`, `anvil_reorg`.
    pub fn truncate(&self, number: u64) {
        self.inner.write().truncate(number);
    }

    /// The whole chain as it is now (O(1)).
    pub fn snapshot(&self) -> ChainHistory {
        self.inner.read().clone()
    }

    /// Puts back a chain taken with `snapshot` (or rebuilt from a dump: it holds every block
    /// in memory until [`ChainStore::use_archive`]).
    pub fn restore(&self, history: ChainHistory) {
        *self.inner.write() = history;
    }

    /// Starts over from a new genesis block (`anvil_reset`).
    pub fn reset(&self, genesis: StoredBlock) {
        let archive = self.archive.read().clone();
        let mut history = ChainHistory::empty(archive);
        history.push(Arc::new(genesis));
        *self.inner.write() = history;
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
        self.inner.read().head().0
    }

    /// Number of the oldest block in memory (older ones are read from the archive).
    pub fn window_first(&self) -> u64 {
        self.inner.read().window_first()
    }

    /// Number of the genesis block: 0, or on a fork the remote block it starts from.
    pub fn first_number(&self) -> u64 {
        self.inner.read().first
    }

    /// Hash of the genesis block.
    pub fn genesis_hash(&self) -> B256 {
        *self
            .inner
            .read()
            .hashes
            .front()
            .expect("the chain always has genesis")
    }

    /// The genesis block.
    pub fn genesis(&self) -> Arc<StoredBlock> {
        let first = self.first_number();
        self.block(first).expect("the chain always has genesis")
    }

    /// Block by number.
    pub fn block(&self, number: u64) -> Option<Arc<StoredBlock>> {
        // The lock is not held while the archive reads.
        let history = {
            let inner = self.inner.read();
            let window_first = inner.window_first();
            if number >= window_first {
                return inner.blocks.get((number - window_first) as usize).cloned();
            }
            inner.clone()
        };
        history.block(number)
    }

    /// Block by hash.
    pub fn block_by_hash(&self, hash: &B256) -> Option<Arc<StoredBlock>> {
        let (history, archive) = {
            let inner = self.inner.read();
            if let Some(number) = inner.by_hash.get(hash)
                && let Some(offset) = number.checked_sub(inner.window_first())
            {
                return inner.blocks.get(offset as usize).cloned();
            }
            (inner.clone(), inner.archive.clone()?)
        };
        let block = logged(archive.block(hash))?;
        (history.hash_of(block.header.number) == Some(*hash)).then(|| Arc::new(block))
    }

    /// Hash of block `number` (zero when unknown), for `BLOCKHASH`; on a fork, the remote's
    /// for the blocks before the fork block.
    pub fn block_hash(&self, number: u64) -> B256 {
        if let Some(hash) = self.inner.read().hash_of(number) {
            return hash;
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
        let (history, archive) = {
            let inner = self.inner.read();
            if let Some(tx) = inner.txs.get(hash) {
                return Some(tx.clone());
            }
            (inner.clone(), inner.archive.clone()?)
        };
        logged(archive.tx_locations(hash))
            .into_iter()
            .find(|(block, at)| history.hash_of(at.block) == Some(*block))
            .and_then(|(_, at)| history.block(at.block)?.txs.get(at.index as usize).cloned())
    }

    /// The included tx at `at`.
    pub fn tx_at(&self, at: TxRef) -> Option<Arc<StoredTx>> {
        self.block(at.block)?.txs.get(at.index as usize).cloned()
    }

    /// The included txs `address` appears in, in chain order (see `AddressIndex`).
    pub fn txs_of(&self, address: &Address) -> Vec<TxRef> {
        let (history, archive) = {
            let inner = self.inner.read();
            match (&inner.addresses, &inner.archive) {
                (Some(addresses), _) => return addresses.txs_of(address),
                (None, Some(archive)) => (inner.clone(), archive.clone()),
                (None, None) => return vec![],
            }
        };
        logged(archive.txs_of(address))
            .into_iter()
            .filter(|(block, at)| history.hash_of(at.block) == Some(*block))
            .map(|(_, at)| at)
            .collect()
    }

    /// The block after which `address` first had code (`None`: it never had any).
    pub fn code_since(&self, address: &Address) -> Option<u64> {
        let (history, archive) = {
            let inner = self.inner.read();
            match (&inner.addresses, &inner.archive) {
                (Some(addresses), _) => return addresses.code_since(address),
                (None, Some(archive)) => (inner.clone(), archive.clone()),
                (None, None) => return None,
            }
        };
        logged(archive.code_blocks(address))
            .into_iter()
            .find(|(number, hash)| history.hash_of(*number) == Some(*hash))
            .map(|(number, _)| number)
    }

    /// The included tx `sender` signed with `nonce` (L1 txs have no sender nonce). The
    /// sender's own txs come in nonce order among the txs it appears in, so this is a binary
    /// search: a few txs read, not one per entry, on a long history read from disk.
    pub fn tx_by_sender_and_nonce(&self, sender: &Address, nonce: u64) -> Option<Arc<StoredTx>> {
        use alloy_consensus::Transaction as _;
        let refs = self.txs_of(sender);
        // The first tx at or after position `i` that `sender` signed, with its position.
        let signed_from = |i: usize| {
            refs[i..].iter().enumerate().find_map(|(j, at)| {
                let tx = self.tx_at(*at)?;
                (tx.tx.sender == *sender && tx.tx.envelope.as_l1().is_none()).then_some((i + j, tx))
            })
        };
        let (mut low, mut high) = (0, refs.len());
        while low < high {
            let mid = (low + high) / 2;
            match signed_from(mid) {
                Some((_, tx)) if tx.tx.envelope.nonce() == nonce => return Some(tx),
                Some((at, tx)) if tx.tx.envelope.nonce() < nonce => low = at + 1,
                _ => high = mid,
            }
        }
        None
    }

    /// Hashes of blocks `from..=to` (clamped to the chain), without reading any block.
    pub fn hashes(&self, from: u64, to: u64) -> Vec<B256> {
        let inner = self.inner.read();
        (from.max(inner.first)..=to)
            .map_while(|number| inner.hash_of(number))
            .collect()
    }

    /// Blocks `from..=to` (clamped to the chain).
    pub fn blocks(&self, from: u64, to: u64) -> Vec<Arc<StoredBlock>> {
        let history = self.snapshot();
        let (head, _) = history.head();
        let from = from.max(history.first);
        let to = to.min(head);
        if to < from {
            return vec![];
        }
        let window_first = history.window_first();
        let mut out: Vec<Arc<StoredBlock>> = (from..to.saturating_add(1).min(window_first))
            .filter_map(|number| history.block(number))
            .collect();
        let start = from.max(window_first);
        if start <= to {
            out.extend(
                history
                    .blocks
                    .focus()
                    .narrow((start - window_first) as usize..=(to - window_first) as usize)
                    .into_iter()
                    .cloned(),
            );
        }
        out
    }
}
