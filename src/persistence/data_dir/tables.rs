//! The data dir's tables, one set per chain (`Role`).
//!
//! - `block_data`: every block ever persisted, by hash (a block record). Never overwritten, so a
//!   chain snapshot taken before a revert or reorg still finds its blocks.
//! - `canonical`: the chain, by number: the block's hash, then the priority id of the next L1
//!   tx after it (8 bytes).
//! - `tx_index`: tx hash -> (block number, tx index, block hash) of every block that holds it;
//!   its newest entries wait in memory and in `unmerged_txs` until a run of them is merged
//!   (`recent_txs.rs`).
//! - `address_txs`: address ‖ block number ‖ tx index -> block hash, the address index (a plain
//!   table: a new entry lands at the end of its address's range). Data dirs of format 4 and
//!   before held it as a multimap `address -> (block number, tx index, block hash)`, moved
//!   into it when they are opened (`old_address_txs`).
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
use redb::{MultimapTableDefinition, TableDefinition};

use super::Role;
use crate::storage::TxRef;

type Blocks = TableDefinition<'static, &'static [u8; 32], &'static [u8]>;
type Canonical = TableDefinition<'static, u64, &'static [u8; 40]>;
type Located = MultimapTableDefinition<'static, &'static [u8; 32], &'static [u8; 44]>;
type ByAddress = MultimapTableDefinition<'static, &'static [u8; 20], &'static [u8; 44]>;
type AddressRows = TableDefinition<'static, &'static [u8; 32], &'static [u8; 32]>;
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
    per_role!(address_txs: AddressRows = "l2_address_tx_rows", "l1_address_tx_rows");
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

/// A `tx_index` / `address_txs` value: the tx's place and its block's hash. Big-endian
/// number first, so an address's entries sort in chain order.
pub(super) fn located(at: TxRef, block: B256) -> [u8; 44] {
    let mut out = [0; 44];
    out[..8].copy_from_slice(&at.block.to_be_bytes());
    out[8..12].copy_from_slice(&at.index.to_be_bytes());
    out[12..].copy_from_slice(block.as_slice());
    out
}

/// A `tx_index` / `address_txs` value back.
pub(super) fn from_located(value: &[u8; 44]) -> (B256, TxRef) {
    let at = TxRef {
        block: u64::from_be_bytes(value[..8].try_into().expect("8 bytes")),
        index: u32::from_be_bytes(value[8..12].try_into().expect("4 bytes")),
    };
    (B256::from_slice(&value[12..]), at)
}

/// An `address_txs` key: the address, then the tx's place (big-endian: an address's entries
/// sort in chain order).
pub(super) fn address_row(address: Address, at: TxRef) -> [u8; 32] {
    let mut out = [0; 32];
    out[..20].copy_from_slice(address.as_slice());
    out[20..28].copy_from_slice(&at.block.to_be_bytes());
    out[28..].copy_from_slice(&at.index.to_be_bytes());
    out
}

/// An `address_txs` entry back: the tx's block hash and place.
pub(super) fn from_address_row(key: &[u8; 32], block: &[u8; 32]) -> (B256, TxRef) {
    let at = TxRef {
        block: u64::from_be_bytes(key[20..28].try_into().expect("8 bytes")),
        index: u32::from_be_bytes(key[28..].try_into().expect("4 bytes")),
    };
    (B256::from(*block), at)
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
