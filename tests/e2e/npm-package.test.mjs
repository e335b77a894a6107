// The npm packages built by npm/pack.sh, installed as a user would (from the tarballs, offline,
// into a fresh project): `npx zkos-dev` runs the packaged binary, and `createZkosDev()` starts
// devnets on free ports in memory and stops them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { connect } from "node:net";
import { createRequire } from "node:module";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { NODE_KIND, REPO_ROOT, rpc, run, runOk } from "./harness.mjs";

const skip = NODE_KIND !== "zkos-dev" && "the npm packages carry zkos-dev's binary";

const VERSION = readFileSync(join(REPO_ROOT, "Cargo.toml"), "utf8").match(/^version = "(.*)"/m)[1];

// The launcher must find the platform package's binary, not one the environment points at.
const env = { ZKOS_DEV_BINARY_PATH: undefined };

let work;
let project;

before(async () => {
  if (skip) return;
  const binary = process.env.ZKOS_DEV_BIN;
  assert.ok(binary, "ZKOS_DEV_BIN must point at a built zkos-dev (see run.sh)");
  work = mkdtempSync(join(tmpdir(), "zkos-dev-npm-"));
  // Packed once for the whole file: the binary is large and gzip is most of the time here.
  const tarballs = (await runOk("bash", [join(REPO_ROOT, "npm", "pack.sh"), join(work, "out"), binary])).split("\n");
  assert.equal(tarballs.length, 2, `pack.sh printed ${tarballs}`);
  assert.ok(tarballs.every(existsSync), `${tarballs}`);
  project = join(work, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-zkos-dev", private: true, type: "module" }));
  await runOk("npm", ["install", "--offline", "--no-audit", "--no-fund", "--cache", join(work, "npm-cache"), ...tarballs], {
    cwd: project,
    env,
  });
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Resolves once nothing listens on 127.0.0.1:port. */
function isClosed(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.on("error", () => resolve(true));
  });
}

const portOf = (url) => Number(new URL(url).port);

test("npx zkos-dev --version runs the binary from the installed platform package", { skip }, async () => {
  const out = await runOk("npx", ["--offline", "zkos-dev", "--version"], { cwd: project, env });
  assert.equal(out, `zkos-dev ${VERSION}`);
  const manifest = JSON.parse(readFileSync(join(project, "node_modules", "zkos-dev", "package.json"), "utf8"));
  assert.deepEqual(manifest.optionalDependencies, { "@zkos-dev/zkos-dev-linux-x64": VERSION });
});

test("the zkos-dev command passes the exit code and SIGTERM through", { skip }, async () => {
  const launcher = join(project, "node_modules", ".bin", "zkos-dev");
  const bad = await run(launcher, ["no-such-command"], { cwd: project, env });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /unrecognized subcommand 'no-such-command'/);

  const configPath = join(work, "launcher-config.json");
  const child = spawn(launcher, ["start", "--port", "0", "--l1-port", "0", "--ephemeral", "--silent", "--config-out", configPath], {
    cwd: project,
    env: { ...process.env, ...env },
    stdio: "ignore",
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  let config;
  for (let i = 0; i < 600 && !config; i++) {
    try {
      config = JSON.parse(readFileSync(configPath, "utf8"));
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  assert.ok(config, "no --config-out file within 30 s");
  assert.equal(await rpc(config.l2.rpc_url, "eth_chainId"), "0x10e");
  child.kill("SIGTERM");
  assert.deepEqual(await exited, { code: 0, signal: null });
  // The launcher passed SIGTERM on: the node itself stopped, not only the Node process.
  assert.ok(await isClosed(config.l2.port), `L2 port ${config.l2.port} still open`);
  assert.ok(await isClosed(config.l1.port), `L1 port ${config.l1.port} still open`);
});

test("createZkosDev starts two devnets on free ports and stop() closes them", { skip }, async () => {
  const entry = createRequire(join(project, "package.json")).resolve("zkos-dev");
  const { createZkosDev } = await import(pathToFileURL(entry).href);
  delete process.env.ZKOS_DEV_BINARY_PATH; // createZkosDev() runs in this process

  const devnets = await Promise.all([createZkosDev(), createZkosDev()]);
  try {
    const ports = devnets.flatMap((d) => [portOf(d.l2Url), portOf(d.l1Url)]);
    assert.equal(new Set(ports).size, 4, `ports overlap: ${ports}`);
    for (const d of devnets) {
      assert.equal(await rpc(d.l2Url, "eth_chainId"), "0x10e");
      assert.equal(await rpc(d.l1Url, "eth_chainId"), "0x7a69");
      assert.equal(d.accounts[0].address, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
      assert.equal(d.accounts[0].privateKey, "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
      assert.equal(d.accounts[0].balance, 10000n * 10n ** 18n);
    }
  } finally {
    await Promise.all(devnets.map((d) => d.stop()));
  }
  for (const d of devnets) {
    assert.ok(await isClosed(portOf(d.l2Url)), `${d.l2Url} still open after stop()`);
    assert.ok(await isClosed(portOf(d.l1Url)), `${d.l1Url} still open after stop()`);
  }
});
