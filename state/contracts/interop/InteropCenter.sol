// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InteroperableAddress} from "../common/InteroperableAddress.sol";
import {L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR, L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR} from "../common/Config.sol";
import "./InteropTypes.sol";

/// @title InteropCenter, L2 system contract at 0x…1000b (era-contracts v31)
/// @notice Sends bundles of calls to another L2: `sendBundle` forms the `InteropBundle`, burns
/// the base token the calls carry (`msg.value` must be their total) and sends
/// `0x01 ‖ abi.encode(bundle)` to L1 as an L2->L1 message; once the source's batch is executed
/// on the Gateway and the Gateway's root reaches the destination, anyone (or the execution
/// address) runs it there with `InteropHandler.executeBundle`. Only between L2s that settle on
/// the Gateway (`NotInGatewayMode` otherwise). An `indirectCall(uint256)` call goes through its
/// target (the L2 asset router: `0x01 ‖ abi.encode(assetId, abi.encode(amount, receiver, token))`
/// burns the token here and calls its counterpart's `finalizeDeposit` there).
/// Runtime code in the L2 genesis: slot 0 = the L1 chain id, slot 1 = the settlement layer's
/// chain id, written by the node.
contract InteropCenter {
    event InteropBundleSent(bytes32 l2l1MsgHash, bytes32 interopBundleHash, InteropBundle interopBundle);
    event MessageSent(
        bytes32 indexed sendId,
        bytes sender,
        bytes recipient,
        bytes payload,
        uint256 value,
        bytes[] attributes
    );

    uint256 public L1_CHAIN_ID;
    /// @notice Where this chain settles (the Gateway's chain id, or the L1's).
    uint256 public settlementLayerChainId;
    /// @notice Bundles sent by each sender (the salt of its next one).
    mapping(address sender => uint256 nonce) public interopBundleNonce;

    struct CallAttributes {
        uint256 interopCallValue;
        bool indirectCall;
        uint256 indirectCallMessageValue;
    }

    /// @notice Sends a bundle to `_destinationChainId` (ERC-7930, chain only). Returns its hash,
    /// `keccak256(abi.encode(sourceChainId, abi.encode(bundle)))`.
    function sendBundle(
        bytes calldata _destinationChainId,
        InteropCallStarter[] calldata _callStarters,
        bytes[] calldata _bundleAttributes
    ) external payable returns (bytes32 bundleHash) {
        (uint256 destination, address none) = InteroperableAddress.parseEvmV1(_destinationChainId);
        if (none != address(0)) revert InteroperableAddressNotEmpty(_destinationChainId);
        if (block.chainid == L1_CHAIN_ID || destination == L1_CHAIN_ID) revert NotL2ToL2(block.chainid, destination);
        if (settlementLayerChainId == L1_CHAIN_ID) revert NotInGatewayMode();

        (InteropBundle memory bundle, uint256 total) = _formBundle(destination, _callStarters, _bundleAttributes);
        if (msg.value != total) revert MsgValueMismatch(total, msg.value);
        if (total > 0) IL2BaseTokenForInterop(L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR).burnMsgValue{value: total}();

        bytes memory encoded = abi.encode(bundle);
        bytes32 msgHash = IL1MessengerForInterop(L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR).sendToL1(
            bytes.concat(BUNDLE_IDENTIFIER, encoded)
        );
        bundleHash = keccak256(abi.encode(block.chainid, encoded));
        for (uint256 i = 0; i < _callStarters.length; ++i) {
            _emitMessageSent(bundleHash, i, bundle, _callStarters[i].callAttributes);
        }
        emit InteropBundleSent(msgHash, bundleHash, bundle);
    }

    function _formBundle(
        uint256 _destination,
        InteropCallStarter[] calldata _callStarters,
        bytes[] calldata _bundleAttributes
    ) internal returns (InteropBundle memory bundle, uint256 total) {
        BundleAttributes memory attributes = _bundleAttributesOf(_bundleAttributes);
        if (attributes.unbundlerAddress.length == 0) {
            attributes.unbundlerAddress = InteroperableAddress.formatEvmV1(block.chainid, msg.sender);
        }
        bundle = InteropBundle({
            version: INTEROP_BUNDLE_VERSION,
            sourceChainId: block.chainid,
            destinationChainId: _destination,
            interopBundleSalt: keccak256(abi.encodePacked(msg.sender, interopBundleNonce[msg.sender])),
            calls: new InteropCall[](_callStarters.length),
            bundleAttributes: attributes
        });
        ++interopBundleNonce[msg.sender];
        for (uint256 i = 0; i < _callStarters.length; ++i) {
            CallAttributes memory call = _callAttributesOf(_callStarters[i].callAttributes);
            (uint256 toChain, address to) = InteroperableAddress.parseEvmV1(_callStarters[i].to);
            if (toChain != 0) revert InteroperableAddressChainReferenceNotEmpty(_callStarters[i].to);
            bundle.calls[i] = call.indirectCall
                ? _indirectCall(to, _destination, call, _callStarters[i].data)
                : InteropCall({
                    version: INTEROP_CALL_VERSION,
                    shadowAccount: false,
                    to: to,
                    from: msg.sender,
                    value: call.interopCallValue,
                    data: _callStarters[i].data
                });
            total += call.interopCallValue + call.indirectCallMessageValue;
        }
    }

    /// @dev An indirect call: `_to` (the asset router) turns the starter into the call to make
    /// on the destination (for a token: its counterpart's `finalizeDeposit`), from itself.
    function _indirectCall(
        address _to,
        uint256 _destination,
        CallAttributes memory _call,
        bytes calldata _data
    ) internal returns (InteropCall memory) {
        InteropCallStarter memory actual = IL2CrossChainSender(_to).initiateIndirectCall{value: _call.indirectCallMessageValue}(
            _destination,
            msg.sender,
            _call.interopCallValue,
            _data
        );
        uint256 value = _callAttributesOfMemory(actual.callAttributes);
        if (value != _call.interopCallValue) revert IndirectCallValueMismatch(_call.interopCallValue, value);
        (, address target) = InteroperableAddress.parseEvmV1(actual.to);
        return
            InteropCall({
                version: INTEROP_CALL_VERSION,
                shadowAccount: false,
                to: target,
                from: _to,
                value: value,
                data: actual.data
            });
    }

    /// @dev The `interopCallValue` of attributes an indirect call returned (the only one allowed).
    function _callAttributesOfMemory(bytes[] memory _attributes) internal pure returns (uint256 value) {
        for (uint256 i = 0; i < _attributes.length; ++i) {
            bytes memory attribute = _attributes[i];
            bytes4 selector = bytes4(attribute);
            if (selector != IERC7786Attributes.interopCallValue.selector) revert AttributeViolatesRestriction(selector, 2);
            assembly {
                value := mload(add(attribute, 36))
            }
        }
    }

    function _emitMessageSent(
        bytes32 _bundleHash,
        uint256 _index,
        InteropBundle memory _bundle,
        bytes[] calldata _attributes
    ) internal {
        InteropCall memory call = _bundle.calls[_index];
        emit MessageSent({
            sendId: keccak256(abi.encodePacked(_bundleHash, _index)),
            sender: InteroperableAddress.formatEvmV1(block.chainid, call.from),
            recipient: InteroperableAddress.formatEvmV1(_bundle.destinationChainId, call.to),
            payload: call.data,
            value: call.value,
            attributes: _attributes
        });
    }

    function _callAttributesOf(bytes[] calldata _attributes) internal pure returns (CallAttributes memory out) {
        bool valueSet;
        for (uint256 i = 0; i < _attributes.length; ++i) {
            bytes4 selector = bytes4(_attributes[i]);
            if (selector == IERC7786Attributes.interopCallValue.selector) {
                if (valueSet) revert AttributeAlreadySet(selector);
                valueSet = true;
                out.interopCallValue = abi.decode(_attributes[i][4:], (uint256));
            } else if (selector == IERC7786Attributes.indirectCall.selector) {
                if (out.indirectCall) revert AttributeAlreadySet(selector);
                out.indirectCall = true;
                out.indirectCallMessageValue = abi.decode(_attributes[i][4:], (uint256));
            } else {
                revert AttributeViolatesRestriction(selector, 0);
            }
        }
    }

    function _bundleAttributesOf(bytes[] calldata _attributes) internal pure returns (BundleAttributes memory out) {
        for (uint256 i = 0; i < _attributes.length; ++i) {
            bytes4 selector = bytes4(_attributes[i]);
            bytes memory value = abi.decode(_attributes[i][4:], (bytes));
            if (selector == IERC7786Attributes.executionAddress.selector) {
                if (out.executionAddress.length != 0) revert AttributeAlreadySet(selector);
                out.executionAddress = value;
            } else if (selector == IERC7786Attributes.unbundlerAddress.selector) {
                if (out.unbundlerAddress.length != 0) revert AttributeAlreadySet(selector);
                out.unbundlerAddress = value;
            } else {
                revert AttributeViolatesRestriction(selector, 1);
            }
        }
    }
}
