//! TUI sources: where the dashboard's `Feed` comes from. In process, the node's event
//! broadcasts (`events`, after the recent blocks over JSON-RPC); attached to a running node,
//! JSON-RPC polling (`poll_blocks`, `poll_batches`); in both, a JSON-RPC poll of the status,
//! balances and rewinds (`poll_status`).
//! `NodeEvent | JSON-RPC -> Feed (bounded channel to the UI)`
//!
//! None of this can slow the node: a broadcast receiver that falls behind skips events (the
//! count goes to the header), a block carries only a sample of its txs, and polls are a few
//! small calls a second.

use std::{
    collections::{BTreeMap, btree_map::Entry},
    ops::RangeInclusive,
    sync::Arc,
    time::Duration,
};

use alloy_consensus::Transaction as _;
use alloy_primitives::{Address, B256, U256};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::{
    control::{CallError, Rpc, hex_u64},
    feed::{
        Balance, BlockInfo, ChainKind, Feed, MAX_TXS_PER_BLOCK, MiningState, Status, TxInfo,
        TxStatus,
    },
};
use crate::{
    events::{BatchEvent, BatchStage, NodeEvent},
    output::revert_reason,
    storage::{StoredBlock, StoredTx},
};

/// How often the attach mode asks for new blocks.
const BLOCK_POLL: Duration = Duration::from_millis(250);
/// How often status (mining, mempool, L1 head) is polled.
const STATUS_POLL: Duration = Duration::from_secs(1);
/// Balances are polled every this many status polls.
const BALANCE_EVERY: u32 = 3;
/// Blocks shown when the dashboard attaches, and most blocks fetched per poll.
const CATCH_UP: u64 = 32;
/// Blocks whose receipts are fetched (larger ones show txs with unknown status).
const MAX_RECEIPTS: usize = 256;
/// Batches looked at per poll in attach mode.
const BATCH_WINDOW: u64 = 16;

/// Feeds the UI from one chain's event broadcast until the UI or the node goes away.
///
/// The chain's recent blocks come first, over `rpc`, so a resumed chain shows its head at once;
/// `events` was subscribed before, so nothing sealed meanwhile is missed, and a block both
/// fetched and broadcast is passed on once.
///
/// A busy runtime makes the receiver fall behind the broadcast (every pending tx is an event):
/// blocks it skipped are then fetched over `rpc`, without their txs, so the blocks pane, the tx
/// count and tx/s stay whole.
pub async fn events(
    mut events: broadcast::Receiver<NodeEvent>,
    chain: ChainKind,
    rpc: Rpc,
    out: mpsc::Sender<Feed>,
) {
    let Some(mut fetched) = catch_up(&rpc, chain, &out).await else {
        return;
    };
    let mut last_block = fetched.keys().next_back().copied();
    loop {
        let feed = match events.recv().await {
            Ok(NodeEvent::BlockSealed(block)) => {
                let number = block.header.number;
                if !fetched.is_empty() {
                    if fetched.get(&number) == Some(&block.hash) {
                        continue;
                    }
                    fetched.clear();
                }
                if let Some(last) = last_block
                    && number > last + 1
                {
                    for missed in (last + 1).max(number.saturating_sub(CATCH_UP))..number {
                        let Ok(Some(block)) = fetch_block(&rpc, missed, false).await else {
                            break;
                        };
                        if out.send(Feed::Block(chain, Box::new(block))).await.is_err() {
                            return;
                        }
                    }
                }
                last_block = Some(number);
                Feed::Block(chain, Box::new(block_info(&block, chain)))
            }
            Ok(NodeEvent::TxPending(_)) => continue,
            Ok(NodeEvent::L1TxQueued { priority_id, hash }) => {
                Feed::L1TxQueued { priority_id, hash }
            }
            Ok(NodeEvent::Batch(event)) => Feed::Batch(event),
            Err(broadcast::error::RecvError::Lagged(skipped)) => Feed::Lagged { chain, skipped },
            Err(broadcast::error::RecvError::Closed) => return,
        };
        // Waiting here is fine: the broadcast buffers meanwhile, then counts what it drops.
        if out.send(feed).await.is_err() {
            return;
        }
    }
}

/// Sends the chain's last `CATCH_UP` blocks; returns their hashes by number (`None`: the UI is
/// gone). A node that does not answer gets no catch-up: its blocks come as events.
async fn catch_up(
    rpc: &Rpc,
    chain: ChainKind,
    out: &mpsc::Sender<Feed>,
) -> Option<BTreeMap<u64, B256>> {
    let mut fetched = BTreeMap::new();
    let Ok(head) = rpc.call_u64("eth_blockNumber", json!([])).await else {
        return Some(fetched);
    };
    for number in head.saturating_sub(CATCH_UP - 1).max(1)..=head {
        let Ok(Some(block)) = fetch_block(rpc, number, chain == ChainKind::L2).await else {
            break;
        };
        fetched.insert(number, block.hash);
        out.send(Feed::Block(chain, Box::new(block))).await.ok()?;
    }
    Some(fetched)
}

/// A sealed block as the dashboard shows it: every L1 tx, the first other txs.
pub fn block_info(block: &StoredBlock, chain: ChainKind) -> BlockInfo {
    let txs = match chain {
        ChainKind::L2 => block
            .txs
            .iter()
            .enumerate()
            .filter(|(i, tx)| *i < MAX_TXS_PER_BLOCK || tx.tx.envelope.as_l1().is_some())
            .map(|(_, tx)| tx_info(tx))
            .collect(),
        // The L1 pane shows blocks only.
        ChainKind::L1 => vec![],
    };
    BlockInfo {
        number: block.header.number,
        hash: block.hash,
        timestamp: block.header.timestamp,
        tx_count: block.txs.len() as u64,
        gas_used: block.header.gas_used,
        gas_limit: block.header.gas_limit,
        txs,
    }
}

fn tx_info(tx: &StoredTx) -> TxInfo {
    let envelope = &tx.tx.envelope;
    let l1 = envelope.as_l1();
    TxInfo {
        hash: tx.tx.hash,
        from: tx.tx.sender,
        to: envelope.to(),
        value: envelope.value(),
        nonce: l1.map_or_else(|| envelope.nonce(), |l1| l1.priority_id()),
        gas_used: Some(tx.gas_used),
        status: if tx.receipt.status() {
            TxStatus::Success
        } else {
            TxStatus::Failed {
                reason: tx.revert.as_ref().map(revert_reason),
            }
        },
        block: tx.block_number,
        created: tx.contract_address,
        priority: l1.is_some(),
        sends_to_l1: !tx.l2_to_l1_logs.is_empty(),
        console: tx.console.clone(),
    }
}

/// Polls mining mode, mempool, chain ids, the L1 head and the dev accounts' balances, and
/// watches the L2 head go back: a revert or reset from anywhere (`zkos-dev reset`, a script's
/// `evm_revert`) reaches the dashboard even when no block follows it.
pub async fn poll_status(l2: Rpc, l1: Option<Rpc>, out: mpsc::Sender<Feed>) {
    let mut accounts: Vec<Address> = vec![];
    let mut status = Status::default();
    let mut round = 0u32;
    let mut head: Option<(u64, B256)> = None;
    loop {
        if let Ok(latest) = l2
            .call("eth_getBlockByNumber", json!(["latest", false]))
            .await
            && let (Some(to), Some(hash)) = (hex_u64(&latest["number"]), b256(&latest["hash"]))
        {
            if let Some((from, from_hash)) = head
                && to < from
            {
                let rewound = Feed::Rewound {
                    from,
                    from_hash,
                    to,
                };
                if out.send(rewound).await.is_err() {
                    return;
                }
            }
            head = Some((to, hash));
        }
        match l2_status(&l2, &mut status).await {
            Ok(()) => {
                let _ = out
                    .send(Feed::Connection {
                        chain: ChainKind::L2,
                        error: None,
                    })
                    .await;
            }
            Err(err) => {
                let error = Some(err.to_string());
                let chain = ChainKind::L2;
                if out.send(Feed::Connection { chain, error }).await.is_err() {
                    return;
                }
            }
        }
        if let Some(l1) = &l1 {
            let head = l1.call_u64("eth_blockNumber", json!([])).await;
            if status.l1_chain_id.is_none() {
                status.l1_chain_id = l1.call_u64("eth_chainId", json!([])).await.ok();
            }
            let error = head.as_ref().err().map(|e| e.to_string());
            status.l1_head = head.ok();
            let _ = out
                .send(Feed::Connection {
                    chain: ChainKind::L1,
                    error,
                })
                .await;
        }
        if out.send(Feed::Status(status.clone())).await.is_err() {
            return;
        }
        if accounts.is_empty()
            && let Ok(Value::Array(list)) = l2.call("eth_accounts", json!([])).await
        {
            accounts = list.iter().filter_map(address).collect();
        }
        if round.is_multiple_of(BALANCE_EVERY) && !accounts.is_empty() {
            let mut balances = Vec::with_capacity(accounts.len());
            for &address in &accounts {
                let l1 = match &l1 {
                    Some(l1) => balance(l1, address).await,
                    None => None,
                };
                balances.push(Balance {
                    address,
                    l2: balance(&l2, address).await,
                    l1,
                });
            }
            if out.send(Feed::Balances(balances)).await.is_err() {
                return;
            }
        }
        round = round.wrapping_add(1);
        tokio::time::sleep(STATUS_POLL).await;
    }
}

async fn l2_status(l2: &Rpc, status: &mut Status) -> Result<(), CallError> {
    if status.l2_chain_id.is_none() {
        status.l2_chain_id = Some(l2.call_u64("eth_chainId", json!([])).await?);
    }
    let automine = l2.call("anvil_getAutomine", json!([])).await?;
    let interval = l2.call("anvil_getIntervalMining", json!([])).await?;
    status.mining = Some(MiningState::from_rpc(
        automine == Value::Bool(true),
        hex_u64(&interval),
    ));
    let pool = l2.call("txpool_status", json!([])).await?;
    status.pending = hex_u64(&pool["pending"]).unwrap_or_default();
    status.queued = hex_u64(&pool["queued"]).unwrap_or_default();
    // A fork (which `anvil_reset` may start or end) is in anvil's node info.
    let info = l2.call("anvil_nodeInfo", json!([])).await?;
    let fork = &info["forkConfig"];
    status.fork = fork["forkUrl"]
        .as_str()
        .zip(fork["forkBlockNumber"].as_u64())
        .map(|(url, block)| (url.to_string(), block));
    Ok(())
}

async fn balance(rpc: &Rpc, address: Address) -> Option<U256> {
    let value = rpc
        .call("eth_getBalance", json!([address, "latest"]))
        .await
        .ok()?;
    u256(&value)
}

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
async fn fetch_block(
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

/// `2026-11-22T06:45:28Z` (fractions ignored) as unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<u64> {
    let (date, time) = text.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>());
    let (year, month, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let time = time.trim_end_matches('Z');
    let time = time.split('.').next()?;
    let mut t = time.split(':').map(|p| p.parse::<i64>());
    let (h, m, s) = (t.next()?.ok()?, t.next()?.ok()?, t.next()?.ok()?);
    // Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3_600 + m * 60 + s).ok()
}

fn address(value: &Value) -> Option<Address> {
    value.as_str()?.parse().ok()
}

fn b256(value: &Value) -> Option<B256> {
    value.as_str()?.parse().ok()
}

fn u256(value: &Value) -> Option<U256> {
    value.as_str()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates_parse() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(
            parse_rfc3339("2024-02-29T12:00:00.250Z"),
            Some(1_709_208_000)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
