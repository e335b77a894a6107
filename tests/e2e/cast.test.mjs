// cast (Foundry 1.7.1) against the node: send, call, receipt, logs, balance.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { startNode, bin, runOk, run, artifact, DEV_ACCOUNTS, RICH_ACCOUNT, INITIAL_BALANCE, CHAIN_ID } from "./harness.mjs";

let node;
// options go right after the subcommand (cast send needs them before `--create`)
const withRpc = ([sub, ...rest]) => [sub, "--rpc-url", node.url, ...rest];
const cast = (...args) => runOk(bin("cast"), withRpc(args));
const castRaw = (...args) => run(bin("cast"), withRpc(args));
const castLocal = (...args) => runOk(bin("cast"), args); // no RPC (keccak, sig)
const castJson = async (sub, ...args) => JSON.parse(await cast(sub, "--json", ...args));

const counter = artifact("Counter");
let counterAddress;

before(async () => {
  node = await startNode();
});
after(async () => {
  await node?.stop();
});

test("cast chain-id / client / block-number", async () => {
  assert.equal(await cast("chain-id"), String(CHAIN_ID));
  const client = await cast("client");
  assert.match(client, /^anvil\//, `web3_clientVersion = ${client}`);
  const bn = Number(await cast("block-number"));
  assert.ok(Number.isInteger(bn) && bn >= 0, `block-number = ${bn}`);
});

test("cast balance: dev accounts and rich account hold 10000 ETH at start", async () => {
  for (const acct of [DEV_ACCOUNTS[5], DEV_ACCOUNTS[9], RICH_ACCOUNT]) {
    assert.equal(BigInt(await cast("balance", acct.address)), INITIAL_BALANCE, acct.address);
  }
  assert.equal(await cast("balance", "--ether", DEV_ACCOUNTS[9].address), "10000.000000000000000000");
  assert.equal(await cast("nonce", DEV_ACCOUNTS[9].address), "0");
});

test("cast send: ETH transfer, balances move by value + gasUsed * effectiveGasPrice", async () => {
  const from = DEV_ACCOUNTS[1];
  const to = "0x000000000000000000000000000000000000c0de";
  const value = 1_234_567_890_123_456_789n;
  const before = BigInt(await cast("balance", from.address));
  const toBefore = BigInt(await cast("balance", to));
  const rcpt = await castJson("send", "--private-key", from.key, to, "--value", value.toString());
  assert.equal(rcpt.status, "0x1");
  assert.equal(rcpt.from.toLowerCase(), from.address.toLowerCase());
  assert.equal(rcpt.to.toLowerCase(), to);
  assert.equal(BigInt(rcpt.gasUsed), 21000n);
  const fee = BigInt(rcpt.gasUsed) * BigInt(rcpt.effectiveGasPrice);
  assert.equal(BigInt(await cast("balance", to)), toBefore + value);
  assert.equal(BigInt(await cast("balance", from.address)), before - value - fee);
  assert.equal(await cast("nonce", from.address), "1");

  // the tx is retrievable and matches
  const tx = await castJson("tx", rcpt.transactionHash);
  assert.equal(tx.hash, rcpt.transactionHash);
  assert.equal(BigInt(tx.value), value);
  assert.equal(BigInt(tx.chainId), BigInt(CHAIN_ID));
  assert.equal(tx.blockNumber, rcpt.blockNumber);
});

test("cast send --create: deploys Counter, code matches the artifact", async () => {
  const from = DEV_ACCOUNTS[0];
  const rcpt = await castJson("send", "--private-key", from.key, "--create", counter.bytecode);
  assert.equal(rcpt.status, "0x1");
  assert.match(rcpt.contractAddress ?? "", /^0x[0-9a-fA-F]{40}$/);
  counterAddress = rcpt.contractAddress;
  const expected = await cast("compute-address", from.address, "--nonce", "0");
  assert.ok(expected.toLowerCase().includes(counterAddress.toLowerCase()), `compute-address: ${expected} vs ${counterAddress}`);
  assert.equal((await cast("code", counterAddress)).toLowerCase(), counter.deployedBytecode.toLowerCase());
  assert.equal(await cast("call", counterAddress, "number()(uint256)"), "0");
});

test("cast send + call: increment / setNumber change state; receipt carries the event", async () => {
  const from = DEV_ACCOUNTS[0];
  const r1 = await castJson("send", "--private-key", from.key, counterAddress, "increment()");
  assert.equal(r1.status, "0x1");
  assert.equal(await cast("call", counterAddress, "number()(uint256)"), "1");

  const r2 = await castJson("send", "--private-key", from.key, counterAddress, "setNumber(uint256)", "41");
  assert.equal(r2.status, "0x1");
  const r3 = await castJson("send", "--private-key", from.key, counterAddress, "increment()");
  assert.equal(r3.status, "0x1");
  assert.equal(await cast("call", counterAddress, "number()(uint256)"), "42");

  const topic0 = await castLocal("keccak", "Incremented(address,uint256)");
  const rcpt = await castJson("receipt", r3.transactionHash);
  assert.equal(rcpt.status, "0x1");
  assert.equal(rcpt.logs.length, 1);
  const log = rcpt.logs[0];
  assert.equal(log.address.toLowerCase(), counterAddress.toLowerCase());
  assert.equal(log.topics[0], topic0);
  assert.equal(BigInt(log.topics[1]), BigInt(from.address));
  assert.equal(BigInt(log.data), 42n);
  assert.equal(log.transactionHash, r3.transactionHash);
  assert.equal(log.blockNumber, r3.blockNumber);
  assert.ok(BigInt(r3.blockNumber) > BigInt(r1.blockNumber), "each tx mined in a later block");
});

test("cast receipt: ZKsync receipt fields are present (viem zksyncLocalNode needs them)", async () => {
  const r = await castJson("send", "--private-key", DEV_ACCOUNTS[0].key, counterAddress, "increment()");
  const raw = await node.rpc("eth_getTransactionReceipt", [r.transactionHash]);
  assert.equal(raw.status, "0x1");
  assert.deepEqual(raw.l2ToL1Logs, []);
  // present; null while the tx's L1 batch is not sealed yet (ZKsync semantics), else a quantity
  for (const k of ["l1BatchNumber", "l1BatchTxIndex"]) {
    assert.ok(k in raw, `receipt has no ${k}: ${JSON.stringify(raw)}`);
    assert.ok(raw[k] === null || /^0x[0-9a-f]+$/.test(raw[k]), `${k} = ${raw[k]}`);
  }
  assert.equal(raw.logs.length, 1);
  assert.equal(raw.logs[0].transactionLogIndex, "0x0");
  assert.ok("logType" in raw.logs[0], "log has logType");
});

test("cast logs: filter by address and event signature", async () => {
  const logs = await castJson("logs", "--from-block", "0", "--to-block", "latest", "--address", counterAddress, "Incremented(address indexed by, uint256 newValue)");
  // increment -> 1, setNumber(41), increment -> 42, increment -> 43
  assert.deepEqual(
    logs.map((l) => BigInt(l.data)),
    [1n, 41n, 42n, 43n],
  );
  for (const l of logs) {
    assert.equal(l.address.toLowerCase(), counterAddress.toLowerCase());
    assert.equal(BigInt(l.topics[1]), BigInt(DEV_ACCOUNTS[0].address));
  }
  // topic filter that matches nothing
  const none = await castJson("logs", "--from-block", "0", "--address", counterAddress, "Incremented(address indexed by, uint256 newValue)", DEV_ACCOUNTS[7].address);
  assert.deepEqual(none, []);
});

test("cast call: pure function and reverts (reason string, custom error, panic)", async () => {
  assert.equal(await cast("call", counterAddress, "divide(uint256,uint256)(uint256)", "100", "7"), "14");

  const fail = await castRaw("call", counterAddress, "fail()");
  assert.notEqual(fail.code, 0);
  assert.match(fail.stderr, /counter: failure/, fail.stderr);
  assert.match(fail.stderr, /execution reverted/, fail.stderr);

  const sel = (await castLocal("sig", "Unauthorized(address)")).slice(2);
  const custom = await castRaw("call", "--from", DEV_ACCOUNTS[3].address, counterAddress, "failCustom()");
  assert.notEqual(custom.code, 0);
  // revert data = selector ++ abi.encode(caller)
  assert.match(custom.stderr.toLowerCase(), new RegExp(sel + "0{24}" + DEV_ACCOUNTS[3].address.slice(2).toLowerCase()), custom.stderr);

  const panic = await castRaw("call", counterAddress, "divide(uint256,uint256)", "1", "0");
  assert.notEqual(panic.code, 0);
  // Panic(uint256) selector 0x4e487b71, code 0x12
  assert.match(panic.stderr.toLowerCase(), /4e487b710{62}12|division or modulo by zero/, panic.stderr);
});

test("cast send: a reverting call is rejected at estimation; forced gas mines a failed tx", async () => {
  const from = DEV_ACCOUNTS[2];
  const est = await castRaw("send", "--private-key", from.key, counterAddress, "fail()");
  assert.notEqual(est.code, 0);
  assert.match(est.stderr, /counter: failure/, est.stderr);
  assert.equal(await cast("nonce", from.address), "0", "nothing was sent");

  // cast send prints the failed receipt (status 0, revertReason from a replay) and exits 0
  const forced = await castJson("send", "--private-key", from.key, "--gas-limit", "100000", counterAddress, "fail()");
  assert.equal(forced.status, "0x0");
  assert.match(forced.revertReason ?? "", /counter: failure/, JSON.stringify(forced));
  const rcpt = await node.rpc("eth_getTransactionReceipt", [forced.transactionHash]);
  assert.equal(rcpt.status, "0x0");
  assert.deepEqual(rcpt.logs, []);
  assert.equal(await cast("nonce", from.address), "1", "the failed tx consumed a nonce");
});

test("cast send --unlocked (eth_sendTransaction from a dev account)", async () => {
  const from = DEV_ACCOUNTS[4];
  const rcpt = await castJson("send", "--unlocked", "--from", from.address, counterAddress, "setNumber(uint256)", "777");
  assert.equal(rcpt.status, "0x1");
  assert.equal(rcpt.from.toLowerCase(), from.address.toLowerCase());
  assert.equal(await cast("call", counterAddress, "number()(uint256)"), "777");
});

test("cast send from the rich account", async () => {
  const to = DEV_ACCOUNTS[8].address;
  const before = BigInt(await cast("balance", to));
  const rcpt = await castJson("send", "--private-key", RICH_ACCOUNT.key, to, "--value", "1ether");
  assert.equal(rcpt.status, "0x1");
  assert.equal(rcpt.from.toLowerCase(), RICH_ACCOUNT.address.toLowerCase());
  assert.equal(BigInt(await cast("balance", to)), before + 10n ** 18n);
});

test("cast block: latest block includes the last tx", async () => {
  const rcpt = await castJson("send", "--private-key", DEV_ACCOUNTS[6].key, DEV_ACCOUNTS[7].address, "--value", "1");
  const block = await castJson("block", BigInt(rcpt.blockNumber).toString());
  assert.equal(block.hash, rcpt.blockHash);
  assert.ok(block.transactions.includes(rcpt.transactionHash), JSON.stringify(block.transactions));
  const latest = await castJson("block", "latest");
  assert.ok(BigInt(latest.number) >= BigInt(rcpt.blockNumber));
});
