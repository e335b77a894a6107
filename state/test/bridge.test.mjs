// The ZK Stack bridge model on a real anvil: ERC-20 (and ETH) deposits through
// Bridgehub.requestL2TransactionTwoBridges with the L1AssetRouter as second bridge, the tokens
// locked in the L1NativeTokenVault, withdrawals of the L2 asset router (0x…10003) finalized
// through the L1Nullifier, and failed deposits claimed back against their L2 failure log.
// The last test runs the real L2 contracts (L2AssetRouter, L2NativeTokenVault,
// BridgedStandardERC20) on a second anvil and closes the loop L1 -> L2 -> L1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { parseEther, ZeroAddress, ZeroHash, keccak256, Wallet, Contract, JsonRpcProvider, Network, toBeHex } from "ethers";
import { setup, expectRevert, deployTestToken, eventsOf, settleBatch } from "../lib/testkit.mjs";
import { startAnvil, ANVIL_KEYS } from "../lib/anvil.mjs";
import { artifact } from "../deploy.mjs";
import {
  abi, genesisStoredBatchInfo, messageLog, withdrawalMessage, l1TxStatusLog, ntvAssetId, encodeBridgeBurnData,
  encodeBridgeMintData, encodeTokenData, txDataHash, twoBridgesLegacyCalldata, twoBridgesAssetCalldata,
  legacyDepositCalldata, assetRouterWithdrawalMessage, applyL1ToL2Alias, TWO_BRIDGES_MAGIC_VALUE,
  FINALIZE_DEPOSIT_SELECTOR, LEGACY_FINALIZE_DEPOSIT_SELECTOR, L2_ASSET_ROUTER, L2_NATIVE_TOKEN_VAULT, L2_BASE_TOKEN,
  L2_MESSENGER, ETH_TOKEN_ADDRESS,
} from "../lib/encoding.mjs";

const L1_CHAIN_ID = 31337n;
const L2_CHAIN_ID = 270n;
const FUND_VAULT = parseEther("10");
const L2_CANONICAL_TX =
  "tuple(uint256 txType, uint256 from, uint256 to, uint256 gasLimit, uint256 gasPerPubdataByteLimit, uint256 maxFeePerGas, " +
  "uint256 maxPriorityFeePerGas, uint256 paymaster, uint256 nonce, uint256 value, uint256[4] reserved, bytes data, " +
  "bytes signature, uint256[] factoryDeps, bytes paymasterInput, bytes reservedDynamic)";
const ETH_ASSET_ID = ntvAssetId(L1_CHAIN_ID, ETH_TOKEN_ADDRESS);

let t, hub, router, vault, nullifier, token, six, tokenAssetId, sixAssetId, l2Receiver, baseCost;
let last = genesisStoredBatchInfo(); // StoredBatchInfo of the last executed batch
const deposits = {}; // name -> {txHash, amount, ...}

before(async () => {
  t = await setup({ fundVault: FUND_VAULT });
  hub = t.c.bridgehub.connect(t.user);
  router = t.c.l1AssetRouter.connect(t.user);
  vault = t.c.l1NativeTokenVault.connect(t.user);
  nullifier = t.c.l1Nullifier.connect(t.user);
  token = await deployTestToken(t.deployer, "Test Token", "TST", 18);
  six = await deployTestToken(t.deployer, "Six Decimals", "SIX", 6);
  await (await token.mint(t.user.address, parseEther("1000"))).wait();
  await (await six.mint(t.user.address, 1_000_000_000n)).wait();
  tokenAssetId = ntvAssetId(L1_CHAIN_ID, await token.getAddress());
  sixAssetId = ntvAssetId(L1_CHAIN_ID, await six.getAddress());
  l2Receiver = Wallet.createRandom().address;
  baseCost = await t.c.bridgehub.l2TransactionBaseCost(L2_CHAIN_ID, 0n, 1_000_000n, 800n);
});
after(async () => t && (await t.stop()));

/** L2TransactionRequestTwoBridgesOuter with the asset router as second bridge. */
const twoBridges = (secondBridgeCalldata, fields = {}) => ({
  chainId: L2_CHAIN_ID,
  mintValue: baseCost,
  l2Value: 0n,
  l2GasLimit: 1_000_000n,
  l2GasPerPubdataByteLimit: 800n,
  refundRecipient: ZeroAddress,
  secondBridgeAddress: t.addresses.l1AssetRouter,
  secondBridgeValue: 0n,
  secondBridgeCalldata,
  ...fields,
});
const send = (req, value = req.mintValue + req.secondBridgeValue) => hub.requestL2TransactionTwoBridges(req, { value });
const tokenBalance = (tok, who) => tok.balanceOf(who);
const priorityCount = () => t.c.zkChain.getTotalPriorityTxs();

/** Settles one batch holding every queued priority op and the given logs (built from the op hashes). */
async function settlePending(logsFor) {
  const first = await t.c.zkChain.getFirstUnprocessedPriorityTx();
  const total = await t.c.zkChain.getTotalPriorityTxs();
  const hashes = [];
  for (let i = first; i < total; i++) hashes.push(await t.c.zkChain.priorityTxHash(i));
  const logs = logsFor(hashes);
  const { stored, tree } = await settleBatch(t, { prev: last, l1TxHashes: hashes, logs });
  last = stored;
  return { batch: stored.batchNumber, tree, logs };
}

/** Checks one two-bridges deposit receipt end to end; returns the canonical tx hash. */
async function checkDeposit(receipt, { expectedHash, l1Token, assetId, amount, receiver, metadata }) {
  const { zkChain } = t.c;
  // The chain: NewPriorityRequest then NewPriorityRequestId(txId, txHash).
  const chainEvents = eventsOf(receipt, zkChain);
  assert.deepEqual(chainEvents.map((e) => e.name), ["NewPriorityRequest", "NewPriorityRequestId"]);
  const [req, reqId] = chainEvents;
  const { txId, txHash, transaction } = req.args;
  assert.equal(txHash, expectedHash);
  assert.deepEqual([...reqId.args], [txId, txHash]);
  assert.equal(await zkChain.priorityTxHash(txId), txHash);
  assert.equal(txHash, keccak256(abi.encode([L2_CANONICAL_TX], [transaction])));

  // The L2 tx: from the aliased L1 asset router to 0x…10003, finalizeDeposit(address,address,address,uint256,bytes).
  assert.equal(transaction.txType, 255n);
  assert.equal(transaction.from, BigInt(applyL1ToL2Alias(t.addresses.l1AssetRouter)));
  assert.equal(transaction.to, BigInt(L2_ASSET_ROUTER));
  assert.equal(transaction.gasLimit, 1_000_000n);
  assert.equal(transaction.value, 0n);
  assert.equal(transaction.nonce, txId);
  // Refund to the depositor (an EOA: not aliased), not to the bridge.
  assert.deepEqual([...transaction.reserved], [baseCost, BigInt(t.user.address), 0n, 0n]);
  assert.equal(transaction.data.slice(0, 10), LEGACY_FINALIZE_DEPOSIT_SELECTOR);
  assert.equal(transaction.data, legacyDepositCalldata(t.user.address, receiver, l1Token, amount, metadata));
  assert.equal(metadata, await vault.getERC20Getters(l1Token, L1_CHAIN_ID));

  // The router: base token in, deposit initiated, L2 tx confirmed; the nullifier keeps the deposit.
  const dataHash = txDataHash(t.user.address, assetId, amount);
  const mintData = encodeBridgeMintData(t.user.address, receiver, l1Token, amount, metadata);
  const routerEvents = eventsOf(receipt, router);
  assert.deepEqual(routerEvents.map((e) => e.name),
    ["BridgehubDepositBaseTokenInitiated", "BridgehubDepositInitiated", "BridgehubDepositFinalized"]);
  assert.deepEqual([...routerEvents[0].args], [L2_CHAIN_ID, t.user.address, ETH_ASSET_ID, baseCost]);
  assert.deepEqual([...routerEvents[1].args], [L2_CHAIN_ID, dataHash, t.user.address, assetId, mintData]);
  assert.deepEqual([...routerEvents[2].args], [L2_CHAIN_ID, dataHash, txHash]);
  assert.equal(await router.getDepositCalldata(t.user.address, assetId, mintData), transaction.data);
  assert.equal(await nullifier.depositHappened(L2_CHAIN_ID, txHash), dataHash);

  // The vault: the ETH of the request and the token, both burnt (locked) for chain 270.
  const burns = eventsOf(receipt, vault, "BridgeBurn").map((e) => [...e.args]);
  assert.deepEqual(burns, [
    [L2_CHAIN_ID, ETH_ASSET_ID, t.user.address, ZeroAddress, baseCost],
    [L2_CHAIN_ID, assetId, t.user.address, receiver, amount],
  ]);
  return txHash;
}

test("views: bridgehub, chain type manager, asset router, nullifier and vault", async () => {
  const { bridgehub, chainTypeManager, l1AssetRouter, l1Nullifier, l1NativeTokenVault } = t.c;
  assert.equal(await bridgehub.assetRouter(), t.addresses.l1AssetRouter);
  assert.equal(await bridgehub.sharedBridge(), t.addresses.l1AssetRouter);
  assert.equal(await bridgehub.l1Nullifier(), t.addresses.l1Nullifier);
  assert.equal(await bridgehub.baseTokenAssetId(L2_CHAIN_ID), ETH_ASSET_ID);
  assert.equal(await bridgehub.baseTokenAssetId(271n), ZeroHash);
  assert.equal(await bridgehub.L1_CHAIN_ID(), L1_CHAIN_ID);
  assert.deepEqual([...(await chainTypeManager.getSemverProtocolVersion())], [0n, 29n, 0n]);
  assert.equal(await chainTypeManager.protocolVersion(), 29n << 32n);
  assert.equal(await chainTypeManager.getProtocolVersion(L2_CHAIN_ID), 29n << 32n);
  assert.equal(await chainTypeManager.validatorTimelock(), t.addresses.validatorTimelock);

  assert.equal(await l1AssetRouter.nativeTokenVault(), t.addresses.l1NativeTokenVault);
  assert.equal(await l1AssetRouter.L1_NULLIFIER(), t.addresses.l1Nullifier);
  assert.equal(await l1AssetRouter.BRIDGE_HUB(), t.addresses.bridgehub);
  assert.equal(await l1AssetRouter.L1_WETH_TOKEN(), ZeroAddress);
  assert.equal(await l1AssetRouter.ETH_TOKEN_ASSET_ID(), ETH_ASSET_ID);
  assert.equal(await l1AssetRouter.assetHandlerAddress(ETH_ASSET_ID), t.addresses.l1NativeTokenVault);
  assert.equal(await l1AssetRouter.assetHandlerAddress(tokenAssetId), ZeroAddress); // not registered yet
  assert.equal(await l1AssetRouter.l2BridgeAddress(L2_CHAIN_ID), L2_ASSET_ROUTER);
  assert.equal(await l1Nullifier.l1NativeTokenVault(), t.addresses.l1NativeTokenVault);
  assert.equal(await l1Nullifier.l1AssetRouter(), t.addresses.l1AssetRouter);
  assert.equal(await l1Nullifier.BRIDGE_HUB(), t.addresses.bridgehub);

  assert.equal(await l1NativeTokenVault.ASSET_ROUTER(), t.addresses.l1AssetRouter);
  assert.equal(await l1NativeTokenVault.L1_NULLIFIER(), t.addresses.l1Nullifier);
  assert.equal(await l1NativeTokenVault.WETH_TOKEN(), ZeroAddress);
  assert.equal(await l1NativeTokenVault.L1_CHAIN_ID(), L1_CHAIN_ID);
  assert.equal(await l1NativeTokenVault.BASE_TOKEN_ASSET_ID(), ETH_ASSET_ID);
  // ETH (0x…01) is registered from the start; asset id = keccak256(abi.encode(L1 chain id, 0x…10004, token)).
  assert.equal(ETH_ASSET_ID, keccak256(abi.encode(["uint256", "address", "address"], [L1_CHAIN_ID, L2_NATIVE_TOKEN_VAULT, ETH_TOKEN_ADDRESS])));
  assert.equal(await l1NativeTokenVault.assetId(ETH_TOKEN_ADDRESS), ETH_ASSET_ID);
  assert.equal(await l1NativeTokenVault.tokenAddress(ETH_ASSET_ID), ETH_TOKEN_ADDRESS);
  assert.equal(await l1NativeTokenVault.originChainId(ETH_ASSET_ID), L1_CHAIN_ID);
  // An ERC-20 is unknown until registered (or first deposited).
  assert.equal(await l1NativeTokenVault.assetId(await token.getAddress()), ZeroHash);
  assert.equal(await l1NativeTokenVault.tokenAddress(tokenAssetId), ZeroAddress);
  assert.equal(await l1NativeTokenVault.originChainId(tokenAssetId), 0n);
  // Metadata: 0x01 ‖ abi.encode(originChainId, abi.encode(name), abi.encode(symbol), abi.encode(decimals)).
  assert.equal(await l1NativeTokenVault.getERC20Getters(ETH_TOKEN_ADDRESS, L1_CHAIN_ID), encodeTokenData(L1_CHAIN_ID, "Ether", "ETH", 18));
  assert.equal(await l1NativeTokenVault.getERC20Getters(await token.getAddress(), L1_CHAIN_ID),
    encodeTokenData(L1_CHAIN_ID, "Test Token", "TST", 18));
  assert.equal(await l1NativeTokenVault.getERC20Getters(await six.getAddress(), 5n), encodeTokenData(5n, "Six Decimals", "SIX", 6));

  // deploy({fundVault}) sent the ETH backing the L2 genesis balances to the vault.
  assert.equal(await t.provider.getBalance(t.addresses.l1NativeTokenVault), FUND_VAULT);
  assert.equal(await t.provider.getBalance(t.addresses.l1Nullifier), 0n);
  assert.equal(await t.provider.getBalance(t.addresses.l1AssetRouter), 0n);
});

test("the wiring is set once, by the deployer only", async () => {
  const asOwner = (c) => c.connect(t.deployer);
  await expectRevert(asOwner(t.c.l1AssetRouter).setNativeTokenVault(t.user.address), "AlreadySet");
  await expectRevert(router.setNativeTokenVault(t.user.address), "Unauthorized", [t.user.address]);
  await expectRevert(asOwner(t.c.l1Nullifier).setL1AssetRouter(t.user.address), "AlreadySet");
  await expectRevert(nullifier.setL1AssetRouter(t.user.address), "Unauthorized", [t.user.address]);
  await expectRevert(asOwner(t.c.l1Nullifier).setL1NativeTokenVault(t.user.address), "AlreadySet");
  await expectRevert(nullifier.setL1NativeTokenVault(t.user.address), "Unauthorized", [t.user.address]);
  // Anyone may register a token (once: a second registration changes nothing); only contracts.
  const other = await deployTestToken(t.deployer, "Other", "OTH", 8);
  const otherId = ntvAssetId(L1_CHAIN_ID, await other.getAddress());
  const rr = await (await vault.registerToken(await other.getAddress())).wait();
  assert.deepEqual([...eventsOf(rr, vault, "TokenRegistered")[0].args], [otherId, await other.getAddress()]);
  assert.equal(await vault.assetId(await other.getAddress()), otherId);
  assert.equal(await vault.tokenAddress(otherId), await other.getAddress());
  assert.equal(await vault.originChainId(otherId), L1_CHAIN_ID);
  const again = await (await vault.registerToken(await other.getAddress())).wait();
  assert.equal(eventsOf(again, vault, "TokenRegistered").length, 0);
  await expectRevert(vault.registerToken(t.user.address), "NotAContract", [t.user.address]);
  await expectRevert(vault.ensureTokenIsRegistered(ZeroAddress), "NotAContract", [ZeroAddress]);
});

test("ERC-20 deposit, legacy secondBridgeCalldata abi.encode(l1Token, amount, l2Receiver)", async () => {
  const amount = parseEther("100");
  const l1Token = await token.getAddress();
  await (await token.connect(t.user).approve(t.addresses.l1AssetRouter, amount)).wait();
  const userBefore = await tokenBalance(token, t.user.address);
  const vaultEthBefore = await t.provider.getBalance(t.addresses.l1NativeTokenVault);
  const count = await priorityCount();

  const req = twoBridges(twoBridgesLegacyCalldata(l1Token, amount, l2Receiver));
  const expectedHash = await hub.requestL2TransactionTwoBridges.staticCall(req, { value: req.mintValue });
  const receipt = await (await send(req)).wait();
  // The first deposit registers the token.
  const [registered] = eventsOf(receipt, vault, "TokenRegistered");
  assert.deepEqual([...registered.args], [tokenAssetId, l1Token]);
  const txHash = await checkDeposit(receipt, {
    expectedHash, l1Token, assetId: tokenAssetId, amount, receiver: l2Receiver,
    metadata: encodeTokenData(L1_CHAIN_ID, "Test Token", "TST", 18),
  });

  assert.equal(await priorityCount(), count + 1n);
  assert.equal(await tokenBalance(token, t.addresses.l1NativeTokenVault), amount);
  assert.equal(await tokenBalance(token, t.user.address), userBefore - amount);
  assert.equal(await tokenBalance(token, t.addresses.l1AssetRouter), 0n);
  assert.equal(await token.allowance(t.user.address, t.addresses.l1AssetRouter), 0n); // pulled with the router's allowance
  assert.equal(await t.provider.getBalance(t.addresses.l1NativeTokenVault), vaultEthBefore + baseCost);
  // The vault now knows the token.
  assert.equal(await vault.assetId(l1Token), tokenAssetId);
  assert.equal(await vault.tokenAddress(tokenAssetId), l1Token);
  assert.equal(await vault.originChainId(tokenAssetId), L1_CHAIN_ID);
  assert.equal(await router.assetHandlerAddress(tokenAssetId), t.addresses.l1NativeTokenVault);
  deposits.legacy = { txHash, amount, l1Token, assetId: tokenAssetId };
});

test("ERC-20 deposit, asset-id secondBridgeCalldata 0x01 ‖ abi.encode(assetId, abi.encode(amount, l2Receiver, token))", async () => {
  const amount = parseEther("40");
  const l1Token = await token.getAddress();
  await (await token.connect(t.user).approve(t.addresses.l1AssetRouter, amount)).wait();
  const vaultBefore = await tokenBalance(token, t.addresses.l1NativeTokenVault);
  const req = twoBridges(twoBridgesAssetCalldata(tokenAssetId, amount, l2Receiver, l1Token));
  assert.equal(req.secondBridgeCalldata.slice(0, 4), "0x01");
  const expectedHash = await hub.requestL2TransactionTwoBridges.staticCall(req, { value: req.mintValue });
  const receipt = await (await send(req)).wait();
  assert.equal(eventsOf(receipt, vault, "TokenRegistered").length, 0);
  const txHash = await checkDeposit(receipt, {
    expectedHash, l1Token, assetId: tokenAssetId, amount, receiver: l2Receiver,
    metadata: encodeTokenData(L1_CHAIN_ID, "Test Token", "TST", 18),
  });
  assert.equal(await tokenBalance(token, t.addresses.l1NativeTokenVault), vaultBefore + amount);
  deposits.assetForm = { txHash, amount, l1Token, assetId: tokenAssetId };

  // A token not registered yet: the asset-id form registers it on its first deposit when the
  // transfer data names it (and its asset id is the one given); with a zero or another token the
  // asset id is unknown. An allowance to the vault itself works as well as one to the router.
  const sixAmount = 250_000_000n; // 250 SIX (6 decimals)
  const sixToken = await six.getAddress();
  await expectRevert(send(twoBridges(twoBridgesAssetCalldata(sixAssetId, sixAmount, l2Receiver, ZeroAddress))),
    "AssetIdNotSupported", [sixAssetId]);
  await expectRevert(send(twoBridges(twoBridgesAssetCalldata(sixAssetId, sixAmount, l2Receiver, l1Token))),
    "AssetIdNotSupported", [sixAssetId]);
  // Naming a token whose asset id is not the given one registers nothing.
  await (await vault.tryRegisterTokenFromBurnData(encodeBridgeBurnData(1n, l2Receiver, l1Token), sixAssetId)).wait();
  assert.equal(await vault.assetId(sixToken), ZeroHash);
  const sixReq = twoBridges(twoBridgesAssetCalldata(sixAssetId, sixAmount, l2Receiver, sixToken));
  await (await six.connect(t.user).approve(t.addresses.l1NativeTokenVault, sixAmount)).wait();
  const sixHash = await hub.requestL2TransactionTwoBridges.staticCall(sixReq, { value: sixReq.mintValue });
  const r6 = await (await send(sixReq)).wait();
  assert.deepEqual([...eventsOf(r6, vault, "TokenRegistered")[0].args], [sixAssetId, sixToken]);
  assert.equal(await vault.assetId(sixToken), sixAssetId);
  assert.equal(await vault.tokenAddress(sixAssetId), sixToken);
  await checkDeposit(r6, {
    expectedHash: sixHash, l1Token: await six.getAddress(), assetId: sixAssetId, amount: sixAmount, receiver: l2Receiver,
    metadata: encodeTokenData(L1_CHAIN_ID, "Six Decimals", "SIX", 6),
  });
  assert.equal(await tokenBalance(six, t.addresses.l1NativeTokenVault), sixAmount);
  assert.equal(await six.allowance(t.user.address, t.addresses.l1NativeTokenVault), 0n);
  deposits.six = { txHash: sixHash, amount: sixAmount, l1Token: await six.getAddress(), assetId: sixAssetId };
});

test("refused deposits leave no trace", async () => {
  const amount = parseEther("5");
  const l1Token = await token.getAddress();
  const legacy = twoBridges(twoBridgesLegacyCalldata(l1Token, amount, l2Receiver));
  const snapshot = async () => [
    await priorityCount(),
    await tokenBalance(token, t.addresses.l1NativeTokenVault),
    await tokenBalance(token, t.user.address),
    await t.provider.getBalance(t.addresses.l1NativeTokenVault),
  ];
  const before = await snapshot();

  // No allowance (to the router or the vault): the token refuses the vault's transferFrom.
  assert.equal(await token.allowance(t.user.address, t.addresses.l1AssetRouter), 0n);
  await expectRevert(send(legacy), "ERC20InsufficientAllowance", [t.addresses.l1NativeTokenVault, 0n, amount]);
  await expectRevert(send(twoBridges(twoBridgesAssetCalldata(tokenAssetId, amount, l2Receiver, l1Token)), legacy.mintValue),
    "ERC20InsufficientAllowance", [t.addresses.l1NativeTokenVault, 0n, amount]);
  // An allowance smaller than the amount does not do either.
  await (await token.connect(t.user).approve(t.addresses.l1AssetRouter, amount - 1n)).wait();
  await expectRevert(send(legacy), "ERC20InsufficientAllowance", [t.addresses.l1NativeTokenVault, 0n, amount]);
  await (await token.connect(t.user).approve(t.addresses.l1AssetRouter, amount)).wait();

  // msg.value must be mintValue + secondBridgeValue.
  await expectRevert(send(legacy, legacy.mintValue - 1n), "MsgValueMismatch", [legacy.mintValue, legacy.mintValue - 1n]);
  await expectRevert(send(legacy, legacy.mintValue + 1n), "MsgValueMismatch", [legacy.mintValue, legacy.mintValue + 1n]);
  // ETH sent along an ERC-20 deposit (secondBridgeValue) is refused by the vault.
  await expectRevert(send({ ...legacy, secondBridgeValue: 1n }), "ValueMismatch", [0n, 1n]);
  // mintValue must pay for the L2 gas.
  await expectRevert(send({ ...legacy, mintValue: baseCost - 1n }), "MsgValueTooLow", [baseCost, baseCost - 1n]);
  // Nothing to move; more than the user has; an unknown chain.
  await expectRevert(send(twoBridges(twoBridgesLegacyCalldata(l1Token, 0n, l2Receiver))), "ZeroAmount");
  await (await token.connect(t.user).approve(t.addresses.l1AssetRouter, parseEther("1000000"))).wait();
  const balance = await tokenBalance(token, t.user.address);
  await expectRevert(send(twoBridges(twoBridgesLegacyCalldata(l1Token, balance + 1n, l2Receiver))),
    "ERC20InsufficientBalance", [t.user.address, balance, balance + 1n]);
  await expectRevert(send({ ...legacy, chainId: 271n }), "ChainNotRegistered", [271n]);
  // Calldata in neither encoding; an asset id the vault does not know; a "token" that is no contract.
  await expectRevert(send(twoBridges("0x02" + legacy.secondBridgeCalldata.slice(2))), "UnsupportedEncodingVersion", ["0x02"]);
  // 96 bytes that do not start with 0x00 are no legacy calldata either.
  await expectRevert(send(twoBridges("0x02" + legacy.secondBridgeCalldata.slice(4))), "UnsupportedEncodingVersion", ["0x02"]);
  await expectRevert(send(twoBridges("0x")), "UnsupportedEncodingVersion", ["0x00"]);
  await expectRevert(send(twoBridges(legacy.secondBridgeCalldata + "00")), "UnsupportedEncodingVersion", ["0x00"]);
  const unknown = keccak256("0x1234");
  await expectRevert(send(twoBridges(twoBridgesAssetCalldata(unknown, amount, l2Receiver, ZeroAddress))), "AssetIdNotSupported", [unknown]);
  await expectRevert(send(twoBridges(twoBridgesLegacyCalldata(t.user.address, amount, l2Receiver))), "NotAContract", [t.user.address]);
  // The second bridge must be a contract.
  await expectRevert(send({ ...legacy, secondBridgeAddress: l2Receiver }), "NotASecondBridge", [l2Receiver]);
  // A token that takes a fee on transfer delivers less than the deposit says: refused.
  await (await token.setFeeBps(100n)).wait();
  await expectRevert(send(legacy), "TokensNotReceived", [amount, amount - amount / 100n]);
  // A token whose transferFrom returns false.
  await (await token.setFeeBps(0n)).wait();
  await (await token.setReturnFalse(true)).wait();
  await expectRevert(send(legacy), "TokenTransferFailed", [l1Token]);
  await (await token.setReturnFalse(false)).wait();
  await (await token.connect(t.user).approve(t.addresses.l1AssetRouter, 0n)).wait();

  // Only the Bridgehub enters the router's deposit functions, only the vault pulls funds with
  // the router's allowance, only the router confirms deposits to the nullifier.
  await expectRevert(router.bridgehubDeposit(L2_CHAIN_ID, t.user.address, 0n, legacy.secondBridgeCalldata), "Unauthorized", [t.user.address]);
  await expectRevert(router.bridgehubConfirmL2Transaction(L2_CHAIN_ID, ZeroHash, keccak256("0x01")), "Unauthorized", [t.user.address]);
  await expectRevert(router.transferFundsToNTV(tokenAssetId, 1n, t.user.address), "Unauthorized", [t.user.address]);
  await expectRevert(nullifier.bridgehubConfirmL2TransactionForwarded(L2_CHAIN_ID, keccak256("0x02"), keccak256("0x01")),
    "Unauthorized", [t.user.address]);
  await expectRevert(vault.bridgeRecoverFailedTransfer(L2_CHAIN_ID, tokenAssetId, t.user.address, encodeBridgeBurnData(1n, ZeroAddress)),
    "Unauthorized", [t.user.address]);

  assert.deepEqual(await snapshot(), before);
});

test("ETH through the second bridge is refused (the chain's base token, as in era-contracts)", async () => {
  const amount = parseEther("1");
  const req = twoBridges(twoBridgesLegacyCalldata(ETH_TOKEN_ADDRESS, amount, l2Receiver), { secondBridgeValue: amount });
  await expectRevert(hub.requestL2TransactionTwoBridges.staticCall(req, { value: req.mintValue + amount }), "AssetIdNotSupported", [ETH_ASSET_ID]);
  const req2 = twoBridges(twoBridgesAssetCalldata(ETH_ASSET_ID, amount, l2Receiver, ETH_TOKEN_ADDRESS), { secondBridgeValue: amount });
  await expectRevert(hub.requestL2TransactionTwoBridges.staticCall(req2, { value: req2.mintValue + amount }), "AssetIdNotSupported", [ETH_ASSET_ID]);
});

// One batch settles the three deposits (the legacy one and the SIX one failed on L2, the
// asset-form one succeeded) together with three withdrawals of the L2 asset router and one of
// the L2 base token.
let settled, withdrawals;
test("a batch with the deposits' status logs and withdrawals of 0x…10003 and 0x…800a is executed", async () => {
  const l1Token = await token.getAddress();
  const l2Sender = Wallet.createRandom().address;
  const mk = (assetId, receiver, originToken, amount) => ({
    receiver, amount, assetId,
    message: assetRouterWithdrawalMessage(L2_CHAIN_ID, assetId, encodeBridgeMintData(l2Sender, receiver, originToken, amount, "0x")),
  });
  withdrawals = {
    a: mk(tokenAssetId, Wallet.createRandom().address, l1Token, parseEther("30")),
    b: mk(tokenAssetId, Wallet.createRandom().address, l1Token, parseEther("5")),
    unknown: mk(keccak256("0x77"), Wallet.createRandom().address, l1Token, 1n),
    eth: { receiver: Wallet.createRandom().address, amount: parseEther("2") },
  };
  withdrawals.eth.message = withdrawalMessage(withdrawals.eth.receiver, withdrawals.eth.amount);
  withdrawals.tooMuch = { receiver: Wallet.createRandom().address, amount: parseEther("1000") };
  withdrawals.tooMuch.message = withdrawalMessage(withdrawals.tooMuch.receiver, withdrawals.tooMuch.amount);
  const status = { [deposits.legacy.txHash]: false, [deposits.assetForm.txHash]: true, [deposits.six.txHash]: false };
  settled = await settlePending((hashes) => {
    assert.deepEqual(hashes, [deposits.legacy.txHash, deposits.assetForm.txHash, deposits.six.txHash]);
    return [
      ...hashes.map((h, i) => l1TxStatusLog(i, h, status[h])), // indices 0, 1, 2
      messageLog(3, L2_ASSET_ROUTER, withdrawals.a.message), // 3
      messageLog(4, L2_ASSET_ROUTER, withdrawals.b.message), // 4
      messageLog(5, L2_BASE_TOKEN, withdrawals.eth.message), // 5
      messageLog(6, L2_ASSET_ROUTER, withdrawals.unknown.message), // 6
      messageLog(7, L2_BASE_TOKEN, withdrawals.tooMuch.message), // 7
    ];
  });
  assert.equal(await t.c.zkChain.getTotalBatchesExecuted(), settled.batch);
  assert.equal(await t.c.zkChain.l2LogsRootHash(settled.batch), settled.tree.l2LogsTreeRoot);
  // The status logs are what proveL1ToL2TransactionStatus checks.
  const proveStatus = (i, status) => t.c.bridgehub.proveL1ToL2TransactionStatus(
    L2_CHAIN_ID, settled.logs[i].key, settled.batch, BigInt(i), i, settled.tree.proof(i), status);
  assert.equal(await proveStatus(0, 0), true);
  assert.equal(await proveStatus(0, 1), false);
  assert.equal(await proveStatus(1, 1), true);
  assert.equal(await proveStatus(1, 0), false);
});

const params = (index, message, fields = {}) => ({
  chainId: L2_CHAIN_ID,
  l2BatchNumber: settled.batch,
  l2MessageIndex: BigInt(index),
  l2Sender: L2_ASSET_ROUTER,
  l2TxNumberInBatch: index,
  message,
  merkleProof: settled.tree.proof(index),
  ...fields,
});

test("an ERC-20 withdrawal of 0x…10003 is finalized once through finalizeDeposit, for a valid proof only", async () => {
  const w = withdrawals.a;
  const vaultBefore = await tokenBalance(token, t.addresses.l1NativeTokenVault);
  // The message: finalizeDeposit(uint256,bytes32,bytes).selector ‖ l2 chain id ‖ asset id ‖ bridge mint data.
  assert.equal(w.message.slice(0, 10), FINALIZE_DEPOSIT_SELECTOR);
  assert.equal(FINALIZE_DEPOSIT_SELECTOR, "0x9c884fd1");
  const [assetId, transferData] = await nullifier.parseWithdrawalMessage(L2_ASSET_ROUTER, w.message);
  assert.equal(assetId, tokenAssetId);
  assert.equal(transferData, "0x" + w.message.slice(2 + 2 * 68));

  // Forged: another leaf's proof, a bigger amount, another receiver, the wrong sender, a tampered path.
  await expectRevert(nullifier.finalizeDeposit(params(3, w.message, { merkleProof: settled.tree.proof(4) })), "InvalidProof");
  const more = assetRouterWithdrawalMessage(L2_CHAIN_ID, tokenAssetId,
    encodeBridgeMintData(ZeroAddress, w.receiver, await token.getAddress(), w.amount * 2n, "0x"));
  await expectRevert(nullifier.finalizeDeposit(params(3, more)), "InvalidProof");
  const thief = assetRouterWithdrawalMessage(L2_CHAIN_ID, tokenAssetId,
    encodeBridgeMintData(ZeroAddress, t.user.address, await token.getAddress(), w.amount, "0x"));
  await expectRevert(nullifier.finalizeDeposit(params(3, thief)), "InvalidProof");
  await expectRevert(nullifier.finalizeDeposit(params(3, w.message, { l2TxNumberInBatch: 4 })), "InvalidProof");
  const tampered = settled.tree.proof(3);
  tampered[2] = keccak256(tampered[2]);
  await expectRevert(nullifier.finalizeDeposit(params(3, w.message, { merkleProof: tampered })), "InvalidProof");
  // The same message claimed as the base token's: wrong selector for 0x…800a.
  await expectRevert(nullifier.finalizeDeposit(params(3, w.message, { l2Sender: L2_BASE_TOKEN })), "InvalidSelector", [FINALIZE_DEPOSIT_SELECTOR]);
  await expectRevert(nullifier.finalizeDeposit(params(3, w.message.slice(0, 2 + 2 * 67))), "L2WithdrawalMessageWrongLength", [67n]);
  await expectRevert(nullifier.finalizeDeposit(params(3, w.message, { l2BatchNumber: settled.batch + 1n })), "BatchNotExecuted",
    [settled.batch + 1n]);
  assert.equal(await tokenBalance(token, w.receiver), 0n);

  const r = await (await nullifier.finalizeDeposit(params(3, w.message))).wait();
  assert.equal(await tokenBalance(token, w.receiver), w.amount);
  assert.equal(await tokenBalance(token, t.addresses.l1NativeTokenVault), vaultBefore - w.amount);
  assert.equal(await nullifier.isWithdrawalFinalized(L2_CHAIN_ID, settled.batch, 3n), true);
  const [routerEv] = eventsOf(r, router);
  assert.equal(routerEv.name, "DepositFinalizedAssetRouter");
  assert.deepEqual([...routerEv.args], [L2_CHAIN_ID, tokenAssetId, transferData]);
  const [mint] = eventsOf(r, vault);
  assert.equal(mint.name, "BridgeMint");
  assert.deepEqual([...mint.args], [L2_CHAIN_ID, tokenAssetId, w.receiver, w.amount]);

  // Exactly once, whichever entry point.
  await expectRevert(nullifier.finalizeDeposit(params(3, w.message)), "WithdrawalAlreadyFinalized");
  await expectRevert(router.finalizeWithdrawal(L2_CHAIN_ID, settled.batch, 3n, 3, w.message, settled.tree.proof(3)),
    "WithdrawalAlreadyFinalized");
  assert.equal(await tokenBalance(token, w.receiver), w.amount);

  // The legacy entry point tells 0x…10003 from 0x…800a by the selector.
  const b = withdrawals.b;
  await (await router.finalizeWithdrawal(L2_CHAIN_ID, settled.batch, 4n, 4, b.message, settled.tree.proof(4))).wait();
  assert.equal(await tokenBalance(token, b.receiver), b.amount);
  assert.equal(await router.isWithdrawalFinalized(L2_CHAIN_ID, settled.batch, 4n), true);
  await expectRevert(nullifier.finalizeDeposit(params(4, b.message)), "WithdrawalAlreadyFinalized");

  // A proven message naming an asset the vault does not hold reverts as a whole (stays unfinalized).
  const u = withdrawals.unknown;
  await expectRevert(nullifier.finalizeDeposit(params(6, u.message)), "UnknownAsset", [u.assetId]);
  assert.equal(await nullifier.isWithdrawalFinalized(L2_CHAIN_ID, settled.batch, 6n), false);
});

test("an ETH withdrawal of 0x…800a is paid by the vault", async () => {
  const w = withdrawals.eth;
  const before = await t.provider.getBalance(t.addresses.l1NativeTokenVault);
  const r = await (await nullifier.finalizeDeposit(params(5, w.message, { l2Sender: L2_BASE_TOKEN }))).wait();
  assert.equal(await t.provider.getBalance(w.receiver), w.amount);
  assert.equal(await t.provider.getBalance(t.addresses.l1NativeTokenVault), before - w.amount);
  assert.deepEqual([...eventsOf(r, vault, "BridgeMint")[0].args], [L2_CHAIN_ID, ETH_ASSET_ID, w.receiver, w.amount]);
  await expectRevert(nullifier.finalizeDeposit(params(5, w.message, { l2Sender: L2_BASE_TOKEN })), "WithdrawalAlreadyFinalized");
  // The vault pays from its balance (no per-chain accounting): a proven withdrawal above it
  // fails as a whole and stays unfinalized.
  const big = withdrawals.tooMuch;
  assert.ok((await t.provider.getBalance(t.addresses.l1NativeTokenVault)) < big.amount);
  await expectRevert(nullifier.finalizeDeposit(params(7, big.message, { l2Sender: L2_BASE_TOKEN })), "EthTransferFailed", [big.receiver]);
  assert.equal(await nullifier.isWithdrawalFinalized(L2_CHAIN_ID, settled.batch, 7n), false);
});

test("claimFailedDeposit returns a failed deposit's tokens once, for its failure log only", async () => {
  const d = deposits.legacy;
  const claim = (fields = {}) => {
    const p = { chainId: L2_CHAIN_ID, sender: t.user.address, l1Token: d.l1Token, amount: d.amount, txHash: d.txHash,
      batch: settled.batch, index: 0n, txNumber: 0, proof: settled.tree.proof(0), ...fields };
    return nullifier.claimFailedDeposit(p.chainId, p.sender, p.l1Token, p.amount, p.txHash, p.batch, p.index, p.txNumber, p.proof);
  };
  const userBefore = await tokenBalance(token, t.user.address);
  const vaultBefore = await tokenBalance(token, t.addresses.l1NativeTokenVault);

  // The wrong amount, sender, token or tx hash names no recorded deposit.
  await expectRevert(claim({ amount: d.amount - 1n }), "DepositDoesNotExist");
  await expectRevert(claim({ amount: d.amount + 1n }), "DepositDoesNotExist");
  await expectRevert(claim({ sender: t.deployer.address }), "DepositDoesNotExist");
  await expectRevert(claim({ l1Token: await six.getAddress() }), "DepositDoesNotExist");
  await expectRevert(claim({ l1Token: ETH_TOKEN_ADDRESS }), "DepositDoesNotExist");
  await expectRevert(claim({ txHash: keccak256("0x99") }), "DepositDoesNotExist");
  // A deposit that succeeded on L2: its log says 1, so no failure proof exists for it.
  const ok = deposits.assetForm;
  await expectRevert(claim({ amount: ok.amount, txHash: ok.txHash, index: 1n, txNumber: 1, proof: settled.tree.proof(1) }), "InvalidProof");
  // Another tx's failure log, wrong coordinates, a tampered path, an unexecuted batch.
  await expectRevert(claim({ index: 2n, txNumber: 2, proof: settled.tree.proof(2) }), "InvalidProof");
  await expectRevert(claim({ txNumber: 1 }), "InvalidProof");
  await expectRevert(claim({ index: 1n }), "InvalidProof");
  const tampered = settled.tree.proof(0);
  tampered[1] = keccak256(tampered[1]);
  await expectRevert(claim({ proof: tampered }), "InvalidProof");
  await expectRevert(claim({ batch: settled.batch + 1n }), "BatchNotExecuted", [settled.batch + 1n]);
  assert.equal(await tokenBalance(token, t.user.address), userBefore);

  // Anyone may claim; the tokens go back to the depositor.
  const r = await (await nullifier.connect(t.deployer).claimFailedDeposit(L2_CHAIN_ID, t.user.address, d.l1Token, d.amount,
    d.txHash, settled.batch, 0n, 0, settled.tree.proof(0))).wait();
  assert.equal(await tokenBalance(token, t.user.address), userBefore + d.amount);
  assert.equal(await tokenBalance(token, t.addresses.l1NativeTokenVault), vaultBefore - d.amount);
  assert.equal(await nullifier.depositHappened(L2_CHAIN_ID, d.txHash), ZeroHash);
  const [claimed] = eventsOf(r, router);
  assert.equal(claimed.name, "ClaimedFailedDepositAssetRouter");
  assert.deepEqual([...claimed.args], [L2_CHAIN_ID, tokenAssetId, encodeBridgeBurnData(d.amount, ZeroAddress, d.l1Token)]);
  assert.deepEqual([...eventsOf(r, vault, "BridgeMint")[0].args], [L2_CHAIN_ID, tokenAssetId, t.user.address, d.amount]);

  // Once only.
  await expectRevert(claim(), "DepositDoesNotExist");
  assert.equal(await tokenBalance(token, t.user.address), userBefore + d.amount);
  // The successful deposit stays recorded (nothing can clear it).
  assert.equal(await nullifier.depositHappened(L2_CHAIN_ID, ok.txHash), txDataHash(t.user.address, tokenAssetId, ok.amount));
});

test("bridgeRecoverFailedTransfer (asset-id form) claims a failed deposit through the router", async () => {
  const d = deposits.six;
  const data = encodeBridgeBurnData(d.amount, l2Receiver, ZeroAddress);
  const recover = router["bridgeRecoverFailedTransfer(uint256,address,bytes32,bytes,bytes32,uint256,uint256,uint16,bytes32[])"];
  const before = await tokenBalance(six, t.user.address);
  await expectRevert(recover(L2_CHAIN_ID, t.user.address, d.assetId, encodeBridgeBurnData(d.amount + 1n, l2Receiver, ZeroAddress),
    d.txHash, settled.batch, 2n, 2, settled.tree.proof(2)), "DepositDoesNotExist");
  await expectRevert(recover(L2_CHAIN_ID, t.user.address, tokenAssetId, data, d.txHash, settled.batch, 2n, 2, settled.tree.proof(2)),
    "DepositDoesNotExist");
  await (await recover(L2_CHAIN_ID, t.user.address, d.assetId, data, d.txHash, settled.batch, 2n, 2, settled.tree.proof(2))).wait();
  assert.equal(await tokenBalance(six, t.user.address), before + d.amount);
  assert.equal(await tokenBalance(six, t.addresses.l1NativeTokenVault), 0n);
  await expectRevert(recover(L2_CHAIN_ID, t.user.address, d.assetId, data, d.txHash, settled.batch, 2n, 2, settled.tree.proof(2)),
    "DepositDoesNotExist");
  await expectRevert(nullifier.bridgeRecoverFailedTransfer(L2_CHAIN_ID, t.user.address, d.assetId, data, d.txHash, settled.batch, 2n, 2,
    settled.tree.proof(2)), "DepositDoesNotExist");
  // The router's 4-argument form is the nullifier's only.
  await expectRevert(router["bridgeRecoverFailedTransfer(uint256,address,bytes32,bytes)"](L2_CHAIN_ID, t.user.address, d.assetId, data),
    "Unauthorized", [t.user.address]);
});

test("round trip with the real L2 contracts: deposit -> L2 mint -> L2 withdraw -> L1 release", async () => {
  // L2: a second anvil with chain id 270, the L2 asset router / native token vault / messenger
  // runtime code at their genesis addresses and the router's two genesis slots written.
  const l2 = await startAnvil(["--chain-id", "270"]);
  const provider = new JsonRpcProvider(l2.url, Network.from(270), { staticNetwork: true, cacheTimeout: -1 });
  try {
    for (const [address, name] of [[L2_ASSET_ROUTER, "L2AssetRouter"], [L2_NATIVE_TOKEN_VAULT, "L2NativeTokenVault"],
      [L2_MESSENGER, "L1Messenger"]]) {
      await provider.send("anvil_setCode", [address, artifact(name).deployedBytecode.object]);
    }
    await provider.send("anvil_setStorageAt", [L2_ASSET_ROUTER, toBeHex(0, 32), toBeHex(t.addresses.l1AssetRouter, 32)]);
    await provider.send("anvil_setStorageAt", [L2_ASSET_ROUTER, toBeHex(1, 32), toBeHex(L1_CHAIN_ID, 32)]);
    const l2Router = new Contract(L2_ASSET_ROUTER, artifact("L2AssetRouter").abi, provider);
    const l2Vault = new Contract(L2_NATIVE_TOKEN_VAULT, artifact("L2NativeTokenVault").abi, provider);
    const messenger = new Contract(L2_MESSENGER, artifact("L1Messenger").abi, provider);
    assert.equal(await l2Router.L1_ASSET_ROUTER(), t.addresses.l1AssetRouter);
    assert.equal(await l2Vault.L1_CHAIN_ID(), L1_CHAIN_ID);

    // L1: deposit 7 TST to an L2 account.
    const alice = new Wallet(ANVIL_KEYS[4], provider); // funded on the L2 anvil
    const amount = parseEther("7");
    const l1Token = await token.getAddress();
    await (await token.connect(t.user).approve(t.addresses.l1AssetRouter, amount)).wait();
    const r = await (await send(twoBridges(twoBridgesLegacyCalldata(l1Token, amount, alice.address)))).wait();
    const { txHash, transaction } = eventsOf(r, t.c.zkChain, "NewPriorityRequest")[0].args;

    // L2: the priority tx as the node would run it, from the aliased L1 router.
    const aliased = applyL1ToL2Alias(t.addresses.l1AssetRouter);
    assert.equal(toBeHex(transaction.from, 20).toLowerCase(), aliased.toLowerCase());
    await provider.send("anvil_impersonateAccount", [aliased]);
    await provider.send("anvil_setBalance", [aliased, toBeHex(parseEther("1"))]);
    // Anyone else calling finalizeDeposit is refused.
    await expectRevert(alice.sendTransaction({ to: L2_ASSET_ROUTER, data: transaction.data }), "Unauthorized", [alice.address]);
    const depositTx = await provider.send("eth_sendTransaction", [{ from: aliased, to: L2_ASSET_ROUTER, data: transaction.data, gas: "0x1e8480" }]);
    const depositReceipt = await provider.waitForTransaction(depositTx);
    assert.equal(depositReceipt.status, 1);
    const l2TokenAddress = await l2Vault.l2TokenAddress(l1Token);
    const l2Token = new Contract(l2TokenAddress, artifact("BridgedStandardERC20").abi, alice);
    assert.equal(await l2Token.balanceOf(alice.address), amount);
    assert.equal(await l2Token.name(), "Test Token");
    assert.equal(await l2Token.symbol(), "TST");
    assert.equal(await l2Token.decimals(), 18n);
    assert.equal(await l2Token.originToken(), l1Token);
    assert.equal(await l2Token.assetId(), tokenAssetId);
    assert.equal(await l2Vault.assetId(l2TokenAddress), tokenAssetId);
    assert.equal(await l2Vault.tokenAddress(tokenAssetId), l2TokenAddress);
    assert.equal(await l2Router.l1TokenAddress(l2TokenAddress), l1Token);

    // L2: withdraw 3 TST to an L1 receiver; the messenger carries the 0x…10003 message.
    const l1Receiver = Wallet.createRandom().address;
    const back = parseEther("3");
    const wr = await (await l2Router.connect(alice)["withdraw(bytes32,bytes)"](tokenAssetId,
      encodeBridgeBurnData(back, l1Receiver, l2TokenAddress))).wait();
    const [sent] = eventsOf(wr, messenger, "L1MessageSent");
    const message = assetRouterWithdrawalMessage(L2_CHAIN_ID, tokenAssetId, encodeBridgeMintData(alice.address, l1Receiver, l1Token, back, "0x"));
    assert.deepEqual([...sent.args], [L2_ASSET_ROUTER, keccak256(message), message]);
    assert.equal(await l2Token.balanceOf(alice.address), amount - back);
    // The base token is not withdrawn through 0x…10003.
    await expectRevert(l2Router.connect(alice)["withdraw(bytes32,bytes)"].staticCall(ETH_ASSET_ID,
      encodeBridgeBurnData(1n, l1Receiver, ZeroAddress)), "AssetIdNotSupported", [ETH_ASSET_ID]);

    // L1: the batch with the deposit's success log and the withdrawal; finalize it.
    const batch = await settlePending((hashes) => {
      assert.deepEqual(hashes, [txHash]);
      return [l1TxStatusLog(0, txHash, true), messageLog(1, L2_ASSET_ROUTER, message)];
    });
    const vaultBefore = await tokenBalance(token, t.addresses.l1NativeTokenVault);
    await (await nullifier.finalizeDeposit({ chainId: L2_CHAIN_ID, l2BatchNumber: batch.batch, l2MessageIndex: 1n,
      l2Sender: L2_ASSET_ROUTER, l2TxNumberInBatch: 1, message, merkleProof: batch.tree.proof(1) })).wait();
    assert.equal(await tokenBalance(token, l1Receiver), back);
    assert.equal(await tokenBalance(token, t.addresses.l1NativeTokenVault), vaultBefore - back);
    // The successful deposit cannot be claimed back.
    await expectRevert(nullifier.claimFailedDeposit(L2_CHAIN_ID, t.user.address, l1Token, amount, txHash, batch.batch, 0n, 0,
      batch.tree.proof(0)), "InvalidProof");
  } finally {
    provider.destroy();
    await l2.stop();
  }
});

test("the encodings the node and SDKs rely on", () => {
  assert.equal(TWO_BRIDGES_MAGIC_VALUE, toBeHex(BigInt(keccak256(Buffer.from("TWO_BRIDGES_MAGIC_VALUE"))) - 1n, 32));
  assert.equal(LEGACY_FINALIZE_DEPOSIT_SELECTOR, "0xcfe7af7c");
  assert.equal(applyL1ToL2Alias("0x0000000000000000000000000000000000000000"), "0x1111000000000000000000000000000000001111");
  assert.equal(applyL1ToL2Alias("0xffffffffffffffffffffffffffffffffffffffff"), "0x1111000000000000000000000000000000001110");
});
