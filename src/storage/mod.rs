//! Storage, split by reader: `state` (executor, RPC) and `chain` (blocks, txs, receipts,
//! logs: the receipts repository the RPC reads), plus `snapshot` (saved copies of both for
//! `evm_snapshot` / `evm_revert`).

pub mod address_index;
pub mod batches;
pub mod chain;
pub mod disk;
pub mod image;
pub mod saved;
pub mod snapshot;
pub mod state;

pub use batches::{BatchRecord, BatchStatus, BatchStore, L1Stage, L1Step};
pub use chain::{Chain, ChainHistory, StoredBlock, StoredTx};
pub use snapshot::{Snapshot, Snapshots};
pub use state::{StateDb, StateHistory, StateSnapshot, StateStore};
