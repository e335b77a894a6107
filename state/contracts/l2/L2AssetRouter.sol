// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2NativeTokenVault} from "./L2NativeTokenVault.sol";
import {DataEncoding} from "../common/DataEncoding.sol";
import {ETH_TOKEN_ADDRESS} from "../common/Config.sol";
import {InteroperableAddress} from "../common/InteroperableAddress.sol";
import {InteropCallStarter, IERC7786Attributes, IERC7786Recipient, L2_INTEROP_CENTER_ADDR, L2_INTEROP_HANDLER_ADDR} from "../interop/InteropTypes.sol";

interface IL1MessengerForRouter {
    function sendToL1(bytes calldata _message) external returns (bytes32);
}

/// @title L2AssetRouter, L2 contract at 0x…10003
/// @notice The L2 end of the shared bridge. Deposits arrive as L1->L2 txs from the aliased L1
/// asset router (`finalizeDeposit`); the native token vault (`0x…10004`) mints the bridged token.
/// `withdraw(assetId, abi.encode(amount, l1Receiver, l2Token))` burns it and sends L1 the message
/// finalizeDeposit(uint256,bytes32,bytes).selector ‖ chain id ‖ asset id ‖ bridge mint data,
/// which the L1 nullifier proves and the L1 vault pays out. The base token (ETH) is withdrawn
/// through `0x…800a`, not here.
/// Genesis code with no constructor: slot 0 = the L1 asset router, slot 1 = the L1 chain id
/// (the node writes both into the L2 genesis).
contract L2AssetRouter {
    address internal l1AssetRouter;
    uint256 internal l1ChainId;

    L2NativeTokenVault internal constant NATIVE_TOKEN_VAULT = L2NativeTokenVault(payable(address(0x10004)));
    IL1MessengerForRouter internal constant L1_MESSENGER = IL1MessengerForRouter(address(0x8008));
    /// @dev era-contracts `AddressAliasHelper.offset`.
    uint160 internal constant ALIAS_OFFSET = uint160(0x1111000000000000000000000000000000001111);

    event DepositFinalizedAssetRouter(uint256 indexed chainId, bytes32 indexed assetId, bytes assetData);
    event WithdrawalInitiatedAssetRouter(uint256 chainId, address indexed l2Sender, bytes32 indexed assetId, bytes assetData);

    error Unauthorized(address caller);
    error AssetIdNotSupported(bytes32 assetId);
    error TokenNotBridged(address l2Token);
    error UnsupportedEncodingVersion();
    error InvalidSelector(bytes4 selector);

    /// @dev Deposits come from the L1 asset router, aliased (it is a contract on L1).
    modifier onlyL1AssetRouter() {
        unchecked {
            if (msg.sender != address(uint160(l1AssetRouter) + ALIAS_OFFSET)) revert Unauthorized(msg.sender);
        }
        _;
    }

    function L1_ASSET_ROUTER() external view returns (address) {
        return l1AssetRouter;
    }

    function L1_CHAIN_ID() external view returns (uint256) {
        return l1ChainId;
    }

    function BASE_TOKEN_ASSET_ID() public view returns (bytes32) {
        return DataEncoding.encodeNTVAssetId(l1ChainId, ETH_TOKEN_ADDRESS);
    }

    /// @notice No legacy L2 shared bridge on a ZKsync OS chain.
    function L2_LEGACY_SHARED_BRIDGE() external pure returns (address) {
        return address(0);
    }

    /// @notice The L1 counterpart (the legacy L2 shared bridge's getter names).
    function l1Bridge() external view returns (address) {
        return l1AssetRouter;
    }

    function l1SharedBridge() external view returns (address) {
        return l1AssetRouter;
    }

    function assetHandlerAddress(bytes32 _assetId) external view returns (address) {
        return NATIVE_TOKEN_VAULT.tokenAddress(_assetId) == address(0) ? address(0) : address(NATIVE_TOKEN_VAULT);
    }

    /// @notice A deposit of an L1 token (what the L1 asset router sends for tokens native to L1).
    function finalizeDeposit(
        address _l1Sender,
        address _l2Receiver,
        address _l1Token,
        uint256 _amount,
        bytes calldata _data
    ) external payable onlyL1AssetRouter {
        bytes32 assetId = DataEncoding.encodeNTVAssetId(l1ChainId, _l1Token);
        bytes memory mintData = DataEncoding.encodeBridgeMintData(_l1Sender, _l2Receiver, _l1Token, _amount, _data);
        _finalizeDeposit(l1ChainId, assetId, mintData);
    }

    /// @notice A deposit of any asset: `_transferData` is its bridge mint data.
    function finalizeDeposit(uint256 _originChainId, bytes32 _assetId, bytes calldata _transferData) external payable onlyL1AssetRouter {
        _finalizeDeposit(_originChainId, _assetId, _transferData);
    }

    function _finalizeDeposit(uint256 _chainId, bytes32 _assetId, bytes memory _transferData) internal {
        if (_assetId == BASE_TOKEN_ASSET_ID()) revert AssetIdNotSupported(_assetId);
        NATIVE_TOKEN_VAULT.bridgeMint(_chainId, _assetId, _transferData);
        emit DepositFinalizedAssetRouter(_chainId, _assetId, _transferData);
    }

    /// @notice Withdraws a bridged token to L1: `_assetData = abi.encode(amount, l1Receiver, l2Token)`
    /// (the token may be zero: the asset id names it). Returns the hash of the L2->L1 message.
    function withdraw(bytes32 _assetId, bytes calldata _assetData) public returns (bytes32) {
        return _withdraw(_assetId, _assetData);
    }

    /// @notice The legacy L2 shared bridge's form of the same.
    function withdraw(address _l1Receiver, address _l2Token, uint256 _amount) external {
        bytes32 assetId = NATIVE_TOKEN_VAULT.assetId(_l2Token);
        if (assetId == bytes32(0)) revert TokenNotBridged(_l2Token);
        _withdraw(assetId, DataEncoding.encodeBridgeBurnData(_amount, _l1Receiver, _l2Token));
    }

    function _withdraw(bytes32 _assetId, bytes memory _assetData) internal returns (bytes32) {
        if (_assetId == BASE_TOKEN_ASSET_ID()) revert AssetIdNotSupported(_assetId);
        // The devnet's L1 vault only knows tokens native to L1: a token native to this chain
        // could be locked here but never minted there (era-contracts' L1 vault would create it).
        if (NATIVE_TOKEN_VAULT.bridgedOriginChain(_assetId) == block.chainid) revert AssetIdNotSupported(_assetId);
        bytes memory mintData = NATIVE_TOKEN_VAULT.bridgeBurn(l1ChainId, 0, _assetId, msg.sender, _assetData);
        bytes memory message = abi.encodePacked(
            bytes4(keccak256("finalizeDeposit(uint256,bytes32,bytes)")),
            block.chainid,
            _assetId,
            mintData
        );
        emit WithdrawalInitiatedAssetRouter(l1ChainId, msg.sender, _assetId, _assetData);
        return L1_MESSENGER.sendToL1(message);
    }

    /// @notice The L1 token of a bridged L2 token (zero if it is not one).
    function l1TokenAddress(address _l2Token) external view returns (address) {
        return NATIVE_TOKEN_VAULT.originToken(NATIVE_TOKEN_VAULT.assetId(_l2Token));
    }

    /// @notice Where the L2 token of an L1 token is (or will be, before its first deposit).
    function l2TokenAddress(address _l1Token) external view returns (address) {
        return NATIVE_TOKEN_VAULT.l2TokenAddress(_l1Token);
    }

    /// @notice Interop, on the source: the InteropCenter hands over an `indirectCall` of a bundle.
    /// `_data = 0x01 ‖ abi.encode(assetId, abi.encode(amount, receiver, token))`: the vault burns
    /// the token from `_originalCaller` (a bridged token) or locks it (a token native to this chain,
    /// registered with the vault, which `_originalCaller` approved), and the call to make on
    /// `_chainId` is this router's
    /// `finalizeDeposit(block.chainid, assetId, mintData)` there (the chain it comes from; the
    /// token's origin chain is in the mint data's metadata) (era-contracts v31
    /// `initiateIndirectCall`).
    function initiateIndirectCall(
        uint256 _chainId,
        address _originalCaller,
        uint256 _value,
        bytes calldata _data
    ) external payable returns (InteropCallStarter memory starter) {
        if (msg.sender != L2_INTEROP_CENTER_ADDR) revert Unauthorized(msg.sender);
        if (_data.length == 0 || _data[0] != 0x01) revert UnsupportedEncodingVersion();
        (bytes32 assetId, bytes memory transferData) = abi.decode(_data[1:], (bytes32, bytes));
        if (assetId == BASE_TOKEN_ASSET_ID()) revert AssetIdNotSupported(assetId);
        bytes memory mintData = NATIVE_TOKEN_VAULT.bridgeBurn(_chainId, 0, assetId, _originalCaller, transferData);
        bytes[] memory attributes = new bytes[](1);
        attributes[0] = abi.encodeCall(IERC7786Attributes.interopCallValue, (_value));
        starter = InteropCallStarter({
            to: InteroperableAddress.formatEvmV1(_chainId, address(this)),
            data: abi.encodeWithSelector(bytes4(keccak256("finalizeDeposit(uint256,bytes32,bytes)")), block.chainid, assetId, mintData),
            callAttributes: attributes
        });
    }

    /// @notice Interop, on the destination: a bundle's call from this router on another L2
    /// (through the InteropHandler) finalizes the transfer: the vault mints the token (creating
    /// it on its first transfer here), or releases it if it is native to this chain.
    function receiveMessage(bytes32, bytes calldata _sender, bytes calldata _payload) external payable returns (bytes4) {
        if (msg.sender != L2_INTEROP_HANDLER_ADDR) revert Unauthorized(msg.sender);
        (, address sender) = InteroperableAddress.parseEvmV1(_sender);
        if (sender != address(this)) revert Unauthorized(sender);
        bytes4 selector = bytes4(_payload[:4]);
        if (selector != bytes4(keccak256("finalizeDeposit(uint256,bytes32,bytes)"))) revert InvalidSelector(selector);
        (uint256 originChainId, bytes32 assetId, bytes memory mintData) = abi.decode(_payload[4:], (uint256, bytes32, bytes));
        _finalizeDeposit(originChainId, assetId, mintData);
        return IERC7786Recipient.receiveMessage.selector;
    }
}
