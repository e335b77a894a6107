//! Every L2 on the embedded L1: the pre-built genesis (`state/genesis/l1.json`) registers chain
//! 270; each other L2 of the devnet (`--chains`, `--chain-id`) gets its own chain contract,
//! created and wired in the L1's genesis state as `deploy.mjs` wires chain 270 (created by the
//! governor, `Bridgehub.registerChain`, its operator and the timelock as validators, the
//! operator on the timelock), by running those calls through revm before block 0.
//!
//! `(L1 genesis state, L2 chain ids) -> that state with every chain registered, and each
//! chain's L1 side (its contracts, operator, admin)`
//!
//! Each extra chain has its own operator (a fixed key per chain id, funded at genesis), which
//! is also its chain admin: the L1 senders of two chains never share an account, so their
//! nonces never race.

use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall as _, sol};
use anyhow::Context as _;
use revm::{
    Context, ExecuteCommitEvm as _, MainBuilder as _, MainContext as _,
    context::{BlockEnv, CfgEnv, TxEnv, result::ExecutionResult},
};

use super::{L1Contracts, L1Genesis};
use crate::{
    accounts::DevAccount,
    storage::state::{StateDb, StateSnapshot},
};

sol! {
    function getZKChain(uint256 chainId) view returns (address);
    function registerChain(uint256 chainId, address zkChain, address chainTypeManager);
    /// `ZKChain` (by the chain admin).
    interface ChainAdmin {
        function setValidator(address validator, bool active);
    }
    /// `ValidatorTimelock` (by its owner, the governor).
    interface Timelock {
        function setValidator(address chain, address validator, bool active);
    }
}

/// What an extra chain's operator holds on the L1 at genesis: 10,000 ETH, as the governor.
fn operator_balance() -> U256 {
    U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18u64))
}

/// One L2 as the L1 knows it.
#[derive(Debug, Clone)]
pub struct ChainOnL1 {
    /// The L2's chain id.
    pub chain_id: u64,
    /// The shared contracts, with this chain's own `zk_chain`.
    pub contracts: L1Contracts,
    /// Its validator: sends commit, prove and execute.
    pub operator: PrivateKeySigner,
    /// Its chain admin: sets its genesis batch before batch 1.
    pub admin: PrivateKeySigner,
}

/// The operator (and chain admin) of an L2 the pre-built genesis does not register: key
/// `keccak256("zkos-dev L1 operator of chain <id>")`, public like every devnet key.
pub fn operator_signer(chain_id: u64) -> PrivateKeySigner {
    let key = keccak256(format!("zkos-dev L1 operator of chain {chain_id}"));
    PrivateKeySigner::from_bytes(&key).expect("a keccak digest is a valid secp256k1 key")
}

impl L1Genesis {
    /// Registers in `state` (the L1 at genesis) every chain of `chain_ids` the pre-built genesis
    /// does not, in order, and returns each chain's L1 side. The genesis's own chain keeps its
    /// contract, with dev account #9 as operator (it must be among `accounts`) and the
    /// governor as admin. Same ids in the same order, same addresses.
    pub fn register_chains(
        &self,
        state: &mut StateSnapshot,
        chain_ids: &[u64],
        accounts: &[DevAccount],
    ) -> anyhow::Result<Vec<ChainOnL1>> {
        self.register_chains_on(state, self.l1_chain_id, chain_ids, accounts)
    }

    /// [`Self::register_chains`] on the genesis state of the chain `host` (the L1, or a
    /// Gateway holding the same contracts).
    pub(crate) fn register_chains_on(
        &self,
        state: &mut StateSnapshot,
        host: u64,
        chain_ids: &[u64],
        accounts: &[DevAccount],
    ) -> anyhow::Result<Vec<ChainOnL1>> {
        let mut genesis = Runner {
            state,
            chain_id: host,
        };
        chain_ids
            .iter()
            .map(|&chain_id| match chain_id == self.l2_chain_id {
                true => self.own_chain(accounts),
                false => self.register(&mut genesis, chain_id),
            })
            .collect()
    }

    /// The chain the pre-built genesis registers.
    pub fn own_chain(&self, accounts: &[DevAccount]) -> anyhow::Result<ChainOnL1> {
        let operator = accounts
            .iter()
            .find(|a| a.address == self.operator)
            .context("the L1 operator (dev account #9) is not a dev account: keep --accounts at 10 or more")?
            .signer();
        Ok(ChainOnL1 {
            chain_id: self.l2_chain_id,
            contracts: self.contracts,
            operator,
            admin: PrivateKeySigner::from_bytes(&self.governor_private_key)
                .context("L1 governor key")?,
        })
    }

    fn register(&self, genesis: &mut Runner<'_>, chain_id: u64) -> anyhow::Result<ChainOnL1> {
        let operator = operator_signer(chain_id);
        let admin = operator.address();
        genesis.state.account_mut(admin).info.balance = operator_balance();
        let shared = self.contracts;
        let code = crate::l1::deploy::zk_chain_creation(chain_id, &shared, admin)?;
        let zk_chain = genesis
            .run(self.governor, TxKind::Create, code)
            .with_context(|| format!("creating the chain contract of chain {chain_id}"))?
            .context("no contract created")?;
        let calls = [
            (
                self.governor,
                shared.bridgehub,
                registerChainCall {
                    chainId: U256::from(chain_id),
                    zkChain: zk_chain,
                    chainTypeManager: shared.chain_type_manager,
                }
                .abi_encode(),
            ),
            (
                admin,
                zk_chain,
                ChainAdmin::setValidatorCall {
                    validator: admin,
                    active: true,
                }
                .abi_encode(),
            ),
            (
                admin,
                zk_chain,
                ChainAdmin::setValidatorCall {
                    validator: shared.validator_timelock,
                    active: true,
                }
                .abi_encode(),
            ),
            (
                self.governor,
                shared.validator_timelock,
                Timelock::setValidatorCall {
                    chain: zk_chain,
                    validator: admin,
                    active: true,
                }
                .abi_encode(),
            ),
        ];
        for (from, to, input) in calls {
            genesis
                .run(from, TxKind::Call(to), input.into())
                .with_context(|| format!("registering chain {chain_id} on the L1"))?;
        }
        Ok(ChainOnL1 {
            chain_id,
            contracts: L1Contracts { zk_chain, ..shared },
            admin: operator.clone(),
            operator,
        })
    }
}

/// Runs calls on the L1's genesis state, free of gas fees, each committed before the next.
pub(super) struct Runner<'a> {
    pub(super) state: &'a mut StateSnapshot,
    pub(super) chain_id: u64,
}

impl Runner<'_> {
    /// Runs one call (or creation) from `from`; the created contract's address, if any.
    pub(super) fn run(
        &mut self,
        from: Address,
        kind: TxKind,
        input: Bytes,
    ) -> anyhow::Result<Option<Address>> {
        let mut cfg = CfgEnv::new_with_spec(revm::primitives::hardfork::SpecId::CANCUN);
        cfg.chain_id = self.chain_id;
        cfg.disable_base_fee = true;
        cfg.disable_block_gas_limit = true;
        let db = StateDb {
            state: std::mem::take(self.state),
            block_hashes: std::sync::Arc::new(|_| B256::ZERO),
        };
        let mut evm = Context::mainnet()
            .with_db(db)
            .with_block(BlockEnv::default())
            .with_cfg(cfg)
            .build_mainnet();
        let tx = TxEnv {
            caller: from,
            kind,
            data: input,
            gas_limit: 30_000_000,
            gas_price: 0,
            nonce: evm.ctx.journaled_state.database.state.nonce(&from),
            chain_id: Some(self.chain_id),
            ..Default::default()
        };
        let result = evm.transact_commit(tx);
        *self.state = std::mem::take(&mut evm.ctx.journaled_state.database.state);
        match result.map_err(|e| anyhow::anyhow!("{e:?}"))? {
            ExecutionResult::Success { output, .. } => Ok(output.address().copied()),
            failed => anyhow::bail!("failed: {failed:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extra_chain_gets_its_own_contract_and_keeps_the_genesis_one() {
        let genesis = L1Genesis::embedded().unwrap();
        let accounts = crate::accounts::dev_accounts(&crate::Config::default().accounts).unwrap();
        let mut state = genesis.state(&accounts, U256::from(1));
        let chains = genesis
            .register_chains(&mut state, &[270, 271, 272], &accounts)
            .unwrap();
        assert_eq!(chains[0].contracts, genesis.contracts);
        assert_eq!(chains[0].operator.address(), genesis.operator);
        for chain in &chains[1..] {
            assert_ne!(chain.contracts.zk_chain, genesis.contracts.zk_chain);
            assert!(!state.code(&chain.contracts.zk_chain).is_empty());
            assert_eq!(chain.contracts.bridgehub, genesis.contracts.bridgehub);
            assert_eq!(state.balance(&chain.operator.address()), operator_balance());
        }
        assert_ne!(chains[1].contracts.zk_chain, chains[2].contracts.zk_chain);
        // Same ids, same addresses.
        let mut again = genesis.state(&accounts, U256::from(1));
        let same = genesis
            .register_chains(&mut again, &[270, 271, 272], &accounts)
            .unwrap();
        assert_eq!(same[2].contracts, chains[2].contracts);
    }
}
