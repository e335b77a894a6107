// The data dir seen from viem and cast: what a dApp deployed is still there after the node is
// stopped (SIGTERM) and started again on the same --data-dir, and `zkos-dev snapshot save|load`
// takes the devnet back to a named point.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, defineChain, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { zksyncLocalNode } from "viem/chains";
import { startNode, artifact, bin, runOk, run, DEV_ACCOUNTS, NODE_KIND } from "./harness.mjs";

const skip = NODE_KIND !== "zkos-dev" && "the data dir and `zkos-dev snapshot` are zkos-dev's";
const counterArt = artifact("Counter");
const dataDir = mkdtempSync(join(tmpdir(), "zkos-dev-data-"));
let node;

/** viem clients of the node now running. */
function clients() {
  const chain = defineChain({ ...zksyncLocalNode, rpcUrls: { default: { http: [node.url] } } });
  const account = privateKeyToAccount(DEV_ACCOUNTS[0].key);
  return {
    pub: createPublicClient({ chain, transport: http(node.url), pollingInterval: 100 }),
    wallet: createWalletClient({ account, chain, transport: http(node.url) }),
  };
}

const zkosDev = (...args) => runOk(process.env.ZKOS_DEV_BIN, args);

before(async () => {
  if (skip) return;
  node = await startNode({ args: ["--data-dir", dataDir] });
});

after(async () => {
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test("a contract deployed with viem survives a stop and a start on the same data dir", { skip }, async () => {
  let { pub, wallet } = clients();
  const deployHash = await wallet.deployContract({ abi: counterArt.abi, bytecode: counterArt.bytecode });
  const deployed = await pub.waitForTransactionReceipt({ hash: deployHash, timeout: 60_000 });
  const counter = deployed.contractAddress;
  const setHash = await wallet.writeContract({ address: counter, abi: counterArt.abi, functionName: "setNumber", args: [42n] });
  await pub.waitForTransactionReceipt({ hash: setHash, timeout: 60_000 });
  const head = await pub.getBlock();

  const stopped = await node.stop();
  assert.equal(stopped.code, 0, `the node exits cleanly on SIGTERM:\n${node.logs()}`);
  node = await startNode({ args: ["--data-dir", dataDir] });
  ({ pub, wallet } = clients());

  assert.equal((await pub.getBlock()).hash, head.hash);
  assert.equal(await pub.readContract({ address: counter, abi: counterArt.abi, functionName: "number" }), 42n);
  const again = await pub.getTransactionReceipt({ hash: deployHash });
  assert.equal(again.blockHash, deployed.blockHash);
  assert.equal(again.contractAddress, counter);
  // cast reads the same, and the nonce goes on from where it was.
  assert.equal(BigInt(await runOk(bin("cast"), ["call", "--rpc-url", node.url, counter, "number()(uint256)"])), 42n);
  const incHash = await wallet.writeContract({ address: counter, abi: counterArt.abi, functionName: "increment" });
  const inc = await pub.waitForTransactionReceipt({ hash: incHash, timeout: 60_000 });
  assert.equal(inc.status, "success");
  assert.equal(inc.blockNumber, head.number + 1n);
  assert.equal(await pub.readContract({ address: counter, abi: counterArt.abi, functionName: "number" }), 43n);
});

test("zkos-dev snapshot save / load takes the running devnet back to a named point", { skip }, async () => {
  const { pub, wallet } = clients();
  const deployHash = await wallet.deployContract({ abi: counterArt.abi, bytecode: counterArt.bytecode });
  const counter = (await pub.waitForTransactionReceipt({ hash: deployHash, timeout: 60_000 })).contractAddress;
  const head = await pub.getBlockNumber({ cacheTime: 0 });
  assert.match(await zkosDev("snapshot", "save", "fresh-counter", "--rpc", node.url), /saved snapshot fresh-counter/);
  assert.match(await zkosDev("snapshot", "list", "--rpc", node.url), /^fresh-counter\s/m);

  const setHash = await wallet.writeContract({ address: counter, abi: counterArt.abi, functionName: "setNumber", args: [7n] });
  await pub.waitForTransactionReceipt({ hash: setHash, timeout: 60_000 });
  assert.equal(await pub.readContract({ address: counter, abi: counterArt.abi, functionName: "number" }), 7n);

  await zkosDev("snapshot", "load", "fresh-counter", "--rpc", node.url);
  assert.equal(await pub.getBlockNumber({ cacheTime: 0 }), head);
  assert.equal(await pub.readContract({ address: counter, abi: counterArt.abi, functionName: "number" }), 0n);
  assert.equal(await pub.getTransactionReceipt({ hash: setHash }).catch(() => null), null);

  const bad = await run(process.env.ZKOS_DEV_BIN, ["snapshot", "load", "no-such", "--rpc", node.url]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no snapshot named "no-such"/);
});
