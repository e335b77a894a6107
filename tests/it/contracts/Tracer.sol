// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// The `console.log` functions the tracing tests use, declared the way Hardhat's and
/// forge-std's console.sol do: abi.encodeWithSignature to the console address.
library console {
    address constant CONSOLE_ADDRESS = 0x000000000000000000636F6e736F6c652e6c6f67;

    function _send(bytes memory payload) private view {
        address target = CONSOLE_ADDRESS;
        assembly {
            pop(staticcall(gas(), target, add(payload, 32), mload(payload), 0, 0))
        }
    }

    function log(string memory p0) internal view {
        _send(abi.encodeWithSignature("log(string)", p0));
    }

    function log(uint256 p0) internal view {
        _send(abi.encodeWithSignature("log(uint256)", p0));
    }

    function log(address p0) internal view {
        _send(abi.encodeWithSignature("log(address)", p0));
    }

    function log(bool p0) internal view {
        _send(abi.encodeWithSignature("log(bool)", p0));
    }

    function log(string memory p0, uint256 p1) internal view {
        _send(abi.encodeWithSignature("log(string,uint256)", p0, p1));
    }

    function log(string memory p0, address p1) internal view {
        _send(abi.encodeWithSignature("log(string,address)", p0, p1));
    }

    function log(string memory p0, string memory p1) internal view {
        _send(abi.encodeWithSignature("log(string,string)", p0, p1));
    }
}

/// Called by Tracer: gives the traces a nested call, a nested revert and a nested console.log.
contract Callee {
    uint256 public value;

    error Denied(address who, uint256 amount);

    function store(uint256 v) external returns (uint256) {
        console.log("Callee.store", v);
        value = v;
        return v * 2;
    }

    function fail(string calldata why) external pure {
        revert(why);
    }

    function deny(uint256 amount) external view {
        revert Denied(msg.sender, amount);
    }
}

/// Test contract of the tracing tests (tests/it/tracing.rs).
contract Tracer {
    Callee public callee;
    uint256 public total;

    event Stored(uint256 value, uint256 doubled);

    constructor() {
        callee = new Callee();
        console.log("Tracer deployed by", msg.sender);
    }

    /// Logs, calls Callee.store(v), stores and emits; returns 2v.
    function run(uint256 v) external returns (uint256) {
        console.log("run with %s", v);
        console.log(v);
        console.log(msg.sender);
        console.log(true);
        console.log("two", "strings");
        uint256 doubled = callee.store(v);
        total += doubled;
        emit Stored(v, doubled);
        return doubled;
    }

    /// Logs, then fails inside Callee with Error(why).
    function failNested(string calldata why) external {
        console.log("about to fail");
        total += 1;
        callee.fail(why);
    }

    /// Fails inside Callee with the custom error Denied(this, amount).
    function denyNested(uint256 amount) external {
        total += 1;
        callee.deny(amount);
    }

    /// Panics with 0x12 (division by zero) when a == 0.
    function divide(uint256 a) external returns (uint256) {
        total += 1;
        return 100 / a;
    }
}
