//! `eth_callMany` and `debug_traceCallMany` (Erigon's and reth's): bundles of calls on top of a
//! block, each call seeing the state the calls before it left, each bundle under its own block
//! overrides. One `register` line per method name.

use alloy_eips::BlockId;
use alloy_rpc_types_eth::{
    BlockOverrides, Bundle, EthCallResponse, StateContext, TransactionIndex, state::StateOverride,
};
use alloy_rpc_types_trace::geth::{GethDebugTracingCallOptions, GethTrace};
use jsonrpsee::RpcModule;

use super::{
    RpcContext,
    debug::{block_context, debug_inspector, geth_result},
    error::{RpcError, RpcResult, revert_message},
    eth::{apply_block_overrides, apply_state_overrides, call_env, call_state},
    macros::ok,
};
use crate::{
    executor::{BlockContext, CallError},
    storage::{StateSnapshot, state::BlockHashes},
    tx::ReadyTx,
};

type Module = RpcModule<RpcContext>;

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    // `[bundles, stateContext?, stateOverrides?]` -> per bundle, per call `{value}` or
    // `{error}`. A call that is not a valid tx fails the whole request, as in reth.
    blocking!(m, "eth_callMany", |p, c| {
        let mut seq = p.sequence();
        let bundles: Vec<Bundle> = seq.next()?;
        let context: Option<StateContext> = seq.optional_next()?;
        let overrides: Option<StateOverride> = seq.optional_next()?;
        let (mut state, block) = bundles_start(c, context, overrides.as_ref())?;
        let executor = c.executor();
        let mut out = Vec::with_capacity(bundles.len());
        for bundle in bundles {
            let (context, hashes) = bundle_block(c, &block, None, bundle.block_override)?;
            let mut results = Vec::with_capacity(bundle.transactions.len());
            for request in &bundle.transactions {
                let env = call_env(c, request, &state, c.rpc_config.gas_cap);
                let response =
                    match executor.call_in_place(&mut state, hashes.clone(), &context, env) {
                        Ok(output) => EthCallResponse {
                            value: Some(output.output),
                            error: None,
                        },
                        Err(CallError::Invalid(invalid)) => {
                            return Err(CallError::Invalid(invalid).into());
                        }
                        Err(CallError::Revert(data)) => EthCallResponse {
                            value: None,
                            error: Some(revert_message(&data)),
                        },
                        Err(CallError::Halt(reason)) => EthCallResponse {
                            value: None,
                            error: Some(reason),
                        },
                    };
                results.push(response);
            }
            out.push(results);
        }
        ok(out)
    });
    // `[bundles, stateContext?, tracingOptions?]` -> per bundle, per call its geth trace (the
    // options' state overrides apply first, their block overrides under each bundle's).
    blocking!(m, "debug_traceCallMany", |p, c| {
        let mut seq = p.sequence();
        let bundles: Vec<Bundle> = seq.next()?;
        let context: Option<StateContext> = seq.optional_next()?;
        let opts: Option<GethDebugTracingCallOptions> = seq.optional_next()?;
        let opts = opts.unwrap_or_default();
        let (mut state, block) = bundles_start(c, context, opts.state_overrides.as_ref())?;
        let executor = c.executor();
        let mut out: Vec<Vec<GethTrace>> = Vec::with_capacity(bundles.len());
        for bundle in bundles {
            let (context, hashes) = bundle_block(
                c,
                &block,
                opts.block_overrides.clone(),
                bundle.block_override,
            )?;
            let mut traces = Vec::with_capacity(bundle.transactions.len());
            for request in &bundle.transactions {
                let env = call_env(c, request, &state, c.rpc_config.gas_cap);
                let mut inspector = debug_inspector(opts.tracing_options.clone())?;
                let (trace, changes) = executor.trace_call(
                    state.clone(),
                    hashes.clone(),
                    &context,
                    env,
                    &mut inspector,
                    |inspector, t| {
                        let changes = t.result.state.clone();
                        (geth_result(inspector, t, None), changes)
                    },
                )?;
                state.apply(changes);
                traces.push(trace?);
            }
            out.push(traces);
        }
        ok(out)
    });
    Ok(())
}

/// The state the first call runs on and the block the calls run in. `transactionIndex` absent
/// or -1: after the whole block, in a block on top of it (as `eth_call`); `n`: after the
/// block's first `n` txs, in that block.
fn bundles_start(
    c: &RpcContext,
    context: Option<StateContext>,
    overrides: Option<&StateOverride>,
) -> RpcResult<(StateSnapshot, BlockContext)> {
    let context = context.unwrap_or_default();
    let id = context.block_number.unwrap_or(BlockId::latest());
    let index = match context.transaction_index.unwrap_or_default() {
        TransactionIndex::All => {
            let (state, parent) = call_state(c, Some(id), overrides)?;
            return Ok((state, c.call_block(&parent)));
        }
        TransactionIndex::Index(index) => index,
    };
    let block = c
        .block(id)
        .ok_or_else(|| RpcError::NotFound("header not found".into()))?;
    let number = block.header.number;
    let parent = number
        .checked_sub(1)
        .and_then(|parent| c.state.at(parent))
        .ok_or_else(|| RpcError::NotFound(c.state.not_kept(number.saturating_sub(1))))?;
    let txs: Vec<ReadyTx> = block.txs.iter().take(index).map(|t| t.tx.clone()).collect();
    let context = block_context(&block);
    let mut state = c
        .executor
        .state_within_block(parent, c.block_hashes(), &context, &txs)?;
    apply_state_overrides(&mut state, overrides);
    Ok((state, context))
}

/// The block a bundle's calls run in: `base` under `common` then the bundle's own overrides.
fn bundle_block(
    c: &RpcContext,
    base: &BlockContext,
    common: Option<BlockOverrides>,
    own: Option<BlockOverrides>,
) -> RpcResult<(BlockContext, BlockHashes)> {
    let mut context = base.clone();
    let mut hashes = c.block_hashes();
    for overrides in [common, own].into_iter().flatten() {
        apply_block_overrides(&mut context, &mut hashes, overrides)?;
    }
    Ok((context, hashes))
}
