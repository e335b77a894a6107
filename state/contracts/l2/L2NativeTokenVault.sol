// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BridgedStandardERC20} from "./BridgedStandardERC20.sol";
import {DataEncoding} from "../common/DataEncoding.sol";
import {ETH_TOKEN_ADDRESS} from "../common/Config.sol";

interface IL2AssetRouterGetters {
    function L1_CHAIN_ID() external view returns (uint256);
}

interface IERC20ForVault {
    function balanceOf(address owner) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @title L2NativeTokenVault, L2 contract at 0x…10004
/// @notice Keeps two kinds of tokens, as era-contracts' `NativeTokenVaultBase` does:
/// - bridged ones (native to L1 or to another L2): on its first transfer here the vault creates
///   its `BridgedStandardERC20` with CREATE2 (salt keccak256(abi.encode(originChainId,
///   originToken)), so `calculateCreate2TokenAddress` is known before), then mints on arrival and
///   burns on departure;
/// - tokens native to this chain, once registered (`registerToken` / `ensureTokenIsRegistered`,
///   asset id keccak256(abi.encode(block.chainid, 0x…10004, token))): locked here on departure
///   (`transferFrom` the sender, who approves this vault) and released on their way back.
/// Only the L2 asset router (`0x…10003`) moves tokens. The base token (`0x…800a`) is answered for
/// but never minted or burned here. Genesis code: no constructor, no immutables.
contract L2NativeTokenVault {
    address internal constant ASSET_ROUTER_ADDR = address(0x10003);
    address internal constant L2_BASE_TOKEN = address(0x800a);

    /// @dev The token on this chain of every known asset, bridged or native (era-contracts'
    /// `tokenAddress`, `assetId`, `originChainId`; `originToken` is the token itself for a native one).
    mapping(bytes32 assetId => address) internal assetToken;
    mapping(address token => bytes32) internal tokenAssetId;
    mapping(bytes32 assetId => uint256) internal assetOriginChainId;
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
    error EmptyToken();
    error AssetIdAlreadyRegistered();
    error EmptyDeposit();
    error TokensWithFeesNotSupported();
    error DeployingBridgedTokenForNativeToken();
    error TokenTransferFailed(address token);

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
        return _assetId == BASE_TOKEN_ASSET_ID() ? L2_BASE_TOKEN : assetToken[_assetId];
    }

    function assetId(address _token) public view returns (bytes32) {
        return _token == L2_BASE_TOKEN ? BASE_TOKEN_ASSET_ID() : tokenAssetId[_token];
    }

    function originChainId(bytes32 _assetId) external view returns (uint256) {
        return _assetId == BASE_TOKEN_ASSET_ID() ? L1_CHAIN_ID() : assetOriginChainId[_assetId];
    }

    /// @notice Registers a token native to this chain (a contract); refused if it has an asset id.
    function registerToken(address _nativeToken) external {
        _registerToken(_nativeToken);
    }

    /// @notice The asset id of `_nativeToken`, registering it as native to this chain if it has none
    /// (what zksync-js calls, and static-calls for the id, before an interop ERC-20 transfer).
    function ensureTokenIsRegistered(address _nativeToken) public returns (bytes32) {
        bytes32 current = assetId(_nativeToken);
        return current != bytes32(0) ? current : _registerToken(_nativeToken);
    }

    function _registerToken(address _nativeToken) internal returns (bytes32 newAssetId) {
        if (_nativeToken.code.length == 0) revert EmptyToken();
        if (assetId(_nativeToken) != bytes32(0)) revert AssetIdAlreadyRegistered();
        newAssetId = DataEncoding.encodeNTVAssetId(block.chainid, _nativeToken);
        assetToken[newAssetId] = _nativeToken;
        tokenAssetId[_nativeToken] = newAssetId;
        assetOriginChainId[newAssetId] = block.chainid;
        originToken[newAssetId] = _nativeToken;
    }

    /// @notice The token's metadata as another chain's vault reads it: 0x01 ‖ abi.encode(originChainId,
    /// name, symbol, decimals), each the raw return data of the token's getter (empty if it has none).
    function getERC20Getters(address _token, uint256 _originChainId) public view returns (bytes memory) {
        (, bytes memory name) = _token.staticcall(abi.encodeWithSignature("name()"));
        (, bytes memory symbol) = _token.staticcall(abi.encodeWithSignature("symbol()"));
        (, bytes memory decimals) = _token.staticcall(abi.encodeWithSignature("decimals()"));
        return DataEncoding.encodeTokenData(_originChainId, name, symbol, decimals);
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

    /// @notice A transfer arriving from chain `_chainId` (a deposit from L1 or an interop bundle's
    /// call): `_data` is the bridge mint data (sender, receiver, origin token, amount, metadata).
    /// A token native to this chain is released from the vault; a bridged one is minted, its token
    /// created on its first arrival, for the origin chain its metadata names.
    function bridgeMint(uint256 _chainId, bytes32 _assetId, bytes calldata _data) external payable onlyAssetRouter {
        (address sender, address receiver, address origin, uint256 amount, bytes memory metadata) = DataEncoding
            .decodeBridgeMintData(_data);
        address token = assetToken[_assetId];
        if (token != address(0) && assetOriginChainId[_assetId] == block.chainid) {
            _release(token, receiver, amount);
        } else {
            if (token == address(0)) {
                uint256 tokenOriginChainId = this.tokenDataOriginChainId(metadata);
                if (tokenOriginChainId == block.chainid) revert DeployingBridgedTokenForNativeToken();
                bytes32 expected = DataEncoding.encodeNTVAssetId(tokenOriginChainId, origin);
                if (_assetId != expected) revert AssetIdMismatch(expected, _assetId);
                token = _deployBridgedToken(tokenOriginChainId, _assetId, origin, metadata);
            }
            BridgedStandardERC20(token).bridgeMint(receiver, amount);
        }
        emit BridgeMint(_chainId, _assetId, receiver, amount);
        emit FinalizeDeposit(sender, receiver, token, amount);
    }

    /// @notice A transfer leaving (a withdrawal to L1 or an interop bundle's call):
    /// `_data = abi.encode(amount, receiver, token)` (the token may be zero: the asset id names it).
    /// A token native to this chain is locked here (`transferFrom` `_originalCaller`, who approved
    /// this vault); a bridged one is burned from `_originalCaller`. Returns the bridge mint data
    /// for the other chain.
    function bridgeBurn(
        uint256 _chainId,
        uint256,
        bytes32 _assetId,
        address _originalCaller,
        bytes calldata _data
    ) external payable onlyAssetRouter returns (bytes memory) {
        (uint256 amount, address receiver, address token) = DataEncoding.decodeBridgeBurnData(_data);
        address known = assetToken[_assetId];
        if (known == address(0)) revert UnknownAsset(_assetId);
        if (token != address(0) && token != known) revert TokenMismatch(known, token);
        uint256 originChain = assetOriginChainId[_assetId];
        bytes memory metadata;
        if (originChain == block.chainid) {
            if (amount == 0) revert EmptyDeposit();
            _lock(known, _originalCaller, amount);
            metadata = getERC20Getters(known, originChain);
        } else {
            if (amount == 0) revert ZeroAmount();
            BridgedStandardERC20(known).bridgeBurn(_originalCaller, amount);
            // To another L2 (interop) the token's getters go along, so the destination's vault can
            // create it with the same name; L1 knows the token.
            metadata = _chainId == L1_CHAIN_ID() ? bytes("") : getERC20Getters(known, originChain);
        }
        emit BridgeBurn(_chainId, _assetId, _originalCaller, receiver, amount);
        emit WithdrawalInitiated(_originalCaller, receiver, known, amount);
        return DataEncoding.encodeBridgeMintData(_originalCaller, receiver, originToken[_assetId], amount, metadata);
    }

    /// @notice The origin chain of an asset this vault knows (0 if it does not know it).
    function bridgedOriginChain(bytes32 _assetId) external view returns (uint256) {
        return assetOriginChainId[_assetId];
    }

    /// @dev Takes `_amount` of a native token from `_from`; a token that delivers less (fee on
    /// transfer) is refused, as era-contracts' `_depositFunds` check does.
    function _lock(address _token, address _from, uint256 _amount) internal {
        uint256 before = IERC20ForVault(_token).balanceOf(address(this));
        _call(_token, abi.encodeCall(IERC20ForVault.transferFrom, (_from, address(this), _amount)));
        if (IERC20ForVault(_token).balanceOf(address(this)) - before != _amount) revert TokensWithFeesNotSupported();
    }

    function _release(address _token, address _to, uint256 _amount) internal {
        _call(_token, abi.encodeCall(IERC20ForVault.transfer, (_to, _amount)));
    }

    /// @dev SafeERC20's rule: the call succeeds and returns nothing or `true`.
    function _call(address _token, bytes memory _callData) internal {
        (bool ok, bytes memory ret) = _token.call(_callData);
        if (!ok || (ret.length != 0 && !abi.decode(ret, (bool)))) revert TokenTransferFailed(_token);
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
        assetToken[_assetId] = token;
        tokenAssetId[token] = _assetId;
        assetOriginChainId[_assetId] = _originChainId;
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

    /// @notice The origin chain a token's metadata names; L1 if it names none (empty or legacy
    /// `abi.encode(name, symbol, decimals)` metadata).
    function tokenDataOriginChainId(bytes calldata _data) external view returns (uint256 chainId) {
        if (_data.length != 0 && _data[0] == 0x01 && _data.length % 32 == 1) {
            chainId = abi.decode(_data[1:33], (uint256));
        }
        if (chainId == 0) chainId = L1_CHAIN_ID();
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
