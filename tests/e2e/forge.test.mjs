// forge (Foundry 1.7.1) against the node: `forge create --broadcast` and `forge script --broadcast`,
// compiling through the solcjs shim (tests/e2e/solc-shim/solc) in the project tests/e2e/foundry.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startNode, bin, runOk, artifact, canonAbi, E2E_DIR, DEV_ACCOUNTS, CHAIN_ID } from "./harness.mjs";

const PROJECT = join(E2E_DIR, "foundry");
let node;
let broadcastDir;

const forge = (args, env = {}) => runOk(bin("forge"), args, { cwd: PROJECT, env: { FOUNDRY_BROADCAST: broadcastDir, ...env } });
const castCall = (...args) => runOk(bin("cast"), ["call", "--rpc-url", node.url, ...args]);

before(async () => {
  broadcastDir = mkdtempSync(join(tmpdir(), "zkos-e2e-broadcast-"));
  node = await startNode();
});
after(async () => {
  await node?.stop();
  if (broadcastDir) rmSync(broadcastDir, { recursive: true, force: true });
});

test("forge build compiles offline through the solcjs shim; ABI matches tests/contracts/out", async () => {
  await forge(["build"]);
  for (const name of ["Counter", "Token"]) {
    const built = JSON.parse(readFileSync(join(PROJECT, "out", `${name}.sol`, `${name}.json`), "utf8"));
    assert.deepEqual(canonAbi(built.abi), canonAbi(artifact(name).abi), `${name} ABI`);
    assert.match(built.bytecode.object, /^0x[0-9a-f]{100,}$/);
  }
});

test("forge create --broadcast: Counter", async () => {
  const deployer = DEV_ACCOUNTS[1];
  const out = await forge(["create", "--rpc-url", node.url, "--private-key", deployer.key, "--broadcast", "../../contracts/src/Counter.sol:Counter"]);
  const addr = out.match(/Deployed to: (0x[0-9a-fA-F]{40})/)?.[1];
  const hash = out.match(/Transaction hash: (0x[0-9a-fA-F]{64})/)?.[1];
  assert.ok(addr && hash, `unexpected forge create output:\n${out}`);
  assert.match(out, new RegExp(`Deployer: ${deployer.address}`, "i"));

  const rcpt = await node.rpc("eth_getTransactionReceipt", [hash]);
  assert.equal(rcpt.status, "0x1");
  assert.equal(rcpt.contractAddress.toLowerCase(), addr.toLowerCase());
  assert.equal(rcpt.from.toLowerCase(), deployer.address.toLowerCase());
  const tx = await node.rpc("eth_getTransactionByHash", [hash]);
  assert.equal(BigInt(tx.chainId), BigInt(CHAIN_ID));
  assert.equal(tx.to, null);

  const code = await node.rpc("eth_getCode", [addr, "latest"]);
  assert.ok(code.length > 100, `code at ${addr}: ${code}`);
  assert.equal(await castCall(addr, "number()(uint256)"), "0");
  assert.equal(await castCall(addr, "divide(uint256,uint256)(uint256)", "81", "9"), "9");
});

test("forge create --broadcast --json: Token with constructor args", async () => {
  const deployer = DEV_ACCOUNTS[2];
  const supply = "5000000000000000000000"; // 5000e18
  const out = JSON.parse(
    await forge(["create", "--rpc-url", node.url, "--private-key", deployer.key, "--broadcast", "--json", "../../contracts/src/Token.sol:Token", "--constructor-args", supply]),
  );
  assert.equal(out.deployer.toLowerCase(), deployer.address.toLowerCase());
  const rcpt = await node.rpc("eth_getTransactionReceipt", [out.transactionHash]);
  assert.equal(rcpt.status, "0x1");
  assert.equal(rcpt.contractAddress.toLowerCase(), out.deployedTo.toLowerCase());
  // constructor emitted Transfer(0, deployer, supply)
  assert.equal(rcpt.logs.length, 1);
  assert.equal(BigInt(rcpt.logs[0].topics[1]), 0n);
  assert.equal(BigInt(rcpt.logs[0].topics[2]), BigInt(deployer.address));
  assert.equal(BigInt(rcpt.logs[0].data), BigInt(supply));

  assert.equal(await castCall(out.deployedTo, "totalSupply()(uint256)"), `${supply} [5e21]`);
  assert.equal(await castCall(out.deployedTo, "balanceOf(address)(uint256)", deployer.address), `${supply} [5e21]`);
  assert.equal(await castCall(out.deployedTo, "symbol()(string)"), '"TKN"');
});

test("forge script --broadcast: deploys Counter + Token and calls them (5 txs)", async () => {
  const deployer = DEV_ACCOUNTS[3];
  const recipient = "0x000000000000000000000000000000000000bEEF";
  const nonceBefore = BigInt(await node.rpc("eth_getTransactionCount", [deployer.address, "latest"]));
  await forge(["script", "script/Deploy.s.sol:Deploy", "--rpc-url", node.url, "--broadcast"], {
    DEPLOYER_KEY: deployer.key,
    TOKEN_RECIPIENT: recipient,
  });

  const run = JSON.parse(readFileSync(join(broadcastDir, "Deploy.s.sol", String(CHAIN_ID), "run-latest.json"), "utf8"));
  assert.deepEqual(
    run.transactions.map((t) => [t.transactionType, t.contractName, t.function ?? null]),
    [
      ["CREATE", "Counter", null],
      ["CALL", "Counter", "setNumber(uint256)"],
      ["CALL", "Counter", "increment()"],
      ["CREATE", "Token", null],
      ["CALL", "Token", "transfer(address,uint256)"],
    ],
  );
  assert.equal(run.receipts.length, 5);
  for (const r of run.receipts) assert.equal(r.status, "0x1", JSON.stringify(r));
  // receipts also come from the node, not just forge's file
  for (const t of run.transactions) {
    const r = await node.rpc("eth_getTransactionReceipt", [t.hash]);
    assert.equal(r.status, "0x1", t.hash);
  }
  assert.equal(BigInt(await node.rpc("eth_getTransactionCount", [deployer.address, "latest"])), nonceBefore + 5n);

  const counter = run.transactions[0].contractAddress;
  const token = run.transactions[3].contractAddress;
  assert.equal(await castCall(counter, "number()(uint256)"), "42");
  assert.equal(await castCall(token, "balanceOf(address)(uint256)", recipient), "123000000000000000000 [1.23e20]");
  assert.equal(await castCall(token, "balanceOf(address)(uint256)", deployer.address), "999877000000000000000000 [9.998e23]");
});
