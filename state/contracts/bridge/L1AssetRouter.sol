// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2TransactionRequestTwoBridgesInner} from "@matterlabs/zksync-contracts/contracts/l1-contracts/bridgehub/IBridgehub.sol";
import {IL1Nullifier} from "./IL1Nullifier.sol";
import {L1NativeTokenVault} from "./L1NativeTokenVault.sol";
import {DataEncoding} from "../common/DataEncoding.sol";
import {ETH_TOKEN_ADDRESS, L2_ASSET_ROUTER_ADDR, NEW_ENCODING_VERSION, TWO_BRIDGES_MAGIC_VALUE} from "../common/Config.sol";

interface IL2SharedBridgeLegacyFunctions {
    function finalizeDeposit(address _l1Sender, address _l2Receiver, address _l1Token, uint256 _amount, bytes calldata _data) external;
}

interface IERC20Allowance {
    function allowance(address owner, address spender) external view returns (uint256);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @title L1AssetRouter
/// @notice The shared bridge (`Bridgehub.sharedBridge()` / `assetRouter()`). Deposits: the
/// Bridgehub hands it the base token of every request (`bridgehubDepositBaseToken`) and the
/// second-bridge part of `requestL2TransactionTwoBridges` (`bridgehubDeposit`, an ERC-20 or ETH
/// to an L2 receiver); the native token vault locks the funds and this router builds the L2 call
/// to the L2 asset router (`0x…10003`). Withdrawals and failed deposits come from the
/// L1Nullifier once proven, and the vault releases the funds. It holds nothing itself.
contract L1AssetRouter {
    address public immutable BRIDGE_HUB;
    IL1Nullifier public immutable L1_NULLIFIER;
    address public constant L1_WETH_TOKEN = address(0);
    bytes32 public immutable ETH_TOKEN_ASSET_ID;

    address public owner;
    L1NativeTokenVault public nativeTokenVault;

    event BridgehubDepositBaseTokenInitiated(uint256 indexed chainId, address indexed from, bytes32 assetId, uint256 amount);
    event BridgehubDepositInitiated(
        uint256 indexed chainId,
        bytes32 indexed txDataHash,
        address indexed from,
        bytes32 assetId,
        bytes bridgeMintCalldata
    );
    event BridgehubDepositFinalized(uint256 indexed chainId, bytes32 indexed txDataHash, bytes32 indexed l2DepositTxHash);
    event DepositFinalizedAssetRouter(uint256 indexed chainId, bytes32 indexed assetId, bytes assetData);
    event ClaimedFailedDepositAssetRouter(uint256 indexed chainId, bytes32 indexed assetId, bytes assetData);

    error Unauthorized(address caller);
    error AlreadySet();
    error VaultNotSet();
    error UnsupportedEncodingVersion(bytes1 version);
    error AssetIdNotSupported(bytes32 assetId);

    modifier onlyBridgehub() {
        if (msg.sender != BRIDGE_HUB) revert Unauthorized(msg.sender);
        _;
    }

    modifier onlyNullifier() {
        if (msg.sender != address(L1_NULLIFIER)) revert Unauthorized(msg.sender);
        _;
    }

    constructor(address _bridgehub, address _l1Nullifier) {
        BRIDGE_HUB = _bridgehub;
        L1_NULLIFIER = IL1Nullifier(_l1Nullifier);
        ETH_TOKEN_ASSET_ID = DataEncoding.encodeNTVAssetId(block.chainid, ETH_TOKEN_ADDRESS);
        owner = msg.sender;
    }

    /// @notice Set once by the deployer (the vault is created after the router).
    function setNativeTokenVault(L1NativeTokenVault _vault) external {
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        if (address(nativeTokenVault) != address(0)) revert AlreadySet();
        nativeTokenVault = _vault;
    }

    /// @notice Every asset here is a native token vault asset.
    function assetHandlerAddress(bytes32 _assetId) public view returns (address) {
        L1NativeTokenVault vault = nativeTokenVault;
        if (address(vault) == address(0) || vault.tokenAddress(_assetId) == address(0)) return address(0);
        return address(vault);
    }

    /// @notice Locks the base token of an L1->L2 request (ETH: msg.value) in the vault.
    function bridgehubDepositBaseToken(
        uint256 _chainId,
        bytes32 _assetId,
        address _originalCaller,
        uint256 _amount
    ) external payable onlyBridgehub {
        _requireVault().bridgeBurn{value: msg.value}(
            _chainId,
            0,
            _assetId,
            _originalCaller,
            DataEncoding.encodeBridgeBurnData(_amount, address(0), address(0))
        );
        emit BridgehubDepositBaseTokenInitiated(_chainId, _originalCaller, _assetId, _amount);
    }

    /// @notice The second bridge of `requestL2TransactionTwoBridges`. `_data` is either
    /// 0x01 ‖ abi.encode(assetId, abi.encode(amount, l2Receiver, token)) or the legacy
    /// abi.encode(l1Token, amount, l2Receiver); ETH (0x…01) comes as msg.value.
    function bridgehubDeposit(
        uint256 _chainId,
        address _originalCaller,
        uint256,
        bytes calldata _data
    ) external payable onlyBridgehub returns (L2TransactionRequestTwoBridgesInner memory request) {
        L1NativeTokenVault vault = _requireVault();
        bytes32 assetId;
        bytes memory transferData;
        if (_data.length > 0 && _data[0] == NEW_ENCODING_VERSION) {
            (assetId, transferData) = abi.decode(_data[1:], (bytes32, bytes));
            vault.tryRegisterTokenFromBurnData(transferData, assetId);
        } else if (_data.length == 96 && _data[0] == 0x00) {
            (address l1Token, uint256 depositAmount, address l2Receiver) = abi.decode(_data, (address, uint256, address));
            assetId = vault.ensureTokenIsRegistered(l1Token);
            transferData = DataEncoding.encodeBridgeBurnData(depositAmount, l2Receiver, address(0));
        } else {
            revert UnsupportedEncodingVersion(_data.length == 0 ? bytes1(0) : _data[0]);
        }
        // The base token (ETH on every chain here) goes as mintValue, never through the router.
        if (assetId == ETH_TOKEN_ASSET_ID) revert AssetIdNotSupported(assetId);
        if (vault.tokenAddress(assetId) == address(0)) revert AssetIdNotSupported(assetId);

        bytes memory bridgeMintData = vault.bridgeBurn{value: msg.value}(_chainId, 0, assetId, _originalCaller, transferData);
        (uint256 amount, , ) = DataEncoding.decodeBridgeBurnData(transferData);
        bytes32 txDataHash = DataEncoding.encodeTxDataHash(_originalCaller, assetId, amount);
        request = L2TransactionRequestTwoBridgesInner({
            magicValue: TWO_BRIDGES_MAGIC_VALUE,
            l2Contract: L2_ASSET_ROUTER_ADDR,
            l2Calldata: getDepositCalldata(_originalCaller, assetId, bridgeMintData),
            factoryDeps: new bytes[](0),
            txDataHash: txDataHash
        });
        emit BridgehubDepositInitiated(_chainId, txDataHash, _originalCaller, assetId, bridgeMintData);
    }

    /// @notice The L2 call of a deposit: the legacy shared bridge's
    /// `finalizeDeposit(l1Sender, l2Receiver, l1Token, amount, erc20Metadata)` on `0x…10003`, as
    /// era-contracts sends for tokens native to L1.
    function getDepositCalldata(address _sender, bytes32, bytes memory _assetData) public pure returns (bytes memory) {
        (, address receiver, address token, uint256 amount, bytes memory metadata) = DataEncoding.decodeBridgeMintData(_assetData);
        return abi.encodeCall(IL2SharedBridgeLegacyFunctions.finalizeDeposit, (_sender, receiver, token, amount, metadata));
    }

    /// @notice Records the L2 tx of a deposit, so a failed one can be claimed back.
    function bridgehubConfirmL2Transaction(uint256 _chainId, bytes32 _txDataHash, bytes32 _txHash) external onlyBridgehub {
        L1_NULLIFIER.bridgehubConfirmL2TransactionForwarded(_chainId, _txDataHash, _txHash);
        emit BridgehubDepositFinalized(_chainId, _txDataHash, _txHash);
    }

    /// @notice Pulls a depositor's ERC-20 into the vault with the allowance they gave this router
    /// (what SDKs approve). Returns false when that allowance is too small (the vault then uses
    /// its own).
    function transferFundsToNTV(bytes32 _assetId, uint256 _amount, address _originalCaller) external returns (bool) {
        L1NativeTokenVault vault = _requireVault();
        if (msg.sender != address(vault)) revert Unauthorized(msg.sender);
        address token = vault.tokenAddress(_assetId);
        if (IERC20Allowance(token).allowance(_originalCaller, address(this)) < _amount) return false;
        (bool ok, bytes memory ret) = token.call(
            abi.encodeCall(IERC20Allowance.transferFrom, (_originalCaller, address(vault), _amount))
        );
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret.length == 0 || abi.decode(ret, (bool));
    }

    /// @notice A proven withdrawal: the vault releases the asset.
    function finalizeDeposit(uint256 _chainId, bytes32 _assetId, bytes calldata _transferData) external payable onlyNullifier {
        _requireVault().bridgeMint(_chainId, _assetId, _transferData);
        emit DepositFinalizedAssetRouter(_chainId, _assetId, _transferData);
    }

    /// @notice Claims a failed deposit back (what SDKs call): the nullifier proves the L2 tx's
    /// failure and calls back below. `_assetData` is the deposit's abi.encode(amount, l2Receiver, token).
    function bridgeRecoverFailedTransfer(
        uint256 _chainId,
        address _depositSender,
        bytes32 _assetId,
        bytes calldata _assetData,
        bytes32 _l2TxHash,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes32[] calldata _merkleProof
    ) external {
        L1_NULLIFIER.bridgeRecoverFailedTransfer(
            _chainId,
            _depositSender,
            _assetId,
            _assetData,
            _l2TxHash,
            _l2BatchNumber,
            _l2MessageIndex,
            _l2TxNumberInBatch,
            _merkleProof
        );
    }

    /// @notice A proven failed deposit: the vault returns the asset to the depositor.
    function bridgeRecoverFailedTransfer(
        uint256 _chainId,
        address _depositSender,
        bytes32 _assetId,
        bytes calldata _assetData
    ) external onlyNullifier {
        _requireVault().bridgeRecoverFailedTransfer(_chainId, _assetId, _depositSender, _assetData);
        emit ClaimedFailedDepositAssetRouter(_chainId, _assetId, _assetData);
    }

    /// @notice The legacy shared bridge's entry point (what older SDKs call): see
    /// `L1Nullifier.finalizeWithdrawal`.
    function finalizeWithdrawal(
        uint256 _chainId,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes calldata _message,
        bytes32[] calldata _merkleProof
    ) external {
        L1_NULLIFIER.finalizeWithdrawal(_chainId, _l2BatchNumber, _l2MessageIndex, _l2TxNumberInBatch, _message, _merkleProof);
    }

    function isWithdrawalFinalized(uint256 _chainId, uint256 _l2BatchNumber, uint256 _l2MessageIndex) external view returns (bool) {
        return L1_NULLIFIER.isWithdrawalFinalized(_chainId, _l2BatchNumber, _l2MessageIndex);
    }

    /// @notice The L2 counterpart on every chain.
    function l2BridgeAddress(uint256) external pure returns (address) {
        return L2_ASSET_ROUTER_ADDR;
    }

    function _requireVault() internal view returns (L1NativeTokenVault vault) {
        vault = nativeTokenVault;
        if (address(vault) == address(0)) revert VaultNotSet();
    }
}
