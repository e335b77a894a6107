// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Keccak binary Merkle tree helpers, as era-contracts `Merkle.calculateRoot`.
library Merkle {
    error MerklePathEmpty();
    error MerklePathOutOfBounds();
    error MerkleIndexOutOfBounds();

    /// @dev Root of the tree containing `_leafHash` at `_index`, with siblings `_path` from the
    /// bottom up. At each level bit i of the index says whether the node is a right child.
    function calculateRoot(
        bytes32[] memory _path,
        uint256 _index,
        bytes32 _leafHash
    ) internal pure returns (bytes32 current) {
        uint256 pathLength = _path.length;
        if (pathLength == 0) revert MerklePathEmpty();
        if (pathLength >= 256) revert MerklePathOutOfBounds();
        if (_index >= (1 << pathLength)) revert MerkleIndexOutOfBounds();
        current = _leafHash;
        for (uint256 i = 0; i < pathLength; ++i) {
            current = (_index % 2 == 0)
                ? keccak256(abi.encodePacked(current, _path[i]))
                : keccak256(abi.encodePacked(_path[i], current));
            _index /= 2;
        }
    }
}
