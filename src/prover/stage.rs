//! The re-executing prover stage (`--prover reexec`): `Arc<Batch>` stream -> `ProvenBatch`
//! stream. Per batch: build the witness from the node's state, re-execute it statelessly,
//! sign the verified transition. A rejected batch never goes on to L1.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_primitives::U256;
use alloy_signer_local::PrivateKeySigner;
use tokio::sync::{broadcast, mpsc};

use super::{
    ProvenBatch, ProverError, attest,
    input::InputSource,
    reexec::{self, Verified},
};
use crate::{
    batcher::{Batch, BatchStore},
    events::{BatchStage, NodeEvent},
};

/// Proves batches by stateless re-execution, in process. Its fields are its dependencies.
pub struct ReexecProver {
    /// Where witnesses come from.
    pub source: InputSource,
    /// The registered prover key.
    pub signer: PrivateKeySigner,
    /// Where the result is recorded.
    pub batches: Arc<BatchStore>,
    /// Where batch events go.
    pub events: broadcast::Sender<NodeEvent>,
}

impl ReexecProver {
    /// Proves batches until the batcher stops or the L1 sender is gone.
    pub async fn run(
        self,
        mut input: mpsc::Receiver<Arc<Batch>>,
        output: mpsc::Sender<ProvenBatch>,
    ) -> anyhow::Result<()> {
        while let Some(batch) = input.recv().await {
            let started = Instant::now();
            let (source, signer, b) = (self.source.clone(), self.signer.clone(), batch.clone());
            let result = tokio::task::spawn_blocking(move || prove(&source, &signer, &b)).await?;
            match result {
                Ok(proof) => {
                    self.batches.set_proven(batch.number, "reexec");
                    emit(
                        &self.events,
                        &batch,
                        BatchStage::Proven {
                            prover: "reexec".into(),
                        },
                        started.elapsed(),
                    );
                    if output.send(ProvenBatch { batch, proof }).await.is_err() {
                        break;
                    }
                }
                Err(err) => reject(&self.events, &batch, &err, started.elapsed()),
            }
        }
        Ok(())
    }
}

/// Builds the witness of `batch`, re-executes it and signs the transition.
pub fn prove(
    source: &InputSource,
    signer: &PrivateKeySigner,
    batch: &Batch,
) -> Result<Vec<U256>, ProverError> {
    let input = source.build(batch).map_err(ProverError::Witness)?;
    let verified = reexec::reexecute(&input)?;
    check_transition(&verified, batch, source.chain_id)?;
    let signature = attest::sign(signer, &verified).map_err(ProverError::Sign)?;
    Ok(attest::proof(&signature))
}

/// The verified transition must be the one the node commits on L1.
pub(super) fn check_transition(
    verified: &Verified,
    batch: &Batch,
    chain_id: u64,
) -> Result<(), ProverError> {
    let expected = attest::transition_of(batch, chain_id);
    let same = Verified {
        txs: expected.txs,
        ..*verified
    } == expected;
    if same {
        Ok(())
    } else {
        Err(ProverError::OtherTransition {
            batch: batch.number,
        })
    }
}

/// Sends a batch event.
pub(super) fn emit(
    events: &broadcast::Sender<NodeEvent>,
    batch: &Batch,
    stage: BatchStage,
    took: Duration,
) {
    let _ = events.send(batch.event(stage, None, took));
}

/// Logs and announces a rejected batch.
pub(super) fn reject(
    events: &broadcast::Sender<NodeEvent>,
    batch: &Batch,
    err: &ProverError,
    took: Duration,
) {
    let reason = err.to_string();
    tracing::error!(batch = batch.number, %reason, "proof rejected: the batch will not reach L1");
    emit(events, batch, BatchStage::ProofRejected { reason }, took);
}
