//! The batch fields of blocks, txs, receipts and logs (`l1BatchNumber`, `l1BatchTxIndex`,
//! `l1BatchTimestamp`, and per L2->L1 log `l1BatchNumber` / `txIndexInL1Batch`), filled in
//! once the batcher has sealed the batch holding the block (null before, as ZKsync does).

use serde_json::{Value, json};

use super::{
    RpcContext,
    types::{block_json, log_json, receipt_json, tx_json},
};
use crate::storage::{StoredBlock, StoredTx};

fn set(value: &mut Value, key: &str, v: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_string(), v);
    }
}

fn hex(n: u64) -> Value {
    json!(format!("{n:#x}"))
}

impl RpcContext {
    /// The batch holding block `block`, and the tx number ZKsync OS reports for its tx
    /// `tx_index` (`l1BatchTxIndex`): the tx's index in its block, which is also the number its
    /// L2->L1 logs are proven with on L1 (SDKs pass `l1BatchTxIndex` as `l2TxNumberInBatch`).
    pub fn batch_position(&self, block: u64, tx_index: u64) -> Option<(u64, u64)> {
        let batches = &self.settlement.as_ref()?.batches;
        Some((batches.batch_of_block(block)?, tx_index))
    }

    /// An included tx's JSON with its batch fields; an L1 tx gets the chain's `chainId` too,
    /// which its canonical form does not carry but every other tx's JSON has.
    pub fn tx_json(&self, tx: &StoredTx) -> Value {
        let base_fee = self
            .chain
            .block(tx.block_number)
            .and_then(|b| b.header.base_fee_per_gas)
            .unwrap_or_default();
        let mut value = tx_json(&tx.tx, Some(tx), base_fee);
        if tx.tx.envelope.as_l1().is_some() {
            set(&mut value, "chainId", hex(self.next_block().chain_id));
        }
        if let Some((batch, index)) = self.batch_position(tx.block_number, tx.index) {
            set(&mut value, "l1BatchNumber", hex(batch));
            set(&mut value, "l1BatchTxIndex", hex(index));
        }
        value
    }

    /// A receipt with its batch fields.
    pub fn receipt_json(&self, tx: &StoredTx) -> Value {
        let mut value = receipt_json(tx);
        let Some((batch, index)) = self.batch_position(tx.block_number, tx.index) else {
            return value;
        };
        set(&mut value, "l1BatchNumber", hex(batch));
        set(&mut value, "l1BatchTxIndex", hex(index));
        if let Some(logs) = value.get_mut("logs").and_then(Value::as_array_mut) {
            for log in logs {
                set(log, "l1BatchNumber", hex(batch));
            }
        }
        if let Some(logs) = value.get_mut("l2ToL1Logs").and_then(Value::as_array_mut) {
            for log in logs {
                set(log, "l1BatchNumber", hex(batch));
                set(log, "txIndexInL1Batch", hex(index));
            }
        }
        value
    }

    /// A block with its batch fields (and its txs', when `full`).
    pub fn block_json(&self, block: &StoredBlock, full: bool) -> Value {
        let mut value = block_json(block, full);
        if full && let Some(txs) = value.get_mut("transactions") {
            *txs = Value::Array(block.txs.iter().map(|t| self.tx_json(t)).collect());
        }
        let batch = self
            .settlement
            .as_ref()
            .and_then(|s| s.batches.batch_of_block(block.header.number));
        if let Some(batch) = batch {
            set(&mut value, "l1BatchNumber", hex(batch));
            // The batch's timestamp is its last block's.
            let timestamp = self
                .settlement
                .as_ref()
                .and_then(|s| s.batches.status(batch))
                .and_then(|r| self.chain.block(r.last_block))
                .map_or(block.header.timestamp, |b| b.header.timestamp);
            set(&mut value, "l1BatchTimestamp", hex(timestamp));
        }
        value
    }

    /// A log with its batch number.
    pub fn log_json(&self, log: &alloy_rpc_types_eth::Log, transaction_log_index: u64) -> Value {
        let mut value = log_json(log, transaction_log_index);
        let batch = log.block_number.and_then(|n| {
            self.settlement
                .as_ref()
                .and_then(|s| s.batches.batch_of_block(n))
        });
        if let Some(batch) = batch {
            set(&mut value, "l1BatchNumber", hex(batch));
        }
        value
    }
}
