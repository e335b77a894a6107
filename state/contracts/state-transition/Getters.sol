// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ZKChainBase} from "./ZKChainBase.sol";
import {IGetters} from "./IGetters.sol";
import {ETH_TOKEN_ADDRESS} from "../common/Config.sol";

/// @notice Views the server, SDKs and explorers read (names as era-contracts `GettersFacet`).
abstract contract Getters is ZKChainBase, IGetters {
    /// @dev Semantic version 0.29.0 packed as (major << 64) | (minor << 32) | patch: the
    /// protocol version whose encodings this contract speaks.
    uint256 internal constant PROTOCOL_VERSION = 29 << 32;

    function getTotalBatchesCommitted() external view returns (uint256) {
        return totalBatchesCommitted;
    }

    function getTotalBatchesVerified() external view returns (uint256) {
        return totalBatchesVerified;
    }

    function getTotalBatchesExecuted() external view returns (uint256) {
        return totalBatchesExecuted;
    }

    /// @notice Number of priority requests ever made (the next priority id).
    function getTotalPriorityTxs() external view returns (uint256) {
        return priorityQueue.length;
    }

    function getFirstUnprocessedPriorityTx() external view returns (uint256) {
        return priorityQueueHead;
    }

    function getPriorityQueueSize() external view returns (uint256) {
        return priorityQueue.length - priorityQueueHead;
    }

    /// @notice Canonical tx hash of priority request `_id` (zkos-dev extension).
    function priorityTxHash(uint256 _id) external view returns (bytes32) {
        return priorityQueue[_id];
    }

    /// @notice Rolling keccak over all priority requests, from keccak("") (zkos-dev extension).
    function getPriorityQueueRollingHash() external view returns (bytes32) {
        return priorityQueueRollingHash;
    }

    function storedBatchHash(uint256 _batchNumber) external view returns (bytes32) {
        return storedBatchHashes[_batchNumber];
    }

    function l2LogsRootHash(uint256 _batchNumber) external view returns (bytes32) {
        return l2LogsRootHashes[_batchNumber];
    }

    function getVerifier() external view returns (address) {
        return address(verifier);
    }

    function getAdmin() external view returns (address) {
        return admin;
    }

    function getBridgehub() external view returns (address) {
        return BRIDGEHUB;
    }

    function getChainId() external view returns (uint256) {
        return CHAIN_ID;
    }

    function getBaseToken() external pure returns (address) {
        return ETH_TOKEN_ADDRESS;
    }

    function getChainTypeManager() external view returns (address) {
        return CHAIN_TYPE_MANAGER;
    }

    function getProtocolVersion() external pure returns (uint256) {
        return PROTOCOL_VERSION;
    }

    /// @dev 0 = Rollup.
    function getPubdataPricingMode() external pure returns (uint8) {
        return 0;
    }

    /// @dev address(0): the chain settles on L1 directly.
    function getSettlementLayer() external pure returns (address) {
        return address(0);
    }

    function getL2SystemContractsUpgradeTxHash() external pure returns (bytes32) {
        return bytes32(0);
    }

    function baseTokenGasPriceMultiplierNominator() external pure returns (uint128) {
        return 1;
    }

    function baseTokenGasPriceMultiplierDenominator() external pure returns (uint128) {
        return 1;
    }

    function isValidator(address _address) external view returns (bool) {
        return validators[_address];
    }

    function getMinimalL2GasPrice() external view returns (uint256) {
        return minimalL2GasPrice;
    }

    function getName() external pure returns (string memory) {
        return "ZKChain";
    }
}
