// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Append-only keccak Merkle tree whose height grows with its leaves (era-contracts
/// `DynamicIncrementalMerkle`, itself OpenZeppelin's `MerkleTree` made dynamic): the same
/// storage fields and the same roots, so proofs built for the real one verify against this one.
library DynamicIncrementalMerkle {
    struct Bytes32PushTree {
        uint256 _nextLeafIndex;
        bytes32[] _sides;
        bytes32[] _zeros;
    }

    /// @dev An empty tree whose empty leaf is `_zero`; its root is 0 until the first push.
    function setup(Bytes32PushTree storage self, bytes32 _zero) internal returns (bytes32 initialRoot) {
        self._nextLeafIndex = 0;
        self._zeros.push(_zero);
        self._sides.push(bytes32(0));
        return bytes32(0);
    }

    /// @dev Appends `_leaf`; returns its index and the new root.
    function push(Bytes32PushTree storage self, bytes32 _leaf) internal returns (uint256 index, bytes32 newRoot) {
        uint256 levels = self._zeros.length - 1;
        index = self._nextLeafIndex++;
        if (index == 1 << levels) {
            bytes32 zero = self._zeros[levels];
            self._zeros.push(keccak256(abi.encodePacked(zero, zero)));
            self._sides.push(bytes32(0));
            ++levels;
        }
        uint256 current = index;
        bytes32 hash = _leaf;
        bool updatedSides = false;
        for (uint256 i = 0; i < levels; ++i) {
            bool isLeft = current % 2 == 0;
            if (isLeft && !updatedSides) {
                self._sides[i] = hash;
                updatedSides = true;
            }
            hash = isLeft
                ? keccak256(abi.encodePacked(hash, self._zeros[i]))
                : keccak256(abi.encodePacked(self._sides[i], hash));
            current >>= 1;
        }
        self._sides[levels] = hash;
        return (index, hash);
    }

    function root(Bytes32PushTree storage self) internal view returns (bytes32) {
        return self._sides[self._sides.length - 1];
    }
}
