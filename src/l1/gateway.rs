//! The Gateway's genesis (`--gateway`): the rollup contracts of the L1 genesis, the same code at
//! the same addresses, put into the Gateway's genesis state, and every L2 that settles on it
//! registered there as on the L1 (`register_chains`, run through revm before block 0). Each
//! L2's chain contract on the Gateway takes its commit, prove and execute calls.
//!
//! `(the Gateway's genesis state, the L2s' chain ids) -> that state with the contracts and the
//! L2s registered, and each L2's side on the Gateway (contracts, operator, admin)`
//!
//! On the Gateway every chain's admin is its operator: the governor, who owns the Gateway's
//! Bridgehub, relays the L2s' L1 requests (`relay`), so no two senders share an account.

use std::collections::HashSet;

use alloy_primitives::{Address, TxKind};
use alloy_sol_types::{SolCall as _, sol};

use super::{ChainOnL1, L1Genesis, chains::Runner};
use crate::{accounts::DevAccount, storage::StateSnapshot};

sol! {
    /// `ZKChain` (by the chain admin).
    function setAdmin(address newAdmin);
}

impl L1Genesis {
    /// Puts the rollup contracts into `state`, the genesis of the Gateway (chain `gateway`),
    /// and registers there every chain of `chain_ids` (the L2s settling on it, in order);
    /// returns each one's side on the Gateway. The dev accounts keep the balances `state`
    /// gives them. Same ids in the same order, same addresses.
    pub fn gateway_genesis(
        &self,
        state: &mut StateSnapshot,
        gateway: u64,
        chain_ids: &[u64],
        accounts: &[DevAccount],
    ) -> anyhow::Result<Vec<ChainOnL1>> {
        let dev: HashSet<Address> = accounts.iter().map(|a| a.address).collect();
        self.put_alloc(state, |address| !dev.contains(address));
        let mut chains = self.register_chains_on(state, gateway, chain_ids, accounts)?;
        for chain in &mut chains {
            if chain.admin.address() == chain.operator.address() {
                continue;
            }
            let mut runner = Runner {
                state: &mut *state,
                chain_id: gateway,
            };
            let call = setAdminCall {
                newAdmin: chain.operator.address(),
            };
            runner
                .run(
                    chain.admin.address(),
                    TxKind::Call(chain.contracts.zk_chain),
                    call.abi_encode().into(),
                )
                .map_err(|e| {
                    e.context(format!("chain {} on the Gateway: setAdmin", chain.chain_id))
                })?;
            chain.admin = chain.operator.clone();
        }
        Ok(chains)
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::U256;

    use super::*;

    #[test]
    fn the_gateway_holds_the_contracts_and_registers_every_l2() {
        let genesis = L1Genesis::embedded().unwrap();
        let accounts = crate::accounts::dev_accounts(&crate::Config::default().accounts).unwrap();
        let mut state = StateSnapshot::forked(None);
        for account in &accounts {
            state.account_mut(account.address).info.balance = U256::from(7);
        }
        let chains = genesis
            .gateway_genesis(&mut state, 506, &[270, 271], &accounts)
            .unwrap();
        let c = genesis.contracts;
        for address in [c.bridgehub, c.verifier, c.validator_timelock, c.zk_chain] {
            assert!(!state.code(&address).is_empty(), "no code at {address}");
        }
        assert_eq!(chains[0].contracts, c);
        assert_ne!(chains[1].contracts.zk_chain, c.zk_chain);
        assert!(!state.code(&chains[1].contracts.zk_chain).is_empty());
        for chain in &chains {
            assert_eq!(chain.admin.address(), chain.operator.address());
        }
        // Dev account #9 (chain 270's operator) keeps the Gateway's own balance.
        assert_eq!(state.balance(&genesis.operator), U256::from(7));
    }
}
