// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IL1Nullifier} from "./IL1Nullifier.sol";

/// @title L1AssetRouter (facade)
/// @notice What `Bridgehub.sharedBridge()` returns. SDKs find the nullifier through
/// `L1_NULLIFIER()` and may finalize through the legacy `finalizeWithdrawal`; both end in
/// `L1Nullifier.finalizeDeposit`. It holds no funds.
contract L1AssetRouter {
    address public immutable BRIDGE_HUB;
    IL1Nullifier public immutable L1_NULLIFIER;

    constructor(address _bridgehub, address _l1Nullifier) {
        BRIDGE_HUB = _bridgehub;
        L1_NULLIFIER = IL1Nullifier(_l1Nullifier);
    }

    function finalizeWithdrawal(
        uint256 _chainId,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes calldata _message,
        bytes32[] calldata _merkleProof
    ) external {
        L1_NULLIFIER.finalizeWithdrawal(
            _chainId,
            _l2BatchNumber,
            _l2MessageIndex,
            _l2TxNumberInBatch,
            _message,
            _merkleProof
        );
    }

    function isWithdrawalFinalized(
        uint256 _chainId,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex
    ) external view returns (bool) {
        return L1_NULLIFIER.isWithdrawalFinalized(_chainId, _l2BatchNumber, _l2MessageIndex);
    }
}
