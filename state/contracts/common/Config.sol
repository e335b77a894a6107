// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Constants shared by the L1 contracts. Values are the ones era-contracts uses
// (l1-contracts/contracts/common/Config.sol, L2ContractAddresses.sol) unless a
// comment says otherwise.

/// @dev ZKsync's placeholder address for ETH as a token (`ETH_TOKEN_ADDRESS`).
address constant ETH_TOKEN_ADDRESS = address(1);

/// @dev `txType` of L1->L2 priority transactions in `L2CanonicalTransaction` (0xff).
uint256 constant PRIORITY_OPERATION_L2_TX_TYPE = 255;

/// @dev keccak256("") — start of every rolling hash (priority ops).
bytes32 constant EMPTY_STRING_KECCAK = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;

/// @dev Gas per pubdata byte every L1->L2 request must use (era-contracts enforces it too).
uint256 constant REQUIRED_L2_GAS_PRICE_PER_PUBDATA = 800;

/// @dev Upper bound on the L2 gas limit of a priority tx (era-contracts' default `priorityTxMaxGasLimit`).
uint256 constant PRIORITY_TX_MAX_GAS_LIMIT = 72_000_000;

/// @dev Size of one serialized L2->L1 log: uint8 shard, bool isService, uint16 txNumberInBatch,
/// address sender, bytes32 key, bytes32 value = 1 + 1 + 2 + 20 + 32 + 32.
uint256 constant L2_TO_L1_LOG_SERIALIZE_SIZE = 88;

/// @dev keccak256 of 88 zero bytes: the padding leaf of the L2->L1 logs tree. A proof for it
/// would "prove" a log that was never sent, so it is rejected.
bytes32 constant L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH = 0x72abee45b59e344af8a6e520241c4744aff26ed411f4c4b00f8af09adada43ba;

/// @dev The batch proof public input is keccak(...) >> 32 so it fits the SNARK field.
uint256 constant PUBLIC_INPUT_SHIFT = 32;

/// @dev Version bytes prefixed to the settlement calldata (zksync-os-server, protocol v29).
uint8 constant COMMIT_ENCODING_VERSION = 2;
uint8 constant PROOF_ENCODING_VERSION = 1;
uint8 constant EXECUTE_ENCODING_VERSION = 1;

/// @dev Version of the Merkle proof metadata word (era-contracts MessageHashing.sol).
uint256 constant SUPPORTED_PROOF_METADATA_VERSION = 1;

// L2 system contract addresses (ZKsync OS).
address constant L2_BOOTLOADER_ADDRESS = address(0x8001);
address constant L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR = address(0x8008);
address constant L2_BASE_TOKEN_SYSTEM_CONTRACT_ADDR = address(0x800a);
address constant L2_ASSET_ROUTER_ADDR = address(0x10003);
address constant L2_NATIVE_TOKEN_VAULT_ADDR = address(0x10004);

/// @dev What a second bridge returns from `bridgehubDeposit` to show it is one
/// (era-contracts `TWO_BRIDGES_MAGIC_VALUE`).
bytes32 constant TWO_BRIDGES_MAGIC_VALUE = bytes32(uint256(keccak256("TWO_BRIDGES_MAGIC_VALUE")) - 1);

/// @dev First byte of `secondBridgeCalldata` in the asset-id form: 0x01 ‖ abi.encode(assetId, transferData).
/// Without it the calldata is the legacy abi.encode(l1Token, amount, l2Receiver).
bytes1 constant NEW_ENCODING_VERSION = 0x01;
