// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IVerifier} from "./IVerifier.sol";
import {PUBLIC_INPUT_SHIFT} from "../common/Config.sol";

/// @title Devnet proof verifier
/// @notice Two kinds of proof, chosen by proof[0]:
///
/// * Fake proof (type 3), the shape zksync-os-server's mock prover sends and era-contracts'
///   ZKsyncOSTestnetVerifier accepts, only while `mockVerifier` is set (at deploy, or by the
///   owner with `setMockVerifier`; zkos-dev turns it off when a real prover runs):
///       proof = [3, 0, 13, aggregatedPublicInput]
///   - 3: fake proof type; 0: "previous hash" (ranges always match exactly here, so it must be 0);
///   - 13: magic value; aggregatedPublicInput: the batch public inputs chained as
///       acc = pi[0];  acc = uint256(keccak256(acc ‖ pi[i])) >> 32  for i = 1..n-1
///     with pi[i] = uint256(keccak256(prevStateCommitment ‖ newStateCommitment ‖ batchCommitment)) >> 32.
///
/// * Attestation proof (type 4), for setups where a trusted prover key signs batches:
///       proof = [4, v_1, r_1, s_1, v_2, r_2, s_2, ..., v_n, r_n, s_n]
///   one (v, r, s) triple per proven batch, in batch order, each a plain secp256k1 signature
///   (no EIP-191 prefix; v = 27 or 28, low s) over
///       attestationDigest = keccak256(abi.encode(
///           ATTESTATION_DOMAIN,            // keccak256("zkos-dev.BatchAttestation.v1")
///           uint256 chainId,               // L2 chain id
///           uint256 batchNumber,
///           bytes32 prevStateCommitment,   // StoredBatchInfo.batchHash of batch n-1
///           bytes32 newStateCommitment,    // StoredBatchInfo.batchHash of batch n
///           bytes32 batchCommitment))      // StoredBatchInfo.commitment of batch n
///   by a key registered with `setProver`. Works whether or not `mockVerifier` is set.
contract Verifier is IVerifier {
    uint256 public constant FAKE_PROOF_TYPE = 3;
    uint256 public constant FAKE_PROOF_MAGIC_VALUE = 13;
    uint256 public constant ATTESTATION_PROOF_TYPE = 4;
    bytes32 public constant ATTESTATION_DOMAIN = keccak256("zkos-dev.BatchAttestation.v1");

    /// @dev secp256k1n / 2: larger `s` values are the malleable twin of a valid signature.
    uint256 internal constant HALF_CURVE_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @notice Whether fake proofs are accepted. Set at deploy; the owner can change it.
    bool public mockVerifier;
    address public owner;
    mapping(address prover => bool) public isProver;

    event ProverSet(address indexed prover, bool allowed);
    event MockVerifierSet(bool enabled);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error Unauthorized(address caller);
    error EmptyPublicInputs();
    error EmptyProofLength();
    error UnknownVerifierType(uint256 proofType);
    error MockVerifierNotSupported();
    error InvalidMockProofLength();
    error InvalidProof();
    error InvalidAttestationLength(uint256 expected, uint256 actual);
    error InvalidSignature(uint256 batchNumber);
    error UnknownProver(uint256 batchNumber, address signer);

    constructor(address _owner, bool _mockVerifier) {
        owner = _owner;
        mockVerifier = _mockVerifier;
        emit OwnershipTransferred(address(0), _owner);
    }

    function setProver(address _prover, bool _allowed) external {
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        isProver[_prover] = _allowed;
        emit ProverSet(_prover, _allowed);
    }

    /// @notice Turns fake proofs on or off (a chain proven by a real prover refuses them).
    function setMockVerifier(bool _enabled) external {
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        mockVerifier = _enabled;
        emit MockVerifierSet(_enabled);
    }

    function transferOwnership(address _newOwner) external {
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        emit OwnershipTransferred(owner, _newOwner);
        owner = _newOwner;
    }

    /// @inheritdoc IVerifier
    function verify(uint256[] calldata _publicInputs, uint256[] calldata _proof) external view returns (bool) {
        if (_publicInputs.length == 0) revert EmptyPublicInputs();
        if (_proof.length == 0) revert EmptyProofLength();
        if (_proof[0] != FAKE_PROOF_TYPE) revert UnknownVerifierType(_proof[0]);
        return _verifyFake(aggregatePublicInputs(_publicInputs), _proof);
    }

    /// @inheritdoc IVerifier
    function verifyBatches(
        uint256 _chainId,
        BatchTransition[] calldata _batches,
        uint256[] calldata _proof
    ) external view returns (bool) {
        if (_batches.length == 0) revert EmptyPublicInputs();
        if (_proof.length == 0) revert EmptyProofLength();
        uint256 proofType = _proof[0];
        if (proofType == FAKE_PROOF_TYPE) {
            uint256[] memory inputs = new uint256[](_batches.length);
            for (uint256 i = 0; i < _batches.length; ++i) {
                inputs[i] = batchPublicInput(_batches[i]);
            }
            return _verifyFake(aggregatePublicInputs(inputs), _proof);
        }
        if (proofType == ATTESTATION_PROOF_TYPE) {
            return _verifyAttestations(_chainId, _batches, _proof);
        }
        revert UnknownVerifierType(proofType);
    }

    /// @notice keccak256(prev state commitment ‖ new state commitment ‖ batch commitment) >> 32,
    /// as era-contracts `_getBatchProofPublicInputZKsyncOS`.
    function batchPublicInput(BatchTransition calldata _b) public pure returns (uint256) {
        return
            uint256(keccak256(abi.encodePacked(_b.prevStateCommitment, _b.newStateCommitment, _b.batchCommitment))) >>
            PUBLIC_INPUT_SHIFT;
    }

    /// @notice Chains per-batch public inputs into one (zksync-os-server `snark_public_input`).
    function aggregatePublicInputs(uint256[] memory _inputs) public pure returns (uint256 acc) {
        acc = _inputs[0];
        for (uint256 i = 1; i < _inputs.length; ++i) {
            acc = uint256(keccak256(abi.encodePacked(acc, _inputs[i]))) >> PUBLIC_INPUT_SHIFT;
        }
    }

    /// @notice The hash a prover key signs for one batch (see the contract comment).
    function attestationDigest(uint256 _chainId, BatchTransition calldata _b) public pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    ATTESTATION_DOMAIN,
                    _chainId,
                    _b.batchNumber,
                    _b.prevStateCommitment,
                    _b.newStateCommitment,
                    _b.batchCommitment
                )
            );
    }

    function _verifyFake(uint256 _aggregatedInput, uint256[] calldata _proof) internal view returns (bool) {
        if (!mockVerifier) revert MockVerifierNotSupported();
        if (_proof.length != 4) revert InvalidMockProofLength();
        // proof[1] is the "previous hash" of a proof that covers more than the range; never here.
        if (_proof[1] != 0 || _proof[2] != FAKE_PROOF_MAGIC_VALUE) revert InvalidProof();
        if (_proof[3] != _aggregatedInput) revert InvalidProof();
        return true;
    }

    function _verifyAttestations(
        uint256 _chainId,
        BatchTransition[] calldata _batches,
        uint256[] calldata _proof
    ) internal view returns (bool) {
        uint256 expected = 1 + 3 * _batches.length;
        if (_proof.length != expected) revert InvalidAttestationLength(expected, _proof.length);
        for (uint256 i = 0; i < _batches.length; ++i) {
            uint256 v = _proof[1 + 3 * i];
            bytes32 r = bytes32(_proof[2 + 3 * i]);
            uint256 s = _proof[3 + 3 * i];
            if ((v != 27 && v != 28) || s > HALF_CURVE_ORDER) revert InvalidSignature(_batches[i].batchNumber);
            address signer = ecrecover(attestationDigest(_chainId, _batches[i]), uint8(v), r, bytes32(s));
            if (signer == address(0)) revert InvalidSignature(_batches[i].batchNumber);
            if (!isProver[signer]) revert UnknownProver(_batches[i].batchNumber, signer);
        }
        return true;
    }
}
