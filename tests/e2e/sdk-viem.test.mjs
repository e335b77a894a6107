// viem's ZKsync extensions (viem/zksync) against zkos-dev's L2 and its embedded L1:
// publicActionsL1 / walletActionsL1 on an L1 client, publicActionsL2 / walletActionsL2 on an L2
// client (chain zksyncLocalNode pointed at the node): bridge discovery, token address mapping,
// ETH and ERC-20 deposits (getL2HashFromPriorityOp + waitForTransactionReceipt on L2),
// withdrawals (isWithdrawalFinalized false -> finalizeWithdrawal -> true), requestExecute to an
// L2 contract, and a withdrawal in the second block of a multi-block batch.
// zkos-dev only (anvil has no L1 / bridge).
//
// The node runs with --batch-timeout 1000 so that txs sent back to back share a batch.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  parseEther,
  parseAbi,
  encodeFunctionData,
  decodeErrorResult,
  getAddress,
  zeroAddress,
  BaseError,
} from "viem";
import { privateKeyToAccount, generatePrivateKey } from "viem/accounts";
import { foundry } from "viem/chains";
import {
  zksyncLocalNode,
  publicActionsL1,
  walletActionsL1,
  publicActionsL2,
  walletActionsL2,
  getL2HashFromPriorityOp,
  legacyEthAddress,
  l2BaseTokenAddress,
} from "viem/zksync";
import { startNode, artifact, DEV_ACCOUNTS, NODE_KIND, CHAIN_ID, until, configOutPath, readConfigOut } from "./harness.mjs";
import {
  L1_CHAIN_ID, BATCH_TIMEOUT_MS, L2_ASSET_ROUTER, L1_MESSENGER, BOOTLOADER, GENESIS, ERC20_VIEWS, compileToken,
} from "./sdk-common.mjs";

const skip = NODE_KIND !== "zkos-dev" && "the bridge needs zkos-dev's L1 and L2";

const ERC20_ABI = parseAbi(ERC20_VIEWS);
const BRIDGE_ERRORS = parseAbi(["error WithdrawalAlreadyFinalized()", "error InvalidProof()"]);
const counterArt = artifact("Counter");

let node, tokenArt, account;
let l1Public, l1Wallet, l2Public, l2Wallet;
let l1Token, l2Token;

before(async () => {
  if (skip) return;
  tokenArt = compileToken();
  const configOut = configOutPath("sdk-viem");
  node = await startNode({ args: ["--config-out", configOut, "--batch-timeout", String(BATCH_TIMEOUT_MS), "--no-metrics"] });
  const l1Url = (await readConfigOut(configOut)).l1?.rpc_url;
  assert.ok(l1Url, "no l1.rpc_url in --config-out");

  assert.equal(foundry.id, L1_CHAIN_ID);
  assert.equal(zksyncLocalNode.id, CHAIN_ID);
  const l1Chain = defineChain({ ...foundry, rpcUrls: { default: { http: [l1Url] } } });
  const l2Chain = defineChain({ ...zksyncLocalNode, rpcUrls: { default: { http: [node.url] } } });
  // DEV_ACCOUNTS[9] is the L1 operator (it commits the batches): keep it out of the way.
  account = privateKeyToAccount(DEV_ACCOUNTS[3].key);
  l1Public = createPublicClient({ chain: l1Chain, transport: http(l1Url), pollingInterval: 100 }).extend(publicActionsL1());
  l1Wallet = createWalletClient({ account, chain: l1Chain, transport: http(l1Url) }).extend(publicActionsL1()).extend(walletActionsL1());
  l2Public = createPublicClient({ chain: l2Chain, transport: http(node.url), pollingInterval: 100 }).extend(publicActionsL2());
  l2Wallet = createWalletClient({ account, chain: l2Chain, transport: http(node.url) }).extend(walletActionsL2());
});

after(async () => {
  await node?.stop();
});

// --- helpers ----------------------------------------------------------------------------------

const l1Wait = (hash) => l1Public.waitForTransactionReceipt({ hash, timeout: 60_000 });
const l2Wait = (hash) => l2Public.waitForTransactionReceipt({ hash, timeout: 60_000 });
const l1Fee = (rcpt) => rcpt.gasUsed * rcpt.effectiveGasPrice;
const l2Fee = (rcpt) => rcpt.gasUsed * rcpt.effectiveGasPrice;
const l1Balance = (token, owner) => l1Public.readContract({ address: token, abi: ERC20_ABI, functionName: "balanceOf", args: [owner] });
const l2Read = (token, functionName, args = []) => l2Public.readContract({ address: token, abi: ERC20_ABI, functionName, args });

/** The L2 receipt of the priority op an L1 tx created (via the NewPriorityRequest log). */
async function l2ReceiptOfL1Tx(l1Receipt) {
  const l2Hash = getL2HashFromPriorityOp(l1Receipt, await l2Public.getMainContractAddress());
  return l2Wait(l2Hash);
}

/** Waits until an L2 block is in an executed batch ("finalized"), so its logs can be proven. */
async function untilFinalized(blockNumber) {
  await until(`block ${blockNumber} finalized`, async () => (await l2Public.getBlock({ blockTag: "finalized" })).number >= blockNumber);
}

/** The custom error a viem call / write reverted with, decoded with the bridge's errors. */
function bridgeError(err) {
  assert.ok(err instanceof BaseError, `not a viem error: ${err}`);
  const data = err.walk((e) => typeof e.data === "string" && e.data.startsWith("0x"))?.data;
  assert.ok(data, `no revert data in:\n${err.message}`);
  return decodeErrorResult({ abi: BRIDGE_ERRORS, data }).errorName;
}

// --- tests ------------------------------------------------------------------------------------

test("viem/zksync: bridge addresses, bridgehub, main contract, L1 chain id, base token", { skip }, async () => {
  const bridges = await l2Public.getDefaultBridgeAddresses();
  assert.equal(getAddress(bridges.sharedL1), getAddress(GENESIS.l1AssetRouter));
  assert.equal(getAddress(bridges.sharedL2), getAddress(L2_ASSET_ROUTER));
  assert.equal(getAddress(bridges.erc20L1), getAddress(GENESIS.l1AssetRouter));
  assert.equal(getAddress(bridges.l1Nullifier), getAddress(GENESIS.l1Nullifier));
  assert.equal(getAddress(bridges.l1NativeTokenVault), getAddress(GENESIS.l1NativeTokenVault));
  assert.equal(getAddress(await l2Public.getBridgehubContractAddress()), getAddress(GENESIS.bridgehub));
  assert.equal(getAddress(await l2Public.getMainContractAddress()), getAddress(GENESIS.zkChain));
  assert.equal(BigInt(await l2Public.getL1ChainId()), BigInt(L1_CHAIN_ID));
  assert.equal(getAddress(await l2Public.getBaseTokenL1Address()), getAddress("0x0000000000000000000000000000000000000001"));
  assert.equal(getAddress(await l2Public.getL2TokenAddress({ token: legacyEthAddress })), getAddress(l2BaseTokenAddress));
  assert.equal(await l2Public.getL1TokenAddress({ token: legacyEthAddress }), legacyEthAddress);
});

test("viem/zksync: deposit ETH to a fresh address: L2 receipt via getL2HashFromPriorityOp, exact balances", { skip }, async () => {
  const receiver = privateKeyToAccount(generatePrivateKey()).address;
  const amount = parseEther("1.25");
  const l1Before = await l1Public.getBalance({ address: account.address });
  const l2SelfBefore = await l2Public.getBalance({ address: account.address });
  const hash = await l1Wallet.deposit({ client: l2Public, token: legacyEthAddress, amount, to: receiver });
  const l1Receipt = await l1Wait(hash);
  assert.equal(l1Receipt.status, "success");
  const l1Tx = await l1Public.getTransaction({ hash });
  const mintValue = l1Tx.value;
  assert.ok(mintValue > amount);
  assert.equal(await l1Public.getBalance({ address: account.address }), l1Before - mintValue - l1Fee(l1Receipt));

  const l2Receipt = await l2ReceiptOfL1Tx(l1Receipt);
  assert.equal(l2Receipt.status, "success");
  const l2Tx = await l2Public.getTransaction({ hash: l2Receipt.transactionHash });
  // ZKsync OS's L1->L2 tx type; viem's zksync formatter only names Era's 0xff ("priority")
  assert.equal(l2Tx.typeHex, "0x7f");
  assert.equal(getAddress(l2Tx.to), receiver);
  assert.equal(l2Tx.value, amount);
  const service = l2Receipt.l2ToL1Logs.find((l) => l.sender.toLowerCase() === BOOTLOADER);
  assert.equal(service.key, l2Receipt.transactionHash);
  assert.equal(BigInt(service.value), 1n);
  assert.equal(await l2Public.getBalance({ address: receiver }), amount);
  // viem's default refundRecipient is 0x0: the Mailbox refunds the sender (an EOA, not aliased).
  assert.equal(await l2Public.getBalance({ address: account.address }), l2SelfBefore + mintValue - amount - l2Fee(l2Receipt));
});

test("viem/zksync: ERC-20 on L1; getL2TokenAddress before its first deposit", { skip }, async () => {
  const supply = 5_000_000n * 10n ** 8n;
  const hash = await l1Wallet.deployContract({ abi: tokenArt.abi, bytecode: tokenArt.bytecode, args: ["Viem Token", "VIEMT", 8, supply] });
  const rcpt = await l1Wait(hash);
  assert.equal(rcpt.status, "success");
  l1Token = rcpt.contractAddress;
  assert.equal(await l1Balance(l1Token, account.address), supply);
  const predicted = await l2Public.getL2TokenAddress({ token: l1Token });
  assert.notEqual(predicted, zeroAddress);
  assert.equal(await l2Public.getCode({ address: predicted }), undefined, "not deployed before the first deposit");
});

test("viem/zksync: deposit ERC-20 (approveToken): vault holds it, bridged token minted with metadata", { skip }, async () => {
  assert.ok(l1Token, "needs the L1 token deployed above");
  const amount = 300n * 10n ** 8n;
  const walletBefore = await l1Balance(l1Token, account.address);
  const vaultBefore = await l1Balance(l1Token, GENESIS.l1NativeTokenVault);
  const predicted = await l2Public.getL2TokenAddress({ token: l1Token });
  const hash = await l1Wallet.deposit({ client: l2Public, token: l1Token, amount, approveToken: true });
  const l1Receipt = await l1Wait(hash);
  assert.equal(l1Receipt.status, "success");
  assert.equal(await l1Balance(l1Token, account.address), walletBefore - amount);
  assert.equal(await l1Balance(l1Token, GENESIS.l1NativeTokenVault), vaultBefore + amount);
  assert.equal(await l1Wallet.getL1Allowance({ token: l1Token, bridgeAddress: GENESIS.l1AssetRouter }), 0n);

  const l2Receipt = await l2ReceiptOfL1Tx(l1Receipt);
  assert.equal(l2Receipt.status, "success");
  const l2Tx = await l2Public.getTransaction({ hash: l2Receipt.transactionHash });
  assert.equal(l2Tx.typeHex, "0x7f");
  assert.equal(getAddress(l2Tx.to), getAddress(L2_ASSET_ROUTER));

  l2Token = await l2Public.getL2TokenAddress({ token: l1Token });
  assert.equal(l2Token, predicted);
  assert.equal(getAddress(await l2Public.getL1TokenAddress({ token: l2Token })), getAddress(l1Token));
  assert.equal(await l2Read(l2Token, "balanceOf", [account.address]), amount);
  assert.equal(await l2Read(l2Token, "totalSupply"), amount);
  assert.equal(await l2Read(l2Token, "name"), "Viem Token");
  assert.equal(await l2Read(l2Token, "symbol"), "VIEMT");
  assert.equal(await l2Read(l2Token, "decimals"), 8);
});

test("viem/zksync: withdraw ETH, isWithdrawalFinalized false -> finalizeWithdrawal -> true, exact L1 delta", { skip }, async () => {
  const amount = parseEther("0.4");
  const l2Before = await l2Public.getBalance({ address: account.address });
  const hash = await l2Wallet.withdraw({ token: legacyEthAddress, amount });
  const rcpt = await l2Wait(hash);
  assert.equal(rcpt.status, "success");
  assert.equal(await l2Public.getBalance({ address: account.address }), l2Before - amount - l2Fee(rcpt));
  assert.ok(rcpt.logs.some((l) => l.address.toLowerCase() === L1_MESSENGER), "an L1MessageSent log");
  await untilFinalized(rcpt.blockNumber);

  assert.equal(await l1Public.isWithdrawalFinalized({ client: l2Public, hash }), false);
  const l1Before = await l1Public.getBalance({ address: account.address });
  const fin = await l1Wait(await l1Wallet.finalizeWithdrawal({ client: l2Public, hash }));
  assert.equal(fin.status, "success");
  assert.equal(getAddress(fin.to), getAddress(GENESIS.l1Nullifier));
  assert.equal(await l1Public.getBalance({ address: account.address }), l1Before + amount - l1Fee(fin));
  assert.equal(await l1Public.isWithdrawalFinalized({ client: l2Public, hash }), true);

  const again = await l1Wallet.finalizeWithdrawal({ client: l2Public, hash }).then(
    () => null,
    (e) => e,
  );
  assert.ok(again, "a second finalizeWithdrawal must be refused");
  assert.equal(bridgeError(again), "WithdrawalAlreadyFinalized");
});

test("viem/zksync: withdraw the bridged ERC-20, finalizeWithdrawal releases it on L1", { skip }, async () => {
  assert.ok(l2Token, "needs the bridged token of the ERC-20 deposit test above");
  const amount = 120n * 10n ** 8n;
  const l2Before = await l2Read(l2Token, "balanceOf", [account.address]);
  const hash = await l2Wallet.withdraw({ token: l2Token, amount });
  const rcpt = await l2Wait(hash);
  assert.equal(rcpt.status, "success");
  assert.equal(getAddress(rcpt.to), getAddress(L2_ASSET_ROUTER));
  assert.equal(await l2Read(l2Token, "balanceOf", [account.address]), l2Before - amount);
  await untilFinalized(rcpt.blockNumber);

  assert.equal(await l1Public.isWithdrawalFinalized({ client: l2Public, hash }), false);
  const walletBefore = await l1Balance(l1Token, account.address);
  const vaultBefore = await l1Balance(l1Token, GENESIS.l1NativeTokenVault);
  const fin = await l1Wait(await l1Wallet.finalizeWithdrawal({ client: l2Public, hash }));
  assert.equal(fin.status, "success");
  assert.equal(await l1Balance(l1Token, account.address), walletBefore + amount);
  assert.equal(await l1Balance(l1Token, GENESIS.l1NativeTokenVault), vaultBefore - amount);
  assert.equal(await l1Public.isWithdrawalFinalized({ client: l2Public, hash }), true);
});

test("viem/zksync: requestExecute calls an L2 contract from L1 (Counter.setNumber)", { skip }, async () => {
  const deploy = await l2Wait(await l2Wallet.deployContract({ abi: counterArt.abi, bytecode: counterArt.bytecode }));
  assert.equal(deploy.status, "success");
  const counter = deploy.contractAddress;
  const hash = await l1Wallet.requestExecute({
    client: l2Public,
    contractAddress: counter,
    calldata: encodeFunctionData({ abi: counterArt.abi, functionName: "setNumber", args: [4242n] }),
    l2Value: 0n,
  });
  const l1Receipt = await l1Wait(hash);
  assert.equal(l1Receipt.status, "success");
  const l2Receipt = await l2ReceiptOfL1Tx(l1Receipt);
  assert.equal(l2Receipt.status, "success");
  assert.equal(getAddress(l2Receipt.to), getAddress(counter));
  assert.equal(await l2Public.readContract({ address: counter, abi: counterArt.abi, functionName: "number" }), 4242n);
  // the L1 sender is an EOA (tx.origin): msg.sender on L2 is the same address, not aliased
  const [ev] = await l2Public.getContractEvents({ address: counter, abi: counterArt.abi, eventName: "Incremented", fromBlock: l2Receipt.blockNumber, toBlock: l2Receipt.blockNumber });
  assert.equal(getAddress(ev.args.by), account.address);
  assert.equal(ev.args.newValue, 4242n);
});

test("viem/zksync: a withdrawal in the second block of a multi-block batch finalizes", { skip }, async () => {
  const amount = parseEther("0.15");
  // Start from a clean batch boundary: every block so far is in a sealed batch.
  const head = await l2Public.getBlockNumber();
  await until("the head's batch sealed", async () => (await l2Public.getBlock({ blockNumber: head })).l1BatchNumber != null);
  // Block 1 of the next batch: a plain transfer from another account; block 2: the withdrawal.
  const other = privateKeyToAccount(DEV_ACCOUNTS[4].key);
  const otherWallet = createWalletClient({ account: other, chain: l2Wallet.chain, transport: http(node.url) });
  const filler = await otherWallet.sendTransaction({ to: other.address, value: 1n });
  const hash = await l2Wallet.withdraw({ token: legacyEthAddress, amount });
  const first = await l2Wait(filler);
  const rcpt = await l2Wait(hash);
  assert.equal(first.status, "success");
  assert.equal(rcpt.status, "success");
  assert.equal(rcpt.blockNumber, first.blockNumber + 1n, "one block per tx");
  await untilFinalized(rcpt.blockNumber);
  const sealedFirst = await l2Public.getTransactionReceipt({ hash: filler });
  const sealed = await l2Public.getTransactionReceipt({ hash });
  assert.equal(sealed.l1BatchNumber, sealedFirst.l1BatchNumber, "both txs are in the same batch");
  const range = await l2Public.getL1BatchBlockRange({ l1BatchNumber: Number(sealed.l1BatchNumber) });
  assert.equal(BigInt(range[0]), first.blockNumber, "the transfer opens the batch");
  assert.equal(sealed.blockNumber, BigInt(range[0]) + 1n, "the withdrawal is in the batch's second block");

  assert.equal(await l1Public.isWithdrawalFinalized({ client: l2Public, hash }), false);
  const l1Before = await l1Public.getBalance({ address: account.address });
  const fin = await l1Wait(await l1Wallet.finalizeWithdrawal({ client: l2Public, hash }));
  assert.equal(fin.status, "success");
  assert.equal(await l1Public.getBalance({ address: account.address }), l1Before + amount - l1Fee(fin));
  assert.equal(await l1Public.isWithdrawalFinalized({ client: l2Public, hash }), true);
});
