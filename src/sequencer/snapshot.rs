//! Snapshot: an in-memory copy of one chain (state, blocks, mempool, chain settings and clock)
//! that `evm_revert` puts back. `Snapshots`: the ones taken, by id. With an L1, `devnet::Devnet`
//! ties the two chains' ids into one devnet snapshot.
//!
//! Taking one is cheap: the states and the chain are persistent maps, so a copy shares its
//! structure with the live data and costs only what changes afterwards.

use std::collections::BTreeMap;

use alloy_primitives::{B256, U256};

use super::L1Queue;
use crate::{
    chain_settings::ChainSettings,
    mempool::PoolSnapshot,
    storage::{ChainHistory, StateHistory},
};

/// The devnet at one moment.
#[derive(Debug, Clone)]
pub(super) struct Snapshot {
    /// The kept states.
    pub(super) state: StateHistory,
    /// Blocks, txs, receipts.
    pub(super) chain: ChainHistory,
    /// Pending and queued txs.
    pub(super) pool: PoolSnapshot,
    /// Chain id, gas limit, base fee, coinbase and the clock.
    pub(super) settings: ChainSettings,
    /// L1 txs waiting for a block, and the next priority id.
    pub l1_txs: L1Queue,
}

/// Snapshots by id. Ids count up from 0 as in anvil and are never reused; reverting to one
/// consumes it and every later one.
#[derive(Debug, Default)]
pub(super) struct Snapshots {
    next_id: U256,
    taken: BTreeMap<U256, Snapshot>,
}

impl Snapshots {
    /// Keeps `snapshot`; returns its id.
    pub(super) fn insert(&mut self, snapshot: Snapshot) -> U256 {
        let id = self.next_id;
        self.next_id = id.saturating_add(U256::from(1));
        self.taken.insert(id, snapshot);
        id
    }

    /// Removes and returns snapshot `id`, dropping the ones taken after it.
    pub(super) fn take(&mut self, id: U256) -> Option<Snapshot> {
        let snapshot = self.taken.remove(&id)?;
        self.taken.retain(|taken, _| *taken < id);
        Some(snapshot)
    }

    /// Id -> (block number, block hash) of the head when each was taken (`anvil_metadata`).
    pub(super) fn list(&self) -> BTreeMap<U256, (u64, B256)> {
        self.taken
            .iter()
            .map(|(id, s)| (*id, s.chain.head()))
            .collect()
    }
}
