//! The tx index's newest entries, kept out of its table until there are many.
//!
//! The tx index (`tables.rs`: tx hash -> where) is keyed by hash, so a checkpoint's entries
//! land all over it: written one checkpoint at a time, each checkpoint would rewrite close to
//! every page of the index once it is large. Instead, a stored block's entries go to memory
//! (here) and to the `unmerged` table (per block, in the order stored: an append); once
//! [`MERGE_RUN`] entries wait, a checkpoint writes them all into the index in hash order, each
//! page once, and empties `unmerged`. Opening the data dir reads `unmerged` back (at most a run
//! of tx hashes, however long the history).
//!
//! Readers look in the write queue, then here, then in the index: an entry is here before its
//! block leaves the queue, and leaves here only once the index holds it.
//!
//! The address index's entries are written with their blocks: per transaction, one run per
//! address (`tables::insert_address_entries`).

use std::collections::BTreeSet;

use alloy_primitives::{Address, B256};
use parking_lot::RwLock;
use redb::{ReadableTable as _, TableDefinition};

use super::{Role, tables};
use crate::storage::{StoredBlock, TxRef};

/// How many entries wait in memory before a checkpoint merges them into the index. A merge
/// rewrites the index's pages once; the entries take ~100 bytes each meanwhile.
const MERGE_RUN: usize = 1 << 17;

/// An index entry: the tx's hash, then where it is (`tables::located`).
type Entry = ([u8; 32], [u8; 44]);

/// `unmerged`: per stored block, in the order stored: its number, its hash, then its txs'
/// hashes in order.
type Unmerged = TableDefinition<'static, u64, &'static [u8]>;

impl Role {
    fn unmerged(self) -> Unmerged {
        match self {
            Self::L2 => Unmerged::new("l2_unmerged_txs"),
            Self::L1 => Unmerged::new("l1_unmerged_txs"),
        }
    }
}

/// The entries of both chains' stored blocks that the index does not hold yet.
#[derive(Debug)]
pub(super) struct RecentTxs {
    chains: RwLock<[BTreeSet<Entry>; 2]>,
    /// [`MERGE_RUN`], but in tests.
    merge_run: usize,
}

impl Default for RecentTxs {
    fn default() -> Self {
        Self {
            chains: Default::default(),
            merge_run: MERGE_RUN,
        }
    }
}

/// What a write transaction did to the recent entries, for [`RecentTxs::committed`] once it
/// commits.
#[derive(Debug, Default)]
pub(super) struct IndexChanges {
    /// The chain's recent entries went (a new genesis, or merged into the index).
    cleared: [bool; 2],
    /// Entries of the blocks stored since.
    added: [Vec<Entry>; 2],
    /// The address index's entries of the blocks stored since, written as one run per
    /// address when the transaction commits.
    address_entries: [Vec<(Address, TxRef, B256)>; 2],
}

impl IndexChanges {
    /// A new genesis: the chain's index and recent entries go.
    pub(super) fn clear(&mut self, txn: &redb::WriteTransaction, role: Role) -> anyhow::Result<()> {
        txn.delete_multimap_table(role.tx_index())?;
        txn.delete_table(role.unmerged())?;
        txn.delete_table(role.address_runs())?;
        self.cleared[role as usize] = true;
        self.added[role as usize].clear();
        self.address_entries[role as usize].clear();
        Ok(())
    }

    /// The tx at `at` in block `block` involves `address`: an entry of the address index.
    pub(super) fn add_address_entry(
        &mut self,
        role: Role,
        address: Address,
        at: TxRef,
        block: B256,
    ) {
        self.address_entries[role as usize].push((address, at, block));
    }

    /// Writes the address index's entries in `txn`: one run per address.
    fn write_address_entries(&mut self, txn: &redb::WriteTransaction) -> anyhow::Result<()> {
        for role in [Role::L2, Role::L1] {
            let entries = &mut self.address_entries[role as usize];
            if entries.is_empty() {
                continue;
            }
            tables::insert_address_entries(&mut txn.open_table(role.address_runs())?, entries)?;
        }
        Ok(())
    }

    /// `block` is stored: its txs are to be indexed.
    pub(super) fn add(
        &mut self,
        txn: &redb::WriteTransaction,
        role: Role,
        block: &StoredBlock,
    ) -> anyhow::Result<()> {
        let txs = block.txs.iter().map(|tx| tx.tx.hash);
        self.add_txs(txn, role, block.header.number, block.hash, txs)
    }

    /// Block `number` with hash `block` and txs `txs` (hashes, in order) is stored.
    fn add_txs(
        &mut self,
        txn: &redb::WriteTransaction,
        role: Role,
        number: u64,
        block: B256,
        txs: impl ExactSizeIterator<Item = B256>,
    ) -> anyhow::Result<()> {
        let mut row = Vec::with_capacity(40 + 32 * txs.len());
        row.extend_from_slice(&number.to_be_bytes());
        row.extend_from_slice(block.as_slice());
        for tx in txs {
            row.extend_from_slice(tx.as_slice());
        }
        let mut unmerged = txn.open_table(role.unmerged())?;
        let next = unmerged.last()?.map_or(0, |(key, _)| key.value() + 1);
        unmerged.insert(next, row.as_slice())?;
        self.added[role as usize].extend(entries(&row));
        Ok(())
    }
}

/// The entries of an `unmerged` row.
fn entries(row: &[u8]) -> impl Iterator<Item = Entry> + '_ {
    let number = u64::from_be_bytes(row[..8].try_into().expect("8 bytes"));
    let block = B256::from_slice(&row[8..40]);
    row[40..]
        .chunks_exact(32)
        .enumerate()
        .map(move |(index, hash)| {
            let at = TxRef {
                block: number,
                index: index as u32,
            };
            (
                hash.try_into().expect("32 bytes"),
                tables::located(at, block),
            )
        })
}

impl RecentTxs {
    /// Reads back the entries the index does not hold yet (opening the data dir).
    pub(super) fn load(&self, db: &redb::Database) -> anyhow::Result<()> {
        use redb::ReadableDatabase as _;
        let txn = db.begin_read()?;
        let mut chains = self.chains.write();
        for role in [Role::L2, Role::L1] {
            let set = &mut chains[role as usize];
            set.clear();
            let table = match txn.open_table(role.unmerged()) {
                Ok(table) => table,
                Err(redb::TableError::TableDoesNotExist(_)) => continue,
                Err(err) => return Err(err.into()),
            };
            for row in table.iter()? {
                let (_, value) = row?;
                let value = value.value();
                anyhow::ensure!(
                    value.len() >= 40 && (value.len() - 40) % 32 == 0,
                    "the {} tx index's recent entries are damaged",
                    role.name()
                );
                set.extend(entries(value));
            }
        }
        Ok(())
    }

    /// Where the recent entries of `role` put the tx with `hash`.
    pub(super) fn locations(&self, role: Role, hash: &B256) -> Vec<(B256, TxRef)> {
        let low = (hash.0, [0; 44]);
        let high = (hash.0, [u8::MAX; 44]);
        self.chains.read()[role as usize]
            .range(low..=high)
            .map(|(_, located)| tables::from_located(located))
            .collect()
    }

    /// Writes a chain's recent entries into the index in `txn` once there are
    /// [`MERGE_RUN`] of them (with those `changes` adds), and empties `unmerged`.
    fn merge_if_many(
        &self,
        txn: &redb::WriteTransaction,
        changes: &mut IndexChanges,
    ) -> anyhow::Result<()> {
        let chains = self.chains.read();
        for role in [Role::L2, Role::L1] {
            let i = role as usize;
            let held = if changes.cleared[i] {
                &BTreeSet::new()
            } else {
                &chains[i]
            };
            if held.len() + changes.added[i].len() < self.merge_run {
                continue;
            }
            let started = std::time::Instant::now();
            let mut run: Vec<Entry> = held.iter().copied().collect();
            run.append(&mut changes.added[i]);
            run.sort_unstable();
            let mut index = txn.open_multimap_table(role.tx_index())?;
            for (hash, located) in &run {
                index.insert(hash, located)?;
            }
            txn.delete_table(role.unmerged())?;
            changes.cleared[i] = true;
            tracing::debug!(
                role = role.name(),
                entries = run.len(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "tx index: a run of recent entries merged"
            );
        }
        Ok(())
    }

    /// Commits `txn`, which made `changes` (merging a run into the index first when one is
    /// due); the entries here follow.
    pub(super) fn commit(
        &self,
        txn: redb::WriteTransaction,
        mut changes: IndexChanges,
    ) -> anyhow::Result<()> {
        changes.write_address_entries(&txn)?;
        self.merge_if_many(&txn, &mut changes)?;
        txn.commit()?;
        self.committed(changes);
        Ok(())
    }

    /// `changes`' transaction committed: the entries follow.
    fn committed(&self, changes: IndexChanges) {
        let mut chains = self.chains.write();
        for (i, added) in changes.added.into_iter().enumerate() {
            if changes.cleared[i] {
                chains[i].clear();
            }
            chains[i].extend(added);
        }
    }
}

#[cfg(test)]
mod tests {
    use redb::{ReadableDatabase as _, ReadableTableMetadata as _};

    use super::*;

    fn hash(n: u8) -> B256 {
        B256::repeat_byte(n)
    }

    /// Stores block `number` (hash `block`) with txs `txs` in one committed write.
    fn store(db: &redb::Database, recent: &RecentTxs, number: u64, block: u8, txs: &[u8]) {
        let txn = db.begin_write().unwrap();
        let mut changes = IndexChanges::default();
        let txs = txs.iter().map(|n| hash(*n)).collect::<Vec<_>>();
        changes
            .add_txs(&txn, Role::L2, number, hash(block), txs.into_iter())
            .unwrap();
        recent.commit(txn, changes).unwrap();
    }

    fn indexed(db: &redb::Database) -> u64 {
        let txn = db.begin_read().unwrap();
        match txn.open_multimap_table(Role::L2.tx_index()) {
            Ok(table) => table.len().unwrap(),
            Err(redb::TableError::TableDoesNotExist(_)) => 0,
            Err(err) => panic!("{err}"),
        }
    }

    fn at(block: u64, index: u32) -> TxRef {
        TxRef { block, index }
    }

    #[test]
    fn entries_wait_in_memory_and_unmerged_then_merge_in_one_run() {
        let temp = tempfile::tempdir().unwrap();
        let db = redb::Database::create(temp.path().join("db")).unwrap();
        let recent = RecentTxs {
            merge_run: 5,
            ..Default::default()
        };
        store(&db, &recent, 1, 0xb1, &[1, 2]);
        // Tx 2 again in another block (a chain that went back and took it again).
        store(&db, &recent, 2, 0xb2, &[2]);
        assert_eq!(indexed(&db), 0);
        assert_eq!(
            recent.locations(Role::L2, &hash(1)),
            [(hash(0xb1), at(1, 0))]
        );
        let both = [(hash(0xb1), at(1, 1)), (hash(0xb2), at(2, 0))];
        assert_eq!(recent.locations(Role::L2, &hash(2)), both);
        assert!(recent.locations(Role::L1, &hash(2)).is_empty());

        // Opened again: read back from `unmerged`.
        let reopened = RecentTxs {
            merge_run: 5,
            ..Default::default()
        };
        reopened.load(&db).unwrap();
        assert_eq!(reopened.locations(Role::L2, &hash(2)), both);

        // The fifth entry makes a run: all go into the table, none stay.
        store(&db, &reopened, 3, 0xb3, &[3, 4]);
        assert_eq!(indexed(&db), 5);
        assert!(reopened.locations(Role::L2, &hash(4)).is_empty());
        let txn = db.begin_read().unwrap();
        let table = txn.open_multimap_table(Role::L2.tx_index()).unwrap();
        let stored: Vec<_> = table
            .get(&hash(2).0)
            .unwrap()
            .map(|v| tables::from_located(v.unwrap().value()))
            .collect();
        assert_eq!(stored, both);
        assert!(matches!(
            txn.open_table(Role::L2.unmerged()),
            Err(redb::TableError::TableDoesNotExist(_))
        ));
        drop((table, txn));
        let after_merge = RecentTxs::default();
        after_merge.load(&db).unwrap();
        assert!(after_merge.locations(Role::L2, &hash(1)).is_empty());
    }

    #[test]
    fn a_new_genesis_drops_recent_and_merged_entries() {
        let temp = tempfile::tempdir().unwrap();
        let db = redb::Database::create(temp.path().join("db")).unwrap();
        let recent = RecentTxs {
            merge_run: 2,
            ..Default::default()
        };
        store(&db, &recent, 1, 0xb1, &[1, 2]);
        store(&db, &recent, 2, 0xb2, &[3]);
        assert_eq!(indexed(&db), 2);
        let txn = db.begin_write().unwrap();
        let mut changes = IndexChanges::default();
        changes.clear(&txn, Role::L2).unwrap();
        changes
            .add_txs(&txn, Role::L2, 1, hash(0xc1), [hash(5)].into_iter())
            .unwrap();
        recent.commit(txn, changes).unwrap();
        assert_eq!(indexed(&db), 0);
        assert!(recent.locations(Role::L2, &hash(3)).is_empty());
        assert_eq!(
            recent.locations(Role::L2, &hash(5)),
            [(hash(0xc1), at(1, 0))]
        );
        let reopened = RecentTxs::default();
        reopened.load(&db).unwrap();
        assert_eq!(
            reopened.locations(Role::L2, &hash(5)),
            [(hash(0xc1), at(1, 0))]
        );
        assert!(reopened.locations(Role::L2, &hash(3)).is_empty());
    }
}
