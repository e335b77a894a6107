//! Events: what happened in the node, broadcast to RPC subscriptions, filters and logs.
//! Lagging receivers lose events, never node data: storage stays the source of truth.

use std::sync::Arc;

use alloy_primitives::B256;

use crate::storage::StoredBlock;

/// Capacity of the event channel; a receiver further behind than this lags.
pub const EVENT_CAPACITY: usize = 4096;

/// One thing that happened.
#[derive(Debug, Clone)]
pub enum NodeEvent {
    /// A block was sealed and its receipts are visible.
    BlockSealed(Arc<StoredBlock>),
    /// A tx entered the mempool.
    TxPending(B256),
}
