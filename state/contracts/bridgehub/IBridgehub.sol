// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2Message, TxStatus} from "../common/Messaging.sol";

/// @notice The entry point for L1->L2 requests (era-contracts `IBridgehub.sol`, the parts the
/// server, SDKs and `cast` use).
interface IBridgehub {
    /// @dev Exactly the real struct: field order defines the ABI of requestL2TransactionDirect.
    struct L2TransactionRequestDirect {
        uint256 chainId;
        uint256 mintValue;
        address l2Contract;
        uint256 l2Value;
        bytes l2Calldata;
        uint256 l2GasLimit;
        uint256 l2GasPerPubdataByteLimit;
        bytes[] factoryDeps;
        address refundRecipient;
    }

    event NewChain(uint256 indexed chainId, address chainTypeManager, address indexed chainGovernance);

    function requestL2TransactionDirect(
        L2TransactionRequestDirect calldata _request
    ) external payable returns (bytes32 canonicalTxHash);

    function l2TransactionBaseCost(
        uint256 _chainId,
        uint256 _gasPrice,
        uint256 _l2GasLimit,
        uint256 _l2GasPerPubdataByteLimit
    ) external view returns (uint256);

    function forwardTransactionOnGateway(
        uint256 _chainId,
        bytes32 _canonicalTxHash,
        uint64 _expirationTimestamp
    ) external;

    function getZKChain(uint256 _chainId) external view returns (address);
    function getAllZKChainChainIDs() external view returns (uint256[] memory);
    function chainTypeManager(uint256 _chainId) external view returns (address);
    function baseToken(uint256 _chainId) external view returns (address);
    function sharedBridge() external view returns (address);
    function l1Nullifier() external view returns (address);

    function proveL2MessageInclusion(
        uint256 _chainId,
        uint256 _batchNumber,
        uint256 _index,
        L2Message calldata _message,
        bytes32[] calldata _proof
    ) external view returns (bool);

    function proveL1ToL2TransactionStatus(
        uint256 _chainId,
        bytes32 _l2TxHash,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes32[] calldata _merkleProof,
        TxStatus _status
    ) external view returns (bool);
}
