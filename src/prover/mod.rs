//! Prover: batches -> proven batches. Three stages with one signature, `Arc<Batch>` stream ->
//! `ProvenBatch` stream, chosen by `--prover`:
//! - `mock` (the default): [`MockProver`], the fake proof the verifier accepts in mock mode,
//!   `[3, 0, 13, publicInput]`, after a configurable delay;
//! - `reexec`: [`ReexecProver`], in process: witness ([`input`]) -> stateless re-execution
//!   ([`reexec`]) -> the prover key's attestation `[4, v, r, s]` ([`attest`]);
//! - `external`: [`ProverApi`], the same jobs served over HTTP ([`api`]) to `zkos-dev prover`
//!   workers ([`worker`]), whose proofs are checked before they go on to L1.
//!
//! With `reexec` or `external` the node registers the prover key with the L1 verifier and turns
//! fake proofs off at start-up.

pub mod api;
pub mod attest;
mod error;
pub mod input;
pub mod partial_tree;
pub mod reexec;
pub mod stage;
mod witness_state;
pub mod worker;

pub use api::ProverApi;
pub use error::ProverError;
pub use input::{InputSource, ProverInput};
pub use reexec::{Rejection, Verified, reexecute};
pub use stage::ReexecProver;

use std::{sync::Arc, time::Duration};

use alloy_primitives::U256;
use tokio::sync::{broadcast, mpsc};

use crate::{
    batcher::{Batch, BatchStore, commitment::public_input},
    events::{BatchStage, NodeEvent},
};

/// Proof type of the fake proof.
pub const FAKE_PROOF_TYPE: u64 = 3;

/// A batch with its proof, ready for L1.
#[derive(Debug, Clone)]
pub struct ProvenBatch {
    /// The batch.
    pub batch: Arc<Batch>,
    /// The proof `proveBatchesSharedBridge` carries.
    pub proof: Vec<U256>,
}

/// The fake proof of one batch: `[3, 0, 13, publicInput]`.
pub fn fake_proof(batch: &Batch) -> Vec<U256> {
    vec![
        U256::from(FAKE_PROOF_TYPE),
        U256::ZERO,
        U256::from(13u64),
        public_input(&batch.prev, &batch.stored),
    ]
}

/// Proves every batch with the fake proof. Its fields are its dependencies.
pub struct MockProver {
    /// How long "proving" takes.
    pub delay: Duration,
    /// Where the result is recorded.
    pub batches: Arc<BatchStore>,
    /// Where batch events go.
    pub events: broadcast::Sender<NodeEvent>,
}

impl MockProver {
    /// Proves batches until the batcher stops or the L1 sender is gone.
    pub async fn run(
        self,
        mut input: mpsc::Receiver<Arc<Batch>>,
        output: mpsc::Sender<ProvenBatch>,
    ) -> anyhow::Result<()> {
        while let Some(batch) = input.recv().await {
            let started = std::time::Instant::now();
            if !self.delay.is_zero() {
                tokio::time::sleep(self.delay).await;
            }
            let proof = fake_proof(&batch);
            self.batches.set_proven(batch.number, "mock");
            stage::emit(
                &self.events,
                &batch,
                BatchStage::Proven {
                    prover: "mock".into(),
                },
                started.elapsed(),
            );
            if output.send(ProvenBatch { batch, proof }).await.is_err() {
                break;
            }
        }
        Ok(())
    }
}
