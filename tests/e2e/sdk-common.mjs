// What the SDK e2e files share: the chain constants, the genesis contracts and a small ERC-20
// (compiled here with the npm solc) whose metadata the bridge must copy to L2.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./harness.mjs";

export const L1_CHAIN_ID = 31337;
/** Long enough that txs sent back to back share a batch (several blocks per batch). */
export const BATCH_TIMEOUT_MS = 1000;
export const L2_ASSET_ROUTER = "0x0000000000000000000000000000000000010003";
export const L1_MESSENGER = "0x0000000000000000000000000000000000008008";
export const BOOTLOADER = "0x0000000000000000000000000000000000008001";
/** The rollup contracts of the embedded L1 (`state/genesis/l1.json`). */
export const GENESIS = JSON.parse(readFileSync(join(REPO_ROOT, "state", "genesis", "l1.json"), "utf8")).contracts;

/** The read side of an ERC-20, as human-readable ABI. */
export const ERC20_VIEWS = [
  "function name() view returns (string)",
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
  "function totalSupply() view returns (uint256)",
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address, address) view returns (uint256)",
];

// A plain ERC-20 with its metadata set at deployment, so the test sees the bridge copy it.
export const TOKEN_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract SdkToken {
    string public name;
    string public symbol;
    uint8 public decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    constructor(string memory n, string memory s, uint8 d, uint256 supply) {
        name = n; symbol = s; decimals = d; totalSupply = supply; balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }
    function transfer(address to, uint256 v) external returns (bool) { _transfer(msg.sender, to, v); return true; }
    function approve(address s, uint256 v) external returns (bool) { allowance[msg.sender][s] = v; emit Approval(msg.sender, s, v); return true; }
    function transferFrom(address f, address to, uint256 v) external returns (bool) {
        uint256 a = allowance[f][msg.sender];
        require(a >= v, "SdkToken: allowance");
        if (a != type(uint256).max) allowance[f][msg.sender] = a - v;
        _transfer(f, to, v);
        return true;
    }
    function _transfer(address f, address to, uint256 v) internal {
        require(balanceOf[f] >= v, "SdkToken: balance");
        balanceOf[f] -= v; balanceOf[to] += v;
        emit Transfer(f, to, v);
    }
}
`;

export function compileToken() {
  const solc = createRequire(import.meta.url)("solc");
  const input = {
    language: "Solidity",
    sources: { "SdkToken.sol": { content: TOKEN_SOURCE } },
    settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 200 }, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  assert.deepEqual(errors, [], "SdkToken compiles");
  const c = out.contracts["SdkToken.sol"].SdkToken;
  return { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
}
