// Hardhat 3 project for zkos-dev (written by `zkos-dev init hardhat`).
//
// Networks: `zkosL2` is the devnet's L2 (chain 270) and `zkosL1` its embedded L1 (chain 31337),
// as `zkos-dev start` runs them. Set ZKOS_L2_URL / ZKOS_L1_URL when the node listens elsewhere
// (`zkos-dev start --port ... --l1-port ...`).
//
// The compiler is npm `solc` (solcjs, in devDependencies): a text `path` makes Hardhat use it as
// is, so nothing is downloaded and the build works offline. Delete `path` to let Hardhat fetch
// the native solc 0.8.30 instead (faster on large projects).
import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import hardhatIgnitionViem from "@nomicfoundation/hardhat-ignition-viem";

const SOLJSON = createRequire(import.meta.url).resolve("solc/soljson.js");

// Dev accounts #0-#4 of the mnemonic `test test test test test test test test test test test junk`
// (anvil's and Hardhat's), funded with 10,000 ETH on both chains. These keys are public: never
// send real funds to them. `zkos-dev accounts` prints all ten.
const DEV_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
];

export default defineConfig({
  plugins: [hardhatViem, hardhatNodeTestRunner, hardhatIgnitionViem],
  solidity: {
    version: "0.8.30",
    path: SOLJSON,
    settings: {
      optimizer: { enabled: true, runs: 200 },
    },
  },
  networks: {
    // Hardhat's `--network localhost` would be 127.0.0.1:8545, which under zkos-dev is the
    // embedded L1: here it is the L2, so a habit does not deploy to the wrong chain.
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.ZKOS_L2_URL ?? "http://127.0.0.1:3050",
      chainId: 270,
      accounts: DEV_KEYS,
    },
    zkosL2: {
      type: "http",
      chainType: "l1", // zkos-dev speaks plain Ethereum JSON-RPC
      url: process.env.ZKOS_L2_URL ?? "http://127.0.0.1:3050",
      chainId: 270,
      accounts: DEV_KEYS,
    },
    zkosL1: {
      type: "http",
      chainType: "l1",
      url: process.env.ZKOS_L1_URL ?? "http://127.0.0.1:8545",
      chainId: 31337,
      accounts: DEV_KEYS,
    },
  },
  ignition: {
    // zkos-dev mines a block per transaction and no empty ones: do not wait for more.
    requiredConfirmations: 1,
  },
});
