// ethers v6 against the node: deploy, transfer, queryFilter, reverts, unlocked signer, WebSocketProvider.
// The provider is created with { staticNetwork: true, cacheTimeout: -1 } (see client-tools.md: the
// default 250 ms call cache would reuse a stale nonce on quick consecutive sends).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { ethers } from "ethers";
import { startNode, artifact, DEV_ACCOUNTS, RICH_ACCOUNT, INITIAL_BALANCE, CHAIN_ID } from "./harness.mjs";

const counterArt = artifact("Counter");
const tokenArt = artifact("Token");

let node, provider, wallet;
let counter, token;
const wsProviders = [];

before(async () => {
  node = await startNode();
  const network = new ethers.Network("zkos-dev", CHAIN_ID);
  provider = new ethers.JsonRpcProvider(node.url, network, { staticNetwork: network, cacheTimeout: -1, pollingInterval: 100 });
  wallet = new ethers.Wallet(DEV_ACCOUNTS[0].key, provider);
});

after(async () => {
  for (const p of wsProviders) await p.destroy();
  provider?.destroy();
  await node?.stop();
});

test("ethers: network, block number, balances, fee data", async () => {
  assert.equal(BigInt(await provider.send("eth_chainId", [])), BigInt(CHAIN_ID));
  assert.equal((await provider.getNetwork()).chainId, BigInt(CHAIN_ID));
  assert.ok((await provider.getBlockNumber()) >= 0);
  assert.equal(await provider.getBalance(DEV_ACCOUNTS[9].address), INITIAL_BALANCE);
  assert.equal(await provider.getBalance(RICH_ACCOUNT.address), INITIAL_BALANCE);
  const fee = await provider.getFeeData();
  assert.ok(fee.gasPrice > 0n, `gasPrice ${fee.gasPrice}`);
  assert.ok(fee.maxFeePerGas > 0n, `maxFeePerGas ${fee.maxFeePerGas}`);
});

test("ethers: ContractFactory.deploy: Token with constructor arg", async () => {
  const supply = ethers.parseEther("1000000");
  const factory = new ethers.ContractFactory(tokenArt.abi, tokenArt.bytecode, wallet);
  const c = await factory.deploy(supply);
  await c.waitForDeployment();
  const rcpt = await c.deploymentTransaction().wait();
  assert.equal(rcpt.status, 1);
  token = c;
  const addr = await token.getAddress();
  assert.equal(rcpt.contractAddress, addr);
  assert.equal(await provider.getCode(addr), tokenArt.deployedBytecode);
  assert.equal(await token.totalSupply(), supply);
  assert.equal(await token.balanceOf(wallet.address), supply);
  assert.equal(await token.name(), "Token");
  assert.equal(await token.symbol(), "TKN");
  assert.equal(await token.decimals(), 18n);
});

test("ethers: ERC-20 transfer + queryFilter on Transfer (indexed from/to)", async () => {
  const a = DEV_ACCOUNTS[1].address;
  const b = DEV_ACCOUNTS[2].address;
  const tx1 = await token.transfer(a, ethers.parseEther("100"));
  const r1 = await tx1.wait();
  assert.equal(r1.status, 1);
  // quick consecutive sends from the same wallet (nonce handling)
  const tx2 = await token.transfer(b, ethers.parseEther("7"));
  const tx3 = await token.transfer(a, ethers.parseEther("1"));
  assert.equal(tx3.nonce, tx2.nonce + 1);
  const [r2, r3] = await Promise.all([tx2.wait(), tx3.wait()]);
  assert.equal(r2.status, 1);
  assert.equal(r3.status, 1);

  assert.equal(await token.balanceOf(a), ethers.parseEther("101"));
  assert.equal(await token.balanceOf(b), ethers.parseEther("7"));

  const parsed = r1.logs.map((l) => token.interface.parseLog(l));
  assert.equal(parsed.length, 1);
  assert.equal(parsed[0].name, "Transfer");
  assert.deepEqual([...parsed[0].args], [wallet.address, a, ethers.parseEther("100")]);

  const toA = await token.queryFilter(token.filters.Transfer(wallet.address, a), 0, "latest");
  assert.deepEqual(
    toA.map((e) => e.args.value),
    [ethers.parseEther("100"), ethers.parseEther("1")],
  );
  for (const e of toA) {
    assert.equal(e.eventName, "Transfer");
    assert.equal(e.args.from, wallet.address);
    assert.equal(e.args.to, a);
  }
  const all = await token.queryFilter(token.filters.Transfer(), 0, "latest");
  assert.equal(all.length, 4); // mint + 3 transfers
  assert.equal(all[0].args.from, ethers.ZeroAddress);
  const none = await token.queryFilter(token.filters.Transfer(DEV_ACCOUNTS[8].address), 0, "latest");
  assert.deepEqual(none, []);
});

test("ethers: ETH transfer: balances move by exactly value + gasUsed * gasPrice", async () => {
  const sender = new ethers.Wallet(DEV_ACCOUNTS[3].key, provider);
  const to = ethers.Wallet.createRandom().address;
  const value = ethers.parseEther("2.25");
  const before = await provider.getBalance(sender.address);
  const tx = await sender.sendTransaction({ to, value });
  const rcpt = await tx.wait();
  assert.equal(rcpt.status, 1);
  assert.equal(rcpt.gasUsed, 21000n);
  assert.equal(await provider.getBalance(to), value);
  assert.equal(await provider.getBalance(sender.address), before - value - rcpt.gasUsed * rcpt.gasPrice);
  const got = await provider.getTransaction(tx.hash);
  assert.equal(got.value, value);
  assert.equal(got.chainId, BigInt(CHAIN_ID));
  assert.equal(got.blockNumber, rcpt.blockNumber);
  assert.equal(await provider.getTransactionCount(sender.address), 1);
});

test("ethers: Counter: deploy, increment, event args; reverts are decoded", async () => {
  const factory = new ethers.ContractFactory(counterArt.abi, counterArt.bytecode, wallet);
  counter = await factory.deploy();
  await counter.waitForDeployment();
  const rcpt = await (await counter.increment()).wait();
  assert.equal(rcpt.status, 1);
  assert.equal(await counter.number(), 1n);
  const ev = counter.interface.parseLog(rcpt.logs[0]);
  assert.equal(ev.name, "Incremented");
  assert.equal(ev.args.by, wallet.address);
  assert.equal(ev.args.newValue, 1n);
  assert.equal(await counter.divide(10n, 3n), 3n);

  // revert string (eth_call)
  await assert.rejects(counter.fail.staticCall(), (e) => {
    assert.equal(e.code, "CALL_EXCEPTION", e.message);
    assert.equal(e.reason, "counter: failure");
    return true;
  });
  // revert string (eth_estimateGas on send)
  await assert.rejects(counter.fail(), (e) => {
    assert.equal(e.code, "CALL_EXCEPTION", e.message);
    assert.equal(e.reason, "counter: failure");
    return true;
  });
  // custom error
  await assert.rejects(counter.failCustom.staticCall(), (e) => {
    assert.equal(e.code, "CALL_EXCEPTION", e.message);
    assert.equal(e.revert?.name, "Unauthorized", e.message);
    assert.deepEqual([...e.revert.args], [wallet.address]);
    return true;
  });
  // panic 0x12
  await assert.rejects(counter.divide(1n, 0n), (e) => {
    assert.equal(e.code, "CALL_EXCEPTION", e.message);
    assert.equal(e.revert?.name, "Panic", e.message);
    assert.equal(BigInt(e.revert.args[0]), 0x12n);
    return true;
  });
  // token require message
  await assert.rejects(token.connect(new ethers.Wallet(DEV_ACCOUNTS[5].key, provider)).transfer.staticCall(wallet.address, 1n), (e) => {
    assert.equal(e.reason, "Token: insufficient balance", e.message);
    return true;
  });
});

test("ethers: JsonRpcSigner (eth_sendTransaction from an unlocked dev account)", async () => {
  const signer = await provider.getSigner(DEV_ACCOUNTS[4].address);
  const accounts = (await provider.send("eth_accounts", [])).map((a) => a.toLowerCase());
  assert.ok(accounts.includes(DEV_ACCOUNTS[4].address.toLowerCase()), `eth_accounts: ${accounts}`);
  const rcpt = await (await counter.connect(signer).setNumber(4242n)).wait();
  assert.equal(rcpt.status, 1);
  assert.equal(rcpt.from, DEV_ACCOUNTS[4].address);
  assert.equal(await counter.number(), 4242n);
  const evs = await counter.queryFilter(counter.filters.Incremented(DEV_ACCOUNTS[4].address), rcpt.blockNumber, rcpt.blockNumber);
  assert.equal(evs.length, 1);
  assert.equal(evs[0].args.newValue, 4242n);
});

test("ethers: WebSocketProvider: calls and a contract event subscription", async () => {
  const ws = new ethers.WebSocketProvider(node.wsUrl, new ethers.Network("zkos-dev", CHAIN_ID), { staticNetwork: true, cacheTimeout: -1 });
  wsProviders.push(ws);
  assert.equal(await ws.getBalance(DEV_ACCOUNTS[9].address), INITIAL_BALANCE);
  const wsCounter = counter.connect(ws);
  assert.equal(await wsCounter.number(), 4242n);

  const got = new Promise((resolve) => {
    // with a topic filter ethers calls the listener with the ContractEventPayload only
    wsCounter.on(wsCounter.filters.Incremented(wallet.address), (...args) => {
      const payload = args[args.length - 1];
      if (payload.args.newValue === 777n) resolve({ by: payload.args.by, newValue: payload.args.newValue, event: payload });
    });
  });
  await new Promise((r) => setTimeout(r, 500)); // let eth_subscribe complete
  const rcpt = await (await counter.setNumber(777n)).wait();
  let timer;
  const ev = await Promise.race([got, new Promise((_, rej) => (timer = setTimeout(() => rej(new Error("no Incremented event over WS within 60 s")), 60_000)))]);
  clearTimeout(timer);
  await wsCounter.removeAllListeners();
  await new Promise((r) => setTimeout(r, 500)); // ethers sends eth_unsubscribe in the background
  wsProviders.pop();
  await ws.destroy();
  assert.equal(ev.by, wallet.address);
  assert.equal(ev.newValue, 777n);
  assert.equal(ev.event.log.transactionHash, rcpt.hash);
});
