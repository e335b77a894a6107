#!/usr/bin/env node
// Builds the pre-built L1 genesis that zkos-dev embeds (src/l1/genesis.rs): the rollup contracts
// deployed and wired for L2 chain 270 on a fresh anvil (chain id 31337), then every account
// anvil holds that is not a plain funded dev account, written to genesis/l1.json.
//
//   node genesis.mjs           write genesis/l1.json
//   node genesis.mjs --check   exit 1 if the committed genesis/l1.json differs from a fresh build
//
// Deployer and owner/admin of every contract: the governor, a fixed key that is not a dev
// account (so the dev accounts stay plain: nonce 0, full balance). Validator of chain 270:
// dev account #9 of the `test test ... junk` mnemonic, which the genesis funds too (so it has
// ETH for settlement txs even with fewer dev accounts). Mock verifier on (fake proofs accepted).
// Same inputs, same txs, same nonces: the output is byte-identical on every run.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Wallet, keccak256, toUtf8Bytes, getAddress, toBeHex, parseEther } from "ethers";
import { startAnvil } from "./lib/anvil.mjs";
import { deploy, makeSigner } from "./deploy.mjs";

const ROOT = dirname(fileURLToPath(import.meta.url));
const OUT = join(ROOT, "genesis", "l1.json");

export const L1_CHAIN_ID = 31337;
export const L2_CHAIN_ID = 270n;
/** Governor key: deploys everything and owns it. Public, like every devnet key. */
export const GOVERNOR_KEY = keccak256(toUtf8Bytes("zkos-dev L1 governor"));
/** Dev account #9 (m/44'/60'/0'/0/9): validator (operator) of chain 270. */
export const OPERATOR_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
/** What anvil gives each dev account, and what the genesis gives the governor and the operator. */
const BALANCE = parseEther("10000");
const SKIP = new Set([
  "0x0000000000000000000000000000000000000000",
  "0x0000f90827f1c53a10cb7a02335b175320002935",
]);

async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

const hex = (v) => toBeHex(BigInt(v));
const sorted = (obj) => Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));

/** Deploys on a fresh anvil and returns the genesis object. */
export async function buildGenesis() {
  const anvil = await startAnvil(["--chain-id", String(L1_CHAIN_ID)]);
  try {
    const plain = new Set((await rpc(anvil.url, "eth_accounts")).map((a) => a.toLowerCase()));
    const governor = new Wallet(GOVERNOR_KEY).address;
    const operator = new Wallet(OPERATOR_KEY).address;
    await rpc(anvil.url, "anvil_setBalance", [governor, hex(BALANCE)]);
    const signer = await makeSigner(anvil.url, GOVERNOR_KEY);
    const deployment = await deploy({ signer, operator, chainId: L2_CHAIN_ID, mockVerifier: true });
    signer.provider.destroy();

    const dump = JSON.parse(gunzipSync(Buffer.from((await rpc(anvil.url, "anvil_dumpState")).slice(2), "hex")));
    const alloc = {};
    for (const [address, account] of Object.entries(dump.accounts)) {
      const a = address.toLowerCase();
      const storage = sorted(
        Object.fromEntries(
          Object.entries(account.storage ?? {})
            .map(([k, v]) => [hex(k), hex(v)])
            .filter(([, v]) => BigInt(v) !== 0n),
        ),
      );
      const isPlain =
        plain.has(a) && BigInt(account.balance) === BALANCE && BigInt(account.nonce) === 0n &&
        (account.code ?? "0x") === "0x" && Object.keys(storage).length === 0;
      if (isPlain && a !== operator.toLowerCase()) continue;
      // Not genesis material: the coinbase's tips from the deploy txs and anvil's EIP-2935
      // block-hash history (its storage holds anvil's block hashes, which change every run).
      // anvil's CREATE2 deployer (0x4e59…956C, used by `forge script`) is kept.
      if (SKIP.has(a)) continue;
      alloc[getAddress(a)] = {
        balance: hex(account.balance),
        nonce: Number(BigInt(account.nonce)),
        code: account.code ?? "0x",
        storage,
      };
    }
    const contracts = {
      bridgehub: deployment.bridgehub,
      zkChain: deployment.zkChain,
      verifier: deployment.verifier,
      l1Nullifier: deployment.l1Nullifier,
      l1AssetRouter: deployment.l1AssetRouter,
      l1NativeTokenVault: deployment.l1NativeTokenVault,
      validatorTimelock: deployment.validatorTimelock,
      chainTypeManager: deployment.chainTypeManager,
    };
    return {
      l1ChainId: L1_CHAIN_ID,
      l2ChainId: Number(L2_CHAIN_ID),
      governor,
      governorPrivateKey: GOVERNOR_KEY,
      operator,
      mockVerifier: true,
      minimalL2GasPrice: 1000,
      genesisStoredBatchInfo: deployment.genesisStoredBatchInfo,
      contracts,
      alloc: sorted(alloc),
    };
  } finally {
    await anvil.stop();
  }
}

async function main() {
  const text = JSON.stringify(await buildGenesis(), null, 2) + "\n";
  if (process.argv.includes("--check")) {
    let committed = "";
    try {
      committed = readFileSync(OUT, "utf8");
    } catch {}
    if (committed !== text) {
      console.error("state/genesis/l1.json is stale: run `node genesis.mjs` and commit the result");
      process.exit(1);
    }
    console.log("state/genesis/l1.json is up to date");
    return;
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e.shortMessage ?? e.message);
    process.exit(1);
  });
}
