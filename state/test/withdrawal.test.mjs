import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { parseEther, ZeroAddress, keccak256, Wallet, zeroPadValue } from "ethers";
import { setup, expectRevert, nextBatch, eventsOf } from "../lib/testkit.mjs";
import {
  genesisStoredBatchInfo, toStoredBatchInfo, priorityOpsRollingHash, encodeCommitData, encodeProveData,
  encodeExecuteData, fakeProof, encodeL2Log, messageLog, withdrawalMessage, l2LogsTree, ntvAssetId, encodeBridgeMintData,
  FINALIZE_ETH_WITHDRAWAL_SELECTOR, L2_BOOTLOADER, L2_BASE_TOKEN, L2_ASSET_ROUTER, ETH_TOKEN_ADDRESS, ZERO32,
} from "../lib/encoding.mjs";

let t, tree, logs, receiver, receiver2, msg1, msg2;

before(async () => {
  t = await setup();
  const chain = t.c.zkChain.connect(t.operator);
  // Lock 5 ETH on L1 (in the native token vault) with a deposit.
  const req = { chainId: 270n, mintValue: parseEther("5"), l2Contract: t.user.address, l2Value: 0n, l2Calldata: "0x",
    l2GasLimit: 300_000n, l2GasPerPubdataByteLimit: 800n, factoryDeps: [], refundRecipient: ZeroAddress };
  const r = await (await t.c.bridgehub.connect(t.user).requestL2TransactionDirect(req, { value: req.mintValue })).wait();
  const l1TxHash = t.c.zkChain.interface.parseLog(r.logs.find((l) => l.address === t.addresses.zkChain)).args.txHash;

  receiver = Wallet.createRandom().address;
  receiver2 = Wallet.createRandom().address;
  msg1 = withdrawalMessage(receiver, parseEther("1"));
  msg2 = withdrawalMessage(receiver2, parseEther("0.25"));
  // The batch's L2->L1 logs: the deposit's service log, an unrelated message, two withdrawals.
  logs = [
    { l2ShardId: 0, isService: true, txNumberInBatch: 0, sender: L2_BOOTLOADER, key: l1TxHash, value: zeroPadValue("0x01", 32) },
    messageLog(1, t.user.address, "0x1234"),
    messageLog(2, L2_BASE_TOKEN, msg1),
    messageLog(3, L2_BASE_TOKEN, msg2),
  ];
  tree = l2LogsTree(logs.map(encodeL2Log));

  const genesis = genesisStoredBatchInfo();
  const b1 = nextBatch(genesis, 270, {
    numberOfLayer1Txs: 1n,
    priorityOperationsHash: priorityOpsRollingHash([l1TxHash]),
    l2LogsTreeRoot: tree.l2LogsTreeRoot,
  });
  const s1 = toStoredBatchInfo(b1);
  await (await chain.commitBatchesSharedBridge(t.addresses.zkChain, 1n, 1n, encodeCommitData(genesis, [b1]))).wait();
  await (await chain.proveBatchesSharedBridge(t.addresses.zkChain, 1n, 1n, encodeProveData(genesis, [s1], fakeProof(genesis, [s1])))).wait();
  // Not executed yet: no withdrawal can be finalized.
  await expectRevert(t.c.l1Nullifier.connect(t.user).finalizeDeposit(params(2, msg1)), "BatchNotExecuted", [1n]);
  await (await chain.executeBatchesSharedBridge(t.addresses.zkChain, 1n, 1n,
    encodeExecuteData([s1], [{ leftPath: [], rightPath: [], itemHashes: [l1TxHash] }]))).wait();
});
after(async () => t && (await t.stop()));

const params = (index, message, fields = {}) => ({
  chainId: 270n,
  l2BatchNumber: 1n,
  l2MessageIndex: BigInt(index),
  l2Sender: L2_BASE_TOKEN,
  l2TxNumberInBatch: index,
  message,
  merkleProof: tree.proof(index),
  ...fields,
});

test("the JS tree and the contract agree on leaves and roots", async () => {
  assert.equal(tree.proof(2).length, 16); // metadata + 14 siblings + aggregated root
  assert.equal(tree.proof(2)[0], "0x01" + "0f" + "00" + "01" + "00".repeat(28));
  assert.equal(await t.c.zkChain.l2LogsRootHash(1n), tree.l2LogsTreeRoot);
  assert.equal(tree.l2LogsTreeRoot, keccak256(tree.localRoot + ZERO32.slice(2)));
  for (let i = 0; i < logs.length; i++) {
    assert.equal(await t.c.zkChain.proveL2LogInclusion(1n, BigInt(i), logs[i], tree.proof(i)), true, `log ${i}`);
  }
  assert.equal(await t.c.zkChain.proveL2LogInclusion(1n, 1n, logs[0], tree.proof(1)), false);
  assert.equal(
    await t.c.bridgehub.proveL2MessageInclusion(270n, 1n, 1n, { txNumberInBatch: 1, sender: t.user.address, data: "0x1234" }, tree.proof(1)),
    true,
  );
  // The padding leaf can never be "proven".
  const empty = { l2ShardId: 0, isService: false, txNumberInBatch: 0, sender: ZeroAddress, key: ZERO32, value: ZERO32 };
  await expectRevert(t.c.zkChain.proveL2LogInclusion(1n, 4n, empty, tree.proof(4)), "HashedLogIsDefault");
});

test("finalizeDeposit releases the ETH once, from the vault, for a valid proof only", async () => {
  const nullifier = t.c.l1Nullifier.connect(t.user);
  const lockedBefore = await t.provider.getBalance(t.addresses.l1NativeTokenVault);
  assert.equal(lockedBefore, parseEther("5"));
  assert.equal(await nullifier.isWithdrawalFinalized(270n, 1n, 2n), false);

  // Wrong proofs: another leaf's path, a changed amount, a wrong tx number, a wrong index.
  await expectRevert(nullifier.finalizeDeposit(params(2, msg1, { merkleProof: tree.proof(1) })), "InvalidProof");
  await expectRevert(nullifier.finalizeDeposit(params(2, withdrawalMessage(receiver, parseEther("2")))), "InvalidProof");
  await expectRevert(nullifier.finalizeDeposit(params(2, msg1, { l2TxNumberInBatch: 7 })), "InvalidProof");
  await expectRevert(nullifier.finalizeDeposit(params(2, msg1, { l2MessageIndex: 3n })), "InvalidProof");
  const tampered = tree.proof(2);
  tampered[5] = keccak256(tampered[5]);
  await expectRevert(nullifier.finalizeDeposit(params(2, msg1, { merkleProof: tampered })), "InvalidProof");
  await expectRevert(nullifier.finalizeDeposit(params(2, msg1, { l2BatchNumber: 2n })), "BatchNotExecuted", [2n]);
  await expectRevert(nullifier.finalizeDeposit(params(2, msg1, { l2Sender: t.user.address })), "UnsupportedL2Sender", [t.user.address]);
  // The same message claimed as the asset router's: too short for one, and not its selector.
  await expectRevert(nullifier.finalizeDeposit(params(2, msg1, { l2Sender: L2_ASSET_ROUTER })), "L2WithdrawalMessageWrongLength", [56n]);
  await expectRevert(nullifier.finalizeDeposit(params(2, msg1 + "00".repeat(12), { l2Sender: L2_ASSET_ROUTER })), "InvalidSelector",
    [FINALIZE_ETH_WITHDRAWAL_SELECTOR]);
  await expectRevert(nullifier.finalizeDeposit(params(2, "0x1234")), "L2WithdrawalMessageWrongLength", [2n]);
  await expectRevert(nullifier.finalizeDeposit(params(2, "0xdeadbeef" + msg1.slice(10))), "InvalidSelector", ["0xdeadbeef"]);
  await expectRevert(nullifier.finalizeDeposit(params(2, msg1, { chainId: 271n })), "ChainNotRegistered", [271n]);
  assert.equal(await t.provider.getBalance(receiver), 0n);

  const r = await (await nullifier.finalizeDeposit(params(2, msg1))).wait();
  assert.equal(await t.provider.getBalance(receiver), parseEther("1"));
  assert.equal(await t.provider.getBalance(t.addresses.l1NativeTokenVault), lockedBefore - parseEther("1"));
  assert.equal(await nullifier.isWithdrawalFinalized(270n, 1n, 2n), true);
  // The router reports the finalized deposit (asset id + bridge mint data), the vault the release.
  const ethAssetId = ntvAssetId(31337n, ETH_TOKEN_ADDRESS);
  const mintData = encodeBridgeMintData(ZeroAddress, receiver, ETH_TOKEN_ADDRESS, parseEther("1"), "0x");
  const [routerEv] = eventsOf(r, t.c.l1AssetRouter);
  assert.equal(routerEv.name, "DepositFinalizedAssetRouter");
  assert.deepEqual([...routerEv.args], [270n, ethAssetId, mintData]);
  const [vaultEv] = eventsOf(r, t.c.l1NativeTokenVault);
  assert.equal(vaultEv.name, "BridgeMint");
  assert.deepEqual([...vaultEv.args], [270n, ethAssetId, receiver, parseEther("1")]);

  await expectRevert(nullifier.finalizeDeposit(params(2, msg1)), "WithdrawalAlreadyFinalized");
  assert.equal(await t.provider.getBalance(receiver), parseEther("1"));
  // Only the nullifier may tell the router to release, only the router the vault.
  await expectRevert(t.c.l1AssetRouter.connect(t.user).finalizeDeposit(270n, ethAssetId, mintData), "Unauthorized", [t.user.address]);
  await expectRevert(t.c.l1NativeTokenVault.connect(t.user).bridgeMint(270n, ethAssetId, mintData), "Unauthorized", [t.user.address]);
});

test("legacy finalizeWithdrawal through the asset router, with a plain (metadata-less) path", async () => {
  const plainPath = tree.proof(3).slice(1); // 14 siblings + aggregated root
  const router = t.c.l1AssetRouter.connect(t.user);
  await (await router.finalizeWithdrawal(270n, 1n, 3n, 3, msg2, plainPath)).wait();
  assert.equal(await t.provider.getBalance(receiver2), parseEther("0.25"));
  assert.equal(await router.isWithdrawalFinalized(270n, 1n, 3n), true);
  await expectRevert(router.finalizeWithdrawal(270n, 1n, 3n, 3, msg2, plainPath), "WithdrawalAlreadyFinalized");
  // A final node with a batch path is refused as era-contracts' MessageHashing refuses it.
  const gw = tree.proof(3);
  gw[0] = "0x01" + "0f" + "01" + "01" + "00".repeat(28);
  await expectRevert(t.c.zkChain.proveL2LogInclusion(1n, 3n, logs[3], gw), "InvalidProofLengthForFinalNode");
  gw[0] = "0x02" + "0f" + "00" + "01" + "00".repeat(28);
  await expectRevert(t.c.zkChain.proveL2LogInclusion(1n, 3n, logs[3], gw), "UnsupportedProofMetadataVersion", [2n]);
  // parseWithdrawalMessage(l2Sender, message) -> (assetId, bridge mint data for the vault).
  const [assetId, transferData] = await t.c.l1Nullifier.parseWithdrawalMessage(L2_BASE_TOKEN, msg2);
  assert.equal(assetId, ntvAssetId(31337n, ETH_TOKEN_ADDRESS));
  assert.equal(transferData, encodeBridgeMintData(ZeroAddress, receiver2, ETH_TOKEN_ADDRESS, parseEther("0.25"), "0x"));
  // withdrawWithMessage's longer form pays the same receiver and amount.
  const longer = msg2 + t.user.address.slice(2) + "c0ffee";
  assert.deepEqual([...(await t.c.l1Nullifier.parseWithdrawalMessage(L2_BASE_TOKEN, longer))], [assetId, transferData]);
  await expectRevert(t.c.l1Nullifier.parseWithdrawalMessage(t.user.address, msg2), "UnsupportedL2Sender", [t.user.address]);
  assert.equal(await t.provider.getBalance(t.addresses.l1NativeTokenVault), parseEther("5") - parseEther("1.25"));
});
