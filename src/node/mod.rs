//! Node: opens storage and wires the devnet. `Node::spawn` is the one entry point used by
//! `main`, the tests and the examples; dropping the handle stops everything.
//!
//! - `l2s`: each L2 before it runs (`--chains`: one or more), with its data dir and channels.
//! - `chain`: one chain's machinery in pipeline order, RPC -> mempool -> sequencer -> storage ->
//!   events; it runs once per L2 and once for the embedded L1 (the rollup contracts at genesis).
//! - `settlement`: an L2's settlement pipeline, L1 watcher and batcher -> prover -> L1 sender.
//! - `stages`: the pipelines' supervised tasks (a failing stage stops the node).
//! - `handle`: what `spawn` returns (addresses, events, `stopped`, `shutdown`).

use std::{net::SocketAddr, sync::Arc};

use alloy_provider::{Provider as _, ProviderBuilder};
use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use crate::accounts::DevAccount;
use crate::{
    Config,
    accounts::dev_accounts,
    banner,
    config::Storage,
    devnet::{Devnet, DevnetL2, L1Handle},
    l1::ChainOnL1,
    output::{LineLabel, OutputConfig},
    persistence::data_dir::{DataDir, Role},
    rpc,
};

mod background;
mod chain;
mod fork;
mod handle;
mod l1;
mod l2s;
mod settlement;
mod stages;

use background::{spawn_cache_saver, spawn_checkpoints};
use chain::{ChainSpec, RunningChain, spawn_chain};
use fork::{connect_fork, replay_fork_txs};
pub use handle::{L2Endpoint, TreeResume};
use l1::{L1Setup, RunningL1, check_registered, l1_side};
pub use l2s::CHAINS_DIR;
use stages::Stages;

/// Starts nodes.
pub struct Node;

/// A running node: the L2s and, unless disabled, the embedded L1. Dropping it stops them all.
pub struct NodeHandle {
    /// The L2s, the first one (`--port`) first.
    l2s: Vec<RunningChain>,
    /// Each L2's side on the L1, in the same order (empty without an L1).
    on_l1: Vec<ChainOnL1>,
    /// Whether the last of `l2s` is the Gateway (`--gateway`).
    gateway: bool,
    /// With `--gateway`: the side on the Gateway of each L2 before it, in the same order.
    on_gateway: Vec<ChainOnL1>,
    l1: Option<RunningL1>,
    accounts: Vec<DevAccount>,
    /// Where the metrics endpoint listens (`None`: off, or its port was taken).
    metrics_addr: Option<SocketAddr>,
    /// Fired on shutdown; the sequencers (the sources of blocks) watch it.
    cancel: CancellationToken,
    /// The data dir (`None`: in memory).
    data_dir: Option<Arc<DataDir>>,
    /// The data dirs of the L2s after the first (`<data dir>/chains/<id>/`).
    more_dirs: Vec<Arc<DataDir>>,
    /// Dumps and loads of the devnet.
    dumps: crate::devnet::DumpAccess,
    /// The temporary dir of `--ephemeral` (its named snapshots), removed when the handle is dropped.
    ephemeral: Option<tempfile::TempDir>,
    /// The settlement pipelines' stages (watcher, batcher, prover, sender), supervised.
    stages: Stages,
    /// Each L2's batches, in the same order as `l2s`.
    batches: Vec<Arc<crate::batcher::BatchStore>>,
}

impl Node {
    /// Opens storage, wires the stages of every chain, binds the RPC ports and starts
    /// everything.
    pub async fn spawn(mut config: Config) -> anyhow::Result<NodeHandle> {
        let accounts = dev_accounts(&config.accounts)?;
        anyhow::ensure!(
            (config.more_chains.is_empty() && config.gateway.is_none()) || config.fork.is_none(),
            "several L2s (--chains, --gateway) and --fork-url together are not supported yet"
        );
        // A fork reaches its remote first: the L2's chain id and genesis are the remote's.
        // The embedded L1 may fork too; it keeps its chain id (the rollup contracts at its
        // genesis were deployed for it).
        let fork = connect_fork(config.fork.as_ref(), &config.storage).await?;
        let l1_fork = connect_fork(
            config.l1.as_ref().and_then(|l1| l1.fork.as_ref()),
            &config.storage,
        )
        .await
        .context("--l1-fork-url")?;
        if let (Some(fork), Some(fork_config)) = (&fork, &config.fork) {
            config.chain.chain_id = fork_config.chain_id.unwrap_or(fork.point().chain_id);
        }
        let embedded_l1_id = match &config.l1 {
            Some(l1) if l1.external.is_none() => l1.chain.chain_id,
            _ => 0,
        };
        let (data_dir, ephemeral) =
            open_storage(&config.storage, (config.chain.chain_id, embedded_l1_id))?;
        let plans = l2s::plan(&config, data_dir.as_ref())?;
        let more_dirs: Vec<Arc<DataDir>> = plans[1..]
            .iter()
            .filter_map(|plan| plan.disk.clone())
            .collect();
        // Named snapshots live in the data dir, or in the temporary dir of `--ephemeral`.
        let saved = data_dir
            .as_deref()
            .map(DataDir::path)
            .or(ephemeral.as_ref().map(tempfile::TempDir::path))
            .map(crate::persistence::named::NamedSnapshots::new);
        let cancel = CancellationToken::new();
        for dir in data_dir.iter().chain(&more_dirs) {
            match config.sync {
                crate::config::SyncPolicy::Always => dir.set_sync_always(true),
                crate::config::SyncPolicy::Interval { sync, checkpoint } => {
                    spawn_checkpoints(dir.clone(), sync, checkpoint, cancel.clone());
                }
            }
        }
        // If a later chain fails to start, the ones already running stop with it.
        let stop_on_error = cancel.clone().drop_guard();

        // Resolved before the L2s start: their `zks_` methods and their bridge name the L1's
        // contracts.
        let chain_ids: Vec<u64> = plans.iter().map(|plan| plan.chain.chain_id).collect();
        let l1_setup = L1Setup::resolve(config.l1.as_ref(), &chain_ids, &accounts).await?;
        anyhow::ensure!(
            config.gateway.is_none() || matches!(l1_setup, L1Setup::Embedded { .. }),
            "--gateway needs the embedded L1 (not --no-l1, not --l1-rpc)"
        );
        // With --gateway: the L2s that settle on it (every chain before it).
        let on_gateway_ids: Vec<u64> = plans
            .iter()
            .filter(|_| config.gateway.is_some())
            .filter(|plan| !plan.gateway)
            .map(|plan| plan.chain.chain_id)
            .collect();
        let mut on_gateway = vec![];
        let (l1_genesis_state, on_l1) =
            l1_side(&l1_setup, &plans, l1_fork.clone(), &accounts, &config)?;
        let zks = l1_setup.zks_info();
        let bridge = l1_setup.bridge()?;
        let recipe = crate::genesis::GenesisRecipe {
            accounts: accounts.clone(),
            balance: config.accounts.balance,
            bridge,
            settlement_layer: bridge.chain_id,
            // With the Gateway, the embedded L1 holds the ZK token.
            zk_token_asset_id: match config.gateway {
                Some(_) => crate::l1::zk_token::asset_id(bridge.chain_id)?,
                None => alloy_primitives::B256::ZERO,
            },
        };
        let l1_commands = tokio::sync::mpsc::channel(64);
        let devnet = match &l1_setup {
            // Several L2s without an L1 are still saved together.
            L1Setup::None => (plans.len() > 1).then_some(L1Handle::None),
            L1Setup::External { target, .. } => Some(L1Handle::External(
                ProviderBuilder::new()
                    .connect_http(target.url.parse()?)
                    .erased(),
            )),
            L1Setup::Embedded { .. } => Some(L1Handle::Embedded(l1_commands.0.clone())),
        }
        .map(|l1| {
            let l2s = plans
                .iter()
                .map(|plan| DevnetL2 {
                    chain_id: plan.chain.chain_id,
                    commands: plan.commands.0.clone(),
                    batches: plan.batches.clone(),
                })
                .collect();
            Arc::new(Devnet::new(l2s, l1))
        });
        let l2_sender = plans[0].commands.0.clone();
        let several = plans.len() > 1;

        // Where the L2s on the Gateway reach it, once it runs (it starts last).
        let gateway_url = Arc::new(std::sync::OnceLock::new());
        // The L2s, the first one first: the same machinery each, with its own everything.
        let mut l2s = Vec::with_capacity(plans.len());
        let mut pipelines = Vec::with_capacity(plans.len());
        let mut batch_stores = Vec::with_capacity(plans.len());
        for (i, plan) in plans.into_iter().enumerate() {
            let chain_id = plan.chain.chain_id;
            let fork = if i == 0 { fork.clone() } else { None };
            let recipe = crate::genesis::GenesisRecipe {
                settlement_layer: match &config.gateway {
                    Some(gateway) if !plan.gateway => gateway.chain_id,
                    _ => recipe.bridge.chain_id,
                },
                ..recipe.clone()
            };
            let mut genesis = {
                let (recipe, fork) = (recipe.clone(), fork.clone());
                // On a fork this reads the remote (the dev accounts, the system contracts).
                tokio::task::spawn_blocking(move || recipe.build(fork)).await??
            };
            if plan.gateway {
                // The L2s' chain contracts on it, as on the L1.
                let l1_genesis = l1_setup.genesis().context("the Gateway needs an L1")?;
                on_gateway = l1_genesis
                    .gateway_genesis(&mut genesis, chain_id, &on_gateway_ids, &accounts)
                    .context("the Gateway's genesis")?;
            }
            let settlement_rpc = config.l1.as_ref().map(|_| rpc::Settlement {
                batches: plan.batches.clone(),
                settle: plan.settle.0.clone(),
                gateway_url: (config.gateway.is_some() && !plan.gateway)
                    .then(|| gateway_url.clone()),
            });
            let mut rpc = config.rpc.clone();
            rpc.port = plan.port;
            // The first L2's lines are unlabelled, as when it is the only one.
            let label = (i > 0).then_some(LineLabel::Chain(chain_id));
            let mut output = OutputConfig {
                label,
                ..config.output
            };
            if let (true, Some(g)) = (plan.gateway, l1_setup.genesis()) {
                // The L2s' settlement txs and the relay's get a summary line each, as on L1.
                output.internal_senders = [Some(g.governor), None];
                output.settlement_target = Some(g.contracts.validator_timelock);
            }
            let running = spawn_chain(
                ChainSpec {
                    chain: plan.chain.clone(),
                    rpc,
                    mining: config.mining,
                    genesis,
                    output: (!config.silent).then_some(output),
                    config: &config,
                    accounts: &accounts,
                    zks: zks.map(|zks| rpc::zks::ZksInfo {
                        contracts: on_l1[i].contracts,
                        ..zks
                    }),
                    settlement: settlement_rpc,
                    commands: plan.commands,
                    devnet: devnet.clone(),
                    is_l2: true,
                    disk: plan.disk.clone().map(|d| (d, Role::L2)),
                    saved: saved.clone(),
                    fork,
                    // Forking (`anvil_reset`) is for L2s; the Gateway keeps its contracts.
                    recipe: (!plan.gateway).then(|| recipe.clone()),
                    interop_fee: (config.gateway.is_some() && !plan.gateway)
                        .then_some(config.interop.fee),
                },
                &cancel,
            )
            .await
            .with_context(|| match (plan.gateway, several) {
                (true, _) => format!("the Gateway (chain {chain_id})"),
                (false, true) => format!("L2 chain {chain_id}"),
                (false, false) => "L2".to_string(),
            })?;
            if plan.gateway {
                let _ = gateway_url.set(format!("http://{}", running.rpc_addr));
            }
            l2s.push(running);
            batch_stores.push(plan.batches.clone());
            pipelines.push((plan.chain, plan.batches, plan.settle.1));
        }

        let embedded = match (&l1_setup, l1_genesis_state) {
            (
                L1Setup::Embedded {
                    config: l1_config,
                    genesis,
                },
                Some(state),
            ) => {
                let mut rpc = config.rpc.clone();
                rpc.port = l1_config.port;
                let chain = spawn_chain(
                    ChainSpec {
                        chain: l1_config.chain.clone(),
                        rpc,
                        mining: l1_config.mining,
                        genesis: state,
                        // Labelled, so a tool that reached the L1 by default is seen doing so.
                        output: (!config.silent).then_some(OutputConfig {
                            label: Some(LineLabel::L1),
                            internal_senders: [Some(genesis.operator), Some(genesis.governor)],
                            settlement_target: Some(genesis.contracts.validator_timelock),
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
                        fork: l1_fork.clone(),
                        recipe: None,
                        interop_fee: None,
                    },
                    &cancel,
                )
                .await
                .context("embedded L1")?;
                Some(chain)
            }
            _ => None,
        };
        let l1 = match (&l1_setup, embedded) {
            (L1Setup::External { target, .. }, _) => Some(RunningL1 {
                chain: None,
                url: target.url.clone(),
                contracts: target.contracts,
            }),
            (L1Setup::Embedded { genesis, .. }, Some(chain)) => Some(RunningL1 {
                url: format!("http://{}", chain.rpc_addr),
                chain: Some(chain),
                contracts: genesis.contracts,
            }),
            _ => None,
        };
        if let Some(running) = &l1 {
            check_registered(running, &on_l1).await?;
        }

        let mut stages = Stages::default();
        if let (Some(l1_config), Some(running), Some(genesis), Some(devnet)) =
            (l1_setup.config(), &l1, l1_setup.genesis(), &devnet)
        {
            let all = settlement::Pipelines {
                config: &config,
                l1_config,
                running,
                genesis,
                devnet,
                l2s: &l2s,
                on_l1: &on_l1,
                on_gateway: &on_gateway,
                cancel: &cancel,
            };
            settlement::spawn_all(all, pipelines, &mut stages).await?;
        }
        let first = &l2s[0];

        // Metrics: the first L2's events and mempool size -> Prometheus text (`--metrics-port`).
        let metrics_addr = match &config.metrics {
            Some(metrics) => {
                crate::metrics::spawn(
                    metrics,
                    first.events.subscribe(),
                    first.mempool.clone(),
                    &cancel,
                )
                .await
            }
            None => None,
        };

        let info = banner::BannerInfo {
            config: &config,
            accounts: &accounts,
            rpc_addr: first.rpc_addr,
            chains: l2s
                .iter()
                .enumerate()
                .map(|(i, l2)| banner::ChainInfo {
                    chain_id: l2.chain_id,
                    rpc_addr: l2.rpc_addr,
                    on_l1: on_l1.get(i),
                    gateway: config.gateway.is_some() && i + 1 == l2s.len(),
                    on_gateway: on_gateway.get(i),
                })
                .collect(),
            l1: match (&l1_setup, &l1) {
                (
                    L1Setup::Embedded { config, genesis },
                    Some(RunningL1 {
                        chain: Some(chain), ..
                    }),
                ) => Some(banner::L1Info {
                    config,
                    rpc_addr: chain.rpc_addr,
                    genesis,
                }),
                _ => None,
            },
            external_l1: l1_setup.external().map(|e| (e.url.as_str(), e.contracts)),
            data_dir: match (&config.storage, &data_dir) {
                (crate::config::Storage::Ephemeral, _) => Some((None, false)),
                (_, Some(dir)) => Some((Some(dir.path()), dir.existed())),
                _ => None,
            },
            head: first.chain.latest().header.number,
            balances: {
                let state = first.states.latest();
                accounts.iter().map(|a| state.balance(&a.address)).collect()
            },
            fork: fork.as_ref().map(|f| f.point().clone()),
            l1_fork: l1_fork.as_ref().map(|f| f.point().clone()),
        };
        if !config.silent {
            println!("{}", banner::banner(&info));
        }
        if let Some(path) = &config.config_out {
            // Through a rename: a tool waiting for the file never reads half of it.
            let json = serde_json::to_string_pretty(&banner::banner_json(&info))?;
            crate::persistence::dump::write_file(path, json.as_bytes())?;
        }
        let forkable = std::iter::once(first.chain.clone())
            .chain(
                l1.as_ref()
                    .and_then(|l1| l1.chain.as_ref())
                    .map(|c| c.chain.clone()),
            )
            .collect();
        spawn_cache_saver(forkable, cancel.clone());
        if let Some(fork) = &fork {
            replay_fork_txs(fork, first.rpc_addr).await?;
        }
        stop_on_error.disarm();
        Ok(NodeHandle {
            gateway: config.gateway.is_some(),
            l2s,
            on_l1,
            on_gateway,
            l1,
            accounts,
            metrics_addr,
            cancel,
            data_dir,
            more_dirs,
            dumps: crate::devnet::DumpAccess::new(devnet, l2_sender),
            ephemeral,
            stages,
            batches: batch_stores,
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
