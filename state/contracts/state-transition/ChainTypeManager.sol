// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ChainTypeManager (minimal)
/// @notice What `Bridgehub.chainTypeManager(chainId)` returns. zksync-os-server only asks it where
/// the ValidatorTimelock is (`validatorTimelockPostV29()`), so that is all it knows.
contract ChainTypeManager {
    address public immutable BRIDGE_HUB;
    address public immutable validatorTimelockPostV29;

    constructor(address _bridgehub, address _validatorTimelock) {
        BRIDGE_HUB = _bridgehub;
        validatorTimelockPostV29 = _validatorTimelock;
    }

    /// @dev Pre-v29 name of the same address.
    function validatorTimelock() external view returns (address) {
        return validatorTimelockPostV29;
    }

    /// @dev 0.29.0 packed as (minor << 32).
    function protocolVersion() external pure returns (uint256) {
        return 29 << 32;
    }

    /// @dev The same version as (major, minor, patch).
    function getSemverProtocolVersion() external pure returns (uint32, uint32, uint32) {
        return (0, 29, 0);
    }

    /// @dev Every chain runs the current version.
    function getProtocolVersion(uint256) external pure returns (uint256) {
        return 29 << 32;
    }

    function serverNotifierAddress() external pure returns (address) {
        return address(0);
    }
}
