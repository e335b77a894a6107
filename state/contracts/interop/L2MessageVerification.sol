// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2Message} from "../common/Messaging.sol";
import {MessageHashing, ProofData} from "../common/MessageHashing.sol";
import {L2_INTEROP_ROOT_STORAGE_ADDR} from "./InteropTypes.sol";

interface IInteropRoots {
    function interopRoots(uint256 chainId, uint256 blockOrBatchNumber) external view returns (bytes32);
}

/// @title L2MessageVerification, L2 system contract at 0x…10009 (era-contracts v31)
/// @notice Proves that another chain sent a message: the message's log is hashed up to its
/// batch root, through the settlement layer's trees (one Gateway step at most) up to a root
/// this chain imported (`L2InteropRootStorage.interopRoots(chainId, blockOrBatchNumber)`).
/// Runtime code in the L2 genesis: no constructor.
contract L2MessageVerification {
    error DepthMoreThanOneForRecursiveMerkleProof();

    function proveL2MessageInclusionShared(
        uint256 _chainId,
        uint256 _blockOrBatchNumber,
        uint256 _index,
        L2Message calldata _message,
        bytes32[] calldata _proof
    ) external view returns (bool) {
        bytes32 leaf = MessageHashing.getLeafHashFromMessage(_message);
        return _proveLeaf(_chainId, _blockOrBatchNumber, _index, leaf, _proof, 0);
    }

    function proveL2LeafInclusionSharedRecursive(
        uint256 _chainId,
        uint256 _blockOrBatchNumber,
        uint256 _leafProofMask,
        bytes32 _leaf,
        bytes32[] calldata _proof,
        uint256 _depth
    ) external view returns (bool) {
        return _proveLeaf(_chainId, _blockOrBatchNumber, _leafProofMask, _leaf, _proof, _depth);
    }

    function _proveLeaf(
        uint256 _chainId,
        uint256 _batchNumber,
        uint256 _leafProofMask,
        bytes32 _leaf,
        bytes32[] calldata _proof,
        uint256 _depth
    ) internal view returns (bool) {
        ProofData memory data = MessageHashing.getProofData(_chainId, _batchNumber, _leafProofMask, _leaf, _proof);
        if (data.finalProofNode) {
            bytes32 root = IInteropRoots(L2_INTEROP_ROOT_STORAGE_ADDR).interopRoots(_chainId, _batchNumber);
            return root == data.batchSettlementRoot && root != bytes32(0);
        }
        if (_depth == 1) revert DepthMoreThanOneForRecursiveMerkleProof();
        return
            this.proveL2LeafInclusionSharedRecursive(
                data.settlementLayerChainId,
                data.settlementLayerBatchNumber,
                data.settlementLayerBatchRootMask,
                data.chainIdLeaf,
                MessageHashing.slice(_proof, data.ptr, _proof.length),
                _depth + 1
            );
    }
}
