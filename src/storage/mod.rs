//! Storage: the live data, split by reader: `state` (executor, RPC), `chain` (blocks, txs,
//! receipts, logs: the receipts repository the RPC reads) and `batches` (what the batcher
//! sealed and how far each got on L1). Saving and restoring them is `persistence`'s.

pub mod address_index;
pub mod batches;
pub mod chain;
pub mod state;

pub use batches::{BatchRecord, BatchStore, L1Stage, L1Step};
pub use chain::{Chain, ChainHistory, StoredBlock, StoredTx};
pub use state::{StateDb, StateHistory, StateSnapshot, StateStore};
