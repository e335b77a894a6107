// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Structs copied field-for-field from era-contracts l1-contracts/contracts/common/Messaging.sol:
// their ABI encoding is what tooling and the server decode, so names, types and order matter.

/// @dev A log sent from L2 to L1. Serialized with abi.encodePacked into 88 bytes.
struct L2Log {
    uint8 l2ShardId;
    bool isService;
    uint16 txNumberInBatch;
    address sender;
    bytes32 key;
    bytes32 value;
}

/// @dev An arbitrary-length L2->L1 message; on L2 it becomes an `L2Log` with sender 0x8008,
/// key = the message sender (padded), value = keccak256(data).
struct L2Message {
    uint16 txNumberInBatch;
    address sender;
    bytes data;
}

/// @dev The canonical form of an L1->L2 transaction. Its hash, keccak256(abi.encode(tx)),
/// is the L2 transaction hash and the item of the priority queue.
struct L2CanonicalTransaction {
    uint256 txType;
    uint256 from;
    uint256 to;
    uint256 gasLimit;
    uint256 gasPerPubdataByteLimit;
    uint256 maxFeePerGas;
    uint256 maxPriorityFeePerGas;
    uint256 paymaster;
    uint256 nonce;
    uint256 value;
    // reserved[0] = toMint, reserved[1] = refundRecipient, others 0.
    uint256[4] reserved;
    bytes data;
    bytes signature;
    uint256[] factoryDeps;
    bytes paymasterInput;
    bytes reservedDynamic;
}

/// @dev What the Bridgehub hands to the chain's mailbox.
struct BridgehubL2TransactionRequest {
    address sender;
    address contractL2;
    uint256 mintValue;
    uint256 l2Value;
    bytes l2Calldata;
    uint256 l2GasLimit;
    uint256 l2GasPerPubdataByteLimit;
    bytes[] factoryDeps;
    address refundRecipient;
}

/// @dev Interop roots a batch depended on (executed batches pass one list per batch; always empty here).
struct InteropRoot {
    uint256 chainId;
    uint256 blockOrBatchNumber;
    bytes32[] sides;
}

/// @dev Parameters of `L1Nullifier.finalizeDeposit` (a withdrawal from L2 to L1).
struct FinalizeL1DepositParams {
    uint256 chainId;
    uint256 l2BatchNumber;
    uint256 l2MessageIndex;
    address l2Sender;
    uint16 l2TxNumberInBatch;
    bytes message;
    bytes32[] merkleProof;
}

/// @dev Outcome of an L1->L2 transaction, as its service log's value says (era-contracts `TxStatus`).
enum TxStatus {
    Failure,
    Success
}
