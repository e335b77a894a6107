//! `ChainHistory`: the chain's blocks as one value (every block's hash, the blocks in memory and
//! their indexes), which `ChainStore` holds behind its lock and snapshots copy in O(1).

use std::sync::Arc;

use alloy_primitives::B256;

use super::{StoredBlock, StoredTx};
use crate::storage::archive::{Archive, logged};

/// How many txs the blocks in memory may hold at most with an archive, whatever
/// `--cache-blocks` says (blocks of thousands of txs would otherwise hold hundreds of MB).
pub const CACHED_TXS: usize = 16_384;

/// Blocks and their indexes. Cloning is O(1).
#[derive(Debug, Clone)]
pub struct ChainHistory {
    /// Number of the genesis block: 0, or the remote block a fork starts from.
    pub(super) first: u64,
    /// Every block's hash, from genesis.
    pub(super) hashes: imbl::Vector<B256>,
    /// The latest blocks (all of them without an archive); never empty.
    pub(super) blocks: imbl::Vector<Arc<StoredBlock>>,
    /// How many txs `blocks` holds.
    cached_txs: usize,
    /// Numbers of the blocks in `blocks`, by hash.
    pub(super) by_hash: crate::storage::HashMap<B256, u64>,
    /// The txs of the blocks in `blocks`.
    pub(super) txs: crate::storage::HashMap<B256, Arc<StoredTx>>,
    /// The address index, in memory (`None` with an archive, which has it).
    pub(super) addresses: Option<crate::storage::address_index::AddressIndex>,
    /// Where the blocks that left `blocks` are (`None`: nothing leaves).
    pub(super) archive: Option<Arc<dyn Archive>>,
    /// How many blocks `blocks` keeps with an archive.
    pub(super) window: usize,
}

impl Default for ChainHistory {
    fn default() -> Self {
        Self::empty(None)
    }
}

impl ChainHistory {
    pub(super) fn empty(archive: Option<(Arc<dyn Archive>, usize)>) -> Self {
        let (archive, window) = match archive {
            Some((archive, window)) => (Some(archive), window.max(1)),
            None => (None, usize::MAX),
        };
        Self {
            first: 0,
            hashes: Default::default(),
            blocks: Default::default(),
            cached_txs: 0,
            by_hash: Default::default(),
            txs: Default::default(),
            addresses: archive.is_none().then(Default::default),
            archive,
            window,
        }
    }

    /// Number and hash of the latest block.
    pub fn head(&self) -> (u64, B256) {
        let hash = *self.hashes.last().expect("the chain always has genesis");
        (self.first + self.hashes.len() as u64 - 1, hash)
    }

    /// Number of the first block in memory.
    pub(super) fn window_first(&self) -> u64 {
        self.first + (self.hashes.len() - self.blocks.len()) as u64
    }

    /// Hash of block `number`, when the chain has it.
    pub(super) fn hash_of(&self, number: u64) -> Option<B256> {
        let index = usize::try_from(number.checked_sub(self.first)?).ok()?;
        self.hashes.get(index).copied()
    }

    /// Block `number`: from memory, or read from the archive.
    pub(super) fn block(&self, number: u64) -> Option<Arc<StoredBlock>> {
        let hash = self.hash_of(number)?;
        let window_first = self.window_first();
        if number >= window_first {
            return self.blocks.get((number - window_first) as usize).cloned();
        }
        let block = logged(self.archive.as_ref()?.block(&hash))?;
        Some(Arc::new(block))
    }

    /// Every block from genesis, in order (read one at a time from the archive when it has
    /// them: a dump of a long chain never holds all of it).
    pub fn iter(&self) -> impl Iterator<Item = Arc<StoredBlock>> + '_ {
        let head = self.head().0;
        (self.first..=head).map_while(|number| self.block(number))
    }

    pub(super) fn push(&mut self, block: Arc<StoredBlock>) {
        if self.hashes.is_empty() {
            self.first = block.header.number;
        }
        debug_assert_eq!(block.header.number, self.first + self.hashes.len() as u64);
        self.hashes.push_back(block.hash);
        if let Some(addresses) = &mut self.addresses {
            addresses.add(&block);
        }
        self.hold(block);
        self.evict();
    }

    /// Puts `block` (of the chain, after the ones in memory) in memory, with its indexes.
    pub(super) fn hold(&mut self, block: Arc<StoredBlock>) {
        self.by_hash.insert(block.hash, block.header.number);
        for tx in &block.txs {
            self.txs.insert(tx.tx.hash, tx.clone());
        }
        self.cached_txs += block.txs.len();
        self.blocks.push_back(block);
    }

    /// Lets the oldest blocks in memory go, down to the window (only with an archive): at most
    /// `window` blocks and, beyond the head, `CACHED_TXS` txs.
    pub(super) fn evict(&mut self) {
        if self.archive.is_none() {
            return;
        }
        while self.blocks.len() > 1
            && (self.blocks.len() > self.window || self.cached_txs > CACHED_TXS)
        {
            let Some(block) = self.blocks.pop_front() else {
                break;
            };
            self.cached_txs -= block.txs.len();
            self.forget(&block);
        }
    }

    /// Drops the memory indexes' entries of `block`.
    fn forget(&mut self, block: &StoredBlock) {
        if self.by_hash.get(&block.hash) == Some(&block.header.number) {
            self.by_hash.remove(&block.hash);
        }
        for tx in &block.txs {
            if self
                .txs
                .get(&tx.tx.hash)
                .is_some_and(|t| t.block_hash == block.hash)
            {
                self.txs.remove(&tx.tx.hash);
            }
        }
    }

    /// Drops every block after `number`.
    pub(super) fn truncate(&mut self, number: u64) {
        let keep = number
            .checked_sub(self.first)
            .map_or(1, |n| n as usize + 1)
            .min(self.hashes.len());
        let window_first = self.window_first();
        let keep_blocks = (self.first + keep as u64).saturating_sub(window_first) as usize;
        let removed = self.blocks.split_off(keep_blocks.min(self.blocks.len()));
        for block in removed.iter().rev() {
            self.cached_txs -= block.txs.len();
            if let Some(addresses) = &mut self.addresses {
                addresses.remove(block);
            }
            self.forget(block);
        }
        self.hashes.truncate(keep);
        // The new head left memory earlier: it comes back (the head is always in memory).
        if self.blocks.is_empty() {
            let head = self.head().0;
            if let Some(block) = self.block(head) {
                self.hold(block);
            }
        }
    }
}
