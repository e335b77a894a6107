import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { keccak256, id } from "ethers";
import { compile, ARTIFACT_CONTRACTS } from "../build.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

test("committed artifacts equal a fresh build", () => {
  const fresh = compile();
  assert.deepEqual(Object.keys(fresh).sort(), [...ARTIFACT_CONTRACTS].sort());
  for (const [name, text] of Object.entries(fresh)) {
    const committed = readFileSync(join(ROOT, "artifacts", `${name}.json`), "utf8");
    assert.equal(committed, text, `artifacts/${name}.json is stale: run node build.mjs`);
    const a = JSON.parse(committed);
    assert.ok(a.abi.length > 0);
    assert.match(a.bytecode.object, /^0x[0-9a-f]+$/);
    assert.match(a.deployedBytecode.object, /^0x[0-9a-f]+$/);
  }
});

test("build.mjs --check exits 0 on the committed tree", () => {
  const out = execFileSync(process.execPath, [join(ROOT, "build.mjs"), "--check"], { encoding: "utf8" });
  assert.match(out, /artifacts up to date/);
});

test("constants in Config.sol match what they claim to be", () => {
  const config = readFileSync(join(ROOT, "contracts/common/Config.sol"), "utf8");
  const constant = (name) => config.match(new RegExp(`${name} = (0x[0-9a-fA-F]+)`))[1].toLowerCase();
  assert.equal(constant("L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH"), keccak256(new Uint8Array(88)));
  assert.equal(constant("EMPTY_STRING_KECCAK"), keccak256("0x"));
  // The selector L1 expects at the start of a withdrawal message (era-contracts IMailboxImpl).
  const nullifier = JSON.parse(readFileSync(join(ROOT, "artifacts/L2BaseToken.json"), "utf8"));
  assert.ok(nullifier.deployedBytecode.object.includes(id("finalizeEthWithdrawal(uint256,uint256,uint16,bytes,bytes32[])").slice(2, 10)));
});
