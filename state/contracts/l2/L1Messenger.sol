// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title L1Messenger, L2 system contract at 0x…8008
/// @notice Sends arbitrary messages to L1. The contract itself only emits `L1MessageSent`; the
/// node turns every such event emitted by 0x…8008 into an L2->L1 log
/// {l2ShardId: 0, isService: true, txNumberInBatch, sender: 0x…8008, key: bytes32(uint256(uint160(sender))),
/// value: keccak256(message)} in the receipt's `l2ToL1Logs` and in the batch's logs tree.
/// Deployed into the L2 genesis as runtime code: no constructor, no immutables.
contract L1Messenger {
    event L1MessageSent(address indexed _sender, bytes32 indexed _hash, bytes _message);

    function sendToL1(bytes calldata _message) external returns (bytes32 hash) {
        hash = keccak256(_message);
        emit L1MessageSent(msg.sender, hash, _message);
    }
}
