//! `ots_*`: Otterscan's API level 8, the methods the Otterscan block explorer reads a chain
//! with, in reth's shapes (Erigon's where reth has none). Address pages, txs by sender and nonce
//! and contract creators come from the chain's address index (`storage::address_index`);
//! traces re-execute the tx in its block like `debug_trace*`. One `register` line per method.

use std::sync::Arc;

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, U64, U256};
use alloy_rpc_types_trace::{
    otterscan::{ContractCreator, InternalIssuance, TraceEntry},
    parity::{Action, TraceOutput},
};
use jsonrpsee::RpcModule;
use revm_inspectors::{
    otterscan::InternalOperationsInspector,
    tracing::{CallTraceArena, TracingInspector, TracingInspectorConfig, types::CallKind},
};
use serde_json::{Value, json};

use super::{
    RpcContext,
    debug::{block_not_found, parity_traces, replay},
    error::{RpcError, RpcResult},
    macros::ok,
};
use crate::storage::{StoredBlock, StoredTx};

/// The Otterscan API level served (reth's and zksync-os-server's).
pub const API_LEVEL: u64 = 8;

type Module = RpcModule<RpcContext>;

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    method!(m, "ots_getApiLevel", |_, _| ok(API_LEVEL));
    // The header as `eth_getHeaderByNumber` gives it; Otterscan asks Erigon's name too.
    method!(m, "ots_getHeaderByNumber", |p, c| header_by_number(p, c));
    method!(m, "erigon_getHeaderByNumber", |p, c| header_by_number(p, c));
    method!(m, "ots_hasCode", |p, c| {
        let mut seq = p.sequence();
        let address: Address = seq.next()?;
        let block: Option<Value> = seq.optional_next()?;
        let block = block.map(lenient_block_id).transpose()?;
        ok(!c.state_at(block)?.code(&address).is_empty())
    });
    // The revert data a failed tx returned, as stored with its receipt; `0x` for a tx that did
    // not revert (Erigon's and anvil's answer), `null` for an unknown tx.
    method!(m, "ots_getTransactionError", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        ok(c.chain
            .tx(&hash)
            .map(|tx| tx.revert.clone().unwrap_or_default()))
    });
    method!(m, "ots_getBlockDetails", |p, c| {
        let (block,): (Value,) = p.parse()?;
        let block = c
            .block(BlockId::Number(lenient_block(block)?))
            .ok_or_else(block_not_found)?;
        ok(block_details(c, &block))
    });
    method!(m, "ots_getBlockDetailsByHash", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        let block = c.chain.block_by_hash(&hash).ok_or_else(block_not_found)?;
        ok(block_details(c, &block))
    });
    method!(m, "ots_getBlockTransactions", |p, c| {
        let (block, page, page_size): (Value, usize, usize) = p.parse()?;
        let block = c
            .block(BlockId::Number(lenient_block(block)?))
            .ok_or_else(block_not_found)?;
        ok(block_transactions(c, &block, page, page_size))
    });
    // Mined txs only (the hash; `null`: none), like reth.
    method!(m, "ots_getTransactionBySenderAndNonce", |p, c| {
        let (sender, nonce): (Address, U64) = p.parse()?;
        ok(c.chain
            .tx_by_sender_and_nonce(&sender, nonce.to::<u64>())
            .map(|tx| tx.tx.hash))
    });
    blocking!(m, "ots_getContractCreator", |p, c| {
        let (address,): (Address,) = p.parse()?;
        ok(contract_creator(c, address)?)
    });
    blocking!(m, "ots_traceTransaction", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        ok(trace_transaction(c, hash)?)
    });
    blocking!(m, "ots_getInternalOperations", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        ok(internal_operations(c, hash)?)
    });
    method!(m, "ots_searchTransactionsBefore", |p, c| {
        let (address, block, page_size): (Address, Value, usize) = p.parse()?;
        let block = search_block(c, block)?;
        ok(search_before(c, address, block, page_size)?)
    });
    method!(m, "ots_searchTransactionsAfter", |p, c| {
        let (address, block, page_size): (Address, Value, usize) = p.parse()?;
        let block = search_block(c, block)?;
        ok(search_after(c, address, block, page_size)?)
    });
    Ok(())
}

fn header_by_number(p: jsonrpsee::types::Params<'_>, c: &RpcContext) -> RpcResult<Value> {
    let (block,): (Value,) = p.parse()?;
    let block = c.block(BlockId::Number(lenient_block(block)?));
    ok(block.map(|b| super::raw::header_json(&b)))
}

/// A block number as Otterscan sends it (a JSON number), or as a quantity or tag.
fn lenient_block(value: Value) -> RpcResult<BlockNumberOrTag> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .map(BlockNumberOrTag::Number)
            .ok_or_else(|| RpcError::params(format!("invalid block number {n}"))),
        other => serde_json::from_value(other).map_err(RpcError::params),
    }
}

/// A block id that may also be a plain JSON number.
fn lenient_block_id(value: Value) -> RpcResult<BlockId> {
    match value {
        Value::Number(_) => lenient_block(value).map(BlockId::Number),
        other => serde_json::from_value(other).map_err(RpcError::params),
    }
}

/// The block number of a search (0 keeps its meaning: from the tip, or from genesis).
fn search_block(c: &RpcContext, value: Value) -> RpcResult<u64> {
    match lenient_block(value)? {
        BlockNumberOrTag::Number(n) => Ok(n),
        tag => c
            .resolve_number(tag)
            .ok_or_else(|| RpcError::NotFound("header not found".into())),
    }
}

fn set(value: &mut Value, key: &str, v: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_string(), v);
    }
}

/// `ots_getBlockDetails`: the block without its txs, their count, no issuance (no block
/// rewards on ZKsync) and the fees its txs paid.
fn block_details(c: &RpcContext, block: &StoredBlock) -> Value {
    let mut slim = c.block_json(block, false);
    if let Value::Object(map) = &mut slim {
        map.remove("transactions");
    }
    set(&mut slim, "transactionCount", json!(block.txs.len()));
    let total_fees: U256 = block
        .txs
        .iter()
        .map(|t| U256::from(t.gas_used) * U256::from(t.effective_gas_price))
        .sum();
    json!({
        "block": slim,
        "issuance": InternalIssuance::default(),
        "totalFees": total_fees,
    })
}

/// `ots_getBlockTransactions`: page `page` of `page_size` txs counted from the block's end
/// (page 0 holds its last txs, in block order), inputs cut to the selector, and their receipts
/// without logs.
fn block_transactions(c: &RpcContext, block: &StoredBlock, page: usize, page_size: usize) -> Value {
    let count = block.txs.len();
    let end = count.saturating_sub(page.saturating_mul(page_size));
    let start = end.saturating_sub(page_size);
    let txs = &block.txs[start..end];
    let mut fullblock = c.block_json(block, false);
    let bodies = txs
        .iter()
        .map(|t| {
            let mut tx = c.tx_json(t);
            if let Some(input) = tx.get("input").and_then(Value::as_str) {
                let selector: String = input.chars().take(2 + 8).collect();
                set(&mut tx, "input", json!(selector));
            }
            tx
        })
        .collect();
    set(&mut fullblock, "transactions", Value::Array(bodies));
    set(&mut fullblock, "transactionCount", json!(count));
    let receipts: Vec<Value> = txs.iter().map(|t| ots_receipt(c, t, false)).collect();
    json!({ "fullblock": fullblock, "receipts": receipts })
}

/// A receipt with its block's `timestamp`; `logs` and `logsBloom` null unless `with_logs`.
fn ots_receipt(c: &RpcContext, tx: &StoredTx, with_logs: bool) -> Value {
    let mut receipt = c.receipt_json(tx);
    if !with_logs {
        set(&mut receipt, "logs", Value::Null);
        set(&mut receipt, "logsBloom", Value::Null);
    }
    set(
        &mut receipt,
        "timestamp",
        json!(U64::from(tx.block_timestamp)),
    );
    receipt
}

/// One page of an address's txs: `page_size` of them, then the rest of the last one's block
/// (a block's txs are never split across pages), and whether any are left after it.
fn take_page(
    mut txs: std::iter::Peekable<impl Iterator<Item = Arc<StoredTx>>>,
    page_size: usize,
) -> (Vec<Arc<StoredTx>>, bool) {
    let mut page: Vec<Arc<StoredTx>> = Vec::new();
    while let Some(tx) = txs.next_if(|tx| {
        page.len() < page_size
            || page
                .last()
                .is_some_and(|last| last.block_number == tx.block_number)
    }) {
        page.push(tx);
    }
    (page, txs.peek().is_some())
}

fn check_page_size(page_size: usize) -> RpcResult<()> {
    match page_size {
        0 => Err(RpcError::params("pageSize must be at least 1")),
        _ => Ok(()),
    }
}

/// `ots_searchTransactionsBefore`: the address's txs in blocks before `block` (0: up to the
/// tip), newest first. `firstPage` when the search started at the tip, `lastPage` when nothing
/// older is left.
fn search_before(
    c: &RpcContext,
    address: Address,
    block: u64,
    page_size: usize,
) -> RpcResult<Value> {
    check_page_size(page_size)?;
    let all = c.chain.txs_of(&address);
    let bound = if block == 0 { u64::MAX } else { block };
    let end = all.partition_point(|t| t.block < bound);
    let newest_first = all[..end].iter().rev().filter_map(|at| c.chain.tx_at(*at));
    let (page, more) = take_page(newest_first.peekable(), page_size);
    Ok(search_result(c, &page, block == 0, !more))
}

/// `ots_searchTransactionsAfter`: the address's txs in blocks after `block` (0: from genesis),
/// newest first like every page. `firstPage` when the search reached the tip, `lastPage` when
/// it started at genesis.
fn search_after(
    c: &RpcContext,
    address: Address,
    block: u64,
    page_size: usize,
) -> RpcResult<Value> {
    check_page_size(page_size)?;
    let all = c.chain.txs_of(&address);
    let start = all.partition_point(|t| t.block <= block);
    let oldest_first = all[start..].iter().filter_map(|at| c.chain.tx_at(*at));
    let (mut page, more) = take_page(oldest_first.peekable(), page_size);
    page.reverse();
    Ok(search_result(c, &page, !more, block == 0))
}

fn search_result(c: &RpcContext, page: &[Arc<StoredTx>], first: bool, last: bool) -> Value {
    json!({
        "txs": page.iter().map(|t| c.tx_json(t)).collect::<Vec<_>>(),
        "receipts": page.iter().map(|t| ots_receipt(c, t, true)).collect::<Vec<_>>(),
        "firstPage": first,
        "lastPage": last,
    })
}

/// Who created the contract at `address` and in which tx (`null`: it has no code, or its code
/// came from genesis or a dev method). A contract created by a tx is found from its receipt;
/// one created by a contract by tracing the block its code appeared in (which needs that
/// block's parent state, kept for the latest blocks only).
fn contract_creator(c: &RpcContext, address: Address) -> RpcResult<Option<ContractCreator>> {
    if c.state.latest().code(&address).is_empty() {
        return Ok(None);
    }
    let Some(block) = c.chain.code_since(&address).and_then(|n| c.chain.block(n)) else {
        return Ok(None);
    };
    let deployed = block
        .txs
        .iter()
        .find(|t| t.contract_address == Some(address) && t.receipt.status());
    if let Some(tx) = deployed {
        return Ok(Some(ContractCreator {
            hash: tx.tx.hash,
            creator: tx.tx.sender,
        }));
    }
    if block.txs.is_empty() {
        return Ok(None);
    }
    let traces = parity_traces(c, &block, 0, block.txs.len())?;
    Ok(traces.into_iter().flatten().find_map(|t| {
        let creator = match (&t.trace.action, &t.trace.result, &t.trace.error) {
            (Action::Create(create), Some(TraceOutput::Create(out)), None)
                if out.address == address =>
            {
                create.from
            }
            _ => return None,
        };
        Some(ContractCreator {
            hash: t.transaction_hash?,
            creator,
        })
    }))
}

/// Re-executes the included tx `hash` under `inspector`; `read` takes the answer from it
/// (`None`: no such tx).
fn replay_tx<I, T>(
    c: &RpcContext,
    hash: B256,
    inspector: &mut I,
    read: impl Fn(&mut I) -> T,
) -> RpcResult<Option<T>>
where
    I: revm::Inspector<revm::handler::MainnetContext<crate::storage::state::StateDb>>,
{
    let Some(tx) = c.chain.tx(&hash) else {
        return Ok(None);
    };
    let block = c.chain.block(tx.block_number).ok_or_else(block_not_found)?;
    let index = tx.index as usize;
    let mut out = replay(c, &block, index, index + 1, inspector, |inspector, _, _| {
        Ok(read(inspector))
    })?;
    Ok(out.pop())
}

/// `ots_traceTransaction`: every call frame in execution order, Erigon's entries (no value for
/// `STATICCALL` / `DELEGATECALL`; a self-destruct as its own entry one level down).
fn trace_transaction(c: &RpcContext, hash: B256) -> RpcResult<Option<Vec<TraceEntry>>> {
    let mut inspector = TracingInspector::new(TracingInspectorConfig::default_parity());
    replay_tx(c, hash, &mut inspector, |inspector| {
        let entries = trace_entries(inspector.traces());
        inspector.fuse();
        entries
    })
}

fn trace_entries(arena: &CallTraceArena) -> Vec<TraceEntry> {
    let mut entries = Vec::new();
    for node in arena.nodes() {
        let trace = &node.trace;
        let value = match trace.kind {
            CallKind::StaticCall | CallKind::DelegateCall => None,
            _ => Some(trace.value),
        };
        entries.push(TraceEntry {
            r#type: trace.kind.to_string(),
            depth: trace.depth as u32,
            from: trace.caller,
            to: trace.address,
            value,
            input: trace.data.clone(),
            output: trace.output.clone(),
        });
        if let Some(target) = trace.selfdestruct_refund_target {
            entries.push(TraceEntry {
                r#type: "SELFDESTRUCT".into(),
                depth: trace.depth as u32 + 1,
                from: trace.selfdestruct_address.unwrap_or(trace.address),
                to: target,
                value: Some(trace.selfdestruct_transferred_value.unwrap_or_default()),
                input: Bytes::new(),
                output: Bytes::new(),
            });
        }
    }
    entries
}

/// `ots_getInternalOperations`: the value transfers, creations and self-destructs below the
/// top-level call, in execution order (revm-inspectors' Otterscan inspector; `[]` for an
/// unknown tx, as reth).
fn internal_operations(
    c: &RpcContext,
    hash: B256,
) -> RpcResult<Vec<alloy_rpc_types_trace::otterscan::InternalOperation>> {
    let mut inspector = InternalOperationsInspector::default();
    let operations = replay_tx(c, hash, &mut inspector, |inspector| {
        std::mem::take(inspector).into_operations()
    })?;
    Ok(operations.unwrap_or_default())
}
