// viem 2.x against the node, using chain `zksyncLocalNode` (id 270) from viem/chains, whose
// formatters parse the ZKsync receipt fields: deploy, read, write, getLogs,
// waitForTransactionReceipt, watchBlocks / watchContractEvent over WebSocket.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  webSocket,
  parseEther,
  parseEventLogs,
  BaseError,
  ContractFunctionRevertedError,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { zksyncLocalNode } from "viem/chains";
import { startNode, artifact, DEV_ACCOUNTS, RICH_ACCOUNT, INITIAL_BALANCE, CHAIN_ID } from "./harness.mjs";

const counterArt = artifact("Counter");
const tokenArt = artifact("Token");

let node, chain, publicClient, wallet, account;
let wsClients = [];
let counter; // address

const wait = (hash) => publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 });

before(async () => {
  node = await startNode();
  assert.equal(zksyncLocalNode.id, CHAIN_ID);
  chain = defineChain({ ...zksyncLocalNode, rpcUrls: { default: { http: [node.url], webSocket: [node.wsUrl] } } });
  publicClient = createPublicClient({ chain, transport: http(node.url), pollingInterval: 100 });
  account = privateKeyToAccount(DEV_ACCOUNTS[0].key);
  wallet = createWalletClient({ account, chain, transport: http(node.url) });
});

after(async () => {
  for (const c of wsClients) {
    try {
      (await c.transport.getRpcClient()).close();
    } catch {}
  }
  await node?.stop();
});

function wsClient() {
  const c = createPublicClient({ chain, transport: webSocket(node.wsUrl, { reconnect: false, timeout: 30_000 }) });
  wsClients.push(c);
  return c;
}

/** The decoded revert error behind a viem contract error. */
function revertOf(err) {
  assert.ok(err instanceof BaseError, `not a viem error: ${err}`);
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  assert.ok(revert, `no ContractFunctionRevertedError in:\n${err.message}`);
  return revert;
}

test("viem: chain id, block number, balances", async () => {
  assert.equal(await publicClient.getChainId(), CHAIN_ID);
  assert.equal(typeof (await publicClient.getBlockNumber()), "bigint");
  assert.equal(await publicClient.getBalance({ address: DEV_ACCOUNTS[9].address }), INITIAL_BALANCE);
  assert.equal(await publicClient.getBalance({ address: RICH_ACCOUNT.address }), INITIAL_BALANCE);
  const block = await publicClient.getBlock({ blockTag: "latest" });
  assert.equal(typeof block.number, "bigint");
  assert.match(block.hash, /^0x[0-9a-f]{64}$/);
});

test("viem: deployContract + waitForTransactionReceipt (ZKsync receipt formatter)", async () => {
  const hash = await wallet.deployContract({ abi: counterArt.abi, bytecode: counterArt.bytecode });
  const rcpt = await wait(hash);
  assert.equal(rcpt.status, "success");
  assert.match(rcpt.contractAddress, /^0x[0-9a-fA-F]{40}$/);
  counter = rcpt.contractAddress;
  assert.equal(rcpt.from.toLowerCase(), account.address.toLowerCase());
  // fields only the zksync formatter produces (l1BatchNumber is null until the tx's batch is sealed)
  assert.deepEqual(rcpt.l2ToL1Logs, []);
  assert.ok("l1BatchNumber" in rcpt && (rcpt.l1BatchNumber === null || typeof rcpt.l1BatchNumber === "bigint"), `l1BatchNumber = ${rcpt.l1BatchNumber}`);
  assert.equal(await publicClient.getCode({ address: counter }), counterArt.deployedBytecode);
  assert.equal(await publicClient.readContract({ address: counter, abi: counterArt.abi, functionName: "number" }), 0n);
});

test("viem: writeContract + readContract; event in the receipt", async () => {
  const h1 = await wallet.writeContract({ address: counter, abi: counterArt.abi, functionName: "increment" });
  const r1 = await wait(h1);
  assert.equal(r1.status, "success");
  assert.equal(await publicClient.readContract({ address: counter, abi: counterArt.abi, functionName: "number" }), 1n);

  const h2 = await wallet.writeContract({ address: counter, abi: counterArt.abi, functionName: "setNumber", args: [100n] });
  const r2 = await wait(h2);
  assert.equal(r2.status, "success");
  assert.equal(r2.logs.length, 1);
  assert.equal(r2.logs[0].transactionLogIndex, 0);
  const [ev] = parseEventLogs({ abi: counterArt.abi, logs: r2.logs });
  assert.equal(ev.eventName, "Incremented");
  assert.equal(ev.args.by, account.address);
  assert.equal(ev.args.newValue, 100n);

  const h3 = await wallet.writeContract({ address: counter, abi: counterArt.abi, functionName: "increment" });
  assert.equal((await wait(h3)).status, "success");
  assert.equal(await publicClient.readContract({ address: counter, abi: counterArt.abi, functionName: "number" }), 101n);
  assert.equal(await publicClient.readContract({ address: counter, abi: counterArt.abi, functionName: "divide", args: [101n, 10n] }), 10n);
});

test("viem: getLogs / getContractEvents with event and indexed-arg filters", async () => {
  const event = counterArt.abi.find((x) => x.type === "event" && x.name === "Incremented");
  const logs = await publicClient.getLogs({ address: counter, event, fromBlock: 0n, toBlock: "latest" });
  assert.deepEqual(
    logs.map((l) => l.args.newValue),
    [1n, 100n, 101n],
  );
  for (const l of logs) assert.equal(l.args.by, account.address);

  const byMe = await publicClient.getContractEvents({ address: counter, abi: counterArt.abi, eventName: "Incremented", args: { by: account.address }, fromBlock: 0n });
  assert.equal(byMe.length, 3);
  const byOther = await publicClient.getContractEvents({ address: counter, abi: counterArt.abi, eventName: "Incremented", args: { by: DEV_ACCOUNTS[5].address }, fromBlock: 0n });
  assert.deepEqual(byOther, []);

  // block-range filter: only the last one
  const last = logs[2].blockNumber;
  const ranged = await publicClient.getLogs({ address: counter, event, fromBlock: last, toBlock: last });
  assert.deepEqual(
    ranged.map((l) => l.args.newValue),
    [101n],
  );
});

test("viem: simulateContract / estimate: revert reason, custom error, panic are decoded", async () => {
  const fail = await publicClient.simulateContract({ account, address: counter, abi: counterArt.abi, functionName: "fail" }).catch((e) => e);
  assert.equal(revertOf(fail).reason, "counter: failure");

  const custom = await publicClient
    .simulateContract({ account: DEV_ACCOUNTS[4].address, address: counter, abi: counterArt.abi, functionName: "failCustom" })
    .catch((e) => e);
  const c = revertOf(custom);
  assert.equal(c.data?.errorName, "Unauthorized");
  assert.deepEqual(c.data?.args, [DEV_ACCOUNTS[4].address]);

  const panic = await publicClient.readContract({ address: counter, abi: counterArt.abi, functionName: "divide", args: [1n, 0n] }).catch((e) => e);
  const p = revertOf(panic);
  assert.equal(p.data?.errorName, "Panic");
  assert.deepEqual(p.data?.args, [18n]);

  const est = await publicClient.estimateContractGas({ account, address: counter, abi: counterArt.abi, functionName: "fail" }).catch((e) => e);
  assert.equal(revertOf(est).reason, "counter: failure");
});

test("viem: sendTransaction: ETH transfer moves exactly value + fee", async () => {
  const to = "0x00000000000000000000000000000000000f00d5";
  const value = parseEther("1.5");
  const before = await publicClient.getBalance({ address: account.address });
  const hash = await wallet.sendTransaction({ to, value });
  const rcpt = await wait(hash);
  assert.equal(rcpt.status, "success");
  assert.equal(rcpt.gasUsed, 21000n);
  assert.equal(await publicClient.getBalance({ address: to }), value);
  assert.equal(await publicClient.getBalance({ address: account.address }), before - value - rcpt.gasUsed * rcpt.effectiveGasPrice);
  const tx = await publicClient.getTransaction({ hash });
  assert.equal(tx.value, value);
  assert.equal(tx.chainId, CHAIN_ID);
});

test("viem: json-rpc account (eth_sendTransaction on an unlocked dev account)", async () => {
  const from = DEV_ACCOUNTS[6].address;
  const w = createWalletClient({ account: from, chain, transport: http(node.url) });
  const hash = await w.writeContract({ address: counter, abi: counterArt.abi, functionName: "setNumber", args: [6n] });
  const rcpt = await wait(hash);
  assert.equal(rcpt.status, "success");
  assert.equal(rcpt.from.toLowerCase(), from.toLowerCase());
  assert.equal(await publicClient.readContract({ address: counter, abi: counterArt.abi, functionName: "number" }), 6n);
});

test("viem: Token: deploy with constructor arg, transfer, approve/transferFrom, Transfer events", async () => {
  const supply = parseEther("1000000");
  const deployer = privateKeyToAccount(RICH_ACCOUNT.key);
  const w = createWalletClient({ account: deployer, chain, transport: http(node.url) });
  const rcpt = await wait(await w.deployContract({ abi: tokenArt.abi, bytecode: tokenArt.bytecode, args: [supply] }));
  assert.equal(rcpt.status, "success");
  const token = rcpt.contractAddress;
  const read = (functionName, args = []) => publicClient.readContract({ address: token, abi: tokenArt.abi, functionName, args });
  assert.equal(await read("totalSupply"), supply);
  assert.equal(await read("balanceOf", [deployer.address]), supply);
  assert.equal(await read("name"), "Token");
  assert.equal(await read("symbol"), "TKN");
  assert.equal(await read("decimals"), 18);

  const to = DEV_ACCOUNTS[7].address;
  const t = await wait(await w.writeContract({ address: token, abi: tokenArt.abi, functionName: "transfer", args: [to, parseEther("250")] }));
  assert.equal(t.status, "success");
  assert.equal(await read("balanceOf", [to]), parseEther("250"));
  assert.equal(await read("balanceOf", [deployer.address]), supply - parseEther("250"));

  // approve DEV_ACCOUNTS[0] and pull with transferFrom
  await wait(await w.writeContract({ address: token, abi: tokenArt.abi, functionName: "approve", args: [account.address, parseEther("10")] }));
  assert.equal(await read("allowance", [deployer.address, account.address]), parseEther("10"));
  await wait(await wallet.writeContract({ address: token, abi: tokenArt.abi, functionName: "transferFrom", args: [deployer.address, to, parseEther("4")] }));
  assert.equal(await read("allowance", [deployer.address, account.address]), parseEther("6"));
  assert.equal(await read("balanceOf", [to]), parseEther("254"));

  // over-allowance is rejected with the require message
  const over = await publicClient
    .simulateContract({ account, address: token, abi: tokenArt.abi, functionName: "transferFrom", args: [deployer.address, to, parseEther("7")] })
    .catch((e) => e);
  assert.equal(revertOf(over).reason, "Token: insufficient allowance");

  const events = await publicClient.getContractEvents({ address: token, abi: tokenArt.abi, eventName: "Transfer", args: { to }, fromBlock: 0n });
  assert.deepEqual(
    events.map((e) => [e.args.from, e.args.to, e.args.value]),
    [
      [deployer.address, to, parseEther("250")],
      [deployer.address, to, parseEther("4")],
    ],
  );
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `get` until it returns a value other than undefined (or throws after ms). */
async function eventually(ms, what, get) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

test("viem: 10 concurrent sends with consecutive nonces all get mined", async () => {
  const sender = privateKeyToAccount(DEV_ACCOUNTS[8].key);
  const w = createWalletClient({ account: sender, chain, transport: http(node.url) });
  const to = "0x00000000000000000000000000000000000b0b00";
  const nonce = await publicClient.getTransactionCount({ address: sender.address, blockTag: "pending" });
  const hashes = await Promise.all(
    Array.from({ length: 10 }, (_, i) => w.sendTransaction({ to, value: BigInt(i + 1), nonce: nonce + i, gas: 21000n })),
  );
  const rcpts = await Promise.all(hashes.map(wait));
  for (const r of rcpts) assert.equal(r.status, "success");
  assert.equal(await publicClient.getBalance({ address: to }), 55n);
  assert.equal(await publicClient.getTransactionCount({ address: sender.address }), nonce + 10);
});

test("viem: eth_subscribe over WebSocket returns a string subscription id (viem ignores other ids)", async () => {
  const ws = wsClient();
  for (const params of [["newHeads"], ["logs", { address: counter }]]) {
    const id = await ws.request({ method: "eth_subscribe", params });
    assert.equal(typeof id, "string", `eth_subscribe ${JSON.stringify(params)} returned ${JSON.stringify(id)} (${typeof id})`);
    assert.match(id, /^0x[0-9a-fA-F]+$/);
    // jsonrpsee sends the id, then records the subscription: an unsubscribe sent the instant the id
    // arrives can race that (and answer false) on a loaded machine. A client unsubscribes later.
    await sleep(100);
    assert.equal(await ws.request({ method: "eth_unsubscribe", params: [id] }), true);
  }
});

test("viem: watchBlocks over WebSocket (eth_subscribe newHeads) sees the block of a new tx", async () => {
  const ws = wsClient();
  assert.equal(await ws.getChainId(), CHAIN_ID); // plain request over WS
  const seen = [];
  const errors = [];
  const unwatch = ws.watchBlocks({ emitOnBegin: false, onBlock: (b) => seen.push(b), onError: (e) => errors.push(e) });
  try {
    await sleep(500); // let eth_subscribe complete
    const target = await wait(await wallet.sendTransaction({ to: DEV_ACCOUNTS[2].address, value: 1n }));
    const block = await eventually(60_000, `newHeads block ${target.blockNumber}`, () => {
      if (errors.length) throw errors[0];
      return seen.find((b) => b.hash === target.blockHash);
    });
    assert.equal(block.number, target.blockNumber);
    assert.equal(block.hash, target.blockHash);
  } finally {
    unwatch();
  }
});

test("viem: watchContractEvent over WebSocket (eth_subscribe logs) delivers decoded args", async () => {
  const ws = wsClient();
  const seen = [];
  const errors = [];
  const unwatch = ws.watchContractEvent({
    address: counter,
    abi: counterArt.abi,
    eventName: "Incremented",
    onLogs: (logs) => seen.push(...logs),
    onError: (e) => errors.push(e),
  });
  try {
    await sleep(500); // let eth_subscribe complete
    const rcpt = await wait(await wallet.writeContract({ address: counter, abi: counterArt.abi, functionName: "setNumber", args: [9001n] }));
    const log = await eventually(60_000, "an Incremented log over WS", () => {
      if (errors.length) throw errors[0];
      return seen.find((l) => l.args.newValue === 9001n);
    });
    assert.equal(log.transactionHash, rcpt.transactionHash);
    assert.equal(log.args.by, account.address);
    assert.equal(log.address.toLowerCase(), counter.toLowerCase());
  } finally {
    unwatch();
  }
});
