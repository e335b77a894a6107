// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BridgedStandardERC20} from "./BridgedStandardERC20.sol";
import {DataEncoding} from "../common/DataEncoding.sol";
import {ETH_TOKEN_ADDRESS} from "../common/Config.sol";

interface IL2AssetRouterGetters {
    function L1_CHAIN_ID() external view returns (uint256);
}

/// @title L2NativeTokenVault, L2 contract at 0x…10004
/// @notice Keeps the L2 tokens of assets bridged from L1: on the first deposit of an L1 token it
/// creates its `BridgedStandardERC20` with CREATE2 (salt keccak256(abi.encode(originChainId,
/// l1Token)), so `l2TokenAddress` is known before), then mints on deposits and burns on
/// withdrawals. Only the L2 asset router (`0x…10003`) moves tokens. The base token (`0x…800a`) is
/// answered for but never minted or burned here. Genesis code: no constructor, no immutables.
contract L2NativeTokenVault {
    address internal constant ASSET_ROUTER_ADDR = address(0x10003);
    address internal constant L2_BASE_TOKEN = address(0x800a);

    mapping(bytes32 assetId => address) internal bridgedToken;
    mapping(address token => bytes32) internal bridgedAssetId;
    mapping(bytes32 assetId => uint256) internal bridgedOriginChainId;
    mapping(bytes32 assetId => address) public originToken;

    event FinalizeDeposit(address indexed l1Sender, address indexed l2Receiver, address indexed l2Token, uint256 amount);
    event WithdrawalInitiated(address indexed l2Sender, address indexed l1Receiver, address indexed l2Token, uint256 amount);
    event BridgeMint(uint256 indexed chainId, bytes32 indexed assetId, address receiver, uint256 amount);
    event BridgeBurn(uint256 indexed chainId, bytes32 indexed assetId, address indexed sender, address receiver, uint256 amount);

    error Unauthorized(address caller);
    error AssetIdMismatch(bytes32 expected, bytes32 provided);
    error UnknownAsset(bytes32 assetId);
    error TokenMismatch(address expected, address provided);
    error ZeroAmount();

    modifier onlyAssetRouter() {
        if (msg.sender != ASSET_ROUTER_ADDR) revert Unauthorized(msg.sender);
        _;
    }

    function ASSET_ROUTER() external pure returns (address) {
        return ASSET_ROUTER_ADDR;
    }

    function L1_CHAIN_ID() public view returns (uint256) {
        return IL2AssetRouterGetters(ASSET_ROUTER_ADDR).L1_CHAIN_ID();
    }

    function BASE_TOKEN_ASSET_ID() public view returns (bytes32) {
        return DataEncoding.encodeNTVAssetId(L1_CHAIN_ID(), ETH_TOKEN_ADDRESS);
    }

    /// @notice No wrapped base token on the devnet.
    function WETH_TOKEN() external pure returns (address) {
        return address(0);
    }

    function tokenAddress(bytes32 _assetId) public view returns (address) {
        return _assetId == BASE_TOKEN_ASSET_ID() ? L2_BASE_TOKEN : bridgedToken[_assetId];
    }

    function assetId(address _token) public view returns (bytes32) {
        return _token == L2_BASE_TOKEN ? BASE_TOKEN_ASSET_ID() : bridgedAssetId[_token];
    }

    function originChainId(bytes32 _assetId) external view returns (uint256) {
        return _assetId == BASE_TOKEN_ASSET_ID() ? L1_CHAIN_ID() : bridgedOriginChainId[_assetId];
    }

    /// @notice The L2 address of an L1 token's bridged token (deployed or not yet).
    function l2TokenAddress(address _l1Token) external view returns (address) {
        return calculateCreate2TokenAddress(L1_CHAIN_ID(), _l1Token);
    }

    function calculateCreate2TokenAddress(uint256 _originChainId, address _originToken) public view returns (address) {
        bytes32 hash = keccak256(
            abi.encodePacked(
                bytes1(0xff),
                address(this),
                _salt(_originChainId, _originToken),
                keccak256(type(BridgedStandardERC20).creationCode)
            )
        );
        return address(uint160(uint256(hash)));
    }

    /// @notice A deposit: `_data` is the bridge mint data (sender, receiver, origin token, amount,
    /// metadata). Creates the bridged token on its first deposit.
    function bridgeMint(uint256 _chainId, bytes32 _assetId, bytes calldata _data) external payable onlyAssetRouter {
        (address sender, address receiver, address origin, uint256 amount, bytes memory metadata) = DataEncoding
            .decodeBridgeMintData(_data);
        address token = bridgedToken[_assetId];
        if (token == address(0)) {
            bytes32 expected = DataEncoding.encodeNTVAssetId(_chainId, origin);
            if (_assetId != expected) revert AssetIdMismatch(expected, _assetId);
            token = _deployBridgedToken(_chainId, _assetId, origin, metadata);
        }
        BridgedStandardERC20(token).bridgeMint(receiver, amount);
        emit BridgeMint(_chainId, _assetId, receiver, amount);
        emit FinalizeDeposit(sender, receiver, token, amount);
    }

    /// @notice A withdrawal: burns `amount` of the bridged token from `_originalCaller`
    /// (`_data = abi.encode(amount, l1Receiver, l2Token)`), returns the bridge mint data for L1.
    function bridgeBurn(
        uint256 _chainId,
        uint256,
        bytes32 _assetId,
        address _originalCaller,
        bytes calldata _data
    ) external payable onlyAssetRouter returns (bytes memory) {
        (uint256 amount, address receiver, address token) = DataEncoding.decodeBridgeBurnData(_data);
        address bridged = bridgedToken[_assetId];
        if (bridged == address(0)) revert UnknownAsset(_assetId);
        if (token != address(0) && token != bridged) revert TokenMismatch(bridged, token);
        if (amount == 0) revert ZeroAmount();
        BridgedStandardERC20(bridged).bridgeBurn(_originalCaller, amount);
        emit BridgeBurn(_chainId, _assetId, _originalCaller, receiver, amount);
        emit WithdrawalInitiated(_originalCaller, receiver, bridged, amount);
        // To another L2 (interop) the token's getters go along, so the destination's vault can
        // create it with the same name; L1 knows the token.
        bytes memory metadata = _chainId == L1_CHAIN_ID() ? bytes("") : _metadataOf(_assetId, bridged);
        return DataEncoding.encodeBridgeMintData(_originalCaller, receiver, originToken[_assetId], amount, metadata);
    }

    /// @notice The origin chain of a bridged asset (0 if this vault does not know it).
    function bridgedOriginChain(bytes32 _assetId) external view returns (uint256) {
        return bridgedOriginChainId[_assetId];
    }

    function _metadataOf(bytes32 _assetId, address _token) internal view returns (bytes memory) {
        BridgedStandardERC20 token = BridgedStandardERC20(_token);
        return
            DataEncoding.encodeTokenData(
                bridgedOriginChainId[_assetId],
                abi.encode(token.name()),
                abi.encode(token.symbol()),
                abi.encode(token.decimals())
            );
    }

    function _deployBridgedToken(
        uint256 _originChainId,
        bytes32 _assetId,
        address _origin,
        bytes memory _metadata
    ) internal returns (address token) {
        BridgedStandardERC20 created = new BridgedStandardERC20{salt: _salt(_originChainId, _origin)}();
        (string memory name, string memory symbol, uint8 decimals) = _tokenInfo(_metadata);
        created.bridgeInitialize(_assetId, _origin, name, symbol, decimals);
        token = address(created);
        bridgedToken[_assetId] = token;
        bridgedAssetId[token] = _assetId;
        bridgedOriginChainId[_assetId] = _originChainId;
        originToken[_assetId] = _origin;
    }

    /// @dev Name, symbol and decimals from the L1 token's getters; a getter that was missing or
    /// answered something else gives "" / 18, as era-contracts' bridged token does.
    function _tokenInfo(bytes memory _metadata) internal view returns (string memory name, string memory symbol, uint8 decimals) {
        decimals = 18;
        bytes memory n;
        bytes memory s;
        bytes memory d;
        try this.decodeTokenData(_metadata) returns (bytes memory n_, bytes memory s_, bytes memory d_) {
            (n, s, d) = (n_, s_, d_);
        } catch {}
        try this.decodeString(n) returns (string memory v) {
            name = v;
        } catch {}
        try this.decodeString(s) returns (string memory v) {
            symbol = v;
        } catch {}
        try this.decodeUint8(d) returns (uint8 v) {
            decimals = v;
        } catch {}
    }

    /// @dev External so that malformed metadata fails in a call the vault can catch.
    /// @dev Reads both metadata forms: 0x01 ‖ abi.encode(originChainId, name, symbol, decimals)
    /// (`getERC20Getters`) and the legacy abi.encode(name, symbol, decimals) that SDKs build for
    /// their `finalizeDeposit` estimates.
    function decodeTokenData(
        bytes calldata _data
    ) external pure returns (bytes memory name, bytes memory symbol, bytes memory decimals) {
        if (_data.length == 0) return (name, symbol, decimals);
        if (_data[0] == 0x01 && _data.length % 32 == 1) {
            (, name, symbol, decimals) = abi.decode(_data[1:], (uint256, bytes, bytes, bytes));
        } else {
            (name, symbol, decimals) = abi.decode(_data, (bytes, bytes, bytes));
        }
    }

    function decodeString(bytes calldata _data) external pure returns (string memory) {
        return abi.decode(_data, (string));
    }

    function decodeUint8(bytes calldata _data) external pure returns (uint8) {
        return abi.decode(_data, (uint8));
    }

    function _salt(uint256 _originChainId, address _originToken) internal pure returns (bytes32) {
        return keccak256(abi.encode(_originChainId, _originToken));
    }
}
