// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Counter} from "../src/Counter.sol";

/// The cheatcodes this script uses. forge-std's `Script` provides them too
/// (`forge install foundry-rs/forge-std`); this project works without it.
interface Vm {
    function startBroadcast() external;
    function stopBroadcast() external;
}

/// Deploys Counter and increments it once:
///   forge script script/Counter.s.sol --rpc-url zkos_l2 --broadcast --private-key <KEY>
/// (`--rpc-url zkos_l1` for the L1; `zkos-dev accounts` prints the dev keys.)
contract CounterScript {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external returns (Counter counter) {
        vm.startBroadcast();
        counter = new Counter();
        counter.increment();
        vm.stopBroadcast();
    }
}
