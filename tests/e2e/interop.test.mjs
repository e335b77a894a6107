// Interop between two L2s on the Gateway (`--chains 270,271 --gateway`), with ethers v6 and raw
// `zks_` calls: a bundle sent on 270's InteropCenter (0x…1000b) is proven through the Gateway
// (`zks_getL2ToL1LogProof(hash, 0, "messageRoot")`), 271 imports the Gateway's root into its
// L2InteropRootStorage (0x…10008, by a 0x7d system tx the node puts first in a block), and
// `executeBundle` on 271's InteropHandler (0x…1000c) runs it once: native value to a receiver,
// then a remote call with a payload, then an ERC-20 deposited from L1 to 270 with zksync-ethers
// and sent on to 271 through the asset router; a second execution and a wrong destination are
// refused. zkos-dev only (anvil has no L2).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbiCoder, Contract, ContractFactory, Interface, JsonRpcProvider, Wallet, getBytes, hexlify, concat, keccak256, toBeHex } from "ethers";
import { Provider as ZkProvider, Wallet as ZkWallet } from "zksync-ethers";
import { startNode, freePort, artifact, DEV_ACCOUNTS, NODE_KIND } from "./harness.mjs";
import { L1_CHAIN_ID, L2_ASSET_ROUTER, compileToken } from "./sdk-common.mjs";

const skip = NODE_KIND !== "zkos-dev" && "interop needs zkos-dev";
const INTEROP_CENTER = "0x000000000000000000000000000000000001000b";
const INTEROP_HANDLER = "0x000000000000000000000000000000000001000c";
const ROOT_STORAGE = "0x0000000000000000000000000000000000010008";
const GATEWAY_CHAIN_ID = 506n;

const center = new Interface([
  "function sendBundle(bytes destinationChainId, tuple(bytes to, bytes data, bytes[] callAttributes)[] callStarters, bytes[] bundleAttributes) payable returns (bytes32)",
  "function interopCallValue(uint256 value)",
  "event L1MessageSent(address indexed sender, bytes32 indexed hash, bytes message)",
]);
const handler = new Interface([
  "function executeBundle(bytes bundle, tuple(uint256 chainId, uint256 l1BatchNumber, uint256 l2MessageIndex, tuple(uint16 txNumberInBatch, address sender, bytes data) message, bytes32[] proof) proof)",
  "error BundleAlreadyProcessed(bytes32)",
  "error WrongDestinationChainId(bytes32, uint256, uint256)",
]);
const storage = new Interface(["function interopRoots(uint256 chainId, uint256 blockOrBatchNumber) view returns (bytes32)"]);

let node;
let config; // --config-out
let a; // chain 270: { provider, wallet }
let b; // chain 271

before(async () => {
  if (skip) return;
  const [port, second, gateway] = [await freePort(), await freePort(), await freePort()];
  const configOut = join(mkdtempSync(join(tmpdir(), "zkos-interop-")), "zkos-dev.json");
  node = await startNode({
    port,
    args: ["--chains", "270,271", "--chain-ports", `${port},${second}`, "--gateway", "--gateway-port", `${gateway}`,
      "--config-out", configOut],
  });
  for (let i = 0; i < 100 && !existsSync(configOut); i++) await sleep(100);
  config = JSON.parse(readFileSync(configOut, "utf8"));
  const side = (url) => {
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    return { provider, wallet: new Wallet(DEV_ACCOUNTS[5].key, provider) };
  };
  a = side(`http://127.0.0.1:${port}`);
  b = side(`http://127.0.0.1:${second}`);
});
after(async () => {
  a?.provider.destroy();
  b?.provider.destroy();
  await node?.stop();
});

/** ERC-7930: an address on any chain, a chain without an address, an address on a chain. */
const onAnyChain = (address) => concat(["0x000100000014", address]);
const chainRef = (id) => {
  const reference = getBytes(toBeHex(id));
  return concat(["0x00010000", toBeHex(reference.length, 1), reference]);
};
const chainOnly = (id) => concat([chainRef(id), "0x00"]);
const onChain = (id, address) => concat([chainRef(id), "0x14", address]);

async function until(what, check) {
  for (let i = 0; i < 600; i++) {
    const value = await check();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function deployReceiver() {
  const { abi, bytecode } = artifact("InteropReceiver");
  const receiver = await new ContractFactory(abi, bytecode, b.wallet).deploy();
  await receiver.waitForDeployment();
  return receiver;
}

/** Sends a one-call bundle from 270 to `destination`; its receipt and the bundle's bytes. */
async function sendBundle(destination, to, data, value, attributes = value > 0n ? [center.encodeFunctionData("interopCallValue", [value])] : []) {
  const tx = await a.wallet.sendTransaction({
    to: INTEROP_CENTER,
    data: center.encodeFunctionData("sendBundle", [chainOnly(destination), [[onAnyChain(to), data, attributes]], []]),
    value,
  });
  const receipt = await tx.wait();
  assert.equal(receipt.status, 1, "sendBundle");
  const sent = receipt.logs.map((log) => center.parseLog(log)).find((log) => log?.name === "L1MessageSent");
  assert.ok(sent, "the bundle is an L2->L1 message");
  const message = getBytes(sent.args.message);
  assert.equal(message[0], 0x01, "BUNDLE_IDENTIFIER");
  return { receipt, message: hexlify(message), bundle: hexlify(message.slice(1)) };
}

/** The bundle's proof through the Gateway, once 271 holds the Gateway root it leads to. */
async function proven(receipt) {
  const proof = await until("the proof through the Gateway", () =>
    a.provider.send("zks_getL2ToL1LogProof", [receipt.hash, 0, "messageRoot"]),
  );
  const lookup = storage.encodeFunctionData("interopRoots", [GATEWAY_CHAIN_ID, proof.gatewayBlockNumber]);
  const held = await until("271 to import the Gateway's root", async () => {
    const root = await b.provider.call({ to: ROOT_STORAGE, data: lookup });
    return BigInt(root) !== 0n && root;
  });
  assert.equal(held, proof.root, "the imported root is the one the proof leads to");
  return proof;
}

function executeData(sent, proof) {
  return handler.encodeFunctionData("executeBundle", [
    sent.bundle,
    [270n, proof.batchNumber, proof.id, [sent.receipt.index, INTEROP_CENTER, sent.message], proof.proof],
  ]);
}

/** The revert data of `executeBundle` on 271 (an eth_call), or null when it would succeed. */
async function refusal(data) {
  try {
    await b.provider.call({ to: INTEROP_HANDLER, data, from: b.wallet.address });
    return null;
  } catch (err) {
    return handler.parseError(err.data ?? err.info?.error?.data)?.name ?? `${err}`;
  }
}

test("a native-value bundle from 270 reaches a receiver on 271 once; a second execution is refused", { skip }, async () => {
  const receiver = await deployReceiver();
  const value = 10n ** 17n;
  const before = await a.provider.getBalance(a.wallet.address);
  const sent = await sendBundle(271n, await receiver.getAddress(), "0x", value);
  const fee = sent.receipt.gasUsed * sent.receipt.gasPrice;
  assert.equal(await a.provider.getBalance(a.wallet.address), before - value - fee, "paid on 270: value and fee");

  const proof = await proven(sent.receipt);
  const data = executeData(sent, proof);
  const executed = await (await b.wallet.sendTransaction({ to: INTEROP_HANDLER, data })).wait();
  assert.equal(executed.status, 1, "executeBundle");
  assert.equal(await b.provider.getBalance(await receiver.getAddress()), value, "the receiver holds the value");
  assert.equal(await receiver.calls(), 1n);
  assert.equal(await receiver.lastCaller(), INTEROP_HANDLER);
  assert.equal(await refusal(data), "BundleAlreadyProcessed");
});

test("a remote call from 270 runs on 271 with its payload and sender", { skip }, async () => {
  const receiver = await deployReceiver();
  const payload = AbiCoder.defaultAbiCoder().encode(["string", "uint256"], ["hello from 270", 42n]);
  const sent = await sendBundle(271n, await receiver.getAddress(), payload, 0n);
  const proof = await proven(sent.receipt);
  const executed = await (await b.wallet.sendTransaction({ to: INTEROP_HANDLER, data: executeData(sent, proof) })).wait();
  assert.equal(executed.status, 1, "executeBundle");
  assert.equal(await receiver.calls(), 1n);
  assert.equal(await receiver.lastPayload(), payload);
  assert.equal((await receiver.lastSender()).toLowerCase(), onChain(270n, a.wallet.address).toLowerCase(), "the sender on 270");
});

test("an ERC-20 deposited from L1 to 270 (zksync-ethers) goes on to 271 in a bundle: burned on 270, minted on 271", { skip }, async () => {
  const l1 = new JsonRpcProvider(config.l1.rpc_url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const zk = new ZkProvider(a.provider._getConnection().url);
  try {
    const { abi, bytecode } = compileToken();
    const l1Wallet = new Wallet(DEV_ACCOUNTS[5].key, l1);
    const token = await new ContractFactory(abi, bytecode, l1Wallet).deploy("Interop Token", "ITK", 18, 10n ** 21n);
    await token.waitForDeployment();
    const l1Token = await token.getAddress();
    const deposit = await new ZkWallet(DEV_ACCOUNTS[5].key, zk, l1).deposit({ token: l1Token, amount: 100n, approveERC20: true });
    assert.equal((await deposit.wait()).status, 1, "the deposit on 270");
    const router = new Contract(L2_ASSET_ROUTER, ["function l2TokenAddress(address) view returns (address)"], a.provider);
    const onA = await router.l2TokenAddress(l1Token);
    const balanceOf = (provider, address) =>
      new Contract(onA, ["function balanceOf(address) view returns (uint256)"], provider).balanceOf(address);
    assert.equal(await balanceOf(a.provider, a.wallet.address), 100n);

    const receiver = "0x00000000000000000000000000000000000e2071";
    const assetId = keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "address", "address"], [L1_CHAIN_ID, "0x0000000000000000000000000000000000010004", l1Token]));
    const transfer = AbiCoder.defaultAbiCoder().encode(["uint256", "address", "address"], [40n, receiver, onA]);
    const data = concat(["0x01", AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes"], [assetId, transfer])]);
    const indirect = new Interface(["function indirectCall(uint256 indirectCallMessageValue)"]).encodeFunctionData("indirectCall", [0n]);
    const sent = await sendBundle(271n, L2_ASSET_ROUTER, data, 0n, [indirect]);
    assert.equal(await balanceOf(a.provider, a.wallet.address), 60n, "burned on 270");

    const proof = await proven(sent.receipt);
    const executed = await (await b.wallet.sendTransaction({ to: INTEROP_HANDLER, data: executeData(sent, proof) })).wait();
    assert.equal(executed.status, 1, "executeBundle");
    assert.equal(await router.connect(b.provider).l2TokenAddress(l1Token), onA, "one address on every L2");
    assert.equal(await balanceOf(b.provider, receiver), 40n, "minted on 271");
  } finally {
    l1.destroy();
    zk.destroy();
  }
});

test("a bundle for another chain is refused on 271", { skip }, async () => {
  const receiver = await deployReceiver();
  const sent = await sendBundle(272n, await receiver.getAddress(), "0x", 0n);
  const proof = await proven(sent.receipt);
  assert.equal(await refusal(executeData(sent, proof)), "WrongDestinationChainId");
  assert.equal(await receiver.calls(), 0n);
});
