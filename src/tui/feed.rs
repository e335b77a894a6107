//! TUI feed: what the dashboard learns (`Feed`: node events, poll results, command replies)
//! and what it asks of the node (`Command`). Plain data, shared by the sources, the model and
//! the control.
//! `source -> Feed -> app`, `app -> Command -> control`

use std::sync::Arc;

use alloy_primitives::{Address, B256, U256};

use crate::events::BatchEvent;

/// Most txs of one block the sources pass on (every L1 tx, then the first others).
pub const MAX_TXS_PER_BLOCK: usize = 64;

/// Which chain something happened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainKind {
    /// The rollup.
    L2,
    /// The settlement layer.
    L1,
}

/// A tx as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxInfo {
    /// Tx hash.
    pub hash: B256,
    /// Sender.
    pub from: Address,
    /// Recipient (`None`: contract creation).
    pub to: Option<Address>,
    /// Value sent, in wei.
    pub value: U256,
    /// Sender nonce (the priority id for an L1 tx).
    pub nonce: u64,
    /// Gas it used (`None` when the source did not fetch its receipt).
    pub gas_used: Option<u64>,
    /// Whether it succeeded.
    pub status: TxStatus,
    /// Block it is in.
    pub block: u64,
    /// Contract it created.
    pub created: Option<Address>,
    /// An L1->L2 (priority) tx, type `0x7f`.
    pub priority: bool,
    /// It sent L2->L1 logs (a withdrawal or a message to L1).
    pub sends_to_l1: bool,
    /// Its `console.log` lines.
    pub console: Vec<String>,
}

/// Outcome of a tx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxStatus {
    /// It succeeded.
    Success,
    /// It reverted or halted.
    Failed {
        /// The decoded revert reason, when known.
        reason: Option<String>,
    },
    /// The source did not fetch its receipt (sampling at high load, attach mode).
    Unknown,
}

/// A sealed block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockInfo {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Timestamp, unix seconds.
    pub timestamp: u64,
    /// How many txs it holds (all of them, not only `txs`).
    pub tx_count: u64,
    /// Gas used.
    pub gas_used: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// A sample of its txs: the first `MAX_TXS_PER_BLOCK`, every L1 tx among them.
    pub txs: Vec<TxInfo>,
}

/// How the L2 produces blocks (from `anvil_getAutomine` + `anvil_getIntervalMining`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MiningState {
    /// A block as soon as txs are ready.
    Instant,
    /// A block every N seconds.
    Interval(u64),
    /// Instant plus a block every N seconds.
    Mixed(u64),
    /// Only on `evm_mine` (paused).
    Manual,
}

impl MiningState {
    /// From the answers of `anvil_getAutomine` and `anvil_getIntervalMining`.
    pub fn from_rpc(automine: bool, interval: Option<u64>) -> Self {
        match (automine, interval) {
            (true, None) => Self::Instant,
            (true, Some(secs)) => Self::Mixed(secs),
            (false, Some(secs)) => Self::Interval(secs),
            (false, None) => Self::Manual,
        }
    }

    /// Short name for the header.
    pub fn label(&self) -> String {
        match self {
            Self::Instant => "instant".into(),
            Self::Interval(secs) => format!("every {secs}s"),
            Self::Mixed(secs) => format!("instant+{secs}s"),
            Self::Manual => "paused".into(),
        }
    }
}

/// What the sources poll now and then.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// L2 chain id.
    pub l2_chain_id: Option<u64>,
    /// L1 chain id.
    pub l1_chain_id: Option<u64>,
    /// L2 mining mode.
    pub mining: Option<MiningState>,
    /// Txs ready in the mempool.
    pub pending: u64,
    /// Txs waiting behind a nonce gap.
    pub queued: u64,
    /// Latest L1 block.
    pub l1_head: Option<u64>,
    /// The remote the L2 forks and the fork block (`anvil_nodeInfo`'s `forkConfig`).
    pub fork: Option<(String, u64)>,
}

/// A dev account's balances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// The account.
    pub address: Address,
    /// On the L2.
    pub l2: Option<U256>,
    /// On the L1.
    pub l1: Option<U256>,
}

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something looks wrong.
    Warn,
    /// Something happened.
    Info,
    /// `console.log` output of a tx.
    Console,
}

/// One line of the log pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Severity.
    pub level: LogLevel,
    /// The text (one line).
    pub text: String,
}

/// What a control command returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done, nothing to report.
    Done,
    /// A block was mined: its number.
    Mined(u64),
    /// A snapshot was taken: its id.
    Snapshot(String),
    /// The chain was rewound (revert, reset): the new latest block.
    Rewound(u64),
}

/// Something the dashboard learns: a node event, a poll result, a command's reply.
#[derive(Debug, Clone)]
pub enum Feed {
    /// A block was sealed.
    Block(ChainKind, Box<BlockInfo>),
    /// An L1->L2 tx was queued on the L2.
    L1TxQueued {
        /// Its priority id.
        priority_id: u64,
        /// Its L2 tx hash.
        hash: B256,
    },
    /// A batch reached a stage.
    Batch(Arc<BatchEvent>),
    /// Whether the node reports batches at all (`zks_L1BatchNumber` answers).
    Settlement(bool),
    /// Polled status.
    Status(Status),
    /// Polled balances of the dev accounts.
    Balances(Vec<Balance>),
    /// A log line (tracing, console.log, the TUI's own notes).
    Log(LogLine),
    /// The UI fell behind a chain's events and skipped some.
    Lagged {
        /// Which chain.
        chain: ChainKind,
        /// How many events were skipped.
        skipped: u64,
    },
    /// The polled L2 head went back (a revert or reset, from the dashboard or elsewhere).
    Rewound {
        /// The head at the poll before.
        from: u64,
        /// Its hash: a dashboard still showing it shows blocks that are gone.
        from_hash: B256,
        /// The head now.
        to: u64,
    },
    /// A source lost or regained its node (`None`: connected).
    Connection {
        /// Which chain.
        chain: ChainKind,
        /// What went wrong.
        error: Option<String>,
    },
    /// A control command finished.
    Done {
        /// The command.
        command: Command,
        /// Its outcome or the error text.
        result: Result<Outcome, String>,
    },
}

/// A control command for the node, sent over JSON-RPC by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Mine one block (`evm_mine`).
    Mine,
    /// Switch mining mode (pause = `Manual`, resume = the mode before).
    SetMining(MiningState),
    /// Take a snapshot (`evm_snapshot`).
    Snapshot,
    /// Revert to a snapshot (`evm_revert`).
    Revert(String),
    /// Reset the devnet to genesis (`anvil_reset`).
    Reset,
}

/// A key press, already decoded from the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A printable character.
    Char(char),
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// Home.
    Home,
    /// End.
    End,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Enter.
    Enter,
    /// Escape.
    Esc,
    /// Backspace.
    Backspace,
    /// Ctrl-C.
    CtrlC,
}
