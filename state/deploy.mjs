#!/usr/bin/env node
// Deploys and wires the L1 rollup contracts from state/artifacts, prints the addresses as JSON.
//
//   node deploy.mjs --rpc http://127.0.0.1:8545 [--private-key K] [--operator ADDR] [--prover ADDR]
//                   [--chain-id 270] [--no-mock-verifier] [--genesis-state-commitment 0x..]
//                   [--min-l2-gas-price 1000] [--fund-vault WEI]
//
// Order: Verifier, Bridgehub, L1Nullifier, L1AssetRouter, ValidatorTimelock, ChainTypeManager,
// ZKChain, L1NativeTokenVault; then Bridgehub.setSharedBridge + registerChain, validators
// (operator and timelock on the chain, operator on the timelock), the vault on the asset router
// and the nullifier (and the router on the nullifier), prover key on the verifier, optional ETH
// for the vault (backing the L2's genesis ETH).
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider, Wallet, ContractFactory, Contract, Network } from "ethers";
import { genesisStoredBatchInfo } from "./lib/encoding.mjs";

const ROOT = dirname(fileURLToPath(import.meta.url));
const DEFAULT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // anvil #0

export function artifact(name) {
  return JSON.parse(readFileSync(join(ROOT, "artifacts", `${name}.json`), "utf8"));
}

export async function makeSigner(rpcUrl, privateKey = DEFAULT_KEY) {
  const probe = new JsonRpcProvider(rpcUrl);
  const { chainId } = await probe.getNetwork();
  probe.destroy();
  // One static network and no call cache: quick successive sends must see fresh nonces.
  const provider = new JsonRpcProvider(rpcUrl, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
  return new Wallet(privateKey, provider);
}

async function deployContract(signer, name, args) {
  const a = artifact(name);
  const factory = new ContractFactory(a.abi, a.bytecode.object, signer);
  const c = await factory.deploy(...args);
  await c.waitForDeployment();
  return c;
}

async function send(txPromise) {
  const tx = await txPromise;
  return tx.wait();
}

/**
 * @param {object} o
 * @param {import("ethers").Wallet} o.signer    deployer; becomes owner/admin of everything
 * @param {string} [o.operator]                 validator address (default: the deployer)
 * @param {string} [o.prover]                   attestation key address to register (optional)
 */
export async function deploy({
  signer,
  operator,
  prover,
  chainId = 270n,
  mockVerifier = true,
  minimalL2GasPrice = 1000n,
  genesisBatch = genesisStoredBatchInfo(),
  fundVault = 0n,
}) {
  const owner = await signer.getAddress();
  operator = operator ?? owner;

  const verifier = await deployContract(signer, "Verifier", [owner, mockVerifier]);
  const bridgehub = await deployContract(signer, "Bridgehub", [owner]);
  const nullifier = await deployContract(signer, "L1Nullifier", [await bridgehub.getAddress()]);
  const assetRouter = await deployContract(signer, "L1AssetRouter", [
    await bridgehub.getAddress(),
    await nullifier.getAddress(),
  ]);
  const timelock = await deployContract(signer, "ValidatorTimelock", [owner]);
  const ctm = await deployContract(signer, "ChainTypeManager", [
    await bridgehub.getAddress(),
    await timelock.getAddress(),
  ]);
  const zkChain = await deployContract(signer, "ZKChain", [
    chainId,
    await bridgehub.getAddress(),
    await ctm.getAddress(),
    await verifier.getAddress(),
    owner,
    minimalL2GasPrice,
    genesisBatch,
  ]);
  const vault = await deployContract(signer, "L1NativeTokenVault", [
    "0x0000000000000000000000000000000000000000",
    await assetRouter.getAddress(),
    await nullifier.getAddress(),
  ]);

  const addr = {
    bridgehub: await bridgehub.getAddress(),
    chainTypeManager: await ctm.getAddress(),
    validatorTimelock: await timelock.getAddress(),
    zkChain: await zkChain.getAddress(),
    verifier: await verifier.getAddress(),
    l1Nullifier: await nullifier.getAddress(),
    l1AssetRouter: await assetRouter.getAddress(),
    l1NativeTokenVault: await vault.getAddress(),
  };

  await send(bridgehub.setSharedBridge(addr.l1AssetRouter, addr.l1Nullifier));
  await send(bridgehub.registerChain(chainId, addr.zkChain, addr.chainTypeManager));
  await send(zkChain.setValidator(operator, true));
  await send(zkChain.setValidator(addr.validatorTimelock, true));
  await send(timelock.setValidator(addr.zkChain, operator, true));
  await send(assetRouter.setNativeTokenVault(addr.l1NativeTokenVault));
  await send(nullifier.setL1AssetRouter(addr.l1AssetRouter));
  await send(nullifier.setL1NativeTokenVault(addr.l1NativeTokenVault));
  if (prover) await send(verifier.setProver(prover, true));
  if (fundVault > 0n) await send(signer.sendTransaction({ to: addr.l1NativeTokenVault, value: fundVault }));

  const { chainId: l1ChainId } = await signer.provider.getNetwork();
  return {
    l1ChainId: Number(l1ChainId),
    l2ChainId: Number(chainId),
    owner,
    operator,
    prover: prover ?? null,
    mockVerifier,
    ...addr,
    genesisStoredBatchInfo: Object.fromEntries(
      Object.entries(genesisBatch).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]),
    ),
  };
}

/** ethers Contract objects for a deployment (tests and scripts). */
export function contracts(addresses, runner) {
  const at = (name, address) => new Contract(address, artifact(name).abi, runner);
  return {
    bridgehub: at("Bridgehub", addresses.bridgehub),
    chainTypeManager: at("ChainTypeManager", addresses.chainTypeManager),
    validatorTimelock: at("ValidatorTimelock", addresses.validatorTimelock),
    zkChain: at("ZKChain", addresses.zkChain),
    verifier: at("Verifier", addresses.verifier),
    l1Nullifier: at("L1Nullifier", addresses.l1Nullifier),
    l1AssetRouter: at("L1AssetRouter", addresses.l1AssetRouter),
    l1NativeTokenVault: at("L1NativeTokenVault", addresses.l1NativeTokenVault),
  };
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--no-mock-verifier") o.mockVerifier = false;
    else if (a.startsWith("--")) o[a.slice(2)] = argv[++i];
  }
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const signer = await makeSigner(o.rpc ?? "http://127.0.0.1:8545", o["private-key"] ?? DEFAULT_KEY);
  const result = await deploy({
    signer,
    operator: o.operator,
    prover: o.prover,
    chainId: BigInt(o["chain-id"] ?? 270),
    mockVerifier: o.mockVerifier ?? true,
    minimalL2GasPrice: BigInt(o["min-l2-gas-price"] ?? 1000),
    genesisBatch: genesisStoredBatchInfo(o["genesis-state-commitment"]),
    fundVault: BigInt(o["fund-vault"] ?? 0),
  });
  console.log(JSON.stringify(result, null, 2));
  signer.provider.destroy();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e.shortMessage ?? e.message);
    process.exit(1);
  });
}
