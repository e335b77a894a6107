// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InteroperableAddress} from "../common/InteroperableAddress.sol";
import {L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR, L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR} from "../common/Config.sol";
import "./InteropTypes.sol";

/// @title InteropHandler, L2 system contract at 0x…1000c (era-contracts v31)
/// @notice Runs bundles sent to this chain: `executeBundle` checks the bundle's source and
/// destination, who may run it, and (through `L2MessageVerification`) that the source's
/// InteropCenter sent it, against an interop root this chain imported; then marks it executed
/// (so it runs once) and makes each call: the value is minted by 0x…800a and the target's
/// ERC-7786 `receiveMessage` must return its selector. A failing call reverts the whole bundle.
/// `verifyBundle` records the proof without running it. Unbundling is not built.
/// Runtime code in the L2 genesis: slot 0 = the L1 chain id, slot 1 = the settlement layer's
/// chain id, written by the node.
contract InteropHandler {
    event BundleVerified(bytes32 indexed bundleHash);
    event BundleExecuted(bytes32 indexed bundleHash);

    uint256 public L1_CHAIN_ID;
    uint256 public settlementLayerChainId;
    mapping(bytes32 bundleHash => BundleStatus bundleStatus) public bundleStatus;
    mapping(bytes32 bundleHash => mapping(uint256 callIndex => CallStatus callStatus)) public callStatus;

    /// @dev What 0x…800a mints for a call's value passes through here (ZKsync OS mints it in
    /// place; in the EVM it is a transfer).
    receive() external payable {
        if (msg.sender != L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR) revert Unauthorized(msg.sender);
    }

    function executeBundle(bytes memory _bundle, MessageInclusionProof memory _proof) public {
        (InteropBundle memory bundle, bytes32 bundleHash, BundleStatus status) = _bundleData(_bundle, _proof.chainId);
        _checkEnds(bundle, bundleHash, _proof.chainId);
        if (bundle.bundleAttributes.executionAddress.length != 0) {
            (uint256 chainId, address executor) = InteroperableAddress.parseEvmV1(bundle.bundleAttributes.executionAddress);
            if (!((chainId == block.chainid || chainId == 0) && executor == msg.sender)) {
                revert ExecutingNotAllowed(
                    bundleHash,
                    InteroperableAddress.formatEvmV1(block.chainid, msg.sender),
                    bundle.bundleAttributes.executionAddress
                );
            }
        }
        if (status != BundleStatus.Unreceived && status != BundleStatus.Verified) revert BundleAlreadyProcessed(bundleHash);
        if (status != BundleStatus.Verified) _verifyBundle(_bundle, _proof, bundleHash);
        bundleStatus[bundleHash] = BundleStatus.FullyExecuted;
        for (uint256 i = 0; i < bundle.calls.length; ++i) callStatus[bundleHash][i] = CallStatus.Executed;
        _executeCalls(bundle, bundleHash);
        emit BundleExecuted(bundleHash);
    }

    function verifyBundle(bytes memory _bundle, MessageInclusionProof memory _proof) public {
        (InteropBundle memory bundle, bytes32 bundleHash, BundleStatus status) = _bundleData(_bundle, _proof.chainId);
        _checkEnds(bundle, bundleHash, _proof.chainId);
        if (status != BundleStatus.Unreceived) revert BundleAlreadyProcessed(bundleHash);
        _verifyBundle(_bundle, _proof, bundleHash);
    }

    function _bundleData(
        bytes memory _bundle,
        uint256 _sourceChainId
    ) internal view returns (InteropBundle memory bundle, bytes32 bundleHash, BundleStatus status) {
        bundle = abi.decode(_bundle, (InteropBundle));
        if (bundle.version != INTEROP_BUNDLE_VERSION) revert InvalidInteropBundleVersion();
        bundleHash = keccak256(abi.encode(_sourceChainId, _bundle));
        status = bundleStatus[bundleHash];
    }

    function _checkEnds(InteropBundle memory _bundle, bytes32 _bundleHash, uint256 _proofChainId) internal view {
        if (_bundle.sourceChainId != _proofChainId) {
            revert WrongSourceChainId(_bundleHash, _bundle.sourceChainId, _proofChainId);
        }
        if (_bundle.destinationChainId != block.chainid) {
            revert WrongDestinationChainId(_bundleHash, _bundle.destinationChainId, block.chainid);
        }
    }

    function _verifyBundle(bytes memory _bundle, MessageInclusionProof memory _proof, bytes32 _bundleHash) internal {
        if (_proof.message.sender != L2_INTEROP_CENTER_ADDR) {
            revert UnauthorizedMessageSender(L2_INTEROP_CENTER_ADDR, _proof.message.sender);
        }
        _proof.message.data = bytes.concat(BUNDLE_IDENTIFIER, _bundle);
        bool included = IL2MessageVerification(L2_MESSAGE_VERIFICATION_ADDR).proveL2MessageInclusionShared(
            _proof.chainId,
            _proof.l1BatchNumber,
            _proof.l2MessageIndex,
            _proof.message,
            _proof.proof
        );
        if (!included) revert MessageNotIncluded();
        bundleStatus[_bundleHash] = BundleStatus.Verified;
        emit BundleVerified(_bundleHash);
    }

    function _executeCalls(InteropBundle memory _bundle, bytes32 _bundleHash) internal {
        if (settlementLayerChainId == L1_CHAIN_ID) revert NotInGatewayMode();
        for (uint256 i = 0; i < _bundle.calls.length; ++i) {
            InteropCall memory call = _bundle.calls[i];
            if (call.version != INTEROP_CALL_VERSION) revert InvalidInteropCallVersion();
            IL1MessengerForInterop(L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR).sendToL1(
                bytes.concat(this.executeBundle.selector, _bundleHash, bytes32(i))
            );
            if (call.value > 0) IL2BaseTokenForInterop(L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR).mint(address(this), call.value);
            bytes4 selector = IERC7786Recipient(call.to).receiveMessage{value: call.value}(
                keccak256(abi.encodePacked(_bundleHash, i)),
                InteroperableAddress.formatEvmV1(_bundle.sourceChainId, call.from),
                call.data
            );
            if (selector != IERC7786Recipient.receiveMessage.selector) revert InvalidSelector(selector);
        }
    }
}
