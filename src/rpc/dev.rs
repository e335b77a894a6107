//! Dev namespaces, mining and node info: `evm_mine` / `anvil_mine` / `*_mine_detailed`,
//! mining mode, `txpool_*`, `anvil_nodeInfo` and `anvil_metadata`. Aliases sit next to their
//! method; the state and chain cheatcodes are in `anvil.rs`.

use std::{collections::BTreeMap, time::Duration};

use alloy_primitives::U64;
use jsonrpsee::{RpcModule, types::Params};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::{
    RpcContext,
    anvil::Num,
    error::{RpcError, RpcResult},
    eth::client_version,
    types::{block_json, inspect_line, tx_json},
};
use crate::{
    config::MiningMode,
    mempool::PoolContent,
    sequencer::{CommandError, SequencerCommand},
};

type Module = RpcModule<RpcContext>;

/// Most blocks one mining call may produce (each is a real block).
const MAX_MINE_BLOCKS: u64 = 100_000;

/// Sends a command to the sequencer and waits for its reply.
pub(super) async fn ask<T>(
    c: &RpcContext,
    make: impl FnOnce(oneshot::Sender<T>) -> SequencerCommand,
) -> RpcResult<T> {
    let (tx, rx) = oneshot::channel();
    c.sequencer
        .send(make(tx))
        .await
        .map_err(|_| RpcError::internal("node is shutting down"))?;
    rx.await
        .map_err(|_| RpcError::internal("node is shutting down"))
}

/// Sends a command that needs no reply.
pub(super) async fn tell(c: &RpcContext, command: SequencerCommand) -> RpcResult<()> {
    c.sequencer
        .send(command)
        .await
        .map_err(|_| RpcError::internal("node is shutting down"))
}

impl From<CommandError> for RpcError {
    fn from(err: CommandError) -> Self {
        RpcError::params(err)
    }
}

async fn mine(
    c: &RpcContext,
    blocks: u64,
    timestamp: Option<u64>,
    interval: Option<u64>,
) -> RpcResult<Vec<u64>> {
    if blocks > MAX_MINE_BLOCKS {
        return Err(RpcError::params(format!(
            "at most {MAX_MINE_BLOCKS} blocks at once"
        )));
    }
    Ok(ask(c, |reply| SequencerCommand::Mine {
        blocks,
        timestamp,
        interval,
        reply,
    })
    .await??)
}

/// `evm_mine` options (anvil's `MineOptions`): a timestamp, or `{timestamp, blocks}`.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum MineOptions {
    Options {
        timestamp: Option<Num>,
        blocks: Option<Num>,
    },
    Timestamp(Option<Num>),
}

/// Mines as `evm_mine` asks; returns the new block numbers.
async fn evm_mine(p: Params<'_>, c: &RpcContext) -> RpcResult<Vec<u64>> {
    let mut seq = p.sequence();
    let options: Option<MineOptions> = seq.optional_next()?;
    let (timestamp, blocks) = match options {
        None | Some(MineOptions::Timestamp(None)) => (None, 1),
        Some(MineOptions::Timestamp(Some(t))) => (Some(t.u64()), 1),
        Some(MineOptions::Options { timestamp, blocks }) => {
            (timestamp.map(Num::u64), blocks.map_or(1, Num::u64))
        }
    };
    mine(c, blocks, timestamp, None).await
}

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    m.register_async_method("evm_mine", |p, c, _| async move {
        evm_mine(p, &c).await?;
        RpcResult::Ok("0x0")
    })?;
    m.register_async_method("anvil_mine_detailed", |p, c, _| async move {
        let numbers = evm_mine(p, &c).await?;
        let blocks: Vec<Value> = numbers
            .into_iter()
            .filter_map(|n| c.chain.block(n))
            .map(|b| detailed_block(&b))
            .collect();
        RpcResult::Ok(blocks)
    })?;
    m.register_alias("evm_mine_detailed", "anvil_mine_detailed")?;
    m.register_async_method("anvil_mine", |p, c, _| async move {
        let mut seq = p.sequence();
        let blocks: Option<Num> = seq.optional_next()?;
        let interval: Option<Num> = seq.optional_next()?;
        mine(&c, blocks.map_or(1, Num::u64), None, interval.map(Num::u64)).await?;
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
        tell(&c, SequencerCommand::SetAutomine(on)).await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("evm_setAutomine", "anvil_setAutomine")?;
    m.register_async_method("anvil_setIntervalMining", |p, c, _| async move {
        let (secs,): (u64,) = p.parse()?;
        let mode = if secs == 0 {
            MiningMode::Manual
        } else {
            MiningMode::Interval(Duration::from_secs(secs))
        };
        tell(&c, SequencerCommand::SetMining(mode)).await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("evm_setIntervalMining", "anvil_setIntervalMining")?;
    m.register_async_method("anvil_getIntervalMining", |_, c, _| async move {
        let mode = ask(&c, SequencerCommand::GetMining).await?;
        RpcResult::Ok(match mode {
            MiningMode::Interval(period) | MiningMode::Mixed(period) => Some(period.as_secs()),
            MiningMode::Instant | MiningMode::Manual => None,
        })
    })?;

    m.register_method("txpool_status", |_, c, _| -> RpcResult<Value> {
        let (pending, queued) = c.mempool.counts();
        Ok(json!({ "pending": U64::from(pending), "queued": U64::from(queued) }))
    })?;
    m.register_method("txpool_content", |_, c, _| -> RpcResult<Value> {
        let base_fee = c.next_block().base_fee;
        Ok(pool_json(c.mempool.content(), |tx| {
            tx_json(tx, None, base_fee)
        }))
    })?;
    m.register_method("txpool_inspect", |_, c, _| -> RpcResult<Value> {
        Ok(pool_json(c.mempool.content(), |tx| json!(inspect_line(tx))))
    })?;

    m.register_method("anvil_nodeInfo", |_, c, _| -> RpcResult<Value> {
        let head = c.chain.latest();
        let next = c.next_block();
        Ok(json!({
            "currentBlockNumber": head.header.number,
            "currentBlockTimestamp": head.header.timestamp,
            "currentBlockHash": head.hash,
            "hardFork": "osaka",
            "transactionOrder": "fees",
            "environment": {
                "baseFee": next.base_fee,
                "chainId": next.chain_id,
                "gasLimit": next.gas_limit,
                "gasPrice": next.base_fee,
            },
            "forkConfig": c.chain.fork().map_or(json!({}), |fork| {
                let point = fork.point();
                json!({
                    "forkUrl": point.url,
                    "forkBlockNumber": point.block_number,
                    "forkRetryBackoff": null,
                })
            }),
        }))
    })?;
    m.register_async_method("anvil_metadata", |_, c, _| async move {
        let mut snapshots = ask(&c, SequencerCommand::ListSnapshots).await?;
        if let Some(devnet) = &c.devnet {
            snapshots = devnet.translate(&c.sequencer, snapshots);
        }
        let head = c.chain.latest();
        let snapshots: serde_json::Map<String, Value> = snapshots
            .into_iter()
            .map(|(id, (number, hash))| (format!("{id:#x}"), json!([number, hash])))
            .collect();
        RpcResult::Ok(json!({
            "clientVersion": client_version(),
            "chainId": c.next_block().chain_id,
            "instanceId": c.chain.genesis().hash,
            "latestBlockNumber": head.header.number,
            "latestBlockHash": head.hash,
            "forkedNetwork": c.chain.fork().map(|fork| {
                let point = fork.point();
                json!({
                    "chainId": point.chain_id,
                    "forkBlockNumber": point.block_number,
                    "forkBlockHash": point.block_hash,
                })
            }),
            "snapshots": snapshots,
        }))
    })?;
    m.register_alias("hardhat_metadata", "anvil_metadata")?;
    Ok(())
}

/// A mined block as `anvil_mine_detailed` returns it: full txs, each failed one with its
/// revert data as `output` and, when it decodes, its `revertReason`.
fn detailed_block(block: &crate::storage::StoredBlock) -> Value {
    let mut value = block_json(block, true);
    if let Some(txs) = value.get_mut("transactions").and_then(Value::as_array_mut) {
        for (json, tx) in txs.iter_mut().zip(&block.txs) {
            if let (Some(map), Some(data)) = (json.as_object_mut(), &tx.revert) {
                map.insert("output".into(), json!(data));
                let message = super::error::revert_message(data);
                if let Some(reason) = message.strip_prefix("execution reverted: ") {
                    map.insert("revertReason".into(), json!(reason));
                }
            }
        }
    }
    value
}

fn pool_json(content: PoolContent, f: impl Fn(&crate::tx::ReadyTx) -> Value) -> Value {
    let side = |txs: BTreeMap<_, BTreeMap<u64, _>>| -> Value {
        let map: serde_json::Map<String, Value> = txs
            .into_iter()
            .map(
                |(sender, by_nonce): (alloy_primitives::Address, BTreeMap<u64, _>)| {
                    let inner: serde_json::Map<String, Value> = by_nonce
                        .iter()
                        .map(|(n, tx)| (n.to_string(), f(tx)))
                        .collect();
                    (sender.to_string(), Value::Object(inner))
                },
            )
            .collect();
        Value::Object(map)
    };
    json!({ "pending": side(content.pending), "queued": side(content.queued) })
}
