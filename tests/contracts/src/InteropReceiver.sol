// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// An ERC-7786 recipient for the interop tests: records every call the InteropHandler makes.
contract InteropReceiver {
    event Received(bytes32 receiveId, bytes sender, bytes payload, uint256 value);

    uint256 public calls;
    uint256 public received;
    address public lastCaller;
    bytes public lastSender;
    bytes public lastPayload;

    function receiveMessage(bytes32 receiveId, bytes calldata sender, bytes calldata payload)
        external
        payable
        returns (bytes4)
    {
        calls += 1;
        received += msg.value;
        lastCaller = msg.sender;
        lastSender = sender;
        lastPayload = payload;
        emit Received(receiveId, sender, payload, msg.value);
        return this.receiveMessage.selector;
    }
}
