//! The Gateway's genesis (`--gateway`): the rollup contracts of the L1 genesis, the same code at
//! the same addresses, put into the Gateway's genesis state, and every L2 that settles on it
//! registered there as on the L1 (`register_chains`, run through revm before block 0). Each
//! L2's chain contract on the Gateway takes its commit, prove and execute calls.
//!
//! `(the Gateway's genesis state, the L2s' chain ids) -> that state with the contracts and the
//! L2s registered, and each L2's side on the Gateway (contracts, operator, admin)`
//!
//! The Gateway also holds the MessageRoot (`0x…10005`, as on a real Gateway, an L2 system
//! contract there), named by its Bridgehub (`messageRoot()`), with every L2 added: executing
//! an L2's batch appends its logs root there, which makes the Gateway's interop roots.
//!
//! On the Gateway every chain's admin is its operator: the governor, who owns the Gateway's
//! Bridgehub, relays the L2s' L1 requests (`relay`), so no two senders share an account.

use std::collections::HashSet;

use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_sol_types::{SolCall as _, sol};

use super::{ChainOnL1, L1Genesis, chains::Runner};
use crate::{
    accounts::DevAccount,
    interop::{IBridgehubMessageRoot, IMessageRoot, MESSAGE_ROOT},
    storage::StateSnapshot,
};

const MESSAGE_ROOT_JSON: &str = include_str!("../../state/artifacts/MessageRoot.json");

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
        self.message_root(state, gateway, chain_ids)?;
        Ok(chains)
    }

    /// Puts the MessageRoot at `0x…10005` with every L2 of `chain_ids` in it, and names it in
    /// the Bridgehub (both by the governor, who owns the Gateway's Bridgehub).
    fn message_root(
        &self,
        state: &mut StateSnapshot,
        gateway: u64,
        chain_ids: &[u64],
    ) -> anyhow::Result<()> {
        let code = crate::genesis::runtime_code(MESSAGE_ROOT_JSON)?;
        state.set_code(MESSAGE_ROOT, revm::bytecode::Bytecode::new_raw(code));
        let mut calls: Vec<(Address, Bytes)> = vec![(
            MESSAGE_ROOT,
            IMessageRoot::initializeCall {
                bridgehub: self.contracts.bridgehub,
            }
            .abi_encode()
            .into(),
        )];
        for id in chain_ids {
            let call = IMessageRoot::addNewChainCall {
                chainId: U256::from(*id),
            };
            calls.push((MESSAGE_ROOT, call.abi_encode().into()));
        }
        let wire = IBridgehubMessageRoot::setMessageRootCall {
            messageRoot: MESSAGE_ROOT,
        };
        calls.push((self.contracts.bridgehub, wire.abi_encode().into()));
        let mut runner = Runner {
            state,
            chain_id: gateway,
        };
        for (to, input) in calls {
            runner
                .run(self.governor, TxKind::Call(to), input)
                .map_err(|e| e.context("the Gateway's MessageRoot"))?;
        }
        Ok(())
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
        // The MessageRoot holds the Gateway (index 0) and the L2s, in order.
        assert!(!state.code(&MESSAGE_ROOT).is_empty());
        // Dev account #9 (chain 270's operator) keeps the Gateway's own balance.
        assert_eq!(state.balance(&genesis.operator), U256::from(7));
    }
}
