// JSON Schemas (draft-07, for ajv) of the `eth_` results, written after the Ethereum execution-apis
// OpenRPC spec (github.com/ethereum/execution-apis: src/eth/*.yaml for each method's result,
// src/schemas/*.yaml for the types) and kept as strict as it is: every object has
// `additionalProperties: false`, so a field the spec does not name fails — unless it is one of the
// ZKsync fields listed in ZKSYNC_EXTRAS below (and in docs/rpc.md, "ZKsync fields beyond the spec").
//
// The spec builds a tx as `allOf` [context, signed tx], which `additionalProperties: false` cannot
// see through; here each tx type is one flat object with the union of those properties instead.

const hex = (pattern, title) => ({ type: "string", pattern, title });

// src/schemas/base-types.yaml
export const base = {
  address: hex("^0x[0-9a-fA-F]{40}$", "address"),
  byte: hex("^0x[0-9a-fA-F]{1,2}$", "byte"),
  bytes: hex("^0x[0-9a-f]*$", "bytes"),
  bytes8: hex("^0x[0-9a-f]{16}$", "bytes8"),
  bytes32: hex("^0x[0-9a-f]{64}$", "bytes32"),
  bytes256: hex("^0x[0-9a-f]{512}$", "bytes256"),
  hash32: hex("^0x[0-9a-f]{64}$", "hash32"),
  uint: hex("^0x(0|[1-9a-f][0-9a-f]*)$", "uint"),
  uint256: hex("^0x(0|[1-9a-f][0-9a-f]{0,63})$", "uint256"),
  ratio: { type: "number", minimum: 0, maximum: 1 },
  null: { type: "null" },
};
const { address, byte, bytes, bytes8, bytes32, bytes256, hash32, uint, ratio } = base;
const orNull = (s) => ({ oneOf: [{ type: "null" }, s] });
const arrayOf = (items) => ({ type: "array", items });

/** A closed object: `props` are the spec's, `extras` the ZKsync fields allowed on top. */
function object(required, props, extras = {}) {
  return { type: "object", required, properties: { ...props, ...extras }, additionalProperties: false };
}

/**
 * The ZKsync fields zkos-dev adds to the spec's objects: name -> schema. Each one is listed in
 * docs/rpc.md; nothing else may appear.
 */
export const ZKSYNC_EXTRAS = {
  log: { l1BatchNumber: orNull(uint), transactionLogIndex: uint, logType: orNull({ type: "string" }) },
  receipt: {}, // filled below (l2ToL1Logs needs its own schema)
  block: { l1BatchNumber: orNull(uint), l1BatchTimestamp: orNull(uint) },
  tx: { l1BatchNumber: orNull(uint), l1BatchTxIndex: orNull(uint) },
  l1Tx: {
    initiator: address,
    gasPerPubdataByteLimit: uint,
    toMint: uint,
    refundRecipient: address,
    factoryDeps: arrayOf(hash32),
  },
};

// src/schemas/receipt.yaml Log
export const log = object(
  ["transactionHash"],
  {
    removed: { type: "boolean" },
    logIndex: uint,
    transactionIndex: uint,
    transactionHash: hash32,
    blockHash: hash32,
    blockNumber: uint,
    blockTimestamp: uint,
    address,
    data: bytes,
    topics: arrayOf(bytes32),
  },
  ZKSYNC_EXTRAS.log,
);

// ZKsync's L2->L1 log (zksync-os-server's `L2ToL1Log`, plus the zksync-era names zkos-dev keeps).
export const l2ToL1Log = object(
  ["blockHash", "blockNumber", "transactionHash", "transactionIndex", "logIndex", "transactionLogIndex", "shardId", "isService", "sender", "key", "value"],
  {
    blockHash: hash32,
    blockNumber: uint,
    l1BatchNumber: orNull(uint),
    transactionIndex: uint,
    transactionHash: hash32,
    transactionLogIndex: uint,
    txIndexInL1Batch: orNull(uint),
    txNumberInBlock: uint,
    shardId: uint,
    isService: { type: "boolean" },
    sender: address,
    key: bytes32,
    value: bytes32,
    logIndex: uint,
    l2_shard_id: { type: "integer", minimum: 0 },
    is_service: { type: "boolean" },
    tx_number_in_block: { type: "integer", minimum: 0 },
  },
);

ZKSYNC_EXTRAS.receipt = { l1BatchNumber: orNull(uint), l1BatchTxIndex: orNull(uint), l2ToL1Logs: arrayOf(l2ToL1Log) };

// src/schemas/receipt.yaml ReceiptInfo (EIP-8141 frame fields left out: no such txs here)
export const receipt = object(
  ["blockHash", "blockNumber", "from", "cumulativeGasUsed", "gasUsed", "logs", "logsBloom", "transactionHash", "transactionIndex", "effectiveGasPrice"],
  {
    type: byte,
    transactionHash: hash32,
    transactionIndex: uint,
    blockHash: hash32,
    blockNumber: uint,
    from: address,
    to: orNull(address),
    cumulativeGasUsed: uint,
    gasUsed: uint,
    blobGasUsed: uint,
    contractAddress: orNull(address),
    logs: arrayOf(log),
    logsBloom: bytes256,
    root: hash32,
    status: uint,
    effectiveGasPrice: uint,
    blobGasPrice: uint,
  },
  ZKSYNC_EXTRAS.receipt,
);

// src/schemas/transaction.yaml
export const accessList = arrayOf(object(["address", "storageKeys"], { address, storageKeys: arrayOf(hash32) }));
const authorizationList = arrayOf(
  object(["chainId", "nonce", "address", "yParity", "r", "s"], { chainId: uint, nonce: uint, address, yParity: byte, r: base.uint256, s: base.uint256 }),
);

// TransactionInfo's contextual part: the tx in a block.
const context = { blockHash: hash32, blockNumber: uint, blockTimestamp: uint, from: address, hash: hash32, transactionIndex: uint };
const contextRequired = Object.keys(context);
const signature = { yParity: byte, v: uint, r: uint, s: uint };
const common = { nonce: uint, to: orNull(address), gas: uint, value: uint, input: bytes, chainId: uint, gasPrice: uint };
const feeMarket = { maxPriorityFeePerGas: uint, maxFeePerGas: uint };

/** One signed tx type inside a block: type pattern, its required fields and its own properties. */
function txType(typeHex, required, props, extras = ZKSYNC_EXTRAS.tx) {
  return object(
    [...contextRequired, "type", ...required],
    { ...context, ...common, ...signature, ...props, type: { const: typeHex } },
    extras,
  );
}

export const txLegacy = txType("0x0", ["nonce", "gas", "value", "input", "gasPrice", "v", "r", "s"], {});
export const tx2930 = txType("0x1", ["nonce", "gas", "value", "input", "gasPrice", "chainId", "accessList", "yParity", "r", "s"], { accessList });
export const tx1559 = txType(
  "0x2",
  ["nonce", "gas", "value", "input", "maxFeePerGas", "maxPriorityFeePerGas", "gasPrice", "chainId", "accessList", "yParity", "r", "s"],
  { ...feeMarket, accessList },
);
export const tx4844 = txType(
  "0x3",
  ["nonce", "to", "gas", "value", "input", "maxFeePerGas", "maxPriorityFeePerGas", "maxFeePerBlobGas", "chainId", "accessList", "blobVersionedHashes", "yParity", "r", "s"],
  { ...feeMarket, accessList, maxFeePerBlobGas: uint, blobVersionedHashes: arrayOf(hash32), to: address },
);
export const tx7702 = txType(
  "0x4",
  ["nonce", "to", "gas", "value", "input", "maxFeePerGas", "maxPriorityFeePerGas", "chainId", "accessList", "authorizationList", "yParity", "r", "s"],
  { ...feeMarket, accessList, authorizationList, to: address },
);
// ZKsync's L1->L2 priority tx (a deposit): not in the spec. It carries every field the others have
// in common — the context, nonce/to/gas/value/input, chainId, gasPrice, the EIP-1559 fees and a
// (zero) signature — plus ZKsync's own.
export const txL1 = txType(
  "0x7f",
  ["nonce", "to", "gas", "value", "input", "chainId", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "v", "r", "s", "yParity"],
  { ...feeMarket, to: address },
  { ...ZKSYNC_EXTRAS.tx, ...ZKSYNC_EXTRAS.l1Tx },
);
// One of the types, told apart by `type` (ajv's `discriminator`, so an error names the type's schema).
export const tx = { type: "object", required: ["type"], discriminator: { propertyName: "type" }, oneOf: [txLegacy, tx2930, tx1559, tx4844, tx7702, txL1] };

// src/schemas/withdrawal.yaml
const withdrawal = object(["index", "validatorIndex", "address", "amount"], { index: uint, validatorIndex: uint, address, amount: uint });

// src/schemas/block.yaml Block
function block(transactions) {
  return object(
    ["hash", "parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot", "receiptsRoot", "logsBloom", "number", "gasLimit", "gasUsed", "timestamp", "extraData", "mixHash", "nonce", "size", "transactions", "uncles"],
    {
      hash: hash32,
      parentHash: hash32,
      sha3Uncles: hash32,
      miner: address,
      stateRoot: hash32,
      transactionsRoot: hash32,
      receiptsRoot: hash32,
      logsBloom: bytes256,
      difficulty: uint,
      // EIP-7685's header field, in every Prague header (geth and reth give it too);
      // the spec's block object does not list it yet, its own eth_simulateV1 example does.
      requestsHash: hash32,
      number: uint,
      gasLimit: uint,
      gasUsed: uint,
      timestamp: uint,
      extraData: bytes,
      mixHash: hash32,
      nonce: bytes8,
      totalDifficulty: uint,
      baseFeePerGas: uint,
      withdrawalsRoot: hash32,
      blobGasUsed: uint,
      excessBlobGas: uint,
      parentBeaconBlockRoot: hash32,
      size: uint,
      transactions: arrayOf(transactions),
      withdrawals: arrayOf(withdrawal),
      uncles: arrayOf(hash32),
    },
    ZKSYNC_EXTRAS.block,
  );
}
export const blockWithHashes = block(hash32);
export const blockWithTxs = block(tx);

// Header (eth_getHeaderBy*, src/eth/block.yaml): the block's fields without its body. zkos-dev
// keeps the block's `size` on it too, as reth does (the spec's examples show none): allowed here,
// not required, and listed in docs/rpc.md.
const body = ["size", "transactions", "uncles", "withdrawals"];
export const header = object(
  blockWithHashes.required.filter((k) => !body.includes(k)),
  Object.fromEntries(Object.entries(blockWithHashes.properties).filter(([k]) => !body.includes(k) || k === "size")),
);

// src/schemas/client.yaml ConfigurationResponse (eth_config, EIP-7910)
const configObject = object(["activationTime", "blobSchedule", "chainId", "forkId", "precompiles", "systemContracts"], {
  activationTime: { type: "number" },
  blobSchedule: object(["baseFeeUpdateFraction", "max", "target"], {
    baseFeeUpdateFraction: { type: "integer", minimum: 0 },
    max: { type: "integer", minimum: 0 },
    target: { type: "integer", minimum: 0 },
  }),
  chainId: uint,
  forkId: hex("^0x[0-9a-f]{8}$", "bytes4"),
  precompiles: { type: "object", additionalProperties: address },
  systemContracts: { type: "object", additionalProperties: address },
});
export const config = object(["current"], { current: configObject, next: orNull(configObject), last: orNull(configObject) });

// src/schemas/filter.yaml FilterResults. The spec says `oneOf`, which an empty array (valid as
// both) would fail: `anyOf` here, as for the two block shapes.
export const filterResults = { anyOf: [arrayOf(hash32), arrayOf(log)] };

/** Result schema of each method (src/eth/*.yaml), `null` where the spec allows "not found". */
export const RESULTS = {
  eth_chainId: uint,
  eth_blockNumber: uint,
  eth_syncing: {
    oneOf: [{ type: "boolean" }, object([], { startingBlock: uint, currentBlock: uint, highestBlock: uint })],
  },
  eth_coinbase: address,
  eth_accounts: arrayOf(address),
  eth_getBalance: uint,
  eth_getStorageAt: bytes,
  eth_getTransactionCount: uint,
  eth_getCode: bytes,
  eth_call: bytes,
  eth_estimateGas: uint,
  eth_createAccessList: object([], { accessList, error: { type: "string" }, gasUsed: uint }),
  eth_gasPrice: uint,
  eth_maxPriorityFeePerGas: uint,
  eth_blobBaseFee: uint,
  eth_feeHistory: object(["oldestBlock", "baseFeePerGas", "gasUsedRatio"], {
    oldestBlock: uint,
    baseFeePerGas: arrayOf(uint),
    baseFeePerBlobGas: arrayOf(uint),
    gasUsedRatio: arrayOf(ratio),
    blobGasUsedRatio: arrayOf(ratio),
    reward: arrayOf(arrayOf(uint)),
  }),
  eth_getBlockByHash: { anyOf: [base.null, blockWithHashes, blockWithTxs] },
  eth_getBlockByNumber: { anyOf: [base.null, blockWithHashes, blockWithTxs] },
  eth_getBlockTransactionCountByHash: orNull(uint),
  eth_getBlockTransactionCountByNumber: orNull(uint),
  eth_getUncleCountByBlockHash: orNull(uint),
  eth_getUncleCountByBlockNumber: orNull(uint),
  eth_getBlockReceipts: orNull(arrayOf(receipt)),
  eth_getTransactionByHash: orNull(tx),
  eth_getTransactionByBlockHashAndIndex: orNull(tx),
  eth_getTransactionByBlockNumberAndIndex: orNull(tx),
  eth_getTransactionReceipt: orNull(receipt),
  eth_getLogs: filterResults,
  eth_newFilter: uint,
  eth_newBlockFilter: uint,
  eth_newPendingTransactionFilter: uint,
  eth_getFilterChanges: filterResults,
  eth_getFilterLogs: filterResults,
  eth_uninstallFilter: { type: "boolean" },
  eth_sendRawTransaction: hash32,
  eth_sendTransaction: hash32,
  eth_sign: hex("^0x[0-9a-f]{130}$", "bytes65"),
  // The spec now answers geth's `{raw, tx}`; zkos-dev answers the raw tx alone, as anvil does and
  // as viem's `signTransaction` reads it (the spec's earlier `bytes` result).
  eth_signTransaction: bytes,
  eth_getHeaderByHash: orNull(header),
  eth_getHeaderByNumber: orNull(header),
  eth_config: config,
};
