// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IL1Nullifier} from "./IL1Nullifier.sol";
import {IBridgehub} from "../bridgehub/IBridgehub.sol";
import {IMailboxLegacy} from "../state-transition/IMailbox.sol";
import {FinalizeL1DepositParams, L2Message} from "../common/Messaging.sol";
import {ETH_TOKEN_ADDRESS, L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR} from "../common/Config.sol";

/// @title L1Nullifier
/// @notice Holds the ETH of deposits and pays it out for withdrawals proven against an executed
/// batch, each withdrawal once. ETH is the only token: the only accepted L2 sender is the base
/// token contract 0x…800a. To back ETH that exists on L2 from genesis, fund this contract
/// (plain transfers are accepted).
contract L1Nullifier is IL1Nullifier {
    /// @dev ZKsync's asset id of ETH: keccak256(abi.encode(L1 chain id, L2 native token vault 0x…10004, 0x…01)).
    address internal constant L2_NATIVE_TOKEN_VAULT_ADDR = address(0x10004);

    IBridgehub public immutable BRIDGE_HUB;

    /// @dev chainId => batch => message index => finalized (the real contract's layout).
    mapping(uint256 chainId => mapping(uint256 l2BatchNumber => mapping(uint256 l2ToL1MessageNumber => bool)))
        public isWithdrawalFinalized;

    bool private transient locked;

    error Unauthorized(address caller);
    error Reentrancy();
    error ChainNotRegistered(uint256 chainId);
    error UnsupportedL2Sender(address l2Sender);
    error WithdrawalAlreadyFinalized();
    error L2WithdrawalMessageWrongLength(uint256 length);
    error InvalidSelector(bytes4 selector);
    error InvalidProof();
    error WithdrawFailed();

    modifier nonReentrant() {
        if (locked) revert Reentrancy();
        locked = true;
        _;
        locked = false;
    }

    constructor(address _bridgehub) {
        BRIDGE_HUB = IBridgehub(_bridgehub);
    }

    /// @notice Extra ETH backing L2 genesis balances.
    receive() external payable {}

    function ethAssetId() public view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, L2_NATIVE_TOKEN_VAULT_ADDR, ETH_TOKEN_ADDRESS));
    }

    /// @inheritdoc IL1Nullifier
    function bridgehubDepositBaseToken(uint256 _chainId, address _prevMsgSender, uint256 _amount) external payable {
        if (msg.sender != address(BRIDGE_HUB)) revert Unauthorized(msg.sender);
        emit BridgehubDepositBaseTokenInitiated(_chainId, _prevMsgSender, ethAssetId(), _amount);
    }

    /// @inheritdoc IL1Nullifier
    function finalizeDeposit(FinalizeL1DepositParams calldata _p) external nonReentrant {
        _finalize(_p.chainId, _p.l2BatchNumber, _p.l2MessageIndex, _p.l2Sender, _p.l2TxNumberInBatch, _p.message, _p.merkleProof);
    }

    /// @inheritdoc IL1Nullifier
    /// @dev The legacy entry point (what SDKs call through the shared bridge): l2Sender is 0x…800a.
    function finalizeWithdrawal(
        uint256 _chainId,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes calldata _message,
        bytes32[] calldata _merkleProof
    ) external nonReentrant {
        _finalize(
            _chainId,
            _l2BatchNumber,
            _l2MessageIndex,
            L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR,
            _l2TxNumberInBatch,
            _message,
            _merkleProof
        );
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
        if (_l2Sender != L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR) revert UnsupportedL2Sender(_l2Sender);
        if (isWithdrawalFinalized[_chainId][_batch][_index]) revert WithdrawalAlreadyFinalized();
        (address l1Receiver, uint256 amount) = parseWithdrawalMessage(_message);

        if (BRIDGE_HUB.getZKChain(_chainId) == address(0)) revert ChainNotRegistered(_chainId);
        L2Message memory message = L2Message({txNumberInBatch: _txNumberInBatch, sender: _l2Sender, data: _message});
        if (!BRIDGE_HUB.proveL2MessageInclusion(_chainId, _batch, _index, message, _proof)) revert InvalidProof();

        // Effects before the transfer: a re-entering receiver finds the withdrawal finalized.
        isWithdrawalFinalized[_chainId][_batch][_index] = true;
        (bool ok, ) = l1Receiver.call{value: amount}("");
        if (!ok) revert WithdrawFailed();
        emit WithdrawalFinalizedSharedBridge(_chainId, l1Receiver, ETH_TOKEN_ADDRESS, amount);
    }

    /// @notice Decodes the L2 base token's withdrawal message:
    /// finalizeEthWithdrawal.selector (4) ‖ l1Receiver (20) ‖ amount (32) [‖ l2Sender (20) ‖ additionalData]
    /// (`withdraw` sends the first 56 bytes, `withdrawWithMessage` the longer form).
    function parseWithdrawalMessage(bytes calldata _m) public pure returns (address l1Receiver, uint256 amount) {
        if (_m.length < 56) revert L2WithdrawalMessageWrongLength(_m.length);
        if (bytes4(_m[0:4]) != IMailboxLegacy.finalizeEthWithdrawal.selector) revert InvalidSelector(bytes4(_m[0:4]));
        l1Receiver = address(bytes20(_m[4:24]));
        amount = uint256(bytes32(_m[24:56]));
    }
}
