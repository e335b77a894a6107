//! Node: opens storage and wires the stages of each chain in pipeline order:
//! RPC -> mempool -> sequencer -> storage -> events. The same stages run twice, with their own
//! storage: once for the L2 and once for the embedded L1 (the rollup contracts at genesis).
//! `Node::spawn` is the one entry point used by `main`, the tests and the examples; dropping
//! the handle stops both chains.

use std::{collections::HashMap, net::SocketAddr, sync::Arc};

use alloy_network::EthereumWallet;
use alloy_primitives::U256;
use alloy_provider::{DynProvider, Provider as _, ProviderBuilder, RootProvider};
use anyhow::Context as _;
use jsonrpsee::server::ServerHandle;
use tokio::{
    sync::{broadcast, mpsc},
    task::JoinHandle,
};
use tokio_util::sync::CancellationToken;

pub use crate::accounts::DevAccount;
use crate::{
    Config, L1Config, MiningMode,
    accounts::dev_accounts,
    banner,
    batcher::Batcher,
    config::ExternalL1,
    config::ProverMode,
    config::Storage,
    config::{ChainConfig, RpcConfig},
    devnet::{Devnet, L1Handle},
    events::{EVENT_CAPACITY, NodeEvent},
    executor::Executor,
    l1::deploy,
    l1::{
        L1Contracts, L1Genesis,
        sender::{L1Sender, SettleCommand},
        watcher::L1Watcher,
    },
    mempool::{Mempool, PoolRules},
    output::OutputConfig,
    prover::{
        InputSource, MockProver, ProverApi, ReexecProver,
        attest::{allow_fake_proofs, prover_signer, register_prover},
    },
    rpc::{self, RpcContext},
    sequencer::L1Queue,
    sequencer::{ChainSettings, Sequencer, SequencerCommand, SettingsWriter, genesis_block, now},
    storage::{
        BatchStore, Chain, StateSnapshot, StateStore,
        disk::{DataDir, Role},
    },
};

/// Starts nodes.
pub struct Node;

/// A running node: the L2 and, unless disabled, the embedded L1. Dropping it stops both.
pub struct NodeHandle {
    l2: RunningChain,
    l1: Option<RunningL1>,
    accounts: Vec<DevAccount>,
    /// Where the metrics endpoint listens (`None`: off, or its port was taken).
    metrics_addr: Option<SocketAddr>,
    /// Fired on shutdown; the sequencers (the sources of blocks) watch it.
    cancel: CancellationToken,
    /// The data dir (`None`: in memory).
    data_dir: Option<Arc<DataDir>>,
    /// Dumps and loads of the devnet.
    state: crate::devnet::StateAccess,
    /// The temporary dir of `--ephemeral` (its named snapshots), removed when the handle is dropped.
    ephemeral: Option<tempfile::TempDir>,
    /// The settlement pipeline's stages (watcher, batcher, prover, sender), supervised.
    stages: Stages,
}

/// Supervised tasks: one that fails, panics or ends on its own before shutdown stops the node
/// with its error (`NodeHandle::stopped`); shutdown awaits them all.
#[derive(Default)]
struct Stages {
    tasks: tokio::task::JoinSet<anyhow::Result<()>>,
    names: std::collections::HashMap<tokio::task::Id, &'static str>,
}

impl Stages {
    /// Runs `stage` as the task named `name`.
    fn spawn(
        &mut self,
        name: &'static str,
        stage: impl std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
    ) {
        let id = self.tasks.spawn(stage).id();
        self.names.insert(id, name);
    }

    /// The first stage to end: how it ended, as the node's failure (a stage only ends by itself
    /// when something went wrong). Pending forever when there are none.
    async fn failed(&mut self) -> anyhow::Error {
        let Some(joined) = self.tasks.join_next_with_id().await else {
            return std::future::pending().await;
        };
        let (id, outcome) = match joined {
            Ok((id, outcome)) => (id, outcome),
            Err(err) => (err.id(), Err(anyhow::anyhow!("panicked: {err}"))),
        };
        let name = self.names.remove(&id).unwrap_or("a pipeline stage");
        match outcome {
            Ok(()) => anyhow::anyhow!("the {name} stopped by itself"),
            Err(err) => err.context(format!("the {name} failed")),
        }
    }

    /// Waits for every stage to wind down after the cancel (at most `limit`; the rest are
    /// aborted), so what they hold (the data dir) is released.
    async fn join_all(&mut self, limit: std::time::Duration) {
        let all = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(limit, all).await.is_err() {
            tracing::debug!("pipeline stages still running {limit:?} after shutdown: aborted");
            self.tasks.abort_all();
            while self.tasks.join_next().await.is_some() {}
        }
    }
}

/// The L1 the rollup settles on: the embedded one while it runs, or an external one.
struct RunningL1 {
    /// The embedded chain (`None` for `--l1-rpc`).
    chain: Option<RunningChain>,
    /// Its JSON-RPC URL.
    url: String,
    contracts: L1Contracts,
}

/// An external L1 (`--l1-rpc`) once its contracts are found or deployed.
struct ExternalTarget {
    url: String,
    chain_id: u64,
    contracts: L1Contracts,
}

/// Finds the rollup contracts on an external L1, deploying them with `--l1-deploy`. The L1 is
/// asked for its chain id first, so that an unreachable or wrong one is refused with its cause
/// before any contract is looked for.
async fn external_l1(
    ext: &ExternalL1,
    l2_chain_id: u64,
    accounts: &[DevAccount],
    genesis: &L1Genesis,
) -> anyhow::Result<ExternalTarget> {
    let url = deploy::rpc_url(&ext.url)?;
    let chain_id = deploy::reach(&url).await?;
    anyhow::ensure!(
        chain_id != l2_chain_id,
        "the chain at {url} has chain id {chain_id}, the L2's own: point --l1-rpc at the L1 (an \
         anvil, say), not at an L2, or give the L2 another --chain-id"
    );
    let contracts = match (ext.bridgehub, ext.deploy) {
        (Some(bridgehub), _) => deploy::from_bridgehub(&url, bridgehub, l2_chain_id).await?,
        (None, true) => {
            let mut params = deploy::DeployParams::new(l2_chain_id, genesis.operator);
            // Dev account #0 pays for the deployment and backs withdrawals with 1,000 ETH.
            params.funder = accounts.first().map(DevAccount::signer);
            params.fund_vault = U256::from(1_000u64) * U256::from(10u64).pow(U256::from(18u64));
            deploy::find_or_deploy(&url, &params).await?
        }
        (None, false) => {
            let governor = deploy::governor_signer().address();
            let bridgehub = deploy::deterministic_addresses(governor).bridgehub;
            deploy::from_bridgehub(&url, bridgehub, l2_chain_id)
                .await
                .with_context(|| format!("chain {chain_id} has no rollup contracts where zkos-dev deploys them: pass --l1-deploy to deploy them, or --l1-bridgehub ADDRESS"))?
        }
    };
    Ok(ExternalTarget {
        url,
        chain_id,
        contracts,
    })
}

/// One chain's stages while they run.
struct RunningChain {
    rpc_addr: SocketAddr,
    /// What happened on this chain (subscribe for a receiver).
    events: broadcast::Sender<NodeEvent>,
    /// Commands to its sequencer.
    commands: mpsc::Sender<SequencerCommand>,
    /// Every JSON-RPC method name the server answers (sorted).
    rpc_methods: Vec<&'static str>,
    /// Its blocks.
    chain: Arc<Chain>,
    /// Its pending txs (the metrics task samples their count).
    mempool: Arc<Mempool>,
    /// Its recent states (the re-executing prover builds witnesses from them).
    states: Arc<StateStore>,
    server: ServerHandle,
    /// `None` once it has been awaited.
    sequencer: Option<JoinHandle<anyhow::Result<()>>>,
}

/// What one chain is made of; `spawn_chain` turns it into running stages.
struct ChainSpec<'a> {
    chain: ChainConfig,
    rpc: RpcConfig,
    mining: MiningMode,
    genesis: StateSnapshot,
    /// Per-tx lines, if any.
    output: Option<OutputConfig>,
    /// Shared with the other chain: pool limits, impersonation, accounts.
    config: &'a Config,
    accounts: &'a [DevAccount],
    /// What the `zks_` methods report (the L2 with an L1 only; `None`: no `zks_` methods).
    zks: Option<rpc::zks::ZksInfo>,
    /// Batches and manual settlement, for the RPC (the L2 with an L1 only).
    settlement: Option<rpc::Settlement>,
    /// Its sequencer's command channel (made before the chain, so the devnet can hold it).
    commands: (
        mpsc::Sender<SequencerCommand>,
        mpsc::Receiver<SequencerCommand>,
    ),
    /// Both chains together (with an L1).
    devnet: Option<Arc<Devnet>>,
    /// Whether this is the L2.
    is_l2: bool,
    /// Where its blocks are kept (`None`: in memory).
    disk: Option<(Arc<DataDir>, Role)>,
    /// Where named snapshots are kept (`None`: nowhere).
    saved: Option<crate::storage::saved::SavedSnapshots>,
}

impl Node {
    /// Opens storage, wires the stages of both chains, binds the RPC ports and starts
    /// everything.
    pub async fn spawn(config: Config) -> anyhow::Result<NodeHandle> {
        let accounts = dev_accounts(&config.accounts)?;
        let embedded_l1_id = match &config.l1 {
            Some(l1) if l1.external.is_none() => l1.chain.chain_id,
            _ => 0,
        };
        let (data_dir, ephemeral) =
            open_storage(&config.storage, (config.chain.chain_id, embedded_l1_id))?;
        // Named snapshots live in the data dir, or in the temporary dir of `--ephemeral`.
        let saved = data_dir
            .as_deref()
            .map(DataDir::path)
            .or(ephemeral.as_ref().map(tempfile::TempDir::path))
            .map(crate::storage::saved::SavedSnapshots::new);
        let cancel = CancellationToken::new();
        // If the second chain fails to start, the first one stops with it.
        let stop_on_error = cancel.clone().drop_guard();

        // Loaded before the L2 starts: its `zks_` methods report the L1's contracts. The
        // embedded genesis also names the operator and the chain admin for an external L1.
        let l1_genesis = match &config.l1 {
            Some(_) => Some(L1Genesis::embedded()?),
            None => None,
        };
        let external = match (&config.l1, &l1_genesis) {
            (
                Some(L1Config {
                    external: Some(ext),
                    ..
                }),
                Some(genesis),
            ) => Some(external_l1(ext, config.chain.chain_id, &accounts, genesis).await?),
            _ => None,
        };
        let zks = match (&config.l1, &l1_genesis) {
            (Some(l1_config), Some(genesis)) => Some(rpc::zks::ZksInfo {
                l1_chain_id: external
                    .as_ref()
                    .map_or(l1_config.chain.chain_id, |e| e.chain_id),
                contracts: external.as_ref().map_or(genesis.contracts, |e| e.contracts),
                l1_gas_price: l1_config.chain.base_fee,
            }),
            _ => None,
        };
        // The L2 bridge points at the L1's asset router; an L2 without an L1 gets the embedded
        // genesis's, as if the L1 were there.
        let bridge = match &zks {
            Some(info) => crate::genesis::L1Bridge {
                asset_router: info.contracts.l1_asset_router,
                chain_id: info.l1_chain_id,
            },
            None => {
                let genesis = L1Genesis::embedded()?;
                crate::genesis::L1Bridge {
                    asset_router: genesis.contracts.l1_asset_router,
                    chain_id: genesis.l1_chain_id,
                }
            }
        };
        let l2_genesis = crate::genesis::l2_genesis(&accounts, config.accounts.balance, bridge)?;
        let batches = Arc::new(match &data_dir {
            Some(dir) => BatchStore::persisted(dir.batches())?,
            None => BatchStore::default(),
        });
        let (settle, settle_rx) = mpsc::channel::<SettleCommand>(16);
        let settlement_rpc = config.l1.as_ref().map(|_| rpc::Settlement {
            batches: batches.clone(),
            settle,
        });
        let l2_commands = mpsc::channel(64);
        let l2_sender = l2_commands.0.clone();
        let l1_commands = mpsc::channel(64);
        let devnet = match (&config.l1, &external) {
            (None, _) => None,
            (Some(_), Some(ext)) => Some(L1Handle::External(
                ProviderBuilder::new()
                    .connect_http(ext.url.parse()?)
                    .erased(),
            )),
            (Some(_), None) => Some(L1Handle::Embedded(l1_commands.0.clone())),
        }
        .map(|l1| Arc::new(Devnet::new(l2_commands.0.clone(), l1, batches.clone())));
        let l2 = spawn_chain(
            ChainSpec {
                chain: config.chain.clone(),
                rpc: config.rpc.clone(),
                mining: config.mining,
                genesis: l2_genesis,
                output: (!config.silent).then_some(config.output),
                config: &config,
                accounts: &accounts,
                zks,
                settlement: settlement_rpc.clone(),
                commands: l2_commands,
                devnet: devnet.clone(),
                is_l2: true,
                disk: data_dir.clone().map(|d| (d, Role::L2)),
                saved: saved.clone(),
            },
            &cancel,
        )
        .await
        .context("L2")?;

        let embedded = match (&config.l1, &l1_genesis, &external) {
            (Some(l1_config), Some(genesis), None) => {
                let mut rpc = config.rpc.clone();
                rpc.port = l1_config.port;
                let mut state = genesis.state(&accounts, config.accounts.balance);
                // Every ETH on L2 at genesis is backed on L1, so any of it can be withdrawn.
                let backing = config.accounts.balance * U256::from(accounts.len());
                state
                    .account_mut(genesis.contracts.l1_native_token_vault)
                    .info
                    .balance = backing;
                let chain = spawn_chain(
                    ChainSpec {
                        chain: l1_config.chain.clone(),
                        rpc,
                        mining: l1_config.mining,
                        genesis: state,
                        // Labelled, so a tool that reached the L1 by default is seen doing so.
                        output: (!config.silent).then_some(OutputConfig {
                            label: Some("[L1]"),
                            internal_senders: [Some(genesis.operator), Some(genesis.governor)],
                            ..config.output
                        }),
                        config: &config,
                        accounts: &accounts,
                        zks: None,
                        settlement: None,
                        commands: l1_commands,
                        devnet: devnet.clone(),
                        is_l2: false,
                        disk: data_dir.clone().map(|d| (d, Role::L1)),
                        saved: saved.clone(),
                    },
                    &cancel,
                )
                .await
                .context("embedded L1")?;
                Some(chain)
            }
            _ => None,
        };
        let l1 = match (&l1_genesis, &external, embedded) {
            (_, Some(ext), _) => Some(RunningL1 {
                chain: None,
                url: ext.url.clone(),
                contracts: ext.contracts,
            }),
            (Some(genesis), None, Some(chain)) => Some(RunningL1 {
                url: format!("http://{}", chain.rpc_addr),
                chain: Some(chain),
                contracts: genesis.contracts,
            }),
            _ => None,
        };

        let mut stages = Stages::default();
        if let (Some(l1_config), Some(running), Some(genesis), Some(devnet)) =
            (&config.l1, &l1, &l1_genesis, &devnet)
        {
            let gate = devnet.gate.clone();
            let url = running.url.clone();
            let watcher = L1Watcher {
                l1: RootProvider::<alloy_network::Ethereum>::new_http(url.parse()?),
                zk_chain: running.contracts.zk_chain,
                sequencer: l2.commands.clone(),
                poll: l1_config.poll,
                gate: gate.clone(),
            };
            stages.spawn("L1 watcher", watcher.run(cancel.clone()));

            // Settlement, in pipeline order: batcher -> prover -> L1 sender.
            let operator = accounts
                .iter()
                .find(|a| a.address == genesis.operator)
                .context("the L1 operator is not a dev account")?
                .signer();
            let admin =
                alloy_signer_local::PrivateKeySigner::from_bytes(&genesis.governor_private_key)
                    .context("L1 governor key")?;
            let signing =
                |signer: alloy_signer_local::PrivateKeySigner| -> anyhow::Result<DynProvider> {
                    Ok(ProviderBuilder::new()
                        .wallet(EthereumWallet::from(signer))
                        .connect_http(url.parse()?)
                        .erased())
                };
            let (batch_out, batch_in) = mpsc::channel(16);
            let (proven_out, proven_in) = mpsc::channel(16);
            let batcher = Batcher {
                chain: l2.chain.clone(),
                batches: batches.clone(),
                criteria: config.settlement.seal,
                chain_id: config.chain.chain_id,
                events: l2.events.clone(),
            };
            stages.spawn("batcher", batcher.run(batch_out, cancel.clone()));
            let prover = &config.settlement.prover;
            let source = InputSource {
                chain: l2.chain.clone(),
                states: l2.states.clone(),
                batches: batches.clone(),
                chain_id: config.chain.chain_id,
                rules: config.chain.rules,
                allow_eip7702: config.chain.allow_eip7702,
            };
            let prover_signer = prover_signer(&prover.key)?;
            if prover.mode != ProverMode::Mock {
                // Before the first prove: L1 must know the key and refuse fake proofs.
                register_prover(
                    &signing(admin.clone())?,
                    running.contracts.verifier,
                    prover_signer.address(),
                )
                .await
                .context("registering the prover key with the L1 verifier")?;
            } else if let Err(err) =
                allow_fake_proofs(&signing(admin.clone())?, running.contracts.verifier).await
            {
                tracing::warn!("the L1 verifier may refuse fake proofs: {err:#}");
            }
            match prover.mode {
                ProverMode::Mock => {
                    let prover = MockProver {
                        delay: config.settlement.prover_delay,
                        batches: batches.clone(),
                        events: l2.events.clone(),
                    };
                    stages.spawn("prover", prover.run(batch_in, proven_out));
                }
                ProverMode::Reexec => {
                    let prover = ReexecProver {
                        source,
                        signer: prover_signer,
                        batches: batches.clone(),
                        events: l2.events.clone(),
                    };
                    stages.spawn("prover", prover.run(batch_in, proven_out));
                }
                ProverMode::External => {
                    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], prover.port));
                    let listener = tokio::net::TcpListener::bind(addr)
                        .await
                        .map_err(|e| crate::ports::Port::ProverApi.bind_error(addr, &e))?;
                    let prover = ProverApi {
                        source,
                        listener,
                        prover: prover_signer.address(),
                        timeout: prover.job_timeout,
                        capacity: prover.max_jobs,
                        batches: batches.clone(),
                        events: l2.events.clone(),
                    };
                    stages.spawn("prover", prover.run(batch_in, proven_out));
                }
            }
            let sender = L1Sender {
                l1: signing(operator.clone())?,
                operator: operator.address(),
                admin_address: admin.address(),
                admin: signing(admin)?,
                contracts: running.contracts,
                batches: batches.clone(),
                events: l2.events.clone(),
                auto: config.settlement.auto,
                gate,
            };
            stages.spawn(
                "L1 sender",
                sender.run(proven_in, settle_rx, cancel.clone()),
            );
        }

        // Metrics: the L2's events and mempool size -> Prometheus text (`--metrics-port`).
        let metrics_addr = match &config.metrics {
            Some(metrics) => {
                crate::metrics::spawn(metrics, l2.events.subscribe(), l2.mempool.clone(), &cancel)
                    .await
            }
            None => None,
        };

        let info = banner::BannerInfo {
            config: &config,
            accounts: &accounts,
            rpc_addr: l2.rpc_addr,
            l1: match (&config.l1, &l1, &l1_genesis) {
                (
                    Some(config),
                    Some(RunningL1 {
                        chain: Some(chain), ..
                    }),
                    Some(genesis),
                ) => Some(banner::L1Info {
                    config,
                    rpc_addr: chain.rpc_addr,
                    genesis,
                }),
                _ => None,
            },
            external_l1: external.as_ref().map(|e| (e.url.as_str(), e.contracts)),
            data_dir: match (&config.storage, &data_dir) {
                (crate::config::Storage::Ephemeral, _) => Some((None, false)),
                (_, Some(dir)) => Some((Some(dir.path()), dir.existed())),
                _ => None,
            },
            head: l2.chain.latest().header.number,
            balances: {
                let state = l2.states.latest();
                accounts.iter().map(|a| state.balance(&a.address)).collect()
            },
        };
        if !config.silent {
            println!("{}", banner::banner(&info));
        }
        if let Some(path) = &config.config_out {
            let json = serde_json::to_string_pretty(&banner::banner_json(&info))?;
            std::fs::write(path, json)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        stop_on_error.disarm();
        Ok(NodeHandle {
            l2,
            l1,
            accounts,
            metrics_addr,
            cancel,
            data_dir,
            state: crate::devnet::StateAccess::new(devnet, l2_sender),
            ephemeral,
            stages,
        })
    }
}

/// Opens the data dir the config asks for (`None` in memory). `--ephemeral` keeps the chains in
/// memory, as anvil does (a data dir removed on exit would be written for nothing), with a
/// temporary dir for named snapshots.
fn open_storage(
    storage: &Storage,
    chain_ids: (u64, u64),
) -> anyhow::Result<(Option<Arc<DataDir>>, Option<tempfile::TempDir>)> {
    match storage {
        Storage::Memory => Ok((None, None)),
        Storage::Dir(path) => Ok((Some(Arc::new(DataDir::open(path, chain_ids)?)), None)),
        Storage::Ephemeral => {
            let temp = tempfile::Builder::new()
                .prefix("zkos-dev-")
                .tempdir()
                .context("cannot create a temporary data dir")?;
            Ok((None, Some(temp)))
        }
    }
}

/// Opens one chain's storage, wires its stages and binds its RPC port.
async fn spawn_chain(
    spec: ChainSpec<'_>,
    cancel: &CancellationToken,
) -> anyhow::Result<RunningChain> {
    let disk = match &spec.disk {
        Some((dir, role)) => Some(Arc::new(dir.chain(*role))),
        None => None,
    };
    let resumed = match disk.clone() {
        Some(disk) => tokio::task::spawn_blocking(move || disk.resume()).await??,
        None => None,
    };
    let (chain, state, genesis, l1_txs, settings, waiting) = match resumed {
        Some(resumed) => {
            let rebuilt = resumed.rebuilt;
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
            let chain = Arc::new(Chain::new(genesis_block(&spec.chain, now(), writes)));
            let state = Arc::new(StateStore::new(genesis.clone()));
            let settings = ChainSettings::from(&spec.chain);
            if let Some(disk) = &disk {
                disk.persist(&chain, None, &genesis, &settings)?;
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
    };
    let settings = SettingsWriter::new(settings);
    let (events, _) = broadcast::channel::<NodeEvent>(EVENT_CAPACITY);
    let (commands, command_rx) = spec.commands;
    let sequencer_commands = commands.clone();

    let settings_reader = settings.reader();
    let sequencer = Sequencer {
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
        genesis,
        disk: disk.clone(),
    };
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
    let (rpc_addr, server, rpc_methods) = match rpc::serve(ctx, &spec.rpc).await {
        Ok(bound) => bound,
        Err(err) => {
            sequencer.abort();
            return Err(err);
        }
    };
    Ok(RunningChain {
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
    async fn sequencer_ended(&mut self) -> anyhow::Result<()> {
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
    async fn shutdown(&mut self) {
        let _ = self.server.stop();
        if let Some(task) = self.sequencer.take() {
            let _ = task.await;
        }
        self.server.clone().stopped().await;
    }
}

impl NodeHandle {
    /// The data dir (`None`: in memory; a temporary one for snapshots with `--ephemeral`).
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self.data_dir
            .as_deref()
            .map(DataDir::path)
            .or(self.ephemeral.as_ref().map(tempfile::TempDir::path))
    }

    /// Dumps and loads of the whole devnet (`--dump-state`, `--load-state`).
    pub fn state(&self) -> crate::devnet::StateAccess {
        self.state.clone()
    }

    /// `http://HOST:PORT` of the L2 JSON-RPC.
    pub fn rpc_url(&self) -> String {
        format!("http://{}", self.l2.rpc_addr)
    }

    /// `ws://HOST:PORT` of the L2 JSON-RPC.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.l2.rpc_addr)
    }

    /// The bound L2 RPC address.
    pub fn rpc_addr(&self) -> SocketAddr {
        self.l2.rpc_addr
    }

    /// The bound metrics address (`None`: metrics off, or the port was taken).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// URL of the L1's JSON-RPC: the embedded one's, or the `--l1-rpc` one (`None` without
    /// an L1).
    pub fn l1_rpc_url(&self) -> Option<String> {
        self.l1.as_ref().map(|l1| l1.url.clone())
    }

    /// `ws://HOST:PORT` of the embedded L1's JSON-RPC (`None` without an L1).
    pub fn l1_ws_url(&self) -> Option<String> {
        self.l1_rpc_addr().map(|addr| format!("ws://{addr}"))
    }

    /// The bound L1 RPC address (`None` without an L1).
    pub fn l1_rpc_addr(&self) -> Option<SocketAddr> {
        self.embedded_l1().map(|l1| l1.rpc_addr)
    }

    fn embedded_l1(&self) -> Option<&RunningChain> {
        self.l1.as_ref().and_then(|l1| l1.chain.as_ref())
    }

    /// Where the rollup contracts are on the L1 (`None` without an L1).
    pub fn l1_contracts(&self) -> Option<L1Contracts> {
        self.l1.as_ref().map(|l1| l1.contracts)
    }

    /// A receiver of the L2's events (blocks, pending txs, L1 txs queued, batch stages).
    pub fn events(&self) -> broadcast::Receiver<NodeEvent> {
        self.l2.events.subscribe()
    }

    /// A receiver of the embedded L1's events (`None` without an embedded L1).
    pub fn l1_events(&self) -> Option<broadcast::Receiver<NodeEvent>> {
        self.embedded_l1().map(|l1| l1.events.subscribe())
    }

    /// The dev accounts (mnemonic ones first, then the rich account), funded on both chains.
    pub fn accounts(&self) -> &[DevAccount] {
        &self.accounts
    }

    /// Every JSON-RPC method name the L2 answers, aliases included (sorted).
    pub fn rpc_methods(&self) -> &[&'static str] {
        &self.l2.rpc_methods
    }

    /// Waits until the node stops by itself (a sequencer of either chain or a stage of the
    /// settlement pipeline failed) or `shutdown` is called elsewhere. Returns the failure, if any.
    pub async fn stopped(&mut self) -> anyhow::Result<()> {
        let l1_running = self.embedded_l1().is_some_and(|l1| l1.sequencer.is_some());
        if self.l2.sequencer.is_none() && !l1_running {
            return Ok(());
        }
        let l2 = &mut self.l2;
        let l1 = self.l1.as_mut().and_then(|l1| l1.chain.as_mut());
        let stages = &mut self.stages;
        // A sequencer's own failure first: the stages that depend on it end after it.
        tokio::select! {
            biased;
            result = l2.sequencer_ended() => result.context("L2"),
            result = async {
                match l1 {
                    Some(l1) => l1.sequencer_ended().await,
                    None => std::future::pending().await,
                }
            } => result.context("embedded L1"),
            err = stages.failed() => Err(err),
        }
    }

    /// Stops both chains and waits for them to finish in-flight work.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        self.l2.shutdown().await;
        if let Some(l1) = self.l1.as_mut().and_then(|l1| l1.chain.as_mut()) {
            l1.shutdown().await;
        }
        // The pipeline's stages wind down after the cancel and let go of the data dir.
        self.stages
            .join_all(std::time::Duration::from_secs(3))
            .await;
        // What else may still hold the data dir (the RPC servers' contexts) goes with the
        // servers; the dir closes with this handle and can be opened again at once.
        if let Some(dir) = &self.data_dir {
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
            while Arc::strong_count(dir) > 1 && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            if Arc::strong_count(dir) > 1 {
                tracing::debug!("the data dir is still held 3 s after shutdown");
            }
        }
    }
}

impl Drop for NodeHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl Drop for RunningChain {
    fn drop(&mut self) {
        let _ = self.server.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stage_that_fails_panics_or_ends_stops_the_node_with_its_name() {
        let mut stages = Stages::default();
        stages.spawn("batcher", async { anyhow::bail!("no more room") });
        let err = stages.failed().await;
        assert_eq!(format!("{err:#}"), "the batcher failed: no more room");

        stages.spawn("prover", async { panic!("boom") });
        let err = stages.failed().await;
        assert!(
            format!("{err:#}").starts_with("the prover failed: panicked"),
            "{err:#}"
        );

        stages.spawn("L1 watcher", async { Ok(()) });
        let err = stages.failed().await;
        assert_eq!(format!("{err:#}"), "the L1 watcher stopped by itself");
    }

    #[tokio::test]
    async fn shutdown_waits_for_the_stages_and_aborts_the_stuck_ones() {
        let mut stages = Stages::default();
        let cancel = CancellationToken::new();
        let token = cancel.clone();
        stages.spawn("sender", async move {
            token.cancelled().await;
            Ok(())
        });
        stages.spawn("stuck", std::future::pending());
        cancel.cancel();
        let started = tokio::time::Instant::now();
        stages.join_all(std::time::Duration::from_millis(200)).await;
        assert!(stages.tasks.is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // With none left, `failed` never resolves.
        let none =
            tokio::time::timeout(std::time::Duration::from_millis(50), stages.failed()).await;
        assert!(none.is_err());
    }
}
