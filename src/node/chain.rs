//! One chain's machinery, the same for the L2 and the embedded L1: storage, mempool, sequencer,
//! JSON-RPC server and the filters fed from its events.

use std::{collections::HashMap, net::SocketAddr, sync::Arc};

use anyhow::Context as _;
use jsonrpsee::server::ServerHandle;
use tokio::{
    sync::{broadcast, mpsc},
    task::JoinHandle,
};
use tokio_util::sync::CancellationToken;

use crate::accounts::DevAccount;
use crate::{
    Config, MiningMode,
    chain_settings::{ChainSettings, SettingsWriter},
    config::{ChainConfig, RpcConfig},
    devnet::Devnet,
    events::{EVENT_CAPACITY, NodeEvent},
    executor::Executor,
    mempool::{Mempool, PoolRules},
    output::OutputConfig,
    persistence::data_dir::{DataDir, Role},
    rpc::{self, RpcContext},
    sequencer::{L1Queue, Sequencer, SequencerCommand, genesis_block, now},
    storage::{ChainStore, StateSnapshot, StateStore},
};

/// One chain's stages while they run.
pub(super) struct RunningChain {
    pub(super) chain_id: u64,
    pub(super) rpc_addr: SocketAddr,
    /// What happened on this chain (subscribe for a receiver).
    pub(super) events: broadcast::Sender<NodeEvent>,
    /// Commands to its sequencer.
    pub(super) commands: mpsc::Sender<SequencerCommand>,
    /// Every JSON-RPC method name the server answers (sorted).
    pub(super) rpc_methods: Vec<&'static str>,
    /// Its blocks.
    pub(super) chain: Arc<ChainStore>,
    /// Its pending txs (the metrics task samples their count).
    pub(super) mempool: Arc<Mempool>,
    /// Its recent states (the re-executing prover builds witnesses from them).
    pub(super) states: Arc<StateStore>,
    pub(super) server: ServerHandle,
    /// `None` once it has been awaited.
    pub(super) sequencer: Option<JoinHandle<anyhow::Result<()>>>,
}

/// What one chain is made of; `spawn_chain` turns it into running stages.
pub(super) struct ChainSpec<'a> {
    pub(super) chain: ChainConfig,
    pub(super) rpc: RpcConfig,
    pub(super) mining: MiningMode,
    pub(super) genesis: StateSnapshot,
    /// Per-tx lines, if any.
    pub(super) output: Option<OutputConfig>,
    /// Shared with the other chains: pool limits, impersonation, accounts.
    pub(super) config: &'a Config,
    pub(super) accounts: &'a [DevAccount],
    /// What the `zks_` methods report (the L2 with an L1 only; `None`: no `zks_` methods).
    pub(super) zks: Option<rpc::zks::ZksInfo>,
    /// Batches and manual settlement, for the RPC (the L2 with an L1 only).
    pub(super) settlement: Option<rpc::Settlement>,
    /// Its sequencer's command channel (made before the chain, so the devnet can hold it).
    pub(super) commands: (
        mpsc::Sender<SequencerCommand>,
        mpsc::Receiver<SequencerCommand>,
    ),
    /// Every chain together (with an L1).
    pub(super) devnet: Option<Arc<Devnet>>,
    /// Whether this is the L2.
    pub(super) is_l2: bool,
    /// Where its blocks are kept (`None`: in memory).
    pub(super) disk: Option<(Arc<DataDir>, Role)>,
    /// Where named snapshots are kept (`None`: nowhere).
    pub(super) saved: Option<crate::persistence::named::NamedSnapshots>,
    /// The remote chain it forks (`--fork-url`; `genesis` is over it already).
    pub(super) fork: Option<crate::fork::Fork>,
    /// How its genesis is built (the L2: `anvil_reset` re-forks with it).
    pub(super) recipe: Option<crate::genesis::GenesisRecipe>,
    /// The interop fee per call the operator keeps (an L2 on the Gateway only).
    pub(super) interop_fee: Option<alloy_primitives::U256>,
}

/// Opens one chain's storage, wires its stages and binds its RPC port.
pub(super) async fn spawn_chain(
    spec: ChainSpec<'_>,
    cancel: &CancellationToken,
) -> anyhow::Result<RunningChain> {
    let disk = spec
        .disk
        .as_ref()
        .map(|(dir, role)| Arc::new(dir.chain(*role)));
    let resumed = match disk.clone() {
        Some(disk) => {
            let window = spec.config.cache_blocks;
            tokio::task::spawn_blocking(move || disk.resume(window)).await??
        }
        None => None,
    };
    let (chain, state, genesis, l1_txs, settings, waiting) = match resumed {
        Some(resumed) => {
            let mut rebuilt = resumed.rebuilt;
            check_fork(&rebuilt.chain, spec.fork.as_ref())?;
            rebuilt.states.attach_fork(spec.fork.clone());
            rebuilt.genesis.attach_fork(spec.fork.clone());
            rebuilt.chain.set_fork(spec.fork.clone());
            (
                rebuilt.chain,
                rebuilt.states,
                rebuilt.genesis,
                L1Queue::starting_at(rebuilt.next_l1_tx),
                resumed.settings.to_settings(),
                resumed.pool,
            )
        }
        None => {
            let mut genesis = spec.genesis;
            let writes = genesis.take_writes();
            let block = match &spec.fork {
                Some(fork) => crate::sequencer::fork_genesis_block(fork.point(), writes),
                None => genesis_block(&spec.chain, now(), writes),
            };
            let chain = Arc::new(ChainStore::new(block));
            chain.set_fork(spec.fork.clone());
            let state = Arc::new(StateStore::new(chain.first_number(), genesis.clone()));
            let settings = ChainSettings::from(&spec.chain);
            if let Some(disk) = &disk {
                disk.persist(&chain, None, &genesis, &settings)?;
                chain.keep_in(disk.clone(), spec.config.cache_blocks);
            }
            (chain, state, genesis, L1Queue::default(), settings, vec![])
        }
    };
    let mempool = Arc::new(Mempool::new(PoolRules::from(&spec.config.pool)));
    let executor = Executor {
        chain_id: settings.chain_id,
        output: spec.output,
        rules: spec.chain.rules,
        allow_eip7702: spec.chain.allow_eip7702,
        prices: spec.chain.prices,
        protocol: spec.chain.protocol,
    };
    let settings = SettingsWriter::new(settings);
    let (events, _) = broadcast::channel::<NodeEvent>(EVENT_CAPACITY);
    let (commands, command_rx) = spec.commands;
    let sequencer_commands = commands.clone();

    let settings_reader = settings.reader();
    let mut sequencer = Sequencer {
        executor: executor.clone(),
        state: state.clone(),
        chain: chain.clone(),
        mempool: mempool.clone(),
        events: events.clone(),
        config: spec.chain.clone(),
        settings,
        mining: spec.mining,
        log_txs: spec.output.is_some(),
        l1_txs,
        interop_roots: Default::default(),
        interop_fee: crate::sequencer::InteropFee::new(spec.interop_fee),
        genesis,
        disk: disk.clone(),
    };
    // What a killed process logged after the data dir's last write goes through the sequencer.
    sequencer.replay_logged().await?;
    // The operator's interop fee is charged before the RPC answers a quote.
    sequencer.keep_interop_fee().await?;
    // Batches are answered as soon as the RPC is: the recorded ones, checked against the chain.
    if let Some(settlement) = &spec.settlement {
        crate::batcher::restore(&chain, &settlement.batches);
    }
    let sequencer = tokio::spawn(sequencer.run(command_rx, cancel.clone()));
    let pool = mempool.clone();

    let states = state.clone();
    let ctx = Arc::new(RpcContext {
        chain: chain.clone(),
        state,
        mempool,
        executor,
        chain_config: spec.chain,
        settings: settings_reader,
        impersonation: rpc::anvil::Impersonation::new(spec.config.accounts.auto_impersonate),
        rpc_config: spec.rpc.clone(),
        signers: spec
            .accounts
            .iter()
            .map(|a| (a.address, a.signer()))
            .collect::<HashMap<_, _>>(),
        accounts: spec.accounts.to_vec(),
        sequencer: commands,
        events: events.clone(),
        filters: Default::default(),
        zks: spec.zks,
        settlement: spec.settlement,
        devnet: spec.devnet,
        is_l2: spec.is_l2,
        saved: spec.saved,
        genesis: spec.recipe,
    });
    // Txs left in the pool at the last clean stop go back in (those no longer valid are dropped).
    if !waiting.is_empty() {
        let mut kept = 0;
        for record in &waiting {
            match record.to_tx().map_err(|e| e.to_string()).and_then(|tx| {
                ctx.submit(tx).map_err(|e| {
                    jsonrpsee::types::ErrorObjectOwned::from(e)
                        .message()
                        .to_string()
                })
            }) {
                Ok(_) => kept += 1,
                Err(err) => tracing::warn!("a pending tx from the data dir is dropped: {err}"),
            }
        }
        tracing::info!(
            kept,
            of = waiting.len(),
            "pending txs back from the data dir"
        );
    }
    if let Some(disk) = &disk {
        disk.set_pool(&[])?;
    }
    tokio::spawn(feed_filters(
        ctx.clone(),
        events.subscribe(),
        cancel.clone(),
    ));
    let chain_id = ctx.chain_config.chain_id;
    let (rpc_addr, server, rpc_methods) = match rpc::serve(ctx, &spec.rpc).await {
        Ok(bound) => bound,
        Err(err) => {
            sequencer.abort();
            return Err(err);
        }
    };
    Ok(RunningChain {
        chain_id,
        rpc_addr,
        chain,
        mempool: pool,
        states,
        events,
        commands: sequencer_commands,
        rpc_methods,
        server,
        sequencer: Some(sequencer),
    })
}

/// Refuses a data dir whose chain does not start where this node's fork does.
fn check_fork(chain: &ChainStore, fork: Option<&crate::fork::Fork>) -> anyhow::Result<()> {
    let genesis = chain.genesis();
    match fork.map(|f| f.point()) {
        None if genesis.header.number > 0 => anyhow::bail!(
            "the data dir holds a fork (its chain starts at block {}): start with the same \
             --fork-url and --fork-block-number {} (what it read is cached), or use another \
             --data-dir",
            genesis.header.number,
            genesis.header.number
        ),
        Some(point)
            if genesis.header.number != point.block_number
                || genesis.header.parent_hash != point.header.parent_hash =>
        {
            anyhow::bail!(
                "the data dir holds a chain that does not start at block {} of {}: use another \
                 --data-dir (or --ephemeral), or fork the block it holds ({})",
                point.block_number,
                point.url,
                genesis.header.number
            )
        }
        _ => Ok(()),
    }
}

/// Keeps pending-tx filters fed until shutdown.
async fn feed_filters(
    ctx: Arc<RpcContext>,
    mut events: broadcast::Receiver<NodeEvent>,
    cancel: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            event = events.recv() => match event {
                Ok(event) => ctx.filters.on_event(&event),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

impl RunningChain {
    /// Waits for the sequencer to end; never returns if it was already awaited.
    pub(super) async fn sequencer_ended(&mut self) -> anyhow::Result<()> {
        match self.sequencer.as_mut() {
            Some(task) => {
                let result = task.await;
                self.sequencer = None;
                result.context("sequencer panicked")?
            }
            None => std::future::pending().await,
        }
    }

    /// Stops the server and waits for the sequencer (cancelled by the caller) and the server.
    pub(super) async fn shutdown(&mut self) {
        let _ = self.server.stop();
        if let Some(task) = self.sequencer.take() {
            let _ = task.await;
        }
        self.server.clone().stopped().await;
    }
}

impl Drop for RunningChain {
    fn drop(&mut self) {
        let _ = self.server.stop();
    }
}
