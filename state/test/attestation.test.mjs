import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Wallet } from "ethers";
import { setup, expectRevert, nextBatch } from "../lib/testkit.mjs";
import { ANVIL_KEYS } from "../lib/anvil.mjs";
import {
  genesisStoredBatchInfo, toStoredBatchInfo, encodeCommitData, encodeProveData, fakeProof, attestationProof, attestationDigest,
} from "../lib/encoding.mjs";

// A chain whose verifier has mockVerifier = false: only attestations from the registered key pass.
let t, chain, prev, b1, s1;
before(async () => {
  t = await setup({ mockVerifier: false });
  chain = t.c.zkChain.connect(t.operator);
  prev = genesisStoredBatchInfo();
  b1 = nextBatch(prev, 270);
  s1 = toStoredBatchInfo(b1);
  await (await chain.commitBatchesSharedBridge(t.addresses.zkChain, 1n, 1n, encodeCommitData(prev, [b1]))).wait();
});
after(async () => t && (await t.stop()));

const prove = (proof, batches = [s1]) =>
  chain.proveBatchesSharedBridge(t.addresses.zkChain, 1n, BigInt(batches.length), encodeProveData(prev, batches, proof));

test("the digest the contract checks is the documented one", async () => {
  assert.equal(await t.c.verifier.mockVerifier(), false);
  const onChain = await t.c.verifier.attestationDigest(270n, {
    batchNumber: 1n, prevStateCommitment: prev.batchHash, newStateCommitment: s1.batchHash, batchCommitment: s1.commitment,
  });
  assert.equal(onChain, attestationDigest(270n, 1n, prev.batchHash, s1));
});

test("fake proofs are refused when the mock verifier is off", async () => {
  await expectRevert(prove(fakeProof(prev, [s1])), "MockVerifierNotSupported");
});

test("attestations by unknown keys or over other data are rejected", async () => {
  await expectRevert(prove(attestationProof(ANVIL_KEYS[4], 270n, prev, [s1])), "UnknownProver");
  // Signed by the prover, but for another chain id: recovers some other address.
  await expectRevert(prove(attestationProof(t.proverKey, 271n, prev, [s1])), "UnknownProver");
  const good = attestationProof(t.proverKey, 270n, prev, [s1]);
  // The malleable twin (n - s, flipped v) is refused.
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  await expectRevert(prove([4n, good[1] === 27n ? 28n : 27n, good[2], n - good[3]]), "InvalidSignature", [1n]);
  await expectRevert(prove([4n, 29n, good[2], good[3]]), "InvalidSignature", [1n]);
  await expectRevert(prove(good.slice(0, 3)), "InvalidAttestationLength", [4n, 3n]);
  assert.equal(await t.c.zkChain.getTotalBatchesVerified(), 0n);
});

test("a valid attestation by the registered prover key proves the batch", async () => {
  const r = await (await prove(attestationProof(t.proverKey, 270n, prev, [s1]))).wait();
  const ev = t.c.zkChain.interface.parseLog(r.logs[0]);
  assert.equal(ev.name, "BlocksVerification");
  assert.equal(await t.c.zkChain.getTotalBatchesVerified(), 1n);

  // Two batches need two signatures, each over its own transition.
  const b2 = nextBatch(s1, 270), b3 = nextBatch(toStoredBatchInfo(b2), 270);
  const [s2, s3] = [toStoredBatchInfo(b2), toStoredBatchInfo(b3)];
  await (await chain.commitBatchesSharedBridge(t.addresses.zkChain, 2n, 3n, encodeCommitData(s1, [b2, b3]))).wait();
  const proof = attestationProof(t.proverKey, 270n, s1, [s2, s3]);
  assert.equal(proof.length, 7);
  const swapped = [4n, ...proof.slice(4), ...proof.slice(1, 4)];
  await expectRevert(chain.proveBatchesSharedBridge(t.addresses.zkChain, 2n, 3n, encodeProveData(s1, [s2, s3], swapped)), "UnknownProver");
  await (await chain.proveBatchesSharedBridge(t.addresses.zkChain, 2n, 3n, encodeProveData(s1, [s2, s3], proof))).wait();
  assert.equal(await t.c.zkChain.getTotalBatchesVerified(), 3n);

  // Revoking the key stops it.
  await (await t.c.verifier.connect(t.deployer).setProver(new Wallet(t.proverKey).address, false)).wait();
  const b4 = nextBatch(s3, 270), s4 = toStoredBatchInfo(b4);
  await (await chain.commitBatchesSharedBridge(t.addresses.zkChain, 4n, 4n, encodeCommitData(s3, [b4]))).wait();
  await expectRevert(chain.proveBatchesSharedBridge(t.addresses.zkChain, 4n, 4n,
    encodeProveData(s3, [s4], attestationProof(t.proverKey, 270n, s3, [s4]))), "UnknownProver");
  await expectRevert(t.c.verifier.connect(t.user).setProver(t.user.address, true), "Unauthorized");
});

test("the owner can turn the mock verifier on and off; nobody else can", async () => {
  await expectRevert(t.c.verifier.connect(t.user).setMockVerifier(true), "Unauthorized");
  await (await t.c.verifier.connect(t.deployer).setMockVerifier(true)).wait();
  assert.equal(await t.c.verifier.mockVerifier(), true);
  await (await t.c.verifier.connect(t.deployer).setMockVerifier(false)).wait();
  assert.equal(await t.c.verifier.mockVerifier(), false);
});
