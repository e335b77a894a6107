//! A persist operation: one chain's blocks, state and settings as the database is to hold them,
//! and how it is applied (in one redb write transaction, the same result however often).

use std::sync::Arc;

use alloy_primitives::{B256, U256};
use alloy_rlp::Decodable as _;
use redb::ReadableTable as _;

use super::{CODES, Role, encode, recent_txs::IndexChanges, tables};
use crate::{
    persistence::records::{self, SettingsRecord, WritesRecord},
    storage::{StoredBlock, address_index},
};

/// One chain's persisted blocks as one operation: the write-ahead log's record.
#[derive(Debug, Clone, alloy_rlp::RlpEncodable, alloy_rlp::RlpDecodable)]
pub(super) struct PersistOp {
    /// 0: the L2, 1: the L1.
    pub(super) role: u8,
    /// The chain from this number on is `hashes`.
    pub(super) from: u64,
    /// `hashes` start with a new genesis: everything the chain had goes.
    pub(super) genesis: bool,
    /// The chain's blocks from `from` on, by hash.
    pub(super) hashes: Vec<B256>,
    /// For each of them, the priority id of the next L1 tx after it.
    pub(super) next_l1_txs: Vec<u64>,
    /// The blocks among them the database may not hold yet, in chain order.
    pub(super) blocks: Vec<records::BlockRecord>,
    /// Codes the blocks and the state use that the database may lack, with their hashes.
    pub(super) code_hashes: Vec<B256>,
    pub(super) codes: Vec<alloy_primitives::Bytes>,
    /// Whether `state` replaces the stored state; else `blocks` are appended to the chain and
    /// their writes apply to it in order.
    pub(super) image: bool,
    /// The whole state after the latest block (with `image`).
    pub(super) state: WritesRecord,
    /// Dev-method changes since the last block.
    pub(super) pending: WritesRecord,
    /// The next block's settings.
    pub(super) settings: SettingsRecord,
}

impl PersistOp {
    /// Whether it appends one block to the chain and nothing else: what a restart can replay
    /// through the sequencer.
    pub(super) fn is_one_block(&self) -> bool {
        !self.genesis
            && !self.image
            && self.blocks.len() == 1
            && self.hashes.len() == 1
            && self.pending.accounts.is_empty()
            && self.pending.slots.is_empty()
    }

    pub(super) fn role(&self) -> anyhow::Result<Role> {
        Role::logged(self.role)
    }

    /// Applies it in `txn`: the same result however often it is applied. `decoded`: the
    /// `blocks` as blocks, when the caller has them (else they are decoded here). The txs of
    /// the blocks it stores go to `index` (see `recent_txs.rs`).
    pub(super) fn apply(
        &self,
        txn: &redb::WriteTransaction,
        decoded: Option<&[Arc<StoredBlock>]>,
        index: &mut IndexChanges,
    ) -> anyhow::Result<()> {
        let role = self.role()?;
        if self.genesis {
            txn.delete_table(role.block_data())?;
            txn.delete_table(role.canonical())?;
            index.clear(txn, role)?;
            txn.delete_multimap_table(role.code_blocks())?;
            txn.delete_table(role.accounts())?;
            txn.delete_table(role.slots())?;
            txn.delete_table(role.undo())?;
        }
        let mut canonical = txn.open_table(role.canonical())?;
        canonical.retain_in(self.from.., |_, _| false)?;
        for (i, (hash, next)) in self.hashes.iter().zip(&self.next_l1_txs).enumerate() {
            canonical.insert(self.from + i as u64, &tables::canonical_value(*hash, *next))?;
        }
        let mut codes = txn.open_table(CODES)?;
        for (hash, code) in self.code_hashes.iter().zip(&self.codes) {
            if codes.get(&hash.0)?.is_none() {
                codes.insert(&hash.0, code.as_ref())?;
            }
        }
        // A one-block operation from the sequencer carries its block decoded only: its record
        // is made here, off the sequencer's path.
        let made: Vec<records::BlockRecord>;
        let records: &[records::BlockRecord] = match decoded {
            Some(blocks) if self.blocks.is_empty() && !blocks.is_empty() => {
                made = blocks
                    .iter()
                    .map(|b| records::BlockRecord::from_block(b))
                    .collect();
                &made
            }
            _ => &self.blocks,
        };
        let mut data = txn.open_table(role.block_data())?;
        let mut code_blocks = txn.open_multimap_table(role.code_blocks())?;
        for (i, record) in records.iter().enumerate() {
            let block = match decoded {
                Some(blocks) => blocks[i].clone(),
                None => Arc::new(record.to_block()?),
            };
            if data.get(&block.hash.0)?.is_some() {
                continue;
            }
            data.insert(&block.hash.0, encode(record).as_slice())?;
            let number = block.header.number;
            index.add(txn, role, &block)?;
            for (address, at) in address_index::tx_entries(&block) {
                index.add_address_entry(role, address, at, block.hash);
            }
            for address in address_index::new_code(&block) {
                code_blocks.insert(&address.0.0, &tables::code_block(number, block.hash))?;
            }
        }
        let mut accounts = txn.open_table(role.accounts())?;
        let mut slots = txn.open_table(role.slots())?;
        if self.image {
            accounts.retain(|_, _| false)?;
            slots.retain(|_, _| false)?;
            write_state(&mut accounts, &mut slots, &self.state, None)?;
        } else {
            let mut undo_table = txn.open_table(role.undo())?;
            for (i, record) in records.iter().enumerate() {
                let mut undo = WritesRecord::default();
                write_state(&mut accounts, &mut slots, &record.writes, Some(&mut undo))?;
                let hash = match decoded {
                    Some(blocks) => blocks[i].hash,
                    None => record.header.hash_slow(),
                };
                if i > 0 || !self.genesis {
                    undo_table.insert(&hash.0, encode(&undo).as_slice())?;
                }
            }
        }
        let mut meta = txn.open_table(role.meta())?;
        meta.insert("pending", encode(&self.pending).as_slice())?;
        meta.insert("settings", encode(&self.settings).as_slice())?;
        Ok(())
    }
}

/// Applies `writes` (final values) to the stored state. An account that no longer exists
/// keeps a record (on a fork it must not fall back to the remote) and loses its slots. With
/// `undo`, what they replace goes there (the same keys, the values before).
fn write_state(
    accounts: &mut redb::Table<&'static [u8; 20], &'static [u8]>,
    slots: &mut redb::Table<&'static [u8; 52], &'static [u8; 32]>,
    writes: &WritesRecord,
    undo: Option<&mut WritesRecord>,
) -> anyhow::Result<()> {
    if let Some(undo) = undo {
        for account in &writes.accounts {
            let before = match accounts.get(&account.address.0.0)? {
                Some(value) => records::AccountWrite::decode(&mut value.value())?,
                None => records::AccountWrite::absent(account.address),
            };
            undo.accounts.push(before);
        }
        for slot in &writes.slots {
            let before = slots
                .get(&tables::slot_key(slot.address, slot.slot))?
                .map_or(U256::ZERO, |v| U256::from_be_bytes(*v.value()));
            // An account that did not exist had no slots: undoing it removes them all.
            let absent = undo
                .accounts
                .iter()
                .any(|a| a.address == slot.address && !a.exists);
            if before.is_zero() && (absent || accounts.get(&slot.address.0.0)?.is_none()) {
                continue;
            }
            undo.slots.push(records::SlotWrite {
                value: before,
                ..slot.clone()
            });
        }
    }
    for account in &writes.accounts {
        if !account.exists {
            let low = tables::slot_key(account.address, U256::ZERO);
            let high = tables::slot_key(account.address, U256::MAX);
            slots.retain_in::<&[u8; 52], _>(&low..=&high, |_, _| false)?;
        }
        accounts.insert(&account.address.0.0, encode(account).as_slice())?;
    }
    for slot in &writes.slots {
        slots.insert(
            &tables::slot_key(slot.address, slot.slot),
            &slot.value.to_be_bytes::<32>(),
        )?;
    }
    Ok(())
}
