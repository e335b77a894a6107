// Deploys Counter and increments it once:
//   npx hardhat run scripts/deploy.ts --network zkosL2    (or --network zkosL1)
import { network } from "hardhat";

const { viem, networkName } = await network.getOrCreate();
const publicClient = await viem.getPublicClient();
const [deployer] = await viem.getWalletClients();
const chainId = await publicClient.getChainId();

const counter = await viem.deployContract("Counter");
console.log(`Counter deployed to ${counter.address} on ${networkName} (chain ${chainId}) by ${deployer.account.address}`);

const hash = await counter.write.increment();
const receipt = await publicClient.waitForTransactionReceipt({ hash });
console.log(`increment() in block ${receipt.blockNumber}: ${receipt.status}, number = ${await counter.read.number()}`);
