// EIP-712 (0x71) txs from zksync-ethers 6.21.1 against zkos-dev, which takes them with --eip712
// as zksync-os-server's optional eip712-tx decoder does (its PR #439 at 803cca28; docs/chain-rules.md):
// - without --eip712 every 0x71 tx is refused, naming the flag;
// - with it, what zksync-ethers' Wallet sends (its signature in customSignature, the chain id in
//   v) does not decode, as on the server;
// - the same EIP-712 signature put in v, r, s (serializeEip712(tx, signature)) decodes but
//   recovers another address, one without funds: the pool refuses it, as the server's does;
// - a signature over the server's own digest of the struct (each field at its width, not padded
//   to 32 bytes) goes through: the tx runs as a call from the signer and is answered as 0x71.
// zkos-dev only.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { ethers } from "ethers";
import { Provider, Wallet, EIP712Signer, utils } from "zksync-ethers";
import { startNode, rpcRaw, DEV_ACCOUNTS, NODE_KIND, CHAIN_ID } from "./harness.mjs";

const skip = NODE_KIND !== "zkos-dev" && "0x71 txs are zkos-dev's (anvil has none)";
let plain, node, provider;

before(async () => {
  if (skip) return;
  [plain, node] = await Promise.all([startNode(), startNode({ args: ["--eip712"] })]);
  provider = new Provider(node.url, undefined, { cacheTimeout: -1 });
});

after(async () => {
  provider?.destroy();
  await Promise.all([plain?.stop(), node?.stop()]);
});

const GAS_PER_PUBDATA = 50_000n;

/** A 0x71 transfer from dev account `i`, every field filled (no estimate, no zks_ calls). */
async function transfer(wallet, to, value) {
  return wallet.populateTransaction({
    type: utils.EIP712_TX_TYPE,
    to,
    value,
    gasLimit: 21_000n,
    maxFeePerGas: 2_000n,
    maxPriorityFeePerGas: 0n,
    customData: { gasPerPubdata: GAS_PER_PUBDATA },
  });
}

/** eth_sendRawTransaction's answer: `{result}` or `{error}`. */
const sendRaw = (url, raw) => rpcRaw(url, "eth_sendRawTransaction", [raw]);

const be = (value, bytes) => ethers.toBeHex(value, bytes);

/** zksync-os-server's `signature_hash` (lib/types/src/transaction/eip712.rs): EIP-712's layout,
 * but the struct's fields hashed at their own widths, the paymaster zero. */
function serverDigest(tx) {
  const maxFee = BigInt(tx.maxFeePerGas);
  // What serializeEip712 writes for a zero tip.
  const tip = BigInt(tx.maxPriorityFeePerGas || tx.maxFeePerGas);
  const typeHash = ethers.id(
    "Transaction(uint256 txType,uint256 from,uint256 to,uint256 gasLimit,uint256 gasPerPubdataByteLimit," +
      "uint256 maxFeePerGas,uint256 maxPriorityFeePerGas,uint256 paymaster,uint256 nonce,uint256 value," +
      "bytes data,bytes32[] factoryDeps,bytes paymasterInput)",
  );
  const struct = ethers.keccak256(
    ethers.concat([
      typeHash,
      "0x71",
      tx.from,
      tx.to,
      be(tx.gasLimit, 8),
      be(tx.customData.gasPerPubdata, 8),
      be(maxFee, 16),
      be(tip, 16),
      ethers.ZeroAddress,
      be(tx.nonce, 8),
      be(tx.value, 32),
      ethers.keccak256(tx.data ?? "0x"),
      ethers.keccak256("0x"),
      ethers.keccak256("0x"),
    ]),
  );
  const domain = ethers.keccak256(
    ethers.concat([ethers.id("EIP712Domain(string name,string version,uint256 chainId)"), ethers.id("zkSync"), ethers.id("2"), be(tx.chainId, 32)]),
  );
  return ethers.keccak256(ethers.concat(["0x1901", domain, struct]));
}

async function receipt(url, hash) {
  for (let i = 0; i < 200; i++) {
    const r = await rpcRaw(url, "eth_getTransactionReceipt", [hash]);
    if (r.result) return r.result;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`no receipt for ${hash}`);
}

test("without --eip712 a zksync-ethers 0x71 tx is refused, naming the type and the flag", { skip }, async () => {
  const wallet = new Wallet(DEV_ACCOUNTS[1].key, new Provider(plain.url, undefined, { cacheTimeout: -1 }));
  const raw = await wallet.signTransaction(await transfer(wallet, DEV_ACCOUNTS[2].address, 1n));
  const { error } = await sendRaw(plain.url, raw);
  assert.equal(error?.code, -32602, JSON.stringify(error));
  assert.match(error.message, /^failed to decode transaction: EIP-712 \(type 0x71\)/);
  assert.match(error.message, /--eip712/);
  wallet.provider.destroy();
});

test("with --eip712 zksync-ethers' 0x71 txs get the server's refusals; one signed over its digest runs", { skip }, async () => {
  const wallet = new Wallet(DEV_ACCOUNTS[3].key, provider);
  const to = DEV_ACCOUNTS[4].address;
  const tx = await transfer(wallet, to, 1234n);
  const nonce = await provider.getTransactionCount(wallet.address);

  // What the Wallet sends: chain id, 0x, 0x for v, r, s; the signature in customSignature.
  const sent = await sendRaw(node.url, await wallet.signTransaction(tx));
  assert.equal(sent.error?.code, -32602, JSON.stringify(sent));
  assert.match(sent.error.message, /^failed to decode transaction: EIP-712 \(type 0x71\) transaction does not decode/);
  assert.match(sent.error.message, /customSignature/);

  // The same EIP-712 signature in v, r, s: another address is recovered, without funds.
  const unsigned = { ...tx, customData: { gasPerPubdata: GAS_PER_PUBDATA, factoryDeps: [] } };
  const standard = ethers.Signature.from(await wallet.eip712.sign(unsigned));
  assert.equal(ethers.recoverAddress(EIP712Signer.getSignedDigest(unsigned), standard), wallet.address);
  const moved = await sendRaw(node.url, utils.serializeEip712(unsigned, standard));
  assert.equal(moved.error?.code, -32003, JSON.stringify(moved));
  assert.match(moved.error.message, /^insufficient funds for gas \* price \+ value: have 0 want /);
  assert.equal(await provider.getTransactionCount(wallet.address), nonce);

  // Signed over the server's digest: it runs, from the signer, as a 0x71 tx.
  const digest = serverDigest(unsigned);
  assert.notEqual(digest, EIP712Signer.getSignedDigest(unsigned));
  const signature = new ethers.SigningKey(DEV_ACCOUNTS[3].key).sign(digest);
  const before = await provider.getBalance(to);
  const { result: hash, error } = await sendRaw(node.url, utils.serializeEip712(unsigned, signature));
  assert.equal(error, undefined, JSON.stringify(error));
  const r = await receipt(node.url, hash);
  assert.equal(r.status, "0x1");
  assert.equal(r.type, "0x71");
  assert.equal(r.from, wallet.address.toLowerCase());
  assert.equal((await provider.getBalance(to)) - before, 1234n);
  const { result: got } = await rpcRaw(node.url, "eth_getTransactionByHash", [hash]);
  assert.equal(got.type, "0x71");
  assert.equal(BigInt(got.gasPerPubdata), GAS_PER_PUBDATA);
  assert.equal(BigInt(got.chainId), BigInt(CHAIN_ID));
});
