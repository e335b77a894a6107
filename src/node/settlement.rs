//! The settlement pipeline of one L2, wired in its order: L1 watcher (L1 txs -> the L2
//! sequencer), batcher (L2 blocks -> batches) -> prover (batches -> proven batches) -> L1
//! sender (commit, prove, execute on its chain contract, on the L1 or on the Gateway). Each
//! stage is a supervised task (`Stages`); every L2 of the devnet (the Gateway too) has its own
//! pipeline, each settlement layer's verifier is set up once for all (`prepare_verifier`).

use std::sync::Arc;

use alloy_network::EthereumWallet;
use alloy_provider::{DynProvider, Provider as _, ProviderBuilder, RootProvider};
use anyhow::Context as _;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{RunningL1, chain::RunningChain, stages::Stages};
use crate::{
    Config, L1Config,
    batcher::{BatchStore, Batcher},
    config::{ChainConfig, ProverMode},
    devnet::Devnet,
    interop::watcher::InteropRootWatcher,
    l1::{
        ChainOnL1, L1Contracts, L1Genesis,
        finality::GatewayFinality,
        relay::{PriorityRelay, RelayedChain},
        sender::{L1Sender, SettleCommand},
        watcher::L1Watcher,
    },
    prover::{
        InputSource, MockProver, ProverApi, ReexecProver,
        attest::{allow_fake_proofs, prover_signer, register_prover},
    },
};

/// What the pipeline is wired from: the L2 it settles, the L1 it settles on.
pub(super) struct Pipeline<'a> {
    pub(super) config: &'a Config,
    pub(super) l1_config: &'a L1Config,
    pub(super) running: &'a RunningL1,
    /// The L2's settings (chain id, execution rules: the prover re-executes with them).
    pub(super) chain: &'a ChainConfig,
    /// The L2's contract, operator and admin on the L1 (its L1 txs are requested there).
    pub(super) on_l1: &'a ChainOnL1,
    /// Where its batches settle.
    pub(super) settle_on: SettleOn<'a>,
    pub(super) devnet: &'a Devnet,
    pub(super) l2: &'a RunningChain,
    pub(super) batches: &'a Arc<BatchStore>,
    /// How the stages are named in failures: `batcher`, or `batcher of chain 271` when there
    /// are several L2s.
    pub(super) several: bool,
    /// Which L2 of the devnet it is (0: the first): its prover API's port follows from it.
    pub(super) index: usize,
    /// Manual settlement commands (`anvil_zks_*`) for the sender.
    pub(super) settle_rx: mpsc::Receiver<SettleCommand>,
    pub(super) cancel: &'a CancellationToken,
}

/// Where an L2's batches settle: the L1, or the Gateway (`--gateway`).
pub(super) struct SettleOn<'a> {
    /// Its JSON-RPC.
    pub(super) url: String,
    /// The L2's contract, operator and admin there.
    pub(super) side: &'a ChainOnL1,
    /// Whether it is the Gateway.
    pub(super) gateway: bool,
}

/// A signing provider of the L1 at `url`.
fn signing(url: &str, signer: alloy_signer_local::PrivateKeySigner) -> anyhow::Result<DynProvider> {
    Ok(ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(url.parse()?)
        .erased())
}

/// Before the first prove of any L2: the verifier (shared by every chain) knows the prover's
/// key and refuses fake proofs, or accepts fake proofs with the mock prover. Signs as the
/// governor (`admin`), who owns it.
pub(super) async fn prepare_verifier(
    config: &Config,
    url: &str,
    contracts: &L1Contracts,
    admin: alloy_signer_local::PrivateKeySigner,
) -> anyhow::Result<()> {
    let prover = &config.settlement.prover;
    let admin = signing(url, admin)?;
    if prover.mode != ProverMode::Mock {
        register_prover(
            &admin,
            contracts.verifier,
            prover_signer(&prover.key)?.address(),
        )
        .await
        .context("registering the prover key with the L1 verifier")?;
    } else if let Err(err) = allow_fake_proofs(&admin, contracts.verifier).await {
        tracing::warn!("the L1 verifier may refuse fake proofs: {err:#}");
    }
    Ok(())
}

/// Starts one L2's stages into `stages`; they run until `cancel`.
pub(super) async fn spawn(p: Pipeline<'_>, stages: &mut Stages) -> anyhow::Result<()> {
    let Pipeline {
        config,
        l1_config,
        running,
        chain,
        on_l1,
        settle_on,
        devnet,
        l2,
        batches,
        several,
        index,
        settle_rx,
        cancel,
    } = p;
    let name = |stage: &str| match several {
        true => format!("{stage} of chain {}", chain.chain_id),
        false => stage.to_string(),
    };
    let gate = devnet.gate.clone();
    let url = running.url.clone();
    let watcher = L1Watcher {
        l1: RootProvider::<alloy_network::Ethereum>::new_http(url.parse()?),
        zk_chain: on_l1.contracts.zk_chain,
        sequencer: l2.commands.clone(),
        poll: l1_config.poll,
        gate: gate.clone(),
        first_block: running
            .chain
            .as_ref()
            .map_or(0, |l1| l1.chain.first_number()),
    };
    stages.spawn(name("L1 watcher"), watcher.run(cancel.clone()));

    // Settlement, in pipeline order: batcher -> prover -> L1 sender.
    let operator = settle_on.side.operator.clone();
    let admin = settle_on.side.admin.clone();
    let (batch_out, batch_in) = mpsc::channel(16);
    let (proven_out, proven_in) = mpsc::channel(16);
    let batcher = Batcher {
        chain: l2.chain.clone(),
        batches: batches.clone(),
        criteria: config.settlement.seal,
        chain_id: chain.chain_id,
        events: l2.events.clone(),
    };
    stages.spawn(name("batcher"), batcher.run(batch_out, cancel.clone()));
    let prover = &config.settlement.prover;
    let source = InputSource {
        chain: l2.chain.clone(),
        states: l2.states.clone(),
        batches: batches.clone(),
        chain_id: chain.chain_id,
        rules: chain.rules,
        allow_eip7702: chain.allow_eip7702,
        prices: chain.prices,
        protocol: chain.protocol,
    };
    let prover_signer = prover_signer(&prover.key)?;
    match prover.mode {
        ProverMode::Mock => {
            let prover = MockProver {
                delay: config.settlement.prover_delay,
                batches: batches.clone(),
                events: l2.events.clone(),
            };
            stages.spawn(name("prover"), prover.run(batch_in, proven_out));
        }
        ProverMode::Reexec => {
            let prover = ReexecProver {
                source,
                signer: prover_signer,
                batches: batches.clone(),
                events: l2.events.clone(),
            };
            stages.spawn(name("prover"), prover.run(batch_in, proven_out));
        }
        ProverMode::External => {
            let port = prover
                .port_of(index)
                .context("--prover-port leaves no port for every chain's prover API")?;
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
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
            stages.spawn(name("prover"), prover.run(batch_in, proven_out));
        }
    }
    let sender = L1Sender {
        l1: signing(&settle_on.url, operator.clone())?,
        operator: operator.address(),
        admin_address: admin.address(),
        admin: signing(&settle_on.url, admin)?,
        contracts: settle_on.side.contracts,
        batches: batches.clone(),
        events: l2.events.clone(),
        auto: config.settlement.auto,
        gate,
    };
    let sender_name = match settle_on.gateway {
        true => "sender to the Gateway",
        false => "L1 sender",
    };
    stages.spawn(
        name(sender_name),
        sender.run(proven_in, settle_rx, cancel.clone()),
    );
    Ok(())
}

/// What every pipeline of the devnet is wired from.
pub(super) struct Pipelines<'a> {
    pub(super) config: &'a Config,
    pub(super) l1_config: &'a L1Config,
    pub(super) running: &'a RunningL1,
    pub(super) genesis: &'a L1Genesis,
    pub(super) devnet: &'a Devnet,
    /// The L2s, the Gateway (if any) last.
    pub(super) l2s: &'a [RunningChain],
    /// Each L2's side on the L1, in the same order.
    pub(super) on_l1: &'a [ChainOnL1],
    /// With `--gateway`: the side on the Gateway of each L2 before it, in the same order.
    pub(super) on_gateway: &'a [ChainOnL1],
    pub(super) cancel: &'a CancellationToken,
}

/// One L2's own parts of its pipeline: settings, batches, manual settlement commands.
pub(super) type PipelineParts = (ChainConfig, Arc<BatchStore>, mpsc::Receiver<SettleCommand>);

/// Starts every L2's stages (`parts` in the order of `l2s`), each settling on the L1 or, with
/// `--gateway`, on the Gateway (which settles on the L1), and the relay of the L1 requests of
/// the L2s on the Gateway.
pub(super) async fn spawn_all(
    p: Pipelines<'_>,
    parts: Vec<PipelineParts>,
    stages: &mut Stages,
) -> anyhow::Result<()> {
    // The governor owns the verifier, which every chain shares, on the L1 and on the Gateway.
    let governor =
        alloy_signer_local::PrivateKeySigner::from_bytes(&p.genesis.governor_private_key)
            .context("L1 governor key")?;
    prepare_verifier(
        p.config,
        &p.running.url,
        &p.running.contracts,
        governor.clone(),
    )
    .await?;
    let gateway = match p.on_gateway.first() {
        Some(side) => {
            let gateway = p.l2s.last().context("the Gateway runs")?;
            let url = format!("http://{}", gateway.rpc_addr);
            prepare_verifier(p.config, &url, &side.contracts, governor.clone())
                .await
                .context("the Gateway's verifier")?;
            Some(url)
        }
        None => None,
    };
    let several = p.l2s.len() > 1;
    for (index, ((chain, batches, settle_rx), l2)) in parts.into_iter().zip(p.l2s).enumerate() {
        let settle_on = match (&gateway, p.on_gateway.get(index)) {
            (Some(url), Some(side)) => SettleOn {
                url: url.clone(),
                side,
                gateway: true,
            },
            _ => SettleOn {
                url: p.running.url.clone(),
                side: &p.on_l1[index],
                gateway: false,
            },
        };
        let pipeline = Pipeline {
            config: p.config,
            l1_config: p.l1_config,
            running: p.running,
            chain: &chain,
            on_l1: &p.on_l1[index],
            settle_on,
            devnet: p.devnet,
            l2,
            batches: &batches,
            several,
            index,
            settle_rx,
            cancel: p.cancel,
        };
        spawn(pipeline, stages).await?;
        if let (Some(url), Some(side)) = (&gateway, p.on_gateway.get(index)) {
            let finality = GatewayFinality {
                gateway: RootProvider::<alloy_network::Ethereum>::new_http(url.parse()?),
                zk_chain: side.contracts.zk_chain,
                batches,
                poll: p.l1_config.poll,
            };
            stages.spawn(
                format!("finality of chain {} through the Gateway", chain.chain_id),
                finality.run(p.cancel.clone()),
            );
            let roots = InteropRootWatcher {
                gateway: RootProvider::<alloy_network::Ethereum>::new_http(url.parse()?),
                sequencer: l2.commands.clone(),
                poll: p.l1_config.poll,
            };
            stages.spawn(
                format!("interop roots of chain {} from the Gateway", chain.chain_id),
                roots.run(p.cancel.clone()),
            );
        }
    }
    if let (Some(url), Some(side)) = (gateway, p.on_gateway.first()) {
        let relay = PriorityRelay {
            l1: RootProvider::<alloy_network::Ethereum>::new_http(p.running.url.parse()?),
            gateway: signing(&url, governor.clone())?,
            owner: governor.address(),
            bridgehub: side.contracts.bridgehub,
            chains: p
                .on_gateway
                .iter()
                .zip(p.on_l1)
                .map(|(there, l1)| RelayedChain {
                    chain_id: there.chain_id,
                    on_l1: l1.contracts.zk_chain,
                    on_gateway: there.contracts.zk_chain,
                })
                .collect(),
            poll: p.l1_config.poll,
            gate: p.devnet.gate.clone(),
            first_block: p
                .running
                .chain
                .as_ref()
                .map_or(0, |l1| l1.chain.first_number()),
        };
        stages.spawn(
            "priority relay to the Gateway".to_string(),
            relay.run(p.cancel.clone()),
        );
    }
    Ok(())
}
