//! Config: everything `zkos-dev start` can be told, one sub-config per stage.
//! `Config::default()` is exactly `zkos-dev start`; `Config::test()` is for tests.

use std::{net::IpAddr, path::PathBuf, time::Duration};

use alloy_primitives::U256;

mod shared;

pub use shared::{MetricsConfig, RICH_ADDRESS, RICH_KEY, SealCriteria, default_prover_key};

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
    /// Mempool limits.
    pub pool: PoolConfig,
    /// The embedded L1 chain (`None` with `--no-l1`).
    pub l1: Option<L1Config>,
    /// Batcher, prover and L1 sender (they run whenever there is an L1).
    pub settlement: SettlementConfig,
    /// The Prometheus endpoint (`None` with `--no-metrics`).
    pub metrics: Option<MetricsConfig>,
    /// Where the devnet is kept.
    pub storage: Storage,
    /// When the data dir's writes are synced to the disk.
    pub sync: SyncPolicy,
    /// With a data dir: how many of the latest blocks each chain keeps in memory (older ones
    /// are read from the data dir).
    pub cache_blocks: usize,
    /// Start the L2 from a block of a live chain (`--fork-url`).
    pub fork: Option<ForkConfig>,
    /// The L2s after the first (`--chains`): each the same machinery as the first (its own
    /// sequencer, state, storage and settlement pipeline, its own contract on the L1), with
    /// the first one's settings but its own chain id and port. Empty: one L2 (the default).
    pub more_chains: Vec<MoreChain>,
    /// The Gateway (`--gateway`): one more chain, the same machinery as the L2s (with the first
    /// one's settings), which settles on the L1 while the L2s settle on it. `None`: the L2s
    /// settle on the L1 (the default).
    pub gateway: Option<MoreChain>,
    /// Interop between the L2s on the Gateway.
    pub interop: InteropConfig,
}

/// What interop between the L2s on the Gateway costs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InteropConfig {
    /// Wei of the base token each interop call pays its source chain's operator
    /// (`InteropCenter.interopProtocolFee`; `--interop-fee`). 0 by default, as on a real
    /// chain while its Gateway charges no settlement fee.
    pub fee: U256,
}

/// The Gateway's chain id in zksync-os-server's local multi-chain setup
/// (`local-chains/v31.0/multi_chain/chain_506.yaml`; zksync-era's Gateway guide uses it too).
pub const GATEWAY_CHAIN_ID: u64 = 506;
/// The Gateway's JSON-RPC port there (and where zksync-js's interop flows look for it).
pub const GATEWAY_PORT: u16 = 3052;

/// One more L2 of a multi-chain devnet (`--chains`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoreChain {
    /// Its chain id (not the first L2's nor the L1's).
    pub chain_id: u64,
    /// Port of its JSON-RPC (0 = any free port).
    pub port: u16,
}

/// `--cache-blocks`' default: with 200 transfers a block, ~25 MB of blocks in memory.
pub const DEFAULT_CACHE_BLOCKS: usize = 128;

/// Fork mode's settings (`--fork-url` and the flags that tune it).
pub use crate::fork::ForkConfig;

/// When the data dir's writes reach the disk (`--sync`, `--sync-interval`,
/// `--checkpoint-interval`). A block is in the operating system before its receipts show
/// either way, so a killed process loses nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPolicy {
    /// Logged, and synced in groups.
    Interval {
        /// The log is synced this often: a power loss may take the last interval's blocks
        /// (100 ms by default).
        sync: Duration,
        /// The logged blocks are written to the database in one synced transaction this often
        /// (1 s by default): a restart after a crash replays at most that long a tail.
        checkpoint: Duration,
    },
    /// Each block synced before its receipts show.
    Always,
}

impl Default for SyncPolicy {
    fn default() -> Self {
        Self::Interval {
            sync: Duration::from_millis(100),
            checkpoint: Duration::from_secs(1),
        }
    }
}

/// Where the devnet is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Storage {
    /// In memory only: gone when the node stops (the library's default, for tests).
    #[default]
    Memory,
    /// A data dir (`--data-dir`, `./.zkos-dev` by default): both chains survive restarts.
    Dir(PathBuf),
    /// A fresh data dir in the system's temp dir, removed on exit (`--ephemeral`).
    Ephemeral,
}

/// The settlement pipeline: batches -> proofs -> commit / prove / execute on L1.
#[derive(Debug, Clone)]
pub struct SettlementConfig {
    /// When the batcher closes a batch.
    pub seal: SealCriteria,
    /// How long the mock prover takes per batch.
    pub prover_delay: Duration,
    /// Which prover proves batches, and its key and API.
    pub prover: ProverConfig,
    /// Settle every batch on L1 as soon as it is proven (`--no-auto-settle`: only on
    /// `anvil_zks_commitBatch` / `proveBatch` / `executeBatch`).
    pub auto: bool,
}

impl Default for SettlementConfig {
    fn default() -> Self {
        Self {
            seal: Default::default(),
            prover_delay: Duration::ZERO,
            prover: ProverConfig::default(),
            auto: true,
        }
    }
}

/// Which prover proves batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProverMode {
    /// The fake proof `[3, 0, 13, publicInput]` (the verifier stays in mock mode).
    #[default]
    Mock,
    /// Stateless re-execution in process, then the prover key's attestation.
    Reexec,
    /// No built-in prover: jobs wait on the prover API for `zkos-dev prover` workers.
    External,
}

/// The prover stage: mode, key, and the prover API.
#[derive(Debug, Clone)]
pub struct ProverConfig {
    /// Which prover.
    pub mode: ProverMode,
    /// The key that signs attestations (registered with the L1 verifier at start-up in the
    /// `reexec` and `external` modes); default `keccak256("zkos-dev prover")`.
    pub key: alloy_primitives::B256,
    /// Port of the prover API (`external`; 0 = any free port), on 127.0.0.1; the L2s after
    /// the first (`--chains`) have theirs on the following ports ([`ProverConfig::port_of`]).
    pub port: u16,
    /// A picked job goes to another worker after this long without a proof.
    pub job_timeout: Duration,
    /// Jobs that may wait for workers at once (backpressure beyond).
    pub max_jobs: usize,
}

impl ProverConfig {
    /// The prover API's port for L2 number `index` (0: the first): `port + index`, so each L2
    /// of `--chains` has its own API (0 stays 0: any free port); `None` past 65535.
    pub fn port_of(&self, index: usize) -> Option<u16> {
        match self.port {
            0 => Some(0),
            port => u16::try_from(usize::from(port) + index).ok(),
        }
    }
}

impl Default for ProverConfig {
    fn default() -> Self {
        Self {
            mode: ProverMode::Mock,
            key: default_prover_key(),
            port: 3124,
            job_timeout: Duration::from_secs(30),
            max_jobs: 16,
        }
    }
}

/// The embedded L1: a second chain in the same process, with the rollup contracts at genesis.
/// It shares the host, the RPC limits, the dev accounts and the mempool limits of the L2.
#[derive(Debug, Clone)]
pub struct L1Config {
    /// L1 chain parameters (chain id 31337 by default).
    pub chain: ChainConfig,
    /// Port of the L1 JSON-RPC, HTTP and WebSocket (0 = any free port).
    pub port: u16,
    /// L1 block production (instant by default, `--l1-block-time` for interval mining).
    pub mining: MiningMode,
    /// Settle on an L1 outside the process instead of the embedded one.
    pub external: Option<ExternalL1>,
    /// How often the watcher looks for new L1 txs.
    pub poll: Duration,
    /// Start the embedded L1 from a block of a live chain (`--l1-fork-url`).
    pub fork: Option<ForkConfig>,
}

/// An L1 given by URL (`--l1-rpc`).
#[derive(Debug, Clone)]
pub struct ExternalL1 {
    /// Its JSON-RPC URL.
    pub url: String,
    /// Deploy the rollup contracts there when they are missing (`--l1-deploy`).
    pub deploy: bool,
    /// The Bridgehub of an existing deployment (`--l1-bridgehub`).
    pub bridgehub: Option<alloy_primitives::Address>,
}

impl Default for L1Config {
    fn default() -> Self {
        Self {
            chain: ChainConfig {
                chain_id: 31337,
                gas_limit: 30_000_000,
                base_fee: 1_000_000_000,
                max_txs_per_block: 10_000,
                rules: crate::executor::EvmRules::Ethereum,
                fee_account: alloy_primitives::Address::ZERO,
                allow_eip7702: true,
                eip712: false,
                prices: crate::executor::ResourcePrices::OFF,
                protocol: crate::executor::ProtocolVersion::default(),
            },
            port: 8545,
            mining: MiningMode::Instant,
            external: None,
            poll: Duration::from_millis(100),
            fork: None,
        }
    }
}

/// Mempool limits.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// Most txs held at once (`txpool is full` above it).
    pub max_txs: usize,
    /// Most txs one sender may have in the pool (`account limit exceeded` above it).
    pub max_txs_per_sender: usize,
    /// Largest tx, in bytes of its 2718 encoding (`oversized data` above it; geth: 128 KiB).
    pub max_tx_size: usize,
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
    /// Whose execution rules it follows.
    pub rules: crate::executor::EvmRules,
    /// The coinbase of its blocks: with ZKsync OS rules, where fees go.
    pub fee_account: alloy_primitives::Address,
    /// Whether EIP-7702 txs are accepted (zksync-os-server refuses them).
    pub allow_eip7702: bool,
    /// Whether EIP-712 (`0x71`) txs are accepted, as zksync-os-server built with its optional
    /// `eip712-tx` feature does (`--eip712`).
    pub eip712: bool,
    /// ZKsync OS's native and pubdata prices (its rules only; off on the L1).
    pub prices: crate::executor::ResourcePrices,
    /// The ZKsync OS protocol version imitated.
    pub protocol: crate::executor::ProtocolVersion,
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
    /// Wall-clock limit of one `eth_call` / `eth_estimateGas` / `eth_createAccessList` /
    /// `debug_traceCall`: the client gets an error after it (the EVM itself is bounded by
    /// `gas_cap`, as revm cannot be interrupted).
    pub call_timeout: Duration,
    /// Most blocks one `eth_getLogs` may scan.
    pub max_logs_block_range: u64,
    /// Most logs one `eth_getLogs` / `eth_getFilterLogs` returns.
    pub max_logs: usize,
    /// Most `eth_subscribe` subscriptions on one WebSocket connection.
    pub max_subscriptions_per_connection: u32,
    /// Most polling filters installed at once (unused ones expire after 5 minutes).
    pub max_filters: usize,
    /// Which origins browsers may call from.
    pub cors: Cors,
}

/// The CORS policy of the HTTP endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cors {
    /// Any origin (`Access-Control-Allow-Origin: *`), as anvil.
    Any,
    /// Only these origins (`--allow-origin`, repeatable).
    Origins(Vec<String>),
    /// No CORS headers at all (`--no-cors`): browsers cannot call the node.
    Disabled,
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
                rules: crate::executor::EvmRules::ZksyncOs,
                fee_account: RICH_ADDRESS,
                allow_eip7702: false,
                eip712: false,
                prices: crate::executor::ResourcePrices::DEFAULT,
                protocol: crate::executor::ProtocolVersion::default(),
            },
            rpc: RpcConfig {
                host: IpAddr::from([127, 0, 0, 1]),
                port: 3050,
                max_request_body_size: 10 * 1024 * 1024,
                max_response_body_size: 100 * 1024 * 1024,
                max_batch_len: 1_000,
                max_connections: 1_000,
                gas_cap: 50_000_000,
                call_timeout: Duration::from_secs(10),
                max_logs_block_range: 100_000,
                max_logs: 20_000,
                max_subscriptions_per_connection: 1_024,
                max_filters: 10_000,
                cors: Cors::Any,
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
            pool: PoolConfig {
                max_txs: 100_000,
                max_txs_per_sender: 10_000,
                max_tx_size: 128 * 1024,
            },
            l1: Some(L1Config::default()),
            settlement: SettlementConfig::default(),
            metrics: Some(MetricsConfig::default()),
            storage: Storage::Memory,
            sync: SyncPolicy::default(),
            cache_blocks: DEFAULT_CACHE_BLOCKS,
            fork: None,
            more_chains: vec![],
            gateway: None,
            interop: InteropConfig::default(),
        }
    }
}

impl Config {
    /// Every chain's config and port but the L1's: the L2s, the first one's first
    /// (`--chains`), then the Gateway (`--gateway`), each a chain of the same machinery.
    pub fn l2_chains(&self) -> Vec<(ChainConfig, u16)> {
        let first = (self.chain.clone(), self.rpc.port);
        std::iter::once(first)
            .chain(self.more_chains.iter().chain(&self.gateway).map(|more| {
                let chain = ChainConfig {
                    chain_id: more.chain_id,
                    ..self.chain.clone()
                };
                (chain, more.port)
            }))
            .collect()
    }

    /// A node for tests: any free ports on 127.0.0.1 (L2 and L1), silent, instant mining, no
    /// metrics endpoint.
    pub fn test() -> Self {
        let mut config = Self::default();
        config.rpc.port = 0;
        if let Some(l1) = &mut config.l1 {
            l1.port = 0;
        }
        config.silent = true;
        // The recorder is process-wide: a test that wants metrics asks for them.
        config.metrics = None;
        config
    }
}
