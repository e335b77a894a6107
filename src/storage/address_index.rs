//! Address index: per address, the included txs it appears in, and per contract the block its
//! code first appeared in (Otterscan's address pages, `ots_getContractCreator`, txs by sender
//! and nonce).
//!
//! Derived from the blocks alone and kept inside `ChainHistory`, so it follows the chain
//! through every path that changes it: sealing (`push`), `anvil_rollback` / `anvil_reorg`
//! (`truncate`), `evm_revert` and state loads (`restore`), `anvil_reset`, and a restart, which
//! rebuilds the chain block by block from the data dir. Persistent maps: a chain snapshot
//! copies it in O(1).

use std::{collections::BTreeSet, sync::Arc};

use alloy_consensus::Transaction as _;
use alloy_primitives::{Address, B256, KECCAK256_EMPTY};

use super::{StoredBlock, StoredTx};

/// The addresses and contracts of the chain's blocks.
#[derive(Debug, Clone, Default)]
pub struct AddressIndex {
    /// Per address, in chain order, the txs where it is the sender, the recipient, the created
    /// contract or the emitter of a log. A contract a tx reaches only through internal calls
    /// that log nothing is not found here (there is no call trace of a mined tx).
    txs: imbl::HashMap<Address, imbl::Vector<Arc<StoredTx>>>,
    /// Per address, the first block after which it had code (block 0: genesis).
    code_since: imbl::HashMap<Address, u64>,
}

impl AddressIndex {
    /// Adds the txs and new contracts of `block`, the chain's next block.
    pub fn add(&mut self, block: &StoredBlock) {
        for tx in &block.txs {
            for address in addresses(tx) {
                self.txs.entry(address).or_default().push_back(tx.clone());
            }
        }
        for address in new_code(block) {
            self.code_since
                .entry(address)
                .or_insert(block.header.number);
        }
    }

    /// Removes what `add` added for `block`, the chain's last block.
    pub fn remove(&mut self, block: &StoredBlock) {
        for tx in block.txs.iter().rev() {
            for address in addresses(tx) {
                let Some(list) = self.txs.get_mut(&address) else {
                    continue;
                };
                if list.back().is_some_and(|t| t.tx.hash == tx.tx.hash) {
                    list.pop_back();
                }
                if list.is_empty() {
                    self.txs.remove(&address);
                }
            }
        }
        for address in new_code(block) {
            if self.code_since.get(&address) == Some(&block.header.number) {
                self.code_since.remove(&address);
            }
        }
    }

    /// The txs `address` appears in, in chain order (an O(1) copy).
    pub fn txs_of(&self, address: &Address) -> imbl::Vector<Arc<StoredTx>> {
        self.txs.get(address).cloned().unwrap_or_default()
    }

    /// The block after which `address` first had code.
    pub fn code_since(&self, address: &Address) -> Option<u64> {
        self.code_since.get(address).copied()
    }
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
fn new_code(block: &StoredBlock) -> impl Iterator<Item = Address> + '_ {
    block.writes.accounts.iter().filter_map(|(address, leaf)| {
        let hash = leaf.as_ref()?.code_hash;
        (hash != KECCAK256_EMPTY && hash != B256::ZERO).then_some(*address)
    })
}
