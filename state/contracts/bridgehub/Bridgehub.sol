// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2TransactionRequestTwoBridgesOuter, L2TransactionRequestTwoBridgesInner} from "@matterlabs/zksync-contracts/contracts/l1-contracts/bridgehub/IBridgehub.sol";
import {IBridgehub} from "./IBridgehub.sol";
import {IMailbox} from "../state-transition/IMailbox.sol";
import {BridgehubL2TransactionRequest, L2Message, TxStatus} from "../common/Messaging.sol";
import {DataEncoding} from "../common/DataEncoding.sol";
import {ETH_TOKEN_ADDRESS, TWO_BRIDGES_MAGIC_VALUE} from "../common/Config.sol";

interface IAssetRouterForBridgehub {
    function bridgehubDepositBaseToken(uint256 _chainId, bytes32 _assetId, address _originalCaller, uint256 _amount) external payable;
    function bridgehubDeposit(
        uint256 _chainId,
        address _originalCaller,
        uint256 _value,
        bytes calldata _data
    ) external payable returns (L2TransactionRequestTwoBridgesInner memory request);
    function bridgehubConfirmL2Transaction(uint256 _chainId, bytes32 _txDataHash, bytes32 _txHash) external;
}

/// @title Bridgehub
/// @notice Registry of chains and the entry point of deposits / L1->L2 calls. Every chain's base
/// token is ETH: the ETH of a request goes through the L1 asset router into its native token
/// vault, which pays withdrawals. ERC-20 deposits use `requestL2TransactionTwoBridges` with the
/// asset router as the second bridge.
contract Bridgehub is IBridgehub {
    address public owner;
    /// @dev The L1AssetRouter (what the real `sharedBridge()` returns).
    address public sharedBridge;
    /// @dev Holds the ETH of all chains and finalizes withdrawals.
    address public l1Nullifier;
    /// @dev Where executed batches' roots go (the Gateway's 0x…10005; none on the L1 here).
    address public messageRoot;

    mapping(uint256 chainId => address) internal zkChains;
    mapping(uint256 chainId => address) public chainTypeManager;
    uint256[] internal chainIds;

    error Unauthorized(address caller);
    error ChainNotRegistered(uint256 chainId);
    error ChainAlreadyRegistered(uint256 chainId);
    error MsgValueMismatch(uint256 expected, uint256 provided);
    error SharedBridgeNotSet();
    error WrongMagicValue(bytes32 expected, bytes32 provided);
    error NotASecondBridge(address secondBridge);

    event SharedBridgeUpdated(address indexed assetRouter, address indexed l1Nullifier);

    modifier onlyOwner() {
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        _;
    }

    constructor(address _owner) {
        owner = _owner;
    }

    function setSharedBridge(address _assetRouter, address _l1Nullifier) external onlyOwner {
        sharedBridge = _assetRouter;
        l1Nullifier = _l1Nullifier;
        emit SharedBridgeUpdated(_assetRouter, _l1Nullifier);
    }

    /// @notice Names the MessageRoot executed batches append to (set once, at the Gateway's genesis).
    function setMessageRoot(address _messageRoot) external onlyOwner {
        messageRoot = _messageRoot;
    }

    /// @notice Register a deployed chain (the real flow creates it through the ChainTypeManager).
    function registerChain(uint256 _chainId, address _zkChain, address _chainTypeManager) external onlyOwner {
        if (zkChains[_chainId] != address(0)) revert ChainAlreadyRegistered(_chainId);
        zkChains[_chainId] = _zkChain;
        chainTypeManager[_chainId] = _chainTypeManager;
        chainIds.push(_chainId);
        emit NewChain(_chainId, _chainTypeManager, owner);
    }

    /// @inheritdoc IBridgehub
    /// @dev msg.value must equal mintValue (ETH base token): it is locked in the L1Nullifier and
    /// minted to the L2 sender, who then pays gas and l2Value out of it.
    function requestL2TransactionDirect(
        L2TransactionRequestDirect calldata _request
    ) external payable returns (bytes32 canonicalTxHash) {
        address zkChain = _chain(_request.chainId);
        if (msg.value != _request.mintValue) revert MsgValueMismatch(_request.mintValue, msg.value);
        _depositBaseToken(_request.chainId, msg.value);
        canonicalTxHash = IMailbox(zkChain).bridgehubRequestL2Transaction(
            BridgehubL2TransactionRequest({
                sender: msg.sender,
                contractL2: _request.l2Contract,
                mintValue: _request.mintValue,
                l2Value: _request.l2Value,
                l2Calldata: _request.l2Calldata,
                l2GasLimit: _request.l2GasLimit,
                l2GasPerPubdataByteLimit: _request.l2GasPerPubdataByteLimit,
                factoryDeps: _request.factoryDeps,
                refundRecipient: _request.refundRecipient
            })
        );
    }

    /// @notice An L1->L2 tx built by a second bridge (the asset router for ERC-20 deposits):
    /// msg.value = mintValue (the base token, ETH) + secondBridgeValue (what the second bridge
    /// gets, e.g. ETH deposited as a token). The L2 tx comes from the second bridge (aliased).
    function requestL2TransactionTwoBridges(
        L2TransactionRequestTwoBridgesOuter calldata _request
    ) external payable returns (bytes32 canonicalTxHash) {
        address zkChain = _chain(_request.chainId);
        uint256 expected = _request.mintValue + _request.secondBridgeValue;
        if (msg.value != expected) revert MsgValueMismatch(expected, msg.value);
        if (_request.secondBridgeAddress.code.length == 0) revert NotASecondBridge(_request.secondBridgeAddress);
        _depositBaseToken(_request.chainId, _request.mintValue);

        L2TransactionRequestTwoBridgesInner memory inner = IAssetRouterForBridgehub(_request.secondBridgeAddress)
            .bridgehubDeposit{value: _request.secondBridgeValue}(
                _request.chainId,
                msg.sender,
                _request.l2Value,
                _request.secondBridgeCalldata
            );
        if (inner.magicValue != TWO_BRIDGES_MAGIC_VALUE) revert WrongMagicValue(TWO_BRIDGES_MAGIC_VALUE, inner.magicValue);

        // As era-contracts: the refund goes to the user (not the bridge) unless they name one.
        address refundRecipient = _request.refundRecipient == address(0) ? msg.sender : _request.refundRecipient;
        canonicalTxHash = IMailbox(zkChain).bridgehubRequestL2Transaction(
            BridgehubL2TransactionRequest({
                sender: _request.secondBridgeAddress,
                contractL2: inner.l2Contract,
                mintValue: _request.mintValue,
                l2Value: _request.l2Value,
                l2Calldata: inner.l2Calldata,
                l2GasLimit: _request.l2GasLimit,
                l2GasPerPubdataByteLimit: _request.l2GasPerPubdataByteLimit,
                factoryDeps: inner.factoryDeps,
                refundRecipient: refundRecipient
            })
        );
        IAssetRouterForBridgehub(_request.secondBridgeAddress).bridgehubConfirmL2Transaction(
            _request.chainId,
            inner.txDataHash,
            canonicalTxHash
        );
    }

    function _depositBaseToken(uint256 _chainId, uint256 _amount) internal {
        if (sharedBridge == address(0)) revert SharedBridgeNotSet();
        if (_amount == 0) return;
        IAssetRouterForBridgehub(sharedBridge).bridgehubDepositBaseToken{value: _amount}(
            _chainId,
            baseTokenAssetId(_chainId),
            msg.sender,
            _amount
        );
    }

    function l2TransactionBaseCost(
        uint256 _chainId,
        uint256 _gasPrice,
        uint256 _l2GasLimit,
        uint256 _l2GasPerPubdataByteLimit
    ) external view returns (uint256) {
        return IMailbox(_chain(_chainId)).l2TransactionBaseCost(_gasPrice, _l2GasLimit, _l2GasPerPubdataByteLimit);
    }

    function proveL2MessageInclusion(
        uint256 _chainId,
        uint256 _batchNumber,
        uint256 _index,
        L2Message calldata _message,
        bytes32[] calldata _proof
    ) external view returns (bool) {
        return IMailbox(_chain(_chainId)).proveL2MessageInclusion(_batchNumber, _index, _message, _proof);
    }

    function proveL1ToL2TransactionStatus(
        uint256 _chainId,
        bytes32 _l2TxHash,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes32[] calldata _merkleProof,
        TxStatus _status
    ) external view returns (bool) {
        return
            IMailbox(_chain(_chainId)).proveL1ToL2TransactionStatus(
                _l2TxHash,
                _l2BatchNumber,
                _l2MessageIndex,
                _l2TxNumberInBatch,
                _merkleProof,
                _status
            );
    }

    /// @notice The L1 asset router (era-contracts' name for the shared bridge).
    function assetRouter() external view returns (address) {
        return sharedBridge;
    }

    function L1_CHAIN_ID() external view returns (uint256) {
        return block.chainid;
    }

    /// @notice The asset id of ETH for every registered chain, zero for unknown ones.
    function baseTokenAssetId(uint256 _chainId) public view returns (bytes32) {
        if (zkChains[_chainId] == address(0)) return bytes32(0);
        return DataEncoding.encodeNTVAssetId(block.chainid, ETH_TOKEN_ADDRESS);
    }

    /// @inheritdoc IBridgehub
    /// @dev The Bridgehub of a Gateway: hands a request made on L1 for a chain settling here to
    /// that chain's contract. In era-contracts the L1 Bridgehub sends it as an L1->Gateway
    /// priority tx; on the devnet the node relays it as this Bridgehub's owner.
    function forwardTransactionOnGateway(
        uint256 _chainId,
        bytes32 _canonicalTxHash,
        uint64 _expirationTimestamp
    ) external onlyOwner {
        IMailbox(_chain(_chainId)).bridgehubRequestL2TransactionOnGateway(_canonicalTxHash, _expirationTimestamp);
    }

    function getZKChain(uint256 _chainId) external view returns (address) {
        return zkChains[_chainId];
    }

    function getAllZKChainChainIDs() external view returns (uint256[] memory) {
        return chainIds;
    }

    /// @dev ETH (0x…01) for every registered chain, address(0) for unknown ones.
    function baseToken(uint256 _chainId) external view returns (address) {
        return zkChains[_chainId] == address(0) ? address(0) : ETH_TOKEN_ADDRESS;
    }

    function _chain(uint256 _chainId) internal view returns (address zkChain) {
        zkChain = zkChains[_chainId];
        if (zkChain == address(0)) revert ChainNotRegistered(_chainId);
    }
}
