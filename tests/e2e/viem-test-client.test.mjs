// viem's test client (`createTestClient({ mode: "anvil" })`, chain `zksyncLocalNode`) against the
// node: every cheatcode it sends is checked through an ordinary public-client read.
// Runs unchanged against zkos-dev and the anvil baseline (E2E_NODE=anvil).
//
// The tests share one node and run in order: snapshot/revert, the mining-mode tests and reset
// change global state, so each test leaves the node in instant (automine) mode, and reset is last.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  parseEther,
  numberToHex,
  pad,
  getAddress,
} from "viem";
import { randomBytes } from "node:crypto";
import { privateKeyToAccount } from "viem/accounts";
import { zksyncLocalNode } from "viem/chains";
import { startNode, artifact, DEV_ACCOUNTS, INITIAL_BALANCE, CHAIN_ID } from "./harness.mjs";

const counterArt = artifact("Counter");

let node, chain, publicClient, testClient, wallet;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const wait = (hash) => publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 });
/** A fresh random address no dev account or earlier test uses. */
const freshAddress = () => getAddress(`0x${randomBytes(20).toString("hex")}`);

before(async () => {
  node = await startNode();
  assert.equal(zksyncLocalNode.id, CHAIN_ID);
  chain = defineChain({ ...zksyncLocalNode, rpcUrls: { default: { http: [node.url], webSocket: [node.wsUrl] } } });
  publicClient = createPublicClient({ chain, transport: http(node.url), pollingInterval: 100, cacheTime: 0 });
  testClient = createTestClient({ mode: "anvil", chain, transport: http(node.url) });
  wallet = createWalletClient({ account: privateKeyToAccount(DEV_ACCOUNTS[0].key), chain, transport: http(node.url) });
});

after(async () => {
  await node?.stop();
});

test("test client: mine({ blocks }) and mine({ blocks, interval })", async () => {
  const start = await publicClient.getBlock({ blockTag: "latest" });
  await testClient.mine({ blocks: 3 });
  assert.equal(await publicClient.getBlockNumber(), start.number + 3n);

  await testClient.mine({ blocks: 4, interval: 100 });
  const head = await publicClient.getBlockNumber();
  assert.equal(head, start.number + 7n);
  // the 4 blocks mined with interval 100 are 100 s apart
  const ts = [];
  for (let n = head - 3n; n <= head; n++) ts.push((await publicClient.getBlock({ blockNumber: n })).timestamp);
  assert.deepEqual(
    ts.slice(1).map((t, i) => t - ts[i]),
    [100n, 100n, 100n],
    `timestamps ${ts}`,
  );
  // every mined block is empty and chained to its parent
  const last = await publicClient.getBlock({ blockNumber: head });
  const prev = await publicClient.getBlock({ blockNumber: head - 1n });
  assert.equal(last.parentHash, prev.hash);
  assert.deepEqual(last.transactions, []);
});

test("test client: increaseTime moves the next block's timestamp forward", async () => {
  await testClient.mine({ blocks: 1 });
  const before = await publicClient.getBlock({ blockTag: "latest" });
  await testClient.increaseTime({ seconds: 3600 });
  await testClient.mine({ blocks: 1 });
  const after = await publicClient.getBlock({ blockTag: "latest" });
  assert.equal(after.number, before.number + 1n);
  const delta = after.timestamp - before.timestamp;
  assert.ok(delta >= 3600n && delta <= 3600n + 30n, `timestamp moved by ${delta} s, want ~3600`);
});

test("test client: setNextBlockTimestamp sets the next block's timestamp exactly; time goes on from there", async () => {
  const latest = await publicClient.getBlock({ blockTag: "latest" });
  const target = latest.timestamp + 100_000n;
  await testClient.setNextBlockTimestamp({ timestamp: target });
  await testClient.mine({ blocks: 1 });
  const b1 = await publicClient.getBlock({ blockTag: "latest" });
  assert.equal(b1.number, latest.number + 1n);
  assert.equal(b1.timestamp, target);

  // a transaction mined afterwards lands in a block at or after the target, not back on the wall clock
  const rcpt = await wait(await wallet.sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 1n }));
  const b2 = await publicClient.getBlock({ blockNumber: rcpt.blockNumber });
  assert.ok(b2.timestamp >= target && b2.timestamp <= target + 30n, `next block at ${b2.timestamp}, target ${target}`);
});

test("test client: setBalance", async () => {
  const addr = freshAddress();
  assert.equal(await publicClient.getBalance({ address: addr }), 0n);
  await testClient.setBalance({ address: addr, value: parseEther("123.456") });
  assert.equal(await publicClient.getBalance({ address: addr }), parseEther("123.456"));
  // a dev account too (lowering it)
  await testClient.setBalance({ address: DEV_ACCOUNTS[7].address, value: 5n });
  assert.equal(await publicClient.getBalance({ address: DEV_ACCOUNTS[7].address }), 5n);
});

test("test client: setCode + setStorageAt make a working contract out of nothing", async () => {
  const addr = freshAddress();
  assert.equal(await publicClient.getCode({ address: addr }), undefined);
  await testClient.setCode({ address: addr, bytecode: counterArt.deployedBytecode });
  assert.equal((await publicClient.getCode({ address: addr }))?.toLowerCase(), counterArt.deployedBytecode.toLowerCase());
  const read = () => publicClient.readContract({ address: addr, abi: counterArt.abi, functionName: "number" });
  assert.equal(await read(), 0n);

  // Counter.number is slot 0
  await testClient.setStorageAt({ address: addr, index: 0, value: pad(numberToHex(42)) });
  assert.equal(await publicClient.getStorageAt({ address: addr, slot: "0x0" }), pad(numberToHex(42)));
  assert.equal(await read(), 42n);

  // and the contract runs: increment() through a real transaction
  const rcpt = await wait(await wallet.writeContract({ address: addr, abi: counterArt.abi, functionName: "increment" }));
  assert.equal(rcpt.status, "success");
  assert.equal(await read(), 43n);
});

test("test client: setNonce", async () => {
  const addr = freshAddress();
  await testClient.setNonce({ address: addr, nonce: 77 });
  assert.equal(await publicClient.getTransactionCount({ address: addr }), 77);

  // a dev account's next tx uses the nonce that was set
  const dev = privateKeyToAccount(DEV_ACCOUNTS[8].key);
  const current = await publicClient.getTransactionCount({ address: dev.address });
  await testClient.setNonce({ address: dev.address, nonce: current + 10 });
  assert.equal(await publicClient.getTransactionCount({ address: dev.address }), current + 10);
  const w = createWalletClient({ account: dev, chain, transport: http(node.url) });
  const hash = await w.sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 1n });
  assert.equal(await wait(hash).then((r) => r.status), "success");
  assert.equal((await publicClient.getTransaction({ hash })).nonce, current + 10);
  assert.equal(await publicClient.getTransactionCount({ address: dev.address }), current + 11);
});

test("test client: impersonateAccount, sendUnsignedTransaction and eth_sendTransaction from a non-dev address; stopImpersonatingAccount", async () => {
  const whale = freshAddress();
  const to = freshAddress();
  await testClient.setBalance({ address: whale, value: parseEther("10") });
  await testClient.impersonateAccount({ address: whale });

  // eth_sendUnsignedTransaction
  const h1 = await testClient.sendUnsignedTransaction({ from: whale, to, value: parseEther("1") });
  const r1 = await wait(h1);
  assert.equal(r1.status, "success");
  assert.equal(r1.from.toLowerCase(), whale.toLowerCase());
  assert.equal(await publicClient.getBalance({ address: to }), parseEther("1"));

  // eth_sendTransaction through a wallet client with a JSON-RPC account
  const impersonated = createWalletClient({ account: whale, chain, transport: http(node.url) });
  const h2 = await impersonated.sendTransaction({ to, value: parseEther("2") });
  const r2 = await wait(h2);
  assert.equal(r2.status, "success");
  assert.equal(r2.from.toLowerCase(), whale.toLowerCase());
  const tx = await publicClient.getTransaction({ hash: h2 });
  assert.equal(tx.from.toLowerCase(), whale.toLowerCase());
  assert.equal(tx.nonce, 1);
  assert.equal(await publicClient.getBalance({ address: to }), parseEther("3"));
  assert.equal(await publicClient.getTransactionCount({ address: whale }), 2);
  const whaleBalance = await publicClient.getBalance({ address: whale });
  assert.ok(whaleBalance < parseEther("7") && whaleBalance > parseEther("6.99"), `whale balance ${whaleBalance}`);

  // after stopImpersonatingAccount the node no longer signs for it
  await testClient.stopImpersonatingAccount({ address: whale });
  await assert.rejects(impersonated.sendTransaction({ to, value: 1n }), (e) => {
    assert.match(e.message, /unknown account|not impersonated|No Signer available|unknown/i, e.message);
    return true;
  });
  assert.equal(await publicClient.getBalance({ address: to }), parseEther("3"));
  assert.equal(await publicClient.getTransactionCount({ address: whale }), 2);
});

test("test client: snapshot / revert restores balances, nonces, code and the head", async () => {
  const alice = DEV_ACCOUNTS[0].address;
  const bob = freshAddress();
  const head0 = await publicClient.getBlock({ blockTag: "latest" });
  const aliceBal0 = await publicClient.getBalance({ address: alice });
  const aliceNonce0 = await publicClient.getTransactionCount({ address: alice });

  const id = await testClient.snapshot();
  assert.match(id, /^0x[0-9a-f]+$/i);

  await wait(await wallet.sendTransaction({ to: bob, value: parseEther("1") }));
  const deploy = await wait(await wallet.deployContract({ abi: counterArt.abi, bytecode: counterArt.bytecode }));
  await testClient.mine({ blocks: 2 });
  assert.equal(await publicClient.getBalance({ address: bob }), parseEther("1"));
  assert.ok((await publicClient.getCode({ address: deploy.contractAddress }))?.length > 2);
  assert.equal(await publicClient.getBlockNumber(), head0.number + 4n);

  await testClient.revert({ id });
  assert.equal(await publicClient.getBalance({ address: bob }), 0n);
  assert.equal(await publicClient.getBalance({ address: alice }), aliceBal0);
  assert.equal(await publicClient.getTransactionCount({ address: alice }), aliceNonce0);
  assert.equal(await publicClient.getCode({ address: deploy.contractAddress }), undefined);
  const head = await publicClient.getBlock({ blockTag: "latest" });
  assert.equal(head.number, head0.number);
  assert.equal(head.hash, head0.hash);
  // the reverted transactions are gone
  await assert.rejects(publicClient.getTransactionReceipt({ hash: deploy.transactionHash }));

  // the chain goes on from the restored head
  const rcpt = await wait(await wallet.sendTransaction({ to: bob, value: 7n }));
  assert.equal(rcpt.blockNumber, head0.number + 1n);
  assert.equal(await publicClient.getBalance({ address: bob }), 7n);
});

test("test client: setAutomine(false) / getAutomine, dropTransaction, mine", async () => {
  const to = freshAddress();
  assert.equal(await testClient.getAutomine(), true);
  await testClient.setAutomine(false);
  try {
    assert.equal(await testClient.getAutomine(), false);
    const head0 = await publicClient.getBlockNumber();
    const nonce0 = await publicClient.getTransactionCount({ address: DEV_ACCOUNTS[0].address });

    const keep = await wallet.sendTransaction({ to, value: 1n, nonce: nonce0 });
    const dropped = await wallet.sendTransaction({ to, value: 2n, nonce: nonce0 + 1 });
    await sleep(500);
    assert.equal(await publicClient.getBlockNumber(), head0, "no block without automine");
    assert.equal((await publicClient.getTransaction({ hash: dropped })).blockNumber, null, "pending");
    assert.equal(await publicClient.getTransactionCount({ address: DEV_ACCOUNTS[0].address, blockTag: "pending" }), nonce0 + 2);

    await testClient.dropTransaction({ hash: dropped });
    await assert.rejects(publicClient.getTransaction({ hash: dropped }), /could not be found/);

    await testClient.mine({ blocks: 1 });
    const block = await publicClient.getBlock({ blockTag: "latest" });
    assert.equal(block.number, head0 + 1n);
    assert.deepEqual(block.transactions, [keep]);
    assert.equal((await publicClient.getTransactionReceipt({ hash: keep })).status, "success");
    await assert.rejects(publicClient.getTransactionReceipt({ hash: dropped }));
    assert.equal(await publicClient.getBalance({ address: to }), 1n);
    assert.equal(await publicClient.getTransactionCount({ address: DEV_ACCOUNTS[0].address }), nonce0 + 1);
  } finally {
    await testClient.setAutomine(true);
  }
  assert.equal(await testClient.getAutomine(), true);
  // instant mining again
  const rcpt = await wait(await wallet.sendTransaction({ to, value: 10n }));
  assert.equal(rcpt.status, "success");
  assert.equal(await publicClient.getBalance({ address: to }), 11n);
});

test("test client: setIntervalMining mines empty blocks on a timer; interval 0 stops it", async () => {
  const head0 = await publicClient.getBlockNumber();
  await testClient.setIntervalMining({ interval: 1 });
  try {
    const deadline = Date.now() + 10_000;
    let head = head0;
    while (head < head0 + 2n && Date.now() < deadline) {
      await sleep(200);
      head = await publicClient.getBlockNumber();
    }
    assert.ok(head >= head0 + 2n, `interval mining: head ${head0} -> ${head} in 10 s`);
    const b = await publicClient.getBlock({ blockNumber: head });
    assert.deepEqual(b.transactions, []);
  } finally {
    await testClient.setIntervalMining({ interval: 0 });
  }
  // stopped: no new blocks
  await sleep(300); // a block already being sealed may still land
  const stopped = await publicClient.getBlockNumber();
  await sleep(2500);
  assert.equal(await publicClient.getBlockNumber(), stopped, "blocks kept coming after setIntervalMining(0)");
  // setIntervalMining(0) leaves the node in manual mode (anvil: MiningMode::None): turn automine back on
  assert.equal(await testClient.getAutomine(), false);
  await testClient.setAutomine(true);
  assert.equal((await wait(await wallet.sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 1n }))).status, "success");
});

test("test client: setCoinbase sets the miner of the next blocks", async () => {
  const coinbase = freshAddress();
  await testClient.setCoinbase({ address: coinbase });
  await testClient.mine({ blocks: 1 });
  const b = await publicClient.getBlock({ blockTag: "latest" });
  assert.equal(b.miner.toLowerCase(), coinbase.toLowerCase());
  const rcpt = await wait(await wallet.sendTransaction({ to: DEV_ACCOUNTS[5].address, value: 1n }));
  const b2 = await publicClient.getBlock({ blockNumber: rcpt.blockNumber });
  assert.equal(b2.miner.toLowerCase(), coinbase.toLowerCase());
});

test("test client: setNextBlockBaseFeePerGas", async () => {
  await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: 7777n });
  await testClient.mine({ blocks: 1 });
  const b = await publicClient.getBlock({ blockTag: "latest" });
  assert.equal(b.baseFeePerGas, 7777n);
});

test("test client: reset goes back to a fresh chain", async () => {
  const deploy = await wait(await wallet.deployContract({ abi: counterArt.abi, bytecode: counterArt.bytecode }));
  assert.ok((await publicClient.getBlockNumber()) > 0n);
  // `testClient.reset()` with no arguments sends `[{"forking":{"blockNumber":null}}]`, which a node
  // that is not a fork rejects (anvil 1.7.1: -32602 "Forking not enabled and RPC URL not provided to
  // start forking"); a plain `anvil_reset` with no params is how a non-fork node is reset.
  await testClient.request({ method: "anvil_reset", params: [] });
  assert.equal(await publicClient.getBlockNumber(), 0n);
  assert.equal(await publicClient.getCode({ address: deploy.contractAddress }), undefined);
  for (const a of DEV_ACCOUNTS) {
    assert.equal(await publicClient.getBalance({ address: a.address }), INITIAL_BALANCE, a.address);
    assert.equal(await publicClient.getTransactionCount({ address: a.address }), 0, a.address);
  }
  // the fresh chain works
  const rcpt = await wait(await wallet.sendTransaction({ to: DEV_ACCOUNTS[1].address, value: 1n }));
  assert.equal(rcpt.status, "success");
  assert.equal(rcpt.blockNumber, 1n);
});
