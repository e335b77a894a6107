//! What opening a data dir of an older format changes before it is marked as of this one:
//! format 5's address index as a plain table (formats 3 and 4 held it as a multimap). Format
//! 6's records leave out what format 5's carried twice over (`records/compact.rs`); those are
//! read as they are.

use redb::ReadableDatabase as _;

use super::{DATA_DIR_FORMAT, DataDir, META, Role, tables};

impl DataDir {
    /// Marks a data dir of an older format this one reads as of this format (so an older
    /// zkos-dev refuses it from now on).
    pub(super) fn mark_format(&self) -> anyhow::Result<()> {
        let format = DATA_DIR_FORMAT.to_be_bytes();
        let txn = self.db.begin_read()?;
        if txn
            .open_table(META)?
            .get("format")?
            .is_some_and(|v| v.value() == format)
        {
            return Ok(());
        }
        drop(txn);
        let txn = self.write_txn()?;
        for role in [Role::L2, Role::L1] {
            move_address_index(&txn, role)?;
        }
        txn.open_table(META)?.insert("format", format.as_slice())?;
        txn.commit()?;
        Ok(())
    }
}

/// Moves a chain's address index from the multimap of data dirs of format 4 and before
/// (`address -> (block number, tx index, block hash)`) into the plain table, in `txn`.
fn move_address_index(txn: &redb::WriteTransaction, role: Role) -> anyhow::Result<()> {
    let old = match txn.open_multimap_table(role.old_address_txs()) {
        Ok(table) => table,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
        Err(err) => return Err(err.into()),
    };
    let mut rows = txn.open_table(role.address_txs())?;
    for entry in redb::ReadableMultimapTable::iter(&old)? {
        let (address, values) = entry?;
        let address = alloy_primitives::Address::from(*address.value());
        for value in values {
            let (block, at) = tables::from_located(value?.value());
            rows.insert(&tables::address_row(address, at), &block.0)?;
        }
    }
    drop((old, rows));
    txn.delete_multimap_table(role.old_address_txs())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256};
    use redb::{ReadableDatabase as _, ReadableTable as _};

    use super::*;
    use crate::persistence::data_dir::tables;
    use crate::storage::TxRef;

    #[test]
    fn an_older_address_index_moves_into_the_plain_table_in_chain_order() {
        let temp = tempfile::tempdir().unwrap();
        let db = redb::Database::create(temp.path().join("db")).unwrap();
        let (a, b) = (Address::repeat_byte(1), Address::repeat_byte(2));
        let at = |block, index| TxRef { block, index };
        let old = [
            (a, at(7, 1), B256::repeat_byte(7)),
            (a, at(3, 0), B256::repeat_byte(3)),
            (b, at(7, 0), B256::repeat_byte(7)),
        ];
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_multimap_table(Role::L2.old_address_txs()).unwrap();
            for (address, at, block) in old {
                table
                    .insert(&address.0.0, &tables::located(at, block))
                    .unwrap();
            }
        }
        txn.commit().unwrap();

        let txn = db.begin_write().unwrap();
        move_address_index(&txn, Role::L2).unwrap();
        move_address_index(&txn, Role::L1).unwrap();
        txn.commit().unwrap();

        let txn = db.begin_read().unwrap();
        assert!(matches!(
            txn.open_multimap_table(Role::L2.old_address_txs()),
            Err(redb::TableError::TableDoesNotExist(_))
        ));
        let rows = txn.open_table(Role::L2.address_txs()).unwrap();
        let moved: Vec<(B256, TxRef)> = rows
            .iter()
            .unwrap()
            .map(|entry| {
                let (key, block) = entry.unwrap();
                tables::from_address_row(key.value(), block.value())
            })
            .collect();
        assert_eq!(
            moved,
            vec![
                (B256::repeat_byte(3), at(3, 0)),
                (B256::repeat_byte(7), at(7, 1)),
                (B256::repeat_byte(7), at(7, 0)),
            ]
        );
        assert_eq!(
            &rows.first().unwrap().unwrap().0.value()[..20],
            a.as_slice()
        );
    }
}
