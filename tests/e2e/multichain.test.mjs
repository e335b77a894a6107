// Two L2s in one devnet (`--chains 270,271`) with cast: each answers with its own chain id and
// is listed in --config-out with its own chain contract on the L1; a deposit through the
// Bridgehub to chain 271 lands on 271 only; a tx on each chain settles on that chain's L1
// contract. zkos-dev only (anvil has no L2).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { startNode, freePort, bin, runOk, rpc, castDeposit, DEV_ACCOUNTS, NODE_KIND, until, configOutPath, readConfigOut } from "./harness.mjs";

const skip = NODE_KIND !== "zkos-dev" && "several L2s need zkos-dev";
let node;
let config;

before(async () => {
  if (skip) return;
  const configOut = configOutPath("multichain");
  const [port, second] = [await freePort(), await freePort()];
  node = await startNode({
    port,
    args: ["--chains", "270,271", "--chain-ports", `${port},${second}`, "--config-out", configOut],
  });
  config = await readConfigOut(configOut);
});
after(async () => {
  await node?.stop();
});

const cast = (...args) => runOk(bin("cast"), args);
const chain = (id) => config.chains.find((c) => c.chain_id === id);

test("--config-out lists both chains, each answering with its own chain id and L1 contract", { skip }, async () => {
  assert.deepEqual(config.chains.map((c) => c.chain_id), [270, 271]);
  assert.equal(chain(270).rpc_url, node.url);
  for (const { chain_id, rpc_url, l1_contracts } of config.chains) {
    assert.equal(await cast("chain-id", "--rpc-url", rpc_url), String(chain_id));
    assert.equal((await rpc(rpc_url, "zks_getMainContract", [])).toLowerCase(), l1_contracts.zkChain.toLowerCase());
    const registered = await cast("call", "--rpc-url", config.l1.rpc_url, l1_contracts.bridgehub, "getZKChain(uint256)(address)", String(chain_id));
    assert.equal(registered.toLowerCase(), l1_contracts.zkChain.toLowerCase());
  }
  assert.notEqual(chain(270).l1_contracts.zkChain, chain(271).l1_contracts.zkChain);
});

test("a cast deposit to chain 271 lands on chain 271 only", { skip }, async () => {
  const second = { rpc: (m, p) => rpc(chain(271).rpc_url, m, p) };
  const receiver = "0x000000000000000000000000000000000000b271";
  const value = 10n ** 18n;
  const rcpt = await castDeposit(second, config.l1.rpc_url, DEV_ACCOUNTS[3], receiver, value);
  assert.equal(rcpt.status, "0x1");
  await until("the deposit on 271", async () => BigInt(await second.rpc("eth_getBalance", [receiver, "latest"])) === value);
  assert.equal(BigInt(await node.rpc("eth_getBalance", [receiver, "latest"])), 0n);
});

test("a cast send on each chain settles on that chain's L1 contract", { skip }, async () => {
  for (const { chain_id, rpc_url, l1_contracts } of config.chains) {
    const rcpt = JSON.parse(
      await cast("send", "--rpc-url", rpc_url, "--private-key", DEV_ACCOUNTS[2].key, "--json", "--value", "1",
        "0x000000000000000000000000000000000000c0de"),
    );
    assert.equal(rcpt.status, "0x1", `chain ${chain_id}`);
    await until(`block ${Number(rcpt.blockNumber)} of chain ${chain_id} finalized`, async () => {
      const fin = await rpc(rpc_url, "eth_getBlockByNumber", ["finalized", false]);
      return Number(fin.number) >= Number(rcpt.blockNumber);
    });
    const executed = await cast("call", "--rpc-url", config.l1.rpc_url, l1_contracts.zkChain, "getTotalBatchesExecuted()(uint256)");
    assert.ok(BigInt(executed.split(" ")[0]) >= 1n, `chain ${chain_id}: ${executed}`);
  }
});
