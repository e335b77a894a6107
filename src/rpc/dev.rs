//! Dev namespaces: `evm_mine` / `anvil_mine` and friends, mining mode, `txpool_*`,
//! `anvil_nodeInfo` and `hardhat_metadata`. Aliases sit next to their method.

use std::{collections::BTreeMap, time::Duration};

use alloy_primitives::{U64, U256};
use jsonrpsee::RpcModule;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::{
    RpcContext,
    error::{RpcError, RpcResult},
    eth::client_version,
    types::{inspect_line, tx_json},
};
use crate::{config::MiningMode, mempool::PoolContent, sequencer::SequencerCommand};

type Module = RpcModule<RpcContext>;

async fn ask<T>(c: &RpcContext, make: impl FnOnce(oneshot::Sender<T>) -> SequencerCommand) -> RpcResult<T> {
    let (tx, rx) = oneshot::channel();
    c.sequencer.send(make(tx)).await.map_err(|_| RpcError::internal("node is shutting down"))?;
    rx.await.map_err(|_| RpcError::internal("node is shutting down"))
}

async fn mine(c: &RpcContext, blocks: u64, timestamp: Option<u64>, interval: u64) -> RpcResult<Vec<u64>> {
    ask(c, |reply| SequencerCommand::Mine { blocks, timestamp, interval, reply }).await
}

async fn set_mining(c: &RpcContext, mode: MiningMode) -> RpcResult<()> {
    c.sequencer
        .send(SequencerCommand::SetMining(mode))
        .await
        .map_err(|_| RpcError::internal("node is shutting down"))
}

/// `evm_mine` params: nothing, a timestamp, or `{timestamp, blocks}`.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum EvmMineParams {
    Timestamp(U64),
    Options {
        timestamp: Option<U64>,
        blocks: Option<U64>,
    },
}

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    m.register_async_method("evm_mine", |p, c, _| async move {
        let mut seq = p.sequence();
        let params: Option<EvmMineParams> = seq.optional_next()?;
        let (timestamp, blocks) = match params {
            None => (None, 1),
            Some(EvmMineParams::Timestamp(t)) => (Some(t.to::<u64>()), 1),
            Some(EvmMineParams::Options { timestamp, blocks }) => {
                (timestamp.map(|t| t.to::<u64>()), blocks.map_or(1, |b| b.to::<u64>()))
            }
        };
        mine(&c, blocks.max(1), timestamp, 1).await?;
        RpcResult::Ok("0x0")
    })?;
    m.register_async_method("anvil_mine", |p, c, _| async move {
        let mut seq = p.sequence();
        let blocks: Option<U256> = seq.optional_next()?;
        let interval: Option<U256> = seq.optional_next()?;
        let blocks = blocks.map_or(1, |b| b.saturating_to::<u64>()).max(1);
        if blocks > 100_000 {
            return Err(RpcError::params("at most 100000 blocks at once"));
        }
        let interval = interval.map_or(1, |i| i.saturating_to::<u64>());
        let timestamp = interval_start(&c, interval);
        mine(&c, blocks, timestamp, interval).await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("hardhat_mine", "anvil_mine")?;
    m.register_async_method("anvil_getAutomine", |_, c, _| async move {
        let mode = ask(&c, SequencerCommand::GetMining).await?;
        RpcResult::Ok(matches!(mode, MiningMode::Instant | MiningMode::Mixed(_)))
    })?;
    m.register_alias("hardhat_getAutomine", "anvil_getAutomine")?;
    m.register_async_method("anvil_setAutomine", |p, c, _| async move {
        let (on,): (bool,) = p.parse()?;
        set_mining(&c, if on { MiningMode::Instant } else { MiningMode::Manual }).await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("evm_setAutomine", "anvil_setAutomine")?;
    m.register_async_method("anvil_setIntervalMining", |p, c, _| async move {
        let (secs,): (u64,) = p.parse()?;
        let mode = if secs == 0 { MiningMode::Manual } else { MiningMode::Interval(Duration::from_secs(secs)) };
        set_mining(&c, mode).await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("evm_setIntervalMining", "anvil_setIntervalMining")?;

    m.register_method("txpool_status", |_, c, _| -> RpcResult<Value> {
        let (pending, queued) = c.mempool.counts();
        Ok(json!({ "pending": U64::from(pending), "queued": U64::from(queued) }))
    })?;
    m.register_method("txpool_content", |_, c, _| -> RpcResult<Value> {
        let base_fee = c.chain_config.base_fee;
        Ok(pool_json(c.mempool.content(), |tx| tx_json(tx, None, base_fee)))
    })?;
    m.register_method("txpool_inspect", |_, c, _| -> RpcResult<Value> {
        Ok(pool_json(c.mempool.content(), |tx| json!(inspect_line(tx))))
    })?;

    m.register_method("anvil_nodeInfo", |_, c, _| -> RpcResult<Value> {
        let head = c.chain.latest();
        Ok(json!({
            "currentBlockNumber": head.header.number,
            "currentBlockTimestamp": head.header.timestamp,
            "currentBlockHash": head.hash,
            "hardFork": "osaka",
            "transactionOrder": "fees",
            "environment": {
                "baseFee": c.chain_config.base_fee,
                "chainId": c.chain_config.chain_id,
                "gasLimit": c.chain_config.gas_limit,
                "gasPrice": c.chain_config.base_fee,
            },
            "forkConfig": {},
        }))
    })?;
    m.register_method("anvil_metadata", |_, c, _| -> RpcResult<Value> {
        let head = c.chain.latest();
        Ok(json!({
            "clientVersion": client_version(),
            "chainId": c.chain_config.chain_id,
            "instanceId": c.chain.block_hash(0),
            "latestBlockNumber": head.header.number,
            "latestBlockHash": head.hash,
            "snapshots": {},
        }))
    })?;
    m.register_alias("hardhat_metadata", "anvil_metadata")?;
    Ok(())
}

/// First timestamp for `anvil_mine(n, interval)`: the next block after the head, so the
/// blocks are `interval` seconds apart.
fn interval_start(c: &RpcContext, interval: u64) -> Option<u64> {
    if interval == 1 {
        return None;
    }
    let head = c.chain.latest().header.timestamp;
    Some(crate::sequencer::now().max(head))
}

fn pool_json(content: PoolContent, f: impl Fn(&crate::executor::ReadyTx) -> Value) -> Value {
    let side = |txs: BTreeMap<_, BTreeMap<u64, _>>| -> Value {
        let map: serde_json::Map<String, Value> = txs
            .into_iter()
            .map(|(sender, by_nonce): (alloy_primitives::Address, BTreeMap<u64, _>)| {
                let inner: serde_json::Map<String, Value> =
                    by_nonce.iter().map(|(n, tx)| (n.to_string(), f(tx))).collect();
                (sender.to_string(), Value::Object(inner))
            })
            .collect();
        Value::Object(map)
    };
    json!({ "pending": side(content.pending), "queued": side(content.queued) })
}
