// `npx hardhat test nodejs test/Fork.ts --network zkos`, with FORK_REMOTE_URL, FORK_BLOCK,
// FORK_COUNTER and FORK_NUMBER set by ../fork.test.mjs: `hardhat_reset` with `forking` through
// the Hardhat connection's provider re-forks the node at another block of the remote. (Hardhat 2's
// network helpers had `reset(url, block)` for this call; Hardhat 3's dropped it.)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { parseAbi } from "viem";

const COUNTER_ABI = parseAbi(["function number() view returns (uint256)"]);

describe("hardhat_reset with forking", async () => {
  const { viem, provider } = await network.getOrCreate();
  const publicClient = await viem.getPublicClient();

  it("forks the remote at that block", async () => {
    const block = BigInt(process.env.FORK_BLOCK!);
    await provider.request({
      method: "hardhat_reset",
      params: [{ forking: { jsonRpcUrl: process.env.FORK_REMOTE_URL!, blockNumber: Number(block) } }],
    });
    assert.equal(await publicClient.getBlockNumber(), block);
    const number = await publicClient.readContract({
      address: process.env.FORK_COUNTER as `0x${string}`,
      abi: COUNTER_ABI,
      functionName: "number",
    });
    assert.equal(number, BigInt(process.env.FORK_NUMBER!));
  });
});
