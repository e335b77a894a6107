//! TUI sources: where the dashboard's `Feed` comes from. In process, the node's event
//! broadcasts (`events`, after the recent blocks over JSON-RPC); attached to a running node,
//! JSON-RPC polling (`poll_blocks`, `poll_batches`: `poll.rs`); in both, a JSON-RPC poll of
//! the status, balances and rewinds (`poll_status`).
//! `NodeEvent | JSON-RPC -> Feed (bounded channel to the UI)`
//!
//! None of this can slow the node: a broadcast receiver that falls behind skips events (the
//! count goes to the header), a block carries only a sample of its txs, and polls are a few
//! small calls a second.

use std::{collections::BTreeMap, time::Duration};

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
    events::NodeEvent,
    output::revert_reason,
    storage::{StoredBlock, StoredTx},
};

mod poll;

use poll::fetch_block;
pub use poll::{poll_batches, poll_blocks};

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
