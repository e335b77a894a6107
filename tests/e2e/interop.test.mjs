// Interop between two L2s on the Gateway (`--chains 270,271 --gateway`), with ethers v6 and raw
// `zks_` calls: a bundle sent on 270's InteropCenter (0x…1000b) is proven through the Gateway
// (`zks_getL2ToL1LogProof(hash, 0, "messageRoot")`), 271 imports the Gateway's root into its
// L2InteropRootStorage (0x…10008, by a 0x7d system tx the node puts first in a block), and
// `executeBundle` on 271's InteropHandler (0x…1000c) runs it once: native value to a receiver,
// then a remote call with a payload, then an ERC-20 deposited from L1 to 270 with zksync-ethers
// and sent on to 271 through the asset router, then an ERC-20 deployed on 270 (registered with
// 270's vault and locked there, created and minted on 271); a second execution and a wrong
// destination are refused. The node runs with `--interop-fee`: every bundle pays the operator's fee per call,
// quoted from `interopProtocolFee()` as zksync-js quotes it, on top of its values (short of it:
// `MsgValueMismatch`), and the coinbase claims what accumulated; a bundle with `useFixedFee(true)`
// pays 10 ZK per call instead, in the ZK token the L1 holds, deposited with zksync-ethers.
// zkos-dev only (anvil has no L2).
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { AbiCoder, Contract, ContractFactory, Interface, JsonRpcProvider, Wallet, getBytes, hexlify, concat, keccak256, toBeHex } from "ethers";
import { Provider as ZkProvider, Wallet as ZkWallet } from "zksync-ethers";
import { startNode, freePort, artifact, DEV_ACCOUNTS, NODE_KIND, RICH_ACCOUNT, until, configOutPath, readConfigOut } from "./harness.mjs";
import { GENESIS, L1_CHAIN_ID, L2_ASSET_ROUTER, compileToken } from "./sdk-common.mjs";

const skip = NODE_KIND !== "zkos-dev" && "interop needs zkos-dev";
const INTEROP_CENTER = "0x000000000000000000000000000000000001000b";
const INTEROP_HANDLER = "0x000000000000000000000000000000000001000c";
const ROOT_STORAGE = "0x0000000000000000000000000000000000010008";
const GATEWAY_CHAIN_ID = 506n;
/** What the operator charges per interop call (`--interop-fee`). */
const INTEROP_FEE = 10n ** 15n;

const center = new Interface([
  "function sendBundle(bytes destinationChainId, tuple(bytes to, bytes data, bytes[] callAttributes)[] callStarters, bytes[] bundleAttributes) payable returns (bytes32)",
  "function interopProtocolFee() view returns (uint256)",
  "function accumulatedProtocolFees(address coinbase) view returns (uint256)",
  "function claimProtocolFees(address receiver)",
  "function ZK_INTEROP_FEE() view returns (uint256)",
  "function ZK_TOKEN_ASSET_ID() view returns (bytes32)",
  "function getZKTokenAddress() view returns (address)",
  "function accumulatedZKFees(address coinbase) view returns (uint256)",
  "function interopCallValue(uint256 value)",
  "function useFixedFee(bool useFixed)",
  "event L1MessageSent(address indexed sender, bytes32 indexed hash, bytes message)",
  "event ProtocolFeesAccumulated(address indexed coinbase, uint256 amount)",
  "event FixedZKFeesAccumulated(address indexed payer, address indexed coinbase, uint256 amount)",
  "error MsgValueMismatch(uint256 expected, uint256 actual)",
  "error ZKTokenNotAvailable()",
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
  const configOut = configOutPath("interop");
  node = await startNode({
    port,
    args: ["--chains", "270,271", "--chain-ports", `${port},${second}`, "--gateway", "--gateway-port", `${gateway}`,
      "--interop-fee", `${INTEROP_FEE}`, "--config-out", configOut],
  });
  config = await readConfigOut(configOut);
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


async function deployReceiver() {
  const { abi, bytecode } = artifact("InteropReceiver");
  const receiver = await new ContractFactory(abi, bytecode, b.wallet).deploy();
  await receiver.waitForDeployment();
  return receiver;
}

/** A view of 270's InteropCenter. */
const centerView = async (name, args = []) =>
  center.decodeFunctionResult(name, await a.provider.call({ to: INTEROP_CENTER, data: center.encodeFunctionData(name, args) }))[0];

/** What a bundle of `calls` calls pays on top of their values: the fee per call, as quoted. */
const feeFor = async (calls) => (await centerView("interopProtocolFee")) * BigInt(calls);

/** Sends a one-call bundle from 270 to `destination`, paying the quoted fee (none with
 * `useFixedFee(true)` in `bundleAttributes`); its receipt and the bundle's bytes. */
async function sendBundle(destination, to, data, value, attributes = value > 0n ? [center.encodeFunctionData("interopCallValue", [value])] : [], bundleAttributes = []) {
  const fixed = bundleAttributes.includes(center.encodeFunctionData("useFixedFee", [true]));
  const tx = await a.wallet.sendTransaction({
    to: INTEROP_CENTER,
    data: center.encodeFunctionData("sendBundle", [chainOnly(destination), [[onAnyChain(to), data, attributes]], bundleAttributes]),
    value: value + (fixed ? 0n : await feeFor(1)),
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
  const gas = sent.receipt.gasUsed * sent.receipt.gasPrice;
  assert.equal(await a.provider.getBalance(a.wallet.address), before - value - INTEROP_FEE - gas, "paid on 270: value, interop fee and gas");

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

test("an ERC-20 deployed on 270 goes to 271 as zksync-js sends it: registered and locked in 270's vault, created and minted on 271", { skip }, async () => {
  const VAULT = "0x0000000000000000000000000000000000010004";
  const { abi, bytecode } = compileToken();
  const token = await new ContractFactory(abi, bytecode, a.wallet).deploy("Native Token", "NTK", 6, 10n ** 12n);
  await token.waitForDeployment();
  const native = await token.getAddress();
  const vault = (runner) => new Contract(VAULT, [
    "function ensureTokenIsRegistered(address) returns (bytes32)",
    "function tokenAddress(bytes32) view returns (address)",
    "function originChainId(bytes32) view returns (uint256)",
    "function calculateCreate2TokenAddress(uint256, address) view returns (address)",
  ], runner);
  // zksync-js: the asset id from a static call, then the registration tx, then the approval to the vault.
  const assetId = await vault(a.wallet).ensureTokenIsRegistered.staticCall(native);
  assert.equal(assetId, keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "address", "address"], [270n, VAULT, native])));
  assert.equal((await (await vault(a.wallet).ensureTokenIsRegistered(native)).wait()).status, 1, "ensureTokenIsRegistered");
  assert.equal(await vault(a.provider).originChainId(assetId), 270n);
  assert.equal((await (await token.approve(VAULT, 700n)).wait()).status, 1, "approve the vault");

  const receiver = "0x00000000000000000000000000000000000e2072";
  const transfer = AbiCoder.defaultAbiCoder().encode(["uint256", "address", "address"], [700n, receiver, native]);
  const data = concat(["0x01", AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes"], [assetId, transfer])]);
  const indirect = new Interface(["function indirectCall(uint256 indirectCallMessageValue)"]).encodeFunctionData("indirectCall", [0n]);
  const sent = await sendBundle(271n, L2_ASSET_ROUTER, data, 0n, [indirect]);
  assert.equal(await token.balanceOf(a.wallet.address), 10n ** 12n - 700n);
  assert.equal(await token.balanceOf(VAULT), 700n, "locked in 270's vault");

  const predicted = await vault(b.provider).calculateCreate2TokenAddress(270n, native);
  const proof = await proven(sent.receipt);
  const executed = await (await b.wallet.sendTransaction({ to: INTEROP_HANDLER, data: executeData(sent, proof) })).wait();
  assert.equal(executed.status, 1, "executeBundle");
  assert.equal(await vault(b.provider).tokenAddress(assetId), predicted, "created where the vault said");
  const bridged = new Contract(predicted, abi, b.provider);
  assert.equal(await bridged.balanceOf(receiver), 700n, "minted on 271");
  assert.deepEqual([await bridged.name(), await bridged.symbol(), await bridged.decimals()], ["Native Token", "NTK", 6n]);
});

test("a bundle for another chain is refused on 271", { skip }, async () => {
  const receiver = await deployReceiver();
  const sent = await sendBundle(272n, await receiver.getAddress(), "0x", 0n);
  const proof = await proven(sent.receipt);
  assert.equal(await refusal(executeData(sent, proof)), "WrongDestinationChainId");
  assert.equal(await receiver.calls(), 0n);
});

/** The InteropCenter's error in a failed call, or null when the call would succeed. */
async function centerRefusal(data, value) {
  try {
    await a.provider.call({ to: INTEROP_CENTER, data, value, from: a.wallet.address });
    return null;
  } catch (err) {
    return center.parseError(err.data ?? err.info?.error?.data);
  }
}

test("each call of a bundle pays the operator's fee as quoted, exactly; short of it the bundle is refused; the coinbase claims it", { skip }, async () => {
  assert.equal(await centerView("interopProtocolFee"), INTEROP_FEE, "the fee the node set with a system tx");
  const receiver = await deployReceiver();
  const to = await receiver.getAddress();
  const value = 10n ** 16n;
  const calls = [
    [onAnyChain(to), "0x", [center.encodeFunctionData("interopCallValue", [value])]],
    [onAnyChain(to), "0x1234", []],
  ];
  const data = center.encodeFunctionData("sendBundle", [chainOnly(271n), calls, []]);
  const due = value + (await feeFor(calls.length));
  assert.equal(due, value + 2n * INTEROP_FEE);
  for (const paid of [value, due - 1n]) {
    const refused = await centerRefusal(data, paid);
    assert.equal(refused?.name, "MsgValueMismatch", `paid ${paid}`);
    assert.deepEqual([...refused.args], [due, paid]);
  }

  const coinbase = await a.provider.send("eth_coinbase", []);
  assert.equal(coinbase.toLowerCase(), RICH_ACCOUNT.address.toLowerCase(), "the operator's fee account");
  const owed = await centerView("accumulatedProtocolFees", [coinbase]);
  const [sender, held] = [await a.provider.getBalance(a.wallet.address), await a.provider.getBalance(INTEROP_CENTER)];
  const receipt = await (await a.wallet.sendTransaction({ to: INTEROP_CENTER, data, value: due })).wait();
  assert.equal(receipt.status, 1, "sendBundle");
  assert.equal(await a.provider.getBalance(a.wallet.address), sender - due - receipt.gasUsed * receipt.gasPrice);
  assert.equal(await a.provider.getBalance(INTEROP_CENTER), held + 2n * INTEROP_FEE, "the fees stay in the InteropCenter");
  assert.equal(await centerView("accumulatedProtocolFees", [coinbase]), owed + 2n * INTEROP_FEE, "owed to the coinbase");
  const accumulated = receipt.logs.map((log) => center.parseLog(log)).find((log) => log?.name === "ProtocolFeesAccumulated");
  assert.equal(accumulated.args.coinbase.toLowerCase(), coinbase.toLowerCase());
  assert.equal(accumulated.args.amount, 2n * INTEROP_FEE);

  const collector = Wallet.createRandom().address;
  const operator = new Wallet(RICH_ACCOUNT.key, a.provider);
  const claim = center.encodeFunctionData("claimProtocolFees", [collector]);
  assert.equal((await (await operator.sendTransaction({ to: INTEROP_CENTER, data: claim })).wait()).status, 1, "claimProtocolFees");
  assert.equal(await a.provider.getBalance(collector), owed + 2n * INTEROP_FEE);
  assert.equal(await centerView("accumulatedProtocolFees", [coinbase]), 0n);
});

test("a bundle with useFixedFee(true) pays 10 ZK per call in the L1's ZK token bridged with zksync-ethers, and no base-token fee", { skip }, async () => {
  const l1 = new JsonRpcProvider(config.l1.rpc_url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const zk = new ZkProvider(a.provider._getConnection().url);
  try {
    const vault = new Contract(GENESIS.l1NativeTokenVault, ["function tokenAddress(bytes32) view returns (address)"], l1);
    const zkOnL1 = await vault.tokenAddress(await centerView("ZK_TOKEN_ASSET_ID"));
    const token = (address, runner) =>
      new Contract(address, [
        "function balanceOf(address) view returns (uint256)",
        "function approve(address, uint256) returns (bool)",
        "function symbol() view returns (string)",
      ], runner);
    assert.equal(await token(zkOnL1, l1).symbol(), "ZK");
    const receiver = await deployReceiver();
    const fixedFee = [center.encodeFunctionData("useFixedFee", [true])];
    if ((await centerView("getZKTokenAddress")) === "0x0000000000000000000000000000000000000000") {
      const data = center.encodeFunctionData("sendBundle", [chainOnly(271n), [[onAnyChain(await receiver.getAddress()), "0x", []]], fixedFee]);
      assert.equal((await centerRefusal(data, 0n))?.name, "ZKTokenNotAvailable", "not bridged to 270 yet");
    }
    const deposit = await new ZkWallet(DEV_ACCOUNTS[5].key, zk, l1).deposit({ token: zkOnL1, amount: 100n * 10n ** 18n, approveERC20: true });
    assert.equal((await deposit.wait()).status, 1, "the ZK deposit on 270");
    const zkOnA = await centerView("getZKTokenAddress");
    const perCall = await centerView("ZK_INTEROP_FEE");
    assert.equal(perCall, 10n * 10n ** 18n);
    await (await token(zkOnA, a.wallet).approve(INTEROP_CENTER, perCall)).wait();

    const coinbase = await a.provider.send("eth_coinbase", []);
    const [zkBefore, owed, baseOwed] = [
      await token(zkOnA, a.provider).balanceOf(a.wallet.address),
      await centerView("accumulatedZKFees", [coinbase]),
      await centerView("accumulatedProtocolFees", [coinbase]),
    ];
    const before = await a.provider.getBalance(a.wallet.address);
    const sent = await sendBundle(271n, await receiver.getAddress(), "0x", 5n, undefined, fixedFee);
    assert.equal(await a.provider.getBalance(a.wallet.address), before - 5n - sent.receipt.gasUsed * sent.receipt.gasPrice, "only the value in ETH");
    assert.equal(await token(zkOnA, a.provider).balanceOf(a.wallet.address), zkBefore - perCall, "10 ZK");
    assert.equal(await centerView("accumulatedZKFees", [coinbase]), owed + perCall);
    assert.equal(await centerView("accumulatedProtocolFees", [coinbase]), baseOwed, "no base-token fee");
    const paid = sent.receipt.logs.map((log) => center.parseLog(log)).find((log) => log?.name === "FixedZKFeesAccumulated");
    assert.equal(paid.args.amount, perCall);

    const proof = await proven(sent.receipt);
    const executed = await (await b.wallet.sendTransaction({ to: INTEROP_HANDLER, data: executeData(sent, proof) })).wait();
    assert.equal(executed.status, 1, "executeBundle");
    assert.equal(await b.provider.getBalance(await receiver.getAddress()), 5n);
  } finally {
    l1.destroy();
    zk.destroy();
  }
});
