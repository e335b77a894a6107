// Execution rules through real clients: zkos-dev's default (ZKsync OS: Cancun, its precompile set,
// PREVRANDAO 1, fees to the fee account, EIP-7702 refused) and `--evm-rules ethereum`, whose every
// answer below must be anvil's (npm @foundry-rs/anvil 1.7.1, started here as the reference).
// Probes are raw init code run with eth_call (no `to`), direct precompile calls, and txs signed
// with viem (a plain transfer, an EIP-7702 tx).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { createWalletClient, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startNode, rpcRaw, bin, runOk, DEV_ACCOUNTS, RICH_ACCOUNT, NODE_KIND, CHAIN_ID, E2E_DIR } from "./harness.mjs";

const skip = NODE_KIND === "anvil" && "the rules under test are zkos-dev's";
let zkos, eth, anvil;

before(async () => {
  if (skip) return;
  [zkos, eth, anvil] = await Promise.all([
    startNode(),
    startNode({ args: ["--evm-rules", "ethereum"] }),
    startNode({ kind: "anvil" }),
  ]);
});

after(async () => {
  await Promise.all([zkos?.stop(), eth?.stop(), anvil?.stop()]);
});

/** Init code running `ops` (one word left on the stack) and returning that word. */
const returning = (ops) => "0x" + ops + "5f5260205ff3";
const PROBES = {
  clz: returning("6001" + "1e"), // CLZ(1): 255 on Osaka, an invalid opcode on Cancun
  prevrandao: returning("44"),
  blobbasefee: returning("4a"),
  blobhash0: returning("5f49"),
  coinbase: returning("41"),
};

/** eth_call's answer: `{ok: hex}` or `{error: message}`. */
async function ethCall(node, call) {
  const r = await rpcRaw(node.url, "eth_call", [call, "latest"]);
  return r.error ? { error: r.error.message } : { ok: r.result };
}

const probe = (node, code) => ethCall(node, { from: DEV_ACCOUNTS[0].address, data: code });
const precompile = (n) => "0x" + n.toString(16).padStart(40, "0");

// RIP-7212's first test vector (hash, r, s, x, y): valid.
const P256 =
  "0x4cee90eb86eaa050036147a12d49004b6b9c72bd725d39d4785011fe190f0b4da73bd4903f0ce3b639bbbf6e8e80d16931ff4bcf5993d58468e8fb19086e8cac36dbcd03009df8c59286b162af3bd7fcc0450c9aa81be5d10d312af6c66b1d604aebd3099c618202fcfe16ae7770b0c49ab5eadf74b754204a3bb6060e44eff37618b065f9832de4ca6ca971a7a1adc826d0f7c00181a5fb2ddf79ae00b4e10e";
// EIP-152's 5th blake2f vector: 12 rounds over "abc".
const BLAKE2F =
  "0x0000000c48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b" +
  "616263" + "00".repeat(125) + "03" + "00".repeat(15) + "01";
const ONE = "0x" + "00".repeat(31) + "01";

test("ethereum rules answer every probe as anvil does", { skip }, async () => {
  for (const [name, code] of Object.entries(PROBES)) {
    if (name === "prevrandao") continue; // a hash on both, of different parents
    const [ours, ref] = await Promise.all([probe(eth, code), probe(anvil, code)]);
    assert.deepEqual(ours.ok !== undefined, ref.ok !== undefined, `${name}: ${JSON.stringify({ ours, ref })}`);
    if (ref.ok !== undefined) assert.equal(ours.ok, ref.ok, name);
  }
  // Data everywhere: with none, anvil estimates a call to a code-less account (a precompile) as a
  // plain 21,000-gas transfer, short of what the precompile costs.
  for (const [to, data] of [[9, BLAKE2F], [0x100, P256], [2, "0x00"], [0x0b, "0x" + "00".repeat(256)]]) {
    const call = { to: precompile(to), data };
    const [ours, ref] = await Promise.all([ethCall(eth, call), ethCall(anvil, call)]);
    assert.deepEqual(Boolean(ours.error), Boolean(ref.error), `${to}: ${JSON.stringify({ ours, ref })}`);
    if (ref.ok !== undefined) assert.equal(ours.ok, ref.ok, `precompile ${to}`);
    const [g1, g2] = await Promise.all([rpcRaw(eth.url, "eth_estimateGas", [call]), rpcRaw(anvil.url, "eth_estimateGas", [call])]);
    assert.equal(g1.result, g2.result, `estimateGas of precompile ${to}: ${JSON.stringify([g1, g2])}`);
  }
  // PREVRANDAO: a hash of the parent block (anvil's genesis block has mixHash 0), not ZKsync OS's 1.
  const prevrandao = await probe(eth, PROBES.prevrandao);
  assert.ok(BigInt(prevrandao.ok) > 1n, JSON.stringify(prevrandao));
});

test("zksync-os rules: CLZ invalid, PREVRANDAO 1, BLOBBASEFEE 1, coinbase the fee account", { skip }, async () => {
  assert.deepEqual(await probe(zkos, PROBES.clz), { error: "invalid opcode" });
  assert.equal(BigInt((await probe(zkos, PROBES.prevrandao)).ok), 1n);
  assert.equal(BigInt((await probe(zkos, PROBES.blobbasefee)).ok), 1n);
  assert.equal(BigInt((await probe(zkos, PROBES.blobhash0)).ok), 0n);
  assert.equal(BigInt((await probe(zkos, PROBES.coinbase)).ok), BigInt(RICH_ACCOUNT.address));
  const block = await zkos.rpc("eth_getBlockByNumber", ["latest", false]);
  assert.equal(BigInt(block.mixHash), 1n);
});

test("zksync-os rules: the production precompiles only (blake2f, BLS are empty accounts; P256VERIFY is there)", { skip }, async () => {
  assert.deepEqual(await ethCall(zkos, { to: precompile(9), data: BLAKE2F }), { ok: "0x" });
  assert.deepEqual(await ethCall(zkos, { to: precompile(0x0b), data: "0x" + "00".repeat(256) }), { ok: "0x" });
  assert.deepEqual(await ethCall(zkos, { to: precompile(0x100), data: P256 }), { ok: ONE });
  assert.deepEqual(await ethCall(anvil, { to: precompile(0x100), data: P256 }), { ok: ONE }, "the vector is valid");
});

test("zksync-os rules: fees go to the fee account; EIP-7702 refused as zksync-os-server refuses it", { skip }, async () => {
  const account = privateKeyToAccount(DEV_ACCOUNTS[4].key);
  const chain = { id: CHAIN_ID, name: "zkos", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [zkos.url] } } };
  const wallet = createWalletClient({ account, chain, transport: http(zkos.url) });
  const before = BigInt(await zkos.rpc("eth_getBalance", [RICH_ACCOUNT.address, "latest"]));
  const hash = await wallet.sendTransaction({ to: DEV_ACCOUNTS[5].address, value: parseEther("1"), maxPriorityFeePerGas: 0n });
  let receipt;
  for (let i = 0; i < 200 && !receipt; i++) {
    receipt = await zkos.rpc("eth_getTransactionReceipt", [hash]);
    if (!receipt) await new Promise((r) => setTimeout(r, 50));
  }
  const after = BigInt(await zkos.rpc("eth_getBalance", [RICH_ACCOUNT.address, "latest"]));
  assert.equal(after - before, BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice));

  const authorization = await wallet.signAuthorization({ contractAddress: DEV_ACCOUNTS[6].address, executor: "self" });
  await assert.rejects(
    wallet.sendTransaction({ authorizationList: [authorization], to: account.address, data: "0x" }),
    (e) => /EIP-7702 transactions are disabled/.test(e.details ?? e.message) && /--allow-eip7702/.test(e.details ?? e.message),
  );
});

// The Solidity probe (tests/contracts/src/RulesProbe.sol), deployed and run in a tx by
// `forge script --broadcast` (tests/e2e/foundry/script/Probe.s.sol), its records read with cast.
async function forgeProbe(node) {
  const broadcast = mkdtempSync(join(tmpdir(), "zkos-e2e-probe-"));
  try {
    await runOk(
      bin("forge"),
      // forge simulates in its own Cancun EVM, where a refused BLS12-381 call does not take the
      // 200,000 gas it takes on an Osaka node: room for that.
      ["script", "script/Probe.s.sol:Probe", "--rpc-url", node.url, "--private-key", DEV_ACCOUNTS[4].key, "--broadcast", "--slow", "--gas-estimate-multiplier", "400"],
      { cwd: join(E2E_DIR, "foundry"), env: { FOUNDRY_BROADCAST: broadcast } },
    );
    const run = JSON.parse(readFileSync(join(broadcast, "Probe.s.sol", String(CHAIN_ID), "run-latest.json"), "utf8"));
    for (const r of run.receipts) assert.equal(r.status, "0x1", JSON.stringify(r));
    const address = run.transactions.find((t) => t.transactionType === "CREATE").contractAddress;
    const read = (sig) => runOk(bin("cast"), ["call", "--rpc-url", node.url, address, sig]).then((s) => s.trim().split(" ")[0]); // cast appends "[1.3e5]" to big numbers
    const out = {};
    for (const name of ["prevrandao", "blobBaseFee", "blobHash0", "coinbase", "chainId", "succeeded", "answered", "recovered"]) {
      const type = { coinbase: "address", recovered: "address", blobHash0: "bytes32" }[name] ?? "uint256";
      out[name] = await read(`${name}()(${type})`);
    }
    return out;
  } finally {
    rmSync(broadcast, { recursive: true, force: true });
  }
}

/** Bits of the probed addresses (0x01..0x11, then 0x100) as a number. */
const bits = (...addrs) => addrs.reduce((acc, a) => acc + (1n << BigInt(a === 0x100 ? 17 : a - 1)), 0n).toString();

test("a Solidity probe run through forge: zksync-os rules as ZKsync OS has them, ethereum rules as anvil", { skip }, async () => {
  const [ours, eth_, ref] = [await forgeProbe(zkos), await forgeProbe(eth), await forgeProbe(anvil)];
  const signer = DEV_ACCOUNTS[0].address.toLowerCase();
  // ZKsync OS: PREVRANDAO 1, BLOBBASEFEE 1, no blobs, fees to the fee account; 0x01-0x08 and
  // 0x100 answer, every other address is an empty account (the call succeeds, returns nothing).
  assert.equal(ours.prevrandao, "1");
  assert.equal(ours.blobBaseFee, "1");
  assert.equal(BigInt(ours.blobHash0), 0n);
  assert.equal(ours.coinbase.toLowerCase(), RICH_ACCOUNT.address.toLowerCase());
  assert.equal(ours.chainId, String(CHAIN_ID));
  assert.equal(ours.answered, bits(1, 2, 3, 4, 5, 6, 7, 8, 0x100));
  assert.equal(ours.succeeded, bits(...Array.from({ length: 17 }, (_, i) => i + 1), 0x100));
  assert.equal(ours.recovered.toLowerCase(), signer);
  // Ethereum rules: what anvil records, but for the chain id and the hash-derived PREVRANDAO.
  for (const key of ["blobBaseFee", "blobHash0", "succeeded", "answered", "recovered"]) {
    assert.equal(eth_[key], ref[key], `${key}: ${JSON.stringify({ ethereum: eth_[key], anvil: ref[key] })}`);
  }
  assert.equal(eth_.coinbase.toLowerCase(), ref.coinbase.toLowerCase());
  assert.notEqual(ref.answered, ours.answered, "anvil has blake2f, KZG and BLS12-381");
});
