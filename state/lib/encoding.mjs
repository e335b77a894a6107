// JS side of the encodings the contracts speak (the same ones the Rust node must produce).
// Used by deploy.mjs and the tests; each function names the contract code it mirrors.
import { AbiCoder, keccak256, concat, solidityPacked, zeroPadValue, toBeHex, getBytes, hexlify, SigningKey, id, getAddress } from "ethers";

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

// ---- Bridge (asset router / native token vault) ---------------------------------------------

export const L2_ASSET_ROUTER = "0x0000000000000000000000000000000000010003";
export const L2_NATIVE_TOKEN_VAULT = "0x0000000000000000000000000000000000010004";
/** era-contracts AddressAliasHelper offset. */
export const L1_TO_L2_ALIAS_OFFSET = 0x1111000000000000000000000000000000001111n;
/** Config.sol TWO_BRIDGES_MAGIC_VALUE = bytes32(uint256(keccak256("TWO_BRIDGES_MAGIC_VALUE")) - 1). */
export const TWO_BRIDGES_MAGIC_VALUE = toBeHex(BigInt(id("TWO_BRIDGES_MAGIC_VALUE")) - 1n, 32);
/** First byte of the asset-id form of secondBridgeCalldata / of versioned token metadata. */
export const NEW_ENCODING_VERSION = "0x01";
/** Selector opening a withdrawal message of the L2 asset router (0x…10003). */
export const FINALIZE_DEPOSIT_SELECTOR = id("finalizeDeposit(uint256,bytes32,bytes)").slice(0, 10);
/** Selector of the L2 call of an L1-native token deposit (the legacy L2 shared bridge's finalizeDeposit). */
export const LEGACY_FINALIZE_DEPOSIT_SELECTOR = id("finalizeDeposit(address,address,address,uint256,bytes)").slice(0, 10);

/** AddressAliasHelper.applyL1ToL2Alias (checksummed result). */
export function applyL1ToL2Alias(address) {
  const v = (BigInt(address) + L1_TO_L2_ALIAS_OFFSET) & ((1n << 160n) - 1n);
  return getAddress(toBeHex(v, 20));
}

/** DataEncoding.encodeNTVAssetId: keccak256(abi.encode(originChainId, 0x…10004, token)). */
export const ntvAssetId = (originChainId, token) =>
  keccak256(abi.encode(["uint256", "address", "address"], [originChainId, L2_NATIVE_TOKEN_VAULT, token]));

/** DataEncoding.encodeBridgeBurnData: abi.encode(amount, receiver, token). */
export const encodeBridgeBurnData = (amount, receiver, token = "0x0000000000000000000000000000000000000000") =>
  abi.encode(["uint256", "address", "address"], [amount, receiver, token]);

/** DataEncoding.encodeBridgeMintData: abi.encode(originalCaller, receiver, originToken, amount, metadata). */
export const encodeBridgeMintData = (originalCaller, receiver, originToken, amount, metadata = "0x") =>
  abi.encode(["address", "address", "address", "uint256", "bytes"], [originalCaller, receiver, originToken, amount, metadata]);

/** DataEncoding.encodeTokenData: 0x01 ‖ abi.encode(originChainId, abi.encode(name), abi.encode(symbol), abi.encode(uint8 decimals)). */
export const encodeTokenData = (originChainId, name, symbol, decimals) =>
  concat([
    NEW_ENCODING_VERSION,
    abi.encode(
      ["uint256", "bytes", "bytes", "bytes"],
      [originChainId, abi.encode(["string"], [name]), abi.encode(["string"], [symbol]), abi.encode(["uint8"], [decimals])],
    ),
  ]);

/** DataEncoding.encodeTxDataHash (devnet form): keccak256(abi.encode(depositSender, assetId, amount)). */
export const txDataHash = (depositSender, assetId, amount) =>
  keccak256(abi.encode(["address", "bytes32", "uint256"], [depositSender, assetId, amount]));

/** secondBridgeCalldata, legacy form: abi.encode(l1Token, amount, l2Receiver). */
export const twoBridgesLegacyCalldata = (l1Token, amount, l2Receiver) =>
  abi.encode(["address", "uint256", "address"], [l1Token, amount, l2Receiver]);

/** secondBridgeCalldata, asset-id form: 0x01 ‖ abi.encode(assetId, abi.encode(amount, l2Receiver, token)). */
export const twoBridgesAssetCalldata = (assetId, amount, l2Receiver, token) =>
  concat([NEW_ENCODING_VERSION, abi.encode(["bytes32", "bytes"], [assetId, encodeBridgeBurnData(amount, l2Receiver, token)])]);

/** L2 calldata of an L1-native token deposit: finalizeDeposit(l1Sender, l2Receiver, l1Token, amount, metadata) on 0x…10003. */
export const legacyDepositCalldata = (l1Sender, l2Receiver, l1Token, amount, metadata) =>
  concat([
    LEGACY_FINALIZE_DEPOSIT_SELECTOR,
    abi.encode(["address", "address", "address", "uint256", "bytes"], [l1Sender, l2Receiver, l1Token, amount, metadata]),
  ]);

/**
 * Withdrawal message of the L2 asset router (0x…10003):
 * finalizeDeposit(uint256,bytes32,bytes).selector ‖ uint256 l2ChainId ‖ bytes32 assetId ‖ bridge mint data.
 */
export const assetRouterWithdrawalMessage = (l2ChainId, assetId, mintData) =>
  solidityPacked(["bytes4", "uint256", "bytes32", "bytes"], [FINALIZE_DEPOSIT_SELECTOR, l2ChainId, assetId, mintData]);

/** The service log every L1->L2 tx leaves: bootloader 0x…8001, key = its canonical hash, value = 1 (success) / 0 (failure). */
export const l1TxStatusLog = (txNumberInBatch, l2TxHash, success) => ({
  l2ShardId: 0,
  isService: true,
  txNumberInBatch,
  sender: L2_BOOTLOADER,
  key: l2TxHash,
  value: zeroPadValue(success ? "0x01" : "0x00", 32),
});
