// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ZKChainBase} from "./ZKChainBase.sol";
import {Mailbox} from "./Mailbox.sol";
import {Executor} from "./Executor.sol";
import {Getters} from "./Getters.sol";
import {IExecutor} from "./IExecutor.sol";
import {IVerifier} from "./IVerifier.sol";

/// @title ZK chain (mailbox + executor + getters in one contract)
/// @notice Stands where the real diamond proxy stands: `Bridgehub.getZKChain(chainId)` returns it,
/// it emits `NewPriorityRequest` and the batch events, and validators settle batches on it.
contract ZKChain is Mailbox, Executor, Getters {
    error GenesisBatchNumberNotZero(uint256 batchNumber);
    error BatchesAlreadyCommitted();

    /// @param _genesisBatch StoredBatchInfo of batch 0. For ZKsync OS: batchHash = genesis state
    /// commitment, numberOfLayer1Txs = 0, priorityOperationsHash = keccak(""), the rest as the
    /// node computes its genesis batch (the node's `prev` in the first commit must hash the same).
    constructor(
        uint256 _chainId,
        address _bridgehub,
        address _chainTypeManager,
        address _verifier,
        address _admin,
        uint256 _minimalL2GasPrice,
        IExecutor.StoredBatchInfo memory _genesisBatch
    ) ZKChainBase(_chainId, _bridgehub, _chainTypeManager) {
        admin = _admin;
        verifier = IVerifier(_verifier);
        minimalL2GasPrice = _minimalL2GasPrice;
        priorityQueueRollingHash = keccak256("");
        _setGenesis(_genesisBatch);
        emit NewAdmin(address(0), _admin);
    }

    function setValidator(address _validator, bool _active) external onlyAdmin {
        validators[_validator] = _active;
        emit ValidatorStatusUpdate(_validator, _active);
    }

    /// @notice Replace batch 0 while nothing is committed (the L1 genesis is built before the
    /// L2 genesis may be final).
    function setGenesisBatch(IExecutor.StoredBatchInfo memory _genesisBatch) external onlyAdmin {
        if (totalBatchesCommitted != 0) revert BatchesAlreadyCommitted();
        _setGenesis(_genesisBatch);
    }

    function setAdmin(address _newAdmin) external onlyAdmin {
        emit NewAdmin(admin, _newAdmin);
        admin = _newAdmin;
    }

    function _setGenesis(IExecutor.StoredBatchInfo memory _genesisBatch) internal {
        if (_genesisBatch.batchNumber != 0) revert GenesisBatchNumberNotZero(_genesisBatch.batchNumber);
        storedBatchHashes[0] = _hashStoredBatchInfo(_genesisBatch);
    }
}
