//! The settlement pipeline of one L2, wired in its order: L1 watcher (L1 txs -> the L2
//! sequencer), batcher (L2 blocks -> batches) -> prover (batches -> proven batches) -> L1
//! sender (commit, prove, execute on its chain contract). Each stage is a supervised task
//! (`Stages`); every L2 of the devnet has its own pipeline, the L1's verifier is set up once
//! for all (`prepare_verifier`).

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
    l1::{
        ChainOnL1, L1Contracts,
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
    /// The L2's contract, operator and admin on the L1.
    pub(super) on_l1: &'a ChainOnL1,
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
    running: &RunningL1,
    contracts: &L1Contracts,
    admin: alloy_signer_local::PrivateKeySigner,
) -> anyhow::Result<()> {
    let prover = &config.settlement.prover;
    let admin = signing(&running.url, admin)?;
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
    let operator = on_l1.operator.clone();
    let admin = on_l1.admin.clone();
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
        l1: signing(&url, operator.clone())?,
        operator: operator.address(),
        admin_address: admin.address(),
        admin: signing(&url, admin)?,
        contracts: on_l1.contracts,
        batches: batches.clone(),
        events: l2.events.clone(),
        auto: config.settlement.auto,
        gate,
    };
    stages.spawn(
        name("L1 sender"),
        sender.run(proven_in, settle_rx, cancel.clone()),
    );
    Ok(())
}
