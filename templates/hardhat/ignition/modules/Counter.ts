// Deploys Counter with Hardhat Ignition and sets it to 42:
//   npx hardhat ignition deploy ignition/modules/Counter.ts --network zkosL2   (or --network zkosL1)
// Ignition records what it deployed in ignition/deployments/chain-<id>/ and skips it next time
// (zkos-dev resumes its chains on restart; after `zkos-dev reset`, `--ephemeral` or a start from
// another directory they are new: delete that folder, or pass --reset).
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("CounterModule", (m) => {
  const counter = m.contract("Counter");
  m.call(counter, "setNumber", [42n]);
  return { counter };
});
