//! What a call (`eth_call`, `eth_estimateGas`, `eth_createAccessList`, the `zks_` estimates) runs
//! on: the state with its overrides, the block with its overrides, and the tx environment.

use super::*;

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
