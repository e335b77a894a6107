// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Counter} from "contracts/Counter.sol";

/// forge's cheatcodes this test reads its inputs with (forge-std is not needed for two calls).
interface Vm {
    function envAddress(string calldata name) external view returns (address);
    function envUint(string calldata name) external view returns (uint256);
}

/// Run by tests/e2e/fork.test.mjs as `forge test --fork-url <a zkos-dev that is itself a fork>`:
/// forge's fork reads the Counter through two forks, then changes it in forge's own EVM.
contract ForkTest {
    Vm constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function testReadsAndChangesTheForkedCounter() public {
        Counter counter = Counter(vm.envAddress("FORK_COUNTER"));
        uint256 expected = vm.envUint("FORK_NUMBER");
        require(counter.number() == expected, "the forked counter's number");
        counter.increment();
        require(counter.number() == expected + 1, "incremented in forge's EVM");
    }
}
