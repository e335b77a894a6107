//! L1 genesis: the rollup contracts deployed and wired for chain 270 ahead of time
//! (`state/genesis.mjs` on a real anvil), embedded in the binary and loaded into the L1's
//! genesis state, so start-up deploys nothing.
//!
//! `state/genesis/l1.json` -> `L1Genesis` -> `StateSnapshot` (plus the dev accounts' balances).

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, Bytes, U256};
use anyhow::Context as _;
use revm::bytecode::Bytecode;
use serde::{Deserialize, Serialize};

use crate::{accounts::DevAccount, storage::StateSnapshot};

/// `state/genesis/l1.json`, written by `node state/genesis.mjs` (`--check` in `test.sh` keeps it
/// in step with the contracts).
const L1_GENESIS_JSON: &str = include_str!("../../state/genesis/l1.json");

/// The pre-built L1 genesis.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L1Genesis {
    /// Chain id of the anvil it was built on (31337).
    pub l1_chain_id: u64,
    /// The L2 chain registered in the Bridgehub (270).
    pub l2_chain_id: u64,
    /// Deployer and owner/admin of every contract (a fixed key, not a dev account).
    pub governor: Address,
    /// The governor's key (public, like every devnet key).
    pub governor_private_key: B256,
    /// Validator of the L2 chain: dev account #9.
    pub operator: Address,
    /// Whether the verifier accepts fake proofs.
    pub mock_verifier: bool,
    /// Where the contracts are.
    pub contracts: L1Contracts,
    /// Every account besides the plain dev accounts: contracts, governor, operator.
    pub alloc: BTreeMap<Address, GenesisAccount>,
}

/// Addresses of the rollup contracts on the L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L1Contracts {
    /// Chain registry and entry point for L1->L2 txs.
    pub bridgehub: Address,
    /// The L2 chain's contract (the "diamond proxy" of the real system).
    pub zk_chain: Address,
    /// Batch proof verifier.
    pub verifier: Address,
    /// Proves withdrawals and failed deposits, each once.
    pub l1_nullifier: Address,
    /// The shared bridge (`Bridgehub.sharedBridge()`).
    pub l1_asset_router: Address,
    /// Holds ETH and ERC-20s sent to the L2, pays withdrawals (`L1AssetRouter.nativeTokenVault()`).
    pub l1_native_token_vault: Address,
    /// Where settlement calls go (forwards to the chain).
    pub validator_timelock: Address,
    /// The chain type manager.
    pub chain_type_manager: Address,
}

/// One account of the genesis.
#[derive(Debug, Clone, Deserialize)]
pub struct GenesisAccount {
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Deployed code (`0x` for EOAs).
    pub code: Bytes,
    /// Non-zero storage slots.
    pub storage: BTreeMap<U256, U256>,
}

impl L1Genesis {
    /// The genesis embedded in the binary.
    pub fn embedded() -> anyhow::Result<Self> {
        serde_json::from_str(L1_GENESIS_JSON).context("the embedded L1 genesis does not parse")
    }

    /// The L1 state at block 0: the genesis accounts, then each dev account funded with
    /// `balance` (its nonce and code, if the genesis has any, are kept).
    pub fn state(&self, accounts: &[DevAccount], balance: U256) -> StateSnapshot {
        self.state_over(None, accounts, balance)
    }

    /// `state` over a forked L1 (`--l1-fork-url`): the rollup contracts and the funding on top
    /// of the remote's state. Reads the remote: call it off the async workers.
    pub fn state_over(
        &self,
        fork: Option<crate::fork::Fork>,
        accounts: &[DevAccount],
        balance: U256,
    ) -> StateSnapshot {
        let mut state = StateSnapshot::forked(fork);
        self.put_alloc(&mut state, |_| true);
        for account in accounts {
            state.account_mut(account.address).info.balance = balance;
        }
        state
    }

    /// Writes the genesis accounts `keep` keeps into `state`, over what it holds there.
    pub(crate) fn put_alloc(&self, state: &mut StateSnapshot, keep: impl Fn(&Address) -> bool) {
        for (address, account) in self.alloc.iter().filter(|(a, _)| keep(a)) {
            let info = &mut state.account_mut(*address).info;
            info.balance = account.balance;
            info.nonce = account.nonce;
            if !account.code.is_empty() {
                state.set_code(*address, Bytecode::new_raw(account.code.clone()));
            }
            for (slot, value) in &account.storage {
                state.set_storage(*address, *slot, *value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_genesis_has_the_contracts_with_code_and_storage() {
        let genesis = L1Genesis::embedded().unwrap();
        assert_eq!((genesis.l1_chain_id, genesis.l2_chain_id), (31337, 270));
        let state = genesis.state(&[], U256::ZERO);
        let c = genesis.contracts;
        for address in [
            c.bridgehub,
            c.zk_chain,
            c.verifier,
            c.l1_nullifier,
            c.l1_asset_router,
            c.l1_native_token_vault,
            c.validator_timelock,
            c.chain_type_manager,
        ] {
            assert!(!state.code(&address).is_empty(), "no code at {address}");
        }
        // The Bridgehub owns a chain registry: it has storage.
        assert!(!genesis.alloc[&c.bridgehub].storage.is_empty());
        assert!(state.balance(&genesis.governor) > U256::ZERO);
    }
}
