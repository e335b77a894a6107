// zkos-dev from zksync-ethers (the official ZKsync SDK for ethers v6): an ETH deposit L1 -> L2, an
// ERC-20 round trip (deposit, withdrawal back to L1) and an ETH withdrawal, finalized on L1.
//
//   zkos-dev start                                        # in another terminal
//   cd examples/js && npm ci && node sdk-zksync-ethers.mjs
//                                                         # or: node sdk-zksync-ethers.mjs <L2 URL> <L1 URL>
//
// The SDK finds the bridge itself (`zks_getBridgehubContract`, L2 asset router 0x…10003 ->
// `L1_ASSET_ROUTER()` -> `L1_NULLIFIER()`). Two overrides matter: L2 txs are sent with
// `{ type: 2 }`, because zksync-ethers signs EIP-712 (0x71) txs by default and ZKsync OS takes
// only Ethereum tx types; and L2 balances are read at "latest", because `Wallet.getBalance`
// defaults to the "committed" block tag, which zkos-dev does not take. The L1 provider is made
// with `cacheTimeout: -1`, or ethers reuses a call's answer for 250 ms and a balance read right
// after a tx can be stale (the zksync `Provider` does that itself for local URLs). Token's ABI
// and bytecode come from tests/contracts/out/Token.json.
import { readFileSync } from "node:fs";
import { ContractFactory, JsonRpcProvider, formatEther, parseEther } from "ethers";
import { Provider, Wallet, utils } from "zksync-ethers";

const [l2Url = "http://127.0.0.1:3050", l1Url = "http://127.0.0.1:8545"] = process.argv.slice(2);
const l2 = new Provider(l2Url);
l2.pollingInterval = 100;
const l1 = new JsonRpcProvider(l1Url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
// Dev account #7 of `test test ... junk` (a public devnet key).
const wallet = new Wallet("0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356", l2, l1);
const token = JSON.parse(readFileSync(new URL("../../tests/contracts/out/Token.json", import.meta.url), "utf8"));

function check(ok, what) {
  if (!ok) throw new Error(`failed: ${what}`);
}
const fee = (receipt) => receipt.gasUsed * receipt.gasPrice;

// 1. Deposit 1 ETH: Wallet.deposit sends Bridgehub.requestL2TransactionDirect; wait() returns the L2 receipt.
{
  const amount = parseEther("1");
  const before = await wallet.getBalance(undefined, "latest");
  const tx = await wallet.deposit({ token: utils.ETH_ADDRESS, amount });
  const l2Receipt = await tx.wait();
  check(l2Receipt.status === 1, "ETH deposit on L2");
  const after = await wallet.getBalance(undefined, "latest");
  console.log(`ETH deposit: L1 tx ${tx.hash}, L2 tx ${l2Receipt.hash}: L2 balance ${formatEther(before)} -> ${formatEther(after)} ETH (+${formatEther(after - before)})`);
  // The unused part of the L2 gas is refunded to the wallet on top of the amount.
  check(after - before >= amount && after - before < amount + parseEther("0.01"), "the L2 balance rose by the deposit");
}

// 2. ERC-20: deploy Token on L1, deposit 100 with approval (two-bridges deposit via the asset router).
const supply = parseEther("1000");
const deposited = parseEther("100");
const l1Token = await (await new ContractFactory(token.abi, token.bytecode.object, wallet.ethWallet()).deploy(supply)).waitForDeployment();
const l1TokenAddress = await l1Token.getAddress();
console.log(`deployed Token on L1 at ${l1TokenAddress} (supply ${formatEther(supply)})`);
let l2TokenAddress;
{
  const tx = await wallet.deposit({ token: l1TokenAddress, amount: deposited, approveERC20: true });
  const l2Receipt = await tx.wait();
  check(l2Receipt.status === 1, "ERC-20 deposit on L2");
  l2TokenAddress = await wallet.l2TokenAddress(l1TokenAddress);
  const l2Balance = await wallet.getBalance(l2TokenAddress, "latest");
  const l1Balance = await wallet.getBalanceL1(l1TokenAddress);
  console.log(`ERC-20 deposit: L1 tx ${tx.hash}, L2 tx ${l2Receipt.hash}: L2 token ${l2TokenAddress}, L2 balance ${formatEther(l2Balance)}, L1 balance ${formatEther(l1Balance)}`);
  check(l2TokenAddress !== utils.ETH_ADDRESS && l2Balance === deposited, "the L2 token balance is the deposit");
  check(l1Balance === supply - deposited, "the L1 token balance fell by the deposit");
}

// 3. Withdraw 40 of the token and 0.5 ETH (type-2 L2 txs), then wait until both blocks are finalized.
const tokenAmount = parseEther("40");
const ethAmount = parseEther("0.5");
const tokenWithdrawal = await wallet.withdraw({ token: l2TokenAddress, amount: tokenAmount, overrides: { type: 2 } });
const ethWithdrawal = await wallet.withdraw({ token: utils.ETH_ADDRESS, amount: ethAmount, overrides: { type: 2 } });
for (const [what, tx] of [["ERC-20", tokenWithdrawal], ["ETH", ethWithdrawal]]) {
  const receipt = await tx.waitFinalize();
  check(receipt.status === 1, `${what} withdrawal on L2`);
  const finalized = await wallet.isWithdrawalFinalized(tx.hash);
  console.log(`${what} withdrawal: L2 tx ${tx.hash} in block ${receipt.blockNumber} (batch ${receipt.l1BatchNumber}), finalized; isWithdrawalFinalized: ${finalized}`);
  check(finalized === false, `the ${what} withdrawal is not finalized on L1 yet`);
}
check((await wallet.getBalance(l2TokenAddress, "latest")) === deposited - tokenAmount, "the L2 token balance fell by the withdrawal");

// 4. Finalize both on L1 (L1Nullifier.finalizeDeposit with the log proof).
{
  const before = await wallet.getBalanceL1(l1TokenAddress);
  const receipt = await (await wallet.finalizeWithdrawal(tokenWithdrawal.hash)).wait();
  check(receipt.status === 1, "ERC-20 finalizeWithdrawal on L1");
  const after = await wallet.getBalanceL1(l1TokenAddress);
  const finalized = await wallet.isWithdrawalFinalized(tokenWithdrawal.hash);
  console.log(`ERC-20 finalized: L1 tx ${receipt.hash}: L1 token balance ${formatEther(before)} -> ${formatEther(after)} (+${formatEther(after - before)}), isWithdrawalFinalized: ${finalized}`);
  check(after - before === tokenAmount, "the L1 token balance rose by the withdrawal");
  check(finalized === true, "the ERC-20 withdrawal is finalized");
}
{
  const before = await wallet.getBalanceL1();
  const receipt = await (await wallet.finalizeWithdrawal(ethWithdrawal.hash)).wait();
  check(receipt.status === 1, "ETH finalizeWithdrawal on L1");
  const after = await wallet.getBalanceL1();
  const finalized = await wallet.isWithdrawalFinalized(ethWithdrawal.hash);
  console.log(`ETH finalized: L1 tx ${receipt.hash}: L1 balance +${formatEther(after - before)} ETH (+${formatEther(after - before + fee(receipt))} minus ${formatEther(fee(receipt))} gas), isWithdrawalFinalized: ${finalized}`);
  check(after - before + fee(receipt) === ethAmount, "the L1 balance rose by the withdrawal");
  check(finalized === true, "the ETH withdrawal is finalized");
}
l1.destroy();
l2.destroy();
console.log("zksync-ethers: ETH deposit, ERC-20 round trip, ETH withdrawal: ok");
