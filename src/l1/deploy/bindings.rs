//! The rollup contracts as `deploy.rs` speaks to them: creation code from the committed
//! artifacts (`state/artifacts/*.json`) and `sol!` bindings of the constructors, setters and
//! getters it uses (the signatures are those of the artifacts' ABIs).
//!
//! `artifact JSON -> creation code`, `Rust values -> calldata`

use alloy_primitives::{B256, Bytes, hex};
use alloy_sol_types::sol;
use anyhow::Context as _;

sol! {
    /// What the chain stores per batch (era-contracts' `IExecutor.StoredBatchInfo`);
    /// batch 0 is the genesis batch the chain contract is created with.
    #[derive(Debug, PartialEq, Eq)]
    struct StoredBatchInfo {
        /// Batch number (0 for the genesis batch).
        uint64 batchNumber;
        /// The L2 state commitment after the batch.
        bytes32 batchHash;
        /// Unused by ZKsync OS (0).
        uint64 indexRepeatedStorageChanges;
        /// L1 -> L2 txs the batch executes.
        uint256 numberOfLayer1Txs;
        /// Rolling hash of those txs (`keccak256("")` for none).
        bytes32 priorityOperationsHash;
        /// Interop roots' rolling hash (0: no interop).
        bytes32 dependencyRootsRollingHash;
        /// Root of the batch's L2 -> L1 logs tree.
        bytes32 l2LogsTreeRoot;
        /// Unused (0).
        uint256 timestamp;
        /// The batch commitment (0 for the genesis batch).
        bytes32 commitment;
    }

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
    }

    contract L1AssetRouter {
        constructor(address bridgehub, address l1Nullifier);
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

    contract ZKChain {
        constructor(
            uint256 chainId,
            address bridgehub,
            address chainTypeManager,
            address verifier,
            address admin,
            uint256 minimalL2GasPrice,
            StoredBatchInfo genesisBatch
        );
        function setValidator(address validator, bool active);
        function isValidator(address validator) view returns (bool);
        function setGenesisBatch(StoredBatchInfo genesisBatch);
        function storedBatchHash(uint256 batchNumber) view returns (bytes32);
        function getTotalBatchesCommitted() view returns (uint256);
        function getChainId() view returns (uint256);
        function getVerifier() view returns (address);
        function getMinimalL2GasPrice() view returns (uint256);
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

/// The genesis batch `state/lib/encoding.mjs` builds (`genesisStoredBatchInfo`): batch 0 with
/// the given L2 state commitment, no L1 txs, everything else empty.
pub(super) fn genesis_stored_batch(state_commitment: B256) -> StoredBatchInfo {
    StoredBatchInfo {
        batchNumber: 0,
        batchHash: state_commitment,
        indexRepeatedStorageChanges: 0,
        numberOfLayer1Txs: Default::default(),
        priorityOperationsHash: alloy_primitives::KECCAK256_EMPTY,
        dependencyRootsRollingHash: B256::ZERO,
        l2LogsTreeRoot: B256::ZERO,
        timestamp: Default::default(),
        commitment: B256::ZERO,
    }
}
