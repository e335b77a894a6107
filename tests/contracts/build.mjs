#!/usr/bin/env node
// Compiles tests/contracts/src/*.sol offline with npm solc@0.8.30 (solcjs) and writes
// Foundry-shaped artifacts to tests/contracts/out/<Name>.json:
//   {"abi": [...], "bytecode": {"object": "0x..."}, "deployedBytecode": {"object": "0x..."}}
//
// Usage:
//   node tests/contracts/build.mjs           # (re)write the artifacts
//   node tests/contracts/build.mjs --check   # exit 1 if the committed artifacts are stale
//
// solc is resolved from tests/e2e/node_modules (run `npm ci` in tests/e2e first).
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const srcDir = join(here, "src");
const outDir = join(here, "out");
const check = process.argv.includes("--check");

const SOLC_VERSION = "0.8.30";
const EVM_VERSION = "cancun";

let solc;
try {
  solc = createRequire(join(here, "..", "e2e", "package.json"))("solc");
} catch (e) {
  console.error(
    "build.mjs: cannot load npm 'solc' from tests/e2e/node_modules; run `npm ci` in tests/e2e first\n" + e.message,
  );
  process.exit(2);
}
if (!solc.version().startsWith(SOLC_VERSION + "+")) {
  console.error(`build.mjs: expected solc ${SOLC_VERSION}, got ${solc.version()}`);
  process.exit(2);
}

const files = readdirSync(srcDir).filter((f) => f.endsWith(".sol")).sort();
const sources = {};
for (const f of files) sources[f] = { content: readFileSync(join(srcDir, f), "utf8") };

const input = {
  language: "Solidity",
  sources,
  settings: {
    evmVersion: EVM_VERSION,
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};

const output = JSON.parse(
  solc.compile(JSON.stringify(input), {
    import: (p) => {
      const full = join(srcDir, p);
      return existsSync(full) ? { contents: readFileSync(full, "utf8") } : { error: `not found: ${p}` };
    },
  }),
);
const errors = (output.errors ?? []).filter((e) => e.severity === "error");
for (const e of output.errors ?? []) console.error(e.formattedMessage ?? e.message);
if (errors.length) process.exit(1);

mkdirSync(outDir, { recursive: true });
let stale = [];
for (const file of files) {
  for (const [name, c] of Object.entries(output.contracts[file] ?? {})) {
    const artifact = {
      abi: c.abi,
      bytecode: { object: "0x" + c.evm.bytecode.object },
      deployedBytecode: { object: "0x" + c.evm.deployedBytecode.object },
    };
    const text = JSON.stringify(artifact, null, 2) + "\n";
    const path = join(outDir, `${name}.json`);
    if (check) {
      const old = existsSync(path) ? readFileSync(path, "utf8") : null;
      if (old !== text) stale.push(`tests/contracts/out/${name}.json`);
    } else {
      writeFileSync(path, text);
      console.log(`wrote tests/contracts/out/${name}.json`);
    }
  }
}
if (check) {
  if (stale.length) {
    console.error(
      "build.mjs --check: committed artifacts are stale (run `node tests/contracts/build.mjs`):\n  " + stale.join("\n  "),
    );
    process.exit(1);
  }
  console.log(`build.mjs --check: ${files.length} source file(s), artifacts up to date (solc ${solc.version()}, ${EVM_VERSION})`);
}
