import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { parseEther, keccak256, concat as ethers_concat, ZeroAddress, ZeroHash as ZERO32 } from "ethers";
import { setup, expectRevert } from "../lib/testkit.mjs";
import { abi, priorityOpsRollingHash, ntvAssetId, encodeBridgeBurnData, ETH_TOKEN_ADDRESS, EMPTY_STRING_KECCAK } from "../lib/encoding.mjs";

const L2_CANONICAL_TX =
  "tuple(uint256 txType, uint256 from, uint256 to, uint256 gasLimit, uint256 gasPerPubdataByteLimit, uint256 maxFeePerGas, " +
  "uint256 maxPriorityFeePerGas, uint256 paymaster, uint256 nonce, uint256 value, uint256[4] reserved, bytes data, " +
  "bytes signature, uint256[] factoryDeps, bytes paymasterInput, bytes reservedDynamic)";

let t;
before(async () => (t = await setup()));
after(async () => t && (await t.stop()));

const request = (fields = {}) => ({
  chainId: 270n,
  mintValue: 0n,
  l2Contract: t.user.address,
  l2Value: parseEther("1"),
  l2Calldata: "0x",
  l2GasLimit: 300_000n,
  l2GasPerPubdataByteLimit: 800n,
  factoryDeps: [],
  refundRecipient: ZeroAddress,
  ...fields,
});

test("Bridgehub wiring and views", async () => {
  const { bridgehub, zkChain, chainTypeManager } = t.c;
  assert.equal(await bridgehub.getZKChain(270n), t.addresses.zkChain);
  assert.equal(await bridgehub.getZKChain(271n), ZeroAddress);
  assert.equal(await bridgehub.baseToken(270n), ETH_TOKEN_ADDRESS);
  assert.equal(await bridgehub.sharedBridge(), t.addresses.l1AssetRouter);
  assert.equal(await bridgehub.l1Nullifier(), t.addresses.l1Nullifier);
  assert.equal(await bridgehub.chainTypeManager(270n), t.addresses.chainTypeManager);
  assert.deepEqual([...(await bridgehub.getAllZKChainChainIDs())], [270n]);
  assert.equal(await chainTypeManager.validatorTimelockPostV29(), t.addresses.validatorTimelock);
  assert.equal(await zkChain.getChainId(), 270n);
  assert.equal(await zkChain.getBaseToken(), ETH_TOKEN_ADDRESS);
  assert.equal(await zkChain.getVerifier(), t.addresses.verifier);
  assert.equal(await zkChain.getProtocolVersion(), 29n << 32n);
  assert.equal(await zkChain.isValidator(t.operator.address), true);
  assert.equal(await zkChain.isValidator(t.user.address), false);
  assert.equal(await zkChain.getPriorityQueueRollingHash(), EMPTY_STRING_KECCAK);
  // Devnet pricing: 1000 wei per L2 gas whatever the L1 gas price.
  assert.equal(await bridgehub.l2TransactionBaseCost(270n, 7n, 300_000n, 800n), 300_000_000n);
});

test("a deposit emits NewPriorityRequest with the canonical transaction and queues its hash", async () => {
  const { bridgehub, zkChain, l1AssetRouter, l1NativeTokenVault } = t.c;
  const baseCost = await bridgehub.l2TransactionBaseCost(270n, 0n, 300_000n, 800n);
  const req = request({ mintValue: baseCost + parseEther("1"), l2Calldata: "0xabcdef" });
  const before = await t.provider.getBalance(t.addresses.l1NativeTokenVault);
  assert.equal(await zkChain.getTotalPriorityTxs(), 0n);

  const expectedHash = await bridgehub.connect(t.user).requestL2TransactionDirect.staticCall(req, { value: req.mintValue });
  const receipt = await (await bridgehub.connect(t.user).requestL2TransactionDirect(req, { value: req.mintValue })).wait();

  const events = receipt.logs
    .filter((l) => l.address === t.addresses.zkChain)
    .map((l) => zkChain.interface.parseLog(l))
    .filter((e) => e?.name === "NewPriorityRequest");
  assert.equal(events.length, 1);
  const { txId, txHash, expirationTimestamp, transaction, factoryDeps } = events[0].args;
  const block = await t.provider.getBlock(receipt.blockNumber);
  assert.equal(txId, 0n);
  assert.equal(txHash, expectedHash);
  assert.equal(expirationTimestamp, BigInt(block.timestamp));
  assert.deepEqual([...factoryDeps], []);
  assert.equal(transaction.txType, 255n);
  assert.equal(transaction.from, BigInt(t.user.address)); // EOA: not aliased
  assert.equal(transaction.to, BigInt(t.user.address));
  assert.equal(transaction.gasLimit, 300_000n);
  assert.equal(transaction.gasPerPubdataByteLimit, 800n);
  assert.equal(transaction.maxFeePerGas, 1000n);
  assert.equal(transaction.maxPriorityFeePerGas, 0n);
  assert.equal(transaction.paymaster, 0n);
  assert.equal(transaction.nonce, 0n);
  assert.equal(transaction.value, parseEther("1"));
  assert.deepEqual([...transaction.reserved], [req.mintValue, BigInt(t.user.address), 0n, 0n]);
  assert.equal(transaction.data, "0xabcdef");
  assert.equal(transaction.signature, "0x");
  // The canonical tx hash is keccak256(abi.encode(L2CanonicalTransaction)).
  assert.equal(txHash, keccak256(abi.encode([L2_CANONICAL_TX], [transaction])));

  assert.equal(await zkChain.getTotalPriorityTxs(), 1n);
  assert.equal(await zkChain.priorityTxHash(0n), txHash);
  assert.equal(await zkChain.getPriorityQueueSize(), 1n);
  // v29: NewPriorityRequestId(txId, txHash), both indexed, right after NewPriorityRequest.
  const ids = receipt.logs
    .filter((l) => l.address === t.addresses.zkChain)
    .map((l) => zkChain.interface.parseLog(l))
    .map((e) => e.name);
  assert.deepEqual(ids, ["NewPriorityRequest", "NewPriorityRequestId"]);
  const idLog = receipt.logs.filter((l) => l.address === t.addresses.zkChain)[1];
  assert.deepEqual(idLog.topics.slice(1), [abi.encode(["uint256"], [0n]), txHash]);

  // The ETH (mintValue) is locked in the native token vault, through the asset router; the
  // nullifier and the router hold nothing.
  const ethAssetId = ntvAssetId(31337n, ETH_TOKEN_ADDRESS);
  assert.equal(await t.provider.getBalance(t.addresses.l1NativeTokenVault), before + req.mintValue);
  assert.equal(await t.provider.getBalance(t.addresses.l1Nullifier), 0n);
  assert.equal(await t.provider.getBalance(t.addresses.l1AssetRouter), 0n);
  const [deposit] = receipt.logs
    .filter((l) => l.address === t.addresses.l1AssetRouter)
    .map((l) => l1AssetRouter.interface.parseLog(l));
  assert.equal(deposit.name, "BridgehubDepositBaseTokenInitiated");
  assert.deepEqual([...deposit.args], [270n, t.user.address, ethAssetId, req.mintValue]);
  const [burn] = receipt.logs
    .filter((l) => l.address === t.addresses.l1NativeTokenVault)
    .map((l) => l1NativeTokenVault.interface.parseLog(l));
  assert.equal(burn.name, "BridgeBurn");
  assert.deepEqual([...burn.args], [270n, ethAssetId, t.user.address, ZeroAddress, req.mintValue]);
  // A base-token deposit is not recorded for claimFailedDeposit (its ETH is refunded on L2).
  assert.equal(await t.c.l1Nullifier.depositHappened(270n, txHash), ZERO32);

  // A second one gets the next id, and the rolling hash covers both.
  const refund = "0x000000000000000000000000000000000000bEEF";
  const req2 = request({ mintValue: baseCost + parseEther("1"), refundRecipient: refund });
  const r2 = await (await bridgehub.connect(t.user).requestL2TransactionDirect(req2, { value: req2.mintValue })).wait();
  const e2 = zkChain.interface.parseLog(r2.logs.find((l) => l.address === t.addresses.zkChain));
  assert.equal(e2.args.txId, 1n);
  assert.equal(e2.args.transaction.nonce, 1n);
  assert.equal(e2.args.transaction.reserved[1], BigInt(refund));
  assert.equal(await zkChain.getTotalPriorityTxs(), 2n);
  assert.equal(await zkChain.getPriorityQueueRollingHash(), priorityOpsRollingHash([txHash, e2.args.txHash]));
});

test("bad deposits revert", async () => {
  const { bridgehub, zkChain } = t.c;
  const hub = bridgehub.connect(t.user);
  const mint = parseEther("2");
  await expectRevert(hub.requestL2TransactionDirect(request({ mintValue: mint }), { value: mint - 1n }), "MsgValueMismatch");
  await expectRevert(
    hub.requestL2TransactionDirect(request({ mintValue: parseEther("1") }), { value: parseEther("1") }),
    "MsgValueTooLow",
  );
  await expectRevert(
    hub.requestL2TransactionDirect(request({ mintValue: mint, l2GasPerPubdataByteLimit: 50n }), { value: mint }),
    "GasPerPubdataMismatch",
  );
  await expectRevert(
    hub.requestL2TransactionDirect(request({ mintValue: mint, factoryDeps: ["0x00"] }), { value: mint }),
    "FactoryDepsNotSupported",
  );
  await expectRevert(
    hub.requestL2TransactionDirect(request({ chainId: 9n, mintValue: mint }), { value: mint }),
    "ChainNotRegistered",
  );
  // Only the Bridgehub may enqueue.
  const direct = { sender: t.user.address, contractL2: t.user.address, mintValue: mint, l2Value: 0n, l2Calldata: "0x",
    l2GasLimit: 300_000n, l2GasPerPubdataByteLimit: 800n, factoryDeps: [], refundRecipient: ZeroAddress };
  await expectRevert(zkChain.connect(t.user).bridgehubRequestL2Transaction(direct), "Unauthorized");
  // Only the Bridgehub may lock base tokens through the asset router, only the router may use the vault.
  const ethAssetId = ntvAssetId(31337n, ETH_TOKEN_ADDRESS);
  await expectRevert(t.c.l1AssetRouter.connect(t.user).bridgehubDepositBaseToken(270n, ethAssetId, t.user.address, 1n, { value: 1n }),
    "Unauthorized", [t.user.address]);
  await expectRevert(t.c.l1NativeTokenVault.connect(t.user).bridgeBurn(270n, 0n, ethAssetId, t.user.address,
    encodeBridgeBurnData(1n, t.user.address), { value: 1n }), "Unauthorized", [t.user.address]);
  assert.equal(await zkChain.getTotalPriorityTxs(), 2n);
});

test("on a Gateway, the Bridgehub's owner queues a request made on L1 on the chain's contract", async () => {
  const { bridgehub, zkChain } = t.c;
  const queued = await zkChain.getTotalPriorityTxs();
  const rolling = await zkChain.getPriorityQueueRollingHash();
  const hash = keccak256("0x1234");
  // Only the owner relays, only the Bridgehub queues.
  await expectRevert(bridgehub.connect(t.user).forwardTransactionOnGateway(270n, hash, 7n), "Unauthorized");
  await expectRevert(zkChain.connect(t.user).bridgehubRequestL2TransactionOnGateway(hash, 7n), "Unauthorized");
  const owner = bridgehub.connect(t.deployer);
  await expectRevert(owner.forwardTransactionOnGateway(9n, hash, 7n), "ChainNotRegistered");
  const receipt = await (await owner.forwardTransactionOnGateway(270n, hash, 7n)).wait();
  const [relayed] = receipt.logs
    .filter((l) => l.address === t.addresses.zkChain)
    .map((l) => zkChain.interface.parseLog(l));
  assert.equal(relayed.name, "NewRelayedPriorityTransaction");
  assert.deepEqual([...relayed.args], [queued, hash, 7n]);
  assert.equal(await zkChain.getTotalPriorityTxs(), queued + 1n);
  assert.equal(await zkChain.priorityTxHash(queued), hash);
  assert.equal(await zkChain.getPriorityQueueRollingHash(), keccak256(ethers_concat([rolling, hash])));
});
