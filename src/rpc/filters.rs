//! Polling filters (`eth_newFilter` ...) and WebSocket subscriptions (`eth_subscribe`).
//! Both read node events and the chain; neither reaches into the sequencer.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_primitives::{B256, U128};
use alloy_rpc_types_eth::Filter;
use jsonrpsee::{PendingSubscriptionSink, RpcModule, SubscriptionMessage};
use parking_lot::Mutex;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::{
    RpcContext,
    error::{RpcError, RpcResult},
    eth::logs,
    types::{block_json, log_json, tx_json, tx_logs},
};
use crate::events::NodeEvent;

/// Filters unused this long are removed.
pub const FILTER_TIMEOUT: Duration = Duration::from_secs(300);
/// Most pending-tx hashes a filter buffers between polls.
const MAX_PENDING_BUFFER: usize = 10_000;

enum FilterKind {
    Logs(Box<Filter>),
    Blocks,
    PendingTxs(Vec<B256>),
}

struct FilterEntry {
    kind: FilterKind,
    /// Last block whose changes were returned.
    last_block: u64,
    last_poll: Instant,
}

/// All installed polling filters. A std-style mutex: short sections, no `.await` inside.
#[derive(Default)]
pub struct Filters {
    inner: Mutex<FiltersInner>,
}

#[derive(Default)]
struct FiltersInner {
    next_id: u128,
    filters: HashMap<u128, FilterEntry>,
}

impl Filters {
    fn install(&self, kind: FilterKind, last_block: u64, max_filters: usize) -> RpcResult<U128> {
        let mut inner = self.inner.lock();
        inner
            .filters
            .retain(|_, f| f.last_poll.elapsed() < FILTER_TIMEOUT);
        if inner.filters.len() >= max_filters {
            return Err(RpcError::LimitExceeded(format!(
                "too many filters ({max_filters}): uninstall some with eth_uninstallFilter \
                 (unused ones expire after {} s)",
                FILTER_TIMEOUT.as_secs()
            )));
        }
        inner.next_id += 1;
        let id = inner.next_id;
        inner.filters.insert(
            id,
            FilterEntry {
                kind,
                last_block,
                last_poll: Instant::now(),
            },
        );
        Ok(U128::from(id))
    }

    /// Records a new pending tx in every pending-tx filter.
    pub fn on_event(&self, event: &NodeEvent) {
        if let NodeEvent::TxPending(hash) = event {
            let mut inner = self.inner.lock();
            for filter in inner.filters.values_mut() {
                if let FilterKind::PendingTxs(buffer) = &mut filter.kind
                    && buffer.len() < MAX_PENDING_BUFFER
                {
                    buffer.push(*hash);
                }
            }
        }
    }
}

fn not_found() -> RpcError {
    RpcError::NotFound("filter not found".into())
}

/// Registers filter and subscription methods.
pub fn register(m: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    m.register_method("eth_newFilter", |p, c, _| -> RpcResult<U128> {
        let (filter,): (Filter,) = p.parse()?;
        let from = filter
            .block_option
            .get_from_block()
            .and_then(|t| c.resolve_number(*t));
        let last = from.map_or(c.chain.latest_number(), |f| f.saturating_sub(1));
        c.filters.install(
            FilterKind::Logs(Box::new(filter)),
            last,
            c.rpc_config.max_filters,
        )
    })?;
    m.register_method("eth_newBlockFilter", |_, c, _| -> RpcResult<U128> {
        c.filters.install(
            FilterKind::Blocks,
            c.chain.latest_number(),
            c.rpc_config.max_filters,
        )
    })?;
    m.register_method(
        "eth_newPendingTransactionFilter",
        |_, c, _| -> RpcResult<U128> {
            c.filters.install(
                FilterKind::PendingTxs(vec![]),
                c.chain.latest_number(),
                c.rpc_config.max_filters,
            )
        },
    )?;
    m.register_method("eth_uninstallFilter", |p, c, _| -> RpcResult<bool> {
        let (id,): (U128,) = p.parse()?;
        Ok(c.filters
            .inner
            .lock()
            .filters
            .remove(&id.to::<u128>())
            .is_some())
    })?;
    m.register_method("eth_getFilterChanges", |p, c, _| -> RpcResult<Value> {
        let (id,): (U128,) = p.parse()?;
        let latest = c.chain.latest_number();
        let mut inner = c.filters.inner.lock();
        let entry = inner
            .filters
            .get_mut(&id.to::<u128>())
            .ok_or_else(not_found)?;
        entry.last_poll = Instant::now();
        let since = entry.last_block;
        entry.last_block = latest;
        match &mut entry.kind {
            FilterKind::PendingTxs(buffer) => Ok(json!(std::mem::take(buffer))),
            FilterKind::Blocks => {
                drop(inner);
                let hashes: Vec<B256> = c
                    .chain
                    .blocks(since + 1, latest)
                    .iter()
                    .map(|b| b.hash)
                    .collect();
                Ok(json!(hashes))
            }
            FilterKind::Logs(filter) => {
                let filter = (**filter).clone();
                drop(inner);
                if since >= latest {
                    return Ok(json!([]));
                }
                Ok(json!(logs(c, &filter, Some(since))?))
            }
        }
    })?;
    m.register_method("eth_getFilterLogs", |p, c, _| -> RpcResult<Value> {
        let (id,): (U128,) = p.parse()?;
        let filter = {
            let mut inner = c.filters.inner.lock();
            let entry = inner
                .filters
                .get_mut(&id.to::<u128>())
                .ok_or_else(not_found)?;
            entry.last_poll = Instant::now();
            match &entry.kind {
                FilterKind::Logs(filter) => (**filter).clone(),
                _ => return Err(not_found()),
            }
        };
        Ok(json!(logs(c, &filter, None)?))
    })?;

    m.register_subscription(
        "eth_subscribe",
        "eth_subscription",
        "eth_unsubscribe",
        |p, pending, c, _| async move {
            let mut seq = p.sequence();
            let kind: String = match seq.next() {
                Ok(kind) => kind,
                Err(e) => {
                    pending.reject(e).await;
                    return Ok(());
                }
            };
            match kind.as_str() {
                "newHeads" => {
                    subscribe(pending, c.clone(), |_, event| match event {
                        NodeEvent::BlockSealed(block) => {
                            let mut head = block_json(block, false);
                            if let Value::Object(map) = &mut head {
                                map.remove("transactions");
                                map.remove("uncles");
                                map.remove("withdrawals");
                            }
                            vec![head]
                        }
                        _ => vec![],
                    })
                    .await
                }
                "logs" => {
                    let filter: Filter = seq.optional_next().ok().flatten().unwrap_or_default();
                    subscribe(pending, c.clone(), move |_, event| match event {
                        NodeEvent::BlockSealed(block)
                            if filter.matches_bloom(block.header.logs_bloom) =>
                        {
                            block
                                .txs
                                .iter()
                                .flat_map(|tx| {
                                    tx_logs(tx)
                                        .into_iter()
                                        .enumerate()
                                        .filter(|(_, log)| filter.matches(&log.inner))
                                        .map(|(i, log)| log_json(&log, i as u64))
                                        .collect::<Vec<_>>()
                                })
                                .collect()
                        }
                        _ => vec![],
                    })
                    .await
                }
                "newPendingTransactions" => {
                    let full: bool = seq.optional_next().ok().flatten().unwrap_or(false);
                    subscribe(pending, c.clone(), move |c, event| match event {
                        NodeEvent::TxPending(hash) if full => c
                            .mempool
                            .get(hash)
                            .map(|tx| vec![tx_json(&tx, None, c.chain_config.base_fee)])
                            .unwrap_or_default(),
                        NodeEvent::TxPending(hash) => vec![json!(hash)],
                        _ => vec![],
                    })
                    .await
                }
                other => {
                    let err = RpcError::params(format!("unknown subscription kind {other}"));
                    pending
                        .reject(jsonrpsee::types::ErrorObjectOwned::from(err))
                        .await;
                }
            }
            Ok(())
        },
    )?;
    Ok(())
}

/// Accepts the subscription and forwards what `map` makes of each event until the
/// client goes away or the node stops.
async fn subscribe(
    pending: PendingSubscriptionSink,
    c: Arc<RpcContext>,
    map: impl Fn(&RpcContext, &NodeEvent) -> Vec<Value> + Send + 'static,
) {
    let mut events = c.events.subscribe();
    let Ok(sink) = pending.accept().await else {
        return;
    };
    loop {
        tokio::select! {
            _ = sink.closed() => return,
            event = events.recv() => match event {
                Ok(event) => {
                    for item in map(&c, &event) {
                        let Ok(raw) = serde_json::value::to_raw_value(&item) else { continue };
                        if sink.send(SubscriptionMessage::from(raw)).await.is_err() {
                            return;
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            }
        }
    }
}

/// Subscription ids as geth, reth and anvil give them: 0x-prefixed hex strings (viem only
/// tracks subscriptions whose id is a string).
#[derive(Debug, Default)]
pub struct HexIdProvider {
    counter: std::sync::atomic::AtomicU64,
}

impl jsonrpsee::core::traits::IdProvider for HexIdProvider {
    fn next_id(&self) -> jsonrpsee::types::SubscriptionId<'static> {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        // Unguessable enough for a devnet, unique per server: hash of (counter, time).
        let seed = [n.to_be_bytes().as_slice(), nanos.to_be_bytes().as_slice()].concat();
        let hash = alloy_primitives::keccak256(seed);
        jsonrpsee::types::SubscriptionId::Str(
            alloy_primitives::hex::encode_prefixed(&hash[..16]).into(),
        )
    }
}
