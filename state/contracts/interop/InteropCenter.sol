// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InteroperableAddress} from "../common/InteroperableAddress.sol";
import {
    L2_BOOTLOADER_ADDRESS,
    L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR,
    L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR,
    L2_NATIVE_TOKEN_VAULT_ADDR
} from "../common/Config.sol";
import "./InteropTypes.sol";

/// @dev era-contracts' `DEFAULT_ZK_INTEROP_FEE`: the fixed fee, 10 ZK per call, set above the
/// intended dynamic fee so that the base-token path is the cheaper one. The node writes it into
/// `ZK_INTEROP_FEE` at genesis (`initL2` does in era-contracts).
uint256 constant DEFAULT_ZK_INTEROP_FEE = 10e18;

/// @title InteropCenter, L2 system contract at 0x…1000b (era-contracts v31)
/// @notice Sends bundles of calls to another L2: `sendBundle` forms the `InteropBundle`, takes
/// the interop fee, burns the base token the calls carry and sends `0x01 ‖ abi.encode(bundle)`
/// to L1 as an L2->L1 message; once the source's batch is executed on the Gateway and the
/// Gateway's root reaches the destination, anyone (or the execution address) runs it there with
/// `InteropHandler.executeBundle`. Only between L2s that settle on the Gateway
/// (`NotInGatewayMode` otherwise). An `indirectCall(uint256)` call goes through its target (the
/// L2 asset router: `0x01 ‖ abi.encode(assetId, abi.encode(amount, receiver, token))` burns the
/// token here and calls its counterpart's `finalizeDeposit` there).
///
/// Fees, per call: `interopProtocolFee` in the base token, paid in `msg.value` on top of the
/// calls' values, or, with the bundle attribute `useFixedFee(true)`, `ZK_INTEROP_FEE` ZK tokens
/// pulled with `transferFrom` (the ZK token bridged to this chain, `ZK_TOKEN_ASSET_ID` in the
/// native token vault; `ZKTokenNotAvailable` if it is not). Both accumulate for the block's
/// coinbase (the operator), which claims them with `claimProtocolFees` / `claimZKFees`. The
/// operator sets `interopProtocolFee` with a system tx from the bootloader (`setInteropFee`).
///
/// Runtime code in the L2 genesis: the node writes slot 0 (the L1 chain id), slot 1 (the
/// settlement layer's chain id), slot 4 (`ZK_INTEROP_FEE`) and slot 5 (`ZK_TOKEN_ASSET_ID`).
contract InteropCenter {
    /// @dev era-contracts' `IInteropCenter.AttributeParsingRestrictions`: where an attribute may be.
    enum AttributeParsingRestrictions {
        OnlyInteropCallValue,
        OnlyCallAttributes,
        OnlyBundleAttributes,
        CallAndBundleAttributes
    }

    /// @dev A call starter once its address and attributes are parsed.
    struct InteropCallStarterInternal {
        address to;
        bytes data;
        CallAttributes callAttributes;
    }

    event InteropBundleSent(bytes32 l2l1MsgHash, bytes32 interopBundleHash, InteropBundle interopBundle);
    event MessageSent(
        bytes32 indexed sendId,
        bytes sender,
        bytes recipient,
        bytes payload,
        uint256 value,
        bytes[] attributes
    );
    event InteropFeeUpdated(uint256 indexed oldFee, uint256 indexed newFee);
    event ProtocolFeesAccumulated(address indexed coinbase, uint256 amount);
    event FixedZKFeesAccumulated(address indexed payer, address indexed coinbase, uint256 amount);
    event ProtocolFeesClaimed(address indexed coinbase, address indexed receiver, uint256 amount);
    event ZKFeesClaimed(address indexed coinbase, address indexed receiver, uint256 amount);

    /// @notice Slot 0.
    uint256 public L1_CHAIN_ID;
    /// @notice Where this chain settles (the Gateway's chain id, or the L1's). Slot 1.
    uint256 public settlementLayerChainId;
    /// @notice Bundles sent by each sender (the salt of its next one). Slot 2.
    mapping(address sender => uint256 nonce) public interopBundleNonce;
    /// @notice The operator's fee per call in the base token (when `useFixedFee` is false). Slot 3.
    uint256 public interopProtocolFee;
    /// @notice The fixed fee per call in ZK tokens (when `useFixedFee` is true). Slot 4.
    uint256 public ZK_INTEROP_FEE;
    /// @notice The ZK token's asset id (0: no ZK token, the fixed fee cannot be paid). Slot 5.
    bytes32 public ZK_TOKEN_ASSET_ID;
    /// @notice The ZK token on this chain, once resolved from the vault. Slot 6.
    address public zkToken;
    /// @notice Base-token fees each coinbase can claim. Slot 7.
    mapping(address coinbase => uint256 amount) public accumulatedProtocolFees;
    /// @notice ZK fees each coinbase can claim. Slot 8.
    mapping(address coinbase => uint256 amount) public accumulatedZKFees;

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

        InteropCallStarterInternal[] memory starters = new InteropCallStarterInternal[](_callStarters.length);
        bytes[][] memory originalAttributes = new bytes[][](_callStarters.length);
        for (uint256 i = 0; i < _callStarters.length; ++i) {
            (uint256 toChain, address to) = InteroperableAddress.parseEvmV1(_callStarters[i].to);
            if (toChain != 0) revert InteroperableAddressChainReferenceNotEmpty(_callStarters[i].to);
            originalAttributes[i] = _callStarters[i].callAttributes;
            (CallAttributes memory attributes, ) = parseAttributes(
                _callStarters[i].callAttributes,
                AttributeParsingRestrictions.OnlyCallAttributes
            );
            starters[i] = InteropCallStarterInternal({to: to, data: _callStarters[i].data, callAttributes: attributes});
        }
        (, BundleAttributes memory bundleAttributes) = parseAttributes(
            _bundleAttributes,
            AttributeParsingRestrictions.OnlyBundleAttributes
        );
        if (bundleAttributes.unbundlerAddress.length == 0) {
            bundleAttributes.unbundlerAddress = InteroperableAddress.formatEvmV1(block.chainid, msg.sender);
        }
        bundleHash = _sendBundle(destination, starters, bundleAttributes, originalAttributes);
    }

    /// @notice Sets the base-token fee per call. Only the bootloader: the operator's system tx.
    function setInteropFee(uint256 _fee) external {
        if (msg.sender != L2_BOOTLOADER_ADDRESS) revert Unauthorized(msg.sender);
        uint256 oldFee = interopProtocolFee;
        interopProtocolFee = _fee;
        emit InteropFeeUpdated(oldFee, _fee);
    }

    /// @notice Pays the caller's accumulated base-token fees to `_receiver` (nothing if none).
    function claimProtocolFees(address _receiver) external {
        uint256 amount = accumulatedProtocolFees[msg.sender];
        if (amount == 0) return;
        accumulatedProtocolFees[msg.sender] = 0;
        (bool success, ) = _receiver.call{value: amount}("");
        if (!success) revert FeeWithdrawalFailed();
        emit ProtocolFeesClaimed(msg.sender, _receiver, amount);
    }

    /// @notice Pays the caller's accumulated ZK fees to `_receiver` (nothing if none).
    function claimZKFees(address _receiver) external {
        uint256 amount = accumulatedZKFees[msg.sender];
        if (amount == 0) return;
        accumulatedZKFees[msg.sender] = 0;
        _callToken(_getZKToken(), abi.encodeWithSignature("transfer(address,uint256)", _receiver, amount));
        emit ZKFeesClaimed(msg.sender, _receiver, amount);
    }

    /// @notice The ZK token on this chain, or 0 while it has not been bridged here.
    function getZKTokenAddress() public view returns (address) {
        if (zkToken != address(0)) return zkToken;
        return IL2NativeTokenVaultForInterop(L2_NATIVE_TOKEN_VAULT_ADDR).tokenAddress(ZK_TOKEN_ASSET_ID);
    }

    /// @notice Whether `_attributeSelector` is an attribute this center understands.
    function supportsAttribute(bytes4 _attributeSelector) external pure returns (bool) {
        return
            _attributeSelector == IERC7786Attributes.interopCallValue.selector ||
            _attributeSelector == IERC7786Attributes.indirectCall.selector ||
            _attributeSelector == IERC7786Attributes.executionAddress.selector ||
            _attributeSelector == IERC7786Attributes.unbundlerAddress.selector ||
            _attributeSelector == IERC7786Attributes.useFixedFee.selector;
    }

    /// @notice Parses ERC-7786 attributes, each at most once (`AttributeAlreadySet`) and only where
    /// `_restriction` allows it (`AttributeViolatesRestriction(selector, restriction)`); an unknown
    /// one is `UnsupportedAttribute`.
    function parseAttributes(
        bytes[] calldata _attributes,
        AttributeParsingRestrictions _restriction
    ) public pure returns (CallAttributes memory callAttributes, BundleAttributes memory bundleAttributes) {
        bool forCall = _restriction != AttributeParsingRestrictions.OnlyBundleAttributes;
        bool forBundle = _restriction == AttributeParsingRestrictions.OnlyBundleAttributes ||
            _restriction == AttributeParsingRestrictions.CallAndBundleAttributes;
        bool[5] memory used;
        for (uint256 i = 0; i < _attributes.length; ++i) {
            bytes4 selector = bytes4(_attributes[i]);
            uint256 index;
            bool allowed;
            if (selector == IERC7786Attributes.interopCallValue.selector) {
                (index, allowed) = (0, forCall);
            } else if (selector == IERC7786Attributes.indirectCall.selector) {
                (index, allowed) = (1, forCall && _restriction != AttributeParsingRestrictions.OnlyInteropCallValue);
            } else if (selector == IERC7786Attributes.executionAddress.selector) {
                (index, allowed) = (2, forBundle);
            } else if (selector == IERC7786Attributes.unbundlerAddress.selector) {
                (index, allowed) = (3, forBundle);
            } else if (selector == IERC7786Attributes.useFixedFee.selector) {
                (index, allowed) = (4, forBundle);
            } else {
                revert UnsupportedAttribute(selector);
            }
            if (used[index]) revert AttributeAlreadySet(selector);
            if (!allowed) revert AttributeViolatesRestriction(selector, uint256(_restriction));
            used[index] = true;
            bytes calldata value = _attributes[i][4:];
            if (index == 0) {
                callAttributes.interopCallValue = abi.decode(value, (uint256));
            } else if (index == 1) {
                callAttributes.indirectCall = true;
                callAttributes.indirectCallMessageValue = abi.decode(value, (uint256));
            } else if (index == 2) {
                bundleAttributes.executionAddress = abi.decode(value, (bytes));
            } else if (index == 3) {
                bundleAttributes.unbundlerAddress = abi.decode(value, (bytes));
            } else {
                bundleAttributes.useFixedFee = abi.decode(value, (bool));
            }
        }
    }

    /// @dev Forms the bundle, takes the fees and the value, sends the bundle to L1, emits.
    function _sendBundle(
        uint256 _destination,
        InteropCallStarterInternal[] memory _starters,
        BundleAttributes memory _bundleAttributes,
        bytes[][] memory _originalAttributes
    ) internal returns (bytes32 bundleHash) {
        if (settlementLayerChainId == L1_CHAIN_ID) revert NotInGatewayMode();
        InteropBundle memory bundle = InteropBundle({
            version: INTEROP_BUNDLE_VERSION,
            sourceChainId: block.chainid,
            destinationChainId: _destination,
            interopBundleSalt: keccak256(abi.encodePacked(msg.sender, interopBundleNonce[msg.sender])),
            calls: new InteropCall[](_starters.length),
            bundleAttributes: _bundleAttributes
        });
        ++interopBundleNonce[msg.sender];
        uint256 burned;
        uint256 indirect;
        for (uint256 i = 0; i < _starters.length; ++i) {
            bundle.calls[i] = _processCallStarter(_starters[i], _destination);
            burned += _starters[i].callAttributes.interopCallValue;
            if (_starters[i].callAttributes.indirectCall) indirect += _starters[i].callAttributes.indirectCallMessageValue;
        }
        if (_bundleAttributes.useFixedFee) {
            uint256 zkFee = ZK_INTEROP_FEE * _starters.length;
            _callToken(
                _getZKToken(),
                abi.encodeWithSignature("transferFrom(address,address,uint256)", msg.sender, address(this), zkFee)
            );
            accumulatedZKFees[block.coinbase] += zkFee;
            emit FixedZKFeesAccumulated(msg.sender, block.coinbase, zkFee);
        }
        _takeValue(burned, indirect, _bundleAttributes.useFixedFee ? 0 : interopProtocolFee * _starters.length);

        bytes memory encoded = abi.encode(bundle);
        bytes32 msgHash = IL1MessengerForInterop(L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR).sendToL1(
            bytes.concat(BUNDLE_IDENTIFIER, encoded)
        );
        bundleHash = keccak256(abi.encode(block.chainid, encoded));
        for (uint256 i = 0; i < _starters.length; ++i) {
            emit MessageSent({
                sendId: keccak256(abi.encodePacked(bundleHash, i)),
                sender: InteroperableAddress.formatEvmV1(block.chainid, bundle.calls[i].from),
                recipient: InteroperableAddress.formatEvmV1(_destination, bundle.calls[i].to),
                payload: _starters[i].data,
                value: _starters[i].callAttributes.interopCallValue,
                attributes: _originalAttributes[i]
            });
        }
        emit InteropBundleSent(msgHash, bundleHash, bundle);
    }

    /// @dev `msg.value` must be the calls' values, what indirect calls passed on and the
    /// protocol fee, exactly (`MsgValueMismatch(expected, actual)`; every chain's base token
    /// is ETH here). The calls' values are burned; the fee accumulates for the coinbase.
    function _takeValue(uint256 _burned, uint256 _indirect, uint256 _protocolFee) internal {
        uint256 expected = _burned + _indirect + _protocolFee;
        if (msg.value != expected) revert MsgValueMismatch(expected, msg.value);
        if (_burned > 0) IL2BaseTokenForInterop(L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR).burnMsgValue{value: _burned}();
        if (_protocolFee > 0) {
            accumulatedProtocolFees[block.coinbase] += _protocolFee;
            emit ProtocolFeesAccumulated(block.coinbase, _protocolFee);
        }
    }

    /// @dev The call a starter makes. An indirect one: its target (the asset router) turns the
    /// starter into the call to make on the destination (for a token: its counterpart's
    /// `finalizeDeposit`), from itself, with `indirectCallMessageValue` passed to it here.
    function _processCallStarter(
        InteropCallStarterInternal memory _starter,
        uint256 _destination
    ) internal returns (InteropCall memory) {
        CallAttributes memory attributes = _starter.callAttributes;
        if (!attributes.indirectCall) {
            return
                InteropCall({
                    version: INTEROP_CALL_VERSION,
                    shadowAccount: false,
                    to: _starter.to,
                    from: msg.sender,
                    value: attributes.interopCallValue,
                    data: _starter.data
                });
        }
        InteropCallStarter memory actual = IL2CrossChainSender(_starter.to).initiateIndirectCall{
            value: attributes.indirectCallMessageValue
        }(_destination, msg.sender, attributes.interopCallValue, _starter.data);
        (CallAttributes memory returned, ) = this.parseAttributes(
            actual.callAttributes,
            AttributeParsingRestrictions.OnlyInteropCallValue
        );
        if (returned.interopCallValue != attributes.interopCallValue) {
            revert IndirectCallValueMismatch(attributes.interopCallValue, returned.interopCallValue);
        }
        (, address target) = InteroperableAddress.parseEvmV1(actual.to);
        return
            InteropCall({
                version: INTEROP_CALL_VERSION,
                shadowAccount: false,
                to: target,
                from: _starter.to,
                value: attributes.interopCallValue,
                data: actual.data
            });
    }

    /// @dev The ZK token, resolved from the vault and kept; `ZKTokenNotAvailable` while it has
    /// not been bridged to this chain.
    function _getZKToken() internal returns (address token) {
        token = getZKTokenAddress();
        if (token == address(0)) revert ZKTokenNotAvailable();
        if (zkToken == address(0)) zkToken = token;
    }

    /// @dev A token call as OpenZeppelin's `SafeERC20` makes it: a revert is passed on, and a
    /// `false` answer fails.
    function _callToken(address _token, bytes memory _call) internal {
        (bool ok, bytes memory ret) = _token.call(_call);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        require(ret.length == 0 || abi.decode(ret, (bool)), "SafeERC20: ERC20 operation did not succeed");
    }
}
