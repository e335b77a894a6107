// zkos-dev from ethers v6: deploy + call on the L2, a deposit L1 -> L2, and a withdrawal L2 -> L1
// finalized on L1.
//
//   zkos-dev start                                    # in another terminal
//   cd examples/js && npm ci && node ethers.mjs       # or: node ethers.mjs <L2 URL> <L1 URL>
//
// Plain ethers (no zksync-ethers): the `zks_` methods go through `provider.send`. The providers
// are made with `cacheTimeout: -1`, or ethers reuses a call's answer for 250 ms and a quick
// second send can pick a stale nonce. The L1 contracts are found from the L2:
// `zks_getBridgehubContract`, and `zks_getBridgeContracts` -> `L1_NULLIFIER()`.
// Counter's ABI and bytecode come from tests/contracts/out/Counter.json.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Contract, ContractFactory, JsonRpcProvider, Wallet, formatEther, parseEther } from "ethers";

const [l2Url = "http://127.0.0.1:3050", l1Url = "http://127.0.0.1:8545"] = process.argv.slice(2);
const options = { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 };
const l2 = new JsonRpcProvider(l2Url, undefined, options);
const l1 = new JsonRpcProvider(l1Url, undefined, options);
// Dev account #6 of `test test ... junk` (a public devnet key).
const key = "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e";
const l2Wallet = new Wallet(key, l2);
const l1Wallet = new Wallet(key, l1);
const counter = JSON.parse(readFileSync(new URL("../../tests/contracts/out/Counter.json", import.meta.url), "utf8"));

const bridgehubAbi = [
  "function requestL2TransactionDirect((uint256 chainId, uint256 mintValue, address l2Contract, uint256 l2Value, bytes l2Calldata, uint256 l2GasLimit, uint256 l2GasPerPubdataByteLimit, bytes[] factoryDeps, address refundRecipient) request) payable returns (bytes32)",
  "function l2TransactionBaseCost(uint256 chainId, uint256 gasPrice, uint256 l2GasLimit, uint256 l2GasPerPubdataByteLimit) view returns (uint256)",
  "event NewPriorityRequest(uint256 txId, bytes32 txHash, uint64 expirationTimestamp, (uint256 txType, uint256 from, uint256 to, uint256 gasLimit, uint256 gasPerPubdataByteLimit, uint256 maxFeePerGas, uint256 maxPriorityFeePerGas, uint256 paymaster, uint256 nonce, uint256 value, uint256[4] reserved, bytes data, bytes signature, uint256[] factoryDeps, bytes paymasterInput, bytes reservedDynamic) transaction, bytes[] factoryDeps)",
];
const L2_BASE_TOKEN = "0x000000000000000000000000000000000000800a";

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

const chainId = (await l2.getNetwork()).chainId;

// 1. Deploy Counter on the L2, write, read back.
{
  const factory = new ContractFactory(counter.abi, counter.bytecode.object, l2Wallet);
  const contract = await factory.deploy();
  const deployReceipt = await contract.deploymentTransaction().wait();
  console.log(`deployed Counter at ${await contract.getAddress()} in block ${deployReceipt.blockNumber} (${deployReceipt.gasUsed} gas)`);
  await (await contract.setNumber(41)).wait();
  const receipt = await (await contract.increment()).wait();
  const event = receipt.logs.map((log) => contract.interface.parseLog(log)).find((e) => e?.name === "Incremented");
  console.log(`increment(): event Incremented(by: ${event.args.by}, newValue: ${event.args.newValue})`);
  const number = await contract.number();
  console.log(`number() = ${number}`);
  check(number === 42n, "number() is 42");
}

// 2. Deposit 1 ETH: Bridgehub.requestL2TransactionDirect on L1 becomes a 0x7f tx on L2.
{
  const bridgehub = new Contract(await l2.send("zks_getBridgehubContract", []), bridgehubAbi, l1Wallet);
  const gasLimit = 300_000n;
  const amount = parseEther("1");
  const gasPrice = BigInt(await l2.send("eth_gasPrice", []));
  const baseCost = await bridgehub.l2TransactionBaseCost(chainId, gasPrice, gasLimit, 800n);
  const before = await l2.getBalance(l2Wallet.address);
  const tx = await bridgehub.requestL2TransactionDirect(
    {
      chainId, mintValue: baseCost + amount, l2Contract: l2Wallet.address, l2Value: amount, l2Calldata: "0x",
      l2GasLimit: gasLimit, l2GasPerPubdataByteLimit: 800n, factoryDeps: [], refundRecipient: l2Wallet.address,
    },
    { value: baseCost + amount },
  );
  const receipt = await tx.wait();
  check(receipt.status === 1, "deposit on L1");
  const request = receipt.logs.map((log) => bridgehub.interface.parseLog(log)).find((e) => e?.name === "NewPriorityRequest");
  const l2Hash = request.args.txHash;
  console.log(`L1 tx ${tx.hash}: deposit of ${formatEther(amount)} ETH, L2 tx ${l2Hash}`);
  // Poll for the receipt: `waitForTransaction` only looks again when a *later* block arrives, and
  // with instant mining no block follows the deposit's until someone sends another tx.
  const l2Receipt = await until("the deposit on L2", () => l2.getTransactionReceipt(l2Hash));
  check(l2Receipt.status === 1, "deposit on L2");
  const l2Tx = await l2.getTransaction(l2Hash);
  const after = await l2.getBalance(l2Wallet.address);
  console.log(`L2 block ${l2Receipt.blockNumber}, tx type ${l2Receipt.type} (${l2Tx.type}): L2 balance ${formatEther(before)} -> ${formatEther(after)} ETH`);
  check(after >= before + amount, "the L2 balance rose by the deposit");
}

// 3. Withdraw 0.5 ETH: withdraw(address) on 0x…800a, wait for finality, prove, finalize on L1.
{
  const receiver = "0x00000000000000000000000000000000000e1e01";
  const amount = parseEther("0.5");
  const baseToken = new Contract(L2_BASE_TOKEN, ["function withdraw(address l1Receiver) payable"], l2Wallet);
  const tx = await baseToken.withdraw(receiver, { value: amount });
  const receipt = await tx.wait();
  check(receipt.status === 1, "withdraw on L2");
  console.log(`L2 tx ${tx.hash}: withdrawing ${formatEther(amount)} ETH to ${receiver} (block ${receipt.blockNumber})`);
  await until(`block ${receipt.blockNumber} finalized`, async () =>
    (await l2.getBlock("finalized")).number >= receipt.blockNumber);
  console.log(`L2 block ${receipt.blockNumber} is finalized (its batch is executed on L1)`);
  const proof = await l2.send("zks_getL2ToL1LogProof", [tx.hash, 0]);
  console.log(`proof: batch ${proof.batchNumber}, leaf ${proof.id}, ${proof.proof.length} hashes`);
  const { l1SharedDefaultBridge } = await l2.send("zks_getBridgeContracts", []);
  const router = new Contract(l1SharedDefaultBridge, ["function L1_NULLIFIER() view returns (address)"], l1);
  const nullifier = new Contract(
    await router.L1_NULLIFIER(),
    ["function finalizeDeposit((uint256 chainId, uint256 l2BatchNumber, uint256 l2MessageIndex, address l2Sender, uint16 l2TxNumberInBatch, bytes message, bytes32[] merkleProof) params)"],
    l1Wallet,
  );
  // The message the L2 base token sent: finalizeEthWithdrawal selector, receiver, amount.
  const message = `0x6c0960f9${receiver.slice(2)}${amount.toString(16).padStart(64, "0")}`;
  const before = await l1.getBalance(receiver);
  const finalize = await nullifier.finalizeDeposit({
    chainId, l2BatchNumber: proof.batchNumber, l2MessageIndex: proof.id, l2Sender: L2_BASE_TOKEN,
    l2TxNumberInBatch: proof.txNumberInBatch, message, merkleProof: proof.proof,
  });
  check((await finalize.wait()).status === 1, "finalizeDeposit on L1");
  const after = await l1.getBalance(receiver);
  console.log(`L1 tx ${finalize.hash}: ${receiver} got ${formatEther(after - before)} ETH on L1`);
  check(after - before === amount, "the L1 balance rose by the withdrawal");
}
l1.destroy();
l2.destroy();
console.log("ethers: deploy + call, deposit, withdrawal: ok");
