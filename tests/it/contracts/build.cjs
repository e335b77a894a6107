#!/usr/bin/env node
// Compiles tests/it/contracts/Tracer.sol into tests/it/contracts/Tracer.json (Foundry-shaped:
// {abi, bytecode: {object}, deployedBytecode: {object}}), with the settings of
// tests/contracts/build.mjs: npm solc 0.8.30 from tests/e2e/node_modules, cancun, optimizer 200.
// Usage: node tests/it/contracts/build.cjs   (run `npm ci` in tests/e2e first)
const path = require("node:path");
const fs = require("node:fs");

const here = __dirname;
const solc = require(path.join(here, "..", "..", "e2e", "node_modules", "solc"));
if (!solc.version().startsWith("0.8.30+")) throw new Error(`expected solc 0.8.30, got ${solc.version()}`);

const input = {
  language: "Solidity",
  sources: { "Tracer.sol": { content: fs.readFileSync(path.join(here, "Tracer.sol"), "utf8") } },
  settings: {
    evmVersion: "cancun",
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
for (const e of output.errors ?? []) console.error(e.formattedMessage ?? e.message);
if ((output.errors ?? []).some((e) => e.severity === "error")) process.exit(1);
const c = output.contracts["Tracer.sol"].Tracer;
const artifact = {
  abi: c.abi,
  bytecode: { object: "0x" + c.evm.bytecode.object },
  deployedBytecode: { object: "0x" + c.evm.deployedBytecode.object },
};
fs.writeFileSync(path.join(here, "Tracer.json"), JSON.stringify(artifact, null, 2) + "\n");
console.log(`wrote tests/it/contracts/Tracer.json (solc ${solc.version()})`);
