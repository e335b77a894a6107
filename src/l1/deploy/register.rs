//! One more L2 on a deployment of an external L1 (`--chains` with `--l1-rpc URL --l1-deploy`):
//! what `l1::chains` writes into the embedded L1's genesis, sent as txs. Its chain contract is
//! created by the deployer at its next nonce and registered in the Bridgehub; its operator
//! (also its chain admin) and the timelock become its validators, the operator the timelock's
//! for it. Each step is read back first and sent only when the L1 does not show it yet, so a
//! second start sends nothing.
//!
//! `(L1, the deployment, chain id, operator) -> the chain's contracts`

use alloy_network::TransactionBuilder as _;
use alloy_primitives::{Address, U256};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use anyhow::ensure;

use super::{
    DeployParams,
    bindings::{Bridgehub, ValidatorTimelock, ZKChain},
    client::L1Client,
    funding,
};
use crate::l1::L1Contracts;

/// Registers chain `chain_id` on the deployment `at` (or finds it registered), with `operator`
/// as its validator and admin; the deployer (the governor) creates and registers it. `funder`
/// tops up the deployer and the operator, as [`super::find_or_deploy`] does.
pub async fn register_chain(
    l1_rpc_url: &str,
    at: &L1Contracts,
    chain_id: u64,
    operator: &PrivateKeySigner,
    funder: Option<PrivateKeySigner>,
) -> anyhow::Result<L1Contracts> {
    let params = DeployParams {
        operator: operator.address(),
        funder,
        ..DeployParams::new(chain_id, operator.address())
    };
    let mut signers = vec![&params.deployer, operator];
    signers.extend(params.funder.as_ref());
    let l1 = L1Client::connect(l1_rpc_url, &signers).await?;
    let deployer = params.deployer.address();
    funding::fund_operator(&l1, &params).await?;

    let id = U256::from(chain_id);
    let mut zk_chain = l1
        .view(at.bridgehub, Bridgehub::getZKChainCall { chainId: id })
        .await?;
    if zk_chain == Address::ZERO {
        funding::fund_deployer(&l1, &params, true).await?;
        let code = super::zk_chain_creation(chain_id, at, operator.address())?;
        let tx = TransactionRequest::default()
            .with_from(deployer)
            .with_deploy_code(code);
        let step = format!("deploying the chain contract of chain {chain_id}");
        zk_chain = l1
            .send(&step, tx)
            .await?
            .contract_address
            .ok_or_else(|| anyhow::anyhow!("{step}: no contract created"))?;
        let call = Bridgehub::registerChainCall {
            chainId: id,
            zkChain: zk_chain,
            chainTypeManager: at.chain_type_manager,
        };
        let step = format!("Bridgehub.registerChain({chain_id})");
        send(&l1, deployer, at.bridgehub, &step, call).await?;
    }
    let registered_for = l1.view(zk_chain, ZKChain::getChainIdCall {}).await?;
    ensure!(
        registered_for == id,
        "the Bridgehub {} on the L1 at {} registers chain {chain_id} at {zk_chain}, a contract \
         for chain {registered_for}",
        at.bridgehub,
        l1.url
    );

    for (validator, who) in [
        (operator.address(), "operator"),
        (at.validator_timelock, "timelock"),
    ] {
        let is = l1
            .view(
                zk_chain,
                ZKChain::isValidatorCall {
                    _address: validator,
                },
            )
            .await?;
        if !is {
            let call = ZKChain::setValidatorCall {
                _validator: validator,
                _active: true,
            };
            let step = format!("ZKChain.setValidator({who} {validator}) of chain {chain_id}");
            send(&l1, operator.address(), zk_chain, &step, call).await?;
        }
    }
    let timelock_knows = l1
        .view(
            at.validator_timelock,
            ValidatorTimelock::isValidatorCall {
                chain: zk_chain,
                validator: operator.address(),
            },
        )
        .await?;
    if !timelock_knows {
        let call = ValidatorTimelock::setValidatorCall {
            chain: zk_chain,
            validator: operator.address(),
            active: true,
        };
        let step = format!("ValidatorTimelock.setValidator(operator of chain {chain_id})");
        send(&l1, deployer, at.validator_timelock, &step, call).await?;
    }
    Ok(L1Contracts { zk_chain, ..*at })
}

async fn send(
    l1: &L1Client,
    from: Address,
    to: Address,
    step: &str,
    call: impl SolCall,
) -> anyhow::Result<()> {
    let tx = TransactionRequest::default()
        .with_from(from)
        .with_to(to)
        .with_call(&call);
    l1.send(step, tx).await.map(drop)
}
