//! Storage: a chain's live data, split by reader: `state` (executor, RPC) and `chain` (blocks,
//! txs, receipts, logs: the receipts repository the RPC reads). The batches are the batcher's
//! (`batcher::store`); saving and restoring is `persistence`'s, which writes through `wal` (the
//! write-ahead log).

pub mod address_index;
pub mod archive;
pub mod chain;
pub mod state;
pub mod wal;

pub use archive::{Archive, TxRef};
pub use chain::{ChainHistory, ChainStore, StoredBlock, StoredTx};
pub use state::{StateDb, StateHistory, StateSnapshot, StateStore};
