//! `eth_*`, `net_*`, `web3_*` and `personal_sign`: one `register` line per method name.

use std::sync::Arc;

use alloy_consensus::Transaction as _;
use alloy_eips::{BlockId, BlockNumberOrTag, eip2718::Encodable2718};
use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, TxKind, U64, U256, keccak256};
use alloy_rpc_types_eth::{
    BlockOverrides, FeeHistory, Filter, TransactionRequest, state::StateOverride,
};
use jsonrpsee::RpcModule;
use revm::{bytecode::Bytecode, context::TxEnv};
use serde_json::{Value, json};

use super::{
    RpcContext,
    error::{RpcError, RpcResult},
    macros::ok,
    types::{tx_json, tx_logs},
};

/// Client version: starts with `anvil/` so Hardhat's network helpers treat zkos-dev as a
/// dev node, and names zkos-dev.
pub fn client_version() -> String {
    format!("anvil/v{0}/zkos-dev/v{0}", env!("CARGO_PKG_VERSION"))
}

type Module = RpcModule<RpcContext>;

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    method!(m, "eth_chainId", |_, c| ok(U64::from(
        c.next_block().chain_id
    )));
    method!(m, "net_version", |_, c| ok(c
        .next_block()
        .chain_id
        .to_string()));
    method!(m, "net_listening", |_, _| ok(true));
    method!(m, "net_peerCount", |_, _| ok(U64::ZERO));
    method!(m, "web3_clientVersion", |_, _| ok(client_version()));
    method!(m, "web3_sha3", |p, _| {
        let (data,): (Bytes,) = p.parse()?;
        ok(keccak256(&data))
    });
    method!(m, "zkos_health", |_, _| ok(json!({ "healthy": true })));
    method!(m, "eth_blockNumber", |_, c| ok(U64::from(
        c.chain.latest_number()
    )));
    method!(m, "eth_syncing", |_, _| ok(false));
    method!(m, "eth_protocolVersion", |_, _| ok(U64::from(0x41)));
    method!(m, "eth_coinbase", |_, c| ok(c.next_block().coinbase));
    // anvil: true while automine or interval mining is on, false in manual mode.
    m.register_async_method("eth_mining", |_, c, _| async move {
        let mode = super::dev::ask(&c, crate::sequencer::SequencerCommand::GetMining).await?;
        RpcResult::Ok(!matches!(mode, crate::config::MiningMode::Manual))
    })?;
    method!(m, "eth_hashrate", |_, _| ok(U64::ZERO));
    method!(m, "eth_gasPrice", |_, c| ok(U256::from(
        c.next_block().base_fee
    )));
    method!(m, "eth_maxPriorityFeePerGas", |_, _| ok(U256::ZERO));
    method!(m, "eth_blobBaseFee", |_, _| ok(U256::from(1)));
    method!(m, "eth_accounts", |_, c| ok(c
        .accounts
        .iter()
        .map(|a| a.address)
        .collect::<Vec<_>>()));

    method!(m, "eth_getBalance", |p, c| {
        let mut seq = p.sequence();
        let address: Address = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        if c.is_remote(block, false) {
            return c.ask_remote("eth_getBalance", &p);
        }
        let account = c
            .state_at(block)?
            .try_account(&address)
            .map_err(fork_error)?;
        ok(account.map(|a| a.info.balance).unwrap_or_default())
    });
    method!(m, "eth_getTransactionCount", |p, c| {
        let mut seq = p.sequence();
        let address: Address = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        if c.is_remote(block, false) {
            return c.ask_remote("eth_getTransactionCount", &p);
        }
        let account = c
            .state_at(block)?
            .try_account(&address)
            .map_err(fork_error)?;
        let nonce = account.map(|a| a.info.nonce).unwrap_or_default();
        let nonce = match block {
            Some(BlockId::Number(BlockNumberOrTag::Pending)) => {
                c.mempool.pending_nonce(&address, nonce)
            }
            _ => nonce,
        };
        ok(U64::from(nonce))
    });
    method!(m, "eth_getCode", |p, c| {
        let mut seq = p.sequence();
        let address: Address = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        if c.is_remote(block, false) {
            return c.ask_remote("eth_getCode", &p);
        }
        let state = c.state_at(block)?;
        let account = state.try_account(&address).map_err(fork_error)?;
        let code = account.and_then(|a| state.code_by_hash(&a.info.code_hash));
        ok(code.unwrap_or_default().original_bytes())
    });
    method!(m, "eth_getStorageAt", |p, c| {
        let mut seq = p.sequence();
        let address: Address = seq.next()?;
        let slot: U256 = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        if c.is_remote(block, false) {
            return c.ask_remote("eth_getStorageAt", &p);
        }
        let value = c
            .state_at(block)?
            .try_storage(&address, slot)
            .map_err(fork_error)?;
        ok(B256::from(value))
    });

    // geth's / reth's account object: the storage root is computed on request (see
    // `storage_root`). An account never touched answers the empty account, as anvil does
    // (alloy's `get_account` decodes a non-null object).
    method!(m, "eth_getAccount", |p, c| {
        let mut seq = p.sequence();
        let address: Address = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        let state = c.state_at(block)?;
        let (nonce, balance, code_hash) = state
            .account(&address)
            .map(|a| (a.info.nonce, a.info.balance, a.info.code_hash))
            .unwrap_or_default();
        ok(alloy_rpc_types_eth::Account {
            nonce,
            balance,
            storage_root: storage_root(&state, &address),
            code_hash: match code_hash {
                B256::ZERO => KECCAK256_EMPTY,
                hash => hash,
            },
        })
    });
    // reth's / anvil's `{balance, nonce, code}` in one call (forge's fork backend asks it first).
    method!(m, "eth_getAccountInfo", |p, c| {
        let mut seq = p.sequence();
        let address: Address = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        let state = c.state_at(block)?;
        ok(json!({
            "balance": state.balance(&address),
            "nonce": U64::from(state.nonce(&address)),
            "code": state.code(&address).original_bytes(),
        }))
    });

    blocking!(m, "eth_call", |p, c| {
        let mut seq = p.sequence();
        let request: TransactionRequest = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        let overrides: Option<StateOverride> = seq.optional_next()?;
        let block_overrides: Option<BlockOverrides> = seq.optional_next()?;
        let (state, parent) = call_state(c, block, overrides.as_ref())?;
        let env = call_env(c, &request, &state, c.rpc_config.gas_cap);
        let mut context = c.call_block(&parent);
        let mut hashes = c.block_hashes();
        if let Some(o) = block_overrides {
            apply_block_overrides(&mut context, &mut hashes, o)?;
        }
        let out = c.executor().call(state, hashes, &context, env)?;
        ok(out.output)
    });
    blocking!(m, "eth_estimateGas", |p, c| {
        let mut seq = p.sequence();
        let request: TransactionRequest = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        let overrides: Option<StateOverride> = seq.optional_next()?;
        let (state, parent) = call_state(c, block, overrides.as_ref())?;
        let cap = request
            .gas
            .unwrap_or(u64::MAX)
            .min(c.rpc_config.gas_cap)
            .min(c.next_block().gas_limit);
        let env = call_env(c, &request, &state, cap);
        let gas =
            c.executor()
                .estimate_gas(state, c.block_hashes(), &c.call_block(&parent), env, cap)?;
        ok(U64::from(gas))
    });
    blocking!(m, "eth_createAccessList", |p, c| {
        let mut seq = p.sequence();
        let request: TransactionRequest = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        let (state, parent) = call_state(c, block, None)?;
        let env = call_env(c, &request, &state, c.rpc_config.gas_cap);
        let (access_list, gas_used) =
            c.executor()
                .access_list(state, c.block_hashes(), &c.call_block(&parent), env)?;
        ok(json!({ "accessList": access_list, "gasUsed": U64::from(gas_used) }))
    });
    method!(m, "eth_feeHistory", |p, c| {
        let mut seq = p.sequence();
        let count: U64 = seq.next()?;
        let newest: BlockNumberOrTag = seq.next()?;
        let percentiles: Option<Vec<f64>> = seq.optional_next()?;
        fee_history(c, count.to::<u64>(), newest, percentiles)
    });

    method!(m, "eth_getTransactionByHash", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        if let Some(tx) = c.chain.tx(&hash) {
            return ok(c.tx_json(&tx));
        }
        match c.mempool.get(&hash) {
            Some(tx) => ok(tx_json(&tx, None, c.next_block().base_fee)),
            // On a fork, a tx of the remote's history.
            None if c.chain.fork().is_some() => c.ask_remote("eth_getTransactionByHash", &p),
            None => ok(Value::Null),
        }
    });
    method!(m, "eth_getRawTransactionByHash", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        let envelope = match c.chain.tx(&hash) {
            Some(tx) => Some(tx.tx.envelope.clone()),
            None => c.mempool.get(&hash).map(|tx| tx.envelope),
        };
        ok(envelope.map(|e| Bytes::from(e.encoded_2718())))
    });
    method!(m, "eth_getTransactionReceipt", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        match c.chain.tx(&hash) {
            Some(tx) => ok(c.receipt_json(&tx)),
            None if c.chain.fork().is_some() && c.mempool.get(&hash).is_none() => {
                c.ask_remote("eth_getTransactionReceipt", &p)
            }
            None => ok(Value::Null),
        }
    });
    method!(m, "eth_getTransactionByBlockHashAndIndex", |p, c| {
        let (hash, index): (B256, U64) = p.parse()?;
        tx_by_index(c, BlockId::from(hash), index)
    });
    method!(m, "eth_getTransactionByBlockNumberAndIndex", |p, c| {
        let (tag, index): (BlockNumberOrTag, U64) = p.parse()?;
        tx_by_index(c, BlockId::Number(tag), index)
    });
    method!(m, "eth_getBlockByNumber", |p, c| {
        let mut seq = p.sequence();
        let tag: BlockNumberOrTag = seq.next()?;
        let full: Option<bool> = seq.optional_next()?;
        if c.is_remote(Some(BlockId::Number(tag)), true) {
            return c.ask_remote("eth_getBlockByNumber", &p);
        }
        ok(c.block(BlockId::Number(tag))
            .map(|b| c.block_json(&b, full.unwrap_or(false))))
    });
    method!(m, "eth_getBlockByHash", |p, c| {
        let mut seq = p.sequence();
        let hash: B256 = seq.next()?;
        let full: Option<bool> = seq.optional_next()?;
        let block = c.chain.block_by_hash(&hash);
        if c.chain.fork().is_some()
            && block
                .as_ref()
                .is_none_or(|b| b.header.number == c.chain.first_number())
        {
            return c.ask_remote("eth_getBlockByHash", &p);
        }
        ok(block.map(|b| c.block_json(&b, full.unwrap_or(false))))
    });
    method!(m, "eth_getBlockTransactionCountByHash", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        ok(c.chain.block_by_hash(&hash).map(|b| U64::from(b.txs.len())))
    });
    method!(m, "eth_getBlockTransactionCountByNumber", |p, c| {
        let (tag,): (BlockNumberOrTag,) = p.parse()?;
        ok(c.block(BlockId::Number(tag))
            .map(|b| U64::from(b.txs.len())))
    });
    method!(m, "eth_getBlockReceipts", |p, c| {
        let (id,): (BlockId,) = p.parse()?;
        ok(c.block(id)
            .map(|b| b.txs.iter().map(|t| c.receipt_json(t)).collect::<Vec<_>>()))
    });
    method!(m, "eth_getUncleCountByBlockHash", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        ok(c.chain.block_by_hash(&hash).map(|_| U64::ZERO))
    });
    method!(m, "eth_getUncleCountByBlockNumber", |p, c| {
        let (tag,): (BlockNumberOrTag,) = p.parse()?;
        ok(c.block(BlockId::Number(tag)).map(|_| U64::ZERO))
    });
    method!(m, "eth_getUncleByBlockHashAndIndex", |p, _| {
        let (_, _): (B256, U64) = p.parse()?;
        ok(Value::Null)
    });
    method!(m, "eth_getUncleByBlockNumberAndIndex", |p, _| {
        let (_, _): (BlockNumberOrTag, U64) = p.parse()?;
        ok(Value::Null)
    });
    // geth's batch `eth_getStorageAt`: {address: [slot…]} -> {address: [value…]}.
    method!(m, "eth_getStorageValues", |p, c| {
        let mut seq = p.sequence();
        let requests: std::collections::BTreeMap<Address, Vec<U256>> = seq.next()?;
        let block: Option<BlockId> = seq.optional_next()?;
        let slots: usize = requests.values().map(Vec::len).sum();
        if slots > MAX_STORAGE_VALUES {
            return Err(RpcError::params(format!(
                "too many slots (max {MAX_STORAGE_VALUES})"
            )));
        }
        let state = c.state_at(block)?;
        let values: std::collections::BTreeMap<Address, Vec<B256>> = requests
            .into_iter()
            .map(|(address, slots)| {
                let values = slots
                    .into_iter()
                    .map(|slot| B256::from(state.storage(&address, slot)))
                    .collect();
                (address, values)
            })
            .collect();
        ok(values)
    });
    // The mined tx of `sender` with `nonce` (from the chain's address index), else the pooled
    // one (`null`: none).
    method!(m, "eth_getTransactionBySenderAndNonce", |p, c| {
        let (sender, nonce): (Address, U64) = p.parse()?;
        let nonce = nonce.to::<u64>();
        if let Some(tx) = c.chain.tx_by_sender_and_nonce(&sender, nonce) {
            return ok(c.tx_json(&tx));
        }
        let content = c.mempool.content();
        let pooled = [content.pending, content.queued]
            .into_iter()
            .find_map(|mut side| side.remove(&sender)?.remove(&nonce));
        ok(pooled.map(|tx| tx_json(&tx, None, c.next_block().base_fee)))
    });
    method!(m, "eth_getLogs", |p, c| {
        let (filter,): (Filter,) = p.parse()?;
        ok(logs(c, &filter, None)?)
    });
    Ok(())
}

/// A read of the fork's remote that failed, as the client sees it.
fn fork_error(e: crate::fork::ForkError) -> RpcError {
    RpcError::internal(e.to_string())
}

/// The root of `address`'s storage as an Ethereum storage trie (keccak256 of each slot as the
/// key, the RLP value as the leaf): what geth, reth and anvil answer for the same slots, and
/// `EMPTY_ROOT_HASH` for no storage. zkos-dev commits to its state with ZKsync OS's Blake2s tree
/// instead (`zks_getProof`; the headers' `stateRoot` is zero, and there is no `eth_getProof`),
/// so nothing stores this root: it is built from the account's slots on every call.
fn storage_root(state: &crate::storage::StateSnapshot, address: &Address) -> B256 {
    let slots = state
        .account(address)
        .map(|a| {
            a.storage
                .iter()
                .filter(|(_, value)| !value.is_zero())
                .map(|(slot, value)| (B256::from(*slot), *value))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    alloy_trie::root::storage_root_unhashed(slots)
}

/// Most slots `eth_getStorageValues` reads in one call (geth's limit).
pub const MAX_STORAGE_VALUES: usize = 1024;

/// Applies `eth_call`'s block overrides to the block the call runs in. The blob base fee is not
/// one of the block values zkos-dev's executor takes (`BLOBBASEFEE` is 1 on ZKsync OS): asking
/// for it is an error rather than an override silently dropped.
pub(crate) fn apply_block_overrides(
    context: &mut crate::executor::BlockContext,
    hashes: &mut crate::storage::state::BlockHashes,
    o: BlockOverrides,
) -> RpcResult<()> {
    let u64_of = |value: U256, what: &str| {
        u64::try_from(value).map_err(|_| RpcError::params(format!("{what} override too large")))
    };
    if o.blob_base_fee.is_some() {
        return Err(RpcError::params(
            "the blobBaseFee override is not supported (BLOBBASEFEE is fixed on this chain)",
        ));
    }
    if let Some(number) = o.number {
        context.number = u64_of(number, "block number")?;
    }
    if let Some(time) = o.time {
        context.timestamp = time;
    }
    if let Some(gas_limit) = o.gas_limit {
        context.gas_limit = gas_limit;
    }
    if let Some(coinbase) = o.coinbase {
        context.coinbase = coinbase;
    }
    if let Some(random) = o.random {
        context.prevrandao = random;
    }
    if let Some(base_fee) = o.base_fee {
        context.base_fee = u64_of(base_fee, "base fee")?;
    }
    if let Some(map) = o.block_hash {
        let inner = hashes.clone();
        *hashes = Arc::new(move |n| map.get(&n).copied().unwrap_or_else(|| inner(n)));
    }
    Ok(())
}

/// The logs matching `filter`, optionally only in blocks after `after`.
pub fn logs(c: &RpcContext, filter: &Filter, after: Option<u64>) -> RpcResult<Vec<Value>> {
    let mut remote_logs = vec![];
    let blocks = match filter.get_block_hash() {
        Some(hash) => vec![
            c.chain
                .block_by_hash(&hash)
                .ok_or_else(|| RpcError::NotFound("unknown block".into()))?,
        ],
        None => {
            let resolve = |tag: Option<BlockNumberOrTag>, default: u64| -> u64 {
                match tag {
                    None => default,
                    Some(BlockNumberOrTag::Number(n)) => n,
                    Some(tag) => c.resolve_number(tag).unwrap_or(default),
                }
            };
            let latest = c.chain.latest_number();
            let from = resolve(filter.block_option.get_from_block().copied(), latest);
            let from = after.map_or(from, |a| from.max(a + 1));
            let to = resolve(filter.block_option.get_to_block().copied(), latest).min(latest);
            if from > to {
                return Ok(vec![]);
            }
            let max_range = c.rpc_config.max_logs_block_range;
            if to - from >= max_range {
                return Err(RpcError::params(format!(
                    "query exceeds max block range {max_range}"
                )));
            }
            // On a fork, the logs up to the fork block are the remote's: asked, then merged.
            let first = c.chain.first_number();
            if let Some(fork) = c.chain.fork().filter(|_| from <= first) {
                let mut remote_filter = filter.clone();
                remote_filter.block_option = alloy_rpc_types_eth::FilterBlockOption::Range {
                    from_block: Some(BlockNumberOrTag::Number(from)),
                    to_block: Some(BlockNumberOrTag::Number(to.min(first))),
                };
                let params = serde_json::json!([remote_filter]);
                let remote: Vec<Value> = serde_json::from_value(
                    fork.request_blocking("eth_getLogs", params)
                        .map_err(fork_error)?,
                )
                .map_err(RpcError::internal)?;
                remote_logs = remote;
            }
            c.chain.blocks(from.max(first + 1), to)
        }
    };
    let mut out = remote_logs;
    for block in blocks {
        if !filter.matches_bloom(block.header.logs_bloom) {
            continue;
        }
        for tx in &block.txs {
            for (i, log) in tx_logs(tx).iter().enumerate() {
                if filter.matches(&log.inner) {
                    out.push(c.log_json(log, i as u64));
                    if out.len() > c.rpc_config.max_logs {
                        let max = c.rpc_config.max_logs;
                        return Err(RpcError::params(format!("query exceeds max results {max}")));
                    }
                }
            }
        }
    }
    Ok(out)
}

fn tx_by_index(c: &RpcContext, id: BlockId, index: U64) -> RpcResult<Value> {
    let tx = c
        .block(id)
        .and_then(|b| b.txs.get(index.to::<usize>()).cloned());
    ok(tx.map(|t| c.tx_json(&t)))
}

/// The state a call runs on (with its state overrides) and the block it runs on top of.
pub(crate) fn call_state(
    c: &RpcContext,
    block: Option<BlockId>,
    overrides: Option<&StateOverride>,
) -> RpcResult<(
    crate::storage::StateSnapshot,
    Arc<crate::storage::StoredBlock>,
)> {
    let id = block.unwrap_or(BlockId::latest());
    let parent = c
        .block(id)
        .ok_or_else(|| RpcError::NotFound("header not found".into()))?;
    let mut state = c.state_at(Some(id))?;
    apply_state_overrides(&mut state, overrides);
    Ok((state, parent))
}

/// Applies `eth_call`'s state overrides to the state a call runs on.
pub(crate) fn apply_state_overrides(
    state: &mut crate::storage::StateSnapshot,
    overrides: Option<&StateOverride>,
) {
    for (address, o) in overrides.into_iter().flatten() {
        let account = state.account_mut(*address);
        if let Some(balance) = o.balance {
            account.info.balance = balance;
        }
        if let Some(nonce) = o.nonce {
            account.info.nonce = nonce;
        }
        if let Some(full) = &o.state {
            account.storage.clear();
            for (k, v) in full {
                state.set_storage(*address, (*k).into(), (*v).into());
            }
        }
        if let Some(diff) = &o.state_diff {
            for (k, v) in diff {
                state.set_storage(*address, (*k).into(), (*v).into());
            }
        }
        if let Some(code) = &o.code {
            state.set_code(*address, Bytecode::new_raw(code.clone()));
        }
    }
}

/// The revm tx for a call request.
pub(crate) fn call_env(
    c: &RpcContext,
    r: &TransactionRequest,
    state: &crate::storage::StateSnapshot,
    cap: u64,
) -> TxEnv {
    let caller = r.from.unwrap_or_default();
    let is_1559 = r.max_fee_per_gas.is_some() || r.max_priority_fee_per_gas.is_some();
    TxEnv {
        tx_type: if is_1559 {
            2
        } else if r.access_list.is_some() {
            1
        } else {
            0
        },
        caller,
        gas_limit: r.gas.unwrap_or(cap).min(cap),
        gas_price: r.gas_price.or(r.max_fee_per_gas).unwrap_or(0),
        kind: r.to.unwrap_or(TxKind::Create),
        value: r.value.unwrap_or_default(),
        data: r.input.input().cloned().unwrap_or_default(),
        nonce: r.nonce.unwrap_or_else(|| state.nonce(&caller)),
        chain_id: Some(c.next_block().chain_id),
        access_list: r.access_list.clone().unwrap_or_default(),
        gas_priority_fee: if is_1559 {
            Some(r.max_priority_fee_per_gas.unwrap_or(0))
        } else {
            None
        },
        ..Default::default()
    }
}

/// Fills and signs a request with an unlocked dev account's key.
fn fee_history(
    c: &RpcContext,
    count: u64,
    newest: BlockNumberOrTag,
    percentiles: Option<Vec<f64>>,
) -> RpcResult<Value> {
    let newest = c
        .resolve_number(newest)
        .ok_or_else(|| RpcError::NotFound("header not found".into()))?;
    let count = count.clamp(1, 1024).min(newest + 1);
    let oldest = newest + 1 - count;
    let blocks = c.chain.blocks(oldest, newest);
    let mut history = FeeHistory {
        oldest_block: oldest,
        base_fee_per_gas: blocks
            .iter()
            .map(|b| u128::from(b.header.base_fee_per_gas.unwrap_or_default()))
            .collect(),
        gas_used_ratio: blocks
            .iter()
            .map(|b| b.header.gas_used as f64 / b.header.gas_limit as f64)
            .collect(),
        base_fee_per_blob_gas: vec![1; blocks.len() + 1],
        blob_gas_used_ratio: vec![0.0; blocks.len()],
        reward: None,
    };
    history
        .base_fee_per_gas
        .push(u128::from(c.next_block().base_fee));
    if let Some(percentiles) = percentiles {
        let rewards = blocks
            .iter()
            .map(|b| {
                let base_fee = b.header.base_fee_per_gas.unwrap_or_default();
                let mut tips: Vec<(u128, u64)> = b
                    .txs
                    .iter()
                    .map(|t| {
                        (
                            t.tx.envelope
                                .effective_tip_per_gas(base_fee)
                                .unwrap_or_default(),
                            t.gas_used,
                        )
                    })
                    .collect();
                tips.sort_unstable();
                percentiles
                    .iter()
                    .map(|p| {
                        let threshold = (b.header.gas_used as f64 * p / 100.0) as u64;
                        let mut acc = 0u64;
                        tips.iter()
                            .find(|(_, gas)| {
                                acc += gas;
                                acc >= threshold
                            })
                            .or(tips.last())
                            .map(|(tip, _)| *tip)
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        history.reward = Some(rewards);
    }
    ok(history)
}
