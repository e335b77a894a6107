//! How the sequencer carries out a command (`commands.rs`) between two blocks: mining on
//! demand, settings and account edits, snapshots, rollbacks, loads and resets.

use super::snapshot::{Snapshot, Snapshots};
use super::{
    Sequencer,
    commands::{AccountEdit, CommandError, LoadedChain, Runtime, SequencerCommand, SettingsEdit},
    genesis_block, new_ticker, now,
};
use crate::{config::MiningMode, persistence::dump::ChainCopy};

impl Sequencer {
    /// Carries out one command. Fails only when block production fails.
    pub(super) async fn handle(
        &mut self,
        command: SequencerCommand,
        rt: &mut Runtime,
    ) -> anyhow::Result<()> {
        match command {
            SequencerCommand::Mine {
                blocks,
                timestamp,
                interval,
                reply,
            } => {
                let result = self.mine(blocks, timestamp, interval).await?;
                let _ = reply.send(result);
            }
            SequencerCommand::SetMining(mode) => self.set_mining(mode, rt),
            SequencerCommand::SetAutomine(on) => {
                let mode = match (on, self.mining) {
                    (true, _) => MiningMode::Instant,
                    (false, MiningMode::Instant) => MiningMode::Manual,
                    (false, MiningMode::Mixed(period)) => MiningMode::Interval(period),
                    (false, mode) => mode,
                };
                self.set_mining(mode, rt);
            }
            SequencerCommand::GetMining(reply) => {
                let _ = reply.send(self.mining);
            }
            SequencerCommand::EditAccount {
                address,
                edit,
                reply,
            } => {
                self.state.update_latest(|state| edit.apply(state, address));
                if let AccountEdit::Nonce(_) = edit {
                    let state = self.state.latest();
                    self.mempool.resync_nonces(|a| state.nonce(a));
                }
                self.persist_head().await?;
                self.wake();
                let _ = reply.send(());
            }
            SequencerCommand::Settings { edit, reply } => {
                self.settings.update(|s| match edit {
                    SettingsEdit::Coinbase(coinbase) => s.coinbase = coinbase,
                    SettingsEdit::BaseFee(base_fee) => s.base_fee = base_fee,
                    SettingsEdit::GasLimit(gas_limit) => s.gas_limit = gas_limit,
                    SettingsEdit::ChainId(chain_id) => s.chain_id = chain_id,
                });
                self.executor.chain_id = self.settings.get().chain_id;
                self.persist_head().await?;
                self.wake();
                let _ = reply.send(());
            }
            SequencerCommand::IncreaseTime { seconds, reply } => {
                let _ = reply.send(self.settings.update(|s| s.clock.increase(seconds)));
            }
            SequencerCommand::SetTime { timestamp, reply } => {
                let (head, now) = (self.chain.latest().header.timestamp, now());
                let answer = self.settings.update(|s| {
                    let current = s.clock.peek(now, head);
                    s.clock.set_time(timestamp, now);
                    // anvil reads the argument as milliseconds here and answers seconds.
                    timestamp.saturating_sub(current) / 1000
                });
                let _ = reply.send(answer);
            }
            SequencerCommand::SetNextTimestamp { timestamp, reply } => {
                let _ = reply.send(self.set_next_timestamp(timestamp));
            }
            SequencerCommand::SetTimestampInterval { interval, reply } => {
                let had = self
                    .settings
                    .update(|s| std::mem::replace(&mut s.clock.interval, interval).is_some());
                let _ = reply.send(had);
            }
            SequencerCommand::SetLogging(on) => self.log_txs = on,
            SequencerCommand::Snapshot(reply) => {
                let _ = reply.send(rt.snapshots.insert(self.capture()));
            }
            SequencerCommand::Revert { id, reply } => {
                let snapshot = rt.snapshots.take(id);
                let found = snapshot.is_some();
                if let Some(snapshot) = snapshot {
                    self.restore(snapshot);
                    self.persist_head().await?;
                }
                let _ = reply.send(found);
            }
            SequencerCommand::ListSnapshots(reply) => {
                let _ = reply.send(rt.snapshots.list());
            }
            SequencerCommand::Reset(reply) => {
                self.mempool.clear();
                self.l1_txs = Default::default();
                self.interop_roots.went_back();
                self.interop_fee.went_back();
                let genesis = self.chain.genesis();
                let number = genesis.header.number;
                self.state.reset(number, rt.genesis.clone());
                // A fork starts over from the same remote block; a fresh chain from now.
                self.chain.reset(match rt.genesis.fork() {
                    Some(_) => (*genesis).clone(),
                    None => genesis_block(&self.config, now(), (*genesis.writes).clone()),
                });
                self.settings.update(|s| *s = rt.initial);
                self.executor.chain_id = rt.initial.chain_id;
                rt.snapshots = Snapshots::default();
                self.persist_head().await?;
                let _ = reply.send(());
            }
            SequencerCommand::InteropRootsEpoch(reply) => {
                let _ = reply.send(self.interop_roots.epoch());
            }
            SequencerCommand::InteropRoots(roots) => {
                if self.interop_roots.push(roots) > 0
                    && matches!(self.mining, MiningMode::Instant | MiningMode::Mixed(_))
                {
                    while self.has_work() {
                        self.produce(false).await?;
                    }
                }
            }
            SequencerCommand::L1Txs(txs) => {
                for tx in &txs {
                    if tx.priority_id() >= self.l1_txs.next_id() {
                        let _ = self.events.send(crate::events::NodeEvent::L1TxQueued {
                            priority_id: tx.priority_id(),
                            hash: tx.hash,
                        });
                    }
                }
                if self.l1_txs.push(txs) > 0
                    && matches!(self.mining, MiningMode::Instant | MiningMode::Mixed(_))
                {
                    while self.has_work() {
                        self.produce(false).await?;
                    }
                }
            }
            SequencerCommand::Copy(reply) => {
                let content = self.mempool.content();
                let _ = reply.send(ChainCopy {
                    chain: self.chain.snapshot(),
                    state: self.state.latest(),
                    settings: self.settings.get(),
                    pool: content
                        .pending
                        .into_values()
                        .chain(content.queued.into_values())
                        .flat_map(|by_nonce| by_nonce.into_values())
                        .collect(),
                });
            }
            SequencerCommand::Load { chain, reply } => {
                let LoadedChain { rebuilt, settings } = *chain;
                // A re-fork (or leaving fork mode) brings its own remote; a dump or snapshot
                // loaded on a fork reads through this chain's.
                let fork = match rebuilt.chain.fork() {
                    Some(fork) => Some(fork),
                    None if rebuilt.chain.first_number() > 0 => self.chain.fork(),
                    None => None,
                };
                rebuilt.states.attach_fork(fork.clone());
                let mut rebuilt = rebuilt;
                rebuilt.genesis.attach_fork(fork.clone());
                self.chain.set_fork(fork);
                if settings.chain_id != self.config.chain_id {
                    let _ = reply.send(Err(CommandError::WrongChain {
                        expected: self.config.chain_id,
                        found: settings.chain_id,
                    }));
                    return Ok(());
                }
                self.mempool.clear();
                self.l1_txs = super::L1Queue::starting_at(rebuilt.next_l1_tx);
                self.interop_roots.went_back();
                self.interop_fee.went_back();
                self.state.restore(rebuilt.states.snapshot());
                self.chain.restore(rebuilt.chain.snapshot());
                rt.genesis = rebuilt.genesis.clone();
                self.genesis = rebuilt.genesis;
                self.settings.update(|s| *s = settings);
                self.executor.chain_id = settings.chain_id;
                rt.snapshots = Snapshots::default();
                self.persist_head().await?;
                // The loaded chain is on disk now: its older blocks can leave memory.
                self.chain.use_archive();
                let _ = reply.send(Ok(()));
            }
            SequencerCommand::NextL1TxId(reply) => {
                let _ = reply.send(self.l1_txs.next_id());
            }
            SequencerCommand::Rollback { depth, reply } => {
                let result = self.rollback(depth, "Rollback");
                self.persist_head().await?;
                let _ = reply.send(result);
            }
            SequencerCommand::Reorg { blocks, reply } => {
                let result = self.rollback(blocks.len() as u64, "Reorg");
                self.persist_head().await?;
                if result.is_ok() {
                    for txs in blocks {
                        self.produce_with(txs, true).await?;
                    }
                }
                let _ = reply.send(result);
            }
        }
        Ok(())
    }

    async fn mine(
        &mut self,
        blocks: u64,
        timestamp: Option<u64>,
        interval: Option<u64>,
    ) -> anyhow::Result<Result<Vec<u64>, CommandError>> {
        if let Some(timestamp) = timestamp
            && let Err(err) = self.set_next_timestamp(timestamp)
        {
            return Ok(Err(err));
        }
        let mut numbers = Vec::new();
        for i in 0..blocks {
            match interval {
                // The first block `interval` later than the clock says, the rest exactly
                // `interval` apart (the wall clock may tick in between).
                Some(interval) if i > 0 => {
                    let next = self
                        .chain
                        .latest()
                        .header
                        .timestamp
                        .saturating_add(interval);
                    self.settings.update(|s| s.clock.next = Some(next));
                }
                Some(interval) => {
                    self.settings.update(|s| s.clock.increase(interval));
                }
                None => {}
            }
            numbers.push(self.produce(true).await?);
        }
        Ok(Ok(numbers))
    }

    fn set_mining(&mut self, mode: MiningMode, rt: &mut Runtime) {
        self.mining = mode;
        rt.ticker = new_ticker(mode);
        self.wake();
    }

    fn set_next_timestamp(&mut self, timestamp: u64) -> Result<(), CommandError> {
        if timestamp < self.chain.latest().header.timestamp {
            return Err(CommandError::TimestampInPast { timestamp });
        }
        self.settings.update(|s| s.clock.next = Some(timestamp));
        Ok(())
    }

    /// Drops the last `depth` blocks: state, chain, and the pool's view of nonces.
    fn rollback(&mut self, depth: u64, kind: &'static str) -> Result<(), CommandError> {
        let height = self.chain.latest_number();
        let target = height.checked_sub(depth).ok_or(CommandError::TooDeep {
            kind,
            height,
            depth,
        })?;
        if !self.state.truncate(target) {
            return Err(CommandError::StateNotKept(target));
        }
        self.chain.truncate(target);
        self.interop_fee.went_back();
        let state = self.state.latest();
        self.mempool.resync_nonces(|a| state.nonce(a));
        self.wake();
        Ok(())
    }

    fn capture(&self) -> Snapshot {
        Snapshot {
            state: self.state.snapshot(),
            chain: self.chain.snapshot(),
            pool: self.mempool.snapshot(),
            settings: self.settings.get(),
            l1_txs: self.l1_txs.clone(),
        }
    }

    fn restore(&mut self, snapshot: Snapshot) {
        self.mempool.restore(snapshot.pool);
        self.l1_txs = snapshot.l1_txs;
        // Waiting roots may be of Gateway blocks the devnet revert took away: the root watcher
        // hands over the Gateway's roots again.
        self.interop_roots.went_back();
        self.interop_fee.went_back();
        self.state.restore(snapshot.state);
        self.chain.restore(snapshot.chain);
        self.settings.update(|s| *s = snapshot.settings);
        self.executor.chain_id = snapshot.settings.chain_id;
        self.wake();
    }

    /// Lets instant mining look at the pool again (a change may have made txs ready).
    fn wake(&self) {
        if self.mempool.has_ready() {
            self.mempool.ready.notify_one();
        }
    }
}
