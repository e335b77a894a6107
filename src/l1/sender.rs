//! L1 sender: proven batches -> commit, prove, execute on L1, gapless and in order.
//! `L1Sender::run`: `ProvenBatch` stream (+ manual `SettleCommand`s) -> L1 txs.
//!
//! It speaks JSON-RPC to the L1 like to any node (the embedded one or `--l1-rpc`; for an L2
//! that settles on the Gateway, the Gateway, where its chain contract is the same). It reads
//! the chain's counters on L1 at start and after every failure, so it never sends a step
//! twice and resumes where L1 is. An unreachable L1 or a failing call is retried with
//! backoff while the L2 keeps producing blocks. Before committing batch 1 it makes sure L1
//! knows this L2's genesis (`setGenesisBatch`, by the chain admin, allowed until the first
//! commit), since the genesis state commitment changes with every fresh start.

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_network::TransactionBuilder;
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_provider::{DynProvider, Provider};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall, SolValue};
use anyhow::{Context as _, bail};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use crate::{
    abi::{
        IValidatorTimelock, IZKChain, InteropRoot, PriorityOpsBatchInfo, StoredBatchInfo, ZKChain,
    },
    batcher::{BatchStore, L1Stage, L1Step, commitment::stored_batch_hash},
    events::{BatchStage, NodeEvent},
    l1::L1Contracts,
    prover::ProvenBatch,
    sequencer::now,
};

/// Longest wait between two attempts while L1 fails.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How long to wait for an L1 receipt before asking again from the start.
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(60);

pub use super::settle::{SettleCommand, SettleError};

/// The chain's settlement counters on L1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counters {
    committed: u64,
    verified: u64,
    executed: u64,
}

/// Settles batches on L1. Its fields are its dependencies.
pub struct L1Sender {
    /// The L1, signing as the operator.
    pub l1: DynProvider,
    /// The validator sending the settlement calls.
    pub operator: Address,
    /// The L1, signing as the chain admin (for `setGenesisBatch`).
    pub admin: DynProvider,
    /// The chain admin.
    pub admin_address: Address,
    /// Where the contracts are.
    pub contracts: L1Contracts,
    /// Where progress is recorded.
    pub batches: Arc<BatchStore>,
    /// Where batch events go.
    pub events: broadcast::Sender<NodeEvent>,
    /// Settle every batch as soon as it is proven (else only on `SettleCommand`s).
    pub auto: bool,
    /// Held while acting on L1, so both chains are never saved half-way through a step.
    pub gate: Arc<tokio::sync::RwLock<()>>,
}

impl L1Sender {
    /// Settles until the prover stops or `cancel` fires.
    pub async fn run(
        self,
        mut input: mpsc::Receiver<ProvenBatch>,
        mut commands: mpsc::Receiver<SettleCommand>,
        cancel: CancellationToken,
    ) -> anyhow::Result<()> {
        let mut pending: BTreeMap<u64, ProvenBatch> = BTreeMap::new();
        let mut counters: Option<Counters> = None;
        let mut backoff = Duration::ZERO;
        let mut failing = false;
        loop {
            if self.auto && !backoff.is_zero() {
                tokio::select! {
                    _ = cancel.cancelled() => return Ok(()),
                    _ = tokio::time::sleep(backoff) => {}
                }
            }
            let step = if self.auto {
                self.settle_ready(&mut pending, &mut counters).await
            } else {
                Ok(())
            };
            match step {
                Ok(()) => {
                    if failing {
                        tracing::info!("L1 settlement going again");
                    }
                    failing = false;
                    backoff = Duration::ZERO;
                }
                Err(_) if cancel.is_cancelled() => return Ok(()),
                Err(err) => {
                    if !failing {
                        tracing::warn!("L1 settlement: {err:#}; retrying");
                    }
                    failing = true;
                    counters = None;
                    backoff = (backoff * 2).clamp(Duration::from_millis(50), MAX_BACKOFF);
                    continue;
                }
            }
            tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
                // Look at L1 now and then even when idle: it may have gone back.
                _ = tokio::time::sleep(Duration::from_millis(250)), if self.auto => {}
                batch = input.recv() => match batch {
                    Some(batch) => { pending.insert(batch.batch.number, batch); }
                    None => return Ok(()),
                },
                command = commands.recv() => {
                    let Some(command) = command else { continue };
                    let result = self.manual(&mut pending, &mut counters, command.stage, command.batch).await;
                    if result.is_err() {
                        counters = None;
                    }
                    let _ = command.reply.send(result);
                }
            }
        }
    }

    /// Takes every step that is ready, in order, until none is.
    async fn settle_ready(
        &self,
        pending: &mut BTreeMap<u64, ProvenBatch>,
        counters: &mut Option<Counters>,
    ) -> anyhow::Result<()> {
        // L1 may have gone back since the last look (a devnet revert or reset): read it afresh.
        *counters = None;
        loop {
            let _acting = self.gate.read().await;
            let c = self.counters(counters).await?;
            self.forget_stale(pending, c);
            let step = if c.executed < c.verified {
                (L1Stage::Execute, c.executed + 1)
            } else if c.verified < c.committed {
                (L1Stage::Prove, c.verified + 1)
            } else {
                (L1Stage::Commit, c.committed + 1)
            };
            let Some(batch) = pending.get(&step.1).cloned() else {
                return Ok(());
            };
            self.step(step.0, &batch).await?;
            bump(counters, step.0);
        }
    }

    /// One step asked for by hand.
    async fn manual(
        &self,
        pending: &mut BTreeMap<u64, ProvenBatch>,
        counters: &mut Option<Counters>,
        stage: L1Stage,
        number: u64,
    ) -> Result<B256, SettleError> {
        let _acting = self.gate.read().await;
        *counters = None;
        let c = self.counters(counters).await?;
        self.forget_stale(pending, c);
        let (done, name) = match stage {
            L1Stage::Commit => (c.committed, "committed"),
            L1Stage::Prove => (c.verified, "proven"),
            L1Stage::Execute => (c.executed, "executed"),
        };
        if number <= done {
            return Err(SettleError::AlreadyDone {
                batch: number,
                done: name,
            });
        }
        if number != done + 1 {
            return Err(SettleError::OutOfOrder {
                next: done + 1,
                done: name,
            });
        }
        let not_ready = |missing| SettleError::NotReady {
            batch: number,
            missing,
        };
        match stage {
            L1Stage::Prove if number > c.committed => return Err(not_ready("committed")),
            L1Stage::Execute if number > c.verified => return Err(not_ready("proven")),
            _ => {}
        }
        let Some(batch) = pending.get(&number).cloned() else {
            return Err(not_ready("sealed and proven"));
        };
        let tx = self.step(stage, &batch).await?;
        bump(counters, stage);
        Ok(tx)
    }

    /// Drops batches L1 has executed, and batches the L2 no longer has (it went back).
    fn forget_stale(&self, pending: &mut BTreeMap<u64, ProvenBatch>, c: Counters) {
        pending.retain(|n, proven| {
            *n > c.executed
                && self
                    .batches
                    .get(*n)
                    .is_some_and(|r| Arc::ptr_eq(&r.batch, &proven.batch))
        });
    }

    async fn counters(&self, cached: &mut Option<Counters>) -> anyhow::Result<Counters> {
        if let Some(c) = cached {
            return Ok(*c);
        }
        let read = |call: Vec<u8>| async move {
            let out = self
                .l1
                .call(
                    TransactionRequest::default()
                        .to(self.contracts.zk_chain)
                        .input(call.into()),
                )
                .await?;
            anyhow::Ok(U256::abi_decode(&out)?.saturating_to::<u64>())
        };
        let c = Counters {
            committed: read(IZKChain::getTotalBatchesCommittedCall {}.abi_encode()).await?,
            verified: read(IZKChain::getTotalBatchesVerifiedCall {}.abi_encode()).await?,
            executed: read(IZKChain::getTotalBatchesExecutedCall {}.abi_encode()).await?,
        };
        // Steps L1 has that this run did not record (a restart): mark them done.
        for n in 1..=c.committed.min(self.batches.last_sealed()) {
            if let Some(record) = self.batches.status(n) {
                let done = L1Step {
                    tx: B256::ZERO,
                    at: now(),
                };
                if record.commit.is_none() {
                    self.batches.set_l1(n, L1Stage::Commit, done);
                }
                if n <= c.verified && record.prove.is_none() {
                    self.batches.set_l1(n, L1Stage::Prove, done);
                }
                if n <= c.executed && record.execute.is_none() {
                    self.batches.set_l1(n, L1Stage::Execute, done);
                }
            }
        }
        self.batches.clear_l1_after(L1Stage::Commit, c.committed);
        self.batches.clear_l1_after(L1Stage::Prove, c.verified);
        self.batches.clear_l1_after(L1Stage::Execute, c.executed);
        *cached = Some(c);
        Ok(c)
    }

    /// Sends one settlement call for `proven` and records it.
    async fn step(&self, stage: L1Stage, proven: &ProvenBatch) -> anyhow::Result<B256> {
        let batch = &proven.batch;
        let n = U256::from(batch.number);
        let chain = self.contracts.zk_chain;
        let call = match stage {
            L1Stage::Commit => {
                if batch.number == 1 {
                    self.ensure_genesis(&batch.prev).await?;
                }
                let data = encode(
                    2,
                    (batch.prev.clone(), vec![batch.commit_info.clone()]).abi_encode_params(),
                );
                IValidatorTimelock::commitBatchesSharedBridgeCall {
                    chainAddress: chain,
                    processFrom: n,
                    processTo: n,
                    commitData: data,
                }
                .abi_encode()
            }
            L1Stage::Prove => {
                let data = encode(
                    1,
                    (
                        batch.prev.clone(),
                        vec![batch.stored.clone()],
                        proven.proof.clone(),
                    )
                        .abi_encode_params(),
                );
                IValidatorTimelock::proveBatchesSharedBridgeCall {
                    chainAddress: chain,
                    processBatchFrom: n,
                    processBatchTo: n,
                    proofData: data,
                }
                .abi_encode()
            }
            L1Stage::Execute => {
                let ops = PriorityOpsBatchInfo {
                    leftPath: vec![],
                    rightPath: vec![],
                    itemHashes: batch.l1_txs.clone(),
                };
                let roots: Vec<Vec<InteropRoot>> = vec![batch.interop_roots.clone()];
                let data = encode(
                    1,
                    (vec![batch.stored.clone()], vec![ops], roots).abi_encode_params(),
                );
                IValidatorTimelock::executeBatchesSharedBridgeCall {
                    chainAddress: chain,
                    processFrom: n,
                    processTo: n,
                    executeData: data,
                }
                .abi_encode()
            }
        };
        let started = Instant::now();
        let what = match stage {
            L1Stage::Commit => "commit",
            L1Stage::Prove => "prove",
            L1Stage::Execute => "execute",
        };
        let result = send(
            &self.l1,
            self.operator,
            self.contracts.validator_timelock,
            call,
        )
        .await
        .with_context(|| format!("{what} batch {}", batch.number));
        let tx = match result {
            Ok(tx) => tx,
            Err(err) => {
                self.event(
                    proven,
                    BatchStage::L1Error {
                        reason: format!("{err:#}"),
                    },
                    None,
                    started,
                );
                return Err(err);
            }
        };
        self.batches
            .set_l1(batch.number, stage, L1Step { tx, at: now() });
        let stage_event = match stage {
            L1Stage::Commit => BatchStage::Committed,
            L1Stage::Prove => BatchStage::Verified,
            L1Stage::Execute => BatchStage::Executed,
        };
        self.event(proven, stage_event, Some(tx), started);
        Ok(tx)
    }

    fn event(
        &self,
        proven: &ProvenBatch,
        stage: BatchStage,
        l1_tx: Option<B256>,
        started: Instant,
    ) {
        let _ = self
            .events
            .send(proven.batch.event(stage, l1_tx, started.elapsed()));
    }

    /// Makes L1's batch 0 this L2's genesis (only possible before the first commit).
    async fn ensure_genesis(&self, genesis: &StoredBatchInfo) -> anyhow::Result<()> {
        let out = self
            .l1
            .call(
                TransactionRequest::default()
                    .to(self.contracts.zk_chain)
                    .input(
                        IZKChain::storedBatchHashCall {
                            batchNumber: U256::ZERO,
                        }
                        .abi_encode()
                        .into(),
                    ),
            )
            .await
            .context("storedBatchHash(0)")?;
        if B256::abi_decode(&out)? == stored_batch_hash(genesis) {
            return Ok(());
        }
        let call = ZKChain::setGenesisBatchCall {
            _genesisBatch: genesis.clone(),
        }
        .abi_encode();
        send(
            &self.admin,
            self.admin_address,
            self.contracts.zk_chain,
            call,
        )
        .await
        .context("setGenesisBatch (L1 must know this L2's genesis before batch 1)")?;
        Ok(())
    }
}

fn bump(counters: &mut Option<Counters>, stage: L1Stage) {
    if let Some(c) = counters {
        match stage {
            L1Stage::Commit => c.committed += 1,
            L1Stage::Prove => c.verified += 1,
            L1Stage::Execute => c.executed += 1,
        }
    }
}

/// `version ‖ abi.encode(params)`.
fn encode(version: u8, params: Vec<u8>) -> Bytes {
    let mut out = vec![version];
    out.extend_from_slice(&params);
    out.into()
}

/// Sends a call from `from` to `to` and waits for its receipt; a revert is an error with
/// the reason (found by running the call first).
pub(crate) async fn send(
    l1: &DynProvider,
    from: Address,
    to: Address,
    input: Vec<u8>,
) -> anyhow::Result<B256> {
    let request = TransactionRequest::default()
        .with_from(from)
        .with_to(to)
        .with_input(input);
    l1.call(request.clone())
        .await
        .context("L1 refuses the call")?;
    let nonce = l1
        .get_transaction_count(from)
        .pending()
        .await
        .context("operator nonce")?;
    let pending = l1
        .send_transaction(request.with_nonce(nonce))
        .await
        .context("sending to L1")?;
    let hash = *pending.tx_hash();
    let deadline = Instant::now() + RECEIPT_TIMEOUT;
    let mut wait = Duration::from_millis(1);
    loop {
        if let Some(receipt) = l1.get_transaction_receipt(hash).await? {
            if !receipt.status() {
                bail!("L1 tx {hash} reverted");
            }
            return Ok(hash);
        }
        if Instant::now() > deadline {
            bail!("no receipt for L1 tx {hash}");
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_millis(100));
    }
}
