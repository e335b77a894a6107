//! Rollup contracts on an external L1 (`--l1-rpc URL`): finds them where the deployer's
//! nonces put them, or deploys and wires them exactly as `state/deploy.mjs` does (same
//! contracts, order, calls and nonces), so a fresh anvil gets the embedded genesis's addresses.
//!
//! `(L1 RPC URL, DeployParams) -> L1Contracts`
//!
//! Nonces 0..=6 of the deployer create Verifier, Bridgehub, L1Nullifier, L1AssetRouter,
//! ValidatorTimelock, ChainTypeManager and ZKChain; the wiring that follows (shared bridge,
//! chain registration, validators, prover, genesis batch) is read back first and only sent when
//! it differs, so a second run sends nothing and an interrupted run picks up where it stopped.

mod bindings;
mod client;

use alloy_eips::BlockId;
use alloy_network::TransactionBuilder as _;
use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolConstructor as _, SolValue as _};
use anyhow::{Context as _, bail, ensure};

pub use bindings::StoredBatchInfo;
use bindings::{
    Bridgehub, ChainTypeManager, L1AssetRouter, L1Nullifier, ValidatorTimelock, Verifier, ZKChain,
};
use client::L1Client;

use super::L1Contracts;

/// Gas the whole deployment takes, with headroom (measured: about 7.3M on anvil, see the
/// `l1_deploy` integration test). With the L1's gas price it sets how much ETH the deployer
/// needs before it starts.
pub const DEPLOYMENT_GAS: u64 = 10_000_000;
/// Gas for the wiring calls alone, with headroom (what a found deployment may still need).
pub const WIRING_GAS: u64 = 1_000_000;
/// The operator is topped up (when a funder is given) if it holds less than this: 1 ETH, about
/// 2,000 batches of settlement (commit + prove + execute, ~500k gas) at 1 gwei.
pub const OPERATOR_MIN_BALANCE: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// What a top-up brings the operator to: 10 ETH.
pub const OPERATOR_TOP_UP: U256 = U256::from_limbs([10_000_000_000_000_000_000, 0, 0, 0]);
/// The deployer may need gas at up to this many times the L1's gas price when it starts (fees
/// rise while it deploys; a tx needs `gas limit * max fee` up front).
const GAS_PRICE_HEADROOM: u128 = 3;

/// Who deploys and what the chain contract is initialised with.
#[derive(Debug, Clone)]
pub struct DeployParams {
    /// The L2 chain registered in the Bridgehub.
    pub l2_chain_id: u64,
    /// The L1 governor: deploys everything and owns it (owner and chain admin). Its nonces
    /// 0..=6 give the contract addresses.
    pub deployer: PrivateKeySigner,
    /// Validator of the chain (on the chain and on the timelock): sends settlement txs.
    pub operator: Address,
    /// Attestation key registered with `Verifier.setProver`, if any.
    pub prover: Option<Address>,
    /// Whether the verifier accepts fake proofs.
    pub mock_verifier: bool,
    /// The chain's minimal L2 gas price (wei): L1 -> L2 txs pay `l2GasLimit` times it.
    pub min_l2_gas_price: u128,
    /// Batch 0 of the chain ([`genesis_stored_batch`] of the L2 genesis state commitment); an
    /// existing deployment with a different one that has committed nothing is updated.
    pub genesis_stored_batch: StoredBatchInfo,
    /// ETH (wei) sent to the L1 nullifier when the contracts are deployed, to back ETH that
    /// exists on the L2 from genesis (withdrawals are paid from its balance).
    pub fund_nullifier: U256,
    /// Pays the deployer's gas (up to the L1's gas price times [`DEPLOYMENT_GAS`], times 3, plus
    /// `fund_nullifier`) and tops the operator up to [`OPERATOR_TOP_UP`] when it holds less than
    /// [`OPERATOR_MIN_BALANCE`]. `None`: both must already hold enough.
    pub funder: Option<PrivateKeySigner>,
}

impl DeployParams {
    /// The parameters `state/genesis.mjs` builds the embedded L1 genesis with: the governor
    /// deploys, no prover key, fake proofs accepted, minimal L2 gas price 1000 wei, genesis
    /// batch with a zero state commitment, nothing sent to the nullifier, no funder.
    pub fn new(l2_chain_id: u64, operator: Address) -> Self {
        Self {
            l2_chain_id,
            deployer: governor_signer(),
            operator,
            prover: None,
            mock_verifier: true,
            min_l2_gas_price: 1000,
            genesis_stored_batch: genesis_stored_batch(B256::ZERO),
            fund_nullifier: U256::ZERO,
            funder: None,
        }
    }
}

/// The L1 governor of zkos-dev: key `keccak256("zkos-dev L1 governor")` (public, like every
/// devnet key; not a dev account, so the dev accounts keep nonce 0), address
/// `0xd141F091db096Cfc606055ae458F83fD7E21665a`. It deployed the embedded genesis's contracts.
pub fn governor_signer() -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&keccak256("zkos-dev L1 governor"))
        .expect("the governor key is a valid secp256k1 key")
}

/// The genesis batch `state/lib/encoding.mjs` builds: batch 0 with the L2 state commitment,
/// no L1 txs (`priorityOperationsHash = keccak256("")`), everything else zero.
pub fn genesis_stored_batch(state_commitment: B256) -> StoredBatchInfo {
    bindings::genesis_stored_batch(state_commitment)
}

/// Where a deployment by `deployer` puts the contracts: the CREATE addresses of its nonces
/// 0..=6, in `deploy.mjs`'s order.
pub fn deterministic_addresses(deployer: Address) -> L1Contracts {
    L1Contracts {
        verifier: deployer.create(0),
        bridgehub: deployer.create(1),
        l1_nullifier: deployer.create(2),
        l1_asset_router: deployer.create(3),
        validator_timelock: deployer.create(4),
        chain_type_manager: deployer.create(5),
        zk_chain: deployer.create(6),
    }
}

/// Finds the contracts at the addresses the deployer's nonces 0..=6 give (checking their code,
/// constructor parameters and wiring, `Bridgehub.getZKChain(l2_chain_id)` included) or deploys
/// them (same order and calls as `deploy.mjs`) when the deployer has sent nothing. A deployment
/// cut short is completed. Tops up the deployer and the operator from `params.funder`.
///
/// Errors: the L1 is unreachable (the message names the URL; the caller may retry), the
/// deployer has sent txs that are not this deployment, the deployment there was made with
/// other constructor parameters, or a step reverted (the message names it).
pub async fn find_or_deploy(
    l1_rpc_url: &str,
    params: &DeployParams,
) -> anyhow::Result<L1Contracts> {
    let mut signers = vec![&params.deployer];
    signers.extend(params.funder.as_ref());
    let l1 = L1Client::connect(l1_rpc_url, &signers).await?;
    let deployer = params.deployer.address();
    let contracts = deterministic_addresses(deployer);
    let creations = creations(params, &contracts)?;

    let sent = l1.nonce(deployer, BlockId::latest()).await?;
    let pending = l1.nonce(deployer, BlockId::pending()).await?;
    ensure!(
        pending <= sent,
        "the deployer {deployer} has {} txs waiting to be mined on the L1 at {}: retry once they are",
        pending - sent,
        l1.url
    );
    // The deployer's first txs must be this deployment's contract creations.
    let created = usize::try_from(sent)
        .unwrap_or(usize::MAX)
        .min(creations.len());
    for creation in &creations[..created] {
        if l1.code(creation.address).await?.is_empty() {
            bail!(
                "the deployer {deployer} has sent {sent} txs on the L1 at {} but no rollup contracts \
                 are at the addresses its nonces give ({} has no {}): pass --l1-bridgehub or use a \
                 fresh L1",
                l1.url,
                creation.address,
                creation.name
            );
        }
    }
    let deploying = created < creations.len();

    fund_deployer(&l1, params, deploying).await?;
    fund_operator(&l1, params).await?;
    if deploying {
        tracing::info!(
            l1 = %l1.url, %deployer, from_nonce = created,
            "deploying the rollup contracts for chain {}", params.l2_chain_id
        );
    }
    for (nonce, creation) in creations.iter().enumerate().skip(created) {
        let tx = TransactionRequest::default()
            .with_from(deployer)
            .with_nonce(nonce as u64)
            .with_deploy_code(creation.code.clone());
        let receipt = l1.send(&format!("deploying {}", creation.name), tx).await?;
        ensure!(
            receipt.contract_address == Some(creation.address),
            "deploying {}: created {:?}, expected {}",
            creation.name,
            receipt.contract_address,
            creation.address
        );
    }

    check_constructor_params(&l1, params, &contracts).await?;
    wire(&l1, params, &contracts).await?;
    if deploying && params.fund_nullifier > U256::ZERO {
        let tx = TransactionRequest::default()
            .with_from(deployer)
            .with_to(contracts.l1_nullifier)
            .with_value(params.fund_nullifier);
        l1.send("funding the L1 nullifier", tx).await?;
    }

    let found = read_contracts(&l1, contracts.bridgehub, params.l2_chain_id).await?;
    ensure!(
        found == contracts,
        "the Bridgehub {} on the L1 at {} points at other contracts ({found:?}) than the \
         deployer's ({contracts:?})",
        contracts.bridgehub,
        l1.url
    );
    Ok(contracts)
}

/// Reads the addresses of an existing deployment from its Bridgehub (`getZKChain`,
/// `sharedBridge`, `l1Nullifier`, `chainTypeManager`, then the chain type manager's timelock
/// and the chain's verifier). Sends nothing.
pub async fn from_bridgehub(
    l1_rpc_url: &str,
    bridgehub: Address,
    l2_chain_id: u64,
) -> anyhow::Result<L1Contracts> {
    let l1 = L1Client::connect(l1_rpc_url, &[]).await?;
    read_contracts(&l1, bridgehub, l2_chain_id).await
}

async fn read_contracts(
    l1: &L1Client,
    bridgehub: Address,
    l2_chain_id: u64,
) -> anyhow::Result<L1Contracts> {
    ensure!(
        !l1.code(bridgehub).await?.is_empty(),
        "no contract at the Bridgehub address {bridgehub} on the L1 at {}",
        l1.url
    );
    let chain_id = U256::from(l2_chain_id);
    let zk_chain = l1
        .view(bridgehub, Bridgehub::getZKChainCall { chainId: chain_id })
        .await?;
    ensure!(
        zk_chain != Address::ZERO,
        "chain {l2_chain_id} is not registered in the Bridgehub {bridgehub} on the L1 at {}",
        l1.url
    );
    let chain_type_manager = l1
        .view(
            bridgehub,
            Bridgehub::chainTypeManagerCall { chainId: chain_id },
        )
        .await?;
    Ok(L1Contracts {
        bridgehub,
        zk_chain,
        verifier: l1.view(zk_chain, ZKChain::getVerifierCall {}).await?,
        l1_nullifier: l1.view(bridgehub, Bridgehub::l1NullifierCall {}).await?,
        l1_asset_router: l1.view(bridgehub, Bridgehub::sharedBridgeCall {}).await?,
        validator_timelock: l1
            .view(
                chain_type_manager,
                ChainTypeManager::validatorTimelockPostV29Call {},
            )
            .await?,
        chain_type_manager,
    })
}

/// One contract creation of the deployment; its index is the deployer's nonce.
struct Creation {
    name: &'static str,
    address: Address,
    /// Creation code and constructor arguments.
    code: alloy_primitives::Bytes,
}

/// The seven creations of `deploy.mjs`, in nonce order.
fn creations(params: &DeployParams, at: &L1Contracts) -> anyhow::Result<Vec<Creation>> {
    let owner = params.deployer.address();
    let constructors = [
        (
            &bindings::VERIFIER,
            at.verifier,
            Verifier::constructorCall {
                owner,
                mockVerifier: params.mock_verifier,
            }
            .abi_encode(),
        ),
        (
            &bindings::BRIDGEHUB,
            at.bridgehub,
            Bridgehub::constructorCall { owner }.abi_encode(),
        ),
        (
            &bindings::L1_NULLIFIER,
            at.l1_nullifier,
            L1Nullifier::constructorCall {
                bridgehub: at.bridgehub,
            }
            .abi_encode(),
        ),
        (
            &bindings::L1_ASSET_ROUTER,
            at.l1_asset_router,
            L1AssetRouter::constructorCall {
                bridgehub: at.bridgehub,
                l1Nullifier: at.l1_nullifier,
            }
            .abi_encode(),
        ),
        (
            &bindings::VALIDATOR_TIMELOCK,
            at.validator_timelock,
            ValidatorTimelock::constructorCall { owner }.abi_encode(),
        ),
        (
            &bindings::CHAIN_TYPE_MANAGER,
            at.chain_type_manager,
            ChainTypeManager::constructorCall {
                bridgehub: at.bridgehub,
                validatorTimelock: at.validator_timelock,
            }
            .abi_encode(),
        ),
        (
            &bindings::ZK_CHAIN,
            at.zk_chain,
            ZKChain::constructorCall {
                chainId: U256::from(params.l2_chain_id),
                bridgehub: at.bridgehub,
                chainTypeManager: at.chain_type_manager,
                verifier: at.verifier,
                admin: owner,
                minimalL2GasPrice: U256::from(params.min_l2_gas_price),
                genesisBatch: params.genesis_stored_batch.clone(),
            }
            .abi_encode(),
        ),
    ];
    constructors
        .into_iter()
        .map(|(artifact, address, args)| {
            Ok(Creation {
                name: artifact.name,
                address,
                code: artifact.creation_code(args)?,
            })
        })
        .collect()
}

/// What the constructors fixed must be what `params` asks for: these cannot be changed later.
async fn check_constructor_params(
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
async fn wire(l1: &L1Client, params: &DeployParams, at: &L1Contracts) -> anyhow::Result<()> {
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
            .view(at.zk_chain, ZKChain::isValidatorCall { validator })
            .await?
        {
            let call = ZKChain::setValidatorCall {
                validator,
                active: true,
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
            ZKChain::storedBatchHashCall {
                batchNumber: U256::ZERO,
            },
        )
        .await?;
    if stored != genesis {
        let committed = l1
            .view(at.zk_chain, ZKChain::getTotalBatchesCommittedCall {})
            .await?;
        ensure!(
            committed == U256::ZERO,
            "the chain contract {} on the L1 at {} has {committed} batches committed on another \
             genesis batch (hash {stored}, this L2's is {genesis}): use a fresh L1",
            at.zk_chain,
            l1.url
        );
        let call = ZKChain::setGenesisBatchCall {
            genesisBatch: params.genesis_stored_batch.clone(),
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

/// Makes sure the deployer can pay for what it is about to send: from the funder if there is
/// one, else an error up front when a deployment would run out of ETH half-way.
async fn fund_deployer(
    l1: &L1Client,
    params: &DeployParams,
    deploying: bool,
) -> anyhow::Result<()> {
    let deployer = params.deployer.address();
    let (gas, value) = if deploying {
        (DEPLOYMENT_GAS, params.fund_nullifier)
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
async fn fund_operator(l1: &L1Client, params: &DeployParams) -> anyhow::Result<()> {
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

#[cfg(test)]
mod tests {
    use alloy_primitives::address;

    use super::*;
    use crate::l1::L1Genesis;

    #[test]
    fn the_governor_and_its_addresses_are_the_embedded_genesis_ones() {
        let genesis = L1Genesis::embedded().unwrap();
        let governor = governor_signer();
        assert_eq!(governor.address(), genesis.governor);
        assert_eq!(
            B256::from_slice(&governor.credential().to_bytes()),
            genesis.governor_private_key
        );
        assert_eq!(deterministic_addresses(genesis.governor), genesis.contracts);
    }

    #[test]
    fn default_deployer_addresses_are_the_ones_state_readme_lists() {
        // anvil's account #0, the default key of `deploy.mjs`.
        let c = deterministic_addresses(address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
        assert_eq!(
            c.verifier,
            address!("0x5FbDB2315678afecb367f032d93F642f64180aa3")
        );
        assert_eq!(
            c.zk_chain,
            address!("0x0165878A594ca255338adfa4d48449f69242Eb8F")
        );
    }

    #[test]
    fn every_artifact_gives_creation_code() {
        let params = DeployParams::new(270, Address::ZERO);
        let creations =
            creations(&params, &deterministic_addresses(params.deployer.address())).unwrap();
        assert_eq!(creations.len(), 7);
        assert!(creations.iter().all(|c| c.code.len() > 100));
    }
}
