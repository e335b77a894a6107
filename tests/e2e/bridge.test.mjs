// The bridge with Foundry's cast: a deposit sent on the embedded L1 with `cast send` lands on
// L2 as a type-0x7f tx; a withdrawal sent with `cast send` on L2 settles and is finalized on L1
// with the proof from `zks_getL2ToL1LogProof`. zkos-dev only (anvil has no L2).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startNode, bin, runOk, castDeposit, DEV_ACCOUNTS, NODE_KIND, until, configOutPath, readConfigOut } from "./harness.mjs";

const skip = NODE_KIND !== "zkos-dev" && "the bridge needs zkos-dev's L1 and L2";
let node;
let l1Url;

before(async () => {
  if (skip) return;
  const configOut = configOutPath("bridge");
  node = await startNode({ args: ["--config-out", configOut] });
  l1Url = (await readConfigOut(configOut)).l1?.rpc_url;
  assert.ok(l1Url, "no l1.rpc_url in --config-out");
});
after(async () => {
  await node?.stop();
});

const cast = (...args) => runOk(bin("cast"), args);

test("deposit with cast send on L1 lands on L2 as a 0x7f tx with a success service log", { skip }, async () => {
  const from = DEV_ACCOUNTS[3];
  const receiver = "0x000000000000000000000000000000000000beef";
  const value = 10n ** 18n;
  const rcpt = await castDeposit(node, l1Url, from, receiver, value);
  assert.equal(rcpt.status, "0x1");
  await until("the L2 balance", async () => BigInt(await node.rpc("eth_getBalance", [receiver, "latest"])) === value);
  // The L2 tx hash is the canonical hash: find it in the L2's latest blocks.
  const head = Number(await node.rpc("eth_blockNumber", []));
  let l1Tx;
  for (let n = head; n > 0 && !l1Tx; n--) {
    const block = await node.rpc("eth_getBlockByNumber", ["0x" + n.toString(16), true]);
    l1Tx = block.transactions.find((t) => t.type === "0x7f" && t.to.toLowerCase() === receiver);
  }
  assert.ok(l1Tx, "the deposit is a 0x7f tx on L2");
  const receipt = await node.rpc("eth_getTransactionReceipt", [l1Tx.hash]);
  assert.equal(receipt.status, "0x1");
  const service = receipt.l2ToL1Logs.find((l) => l.sender === "0x0000000000000000000000000000000000008001");
  assert.equal(service.key, l1Tx.hash);
  assert.equal(BigInt(service.value), 1n);
});

test("withdraw with cast send on L2, then finalizeDeposit on L1 pays out", { skip }, async () => {
  const from = DEV_ACCOUNTS[4];
  const receiver = "0x000000000000000000000000000000000000cafe";
  const amount = 3n * 10n ** 17n;
  const rcpt = JSON.parse(
    await cast("send", "--rpc-url", node.url, "--private-key", from.key, "--json", "--value", amount.toString(),
      "0x000000000000000000000000000000000000800a", "withdraw(address)", receiver),
  );
  assert.equal(rcpt.status, "0x1");
  await until("finalized", async () => {
    const fin = await node.rpc("eth_getBlockByNumber", ["finalized", false]);
    return Number(fin.number) >= Number(rcpt.blockNumber);
  });
  const proof = await node.rpc("zks_getL2ToL1LogProof", [rcpt.transactionHash, 0]);
  const router = (await node.rpc("zks_getBridgeContracts", [])).l1SharedDefaultBridge;
  const nullifier = (await cast("call", "--rpc-url", l1Url, router, "L1_NULLIFIER()(address)")).trim();
  const message = "0x6c0960f9" + receiver.slice(2) + amount.toString(16).padStart(64, "0");
  const params = `(270,${proof.batchNumber},${proof.id},0x000000000000000000000000000000000000800a,${proof.txNumberInBatch},${message},[${proof.proof.join(",")}])`;
  const fin = JSON.parse(
    await cast("send", "--rpc-url", l1Url, "--private-key", DEV_ACCOUNTS[5].key, "--json", nullifier,
      "finalizeDeposit((uint256,uint256,uint256,address,uint16,bytes,bytes32[]))", params),
  );
  assert.equal(fin.status, "0x1");
  assert.equal(BigInt(await cast("balance", "--rpc-url", l1Url, receiver)), amount);
});
