// The committed Foundry-shaped artifacts in tests/contracts/out are fresh (rebuilt with
// npm solc@0.8.30 and compared byte for byte) and expose the interface the tests rely on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { toFunctionSelector, toEventSelector, parseAbi } from "viem";
import { run, artifact, canonAbi, CONTRACTS_DIR } from "./harness.mjs";

test("tests/contracts/out is up to date with tests/contracts/src (build.mjs --check)", async () => {
  const r = await run(process.execPath, [join(CONTRACTS_DIR, "build.mjs"), "--check"], { cwd: CONTRACTS_DIR });
  assert.equal(r.code, 0, `stale artifacts:\n${r.stdout}\n${r.stderr}`);
});

const sigs = (abi) =>
  abi.filter((x) => x.type === "function").map((f) => toFunctionSelector(f));

test("Counter artifact: interface, bytecode shape", () => {
  const a = artifact("Counter");
  assert.match(a.bytecode, /^0x[0-9a-f]+$/);
  assert.match(a.deployedBytecode, /^0x[0-9a-f]+$/);
  const expected = parseAbi([
    "function number() view returns (uint256)",
    "function increment()",
    "function setNumber(uint256 n)",
    "function fail() pure",
    "function failCustom() view",
    "function divide(uint256 a, uint256 b) pure returns (uint256)",
    "event Incremented(address indexed by, uint256 newValue)",
    "error Unauthorized(address caller)",
  ]);
  assert.deepEqual(sigs(a.abi).sort(), sigs(expected).sort());
  const ev = a.abi.find((x) => x.type === "event");
  assert.equal(toEventSelector(ev), toEventSelector("event Incremented(address indexed by, uint256 newValue)"));
  assert.deepEqual(ev.inputs.map((i) => [i.name, i.type, i.indexed]), [["by", "address", true], ["newValue", "uint256", false]]);
  const err = a.abi.find((x) => x.type === "error");
  assert.equal(err.name, "Unauthorized");
  assert.deepEqual(err.inputs.map((i) => i.type), ["address"]);
  assert.equal(canonAbi(a.abi).length, 8);
});

test("Token artifact: ERC-20 interface", () => {
  const a = artifact("Token");
  assert.match(a.bytecode, /^0x[0-9a-f]+$/);
  const expected = parseAbi([
    "constructor(uint256 supply)",
    "function name() view returns (string)",
    "function symbol() view returns (string)",
    "function decimals() view returns (uint8)",
    "function totalSupply() view returns (uint256)",
    "function balanceOf(address) view returns (uint256)",
    "function allowance(address, address) view returns (uint256)",
    "function transfer(address to, uint256 value) returns (bool)",
    "function approve(address spender, uint256 value) returns (bool)",
    "function transferFrom(address from, address to, uint256 value) returns (bool)",
    "event Transfer(address indexed from, address indexed to, uint256 value)",
    "event Approval(address indexed owner, address indexed spender, uint256 value)",
  ]);
  assert.deepEqual(sigs(a.abi).sort(), sigs(expected).sort());
  const events = a.abi.filter((x) => x.type === "event").map((e) => toEventSelector(e)).sort();
  assert.deepEqual(events, expected.filter((x) => x.type === "event").map((e) => toEventSelector(e)).sort());
  const ctor = a.abi.find((x) => x.type === "constructor");
  assert.deepEqual(ctor.inputs.map((i) => i.type), ["uint256"]);
});
