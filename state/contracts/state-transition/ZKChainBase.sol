// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IExecutor} from "./IExecutor.sol";
import {IVerifier} from "./IVerifier.sol";

/// @notice Storage and access control shared by the Mailbox, Executor and Getters parts of
/// `ZKChain`. The real chain is a diamond proxy with one storage struct; here the three parts
/// are abstract contracts inherited by one contract, which gives the same ABI without the proxy.
abstract contract ZKChainBase {
    /// @dev L2 chain id of this chain.
    uint256 internal immutable CHAIN_ID;
    address internal immutable BRIDGEHUB;
    address internal immutable CHAIN_TYPE_MANAGER;

    address internal admin;
    IVerifier internal verifier;
    mapping(address validator => bool) internal validators;

    /// @dev L2 gas price charged for priority txs, in wei. The devnet L2 has a constant base fee,
    /// so unlike era-contracts this does not follow the L1 gas price.
    uint256 internal minimalL2GasPrice;

    uint256 internal totalBatchesCommitted;
    uint256 internal totalBatchesVerified;
    uint256 internal totalBatchesExecuted;
    /// @dev keccak256(abi.encode(StoredBatchInfo)) of every committed batch (0 = genesis).
    mapping(uint256 batchNumber => bytes32) internal storedBatchHashes;
    /// @dev l2LogsTreeRoot of every executed batch: withdrawals are proven against it.
    mapping(uint256 batchNumber => bytes32) internal l2LogsRootHashes;

    /// @dev Canonical tx hash of every priority request, by priority id. The real chain keeps a
    /// Merkle tree of them; keeping the list lets `execute` compare a batch's items directly.
    bytes32[] internal priorityQueue;
    /// @dev First priority id not yet executed on L2 (as proven by an executed batch).
    uint256 internal priorityQueueHead;
    /// @dev Rolling keccak over all requests ever made, from keccak(""): a cheap fingerprint of the queue.
    bytes32 internal priorityQueueRollingHash;

    event ValidatorStatusUpdate(address indexed validatorAddress, bool isActive);
    event NewAdmin(address indexed oldAdmin, address indexed newAdmin);

    error Unauthorized(address caller);

    modifier onlyValidator() {
        if (!validators[msg.sender]) revert Unauthorized(msg.sender);
        _;
    }

    modifier onlyAdmin() {
        if (msg.sender != admin) revert Unauthorized(msg.sender);
        _;
    }

    modifier onlyBridgehub() {
        if (msg.sender != BRIDGEHUB) revert Unauthorized(msg.sender);
        _;
    }

    constructor(uint256 _chainId, address _bridgehub, address _chainTypeManager) {
        CHAIN_ID = _chainId;
        BRIDGEHUB = _bridgehub;
        CHAIN_TYPE_MANAGER = _chainTypeManager;
    }

    function _hashStoredBatchInfo(IExecutor.StoredBatchInfo memory _b) internal pure returns (bytes32) {
        return keccak256(abi.encode(_b));
    }
}
