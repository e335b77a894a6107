// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ZKChainBase} from "./ZKChainBase.sol";
import {IExecutor} from "./IExecutor.sol";
import {IVerifier} from "./IVerifier.sol";
import {InteropRoot} from "../common/Messaging.sol";

interface IBridgehubMessageRoot {
    function messageRoot() external view returns (address);
}

interface IMessageRootForExecutor {
    function historicalRoot(uint256 _blockNumber) external view returns (bytes32);
    function addChainBatchRoot(uint256 _chainId, uint256 _batchNumber, bytes32 _chainBatchRoot) external;
}
import {EMPTY_STRING_KECCAK, COMMIT_ENCODING_VERSION, PROOF_ENCODING_VERSION, EXECUTE_ENCODING_VERSION} from "../common/Config.sol";

/// @notice Commit -> prove -> execute of ZKsync OS batches, with the calldata encodings of
/// zksync-os-server (protocol v29). Batches move strictly in order through the three stages.
abstract contract Executor is ZKChainBase, IExecutor {
    error EmptyData();
    error UnsupportedEncodingVersion(uint8 version);
    error InvalidBatchRange(uint256 expectedFrom, uint256 from, uint256 to, uint256 batches);
    error BatchNumberMismatch(uint256 expected, uint256 actual);
    error BatchHashMismatch(uint256 batchNumber, bytes32 expected, bytes32 actual);
    error IncorrectBatchChainId(uint256 batchChainId, uint256 chainId);
    error VerifiedBatchesExceedsCommittedBatches();
    error CantExecuteUnprovenBatches();
    error InvalidProof();
    error InvalidBatchesDataLength(uint256 batches, uint256 otherData);
    error MismatchNumberOfLayer1Txs(uint256 numberOfLayer1Txs, uint256 itemHashes);
    error PriorityQueueTooShort(uint256 needed, uint256 available);
    error PriorityOpMismatch(uint256 priorityId, bytes32 expected, bytes32 actual);
    error PriorityOperationsRollingHashMismatch(bytes32 expected, bytes32 actual);
    error CommitBasedInteropNotSupported();
    error MessageRootIsZero();
    error InvalidMessageRoot(bytes32 expected, bytes32 actual);
    error DependencyRootsRollingHashMismatch(bytes32 expected, bytes32 actual);
    error RevertedBatchNotAfterNewLastBatch();
    error CantRevertExecutedBatch();

    /// @inheritdoc IExecutor
    function commitBatchesSharedBridge(
        address, // the chain address: routing is the ValidatorTimelock's business
        uint256 _processFrom,
        uint256 _processTo,
        bytes calldata _commitData
    ) external onlyValidator {
        _checkVersion(_commitData, COMMIT_ENCODING_VERSION);
        (StoredBatchInfo memory prev, CommitBatchInfoZKsyncOS[] memory batches) = abi.decode(
            _commitData[1:],
            (StoredBatchInfo, CommitBatchInfoZKsyncOS[])
        );
        uint256 last = totalBatchesCommitted;
        _checkRange(last + 1, _processFrom, _processTo, batches.length);
        _checkStoredBatch(prev, last);

        for (uint256 i = 0; i < batches.length; ++i) {
            CommitBatchInfoZKsyncOS memory b = batches[i];
            if (b.batchNumber != prev.batchNumber + 1) revert BatchNumberMismatch(prev.batchNumber + 1, b.batchNumber);
            if (b.chainId != CHAIN_ID) revert IncorrectBatchChainId(b.chainId, CHAIN_ID);
            bytes32 commitment = batchOutputHash(b);
            prev = StoredBatchInfo({
                batchNumber: b.batchNumber,
                batchHash: b.newStateCommitment,
                indexRepeatedStorageChanges: 0,
                numberOfLayer1Txs: b.numberOfLayer1Txs,
                priorityOperationsHash: b.priorityOperationsHash,
                dependencyRootsRollingHash: b.dependencyRootsRollingHash,
                l2LogsTreeRoot: b.l2LogsTreeRoot,
                timestamp: 0,
                commitment: commitment
            });
            storedBatchHashes[b.batchNumber] = _hashStoredBatchInfo(prev);
            emit BlockCommit(b.batchNumber, b.newStateCommitment, commitment);
        }
        totalBatchesCommitted = last + batches.length;
    }

    /// @notice The batch output hash stored as StoredBatchInfo.commitment (zksync-os BatchOutput::hash):
    /// keccak256(chainId u256 ‖ firstBlockTimestamp u64 ‖ lastBlockTimestamp u64 ‖ l2DaValidator (20 bytes) ‖
    /// daCommitment ‖ numberOfLayer1Txs u256 ‖ priorityOperationsHash ‖ l2LogsTreeRoot ‖
    /// upgradeTxHash (always 0 here) ‖ dependencyRootsRollingHash).
    function batchOutputHash(CommitBatchInfoZKsyncOS memory _b) public pure returns (bytes32) {
        bytes memory head = abi.encodePacked(_b.chainId, _b.firstBlockTimestamp, _b.lastBlockTimestamp, _b.l2DaValidator);
        return
            keccak256(
                abi.encodePacked(
                    head,
                    _b.daCommitment,
                    _b.numberOfLayer1Txs,
                    _b.priorityOperationsHash,
                    _b.l2LogsTreeRoot,
                    bytes32(0),
                    _b.dependencyRootsRollingHash
                )
            );
    }

    /// @inheritdoc IExecutor
    function proveBatchesSharedBridge(
        address,
        uint256 _processBatchFrom,
        uint256 _processBatchTo,
        bytes calldata _proofData
    ) external onlyValidator {
        _checkVersion(_proofData, PROOF_ENCODING_VERSION);
        (StoredBatchInfo memory prev, StoredBatchInfo[] memory batches, uint256[] memory proof) = abi.decode(
            _proofData[1:],
            (StoredBatchInfo, StoredBatchInfo[], uint256[])
        );
        uint256 verified = totalBatchesVerified;
        _checkRange(verified + 1, _processBatchFrom, _processBatchTo, batches.length);
        _checkStoredBatch(prev, verified);

        IVerifier.BatchTransition[] memory transitions = new IVerifier.BatchTransition[](batches.length);
        bytes32 prevStateCommitment = prev.batchHash;
        for (uint256 i = 0; i < batches.length; ++i) {
            uint256 n = verified + i + 1;
            _checkStoredBatch(batches[i], n);
            transitions[i] = IVerifier.BatchTransition(n, prevStateCommitment, batches[i].batchHash, batches[i].commitment);
            prevStateCommitment = batches[i].batchHash;
        }
        uint256 newVerified = verified + batches.length;
        if (newVerified > totalBatchesCommitted) revert VerifiedBatchesExceedsCommittedBatches();
        if (!verifier.verifyBatches(CHAIN_ID, transitions, proof)) revert InvalidProof();

        emit BlocksVerification(verified, newVerified);
        totalBatchesVerified = newVerified;
    }

    /// @inheritdoc IExecutor
    function executeBatchesSharedBridge(
        address,
        uint256 _processFrom,
        uint256 _processTo,
        bytes calldata _executeData
    ) external onlyValidator {
        _checkVersion(_executeData, EXECUTE_ENCODING_VERSION);
        (StoredBatchInfo[] memory batches, PriorityOpsBatchInfo[] memory ops, InteropRoot[][] memory roots) = abi
            .decode(_executeData[1:], (StoredBatchInfo[], PriorityOpsBatchInfo[], InteropRoot[][]));
        if (ops.length != batches.length) revert InvalidBatchesDataLength(batches.length, ops.length);
        if (roots.length != batches.length) revert InvalidBatchesDataLength(batches.length, roots.length);
        uint256 executed = totalBatchesExecuted;
        _checkRange(executed + 1, _processFrom, _processTo, batches.length);

        for (uint256 i = 0; i < batches.length; ++i) {
            StoredBatchInfo memory b = batches[i];
            uint256 n = executed + i + 1;
            _checkStoredBatch(b, n);
            bytes32 rolling = _verifyDependencyInteropRoots(roots[i]);
            if (rolling != b.dependencyRootsRollingHash) {
                revert DependencyRootsRollingHashMismatch(rolling, b.dependencyRootsRollingHash);
            }
            _processPriorityOps(b, ops[i]);
            l2LogsRootHashes[n] = b.l2LogsTreeRoot;
            _appendMessageRoot(n, b.l2LogsTreeRoot);
            emit BlockExecution(n, b.batchHash, b.commitment);
        }
        uint256 newExecuted = executed + batches.length;
        if (newExecuted > totalBatchesVerified) revert CantExecuteUnprovenBatches();
        totalBatchesExecuted = newExecuted;
    }

    /// @dev The interop roots the batch imported (its system txs), each one the shared root this
    /// settlement layer's MessageRoot recorded at that block, and their rolling hash
    /// keccak(…keccak(0 ‖ chainId ‖ blockOrBatchNumber ‖ sides)…), as era-contracts checks them.
    /// Roots of another chain (commit-based interop) are refused, as there.
    function _verifyDependencyInteropRoots(InteropRoot[] memory _roots) internal view returns (bytes32 rolling) {
        address messageRoot = IBridgehubMessageRoot(BRIDGEHUB).messageRoot();
        for (uint256 i = 0; i < _roots.length; ++i) {
            InteropRoot memory root = _roots[i];
            if (root.chainId != block.chainid) revert CommitBasedInteropNotSupported();
            bytes32 correct = messageRoot == address(0)
                ? bytes32(0)
                : IMessageRootForExecutor(messageRoot).historicalRoot(root.blockOrBatchNumber);
            if (correct == bytes32(0)) revert MessageRootIsZero();
            if (root.sides.length != 1 || root.sides[0] != correct) {
                revert InvalidMessageRoot(correct, root.sides.length == 0 ? bytes32(0) : root.sides[0]);
            }
            rolling = keccak256(abi.encodePacked(rolling, root.chainId, root.blockOrBatchNumber, root.sides));
        }
    }

    /// @dev On a settlement layer with a MessageRoot (the Gateway), the executed batch's logs
    /// root joins the chain's tree there: that makes the Gateway's new interop root.
    function _appendMessageRoot(uint256 _batchNumber, bytes32 _l2LogsTreeRoot) internal {
        address messageRoot = IBridgehubMessageRoot(BRIDGEHUB).messageRoot();
        if (messageRoot != address(0)) {
            IMessageRootForExecutor(messageRoot).addChainBatchRoot(CHAIN_ID, _batchNumber, _l2LogsTreeRoot);
        }
    }

    /// @dev The batch claims it ran `numberOfLayer1Txs` priority txs with rolling hash
    /// `priorityOperationsHash` = keccak(...keccak(keccak("") ‖ h_1)... ‖ h_n). Those must be exactly
    /// the next n requests of the queue, in order; then they leave the queue.
    function _processPriorityOps(StoredBatchInfo memory _b, PriorityOpsBatchInfo memory _ops) internal {
        bytes32[] memory items = _ops.itemHashes;
        if (items.length != _b.numberOfLayer1Txs) revert MismatchNumberOfLayer1Txs(_b.numberOfLayer1Txs, items.length);
        uint256 head = priorityQueueHead;
        if (head + items.length > priorityQueue.length) {
            revert PriorityQueueTooShort(head + items.length, priorityQueue.length);
        }
        bytes32 rolling = EMPTY_STRING_KECCAK;
        for (uint256 j = 0; j < items.length; ++j) {
            if (items[j] != priorityQueue[head + j]) revert PriorityOpMismatch(head + j, priorityQueue[head + j], items[j]);
            rolling = keccak256(abi.encodePacked(rolling, items[j]));
        }
        if (rolling != _b.priorityOperationsHash) {
            revert PriorityOperationsRollingHashMismatch(rolling, _b.priorityOperationsHash);
        }
        priorityQueueHead = head + items.length;
    }

    /// @inheritdoc IExecutor
    /// @dev Drops committed (and proven) batches after `_newLastBatch`; executed ones are final.
    function revertBatchesSharedBridge(address, uint256 _newLastBatch) external onlyValidator {
        if (totalBatchesCommitted < _newLastBatch) revert RevertedBatchNotAfterNewLastBatch();
        if (_newLastBatch < totalBatchesExecuted) revert CantRevertExecutedBatch();
        if (_newLastBatch < totalBatchesVerified) totalBatchesVerified = _newLastBatch;
        totalBatchesCommitted = _newLastBatch;
        emit BlocksRevert(totalBatchesCommitted, totalBatchesVerified, totalBatchesExecuted);
    }

    function _checkVersion(bytes calldata _data, uint8 _version) internal pure {
        if (_data.length == 0) revert EmptyData();
        if (uint8(_data[0]) != _version) revert UnsupportedEncodingVersion(uint8(_data[0]));
    }

    /// @dev The call must name exactly the batches it carries, starting at the next expected one.
    function _checkRange(uint256 _expectedFrom, uint256 _from, uint256 _to, uint256 _count) internal pure {
        if (_count == 0 || _from != _expectedFrom || _to != _from + _count - 1) {
            revert InvalidBatchRange(_expectedFrom, _from, _to, _count);
        }
    }

    /// @dev `_b` must be exactly what was committed as batch `_n` (and its number must be `_n`).
    function _checkStoredBatch(StoredBatchInfo memory _b, uint256 _n) internal view {
        if (_b.batchNumber != _n) revert BatchNumberMismatch(_n, _b.batchNumber);
        bytes32 actual = _hashStoredBatchInfo(_b);
        if (storedBatchHashes[_n] != actual) revert BatchHashMismatch(_n, storedBatchHashes[_n], actual);
    }
}
