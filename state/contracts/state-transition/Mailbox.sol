// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ZKChainBase} from "./ZKChainBase.sol";
import {IMailbox} from "./IMailbox.sol";
import {L2CanonicalTransaction, BridgehubL2TransactionRequest, L2Message, L2Log, TxStatus} from "../common/Messaging.sol";
import {MessageHashing, ProofData} from "../common/MessageHashing.sol";
import {IGetters} from "./IGetters.sol";

interface IBridgehubForMailbox {
    function getZKChain(uint256 _chainId) external view returns (address);
}
import {AddressAliasHelper} from "../common/AddressAliasHelper.sol";
import {PRIORITY_OPERATION_L2_TX_TYPE, REQUIRED_L2_GAS_PRICE_PER_PUBDATA, PRIORITY_TX_MAX_GAS_LIMIT, L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH, L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR, L2_BOOTLOADER_ADDRESS} from "../common/Config.sol";

/// @notice L1->L2 requests (the priority queue) and proofs of L2->L1 logs.
abstract contract Mailbox is ZKChainBase, IMailbox {
    error GasPerPubdataMismatch(uint256 expected, uint256 actual);
    error FactoryDepsNotSupported();
    error TooMuchGas(uint256 max, uint256 actual);
    error MsgValueTooLow(uint256 required, uint256 provided);
    error BatchNotExecuted(uint256 batchNumber);
    error HashedLogIsDefault();
    error EmptyProof();
    error InvalidProofLength();
    error DepthMoreThanOneForRecursiveMerkleProof();
    error NotSettlementLayer();
    // What `MessageHashing` reverts with, declared for the contract's ABI.
    error UnsupportedProofMetadataVersion(uint256 version);
    error InvalidProofLengthForFinalNode();
    error MerkleIndexOutOfBounds();
    error MerklePathOutOfBounds();
    error MerklePathEmpty();

    /// @inheritdoc IMailbox
    function bridgehubRequestL2Transaction(
        BridgehubL2TransactionRequest calldata _request
    ) external onlyBridgehub returns (bytes32 canonicalTxHash) {
        if (_request.l2GasPerPubdataByteLimit != REQUIRED_L2_GAS_PRICE_PER_PUBDATA) {
            revert GasPerPubdataMismatch(REQUIRED_L2_GAS_PRICE_PER_PUBDATA, _request.l2GasPerPubdataByteLimit);
        }
        // ZKsync OS runs EVM bytecode: there is no EraVM bytecode to publish with the request.
        if (_request.factoryDeps.length != 0) revert FactoryDepsNotSupported();
        if (_request.l2GasLimit > PRIORITY_TX_MAX_GAS_LIMIT) {
            revert TooMuchGas(PRIORITY_TX_MAX_GAS_LIMIT, _request.l2GasLimit);
        }
        uint256 required = minimalL2GasPrice * _request.l2GasLimit + _request.l2Value;
        if (_request.mintValue < required) revert MsgValueTooLow(required, _request.mintValue);

        // As era-contracts: a contract caller is aliased, so it cannot act as the same address on L2.
        address sender = _request.sender;
        if (sender != tx.origin) sender = AddressAliasHelper.applyL1ToL2Alias(sender);
        address refundRecipient = _request.refundRecipient == address(0) ? sender : _request.refundRecipient;
        if (refundRecipient.code.length > 0) refundRecipient = AddressAliasHelper.applyL1ToL2Alias(refundRecipient);

        uint256 txId = priorityQueue.length;
        L2CanonicalTransaction memory transaction = _canonicalTransaction(_request, txId, sender, refundRecipient);
        canonicalTxHash = keccak256(abi.encode(transaction));
        priorityQueue.push(canonicalTxHash);
        priorityQueueRollingHash = keccak256(abi.encodePacked(priorityQueueRollingHash, canonicalTxHash));

        // era-contracts sets PRIORITY_EXPIRATION = 0, so the expiration is the request time.
        emit NewPriorityRequest(txId, canonicalTxHash, uint64(block.timestamp), transaction, new bytes[](0));
        emit NewPriorityRequestId(txId, canonicalTxHash);
    }

    /// @inheritdoc IMailbox
    /// @dev On a Gateway: the request was made on L1, whose chain contract emitted
    /// `NewPriorityRequest` with the whole tx (the L2 reads it there); only its hash is queued
    /// here, so executing the batch that ran it on this settlement layer pops it as on L1
    /// (era-contracts `Mailbox.bridgehubRequestL2TransactionOnGateway`).
    function bridgehubRequestL2TransactionOnGateway(
        bytes32 _canonicalTxHash,
        uint64 _expirationTimestamp
    ) external onlyBridgehub {
        uint256 txId = priorityQueue.length;
        priorityQueue.push(_canonicalTxHash);
        priorityQueueRollingHash = keccak256(abi.encodePacked(priorityQueueRollingHash, _canonicalTxHash));
        emit NewRelayedPriorityTransaction(txId, _canonicalTxHash, _expirationTimestamp);
    }

    function _canonicalTransaction(
        BridgehubL2TransactionRequest calldata _request,
        uint256 _txId,
        address _sender,
        address _refundRecipient
    ) internal view returns (L2CanonicalTransaction memory) {
        return
            L2CanonicalTransaction({
                txType: PRIORITY_OPERATION_L2_TX_TYPE,
                from: uint256(uint160(_sender)),
                to: uint256(uint160(_request.contractL2)),
                gasLimit: _request.l2GasLimit,
                gasPerPubdataByteLimit: _request.l2GasPerPubdataByteLimit,
                maxFeePerGas: minimalL2GasPrice,
                maxPriorityFeePerGas: 0,
                paymaster: 0,
                // The priority id doubles as the nonce of L1->L2 transactions.
                nonce: _txId,
                value: _request.l2Value,
                reserved: [_request.mintValue, uint256(uint160(_refundRecipient)), 0, 0],
                data: _request.l2Calldata,
                signature: new bytes(0),
                factoryDeps: new uint256[](0),
                paymasterInput: new bytes(0),
                reservedDynamic: new bytes(0)
            });
    }

    /// @inheritdoc IMailbox
    /// @dev The L1 gas price does not matter on the devnet: cost = minimalL2GasPrice * l2GasLimit.
    function l2TransactionBaseCost(uint256, uint256 _l2GasLimit, uint256) public view returns (uint256) {
        return minimalL2GasPrice * _l2GasLimit;
    }

    /// @inheritdoc IMailbox
    function proveL2MessageInclusion(
        uint256 _batchNumber,
        uint256 _index,
        L2Message calldata _message,
        bytes32[] calldata _proof
    ) public view returns (bool) {
        // A message is the log the L1 messenger (0x8008) emits for it.
        L2Log memory log = L2Log({
            l2ShardId: 0,
            isService: true,
            txNumberInBatch: _message.txNumberInBatch,
            sender: L2_TO_L1_MESSENGER_SYSTEM_CONTRACT_ADDR,
            key: bytes32(uint256(uint160(_message.sender))),
            value: keccak256(_message.data)
        });
        return _proveL2LogInclusion(_batchNumber, _index, log, _proof);
    }

    /// @inheritdoc IMailbox
    /// @dev Every L1 tx leaves a service log from the bootloader (0x…8001): key = its hash,
    /// value = 1 if it succeeded, 0 if it failed.
    function proveL1ToL2TransactionStatus(
        bytes32 _l2TxHash,
        uint256 _l2BatchNumber,
        uint256 _l2MessageIndex,
        uint16 _l2TxNumberInBatch,
        bytes32[] calldata _merkleProof,
        TxStatus _status
    ) external view returns (bool) {
        L2Log memory log = L2Log({
            l2ShardId: 0,
            isService: true,
            txNumberInBatch: _l2TxNumberInBatch,
            sender: L2_BOOTLOADER_ADDRESS,
            key: _l2TxHash,
            value: bytes32(uint256(_status))
        });
        return _proveL2LogInclusion(_l2BatchNumber, _l2MessageIndex, log, _merkleProof);
    }

    /// @inheritdoc IMailbox
    function proveL2LogInclusion(
        uint256 _batchNumber,
        uint256 _index,
        L2Log calldata _log,
        bytes32[] calldata _proof
    ) external view returns (bool) {
        return _proveL2LogInclusion(_batchNumber, _index, _log, _proof);
    }

    /// @inheritdoc IMailbox
    function proveL2LeafInclusion(
        uint256 _batchNumber,
        uint256 _leafProofMask,
        bytes32 _leaf,
        bytes32[] calldata _proof
    ) external view returns (bool) {
        return _proveLeaf(CHAIN_ID, _batchNumber, _leafProofMask, _leaf, _proof, 0);
    }

    /// @dev Proof formats (era-contracts `MessageHashing`): the new one starts with a metadata
    /// word (version 1 ‖ log path length ‖ batch path length ‖ final flag ‖ 28 zero bytes): the
    /// log path (zksync-os-server sends 14 siblings and the batch's multichain root, so it ends
    /// at `keccak(localRoot ‖ multichainRoot)` = `l2LogsTreeRoot`), and, for a chain that settles
    /// on the Gateway, the path on through the Gateway's trees to the Gateway's batch root (one
    /// settlement layer at most). A legacy proof is the log path alone.
    function _proveL2LogInclusion(
        uint256 _batchNumber,
        uint256 _index,
        L2Log memory _log,
        bytes32[] calldata _proof
    ) internal view returns (bool) {
        if (_proof.length == 0) revert EmptyProof();
        bytes32 hashedLog = keccak256(
            abi.encodePacked(_log.l2ShardId, _log.isService, _log.txNumberInBatch, _log.sender, _log.key, _log.value)
        );
        if (hashedLog == L2_L1_LOGS_TREE_DEFAULT_LEAF_HASH) revert HashedLogIsDefault();
        return _proveLeaf(CHAIN_ID, _batchNumber, _index, hashedLog, _proof, 0);
    }

    /// @dev `_leaf` at `_leafProofMask` up to batch `_batchNumber` of chain `_chainId`: that
    /// batch's root as recorded when it was executed (by this contract, or by the settlement
    /// layer's contract on this same L1: a chain on the Gateway is proven through the Gateway's
    /// batch that holds its batch root, era-contracts' `_proveL2LeafInclusionRecursive`).
    function _proveLeaf(
        uint256 _chainId,
        uint256 _batchNumber,
        uint256 _leafProofMask,
        bytes32 _leaf,
        bytes32[] calldata _proof,
        uint256 _depth
    ) internal view returns (bool) {
        ProofData memory data = MessageHashing.getProofData(_chainId, _batchNumber, _leafProofMask, _leaf, _proof);
        if (data.finalProofNode) {
            if (_proof.length != data.ptr) revert InvalidProofLength();
            bytes32 root = _chainId == CHAIN_ID
                ? l2LogsRootHashes[_batchNumber]
                : IGetters(IBridgehubForMailbox(BRIDGEHUB).getZKChain(_chainId)).l2LogsRootHash(_batchNumber);
            if (root == bytes32(0)) revert BatchNotExecuted(_batchNumber);
            return root == data.batchSettlementRoot;
        }
        if (_depth == 1) revert DepthMoreThanOneForRecursiveMerkleProof();
        if (IBridgehubForMailbox(BRIDGEHUB).getZKChain(data.settlementLayerChainId) == address(0)) {
            revert NotSettlementLayer();
        }
        return
            _proveLeaf(
                data.settlementLayerChainId,
                data.settlementLayerBatchNumber,
                data.settlementLayerBatchRootMask,
                data.chainIdLeaf,
                _proof[data.ptr:],
                _depth + 1
            );
    }
}
