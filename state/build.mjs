#!/usr/bin/env node
// Compiles state/contracts/**/*.sol with npm solc@0.8.30 (solcjs) and writes
// state/artifacts/<Name>.json = {contractName, sourceName, abi, bytecode: {object}, deployedBytecode: {object}}.
//
//   node build.mjs           rebuild the artifacts
//   node build.mjs --check   exit 1 if the committed artifacts differ from a fresh build
//
// Deterministic: sources are read in sorted order under fixed relative names, the compiler
// version is pinned by package-lock.json, and the JSON is written with a fixed key order.
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync, unlinkSync } from "node:fs";
import { join, relative, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const solc = require("solc");

const ROOT = dirname(fileURLToPath(import.meta.url));
const CONTRACTS = join(ROOT, "contracts");
const ARTIFACTS = join(ROOT, "artifacts");
export const SOLC_VERSION = "0.8.30";

/// Contracts that get an artifact (deployable ones). Interfaces and libraries are compiled but
/// not written: their ABIs are part of the contracts that implement them.
export const ARTIFACT_CONTRACTS = [
  "Bridgehub",
  "ChainTypeManager",
  "ValidatorTimelock",
  "ZKChain",
  "Verifier",
  "L1Nullifier",
  "L1AssetRouter",
  "L1NativeTokenVault",
  "L1Messenger",
  "L2BaseToken",
  "L2AssetRouter",
  "L2NativeTokenVault",
  "BridgedStandardERC20",
  "MessageRoot",
  "L2InteropRootStorage",
  "L2MessageVerification",
  "InteropCenter",
  "InteropHandler",
  "TestnetERC20Token",
];

/// The official interfaces (npm `@matterlabs/zksync-contracts`, pinned) each contract is checked
/// against: every function and event of ours whose name an interface has must have exactly its
/// signature (inputs and outputs), so selectors, events and return shapes cannot drift.
const OFFICIAL = "@matterlabs/zksync-contracts/contracts/l1-contracts/";
export const INTERFACES = {
  Bridgehub: ["bridgehub/IBridgehub.sol:IBridgehub"],
  ChainTypeManager: ["state-transition/IChainTypeManager.sol:IChainTypeManager"],
  ZKChain: ["state-transition/chain-interfaces/IZKChain.sol:IZKChain"],
  L1Nullifier: ["bridge/interfaces/IL1Nullifier.sol:IL1Nullifier"],
  L1AssetRouter: ["bridge/asset-router/IL1AssetRouter.sol:IL1AssetRouter"],
  L1NativeTokenVault: [
    "bridge/ntv/IL1NativeTokenVault.sol:IL1NativeTokenVault",
    "bridge/interfaces/IAssetHandler.sol:IAssetHandler",
  ],
  L2AssetRouter: [
    "bridge/asset-router/IL2AssetRouter.sol:IL2AssetRouter",
    "bridge/interfaces/IL2SharedBridgeLegacyFunctions.sol:IL2SharedBridgeLegacyFunctions",
    "bridge/interfaces/IL2SharedBridgeLegacy.sol:IL2SharedBridgeLegacy",
  ],
  L2NativeTokenVault: [
    "bridge/ntv/IL2NativeTokenVault.sol:IL2NativeTokenVault",
    "bridge/interfaces/IAssetHandler.sol:IAssetHandler",
  ],
  BridgedStandardERC20: ["bridge/interfaces/IBridgedStandardToken.sol:IBridgedStandardToken"],
};

/// What the SDKs (zksync-ethers, viem, zksync-js) call: each must exist in ours and, by the
/// rule above, with the official signature.
export const REQUIRED = {
  Bridgehub: [
    "assetRouter", "sharedBridge", "baseTokenAssetId", "requestL2TransactionDirect",
    "requestL2TransactionTwoBridges", "l2TransactionBaseCost", "getZKChain", "baseToken",
    "proveL2MessageInclusion", "proveL1ToL2TransactionStatus",
  ],
  ChainTypeManager: ["getSemverProtocolVersion", "protocolVersion"],
  ZKChain: ["getTotalBatchesExecuted", "getPubdataPricingMode", "getProtocolVersion"],
  L1Nullifier: ["l1NativeTokenVault", "finalizeDeposit", "isWithdrawalFinalized", "claimFailedDeposit", "bridgeRecoverFailedTransfer", "depositHappened"],
  L1AssetRouter: [
    "L1_NULLIFIER", "nativeTokenVault", "assetHandlerAddress", "bridgehubDeposit", "finalizeWithdrawal",
    "finalizeDeposit", "isWithdrawalFinalized", "L1_WETH_TOKEN", "ETH_TOKEN_ASSET_ID",
  ],
  L1NativeTokenVault: ["assetId", "tokenAddress", "originChainId", "WETH_TOKEN", "getERC20Getters", "L1_NULLIFIER", "ASSET_ROUTER"],
  L2AssetRouter: ["L1_ASSET_ROUTER", "withdraw", "finalizeDeposit", "l1TokenAddress", "l2TokenAddress"],
  L2NativeTokenVault: [
    "L1_CHAIN_ID", "BASE_TOKEN_ASSET_ID", "WETH_TOKEN", "assetId", "tokenAddress", "originChainId", "l2TokenAddress",
    "ensureTokenIsRegistered", // zksync-js, before an interop ERC-20 transfer
  ],
  BridgedStandardERC20: ["l1Address", "originToken", "assetId", "bridgeMint", "bridgeBurn"],
};

/// Public in the real contracts but in none of the interfaces above.
const BEYOND_INTERFACES = {
  Bridgehub: ["sharedBridge"], // pre-v26 name of assetRouter(), still read by zksync-ethers
  L2NativeTokenVault: ["BASE_TOKEN_ASSET_ID"], // a public immutable of L2NativeTokenVault
};

const typeOf = (p) =>
  p.type.startsWith("tuple") ? `(${p.components.map(typeOf).join(",")})${p.type.slice(5)}` : p.type;
const sig = (item) => `${item.name}(${item.inputs.map(typeOf).join(",")})`;
const full = (item) =>
  item.type === "function"
    ? `${sig(item)} returns (${(item.outputs ?? []).map(typeOf).join(",")})`
    : `${sig(item)} ${item.inputs.map((i) => (i.indexed ? "i" : "-")).join("")}`;

/// Errors (one line each) for every contract that differs from its official interfaces.
export function interfaceMismatches(output) {
  const problems = [];
  const ours = {};
  for (const contracts of Object.values(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) if (INTERFACES[name]) ours[name] = c.abi;
  }
  for (const [name, ifaces] of Object.entries(INTERFACES)) {
    const official = ifaces.flatMap((id) => {
      const [file, iface] = id.split(":");
      const abi = output.contracts[OFFICIAL + file]?.[iface]?.abi;
      if (!abi) problems.push(`${name}: official interface ${id} not compiled`);
      return abi ?? [];
    });
    const byName = new Map();
    for (const item of official.filter((i) => i.type === "function" || i.type === "event")) {
      const key = `${item.type} ${item.name}`;
      byName.set(key, [...(byName.get(key) ?? []), full(item)]);
    }
    const abi = ours[name] ?? [];
    for (const item of abi.filter((i) => i.type === "function" || i.type === "event")) {
      const theirs = byName.get(`${item.type} ${item.name}`);
      if (theirs && !theirs.includes(full(item))) {
        problems.push(`${name}: ${item.type} ${full(item)} differs from the official ${theirs.join(" | ")}`);
      }
    }
    for (const fn of REQUIRED[name] ?? []) {
      if (!abi.some((i) => i.type === "function" && i.name === fn)) problems.push(`${name}: missing ${fn}`);
      if (!byName.has(`function ${fn}`) && !(BEYOND_INTERFACES[name] ?? []).includes(fn)) problems.push(`${name}: ${fn} is not in the official interfaces`);
    }
  }
  return problems;
}

function findImports(path) {
  try {
    return { contents: readFileSync(require.resolve(path), "utf8") };
  } catch (e) {
    return { error: `${path}: ${e.message}` };
  }
}

function listSources(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSources(p));
    else if (entry.name.endsWith(".sol")) out.push(p);
  }
  return out;
}

export function compile() {
  if (!solc.version().startsWith(SOLC_VERSION + "+")) {
    throw new Error(`solc ${SOLC_VERSION} expected, got ${solc.version()} (run npm ci)`);
  }
  const sources = {};
  for (const file of listSources(CONTRACTS)) {
    sources[relative(ROOT, file).split("\\").join("/")] = { content: readFileSync(file, "utf8") };
  }
  for (const id of new Set(Object.values(INTERFACES).flat())) {
    const path = OFFICIAL + id.split(":")[0];
    sources[path] = { content: readFileSync(require.resolve(path), "utf8") };
  }
  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) {
    if (e.severity !== "error") console.error(e.formattedMessage);
  }
  if (errors.length) {
    for (const e of errors) console.error(e.formattedMessage);
    throw new Error(`compilation failed with ${errors.length} error(s)`);
  }
  const mismatches = interfaceMismatches(output);
  if (mismatches.length) {
    for (const m of mismatches) console.error(m);
    throw new Error(`${mismatches.length} difference(s) from the official interfaces`);
  }
  const artifacts = {};
  for (const [sourceName, contracts] of Object.entries(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) {
      if (!ARTIFACT_CONTRACTS.includes(name)) continue;
      if (artifacts[name]) throw new Error(`contract name ${name} is not unique`);
      const artifact = {
        contractName: name,
        sourceName,
        compiler: `solc ${solc.version()}`,
        abi: c.abi,
        bytecode: { object: "0x" + c.evm.bytecode.object },
        deployedBytecode: { object: "0x" + c.evm.deployedBytecode.object },
      };
      artifacts[name] = JSON.stringify(artifact, null, 2) + "\n";
    }
  }
  for (const name of ARTIFACT_CONTRACTS) {
    if (!artifacts[name]) throw new Error(`no contract named ${name} in the sources`);
  }
  return artifacts;
}

function main() {
  const check = process.argv.includes("--check");
  const artifacts = compile();
  const existing = existsSync(ARTIFACTS) ? readdirSync(ARTIFACTS).filter((f) => f.endsWith(".json")) : [];
  if (check) {
    const stale = [];
    for (const [name, text] of Object.entries(artifacts)) {
      const path = join(ARTIFACTS, `${name}.json`);
      if (!existsSync(path) || readFileSync(path, "utf8") !== text) stale.push(`${name}.json`);
    }
    for (const f of existing) if (!artifacts[f.replace(/\.json$/, "")]) stale.push(`${f} (no longer built)`);
    if (stale.length) {
      console.error(`stale artifacts: ${stale.join(", ")}\nrun: cd state && node build.mjs`);
      process.exit(1);
    }
    console.log(`artifacts up to date (${Object.keys(artifacts).length} contracts, solc ${solc.version()})`);
    return;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of existing) if (!artifacts[f.replace(/\.json$/, "")]) unlinkSync(join(ARTIFACTS, f));
  for (const [name, text] of Object.entries(artifacts)) writeFileSync(join(ARTIFACTS, `${name}.json`), text);
  console.log(`wrote ${Object.keys(artifacts).length} artifacts to ${relative(process.cwd(), ARTIFACTS) || "."}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
