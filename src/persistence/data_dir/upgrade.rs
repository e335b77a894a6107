//! What opening a data dir of an older format changes before it is marked as of this one: the
//! address index moves into runs (`tables.rs`), from format 5's and 6's table of one row per
//! entry or format 3's and 4's multimap. Format 6's records leave out what format 5's carried
//! twice over (`records/compact.rs`); those are read as they are.

use alloy_primitives::{Address, B256};
use redb::{ReadableDatabase as _, ReadableTable as _};

use super::{DATA_DIR_FORMAT, DataDir, META, Role, tables};
use crate::storage::TxRef;

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

/// Moves a chain's address index of an older format into runs, in `txn`: the rows of formats
/// 5 and 6 (`address ‖ place -> block hash`) and the multimap of formats 3 and 4
/// (`address -> (place, block hash)`).
fn move_address_index(txn: &redb::WriteTransaction, role: Role) -> anyhow::Result<()> {
    // Both older tables list their entries by address, so one address's are held at a time.
    let mut runs = txn.open_table(role.address_runs())?;
    let mut held: Vec<(Address, TxRef, B256)> = Vec::new();
    let mut push = |entry: (Address, TxRef, B256),
                    runs: &mut redb::Table<&'static [u8; 32], &'static [u8]>|
     -> anyhow::Result<()> {
        if held.last().is_some_and(|last| last.0 != entry.0) {
            tables::insert_address_entries(runs, &mut held)?;
        }
        held.push(entry);
        Ok(())
    };
    let rows_exist = match txn.open_table(role.address_rows()) {
        Ok(rows) => {
            for row in rows.iter()? {
                let (key, block) = row?;
                let (block, at) = tables::from_address_row(key.value(), block.value());
                push(
                    (Address::from_slice(&key.value()[..20]), at, block),
                    &mut runs,
                )?;
            }
            true
        }
        Err(redb::TableError::TableDoesNotExist(_)) => false,
        Err(err) => return Err(err.into()),
    };
    let multimap_exists = match txn.open_multimap_table(role.old_address_txs()) {
        Ok(old) => {
            for entry in redb::ReadableMultimapTable::iter(&old)? {
                let (address, values) = entry?;
                let address = Address::from(*address.value());
                for value in values {
                    let (block, at) = tables::from_located(value?.value());
                    push((address, at, block), &mut runs)?;
                }
            }
            true
        }
        Err(redb::TableError::TableDoesNotExist(_)) => false,
        Err(err) => return Err(err.into()),
    };
    tables::insert_address_entries(&mut runs, &mut held)?;
    drop(runs);
    if rows_exist {
        txn.delete_table(role.address_rows())?;
    }
    if multimap_exists {
        txn.delete_multimap_table(role.old_address_txs())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256};
    use redb::{ReadableDatabase as _, ReadableTable as _};

    use super::*;
    use crate::persistence::data_dir::tables;
    use crate::storage::TxRef;

    fn at(block: u64, index: u32) -> TxRef {
        TxRef { block, index }
    }

    /// Moves both chains' older indexes, then reads the L2's runs back: (address, entries).
    fn moved(db: &redb::Database) -> Vec<(Address, Vec<(B256, TxRef)>)> {
        let txn = db.begin_write().unwrap();
        move_address_index(&txn, Role::L2).unwrap();
        move_address_index(&txn, Role::L1).unwrap();
        txn.commit().unwrap();
        let txn = db.begin_read().unwrap();
        assert!(matches!(
            txn.open_multimap_table(Role::L2.old_address_txs()),
            Err(redb::TableError::TableDoesNotExist(_))
        ));
        assert!(matches!(
            txn.open_table(Role::L2.address_rows()),
            Err(redb::TableError::TableDoesNotExist(_))
        ));
        let runs = txn.open_table(Role::L2.address_runs()).unwrap();
        runs.iter()
            .unwrap()
            .map(|run| {
                let (key, value) = run.unwrap();
                let entries = tables::from_address_run(value.value()).unwrap().collect();
                (Address::from_slice(&key.value()[..20]), entries)
            })
            .collect()
    }

    #[test]
    fn a_format_4_address_multimap_moves_into_runs_in_chain_order() {
        let temp = tempfile::tempdir().unwrap();
        let db = redb::Database::create(temp.path().join("db")).unwrap();
        let (a, b) = (Address::repeat_byte(1), Address::repeat_byte(2));
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

        assert_eq!(
            moved(&db),
            vec![
                (
                    a,
                    vec![
                        (B256::repeat_byte(3), at(3, 0)),
                        (B256::repeat_byte(7), at(7, 1))
                    ]
                ),
                (b, vec![(B256::repeat_byte(7), at(7, 0))]),
            ]
        );
    }

    #[test]
    fn format_6_address_rows_move_into_runs_of_bounded_length() {
        let temp = tempfile::tempdir().unwrap();
        let db = redb::Database::create(temp.path().join("db")).unwrap();
        let a = Address::repeat_byte(1);
        let count = tables::RUN_LEN as u32 + 5;
        let txn = db.begin_write().unwrap();
        {
            let mut rows = txn.open_table(Role::L2.address_rows()).unwrap();
            for index in 0..count {
                rows.insert(&tables::address_row(a, at(9, index)), &[9; 32])
                    .unwrap();
            }
        }
        txn.commit().unwrap();

        let runs = moved(&db);
        assert_eq!(
            runs.iter().map(|(_, e)| e.len()).collect::<Vec<_>>(),
            vec![tables::RUN_LEN, 5]
        );
        let entries: Vec<(B256, TxRef)> = runs.into_iter().flat_map(|(_, e)| e).collect();
        let expected: Vec<(B256, TxRef)> = (0..count)
            .map(|i| (B256::repeat_byte(9), at(9, i)))
            .collect();
        assert_eq!(entries, expected);
    }
}
