// `npx hardhat test nodejs test/NetworkHelpers.ts --network zkos`: @nomicfoundation/hardhat-network-helpers
// (Hardhat 3: `networkHelpers` on the network connection) against the external node. Each helper's
// effect is checked with a plain viem public-client read.
//
// The connection comes from `network.getOrCreate()`: in Hardhat 3.17 `network.connect()` still works
// but is deprecated in its favour; both return a connection with `networkHelpers`.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { parseEther, getAddress } from "viem";

describe("hardhat-network-helpers on the node", async () => {
  const connection = await network.getOrCreate();
  const { viem, networkHelpers, networkName } = connection;
  const { time } = networkHelpers;
  const publicClient = await viem.getPublicClient();
  const [wallet] = await viem.getWalletClients();

  it("runs against the external node (zkos, chain 270) as a development network", async () => {
    assert.equal(networkName, "zkos");
    assert.equal(await publicClient.getChainId(), 270);
    // the helpers refuse non-dev nodes: web3_clientVersion must start with hardhat/zksync/anvil
    const version = await connection.provider.request({ method: "web3_clientVersion" });
    assert.match(String(version), /^anvil\//i);
  });

  it("time.latest and time.latestBlock match the latest block", async () => {
    const block = await publicClient.getBlock({ blockTag: "latest" });
    assert.equal(await time.latest(), Number(block.timestamp));
    assert.equal(await time.latestBlock(), Number(block.number));
  });

  it("time.increase mines a block exactly that much later; time.increaseTo and setNextBlockTimestamp", async () => {
    const before = await publicClient.getBlock({ blockTag: "latest" });
    const latest = await time.increase(3600);
    const after = await publicClient.getBlock({ blockTag: "latest" });
    assert.equal(after.number, before.number + 1n);
    assert.equal(after.timestamp, before.timestamp + 3600n);
    assert.equal(latest, Number(after.timestamp));
    assert.equal(await time.latest(), Number(before.timestamp) + 3600);

    const target = Number(after.timestamp) + time.duration.days(2);
    await time.increaseTo(target);
    assert.equal((await publicClient.getBlock({ blockTag: "latest" })).timestamp, BigInt(target));

    // setNextBlockTimestamp applies to the next transaction's block
    await time.setNextBlockTimestamp(target + 500);
    const hash = await wallet.sendTransaction({ to: getAddress("0x000000000000000000000000000000000000dEaD"), value: 1n });
    const rcpt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal((await publicClient.getBlock({ blockNumber: rcpt.blockNumber })).timestamp, BigInt(target + 500));
  });

  it("mine, mine(n, { interval }) and mineUpTo", async () => {
    const start = await publicClient.getBlockNumber();
    await networkHelpers.mine();
    assert.equal(await publicClient.getBlockNumber(), start + 1n);

    await networkHelpers.mine(5, { interval: 60 });
    const head = await publicClient.getBlockNumber();
    assert.equal(head, start + 6n);
    const ts: bigint[] = [];
    for (let n = head - 4n; n <= head; n++) ts.push((await publicClient.getBlock({ blockNumber: n })).timestamp);
    assert.deepEqual(
      ts.slice(1).map((t, i) => t - ts[i]),
      [60n, 60n, 60n, 60n],
      `timestamps ${ts.join(",")}`,
    );

    await networkHelpers.mineUpTo(head + 10n);
    assert.equal(await publicClient.getBlockNumber(), head + 10n);
  });

  it("setBalance", async () => {
    const addr = getAddress("0x00000000000000000000000000000000000b0b01");
    await networkHelpers.setBalance(addr, parseEther("42"));
    assert.equal(await publicClient.getBalance({ address: addr }), parseEther("42"));
    await networkHelpers.setBalance(addr, 0n);
    assert.equal(await publicClient.getBalance({ address: addr }), 0n);
  });

  it("impersonateAccount: a non-dev address sends a transaction; stopImpersonatingAccount", async () => {
    const whale = getAddress("0x00000000000000000000000000000000000a11ce");
    const to = getAddress("0x00000000000000000000000000000000000b0b02");
    await networkHelpers.setBalance(whale, parseEther("10"));
    await networkHelpers.impersonateAccount(whale);

    // With `accounts: KEYS` Hardhat signs locally and rejects any other sender (HHE716), so the
    // impersonated sends go through a connection to the same node with `accounts: "remote"`.
    const remote = await network.create("zkosNodeAccounts");
    try {
      const impersonated = await remote.viem.getWalletClient(whale);
      const hash = await impersonated.sendTransaction({ to, value: parseEther("1.5") });
      const rcpt = await publicClient.waitForTransactionReceipt({ hash });
      assert.equal(rcpt.status, "success");
      assert.equal(rcpt.from.toLowerCase(), whale.toLowerCase());
      assert.equal(await publicClient.getBalance({ address: to }), parseEther("1.5"));
      assert.equal(await publicClient.getTransactionCount({ address: whale }), 1);

      // a contract deployed and called from the impersonated account
      const counter = await remote.viem.deployContract("Counter", [], { client: { wallet: impersonated } });
      const incHash = await counter.write.increment();
      const incRcpt = await publicClient.waitForTransactionReceipt({ hash: incHash });
      assert.equal(incRcpt.from.toLowerCase(), whale.toLowerCase());
      assert.equal(await counter.read.number(), 1n);
      assert.equal(await publicClient.getTransactionCount({ address: whale }), 3);

      await networkHelpers.stopImpersonatingAccount(whale);
      await assert.rejects(impersonated.sendTransaction({ to, value: 1n }), /no signer available/i);
      assert.equal(await publicClient.getBalance({ address: to }), parseEther("1.5"));
      assert.equal(await publicClient.getTransactionCount({ address: whale }), 3);
    } finally {
      await remote.close();
    }
  });

  it("setCode, setStorageAt, getStorageAt, setNonce", async () => {
    const addr = getAddress("0x0000000000000000000000000000000000c0de01");
    const counter = await viem.deployContract("Counter");
    const code = await publicClient.getCode({ address: counter.address });
    assert.ok(code && code.length > 2);
    await networkHelpers.setCode(addr, code);
    assert.equal(await publicClient.getCode({ address: addr }), code);
    await networkHelpers.setStorageAt(addr, 0, 1234);
    assert.equal(BigInt(await networkHelpers.getStorageAt(addr, 0)), 1234n);
    const copy = await viem.getContractAt("Counter", addr);
    assert.equal(await copy.read.number(), 1234n);

    await networkHelpers.setNonce(addr, 9);
    assert.equal(await publicClient.getTransactionCount({ address: addr }), 9);
  });

  it("takeSnapshot().restore() rolls state and head back, and can be restored again", async () => {
    const counter = await viem.deployContract("Counter");
    const head0 = await publicClient.getBlock({ blockTag: "latest" });
    const snapshot = await networkHelpers.takeSnapshot();

    await publicClient.waitForTransactionReceipt({ hash: await counter.write.setNumber([77n]) });
    await networkHelpers.setBalance(wallet.account.address, 1n);
    await networkHelpers.mine(3);
    assert.equal(await counter.read.number(), 77n);
    assert.equal(await publicClient.getBalance({ address: wallet.account.address }), 1n);

    await snapshot.restore();
    assert.equal(await counter.read.number(), 0n);
    assert.ok((await publicClient.getBalance({ address: wallet.account.address })) > parseEther("9000"));
    const head = await publicClient.getBlock({ blockTag: "latest" });
    assert.equal(head.number, head0.number);
    assert.equal(head.hash, head0.hash);

    // restore() re-takes the snapshot, so it works a second time
    await publicClient.waitForTransactionReceipt({ hash: await counter.write.setNumber([5n]) });
    assert.equal(await counter.read.number(), 5n);
    await snapshot.restore();
    assert.equal(await counter.read.number(), 0n);
    assert.equal(await publicClient.getBlockNumber(), head0.number);
  });

  it("loadFixture runs the fixture once, then restores its snapshot", async () => {
    let runs = 0;
    async function deployCounterFixture() {
      runs++;
      const counter = await viem.deployContract("Counter");
      await publicClient.waitForTransactionReceipt({ hash: await counter.write.setNumber([10n]) });
      return { counter, head: await publicClient.getBlockNumber() };
    }

    const first = await networkHelpers.loadFixture(deployCounterFixture);
    assert.equal(runs, 1);
    assert.equal(await first.counter.read.number(), 10n);
    await publicClient.waitForTransactionReceipt({ hash: await first.counter.write.increment() });
    await publicClient.waitForTransactionReceipt({ hash: await first.counter.write.increment() });
    assert.equal(await first.counter.read.number(), 12n);

    const second = await networkHelpers.loadFixture(deployCounterFixture);
    assert.equal(runs, 1, "the fixture ran again instead of restoring the snapshot");
    assert.equal(second.counter.address, first.counter.address);
    assert.equal(await second.counter.read.number(), 10n);
    assert.equal(await publicClient.getBlockNumber(), first.head);

    // and a third time, after more changes
    await networkHelpers.mine(2);
    await publicClient.waitForTransactionReceipt({ hash: await second.counter.write.setNumber([99n]) });
    const third = await networkHelpers.loadFixture(deployCounterFixture);
    assert.equal(runs, 1);
    assert.equal(await third.counter.read.number(), 10n);
    assert.equal(await publicClient.getBlockNumber(), first.head);
  });
});
