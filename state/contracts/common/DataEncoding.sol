// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2_NATIVE_TOKEN_VAULT_ADDR, NEW_ENCODING_VERSION} from "./Config.sol";

/// @notice The encodings the bridge contracts agree on, as era-contracts `DataEncoding.sol`
/// defines them (asset ids, burn and mint data, token metadata).
library DataEncoding {
    /// @dev Asset id of a token handled by the native token vaults: the chain it originates on,
    /// the L2 vault's address (the same on every chain) and its address there.
    function encodeNTVAssetId(uint256 _originChainId, address _token) internal pure returns (bytes32) {
        return keccak256(abi.encode(_originChainId, L2_NATIVE_TOKEN_VAULT_ADDR, _token));
    }

    /// @dev What a user hands the asset router to move tokens: amount, receiver on the other
    /// chain, and the token on this chain (may be zero: the vault knows it from the asset id).
    function encodeBridgeBurnData(uint256 _amount, address _receiver, address _token) internal pure returns (bytes memory) {
        return abi.encode(_amount, _receiver, _token);
    }

    function decodeBridgeBurnData(bytes memory _data) internal pure returns (uint256 amount, address receiver, address token) {
        (amount, receiver, token) = abi.decode(_data, (uint256, address, address));
    }

    /// @dev What the other chain's vault gets to mint or release: who sent it, who receives it,
    /// the token on its origin chain, the amount and the token's metadata (`getERC20Getters`).
    function encodeBridgeMintData(
        address _originalCaller,
        address _receiver,
        address _originToken,
        uint256 _amount,
        bytes memory _erc20Metadata
    ) internal pure returns (bytes memory) {
        return abi.encode(_originalCaller, _receiver, _originToken, _amount, _erc20Metadata);
    }

    function decodeBridgeMintData(
        bytes memory _data
    )
        internal
        pure
        returns (address originalCaller, address receiver, address originToken, uint256 amount, bytes memory erc20Metadata)
    {
        (originalCaller, receiver, originToken, amount, erc20Metadata) = abi.decode(
            _data,
            (address, address, address, uint256, bytes)
        );
    }

    /// @dev Token metadata: 0x01 ‖ abi.encode(originChainId, name, symbol, decimals), each of the
    /// last three the raw ABI return data of the token's getter.
    function encodeTokenData(
        uint256 _originChainId,
        bytes memory _name,
        bytes memory _symbol,
        bytes memory _decimals
    ) internal pure returns (bytes memory) {
        return bytes.concat(NEW_ENCODING_VERSION, abi.encode(_originChainId, _name, _symbol, _decimals));
    }

    /// @dev What the L1 keeps per deposit to recognise a claim for a failed one.
    function encodeTxDataHash(address _depositSender, bytes32 _assetId, uint256 _amount) internal pure returns (bytes32) {
        return keccak256(abi.encode(_depositSender, _assetId, _amount));
    }
}
