// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ValidatorTimelock (no delay)
/// @notice The real server sends commit/prove/execute here, naming the chain in the first
/// argument; the timelock checks the caller is a validator of that chain and forwards the call
/// unchanged. The devnet has no execution delay. The chain must list this contract as a validator.
contract ValidatorTimelock {
    address public owner;
    mapping(address chain => mapping(address validator => bool)) public isValidator;

    event ValidatorSet(address indexed chain, address indexed validator, bool active);

    error Unauthorized(address caller);

    constructor(address _owner) {
        owner = _owner;
    }

    function setValidator(address _chain, address _validator, bool _active) external {
        if (msg.sender != owner) revert Unauthorized(msg.sender);
        isValidator[_chain][_validator] = _active;
        emit ValidatorSet(_chain, _validator, _active);
    }

    function commitBatchesSharedBridge(address _chain, uint256, uint256, bytes calldata) external {
        _forward(_chain);
    }

    function proveBatchesSharedBridge(address _chain, uint256, uint256, bytes calldata) external {
        _forward(_chain);
    }

    function executeBatchesSharedBridge(address _chain, uint256, uint256, bytes calldata) external {
        _forward(_chain);
    }

    function revertBatchesSharedBridge(address _chain, uint256) external {
        _forward(_chain);
    }

    /// @dev Same calldata to the chain; its revert data comes back unchanged.
    function _forward(address _chain) internal {
        if (!isValidator[_chain][msg.sender]) revert Unauthorized(msg.sender);
        (bool ok, bytes memory ret) = _chain.call(msg.data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
