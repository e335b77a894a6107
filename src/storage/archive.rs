//! The archive: where a chain's blocks are once they left memory (the data dir's, behind the
//! `Archive` trait so `storage` does not depend on `persistence`), and how an included tx is
//! found there (`TxRef`).

use alloy_primitives::{Address, B256};

use super::StoredBlock;

/// Where an included tx is: its block's number and its position in the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxRef {
    /// Block number.
    pub block: u64,
    /// Position in the block.
    pub index: u32,
}

/// The blocks that have left memory: every block the chain ever persisted, by hash (blocks are
/// never overwritten, so a chain snapshot taken before a revert or a reorg still finds its own),
/// with the tx and address indexes over them. Entries of blocks that are no longer in the chain
/// stay; the chain keeps the ones whose block hash it still has.
pub trait Archive: Send + Sync + std::fmt::Debug {
    /// A block by hash.
    fn block(&self, hash: &B256) -> anyhow::Result<Option<StoredBlock>>;
    /// Every block that included the tx with `hash`: (block hash, where in it).
    fn tx_locations(&self, hash: &B256) -> anyhow::Result<Vec<(B256, TxRef)>>;
    /// The txs `address` appears in (`address_index::tx_entries`), in chain order, with the
    /// hash of each one's block.
    fn txs_of(&self, address: &Address) -> anyhow::Result<Vec<(B256, TxRef)>>;
    /// The blocks (number, hash) after which `address` had code (`address_index::new_code`),
    /// in chain order.
    fn code_blocks(&self, address: &Address) -> anyhow::Result<Vec<(u64, B256)>>;
}

/// A read that failed is logged and answered as missing (the chain's reads are infallible).
pub(super) fn logged<T: Default>(read: anyhow::Result<T>) -> T {
    read.unwrap_or_else(|e| {
        tracing::error!("reading the data dir: {e:#}");
        T::default()
    })
}
