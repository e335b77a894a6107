// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InteropRoot} from "../common/Messaging.sol";
import {L2_BOOTLOADER_ADDRESS} from "../common/Config.sol";
import {Unauthorized} from "./InteropTypes.sol";

/// @title L2InteropRootStorage, L2 system contract at 0x…10008 (era-contracts v31)
/// @notice The interop roots of other chains this chain imported: the node's system tx (type
/// 0x7d, from the bootloader 0x…8001) adds them at the start of a block; message proofs are
/// checked against them. For chains on the Gateway a root is the Gateway's shared message root
/// at the end of one of its blocks: `interopRoots[gatewayChainId][gatewayBlock]`.
/// Runtime code in the L2 genesis: no constructor.
contract L2InteropRootStorage {
    event InteropRootAdded(uint256 indexed chainId, uint256 indexed blockNumber, bytes32[] sides);

    error SidesLengthNotOne();
    error MessageRootIsZero();
    error InteropRootAlreadyExists();

    mapping(uint256 chainId => mapping(uint256 blockOrBatchNumber => bytes32 interopRoot)) public interopRoots;

    modifier onlyCallFromBootloader() {
        if (msg.sender != L2_BOOTLOADER_ADDRESS) revert Unauthorized(msg.sender);
        _;
    }

    function addInteropRoot(uint256 chainId, uint256 blockOrBatchNumber, bytes32[] calldata sides) external onlyCallFromBootloader {
        _addInteropRoot(chainId, blockOrBatchNumber, sides);
    }

    function addInteropRootsInBatch(InteropRoot[] calldata interopRootsInput) external onlyCallFromBootloader {
        for (uint256 i = 0; i < interopRootsInput.length; ++i) {
            _addInteropRoot(interopRootsInput[i].chainId, interopRootsInput[i].blockOrBatchNumber, interopRootsInput[i].sides);
        }
    }

    function _addInteropRoot(uint256 chainId, uint256 blockOrBatchNumber, bytes32[] calldata sides) private {
        if (sides.length != 1) revert SidesLengthNotOne();
        if (sides[0] == bytes32(0)) revert MessageRootIsZero();
        if (interopRoots[chainId][blockOrBatchNumber] != bytes32(0)) revert InteropRootAlreadyExists();
        interopRoots[chainId][blockOrBatchNumber] = sides[0];
        emit InteropRootAdded(chainId, blockOrBatchNumber, sides);
    }
}
