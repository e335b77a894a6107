// Conformance: every `eth_` answer of the node validates against the Ethereum execution-apis result
// schemas (tests/e2e/schemas/eth.mjs), strict, with ZKsync's documented fields the only additions.
// The history covers each tx type ZKsync OS accepts (legacy, EIP-2930, EIP-1559; EIP-4844 and
// EIP-7702 are refused), a contract deploy, a call that emits a log and a deposit from L1 (0x7f).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Ajv } from "ajv";
import { createPublicClient, createWalletClient, defineChain, encodeFunctionData, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startNode, artifact, bin, runOk, rpcRaw, CHAIN_ID, DEV_ACCOUNTS, NODE_KIND, configOutPath, readConfigOut, until } from "./harness.mjs";
import * as schemas from "./schemas/eth.mjs";

const skip = NODE_KIND !== "zkos-dev" && "the deposit needs zkos-dev's L1";
const counterArt = artifact("Counter");
const ajv = new Ajv({ allErrors: true, discriminator: true });
const validators = new Map();
let node;
let l1Url;
let pub;
let wallet;
const account = privateKeyToAccount(DEV_ACCOUNTS[0].key);
/** The history: name -> { hash, receipt }. */
const history = {};

before(async () => {
  if (skip) return;
  const configOut = configOutPath("conformance");
  node = await startNode({ args: ["--config-out", configOut] });
  l1Url = (await readConfigOut(configOut)).l1?.rpc_url;
  assert.ok(l1Url, "no l1.rpc_url in --config-out");
  const chain = defineChain({ id: CHAIN_ID, name: "zkos-dev", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } });
  pub = createPublicClient({ chain, transport: http(node.url), pollingInterval: 100 });
  wallet = createWalletClient({ account, chain, transport: http(node.url) });

  const mined = async (name, hash) => {
    const receipt = await pub.waitForTransactionReceipt({ hash, timeout: 60_000 });
    assert.equal(receipt.status, "success", name);
    history[name] = { hash, receipt };
  };
  const to = DEV_ACCOUNTS[1].address;
  await mined("legacy", await wallet.sendTransaction({ type: "legacy", to, value: 1n }));
  await mined("eip2930", await wallet.sendTransaction({ type: "eip2930", to, value: 2n, accessList: [{ address: to, storageKeys: ["0x" + "00".repeat(31) + "01"] }] }));
  await mined("eip1559", await wallet.sendTransaction({ type: "eip1559", to, value: 3n }));
  await mined("deploy", await wallet.deployContract({ abi: counterArt.abi, bytecode: counterArt.bytecode }));
  history.counter = history.deploy.receipt.contractAddress;
  await mined("log", await wallet.writeContract({ address: history.counter, abi: counterArt.abi, functionName: "increment" }));
  history.deposit = await deposit();
});

after(async () => {
  await node?.stop();
});

/** A deposit sent with cast on the embedded L1; returns the hash of its 0x7f tx on L2. */
async function deposit() {
  const from = DEV_ACCOUNTS[3];
  const receiver = "0x000000000000000000000000000000000000d0d0";
  const cast = (...args) => runOk(bin("cast"), args);
  const bridgehub = await node.rpc("zks_getBridgehubContract", []);
  const value = 10n ** 18n;
  const gasLimit = 300_000n;
  const baseCost = BigInt(
    (await cast("call", "--rpc-url", l1Url, bridgehub, "l2TransactionBaseCost(uint256,uint256,uint256,uint256)(uint256)", "270", "1000", gasLimit.toString(), "800")).split(" ")[0],
  );
  const request = `(270,${baseCost + value},${receiver},${value},0x,${gasLimit},800,[],${from.address})`;
  await cast("send", "--rpc-url", l1Url, "--private-key", from.key, "--json", "--value", (baseCost + value).toString(), bridgehub,
    "requestL2TransactionDirect((uint256,uint256,address,uint256,bytes,uint256,uint256,bytes[],address))", request);
  await until("the deposit on the L2", async () => BigInt(await node.rpc("eth_getBalance", [receiver, "latest"])) === value);
  const head = Number(await node.rpc("eth_blockNumber", []));
  for (let n = head; n > 0; n--) {
    const block = await node.rpc("eth_getBlockByNumber", ["0x" + n.toString(16), true]);
    const l1Tx = block.transactions.find((t) => t.type === "0x7f" && t.to.toLowerCase() === receiver);
    if (l1Tx) return l1Tx.hash;
  }
  throw new Error("the deposit did not land on L2");
}

/** Signs a tx of a type ZKsync OS refuses and sends it raw; returns the JSON-RPC error. */
async function sendRefused(fields) {
  const nonce = await pub.getTransactionCount({ address: account.address, blockTag: "pending" });
  const fees = { maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 0n };
  const raw = await account.signTransaction({ chainId: CHAIN_ID, nonce, gas: 100_000n, to: DEV_ACCOUNTS[2].address, value: 1n, ...fees, ...fields });
  return (await rpcRaw(node.url, "eth_sendRawTransaction", [raw])).error;
}

test("EIP-4844 and EIP-7702 txs are refused, as ZKsync OS refuses them", { skip }, async () => {
  const blob = await sendRefused({ type: "eip4844", maxFeePerBlobGas: 1n, blobVersionedHashes: ["0x01" + "00".repeat(31)] });
  assert.deepEqual(blob, { code: -32003, message: "transaction type not supported" });
  const authorization = await account.signAuthorization({ address: DEV_ACCOUNTS[6].address, chainId: CHAIN_ID, nonce: 0 });
  const setCode = await sendRefused({ type: "eip7702", authorizationList: [authorization] });
  assert.deepEqual(setCode, {
    code: -32003,
    message: "EIP-7702 transactions are disabled: ZKsync OS does not accept them (start zkos-dev with --allow-eip7702 or --evm-rules ethereum to accept them anyway)",
  });
});

test("every eth_ answer validates against the execution-apis result schemas", { skip }, async () => {
  const failures = [];
  const called = new Set();
  /** Calls `method`, validates the result against its schema (or `schema`), returns the result. */
  const check = async (method, params = [], schema = schemas.RESULTS[method]) => {
    assert.ok(schema, `no result schema for ${method}`);
    called.add(method);
    const result = await node.rpc(method, params);
    let validate = validators.get(schema);
    if (!validate) validators.set(schema, (validate = ajv.compile(schema)));
    if (!validate(result)) {
      const errors = [...new Set(validate.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`))];
      failures.push(`${method}(${JSON.stringify(params)}):\n  ${errors.join("\n  ")}\n  result: ${JSON.stringify(result).slice(0, 1500)}`);
    }
    return result;
  };
  const counter = history.counter;
  const me = account.address;
  const increment = encodeFunctionData({ abi: counterArt.abi, functionName: "increment" });
  const number = encodeFunctionData({ abi: counterArt.abi, functionName: "number" });

  // Filters installed before the last tx, so their changes are not empty.
  const logFilter = await check("eth_newFilter", [{ fromBlock: "latest", address: counter }]);
  const allLogs = await check("eth_newFilter", [{ fromBlock: "0x0" }]);
  const blockFilter = await check("eth_newBlockFilter");
  const pendingFilter = await check("eth_newPendingTransactionFilter");
  const nonce = await check("eth_getTransactionCount", [me, "latest"]);
  const raw = await account.signTransaction({
    type: "eip1559", chainId: CHAIN_ID, nonce: Number(nonce), to: counter, data: increment, gas: 200_000n,
    maxFeePerGas: BigInt(await check("eth_gasPrice")) * 2n, maxPriorityFeePerGas: BigInt(await check("eth_maxPriorityFeePerGas")),
  });
  const sent = await check("eth_sendRawTransaction", [raw]);
  await pub.waitForTransactionReceipt({ hash: sent, timeout: 60_000 });
  history.raw = { hash: sent };

  assert.ok((await check("eth_getFilterChanges", [logFilter], schemas.filterResults)).length > 0, "the log filter saw the increment");
  assert.ok((await check("eth_getFilterChanges", [blockFilter], { type: "array", items: schemas.base.hash32 })).length > 0);
  await check("eth_getFilterChanges", [pendingFilter], { type: "array", items: schemas.base.hash32 });
  await check("eth_getFilterChanges", [allLogs], { type: "array", items: schemas.log });
  assert.ok((await check("eth_getFilterLogs", [allLogs], { type: "array", items: schemas.log })).length > 1);
  for (const id of [logFilter, allLogs, blockFilter, pendingFilter]) assert.equal(await check("eth_uninstallFilter", [id]), true);

  const viaNode = await check("eth_sendTransaction", [{ from: DEV_ACCOUNTS[1].address, to: me, value: "0x1" }]);
  await pub.waitForTransactionReceipt({ hash: viaNode, timeout: 60_000 });
  await check("eth_sign", [me, "0xdeadbeef"]);
  await check("eth_signTransaction", [{ from: me, to: me, value: "0x1" }]);
  await check("eth_config");
  await check("eth_chainId");
  await check("eth_blockNumber");
  await check("eth_syncing");
  await check("eth_coinbase");
  await check("eth_accounts");
  await check("eth_getBalance", [me, "latest"]);
  await check("eth_getTransactionCount", [me, "pending"]);
  await check("eth_getCode", [counter, "latest"]);
  await check("eth_getCode", [me, "latest"]);
  await check("eth_getStorageAt", [counter, "0x0", "latest"]);
  await check("eth_call", [{ to: counter, data: number }, "latest"]);
  await check("eth_estimateGas", [{ from: me, to: counter, data: increment }]);
  await check("eth_createAccessList", [{ from: me, to: counter, data: increment }, "latest"]);
  await check("eth_blobBaseFee");
  await check("eth_feeHistory", ["0x4", "latest", [25, 75]]);
  await check("eth_feeHistory", ["0x2", "latest", []]);
  await check("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }], { type: "array", items: schemas.log });
  await check("eth_getLogs", [{ fromBlock: "0x0", address: counter }], { type: "array", items: schemas.log });

  for (const name of ["legacy", "eip2930", "eip1559", "deploy", "log", "deposit", "raw"]) {
    const hash = history[name].hash ?? history[name];
    const tx = await check("eth_getTransactionByHash", [hash], schemas.tx);
    const receipt = await check("eth_getTransactionReceipt", [hash], schemas.receipt);
    assert.equal(receipt.type, tx.type, name);
    const index = tx.transactionIndex;
    await check("eth_getTransactionByBlockHashAndIndex", [tx.blockHash, index], schemas.tx);
    await check("eth_getTransactionByBlockNumberAndIndex", [tx.blockNumber, index], schemas.tx);
    await check("eth_getBlockByHash", [tx.blockHash, false], schemas.blockWithHashes);
    await check("eth_getBlockByHash", [tx.blockHash, true], schemas.blockWithTxs);
    await check("eth_getBlockByNumber", [tx.blockNumber, false], schemas.blockWithHashes);
    await check("eth_getBlockByNumber", [tx.blockNumber, true], schemas.blockWithTxs);
    await check("eth_getHeaderByHash", [tx.blockHash], schemas.header);
    await check("eth_getHeaderByNumber", [tx.blockNumber], schemas.header);
    await check("eth_getBlockTransactionCountByHash", [tx.blockHash]);
    await check("eth_getBlockTransactionCountByNumber", [tx.blockNumber]);
    await check("eth_getUncleCountByBlockHash", [tx.blockHash]);
    await check("eth_getUncleCountByBlockNumber", [tx.blockNumber]);
    await check("eth_getBlockReceipts", [tx.blockNumber], { type: "array", items: schemas.receipt });
    await check("eth_getBlockReceipts", [tx.blockHash], { type: "array", items: schemas.receipt });
  }
  for (const tag of ["earliest", "latest", "pending", "safe", "finalized"]) await check("eth_getBlockByNumber", [tag, false]);
  await check("eth_getBlockByNumber", ["0x0", true], schemas.blockWithTxs);
  // "not found" answers
  const unknown = "0x" + "ab".repeat(32);
  assert.equal(await check("eth_getTransactionByHash", [unknown]), null);
  assert.equal(await check("eth_getTransactionReceipt", [unknown]), null);
  assert.equal(await check("eth_getBlockByHash", [unknown, false]), null);
  assert.equal(await check("eth_getBlockByNumber", ["0xffffff", false]), null);
  assert.equal(await check("eth_getBlockTransactionCountByHash", [unknown]), null);
  assert.equal(await check("eth_getTransactionByBlockNumberAndIndex", ["0x0", "0x9"]), null);

  const uncalled = Object.keys(schemas.RESULTS).filter((m) => !called.has(m));
  assert.deepEqual(uncalled, [], "every method with a result schema is called");
  assert.deepEqual(failures, [], `answers that do not validate:\n${failures.join("\n")}`);
  // The deposit carries the fields every other tx has, with the chain's own values.
  const deposit = await node.rpc("eth_getTransactionByHash", [history.deposit]);
  const block = await node.rpc("eth_getBlockByHash", [deposit.blockHash, false]);
  assert.equal(deposit.type, "0x7f");
  assert.equal(deposit.chainId, "0x" + CHAIN_ID.toString(16));
  assert.equal(deposit.blockTimestamp, block.timestamp);
});

test("the schemas are strict: an unlisted field, a missing one or a wrong encoding fails", { skip }, async () => {
  const receipt = await node.rpc("eth_getTransactionReceipt", [history.log.hash]);
  const tx = await node.rpc("eth_getTransactionByHash", [history.deposit]);
  const valid = (schema, value) => ajv.compile(schema)(value);
  assert.ok(valid(schemas.receipt, receipt));
  assert.ok(!valid(schemas.receipt, { ...receipt, l1BatchTimestamp: "0x1" }), "a field listed for blocks only");
  assert.ok(!valid(schemas.receipt, { ...receipt, gasUsed: "0x0" + receipt.gasUsed.slice(2) }), "a quantity with a leading zero");
  assert.ok(!valid(schemas.receipt, { ...receipt, logs: [{ ...receipt.logs[0], extra: 1 }] }), "a log with an unknown field");
  assert.ok(valid(schemas.tx, tx));
  const { chainId, ...withoutChainId } = tx;
  assert.ok(chainId);
  assert.ok(!valid(schemas.tx, withoutChainId), "a 0x7f tx without chainId");
  assert.ok(!valid(schemas.tx, { ...tx, type: "0x7e" }), "a tx type no schema knows");
});
