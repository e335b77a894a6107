// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Proof verifier of a ZK chain.
interface IVerifier {
    /// @dev One proven batch: the state commitment before and after it and its batch output hash
    /// (StoredBatchInfo.commitment). The public input of the batch is
    /// uint256(keccak256(prevStateCommitment ‖ newStateCommitment ‖ batchCommitment)) >> 32.
    struct BatchTransition {
        uint256 batchNumber;
        bytes32 prevStateCommitment;
        bytes32 newStateCommitment;
        bytes32 batchCommitment;
    }

    /// @notice era-contracts shape: one public input per batch, chained inside the verifier.
    /// Only the fake proof is accepted here (attestations need the batch data: use verifyBatches).
    function verify(uint256[] calldata _publicInputs, uint256[] calldata _proof) external view returns (bool);

    /// @notice What `ZKChain.proveBatchesSharedBridge` calls: full batch data, so that attestation
    /// proofs can be checked against signed batch numbers and commitments.
    function verifyBatches(
        uint256 _chainId,
        BatchTransition[] calldata _batches,
        uint256[] calldata _proof
    ) external view returns (bool);
}
