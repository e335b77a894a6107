//! Attestations: a verified transition -> the prover key's signature -> the proof L1 checks.
//! `sign`: `Verified` -> `[4, v, r, s]`; `check`: a submitted signature -> accepted or not.
//!
//! The digest is `Verifier.attestationDigest`: `keccak256(abi.encode(
//! keccak256("zkos-dev.BatchAttestation.v1"), uint256 chainId, uint256 batchNumber,
//! bytes32 prevStateCommitment, bytes32 newStateCommitment, bytes32 batchCommitment))`, signed
//! plainly (no EIP-191 prefix), v = 27 or 28, low s. Over the prover API a proof travels as
//! the 65-byte signature `r ‖ s ‖ v`.

use alloy_primitives::{Address, B256, Signature, U256, keccak256};
use alloy_provider::{DynProvider, Provider};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolValue, sol};
use anyhow::Context as _;

use super::{ProverError, reexec::Verified};
use crate::batcher::Batch;

/// Proof type of an attestation.
pub const ATTESTATION_PROOF_TYPE: u64 = 4;

sol! {
    /// The verifier calls the node makes at start-up (governor only).
    interface IVerifierAdmin {
        function setProver(address prover, bool allowed) external;
        function setMockVerifier(bool enabled) external;
        function isProver(address prover) external view returns (bool);
        function mockVerifier() external view returns (bool);
    }
}

/// The prover signer for `key`.
pub fn prover_signer(key: &B256) -> anyhow::Result<PrivateKeySigner> {
    PrivateKeySigner::from_bytes(key).context("the prover key is not a valid secp256k1 key")
}

/// The transition a batch claims, as the node knows it (what a submitted proof must sign).
pub fn transition_of(batch: &Batch, chain_id: u64) -> Verified {
    Verified {
        chain_id,
        batch_number: batch.number,
        prev_state_commitment: batch.prev.batchHash,
        new_state_commitment: batch.stored.batchHash,
        batch_commitment: batch.stored.commitment,
        txs: batch.tx_count,
    }
}

/// `Verifier.attestationDigest` of a transition.
pub fn digest(t: &Verified) -> B256 {
    keccak256(
        (
            keccak256("zkos-dev.BatchAttestation.v1"),
            U256::from(t.chain_id),
            U256::from(t.batch_number),
            t.prev_state_commitment,
            t.new_state_commitment,
            t.batch_commitment,
        )
            .abi_encode_params(),
    )
}

/// The prover key's signature over a transition.
pub fn sign(signer: &PrivateKeySigner, t: &Verified) -> anyhow::Result<Signature> {
    let signature = signer
        .sign_hash_sync(&digest(t))
        .context("signing the attestation")?;
    // L1 refuses the malleable high-s twin.
    Ok(signature.normalized_s())
}

/// The proof `proveBatchesSharedBridge` carries for one batch: `[4, v, r, s]`.
pub fn proof(signature: &Signature) -> Vec<U256> {
    vec![
        U256::from(ATTESTATION_PROOF_TYPE),
        U256::from(27 + u64::from(signature.v())),
        signature.r(),
        signature.s(),
    ]
}

/// Checks a submitted `r ‖ s ‖ v` signature: by `prover`, over the node's own transition.
pub fn check(bytes: &[u8], prover: Address, t: &Verified) -> Result<Signature, ProverError> {
    let signature = Signature::try_from(bytes).map_err(ProverError::NotASignature)?;
    let signer = signature
        .recover_address_from_prehash(&digest(t))
        .map_err(ProverError::Unrecoverable)?;
    if signer != prover {
        return Err(ProverError::WrongSigner { signer, prover });
    }
    Ok(signature.normalized_s())
}

/// Makes the verifier accept fake proofs again (`--prover mock` on an L1 where a real prover
/// ran before), as the verifier's owner. Sends nothing when they are accepted already.
pub async fn allow_fake_proofs(l1: &DynProvider, verifier: Address) -> anyhow::Result<()> {
    let call = |data: Vec<u8>| {
        TransactionRequest::default()
            .to(verifier)
            .input(data.into())
    };
    let mock = l1
        .call(call(IVerifierAdmin::mockVerifierCall {}.abi_encode()))
        .await
        .context("Verifier.mockVerifier")?;
    if !IVerifierAdmin::mockVerifierCall::abi_decode_returns(&mock)? {
        let tx = call(IVerifierAdmin::setMockVerifierCall { enabled: true }.abi_encode());
        let receipt = l1.send_transaction(tx).await?.get_receipt().await?;
        anyhow::ensure!(receipt.status(), "Verifier.setMockVerifier reverted");
    }
    Ok(())
}

/// Registers `prover` with the verifier and turns fake proofs off, as the verifier's owner
/// (the L1 governor). Skips what is already so.
pub async fn register_prover(
    l1: &DynProvider,
    verifier: Address,
    prover: Address,
) -> anyhow::Result<()> {
    let call = |data: Vec<u8>| {
        TransactionRequest::default()
            .to(verifier)
            .input(data.into())
    };
    let registered = l1
        .call(call(IVerifierAdmin::isProverCall { prover }.abi_encode()))
        .await
        .context("Verifier.isProver")?;
    if !IVerifierAdmin::isProverCall::abi_decode_returns(&registered)? {
        let tx = call(
            IVerifierAdmin::setProverCall {
                prover,
                allowed: true,
            }
            .abi_encode(),
        );
        let receipt = l1.send_transaction(tx).await?.get_receipt().await?;
        anyhow::ensure!(receipt.status(), "Verifier.setProver reverted");
    }
    let mock = l1
        .call(call(IVerifierAdmin::mockVerifierCall {}.abi_encode()))
        .await
        .context("Verifier.mockVerifier")?;
    if IVerifierAdmin::mockVerifierCall::abi_decode_returns(&mock)? {
        let tx = call(IVerifierAdmin::setMockVerifierCall { enabled: false }.abi_encode());
        let receipt = l1.send_transaction(tx).await?.get_receipt().await?;
        anyhow::ensure!(receipt.status(), "Verifier.setMockVerifier reverted");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transition() -> Verified {
        Verified {
            chain_id: 270,
            batch_number: 1,
            prev_state_commitment: B256::repeat_byte(1),
            new_state_commitment: B256::repeat_byte(2),
            batch_commitment: B256::repeat_byte(3),
            txs: 0,
        }
    }

    #[test]
    fn a_signature_checks_only_for_its_key_and_transition() {
        let signer = prover_signer(&crate::config::default_prover_key()).unwrap();
        let t = transition();
        let signature = sign(&signer, &t).unwrap();
        let bytes = signature.as_bytes();
        assert!(check(&bytes, signer.address(), &t).is_ok());
        let other = prover_signer(&keccak256("someone else")).unwrap();
        assert!(check(&sign(&other, &t).unwrap().as_bytes(), signer.address(), &t).is_err());
        let mut moved = t;
        moved.new_state_commitment = B256::repeat_byte(9);
        assert!(check(&bytes, signer.address(), &moved).is_err());
        assert!(check(&bytes[..10], signer.address(), &t).is_err());
        let p = proof(&signature);
        assert_eq!(p[0], U256::from(4u64));
        assert!(p[1] == U256::from(27u64) || p[1] == U256::from(28u64));
    }
}
