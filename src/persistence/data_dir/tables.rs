//! The data dir's tables, one set per chain (`Role`).
//!
//! - `block_data`: every block ever persisted, by hash (a block record). Never overwritten, so a
//!   chain snapshot taken before a revert or reorg still finds its blocks.
//! - `canonical`: the chain, by number: the block's hash, then the priority id of the next L1
//!   tx after it (8 bytes).
//! - `tx_index`: tx hash -> (block number, tx index, block hash) of every block that holds it;
//!   its newest entries wait in memory and in `unmerged_txs` until a run of them is merged
//!   (`recent_txs.rs`).
//! - `address_runs`: the address index, in runs: address ‖ block number ‖ tx index of a run's
//!   first entry -> its entries (`located` values, in chain order, at most [`RUN_LEN`]). Each
//!   write transaction adds one run per address it touches, so an address's txs cost one
//!   insert per checkpoint, not one per tx. Older data dirs held one row per entry
//!   (`address_rows`, formats 5 and 6) or a multimap `address -> located` (`old_address_txs`,
//!   formats 3 and 4), moved into runs when they are opened (`upgrade.rs`).
//! - `code_blocks`: address -> (block number, block hash) of the blocks that left it with code.
//! - `accounts` / `slots`: the state after the latest block (without the changes pending for
//!   the next one, which the chain's meta holds): a restart reads it instead of re-applying
//!   every block.
//!
//! - `undo`: per block hash, the values its writes replaced (as writes), so a restart can
//!   rebuild the states of the latest blocks backwards from the stored one.
//!
//! Index entries are written once, when their block is first stored; the chain reads only the
//! ones whose block hash is still canonical.
//!
//! Beside them, for the L2 only (like `batches`): `tree_leaves`, the state tree checkpoint's
//! leaves by index, whose head record is the L2's meta `tree_checkpoint` (`tree_checkpoint.rs`).

use alloy_primitives::{Address, B256, U256};
use redb::{MultimapTableDefinition, ReadableTable as _, TableDefinition};

use super::Role;
use crate::storage::TxRef;

type Blocks = TableDefinition<'static, &'static [u8; 32], &'static [u8]>;
type Canonical = TableDefinition<'static, u64, &'static [u8; 40]>;
type Located = MultimapTableDefinition<'static, &'static [u8; 32], &'static [u8; 44]>;
type ByAddress = MultimapTableDefinition<'static, &'static [u8; 20], &'static [u8; 44]>;
type AddressRows = TableDefinition<'static, &'static [u8; 32], &'static [u8; 32]>;
type AddressRuns = TableDefinition<'static, &'static [u8; 32], &'static [u8]>;
type CodeBlocks = MultimapTableDefinition<'static, &'static [u8; 20], &'static [u8; 40]>;
type Accounts = TableDefinition<'static, &'static [u8; 20], &'static [u8]>;
type Slots = TableDefinition<'static, &'static [u8; 52], &'static [u8; 32]>;

macro_rules! per_role {
    ($name:ident: $ty:ty = $l2:literal, $l1:literal) => {
        pub(super) fn $name(self) -> $ty {
            match self {
                Self::L2 => <$ty>::new($l2),
                Self::L1 => <$ty>::new($l1),
            }
        }
    };
}

impl Role {
    per_role!(block_data: Blocks = "l2_block_data", "l1_block_data");
    per_role!(canonical: Canonical = "l2_canonical", "l1_canonical");
    per_role!(tx_index: Located = "l2_tx_index", "l1_tx_index");
    per_role!(address_runs: AddressRuns = "l2_address_runs", "l1_address_runs");
    per_role!(address_rows: AddressRows = "l2_address_tx_rows", "l1_address_tx_rows");
    per_role!(old_address_txs: ByAddress = "l2_address_txs", "l1_address_txs");
    per_role!(code_blocks: CodeBlocks = "l2_code_blocks", "l1_code_blocks");
    per_role!(accounts: Accounts = "l2_accounts", "l1_accounts");
    per_role!(slots: Slots = "l2_slots", "l1_slots");
    per_role!(undo: Blocks = "l2_undo", "l1_undo");
}

/// A `canonical` value: the block's hash and the next L1 tx's priority id after it.
pub(super) fn canonical_value(hash: B256, next_l1_tx: u64) -> [u8; 40] {
    let mut out = [0; 40];
    out[..32].copy_from_slice(hash.as_slice());
    out[32..].copy_from_slice(&next_l1_tx.to_be_bytes());
    out
}

/// A `canonical` value back.
pub(super) fn from_canonical(value: &[u8; 40]) -> (B256, u64) {
    let next = u64::from_be_bytes(value[32..].try_into().expect("8 bytes"));
    (B256::from_slice(&value[..32]), next)
}

/// A `tx_index` value (and an `address_runs` entry): the tx's place and its block's hash.
/// Big-endian number first, so an address's entries sort in chain order.
pub(super) fn located(at: TxRef, block: B256) -> [u8; 44] {
    let mut out = [0; 44];
    out[..8].copy_from_slice(&at.block.to_be_bytes());
    out[8..12].copy_from_slice(&at.index.to_be_bytes());
    out[12..].copy_from_slice(block.as_slice());
    out
}

/// A `tx_index` value (or an `address_runs` entry) back.
pub(super) fn from_located(value: &[u8; 44]) -> (B256, TxRef) {
    let at = TxRef {
        block: u64::from_be_bytes(value[..8].try_into().expect("8 bytes")),
        index: u32::from_be_bytes(value[8..12].try_into().expect("4 bytes")),
    };
    (B256::from_slice(&value[12..]), at)
}

/// An `address_runs` (or `address_rows`) key: the address, then a tx's place (big-endian: an
/// address's runs sort in chain order).
pub(super) fn address_row(address: Address, at: TxRef) -> [u8; 32] {
    let mut out = [0; 32];
    out[..20].copy_from_slice(address.as_slice());
    out[20..28].copy_from_slice(&at.block.to_be_bytes());
    out[28..].copy_from_slice(&at.index.to_be_bytes());
    out
}

/// An `address_rows` entry back: the tx's block hash and place.
pub(super) fn from_address_row(key: &[u8; 32], block: &[u8; 32]) -> (B256, TxRef) {
    let at = TxRef {
        block: u64::from_be_bytes(key[20..28].try_into().expect("8 bytes")),
        index: u32::from_be_bytes(key[28..].try_into().expect("4 bytes")),
    };
    (B256::from(*block), at)
}

/// The most entries a run of `address_runs` is written with.
pub(super) const RUN_LEN: usize = 1024;

/// Writes address index `entries` (address, place, block hash) into `address_runs`, and
/// empties them: per address, runs of at most [`RUN_LEN`]. A run already keyed at the same
/// place (a block of a chain since reverted, same number) is kept: its entries join the new
/// run's.
pub(super) fn insert_address_entries(
    table: &mut redb::Table<&'static [u8; 32], &'static [u8]>,
    entries: &mut Vec<(Address, TxRef, B256)>,
) -> anyhow::Result<()> {
    entries.sort_unstable();
    entries.dedup();
    let mut places = Vec::new();
    for same_address in entries.chunk_by(|a, b| a.0 == b.0) {
        places.clear();
        places.extend(same_address.iter().map(|(_, at, block)| (*at, *block)));
        insert_address_runs(table, same_address[0].0, &places)?;
    }
    entries.clear();
    Ok(())
}

/// Writes `entries` of `address` (sorted) as runs of at most [`RUN_LEN`].
fn insert_address_runs(
    table: &mut redb::Table<&'static [u8; 32], &'static [u8]>,
    address: Address,
    entries: &[(TxRef, B256)],
) -> anyhow::Result<()> {
    let mut value = Vec::with_capacity(44 * entries.len().min(RUN_LEN));
    for run in entries.chunks(RUN_LEN) {
        let key = address_row(address, run[0].0);
        value.clear();
        if let Some(old) = table.get(&key)? {
            let mut all: Vec<(TxRef, B256)> = from_address_run(old.value())?
                .map(|(block, at)| (at, block))
                .chain(run.iter().copied())
                .collect();
            all.sort_unstable();
            all.dedup();
            value.extend(all.iter().flat_map(|(at, block)| located(*at, *block)));
        } else {
            value.extend(run.iter().flat_map(|(at, block)| located(*at, *block)));
        }
        table.insert(&key, value.as_slice())?;
    }
    Ok(())
}

/// An `address_runs` value back: its entries' block hashes and places.
pub(super) fn from_address_run(
    value: &[u8],
) -> anyhow::Result<impl Iterator<Item = (B256, TxRef)> + '_> {
    anyhow::ensure!(
        value.len().is_multiple_of(44),
        "an address index run is damaged"
    );
    Ok(value
        .chunks_exact(44)
        .map(|entry| from_located(entry.try_into().expect("44 bytes"))))
}

/// A `code_blocks` value: the block's number and hash.
pub(super) fn code_block(number: u64, hash: B256) -> [u8; 40] {
    let mut out = [0; 40];
    out[..8].copy_from_slice(&number.to_be_bytes());
    out[8..].copy_from_slice(hash.as_slice());
    out
}

/// A `code_blocks` value back.
pub(super) fn from_code_block(value: &[u8; 40]) -> (u64, B256) {
    let number = u64::from_be_bytes(value[..8].try_into().expect("8 bytes"));
    (number, B256::from_slice(&value[8..]))
}

/// A `slots` key: the account, then the slot.
pub(super) fn slot_key(address: Address, slot: U256) -> [u8; 52] {
    let mut out = [0; 52];
    out[..20].copy_from_slice(address.as_slice());
    out[20..].copy_from_slice(&slot.to_be_bytes::<32>());
    out
}

/// A `slots` key back.
pub(super) fn from_slot_key(key: &[u8; 52]) -> (Address, U256) {
    (
        Address::from_slice(&key[..20]),
        U256::from_be_slice(&key[20..]),
    )
}

#[cfg(test)]
mod tests {
    use redb::ReadableDatabase as _;

    use super::*;

    #[test]
    fn a_run_written_at_the_place_of_an_earlier_one_keeps_the_earlier_entries() {
        let temp = tempfile::tempdir().unwrap();
        let db = redb::Database::create(temp.path().join("db")).unwrap();
        let a = Address::repeat_byte(1);
        let at = |block, index| TxRef { block, index };
        let (old, new) = (B256::repeat_byte(1), B256::repeat_byte(2));
        // Block 5 with two of a's txs, then, after a revert, another block 5 with one.
        for mut entries in [
            vec![(a, at(5, 0), old), (a, at(5, 3), old)],
            vec![(a, at(5, 0), new)],
        ] {
            let txn = db.begin_write().unwrap();
            insert_address_entries(
                &mut txn.open_table(Role::L2.address_runs()).unwrap(),
                &mut entries,
            )
            .unwrap();
            txn.commit().unwrap();
        }
        let txn = db.begin_read().unwrap();
        let runs = txn.open_table(Role::L2.address_runs()).unwrap();
        let value = runs.get(&address_row(a, at(5, 0))).unwrap().unwrap();
        assert_eq!(
            from_address_run(value.value()).unwrap().collect::<Vec<_>>(),
            vec![(old, at(5, 0)), (new, at(5, 0)), (old, at(5, 3))]
        );
        assert!(from_address_run(&[0; 45]).is_err());
    }
}
