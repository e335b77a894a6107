//! Address index: per address, the included txs it appears in, and per contract the block its
//! code first appeared in (Otterscan's address pages, `ots_getContractCreator`, txs by sender
//! and nonce).
//!
//! In memory (`--ephemeral`) it is kept inside `ChainHistory`, so it follows the chain through
//! every path that changes it: sealing (`push`), `anvil_rollback` / `anvil_reorg`
//! (`truncate`), `evm_revert` and state loads (`restore`) and `anvil_reset`. Persistent maps: a
//! chain snapshot copies it in O(1). With a data dir the same entries (`entries`) live on disk,
//! beside the blocks (`storage::chain::Archive`).

use std::collections::BTreeSet;

use alloy_consensus::Transaction as _;
use alloy_primitives::{Address, B256, KECCAK256_EMPTY};

use super::{StoredBlock, StoredTx, TxRef};

/// The addresses and contracts of the chain's blocks.
#[derive(Debug, Clone, Default)]
pub struct AddressIndex {
    /// Per address, in chain order, the txs where it is the sender, the recipient, the created
    /// contract or the emitter of a log. A contract a tx reaches only through internal calls
    /// that log nothing is not found here (there is no call trace of a mined tx).
    txs: crate::storage::HashMap<Address, imbl::Vector<TxRef>>,
    /// Per address, the first block after which it had code (block 0: genesis).
    code_since: crate::storage::HashMap<Address, u64>,
}

impl AddressIndex {
    /// Adds the txs and new contracts of `block`, the chain's next block.
    pub fn add(&mut self, block: &StoredBlock) {
        for (address, tx) in tx_entries(block) {
            self.txs.entry(address).or_default().push_back(tx);
        }
        for address in new_code(block) {
            self.code_since
                .entry(address)
                .or_insert(block.header.number);
        }
    }

    /// Removes what `add` added for `block`, the chain's last block.
    pub fn remove(&mut self, block: &StoredBlock) {
        for (address, tx) in tx_entries(block) {
            let Some(list) = self.txs.get_mut(&address) else {
                continue;
            };
            if list.back() == Some(&tx) {
                list.pop_back();
            }
            if list.is_empty() {
                self.txs.remove(&address);
            }
        }
        for address in new_code(block) {
            if self.code_since.get(&address) == Some(&block.header.number) {
                self.code_since.remove(&address);
            }
        }
    }

    /// The txs `address` appears in, in chain order.
    pub fn txs_of(&self, address: &Address) -> Vec<TxRef> {
        self.txs
            .get(address)
            .map(|list| list.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The block after which `address` first had code.
    pub fn code_since(&self, address: &Address) -> Option<u64> {
        self.code_since.get(address).copied()
    }
}

/// Every (address, tx) entry of `block`: each tx under each address it is listed under, in
/// block order (the index's entries, in memory or on disk).
pub fn tx_entries(block: &StoredBlock) -> impl Iterator<Item = (Address, TxRef)> + '_ {
    block.txs.iter().flat_map(|tx| {
        let at = TxRef {
            block: tx.block_number,
            index: tx.index as u32,
        };
        addresses(tx).into_iter().map(move |address| (address, at))
    })
}

/// The addresses an included tx is listed under, each once.
fn addresses(tx: &StoredTx) -> BTreeSet<Address> {
    let mut out = BTreeSet::new();
    out.insert(tx.tx.sender);
    out.extend(tx.tx.envelope.to());
    out.extend(tx.contract_address);
    out.extend(tx.receipt.logs().iter().map(|log| log.address));
    out
}

/// Accounts `block` left with code.
pub fn new_code(block: &StoredBlock) -> impl Iterator<Item = Address> + '_ {
    block.writes.accounts.iter().filter_map(|(address, leaf)| {
        let hash = leaf.as_ref()?.code_hash;
        (hash != KECCAK256_EMPTY && hash != B256::ZERO).then_some(*address)
    })
}
