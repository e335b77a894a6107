// Counter's tests, with Node's test runner and viem:
//   npx hardhat test --network zkosL2   against the running devnet (or --network zkosL1)
//   npx hardhat test                    on Hardhat's in-process simulated network
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";

describe("Counter", async () => {
  const { viem } = await network.getOrCreate();
  const publicClient = await viem.getPublicClient();
  const [wallet] = await viem.getWalletClients();

  it("starts at zero and increments", async () => {
    const counter = await viem.deployContract("Counter");
    assert.equal(await counter.read.number(), 0n);

    const hash = await counter.write.increment();
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal(await counter.read.number(), 1n);
  });

  it("emits Changed(by, newValue)", async () => {
    const counter = await viem.deployContract("Counter");
    const hash = await counter.write.setNumber([7n]);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });

    const events = await counter.getEvents.Changed({}, { fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber });
    assert.equal(events.length, 1);
    assert.equal(events[0].args.by?.toLowerCase(), wallet.account.address.toLowerCase());
    assert.equal(events[0].args.newValue, 7n);
  });

  it("reverts with a reason below zero", async () => {
    const counter = await viem.deployContract("Counter");
    await assert.rejects(counter.simulate.decrement(), /Counter: already zero/);
  });
});
