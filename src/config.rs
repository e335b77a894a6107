//! Config: everything `zkos-dev start` can be told, one sub-config per stage.
//! `Config::default()` is exactly `zkos-dev start`; `Config::test()` is for tests.

use std::{net::IpAddr, path::PathBuf, time::Duration};

use alloy_primitives::U256;

/// Default mnemonic of anvil and Hardhat: the dev keys are public.
pub const DEFAULT_MNEMONIC: &str = "test test test test test test test test test test test junk";
/// Default BIP-44 derivation path prefix; the account index is appended.
pub const DEFAULT_DERIVATION_PATH: &str = "m/44'/60'/0'/0/";

/// How the sequencer decides when to produce a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MiningMode {
    /// A block as soon as txs are ready, holding every ready tx up to the block limits.
    Instant,
    /// A block every interval, empty or not (anvil `--block-time`).
    Interval(Duration),
    /// Blocks only on `evm_mine` / `anvil_mine` (`--no-mining`).
    Manual,
    /// Instant, plus a block every interval even when idle (`--mixed-mining`).
    Mixed(Duration),
}

/// The whole node's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// L2 chain settings.
    pub chain: ChainConfig,
    /// JSON-RPC server settings.
    pub rpc: RpcConfig,
    /// Dev accounts.
    pub accounts: AccountsConfig,
    /// Block production.
    pub mining: MiningMode,
    /// No banner, no per-tx log lines.
    pub silent: bool,
    /// What the per-tx lines show (`-v` count, `--print-traces`).
    pub output: crate::output::OutputConfig,
    /// Write the banner's JSON twin here after the ports are bound.
    pub config_out: Option<PathBuf>,
}

/// Chain parameters.
#[derive(Debug, Clone)]
pub struct ChainConfig {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Block gas limit.
    pub gas_limit: u64,
    /// Constant base fee per gas, in wei.
    pub base_fee: u64,
    /// Most txs in one block.
    pub max_txs_per_block: usize,
}

/// JSON-RPC server limits and address.
#[derive(Debug, Clone)]
pub struct RpcConfig {
    /// Interface to bind.
    pub host: IpAddr,
    /// Port (0 = any free port).
    pub port: u16,
    /// Largest request body accepted, in bytes.
    pub max_request_body_size: u32,
    /// Largest response produced, in bytes.
    pub max_response_body_size: u32,
    /// Most calls in one JSON-RPC batch.
    pub max_batch_len: u32,
    /// Most concurrent connections.
    pub max_connections: u32,
    /// Gas cap for `eth_call` / `eth_estimateGas`.
    pub gas_cap: u64,
}

/// Dev account settings.
#[derive(Debug, Clone)]
pub struct AccountsConfig {
    /// How many accounts to derive from the mnemonic.
    pub count: usize,
    /// Balance of each dev account (and the rich account), in wei.
    pub balance: U256,
    /// BIP-39 mnemonic.
    pub mnemonic: String,
    /// Derivation path prefix (index appended).
    pub derivation_path: String,
    /// Every account can `eth_sendTransaction` without a key (`--auto-impersonate`).
    pub auto_impersonate: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            chain: ChainConfig {
                chain_id: 270,
                gas_limit: 100_000_000,
                base_fee: 1_000,
                max_txs_per_block: 10_000,
            },
            rpc: RpcConfig {
                host: IpAddr::from([127, 0, 0, 1]),
                port: 3050,
                max_request_body_size: 10 * 1024 * 1024,
                max_response_body_size: 100 * 1024 * 1024,
                max_batch_len: 1_000,
                max_connections: 1_000,
                gas_cap: 50_000_000,
            },
            accounts: AccountsConfig {
                count: 10,
                balance: U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18u64)),
                mnemonic: DEFAULT_MNEMONIC.to_string(),
                derivation_path: DEFAULT_DERIVATION_PATH.to_string(),
                auto_impersonate: false,
            },
            mining: MiningMode::Instant,
            silent: false,
            output: Default::default(),
            config_out: None,
        }
    }
}

impl Config {
    /// A node for tests: any free port on 127.0.0.1, silent, instant mining.
    pub fn test() -> Self {
        let mut config = Self::default();
        config.rpc.port = 0;
        config.silent = true;
        config
    }
}
