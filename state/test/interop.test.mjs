import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Contract, Wallet, keccak256, solidityPacked, toUtf8Bytes, toBeHex } from "ethers";
import { setup, expectRevert } from "../lib/testkit.mjs";
import { artifact } from "../deploy.mjs";

// The Gateway's MessageRoot and an L2's interop root storage, on a plain anvil: the MessageRoot's
// runtime code at 0x…10005 (as the Gateway's genesis holds it) wired to a real Bridgehub, whose
// "chain" here is an account, so batch roots can be appended by hand.
const MESSAGE_ROOT = "0x0000000000000000000000000000000000010005";
const ROOT_STORAGE = "0x0000000000000000000000000000000000010008";
const BOOTLOADER = "0x0000000000000000000000000000000000008001";
const EMPTY = keccak256(new Uint8Array(96));
const BATCH_LEAF = keccak256(toUtf8Bytes("zkSync:BatchLeaf"));
const CHAIN_LEAF = keccak256(toUtf8Bytes("zkSync:ChainIdLeaf"));
const h2 = (a, b) => keccak256(solidityPacked(["bytes32", "bytes32"], [a, b]));
const batchLeaf = (root, n) => keccak256(solidityPacked(["bytes32", "bytes32", "uint256"], [BATCH_LEAF, root, n]));
const chainLeaf = (root, id) => keccak256(solidityPacked(["bytes32", "bytes32", "uint256"], [CHAIN_LEAF, root, id]));

/** The root of `leaves` padded with `zero` to a power of two (one leaf: itself; none: 0). */
function paddedRoot(leaves, zero = EMPTY) {
  if (leaves.length === 0) return "0x" + "00".repeat(32);
  let level = leaves;
  while (level.length > 1) {
    const up = [];
    for (let i = 0; i < level.length; i += 2) up.push(h2(level[i], level[i + 1] ?? zero));
    level = up;
    zero = h2(zero, zero);
  }
  return level[0];
}

let t, chain, root, gatewayChainId;
const L2 = 270n;
before(async () => {
  t = await setup();
  await t.provider.send("anvil_setCode", [MESSAGE_ROOT, artifact("MessageRoot").deployedBytecode.object]);
  chain = new Wallet(Wallet.createRandom().privateKey, t.provider);
  await (await t.deployer.sendTransaction({ to: chain.address, value: 10n ** 18n })).wait();
  const hub = t.c.bridgehub.connect(t.deployer);
  await (await hub.registerChain(271n, chain.address, t.addresses.chainTypeManager)).wait();
  root = new Contract(MESSAGE_ROOT, artifact("MessageRoot").abi, t.deployer);
  await (await root.initialize(t.addresses.bridgehub)).wait();
  await (await root.addNewChain(L2)).wait();
  await (await root.addNewChain(271n)).wait();
  gatewayChainId = (await t.provider.getNetwork()).chainId;
});
after(async () => t?.stop());

test("the shared root is the padded tree of chain leaves, each over its chain's batch roots", async () => {
  const leaves = [chainLeaf("0x" + "00".repeat(32), gatewayChainId), chainLeaf("0x" + "00".repeat(32), L2), chainLeaf("0x" + "00".repeat(32), 271n)];
  assert.equal(await root.getAggregatedRoot(), paddedRoot(leaves));
  assert.equal(await root.chainIndex(271n), 2n);

  const batchRoots = [keccak256("0x01"), keccak256("0x02"), keccak256("0x03")];
  const asChain = root.connect(chain);
  for (const [i, r] of batchRoots.entries()) {
    const receipt = await (await asChain.addChainBatchRoot(271n, BigInt(i + 1), r)).wait();
    const chainRoot = paddedRoot(batchRoots.slice(0, i + 1).map((b, j) => batchLeaf(b, j + 1)));
    assert.equal(await root.getChainRoot(271n), chainRoot);
    leaves[2] = chainLeaf(chainRoot, 271n);
    const shared = paddedRoot(leaves);
    assert.equal(await root.getAggregatedRoot(), shared);
    assert.equal(await root.historicalRoot(receipt.blockNumber), shared);
    const events = receipt.logs.map((l) => root.interface.parseLog(l)).filter(Boolean);
    const appended = events.find((e) => e.name === "AppendedChainBatchRoot");
    assert.deepEqual([...appended.args], [271n, BigInt(i + 1), r]);
    const interop = events.find((e) => e.name === "NewInteropRoot");
    assert.deepEqual([...interop.args].slice(0, 3), [gatewayChainId, BigInt(receipt.blockNumber), BigInt(i)]);
    assert.deepEqual([...interop.args[3]], [shared]);
  }
  // The chain's path climbs its leaf to the shared root.
  const path = await root.getMerklePathForChain(271n);
  assert.equal(path.length, 2);
  assert.equal(h2(path[1], h2(leaves[2], path[0])), await root.getAggregatedRoot());
});

test("only the chain appends, in order, once, never a zero root", async () => {
  const asChain = root.connect(chain);
  await expectRevert(root.addChainBatchRoot(271n, 4n, keccak256("0x04")), "OnlyChain", [t.deployer.address, chain.address]);
  await expectRevert(asChain.addChainBatchRoot(271n, 6n, keccak256("0x06")), "NonConsecutiveBatchNumber", [271n, 6n]);
  await expectRevert(asChain.addChainBatchRoot(271n, 3n, keccak256("0x03")), "ChainBatchRootAlreadyExists", [271n, 3n]);
  await expectRevert(asChain.addChainBatchRoot(271n, 4n, "0x" + "00".repeat(32)), "ChainBatchRootZero");
  await expectRevert(root.addNewChain(271n), "ChainExists");
  await expectRevert(root.initialize(t.addresses.bridgehub), "AlreadyInitialized");
});

test("interop roots are imported by the bootloader only, once each", async () => {
  await t.provider.send("anvil_setCode", [ROOT_STORAGE, artifact("L2InteropRootStorage").deployedBytecode.object]);
  const storage = new Contract(ROOT_STORAGE, artifact("L2InteropRootStorage").abi, t.deployer);
  const r = { chainId: 506n, blockOrBatchNumber: 9n, sides: [keccak256("0x09")] };
  await expectRevert(storage.addInteropRootsInBatch([r]), "Unauthorized", [t.deployer.address]);
  await t.provider.send("anvil_impersonateAccount", [BOOTLOADER]);
  await t.provider.send("anvil_setBalance", [BOOTLOADER, toBeHex(10n ** 18n)]);
  const boot = await t.provider.getSigner(BOOTLOADER);
  const asBoot = storage.connect(boot);
  await (await asBoot.addInteropRootsInBatch([r], { gasLimit: 500_000 })).wait();
  assert.equal(await storage.interopRoots(506n, 9n), r.sides[0]);
  await expectRevert(asBoot.addInteropRootsInBatch.staticCall([r]), "InteropRootAlreadyExists");
  await expectRevert(asBoot.addInteropRoot.staticCall(506n, 10n, []), "SidesLengthNotOne");
  await expectRevert(asBoot.addInteropRoot.staticCall(506n, 10n, ["0x" + "00".repeat(32)]), "MessageRootIsZero");
});
