// `npx hardhat run scripts/deploy.ts --network zkos`: deploys Counter and Token with hardhat-viem,
// calls them, and prints one `RESULT {json}` line that ../hardhat.test.mjs checks on-chain.
import { network } from "hardhat";
import { parseEther } from "viem";

const { viem, networkName } = await network.getOrCreate();
const publicClient = await viem.getPublicClient();
const [deployer, other] = await viem.getWalletClients();

const chainId = await publicClient.getChainId();
const counter = await viem.deployContract("Counter");
const setHash = await counter.write.setNumber([41n]);
const setRcpt = await publicClient.waitForTransactionReceipt({ hash: setHash });
const incHash = await counter.write.increment();
const incRcpt = await publicClient.waitForTransactionReceipt({ hash: incHash });
const number = await counter.read.number();

const token = await viem.deployContract("Token", [parseEther("1000")]);
const trHash = await token.write.transfer([other.account.address, parseEther("12.5")]);
const trRcpt = await publicClient.waitForTransactionReceipt({ hash: trHash });

console.log(
  "RESULT " +
    JSON.stringify({
      networkName,
      chainId,
      deployer: deployer.account.address,
      other: other.account.address,
      counter: counter.address,
      token: token.address,
      number: number.toString(),
      statuses: [setRcpt.status, incRcpt.status, trRcpt.status],
      otherTokenBalance: (await token.read.balanceOf([other.account.address])).toString(),
    }),
);
