// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Counter} from "../src/Counter.sol";

/// `forge test` runs these in forge's own EVM (no node needed); `forge test --fork-url zkos_l2`
/// runs them on a fork of the running devnet.
contract CounterTest is Test {
    event Changed(address indexed by, uint256 newValue);

    Counter private counter;

    function setUp() public {
        counter = new Counter();
    }

    function test_Increment() public {
        counter.increment();
        assertEq(counter.number(), 1, "number after increment");
    }

    function testFuzz_SetNumber(uint256 x) public {
        counter.setNumber(x);
        assertEq(counter.number(), x, "number after setNumber");
    }

    function test_EmitsChanged() public {
        address alice = makeAddr("alice");
        vm.expectEmit();
        emit Changed(alice, 7);
        vm.prank(alice);
        counter.setNumber(7);
    }

    function test_RevertWhen_DecrementBelowZero() public {
        vm.expectRevert(bytes("Counter: already zero"));
        counter.decrement();
    }
}
