// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Counter} from "../src/Counter.sol";

/// The cheatcodes these tests use. forge-std's `Test` provides them too, with assertion helpers
/// (`forge install foundry-rs/forge-std`); this project works without it.
interface Vm {
    function assertEq(uint256 left, uint256 right, string calldata err) external pure;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit() external;
    function prank(address sender) external;
}

/// `forge test` runs these in forge's own EVM; `forge test --fork-url zkos_l2` runs them on a
/// fork of the running devnet.
contract CounterTest {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    event Changed(address indexed by, uint256 newValue);

    Counter private counter;

    function setUp() public {
        counter = new Counter();
    }

    function test_Increment() public {
        counter.increment();
        vm.assertEq(counter.number(), 1, "number after increment");
    }

    function testFuzz_SetNumber(uint256 x) public {
        counter.setNumber(x);
        vm.assertEq(counter.number(), x, "number after setNumber");
    }

    function test_EmitsChanged() public {
        vm.expectEmit();
        emit Changed(address(0xA11CE), 7);
        vm.prank(address(0xA11CE));
        counter.setNumber(7);
    }

    function test_RevertWhen_DecrementBelowZero() public {
        vm.expectRevert(bytes("Counter: already zero"));
        counter.decrement();
    }
}
