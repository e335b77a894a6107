//! Attach mode's blocks and batches: JSON-RPC polling of a running node's new blocks (with
//! receipts on the L2) and of its batches' L1 progress.

use std::{
    collections::{BTreeMap, btree_map::Entry},
    ops::RangeInclusive,
    sync::Arc,
    time::Duration,
};

use alloy_primitives::B256;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{
    BATCH_WINDOW, BLOCK_POLL, CATCH_UP, MAX_RECEIPTS, STATUS_POLL, address, b256, parse_rfc3339,
    u256,
};
use crate::{
    events::{BatchEvent, BatchStage},
    tui::{
        control::{CallError, Rpc, hex_u64},
        feed::{BlockInfo, ChainKind, Feed, MAX_TXS_PER_BLOCK, TxInfo, TxStatus},
    },
};

/// Polls one chain's new blocks over JSON-RPC (attach mode), with receipts on the L2.
pub async fn poll_blocks(rpc: Rpc, chain: ChainKind, out: mpsc::Sender<Feed>) {
    let mut next: Option<u64> = None;
    loop {
        tokio::time::sleep(BLOCK_POLL).await;
        if out.is_closed() {
            return;
        }
        let Ok(head) = rpc.call_u64("eth_blockNumber", json!([])).await else {
            continue;
        };
        let mut from = match next {
            None => head.saturating_sub(CATCH_UP - 1).max(1),
            // The chain went back (revert, reset): the head block is new.
            Some(next) if next > head + 1 => head.max(1),
            Some(next) => next,
        };
        if head >= from + CATCH_UP {
            let skipped = head + 1 - CATCH_UP - from;
            let _ = out.send(Feed::Lagged { chain, skipped }).await;
            from = head + 1 - CATCH_UP;
        }
        for number in from..=head {
            match fetch_block(&rpc, number, chain == ChainKind::L2).await {
                Ok(Some(block)) => {
                    if out.send(Feed::Block(chain, Box::new(block))).await.is_err() {
                        return;
                    }
                }
                Ok(None) => break,
                Err(_) => break,
            }
            next = Some(number + 1);
        }
        if next.is_none() && head == 0 {
            next = Some(1);
        }
    }
}

/// Block `number`; `with_txs`, and when it is small enough, its txs and their receipts.
pub(super) async fn fetch_block(
    rpc: &Rpc,
    number: u64,
    with_txs: bool,
) -> Result<Option<BlockInfo>, CallError> {
    let tag = format!("{number:#x}");
    let mut block = rpc
        .call("eth_getBlockByNumber", json!([tag, false]))
        .await?;
    if block.is_null() {
        return Ok(None);
    }
    let count = block["transactions"].as_array().map_or(0, Vec::len);
    // Full txs of a 10,000-tx block would weigh megabytes: large blocks come as a count only.
    let full = with_txs && count > 0 && count <= MAX_RECEIPTS;
    if full {
        block = rpc.call("eth_getBlockByNumber", json!([tag, true])).await?;
    }
    let all = block["transactions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let receipts = if full {
        rpc.call("eth_getBlockReceipts", json!([format!("{number:#x}")]))
            .await
            .ok()
            .and_then(|r| r.as_array().cloned())
            .unwrap_or_default()
    } else {
        vec![]
    };
    let txs = if full {
        all.iter()
            .enumerate()
            .filter(|(i, tx)| *i < MAX_TXS_PER_BLOCK || is_l1_tx(tx))
            .map(|(i, tx)| rpc_tx(tx, receipts.get(i), number))
            .collect()
    } else {
        vec![]
    };
    Ok(Some(BlockInfo {
        number,
        hash: b256(&block["hash"]).unwrap_or_default(),
        timestamp: hex_u64(&block["timestamp"]).unwrap_or_default(),
        tx_count: count as u64,
        gas_used: hex_u64(&block["gasUsed"]).unwrap_or_default(),
        gas_limit: hex_u64(&block["gasLimit"]).unwrap_or_default(),
        txs,
    }))
}

fn is_l1_tx(tx: &Value) -> bool {
    tx["type"].as_str() == Some("0x7f") || tx["type"].as_str() == Some("0xff")
}

fn rpc_tx(tx: &Value, receipt: Option<&Value>, block: u64) -> TxInfo {
    let status = match receipt.map(|r| &r["status"]) {
        Some(status) if hex_u64(status) == Some(1) => TxStatus::Success,
        Some(status) if hex_u64(status) == Some(0) => TxStatus::Failed { reason: None },
        _ => TxStatus::Unknown,
    };
    let priority = is_l1_tx(tx);
    TxInfo {
        hash: b256(&tx["hash"]).unwrap_or_default(),
        from: address(&tx["from"]).unwrap_or_default(),
        to: address(&tx["to"]),
        value: u256(&tx["value"]).unwrap_or_default(),
        nonce: hex_u64(&tx["nonce"]).unwrap_or_default(),
        gas_used: receipt.and_then(|r| hex_u64(&r["gasUsed"])),
        status,
        block,
        created: receipt.and_then(|r| address(&r["contractAddress"])),
        priority,
        sends_to_l1: receipt
            .and_then(|r| r["l2ToL1Logs"].as_array())
            .is_some_and(|logs| !logs.is_empty()),
        console: vec![],
    }
}

/// Per batch: its blocks and how many of its steps were reported.
type BatchesSeen = BTreeMap<u64, (RangeInclusive<u64>, usize)>;

/// Asks whether the node reports batches and turns `zks_getL1BatchDetails` into batch stage
/// events: when `stages` is set (attach mode) on every poll, else once, for the batches sealed
/// before the dashboard started.
pub async fn poll_batches(rpc: Rpc, stages: bool, out: mpsc::Sender<Feed>) {
    let mut known = BatchesSeen::new();
    let mut caught_up = false;
    let mut settlement = None;
    loop {
        if out.is_closed() {
            return;
        }
        let last = match rpc.call_u64("zks_L1BatchNumber", json!([])).await {
            Ok(last) => Some(last),
            // Any answer but a number: this node does not settle (no pipeline, no L1).
            Err(CallError::Rpc { .. }) => None,
            Err(CallError::Transport(_)) => {
                tokio::time::sleep(STATUS_POLL).await;
                continue;
            }
        };
        if settlement != Some(last.is_some()) {
            settlement = Some(last.is_some());
            let _ = out.send(Feed::Settlement(last.is_some())).await;
        }
        match last {
            // Attached, every poll; in process once, for the batches from before the dashboard
            // (a resumed chain's): the stages after that come as events.
            Some(last) if stages || !caught_up => {
                caught_up = true;
                for number in last.saturating_sub(BATCH_WINDOW - 1).max(1)..=last {
                    if known.get(&number).is_some_and(|(_, steps)| *steps >= 5) {
                        continue;
                    }
                    for event in batch_events(&rpc, number, &mut known).await {
                        if out.send(Feed::Batch(Arc::new(event))).await.is_err() {
                            return;
                        }
                    }
                }
                tokio::time::sleep(if stages {
                    STATUS_POLL
                } else {
                    STATUS_POLL * 10
                })
                .await;
            }
            // In process the stages come as events: only watch for the pipeline to appear.
            _ => tokio::time::sleep(STATUS_POLL * 10).await,
        }
    }
}

/// The stages of batch `number` not reported yet, from its details.
async fn batch_events(rpc: &Rpc, number: u64, known: &mut BatchesSeen) -> Vec<BatchEvent> {
    let Ok(details) = rpc.call("zks_getL1BatchDetails", json!([number])).await else {
        return vec![];
    };
    if details.is_null() {
        return vec![];
    }
    let (blocks, reported) = match known.entry(number) {
        Entry::Occupied(entry) => entry.into_mut(),
        Entry::Vacant(entry) => {
            let Ok(range) = rpc.call("zks_getL1BatchBlockRange", json!([number])).await else {
                return vec![];
            };
            let (Some(first), Some(last)) = (hex_u64(&range[0]), hex_u64(&range[1])) else {
                return vec![];
            };
            entry.insert((first..=last, 0))
        }
    };
    let tx_count = hex_u64(&details["l1TxCount"]).unwrap_or_default()
        + hex_u64(&details["l2TxCount"]).unwrap_or_default();
    let sealed_at = hex_u64(&details["timestamp"]);
    let at = |field: &str| details[field].as_str().and_then(parse_rfc3339);
    let committed_at = at("committedAt");
    let proven_at = at("provenAt");
    let executed_at = at("executedAt");
    let took = |to: Option<u64>, from: Option<u64>| {
        Duration::from_secs(to.zip(from).map_or(0, |(to, from)| to.saturating_sub(from)))
    };
    let mut steps: Vec<(BatchStage, Option<B256>, Duration)> =
        vec![(BatchStage::Sealed, None, Duration::ZERO)];
    if let Some(prover) = details["prover"].as_str() {
        let stage = BatchStage::Proven {
            prover: prover.to_string(),
        };
        steps.push((stage, None, Duration::ZERO));
    }
    for (tx, stage, at, since) in [
        (
            "commitTxHash",
            BatchStage::Committed,
            committed_at,
            sealed_at,
        ),
        ("proveTxHash", BatchStage::Verified, proven_at, committed_at),
        (
            "executeTxHash",
            BatchStage::Executed,
            executed_at,
            proven_at,
        ),
    ] {
        let Some(hash) = b256(&details[tx]) else {
            break;
        };
        steps.push((stage, Some(hash), took(at, since)));
    }
    let new = steps.split_off((*reported).min(steps.len()));
    *reported += new.len();
    new.into_iter()
        .map(|(stage, l1_tx, took)| BatchEvent {
            number,
            blocks: blocks.clone(),
            tx_count,
            stage,
            l1_tx,
            took,
        })
        .collect()
}
