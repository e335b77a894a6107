// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBridgehub} from "./IBridgehub.sol";
import {IMailbox} from "../state-transition/IMailbox.sol";
import {BridgehubL2TransactionRequest, L2Message} from "../common/Messaging.sol";
import {ETH_TOKEN_ADDRESS} from "../common/Config.sol";

interface IBaseTokenHolder {
    function bridgehubDepositBaseToken(uint256 _chainId, address _prevMsgSender, uint256 _amount) external payable;
}

/// @title Bridgehub
/// @notice Registry of chains and the entry point of deposits / L1->L2 calls. Every chain's base
/// token is ETH; the ETH of a request is locked in the L1Nullifier, which pays withdrawals.
contract Bridgehub is IBridgehub {
    address public owner;
    /// @dev The L1AssetRouter (what the real `sharedBridge()` returns).
    address public sharedBridge;
    /// @dev Holds the ETH of all chains and finalizes withdrawals.
    address public l1Nullifier;

    mapping(uint256 chainId => address) internal zkChains;
    mapping(uint256 chainId => address) public chainTypeManager;
    uint256[] internal chainIds;

    error Unauthorized(address caller);
    error ChainNotRegistered(uint256 chainId);
    error ChainAlreadyRegistered(uint256 chainId);
    error MsgValueMismatch(uint256 expected, uint256 provided);
    error SharedBridgeNotSet();

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
        if (l1Nullifier == address(0)) revert SharedBridgeNotSet();
        IBaseTokenHolder(l1Nullifier).bridgehubDepositBaseToken{value: msg.value}(
            _request.chainId,
            msg.sender,
            msg.value
        );
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
