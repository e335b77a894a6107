// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2Log, L2Message} from "./Messaging.sol";
import {L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH, L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR, SUPPORTED_PROOF_METADATA_VERSION} from "./Config.sol";

/// @dev Padding of a chain tree leaf: keccak256("zkSync:BatchLeaf").
bytes32 constant BATCH_LEAF_PADDING = keccak256("zkSync:BatchLeaf");
/// @dev Padding of a shared tree leaf: keccak256("zkSync:ChainIdLeaf").
bytes32 constant CHAIN_ID_LEAF_PADDING = keccak256("zkSync:ChainIdLeaf");

/// @dev What a proof says once its first part (log -> batch root) is hashed: era-contracts `ProofData`.
struct ProofData {
    uint256 settlementLayerChainId;
    uint256 settlementLayerBatchNumber;
    uint256 settlementLayerBatchRootMask;
    uint256 batchLeafProofLen;
    bytes32 batchSettlementRoot;
    bytes32 chainIdLeaf;
    uint256 ptr;
    bool finalProofNode;
}

/// @notice The hashing of L2->L1 messages and of the Gateway's message root trees, and the proof
/// layout of era-contracts `MessageHashing` (protocol v30/v31): a proof is
/// `[metadata, log path…, (batch leaf mask, batch path…, packed SL block and chain index, SL chain id, next proof…)]`.
library MessageHashing {
    error MerklePathEmpty();
    error MerklePathOutOfBounds();
    error MerkleIndexOutOfBounds();
    error HashedLogIsDefault();
    error UnsupportedProofMetadataVersion(uint256 version);
    error InvalidProofLengthForFinalNode();

    struct ProofMetadata {
        uint256 proofStartIndex;
        uint256 logLeafProofLen;
        uint256 batchLeafProofLen;
        bool finalProofNode;
    }

    /// @dev The log a message becomes: sender 0x…8008, key the message's sender, value its hash.
    function getLeafHashFromMessage(L2Message memory _message) internal pure returns (bytes32) {
        L2Log memory log = L2Log({
            l2ShardId: 0,
            isService: true,
            txNumberInBatch: _message.txNumberInBatch,
            sender: L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR,
            key: bytes32(uint256(uint160(_message.sender))),
            value: keccak256(_message.data)
        });
        return keccak256(abi.encodePacked(log.l2ShardId, log.isService, log.txNumberInBatch, log.sender, log.key, log.value));
    }

    /// @dev A chain tree leaf: one executed batch of a chain.
    function batchLeafHash(bytes32 _batchRoot, uint256 _batchNumber) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(BATCH_LEAF_PADDING, _batchRoot, _batchNumber));
    }

    /// @dev A shared tree leaf: one chain's chain tree root.
    function chainIdLeafHash(bytes32 _chainIdRoot, uint256 _chainId) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(CHAIN_ID_LEAF_PADDING, _chainIdRoot, _chainId));
    }

    /// @dev Root of the tree holding `_leaf` at `_index`, siblings bottom up; an empty path is a
    /// one-leaf tree (era-contracts `Merkle.calculateRootMemory`).
    function calculateRoot(bytes32[] memory _path, uint256 _index, bytes32 _leaf) internal pure returns (bytes32 current) {
        uint256 length = _path.length;
        if (length >= 256) revert MerklePathOutOfBounds();
        if (_index >= (1 << length)) revert MerkleIndexOutOfBounds();
        current = _leaf;
        for (uint256 i = 0; i < length; ++i) {
            current = (_index % 2 == 0)
                ? keccak256(abi.encodePacked(current, _path[i]))
                : keccak256(abi.encodePacked(_path[i], current));
            _index /= 2;
        }
    }

    /// @dev First word: version 1 ‖ log path length ‖ batch path length ‖ final flag ‖ 28 zero
    /// bytes; a proof without it is a plain log path.
    function parseProofMetadata(bytes32[] calldata _proof) internal pure returns (ProofMetadata memory result) {
        bytes32 word = _proof[0];
        if (uint256(word) << 32 == 0) {
            if (uint8(word[0]) != SUPPORTED_PROOF_METADATA_VERSION) revert UnsupportedProofMetadataVersion(uint8(word[0]));
            result.proofStartIndex = 1;
            result.logLeafProofLen = uint8(word[1]);
            result.batchLeafProofLen = uint8(word[2]);
            result.finalProofNode = uint8(word[3]) != 0;
        } else {
            result.logLeafProofLen = _proof.length;
            result.finalProofNode = true;
        }
        if (result.finalProofNode && result.batchLeafProofLen != 0) revert InvalidProofLengthForFinalNode();
    }

    /// @dev Hashes the leaf up to its batch root and, unless that is the final node, up to its
    /// chain's leaf in the settlement layer's shared tree (era-contracts `_getProofData`).
    function getProofData(
        uint256 _chainId,
        uint256 _batchNumber,
        uint256 _leafProofMask,
        bytes32 _leaf,
        bytes32[] calldata _proof
    ) internal pure returns (ProofData memory result) {
        if (_proof.length == 0) revert MerklePathEmpty();
        if (_leaf == L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH) revert HashedLogIsDefault();
        ProofMetadata memory meta = parseProofMetadata(_proof);
        uint256 ptr = meta.proofStartIndex;
        result.batchSettlementRoot = calculateRoot(slice(_proof, ptr, ptr + meta.logLeafProofLen), _leafProofMask, _leaf);
        ptr += meta.logLeafProofLen;
        result.finalProofNode = meta.finalProofNode;
        result.batchLeafProofLen = meta.batchLeafProofLen;
        if (meta.finalProofNode) {
            result.ptr = ptr;
            return result;
        }
        uint256 batchLeafProofMask = uint256(_proof[ptr]);
        ++ptr;
        bytes32 chainIdRoot = calculateRoot(
            slice(_proof, ptr, ptr + meta.batchLeafProofLen),
            batchLeafProofMask,
            batchLeafHash(result.batchSettlementRoot, _batchNumber)
        );
        ptr += meta.batchLeafProofLen;
        result.chainIdLeaf = chainIdLeafHash(chainIdRoot, _chainId);
        uint256 packed = uint256(_proof[ptr]);
        ++ptr;
        result.settlementLayerBatchNumber = packed >> 128;
        result.settlementLayerBatchRootMask = packed & ((1 << 128) - 1);
        result.settlementLayerChainId = uint256(_proof[ptr]);
        ++ptr;
        result.ptr = ptr;
    }

    function slice(bytes32[] calldata _proof, uint256 _from, uint256 _to) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](_to - _from);
        for (uint256 i = _from; i < _to; ++i) out[i - _from] = _proof[i];
    }
}
