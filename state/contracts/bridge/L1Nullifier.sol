// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IL1Nullifier} from "./IL1Nullifier.sol";
import {L1AssetRouter} from "./L1AssetRouter.sol";
import {L1NativeTokenVault} from "./L1NativeTokenVault.sol";
import {IBridgehub} from "../bridgehub/IBridgehub.sol";
import {IMailboxLegacy} from "../state-transition/IMailbox.sol";
import {FinalizeL1DepositParams, L2Message, TxStatus} from "../common/Messaging.sol";
import {DataEncoding} from "../common/DataEncoding.sol";
import {ETH_TOKEN_ADDRESS, L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR, L2_ASSET_ROUTER_ADDR} from "../common/Config.sol";

interface IAssetRouterFinalize {
    function finalizeDeposit(uint256 _chainId, bytes32 _assetId, bytes calldata _transferData) external payable;
}

/// @title L1Nullifier
/// @notice Proves withdrawals (L2->L1 messages of the L2 base token `0x…800a` and of the L2 asset
/// router `0x…10003`) against executed batches, each once, and failed deposits against the
/// failure log of their L2 tx; the L1 asset router and its native token vault then move the
/// funds. Keeps, per chain, the deposits made through the asset router until they are claimed.
contract L1Nullifier is IL1Nullifier {
    IBridgehub public immutable BRIDGE_HUB;

    address public owner;
    L1AssetRouter public l1AssetRouter;
    L1NativeTokenVault public l1NativeTokenVault;

    /// @dev chainId => batch => message index => finalized (the real contract's layout).
    mapping(uint256 chainId => mapping(uint256 l2BatchNumber => mapping(uint256 l2ToL1MessageNumber => bool)))
        public isWithdrawalFinalized;

    /// @dev chainId => L2 tx hash of a deposit => txDataHash (sender, asset, amount); cleared once claimed.
    mapping(uint256 chainId => mapping(bytes32 l2DepositTxHash => bytes32 depositDataHash)) public depositHappened;

    bool private transient locked;

    error Unauthorized(address caller);
    error AlreadySet();
    error Reentrancy();
    error ChainNotRegistered(uint256 chainId);
    error UnsupportedL2Sender(address l2Sender);
    error WithdrawalAlreadyFinalized();
    error L2WithdrawalMessageWrongLength(uint256 length);
    error InvalidSelector(bytes4 selector);
    error InvalidProof();
    error DepositDoesNotExist();
    error DepositExists();

    modifier nonReentrant() {
        if (locked) revert Reentrancy();
        locked = true;
        _;
        locked = false;
    }

    constructor(address _bridgehub) {
        BRIDGE_HUB = IBridgehub(_bridgehub);
        owner = msg.sender;
    }

    /// @notice Set once by the deployer (router and vault are created after the nullifier).
    function setL1AssetRouter(address _l1AssetRouter) external {
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        if (address(l1AssetRouter) != address(0)) revert AlreadySet();
        l1AssetRouter = L1AssetRouter(_l1AssetRouter);
    }

    /// @notice Set once by the deployer.
    function setL1NativeTokenVault(L1NativeTokenVault _vault) external {
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        if (address(l1NativeTokenVault) != address(0)) revert AlreadySet();
        l1NativeTokenVault = _vault;
    }

    /// @inheritdoc IL1Nullifier
    function bridgehubConfirmL2TransactionForwarded(uint256 _chainId, bytes32 _txDataHash, bytes32 _txHash) external {
        if (msg.sender != address(l1AssetRouter)) revert Unauthorized(msg.sender);
        if (depositHappened[_chainId][_txHash] != bytes32(0)) revert DepositExists();
        depositHappened[_chainId][_txHash] = _txDataHash;
    }

    /// @inheritdoc IL1Nullifier
    function finalizeDeposit(FinalizeL1DepositParams calldata _p) external nonReentrant {
        _finalize(_p.chainId, _p.l2BatchNumber, _p.l2MessageIndex, _p.l2Sender, _p.l2TxNumberInBatch, _p.message, _p.merkleProof);
    }

    /// @inheritdoc IL1Nullifier
    /// @dev The legacy entry point (the old shared bridge's): the message's selector tells the L2
    /// sender (`finalizeEthWithdrawal` from `0x…800a`, anything else from `0x…10003`).
    function finalizeWithdrawal(
        uint256 _chainId,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes calldata _message,
        bytes32[] calldata _merkleProof
    ) external nonReentrant {
        address l2Sender = _message.length >= 4 && bytes4(_message[0:4]) == IMailboxLegacy.finalizeEthWithdrawal.selector
            ? L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR
            : L2_ASSET_ROUTER_ADDR;
        _finalize(_chainId, _l2BatchNumber, _l2MessageIndex, l2Sender, _l2TxNumberInBatch, _message, _merkleProof);
    }

    /// @notice Returns the tokens of a deposit whose L2 tx failed (legacy form: by L1 token).
    function claimFailedDeposit(
        uint256 _chainId,
        address _depositSender,
        address _l1Token,
        uint256 _amount,
        bytes32 _l2TxHash,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes32[] calldata _merkleProof
    ) external nonReentrant {
        bytes32 assetId = l1NativeTokenVault.assetId(_l1Token);
        _claimFailed(
            _chainId,
            _depositSender,
            assetId,
            DataEncoding.encodeBridgeBurnData(_amount, address(0), _l1Token),
            _l2TxHash,
            _l2BatchNumber,
            _l2MessageIndex,
            _l2TxNumberInBatch,
            _merkleProof
        );
    }

    /// @inheritdoc IL1Nullifier
    /// @dev `_assetData` is the deposit's abi.encode(amount, l2Receiver, token). Anyone may
    /// claim: the funds go back to the depositor.
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
    ) external nonReentrant {
        _claimFailed(_chainId, _depositSender, _assetId, _assetData, _l2TxHash, _l2BatchNumber, _l2MessageIndex, _l2TxNumberInBatch, _merkleProof);
    }

    function _claimFailed(
        uint256 _chainId,
        address _depositSender,
        bytes32 _assetId,
        bytes memory _assetData,
        bytes32 _l2TxHash,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes32[] calldata _merkleProof
    ) internal {
        (uint256 amount, , ) = DataEncoding.decodeBridgeBurnData(_assetData);
        bytes32 dataHash = depositHappened[_chainId][_l2TxHash];
        if (dataHash == bytes32(0) || dataHash != DataEncoding.encodeTxDataHash(_depositSender, _assetId, amount)) {
            revert DepositDoesNotExist();
        }
        bool failed = BRIDGE_HUB.proveL1ToL2TransactionStatus(
            _chainId,
            _l2TxHash,
            _l2BatchNumber,
            _l2MessageIndex,
            _l2TxNumberInBatch,
            _merkleProof,
            TxStatus.Failure
        );
        if (!failed) revert InvalidProof();
        delete depositHappened[_chainId][_l2TxHash];
        l1AssetRouter.bridgeRecoverFailedTransfer(_chainId, _depositSender, _assetId, _assetData);
    }

    function _finalize(
        uint256 _chainId,
        uint256 _batch,
        uint256 _index,
        address _l2Sender,
        uint16 _txNumberInBatch,
        bytes calldata _message,
        bytes32[] calldata _proof
    ) internal {
        if (isWithdrawalFinalized[_chainId][_batch][_index]) revert WithdrawalAlreadyFinalized();
        (bytes32 assetId, bytes memory transferData) = parseWithdrawalMessage(_l2Sender, _message);

        if (BRIDGE_HUB.getZKChain(_chainId) == address(0)) revert ChainNotRegistered(_chainId);
        L2Message memory message = L2Message({txNumberInBatch: _txNumberInBatch, sender: _l2Sender, data: _message});
        if (!BRIDGE_HUB.proveL2MessageInclusion(_chainId, _batch, _index, message, _proof)) revert InvalidProof();

        // Effects before the transfer: a re-entering receiver finds the withdrawal finalized.
        isWithdrawalFinalized[_chainId][_batch][_index] = true;
        IAssetRouterFinalize(address(l1AssetRouter)).finalizeDeposit(_chainId, assetId, transferData);
    }

    /// @notice Decodes a withdrawal message into the asset and the bridge mint data for the vault:
    /// - from `0x…800a`: finalizeEthWithdrawal.selector (4) ‖ l1Receiver (20) ‖ amount (32)
    ///   [‖ l2Sender (20) ‖ additionalData] (`withdraw` / `withdrawWithMessage`);
    /// - from `0x…10003`: finalizeDeposit(uint256,bytes32,bytes).selector (4) ‖ chainId (32) ‖
    ///   assetId (32) ‖ bridge mint data (the L2 asset router's `withdraw`).
    function parseWithdrawalMessage(
        address _l2Sender,
        bytes calldata _m
    ) public view returns (bytes32 assetId, bytes memory transferData) {
        if (_l2Sender == L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR) {
            if (_m.length < 56) revert L2WithdrawalMessageWrongLength(_m.length);
            if (bytes4(_m[0:4]) != IMailboxLegacy.finalizeEthWithdrawal.selector) revert InvalidSelector(bytes4(_m[0:4]));
            address l1Receiver = address(bytes20(_m[4:24]));
            uint256 amount = uint256(bytes32(_m[24:56]));
            assetId = DataEncoding.encodeNTVAssetId(block.chainid, ETH_TOKEN_ADDRESS);
            transferData = DataEncoding.encodeBridgeMintData(address(0), l1Receiver, ETH_TOKEN_ADDRESS, amount, "");
        } else if (_l2Sender == L2_ASSET_ROUTER_ADDR) {
            if (_m.length < 68) revert L2WithdrawalMessageWrongLength(_m.length);
            if (bytes4(_m[0:4]) != IAssetRouterFinalize.finalizeDeposit.selector) revert InvalidSelector(bytes4(_m[0:4]));
            assetId = bytes32(_m[36:68]);
            transferData = _m[68:];
        } else {
            revert UnsupportedL2Sender(_l2Sender);
        }
    }
}
