//! The deployment's wiring after the creations (`deploy.mjs`'s calls: shared bridge, chain
//! registration, validators, prover key) plus the genesis batch, each read back first and sent
//! only when the L1 does not show it yet; and the constructor parameters, which must match.
//!
//! `(L1, DeployParams, L1Contracts) -> wired contracts`

use alloy_network::TransactionBuilder as _;
use alloy_primitives::{Address, U256, keccak256};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall, SolValue as _};
use anyhow::ensure;

use super::{
    DeployParams,
    bindings::{Bridgehub, L1AssetRouter, L1Nullifier, ValidatorTimelock, Verifier, ZKChain},
    client::L1Client,
};
use crate::{abi::IZKChain, l1::L1Contracts};

/// What the constructors fixed must be what `params` asks for: these cannot be changed later.
pub(super) async fn check_constructor_params(
    l1: &L1Client,
    params: &DeployParams,
    at: &L1Contracts,
) -> anyhow::Result<()> {
    let fresh_l1 = "use a fresh L1 or another deployer";
    let chain_id = l1.view(at.zk_chain, ZKChain::getChainIdCall {}).await?;
    ensure!(
        chain_id == U256::from(params.l2_chain_id),
        "the chain contract {} on the L1 at {} is for L2 chain {chain_id}, not {}: {fresh_l1}",
        at.zk_chain,
        l1.url,
        params.l2_chain_id
    );
    let mock = l1.view(at.verifier, Verifier::mockVerifierCall {}).await?;
    ensure!(
        mock == params.mock_verifier,
        "the verifier {} on the L1 at {} was deployed with mock verification {}: {fresh_l1}",
        at.verifier,
        l1.url,
        if mock { "on" } else { "off" }
    );
    let price = l1
        .view(at.zk_chain, ZKChain::getMinimalL2GasPriceCall {})
        .await?;
    ensure!(
        price == U256::from(params.min_l2_gas_price),
        "the chain contract {} on the L1 at {} has a minimal L2 gas price of {price} wei, not {}: \
         {fresh_l1}",
        at.zk_chain,
        l1.url,
        params.min_l2_gas_price
    );
    Ok(())
}

/// `deploy.mjs`'s calls after the creations, each sent only if the L1 does not already show
/// its effect: on a fresh deployment that is all of them, in the same order; on a found one,
/// none (or what `params` changed: operator, prover, genesis batch).
pub(super) async fn wire(
    l1: &L1Client,
    params: &DeployParams,
    at: &L1Contracts,
) -> anyhow::Result<()> {
    let chain_id = U256::from(params.l2_chain_id);

    let shared_bridge = l1
        .view(at.bridgehub, Bridgehub::sharedBridgeCall {})
        .await?;
    let nullifier = l1.view(at.bridgehub, Bridgehub::l1NullifierCall {}).await?;
    if (shared_bridge, nullifier) != (at.l1_asset_router, at.l1_nullifier) {
        let call = Bridgehub::setSharedBridgeCall {
            assetRouter: at.l1_asset_router,
            l1Nullifier: at.l1_nullifier,
        };
        call_as_deployer(l1, params, at.bridgehub, "Bridgehub.setSharedBridge", call).await?;
    }

    let registered = l1
        .view(
            at.bridgehub,
            Bridgehub::getZKChainCall { chainId: chain_id },
        )
        .await?;
    if registered == Address::ZERO {
        let call = Bridgehub::registerChainCall {
            chainId: chain_id,
            zkChain: at.zk_chain,
            chainTypeManager: at.chain_type_manager,
        };
        call_as_deployer(l1, params, at.bridgehub, "Bridgehub.registerChain", call).await?;
    } else {
        ensure!(
            registered == at.zk_chain,
            "chain {} is registered at {registered} in the Bridgehub {} on the L1 at {}, not at \
             {}",
            params.l2_chain_id,
            at.bridgehub,
            l1.url,
            at.zk_chain
        );
    }

    for (validator, who) in [
        (params.operator, "operator"),
        (at.validator_timelock, "timelock"),
    ] {
        if !l1
            .view(
                at.zk_chain,
                ZKChain::isValidatorCall {
                    _address: validator,
                },
            )
            .await?
        {
            let call = ZKChain::setValidatorCall {
                _validator: validator,
                _active: true,
            };
            let step = format!("ZKChain.setValidator({who} {validator})");
            call_as_deployer(l1, params, at.zk_chain, &step, call).await?;
        }
    }
    let timelock_knows_operator = l1
        .view(
            at.validator_timelock,
            ValidatorTimelock::isValidatorCall {
                chain: at.zk_chain,
                validator: params.operator,
            },
        )
        .await?;
    if !timelock_knows_operator {
        let call = ValidatorTimelock::setValidatorCall {
            chain: at.zk_chain,
            validator: params.operator,
            active: true,
        };
        let step = format!(
            "ValidatorTimelock.setValidator(operator {})",
            params.operator
        );
        call_as_deployer(l1, params, at.validator_timelock, &step, call).await?;
    }

    let vault = at.l1_native_token_vault;
    if l1
        .view(at.l1_asset_router, L1AssetRouter::nativeTokenVaultCall {})
        .await?
        != vault
    {
        let call = L1AssetRouter::setNativeTokenVaultCall { vault };
        call_as_deployer(
            l1,
            params,
            at.l1_asset_router,
            "L1AssetRouter.setNativeTokenVault",
            call,
        )
        .await?;
    }
    if l1
        .view(at.l1_nullifier, L1Nullifier::l1AssetRouterCall {})
        .await?
        != at.l1_asset_router
    {
        let call = L1Nullifier::setL1AssetRouterCall {
            l1AssetRouter: at.l1_asset_router,
        };
        call_as_deployer(
            l1,
            params,
            at.l1_nullifier,
            "L1Nullifier.setL1AssetRouter",
            call,
        )
        .await?;
    }
    if l1
        .view(at.l1_nullifier, L1Nullifier::l1NativeTokenVaultCall {})
        .await?
        != vault
    {
        let call = L1Nullifier::setL1NativeTokenVaultCall { vault };
        call_as_deployer(
            l1,
            params,
            at.l1_nullifier,
            "L1Nullifier.setL1NativeTokenVault",
            call,
        )
        .await?;
    }

    if let Some(prover) = params.prover
        && !l1
            .view(at.verifier, Verifier::isProverCall { prover })
            .await?
    {
        let call = Verifier::setProverCall {
            prover,
            allowed: true,
        };
        let step = format!("Verifier.setProver({prover})");
        call_as_deployer(l1, params, at.verifier, &step, call).await?;
    }

    let genesis = keccak256(params.genesis_stored_batch.abi_encode());
    let stored = l1
        .view(
            at.zk_chain,
            IZKChain::storedBatchHashCall {
                batchNumber: U256::ZERO,
            },
        )
        .await?;
    if stored != genesis {
        let committed = l1
            .view(at.zk_chain, IZKChain::getTotalBatchesCommittedCall {})
            .await?;
        ensure!(
            committed == U256::ZERO,
            "the chain contract {} on the L1 at {} has {committed} batches committed on another \
             genesis batch (hash {stored}, this L2's is {genesis}): use a fresh L1",
            at.zk_chain,
            l1.url
        );
        let call = ZKChain::setGenesisBatchCall {
            _genesisBatch: params.genesis_stored_batch.clone(),
        };
        call_as_deployer(l1, params, at.zk_chain, "ZKChain.setGenesisBatch", call).await?;
    }
    Ok(())
}

async fn call_as_deployer(
    l1: &L1Client,
    params: &DeployParams,
    to: Address,
    step: &str,
    call: impl SolCall,
) -> anyhow::Result<()> {
    let tx = TransactionRequest::default()
        .with_from(params.deployer.address())
        .with_to(to)
        .with_call(&call);
    l1.send(step, tx).await.map(drop)
}
