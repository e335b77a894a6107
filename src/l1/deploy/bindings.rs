//! The rollup contracts as `deploy.rs` speaks to them: creation code from the committed
//! artifacts (`state/artifacts/*.json`) and `sol!` bindings of the constructors, setters and
//! getters it uses (the signatures are those of the artifacts' ABIs; `ZKChain`'s are generated
//! from its artifact, in `l1::contracts`).
//!
//! `DeployParams -> the eight creations (nonce order)`, `Rust values -> calldata`

use alloy_primitives::{Address, Bytes, U256, hex};
use alloy_sol_types::{SolConstructor as _, sol};
use anyhow::Context as _;

use super::DeployParams;
pub(super) use crate::abi::ZKChain;
use crate::l1::L1Contracts;

sol! {
    contract Verifier {
        constructor(address owner, bool mockVerifier);
        function setProver(address prover, bool allowed);
        function isProver(address prover) view returns (bool);
        function mockVerifier() view returns (bool);
    }

    contract Bridgehub {
        constructor(address owner);
        function setSharedBridge(address assetRouter, address l1Nullifier);
        function registerChain(uint256 chainId, address zkChain, address chainTypeManager);
        function getZKChain(uint256 chainId) view returns (address);
        function sharedBridge() view returns (address);
        function l1Nullifier() view returns (address);
        function chainTypeManager(uint256 chainId) view returns (address);
    }

    contract L1Nullifier {
        constructor(address bridgehub);
        function setL1AssetRouter(address l1AssetRouter);
        function setL1NativeTokenVault(address vault);
        function l1AssetRouter() view returns (address);
        function l1NativeTokenVault() view returns (address);
    }

    contract L1AssetRouter {
        constructor(address bridgehub, address l1Nullifier);
        function setNativeTokenVault(address vault);
        function nativeTokenVault() view returns (address);
    }

    contract L1NativeTokenVault {
        constructor(address wethToken, address assetRouter, address l1Nullifier);
    }

    contract ValidatorTimelock {
        constructor(address owner);
        function setValidator(address chain, address validator, bool active);
        function isValidator(address chain, address validator) view returns (bool);
    }

    contract ChainTypeManager {
        constructor(address bridgehub, address validatorTimelock);
        function validatorTimelockPostV29() view returns (address);
    }
}

/// One of the committed artifacts, by contract name.
pub(super) struct Artifact {
    /// Contract name (for messages).
    pub(super) name: &'static str,
    json: &'static str,
}

pub(super) const VERIFIER: Artifact = artifact(
    "Verifier",
    include_str!("../../../state/artifacts/Verifier.json"),
);
pub(super) const BRIDGEHUB: Artifact = artifact(
    "Bridgehub",
    include_str!("../../../state/artifacts/Bridgehub.json"),
);
pub(super) const L1_NULLIFIER: Artifact = artifact(
    "L1Nullifier",
    include_str!("../../../state/artifacts/L1Nullifier.json"),
);
pub(super) const L1_ASSET_ROUTER: Artifact = artifact(
    "L1AssetRouter",
    include_str!("../../../state/artifacts/L1AssetRouter.json"),
);
pub(super) const VALIDATOR_TIMELOCK: Artifact = artifact(
    "ValidatorTimelock",
    include_str!("../../../state/artifacts/ValidatorTimelock.json"),
);
pub(super) const CHAIN_TYPE_MANAGER: Artifact = artifact(
    "ChainTypeManager",
    include_str!("../../../state/artifacts/ChainTypeManager.json"),
);
pub(super) const ZK_CHAIN: Artifact = artifact(
    "ZKChain",
    include_str!("../../../state/artifacts/ZKChain.json"),
);
pub(super) const L1_NATIVE_TOKEN_VAULT: Artifact = artifact(
    "L1NativeTokenVault",
    include_str!("../../../state/artifacts/L1NativeTokenVault.json"),
);

const fn artifact(name: &'static str, json: &'static str) -> Artifact {
    Artifact { name, json }
}

impl Artifact {
    /// Creation code followed by the ABI-encoded constructor arguments: a deploy tx's input.
    pub(super) fn creation_code(&self, constructor_args: Vec<u8>) -> anyhow::Result<Bytes> {
        let artifact: serde_json::Value = serde_json::from_str(self.json)
            .with_context(|| format!("the {} artifact does not parse", self.name))?;
        let object = artifact["bytecode"]["object"]
            .as_str()
            .with_context(|| format!("the {} artifact has no bytecode.object", self.name))?;
        let mut code = hex::decode(object)
            .with_context(|| format!("the {} artifact's bytecode is not hex", self.name))?;
        code.extend(constructor_args);
        Ok(code.into())
    }
}

/// One contract creation of the deployment; its index is the deployer's nonce.
pub(super) struct Creation {
    pub(super) name: &'static str,
    pub(super) address: Address,
    /// Creation code and constructor arguments.
    pub(super) code: Bytes,
}

/// The eight creations of `deploy.mjs`, in nonce order.
pub(super) fn creations(params: &DeployParams, at: &L1Contracts) -> anyhow::Result<Vec<Creation>> {
    let owner = params.deployer.address();
    let constructors = [
        (
            &VERIFIER,
            at.verifier,
            Verifier::constructorCall {
                owner,
                mockVerifier: params.mock_verifier,
            }
            .abi_encode(),
        ),
        (
            &BRIDGEHUB,
            at.bridgehub,
            Bridgehub::constructorCall { owner }.abi_encode(),
        ),
        (
            &L1_NULLIFIER,
            at.l1_nullifier,
            L1Nullifier::constructorCall {
                bridgehub: at.bridgehub,
            }
            .abi_encode(),
        ),
        (
            &L1_ASSET_ROUTER,
            at.l1_asset_router,
            L1AssetRouter::constructorCall {
                bridgehub: at.bridgehub,
                l1Nullifier: at.l1_nullifier,
            }
            .abi_encode(),
        ),
        (
            &VALIDATOR_TIMELOCK,
            at.validator_timelock,
            ValidatorTimelock::constructorCall { owner }.abi_encode(),
        ),
        (
            &CHAIN_TYPE_MANAGER,
            at.chain_type_manager,
            ChainTypeManager::constructorCall {
                bridgehub: at.bridgehub,
                validatorTimelock: at.validator_timelock,
            }
            .abi_encode(),
        ),
        (
            &ZK_CHAIN,
            at.zk_chain,
            ZKChain::constructorCall {
                _chainId: U256::from(params.l2_chain_id),
                _bridgehub: at.bridgehub,
                _chainTypeManager: at.chain_type_manager,
                _verifier: at.verifier,
                _admin: owner,
                _minimalL2GasPrice: U256::from(params.min_l2_gas_price),
                _genesisBatch: params.genesis_stored_batch.clone(),
            }
            .abi_encode(),
        ),
        (
            &L1_NATIVE_TOKEN_VAULT,
            at.l1_native_token_vault,
            L1NativeTokenVault::constructorCall {
                wethToken: Address::ZERO,
                assetRouter: at.l1_asset_router,
                l1Nullifier: at.l1_nullifier,
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
