// The node's own per-transaction output (anvil style), read from the stdout of a node started
// WITHOUT `--silent`: the created contract of a deploy and the decoded revert reason of a reverted
// transaction (sent with a manual gas limit, so it is mined instead of failing estimation).
// Same assertions against zkos-dev and the anvil baseline (anvil prints the same lines).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { encodeFunctionData, getAddress } from "viem";
import { startNode, artifact, DEV_ACCOUNTS, NODE_KIND } from "./harness.mjs";

const counterArt = artifact("Counter");
const FROM = DEV_ACCOUNTS[0].address;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let node;
let deploy, increment, failed;

async function send(tx) {
  const hash = await node.rpc("eth_sendTransaction", [{ from: FROM, ...tx }]);
  for (let i = 0; i < 600; i++) {
    const rcpt = await node.rpc("eth_getTransactionReceipt", [hash]);
    if (rcpt) return rcpt;
    await sleep(50);
  }
  throw new Error(`no receipt for ${hash}`);
}

/** The output section of one transaction: from its `Transaction: <hash>` line to the next one. */
async function section(hash) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = node.logs();
    const lower = text.toLowerCase();
    const start = lower.indexOf(`transaction: ${hash.toLowerCase()}`);
    if (start >= 0) {
      const rest = text.slice(start);
      const next = rest.indexOf("Transaction: ", 1);
      const sec = next < 0 ? rest : rest.slice(0, next);
      // the section is complete once its block line is printed
      if (/Block Number: \d+/.test(sec)) return sec;
    }
    if (Date.now() > deadline) throw new Error(`no complete output section for ${hash} in the node's output:\n${text}`);
    await sleep(100);
  }
}

before(async () => {
  node = await startNode({ silent: false });
  deploy = await send({ data: counterArt.bytecode });
  increment = await send({ to: deploy.contractAddress, data: encodeFunctionData({ abi: counterArt.abi, functionName: "increment" }) });
  failed = await send({ to: deploy.contractAddress, data: encodeFunctionData({ abi: counterArt.abi, functionName: "fail" }), gas: "0x30000" });
});

after(async () => {
  await node?.stop();
});

test("node output: banner with the dev accounts and the listening address", () => {
  const text = node.logs();
  assert.match(text, /Available Accounts/);
  assert.ok(text.includes(FROM), text);
  assert.match(text, /Listening on 127\.0\.0\.1:\d+/);
});

test("node output: a deploy prints `Contract created: <address>` and its gas", async () => {
  assert.equal(deploy.status, "0x1");
  const sec = await section(deploy.transactionHash);
  assert.ok(sec.includes(`Contract created: ${getAddress(deploy.contractAddress)}`), sec);
  assert.ok(sec.includes(`Gas used: ${BigInt(deploy.gasUsed)}`), sec);
  assert.ok(sec.includes(`Block Number: ${BigInt(deploy.blockNumber)}`), sec);
  assert.ok(sec.includes(`Block Hash: ${deploy.blockHash}`), sec);
  assert.doesNotMatch(sec, /Error:/);
});

test("node output: a successful call prints no contract and no error", async () => {
  assert.equal(increment.status, "0x1");
  const sec = await section(increment.transactionHash);
  assert.ok(sec.includes(`Gas used: ${BigInt(increment.gasUsed)}`), sec);
  assert.doesNotMatch(sec, /Contract created:/);
  assert.doesNotMatch(sec, /Error:/);
});

test("node output: a mined reverted tx prints the decoded reason `counter: failure`", async () => {
  assert.equal(failed.status, "0x0", "the reverted tx is mined (manual gas limit)");
  const sec = await section(failed.transactionHash);
  assert.match(sec, /Error: reverted with: counter: failure\r?\n/, sec);
  assert.ok(sec.includes(`Gas used: ${BigInt(failed.gasUsed)}`), sec);
  assert.ok(sec.includes(`Block Number: ${BigInt(failed.blockNumber)}`), sec);
  assert.doesNotMatch(sec, /Contract created:/);
});

test("node output: a tx sent to the embedded L1 (where tools without an RPC URL land) is printed tagged [L1]", { skip: NODE_KIND === "anvil" && "anvil has no L1" }, async () => {
  const port = /and 127\.0\.0\.1:(\d+) \(L1\)/.exec(node.logs())?.[1];
  assert.ok(port, `the L1 port in the banner:\n${node.logs()}`);
  const l1 = `http://127.0.0.1:${port}`;
  const call = async (method, params) => {
    const res = await fetch(l1, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    return (await res.json()).result;
  };
  const hash = await call("eth_sendTransaction", [{ from: FROM, to: DEV_ACCOUNTS[1].address, value: "0x1" }]);
  assert.match(hash, /^0x[0-9a-f]{64}$/);
  const deadline = Date.now() + 10_000;
  while (!node.logs().toLowerCase().includes(`[l1]    transaction: ${hash}`)) {
    assert.ok(Date.now() < deadline, `no [L1] line for ${hash}:\n${node.logs()}`);
    await sleep(100);
  }
  const text = node.logs();
  const sec = text.slice(text.toLowerCase().indexOf(`[l1]    transaction: ${hash}`));
  assert.match(sec, /^\[L1\]    From: /m);
  assert.match(sec, /\[L1\]    Block Time: "\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000"/);
  // Settlement txs on the L1 get one line each (the L2's blocks settle within a second or so).
  const settlement = /\[L1\]    settlement: (commit|prove|execute) 0x[0-9a-f]{64}, block \d+/;
  while (!settlement.test(node.logs())) {
    assert.ok(Date.now() < deadline + 20_000, `no settlement line:\n${node.logs()}`);
    await sleep(100);
  }
});
