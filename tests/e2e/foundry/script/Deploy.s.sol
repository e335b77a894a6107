// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Counter} from "contracts/Counter.sol";
import {Token} from "contracts/Token.sol";

/// The cheatcodes this script needs (forge-std is not available offline).
interface Vm {
    function envUint(string calldata name) external view returns (uint256);
    function envAddress(string calldata name) external view returns (address);
    function startBroadcast(uint256 privateKey) external;
    function stopBroadcast() external;
}

contract Deploy {
    Vm constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external returns (Counter counter, Token token) {
        uint256 key = vm.envUint("DEPLOYER_KEY");
        address recipient = vm.envAddress("TOKEN_RECIPIENT");
        vm.startBroadcast(key);
        counter = new Counter();
        counter.setNumber(41);
        counter.increment();
        token = new Token(1_000_000 ether);
        token.transfer(recipient, 123 ether);
        vm.stopBroadcast();
    }
}
