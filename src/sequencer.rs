//! Sequencer: mempool txs -> sealed blocks, in the mining mode asked for.
//! Per block, in order: execute -> state -> chain (receipts visible) -> mempool -> events.
//! It owns the chain head: dev methods change state, settings, the clock and snapshots only
//! through `SequencerCommand`s (`commands.rs`), so they never race a block being built.

mod commands;
mod handle;
mod interop_fee;
mod interop_roots;
mod l1_queue;
mod replay;
mod snapshot;

pub(crate) use commands::{AccountEdit, CommandError, LoadedChain, SequencerCommand, SettingsEdit};
pub(crate) use interop_fee::InteropFee;
pub(crate) use l1_queue::L1Queue;

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use alloy_consensus::{
    EMPTY_OMMER_ROOT_HASH, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom,
    constants::EMPTY_WITHDRAWALS,
    proofs::{calculate_receipt_root, calculate_transaction_root},
};
use alloy_eips::eip7685::EMPTY_REQUESTS_HASH;
use alloy_primitives::{Address, B256, Bloom, Bytes};
use anyhow::Context as _;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use crate::{
    chain_settings::SettingsWriter,
    config::{ChainConfig, MiningMode},
    events::NodeEvent,
    executor::{BlockContext, BlockOutcome, Executor},
    mempool::Mempool,
    persistence::data_dir::{ChainOnDisk, LoggedBlock},
    storage::{
        ChainStore, StateSnapshot, StateStore, StoredBlock, StoredTx,
        state::{BlockHashes, BlockWrites},
    },
    tx::{Envelope, ReadyTx},
};

/// Produces blocks. Its fields are its dependencies.
pub(crate) struct Sequencer {
    /// Runs the txs.
    pub executor: Executor,
    /// Where state goes.
    pub state: Arc<StateStore>,
    /// Where blocks and receipts go.
    pub chain: Arc<ChainStore>,
    /// Where txs come from.
    pub mempool: Arc<Mempool>,
    /// Where events go.
    pub events: broadcast::Sender<NodeEvent>,
    /// Static chain config (genesis settings, txs per block).
    pub config: ChainConfig,
    /// The next block's settings: the only writer.
    pub settings: SettingsWriter,
    /// Initial mining mode.
    pub mining: MiningMode,
    /// Print a line per tx.
    pub log_txs: bool,
    /// L1 txs waiting for the next block (they go first in it).
    pub l1_txs: L1Queue,
    /// Interop roots waiting for the next block (its system tx goes first in it).
    pub interop_roots: interop_roots::PendingRoots,
    /// The interop fee the chain should charge (a system tx sets it, first in a block).
    pub interop_fee: InteropFee,
    /// The state at genesis (`anvil_reset` goes back to it).
    pub genesis: StateSnapshot,
    /// Where blocks are made durable (`None`: nothing is kept).
    pub disk: Option<Arc<ChainOnDisk>>,
}

impl Sequencer {
    /// Runs until `cancel` fires or the command channel closes.
    pub(crate) async fn run(
        mut self,
        mut commands: mpsc::Receiver<SequencerCommand>,
        cancel: CancellationToken,
    ) -> anyhow::Result<()> {
        let mut runtime = commands::Runtime {
            ticker: new_ticker(self.mining),
            snapshots: Default::default(),
            genesis: self.genesis.clone(),
            initial: self.settings.get(),
        };
        loop {
            let instant = matches!(self.mining, MiningMode::Instant | MiningMode::Mixed(_));
            tokio::select! {
                _ = cancel.cancelled() => break,
                command = commands.recv() => {
                    let Some(command) = command else { break };
                    self.handle(command, &mut runtime).await?;
                    // A revert, reset or load may have taken the fee back.
                    self.keep_interop_fee().await?;
                }
                _ = self.mempool.ready.notified(), if instant => {
                    while self.has_work() {
                        self.produce(false).await?;
                    }
                }
                _ = tick(&mut runtime.ticker) => { self.produce(true).await?; }
            }
        }
        // A clean stop keeps the pool's txs for the next start.
        if let Some(disk) = &self.disk {
            let content = self.mempool.content();
            let txs: Vec<ReadyTx> = content
                .pending
                .into_values()
                .chain(content.queued.into_values())
                .flat_map(|by_nonce| by_nonce.into_values())
                .collect();
            disk.set_pool(&txs)
                .context("keeping the pending txs in the data dir")?;
        }
        Ok(())
    }

    /// Makes the data dir hold the chain as it is now (after history went back, or after a
    /// dev method changed state between blocks). Block production stops if it cannot.
    pub(crate) async fn persist_head(&self) -> anyhow::Result<()> {
        self.persist(None, self.state.latest()).await
    }

    /// Makes `block` (and the chain before it) durable before it is visible; `state` is the
    /// state after it.
    async fn persist(
        &self,
        block: Option<Arc<StoredBlock>>,
        state: StateSnapshot,
    ) -> anyhow::Result<()> {
        let Some(disk) = self.disk.clone() else {
            return Ok(());
        };
        let settings = self.settings.get();
        // A block's record goes to the operating system, not the disk: it is written here, on
        // the sequencer's own task (handing it to another thread and waiting to be scheduled
        // again under load costs more than the write). A synced write goes to a thread.
        if !disk.syncs_each_block() {
            return disk
                .persist(&self.chain, block.as_ref(), &state, &settings)
                .context("the data dir cannot be written: block production stops");
        }
        let chain = self.chain.clone();
        tokio::task::spawn_blocking(move || disk.persist(&chain, block.as_ref(), &state, &settings))
            .await?
            .context("the data dir cannot be written: block production stops")
    }

    /// Builds, executes and seals one block from the mempool's best txs. Returns its number
    /// (or the head's number when there was nothing to include and empty blocks are not wanted).
    async fn produce(&mut self, allow_empty: bool) -> anyhow::Result<u64> {
        let max = self.config.max_txs_per_block;
        let latest = self.state.latest();
        let number = self.chain.latest().header.number + 1;
        let fee = self.interop_fee.take(&latest, number);
        let roots = self
            .interop_roots
            .take(|chain, number| interop_roots::is_imported(&latest, chain, number));
        let mut txs: Vec<ReadyTx> = fee.into_iter().chain(roots).map(ReadyTx::system).collect();
        txs.extend(
            self.l1_txs
                .take(max.saturating_sub(txs.len()))
                .into_iter()
                .map(ReadyTx::l1),
        );
        txs.extend(
            self.mempool
                .best(self.settings.get().base_fee, max.saturating_sub(txs.len())),
        );
        self.produce_with(txs, allow_empty).await
    }

    /// Whether instant mining has something to put in a block.
    fn has_work(&self) -> bool {
        !self.l1_txs.is_empty()
            || !self.interop_roots.is_empty()
            || self.interop_fee.due(&self.state.latest())
            || self.mempool.has_ready()
    }

    /// Sets the chain's interop fee now if it is not the operator's (at start-up, and when the
    /// chain went back), so that fee quotes are right from the first call; with instant
    /// mining only (otherwise the next block does it).
    pub(crate) async fn keep_interop_fee(&mut self) -> anyhow::Result<()> {
        if matches!(self.mining, MiningMode::Instant | MiningMode::Mixed(_))
            && self.interop_fee.due(&self.state.latest())
        {
            self.produce(false).await?;
        }
        Ok(())
    }

    /// Builds, executes and seals one block holding `txs` (those that are valid).
    async fn produce_with(&mut self, txs: Vec<ReadyTx>, allow_empty: bool) -> anyhow::Result<u64> {
        let started = std::time::Instant::now();
        let parent = self.chain.latest();
        if txs.is_empty() && !allow_empty {
            return Ok(parent.header.number);
        }
        let settings = self.settings.get();
        let now = now();
        let block = BlockContext {
            number: parent.header.number + 1,
            timestamp: settings.clock.peek(now, parent.header.timestamp),
            coinbase: settings.coinbase,
            gas_limit: settings.gas_limit,
            base_fee: settings.base_fee,
            prevrandao: self.executor.rules.prevrandao(parent.hash),
        };
        let built = self.execute(&block, parent.hash, txs).await?;
        if built.sealed.txs.is_empty() && !allow_empty {
            self.mempool.on_block([], &built.invalid);
            return Ok(parent.header.number);
        }
        self.settings
            .update(|s| s.clock.on_sealed(block.timestamp, now));
        self.commit(built, started, None).await
    }

    /// Runs `txs` in a block `block` after `parent_hash`, on the latest state, and seals it.
    async fn execute(
        &self,
        block: &BlockContext,
        parent_hash: B256,
        txs: Vec<ReadyTx>,
    ) -> anyhow::Result<Built> {
        let executor = self.executor.clone();
        let state = self.state.latest();
        let chain = self.chain.clone();
        let hashes: BlockHashes = Arc::new(move |n| chain.block_hash(n));
        let ctx = block.clone();
        let outcome =
            tokio::task::spawn_blocking(move || executor.execute_block(state, hashes, &ctx, txs))
                .await?;
        let BlockOutcome {
            mut state,
            executed,
            invalid,
        } = outcome;
        for (tx, reason) in &invalid {
            tracing::warn!(hash = %tx.hash, %reason, "dropped invalid tx");
        }
        let invalid: Vec<B256> = invalid.into_iter().map(|(tx, _)| tx.hash).collect();
        let nonces: Vec<(Address, u64)> = executed
            .iter()
            .map(|e| (e.tx.sender, state.nonce(&e.tx.sender)))
            .collect();
        let writes = state.take_writes();
        Ok(Built {
            sealed: Arc::new(seal(block, parent_hash, executed, writes)),
            state,
            nonces,
            invalid,
        })
    }

    /// Makes a sealed block durable, then visible: state, chain, mempool, events. `replayed`:
    /// the logged block it replays.
    async fn commit(
        &mut self,
        built: Built,
        started: std::time::Instant,
        replayed: Option<LoggedBlock>,
    ) -> anyhow::Result<u64> {
        let Built {
            sealed,
            state,
            nonces,
            invalid,
        } = built;
        if self.log_txs {
            crate::output::log_block(&sealed, &self.executor.output.unwrap_or_default());
        }
        let number = sealed.header.number;
        // Durable before any of its receipts is visible.
        let persisting = std::time::Instant::now();
        match replayed {
            None => self.persist(Some(sealed.clone()), state.clone()).await?,
            Some(logged) => {
                let disk = self.disk.clone().expect("a replay has a data dir");
                let (chain, settings) = (self.chain.clone(), self.settings.get());
                let (sealed, state) = (sealed.clone(), state.clone());
                tokio::task::spawn_blocking(move || {
                    disk.persist_replayed(&chain, &sealed, &state, &settings, &logged)
                })
                .await?
                .context("the data dir cannot be written: block production stops")?;
            }
        }
        if self.disk.is_some() {
            crate::metrics::block_persisted(self.config.chain_id, persisting.elapsed());
        }
        self.state.push(number, state, sealed.writes.len());
        self.chain.push(sealed.clone());
        self.mempool.on_block(nonces, &invalid);
        crate::metrics::block_built(self.config.chain_id, &sealed, started.elapsed());
        let _ = self.events.send(NodeEvent::BlockSealed(sealed));
        Ok(number)
    }
}

/// A block executed and sealed, not yet durable or visible.
struct Built {
    sealed: Arc<StoredBlock>,
    /// The state after it.
    state: StateSnapshot,
    /// Each sender's next nonce.
    nonces: Vec<(Address, u64)>,
    /// The txs left out as invalid.
    invalid: Vec<B256>,
}

/// Builds the header and the stored txs of a block.
pub(crate) fn seal(
    block: &BlockContext,
    parent_hash: B256,
    executed: Vec<crate::executor::ExecutedTx>,
    writes: BlockWrites,
) -> StoredBlock {
    let receipts: Vec<ReceiptEnvelope<alloy_primitives::Log>> = executed
        .iter()
        .map(|e| {
            let receipt = Receipt {
                status: e.success.into(),
                cumulative_gas_used: e.cumulative_gas_used,
                logs: e.logs.clone(),
            };
            ReceiptEnvelope::from_typed(
                e.tx.envelope.receipt_type(),
                ReceiptWithBloom::from(receipt),
            )
        })
        .collect();
    let envelopes: Vec<&Envelope> = executed.iter().map(|e| &e.tx.envelope).collect();
    let mut logs_bloom = Bloom::ZERO;
    for receipt in &receipts {
        logs_bloom.accrue_bloom(receipt.logs_bloom());
    }
    let header = Header {
        parent_hash,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: block.coinbase,
        state_root: B256::ZERO,
        transactions_root: calculate_transaction_root(&envelopes),
        receipts_root: calculate_receipt_root(&receipts),
        logs_bloom,
        number: block.number,
        gas_limit: block.gas_limit,
        gas_used: executed
            .last()
            .map(|e| e.cumulative_gas_used)
            .unwrap_or_default(),
        timestamp: block.timestamp,
        extra_data: Bytes::new(),
        mix_hash: block.prevrandao,
        base_fee_per_gas: Some(block.base_fee),
        withdrawals_root: Some(EMPTY_WITHDRAWALS),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(B256::ZERO),
        requests_hash: Some(EMPTY_REQUESTS_HASH),
        ..Default::default()
    };
    let hash = header.hash_slow();
    let mut log_index = 0u64;
    let txs = executed
        .into_iter()
        .zip(receipts)
        .enumerate()
        .map(|(index, (e, receipt))| {
            let first_log_index = log_index;
            log_index += e.logs.len() as u64;
            Arc::new(StoredTx {
                tx: e.tx,
                receipt,
                l2_to_l1_logs: e.l2_to_l1_logs,
                gas_used: e.gas_used,
                effective_gas_price: e.effective_gas_price,
                contract_address: e.contract_address,
                revert: e.revert,
                block_number: block.number,
                block_hash: hash,
                block_timestamp: block.timestamp,
                index: index as u64,
                first_log_index,
                console: e.console,
                trace: e.trace,
            })
        })
        .collect();
    StoredBlock {
        header,
        hash,
        txs,
        writes: Arc::new(writes),
    }
}

/// The genesis block (no txs); `writes` is the genesis state (everything in it).
pub(crate) fn genesis_block(
    config: &ChainConfig,
    timestamp: u64,
    writes: BlockWrites,
) -> StoredBlock {
    let block = BlockContext {
        number: 0,
        timestamp,
        coinbase: config.fee_account,
        gas_limit: config.gas_limit,
        base_fee: config.base_fee,
        prevrandao: match config.rules {
            crate::executor::EvmRules::ZksyncOs => config.rules.prevrandao(B256::ZERO),
            crate::executor::EvmRules::Ethereum => B256::ZERO,
        },
    };
    seal(&block, B256::ZERO, vec![], writes)
}

/// A fork's genesis: the remote's fork block as its header reports it (no txs here: they are
/// the remote's), with `writes` the local changes made at genesis (the dev accounts' funding).
pub(crate) fn fork_genesis_block(
    point: &crate::fork::ForkPoint,
    writes: BlockWrites,
) -> StoredBlock {
    let hash = point.header.hash_slow();
    if hash != point.block_hash {
        tracing::warn!(
            remote = %point.block_hash,
            local = %hash,
            "the fork block's hash is not the keccak of its header as reported; blocks after it \
             name the local hash as their parent"
        );
    }
    StoredBlock {
        header: point.header.clone(),
        hash,
        txs: vec![],
        writes: Arc::new(writes),
    }
}

/// Wall clock, whole seconds.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn new_ticker(mode: MiningMode) -> Option<tokio::time::Interval> {
    let period = match mode {
        MiningMode::Interval(period) | MiningMode::Mixed(period) => period,
        MiningMode::Instant | MiningMode::Manual => return None,
    };
    // Clamped above too: `anvil_setIntervalMining(u64::MAX)` must not overflow `Instant`
    // (a panic here would stop the sequencer); a year is "never" for a devnet.
    let period = period.clamp(
        Duration::from_millis(1),
        Duration::from_secs(365 * 24 * 3600),
    );
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    Some(interval)
}

async fn tick(ticker: &mut Option<tokio::time::Interval>) {
    match ticker {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}
