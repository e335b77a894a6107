// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DynamicIncrementalMerkle} from "../common/DynamicIncrementalMerkle.sol";
import {MessageHashing} from "../common/MessageHashing.sol";

interface IBridgehubForMessageRoot {
    function getZKChain(uint256 _chainId) external view returns (address);
    function owner() external view returns (address);
}

/// @dev The empty leaf of the chain trees and of the shared tree: keccak256(new bytes(96)).
bytes32 constant CHAIN_TREE_EMPTY_ENTRY_HASH = 0x46700b4d40ac5c35af2c22dda2787a91eb567b06c924a8fb8ae9a05b20c08c21;
bytes32 constant SHARED_ROOT_TREE_EMPTY_HASH = 0x46700b4d40ac5c35af2c22dda2787a91eb567b06c924a8fb8ae9a05b20c08c21;

/// @title MessageRoot, on the Gateway at 0x…10005 (era-contracts v30 `L2MessageRoot` shape)
/// @notice Keeps, for every chain settling here, an append-only tree of its executed batches'
/// roots (leaf `batchLeafHash(l2LogsTreeRoot, batchNumber)`), and the shared tree over the chains
/// (leaf `chainIdLeafHash(chainTreeRoot, chainId)`, index 0 this chain). Each appended batch
/// root makes a new shared root, announced with `NewInteropRoot(block.chainid, block.number, …)`,
/// the event the server watches, and kept as `historicalRoot[block.number]` (the block's last).
/// Runtime code in the Gateway's genesis, set up by `initialize`: no constructor.
contract MessageRoot {
    using DynamicIncrementalMerkle for DynamicIncrementalMerkle.Bytes32PushTree;

    event AddedChain(uint256 indexed chainId, uint256 indexed chainIndex);
    event AppendedChainBatchRoot(uint256 indexed chainId, uint256 indexed batchNumber, bytes32 batchRoot);
    event NewChainRoot(uint256 indexed chainId, bytes32 chainRoot, bytes32 chainIdLeafHash);
    event NewInteropRoot(uint256 indexed chainId, uint256 indexed blockNumber, uint256 indexed logId, bytes32[] sides);

    error AlreadyInitialized();
    error ChainExists();
    error MessageRootNotRegistered();
    error OnlyChain(address caller, address chain);
    error OnlyBridgehubOwner(address caller);
    error ChainBatchRootZero();
    error ChainBatchRootAlreadyExists(uint256 chainId, uint256 batchNumber);
    error NonConsecutiveBatchNumber(uint256 chainId, uint256 batchNumber);

    /// @notice The Bridgehub whose chains may append (`getZKChain(chainId)` must be the caller).
    address public BRIDGE_HUB;
    /// @notice The number of chains in the shared tree.
    uint256 public chainCount;
    /// @notice chainId -> index in the shared tree (0 is this chain).
    mapping(uint256 chainId => uint256 chainIndex) public chainIndex;
    /// @notice index in the shared tree -> chainId.
    mapping(uint256 chainIndex => uint256 chainId) public chainIndexToId;
    /// @dev Each chain's tree of batch roots.
    mapping(uint256 chainId => DynamicIncrementalMerkle.Bytes32PushTree tree) internal chainTree;
    /// @dev The shared tree's leaves (era-contracts keeps a `FullMerkle` tree of them: same root).
    bytes32[] internal sharedLeaves;
    /// @notice The shared root at the end of a block in which it changed.
    mapping(uint256 blockNumber => bytes32 globalMessageRoot) public historicalRoot;
    /// @notice The last batch of each chain appended.
    mapping(uint256 chainId => uint256 currentChainBatchNumber) public currentChainBatchNumber;
    /// @notice Each chain's appended batch roots.
    mapping(uint256 chainId => mapping(uint256 batchNumber => bytes32 chainRoot)) public chainBatchRoots;
    /// @notice How many `NewInteropRoot` were emitted.
    uint256 public totalPublishedInteropRoots;
    /// @dev The shared root as it is now (slot 10): what the node reads at the end of each of
    /// this chain's batches, whose logs root is `keccak256(localRoot ‖ it)`, so settling the
    /// batch on L1 settles every batch root appended here (zksync-os reads the root of
    /// era-contracts' `FullMerkle` shared tree, `_nodes[_height][0]`, for the same).
    bytes32 internal currentAggregatedRoot;

    /// @notice Once, at genesis: names the Bridgehub and adds this chain (index 0).
    function initialize(address _bridgehub) external {
        if (BRIDGE_HUB != address(0)) revert AlreadyInitialized();
        BRIDGE_HUB = _bridgehub;
        _addNewChain(block.chainid);
    }

    /// @notice Adds a chain settling here (era-contracts: by the Bridgehub when it registers
    /// one; here by its owner, the node's governor, at genesis).
    function addNewChain(uint256 _chainId) external {
        address owner = IBridgehubForMessageRoot(BRIDGE_HUB).owner();
        if (msg.sender != BRIDGE_HUB && msg.sender != owner) revert OnlyBridgehubOwner(msg.sender);
        if (chainRegistered(_chainId)) revert ChainExists();
        _addNewChain(_chainId);
    }

    function chainRegistered(uint256 _chainId) public view returns (bool) {
        return _chainId == block.chainid || chainIndex[_chainId] != 0;
    }

    /// @notice Appends an executed batch's root to its chain's tree; only the chain's contract.
    function addChainBatchRoot(uint256 _chainId, uint256 _batchNumber, bytes32 _chainBatchRoot) external {
        address chain = IBridgehubForMessageRoot(BRIDGE_HUB).getZKChain(_chainId);
        if (msg.sender != chain) revert OnlyChain(msg.sender, chain);
        if (!chainRegistered(_chainId)) revert MessageRootNotRegistered();
        if (_chainBatchRoot == bytes32(0)) revert ChainBatchRootZero();
        if (chainBatchRoots[_chainId][_batchNumber] != bytes32(0)) revert ChainBatchRootAlreadyExists(_chainId, _batchNumber);
        if (_batchNumber != currentChainBatchNumber[_chainId] + 1) revert NonConsecutiveBatchNumber(_chainId, _batchNumber);
        chainBatchRoots[_chainId][_batchNumber] = _chainBatchRoot;
        currentChainBatchNumber[_chainId] = _batchNumber;

        (, bytes32 chainRoot) = chainTree[_chainId].push(MessageHashing.batchLeafHash(_chainBatchRoot, _batchNumber));
        emit AppendedChainBatchRoot(_chainId, _batchNumber, _chainBatchRoot);

        bytes32 leaf = MessageHashing.chainIdLeafHash(chainRoot, _chainId);
        sharedLeaves[chainIndex[_chainId]] = leaf;
        emit NewChainRoot(_chainId, chainRoot, leaf);

        bytes32 sharedRoot = getAggregatedRoot();
        currentAggregatedRoot = sharedRoot;
        bytes32[] memory sides = new bytes32[](1);
        sides[0] = sharedRoot;
        emit NewInteropRoot(block.chainid, block.number, totalPublishedInteropRoots++, sides);
        historicalRoot[block.number] = sharedRoot;
    }

    /// @notice The shared root (the root of the full tree over the chains' leaves).
    function getAggregatedRoot() public view returns (bytes32) {
        if (chainCount == 0) return SHARED_ROOT_TREE_EMPTY_HASH;
        bytes32[] memory level = sharedLeaves;
        bytes32 zero = SHARED_ROOT_TREE_EMPTY_HASH;
        while (level.length > 1) {
            bytes32[] memory up = new bytes32[]((level.length + 1) / 2);
            for (uint256 i = 0; i < up.length; ++i) {
                bytes32 right = 2 * i + 1 < level.length ? level[2 * i + 1] : zero;
                up[i] = keccak256(abi.encodePacked(level[2 * i], right));
            }
            level = up;
            zero = keccak256(abi.encodePacked(zero, zero));
        }
        return level[0];
    }

    /// @notice The root of a chain's tree of batch roots.
    function getChainRoot(uint256 _chainId) external view returns (bytes32) {
        if (!chainRegistered(_chainId)) revert MessageRootNotRegistered();
        return chainTree[_chainId].root();
    }

    /// @notice The siblings of a chain's leaf in the shared tree, bottom up (its index is
    /// `chainIndex(chainId)`).
    function getMerklePathForChain(uint256 _chainId) external view returns (bytes32[] memory path) {
        if (!chainRegistered(_chainId)) revert MessageRootNotRegistered();
        uint256 height = 0;
        while ((1 << height) < chainCount) ++height;
        path = new bytes32[](height);
        bytes32[] memory level = sharedLeaves;
        bytes32 zero = SHARED_ROOT_TREE_EMPTY_HASH;
        uint256 index = chainIndex[_chainId];
        for (uint256 h = 0; h < height; ++h) {
            uint256 sibling = index ^ 1;
            path[h] = sibling < level.length ? level[sibling] : zero;
            bytes32[] memory up = new bytes32[]((level.length + 1) / 2);
            for (uint256 i = 0; i < up.length; ++i) {
                bytes32 right = 2 * i + 1 < level.length ? level[2 * i + 1] : zero;
                up[i] = keccak256(abi.encodePacked(level[2 * i], right));
            }
            level = up;
            zero = keccak256(abi.encodePacked(zero, zero));
            index /= 2;
        }
    }

    function _addNewChain(uint256 _chainId) internal {
        uint256 index = chainCount++;
        chainIndex[_chainId] = index;
        chainIndexToId[index] = _chainId;
        bytes32 initialRoot = chainTree[_chainId].setup(CHAIN_TREE_EMPTY_ENTRY_HASH);
        sharedLeaves.push(MessageHashing.chainIdLeafHash(initialRoot, _chainId));
        currentAggregatedRoot = getAggregatedRoot();
        emit AddedChain(_chainId, index);
    }
}
