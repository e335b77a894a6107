// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Settlement interface of a ZK chain: the structs, events and calls of era-contracts
/// `IExecutor.sol` in the shape zksync-os-server (protocol v29) sends them.
interface IExecutor {
    /// @dev What L1 remembers of a batch: storedBatchHash(n) = keccak256(abi.encode(StoredBatchInfo)).
    /// For ZKsync OS `batchHash` is the state commitment, `indexRepeatedStorageChanges` and
    /// `timestamp` are 0 and `commitment` is the batch output hash.
    struct StoredBatchInfo {
        uint64 batchNumber;
        bytes32 batchHash;
        uint64 indexRepeatedStorageChanges;
        uint256 numberOfLayer1Txs;
        bytes32 priorityOperationsHash;
        bytes32 dependencyRootsRollingHash;
        bytes32 l2LogsTreeRoot;
        uint256 timestamp;
        bytes32 commitment;
    }

    /// @dev One batch in `commitBatchesSharedBridge` (v29 layout, commit encoding version 0x02).
    struct CommitBatchInfoZKsyncOS {
        uint64 batchNumber;
        bytes32 newStateCommitment;
        uint256 numberOfLayer1Txs;
        bytes32 priorityOperationsHash;
        bytes32 dependencyRootsRollingHash;
        bytes32 l2LogsTreeRoot;
        address l2DaValidator;
        bytes32 daCommitment;
        uint64 firstBlockTimestamp;
        uint64 lastBlockTimestamp;
        uint256 chainId;
        bytes operatorDAInput;
    }

    /// @dev The priority ops a batch executed. The real contract proves `itemHashes` against its
    /// priority Merkle tree with the two paths; this one keeps every hash on-chain and compares
    /// `itemHashes` to its queue directly, so the paths are accepted and ignored.
    struct PriorityOpsBatchInfo {
        bytes32[] leftPath;
        bytes32[] rightPath;
        bytes32[] itemHashes;
    }

    event BlockCommit(uint256 indexed batchNumber, bytes32 indexed batchHash, bytes32 indexed commitment);
    event BlocksVerification(uint256 indexed previousLastVerifiedBatch, uint256 indexed currentLastVerifiedBatch);
    event BlockExecution(uint256 indexed batchNumber, bytes32 indexed batchHash, bytes32 indexed commitment);
    event BlocksRevert(uint256 totalBatchesCommitted, uint256 totalBatchesVerified, uint256 totalBatchesExecuted);

    /// @param _commitData 0x02 ‖ abi.encode(StoredBatchInfo prev, CommitBatchInfoZKsyncOS[] batches)
    function commitBatchesSharedBridge(
        address _chainAddress,
        uint256 _processFrom,
        uint256 _processTo,
        bytes calldata _commitData
    ) external;

    /// @param _proofData 0x01 ‖ abi.encode(StoredBatchInfo prev, StoredBatchInfo[] batches, uint256[] proof)
    function proveBatchesSharedBridge(
        address _chainAddress,
        uint256 _processBatchFrom,
        uint256 _processBatchTo,
        bytes calldata _proofData
    ) external;

    /// @param _executeData 0x01 ‖ abi.encode(StoredBatchInfo[], PriorityOpsBatchInfo[], InteropRoot[][])
    function executeBatchesSharedBridge(
        address _chainAddress,
        uint256 _processFrom,
        uint256 _processTo,
        bytes calldata _executeData
    ) external;

    function revertBatchesSharedBridge(address _chainAddress, uint256 _newLastBatch) external;
}
