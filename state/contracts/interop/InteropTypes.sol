// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L2Message} from "../common/Messaging.sol";

// Interop shapes of era-contracts v31 (`common/Messaging.sol`, `interop/InteropErrors.sol`), the
// version zksync-js's interop flows call: field order and types are the ABI, do not reorder.

/// @dev First byte of the L2->L1 message that carries a bundle: BUNDLE_IDENTIFIER ‖ abi.encode(bundle).
bytes1 constant BUNDLE_IDENTIFIER = 0x01;
bytes1 constant INTEROP_BUNDLE_VERSION = 0x01;
bytes1 constant INTEROP_CALL_VERSION = 0x01;

/// @dev ZKsync OS system addresses of interop (zksync-js `core/constants.ts`).
address constant L2_INTEROP_ROOT_STORAGE_ADDR = address(0x10008);
address constant L2_MESSAGE_VERIFICATION_ADDR = address(0x10009);
address constant L2_INTEROP_CENTER_ADDR = address(0x1000b);
address constant L2_INTEROP_HANDLER_ADDR = address(0x1000c);

/// @dev A call as the sender names it: `to` an ERC-7930 address, attributes ERC-7786 ones.
struct InteropCallStarter {
    bytes to;
    bytes data;
    bytes[] callAttributes;
}

/// @dev `useFixedFee`: the sender pays `ZK_INTEROP_FEE` ZK tokens per call instead of
/// `interopProtocolFee` in the base token; every call of a bundle shares the mode.
struct BundleAttributes {
    bytes executionAddress;
    bytes unbundlerAddress;
    bool useFixedFee;
}

/// @dev A call starter's attributes once parsed (`InteropCenter.parseAttributes`).
struct CallAttributes {
    uint256 interopCallValue;
    bool indirectCall;
    uint256 indirectCallMessageValue;
}

struct InteropCall {
    bytes1 version;
    bool shadowAccount;
    address to;
    address from;
    uint256 value;
    bytes data;
}

struct InteropBundle {
    bytes1 version;
    uint256 sourceChainId;
    uint256 destinationChainId;
    bytes32 interopBundleSalt;
    InteropCall[] calls;
    BundleAttributes bundleAttributes;
}

enum BundleStatus {
    Unreceived,
    Verified,
    FullyExecuted,
    Unbundled
}

enum CallStatus {
    Unprocessed,
    Executed,
    Cancelled
}

/// @dev The proof that a message was sent: source chain, its batch, the log's index in the
/// batch's logs tree, the message, and the path (through the Gateway for chains settling there).
struct MessageInclusionProof {
    uint256 chainId;
    uint256 l1BatchNumber;
    uint256 l2MessageIndex;
    L2Message message;
    bytes32[] proof;
}

/// @dev ERC-7786 attributes (their selectors name them).
interface IERC7786Attributes {
    function interopCallValue(uint256 _value) external;
    function indirectCall(uint256 _indirectCallMessageValue) external;
    function executionAddress(bytes calldata _executionAddress) external;
    function unbundlerAddress(bytes calldata _unbundlerAddress) external;
    function useFixedFee(bool _useFixed) external;
}

/// @dev What a call's target implements to receive it (ERC-7786).
interface IERC7786Recipient {
    function receiveMessage(bytes32 receiveId, bytes calldata sender, bytes calldata payload) external payable returns (bytes4);
}

/// @dev What an indirect call's target implements (era-contracts `IL2CrossChainSender`).
interface IL2CrossChainSender {
    function initiateIndirectCall(
        uint256 _chainId,
        address _originalCaller,
        uint256 _value,
        bytes calldata _data
    ) external payable returns (InteropCallStarter memory);
}

interface IL2MessageVerification {
    function proveL2MessageInclusionShared(
        uint256 _chainId,
        uint256 _blockOrBatchNumber,
        uint256 _index,
        L2Message calldata _message,
        bytes32[] calldata _proof
    ) external view returns (bool);
}

interface IL2BaseTokenForInterop {
    function burnMsgValue() external payable;
    function mint(address _to, uint256 _amount) external;
}

interface IL1MessengerForInterop {
    function sendToL1(bytes calldata _message) external returns (bytes32);
}

/// @dev What the InteropCenter asks of the L2 native token vault: where the ZK token is.
interface IL2NativeTokenVaultForInterop {
    function tokenAddress(bytes32 _assetId) external view returns (address);
}

error NotInGatewayMode();
error NotL2ToL2(uint256 sourceChainId, uint256 destinationChainId);
error MsgValueMismatch(uint256 expected, uint256 actual);
error AttributeAlreadySet(bytes4 selector);
error AttributeViolatesRestriction(bytes4 selector, uint256 restriction);
error IndirectCallValueMismatch(uint256 expected, uint256 actual);
error InteroperableAddressChainReferenceNotEmpty(bytes interoperableAddress);
error InteroperableAddressNotEmpty(bytes interoperableAddress);
error BundleAlreadyProcessed(bytes32 bundleHash);
error WrongSourceChainId(bytes32 bundleHash, uint256 expected, uint256 actual);
error WrongDestinationChainId(bytes32 bundleHash, uint256 expected, uint256 actual);
error ExecutingNotAllowed(bytes32 bundleHash, bytes callerAddress, bytes executionAddress);
error MessageNotIncluded();
error UnauthorizedMessageSender(address expected, address actual);
error InvalidInteropBundleVersion();
error InvalidInteropCallVersion();
error InvalidSelector(bytes4 selector);
error Unauthorized(address caller);
error UnsupportedAttribute(bytes4 selector);
error ZKTokenNotAvailable();
error FeeWithdrawalFailed();
