import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { JsonRpcProvider, JsonRpcSigner, Network, Wallet, Contract, parseEther, keccak256, solidityPacked, toBeHex, zeroPadValue } from "ethers";
import { startAnvil, ANVIL_KEYS } from "../lib/anvil.mjs";
import { artifact } from "../deploy.mjs";
import { deployTestToken, expectRevert } from "../lib/testkit.mjs";
import {
  withdrawalMessage, FINALIZE_ETH_WITHDRAWAL_SELECTOR, L2_MESSENGER, L2_BASE_TOKEN, L2_ASSET_ROUTER, L2_NATIVE_TOKEN_VAULT,
  ntvAssetId, encodeBridgeBurnData, encodeBridgeMintData, encodeTokenData,
} from "../lib/encoding.mjs";

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

test("the L2 vault with a token native to its L2: registered once, locked on departure, released on its way back", async () => {
  // Its own anvil with chain id 270: the vault tells native tokens by block.chainid.
  const l2 = await startAnvil(["--chain-id", "270"]);
  const p = new JsonRpcProvider(l2.url, Network.from(270), { staticNetwork: true, cacheTimeout: -1 });
  try {
    for (const [address, name] of [[L2_ASSET_ROUTER, "L2AssetRouter"], [L2_NATIVE_TOKEN_VAULT, "L2NativeTokenVault"],
      [L2_MESSENGER, "L1Messenger"]]) {
      await p.send("anvil_setCode", [address, artifact(name).deployedBytecode.object]);
    }
    await p.send("anvil_setStorageAt", [L2_ASSET_ROUTER, toBeHex(1, 32), toBeHex(31337, 32)]); // the L1 chain id
    const alice = new Wallet(ANVIL_KEYS[4], p);
    const [bob, carol] = [Wallet.createRandom().address, Wallet.createRandom().address];
    const vault = new Contract(L2_NATIVE_TOKEN_VAULT, artifact("L2NativeTokenVault").abi, alice);
    const router = new Contract(L2_ASSET_ROUTER, artifact("L2AssetRouter").abi, alice);

    await expectRevert(vault.registerToken(alice.address), "EmptyToken");
    const token = await deployTestToken(alice, "Native", "NAT", 6);
    const native = await token.getAddress();
    const assetId = ntvAssetId(270n, native);
    assert.equal(await vault.ensureTokenIsRegistered.staticCall(native), assetId);
    await (await vault.ensureTokenIsRegistered(native)).wait();
    assert.equal(await vault.ensureTokenIsRegistered.staticCall(native), assetId, "registered: the same id");
    await expectRevert(vault.registerToken(native), "AssetIdAlreadyRegistered");
    assert.deepEqual(
      [await vault.tokenAddress(assetId), await vault.assetId(native), await vault.originChainId(assetId), await vault.originToken(assetId)],
      [native, assetId, 270n, native],
    );
    assert.equal(await router.assetHandlerAddress(assetId), L2_NATIVE_TOKEN_VAULT);

    await (await token.mint(alice.address, 1000n)).wait();
    await (await token.approve(L2_NATIVE_TOKEN_VAULT, 600n)).wait();
    const burn = encodeBridgeBurnData(400n, bob, native);
    await expectRevert(vault.bridgeBurn(271n, 0n, assetId, alice.address, burn), "Unauthorized", [alice.address]);
    await p.send("anvil_impersonateAccount", [L2_ASSET_ROUTER]);
    await p.send("anvil_setBalance", [L2_ASSET_ROUTER, toBeHex(parseEther("1"))]);
    const asRouter = vault.connect(new JsonRpcSigner(p, L2_ASSET_ROUTER));
    const metadata = encodeTokenData(270n, "Native", "NAT", 6);
    assert.equal(await vault.getERC20Getters(native, 270n), metadata);
    assert.equal(await asRouter.bridgeBurn.staticCall(271n, 0n, assetId, alice.address, burn),
      encodeBridgeMintData(alice.address, bob, native, 400n, metadata), "the token itself is the origin token");
    await (await asRouter.bridgeBurn(271n, 0n, assetId, alice.address, burn)).wait();
    assert.deepEqual([await token.balanceOf(alice.address), await token.balanceOf(L2_NATIVE_TOKEN_VAULT), await token.totalSupply()],
      [600n, 400n, 1000n], "locked, not burned");
    const leave = (amount) => asRouter.bridgeBurn.staticCall(271n, 0n, assetId, alice.address, encodeBridgeBurnData(amount, bob, native));
    await expectRevert(leave(0n), "EmptyDeposit");
    await expectRevert(leave(300n), "TokenTransferFailed", [native]); // 200 approved
    await (await token.setFeeBps(100n)).wait();
    await expectRevert(leave(100n), "TokensWithFeesNotSupported");
    await (await token.setFeeBps(0n)).wait();

    // On its way back: released from the vault.
    await (await asRouter.bridgeMint(271n, assetId, encodeBridgeMintData(bob, carol, native, 150n, metadata))).wait();
    assert.deepEqual([await token.balanceOf(carol), await token.balanceOf(L2_NATIVE_TOKEN_VAULT)], [150n, 250n]);
    // No bridged token is created for a token that says it is native here.
    const other = await (await deployTestToken(alice, "Other", "OTH", 18)).getAddress();
    await expectRevert(asRouter.bridgeMint.staticCall(271n, ntvAssetId(270n, other),
      encodeBridgeMintData(bob, carol, other, 1n, encodeTokenData(270n, "Other", "OTH", 18))), "DeployingBridgedTokenForNativeToken");
    // And none goes to L1, whose vault only knows L1 tokens.
    await expectRevert(router["withdraw(bytes32,bytes)"].staticCall(assetId, encodeBridgeBurnData(1n, bob, native)),
      "AssetIdNotSupported", [assetId]);
  } finally {
    p.destroy();
    await l2.stop();
  }
});
