//! Fork mode: a chain that starts from a block of a live chain (`--fork-url`). Its state
//! falls back to the remote's at the fork block for every account and slot it has not written
//! itself, fetched on first use and cached ([`cache`]); blocks, txs, receipts and logs up to
//! the fork block are the remote's, answered by asking it ([`crate::rpc`] proxies them).
//!
//! `ForkSource::connect` resolves the fork point (chain id, block, header); the state layer
//! (`storage::state`) calls `account` / `storage` / `block_hash`, which block on the remote
//! from the executor's synchronous code; failures come back as [`ForkError`] naming the
//! remote, never as a made-up zero.

pub mod cache;
pub mod remote;

use std::{path::Path, sync::Arc, time::Duration};

use alloy_consensus::Header;
use alloy_primitives::{Address, B256, Bloom, Bytes, KECCAK256_EMPTY, U256, keccak256};
use anyhow::Context as _;
use parking_lot::RwLock;
use revm::bytecode::Bytecode;
use serde_json::{Value, json};

pub use cache::RemoteAccount;
pub use remote::{ForkError, Remote};

/// Fork mode: the remote chain and how to read from it (anvil's flags and defaults).
#[derive(Debug, Clone)]
pub struct ForkConfig {
    /// The remote's JSON-RPC URL (`--fork-url`).
    pub url: String,
    /// The block to fork at (`--fork-block-number`; default the remote's latest).
    pub block_number: Option<u64>,
    /// Fork at the block before this tx's and replay the txs before it (`--fork-transaction-hash`).
    pub transaction_hash: Option<alloy_primitives::B256>,
    /// The local chain id (`--fork-chain-id` / `--chain-id`; default the remote's).
    pub chain_id: Option<u64>,
    /// Retries of a failed request (`--fork-retries`, anvil's `--retries`; default 5).
    pub retries: u32,
    /// Backoff before a retry (`--fork-retry-backoff`, ms; default 1000).
    pub retry_backoff: Duration,
    /// Time limit of one request (`--timeout`, ms; default 45 s).
    pub timeout: Duration,
    /// The remote's rate limit, in compute units per second (`--compute-units-per-second`;
    /// `--no-rate-limit`: unlimited).
    pub compute_units_per_second: u64,
    /// Extra HTTP headers (`--fork-header "Name: value"`).
    pub headers: Vec<(String, String)>,
    /// Keep what was read in the data dir (`--no-storage-caching`: off).
    pub cache: bool,
}

impl ForkConfig {
    /// Forking `url` with anvil's defaults.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            block_number: None,
            transaction_hash: None,
            chain_id: None,
            retries: 5,
            retry_backoff: Duration::from_millis(1000),
            timeout: Duration::from_secs(45),
            compute_units_per_second: 330,
            headers: vec![],
            cache: true,
        }
    }
}

/// Where a fork starts: the remote and its block.
#[derive(Debug, Clone)]
pub struct ForkPoint {
    /// The remote's URL.
    pub url: String,
    /// The remote's chain id.
    pub chain_id: u64,
    /// The fork block's number: the local chain's genesis.
    pub block_number: u64,
    /// The fork block's hash (as the remote reports it).
    pub block_hash: B256,
    /// The fork block's header, as far as the remote reports it.
    pub header: Header,
    /// With `--fork-transaction-hash`: the raw txs of the next remote block before that tx,
    /// replayed locally at start.
    pub replay: Vec<Bytes>,
}

/// A fork's remote and what has been read from it.
#[derive(Debug)]
pub struct ForkSource {
    point: ForkPoint,
    /// How it was asked for (a re-fork with `anvil_reset` keeps the settings).
    config: ForkConfig,
    /// Where its cache is kept (`None`: memory only).
    cache_dir: Option<std::path::PathBuf>,
    remote: Remote,
    cache: cache::ForkCache,
    /// Code of the remote accounts read so far, by hash.
    codes: RwLock<std::collections::HashMap<B256, Bytecode>>,
}

impl ForkSource {
    /// Reaches the remote and resolves the fork block; `cache_dir` keeps what is read
    /// (`None`: memory only). A URL that is not a chain is refused here, with what went wrong.
    pub async fn connect(config: &ForkConfig, cache_dir: Option<&Path>) -> anyhow::Result<Self> {
        let remote = Remote::new(config)?;
        let not_a_chain = |e: ForkError| {
            anyhow::anyhow!(
                "--fork-url {}: not a reachable JSON-RPC chain ({})",
                config.url,
                e.reason
            )
        };
        let chain_id: U256 = remote
            .request("eth_chainId", json!([]))
            .await
            .map_err(not_a_chain)?;
        let chain_id = u64::try_from(chain_id).context("the remote's chain id is too large")?;
        let mut replay = vec![];
        let block_number = match (config.block_number, config.transaction_hash) {
            (Some(n), _) => n,
            (None, Some(hash)) => {
                let tx: Value = remote
                    .request("eth_getTransactionByHash", json!([hash]))
                    .await?;
                let number = quantity(&tx["blockNumber"]).with_context(|| {
                    format!("--fork-transaction-hash {hash}: the remote has no mined tx")
                })?;
                let block: Value = remote
                    .request("eth_getBlockByNumber", json!([hex(number), false]))
                    .await?;
                for earlier in block["transactions"].as_array().into_iter().flatten() {
                    let earlier: B256 = serde_json::from_value(earlier.clone())?;
                    if earlier == hash {
                        break;
                    }
                    let raw: Bytes = remote
                        .request("eth_getRawTransactionByHash", json!([earlier]))
                        .await?;
                    replay.push(raw);
                }
                number
                    .checked_sub(1)
                    .context("--fork-transaction-hash: the tx is in the remote's genesis")?
            }
            (None, None) => {
                let head: U256 = remote
                    .request("eth_blockNumber", json!([]))
                    .await
                    .map_err(not_a_chain)?;
                u64::try_from(head)?
            }
        };
        let block: Value = remote
            .request("eth_getBlockByNumber", json!([hex(block_number), false]))
            .await?;
        if block.is_null() {
            anyhow::bail!(
                "--fork-block-number {block_number}: the remote {} has no such block",
                config.url
            );
        }
        let block_hash: B256 = serde_json::from_value(block["hash"].clone())
            .context("the remote's fork block has no hash")?;
        let header = header_of(&block).context("the remote's fork block header")?;
        let point = ForkPoint {
            url: config.url.clone(),
            chain_id,
            block_number,
            block_hash,
            header,
            replay,
        };
        let cache = match config.cache {
            true => cache::ForkCache::open(cache_dir, chain_id, block_number),
            false => cache::ForkCache::open(None, chain_id, block_number),
        };
        cache.put_block_hash(block_number, block_hash);
        Ok(Self {
            point,
            config: config.clone(),
            cache_dir: cache_dir.map(Path::to_path_buf),
            remote,
            cache,
            codes: Default::default(),
        })
    }

    /// Where the fork starts.
    pub fn point(&self) -> &ForkPoint {
        &self.point
    }

    /// How it was asked for.
    pub fn config(&self) -> &ForkConfig {
        &self.config
    }

    /// Where its cache is kept.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.cache_dir.as_deref()
    }

    /// Requests sent to the remote so far.
    pub fn remote_calls(&self) -> u64 {
        self.remote.calls()
    }

    /// Cached accounts and slots.
    pub fn cached(&self) -> (usize, usize) {
        self.cache.len()
    }

    /// Writes the cache to the data dir.
    pub fn save_cache(&self) -> anyhow::Result<()> {
        self.cache.save()
    }

    /// One remote account at the fork block (an empty one when the remote has none).
    pub fn account(&self, address: &Address) -> Result<RemoteAccount, ForkError> {
        let account = match self.cache.account(address) {
            Some(account) => account,
            None => {
                let account = self.remote.blocking(self.fetch_account(*address))?;
                self.cache.put_account(*address, account.clone());
                account
            }
        };
        if !account.code.is_empty() {
            let hash = keccak256(&account.code);
            if !self.codes.read().contains_key(&hash) {
                self.codes
                    .write()
                    .insert(hash, Bytecode::new_raw(account.code.clone()));
            }
        }
        Ok(account)
    }

    async fn fetch_account(&self, address: Address) -> Result<RemoteAccount, ForkError> {
        let block = hex(self.point.block_number);
        let (balance, nonce, code) = futures::try_join!(
            self.remote
                .request::<U256>("eth_getBalance", json!([address, block])),
            self.remote
                .request::<U256>("eth_getTransactionCount", json!([address, block])),
            self.remote
                .request::<Bytes>("eth_getCode", json!([address, block])),
        )?;
        Ok(RemoteAccount {
            balance,
            nonce: nonce.saturating_to(),
            code,
        })
    }

    /// Code of a remote account read before, by hash.
    pub fn code_by_hash(&self, hash: &B256) -> Option<Bytecode> {
        self.codes.read().get(hash).cloned()
    }

    /// One remote storage slot at the fork block.
    pub fn storage(&self, address: &Address, slot: U256) -> Result<U256, ForkError> {
        if let Some(value) = self.cache.slot(address, &slot) {
            return Ok(value);
        }
        let value: U256 = self.remote.request_blocking(
            "eth_getStorageAt",
            json!([address, B256::from(slot), hex(self.point.block_number)]),
        )?;
        self.cache.put_slot(*address, slot, value);
        Ok(value)
    }

    /// Hash of remote block `number` (at or before the fork block; zero after it).
    pub fn block_hash(&self, number: u64) -> Result<B256, ForkError> {
        if number > self.point.block_number {
            return Ok(B256::ZERO);
        }
        if let Some(hash) = self.cache.block_hash(number) {
            return Ok(hash);
        }
        let block: Value = self
            .remote
            .request_blocking("eth_getBlockByNumber", json!([hex(number), false]))?;
        let hash = serde_json::from_value::<B256>(block["hash"].clone()).unwrap_or_default();
        self.cache.put_block_hash(number, hash);
        Ok(hash)
    }

    /// `request` for synchronous callers (the RPC's sync methods).
    pub fn request_blocking(
        &self,
        method: &'static str,
        params: Value,
    ) -> Result<Value, ForkError> {
        self.remote.request_blocking(method, params)
    }

    /// Asks the remote (the RPC's answers about blocks up to the fork block).
    pub async fn request(&self, method: &'static str, params: Value) -> Result<Value, ForkError> {
        self.remote.request(method, params).await
    }
}

/// A remote account as local state: its balance, nonce and code hash.
pub fn account_info(account: &RemoteAccount) -> revm::state::AccountInfo {
    revm::state::AccountInfo {
        balance: account.balance,
        nonce: account.nonce,
        code_hash: match account.code.is_empty() {
            true => KECCAK256_EMPTY,
            false => keccak256(&account.code),
        },
        ..Default::default()
    }
}

/// Shared by the chain's states.
pub type Fork = Arc<ForkSource>;

fn hex(n: u64) -> String {
    format!("{n:#x}")
}

fn quantity(value: &Value) -> Option<u64> {
    u64::from_str_radix(value.as_str()?.strip_prefix("0x")?, 16).ok()
}

/// The consensus header of a block as JSON; fields a remote leaves out are zero.
fn header_of(block: &Value) -> anyhow::Result<Header> {
    fn field<T: serde::de::DeserializeOwned + Default>(block: &Value, name: &str) -> T {
        serde_json::from_value(block[name].clone()).unwrap_or_default()
    }
    let number = quantity(&block["number"]).context("no block number")?;
    Ok(Header {
        parent_hash: field(block, "parentHash"),
        ommers_hash: field(block, "sha3Uncles"),
        beneficiary: field(block, "miner"),
        state_root: field(block, "stateRoot"),
        transactions_root: field(block, "transactionsRoot"),
        receipts_root: field(block, "receiptsRoot"),
        logs_bloom: field::<Bloom>(block, "logsBloom"),
        difficulty: field(block, "difficulty"),
        number,
        gas_limit: quantity(&block["gasLimit"]).unwrap_or_default(),
        gas_used: quantity(&block["gasUsed"]).unwrap_or_default(),
        timestamp: quantity(&block["timestamp"]).unwrap_or_default(),
        extra_data: field(block, "extraData"),
        mix_hash: field(block, "mixHash"),
        nonce: field(block, "nonce"),
        base_fee_per_gas: quantity(&block["baseFeePerGas"]),
        withdrawals_root: serde_json::from_value(block["withdrawalsRoot"].clone()).ok(),
        blob_gas_used: quantity(&block["blobGasUsed"]),
        excess_blob_gas: quantity(&block["excessBlobGas"]),
        parent_beacon_block_root: serde_json::from_value(block["parentBeaconBlockRoot"].clone())
            .ok(),
        requests_hash: serde_json::from_value(block["requestsHash"].clone()).ok(),
        ..Default::default()
    })
}
