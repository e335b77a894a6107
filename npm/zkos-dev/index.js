// JS launcher for tests, in the style of prool's / viem's `createAnvil`:
//
//   import { createZkosDev } from "zkos-dev";
//   const devnet = await createZkosDev();          // free ports, in memory, silent
//   devnet.l2Url, devnet.l1Url, devnet.accounts    // http://127.0.0.1:<port>, [{ address, privateKey, balance }]
//   await devnet.stop();                           // kills it and waits until it has exited
//
// The node writes its banner as JSON (`--config-out`) once both ports are bound; that file is
// where the URLs and accounts come from, and `GET <l2Url>/health` answering says it is ready.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binaryPath } from "./binary.js";

export { binaryPath } from "./binary.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Nodes still running when this process exits are killed with it, so a test that forgot
// stop() (or threw before it) leaves no devnet behind.
const running = new Set();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts a zkos-dev devnet and resolves once its L2 answers `/health`.
 * @param {{ l2Port?: number, l1Port?: number, args?: string[], binary?: string, timeoutMs?: number }} [options]
 */
export async function createZkosDev(options = {}) {
  const { l2Port = 0, l1Port = 0, args = [], binary = binaryPath(), timeoutMs = 60_000 } = options;
  const dir = mkdtempSync(join(tmpdir(), "zkos-dev-"));
  const configPath = join(dir, "config.json");
  const child = spawn(
    binary,
    ["start", "--port", String(l2Port), "--l1-port", String(l1Port), "--ephemeral", "--silent", "--config-out", configPath, ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);

  // Kept for the error message when the node does not come up (a clashing port, a bad flag).
  let output = "";
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exitInfo = null;
  let spawnError = null;
  const exited = new Promise((resolve) => {
    child.on("error", (e) => {
      spawnError = e;
      exitInfo = { code: null, signal: null };
      resolve(exitInfo);
    });
    child.on("exit", (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  }).then((info) => {
    running.delete(child);
    rmSync(dir, { recursive: true, force: true });
    return info;
  });

  const stop = async () => {
    if (!exitInfo) {
      child.kill("SIGTERM");
      let timer;
      const done = await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
      if (!done) child.kill("SIGKILL");
    }
    await exited;
  };

  try {
    const config = await waitForConfig(configPath, () => exitInfo, timeoutMs);
    const l2Url = config.l2.rpc_url;
    await waitForHealth(`${l2Url}/health`, () => exitInfo, timeoutMs);
    return {
      l2Url,
      l1Url: config.l1.rpc_url,
      accounts: config.accounts.map((a) => ({ address: a.address, privateKey: a.private_key, balance: BigInt(a.balance) })),
      config,
      pid: child.pid,
      stop,
    };
  } catch (e) {
    await stop();
    const why = spawnError ? `cannot run ${binary}: ${spawnError.message}` : e.message;
    throw new Error(`zkos-dev did not start: ${why}${output ? `\n${output}` : ""}`);
  }
}

async function until(what, attempt, hasExited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = hasExited();
    if (info) throw new Error(`it exited (code ${info.code}, signal ${info.signal}) before ${what}`);
    const value = await attempt();
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

// The file is written with a plain write once the ports are bound: a read may see it half
// written, so it counts once it parses.
function waitForConfig(path, hasExited, timeoutMs) {
  return until("its --config-out file was written", async () => {
    try {
      return JSON.parse(readFileSync(path, "utf8"));
    } catch {
      return undefined;
    }
  }, hasExited, timeoutMs);
}

function waitForHealth(url, hasExited, timeoutMs) {
  return until(`${url} answered`, async () => {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return res.ok ? true : undefined;
    } catch {
      return undefined;
    }
  }, hasExited, timeoutMs);
}
