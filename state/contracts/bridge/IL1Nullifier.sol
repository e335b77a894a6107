// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FinalizeL1DepositParams} from "../common/Messaging.sol";

/// @notice Withdrawal finalization and failed-deposit claims (era-contracts `IL1Nullifier.sol`,
/// the parts the devnet's bridge uses).
interface IL1Nullifier {
    function finalizeDeposit(FinalizeL1DepositParams calldata _finalizeWithdrawalParams) external;

    function finalizeWithdrawal(
        uint256 _chainId,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes calldata _message,
        bytes32[] calldata _merkleProof
    ) external;

    function isWithdrawalFinalized(
        uint256 _chainId,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex
    ) external view returns (bool);

    function bridgeRecoverFailedTransfer(
        uint256 _chainId,
        address _depositSender,
        bytes32 _assetId,
        bytes calldata _assetData,
        bytes32 _l2TxHash,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes32[] calldata _merkleProof
    ) external;

    function bridgehubConfirmL2TransactionForwarded(uint256 _chainId, bytes32 _txDataHash, bytes32 _txHash) external;
}
