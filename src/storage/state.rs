//! State: accounts, storage and code after each block.
//!
//! Each block's state is a persistent map (`imbl`), so keeping the state of every recent block
//! costs only what changed, and a reader takes an O(1) clone without holding a lock while it
//! executes. `StateDb` is the revm database over one snapshot; block building commits into it.
//!
//! On a fork (`crate::fork`) the snapshot holds what the chain wrote itself, and anything else
//! is the remote's at the fork block: a miss falls back to the fork. So that a local write
//! shadows the remote, written slots are kept even when zero, a destroyed account leaves a
//! tombstone, and an account created here (`fresh`) never reads the remote's slots.

use std::sync::Arc;

use alloy_primitives::{Address, B256, KECCAK256_EMPTY, U256, map::AddressMap};
use revm::{
    bytecode::Bytecode,
    state::{Account, AccountInfo},
};

use crate::fork::{Fork, ForkError};

mod db;
mod store;

pub use db::{BlockHashes, StateDb};
pub use store::{STATE_HISTORY, STATE_HISTORY_WRITES, StateHistory, StateStore};

/// One account: balance, nonce, code hash and its storage.
#[derive(Debug, Clone, Default)]
pub struct AccountState {
    /// Balance, nonce and code hash (code itself lives in `StateSnapshot::codes`).
    pub info: AccountInfo,
    /// Storage slots written (a cleared one stays, as zero).
    pub storage: crate::storage::HashMap<U256, U256>,
    /// Created (or destroyed) here: slots missing from `storage` are zero, not the fork's.
    pub fresh: bool,
}

/// The whole state after one block. Cloning is O(1).
#[derive(Debug, Clone, Default)]
pub struct StateSnapshot {
    accounts: crate::storage::HashMap<Address, AccountState>,
    codes: crate::storage::HashMap<B256, Bytecode>,
    /// What changed since the last `take_writes`: the next block's writes for the state tree.
    /// Dev methods change state between blocks; their changes ride with the next block.
    dirty: Dirty,
    /// Every account and slot read, while recording (the prover's witness); `None` otherwise,
    /// which costs block production one branch per read. Shared by the clones of a snapshot.
    reads: Option<Arc<ReadLog>>,
    /// The remote chain behind this one (fork mode).
    fork: Option<Fork>,
    /// Accounts destroyed here: on a fork, they must not fall back to the remote.
    gone: crate::storage::HashSet<Address>,
}

/// A key the executor read: an account (balance, nonce, code) or one storage slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReadKey {
    /// An account.
    Account(Address),
    /// A storage slot of an account.
    Slot(Address, U256),
}

/// The keys read from a recording snapshot. A std-style mutex: held only to insert one key.
#[derive(Debug, Default)]
pub struct ReadLog(parking_lot::Mutex<std::collections::HashSet<ReadKey>>);

impl ReadLog {
    fn record(&self, key: ReadKey) {
        self.0.lock().insert(key);
    }

    /// The keys read so far.
    pub fn keys(&self) -> std::collections::HashSet<ReadKey> {
        self.0.lock().clone()
    }
}

/// Accounts and slots changed since the last block was sealed.
#[derive(Debug, Clone, Default)]
struct Dirty {
    accounts: imbl::OrdSet<Address>,
    slots: imbl::OrdSet<(Address, U256)>,
}

/// One account as the state tree stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountLeaf {
    /// Nonce.
    pub nonce: u64,
    /// Balance.
    pub balance: U256,
    /// keccak256 of its code (`KECCAK256_EMPTY` for none).
    pub code_hash: B256,
    /// Length of its code in bytes.
    pub code_len: u32,
}

/// The final values of everything one block changed, in key order (the tree's input).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockWrites {
    /// Changed accounts; `None` for one that no longer exists (self-destructed).
    pub accounts: Vec<(Address, Option<AccountLeaf>)>,
    /// Changed storage slots and their values (zero for cleared ones).
    pub slots: Vec<(Address, U256, U256)>,
}

impl BlockWrites {
    /// Number of writes.
    pub fn len(&self) -> usize {
        self.accounts.len() + self.slots.len()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl StateSnapshot {
    /// Starts recording every account and slot read from this snapshot (and its clones).
    pub fn record_reads(&mut self) -> Arc<ReadLog> {
        let log = Arc::new(ReadLog::default());
        self.reads = Some(log.clone());
        log
    }

    /// Stops recording reads.
    pub fn stop_recording(&mut self) {
        self.reads = None;
    }

    /// A snapshot over `fork` (empty without one): what is not written here is the remote's.
    pub fn forked(fork: Option<Fork>) -> Self {
        Self {
            fork,
            ..Default::default()
        }
    }

    /// The remote chain behind this one, in fork mode.
    pub fn fork(&self) -> Option<&Fork> {
        self.fork.as_ref()
    }

    /// Puts this snapshot over `fork` (a chain rebuilt from the data dir or a dump).
    pub fn attach_fork(&mut self, fork: Option<Fork>) {
        self.fork = fork;
    }

    /// Balance, nonce and code hash, or `None` for an account that does not exist. On a fork,
    /// an account not written here is read from the remote, which may fail.
    pub fn try_account(&self, address: &Address) -> Result<Option<AccountState>, ForkError> {
        if let Some(log) = &self.reads {
            log.record(ReadKey::Account(*address));
        }
        if let Some(account) = self.accounts.get(address) {
            return Ok(Some(account.clone()));
        }
        match &self.fork {
            Some(fork) if !self.gone.contains(address) => {
                let remote = fork.account(address)?;
                let info = crate::fork::account_info(&remote);
                Ok((!info.is_empty()).then(|| AccountState {
                    info,
                    storage: Default::default(),
                    fresh: false,
                }))
            }
            _ => Ok(None),
        }
    }

    /// `try_account`, with a remote that failed taken as having no such account (logged).
    pub fn account(&self, address: &Address) -> Option<AccountState> {
        self.try_account(address).unwrap_or_else(|e| {
            tracing::warn!("{e}");
            None
        })
    }

    /// Balance (zero for unknown accounts).
    pub fn balance(&self, address: &Address) -> U256 {
        self.account(address)
            .map(|a| a.info.balance)
            .unwrap_or_default()
    }

    /// Nonce (zero for unknown accounts).
    pub fn nonce(&self, address: &Address) -> u64 {
        self.account(address)
            .map(|a| a.info.nonce)
            .unwrap_or_default()
    }

    /// Deployed code (empty for EOAs).
    pub fn code(&self, address: &Address) -> Bytecode {
        self.account(address)
            .and_then(|a| self.code_by_hash(&a.info.code_hash))
            .unwrap_or_default()
    }

    /// One storage slot.
    pub fn storage(&self, address: &Address, slot: U256) -> U256 {
        self.try_storage(address, slot).unwrap_or_else(|e| {
            tracing::warn!("{e}");
            U256::ZERO
        })
    }

    /// One storage slot; on a fork, a slot not written here is read from the remote.
    pub fn try_storage(&self, address: &Address, slot: U256) -> Result<U256, ForkError> {
        if let Some(log) = &self.reads {
            log.record(ReadKey::Slot(*address, slot));
        }
        self.try_stored(address, slot)
    }

    /// One storage slot, not recorded as a read.
    fn stored(&self, address: &Address, slot: U256) -> U256 {
        self.try_stored(address, slot).unwrap_or_default()
    }

    fn try_stored(&self, address: &Address, slot: U256) -> Result<U256, ForkError> {
        let local = self.accounts.get(address);
        if let Some(value) = local.and_then(|a| a.storage.get(&slot)) {
            return Ok(*value);
        }
        match &self.fork {
            Some(fork) if !local.is_some_and(|a| a.fresh) && !self.gone.contains(address) => {
                fork.storage(address, slot)
            }
            _ => Ok(U256::ZERO),
        }
    }

    /// Code by hash (on a fork, also the code of remote accounts read so far).
    pub fn code_by_hash(&self, hash: &B256) -> Option<Bytecode> {
        self.codes
            .get(hash)
            .cloned()
            .or_else(|| self.fork.as_ref()?.code_by_hash(hash))
    }

    /// Takes what changed since the last call, with final values: one block's writes.
    pub fn take_writes(&mut self) -> BlockWrites {
        let dirty = std::mem::take(&mut self.dirty);
        let accounts = dirty
            .accounts
            .into_iter()
            .map(|address| {
                let leaf = self.accounts.get(&address).map(|a| AccountLeaf {
                    nonce: a.info.nonce,
                    balance: a.info.balance,
                    code_hash: a.info.code_hash,
                    code_len: self
                        .code_by_hash(&a.info.code_hash)
                        .map(|c| c.original_byte_slice().len() as u32)
                        .unwrap_or_default(),
                });
                (address, leaf)
            })
            .collect();
        let slots = dirty
            .slots
            .into_iter()
            .map(|(address, slot)| (address, slot, self.stored(&address, slot)))
            .collect();
        BlockWrites { accounts, slots }
    }

    /// Everything this snapshot holds as final values (accounts, slots, and the accounts
    /// destroyed here as `None`), in key order: the data dir's copy of the state.
    pub fn image(&self) -> BlockWrites {
        let mut accounts: Vec<(Address, Option<AccountLeaf>)> = self
            .accounts
            .iter()
            .map(|(address, a)| {
                let leaf = AccountLeaf {
                    nonce: a.info.nonce,
                    balance: a.info.balance,
                    code_hash: a.info.code_hash,
                    code_len: self
                        .code_by_hash(&a.info.code_hash)
                        .map(|c| c.original_byte_slice().len() as u32)
                        .unwrap_or_default(),
                };
                (*address, Some(leaf))
            })
            .chain(self.gone.iter().map(|address| (*address, None)))
            .collect();
        accounts.sort_by_key(|(address, _)| *address);
        let mut slots: Vec<(Address, U256, U256)> = self
            .accounts
            .iter()
            .flat_map(|(address, a)| {
                a.storage
                    .iter()
                    .map(|(slot, value)| (*address, *slot, *value))
            })
            .collect();
        slots.sort();
        BlockWrites { accounts, slots }
    }

    /// What changed since the last `take_writes`, with final values, leaving it pending
    /// (the data dir keeps dev-method changes made between blocks).
    pub fn peek_writes(&self) -> BlockWrites {
        self.clone().take_writes()
    }

    /// Puts back the final values of one block's changes (a chain rebuilt from the data dir).
    /// `code` finds the code of a hash. With `pending`, the changes are also marked changed,
    /// so they ride with the next block.
    pub fn restore_writes(
        &mut self,
        writes: &BlockWrites,
        code: impl Fn(&B256) -> anyhow::Result<Bytecode>,
        pending: bool,
    ) -> anyhow::Result<()> {
        for (address, leaf) in &writes.accounts {
            if pending {
                self.dirty.accounts.insert(*address);
            }
            let Some(leaf) = leaf else {
                self.accounts.remove(address);
                self.gone.insert(*address);
                continue;
            };
            if leaf.code_hash != KECCAK256_EMPTY
                && leaf.code_hash != B256::ZERO
                && !self.codes.contains_key(&leaf.code_hash)
            {
                self.codes.insert(leaf.code_hash, code(&leaf.code_hash)?);
            }
            let fresh = self.gone.remove(address).is_some();
            let account = self
                .accounts
                .entry(*address)
                .or_insert_with(|| AccountState {
                    fresh,
                    ..Default::default()
                });
            account.info.nonce = leaf.nonce;
            account.info.balance = leaf.balance;
            account.info.code_hash = leaf.code_hash;
        }
        for (address, slot, value) in &writes.slots {
            if pending {
                self.dirty.slots.insert((*address, *slot));
            }
            let account = self
                .accounts
                .entry(*address)
                .or_insert_with(|| AccountState {
                    info: AccountInfo {
                        code_hash: KECCAK256_EMPTY,
                        ..Default::default()
                    },
                    storage: Default::default(),
                    fresh: false,
                });
            account.storage.insert(*slot, *value);
        }
        Ok(())
    }

    /// Mutable access to an account, created empty when missing.
    pub fn account_mut(&mut self, address: Address) -> &mut AccountState {
        if let Some(log) = &self.reads {
            log.record(ReadKey::Account(address));
        }
        self.dirty.accounts.insert(address);
        if !self.accounts.contains_key(&address) {
            // On a fork, an account first written here starts as the remote has it.
            let fresh = self.gone.remove(&address).is_some();
            let start = match fresh {
                true => None,
                false => self.account(&address),
            };
            let code = start
                .as_ref()
                .and_then(|a| self.code_by_hash(&a.info.code_hash));
            if let Some(code) = code {
                self.codes.insert(code.hash_slow(), code);
            }
            self.accounts.insert(
                address,
                start.unwrap_or_else(|| AccountState {
                    info: AccountInfo {
                        code_hash: KECCAK256_EMPTY,
                        ..Default::default()
                    },
                    storage: Default::default(),
                    fresh,
                }),
            );
        }
        self.accounts.get_mut(&address).expect("inserted above")
    }

    /// Sets an account's code (dev methods, genesis).
    pub fn set_code(&mut self, address: Address, code: Bytecode) {
        let hash = code.hash_slow();
        if !code.is_empty() {
            self.codes.insert(hash, code);
        }
        self.account_mut(address).info.code_hash = if hash == B256::ZERO {
            KECCAK256_EMPTY
        } else {
            hash
        };
    }

    /// Sets one storage slot (dev methods, genesis).
    pub fn set_storage(&mut self, address: Address, slot: U256, value: U256) {
        self.dirty.slots.insert((address, slot));
        self.account_mut(address).storage.insert(slot, value);
    }

    /// Applies the changes of one executed tx, as revm reports them.
    pub fn apply(&mut self, changes: AddressMap<Account>) {
        for (address, account) in changes {
            if !account.is_touched() {
                continue;
            }
            self.dirty.accounts.insert(address);
            if account.is_selfdestructed() {
                if let Some(gone) = self.accounts.remove(&address) {
                    for slot in gone.storage.keys() {
                        self.dirty.slots.insert((address, *slot));
                    }
                }
                self.gone.insert(address);
                continue;
            }
            let created = account.is_created();
            let mut info = account.info;
            if let Some(code) = info.code.take()
                && !code.is_empty()
            {
                self.codes.entry(info.code_hash).or_insert(code);
            }
            let entry = self.account_mut(address);
            entry.info = info;
            if created {
                entry.fresh = true;
                for slot in std::mem::take(&mut entry.storage).keys() {
                    self.dirty.slots.insert((address, *slot));
                }
            }
            let entry = self.account_mut(address);
            let mut changed = Vec::new();
            for (slot, value) in account.storage {
                if !value.is_changed() && !created {
                    continue;
                }
                changed.push(slot);
                entry.storage.insert(slot, value.present_value);
            }
            for slot in changed {
                self.dirty.slots.insert((address, slot));
            }
        }
    }
}
