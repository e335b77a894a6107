//! L2 genesis: the dev accounts' balances and the L2 system contracts ZKsync OS has at fixed
//! addresses — the L1 messenger (`0x…8008`) and the base token (`0x…800a`), compiled from
//! `state/contracts/l2/` (their runtime code goes in as is: no constructor, no immutables).

use alloy_primitives::{Address, Bytes, U256};
use anyhow::Context as _;
use revm::bytecode::Bytecode;
use serde::Deserialize;

use crate::{
    accounts::DevAccount,
    storage::StateSnapshot,
    tx::{L1_MESSENGER, L2_BASE_TOKEN},
};

const L1_MESSENGER_JSON: &str = include_str!("../state/artifacts/L1Messenger.json");
const L2_BASE_TOKEN_JSON: &str = include_str!("../state/artifacts/L2BaseToken.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    deployed_bytecode: Code,
}

#[derive(Deserialize)]
struct Code {
    object: Bytes,
}

/// The system contracts: (address, runtime code).
pub fn system_contracts() -> anyhow::Result<Vec<(Address, Bytes)>> {
    [
        (L1_MESSENGER, L1_MESSENGER_JSON),
        (L2_BASE_TOKEN, L2_BASE_TOKEN_JSON),
    ]
    .into_iter()
    .map(|(address, json)| {
        let artifact: Artifact = serde_json::from_str(json)
            .with_context(|| format!("system contract artifact for {address}"))?;
        Ok((address, artifact.deployed_bytecode.object))
    })
    .collect()
}

/// The L2 state at genesis: `balance` for each dev account, and the system contracts.
pub fn l2_genesis(accounts: &[DevAccount], balance: U256) -> anyhow::Result<StateSnapshot> {
    let mut state = StateSnapshot::default();
    for account in accounts {
        state.account_mut(account.address).info.balance = balance;
    }
    for (address, code) in system_contracts()? {
        state.set_code(address, Bytecode::new_raw(code));
    }
    Ok(state)
}
