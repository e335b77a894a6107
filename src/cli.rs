//! Command line: clap arguments, converted into `Config` at the edge so clap never leaks
//! inward. Flag names follow anvil where anvil has them. The subcommands are here; `start`'s
//! flags are `start.rs`, anvil's spellings `anvil_flags.rs`, and the `snapshot` / `reset`
//! commands `snapshot_cmd.rs`.

mod anvil_flags;
mod chains_flags;
mod fork_args;
pub mod snapshot_cmd;
mod start;
mod state_args;

pub use start::{EvmRulesArg, ProverMode, StartArgs};

use std::{ffi::OsString, path::PathBuf, time::Duration};

use alloy_primitives::U256;
use clap::{
    Args, CommandFactory as _, Parser, Subcommand,
    error::{ContextKind, ContextValue, ErrorKind},
};

use crate::{
    Config,
    config::{DEFAULT_DERIVATION_PATH, DEFAULT_MNEMONIC},
};

/// zkos-dev: a whole ZKsync-OS-style rollup on your laptop.
#[derive(Debug, Parser)]
#[command(name = "zkos-dev", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the command line as `Cli::parse` does, exiting on an error; an anvil flag that
    /// `start` lacks gets "not supported yet" and the closest alternative instead of clap's bare
    /// "unexpected argument".
    pub fn parse_args() -> Self {
        Self::try_parse_args(std::env::args_os()).unwrap_or_else(|err| err.exit())
    }

    /// [`Cli::parse_args`] of `args` (the program name first), returning the error.
    pub fn try_parse_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString>,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        Self::try_parse_from(&args).map_err(|err| {
            // The subcommand is the first word that is not a flag (`zkos-dev` has no value flags).
            let subcommand = args
                .iter()
                .skip(1)
                .find(|a| !a.to_string_lossy().starts_with('-'));
            let refusal = match (err.kind(), err.get(ContextKind::InvalidArg)) {
                (ErrorKind::UnknownArgument, Some(ContextValue::String(flag))) => {
                    anvil_flags::refusal(flag)
                }
                _ => None,
            };
            match refusal {
                Some(refusal) if subcommand.is_some_and(|s| s == "start") => {
                    let mut cli = Self::command();
                    cli.build();
                    match cli.find_subcommand_mut("start") {
                        Some(start) => start.error(ErrorKind::UnknownArgument, refusal),
                        None => err,
                    }
                }
                _ => err,
            }
        })
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the devnet (L2 JSON-RPC on 127.0.0.1:3050, embedded L1 on 127.0.0.1:8545).
    Start(Box<StartArgs>),
    /// Print the dev accounts and their private keys.
    Accounts(AccountArgs),
    /// Write a ready Hardhat 3 or Foundry project for the devnet.
    ///
    /// Networks for the L2 and the L1, dev keys, a pinned compiler, an example contract, a deploy
    /// script and tests. Existing files are never overwritten without --force.
    Init(InitArgs),
    /// Measure confirmed tx/s and send->receipt latency of a local node (and another: --vs).
    ///
    /// Funds fresh accounts from dev account #0, deploys the test ERC-20 if needed and signs
    /// every tx before the clock starts; then sends JSON-RPC batches over keep-alive
    /// connections and counts a tx when a block holding it appears. Loopback nodes only.
    Bench(BenchArgs),
    /// Prover worker: take batches from a node's prover API (`start --prover external`),
    /// re-execute them statelessly, sign and submit the proofs.
    Prover(ProverArgs),
    /// Open the terminal dashboard of a devnet running elsewhere (q detaches, the node keeps
    /// running).
    Tui(TuiArgs),
    /// Save, load, list or remove named snapshots of the whole devnet (both chains and the
    /// settlement pipeline), on a running node or a stopped data dir.
    ///
    /// With neither --rpc nor --data-dir: the node at 127.0.0.1:3050 if one answers, else
    /// the stopped devnet in ./.zkos-dev. Snapshots are files in DATA_DIR/snapshots/.
    Snapshot(SnapshotArgs),
    /// Reset the devnet to a fresh genesis on both chains (saved snapshots are kept).
    ///
    /// On a running node this is `anvil_reset`; on a stopped data dir it removes the devnet
    /// (also one too damaged to open), so the next start begins at genesis.
    Reset(TargetArgs),
}

/// Which devnet `snapshot` and `reset` act on.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// A running node's L2 JSON-RPC.
    #[arg(long, global = true, value_name = "URL")]
    pub rpc: Option<String>,
    /// A stopped node's data dir.
    #[arg(long, global = true, env = "ZKOS_DEV_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// `zkos-dev snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: SnapshotCommand,
    /// Where.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `zkos-dev snapshot ACTION`.
#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Save the devnet as NAME (replacing a snapshot of that name).
    Save {
        /// 1 to 64 of letters, digits, '.', '_', '-'.
        name: String,
    },
    /// Replace the devnet with snapshot NAME.
    Load {
        /// A saved snapshot's name.
        name: String,
    },
    /// List the saved snapshots.
    List,
    /// Remove snapshot NAME.
    #[command(alias = "remove")]
    Rm {
        /// A saved snapshot's name.
        name: String,
    },
}

impl From<SnapshotCommand> for crate::cli::snapshot_cmd::SnapshotAction {
    fn from(command: SnapshotCommand) -> Self {
        match command {
            SnapshotCommand::Save { name } => Self::Save(name),
            SnapshotCommand::Load { name } => Self::Load(name),
            SnapshotCommand::List => Self::List,
            SnapshotCommand::Rm { name } => Self::Remove(name),
        }
    }
}

/// `zkos-dev tui`.
#[derive(Debug, Args)]
pub struct TuiArgs {
    /// The L2 JSON-RPC of the node to watch; several, comma-separated, for a devnet of
    /// several L2s (`start --chains`), which `c` switches between.
    #[arg(long, value_delimiter = ',', default_value = "http://127.0.0.1:3050")]
    pub rpc: Vec<String>,
    /// Its L1's JSON-RPC.
    #[arg(long, default_value = "http://127.0.0.1:8545")]
    pub l1_rpc: String,
    /// Watch the L2 only.
    #[arg(long)]
    pub no_l1: bool,
}

/// `zkos-dev bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The node to measure.
    #[arg(long, default_value = "http://127.0.0.1:3050")]
    pub rpc: String,
    /// A second node (e.g. an anvil), measured in the same run, alternating with --rpc.
    #[arg(long, value_name = "URL")]
    pub vs: Option<String>,
    /// Txs per round and node.
    #[arg(long, default_value_t = 10_000)]
    pub txs: usize,
    /// Sending accounts (fresh, funded by dev account #0).
    #[arg(long, default_value_t = 100)]
    pub accounts: usize,
    /// What the txs do.
    #[arg(long, value_enum, default_value = "eth")]
    pub kind: crate::bench::Kind,
    /// Txs per JSON-RPC batch (1: single calls).
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Connections sending at once.
    #[arg(long, default_value_t = 4)]
    pub conns: usize,
    /// Measurements per node (alternating between the nodes).
    #[arg(long, default_value_t = 1)]
    pub rounds: usize,
    /// One tx at a time, each waiting for its receipt: idle latency (batch and conns are 1).
    #[arg(long)]
    pub serial: bool,
    /// Longest one measurement may take, in seconds; txs not mined by then count as lost.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

impl BenchArgs {
    /// The bench config these flags describe.
    pub fn into_config(self) -> crate::bench::BenchConfig {
        crate::bench::BenchConfig {
            rpc: self.rpc,
            vs: self.vs,
            txs: self.txs,
            accounts: self.accounts,
            kind: self.kind,
            batch: self.batch,
            conns: self.conns,
            rounds: self.rounds,
            serial: self.serial,
            timeout: Duration::from_secs(self.timeout),
            progress: true,
            ..Default::default()
        }
    }
}

/// `zkos-dev init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Which project to write.
    #[arg(value_enum)]
    pub template: crate::init::Template,
    /// Directory to write it into (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite files that already exist (without it, init writes nothing when one does).
    #[arg(long)]
    pub force: bool,
    /// Write the Hardhat project even when the `node` on PATH is older than Hardhat 3 needs.
    #[arg(long)]
    pub skip_node_check: bool,
}

/// `zkos-dev prover`.
#[derive(Debug, Args)]
pub struct ProverArgs {
    /// The node's prover API.
    #[arg(long, default_value = "http://127.0.0.1:3124")]
    pub url: String,
    /// Jobs worked on at once.
    #[arg(long, default_value_t = 1)]
    pub workers: usize,
    /// Prover key (hex): the one the node registered [default: keccak256("zkos-dev prover")].
    #[arg(long, value_name = "HEX")]
    pub prover_key: Option<alloy_primitives::B256>,
    /// Milliseconds between two picks when there is no job.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub poll: u64,
    /// Name this worker gives with its proofs.
    #[arg(long, default_value = "zkos-dev-prover")]
    pub id: String,
}

impl ProverArgs {
    /// The worker's config.
    pub fn into_worker_config(self) -> crate::prover::worker::WorkerConfig {
        crate::prover::worker::WorkerConfig {
            url: self.url,
            workers: self.workers,
            key: self
                .prover_key
                .unwrap_or_else(crate::config::default_prover_key),
            poll: Duration::from_millis(self.poll.max(1)),
            id: self.id,
        }
    }
}

/// Dev account options.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// Number of dev accounts derived from the mnemonic (the rich account comes on top).
    #[arg(long, short = 'a', default_value_t = 10, help_heading = "Accounts")]
    pub accounts: usize,
    /// Balance of every dev account, in ETH.
    #[arg(long, default_value_t = 10_000, help_heading = "Accounts")]
    pub balance: u64,
    /// BIP-39 mnemonic the dev accounts derive from.
    #[arg(long, short = 'm', default_value = DEFAULT_MNEMONIC, help_heading = "Accounts")]
    pub mnemonic: String,
    /// Derivation path prefix; the account index is appended.
    #[arg(long, default_value = DEFAULT_DERIVATION_PATH, help_heading = "Accounts")]
    pub derivation_path: String,
}

impl AccountArgs {
    /// Applies the account options to `config`.
    pub fn apply(&self, config: &mut Config) {
        config.accounts.count = self.accounts;
        config.accounts.balance =
            U256::from(self.balance) * U256::from(10u64).pow(U256::from(18u64));
        config.accounts.mnemonic = self.mnemonic.clone();
        config.accounts.derivation_path = self.derivation_path.clone();
    }
}
