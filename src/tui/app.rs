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
    accounts::{DevAccount, RICH_ADDRESS},
    events::{BatchEvent, BatchStage},
};

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

/// The panes, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// L2 blocks.
    Blocks,
    /// L2 txs.
    Txs,
    /// Batches and their lifecycle.
    Batches,
    /// Proof results.
    Proofs,
    /// L1 blocks, deposits and withdrawals.
    L1,
    /// Dev account balances.
    Accounts,
    /// Logs.
    Logs,
}

impl Pane {
    /// Every pane, in focus order.
    pub const ALL: [Pane; 7] = [
        Pane::Blocks,
        Pane::Txs,
        Pane::Batches,
        Pane::Proofs,
        Pane::L1,
        Pane::Accounts,
        Pane::Logs,
    ];

    /// The panes that share one slot in a small terminal.
    pub const SIDE: [Pane; 4] = [Pane::Proofs, Pane::L1, Pane::Accounts, Pane::Logs];

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Blocks => "Blocks",
            Pane::Txs => "Transactions",
            Pane::Batches => "Batches",
            Pane::Proofs => "Proofs",
            Pane::L1 => "L1",
            Pane::Accounts => "Accounts",
            Pane::Logs => "Logs",
        }
    }

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// Whether it shares the side slot.
    pub fn is_side(self) -> bool {
        Pane::SIDE.contains(&self)
    }
}

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
        }
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

    /// Learns something.
    pub fn on_feed(&mut self, feed: Feed) {
        match feed {
            Feed::Block(ChainKind::L2, block) => self.on_l2_block(*block),
            Feed::Block(ChainKind::L1, block) => {
                let number = block.number;
                self.l1_blocks.retain(|b| b.number < number);
                push_front(&mut self.l1_blocks, *block, MAX_L1_BLOCKS);
                self.status.l1_head = Some(number);
            }
            Feed::L1TxQueued { priority_id, hash } => {
                if !self.bridge.iter().any(|b| b.hash == hash) {
                    let deposit = BridgeTx {
                        kind: BridgeKind::Deposit,
                        hash,
                        priority_id: Some(priority_id),
                        l2_block: None,
                        value: None,
                        batch: None,
                        finalized: false,
                    };
                    push_front(&mut self.bridge, deposit, MAX_BRIDGE);
                }
            }
            Feed::Batch(event) => self.on_batch(&event),
            Feed::Settlement(on) => self.settlement = Some(on),
            Feed::Status(status) => {
                // An L1 that did not answer this time keeps its last known head.
                let l1_head = status.l1_head.or(self.status.l1_head);
                self.status = Status { l1_head, ..status };
            }
            Feed::Balances(balances) => self.balances = balances,
            Feed::Log(line) => self.log(line.level, line.text),
            Feed::Lagged { chain, skipped } => {
                self.lagged += skipped;
                // Once in a while, not on every lag: under load lags come many a second.
                if self.lag_noted_ms + LAG_NOTE_MS <= self.now_ms {
                    self.lag_noted_ms = self.now_ms;
                    let text = format!(
                        "the dashboard fell behind the {chain:?} events ({} skipped so far): it \
                         shows a sample; the node lost nothing",
                        self.lagged
                    );
                    self.log(LogLevel::Warn, text);
                }
            }
            Feed::Rewound {
                from,
                from_hash,
                to,
            } => {
                // Only while the blocks from before are on screen: a block sealed since the
                // rewind has replaced them already.
                if self.blocks.iter().any(|b| b.hash == from_hash) {
                    self.rewound(from, to);
                }
            }
            Feed::Connection { chain, error } => {
                let slot = chain as usize;
                if self.connection[slot] != error {
                    if let Some(error) = &error {
                        let text = format!("{chain:?} node unreachable: {error}");
                        self.log(LogLevel::Error, text);
                    }
                    self.connection[slot] = error;
                }
            }
            Feed::Done { command, result } => self.on_done(command, result),
        }
    }

    fn on_l2_block(&mut self, block: BlockInfo) {
        let number = block.number;
        // A block number seen again means the chain was rewound (revert, reset, reorg).
        if let Some(from) = self.blocks.front().map(|b| b.number)
            && from >= number
        {
            self.rewound(from, number.saturating_sub(1));
        }
        self.total_txs += block.tx_count;
        self.tps_window.push_back((self.now_ms, block.tx_count));
        for tx in &block.txs {
            for line in &tx.console {
                let text = format!("{} {line}", short_hash(&tx.hash));
                self.log(LogLevel::Console, text);
            }
            if let TxStatus::Failed { reason } = &tx.status {
                let why = reason.as_deref().unwrap_or("no reason");
                let text = format!("tx {} in #{number} failed: {why}", short_hash(&tx.hash));
                self.log(LogLevel::Warn, text);
            }
            self.track_bridge(tx);
        }
        for tx in block.txs.iter().rev() {
            push_front(&mut self.txs, tx.clone(), MAX_TXS);
        }
        push_front(&mut self.blocks, block, MAX_BLOCKS);
    }

    fn track_bridge(&mut self, tx: &TxInfo) {
        if let Some(known) = self.bridge.iter_mut().find(|b| b.hash == tx.hash) {
            known.l2_block = Some(tx.block);
            known.value = Some(tx.value);
            return;
        }
        let kind = if tx.priority {
            BridgeKind::Deposit
        } else if tx.status == TxStatus::Success
            && (tx.sends_to_l1 || tx.to.is_some_and(|to| WITHDRAWAL_TARGETS.contains(&to)))
        {
            BridgeKind::Withdrawal
        } else {
            return;
        };
        let row = BridgeTx {
            kind,
            hash: tx.hash,
            priority_id: tx.priority.then_some(tx.nonce),
            l2_block: Some(tx.block),
            value: Some(tx.value),
            batch: None,
            finalized: false,
        };
        push_front(&mut self.bridge, row, MAX_BRIDGE);
    }

    /// The L2 went back from `from` to `to`: says so, unless a command from here did it.
    fn rewound(&mut self, from: u64, to: u64) {
        self.rewind(to);
        if self.rewind_in_flight {
            return;
        }
        let genesis = if to == 0 { " (genesis)" } else { "" };
        let text = format!(
            "the L2 went back from #{from} to #{to}{genesis}: reset or reverted from outside the \
             dashboard"
        );
        self.log(LogLevel::Info, text.clone());
        self.toast(text, false);
    }

    /// Forgets every L2 block after `head`.
    fn rewind(&mut self, head: u64) {
        self.blocks.retain(|b| b.number <= head);
        self.txs.retain(|t| t.block <= head);
        self.batches.retain(|b| *b.blocks.start() <= head);
        let batches = &self.batches;
        self.proofs
            .retain(|p| batches.iter().any(|b| b.number == p.batch));
        self.bridge
            .retain(|b| b.l2_block.is_none_or(|block| block <= head));
        if head == 0 {
            // Back at genesis (a reset, or a revert to a snapshot of it): the node rewound
            // both chains and the pipeline together, and kept no snapshot taken since.
            self.bridge.clear();
            self.snapshots.clear();
            self.total_txs = 0;
            self.l1_blocks.clear();
            self.status.l1_head = None;
        }
        if self.selected_block.is_some_and(|n| n > head) {
            self.selected_block = None;
        }
        if self
            .selected_tx
            .is_some_and(|h| !self.txs.iter().any(|t| t.hash == h))
        {
            self.selected_tx = None;
        }
    }

    fn on_batch(&mut self, event: &BatchEvent) {
        let position = self.batches.iter().position(|b| b.number <= event.number);
        let row = match position {
            Some(i) if self.batches[i].number == event.number => &mut self.batches[i],
            _ => {
                let row = BatchRow {
                    number: event.number,
                    blocks: event.blocks.clone(),
                    tx_count: event.tx_count,
                    stage: BatchStage::Sealed,
                    sealed: None,
                    proven: None,
                    committed: None,
                    verified: None,
                    executed: None,
                    prover: None,
                    rejected: None,
                    l1_error: None,
                };
                let i = position.unwrap_or(self.batches.len());
                self.batches.insert(i, row);
                if self.batches.len() > MAX_BATCHES {
                    self.batches.pop_back();
                }
                match self.batches.get_mut(i) {
                    Some(row) => row,
                    None => return,
                }
            }
        };
        let step = Step {
            took: event.took,
            l1_tx: event.l1_tx,
        };
        let rank = |stage: &BatchStage| match stage {
            BatchStage::Sealed => 0,
            BatchStage::Proven { .. } | BatchStage::ProofRejected { .. } => 1,
            BatchStage::Committed => 2,
            BatchStage::Verified => 3,
            BatchStage::Executed => 4,
            BatchStage::L1Error { .. } => -1,
        };
        if rank(&event.stage) > rank(&row.stage) {
            row.stage = event.stage.clone();
        }
        let number = row.number;
        let blocks = row.blocks.clone();
        let mut proof = None;
        match &event.stage {
            BatchStage::Sealed => row.sealed = Some(step),
            BatchStage::Proven { prover } => {
                row.proven = Some(step);
                row.prover = Some(prover.clone());
                proof = Some(ProofRow {
                    batch: number,
                    prover: prover.clone(),
                    took: event.took,
                    verdict: ProofVerdict::Proven,
                });
            }
            BatchStage::ProofRejected { reason } => {
                row.rejected = Some(reason.clone());
                proof = Some(ProofRow {
                    batch: number,
                    prover: row.prover.clone().unwrap_or_else(|| "?".into()),
                    took: event.took,
                    verdict: ProofVerdict::Rejected(reason.clone()),
                });
            }
            BatchStage::Committed => row.committed = Some(step),
            BatchStage::Verified => row.verified = Some(step),
            BatchStage::Executed => row.executed = Some(step),
            BatchStage::L1Error { reason } => row.l1_error = Some(reason.clone()),
        }
        if !matches!(event.stage, BatchStage::L1Error { .. }) {
            row.l1_error = None;
        }
        match &event.stage {
            BatchStage::L1Error { reason } => {
                let text = format!("batch {number}: L1 call failed, will retry: {reason}");
                self.log(LogLevel::Error, text);
            }
            BatchStage::ProofRejected { reason } => {
                let text = format!("batch {number}: proof rejected: {reason}");
                self.log(LogLevel::Error, text);
            }
            BatchStage::Verified => {
                if let Some(p) = self.proofs.iter_mut().find(|p| p.batch == number) {
                    p.verdict = ProofVerdict::VerifiedOnL1;
                }
            }
            _ => {}
        }
        if let Some(proof) = proof {
            self.proofs.retain(|p| p.batch != number);
            push_front(&mut self.proofs, proof, MAX_PROOFS);
        }
        let executed = event.stage == BatchStage::Executed;
        for b in self.bridge.iter_mut() {
            if b.l2_block.is_some_and(|n| blocks.contains(&n)) {
                b.batch = Some(number);
                b.finalized |= executed;
            }
        }
    }

    fn on_done(&mut self, command: Command, result: Result<Outcome, String>) {
        if matches!(command, Command::Revert(_) | Command::Reset) {
            self.rewind_in_flight = false;
        }
        let text = match (&command, result) {
            (_, Err(err)) => {
                let text = format!("{}: {err}", command_name(&command));
                self.log(LogLevel::Error, text.clone());
                self.toast(text, true);
                return;
            }
            (Command::Snapshot, Ok(Outcome::Snapshot(id))) => {
                let head = self.blocks.front().map_or(0, |b| b.number);
                self.snapshots.push(id.clone());
                format!("snapshot {id} taken at block #{head}")
            }
            (Command::Revert(id), Ok(outcome)) => {
                self.snapshots.retain(|s| s != id);
                match outcome {
                    Outcome::Rewound(head) => {
                        self.rewind(head);
                        format!("reverted to snapshot {id} (block #{head})")
                    }
                    _ => format!("reverted to snapshot {id}"),
                }
            }
            (Command::Reset, Ok(_)) => {
                self.rewind(0);
                "reset to genesis".to_string()
            }
            (Command::Mine, Ok(Outcome::Mined(n))) => format!("mined block #{n}"),
            (Command::Mine, Ok(_)) => "mined a block".to_string(),
            (Command::SetMining(mode), Ok(_)) => {
                self.status.mining = Some(*mode);
                match mode {
                    MiningState::Manual => "mining paused (m mines a block, p resumes)".into(),
                    mode => format!("mining resumed: {}", mode.label()),
                }
            }
            (Command::Snapshot, Ok(_)) => "snapshot taken".to_string(),
        };
        self.log(LogLevel::Info, text.clone());
        self.toast(text, false);
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

    /// Reacts to a key; returns the command to send to the node, if any.
    pub fn on_key(&mut self, key: Key) -> Option<Command> {
        if key == Key::CtrlC {
            // Ctrl-C stops a node at once, as anvil's does; attached, there is none to stop.
            self.leave = Some(if self.info.owned {
                Leave::Stop
            } else {
                Leave::Detach
            });
            return None;
        }
        let command = match self.mode.clone() {
            Mode::ConfirmReset => {
                self.mode = Mode::Normal;
                if key == Key::Char('y') || key == Key::Char('Y') {
                    return self.rewinding(Command::Reset);
                }
                self.toast("reset cancelled".into(), false);
                None
            }
            Mode::ConfirmQuit => {
                self.mode = Mode::Normal;
                match key {
                    Key::Char('y' | 'Y' | 'q') => self.leave = Some(Leave::Stop),
                    Key::Char('d') => self.leave = Some(Leave::Detach),
                    _ => {}
                }
                None
            }
            Mode::Help => {
                self.mode = Mode::Normal;
                None
            }
            Mode::Accounts(row) => {
                let last = self.accounts().len().saturating_sub(1);
                let row = match key {
                    Key::Up | Key::Char('k') => row.saturating_sub(1),
                    Key::Down | Key::Char('j') => row + 1,
                    Key::PageUp => row.saturating_sub(5),
                    Key::PageDown => row + 5,
                    Key::Home | Key::Char('g') => 0,
                    Key::End | Key::Char('G') => last,
                    Key::Char('q') => {
                        self.quit();
                        return None;
                    }
                    _ => {
                        self.mode = Mode::Normal;
                        return None;
                    }
                };
                self.mode = Mode::Accounts(row.min(last));
                None
            }
            Mode::Search(mut query) => {
                match key {
                    Key::Esc => self.mode = Mode::Normal,
                    Key::Enter => {
                        self.mode = Mode::Normal;
                        self.search(query.trim());
                    }
                    Key::Backspace => {
                        query.pop();
                        self.mode = Mode::Search(query);
                    }
                    Key::Char(c) if query.len() < 80 => {
                        query.push(c);
                        self.mode = Mode::Search(query);
                    }
                    _ => {}
                }
                None
            }
            Mode::Detail(detail) => {
                match key {
                    Key::Esc | Key::Enter | Key::Backspace => {
                        self.mode = Mode::Normal;
                        // Done with the block: the txs pane follows the newest again.
                        if let Detail::Block(_) = detail {
                            self.leave_block();
                        }
                    }
                    Key::Char('q') => self.quit(),
                    _ => {}
                }
                None
            }
            Mode::Normal => self.on_normal_key(key),
        };
        match command {
            Some(command @ Command::Revert(_)) => self.rewinding(command),
            command => command,
        }
    }

    /// `q`: on the node's own dashboard, asks first; attached, leaves (the node runs on).
    fn quit(&mut self) {
        if self.info.owned {
            self.mode = Mode::ConfirmQuit;
        } else {
            self.leave = Some(Leave::Detach);
        }
    }

    /// Sends a command that rewinds the chain: the rewind seen meanwhile is its own.
    fn rewinding(&mut self, command: Command) -> Option<Command> {
        self.rewind_in_flight = true;
        Some(command)
    }

    fn on_normal_key(&mut self, key: Key) -> Option<Command> {
        match key {
            Key::Char('q') => self.quit(),
            Key::Char('d') => self.leave = Some(Leave::Detach),
            Key::Char('?') => self.mode = Mode::Help,
            Key::Char('a') => self.mode = Mode::Accounts(self.scroll[Pane::Accounts.index()]),
            Key::Char('m') => return Some(Command::Mine),
            Key::Char('p') => return self.toggle_mining(),
            Key::Char('s') => return Some(Command::Snapshot),
            Key::Char('r') => match self.snapshots.last() {
                Some(id) => return Some(Command::Revert(id.clone())),
                None => self.toast("no snapshot to revert to (s takes one)".into(), true),
            },
            Key::Char('R') => self.mode = Mode::ConfirmReset,
            Key::Char('/') => self.mode = Mode::Search(String::new()),
            Key::Tab => self.focus(Pane::ALL[(self.focus.index() + 1) % Pane::ALL.len()]),
            Key::BackTab => {
                let n = Pane::ALL.len();
                self.focus(Pane::ALL[(self.focus.index() + n - 1) % n]);
            }
            Key::Char(c @ '1'..='7') => {
                let i = c as usize - '1' as usize;
                self.focus(Pane::ALL[i]);
            }
            Key::Up | Key::Char('k') => self.move_selection(-1),
            Key::Down | Key::Char('j') => self.move_selection(1),
            Key::PageUp => self.move_selection(-10),
            Key::PageDown => self.move_selection(10),
            Key::Home | Key::Char('g') => self.follow(),
            Key::End | Key::Char('G') => self.move_selection(isize::MAX / 2),
            Key::Enter => self.open_detail(),
            Key::Esc => {
                self.follow();
                self.filter = None;
            }
            _ => {}
        }
        None
    }

    fn focus(&mut self, pane: Pane) {
        self.focus = pane;
        if pane.is_side() {
            self.side = pane;
        }
        // Away from blocks and txs, a selected block is left: the txs pane follows again.
        if !matches!(pane, Pane::Blocks | Pane::Txs) {
            self.leave_block();
        }
    }

    /// The txs pane stops listing the selected block's txs and follows the newest.
    fn leave_block(&mut self) {
        if self.selected_block.take().is_some()
            && let Some(hash) = self.selected_tx
            && !self.visible_txs().iter().any(|t| t.hash == hash)
        {
            self.selected_tx = None;
        }
    }

    fn toggle_mining(&mut self) -> Option<Command> {
        match (self.status.mining, self.paused_from) {
            (None, _) => {
                self.toast("mining mode not known yet".into(), true);
                None
            }
            (Some(MiningState::Manual), from) => {
                self.paused_from = None;
                // A node started with --no-mining has nothing to go back to: instant it is.
                Some(Command::SetMining(match from {
                    // The node cannot switch back to mixed mining over RPC.
                    Some(MiningState::Mixed(_)) | None => MiningState::Instant,
                    Some(mode) => mode,
                }))
            }
            (Some(mode), _) => {
                self.paused_from = Some(mode);
                Some(Command::SetMining(MiningState::Manual))
            }
        }
    }

    /// The txs the txs pane shows: the selected block's, the filter's or the newest.
    pub fn visible_txs(&self) -> Vec<&TxInfo> {
        if let Some(number) = self.selected_block
            && let Some(block) = self.blocks.iter().find(|b| b.number == number)
        {
            return block.txs.iter().collect();
        }
        match self.filter {
            Some(Filter::Address(a)) => self
                .txs
                .iter()
                .filter(|t| t.from == a || t.to == Some(a) || t.created == Some(a))
                .collect(),
            None => self.txs.iter().collect(),
        }
    }

    /// Index of the selected row in the focused-or-given pane (`None`: following).
    pub fn selected_index(&self, pane: Pane) -> Option<usize> {
        match pane {
            Pane::Blocks => {
                let n = self.selected_block?;
                self.blocks.iter().position(|b| b.number == n)
            }
            Pane::Txs => {
                let h = self.selected_tx?;
                self.visible_txs().iter().position(|t| t.hash == h)
            }
            Pane::Batches => {
                let n = self.selected_batch?;
                self.batches.iter().position(|b| b.number == n)
            }
            _ => None,
        }
    }

    fn move_selection(&mut self, delta: isize) {
        let pane = self.focus;
        let len = match pane {
            Pane::Blocks => self.blocks.len(),
            Pane::Txs => self.visible_txs().len(),
            Pane::Batches => self.batches.len(),
            _ => {
                let i = pane.index();
                self.scroll[i] = self.scroll[i].saturating_add_signed(delta);
                let len = match pane {
                    Pane::Proofs => self.proofs.len(),
                    Pane::L1 => self.l1_blocks.len().max(self.bridge.len()),
                    Pane::Accounts => self.accounts().len(),
                    _ => self.logs.len(),
                };
                self.scroll[i] = self.scroll[i].min(len.saturating_sub(1));
                return;
            }
        };
        if len == 0 {
            return;
        }
        let current = self.selected_index(pane).map(|i| i as isize).unwrap_or(-1);
        let next = current.saturating_add(delta);
        if next < 0 {
            self.select(pane, None);
            return;
        }
        let next = (next as usize).min(len - 1);
        self.select(pane, Some(next));
    }

    fn select(&mut self, pane: Pane, index: Option<usize>) {
        match pane {
            Pane::Blocks => {
                self.selected_block = index.and_then(|i| self.blocks.get(i)).map(|b| b.number);
                self.selected_tx = None;
            }
            Pane::Txs => {
                self.selected_tx = index.and_then(|i| self.visible_txs().get(i).map(|t| t.hash));
            }
            Pane::Batches => {
                self.selected_batch = index.and_then(|i| self.batches.get(i)).map(|b| b.number);
            }
            _ => {}
        }
    }

    fn follow(&mut self) {
        match self.focus {
            Pane::Blocks => {
                self.selected_block = None;
                self.selected_tx = None;
            }
            Pane::Txs => self.selected_tx = None,
            Pane::Batches => self.selected_batch = None,
            pane => self.scroll[pane.index()] = 0,
        }
    }

    fn open_detail(&mut self) {
        let detail = match self.focus {
            Pane::Blocks => self
                .selected_block
                .or_else(|| self.blocks.front().map(|b| b.number))
                .map(Detail::Block),
            Pane::Txs => self
                .selected_tx
                .or_else(|| self.visible_txs().first().map(|t| t.hash))
                .map(Detail::Tx),
            Pane::Batches => self
                .selected_batch
                .or_else(|| self.batches.front().map(|b| b.number))
                .map(Detail::Batch),
            Pane::Accounts => {
                self.mode = Mode::Accounts(self.scroll[Pane::Accounts.index()]);
                return;
            }
            _ => None,
        };
        if let Some(detail) = detail {
            self.mode = Mode::Detail(detail);
        }
    }

    /// Shows what `/` found: a block or tx in full, an address's txs.
    fn search(&mut self, query: &str) {
        if query.is_empty() {
            return;
        }
        match find(self, query) {
            Found::Block(number) => {
                self.focus(Pane::Blocks);
                self.selected_block = Some(number);
                self.mode = Mode::Detail(Detail::Block(number));
            }
            Found::Tx(hash) => {
                self.selected_block = None;
                self.filter = None;
                self.focus(Pane::Txs);
                self.selected_tx = Some(hash);
                self.mode = Mode::Detail(Detail::Tx(hash));
            }
            Found::Address { address, others } => {
                self.filter = Some(Filter::Address(address));
                self.selected_block = None;
                self.selected_tx = None;
                self.focus(Pane::Txs);
                let n = self.visible_txs().len();
                let account = self
                    .accounts()
                    .iter()
                    .position(|a| a.address == address)
                    .map_or(String::new(), |i| format!(" (account {i})"));
                let others = match others {
                    0 => String::new(),
                    n => format!("; {n} more match, type more digits"),
                };
                let text = format!(
                    "{n} recent txs of {}{account}{others}",
                    short_address(&address)
                );
                self.toast(text, false);
            }
            Found::Nothing(why) => self.toast(why, true),
        }
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

/// Name of a command, for messages.
pub fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Mine => "mine",
        Command::SetMining(MiningState::Manual) => "pause mining",
        Command::SetMining(_) => "resume mining",
        Command::Snapshot => "snapshot",
        Command::Revert(_) => "revert",
        Command::Reset => "reset",
    }
}

fn push_front<T>(ring: &mut VecDeque<T>, item: T, max: usize) {
    ring.push_front(item);
    ring.truncate(max);
}
