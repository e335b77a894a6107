// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Script} from "forge-std/Script.sol";
import {Counter} from "../src/Counter.sol";

/// Deploys Counter and increments it once:
///   forge script script/Counter.s.sol --rpc-url zkos_l2 --broadcast --private-key <KEY>
/// (`--rpc-url zkos_l1` for the L1; `zkos-dev accounts` prints the dev keys.)
contract CounterScript is Script {
    function run() external returns (Counter counter) {
        vm.startBroadcast();
        counter = new Counter();
        counter.increment();
        vm.stopBroadcast();
    }
}
