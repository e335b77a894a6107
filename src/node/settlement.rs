//! The settlement pipeline, wired in its order: L1 watcher (L1 txs -> the L2 sequencer),
//! batcher (L2 blocks -> batches) -> prover (batches -> proven batches) -> L1 sender (commit,
//! prove, execute on L1). Each stage is a supervised task (`Stages`).

use std::sync::Arc;

use alloy_network::EthereumWallet;
use alloy_provider::{DynProvider, Provider as _, ProviderBuilder, RootProvider};
use anyhow::Context as _;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{RunningL1, chain::RunningChain, stages::Stages};
use crate::{
    Config, L1Config,
    accounts::DevAccount,
    batcher::{BatchStore, Batcher},
    config::ProverMode,
    devnet::Devnet,
    l1::{
        L1Genesis,
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
    pub(super) genesis: &'a L1Genesis,
    pub(super) devnet: &'a Devnet,
    pub(super) l2: &'a RunningChain,
    pub(super) accounts: &'a [DevAccount],
    pub(super) batches: &'a Arc<BatchStore>,
    /// Manual settlement commands (`anvil_zks_*`) for the sender.
    pub(super) settle_rx: mpsc::Receiver<SettleCommand>,
    pub(super) cancel: &'a CancellationToken,
}

/// Starts the stages; they run until `cancel`.
pub(super) async fn spawn(p: Pipeline<'_>) -> anyhow::Result<Stages> {
    let Pipeline {
        config,
        l1_config,
        running,
        genesis,
        devnet,
        l2,
        accounts,
        batches,
        settle_rx,
        cancel,
    } = p;
    let mut stages = Stages::default();
    let gate = devnet.gate.clone();
    let url = running.url.clone();
    let watcher = L1Watcher {
        l1: RootProvider::<alloy_network::Ethereum>::new_http(url.parse()?),
        zk_chain: running.contracts.zk_chain,
        sequencer: l2.commands.clone(),
        poll: l1_config.poll,
        gate: gate.clone(),
        first_block: running
            .chain
            .as_ref()
            .map_or(0, |l1| l1.chain.first_number()),
    };
    stages.spawn("L1 watcher", watcher.run(cancel.clone()));

    // Settlement, in pipeline order: batcher -> prover -> L1 sender.
    let operator = accounts
        .iter()
        .find(|a| a.address == genesis.operator)
        .context("the L1 operator is not a dev account")?
        .signer();
    let admin = alloy_signer_local::PrivateKeySigner::from_bytes(&genesis.governor_private_key)
        .context("L1 governor key")?;
    let signing = |signer: alloy_signer_local::PrivateKeySigner| -> anyhow::Result<DynProvider> {
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
        prices: config.chain.prices,
        protocol: config.chain.protocol,
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
    Ok(stages)
}
