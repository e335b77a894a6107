// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Test contract used by the zkos-dev client e2e tests and the Rust integration tests.
contract Counter {
    uint256 public number;

    event Incremented(address indexed by, uint256 newValue);

    error Unauthorized(address caller);

    function increment() public {
        number++;
        emit Incremented(msg.sender, number);
    }

    function setNumber(uint256 n) public {
        number = n;
        emit Incremented(msg.sender, n);
    }

    function fail() public pure {
        revert("counter: failure");
    }

    function failCustom() public view {
        revert Unauthorized(msg.sender);
    }

    /// Panics with code 0x12 (division by zero) when b == 0.
    function divide(uint256 a, uint256 b) public pure returns (uint256) {
        return a / b;
    }
}
