//! `debug_trace*` (geth: callTracer, prestateTracer, the struct logger, ...) and `trace_*`
//! (Parity): a mined tx is re-executed on its parent block's state after the txs before it in
//! its block; a call on the state it names. One `register` line per method name.

use std::sync::Arc;

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{B256, map::HashSet};
use alloy_rpc_types_eth::{TransactionInfo, TransactionRequest};
use alloy_rpc_types_trace::{
    common::TraceResult,
    geth::{GethDebugTracingCallOptions, GethDebugTracingOptions, GethTrace},
    parity::{LocalizedTransactionTrace, TraceResults, TraceType},
};
use jsonrpsee::RpcModule;
use revm_inspectors::tracing::{
    DebugInspector, TracingInspector, TracingInspectorConfig, TransactionContext,
};
use serde_json::Value;

use super::{
    RpcContext,
    error::{RpcError, RpcResult},
    eth::{call_env, call_state},
};
use crate::{
    executor::{BlockContext, Inspected, SnapshotDb},
    storage::StoredBlock,
    tx::ReadyTx,
};

type Module = RpcModule<RpcContext>;

use super::macros::ok;

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    blocking!(m, "debug_traceTransaction", |p, c| {
        let mut seq = p.sequence();
        let hash: B256 = seq.next()?;
        let opts: Option<GethDebugTracingOptions> = seq.optional_next()?;
        ok(debug_trace_tx(c, hash, opts.unwrap_or_default())?)
    });
    blocking!(m, "debug_traceCall", |p, c| {
        let mut seq = p.sequence();
        let request: TransactionRequest = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        let opts: Option<GethDebugTracingCallOptions> = seq.optional_next()?;
        ok(debug_trace_call(
            c,
            request,
            block,
            opts.unwrap_or_default(),
        )?)
    });
    blocking!(m, "debug_traceBlockByNumber", |p, c| {
        let mut seq = p.sequence();
        let tag: BlockNumberOrTag = seq.next()?;
        let opts: Option<GethDebugTracingOptions> = seq.optional_next()?;
        let block = c.block(BlockId::Number(tag)).ok_or_else(block_not_found)?;
        ok(debug_trace_block(c, &block, opts.unwrap_or_default())?)
    });
    blocking!(m, "debug_traceBlockByHash", |p, c| {
        let mut seq = p.sequence();
        let hash: B256 = seq.next()?;
        let opts: Option<GethDebugTracingOptions> = seq.optional_next()?;
        let block = c.chain.block_by_hash(&hash).ok_or_else(block_not_found)?;
        ok(debug_trace_block(c, &block, opts.unwrap_or_default())?)
    });
    // The code with keccak256 hash `hash` in the state after the block (`null`: none there).
    method!(m, "debug_codeByHash", |p, c| {
        let mut seq = p.sequence();
        let hash: B256 = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        ok(c.state_at(block)?
            .code_by_hash(&hash)
            .map(|code| code.original_bytes())
            .filter(|code| !code.is_empty()))
    });
    blocking!(m, "trace_transaction", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        let Some(tx) = c.chain.tx(&hash) else {
            return ok(Value::Null);
        };
        let block = c.chain.block(tx.block_number).ok_or_else(block_not_found)?;
        let index = tx.index as usize;
        let traces = parity_traces(c, &block, index, index + 1)?;
        ok(traces.into_iter().flatten().collect::<Vec<_>>())
    });
    // Parity's replay of one mined tx: `trace`, `vmTrace` and `stateDiff` as asked (Otterscan's
    // State tab asks `["stateDiff"]`); `null` for an unknown tx.
    blocking!(m, "trace_replayTransaction", |p, c| {
        let (hash, types): (B256, HashSet<TraceType>) = p.parse()?;
        let Some(tx) = c.chain.tx(&hash) else {
            return ok(Value::Null);
        };
        let block = c.chain.block(tx.block_number).ok_or_else(block_not_found)?;
        ok(replay_transaction(c, &block, tx.index as usize, &types)?)
    });
    blocking!(m, "trace_block", |p, c| {
        let (id,): (BlockId,) = p.parse()?;
        let Some(block) = c.block(id) else {
            return ok(Value::Null);
        };
        let traces = parity_traces(c, &block, 0, block.txs.len())?;
        ok(traces.into_iter().flatten().collect::<Vec<_>>())
    });
    // reth's semantics: blocks `fromBlock` (0) ..= `toBlock` (latest), traces whose action
    // matches the addresses, then `after` skipped and `count` kept. The range is bounded like
    // `eth_getLogs`; each block is re-executed, so only blocks whose parent state is kept work.
    blocking!(m, "trace_filter", |p, c| {
        let (filter,): (alloy_rpc_types_trace::filter::TraceFilter,) = p.parse()?;
        let latest = c.chain.latest_number();
        let from = filter.from_block.unwrap_or(0);
        let to = filter.to_block.unwrap_or(latest).min(latest);
        if from > to {
            return ok(Vec::<Value>::new());
        }
        let max_range = c.rpc_config.max_logs_block_range;
        if to - from >= max_range {
            return Err(RpcError::params(format!(
                "query exceeds max block range {max_range}"
            )));
        }
        let matcher = filter.matcher();
        let mut out = Vec::new();
        for block in c.chain.blocks(from, to) {
            if block.txs.is_empty() {
                continue;
            }
            let traces = parity_traces(c, &block, 0, block.txs.len())?;
            out.extend(
                traces
                    .into_iter()
                    .flatten()
                    .filter(|t| matcher.matches(&t.trace)),
            );
        }
        let after = filter.after.unwrap_or(0) as usize;
        let count = filter.count.map_or(usize::MAX, |n| n as usize);
        ok(out.into_iter().skip(after).take(count).collect::<Vec<_>>())
    });
    Ok(())
}

pub(crate) fn block_not_found() -> RpcError {
    RpcError::NotFound("block not found".into())
}

/// The context `block` was executed in.
pub(crate) fn block_context(block: &StoredBlock) -> BlockContext {
    BlockContext::of_header(&block.header)
}

/// Re-executes `block.txs[..end]` on its parent's state, `each` getting `block.txs[first..end]`.
pub(crate) fn replay<I, T>(
    c: &RpcContext,
    block: &StoredBlock,
    first: usize,
    end: usize,
    inspector: &mut I,
    mut each: impl FnMut(&mut I, Inspected<'_>, &ReadyTx) -> RpcResult<T>,
) -> RpcResult<Vec<T>>
where
    I: revm::Inspector<revm::handler::MainnetContext<crate::storage::state::StateDb>>,
{
    if first >= end {
        return Ok(vec![]);
    }
    let number = block.header.number;
    let state = number
        .checked_sub(1)
        .and_then(|parent| c.state.at(parent))
        .ok_or_else(|| RpcError::NotFound(c.state.not_kept(number.saturating_sub(1))))?;
    let txs: Vec<ReadyTx> = block.txs[..end].iter().map(|t| t.tx.clone()).collect();
    let results = c.executor.trace_block(
        state,
        c.block_hashes(),
        &block_context(block),
        &txs,
        first,
        inspector,
        |inspector, inspected| {
            let tx = &txs[inspected.index];
            each(inspector, inspected, tx)
        },
    )?;
    results.into_iter().collect()
}

/// The geth trace of one inspected tx; resets the inspector for the next.
pub(crate) fn geth_result(
    inspector: &mut DebugInspector,
    inspected: Inspected<'_>,
    context: Option<TransactionContext>,
) -> RpcResult<GethTrace> {
    let mut db = SnapshotDb(inspected.pre.clone());
    let trace = inspector
        .get_result(
            context,
            inspected.env,
            inspected.block,
            inspected.result,
            &mut db,
        )
        .map_err(RpcError::internal)?;
    inspector.fuse().map_err(RpcError::internal)?;
    Ok(trace)
}

fn tx_context(block: &StoredBlock, index: usize, hash: B256) -> TransactionContext {
    TransactionContext::default()
        .with_block_hash(block.hash)
        .with_tx_index(index)
        .with_tx_hash(hash)
}

pub(crate) fn debug_inspector(opts: GethDebugTracingOptions) -> RpcResult<DebugInspector> {
    DebugInspector::new(opts).map_err(RpcError::params)
}

fn debug_trace_tx(
    c: &RpcContext,
    hash: B256,
    opts: GethDebugTracingOptions,
) -> RpcResult<GethTrace> {
    let tx = c
        .chain
        .tx(&hash)
        .ok_or_else(|| RpcError::NotFound(format!("transaction {hash} not found")))?;
    let block = c.chain.block(tx.block_number).ok_or_else(block_not_found)?;
    let index = tx.index as usize;
    let mut inspector = debug_inspector(opts)?;
    let mut traces = replay(
        c,
        &block,
        index,
        index + 1,
        &mut inspector,
        |inspector, t, tx| {
            let context = tx_context(&block, t.index, tx.hash);
            geth_result(inspector, t, Some(context))
        },
    )?;
    traces
        .pop()
        .ok_or_else(|| RpcError::internal("tx was not replayed"))
}

fn debug_trace_block(
    c: &RpcContext,
    block: &Arc<StoredBlock>,
    opts: GethDebugTracingOptions,
) -> RpcResult<Vec<TraceResult<GethTrace, String>>> {
    let mut inspector = debug_inspector(opts)?;
    replay(
        c,
        block,
        0,
        block.txs.len(),
        &mut inspector,
        |inspector, t, tx| {
            let context = tx_context(block, t.index, tx.hash);
            let result = geth_result(inspector, t, Some(context))?;
            Ok(TraceResult::Success {
                result,
                tx_hash: Some(tx.hash),
            })
        },
    )
}

fn debug_trace_call(
    c: &RpcContext,
    request: TransactionRequest,
    block: Option<BlockId>,
    opts: GethDebugTracingCallOptions,
) -> RpcResult<GethTrace> {
    let (state, parent) = call_state(c, block, opts.state_overrides.as_ref())?;
    let env = call_env(c, &request, &state, c.rpc_config.gas_cap);
    let mut inspector = debug_inspector(opts.tracing_options)?;
    c.executor.trace_call(
        state,
        c.block_hashes(),
        &c.call_block(&parent),
        env,
        &mut inspector,
        |inspector, t| geth_result(inspector, t, None),
    )?
}

/// `trace_replayTransaction` of `block.txs[index]`: the state diff is read against the state
/// just before the tx.
fn replay_transaction(
    c: &RpcContext,
    block: &StoredBlock,
    index: usize,
    types: &HashSet<TraceType>,
) -> RpcResult<TraceResults> {
    let config = TracingInspectorConfig::from_parity_config(types);
    let mut inspector = TracingInspector::new(config);
    let mut results = replay(
        c,
        block,
        index,
        index + 1,
        &mut inspector,
        |inspector, t, _| {
            let traced = std::mem::replace(inspector, TracingInspector::new(config));
            let Ok(results) = traced
                .with_transaction_gas_used(t.result.result.tx_gas_used())
                .into_parity_builder()
                .into_trace_results_with_state(t.result, types, SnapshotDb(t.pre.clone()));
            Ok(results)
        },
    )?;
    results
        .pop()
        .ok_or_else(|| RpcError::internal("tx was not replayed"))
}

/// Parity traces of `block.txs[first..end]`, one list per tx.
pub(crate) fn parity_traces(
    c: &RpcContext,
    block: &StoredBlock,
    first: usize,
    end: usize,
) -> RpcResult<Vec<Vec<LocalizedTransactionTrace>>> {
    let config = TracingInspectorConfig::default_parity();
    let mut inspector = TracingInspector::new(config);
    replay(c, block, first, end, &mut inspector, |inspector, t, tx| {
        let info = TransactionInfo {
            hash: Some(tx.hash),
            index: Some(t.index as u64),
            block_hash: Some(block.hash),
            block_number: Some(block.header.number),
            base_fee: block.header.base_fee_per_gas,
            ..Default::default()
        };
        let traced = std::mem::replace(inspector, TracingInspector::new(config));
        Ok(traced
            .with_transaction_gas_used(t.result.result.tx_gas_used())
            .into_parity_builder()
            .into_localized_transaction_traces(info))
    })
}
