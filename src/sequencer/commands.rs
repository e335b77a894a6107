//! Sequencer commands: what the RPC dev methods ask of the sequencer, each answered on a
//! oneshot channel (`handle.rs` carries them out between two blocks).

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, U256};
use revm::bytecode::Bytecode;
use tokio::sync::oneshot;

use super::snapshot::Snapshots;
use crate::{
    chain_settings::ChainSettings,
    config::MiningMode,
    persistence::{dump::ChainCopy, records::RebuiltChain},
    storage::StateSnapshot,
    tx::{L1Tx, ReadyTx},
};

/// What the sequencer can be asked to do.
#[derive(Debug)]
pub enum SequencerCommand {
    /// Produce `blocks` blocks now (empty ones too). The first at `timestamp` if given; the
    /// clock moves `interval` seconds forward before each block if given (`anvil_mine`).
    /// Replies with the new block numbers.
    Mine {
        /// How many blocks.
        blocks: u64,
        /// Exact timestamp of the first.
        timestamp: Option<u64>,
        /// Seconds to move the clock before each block.
        interval: Option<u64>,
        /// Reply.
        reply: oneshot::Sender<Result<Vec<u64>, CommandError>>,
    },
    /// Switch mining mode.
    SetMining(MiningMode),
    /// Turn automine on (instant mining) or off (the interval part of the mode stays).
    SetAutomine(bool),
    /// Reply with the current mining mode.
    GetMining(oneshot::Sender<MiningMode>),
    /// Change one account of the head state.
    EditAccount {
        /// Whose.
        address: Address,
        /// What.
        edit: AccountEdit,
        /// Done.
        reply: oneshot::Sender<()>,
    },
    /// Change the settings of the next blocks.
    Settings {
        /// What.
        edit: SettingsEdit,
        /// Done.
        reply: oneshot::Sender<()>,
    },
    /// Move the clock forward; replies with the new total offset in seconds.
    IncreaseTime {
        /// Seconds.
        seconds: u64,
        /// Reply.
        reply: oneshot::Sender<i64>,
    },
    /// Set the clock to `timestamp`; replies as anvil's `evm_setTime` does.
    SetTime {
        /// Unix seconds.
        timestamp: u64,
        /// Reply.
        reply: oneshot::Sender<u64>,
    },
    /// Exact timestamp of the next block.
    SetNextTimestamp {
        /// Unix seconds, not before the head's.
        timestamp: u64,
        /// Reply.
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    /// Fixed seconds between blocks (`None`: follow the clock again); replies whether an
    /// interval was set before.
    SetTimestampInterval {
        /// Seconds.
        interval: Option<u64>,
        /// Reply.
        reply: oneshot::Sender<bool>,
    },
    /// Print a line per tx or not.
    SetLogging(bool),
    /// Save the devnet; replies with the snapshot id.
    Snapshot(oneshot::Sender<U256>),
    /// Restore snapshot `id` (dropping it and later ones); replies whether it existed.
    Revert {
        /// Snapshot id.
        id: U256,
        /// Reply.
        reply: oneshot::Sender<bool>,
    },
    /// Reply with the snapshots: id -> head (number, hash) when taken.
    ListSnapshots(oneshot::Sender<BTreeMap<U256, (u64, B256)>>),
    /// Back to a fresh genesis.
    Reset(oneshot::Sender<()>),
    /// Drop the last `depth` blocks.
    Rollback {
        /// Blocks to drop.
        depth: u64,
        /// Reply.
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    /// L1 txs from the watcher, in priority-id order, for the next block.
    L1Txs(Vec<L1Tx>),
    /// Interop roots from the Gateway's root watcher, for the next block's system tx.
    InteropRoots(Vec<crate::abi::InteropRoot>),
    /// Reply with how many times the chain went back (the root watcher then looks again).
    InteropRootsEpoch(oneshot::Sender<u64>),
    /// Reply with the priority id of the next L1 tx the sequencer expects.
    NextL1TxId(oneshot::Sender<u64>),
    /// Reply with what a dump of this chain holds (copies that share structure: O(1)).
    Copy(oneshot::Sender<ChainCopy>),
    /// Replace the whole chain with one rebuilt from a dump.
    Load {
        /// The chain, its state and settings.
        chain: Box<LoadedChain>,
        /// Reply.
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    /// Drop the last `blocks.len()` blocks and mine as many new ones holding these txs.
    Reorg {
        /// Txs of each new block, in order.
        blocks: Vec<Vec<ReadyTx>>,
        /// Reply.
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
}

/// A change to one account (`anvil_setBalance` and friends).
#[derive(Debug, Clone)]
pub enum AccountEdit {
    /// Set the balance.
    Balance(U256),
    /// Add to the balance (saturating).
    AddBalance(U256),
    /// Set the nonce.
    Nonce(u64),
    /// Set the code.
    Code(Bytecode),
    /// Set one storage slot.
    Storage {
        /// Slot.
        slot: U256,
        /// Value.
        value: U256,
    },
}

impl AccountEdit {
    pub(super) fn apply(&self, state: &mut StateSnapshot, address: Address) {
        match self {
            Self::Balance(balance) => state.account_mut(address).info.balance = *balance,
            Self::AddBalance(amount) => {
                let info = &mut state.account_mut(address).info;
                info.balance = info.balance.saturating_add(*amount);
            }
            Self::Nonce(nonce) => state.account_mut(address).info.nonce = *nonce,
            Self::Code(code) => state.set_code(address, code.clone()),
            Self::Storage { slot, value } => state.set_storage(address, *slot, *value),
        }
    }
}

/// A change to the settings of the next blocks.
#[derive(Debug, Clone, Copy)]
pub enum SettingsEdit {
    /// Fee recipient.
    Coinbase(Address),
    /// Base fee per gas.
    BaseFee(u64),
    /// Block gas limit.
    GasLimit(u64),
    /// Chain id.
    ChainId(u64),
}

/// Why a command was refused. Messages follow anvil's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// `evm_setNextBlockTimestamp` / `evm_mine` with a timestamp before the head's.
    #[error("Timestamp error: {timestamp} is lower than previous block's timestamp")]
    TimestampInPast {
        /// The timestamp asked for.
        timestamp: u64,
    },
    /// Rollback or reorg deeper than the chain.
    #[error(
        "{kind} depth must not exceed current chain height: current height {height}, depth {depth}"
    )]
    TooDeep {
        /// "Rollback" or "Reorg".
        kind: &'static str,
        /// Head block number.
        height: u64,
        /// Depth asked for.
        depth: u64,
    },
    /// Rollback below the kept states.
    #[error("state of block {0} is no longer kept")]
    StateNotKept(u64),
    /// A dump of another chain.
    #[error("the state dump holds chain {found}, not this chain ({expected})")]
    WrongChain {
        /// This chain's id.
        expected: u64,
        /// The dump's.
        found: u64,
    },
}

/// A chain rebuilt from a dump, for `SequencerCommand::Load`.
pub struct LoadedChain {
    /// Blocks, states, genesis state, next L1 tx.
    pub rebuilt: RebuiltChain,
    /// Settings of the next block.
    pub settings: ChainSettings,
}

impl std::fmt::Debug for LoadedChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedChain")
            .field("head", &self.rebuilt.chain.latest_number())
            .finish()
    }
}

/// What the sequencer keeps between commands besides its dependencies.
pub(super) struct Runtime {
    /// Drives interval mining.
    pub(super) ticker: Option<tokio::time::Interval>,
    /// `evm_snapshot`s taken.
    pub(super) snapshots: Snapshots,
    /// State at genesis, for `anvil_reset`.
    pub(super) genesis: StateSnapshot,
    /// Settings at start, for `anvil_reset`.
    pub(super) initial: ChainSettings,
}
