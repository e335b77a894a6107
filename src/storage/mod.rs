//! Storage, split by reader: `state` (executor, RPC) and `chain` (blocks, txs, receipts,
//! logs: the receipts repository the RPC reads).

pub mod chain;
pub mod state;

pub use chain::{Chain, StoredBlock, StoredTx};
pub use state::{StateDb, StateSnapshot, StateStore};
