// Hardhat 3 project for the zkos-dev client e2e tests (driven by ../hardhat.test.mjs).
// - Solidity: the shared contracts in tests/contracts/src, compiled offline with npm solc@0.8.30
//   (solcjs; a text `path` makes Hardhat use it as solcjs instead of downloading a compiler).
// - Network `zkos`: the node under test, URL from env ZKOS_RPC_URL (set by the harness);
//   `zkosNodeAccounts`: the same node, signing with its own (dev and impersonated) accounts.
import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import hardhatIgnitionViem from "@nomicfoundation/hardhat-ignition-viem";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";

const SOLJSON = createRequire(new URL("../package.json", import.meta.url)).resolve("solc/soljson.js");

// account 0 of `test test ... junk`, and account 1 (used by the ignition deploy)
const KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
];

export default defineConfig({
  plugins: [hardhatViem, hardhatNodeTestRunner, hardhatIgnitionViem, hardhatNetworkHelpers],
  solidity: {
    version: "0.8.30",
    path: SOLJSON,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
    },
  },
  paths: {
    sources: "contracts", // symlink to ../../contracts/src
  },
  networks: {
    zkos: {
      type: "http",
      chainType: "l1",
      url: process.env.ZKOS_RPC_URL ?? "http://127.0.0.1:3050",
      accounts: KEYS,
    },
    // The same node with the accounts it manages itself (`eth_accounts`/`eth_sendTransaction` go to the
    // node): the only way to send from an impersonated address, since with `accounts: KEYS` Hardhat
    // signs locally and refuses any other `from` (HHE716). Used by test/NetworkHelpers.ts.
    zkosNodeAccounts: {
      type: "http",
      chainType: "l1",
      url: process.env.ZKOS_RPC_URL ?? "http://127.0.0.1:3050",
      accounts: "remote",
    },
  },
  ignition: {
    requiredConfirmations: 1,
  },
});
