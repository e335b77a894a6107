// Shared test setup: a fresh anvil with the whole system deployed, and small helpers.
import assert from "node:assert/strict";
import { Interface, Wallet, keccak256, concat, toBeHex } from "ethers";
import { startAnvil, ANVIL_KEYS } from "./anvil.mjs";
import { deploy, makeSigner, contracts, artifact } from "../deploy.mjs";
import { ARTIFACT_CONTRACTS } from "../build.mjs";
import { ZERO32, toStoredBatchInfo } from "./encoding.mjs";

/** Every error of every artifact, to name reverts that bubble up from nested calls. */
const ALL_ERRORS = new Interface(
  [
    ...new Map(
      ARTIFACT_CONTRACTS.flatMap((n) => artifact(n).abi.filter((x) => x.type === "error")).map((e) => [
        `${e.name}(${e.inputs.map((i) => i.type).join(",")})`,
        e,
      ]),
    ).values(),
  ],
);

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
