//! `zkos-dev start`'s flags (`StartArgs`) and their conversion into `Config`
//! (`StartArgs::into_config`) and the dump files (`StartArgs::dump_files`).

use std::{net::IpAddr, path::PathBuf, time::Duration};

use clap::Args;

use super::{AccountArgs, fork_args::ForkArgs, state_args::StateArgs};
use crate::{Config, L1Config, MiningMode, config::Cors};

/// `zkos-dev start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Port of the L2 JSON-RPC (HTTP and WebSocket).
    #[arg(
        long,
        short = 'p',
        default_value_t = 3050,
        env = "ZKOS_DEV_PORT",
        help_heading = "Server"
    )]
    pub port: u16,
    /// Interface to listen on. The dev keys are public: only change this on a trusted network.
    #[arg(long, default_value = "127.0.0.1", help_heading = "Server")]
    pub host: IpAddr,
    /// Write the banner as JSON to this file once the ports are bound.
    #[arg(long, value_name = "FILE", help_heading = "Server")]
    pub config_out: Option<PathBuf>,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024, help_heading = "Server")]
    pub max_request_size: u32,
    /// Most calls in one JSON-RPC batch.
    #[arg(long, default_value_t = 1000, help_heading = "Server")]
    pub max_batch_size: u32,
    /// Origin browsers may call the node from (repeatable; default: any, as anvil).
    #[arg(
        long,
        value_name = "ORIGIN",
        conflicts_with = "no_cors",
        help_heading = "Server"
    )]
    pub allow_origin: Vec<String>,
    /// Send no CORS headers: browser pages cannot call the node.
    #[arg(long, help_heading = "Server")]
    pub no_cors: bool,
    /// Print nothing: no banner, no tx lines.
    #[arg(long, help_heading = "Server")]
    pub silent: bool,

    /// Print the banner and per-tx lines instead of opening the terminal dashboard (which
    /// opens only when stdout is a terminal anyway).
    #[arg(long, help_heading = "Output")]
    pub no_tui: bool,
    /// More per-tx output: -v value, nonce and gas price; -vv emitted events; -vvv call traces
    /// of failed txs; -vvvv call traces of every tx.
    #[arg(short = 'v', long = "verbosity", action = clap::ArgAction::Count, help_heading = "Output")]
    pub verbosity: u8,
    /// Print the decoded call trace of every tx (same as -vvvv).
    #[arg(long, help_heading = "Output")]
    pub print_traces: bool,

    /// Dev account options.
    #[command(flatten)]
    pub accounts: AccountArgs,
    /// Let any account send with eth_sendTransaction without its key (impersonation).
    #[arg(long, help_heading = "Accounts")]
    pub auto_impersonate: bool,

    /// Seconds between blocks (fractions allowed) instead of a block per tx.
    #[arg(long, short = 'b', value_name = "SECONDS", help_heading = "Mining")]
    pub block_time: Option<f64>,
    /// Produce blocks only on evm_mine / anvil_mine.
    #[arg(long, conflicts_with = "block_time", help_heading = "Mining")]
    pub no_mining: bool,
    /// Instant mining plus a block every --block-time seconds even when idle.
    #[arg(long, requires = "block_time", help_heading = "Mining")]
    pub mixed_mining: bool,

    /// L2 chain id [default: 270, or the forked chain's with --fork-url].
    #[arg(long, help_heading = "Chain")]
    pub chain_id: Option<u64>,
    /// Several L2s (`--chains`, `--chain-ports`).
    #[command(flatten)]
    pub chains: super::chains_flags::ChainsArgs,
    /// Block gas limit.
    #[arg(long, default_value_t = 100_000_000, help_heading = "Chain")]
    pub gas_limit: u64,
    /// Constant base fee per gas, in wei.
    #[arg(long, default_value_t = 1000, help_heading = "Chain")]
    pub base_fee: u64,
    /// Gas cap of eth_call and eth_estimateGas.
    #[arg(long, default_value_t = 50_000_000, help_heading = "Chain")]
    pub gas_cap: u64,
    /// Execution rules of the L2: ZKsync OS's (Cancun, its precompiles, PREVRANDAO 1, fees to
    /// --fee-account) or Ethereum's latest, as anvil (the embedded L1 always runs Ethereum's).
    #[arg(long, value_enum, default_value = "zksync-os", help_heading = "Chain")]
    pub evm_rules: EvmRulesArg,
    /// Coinbase of the L2's blocks, which receives the fees [default: the rich account].
    #[arg(long, value_name = "ADDRESS", help_heading = "Chain")]
    pub fee_account: Option<alloy_primitives::Address>,
    /// Accept EIP-7702 txs on the L2 (zksync-os-server's mempool refuses them).
    #[arg(long, help_heading = "Chain")]
    pub allow_eip7702: bool,
    /// Accept EIP-712 (type 0x71) txs on the L2 as zksync-os-server built with its optional
    /// eip712-tx feature does: signed over its hash, without paymaster or factory deps.
    #[arg(long, help_heading = "Chain")]
    pub eip712: bool,
    /// Price of ZKsync OS's native resource (proving work), in wei per unit: a tx gets
    /// gas price / native price native units per gas; 0 turns native accounting off.
    #[arg(long, value_name = "WEI", default_value_t = crate::executor::ResourcePrices::DEFAULT.native_price, help_heading = "Chain")]
    pub native_price: u64,
    /// ZKsync OS protocol version to imitate: 31 (newest) or 30, which differ in how an L1->L2
    /// tx's toMint is shared between its sender and refund recipient, and in EIP-7702.
    #[arg(
        long,
        value_name = "VERSION",
        default_value = "31",
        help_heading = "Chain"
    )]
    pub protocol_version: crate::executor::ProtocolVersion,
    /// Price of a byte of pubdata (the state diffs published on L1), in wei.
    #[arg(long, value_name = "WEI", default_value_t = crate::executor::ResourcePrices::DEFAULT.pubdata_price, help_heading = "Chain")]
    pub pubdata_price: u64,

    /// Where the devnet is kept, and state files.
    #[command(flatten)]
    pub storage: StateArgs,

    /// Forking a live chain.
    #[command(flatten)]
    pub fork: ForkArgs,

    /// Port of the embedded L1's JSON-RPC (HTTP and WebSocket).
    #[arg(long, default_value_t = 8545, help_heading = "L1")]
    pub l1_port: u16,
    /// Chain id of the embedded L1.
    #[arg(long, default_value_t = 31337, help_heading = "L1")]
    pub l1_chain_id: u64,
    /// Seconds between L1 blocks (fractions allowed) instead of a block per tx.
    #[arg(long, value_name = "SECONDS", help_heading = "L1")]
    pub l1_block_time: Option<f64>,
    /// Start the embedded L1 from a block of this live chain (Ethereum, Sepolia, an anvil); the
    /// rollup contracts are added at the fork block and the L1 keeps --l1-chain-id. The --fork-*
    /// retry, rate-limit, header and cache flags apply to it too.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with_all = ["no_l1", "l1_rpc"],
        help_heading = "L1"
    )]
    pub l1_fork_url: Option<String>,
    /// Fork the L1 at this block [default: the remote's latest].
    #[arg(
        long,
        value_name = "BLOCK",
        requires = "l1_fork_url",
        help_heading = "L1"
    )]
    pub l1_fork_block_number: Option<u64>,
    /// Run without the embedded L1.
    #[arg(long, conflicts_with_all = ["l1_block_time", "l1_rpc"], help_heading = "L1")]
    pub no_l1: bool,
    /// Settle on this L1 (e.g. an anvil) instead of the embedded one.
    #[arg(long, value_name = "URL", env = "ZKOS_DEV_L1_RPC", help_heading = "L1")]
    pub l1_rpc: Option<String>,
    /// With --l1-rpc: deploy the rollup contracts there if they are not there yet.
    #[arg(long, requires = "l1_rpc", help_heading = "L1")]
    pub l1_deploy: bool,
    /// With --l1-rpc: the Bridgehub of contracts already on that L1.
    #[arg(
        long,
        value_name = "ADDRESS",
        requires = "l1_rpc",
        conflicts_with = "l1_deploy",
        help_heading = "L1"
    )]
    pub l1_bridgehub: Option<alloy_primitives::Address>,
    /// How often to look at L1 for deposits and L1->L2 calls, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 100, help_heading = "L1")]
    pub l1_poll_interval: u64,

    /// Close a batch after this many blocks.
    #[arg(long, default_value_t = 100, help_heading = "Settlement")]
    pub batch_max_blocks: u64,
    /// Close a batch after this many txs.
    #[arg(long, default_value_t = 50_000, help_heading = "Settlement")]
    pub batch_max_txs: u64,
    /// Close a batch this many milliseconds after its first block.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 100,
        help_heading = "Settlement"
    )]
    pub batch_timeout: u64,
    /// Close a batch at this many pubdata bytes (state writes and L2->L1 logs).
    #[arg(long, default_value_t = 10_000_000, help_heading = "Settlement")]
    pub batch_max_pubdata: usize,
    /// Prover: `mock` (the fake proof the verifier accepts in mock mode), `reexec` (stateless
    /// re-execution of every batch in process, attested by the prover key) or `external`
    /// (jobs wait on the prover API for `zkos-dev prover` workers).
    #[arg(long, value_enum, default_value = "mock", help_heading = "Settlement")]
    pub prover: ProverMode,
    /// Prover key (hex) that signs batch attestations; registered with the L1 verifier at
    /// start-up in the `reexec` and `external` modes [default: keccak256("zkos-dev prover")].
    #[arg(long, value_name = "HEX", help_heading = "Settlement")]
    pub prover_key: Option<alloy_primitives::B256>,
    /// Port of the prover API (`--prover external`; 0 = any free port); with --chains, each
    /// further chain's API on the following port.
    #[arg(long, default_value_t = 3124, help_heading = "Settlement")]
    pub prover_port: u16,
    /// Seconds after which a picked prover job goes to another worker.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 30,
        help_heading = "Settlement"
    )]
    pub prover_job_timeout: u64,
    /// How long the mock prover takes per batch, in milliseconds.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 0,
        help_heading = "Settlement"
    )]
    pub prover_delay: u64,
    /// Do not settle on L1 by itself: only `anvil_zks_commitBatch` / `proveBatch` / `executeBatch` do.
    #[arg(long, help_heading = "Settlement")]
    pub no_auto_settle: bool,

    /// Port of the Prometheus metrics endpoint (`GET /metrics`; 0 = any free port).
    #[arg(long, default_value_t = crate::metrics::DEFAULT_PORT, help_heading = "Metrics")]
    pub metrics_port: u16,
    /// Serve no metrics.
    #[arg(long, conflicts_with = "metrics_port", help_heading = "Metrics")]
    pub no_metrics: bool,

    /// Largest response, in bytes (larger answers are replaced by error -32008).
    #[arg(long, default_value_t = 100 * 1024 * 1024, help_heading = "Limits")]
    pub max_response_size: u32,
    /// Most concurrent connections (HTTP and WebSocket).
    #[arg(long, default_value_t = 1000, help_heading = "Limits")]
    pub max_connections: u32,
    /// Most eth_subscribe subscriptions on one WebSocket connection.
    #[arg(long, default_value_t = 1024, help_heading = "Limits")]
    pub max_subscriptions_per_connection: u32,
    /// Most polling filters (eth_newFilter ...) installed at once.
    #[arg(long, default_value_t = 10_000, help_heading = "Limits")]
    pub max_filters: usize,
    /// Most blocks one eth_getLogs may scan.
    #[arg(long, default_value_t = 100_000, help_heading = "Limits")]
    pub max_logs_block_range: u64,
    /// Most logs one eth_getLogs returns.
    #[arg(long, default_value_t = 20_000, help_heading = "Limits")]
    pub max_logs: usize,
    /// Wall-clock limit of eth_call / eth_estimateGas / eth_createAccessList, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10.0,
        help_heading = "Limits"
    )]
    pub call_timeout: f64,
    /// Largest transaction, in bytes (as geth: 128 KiB).
    #[arg(long, default_value_t = 128 * 1024, help_heading = "Limits")]
    pub max_tx_size: usize,
    /// Most transactions in the mempool.
    #[arg(long, default_value_t = 100_000, help_heading = "Limits")]
    pub max_pool_txs: usize,
    /// Most transactions of one sender in the mempool.
    #[arg(long, default_value_t = 10_000, help_heading = "Limits")]
    pub max_pool_txs_per_sender: usize,
}

/// `--evm-rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EvmRulesArg {
    /// ZKsync OS: Cancun, its precompile set, PREVRANDAO 1, fees to the fee account.
    ZksyncOs,
    /// Ethereum's latest rules (anvil's).
    Ethereum,
}

/// Which prover proves batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProverMode {
    /// The fake proof `[3, 0, 13, publicInput]`, accepted by the verifier in mock mode.
    Mock,
    /// Stateless re-execution of every batch in process, attested by the prover key.
    Reexec,
    /// No built-in prover: jobs wait on the prover API for `zkos-dev prover` workers.
    External,
}

impl StartArgs {
    /// The dump files these flags ask for (`--state`, `--load-state`, `--dump-state`,
    /// `--state-interval`).
    pub fn dump_files(&self) -> anyhow::Result<crate::devnet::DumpFiles> {
        self.storage.dump_files()
    }

    /// The node config these flags describe.
    pub fn into_config(self) -> anyhow::Result<Config> {
        let mut config = Config::default();
        config.rpc.port = self.port;
        config.rpc.host = self.host;
        config.rpc.max_request_body_size = self.max_request_size;
        config.rpc.max_batch_len = self.max_batch_size;
        config.rpc.gas_cap = self.gas_cap;
        config.rpc.max_response_body_size = self.max_response_size;
        config.rpc.max_connections = self.max_connections;
        config.rpc.max_subscriptions_per_connection = self.max_subscriptions_per_connection;
        config.rpc.max_filters = self.max_filters;
        config.rpc.max_logs_block_range = self.max_logs_block_range;
        config.rpc.max_logs = self.max_logs;
        config.rpc.call_timeout = Duration::try_from_secs_f64(self.call_timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                anyhow::anyhow!("--call-timeout must be a positive number of seconds")
            })?;
        config.rpc.cors = match (self.no_cors, self.allow_origin.is_empty()) {
            (true, _) => Cors::Disabled,
            (false, true) => Cors::Any,
            (false, false) => Cors::Origins(self.allow_origin),
        };
        config.pool.max_tx_size = self.max_tx_size;
        config.pool.max_txs = self.max_pool_txs;
        config.pool.max_txs_per_sender = self.max_pool_txs_per_sender;
        config.config_out = self.config_out;
        self.storage.apply(&mut config)?;
        config.silent = self.silent;
        config.output.verbosity = self.verbosity;
        config.output.print_traces = self.print_traces;
        config.chain.chain_id = self.chain_id.unwrap_or(270);
        config.fork = self.fork.config(self.chain_id)?;
        let l1_fork = match &self.l1_fork_url {
            Some(url) => {
                let mut fork = self.fork.tuned(url)?;
                fork.block_number = self.l1_fork_block_number;
                Some(fork)
            }
            None => None,
        };
        config.chain.gas_limit = self.gas_limit;
        config.chain.base_fee = self.base_fee;
        config.chain.rules = match self.evm_rules {
            EvmRulesArg::ZksyncOs => crate::executor::EvmRules::ZksyncOs,
            EvmRulesArg::Ethereum => crate::executor::EvmRules::Ethereum,
        };
        // Ethereum's rules keep anvil's zero coinbase unless told otherwise.
        config.chain.fee_account = match (self.fee_account, config.chain.rules) {
            (Some(account), _) => account,
            (None, crate::executor::EvmRules::ZksyncOs) => crate::config::RICH_ADDRESS,
            (None, crate::executor::EvmRules::Ethereum) => alloy_primitives::Address::ZERO,
        };
        config.chain.allow_eip7702 =
            self.allow_eip7702 || config.chain.rules == crate::executor::EvmRules::Ethereum;
        config.chain.eip712 = self.eip712;
        config.chain.protocol = self.protocol_version;
        anyhow::ensure!(
            !self.allow_eip7702 || config.chain.protocol.executes_eip7702(),
            "--allow-eip7702 needs --protocol-version 31: ZKsync OS executes EIP-7702 txs from v31 (AtlasV3)"
        );
        config.chain.prices = match config.chain.rules {
            crate::executor::EvmRules::ZksyncOs => crate::executor::ResourcePrices {
                native_price: self.native_price,
                pubdata_price: self.pubdata_price,
            },
            crate::executor::EvmRules::Ethereum => crate::executor::ResourcePrices::OFF,
        };
        self.accounts.apply(&mut config);
        config.accounts.auto_impersonate = self.auto_impersonate;
        config.mining = match (self.block_time, self.no_mining, self.mixed_mining) {
            (_, true, _) => MiningMode::Manual,
            (Some(secs), _, mixed) => {
                anyhow::ensure!(
                    secs > 0.0 && secs.is_finite(),
                    "--block-time must be a positive number of seconds"
                );
                let period = Duration::from_secs_f64(secs);
                if mixed {
                    MiningMode::Mixed(period)
                } else {
                    MiningMode::Interval(period)
                }
            }
            (None, false, _) => MiningMode::Instant,
        };
        anyhow::ensure!(
            self.batch_max_blocks > 0,
            "--batch-max-blocks must be at least 1"
        );
        anyhow::ensure!(self.batch_max_txs > 0, "--batch-max-txs must be at least 1");
        config.settlement = crate::config::SettlementConfig {
            seal: crate::config::SealCriteria {
                max_blocks: self.batch_max_blocks,
                max_txs: self.batch_max_txs,
                timeout: Duration::from_millis(self.batch_timeout),
                max_pubdata: self.batch_max_pubdata,
                ..Default::default()
            },
            prover_delay: Duration::from_millis(self.prover_delay),
            prover: crate::config::ProverConfig {
                mode: match self.prover {
                    ProverMode::Mock => crate::config::ProverMode::Mock,
                    ProverMode::Reexec => crate::config::ProverMode::Reexec,
                    ProverMode::External => crate::config::ProverMode::External,
                },
                key: self
                    .prover_key
                    .unwrap_or_else(crate::config::default_prover_key),
                port: self.prover_port,
                job_timeout: Duration::from_secs(self.prover_job_timeout),
                ..Default::default()
            },
            auto: !self.no_auto_settle,
        };
        config.metrics = (!self.no_metrics).then_some(crate::config::MetricsConfig {
            host: self.host,
            port: self.metrics_port,
        });
        config.l1 = if self.no_l1 {
            None
        } else {
            let mut l1 = L1Config {
                port: self.l1_port,
                ..L1Config::default()
            };
            l1.chain.chain_id = self.l1_chain_id;
            l1.fork = l1_fork;
            l1.poll = Duration::from_millis(self.l1_poll_interval.max(1));
            l1.external = self.l1_rpc.clone().map(|url| crate::config::ExternalL1 {
                url,
                deploy: self.l1_deploy,
                bridgehub: self.l1_bridgehub,
            });
            if let Some(secs) = self.l1_block_time {
                anyhow::ensure!(
                    secs > 0.0 && secs.is_finite(),
                    "--l1-block-time must be a positive number of seconds"
                );
                l1.mining = MiningMode::Interval(Duration::from_secs_f64(secs));
            }
            anyhow::ensure!(
                l1.port == 0 || l1.port != config.rpc.port,
                "--l1-port and --port are both {}: give the L1 another port (or --no-l1)",
                l1.port
            );
            Some(l1)
        };
        self.chains.apply(&mut config)?;
        Ok(config)
    }
}
