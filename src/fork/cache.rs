//! What a fork has read from its remote, kept so it is read once: accounts, storage slots and
//! block hashes at the fork block (immutable there, so any later read may reuse them). Kept in
//! the data dir as one JSON file per remote chain and fork block, written atomically.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use alloy_primitives::{Address, B256, Bytes, U256};
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

/// One account at the fork block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteAccount {
    /// Balance.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Code (empty for none).
    pub code: Bytes,
}

/// The file's contents.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    /// Which remote chain and block this cache is for.
    chain_id: u64,
    block: u64,
    accounts: HashMap<Address, RemoteAccount>,
    slots: HashMap<Address, HashMap<U256, U256>>,
    block_hashes: HashMap<u64, B256>,
}

/// The cache; readers and the fetching thread share it.
#[derive(Debug)]
pub struct ForkCache {
    inner: RwLock<CacheFile>,
    /// Where it is kept (`None`: memory only).
    path: Option<PathBuf>,
    /// Entries added since the last save.
    unsaved: RwLock<usize>,
}

impl ForkCache {
    /// The cache of remote `chain_id` at `block`, loaded from `dir` when it has one (a damaged
    /// file is ignored: it only costs fetching again).
    pub fn open(dir: Option<&Path>, chain_id: u64, block: u64) -> Self {
        let path = dir.map(|d| d.join(format!("{chain_id}-{block}.json")));
        let inner = path
            .as_deref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|f| f.chain_id == chain_id && f.block == block)
            .unwrap_or(CacheFile {
                chain_id,
                block,
                ..Default::default()
            });
        Self {
            inner: RwLock::new(inner),
            path,
            unsaved: RwLock::new(0),
        }
    }

    /// A cached account (one the remote does not have is cached as an empty one).
    pub fn account(&self, address: &Address) -> Option<RemoteAccount> {
        self.inner.read().accounts.get(address).cloned()
    }

    /// Caches an account.
    pub fn put_account(&self, address: Address, account: RemoteAccount) {
        self.inner.write().accounts.insert(address, account);
        *self.unsaved.write() += 1;
    }

    /// A cached slot.
    pub fn slot(&self, address: &Address, slot: &U256) -> Option<U256> {
        self.inner.read().slots.get(address)?.get(slot).copied()
    }

    /// Caches a slot.
    pub fn put_slot(&self, address: Address, slot: U256, value: U256) {
        self.inner
            .write()
            .slots
            .entry(address)
            .or_default()
            .insert(slot, value);
        *self.unsaved.write() += 1;
    }

    /// A cached block hash.
    pub fn block_hash(&self, number: u64) -> Option<B256> {
        self.inner.read().block_hashes.get(&number).copied()
    }

    /// Caches a block hash.
    pub fn put_block_hash(&self, number: u64, hash: B256) {
        self.inner.write().block_hashes.insert(number, hash);
        *self.unsaved.write() += 1;
    }

    /// Number of cached accounts and slots.
    pub fn len(&self) -> (usize, usize) {
        let inner = self.inner.read();
        (
            inner.accounts.len(),
            inner.slots.values().map(HashMap::len).sum(),
        )
    }

    /// Writes the cache to its file if anything was added since the last save.
    pub fn save(&self) -> anyhow::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if *self.unsaved.read() == 0 {
            return Ok(());
        }
        let bytes = {
            let inner = self.inner.read();
            *self.unsaved.write() = 0;
            serde_json::to_vec(&*inner)?
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut file, &bytes)?;
        file.persist(path)?;
        Ok(())
    }
}
