//! TUI model: what the dashboard knows and how keys and node events change it. No I/O: time
//! comes in with `on_tick`, control leaves as a `Command` for the caller to send.
//! `App::on_feed(Feed)`, `App::on_key(Key) -> Option<Command>`, `App::on_tick(now_ms)`
//!
//! Everything is held in bounded ring buffers (newest first), so memory stays flat at any load:
//! a block carries its tx count and only a sample of its txs.

use std::{collections::VecDeque, ops::RangeInclusive, path::PathBuf, time::Duration};

use alloy_primitives::{Address, B256, U256, address};

use super::{
    feed::{
        Balance, BlockInfo, ChainKind, Command, Feed, Key, LogLevel, LogLine, MiningState, Outcome,
        Status, TxInfo, TxStatus,
    },
    format::{short_address, short_hash},
    search::{Found, find},
};
use crate::{
    accounts::DevAccount,
    config::RICH_ADDRESS,
    events::{BatchEvent, BatchStage},
};

mod input;
mod pane;
mod updates;

pub use pane::Pane;

/// Most L2 blocks kept.
pub const MAX_BLOCKS: usize = 256;
/// Most L1 blocks kept.
pub const MAX_L1_BLOCKS: usize = 64;
/// Most txs kept (across blocks).
pub const MAX_TXS: usize = 512;
/// Most batches kept.
pub const MAX_BATCHES: usize = 256;
/// Most proof results kept.
pub const MAX_PROOFS: usize = 128;
/// Most deposits and withdrawals kept.
pub const MAX_BRIDGE: usize = 128;
/// Most log lines kept.
pub const MAX_LOGS: usize = 500;
/// Window over which the header's tx/s is measured.
const TPS_WINDOW_MS: u64 = 5_000;
/// How long a command's result stays in the header.
const TOAST_MS: u64 = 6_000;
/// Least time between two notes about lagging in the log pane.
const LAG_NOTE_MS: u64 = 10_000;

/// L2 system contracts a withdrawal (or an L2->L1 message) is sent to.
const WITHDRAWAL_TARGETS: [Address; 3] = [
    address!("0x000000000000000000000000000000000000800a"),
    address!("0x0000000000000000000000000000000000008008"),
    address!("0x0000000000000000000000000000000000010003"),
];

/// What a detail view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// An L2 block.
    Block(u64),
    /// An L2 tx.
    Tx(B256),
    /// A batch.
    Batch(u64),
}

/// What the keyboard is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Navigating the panes.
    Normal,
    /// A detail view is open.
    Detail(Detail),
    /// Typing a search (`/`).
    Search(String),
    /// Asking whether to reset (`R`).
    ConfirmReset,
    /// Asking whether to stop the node (`q` on the node's own dashboard).
    ConfirmQuit,
    /// The help: endpoints in full, every key (`?`).
    Help,
    /// The dev accounts with their private keys (`a`), scrolled to this account.
    Accounts(usize),
}

/// How the user leaves the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leave {
    /// Quit and stop the node running in this process.
    Stop,
    /// Close the dashboard; the node keeps running.
    Detach,
}

/// Filter on the txs pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Txs from, to or creating this address.
    Address(Address),
}

/// A step of a batch's lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// How long it took.
    pub took: Duration,
    /// Its L1 tx, if any.
    pub l1_tx: Option<B256>,
}

/// A batch and how far it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    /// Batch number.
    pub number: u64,
    /// Its L2 blocks.
    pub blocks: RangeInclusive<u64>,
    /// Its txs.
    pub tx_count: u64,
    /// Furthest stage reached (errors do not move it back).
    pub stage: BatchStage,
    /// Sealing.
    pub sealed: Option<Step>,
    /// Proving.
    pub proven: Option<Step>,
    /// Commit on L1.
    pub committed: Option<Step>,
    /// Prove on L1.
    pub verified: Option<Step>,
    /// Execute on L1.
    pub executed: Option<Step>,
    /// Who proved it.
    pub prover: Option<String>,
    /// Why the proof was rejected.
    pub rejected: Option<String>,
    /// The last L1 error, until the next stage is reached.
    pub l1_error: Option<String>,
}

impl BatchRow {
    /// The steps in lifecycle order, with their names.
    pub fn steps(&self) -> [(&'static str, Option<&Step>); 5] {
        [
            ("sealed", self.sealed.as_ref()),
            ("proven", self.proven.as_ref()),
            ("committed", self.committed.as_ref()),
            ("verified", self.verified.as_ref()),
            ("executed", self.executed.as_ref()),
        ]
    }
}

/// The verdict of a proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofVerdict {
    /// The prover produced it.
    Proven,
    /// L1 verified it.
    VerifiedOnL1,
    /// The prover refused the batch.
    Rejected(String),
}

/// One proof result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofRow {
    /// Batch number.
    pub batch: u64,
    /// Who proved it (prover mode or worker id).
    pub prover: String,
    /// How long proving took.
    pub took: Duration,
    /// Verdict.
    pub verdict: ProofVerdict,
}

/// Direction of a bridge tx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeKind {
    /// L1 -> L2.
    Deposit,
    /// L2 -> L1.
    Withdrawal,
}

/// A deposit or withdrawal and how far it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeTx {
    /// Direction.
    pub kind: BridgeKind,
    /// Its L2 tx hash.
    pub hash: B256,
    /// Priority id of a deposit.
    pub priority_id: Option<u64>,
    /// L2 block it is in, once it is.
    pub l2_block: Option<u64>,
    /// Value, when known.
    pub value: Option<U256>,
    /// Batch it is in, once sealed.
    pub batch: Option<u64>,
    /// Its batch was executed on L1.
    pub finalized: bool,
}

/// Where the dashboard's node is and what is known of it from the start.
#[derive(Debug, Clone)]
pub struct NodeInfo {
    /// L2 JSON-RPC URL.
    pub l2_url: String,
    /// L2 WebSocket URL.
    pub l2_ws_url: Option<String>,
    /// L1 JSON-RPC URL.
    pub l1_url: Option<String>,
    /// L1 WebSocket URL, when known.
    pub l1_ws_url: Option<String>,
    /// Whether quitting stops the node (it runs in this process).
    pub owned: bool,
    /// Where the node keeps its chain (`None`: in memory, or not known here).
    pub data_dir: Option<PathBuf>,
    /// Dev accounts with their keys: the node's own in process; attached, the default
    /// mnemonic's, shown only for the addresses the node lists.
    pub keys: Vec<DevAccount>,
    /// Every L2 of the devnet (`--chains`), the first one first; `c` switches between them.
    /// One (or none, when not known) for a devnet of one L2.
    pub chains: Vec<ChainChoice>,
}

/// An L2 the dashboard can follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainChoice {
    /// Its chain id (`None`: not known here, attached to a URL).
    pub chain_id: Option<u64>,
    /// Its JSON-RPC URL.
    pub url: String,
    /// Whether it is the Gateway (`--gateway`), not an L2 settling on it.
    pub gateway: bool,
}

/// A dev account as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its address.
    pub address: Address,
    /// Its private key, when known here.
    pub key: Option<B256>,
    /// The ZKsync rich account.
    pub rich: bool,
    /// Balance on the L2 (`None`: not polled yet).
    pub l2: Option<U256>,
    /// Balance on the L1.
    pub l1: Option<U256>,
}

/// A message shown in the header for a while.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// The text.
    pub text: String,
    /// Whether it reports a failure.
    pub error: bool,
    /// Shown until (unix ms).
    pub until_ms: u64,
}

/// The dashboard's whole state.
#[derive(Debug, Clone)]
pub struct App {
    /// Where the node is.
    pub info: NodeInfo,
    /// When the dashboard started (unix ms).
    pub started_ms: u64,
    /// Now (unix ms), from the last tick.
    pub now_ms: u64,
    /// L2 blocks, newest first.
    pub blocks: VecDeque<BlockInfo>,
    /// L2 txs, newest first.
    pub txs: VecDeque<TxInfo>,
    /// L1 blocks, newest first.
    pub l1_blocks: VecDeque<BlockInfo>,
    /// Batches, newest first.
    pub batches: VecDeque<BatchRow>,
    /// Proof results, newest first.
    pub proofs: VecDeque<ProofRow>,
    /// Deposits and withdrawals, newest first.
    pub bridge: VecDeque<BridgeTx>,
    /// Dev account balances.
    pub balances: Vec<Balance>,
    /// Log lines, newest first.
    pub logs: VecDeque<LogLine>,
    /// Polled status.
    pub status: Status,
    /// Whether the node reports batches (`None`: not known yet).
    pub settlement: Option<bool>,
    /// Events skipped because the UI fell behind.
    pub lagged: u64,
    /// When lagging was last noted in the log (unix ms).
    lag_noted_ms: u64,
    /// L2 txs seen since start (all of them, sampled or not).
    pub total_txs: u64,
    /// Connection problems per chain (L2, L1).
    pub connection: [Option<String>; 2],
    /// (arrival ms, tx count) of recent L2 blocks, for tx/s.
    tps_window: VecDeque<(u64, u64)>,
    /// Snapshot ids taken from here, oldest first.
    pub snapshots: Vec<String>,
    /// The mining mode before `p` paused it.
    pub paused_from: Option<MiningState>,
    /// Focused pane.
    pub focus: Pane,
    /// Pane shown in the side slot of a small terminal.
    pub side: Pane,
    /// Selected block (`None`: follow the newest).
    pub selected_block: Option<u64>,
    /// Selected tx (`None`: follow the newest).
    pub selected_tx: Option<B256>,
    /// Selected batch (`None`: follow the newest).
    pub selected_batch: Option<u64>,
    /// Scroll offset of the other panes, by `Pane` index.
    pub scroll: [usize; 7],
    /// What the keyboard is doing.
    pub mode: Mode,
    /// Filter on the txs pane.
    pub filter: Option<Filter>,
    /// Message in the header.
    pub toast: Option<Toast>,
    /// A revert or reset sent from here awaits its reply: the rewind it causes is no news.
    rewind_in_flight: bool,
    /// The user asked to leave.
    pub leave: Option<Leave>,
    /// Which of `info.chains` the dashboard follows.
    pub chain: usize,
    /// The user asked to follow another L2 (`c`): the caller restarts the sources, then calls
    /// [`App::follow_chain`].
    pub switch_to: Option<usize>,
}

impl App {
    /// An empty dashboard, started at `now_ms`.
    pub fn new(info: NodeInfo, now_ms: u64) -> Self {
        Self {
            info,
            started_ms: now_ms,
            now_ms,
            blocks: VecDeque::new(),
            txs: VecDeque::new(),
            l1_blocks: VecDeque::new(),
            batches: VecDeque::new(),
            proofs: VecDeque::new(),
            bridge: VecDeque::new(),
            balances: Vec::new(),
            logs: VecDeque::new(),
            status: Status::default(),
            settlement: None,
            lagged: 0,
            lag_noted_ms: 0,
            total_txs: 0,
            connection: [None, None],
            tps_window: VecDeque::new(),
            snapshots: Vec::new(),
            paused_from: None,
            focus: Pane::Blocks,
            side: Pane::L1,
            selected_block: None,
            selected_tx: None,
            selected_batch: None,
            scroll: [0; 7],
            mode: Mode::Normal,
            filter: None,
            toast: None,
            rewind_in_flight: false,
            leave: None,
            chain: 0,
            switch_to: None,
        }
    }

    /// Follows L2 number `index` of `info.chains` from now on: what was shown of the other one
    /// (blocks, txs, batches, proofs, bridge txs, balances, status) goes; the L1's blocks, the
    /// log, the snapshots (devnet-wide) and the layout stay.
    pub fn follow_chain(&mut self, index: usize) {
        let Some(choice) = self.info.chains.get(index).cloned() else {
            return;
        };
        let mut info = self.info.clone();
        info.l2_ws_url = Some(super::format::ws_url(&choice.url));
        info.l2_url = choice.url;
        let mut fresh = App::new(info, self.now_ms);
        fresh.started_ms = self.started_ms;
        fresh.l1_blocks = std::mem::take(&mut self.l1_blocks);
        fresh.logs = std::mem::take(&mut self.logs);
        fresh.snapshots = std::mem::take(&mut self.snapshots);
        fresh.focus = self.focus;
        fresh.side = self.side;
        fresh.chain = index;
        let which = match choice.chain_id {
            Some(id) if choice.gateway => format!("the Gateway (chain {id})"),
            Some(id) => format!("L2 chain {id}"),
            None => format!("the L2 at {}", fresh.info.l2_url),
        };
        fresh.toast(format!("following {which}"), false);
        *self = fresh;
    }

    /// Time moves on.
    pub fn on_tick(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
        while let Some(&(at, _)) = self.tps_window.front() {
            if at + TPS_WINDOW_MS >= now_ms {
                break;
            }
            self.tps_window.pop_front();
        }
        if self.toast.as_ref().is_some_and(|t| t.until_ms <= now_ms) {
            self.toast = None;
        }
    }

    /// L2 txs per second over the last few seconds.
    pub fn tps(&self) -> u64 {
        let recent: u64 = self
            .tps_window
            .iter()
            .filter(|(at, _)| at + TPS_WINDOW_MS >= self.now_ms)
            .map(|(_, n)| n)
            .sum();
        recent * 1000 / TPS_WINDOW_MS
    }

    /// The prover named by the latest proof, if any.
    pub fn prover(&self) -> Option<&str> {
        self.proofs
            .iter()
            .map(|p| p.prover.as_str())
            .find(|p| *p != "?")
    }

    fn toast(&mut self, text: String, error: bool) {
        self.toast = Some(Toast {
            text,
            error,
            until_ms: self.now_ms + TOAST_MS,
        });
    }

    fn log(&mut self, level: LogLevel, text: String) {
        push_front(&mut self.logs, LogLine { level, text }, MAX_LOGS);
    }

    /// The dev accounts: the polled ones with their balances, and their keys when known. In
    /// process, the node's accounts before the first poll; attached, none until then.
    pub fn accounts(&self) -> Vec<Account> {
        let key = |address: Address| {
            self.info
                .keys
                .iter()
                .find(|k| k.address == address)
                .map(|k| k.private_key)
        };
        let account = |address: Address, l2, l1| Account {
            address,
            key: key(address),
            rich: address == RICH_ADDRESS,
            l2,
            l1,
        };
        if self.balances.is_empty() && self.info.owned {
            return self
                .info
                .keys
                .iter()
                .map(|k| account(k.address, None, None))
                .collect();
        }
        self.balances
            .iter()
            .map(|b| account(b.address, b.l2, b.l1))
            .collect()
    }

    /// A tx by hash, from the recent txs or the recent blocks.
    pub fn find_tx(&self, hash: &B256) -> Option<&TxInfo> {
        self.txs
            .iter()
            .chain(self.blocks.iter().flat_map(|b| b.txs.iter()))
            .find(|t| t.hash == *hash)
    }
}

fn push_front<T>(ring: &mut VecDeque<T>, item: T, max: usize) {
    ring.push_front(item);
    ring.truncate(max);
}
