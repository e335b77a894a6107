//! `eth_simulateV1` (execution-apis): blocks of calls on top of a block, each block under its own
//! block and state overrides, each call seeing the state the calls before it left; answered as
//! the blocks those calls would make.
//! Signature: `[payload, block?]` -> `[SimulatedBlock]`.
//!
//! zkos-dev differs from geth in one default: a block's base fee is the chain's (not 0) when
//! `validation` is off, since ZKsync OS prices a call's `deltaGas` at the base fee (`eth_call`
//! does the same).

use std::{collections::BTreeMap, sync::Arc};

use alloy_consensus::{
    EMPTY_OMMER_ROOT_HASH, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, Signed, TxEip1559,
    TxEnvelope, proofs,
};
use alloy_eips::BlockId;
use alloy_primitives::{Address, B256, Bloom, Bytes, Signature, U256, hex};
use alloy_rpc_types_eth::{
    Log, TransactionRequest,
    simulate::{SimBlock, SimulatePayload},
};
use jsonrpsee::RpcModule;
use revm::context::TxEnv;
use serde_json::{Value, json};

use super::{
    RpcContext,
    error::{EXECUTION_REVERTED, RpcError, RpcResult, SERVER_ERROR, revert_message},
    eth::{apply_block_overrides, apply_state_overrides, call_env, call_state},
    macros::ok,
};
use crate::{
    executor::{BlockContext, CallError, CallMode, Executor},
    storage::{StateSnapshot, state::BlockHashes},
};

type Module = RpcModule<RpcContext>;

/// Most blocks one request may simulate, gaps included (geth's and reth's limit).
pub const MAX_SIMULATED_BLOCKS: u64 = 256;
/// Seconds between simulated blocks whose time is not overridden (the spec's default).
const DEFAULT_BLOCK_TIME: u64 = 12;

/// The gas of the cheapest tx (a plain transfer).
const MIN_TX_GAS: u64 = 21_000;
/// A block number that does not increase.
const BLOCK_NUMBER_INVALID: i32 = -38020;
/// A timestamp that does not increase.
const BLOCK_TIMESTAMP_INVALID: i32 = -38021;
/// Too many blocks (a limit of the node).
const CLIENT_LIMIT_EXCEEDED: i32 = -38026;
/// A call that halted (the spec's "execution error").
const EXECUTION_ERROR: i32 = -32015;

/// Registers the method.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    blocking!(m, "eth_simulateV1", |p, c| {
        let mut seq = p.sequence();
        let payload: SimulatePayload = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        ok(simulate(c, payload, block)?)
    });
    Ok(())
}

/// The parent a simulated block builds on.
struct Parent {
    number: u64,
    timestamp: u64,
    hash: B256,
}

fn simulate(
    c: &RpcContext,
    payload: SimulatePayload,
    at: Option<BlockId>,
) -> RpcResult<Vec<Value>> {
    let (mut state, base) = call_state(c, at, None)?;
    let template = c.call_block(&base);
    let mode = CallMode {
        validate: payload.validation,
        trace_transfers: payload.trace_transfers,
    };
    let mut parent = Parent {
        number: base.header.number,
        timestamp: base.header.timestamp,
        hash: base.hash,
    };
    // Simulated blocks' hashes, for `BLOCKHASH` in the blocks after them.
    let mut simulated: BTreeMap<u64, B256> = BTreeMap::new();
    let mut gas_left = c.rpc_config.gas_cap;
    let executor = c.executor();
    let mut out = Vec::new();
    for block in payload.block_state_calls {
        let overrides = block.block_overrides.clone().unwrap_or_default();
        let number = match overrides.number {
            Some(n) => {
                u64::try_from(n).map_err(|_| RpcError::params("block number override too large"))?
            }
            None => parent.number + 1,
        };
        if number <= parent.number {
            return Err(RpcError::Coded(
                BLOCK_NUMBER_INVALID,
                format!(
                    "block numbers must be in order: {number} <= {}",
                    parent.number
                ),
            ));
        }
        if number - base.header.number > MAX_SIMULATED_BLOCKS {
            return Err(RpcError::Coded(
                CLIENT_LIMIT_EXCEEDED,
                format!("too many blocks (at most {MAX_SIMULATED_BLOCKS})"),
            ));
        }
        // Skipped numbers become empty blocks, as in geth.
        while parent.number + 1 < number {
            let mut context = template.clone();
            context.number = parent.number + 1;
            context.timestamp = parent.timestamp + DEFAULT_BLOCK_TIME;
            let sealed = Sealed::seal(&context, parent.hash, Vec::new());
            simulated.insert(context.number, sealed.hash);
            parent = sealed.parent(&context);
            out.push(sealed.json(&context, payload.return_full_transactions));
        }
        let mut context = template.clone();
        context.number = number;
        context.timestamp = parent.timestamp + DEFAULT_BLOCK_TIME;
        let mut hashes = with_simulated(c.block_hashes(), &simulated);
        apply_block_overrides(&mut context, &mut hashes, overrides)?;
        if context.timestamp <= parent.timestamp {
            return Err(RpcError::Coded(
                BLOCK_TIMESTAMP_INVALID,
                format!(
                    "block timestamps must be in order: {} <= {}",
                    context.timestamp, parent.timestamp
                ),
            ));
        }
        let calls = run_block(
            c,
            &executor,
            &mut state,
            &hashes,
            &context,
            block,
            mode,
            &mut gas_left,
        )?;
        let sealed = Sealed::seal(&context, parent.hash, calls);
        simulated.insert(context.number, sealed.hash);
        parent = sealed.parent(&context);
        out.push(sealed.json(&context, payload.return_full_transactions));
    }
    Ok(out)
}

/// `BLOCKHASH` that also knows the simulated blocks.
fn with_simulated(chain: BlockHashes, simulated: &BTreeMap<u64, B256>) -> BlockHashes {
    let simulated = simulated.clone();
    Arc::new(move |n| simulated.get(&n).copied().unwrap_or_else(|| chain(n)))
}

/// One simulated call: the tx it stands for and what it did.
struct SimCall {
    tx: Signed<TxEip1559>,
    from: Address,
    output: Bytes,
    logs: Vec<alloy_primitives::Log>,
    gas_used: u64,
    max_used_gas: u64,
    error: Option<Value>,
}

/// Runs a block's calls on `state` under its state overrides.
#[allow(clippy::too_many_arguments)] // the block being built and the request's budget
fn run_block(
    c: &RpcContext,
    executor: &Executor,
    state: &mut StateSnapshot,
    hashes: &BlockHashes,
    context: &BlockContext,
    block: SimBlock,
    mode: CallMode,
    gas_left: &mut u64,
) -> RpcResult<Vec<SimCall>> {
    if let Some(overrides) = &block.state_overrides
        && overrides.values().any(|o| o.move_precompile_to.is_some())
    {
        return Err(RpcError::params(
            "movePrecompileToAddress is not supported (ZKsync OS's precompiles are fixed)",
        ));
    }
    apply_state_overrides(state, block.state_overrides.as_ref());
    let mut block_gas_used = 0u64;
    let mut calls = Vec::with_capacity(block.calls.len());
    for request in &block.calls {
        let block_left = context.gas_limit.saturating_sub(block_gas_used);
        if let Some(gas) = request.gas
            && gas > block_left
        {
            return Err(RpcError::Coded(
                -38015,
                format!("block gas limit reached: {gas} > {block_left}"),
            ));
        }
        // No tx runs on less than a transfer's gas: past that, the request is over its budget.
        if *gas_left < MIN_TX_GAS {
            return Err(RpcError::Coded(
                CLIENT_LIMIT_EXCEEDED,
                format!(
                    "the calls use more than the gas cap ({})",
                    c.rpc_config.gas_cap
                ),
            ));
        }
        let env = call_env(c, request, state, block_left.min(*gas_left));
        let tx = unsigned_tx(request, &env);
        let sim = executor
            .simulate_in_place(state, hashes.clone(), context, env.clone(), mode)
            .map_err(invalid_call)?;
        block_gas_used += sim.gas_used;
        *gas_left = gas_left.saturating_sub(sim.gas_used);
        let (output, logs, error) = match sim.outcome {
            Ok(out) => (out.output, out.logs, None),
            Err(CallError::Revert(data)) => {
                let error = json!({
                    "code": EXECUTION_REVERTED,
                    "message": revert_message(&data),
                    "data": hex::encode_prefixed(&data),
                });
                (data, Vec::new(), Some(error))
            }
            Err(CallError::Halt(reason)) | Err(CallError::Invalid(reason)) => (
                Bytes::new(),
                Vec::new(),
                Some(json!({"code": EXECUTION_ERROR, "message": reason})),
            ),
        };
        calls.push(SimCall {
            tx,
            from: env.caller,
            output,
            logs,
            gas_used: sim.gas_used,
            max_used_gas: sim.max_used_gas,
            error,
        });
    }
    Ok(calls)
}

/// The spec's code for each way a call can fail to be a valid tx, by the executor's wording.
const INVALID_CODES: [(&str, i32); 8] = [
    ("nonce too low", -38010),
    ("nonce too high", -38011),
    ("base fee", -38012),
    ("intrinsic gas", -38013),
    ("insufficient funds", -38014),
    ("block gas limit", -38015),
    ("sender not an eoa", -38024),
    ("max initcode size", -38025),
];

/// A call that is not a valid tx fails the whole request, with the spec's code for why.
fn invalid_call(err: CallError) -> RpcError {
    let CallError::Invalid(msg) = err else {
        return err.into();
    };
    let code = INVALID_CODES
        .iter()
        .find(|(wording, _)| msg.contains(wording))
        .map_or(SERVER_ERROR, |(_, code)| *code);
    RpcError::Coded(code, msg)
}

/// The tx a call stands for (EIP-1559, unsigned: a zero signature, as geth hashes it).
fn unsigned_tx(request: &TransactionRequest, env: &TxEnv) -> Signed<TxEip1559> {
    let tx = TxEip1559 {
        chain_id: env.chain_id.unwrap_or_default(),
        nonce: env.nonce,
        gas_limit: env.gas_limit,
        max_fee_per_gas: request
            .max_fee_per_gas
            .or(request.gas_price)
            .unwrap_or_default(),
        max_priority_fee_per_gas: request.max_priority_fee_per_gas.unwrap_or_default(),
        to: env.kind,
        value: env.value,
        access_list: env.access_list.clone(),
        input: env.data.clone(),
    };
    let signature = Signature::new(U256::ZERO, U256::ZERO, false);
    use alloy_consensus::SignableTransaction;
    tx.into_signed(signature)
}

/// A simulated block, sealed: its header, hash and calls.
struct Sealed {
    header: Header,
    hash: B256,
    calls: Vec<SimCall>,
}

impl Sealed {
    fn seal(context: &BlockContext, parent_hash: B256, calls: Vec<SimCall>) -> Self {
        let mut cumulative = 0u64;
        let receipts: Vec<ReceiptEnvelope> = calls
            .iter()
            .map(|call| {
                cumulative += call.gas_used;
                let receipt = Receipt {
                    status: call.error.is_none().into(),
                    cumulative_gas_used: cumulative,
                    logs: call.logs.clone(),
                };
                ReceiptEnvelope::Eip1559(ReceiptWithBloom::new(
                    receipt.clone(),
                    receipt.bloom_slow(),
                ))
            })
            .collect();
        let logs_bloom = receipts.iter().fold(Bloom::ZERO, |mut bloom, r| {
            bloom.accrue_bloom(r.logs_bloom());
            bloom
        });
        let txs: Vec<TxEnvelope> = calls
            .iter()
            .map(|call| TxEnvelope::Eip1559(call.tx.clone()))
            .collect();
        let header = Header {
            parent_hash,
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: context.coinbase,
            transactions_root: proofs::calculate_transaction_root(&txs),
            receipts_root: proofs::calculate_receipt_root(&receipts),
            logs_bloom,
            number: context.number,
            gas_limit: context.gas_limit,
            gas_used: cumulative,
            timestamp: context.timestamp,
            mix_hash: context.prevrandao,
            base_fee_per_gas: Some(context.base_fee),
            ..Default::default()
        };
        let hash = header.hash_slow();
        Self {
            header,
            hash,
            calls,
        }
    }

    fn parent(&self, context: &BlockContext) -> Parent {
        Parent {
            number: context.number,
            timestamp: context.timestamp,
            hash: self.hash,
        }
    }

    /// The block as `eth_getBlockByNumber` shows one, plus `calls`.
    fn json(&self, context: &BlockContext, full: bool) -> Value {
        let header = alloy_rpc_types_eth::Header {
            hash: self.hash,
            inner: self.header.clone(),
            total_difficulty: Some(U256::ZERO),
            size: None,
        };
        let mut value = serde_json::to_value(header).unwrap_or(Value::Null);
        let mut log_index = 0u64;
        let mut calls = Vec::with_capacity(self.calls.len());
        let mut txs = Vec::with_capacity(self.calls.len());
        for (i, call) in self.calls.iter().enumerate() {
            let tx_hash = *call.tx.hash();
            let logs: Vec<Value> = call
                .logs
                .iter()
                .enumerate()
                .map(|(j, log)| {
                    let log = Log {
                        inner: log.clone(),
                        block_hash: Some(self.hash),
                        block_number: Some(context.number),
                        block_timestamp: Some(context.timestamp),
                        transaction_hash: Some(tx_hash),
                        transaction_index: Some(i as u64),
                        log_index: Some(log_index + j as u64),
                        removed: false,
                    };
                    super::types::log_json(&log, j as u64)
                })
                .collect();
            log_index += call.logs.len() as u64;
            let mut result = json!({
                "returnData": call.output,
                "logs": logs,
                "gasUsed": format!("{:#x}", call.gas_used),
                "maxUsedGas": format!("{:#x}", call.max_used_gas),
                "status": if call.error.is_none() { "0x1" } else { "0x0" },
            });
            if let (Some(error), Some(map)) = (&call.error, result.as_object_mut()) {
                map.insert("error".into(), error.clone());
            }
            calls.push(result);
            txs.push(if full {
                let tx = alloy_rpc_types_eth::Transaction {
                    inner: alloy_consensus::transaction::Recovered::new_unchecked(
                        TxEnvelope::Eip1559(call.tx.clone()),
                        call.from,
                    ),
                    block_hash: Some(self.hash),
                    block_number: Some(context.number),
                    transaction_index: Some(i as u64),
                    effective_gas_price: Some(u128::from(context.base_fee)),
                    block_timestamp: Some(context.timestamp),
                };
                serde_json::to_value(tx).unwrap_or(Value::Null)
            } else {
                json!(tx_hash)
            });
        }
        if let Some(map) = value.as_object_mut() {
            map.insert("transactions".into(), Value::Array(txs));
            map.insert("uncles".into(), json!([]));
            map.insert("withdrawals".into(), json!([]));
            map.insert("calls".into(), Value::Array(calls));
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_the_spec_codes() {
        let code = |msg: &str| match invalid_call(CallError::Invalid(msg.into())) {
            RpcError::Coded(code, _) => code,
            other => panic!("{other:?}"),
        };
        let executor_says = |e: revm::context::result::InvalidTransaction| {
            code(&crate::executor::invalid_tx_message(&e))
        };
        use revm::context::result::InvalidTransaction as I;
        assert_eq!(executor_says(I::NonceTooLow { tx: 0, state: 1 }), -38010);
        assert_eq!(executor_says(I::NonceTooHigh { tx: 2, state: 1 }), -38011);
        assert_eq!(executor_says(I::GasPriceLessThanBasefee), -38012);
        assert_eq!(
            executor_says(I::CallGasCostMoreThanGasLimit {
                initial_gas: 2,
                gas_limit: 1
            }),
            -38013
        );
        assert_eq!(executor_says(I::CallerGasLimitMoreThanBlock), -38015);
        assert_eq!(executor_says(I::RejectCallerWithCode), -38024);
        assert_eq!(executor_says(I::CreateInitCodeSizeLimit), -38025);
        assert_eq!(code("invalid chain id"), SERVER_ERROR);
    }
}
