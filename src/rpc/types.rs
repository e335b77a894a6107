//! JSON shapes of blocks, txs, receipts and logs: Ethereum's, plus the ZKsync fields
//! viem's `zksyncLocalNode` formatters read (`l2ToL1Logs`, `l1BatchNumber`, ...).

use alloy_consensus::{ReceiptEnvelope, Transaction as _, transaction::Recovered};
use alloy_primitives::{Address, U256};
use alloy_rpc_types_eth::{Log, Transaction, TransactionInfo, TransactionReceipt};
use serde_json::{Value, json};

use crate::{
    storage::{StoredBlock, StoredTx},
    tx::{EIP712_TX_TYPE, Eip712Tx, Envelope, L1_TX_TYPE, L1Tx, ReadyTx},
};

fn insert(value: &mut Value, key: &str, v: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_string(), v);
    }
}

/// A tx as `eth_getTransactionByHash` returns it; `included` is `None` while pending.
pub fn tx_json(tx: &ReadyTx, included: Option<&StoredTx>, base_fee: u64) -> Value {
    let info = match included {
        Some(s) => TransactionInfo {
            hash: Some(tx.hash),
            index: Some(s.index),
            block_hash: Some(s.block_hash),
            block_number: Some(s.block_number),
            block_timestamp: Some(s.block_timestamp),
            base_fee: Some(base_fee),
        },
        None => TransactionInfo {
            hash: Some(tx.hash),
            ..Default::default()
        },
    };
    let mut value = match &tx.envelope {
        Envelope::Eth(envelope) => {
            let rpc = Transaction::from_transaction(
                Recovered::new_unchecked(envelope.clone(), tx.sender),
                info,
            );
            serde_json::to_value(rpc).unwrap_or(Value::Null)
        }
        Envelope::L1(l1) => l1_tx_json(l1, &info),
        Envelope::Eip712(signed) => {
            let price = tx.envelope.effective_gas_price(info.base_fee);
            eip712_tx_json(signed, tx.sender, price, &info)
        }
        Envelope::System(system) => system_tx_json(system, &info),
    };
    insert(&mut value, "l1BatchNumber", Value::Null);
    insert(&mut value, "l1BatchTxIndex", Value::Null);
    value
}

/// A system tx (type `0x7d`): from the bootloader, no fee, no nonce, no signature.
fn system_tx_json(tx: &crate::tx::SystemTx, info: &TransactionInfo) -> Value {
    json!({
        "type": format!("{:#x}", crate::tx::SYSTEM_TX_TYPE),
        "hash": tx.hash,
        "from": crate::tx::BOOTLOADER,
        "to": tx.to(),
        "gas": format!("{:#x}", crate::tx::SYSTEM_TX_GAS_LIMIT),
        "gasPrice": "0x0",
        "maxFeePerGas": "0x0",
        "maxPriorityFeePerGas": "0x0",
        "nonce": "0x0",
        "value": "0x0",
        "input": tx.input,
        "blockHash": info.block_hash,
        "blockNumber": info.block_number.map(|n| format!("{n:#x}")),
        "transactionIndex": info.index.map(|n| format!("{n:#x}")),
        "v": "0x0",
        "r": "0x0",
        "s": "0x0",
    })
}

/// An L1 tx (type `0x7f`) in the shape zksync-os-server gives it.
fn l1_tx_json(l1: &L1Tx, info: &TransactionInfo) -> Value {
    let q = |v: U256| json!(format!("{v:#x}"));
    let c = &l1.canonical;
    json!({
        "type": format!("{:#x}", L1_TX_TYPE),
        "hash": l1.hash,
        "initiator": l1.from(),
        "from": l1.from(),
        "to": l1.to(),
        "gas": q(c.gasLimit),
        "gasPrice": q(c.maxFeePerGas),
        "gasPerPubdataByteLimit": q(c.gasPerPubdataByteLimit),
        "maxFeePerGas": q(c.maxFeePerGas),
        "maxPriorityFeePerGas": q(c.maxPriorityFeePerGas),
        "nonce": q(c.nonce),
        "value": q(c.value),
        "toMint": q(l1.to_mint()),
        "refundRecipient": l1.refund_recipient(),
        "input": c.data,
        "factoryDeps": [],
        "v": "0x0",
        "r": "0x0",
        "s": "0x0",
        "yParity": "0x0",
        "blockHash": info.block_hash,
        "blockNumber": info.block_number.map(|n| format!("{n:#x}")),
        "blockTimestamp": info.block_timestamp.map(|n| format!("{n:#x}")),
        "transactionIndex": info.index.map(|n| format!("{n:#x}")),
    })
}

/// An EIP-712 tx (type `0x71`): an EIP-1559 tx's fields (no access list) and the ZKsync ones
/// zksync-os-server's `TxEip712` has (`gasPerPubdata`, and an empty paymaster and factory deps).
fn eip712_tx_json(
    signed: &Eip712Tx,
    sender: Address,
    price: u128,
    info: &TransactionInfo,
) -> Value {
    let q = |v: u128| json!(format!("{v:#x}"));
    let tx = signed.tx();
    let sig = signed.signature();
    let parity = json!(format!("{:#x}", sig.v() as u8));
    json!({
        "type": format!("{EIP712_TX_TYPE:#x}"),
        "hash": signed.hash(),
        "chainId": q(tx.chain_id.into()),
        "nonce": q(tx.nonce.into()),
        "from": sender,
        "to": tx.to,
        "gas": q(tx.gas_limit.into()),
        "gasPrice": q(price),
        "maxFeePerGas": q(tx.max_fee_per_gas),
        "maxPriorityFeePerGas": q(tx.max_priority_fee_per_gas),
        "gasPerPubdata": q(tx.gas_per_pubdata.into()),
        "value": format!("{:#x}", tx.value),
        "input": tx.input,
        "paymaster": Address::ZERO,
        "paymasterInput": "0x",
        "factoryDeps": [],
        "v": parity,
        "yParity": parity,
        "r": format!("{:#x}", sig.r()),
        "s": format!("{:#x}", sig.s()),
        "blockHash": info.block_hash,
        "blockNumber": info.block_number.map(|n| format!("{n:#x}")),
        "blockTimestamp": info.block_timestamp.map(|n| format!("{n:#x}")),
        "transactionIndex": info.index.map(|n| format!("{n:#x}")),
    })
}

/// The RPC logs of an included tx.
pub fn tx_logs(tx: &StoredTx) -> Vec<Log> {
    tx.receipt
        .logs()
        .iter()
        .enumerate()
        .map(|(i, log)| Log {
            inner: log.clone(),
            block_hash: Some(tx.block_hash),
            block_number: Some(tx.block_number),
            block_timestamp: Some(tx.block_timestamp),
            transaction_hash: Some(tx.tx.hash),
            transaction_index: Some(tx.index),
            log_index: Some(tx.first_log_index + i as u64),
            removed: false,
        })
        .collect()
}

/// A log with the ZKsync fields.
pub fn log_json(log: &Log, transaction_log_index: u64) -> Value {
    let mut value = serde_json::to_value(log).unwrap_or(Value::Null);
    insert(
        &mut value,
        "transactionLogIndex",
        json!(format!("{transaction_log_index:#x}")),
    );
    insert(&mut value, "logType", Value::Null);
    insert(&mut value, "l1BatchNumber", Value::Null);
    value
}

/// A receipt with the ZKsync fields.
pub fn receipt_json(tx: &StoredTx) -> Value {
    let logs = tx_logs(tx);
    let inner = match &tx.receipt {
        ReceiptEnvelope::Legacy(r) => ReceiptEnvelope::Legacy(with_rpc_logs(r, &logs)),
        ReceiptEnvelope::Eip2930(r) => ReceiptEnvelope::Eip2930(with_rpc_logs(r, &logs)),
        ReceiptEnvelope::Eip1559(r) => ReceiptEnvelope::Eip1559(with_rpc_logs(r, &logs)),
        ReceiptEnvelope::Eip4844(r) => ReceiptEnvelope::Eip4844(with_rpc_logs(r, &logs)),
        ReceiptEnvelope::Eip7702(r) => ReceiptEnvelope::Eip7702(with_rpc_logs(r, &logs)),
    };
    let receipt = TransactionReceipt {
        inner,
        transaction_hash: tx.tx.hash,
        transaction_index: Some(tx.index),
        block_hash: Some(tx.block_hash),
        block_number: Some(tx.block_number),
        gas_used: tx.gas_used,
        effective_gas_price: tx.effective_gas_price,
        blob_gas_used: None,
        blob_gas_price: None,
        from: tx.tx.sender,
        to: tx.tx.envelope.to(),
        contract_address: tx.contract_address,
    };
    let mut value = serde_json::to_value(receipt).unwrap_or(Value::Null);
    // L1, EIP-712 and system txs have receipts of an Ethereum type; the RPC says theirs.
    let ty = alloy_eips::Typed2718::ty(&tx.tx.envelope);
    if matches!(ty, L1_TX_TYPE | EIP712_TX_TYPE | crate::tx::SYSTEM_TX_TYPE) {
        insert(&mut value, "type", json!(format!("{ty:#x}")));
    }
    let logs: Vec<Value> = logs
        .iter()
        .enumerate()
        .map(|(i, l)| log_json(l, i as u64))
        .collect();
    insert(&mut value, "logs", Value::Array(logs));
    let l2_to_l1: Vec<Value> = tx
        .l2_to_l1_logs
        .iter()
        .enumerate()
        .map(|(i, log)| {
            json!({
                "blockHash": tx.block_hash,
                "blockNumber": format!("{:#x}", tx.block_number),
                "l1BatchNumber": Value::Null,
                "transactionIndex": format!("{:#x}", tx.index),
                "transactionHash": tx.tx.hash,
                "transactionLogIndex": format!("{i:#x}"),
                "txIndexInL1Batch": Value::Null,
                "txNumberInBlock": format!("{:#x}", log.tx_number_in_block),
                "shardId": format!("{:#x}", log.shard_id),
                "isService": log.is_service,
                "sender": log.sender,
                "key": log.key,
                "value": log.value,
                "logIndex": format!("{i:#x}"),
                // zksync-os-server's own names (its `L2ToL1Log`), which zksync-js reads.
                "l2_shard_id": log.shard_id,
                "is_service": log.is_service,
                "tx_number_in_block": log.tx_number_in_block,
            })
        })
        .collect();
    insert(&mut value, "l2ToL1Logs", Value::Array(l2_to_l1));
    insert(&mut value, "l1BatchNumber", Value::Null);
    insert(&mut value, "l1BatchTxIndex", Value::Null);
    value
}

fn with_rpc_logs(
    r: &alloy_consensus::ReceiptWithBloom<alloy_consensus::Receipt<alloy_primitives::Log>>,
    logs: &[Log],
) -> alloy_consensus::ReceiptWithBloom<alloy_consensus::Receipt<Log>> {
    alloy_consensus::ReceiptWithBloom {
        receipt: alloy_consensus::Receipt {
            status: r.receipt.status,
            cumulative_gas_used: r.receipt.cumulative_gas_used,
            logs: logs.to_vec(),
        },
        logs_bloom: r.logs_bloom,
    }
}

/// A block; `full` puts whole txs in `transactions`, otherwise their hashes.
pub fn block_json(block: &StoredBlock, full: bool) -> Value {
    let header = alloy_rpc_types_eth::Header {
        hash: block.hash,
        inner: block.header.clone(),
        total_difficulty: Some(U256::ZERO),
        size: Some(U256::from(super::raw::block_size(block))),
    };
    let mut value = serde_json::to_value(header).unwrap_or(Value::Null);
    let base_fee = block.header.base_fee_per_gas.unwrap_or_default();
    let txs: Vec<Value> = if full {
        block
            .txs
            .iter()
            .map(|t| tx_json(&t.tx, Some(t), base_fee))
            .collect()
    } else {
        block.txs.iter().map(|t| json!(t.tx.hash)).collect()
    };
    insert(&mut value, "transactions", Value::Array(txs));
    insert(&mut value, "uncles", json!([]));
    insert(&mut value, "withdrawals", json!([]));
    insert(&mut value, "l1BatchNumber", Value::Null);
    insert(&mut value, "l1BatchTimestamp", Value::Null);
    value
}

/// `to: value wei + gas × price wei`, the `txpool_inspect` summary line.
pub fn inspect_line(tx: &ReadyTx) -> String {
    let to = tx
        .envelope
        .to()
        .map(|a: Address| a.to_string())
        .unwrap_or_else(|| "contract creation".into());
    format!(
        "{}: {} wei + {} gas × {} wei",
        to,
        tx.envelope.value(),
        tx.envelope.gas_limit(),
        tx.envelope.max_fee_per_gas()
    )
}
