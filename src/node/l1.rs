//! The L1 the devnet settles on, resolved once from the config: none (`--no-l1`), the embedded
//! one (the pre-built genesis), or an external one given by URL (its contracts found or deployed);
//! and each L2's side on it (`l1_side`: its chain contract, operator and admin).

use alloy_primitives::U256;
use alloy_provider::{Provider as _, ProviderBuilder};
use anyhow::Context as _;

use super::chain::RunningChain;
use crate::{
    Config, L1Config,
    accounts::DevAccount,
    config::ExternalL1,
    l1::{ChainOnL1, L1Contracts, L1Genesis, deploy},
    rpc::zks::ZksInfo,
    storage::StateSnapshot,
};

/// Which L1, before anything runs.
pub(super) enum L1Setup<'a> {
    /// `--no-l1`: an L2 alone.
    None,
    /// The embedded L1 on its own port.
    Embedded {
        config: &'a L1Config,
        genesis: L1Genesis,
    },
    /// An L1 given by URL (`--l1-rpc`).
    External {
        config: &'a L1Config,
        genesis: L1Genesis,
        /// Boxed: its contracts for every chain make it the largest variant by far.
        target: Box<ExternalTarget>,
    },
}

impl<'a> L1Setup<'a> {
    /// Reads the embedded genesis (it also names the operator and the admin for an external L1)
    /// and, for an external L1, reaches it and finds or deploys the contracts there, for every
    /// L2 of `l2_chain_ids` (the first one first).
    pub(super) async fn resolve(
        config: Option<&'a L1Config>,
        l2_chain_ids: &[u64],
        accounts: &[DevAccount],
    ) -> anyhow::Result<Self> {
        let Some(config) = config else {
            return Ok(Self::None);
        };
        let genesis = L1Genesis::embedded()?;
        Ok(match &config.external {
            None => Self::Embedded { config, genesis },
            Some(ext) => {
                let target = external_l1(ext, l2_chain_ids, accounts, &genesis).await?;
                Self::External {
                    config,
                    genesis,
                    target: Box::new(target),
                }
            }
        })
    }

    pub(super) fn config(&self) -> Option<&'a L1Config> {
        match self {
            Self::None => None,
            Self::Embedded { config, .. } | Self::External { config, .. } => Some(config),
        }
    }

    pub(super) fn genesis(&self) -> Option<&L1Genesis> {
        match self {
            Self::None => None,
            Self::Embedded { genesis, .. } | Self::External { genesis, .. } => Some(genesis),
        }
    }

    pub(super) fn external(&self) -> Option<&ExternalTarget> {
        match self {
            Self::External { target, .. } => Some(target),
            _ => None,
        }
    }

    /// What the L2's `zks_` methods report of the L1 (`None` without an L1).
    pub(super) fn zks_info(&self) -> Option<ZksInfo> {
        match self {
            Self::None => None,
            Self::Embedded { config, genesis } => Some(ZksInfo {
                l1_chain_id: config.chain.chain_id,
                contracts: genesis.contracts,
                l1_gas_price: config.chain.base_fee,
            }),
            Self::External { config, target, .. } => Some(ZksInfo {
                l1_chain_id: target.chain_id,
                contracts: target.contracts,
                l1_gas_price: config.chain.base_fee,
            }),
        }
    }

    /// Where the L2 bridge points on L1; an L2 without an L1 gets the embedded genesis's, as if
    /// the L1 were there.
    pub(super) fn bridge(&self) -> anyhow::Result<crate::genesis::L1Bridge> {
        Ok(match self.zks_info() {
            Some(info) => crate::genesis::L1Bridge {
                asset_router: info.contracts.l1_asset_router,
                chain_id: info.l1_chain_id,
            },
            None => {
                let genesis = L1Genesis::embedded()?;
                crate::genesis::L1Bridge {
                    asset_router: genesis.contracts.l1_asset_router,
                    chain_id: genesis.l1_chain_id,
                }
            }
        })
    }
}

/// The L1 the rollup settles on: the embedded one while it runs, or an external one.
pub(super) struct RunningL1 {
    /// The embedded chain (`None` for `--l1-rpc`).
    pub(super) chain: Option<RunningChain>,
    /// Its JSON-RPC URL.
    pub(super) url: String,
    pub(super) contracts: L1Contracts,
}

/// An external L1 (`--l1-rpc`) once its contracts are found or deployed.
pub(super) struct ExternalTarget {
    pub(super) url: String,
    pub(super) chain_id: u64,
    /// The first L2's.
    pub(super) contracts: L1Contracts,
    /// Those of the L2s after the first (`--chains`), in order: the same with their own
    /// chain contract.
    pub(super) more: Vec<L1Contracts>,
}

/// Finds the rollup contracts on an external L1, deploying them with `--l1-deploy`. The L1 is
/// asked for its chain id first, so that an unreachable or wrong one is refused with its cause
/// before any contract is looked for.
async fn external_l1(
    ext: &ExternalL1,
    l2_chain_ids: &[u64],
    accounts: &[DevAccount],
    genesis: &L1Genesis,
) -> anyhow::Result<ExternalTarget> {
    let url = deploy::rpc_url(&ext.url)?;
    let chain_id = deploy::reach(&url).await?;
    let (&l2_chain_id, more_ids) = l2_chain_ids.split_first().context("a devnet has an L2")?;
    anyhow::ensure!(
        !l2_chain_ids.contains(&chain_id),
        "the chain at {url} has chain id {chain_id}, the L2's own: point --l1-rpc at the L1 (an \
         anvil, say), not at an L2, or give the L2 another --chain-id"
    );
    let contracts = match (ext.bridgehub, ext.deploy) {
        (Some(bridgehub), _) => deploy::from_bridgehub(&url, bridgehub, l2_chain_id).await?,
        (None, true) => {
            let mut params = deploy::DeployParams::new(l2_chain_id, genesis.operator);
            // Dev account #0 pays for the deployment and backs withdrawals with 1,000 ETH.
            params.funder = accounts.first().map(DevAccount::signer);
            params.fund_vault = U256::from(1_000u64) * U256::from(10u64).pow(U256::from(18u64));
            deploy::find_or_deploy(&url, &params).await?
        }
        (None, false) => {
            let governor = deploy::governor_signer().address();
            let bridgehub = deploy::deterministic_addresses(governor).bridgehub;
            deploy::from_bridgehub(&url, bridgehub, l2_chain_id)
                .await
                .with_context(|| format!("chain {chain_id} has no rollup contracts where zkos-dev deploys them: pass --l1-deploy to deploy them, or --l1-bridgehub ADDRESS"))?
        }
    };
    // The L2s after the first: registered by zkos-dev (each with its own operator), found or,
    // with --l1-deploy, registered now.
    let mut more = Vec::with_capacity(more_ids.len());
    for &id in more_ids {
        let found = match ext.deploy {
            true => {
                let funder = accounts.first().map(DevAccount::signer);
                let operator = crate::l1::chains::operator_signer(id);
                deploy::register_chain(&url, &contracts, id, &operator, funder).await?
            }
            false => deploy::from_bridgehub(&url, contracts.bridgehub, id)
                .await
                .with_context(|| format!("pass --l1-deploy to register chain {id}"))?,
        };
        more.push(found);
    }
    Ok(ExternalTarget {
        url,
        chain_id,
        contracts,
        more,
    })
}

/// The L1 side of every L2: with the embedded L1, its genesis state with every L2 registered
/// (and every L2's genesis ETH backed in the vault, so any of it can be withdrawn); with an
/// external one, the one L2's contracts found there. Empty without an L1.
pub(super) fn l1_side(
    setup: &L1Setup<'_>,
    plans: &[super::l2s::L2Plan],
    l1_fork: Option<crate::fork::Fork>,
    accounts: &[DevAccount],
    config: &Config,
) -> anyhow::Result<(Option<StateSnapshot>, Vec<ChainOnL1>)> {
    let ids: Vec<u64> = plans.iter().map(|p| p.chain.chain_id).collect();
    match setup {
        L1Setup::None => Ok((None, vec![])),
        L1Setup::Embedded { genesis, .. } => {
            // On an L1 fork this reads the remote (blocking this worker, at start only).
            let mut state = genesis.state_over(l1_fork, accounts, config.accounts.balance);
            let on_l1 = genesis.register_chains(&mut state, &ids, accounts)?;
            if config.gateway.is_some() {
                genesis.put_zk_token(&mut state, accounts, config.accounts.balance)?;
            }
            let backing =
                config.accounts.balance * U256::from(accounts.len()) * U256::from(ids.len());
            state
                .account_mut(genesis.contracts.l1_native_token_vault)
                .info
                .balance = backing;
            Ok((Some(state), on_l1))
        }
        L1Setup::External {
            genesis, target, ..
        } => {
            // The first L2 as zkos-dev deploys it (dev account #9 its operator, the governor its
            // admin), each other one with an operator of its own, as on the embedded L1.
            let first = ChainOnL1 {
                chain_id: ids[0],
                contracts: target.contracts,
                ..genesis.own_chain(accounts)?
            };
            let more = ids[1..]
                .iter()
                .zip(&target.more)
                .map(|(&chain_id, &contracts)| {
                    let operator = crate::l1::chains::operator_signer(chain_id);
                    ChainOnL1 {
                        chain_id,
                        contracts,
                        admin: operator.clone(),
                        operator,
                    }
                });
            Ok((None, std::iter::once(first).chain(more).collect()))
        }
    }
}

/// Every L2 is registered on the L1 where its genesis put it: a data dir whose L1 was made
/// with other chains (another `--chains`, or a zkos-dev before them) is refused.
pub(super) async fn check_registered(
    running: &RunningL1,
    on_l1: &[ChainOnL1],
) -> anyhow::Result<()> {
    if running.chain.is_none() || on_l1.len() < 2 {
        return Ok(());
    }
    let l1 = ProviderBuilder::new().connect_http(running.url.parse()?);
    for chain in on_l1 {
        let call = crate::l1::chains::getZKChainCall {
            chainId: U256::from(chain.chain_id),
        };
        let found = l1
            .call(
                alloy_rpc_types_eth::TransactionRequest::default()
                    .to(chain.contracts.bridgehub)
                    .input(alloy_sol_types::SolCall::abi_encode(&call).into()),
            )
            .await
            .context("Bridgehub.getZKChain on the embedded L1")?;
        let found =
            <crate::l1::chains::getZKChainCall as alloy_sol_types::SolCall>::abi_decode_returns(
                &found,
            )?;
        anyhow::ensure!(
            found == chain.contracts.zk_chain,
            "the data dir's L1 does not register chain {} where --chains puts it (it was made \
             with other chains): start with the --chains it was made with, or use another \
             --data-dir",
            chain.chain_id
        );
    }
    Ok(())
}
