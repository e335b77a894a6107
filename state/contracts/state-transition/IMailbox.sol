// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2CanonicalTransaction, BridgehubL2TransactionRequest, L2Message, L2Log, TxStatus} from "../common/Messaging.sol";

/// @notice L1<->L2 messaging part of a ZK chain (era-contracts `IMailbox.sol`).
interface IMailbox {
    /// @dev The operator turns this event into an L2 transaction of type 0x7f.
    event NewPriorityRequest(
        uint256 txId,
        bytes32 txHash,
        uint64 expirationTimestamp,
        L2CanonicalTransaction transaction,
        bytes[] factoryDeps
    );

    /// @dev Emitted next to `NewPriorityRequest` (v29): SDKs find a deposit's L2 tx hash by it.
    event NewPriorityRequestId(uint256 indexed txId, bytes32 indexed txHash);

    /// @dev Emitted by a chain settling on a Gateway when the Gateway's Bridgehub relays a
    /// request made on L1 (era-contracts `IMailboxImpl.NewRelayedPriorityTransaction`).
    event NewRelayedPriorityTransaction(uint256 txId, bytes32 txHash, uint64 expirationTimestamp);

    function bridgehubRequestL2Transaction(
        BridgehubL2TransactionRequest calldata _request
    ) external returns (bytes32 canonicalTxHash);

    function bridgehubRequestL2TransactionOnGateway(bytes32 _canonicalTxHash, uint64 _expirationTimestamp) external;

    function l2TransactionBaseCost(
        uint256 _gasPrice,
        uint256 _l2GasLimit,
        uint256 _l2GasPerPubdataByteLimit
    ) external view returns (uint256);

    function proveL2MessageInclusion(
        uint256 _batchNumber,
        uint256 _index,
        L2Message calldata _message,
        bytes32[] calldata _proof
    ) external view returns (bool);

    function proveL1ToL2TransactionStatus(
        bytes32 _l2TxHash,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes32[] calldata _merkleProof,
        TxStatus _status
    ) external view returns (bool);

    function proveL2LogInclusion(
        uint256 _batchNumber,
        uint256 _index,
        L2Log calldata _log,
        bytes32[] calldata _proof
    ) external view returns (bool);

    /// @notice A leaf of this chain's batch `_batchNumber` (at `_leafProofMask`), proven as
    /// `proveL2LogInclusion` proves a log's hash.
    function proveL2LeafInclusion(
        uint256 _batchNumber,
        uint256 _leafProofMask,
        bytes32 _leaf,
        bytes32[] calldata _proof
    ) external view returns (bool);
}

/// @notice Only here for its selector: the L2 base token starts every withdrawal message with
/// `finalizeEthWithdrawal.selector` (era-contracts `IMailboxImpl`), and L1 checks it.
interface IMailboxLegacy {
    function finalizeEthWithdrawal(
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes calldata _message,
        bytes32[] calldata _merkleProof
    ) external;
}
