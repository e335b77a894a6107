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

/// A persistent hash map keyed by addresses, slots or hashes, hashed with alloy's default
/// hasher (foldhash) rather than SipHash: the state and the history look keys up on every tx.
pub type HashMap<K, V> = imbl::GenericHashMap<K, V, Hasher, imbl::shared_ptr::DefaultSharedPtr>;

/// The set counterpart of [`HashMap`].
pub type HashSet<A> = imbl::GenericHashSet<A, Hasher, imbl::shared_ptr::DefaultSharedPtr>;

/// The hasher of [`HashMap`] and [`HashSet`].
pub type Hasher = alloy_primitives::map::DefaultHashBuilder;
pub use chain::{ChainHistory, ChainStore, StoredBlock, StoredTx};
pub use state::{StateDb, StateHistory, StateSnapshot, StateStore};
