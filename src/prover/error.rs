//! Why the prover gives a batch no proof, or refuses a proof a worker submits.
//! `ProverError`'s `Display` is the reason the node logs, announces
//! (`BatchStage::ProofRejected`) and, for a refused submission, answers the worker with.

use alloy_primitives::{Address, SignatureError};

use super::Rejection;

/// Why a batch is not proven, or a submitted proof does not count.
#[derive(Debug, thiserror::Error)]
pub enum ProverError {
    /// The node could not build the batch's witness from its state.
    #[error("witness: {0:#}")]
    Witness(anyhow::Error),
    /// A job's prover input does not decode (the worker's side of `--prover external`).
    #[error("prover input: {0:#}")]
    Input(anyhow::Error),
    /// Re-execution found that the witness does not prove its claim.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// Re-execution verified a transition, but not the one the node commits for the batch.
    #[error("the witness proves another transition than batch {batch}'s")]
    OtherTransition {
        /// The batch.
        batch: u64,
    },
    /// The prover key could not sign the attestation.
    #[error("signing the attestation: {0:#}")]
    Sign(anyhow::Error),
    /// A submitted proof is not a 65-byte `r ‖ s ‖ v` signature.
    #[error("not a signature: {0}")]
    NotASignature(SignatureError),
    /// A submitted signature recovers no signer.
    #[error("signature does not recover: {0}")]
    Unrecoverable(SignatureError),
    /// A submitted signature is not the registered prover's over the node's own transition.
    #[error(
        "signed by {signer}, not by the registered prover {prover} (or over another transition)"
    )]
    WrongSigner {
        /// Who signed (over what the node expects).
        signer: Address,
        /// The registered prover.
        prover: Address,
    },
}
