//! ETH for the deployment: the deployer's gas (and what it sends the nullifier) and the
//! operator's settlement budget, from the funder when one is given.
//!
//! `(L1, DeployParams) -> deployer and operator funded`

use alloy_network::TransactionBuilder as _;
use alloy_primitives::{Address, U256};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer_local::PrivateKeySigner;
use anyhow::bail;

use super::{
    DEPLOYMENT_GAS, DeployParams, GAS_PRICE_HEADROOM, OPERATOR_MIN_BALANCE, OPERATOR_TOP_UP,
    WIRING_GAS, client::L1Client,
};

/// Makes sure the deployer can pay for what it is about to send: from the funder if there is
/// one, else an error up front when a deployment would run out of ETH half-way.
pub(super) async fn fund_deployer(
    l1: &L1Client,
    params: &DeployParams,
    deploying: bool,
) -> anyhow::Result<()> {
    let deployer = params.deployer.address();
    let (gas, value) = if deploying {
        (DEPLOYMENT_GAS, params.fund_vault)
    } else {
        (WIRING_GAS, U256::ZERO)
    };
    let gas_price = l1.gas_price().await?.max(1);
    let need = U256::from(gas) * U256::from(gas_price.saturating_mul(GAS_PRICE_HEADROOM)) + value;
    let balance = l1.balance(deployer).await?;
    if balance >= need {
        return Ok(());
    }
    match &params.funder {
        Some(funder) => top_up(l1, funder, deployer, "the deployer", need - balance).await,
        None if deploying => bail!(
            "the deployer {deployer} holds {balance} wei on the L1 at {}; deploying the rollup \
             contracts needs about {need} wei: send it ETH",
            l1.url
        ),
        // A found deployment usually sends nothing; if it must, the tx fails with the L1's reason.
        None => Ok(()),
    }
}

/// Tops the operator up for settlement, or warns when it is short and nobody can fund it.
pub(super) async fn fund_operator(l1: &L1Client, params: &DeployParams) -> anyhow::Result<()> {
    let balance = l1.balance(params.operator).await?;
    if balance >= OPERATOR_MIN_BALANCE {
        return Ok(());
    }
    match &params.funder {
        Some(funder) => {
            top_up(
                l1,
                funder,
                params.operator,
                "the operator",
                OPERATOR_TOP_UP - balance,
            )
            .await
        }
        None => {
            tracing::warn!(
                l1 = %l1.url, operator = %params.operator, %balance,
                "the operator holds less than 1 ETH on the L1: settlement txs may fail"
            );
            Ok(())
        }
    }
}

async fn top_up(
    l1: &L1Client,
    funder: &PrivateKeySigner,
    to: Address,
    who: &str,
    amount: U256,
) -> anyhow::Result<()> {
    if funder.address() == to {
        return Ok(());
    }
    let tx = TransactionRequest::default()
        .with_from(funder.address())
        .with_to(to)
        .with_value(amount);
    let step = format!(
        "funding {who} {to} with {amount} wei from {}",
        funder.address()
    );
    l1.send(&step, tx).await.map(drop)
}
