//! Rollup contracts on an external L1 (`--l1-rpc URL`): finds them where the deployer's
//! nonces put them, or deploys and wires them exactly as `state/deploy.mjs` does (same
//! contracts, order, calls and nonces), so a fresh anvil gets the embedded genesis's addresses.
//!
//! `(L1 RPC URL, DeployParams) -> L1Contracts`
//!
//! Nonces 0..=7 of the deployer create Verifier, Bridgehub, L1Nullifier, L1AssetRouter,
//! ValidatorTimelock, ChainTypeManager, ZKChain and L1NativeTokenVault; the wiring that follows
//! (shared bridge, chain registration, validators, the vault on the router and the nullifier,
//! prover, genesis batch) is read back first and only sent when
//! it differs, so a second run sends nothing and an interrupted run picks up where it stopped.
//! More L2s (`--chains`) are registered on the deployment afterwards (`register`).

mod bindings;
mod client;
mod funding;
mod register;
mod wire;

use alloy_eips::BlockId;
use alloy_network::TransactionBuilder as _;
use alloy_primitives::{Address, B256, KECCAK256_EMPTY, U256, keccak256};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolConstructor as _;
use anyhow::{bail, ensure};

use bindings::{Bridgehub, ChainTypeManager, L1AssetRouter, ZKChain};
use client::L1Client;
pub use client::{reach, rpc_url};
pub use register::register_chain;

use super::L1Contracts;
use crate::abi::StoredBatchInfo;

/// Gas the whole deployment takes, with headroom (measured on anvil: 9.2M, of which the eight
/// creations 8.8M and the wiring 0.4M). With the L1's gas price it sets how much ETH the
/// deployer needs before it starts.
pub const DEPLOYMENT_GAS: u64 = 13_000_000;
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
    /// 0..=7 give the contract addresses.
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
    /// ETH (wei) sent to the L1 native token vault when the contracts are deployed, to back ETH
    /// that exists on the L2 from genesis (withdrawals are paid from its balance).
    pub fund_vault: U256,
    /// Pays the deployer's gas (up to the L1's gas price times [`DEPLOYMENT_GAS`], times 3, plus
    /// `fund_vault`) and tops the operator up to [`OPERATOR_TOP_UP`] when it holds less than
    /// [`OPERATOR_MIN_BALANCE`]. `None`: both must already hold enough.
    pub funder: Option<PrivateKeySigner>,
}

impl DeployParams {
    /// The parameters `state/genesis.mjs` builds the embedded L1 genesis with: the governor
    /// deploys, no prover key, fake proofs accepted, minimal L2 gas price 1000 wei, genesis
    /// batch with a zero state commitment, nothing sent to the vault, no funder.
    pub fn new(l2_chain_id: u64, operator: Address) -> Self {
        Self {
            l2_chain_id,
            deployer: governor_signer(),
            operator,
            prover: None,
            mock_verifier: true,
            min_l2_gas_price: 1000,
            genesis_stored_batch: genesis_stored_batch(B256::ZERO),
            fund_vault: U256::ZERO,
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
    StoredBatchInfo {
        batchNumber: 0,
        batchHash: state_commitment,
        indexRepeatedStorageChanges: 0,
        numberOfLayer1Txs: U256::ZERO,
        priorityOperationsHash: KECCAK256_EMPTY,
        dependencyRootsRollingHash: B256::ZERO,
        l2LogsTreeRoot: B256::ZERO,
        timestamp: U256::ZERO,
        commitment: B256::ZERO,
    }
}

/// Where a deployment by `deployer` puts the contracts: the CREATE addresses of its nonces
/// 0..=7, in `deploy.mjs`'s order.
pub fn deterministic_addresses(deployer: Address) -> L1Contracts {
    L1Contracts {
        verifier: deployer.create(0),
        bridgehub: deployer.create(1),
        l1_nullifier: deployer.create(2),
        l1_asset_router: deployer.create(3),
        validator_timelock: deployer.create(4),
        chain_type_manager: deployer.create(5),
        zk_chain: deployer.create(6),
        l1_native_token_vault: deployer.create(7),
    }
}

/// The creation code of a chain contract (`ZKChain`) for L2 chain `chain_id` of the deployment
/// `at`, administered by `admin`, with a zero genesis state commitment (the L1 sender sets the
/// real one before batch 1) and the minimal L2 gas price of `deploy.mjs` (1000 wei): what
/// registers one more L2 in the embedded L1's genesis (`l1::chains`).
pub(crate) fn zk_chain_creation(
    chain_id: u64,
    at: &L1Contracts,
    admin: Address,
) -> anyhow::Result<alloy_primitives::Bytes> {
    let params = DeployParams::new(chain_id, Address::ZERO);
    bindings::ZK_CHAIN.creation_code(
        ZKChain::constructorCall {
            _chainId: U256::from(chain_id),
            _bridgehub: at.bridgehub,
            _chainTypeManager: at.chain_type_manager,
            _verifier: at.verifier,
            _admin: admin,
            _minimalL2GasPrice: U256::from(params.min_l2_gas_price),
            _genesisBatch: params.genesis_stored_batch,
        }
        .abi_encode(),
    )
}

/// Finds the contracts at the addresses the deployer's nonces 0..=7 give (checking their code,
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
    let creations = bindings::creations(params, &contracts)?;

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

    funding::fund_deployer(&l1, params, deploying).await?;
    funding::fund_operator(&l1, params).await?;
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

    wire::check_constructor_params(&l1, params, &contracts).await?;
    wire::wire(&l1, params, &contracts).await?;
    if deploying && params.fund_vault > U256::ZERO {
        let tx = TransactionRequest::default()
            .with_from(deployer)
            .with_to(contracts.l1_native_token_vault)
            .with_value(params.fund_vault);
        l1.send("funding the L1 native token vault", tx).await?;
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
/// `sharedBridge`, `l1Nullifier`, `chainTypeManager`, then the chain type manager's timelock,
/// the chain's verifier and the asset router's vault). Sends nothing.
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
    let l1_asset_router = l1.view(bridgehub, Bridgehub::sharedBridgeCall {}).await?;
    Ok(L1Contracts {
        bridgehub,
        zk_chain,
        verifier: l1.view(zk_chain, ZKChain::getVerifierCall {}).await?,
        l1_nullifier: l1.view(bridgehub, Bridgehub::l1NullifierCall {}).await?,
        l1_asset_router,
        l1_native_token_vault: l1
            .view(l1_asset_router, L1AssetRouter::nativeTokenVaultCall {})
            .await?,
        validator_timelock: l1
            .view(
                chain_type_manager,
                ChainTypeManager::validatorTimelockPostV29Call {},
            )
            .await?,
        chain_type_manager,
    })
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
        let at = deterministic_addresses(params.deployer.address());
        let creations = bindings::creations(&params, &at).unwrap();
        assert_eq!(creations.len(), 8);
        assert!(creations.iter().all(|c| c.code.len() > 100));
    }
}
