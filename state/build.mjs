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
  "L1Messenger",
  "L2BaseToken",
];

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
  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) {
    if (e.severity !== "error") console.error(e.formattedMessage);
  }
  if (errors.length) {
    for (const e of errors) console.error(e.formattedMessage);
    throw new Error(`compilation failed with ${errors.length} error(s)`);
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
