//! The chain's blocks that left memory, read from the data dir (`storage::chain::Archive`).

use alloy_primitives::{Address, B256};
use alloy_rlp::Decodable as _;
use redb::ReadableDatabase as _;

use super::{ChainOnDisk, tables};
use crate::{
    persistence::records::BlockRecord,
    storage::{Archive, StoredBlock, TxRef},
};

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
        let txn = self.dir.db.begin_read()?;
        let Some(index) = open_or_none!(txn, open_multimap_table, self.role.tx_index()) else {
            return Ok(vec![]);
        };
        index
            .get(&hash.0)?
            .map(|value| Ok(tables::from_located(value?.value())))
            .collect()
    }

    fn txs_of(&self, address: &Address) -> anyhow::Result<Vec<(B256, TxRef)>> {
        let txn = self.dir.db.begin_read()?;
        let Some(index) = open_or_none!(txn, open_multimap_table, self.role.address_txs()) else {
            return Ok(vec![]);
        };
        index
            .get(&address.0.0)?
            .map(|value| Ok(tables::from_located(value?.value())))
            .collect()
    }

    fn code_blocks(&self, address: &Address) -> anyhow::Result<Vec<(u64, B256)>> {
        let txn = self.dir.db.begin_read()?;
        let Some(index) = open_or_none!(txn, open_multimap_table, self.role.code_blocks()) else {
            return Ok(vec![]);
        };
        index
            .get(&address.0.0)?
            .map(|value| Ok(tables::from_code_block(value?.value())))
            .collect()
    }
}
