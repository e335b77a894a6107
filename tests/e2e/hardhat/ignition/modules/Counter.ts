// `npx hardhat ignition deploy ignition/modules/Counter.ts --network zkos`
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("CounterModule", (m) => {
  const counter = m.contract("Counter");
  m.call(counter, "setNumber", [1234n]);
  const token = m.contract("Token", [10n ** 24n]);
  return { counter, token };
});
