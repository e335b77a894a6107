//! Node: opens storage and wires the devnet. `Node::spawn` is the one entry point used by
//! `main`, the tests and the examples; dropping the handle stops everything.
//!
//! - `chain`: one chain's machinery in pipeline order, RPC -> mempool -> sequencer -> storage ->
//!   events; it runs twice, for the L2 and for the embedded L1 (the rollup contracts at genesis).
//! - `settlement`: the L2's settlement pipeline, L1 watcher and batcher -> prover -> L1 sender.
//! - `stages`: the pipeline's supervised tasks (a failing stage stops the node).
//! - `handle`: what `spawn` returns (addresses, events, `stopped`, `shutdown`).

use std::{net::SocketAddr, sync::Arc};

use alloy_primitives::U256;
use alloy_provider::{Provider as _, ProviderBuilder};
use anyhow::Context as _;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use crate::accounts::DevAccount;
use crate::{
    Config, L1Config,
    accounts::dev_accounts,
    banner,
    config::ExternalL1,
    config::Storage,
    devnet::{Devnet, L1Handle},
    l1::deploy,
    l1::{L1Contracts, L1Genesis, sender::SettleCommand},
    output::OutputConfig,
    rpc,
    storage::{
        BatchStore,
        disk::{DataDir, Role},
    },
};

mod chain;
mod handle;
mod settlement;
mod stages;

use chain::{ChainSpec, RunningChain, spawn_chain};
use stages::Stages;

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

        let stages = match (&config.l1, &l1, &l1_genesis, &devnet) {
            (Some(l1_config), Some(running), Some(genesis), Some(devnet)) => {
                settlement::spawn(settlement::Pipeline {
                    config: &config,
                    l1_config,
                    running,
                    genesis,
                    devnet,
                    l2: &l2,
                    accounts: &accounts,
                    batches: &batches,
                    settle_rx,
                    cancel: &cancel,
                })
                .await?
            }
            _ => Stages::default(),
        };

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
