// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {RulesProbe} from "contracts/RulesProbe.sol";

interface Vm {
    function startBroadcast() external;
    function stopBroadcast() external;
}

/// Deploys RulesProbe and runs it in a transaction of its own (so the chain, not forge's
/// simulation, decides what it records).
contract Probe {
    Vm constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external returns (RulesProbe probe) {
        vm.startBroadcast();
        probe = new RulesProbe();
        probe.run();
        vm.stopBroadcast();
    }
}
