// zkos-dev from viem's ZKsync actions (viem/zksync): an ETH deposit L1 -> L2, an ERC-20 round trip
// (deposit, withdrawal back to L1) and an ETH withdrawal, finalized on L1.
//
//   zkos-dev start                                    # in another terminal
//   cd examples/js && npm ci && node sdk-viem.mjs     # or: node sdk-viem.mjs <L2 URL> <L1 URL>
//
// The L2 client is viem's `zksyncLocalNode` chain (id 270) with `publicActionsL2()` and
// `walletActionsL2()` (withdraw); the L1 clients (`foundry`, id 31337) get `publicActionsL1()`
// (balances, isWithdrawalFinalized) and `walletActionsL1()` (deposit, finalizeWithdrawal). The
// actions find the bridge from the L2 (`zks_getBridgeContracts`, `zks_getBridgehubContract`).
// Token's ABI and bytecode come from tests/contracts/out/Token.json.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { createPublicClient, createWalletClient, defineChain, erc20Abi, formatEther, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry, zksyncLocalNode } from "viem/chains";
import {
  getL2HashFromPriorityOp,
  legacyEthAddress,
  publicActionsL1,
  publicActionsL2,
  walletActionsL1,
  walletActionsL2,
} from "viem/zksync";

const [l2Url = "http://127.0.0.1:3050", l1Url = "http://127.0.0.1:8545"] = process.argv.slice(2);
// Dev account #8 of `test test ... junk` (a public devnet key).
const account = privateKeyToAccount("0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97");
const token = JSON.parse(readFileSync(new URL("../../tests/contracts/out/Token.json", import.meta.url), "utf8"));

const l2Chain = defineChain({ ...zksyncLocalNode, rpcUrls: { default: { http: [l2Url] } } });
const l1Chain = defineChain({ ...foundry, rpcUrls: { default: { http: [l1Url] } } });
const l2 = createPublicClient({ chain: l2Chain, transport: http(l2Url), pollingInterval: 100 }).extend(publicActionsL2());
const l1 = createPublicClient({ chain: l1Chain, transport: http(l1Url), pollingInterval: 100 }).extend(publicActionsL1());
const l2Wallet = createWalletClient({ account, chain: l2Chain, transport: http(l2Url) }).extend(walletActionsL2());
const l1Wallet = createWalletClient({ account, chain: l1Chain, transport: http(l1Url) }).extend(walletActionsL1());

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

/** Waits for an L1 deposit tx, then for the L2 priority tx it created; returns the L2 receipt. */
async function l2ReceiptOf(l1Hash, what) {
  const receipt = await l1.waitForTransactionReceipt({ hash: l1Hash });
  check(receipt.status === "success", `${what} on L1`);
  const l2Hash = getL2HashFromPriorityOp(receipt, await l2.getMainContractAddress());
  const l2Receipt = await l2.waitForTransactionReceipt({ hash: l2Hash, timeout: 60_000 });
  check(l2Receipt.status === "success", `${what} on L2`);
  return l2Receipt;
}

const l2TokenBalance = (address) =>
  l2.readContract({ address, abi: erc20Abi, functionName: "balanceOf", args: [account.address] });

// 1. Deposit 1 ETH: deposit() sends Bridgehub.requestL2TransactionDirect and returns the L1 hash.
{
  const amount = parseEther("1");
  const before = await l2.getBalance({ address: account.address });
  // refundRecipient: viem leaves it 0x0 for ETH, and the unused L2 gas would go to that address.
  const hash = await l1Wallet.deposit({ client: l2, token: legacyEthAddress, amount, refundRecipient: account.address });
  const l2Receipt = await l2ReceiptOf(hash, "ETH deposit");
  const after = await l2.getBalance({ address: account.address });
  console.log(`ETH deposit: L1 tx ${hash}, L2 tx ${l2Receipt.transactionHash}: L2 balance ${formatEther(before)} -> ${formatEther(after)} ETH (+${formatEther(after - before)})`);
  check(after - before >= amount && after - before < amount + parseEther("0.01"), "the L2 balance rose by the deposit");
}

// 2. ERC-20: deploy Token on L1, deposit 100 with approval (two-bridges deposit via the asset router).
const supply = parseEther("1000");
const deposited = parseEther("100");
const deploy = await l1Wallet.deployContract({ abi: token.abi, bytecode: token.bytecode.object, args: [supply] });
const l1Token = (await l1.waitForTransactionReceipt({ hash: deploy })).contractAddress;
console.log(`deployed Token on L1 at ${l1Token} (supply ${formatEther(supply)})`);
const l1TokenBalance = () => l1.getL1TokenBalance({ account, token: l1Token });
let l2Token;
{
  const hash = await l1Wallet.deposit({ client: l2, token: l1Token, amount: deposited, approveToken: true });
  const l2Receipt = await l2ReceiptOf(hash, "ERC-20 deposit");
  l2Token = await l2.getL2TokenAddress({ token: l1Token });
  const l2Balance = await l2TokenBalance(l2Token);
  const l1Balance = await l1TokenBalance();
  console.log(`ERC-20 deposit: L1 tx ${hash}, L2 tx ${l2Receipt.transactionHash}: L2 token ${l2Token}, L2 balance ${formatEther(l2Balance)}, L1 balance ${formatEther(l1Balance)}`);
  check(l2Balance === deposited, "the L2 token balance is the deposit");
  check(l1Balance === supply - deposited, "the L1 token balance fell by the deposit");
}

// 3. Withdraw 40 of the token and 0.5 ETH, then wait until both blocks are finalized.
const tokenAmount = parseEther("40");
const ethAmount = parseEther("0.5");
const tokenWithdrawal = await l2Wallet.withdraw({ token: l2Token, amount: tokenAmount });
const ethWithdrawal = await l2Wallet.withdraw({ token: legacyEthAddress, amount: ethAmount });
for (const [what, hash] of [["ERC-20", tokenWithdrawal], ["ETH", ethWithdrawal]]) {
  const { blockNumber, status } = await l2.waitForTransactionReceipt({ hash });
  check(status === "success", `${what} withdrawal on L2`);
  await until(`block ${blockNumber} finalized`, async () =>
    (await l2.getBlock({ blockTag: "finalized" })).number >= blockNumber);
  const receipt = await l2.getTransactionReceipt({ hash }); // now with its batch number
  const finalized = await l1.isWithdrawalFinalized({ client: l2, hash });
  console.log(`${what} withdrawal: L2 tx ${hash} in block ${receipt.blockNumber} (batch ${receipt.l1BatchNumber}), finalized; isWithdrawalFinalized: ${finalized}`);
  check(finalized === false, `the ${what} withdrawal is not finalized on L1 yet`);
}
check((await l2TokenBalance(l2Token)) === deposited - tokenAmount, "the L2 token balance fell by the withdrawal");

// 4. Finalize both on L1 (L1Nullifier.finalizeDeposit with the log proof).
{
  const before = await l1TokenBalance();
  const hash = await l1Wallet.finalizeWithdrawal({ client: l2, hash: tokenWithdrawal });
  check((await l1.waitForTransactionReceipt({ hash })).status === "success", "ERC-20 finalizeWithdrawal on L1");
  const after = await l1TokenBalance();
  const finalized = await l1.isWithdrawalFinalized({ client: l2, hash: tokenWithdrawal });
  console.log(`ERC-20 finalized: L1 tx ${hash}: L1 token balance ${formatEther(before)} -> ${formatEther(after)} (+${formatEther(after - before)}), isWithdrawalFinalized: ${finalized}`);
  check(after - before === tokenAmount, "the L1 token balance rose by the withdrawal");
  check(finalized === true, "the ERC-20 withdrawal is finalized");
}
{
  const before = await l1.getL1Balance({ account });
  const hash = await l1Wallet.finalizeWithdrawal({ client: l2, hash: ethWithdrawal });
  const receipt = await l1.waitForTransactionReceipt({ hash });
  check(receipt.status === "success", "ETH finalizeWithdrawal on L1");
  const fee = receipt.gasUsed * receipt.effectiveGasPrice;
  const after = await l1.getL1Balance({ account });
  const finalized = await l1.isWithdrawalFinalized({ client: l2, hash: ethWithdrawal });
  console.log(`ETH finalized: L1 tx ${hash}: L1 balance +${formatEther(after - before)} ETH (+${formatEther(after - before + fee)} minus ${formatEther(fee)} gas), isWithdrawalFinalized: ${finalized}`);
  check(after - before + fee === ethAmount, "the L1 balance rose by the withdrawal");
  check(finalized === true, "the ETH withdrawal is finalized");
}
console.log("viem/zksync: ETH deposit, ERC-20 round trip, ETH withdrawal: ok");
