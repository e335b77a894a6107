import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { parseEther, ZeroAddress, keccak256 } from "ethers";
import { setup, expectRevert, nextBatch } from "../lib/testkit.mjs";
import {
  genesisStoredBatchInfo, toStoredBatchInfo, hashStoredBatchInfo, batchOutputHash, priorityOpsRollingHash,
  encodeCommitData, encodeProveData, encodeExecuteData, fakeProof,
} from "../lib/encoding.mjs";

let t, chain, timelock, last; // last: StoredBatchInfo of the last executed batch
const ops = (itemHashes) => ({ leftPath: [], rightPath: [], itemHashes });

before(async () => {
  t = await setup();
  chain = t.c.zkChain.connect(t.operator);
  timelock = t.c.validatorTimelock.connect(t.operator);
  last = genesisStoredBatchInfo();
});
after(async () => t && (await t.stop()));

async function deposit() {
  const req = { chainId: 270n, mintValue: parseEther("1"), l2Contract: t.user.address, l2Value: 0n, l2Calldata: "0x",
    l2GasLimit: 300_000n, l2GasPerPubdataByteLimit: 800n, factoryDeps: [], refundRecipient: ZeroAddress };
  const r = await (await t.c.bridgehub.connect(t.user).requestL2TransactionDirect(req, { value: req.mintValue })).wait();
  return t.c.zkChain.interface.parseLog(r.logs.find((l) => l.address === t.addresses.zkChain)).args.txHash;
}

const events = (receipt, name) =>
  receipt.logs
    .filter((l) => l.address === t.addresses.zkChain)
    .map((l) => t.c.zkChain.interface.parseLog(l))
    .filter((e) => e?.name === name)
    .map((e) => e.args);

const counters = async () => [
  await t.c.zkChain.getTotalBatchesCommitted(),
  await t.c.zkChain.getTotalBatchesVerified(),
  await t.c.zkChain.getTotalBatchesExecuted(),
];

test("commit -> prove (fake proof) -> execute a batch with two priority ops", async () => {
  const h = [await deposit(), await deposit()];
  const b1 = nextBatch(last, 270, {
    numberOfLayer1Txs: 2n,
    priorityOperationsHash: priorityOpsRollingHash(h),
    l2LogsTreeRoot: keccak256("0x1234"),
  });
  const s1 = toStoredBatchInfo(b1);
  assert.equal(await t.c.zkChain.batchOutputHash(b1), batchOutputHash(b1));

  const rc = await (await chain.commitBatchesSharedBridge(t.addresses.zkChain, 1n, 1n, encodeCommitData(last, [b1]))).wait();
  const [commit] = events(rc, "BlockCommit");
  assert.deepEqual([commit.batchNumber, commit.batchHash, commit.commitment], [1n, b1.newStateCommitment, s1.commitment]);
  assert.deepEqual(await counters(), [1n, 0n, 0n]);
  assert.equal(await t.c.zkChain.storedBatchHash(1n), hashStoredBatchInfo(s1));

  // Prove through the ValidatorTimelock, as zksync-os-server does.
  const rp = await (await timelock.proveBatchesSharedBridge(t.addresses.zkChain, 1n, 1n,
    encodeProveData(last, [s1], fakeProof(last, [s1])))).wait();
  const [verification] = events(rp, "BlocksVerification");
  assert.deepEqual([verification.previousLastVerifiedBatch, verification.currentLastVerifiedBatch], [0n, 1n]);
  assert.deepEqual(await counters(), [1n, 1n, 0n]);

  const re = await (await chain.executeBatchesSharedBridge(t.addresses.zkChain, 1n, 1n,
    encodeExecuteData([s1], [ops(h)]))).wait();
  const [execution] = events(re, "BlockExecution");
  assert.deepEqual([execution.batchNumber, execution.batchHash, execution.commitment], [1n, s1.batchHash, s1.commitment]);
  assert.deepEqual(await counters(), [1n, 1n, 1n]);
  assert.equal(await t.c.zkChain.l2LogsRootHash(1n), b1.l2LogsTreeRoot);
  assert.equal(await t.c.zkChain.getFirstUnprocessedPriorityTx(), 2n);
  assert.equal(await t.c.zkChain.getPriorityQueueSize(), 0n);
  last = s1;
});

test("two batches per call: commit, prove with the chained public input, execute", async () => {
  const b2 = nextBatch(last, 270);
  const b3 = nextBatch(toStoredBatchInfo(b2), 270);
  const [s2, s3] = [toStoredBatchInfo(b2), toStoredBatchInfo(b3)];
  const rc = await (await timelock.commitBatchesSharedBridge(t.addresses.zkChain, 2n, 3n, encodeCommitData(last, [b2, b3]))).wait();
  assert.deepEqual(events(rc, "BlockCommit").map((e) => e.batchNumber), [2n, 3n]);
  // A proof for batch 2 alone does not prove batches 2..3.
  await expectRevert(chain.proveBatchesSharedBridge(t.addresses.zkChain, 2n, 3n,
    encodeProveData(last, [s2, s3], fakeProof(last, [s2]))), "InvalidProof");
  const rp = await (await chain.proveBatchesSharedBridge(t.addresses.zkChain, 2n, 3n,
    encodeProveData(last, [s2, s3], fakeProof(last, [s2, s3])))).wait();
  assert.equal(events(rp, "BlocksVerification")[0].currentLastVerifiedBatch, 3n);
  const re = await (await chain.executeBatchesSharedBridge(t.addresses.zkChain, 2n, 3n,
    encodeExecuteData([s2, s3], [ops([]), ops([])]))).wait();
  assert.deepEqual(events(re, "BlockExecution").map((e) => e.batchNumber), [2n, 3n]);
  assert.deepEqual(await counters(), [3n, 3n, 3n]);
  last = s3;
});

test("out-of-order, wrong-prev, wrong-chain and unauthorized commits revert", async () => {
  const b = nextBatch(last, 270); // batch 4
  const skip = nextBatch(last, 270, { batchNumber: 5n });
  await expectRevert(chain.commitBatchesSharedBridge(t.addresses.zkChain, 5n, 5n, encodeCommitData(last, [skip])), "InvalidBatchRange");
  await expectRevert(chain.commitBatchesSharedBridge(t.addresses.zkChain, 4n, 4n, encodeCommitData(last, [skip])),
    "BatchNumberMismatch", [4n, 5n]);
  await expectRevert(chain.commitBatchesSharedBridge(t.addresses.zkChain, 4n, 5n, encodeCommitData(last, [b])), "InvalidBatchRange");
  const wrongPrev = { ...last, batchHash: keccak256("0x01") };
  await expectRevert(chain.commitBatchesSharedBridge(t.addresses.zkChain, 4n, 4n, encodeCommitData(wrongPrev, [b])), "BatchHashMismatch");
  // An older, genuinely committed batch is not the right prev either.
  await expectRevert(chain.commitBatchesSharedBridge(t.addresses.zkChain, 4n, 4n,
    encodeCommitData(genesisStoredBatchInfo(), [b])), "BatchNumberMismatch", [3n, 0n]);
  await expectRevert(chain.commitBatchesSharedBridge(t.addresses.zkChain, 4n, 4n,
    encodeCommitData(last, [{ ...b, chainId: 271n }])), "IncorrectBatchChainId", [271n, 270n]);
  const data = encodeCommitData(last, [b]);
  await expectRevert(chain.commitBatchesSharedBridge(t.addresses.zkChain, 4n, 4n, "0x03" + data.slice(4)), "UnsupportedEncodingVersion", [3n]);
  await expectRevert(t.c.zkChain.connect(t.user).commitBatchesSharedBridge(t.addresses.zkChain, 4n, 4n, data), "Unauthorized");
  await expectRevert(t.c.validatorTimelock.connect(t.user).commitBatchesSharedBridge(t.addresses.zkChain, 4n, 4n, data), "Unauthorized");
  assert.deepEqual(await counters(), [3n, 3n, 3n]);
});

test("wrong proofs revert; proving or executing past the previous stage reverts", async () => {
  const b4 = nextBatch(last, 270);
  const s4 = toStoredBatchInfo(b4);
  const prove = (batches, proof) =>
    chain.proveBatchesSharedBridge(t.addresses.zkChain, 4n, 3n + BigInt(batches.length), encodeProveData(last, batches, proof));
  await expectRevert(prove([s4], fakeProof(last, [s4])), "BatchHashMismatch"); // not committed yet
  await (await chain.commitBatchesSharedBridge(t.addresses.zkChain, 4n, 4n, encodeCommitData(last, [b4]))).wait();

  const [type, prevHash, magic, input] = fakeProof(last, [s4]);
  await expectRevert(prove([s4], [type, prevHash, magic, input + 1n]), "InvalidProof");
  await expectRevert(prove([s4], [type, prevHash, 14n, input]), "InvalidProof");
  await expectRevert(prove([s4], [type, 1n, magic, input]), "InvalidProof");
  await expectRevert(prove([s4], [type, prevHash, magic]), "InvalidMockProofLength");
  await expectRevert(prove([s4], [7n, prevHash, magic, input]), "UnknownVerifierType", [7n]);
  await expectRevert(prove([{ ...s4, commitment: keccak256("0x02") }], fakeProof(last, [s4])), "BatchHashMismatch");
  // Batch 5 does not exist: can't prove 4..5.
  const s5 = toStoredBatchInfo(nextBatch(s4, 270));
  await expectRevert(prove([s4, s5], fakeProof(last, [s4, s5])), "BatchHashMismatch");
  // Executing before proving.
  await expectRevert(chain.executeBatchesSharedBridge(t.addresses.zkChain, 4n, 4n, encodeExecuteData([s4], [ops([])])),
    "CantExecuteUnprovenBatches");
  assert.deepEqual(await counters(), [4n, 3n, 3n]);

  await (await prove([s4], fakeProof(last, [s4]))).wait();
  await (await chain.executeBatchesSharedBridge(t.addresses.zkChain, 4n, 4n, encodeExecuteData([s4], [ops([])]))).wait();
  assert.deepEqual(await counters(), [4n, 4n, 4n]);
  last = s4;
});

test("execute checks the batch's priority ops against the L1 queue; unexecuted batches can be reverted", async () => {
  const h = await deposit();
  // The batch claims one priority op but commits to the wrong rolling hash.
  const bad = nextBatch(last, 270, { numberOfLayer1Txs: 1n, priorityOperationsHash: keccak256("0xbad0") });
  const sBad = toStoredBatchInfo(bad);
  await (await chain.commitBatchesSharedBridge(t.addresses.zkChain, 5n, 5n, encodeCommitData(last, [bad]))).wait();
  await (await chain.proveBatchesSharedBridge(t.addresses.zkChain, 5n, 5n,
    encodeProveData(last, [sBad], fakeProof(last, [sBad])))).wait();
  const execute = (items) =>
    chain.executeBatchesSharedBridge(t.addresses.zkChain, 5n, 5n, encodeExecuteData([sBad], [ops(items)]));
  await expectRevert(execute([h]), "PriorityOperationsRollingHashMismatch");
  await expectRevert(execute([keccak256("0x99")]), "PriorityOpMismatch");
  await expectRevert(execute([]), "MismatchNumberOfLayer1Txs", [1n, 0n]);
  await expectRevert(chain.executeBatchesSharedBridge(t.addresses.zkChain, 5n, 5n,
    encodeExecuteData([sBad], [ops([h])], [[{ chainId: 1n, blockOrBatchNumber: 1n, sides: [] }]])), "CommitBasedInteropNotSupported");
  assert.deepEqual(await counters(), [5n, 5n, 4n]);

  // Executed batches are final; the bad one can be dropped and replaced.
  await expectRevert(chain.revertBatchesSharedBridge(t.addresses.zkChain, 3n), "CantRevertExecutedBatch");
  const rr = await (await timelock.revertBatchesSharedBridge(t.addresses.zkChain, 4n)).wait();
  assert.deepEqual([...events(rr, "BlocksRevert")[0]], [4n, 4n, 4n]);
  assert.deepEqual(await counters(), [4n, 4n, 4n]);

  // A batch claiming more priority ops than were ever requested cannot execute either.
  const greedy = nextBatch(last, 270, { numberOfLayer1Txs: 2n, priorityOperationsHash: priorityOpsRollingHash([h, h]) });
  const sGreedy = toStoredBatchInfo(greedy);
  await (await chain.commitBatchesSharedBridge(t.addresses.zkChain, 5n, 5n, encodeCommitData(last, [greedy]))).wait();
  await (await chain.proveBatchesSharedBridge(t.addresses.zkChain, 5n, 5n,
    encodeProveData(last, [sGreedy], fakeProof(last, [sGreedy])))).wait();
  await expectRevert(chain.executeBatchesSharedBridge(t.addresses.zkChain, 5n, 5n,
    encodeExecuteData([sGreedy], [ops([h, h])])), "PriorityQueueTooShort");
  await (await chain.revertBatchesSharedBridge(t.addresses.zkChain, 4n)).wait();

  const good = nextBatch(last, 270, { numberOfLayer1Txs: 1n, priorityOperationsHash: priorityOpsRollingHash([h]) });
  const sGood = toStoredBatchInfo(good);
  await (await chain.commitBatchesSharedBridge(t.addresses.zkChain, 5n, 5n, encodeCommitData(last, [good]))).wait();
  await (await chain.proveBatchesSharedBridge(t.addresses.zkChain, 5n, 5n,
    encodeProveData(last, [sGood], fakeProof(last, [sGood])))).wait();
  await (await chain.executeBatchesSharedBridge(t.addresses.zkChain, 5n, 5n, encodeExecuteData([sGood], [ops([h])]))).wait();
  assert.deepEqual(await counters(), [5n, 5n, 5n]);
  assert.equal(await t.c.zkChain.getFirstUnprocessedPriorityTx(), 3n);
});
