// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FinalizeL1DepositParams} from "../common/Messaging.sol";

/// @notice Withdrawal finalization (the parts of era-contracts `IL1Nullifier.sol` a devnet with
/// ETH as the only token needs).
interface IL1Nullifier {
    /// @dev Same event as the legacy L1SharedBridge, which SDKs still recognise.
    event WithdrawalFinalizedSharedBridge(
        uint256 indexed chainId,
        address indexed to,
        address indexed l1Token,
        uint256 amount
    );
    event BridgehubDepositBaseTokenInitiated(
        uint256 indexed chainId,
        address indexed from,
        bytes32 assetId,
        uint256 amount
    );

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

    function bridgehubDepositBaseToken(uint256 _chainId, address _prevMsgSender, uint256 _amount) external payable;
}
