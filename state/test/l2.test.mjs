import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { JsonRpcProvider, Network, Wallet, Contract, parseEther, keccak256, solidityPacked, zeroPadValue } from "ethers";
import { startAnvil, ANVIL_KEYS } from "../lib/anvil.mjs";
import { artifact } from "../deploy.mjs";
import { withdrawalMessage, FINALIZE_ETH_WITHDRAWAL_SELECTOR, L2_MESSENGER, L2_BASE_TOKEN } from "../lib/encoding.mjs";

// The L2 system contracts run here on a plain anvil with their runtime code placed at their
// genesis addresses, exactly as the L2 genesis will hold them.
let anvil, provider, user, messenger, baseToken;
before(async () => {
  anvil = await startAnvil();
  provider = new JsonRpcProvider(anvil.url, Network.from(31337), { staticNetwork: true, cacheTimeout: -1 });
  await provider.send("anvil_setCode", [L2_MESSENGER, artifact("L1Messenger").deployedBytecode.object]);
  await provider.send("anvil_setCode", [L2_BASE_TOKEN, artifact("L2BaseToken").deployedBytecode.object]);
  user = new Wallet(ANVIL_KEYS[2], provider);
  messenger = new Contract(L2_MESSENGER, artifact("L1Messenger").abi, user);
  baseToken = new Contract(L2_BASE_TOKEN, artifact("L2BaseToken").abi, user);
});
after(async () => {
  provider?.destroy();
  await anvil?.stop();
});

const parse = (receipt) =>
  receipt.logs.map((l) =>
    l.address.toLowerCase() === L2_MESSENGER.toLowerCase()
      ? { at: "messenger", ...messenger.interface.parseLog(l) }
      : { at: "baseToken", ...baseToken.interface.parseLog(l) },
  );

test("sendToL1 returns keccak(message) and emits L1MessageSent(sender, hash, message)", async () => {
  const message = "0xdeadbeef01";
  assert.equal(await messenger.sendToL1.staticCall(message), keccak256(message));
  const [ev] = parse(await (await messenger.sendToL1(message)).wait());
  assert.equal(ev.name, "L1MessageSent");
  assert.deepEqual([...ev.args], [user.address, keccak256(message), message]);
});

test("withdraw sends the 56-byte withdrawal message and keeps the ETH in 0x…800a", async () => {
  const receiver = Wallet.createRandom().address;
  const before = await provider.getBalance(L2_BASE_TOKEN);
  const evs = parse(await (await baseToken.withdraw(receiver, { value: parseEther("1.5") })).wait());
  const expected = withdrawalMessage(receiver, parseEther("1.5"));
  assert.equal(expected.length, 2 + 2 * 56);
  assert.equal(expected.slice(0, 10), FINALIZE_ETH_WITHDRAWAL_SELECTOR);
  assert.equal(FINALIZE_ETH_WITHDRAWAL_SELECTOR, "0x6c0960f9");
  assert.deepEqual(evs.map((e) => `${e.at}.${e.name}`), ["messenger.L1MessageSent", "baseToken.Withdrawal"]);
  // The message is sent by the base token contract: on L1 the log's key is 0x…800a.
  assert.deepEqual([...evs[0].args], [L2_BASE_TOKEN, keccak256(expected), expected]);
  assert.deepEqual([...evs[1].args], [user.address, receiver, parseEther("1.5")]);
  assert.equal(await provider.getBalance(L2_BASE_TOKEN), before + parseEther("1.5"));
  assert.equal(zeroPadValue(L2_BASE_TOKEN, 32).length, 66);
});

test("withdrawWithMessage appends the L2 sender and the data", async () => {
  const receiver = Wallet.createRandom().address;
  const evs = parse(await (await baseToken.withdrawWithMessage(receiver, "0xc0ffee", { value: 7n })).wait());
  const expected = solidityPacked(["bytes4", "address", "uint256", "address", "bytes"],
    [FINALIZE_ETH_WITHDRAWAL_SELECTOR, receiver, 7n, user.address, "0xc0ffee"]);
  assert.equal(evs[0].args._message, expected);
  assert.deepEqual([...evs[1].args], [user.address, receiver, 7n, "0xc0ffee"]);
});
