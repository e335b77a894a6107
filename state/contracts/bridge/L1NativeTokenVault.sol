// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DataEncoding} from "../common/DataEncoding.sol";
import {ETH_TOKEN_ADDRESS} from "../common/Config.sol";

interface IERC20Minimal {
    function balanceOf(address) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

interface IL1AssetRouterForVault {
    function transferFundsToNTV(bytes32 _assetId, uint256 _amount, address _originalCaller) external returns (bool);
}

/// @title L1NativeTokenVault
/// @notice Holds what L1 has sent to the chains: ETH (the base token of every chain) and every
/// ERC-20 deposited through the asset router, and releases it for withdrawals proven on L1 and
/// for failed deposits. A token gets an asset id (`keccak256(abi.encode(L1 chain id, 0x…10004,
/// token))`) when it is first registered or deposited. Only the asset router moves funds.
contract L1NativeTokenVault {
    address public immutable WETH_TOKEN;
    address public immutable ASSET_ROUTER;
    address public immutable L1_NULLIFIER;
    uint256 public immutable L1_CHAIN_ID;
    /// @dev The asset id of ETH (every chain's base token here).
    bytes32 public immutable BASE_TOKEN_ASSET_ID;

    mapping(bytes32 assetId => address) public tokenAddress;
    mapping(address token => bytes32) public assetId;
    mapping(bytes32 assetId => uint256) public originChainId;

    bool private transient locked;

    event BridgeBurn(uint256 indexed chainId, bytes32 indexed assetId, address indexed sender, address receiver, uint256 amount);
    event BridgeMint(uint256 indexed chainId, bytes32 indexed assetId, address receiver, uint256 amount);
    event TokenRegistered(bytes32 indexed assetId, address indexed token);

    error Unauthorized(address caller);
    error Reentrancy();
    error NotAContract(address token);
    error UnknownAsset(bytes32 assetId);
    error ZeroAmount();
    error ValueMismatch(uint256 expected, uint256 provided);
    error TokenTransferFailed(address token);
    error TokensNotReceived(uint256 expected, uint256 received);
    error EthTransferFailed(address receiver);

    modifier onlyAssetRouter() {
        if (msg.sender != ASSET_ROUTER) revert Unauthorized(msg.sender);
        _;
    }

    modifier nonReentrant() {
        if (locked) revert Reentrancy();
        locked = true;
        _;
        locked = false;
    }

    constructor(address _wethToken, address _assetRouter, address _l1Nullifier) {
        WETH_TOKEN = _wethToken;
        ASSET_ROUTER = _assetRouter;
        L1_NULLIFIER = _l1Nullifier;
        L1_CHAIN_ID = block.chainid;
        BASE_TOKEN_ASSET_ID = DataEncoding.encodeNTVAssetId(block.chainid, ETH_TOKEN_ADDRESS);
        _register(ETH_TOKEN_ADDRESS);
    }

    /// @notice ETH backing the chains' genesis balances (withdrawals are paid from this balance).
    receive() external payable {}

    function registerToken(address _token) external {
        if (assetId[_token] == bytes32(0)) _registerContract(_token);
    }

    function ensureTokenIsRegistered(address _token) public returns (bytes32) {
        bytes32 id = assetId[_token];
        return id != bytes32(0) ? id : _registerContract(_token);
    }

    /// @notice Registers the token a deposit names (`_burnData = abi.encode(amount, receiver,
    /// token)`) when it is not yet known and `_expectedAssetId` is its asset id: the first deposit
    /// of a token in the asset-id form registers it, as the legacy form does.
    function tryRegisterTokenFromBurnData(bytes calldata _burnData, bytes32 _expectedAssetId) external {
        if (tokenAddress[_expectedAssetId] != address(0)) return;
        (, , address token) = DataEncoding.decodeBridgeBurnData(_burnData);
        if (token == address(0) || DataEncoding.encodeNTVAssetId(block.chainid, token) != _expectedAssetId) return;
        if (assetId[token] == bytes32(0)) _registerContract(token);
    }

    /// @notice Locks what `_data = abi.encode(amount, receiver, token)` names: ETH comes as
    /// msg.value, an ERC-20 is pulled from `_originalCaller` (with its allowance to the asset
    /// router, or else to this vault). Returns the bridge mint data for the chain's L2 vault.
    function bridgeBurn(
        uint256 _chainId,
        uint256,
        bytes32 _assetId,
        address _originalCaller,
        bytes calldata _data
    ) external payable onlyAssetRouter nonReentrant returns (bytes memory bridgeMintData) {
        (uint256 amount, address receiver, ) = DataEncoding.decodeBridgeBurnData(_data);
        if (amount == 0) revert ZeroAmount();
        address token = _tokenOf(_assetId);
        _lock(token, _assetId, amount, _originalCaller);
        emit BridgeBurn(_chainId, _assetId, _originalCaller, receiver, amount);
        bytes memory metadata = getERC20Getters(token, originChainId[_assetId]);
        bridgeMintData = DataEncoding.encodeBridgeMintData(_originalCaller, receiver, token, amount, metadata);
    }

    function _lock(address _tokenAddr, bytes32 _assetId, uint256 _amount, address _from) internal {
        if (_tokenAddr == ETH_TOKEN_ADDRESS) {
            if (msg.value != _amount) revert ValueMismatch(_amount, msg.value);
            return;
        }
        if (msg.value != 0) revert ValueMismatch(0, msg.value);
        uint256 before = IERC20Minimal(_tokenAddr).balanceOf(address(this));
        if (!IL1AssetRouterForVault(ASSET_ROUTER).transferFundsToNTV(_assetId, _amount, _from)) {
            _safeTransferFrom(_tokenAddr, _from, address(this), _amount);
        }
        uint256 received = IERC20Minimal(_tokenAddr).balanceOf(address(this)) - before;
        if (received != _amount) revert TokensNotReceived(_amount, received);
    }

    /// @notice Releases a withdrawal: `_data` is the bridge mint data the L2 sent.
    function bridgeMint(uint256 _chainId, bytes32 _assetId, bytes calldata _data) external payable onlyAssetRouter nonReentrant {
        (, address receiver, , uint256 amount, ) = DataEncoding.decodeBridgeMintData(_data);
        _release(_tokenOf(_assetId), receiver, amount);
        emit BridgeMint(_chainId, _assetId, receiver, amount);
    }

    /// @notice Returns a failed deposit to its sender: `_data = abi.encode(amount, receiver, token)`.
    function bridgeRecoverFailedTransfer(
        uint256 _chainId,
        bytes32 _assetId,
        address _depositSender,
        bytes calldata _data
    ) external payable onlyAssetRouter nonReentrant {
        (uint256 amount, , ) = DataEncoding.decodeBridgeBurnData(_data);
        _release(_tokenOf(_assetId), _depositSender, amount);
        emit BridgeMint(_chainId, _assetId, _depositSender, amount);
    }

    /// @notice The token's metadata as the L2 vault reads it when it deploys the bridged token.
    function getERC20Getters(address _token, uint256 _originChainId) public view returns (bytes memory) {
        if (_token == ETH_TOKEN_ADDRESS) {
            return DataEncoding.encodeTokenData(_originChainId, abi.encode("Ether"), abi.encode("ETH"), abi.encode(uint8(18)));
        }
        (, bytes memory name) = _token.staticcall(abi.encodeWithSignature("name()"));
        (, bytes memory symbol) = _token.staticcall(abi.encodeWithSignature("symbol()"));
        (, bytes memory decimals) = _token.staticcall(abi.encodeWithSignature("decimals()"));
        return DataEncoding.encodeTokenData(_originChainId, name, symbol, decimals);
    }

    function _tokenOf(bytes32 _assetId) internal view returns (address token) {
        token = tokenAddress[_assetId];
        if (token == address(0)) revert UnknownAsset(_assetId);
    }

    function _registerContract(address _token) internal returns (bytes32) {
        if (_token.code.length == 0) revert NotAContract(_token);
        return _register(_token);
    }

    function _register(address _token) internal returns (bytes32 id) {
        id = DataEncoding.encodeNTVAssetId(block.chainid, _token);
        tokenAddress[id] = _token;
        assetId[_token] = id;
        originChainId[id] = block.chainid;
        emit TokenRegistered(id, _token);
    }

    function _release(address _tokenAddr, address _receiver, uint256 _amount) internal {
        if (_tokenAddr == ETH_TOKEN_ADDRESS) {
            (bool ok, ) = _receiver.call{value: _amount}("");
            if (!ok) revert EthTransferFailed(_receiver);
        } else {
            _call(_tokenAddr, abi.encodeCall(IERC20Minimal.transfer, (_receiver, _amount)));
        }
    }

    function _safeTransferFrom(address _tokenAddr, address _from, address _to, uint256 _amount) internal {
        _call(_tokenAddr, abi.encodeCall(IERC20Minimal.transferFrom, (_from, _to, _amount)));
    }

    /// @dev A token call that reverts, or returns false, fails the whole operation.
    function _call(address _tokenAddr, bytes memory _calldata) internal {
        (bool ok, bytes memory ret) = _tokenAddr.call(_calldata);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        if (ret.length != 0 && !abi.decode(ret, (bool))) revert TokenTransferFailed(_tokenAddr);
    }
}
