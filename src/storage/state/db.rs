//! `StateDb`: the revm database over one snapshot; block building commits into it.

use std::sync::Arc;

use alloy_primitives::{Address, B256, U256, map::AddressMap};
use revm::{
    Database, DatabaseCommit,
    bytecode::Bytecode,
    state::{Account, AccountInfo},
};

use super::StateSnapshot;
use crate::fork::ForkError;

/// Block hashes by number, for the `BLOCKHASH` opcode.
pub type BlockHashes = Arc<dyn Fn(u64) -> B256 + Send + Sync>;

/// revm database over one snapshot; commits go into the snapshot.
pub struct StateDb {
    /// The state being read and (when building a block) written.
    pub state: StateSnapshot,
    /// Hashes of earlier blocks.
    pub block_hashes: BlockHashes,
}

impl Database for StateDb {
    type Error = ForkError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, ForkError> {
        Ok(self.state.try_account(&address)?.map(|a| {
            let mut info = a.info;
            info.code = self.state.code_by_hash(&info.code_hash);
            info
        }))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, ForkError> {
        Ok(self.state.code_by_hash(&code_hash).unwrap_or_default())
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, ForkError> {
        self.state.try_storage(&address, index)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, ForkError> {
        Ok((self.block_hashes)(number))
    }
}

impl DatabaseCommit for StateDb {
    fn commit(&mut self, changes: AddressMap<Account>) {
        self.state.apply(changes);
    }
}
