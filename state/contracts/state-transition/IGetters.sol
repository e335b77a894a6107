// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Read-only view of a ZK chain (the subset of era-contracts `IGetters.sol` that the
/// server and SDKs call).
interface IGetters {
    function getTotalBatchesCommitted() external view returns (uint256);
    function getTotalBatchesVerified() external view returns (uint256);
    function getTotalBatchesExecuted() external view returns (uint256);
    function getTotalPriorityTxs() external view returns (uint256);
    function getFirstUnprocessedPriorityTx() external view returns (uint256);
    function getPriorityQueueSize() external view returns (uint256);
    function storedBatchHash(uint256 _batchNumber) external view returns (bytes32);
    function l2LogsRootHash(uint256 _batchNumber) external view returns (bytes32);
    function getVerifier() external view returns (address);
    function getAdmin() external view returns (address);
    function getBridgehub() external view returns (address);
    function getChainId() external view returns (uint256);
    function getBaseToken() external view returns (address);
    function getChainTypeManager() external view returns (address);
    function getProtocolVersion() external view returns (uint256);
    function getPubdataPricingMode() external view returns (uint8);
    function getSettlementLayer() external view returns (address);
    function getL2SystemContractsUpgradeTxHash() external view returns (bytes32);
    function baseTokenGasPriceMultiplierNominator() external view returns (uint128);
    function baseTokenGasPriceMultiplierDenominator() external view returns (uint128);
    function isValidator(address _address) external view returns (bool);
    function getName() external view returns (string memory);
}
