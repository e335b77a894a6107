// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A counter anyone can move: the example contract of `zkos-dev init`.
contract Counter {
    uint256 public number;

    event Changed(address indexed by, uint256 newValue);

    function increment() external {
        number += 1;
        emit Changed(msg.sender, number);
    }

    function decrement() external {
        require(number > 0, "Counter: already zero");
        number -= 1;
        emit Changed(msg.sender, number);
    }

    function setNumber(uint256 newNumber) external {
        number = newNumber;
        emit Changed(msg.sender, newNumber);
    }
}
