// zkos-dev from viem: deploy + call on the L2, a deposit L1 -> L2, and a withdrawal L2 -> L1
// finalized on L1.
//
//   zkos-dev start                                    # in another terminal
//   cd examples/js && npm ci && node viem.mjs         # or: node viem.mjs <L2 URL> <L1 URL>
//
// The L2 is viem's `zksyncLocalNode` chain (id 270), whose formatters read the ZKsync receipt
// fields (`l2ToL1Logs`, `l1BatchNumber`), and `publicActionsL2()` adds the `zks_` methods. The L1
// is the embedded one (`foundry`, id 31337). The L1 contracts are found from the L2:
// `zks_getBridgehubContract`, and `zks_getBridgeContracts` -> `L1_NULLIFIER()`.
// Counter's ABI and bytecode come from tests/contracts/out/Counter.json.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  formatEther,
  http,
  parseAbi,
  parseEther,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry, zksyncLocalNode } from "viem/chains";
import { publicActionsL2 } from "viem/zksync";

const [l2Url = "http://127.0.0.1:3050", l1Url = "http://127.0.0.1:8545"] = process.argv.slice(2);
// Dev account #5 of `test test ... junk` (a public devnet key).
const account = privateKeyToAccount("0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba");
const counter = JSON.parse(readFileSync(new URL("../../tests/contracts/out/Counter.json", import.meta.url), "utf8"));

const l2Chain = defineChain({ ...zksyncLocalNode, rpcUrls: { default: { http: [l2Url] } } });
const l1Chain = defineChain({ ...foundry, rpcUrls: { default: { http: [l1Url] } } });
const l2 = createPublicClient({ chain: l2Chain, transport: http(l2Url), pollingInterval: 100 }).extend(publicActionsL2());
const l1 = createPublicClient({ chain: l1Chain, transport: http(l1Url), pollingInterval: 100 });
const l2Wallet = createWalletClient({ account, chain: l2Chain, transport: http(l2Url) });
const l1Wallet = createWalletClient({ account, chain: l1Chain, transport: http(l1Url) });

const bridgehubAbi = parseAbi([
  "struct L2TransactionRequestDirect { uint256 chainId; uint256 mintValue; address l2Contract; uint256 l2Value; bytes l2Calldata; uint256 l2GasLimit; uint256 l2GasPerPubdataByteLimit; bytes[] factoryDeps; address refundRecipient; }",
  "function requestL2TransactionDirect(L2TransactionRequestDirect request) payable returns (bytes32)",
  "function l2TransactionBaseCost(uint256 chainId, uint256 gasPrice, uint256 l2GasLimit, uint256 l2GasPerPubdataByteLimit) view returns (uint256)",
  "struct L2CanonicalTransaction { uint256 txType; uint256 from; uint256 to; uint256 gasLimit; uint256 gasPerPubdataByteLimit; uint256 maxFeePerGas; uint256 maxPriorityFeePerGas; uint256 paymaster; uint256 nonce; uint256 value; uint256[4] reserved; bytes data; bytes signature; uint256[] factoryDeps; bytes paymasterInput; bytes reservedDynamic; }",
  "event NewPriorityRequest(uint256 txId, bytes32 txHash, uint64 expirationTimestamp, L2CanonicalTransaction transaction, bytes[] factoryDeps)",
]);
const L2_BASE_TOKEN = "0x000000000000000000000000000000000000800a";
const baseTokenAbi = parseAbi(["function withdraw(address l1Receiver) payable"]);
const routerAbi = parseAbi(["function L1_NULLIFIER() view returns (address)"]);
const nullifierAbi = parseAbi([
  "struct FinalizeL1DepositParams { uint256 chainId; uint256 l2BatchNumber; uint256 l2MessageIndex; address l2Sender; uint16 l2TxNumberInBatch; bytes message; bytes32[] merkleProof; }",
  "function finalizeDeposit(FinalizeL1DepositParams params)",
]);

function check(ok, what) {
  if (!ok) throw new Error(`failed: ${what}`);
}

async function until(what, fn, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// 1. Deploy Counter on the L2, write, read back.
{
  const hash = await l2Wallet.deployContract({ abi: counter.abi, bytecode: counter.bytecode.object });
  const receipt = await l2.waitForTransactionReceipt({ hash });
  check(receipt.status === "success", "deploy");
  const address = receipt.contractAddress;
  console.log(`deployed Counter at ${address} in block ${receipt.blockNumber} (${receipt.gasUsed} gas)`);
  const set = await l2Wallet.writeContract({ address, abi: counter.abi, functionName: "setNumber", args: [41n] });
  await l2.waitForTransactionReceipt({ hash: set });
  const inc = await l2Wallet.writeContract({ address, abi: counter.abi, functionName: "increment" });
  const incReceipt = await l2.waitForTransactionReceipt({ hash: inc });
  const [event] = parseEventLogs({ abi: counter.abi, eventName: "Incremented", logs: incReceipt.logs });
  console.log(`increment(): event Incremented(by: ${event.args.by}, newValue: ${event.args.newValue})`);
  const number = await l2.readContract({ address, abi: counter.abi, functionName: "number" });
  console.log(`number() = ${number}`);
  check(number === 42n, "number() is 42");
}

// 2. Deposit 1 ETH: Bridgehub.requestL2TransactionDirect on L1 becomes a 0x7f tx on L2.
{
  const bridgehub = await l2.getBridgehubContractAddress();
  const chainId = BigInt(l2Chain.id);
  const gasLimit = 300_000n;
  const amount = parseEther("1");
  const baseCost = await l1.readContract({
    address: bridgehub,
    abi: bridgehubAbi,
    functionName: "l2TransactionBaseCost",
    args: [chainId, await l2.getGasPrice(), gasLimit, 800n],
  });
  const before = await l2.getBalance({ address: account.address });
  const hash = await l1Wallet.writeContract({
    address: bridgehub,
    abi: bridgehubAbi,
    functionName: "requestL2TransactionDirect",
    args: [{
      chainId, mintValue: baseCost + amount, l2Contract: account.address, l2Value: amount, l2Calldata: "0x",
      l2GasLimit: gasLimit, l2GasPerPubdataByteLimit: 800n, factoryDeps: [], refundRecipient: account.address,
    }],
    value: baseCost + amount,
  });
  const receipt = await l1.waitForTransactionReceipt({ hash });
  check(receipt.status === "success", "deposit on L1");
  const [request] = parseEventLogs({ abi: bridgehubAbi, eventName: "NewPriorityRequest", logs: receipt.logs });
  console.log(`L1 tx ${hash}: deposit of ${formatEther(amount)} ETH, L2 tx ${request.args.txHash}`);
  const l2Receipt = await l2.waitForTransactionReceipt({ hash: request.args.txHash, timeout: 60_000 });
  check(l2Receipt.status === "success", "deposit on L2");
  const after = await l2.getBalance({ address: account.address });
  console.log(`L2 block ${l2Receipt.blockNumber}, tx type ${l2Receipt.type}: L2 balance ${formatEther(before)} -> ${formatEther(after)} ETH`);
  check(after >= before + amount, "the L2 balance rose by the deposit");
}

// 3. Withdraw 0.5 ETH: withdraw(address) on 0x…800a, wait for finality, prove, finalize on L1.
{
  const receiver = "0x00000000000000000000000000000000000e1e00";
  const amount = parseEther("0.5");
  const hash = await l2Wallet.writeContract({
    address: L2_BASE_TOKEN, abi: baseTokenAbi, functionName: "withdraw", args: [receiver], value: amount,
  });
  const receipt = await l2.waitForTransactionReceipt({ hash });
  check(receipt.status === "success", "withdraw on L2");
  console.log(`L2 tx ${hash}: withdrawing ${formatEther(amount)} ETH to ${receiver} (block ${receipt.blockNumber}, ${receipt.l2ToL1Logs.length} L2->L1 log)`);
  await until(`block ${receipt.blockNumber} finalized`, async () =>
    (await l2.getBlock({ blockTag: "finalized" })).number >= receipt.blockNumber);
  console.log(`L2 block ${receipt.blockNumber} is finalized (its batch is executed on L1)`);
  const proof = await l2.getLogProof({ txHash: hash, index: 0 });
  console.log(`proof: batch ${proof.batchNumber}, leaf ${proof.id}, ${proof.proof.length} hashes`);
  const { sharedL1 } = await l2.getDefaultBridgeAddresses();
  const nullifier = await l1.readContract({ address: sharedL1, abi: routerAbi, functionName: "L1_NULLIFIER" });
  // The message the L2 base token sent: finalizeEthWithdrawal selector, receiver, amount.
  const message = `0x6c0960f9${receiver.slice(2)}${amount.toString(16).padStart(64, "0")}`;
  const before = await l1.getBalance({ address: receiver });
  const finalize = await l1Wallet.writeContract({
    address: nullifier,
    abi: nullifierAbi,
    functionName: "finalizeDeposit",
    args: [{
      chainId: BigInt(l2Chain.id), l2BatchNumber: BigInt(proof.batchNumber), l2MessageIndex: BigInt(proof.id),
      l2Sender: L2_BASE_TOKEN, l2TxNumberInBatch: Number(proof.txNumberInBatch), message, merkleProof: proof.proof,
    }],
  });
  check((await l1.waitForTransactionReceipt({ hash: finalize })).status === "success", "finalizeDeposit on L1");
  const after = await l1.getBalance({ address: receiver });
  console.log(`L1 tx ${finalize}: ${receiver} got ${formatEther(after - before)} ETH on L1`);
  check(after - before === amount, "the L1 balance rose by the withdrawal");
}
console.log("viem: deploy + call, deposit, withdrawal: ok");
