// The Gateway (`--chains 270,271 --gateway`) with cast: --config-out lists it (chain 506) and
// where each chain settles; it answers as chain 506; a cast deposit from L1 to chain 271 lands
// there; a cast send on each L2 becomes final with its batch executed on its contract on the
// Gateway, and the Gateway's own batches executed on L1; an ETH withdrawal from chain 271 made
// with zksync-ethers is finalized on L1 with its proof through the Gateway's batch, once.
// zkos-dev only (anvil has no L2).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { JsonRpcProvider, parseEther } from "ethers";
import { Provider as ZkProvider, Wallet as ZkWallet, utils } from "zksync-ethers";
import { startNode, freePort, bin, runOk, rpc, castDeposit, DEV_ACCOUNTS, NODE_KIND, until, configOutPath, readConfigOut } from "./harness.mjs";

const skip = NODE_KIND !== "zkos-dev" && "the Gateway needs zkos-dev";
let node;
let config;

before(async () => {
  if (skip) return;
  const configOut = configOutPath("gateway");
  const [port, second, gateway] = [await freePort(), await freePort(), await freePort()];
  node = await startNode({
    port,
    args: ["--chains", "270,271", "--chain-ports", `${port},${second}`, "--gateway", "--gateway-port", `${gateway}`,
      "--config-out", configOut],
  });
  config = await readConfigOut(configOut);
});
after(async () => {
  await node?.stop();
});

const cast = (...args) => runOk(bin("cast"), args);
const chain = (id) => config.chains.find((c) => c.chain_id === id);
const executedOn = async (url, contract) =>
  BigInt((await cast("call", "--rpc-url", url, contract, "getTotalBatchesExecuted()(uint256)")).split(" ")[0]);

test("--config-out lists the Gateway, chain 506, and where each chain settles", { skip }, async () => {
  assert.equal(config.gateway.chain_id, 506);
  assert.equal(await cast("chain-id", "--rpc-url", config.gateway.rpc_url), "506");
  assert.deepEqual(config.chains.map((c) => [c.chain_id, c.settles_on]), [[270, "gateway"], [271, "gateway"], [506, "l1"]]);
  assert.equal(chain(506).gateway, true);
});

test("a cast deposit from L1 to chain 271 lands there", { skip }, async () => {
  const l2 = { rpc: (m, p) => rpc(chain(271).rpc_url, m, p) };
  const receiver = "0x000000000000000000000000000000000000b506";
  const value = 10n ** 18n;
  const rcpt = await castDeposit(l2, config.l1.rpc_url, DEV_ACCOUNTS[3], receiver, value);
  assert.equal(rcpt.status, "0x1");
  await until("the deposit on 271", async () => BigInt(await l2.rpc("eth_getBalance", [receiver, "latest"])) === value);
});

test("a cast send on each L2 is final with its batch executed on the Gateway, the Gateway's on L1", { skip }, async () => {
  for (const { chain_id, rpc_url, gateway_contracts } of config.chains.filter((c) => !c.gateway)) {
    const rcpt = JSON.parse(
      await cast("send", "--rpc-url", rpc_url, "--private-key", DEV_ACCOUNTS[2].key, "--json", "--value", "1",
        "0x000000000000000000000000000000000000c0de"),
    );
    assert.equal(rcpt.status, "0x1", `chain ${chain_id}`);
    await until(`block ${Number(rcpt.blockNumber)} of chain ${chain_id} finalized`, async () => {
      const fin = await rpc(rpc_url, "eth_getBlockByNumber", ["finalized", false]);
      return Number(fin.number) >= Number(rcpt.blockNumber);
    });
    assert.ok((await executedOn(config.gateway.rpc_url, gateway_contracts.zkChain)) >= 1n, `chain ${chain_id}`);
  }
  assert.ok((await executedOn(config.l1.rpc_url, chain(506).l1_contracts.zkChain)) >= 1n, "the Gateway on L1");
});

test("zksync-ethers: an ETH withdrawal from chain 271 on the Gateway is finalized on L1 through the Gateway's batch, once", { skip }, async () => {
  const l1 = new JsonRpcProvider(config.l1.rpc_url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const l2 = new ZkProvider(chain(271).rpc_url);
  try {
    const wallet = new ZkWallet(DEV_ACCOUNTS[4].key, l2, l1);
    const amount = parseEther("0.3");
    const tx = await wallet.withdraw({ token: utils.ETH_ADDRESS, amount, overrides: { type: 2 } });
    const rcpt = await tx.waitFinalize();
    assert.equal(rcpt.status, 1);
    // The proof goes on through the Gateway (chain 506): not a final node.
    const proof = await l2.send("zks_getL2ToL1LogProof", [tx.hash, 0]);
    assert.equal(proof.proof[0].slice(8, 10), "00", "the Gateway's step follows the batch's");
    assert.ok(proof.proof.some((item) => BigInt(item) === 506n), "the Gateway's chain id is named");

    const l1Before = await l1.getBalance(wallet.address);
    const fin = await (await wallet.finalizeWithdrawal(tx.hash)).wait();
    assert.equal(fin.status, 1, "finalizeWithdrawal");
    assert.equal(await l1.getBalance(wallet.address), l1Before + amount - fin.gasUsed * fin.gasPrice);
    assert.equal(await wallet.isWithdrawalFinalized(tx.hash), true);
    const again = await wallet.finalizeWithdrawal(tx.hash).then(() => null, (e) => e);
    assert.ok(again, "a second finalizeWithdrawal is refused");
  } finally {
    l1.destroy();
    l2.destroy();
  }
});
