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

mod call_env;
mod logs;

pub(crate) use call_env::{apply_block_overrides, apply_state_overrides, call_env, call_state};
pub use logs::logs;

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

fn tx_by_index(c: &RpcContext, id: BlockId, index: U64) -> RpcResult<Value> {
    let tx = c
        .block(id)
        .and_then(|b| b.txs.get(index.to::<usize>()).cloned());
    ok(tx.map(|t| c.tx_json(&t)))
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
