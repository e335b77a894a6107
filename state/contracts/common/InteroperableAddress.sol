// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice ERC-7930 interoperable addresses of EVM chains (version 1, chain type eip155), as
/// OpenZeppelin's draft `InteroperableAddress` writes them:
/// `0x0001 ‖ 0x0000 ‖ len(chainRef) ‖ chainRef (chain id, big-endian, no leading zeros) ‖ len(addr) ‖ addr`.
/// Either part may be empty (length 0).
library InteroperableAddress {
    error InteroperableAddressParsingError(bytes);

    function formatEvmV1(uint256 _chainId, address _addr) internal pure returns (bytes memory) {
        return abi.encodePacked(_head(_chainId), uint8(20), _addr);
    }

    function formatEvmV1(uint256 _chainId) internal pure returns (bytes memory) {
        return abi.encodePacked(_head(_chainId), uint8(0));
    }

    /// @dev (chain id, address), 0 for a part that is absent.
    function parseEvmV1(bytes memory _data) internal pure returns (uint256 chainId, address addr) {
        if (_data.length < 6 || _data[0] != 0x00 || _data[1] != 0x01 || _data[2] != 0x00 || _data[3] != 0x00) {
            revert InteroperableAddressParsingError(_data);
        }
        uint256 refLength = uint8(_data[4]);
        if (refLength > 32 || _data.length < 6 + refLength) revert InteroperableAddressParsingError(_data);
        for (uint256 i = 0; i < refLength; ++i) chainId = (chainId << 8) | uint8(_data[5 + i]);
        uint256 addrLength = uint8(_data[5 + refLength]);
        if ((addrLength != 0 && addrLength != 20) || _data.length != 6 + refLength + addrLength) {
            revert InteroperableAddressParsingError(_data);
        }
        uint256 word;
        for (uint256 i = 0; i < addrLength; ++i) word = (word << 8) | uint8(_data[6 + refLength + i]);
        addr = address(uint160(word));
    }

    function _head(uint256 _chainId) private pure returns (bytes memory) {
        uint256 length = 0;
        for (uint256 v = _chainId; v != 0; v >>= 8) ++length;
        bytes memory ref = new bytes(length);
        for (uint256 i = 0; i < length; ++i) ref[length - 1 - i] = bytes1(uint8(_chainId >> (8 * i)));
        return abi.encodePacked(bytes4(0x00010000), uint8(length), ref);
    }
}
