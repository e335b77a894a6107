//! The chain's blocks that left memory, read from the data dir (`storage::chain::Archive`): from
//! the database, and from the operations logged but not applied to it yet (the queue), which
//! are looked at first. An operation leaves the queue only once the database holds it, so one
//! read of the queue and then of the database misses nothing; what both hold is counted once.

use std::{collections::HashSet, sync::Arc};

use alloy_primitives::{Address, B256};
use alloy_rlp::Decodable as _;
use redb::ReadableDatabase as _;

use super::{ChainOnDisk, tables};
use crate::{
    persistence::records::BlockRecord,
    storage::{Archive, StoredBlock, TxRef, address_index},
};

impl ChainOnDisk {
    /// The blocks logged for this chain that the database may not hold yet, oldest first.
    fn queued_blocks(&self) -> Vec<Arc<StoredBlock>> {
        self.dir
            .queued(self.role as u8)
            .iter()
            .flat_map(|q| q.blocks.iter().cloned())
            .collect()
    }
}

/// `stored`, then those of `queued` it lacks, in order.
fn merged<T: Eq + std::hash::Hash + Clone>(mut stored: Vec<T>, queued: Vec<T>) -> Vec<T> {
    if queued.is_empty() {
        return stored;
    }
    let seen: HashSet<T> = stored.iter().cloned().collect();
    stored.extend(queued.into_iter().filter(|item| !seen.contains(item)));
    stored
}

/// Opens a table that may not exist yet (`None`).
macro_rules! open_or_none {
    ($txn:expr, $open:ident, $def:expr) => {
        match $txn.$open($def) {
            Ok(table) => Some(table),
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(err) => return Err(err.into()),
        }
    };
}

impl Archive for ChainOnDisk {
    fn block(&self, hash: &B256) -> anyhow::Result<Option<StoredBlock>> {
        if let Some(block) = self.queued_blocks().iter().find(|b| b.hash == *hash) {
            return Ok(Some((**block).clone()));
        }
        let txn = self.dir.db.begin_read()?;
        let Some(data) = open_or_none!(txn, open_table, self.role.block_data()) else {
            return Ok(None);
        };
        let Some(value) = data.get(&hash.0)? else {
            return Ok(None);
        };
        let record = BlockRecord::decode(&mut value.value())?;
        Ok(Some(record.to_block()?))
    }

    fn tx_locations(&self, hash: &B256) -> anyhow::Result<Vec<(B256, TxRef)>> {
        let queued: Vec<(B256, TxRef)> = self
            .queued_blocks()
            .iter()
            .flat_map(|block| {
                block
                    .txs
                    .iter()
                    .enumerate()
                    .filter(|(_, tx)| tx.tx.hash == *hash)
                    .map(|(index, _)| {
                        let at = TxRef {
                            block: block.header.number,
                            index: index as u32,
                        };
                        (block.hash, at)
                    })
            })
            .collect();
        // After the queue and before the table: an entry leaves one only once the next has it.
        let queued = merged(self.dir.recent_txs.locations(self.role, hash), queued);
        let txn = self.dir.db.begin_read()?;
        let Some(index) = open_or_none!(txn, open_multimap_table, self.role.tx_index()) else {
            return Ok(queued);
        };
        let stored = index
            .get(&hash.0)?
            .map(|value| Ok(tables::from_located(value?.value())))
            .collect::<anyhow::Result<_>>()?;
        Ok(merged(stored, queued))
    }

    fn txs_of(&self, address: &Address) -> anyhow::Result<Vec<(B256, TxRef)>> {
        let queued: Vec<(B256, TxRef)> = self
            .queued_blocks()
            .iter()
            .flat_map(|block| {
                address_index::tx_entries(block)
                    .filter(|(a, _)| a == address)
                    .map(|(_, at)| (block.hash, at))
                    .collect::<Vec<_>>()
            })
            .collect();
        let txn = self.dir.db.begin_read()?;
        let Some(index) = open_or_none!(txn, open_table, self.role.address_runs()) else {
            return Ok(queued);
        };
        let low = tables::address_row(*address, TxRef { block: 0, index: 0 });
        let high = tables::address_row(
            *address,
            TxRef {
                block: u64::MAX,
                index: u32::MAX,
            },
        );
        let mut stored = Vec::new();
        for run in index.range::<&[u8; 32]>(&low..=&high)? {
            stored.extend(tables::from_address_run(run?.1.value())?);
        }
        // Runs written after a revert may overlap earlier ones.
        stored.sort_unstable_by_key(|&(block, at)| (at, block));
        stored.dedup();
        Ok(merged(stored, queued))
    }

    fn code_blocks(&self, address: &Address) -> anyhow::Result<Vec<(u64, B256)>> {
        let queued: Vec<(u64, B256)> = self
            .queued_blocks()
            .iter()
            .filter(|block| address_index::new_code(block).any(|a| a == *address))
            .map(|block| (block.header.number, block.hash))
            .collect();
        let txn = self.dir.db.begin_read()?;
        let Some(index) = open_or_none!(txn, open_multimap_table, self.role.code_blocks()) else {
            return Ok(queued);
        };
        let stored = index
            .get(&address.0.0)?
            .map(|value| Ok(tables::from_code_block(value?.value())))
            .collect::<anyhow::Result<_>>()?;
        Ok(merged(stored, queued))
    }
}
