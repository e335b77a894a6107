//! What the node reports (blocks, txs, batch stages, command outcomes, status polls) and how it
//! changes the dashboard's model.

use super::*;

impl App {
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

    pub(super) fn on_l2_block(&mut self, block: BlockInfo) {
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

    pub(super) fn track_bridge(&mut self, tx: &TxInfo) {
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
    pub(super) fn rewound(&mut self, from: u64, to: u64) {
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
    pub(super) fn rewind(&mut self, head: u64) {
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

    pub(super) fn on_batch(&mut self, event: &BatchEvent) {
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

    pub(super) fn on_done(&mut self, command: Command, result: Result<Outcome, String>) {
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
}

/// Name of a command, for messages.
fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Mine => "mine",
        Command::SetMining(MiningState::Manual) => "pause mining",
        Command::SetMining(_) => "resume mining",
        Command::Snapshot => "snapshot",
        Command::Revert(_) => "revert",
        Command::Reset => "reset",
    }
}
