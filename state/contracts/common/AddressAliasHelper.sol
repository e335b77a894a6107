// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice L1->L2 sender aliasing (the Arbitrum scheme era-contracts vendors): a contract on L1
/// must not be able to act as the account with the same address on L2.
library AddressAliasHelper {
    uint160 internal constant OFFSET = uint160(0x1111000000000000000000000000000000001111);

    function applyL1ToL2Alias(address l1Address) internal pure returns (address l2Address) {
        unchecked {
            l2Address = address(uint160(l1Address) + OFFSET);
        }
    }
}
