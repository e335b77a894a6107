// `npx hardhat test nodejs --network zkos`: Counter through hardhat-viem against the node.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { BaseError, ContractFunctionRevertedError } from "viem";

describe("Counter on zkos-dev (hardhat-viem)", async () => {
  const { viem, networkName } = await network.getOrCreate();
  const publicClient = await viem.getPublicClient();
  const [wallet] = await viem.getWalletClients();

  it("runs against the external node, chain 270", async () => {
    assert.equal(networkName, "zkos");
    assert.equal(await publicClient.getChainId(), 270);
  });

  it("deploys Counter, increments, emits Incremented(by, newValue)", async () => {
    const counter = await viem.deployContract("Counter");
    assert.equal(await counter.read.number(), 0n);

    const hash = await counter.write.increment();
    const rcpt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(rcpt.status, "success");
    assert.equal(await counter.read.number(), 1n);

    const events = await counter.getEvents.Incremented({}, { fromBlock: rcpt.blockNumber, toBlock: rcpt.blockNumber });
    assert.equal(events.length, 1);
    assert.equal(events[0].transactionHash, hash);
    assert.equal(events[0].args.by?.toLowerCase(), wallet.account.address.toLowerCase());
    assert.equal(events[0].args.newValue, 1n);

    await publicClient.waitForTransactionReceipt({ hash: await counter.write.setNumber([99n]) });
    await publicClient.waitForTransactionReceipt({ hash: await counter.write.increment() });
    assert.equal(await counter.read.number(), 100n);
    const all = await counter.getEvents.Incremented({ by: wallet.account.address }, { fromBlock: 0n });
    assert.deepEqual(
      all.map((e) => e.args.newValue),
      [1n, 99n, 100n],
    );
  });

  it("surfaces the revert reason", async () => {
    const counter = await viem.deployContract("Counter");
    const err = await counter.simulate.fail().catch((e) => e);
    assert.ok(err instanceof BaseError, String(err));
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
    assert.ok(revert instanceof ContractFunctionRevertedError, err.message);
    assert.equal(revert.reason, "counter: failure");
  });
});
