// geth tracing compared with a real anvil: the same transactions are sent to the node under test
// and to a reference anvil (npm @foundry-rs/anvil 1.7.1, started here too), then
// `debug_traceTransaction` with `callTracer` (withLog) and `prestateTracer` (plain and diffMode)
// must give the same result on both, apart from what is legitimately chain-specific:
//
//   - `gas` / `gasUsed` of every call frame: not compared (zkos-dev reports the frame's gas limit
//     differently from geth, which gives the gas left after the intrinsic cost).
//   - account `balance` values in prestateTracer: zkos-dev's base fee is a constant 1000 wei, anvil's
//     is 1 gwei and moves with EIP-1559, so the sender's balance after fees differs. Which accounts
//     carry a `balance` field is still compared. Every tx is sent with maxPriorityFeePerGas = 0, so
//     the coinbase (the zero address on both) earns nothing and its balance never changes.
//
//   - accounts that were empty before the tx (no balance, nonce or code: the coinbase, a contract
//     being created) in plain prestateTracer: zkos-dev omits them, as geth does (revm-inspectors
//     0.44: "Geth omits accounts that were empty before execution"); anvil 1.7.1 lists them with
//     `{"balance":"0x0"}`. Such entries are dropped (only when empty) before comparing.
//
// Everything else is compared exactly: call types, from/to, input, output, value, error,
// revertReason, nested calls, logs (address, topics, data, index, position), code, nonces, storage,
// and which accounts a prestate lists.
//
// Contracts: Counter and Token from tests/contracts, plus a 46-byte forwarder (raw bytecode below)
// that CALLs Counter with its own calldata and bubbles the result or revert, for nested frames.
//
// With E2E_NODE=anvil the node under test is anvil too: the comparison is then anvil against anvil,
// and the absolute expectations on each trace (types, reasons, logs, nesting) still apply.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { encodeFunctionData, encodeDeployData, parseEther, pad, numberToHex, keccak256, toHex } from "viem";
import { startNode, artifact, DEV_ACCOUNTS, NODE_KIND } from "./harness.mjs";

const counterArt = artifact("Counter");
const tokenArt = artifact("Token");
const FROM = DEV_ACCOUNTS[0].address.toLowerCase();
const OTHER = DEV_ACCOUNTS[1].address.toLowerCase();
const ZERO = "0x0000000000000000000000000000000000000000";
const GAS = "0x100000";
const FEES = { maxFeePerGas: "0x2540be400", maxPriorityFeePerGas: "0x0" }; // 10 gwei cap, no tip
const INCREMENTED = keccak256(toHex("Incremented(address,uint256)"));
const TRANSFER = keccak256(toHex("Transfer(address,address,uint256)"));

/** Init code of a contract whose runtime CALLs `target` with its calldata, then returns or reverts its returndata. */
function forwarderInitCode(target) {
  // runtime (46 bytes):
  //   CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY
  //   PUSH0 PUSH0 CALLDATASIZE PUSH0 PUSH0 PUSH20 target GAS CALL
  //   RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY
  //   PUSH1 0x2a JUMPI RETURNDATASIZE PUSH0 REVERT JUMPDEST RETURNDATASIZE PUSH0 RETURN
  const runtime = "365f5f37" + "5f5f365f5f73" + target.slice(2).toLowerCase() + "5af1" + "3d5f5f3e" + "602a57" + "3d5ffd" + "5b3d5ff3";
  assert.equal(runtime.length / 2, 0x2e);
  // init: PUSH1 0x2e DUP1 PUSH1 0x09 PUSH0 CODECOPY PUSH0 RETURN
  return "0x602e8060095f395ff3" + runtime;
}

let node; // under test
let ref; // reference anvil
const txs = {}; // name -> { [kind]: receipt }
const addrs = {};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function send(n, tx) {
  const hash = await n.rpc("eth_sendTransaction", [{ from: FROM, gas: GAS, ...FEES, ...tx }]);
  for (let i = 0; i < 600; i++) {
    const rcpt = await n.rpc("eth_getTransactionReceipt", [hash]);
    if (rcpt) return rcpt;
    await sleep(50);
  }
  throw new Error(`${n.kind}: no receipt for ${hash}`);
}

/** The scenario, run identically on both nodes. Addresses come out the same (same sender, same nonces). */
async function scenario(n) {
  const r = {};
  r.deployCounter = await send(n, { data: counterArt.bytecode });
  const counter = r.deployCounter.contractAddress;
  r.increment = await send(n, { to: counter, data: encodeFunctionData({ abi: counterArt.abi, functionName: "increment" }) });
  r.fail = await send(n, { to: counter, data: encodeFunctionData({ abi: counterArt.abi, functionName: "fail" }) });
  r.deployToken = await send(n, { data: encodeDeployData({ abi: tokenArt.abi, bytecode: tokenArt.bytecode, args: [parseEther("1000")] }) });
  const token = r.deployToken.contractAddress;
  r.tokenTransfer = await send(n, { to: token, data: encodeFunctionData({ abi: tokenArt.abi, functionName: "transfer", args: [OTHER, parseEther("12.5")] }) });
  r.tokenTransferFromNoAllowance = await send(n, {
    to: token,
    data: encodeFunctionData({ abi: tokenArt.abi, functionName: "transferFrom", args: [OTHER, FROM, 1n] }),
  });
  r.deployForwarder = await send(n, { data: forwarderInitCode(counter) });
  const forwarder = r.deployForwarder.contractAddress;
  r.nestedIncrement = await send(n, { to: forwarder, data: encodeFunctionData({ abi: counterArt.abi, functionName: "increment" }) });
  r.nestedFail = await send(n, { to: forwarder, data: encodeFunctionData({ abi: counterArt.abi, functionName: "fail" }) });
  r.ethTransfer = await send(n, { to: OTHER, value: "0xde0b6b3a7640000" });
  return { r, counter: counter.toLowerCase(), token: token.toLowerCase(), forwarder: forwarder.toLowerCase() };
}

const NAMES = [
  "deployCounter",
  "increment",
  "fail",
  "deployToken",
  "tokenTransfer",
  "tokenTransferFromNoAllowance",
  "deployForwarder",
  "nestedIncrement",
  "nestedFail",
  "ethTransfer",
];
const REVERTED = new Set(["fail", "tokenTransferFromNoAllowance", "nestedFail"]);

before(async () => {
  // Compared with anvil, so under Ethereum's rules (ZKsync OS pays the base fee to the fee
  // account, which would show in every prestate diff).
  const args = NODE_KIND === "anvil" ? [] : ["--evm-rules", "ethereum"];
  [node, ref] = await Promise.all([startNode({ args }), startNode({ kind: "anvil" })]);
  const [a, b] = await Promise.all([scenario(node), scenario(ref)]);
  for (const name of NAMES) txs[name] = { node: a.r[name], ref: b.r[name] };
  Object.assign(addrs, { counter: a.counter, token: a.token, forwarder: a.forwarder });
  assert.deepEqual([b.counter, b.token, b.forwarder], [a.counter, a.token, a.forwarder], "same addresses on both nodes");
});

after(async () => {
  await Promise.all([node?.stop(), ref?.stop()]);
});

/** Deep copy without gas/gasUsed, addresses and hex lower-cased. */
function stripGas(v) {
  if (Array.isArray(v)) return v.map(stripGas);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== "gas" && k !== "gasUsed")
        .map(([k, x]) => [k, stripGas(x)]),
    );
  }
  return typeof v === "string" && v.startsWith("0x") ? v.toLowerCase() : v;
}

/** prestate result with every `balance` value replaced by a marker (presence still compared). */
function maskBalances(v) {
  if (Array.isArray(v)) return v.map(maskBalances);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k.startsWith("0x") ? k.toLowerCase() : k, k === "balance" ? "<balance>" : maskBalances(x)]),
    );
  }
  return typeof v === "string" && v.startsWith("0x") ? v.toLowerCase() : v;
}

/** A plain prestate without the accounts that were empty before the tx (see the header). */
function withoutEmptyAccounts(prestate) {
  const isEmpty = (acc) =>
    BigInt(acc.balance ?? 0) === 0n && !acc.nonce && (!acc.code || acc.code === "0x") && !Object.keys(acc.storage ?? {}).length;
  return Object.fromEntries(Object.entries(prestate).filter(([, acc]) => !isEmpty(acc)));
}

async function traceBoth(name, config) {
  const { node: a, ref: b } = txs[name];
  const req = (rcpt) => [rcpt.transactionHash, config];
  const [x, y] = await Promise.all([node.rpc("debug_traceTransaction", req(a)), ref.rpc("debug_traceTransaction", req(b))]);
  return { mine: x, anvil: y, request: { method: "debug_traceTransaction", params: ["<hash>", config] } };
}

const show = (o) => JSON.stringify(o, (k, v) => (typeof v === "string" && v.length > 140 ? `${v.slice(0, 60)}…(${v.length} chars)` : v), 1);

test("trace scenario: same receipts (status, contract address, logs) on both nodes", () => {
  for (const name of NAMES) {
    const { node: a, ref: b } = txs[name];
    assert.equal(a.status, REVERTED.has(name) ? "0x0" : "0x1", `${name} status on ${node.kind}`);
    assert.equal(a.status, b.status, name);
    assert.equal(a.contractAddress?.toLowerCase() ?? null, b.contractAddress?.toLowerCase() ?? null, name);
    assert.equal(a.gasUsed, b.gasUsed, `${name}: receipt gasUsed ${a.gasUsed} vs anvil ${b.gasUsed}`);
    assert.deepEqual(
      a.logs.map((l) => [l.address.toLowerCase(), l.topics, l.data]),
      b.logs.map((l) => [l.address.toLowerCase(), l.topics, l.data]),
      name,
    );
  }
});

// Absolute expectations for the callTracer result of each tx on the node under test (gas stripped).
const pad32 = (a) => pad(a, { size: 32 }).toLowerCase();
const EXPECT = {
  deployCounter: (t) => {
    assert.equal(t.type, "CREATE");
    assert.equal(t.to, addrs.counter);
    assert.equal(t.output, counterArt.deployedBytecode.toLowerCase());
  },
  increment: (t) => {
    assert.equal(t.type, "CALL");
    assert.equal(t.to, addrs.counter);
    assert.equal(t.calls, undefined);
    assert.deepEqual(t.logs, [
      { address: addrs.counter, topics: [INCREMENTED, pad32(FROM)], data: pad32("0x01"), index: "0x0", position: "0x0" },
    ]);
  },
  fail: (t) => {
    assert.equal(t.error, "execution reverted");
    assert.equal(t.revertReason, "counter: failure");
    assert.match(t.output, /^0x08c379a0/);
    assert.equal(t.logs, undefined);
  },
  deployToken: (t) => {
    assert.equal(t.type, "CREATE");
    assert.equal(t.to, addrs.token);
    assert.equal(t.logs.length, 1);
    assert.deepEqual(t.logs[0].topics, [TRANSFER, pad32(ZERO), pad32(FROM)]);
  },
  tokenTransfer: (t) => {
    assert.equal(t.output, pad32("0x01"));
    assert.deepEqual(t.logs[0].topics, [TRANSFER, pad32(FROM), pad32(OTHER)]);
    assert.equal(t.logs[0].data, pad32(numberToHex(parseEther("12.5"))));
  },
  tokenTransferFromNoAllowance: (t) => {
    assert.equal(t.error, "execution reverted");
    assert.equal(t.revertReason, "Token: insufficient allowance");
  },
  deployForwarder: (t) => {
    assert.equal(t.type, "CREATE");
    assert.equal(t.to, addrs.forwarder);
    assert.equal(t.output.length, 2 + 2 * 0x2e);
  },
  nestedIncrement: (t) => {
    assert.equal(t.to, addrs.forwarder);
    assert.equal(t.logs, undefined, "the log belongs to the inner frame");
    assert.equal(t.calls?.length, 1, show(t));
    const inner = t.calls[0];
    assert.equal(inner.type, "CALL");
    assert.equal(inner.from, addrs.forwarder);
    assert.equal(inner.to, addrs.counter);
    assert.equal(inner.input, t.input);
    // position: the log's index among the frame's children (0: before the frame's first call)
    assert.deepEqual(inner.logs, [
      { address: addrs.counter, topics: [INCREMENTED, pad32(addrs.forwarder)], data: pad32("0x02"), index: "0x0", position: "0x0" },
    ]);
  },
  nestedFail: (t) => {
    assert.equal(t.error, "execution reverted");
    assert.equal(t.revertReason, "counter: failure");
    assert.equal(t.calls?.length, 1, show(t));
    assert.equal(t.calls[0].to, addrs.counter);
    assert.equal(t.calls[0].error, "execution reverted");
    assert.equal(t.calls[0].revertReason, "counter: failure");
    assert.equal(t.calls[0].output, t.output);
  },
  ethTransfer: (t) => {
    assert.equal(t.type, "CALL");
    assert.equal(t.to, OTHER);
    assert.equal(t.value, "0xde0b6b3a7640000");
    assert.equal(t.input, "0x");
    assert.equal(t.calls, undefined);
  },
};

for (const name of NAMES) {
  test(`callTracer withLog: ${name} matches anvil (gas/gasUsed ignored)`, async () => {
    const config = { tracer: "callTracer", tracerConfig: { withLog: true } };
    const { mine, anvil, request } = await traceBoth(name, config);
    const a = stripGas(mine);
    const b = stripGas(anvil);
    assert.equal(a.from, FROM);
    EXPECT[name](a);
    assert.deepEqual(a, b, `${show(request)}\n${node.kind}: ${show(a)}\nanvil: ${show(b)}`);
  });
}

for (const name of ["deployCounter", "increment", "fail", "tokenTransfer", "nestedIncrement"]) {
  test(`prestateTracer: ${name} matches anvil (balance values ignored)`, async () => {
    const { mine, anvil, request } = await traceBoth(name, { tracer: "prestateTracer" });
    const a = maskBalances(withoutEmptyAccounts(mine));
    const b = maskBalances(withoutEmptyAccounts(anvil));
    assert.ok(a[FROM], `sender missing: ${show(a)}`);
    assert.deepEqual(a, b, `${show(request)}\n${node.kind}: ${show(a)}\nanvil: ${show(b)}`);
  });

  test(`prestateTracer diffMode: ${name} matches anvil (balance values ignored)`, async () => {
    const { mine, anvil, request } = await traceBoth(name, { tracer: "prestateTracer", tracerConfig: { diffMode: true } });
    const a = maskBalances(mine);
    const b = maskBalances(anvil);
    assert.equal(a.post[FROM]?.nonce, (a.pre[FROM]?.nonce ?? 0) + 1, `sender nonce: ${show(a)}`);
    assert.deepEqual(a, b, `${show(request)}\n${node.kind}: ${show(a)}\nanvil: ${show(b)}`);
  });
}
