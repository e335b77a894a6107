// Shared harness for the zkos-dev client e2e tests.
//
// Starts one node per test file on a free 127.0.0.1 port and stops it afterwards (startNode();
// `startNode({ kind: "anvil" })` starts a reference anvil whatever E2E_NODE says, and
// `startNode({ silent: false })` keeps the node's own output for `logs()`):
//   - default:          `$ZKOS_DEV_BIN start --port <P> --l1-port 0 --silent`   (ZKOS_DEV_BIN is required)
//   - E2E_NODE=anvil:   `anvil --port <Q> --chain-id 270 --silent` (npm @foundry-rs/anvil 1.7.1),
//                       the reference baseline. anvil is put behind a tiny proxy on <P> that adds
//                       the ZKsync receipt fields zkos-dev promises (l2ToL1Logs, l1BatchNumber,
//                       l1BatchTxIndex, per-log transactionLogIndex/logType), because viem's
//                       `zksyncLocalNode` chain (id 270) cannot parse a plain receipt; it also funds
//                       the rich account. Nothing else is changed: every assertion is the same in
//                       both modes.
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import http from "node:http";
import { readFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(E2E_DIR, "..", "..");
export const CONTRACTS_DIR = join(E2E_DIR, "..", "contracts");

export const CHAIN_ID = 270;
export const INITIAL_BALANCE = 10000n * 10n ** 18n;

// anvil's mnemonic `test test ... junk`, m/44'/60'/0'/0/i
export const DEV_ACCOUNTS = [
  { address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", key: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" },
  { address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", key: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" },
  { address: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", key: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a" },
  { address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", key: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6" },
  { address: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", key: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a" },
  { address: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", key: "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba" },
  { address: "0x976EA74026E726554dB657fA54763abd0C3a0aa9", key: "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e" },
  { address: "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", key: "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356" },
  { address: "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f", key: "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97" },
  { address: "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720", key: "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6" },
];
export const RICH_ACCOUNT = {
  address: "0x36615Cf349d7F6344891B1e7CA7C72883F5dc049",
  key: "0x7726827caac94a7f9e1b160f7ea819f172f7b6f9d2a97f992c38edeab82d4110",
};

export const NODE_KIND = process.env.E2E_NODE === "anvil" ? "anvil" : "zkos-dev";

/** Path of a binary installed in tests/e2e/node_modules/.bin (cast, forge, anvil). */
export function bin(name) {
  const p = join(E2E_DIR, "node_modules", ".bin", name);
  if (!existsSync(p)) throw new Error(`${p} not found: run tests/e2e/run.sh (npm ci) first`);
  return p;
}

/** Foundry-shaped artifact from tests/contracts/out/<name>.json. */
export function artifact(name) {
  const a = JSON.parse(readFileSync(join(CONTRACTS_DIR, "out", `${name}.json`), "utf8"));
  return { abi: a.abi, bytecode: a.bytecode.object, deployedBytecode: a.deployedBytecode.object };
}

/** ABI as a sorted list of canonical JSON strings (tools order items and keys differently). */
export function canonAbi(abi) {
  const canon = (v) =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;
  return abi.map((x) => JSON.stringify(canon(x))).sort();
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

let rpcId = 1;
/** Raw JSON-RPC call; returns the whole response object ({result} or {error}). */
export async function rpcRaw(url, method, params = []) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: rpcId++, method, params }),
  });
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${method}: HTTP ${res.status}, non-JSON body: ${text.slice(0, 500)}`);
  }
}

/** JSON-RPC call that throws (with the full request/response in the message) on an error. */
export async function rpc(url, method, params = []) {
  const r = await rpcRaw(url, method, params);
  if (r.error) {
    throw new Error(`${method}(${JSON.stringify(params)}) -> error ${JSON.stringify(r.error)}`);
  }
  return r.result;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function spawnLogged(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
  const out = { text: "" };
  const append = (d) => {
    out.text += d.toString();
    if (out.text.length > 200_000) out.text = out.text.slice(-100_000);
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  child.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  child.exitInfo = null;
  child.exited.then((info) => (child.exitInfo = info));
  return { child, out };
}

async function waitReady(url, child, out, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    if (child.exitInfo) {
      throw new Error(`${what} exited before it was ready (${JSON.stringify(child.exitInfo)}); output:\n${out.text}`);
    }
    try {
      const r = await rpcRaw(url, "eth_chainId");
      if (r.result !== undefined) return r.result;
      lastErr = new Error(JSON.stringify(r));
    } catch (e) {
      lastErr = e;
    }
    await sleep(100);
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms (${lastErr}); output:\n${out.text}`);
}

async function killChild(child) {
  if (child.exitInfo) return child.exitInfo;
  child.kill("SIGTERM");
  let timer;
  const r = await Promise.race([child.exited, new Promise((res) => (timer = setTimeout(() => res(null), 10_000)))]);
  clearTimeout(timer);
  if (r) return r;
  child.kill("SIGKILL");
  return child.exited;
}

// --- anvil mode: proxy adding the ZKsync receipt fields zkos-dev promises -----------------------

function zkReceipt(rcpt) {
  if (!rcpt || typeof rcpt !== "object") return rcpt;
  return {
    ...rcpt,
    l1BatchNumber: rcpt.l1BatchNumber ?? rcpt.blockNumber,
    l1BatchTxIndex: rcpt.l1BatchTxIndex ?? rcpt.transactionIndex,
    l2ToL1Logs: rcpt.l2ToL1Logs ?? [],
    logs: (rcpt.logs ?? []).map((log, i) => ({
      ...log,
      l1BatchNumber: log.l1BatchNumber ?? rcpt.blockNumber,
      transactionLogIndex: log.transactionLogIndex ?? "0x" + i.toString(16),
      logType: log.logType ?? null,
    })),
  };
}

function augment(method, result) {
  if (result == null) return result;
  switch (method) {
    case "eth_getTransactionReceipt":
    case "eth_sendRawTransactionSync":
      return zkReceipt(result);
    case "eth_getBlockReceipts":
      return Array.isArray(result) ? result.map(zkReceipt) : result;
    default:
      return result;
  }
}

async function startReceiptProxy(port, innerPort) {
  const innerUrl = `http://127.0.0.1:${innerPort}`;
  const server = http.createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const body = Buffer.concat(chunks).toString("utf8");
      const upstream = await fetch(innerUrl, {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "application/json" },
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      });
      let text = await upstream.text();
      try {
        const request = JSON.parse(body);
        const response = JSON.parse(text);
        const methodOf = new Map((Array.isArray(request) ? request : [request]).map((r) => [JSON.stringify(r.id), r.method]));
        const fix = (r) => (r && "result" in r ? { ...r, result: augment(methodOf.get(JSON.stringify(r.id)), r.result) } : r);
        text = JSON.stringify(Array.isArray(response) ? response.map(fix) : fix(response));
      } catch {
        // not JSON: pass through unchanged
      }
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
      res.end(text);
    } catch (e) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(String(e));
    }
  });
  // WebSocket: pipe the upgrade request and the connection through unchanged.
  server.on("upgrade", (req, socket, head) => {
    const up = connect(innerPort, "127.0.0.1", () => {
      let raw = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) raw += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      up.write(raw + "\r\n");
      if (head?.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return server;
}

/**
 * Starts the node under test. Returns { kind, port, url, wsUrl, rpc(method, params), stop(), logs() }.
 *
 * Options:
 *   kind    "zkos-dev" | "anvil": which node (default: the one under test, E2E_NODE). A test that
 *           compares zkos-dev with a reference anvil starts one of each.
 *   silent  pass `--silent` (default true); false keeps the banner and the per-tx output, which
 *           `logs()` returns (stdout + stderr).
 *   args    extra command-line arguments.
 *   port    the port to serve on (default: a free one).
 */
export async function startNode({ kind = NODE_KIND, silent = true, args = [], port: given } = {}) {
  const port = given ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}`;
  const quiet = silent ? ["--silent"] : [];

  if (kind === "anvil") {
    const innerPort = await freePort();
    const innerUrl = `http://127.0.0.1:${innerPort}`;
    const { child, out } = spawnLogged(bin("anvil"), ["--host", "127.0.0.1", "--port", String(innerPort), "--chain-id", String(CHAIN_ID), ...quiet, ...args]);
    let proxy;
    try {
      await waitReady(innerUrl, child, out, "anvil");
      await rpc(innerUrl, "anvil_setBalance", [RICH_ACCOUNT.address, "0x" + INITIAL_BALANCE.toString(16)]);
      proxy = await startReceiptProxy(port, innerPort);
    } catch (e) {
      await killChild(child);
      throw e;
    }
    return {
      kind: "anvil",
      port,
      url,
      wsUrl,
      rpc: (m, p) => rpc(url, m, p),
      logs: () => out.text,
      async stop() {
        proxy.closeAllConnections?.();
        await new Promise((r) => proxy.close(r));
        return killChild(child);
      },
    };
  }

  if (kind !== "zkos-dev") throw new Error(`startNode: unknown kind ${kind}`);
  const zkosBin = process.env.ZKOS_DEV_BIN;
  if (!zkosBin) {
    throw new Error("ZKOS_DEV_BIN is not set: point it at the zkos-dev binary, or set E2E_NODE=anvil for the anvil baseline");
  }
  if (!existsSync(zkosBin)) throw new Error(`ZKOS_DEV_BIN=${zkosBin} does not exist (cargo build first)`);
  // Run in a scratch directory so any default state dir does not land in the repo; it goes
  // when the node stops.
  const cwd = mkdtempSync(join(tmpdir(), "zkos-dev-e2e-"));
  const storage = args.includes("--data-dir") ? [] : ["--ephemeral"];
  const { child, out } = spawnLogged(zkosBin, ["start", "--port", String(port), "--l1-port", "0", ...storage, ...quiet, ...args], { cwd });
  const stopNode = async () => {
    const exit = await killChild(child);
    rmSync(cwd, { recursive: true, force: true });
    return exit;
  };
  try {
    await waitReady(url, child, out, "zkos-dev");
  } catch (e) {
    await stopNode();
    throw e;
  }
  return {
    kind: "zkos-dev",
    port,
    url,
    wsUrl,
    rpc: (m, p) => rpc(url, m, p),
    logs: () => out.text,
    stop: stopNode,
  };
}

/** Polls `check` every 50 ms until it returns something truthy (returned), for up to `timeoutMs`. */
export async function until(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A fresh path for a node's `--config-out` file. */
export function configOutPath(prefix) {
  return join(mkdtempSync(join(tmpdir(), `zkos-${prefix}-`)), "zkos-dev.json");
}

/** The `--config-out` file at `path` once the node has written it (it does once it listens). */
export async function readConfigOut(path) {
  await until(`${path}`, () => existsSync(path), 10_000);
  return JSON.parse(readFileSync(path, "utf8"));
}

/**
 * Runs a command to completion (never rejects on a non-zero exit).
 * Returns { code, signal, stdout, stderr }. Kills the command after timeoutMs.
 */
export function run(cmd, args, { cwd = E2E_DIR, env = {}, timeoutMs = 300_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    const timer = setTimeout(() => {
      stderr += `\n[harness] killed after ${timeoutMs} ms`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Like run() but throws with full output unless the exit code is 0. Returns stdout (trimmed). */
export async function runOk(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`\`${[cmd, ...args].join(" ")}\` exited ${r.code ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return r.stdout.trim();
}

/**
 * Deposits `value` wei to `receiver` on the L2 with `cast send` on the L1 at `l1Url`
 * (`requestL2TransactionDirect` through the Bridgehub the L2 names, the base cost from
 * `l2TransactionBaseCost`). Returns the L1 receipt; the L2 tx follows once the watcher sees it.
 */
export async function castDeposit(node, l1Url, from, receiver, value, gasLimit = 300_000n) {
  const cast = (...args) => runOk(bin("cast"), args);
  const bridgehub = await node.rpc("zks_getBridgehubContract", []);
  const chainId = String(BigInt(await node.rpc("eth_chainId", [])));
  const baseCost = BigInt(
    (await cast("call", "--rpc-url", l1Url, bridgehub, "l2TransactionBaseCost(uint256,uint256,uint256,uint256)(uint256)", chainId, "1000", gasLimit.toString(), "800")).split(" ")[0],
  );
  const mint = baseCost + value;
  const request = `(${chainId},${mint},${receiver},${value},0x,${gasLimit},800,[],${from.address})`;
  return JSON.parse(
    await cast(
      "send", "--rpc-url", l1Url, "--private-key", from.key, "--json", "--value", mint.toString(), bridgehub,
      "requestL2TransactionDirect((uint256,uint256,address,uint256,bytes,uint256,uint256,bytes[],address))", request,
    ),
  );
}
