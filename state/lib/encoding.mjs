// JS side of the encodings the contracts speak (the same ones the Rust node must produce).
// Used by deploy.mjs and the tests; each function names the contract code it mirrors.
import { AbiCoder, keccak256, concat, solidityPacked, zeroPadValue, toBeHex, getBytes, hexlify, SigningKey, id } from "ethers";

export const abi = AbiCoder.defaultAbiCoder();
export const ZERO32 = "0x" + "00".repeat(32);
export const EMPTY_STRING_KECCAK = keccak256("0x");
export const ETH_TOKEN_ADDRESS = "0x0000000000000000000000000000000000000001";
export const L2_BOOTLOADER = "0x0000000000000000000000000000000000008001";
export const L2_MESSENGER = "0x0000000000000000000000000000000000008008";
export const L2_BASE_TOKEN = "0x000000000000000000000000000000000000800A";
export const L2_TO_L1_TREE_SIZE = 16384; // 2^14 leaves
export const L2_TO_L1_LOG_SERIALIZE_SIZE = 88;
export const PUBLIC_INPUT_SHIFT = 32n;
export const ATTESTATION_DOMAIN = id("zkos-dev.BatchAttestation.v1");

export const STORED_BATCH_INFO =
  "tuple(uint64 batchNumber, bytes32 batchHash, uint64 indexRepeatedStorageChanges, uint256 numberOfLayer1Txs, " +
  "bytes32 priorityOperationsHash, bytes32 dependencyRootsRollingHash, bytes32 l2LogsTreeRoot, uint256 timestamp, bytes32 commitment)";
export const COMMIT_BATCH_INFO_ZKSYNC_OS =
  "tuple(uint64 batchNumber, bytes32 newStateCommitment, uint256 numberOfLayer1Txs, bytes32 priorityOperationsHash, " +
  "bytes32 dependencyRootsRollingHash, bytes32 l2LogsTreeRoot, address l2DaValidator, bytes32 daCommitment, " +
  "uint64 firstBlockTimestamp, uint64 lastBlockTimestamp, uint256 chainId, bytes operatorDAInput)";
export const PRIORITY_OPS_BATCH_INFO = "tuple(bytes32[] leftPath, bytes32[] rightPath, bytes32[] itemHashes)";
export const INTEROP_ROOT = "tuple(uint256 chainId, uint256 blockOrBatchNumber, bytes32[] sides)";

/** StoredBatchInfo of batch 0 with the given state commitment (other fields as a fresh chain has them). */
export function genesisStoredBatchInfo(stateCommitment = ZERO32) {
  return {
    batchNumber: 0n,
    batchHash: stateCommitment,
    indexRepeatedStorageChanges: 0n,
    numberOfLayer1Txs: 0n,
    priorityOperationsHash: EMPTY_STRING_KECCAK,
    dependencyRootsRollingHash: ZERO32,
    l2LogsTreeRoot: ZERO32,
    timestamp: 0n,
    commitment: ZERO32,
  };
}

/** storedBatchHash(n) = keccak256(abi.encode(StoredBatchInfo)). */
export function hashStoredBatchInfo(info) {
  return keccak256(abi.encode([STORED_BATCH_INFO], [info]));
}

/** Executor.batchOutputHash: the commitment stored for a committed batch. */
export function batchOutputHash(b) {
  return keccak256(
    solidityPacked(
      ["uint256", "uint64", "uint64", "address", "bytes32", "uint256", "bytes32", "bytes32", "bytes32", "bytes32"],
      [
        b.chainId,
        b.firstBlockTimestamp,
        b.lastBlockTimestamp,
        b.l2DaValidator,
        b.daCommitment,
        b.numberOfLayer1Txs,
        b.priorityOperationsHash,
        b.l2LogsTreeRoot,
        ZERO32, // upgrade tx hash
        b.dependencyRootsRollingHash,
      ],
    ),
  );
}

/** The StoredBatchInfo the chain stores for a committed CommitBatchInfoZKsyncOS. */
export function toStoredBatchInfo(b) {
  return {
    batchNumber: BigInt(b.batchNumber),
    batchHash: b.newStateCommitment,
    indexRepeatedStorageChanges: 0n,
    numberOfLayer1Txs: BigInt(b.numberOfLayer1Txs),
    priorityOperationsHash: b.priorityOperationsHash,
    dependencyRootsRollingHash: b.dependencyRootsRollingHash,
    l2LogsTreeRoot: b.l2LogsTreeRoot,
    timestamp: 0n,
    commitment: batchOutputHash(b),
  };
}

/** Rolling keccak(prev ‖ h) from keccak("") over canonical L1 tx hashes. */
export function priorityOpsRollingHash(hashes) {
  let h = EMPTY_STRING_KECCAK;
  for (const x of hashes) h = keccak256(concat([h, x]));
  return h;
}

export const encodeCommitData = (prev, batches) =>
  concat(["0x02", abi.encode([STORED_BATCH_INFO, `${COMMIT_BATCH_INFO_ZKSYNC_OS}[]`], [prev, batches])]);

export const encodeProveData = (prev, batches, proof) =>
  concat(["0x01", abi.encode([STORED_BATCH_INFO, `${STORED_BATCH_INFO}[]`, "uint256[]"], [prev, batches, proof])]);

export const encodeExecuteData = (batches, priorityOps, interopRoots = batches.map(() => [])) =>
  concat([
    "0x01",
    abi.encode(
      [`${STORED_BATCH_INFO}[]`, `${PRIORITY_OPS_BATCH_INFO}[]`, `${INTEROP_ROOT}[][]`],
      [batches, priorityOps, interopRoots],
    ),
  ]);

/** keccak(prev state commitment ‖ new state commitment ‖ batch commitment) >> 32 */
export function batchPublicInput(prevStateCommitment, stored) {
  return BigInt(keccak256(concat([prevStateCommitment, stored.batchHash, stored.commitment]))) >> PUBLIC_INPUT_SHIFT;
}

/** zksync-os-server snark_public_input: chain the per-batch inputs. */
export function aggregatedPublicInput(prev, batches) {
  let acc = null;
  let prevState = prev.batchHash;
  for (const b of batches) {
    const pi = batchPublicInput(prevState, b);
    acc = acc === null ? pi : BigInt(keccak256(concat([toBeHex(acc, 32), toBeHex(pi, 32)]))) >> PUBLIC_INPUT_SHIFT;
    prevState = b.batchHash;
  }
  return acc;
}

/** [3, 0, 13, publicInput] */
export const fakeProof = (prev, batches) => [3n, 0n, 13n, aggregatedPublicInput(prev, batches)];

/** Verifier.attestationDigest */
export function attestationDigest(chainId, batchNumber, prevStateCommitment, stored) {
  return keccak256(
    abi.encode(
      ["bytes32", "uint256", "uint256", "bytes32", "bytes32", "bytes32"],
      [ATTESTATION_DOMAIN, chainId, batchNumber, prevStateCommitment, stored.batchHash, stored.commitment],
    ),
  );
}

/** [4, v, r, s, ...] signed by `privateKey` for each batch. */
export function attestationProof(privateKey, chainId, prev, batches) {
  const key = new SigningKey(privateKey);
  const proof = [4n];
  let prevState = prev.batchHash;
  for (const b of batches) {
    const sig = key.sign(attestationDigest(chainId, b.batchNumber, prevState, b));
    proof.push(BigInt(sig.v), BigInt(sig.r), BigInt(sig.s));
    prevState = b.batchHash;
  }
  return proof;
}

// ---- L2->L1 logs ----------------------------------------------------------------------------

/** 88-byte encoding: uint8 shard ‖ bool isService ‖ uint16 txNumberInBatch ‖ address sender ‖ key ‖ value */
export function encodeL2Log(log) {
  const out = solidityPacked(
    ["uint8", "bool", "uint16", "address", "bytes32", "bytes32"],
    [log.l2ShardId ?? 0, log.isService ?? true, log.txNumberInBatch, log.sender, log.key, log.value],
  );
  if (getBytes(out).length !== L2_TO_L1_LOG_SERIALIZE_SIZE) throw new Error("bad log size");
  return out;
}

/** The log an L1Messenger message becomes. */
export const messageLog = (txNumberInBatch, sender, message) => ({
  l2ShardId: 0,
  isService: true,
  txNumberInBatch,
  sender: L2_MESSENGER,
  key: zeroPadValue(sender, 32),
  value: keccak256(message),
});

/** Withdrawal message of L2BaseToken.withdraw: finalizeEthWithdrawal.selector ‖ receiver ‖ amount. */
export const FINALIZE_ETH_WITHDRAWAL_SELECTOR = id("finalizeEthWithdrawal(uint256,uint256,uint16,bytes,bytes32[])").slice(0, 10);
export const withdrawalMessage = (l1Receiver, amount) =>
  solidityPacked(["bytes4", "address", "uint256"], [FINALIZE_ETH_WITHDRAWAL_SELECTOR, l1Receiver, amount]);

/**
 * Keccak Merkle tree over the batch's encoded logs, padded to 16384 leaves with keccak(88 zero bytes)
 * (zksync-os MiniMerkleTree). Returns the local root, l2LogsTreeRoot = keccak(localRoot ‖ 0) and
 * proof(index) in the zks_getL2ToL1LogProof layout: [metadata, 14 siblings, aggregated root (0)].
 */
export function l2LogsTree(encodedLogs) {
  const depth = Math.log2(L2_TO_L1_TREE_SIZE);
  const zero = [keccak256(new Uint8Array(L2_TO_L1_LOG_SERIALIZE_SIZE))];
  for (let i = 1; i <= depth; i++) zero.push(keccak256(concat([zero[i - 1], zero[i - 1]])));
  const levels = [encodedLogs.map((l) => keccak256(l))];
  for (let d = 0; d < depth; d++) {
    const cur = levels[d];
    const next = [];
    for (let i = 0; i < cur.length; i += 2) next.push(keccak256(concat([cur[i], cur[i + 1] ?? zero[d]])));
    levels.push(next);
  }
  const localRoot = levels[depth][0] ?? zero[depth];
  const l2LogsTreeRoot = keccak256(concat([localRoot, ZERO32]));
  const proof = (index) => {
    const path = [];
    for (let d = 0, i = index; d < depth; d++, i >>= 1) path.push(levels[d][i ^ 1] ?? zero[d]);
    path.push(ZERO32); // aggregated root
    const metadata = hexlify(new Uint8Array([1, path.length, 0, 1, ...new Array(28).fill(0)]));
    return [metadata, ...path];
  };
  return { localRoot, l2LogsTreeRoot, proof, defaultLeafHash: zero[0] };
}
