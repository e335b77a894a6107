// Shared test setup: a fresh anvil with the whole system deployed, and small helpers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { Interface, Wallet, ContractFactory, keccak256, concat, toBeHex } from "ethers";
import { startAnvil, ANVIL_KEYS } from "./anvil.mjs";
import { deploy, makeSigner, contracts, artifact } from "../deploy.mjs";
import { ARTIFACT_CONTRACTS, SOLC_VERSION } from "../build.mjs";
import {
  ZERO32, toStoredBatchInfo, genesisStoredBatchInfo, priorityOpsRollingHash, encodeCommitData, encodeProveData,
  encodeExecuteData, fakeProof, encodeL2Log, l2LogsTree,
} from "./encoding.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Every error of every artifact (and of registered test contracts), to name reverts that bubble up from nested calls. */
const errorAbis = ARTIFACT_CONTRACTS.flatMap((n) => artifact(n).abi.filter((x) => x.type === "error"));
let ALL_ERRORS = buildErrors();
function buildErrors() {
  return new Interface([
    ...new Map(errorAbis.map((e) => [`${e.name}(${e.inputs.map((i) => i.type).join(",")})`, e])).values(),
  ]);
}

/** Makes expectRevert know the errors of `abi` too (test-only contracts). */
export function registerErrors(abi) {
  errorAbis.push(...abi.filter((x) => x.type === "error"));
  ALL_ERRORS = buildErrors();
}

export async function setup(opts = {}) {
  const anvil = await startAnvil();
  const deployer = await makeSigner(anvil.url, ANVIL_KEYS[0]);
  const operator = new Wallet(ANVIL_KEYS[1], deployer.provider);
  const user = new Wallet(ANVIL_KEYS[2], deployer.provider);
  const proverKey = ANVIL_KEYS[3];
  const prover = new Wallet(proverKey).address;
  const addresses = await deploy({ signer: deployer, operator: operator.address, prover, ...opts });
  const c = contracts(addresses, deployer.provider);
  return {
    anvil,
    provider: deployer.provider,
    deployer,
    operator,
    user,
    proverKey,
    addresses,
    c,
    asOperator: (contract) => contract.connect(operator),
    async stop() {
      deployer.provider.destroy();
      await anvil.stop();
    },
  };
}

/** Asserts `promise` reverts with the custom error `name` (optionally checking its args). */
export async function expectRevert(promise, name, args) {
  let err;
  try {
    const tx = await promise;
    if (tx && typeof tx.wait === "function") await tx.wait();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected revert ${name}, but it succeeded`);
  const data = err.data ?? err.info?.error?.data ?? err.error?.data;
  assert.ok(data && data !== "0x", `expected revert ${name}, got: ${err.shortMessage ?? err.message}`);
  const parsed = ALL_ERRORS.parseError(data);
  assert.equal(parsed?.name, name, `expected revert ${name}, got ${parsed?.name ?? data}`);
  if (args) assert.deepEqual([...parsed.args], args);
  return parsed;
}

let stateCounter = 0;
/** A CommitBatchInfoZKsyncOS following `prev` (a StoredBatchInfo), with overridable fields. */
export function nextBatch(prev, chainId, fields = {}) {
  const now = BigInt(Math.floor(Date.now() / 1000));
  return {
    batchNumber: BigInt(prev.batchNumber) + 1n,
    newStateCommitment: keccak256(concat([toBeHex(++stateCounter, 32), prev.batchHash])),
    numberOfLayer1Txs: 0n,
    priorityOperationsHash: keccak256("0x"),
    dependencyRootsRollingHash: ZERO32,
    l2LogsTreeRoot: ZERO32,
    l2DaValidator: "0x0000000000000000000000000000000000000000",
    daCommitment: ZERO32,
    firstBlockTimestamp: now,
    lastBlockTimestamp: now,
    chainId: BigInt(chainId),
    operatorDAInput: "0x",
    ...fields,
  };
}

export { toStoredBatchInfo };

const compiled = new Map();
/**
 * Compiles the test-only source test/contracts/<name>.sol with the pinned solc (same settings as
 * build.mjs) and returns {abi, bytecode} of contract <name>. Never written to artifacts/.
 */
export function compileTestContract(name) {
  if (compiled.has(name)) return compiled.get(name);
  const solc = createRequire(import.meta.url)("solc");
  if (!solc.version().startsWith(SOLC_VERSION + "+")) throw new Error(`solc ${SOLC_VERSION} expected, got ${solc.version()}`);
  const source = `test/contracts/${name}.sol`;
  const input = {
    language: "Solidity",
    sources: { [source]: { content: readFileSync(join(ROOT, source), "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const c = out.contracts[source][name];
  const result = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
  registerErrors(result.abi);
  compiled.set(name, result);
  return result;
}

/** Deploys test/contracts/TestERC20.sol(name, symbol, decimals) from `signer`. */
export async function deployTestToken(signer, name = "Test Token", symbol = "TST", decimals = 18) {
  const { abi, bytecode } = compileTestContract("TestERC20");
  const token = await new ContractFactory(abi, bytecode, signer).deploy(name, symbol, decimals);
  await token.waitForDeployment();
  return token;
}

/** The parsed events `contract` emitted in `receipt` (optionally only those named `name`). */
export function eventsOf(receipt, contract, name) {
  const address = (contract.target ?? contract).toLowerCase();
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === address)
    .map((l) => contract.interface.parseLog(l))
    .filter((e) => e && (!name || e.name === name));
}

/**
 * Commits, proves (fake proof) and executes the batch after `prev` (a StoredBatchInfo, default
 * genesis) as the operator, with `l1TxHashes` as its priority ops and `logs` (L2Log objects) as
 * its L2->L1 logs. Returns {stored, tree}: the batch's StoredBatchInfo and its logs tree.
 */
export async function settleBatch(t, { prev = genesisStoredBatchInfo(), l1TxHashes = [], logs = [], chainId = 270n } = {}) {
  const chain = t.c.zkChain.connect(t.operator);
  const tree = l2LogsTree(logs.map(encodeL2Log));
  const batch = nextBatch(prev, chainId, {
    numberOfLayer1Txs: BigInt(l1TxHashes.length),
    priorityOperationsHash: priorityOpsRollingHash(l1TxHashes),
    l2LogsTreeRoot: tree.l2LogsTreeRoot,
  });
  const stored = toStoredBatchInfo(batch);
  const n = stored.batchNumber;
  await (await chain.commitBatchesSharedBridge(t.addresses.zkChain, n, n, encodeCommitData(prev, [batch]))).wait();
  await (await chain.proveBatchesSharedBridge(t.addresses.zkChain, n, n, encodeProveData(prev, [stored], fakeProof(prev, [stored])))).wait();
  await (await chain.executeBatchesSharedBridge(t.addresses.zkChain, n, n,
    encodeExecuteData([stored], [{ leftPath: [], rightPath: [], itemHashes: l1TxHashes }]))).wait();
  return { stored, tree };
}
