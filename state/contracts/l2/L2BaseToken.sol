// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMailboxLegacy} from "../state-transition/IMailbox.sol";

interface IL1Messenger {
    function sendToL1(bytes calldata _message) external returns (bytes32);
}

/// @title L2BaseToken, L2 system contract at 0x…800a
/// @notice ETH withdrawals to L1, and the base token of interop bundles. Withdrawn ETH is
/// "burned" by staying in this contract's balance (0x…800a), so L2 ETH supply minus this balance
/// is what L1 still backs; only the InteropHandler (0x…1000c) moves some out, minting what a
/// bundle from another L2 carries (the source burned it with `burnMsgValue`). The L2 genesis
/// gives this contract a reserve to mint from. Deployed into the L2 genesis as runtime code: no
/// constructor, no immutables.
contract L2BaseToken {
    IL1Messenger internal constant L1_MESSENGER = IL1Messenger(address(0x8008));
    address internal constant INTEROP_CENTER = address(0x1000b);
    address internal constant INTEROP_HANDLER = address(0x1000c);

    event Mint(address indexed account, uint256 amount);

    error Unauthorized(address caller);
    error MintFailed(address to, uint256 amount);

    /// @notice Burns msg.value (it stays here); the InteropCenter burns what a bundle carries.
    function burnMsgValue() external payable {
        if (msg.sender != INTEROP_CENTER) revert Unauthorized(msg.sender);
    }

    /// @notice Mints `_amount` to `_to` out of the burned base token; only the InteropHandler.
    function mint(address _to, uint256 _amount) external {
        if (msg.sender != INTEROP_HANDLER) revert Unauthorized(msg.sender);
        (bool ok, ) = _to.call{value: _amount}("");
        if (!ok) revert MintFailed(_to, _amount);
        emit Mint(_to, _amount);
    }

    event Withdrawal(address indexed _l2Sender, address indexed _l1Receiver, uint256 _amount);
    event WithdrawalWithMessage(
        address indexed _l2Sender,
        address indexed _l1Receiver,
        uint256 _amount,
        bytes _additionalData
    );

    /// @notice Withdraw msg.value to `_l1Receiver` on L1. Message to L1 (56 bytes):
    /// finalizeEthWithdrawal.selector ‖ l1Receiver (20 bytes) ‖ amount (32 bytes).
    function withdraw(address _l1Receiver) external payable {
        L1_MESSENGER.sendToL1(abi.encodePacked(IMailboxLegacy.finalizeEthWithdrawal.selector, _l1Receiver, msg.value));
        emit Withdrawal(msg.sender, _l1Receiver, msg.value);
    }

    /// @notice Same, with data for the receiver. Message: selector ‖ l1Receiver (20) ‖ amount (32) ‖
    /// l2Sender (20) ‖ additionalData, as era-contracts `_getExtendedWithdrawMessage`.
    function withdrawWithMessage(address _l1Receiver, bytes calldata _additionalData) external payable {
        L1_MESSENGER.sendToL1(
            abi.encodePacked(
                IMailboxLegacy.finalizeEthWithdrawal.selector,
                _l1Receiver,
                msg.value,
                msg.sender,
                _additionalData
            )
        );
        emit WithdrawalWithMessage(msg.sender, _l1Receiver, msg.value, _additionalData);
    }
}
