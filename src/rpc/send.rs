//! Sending and signing: `eth_sendRawTransaction(Sync)`, `eth_sendTransaction` (dev accounts
//! and impersonated ones), `eth_signTransaction`, `eth_sign`, `personal_sign`,
//! `eth_signTypedData_v4`.

use std::time::Duration;

use alloy_consensus::{SignableTransaction, TxEnvelope};
use alloy_dyn_abi::TypedData;
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, TxKind, U64};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer::SignerSync;
use jsonrpsee::RpcModule;
use serde_json::Value;

use super::{
    RpcContext,
    error::{RpcError, RpcResult},
    eth::call_env,
    macros::ok,
};
use crate::{events::NodeEvent, tx::ReadyTx};

/// How long `eth_sendRawTransactionSync` waits for the receipt.
const SYNC_SEND_TIMEOUT: Duration = Duration::from_secs(30);

type Module = RpcModule<RpcContext>;

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    method!(m, "eth_sendRawTransaction", |p, c| {
        let (raw,): (Bytes,) = p.parse()?;
        let tx = c.decode_raw(&raw)?;
        ok(c.submit(tx)?)
    });
    m.register_async_method("eth_sendRawTransactionSync", |p, c, _| async move {
        let mut seq = p.sequence();
        let raw: Bytes = seq.next()?;
        let timeout_ms: Option<U64> = seq.optional_next()?;
        let timeout = timeout_ms
            .map(|t| Duration::from_millis(t.to()))
            .unwrap_or(SYNC_SEND_TIMEOUT);
        let tx = c.decode_raw(&raw)?;
        let mut events = c.events.subscribe();
        let hash = c.submit(tx)?;
        let wait = async {
            loop {
                if let Some(tx) = c.chain.tx(&hash) {
                    return Ok(c.receipt_json(&tx));
                }
                match events.recv().await {
                    Ok(NodeEvent::BlockSealed(_))
                    | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Ok(_) => {}
                    Err(_) => return Err(RpcError::internal("node is shutting down")),
                }
            }
        };
        tokio::time::timeout(timeout, wait).await.map_err(|_| {
            RpcError::internal(format!(
                "transaction {hash} was added to the mempool but not mined within {timeout:?}"
            ))
        })?
    })?;
    method!(m, "eth_sendTransaction", |p, c| {
        let (request,): (TransactionRequest,) = p.parse()?;
        if let Some(from) = request.from
            && c.impersonation.is_impersonated(&from)
        {
            return ok(c.submit(super::anvil::impersonated_tx(c, request)?)?);
        }
        let envelope = sign_request(c, request)?;
        let sender = envelope.recover_signer_unchecked_pub()?;
        ok(c.submit(ReadyTx {
            hash: *envelope.tx_hash(),
            sender,
            envelope: envelope.into(),
        })?)
    });
    method!(m, "eth_signTransaction", |p, c| {
        let (request,): (TransactionRequest,) = p.parse()?;
        ok(Bytes::from(sign_request(c, request)?.encoded_2718()))
    });
    // geth's `eth_fillTransaction`: the request with nonce, chain id, fees and gas filled in,
    // unsigned: `{raw: the EIP-2718 bytes with an empty signature, tx: that tx}`.
    method!(m, "eth_fillTransaction", |p, c| {
        let (request,): (TransactionRequest,) = p.parse()?;
        let typed = fill_request(c, request)?;
        let unsigned = TxEnvelope::from(typed.into_signed(alloy_primitives::Signature::new(
            alloy_primitives::U256::ZERO,
            alloy_primitives::U256::ZERO,
            false,
        )));
        ok(serde_json::json!({
            "raw": Bytes::from(unsigned.encoded_2718()),
            "tx": unsigned,
        }))
    });
    method!(m, "eth_sign", |p, c| {
        let (address, data): (Address, Bytes) = p.parse()?;
        let sig = c
            .signer(&address)?
            .sign_message_sync(&data)
            .map_err(RpcError::internal)?;
        ok(Bytes::from(sig.as_bytes().to_vec()))
    });
    method!(m, "personal_sign", |p, c| {
        let (data, address): (Bytes, Address) = p.parse()?;
        let sig = c
            .signer(&address)?
            .sign_message_sync(&data)
            .map_err(RpcError::internal)?;
        ok(Bytes::from(sig.as_bytes().to_vec()))
    });
    method!(m, "eth_signTypedData_v4", |p, c| {
        let (address, data): (Address, Value) = p.parse()?;
        // Wallets send the typed data either as an object or as a JSON string.
        let typed: TypedData = match data {
            Value::String(s) => serde_json::from_str(&s).map_err(RpcError::params)?,
            other => serde_json::from_value(other).map_err(RpcError::params)?,
        };
        let sig = c
            .signer(&address)?
            .sign_dynamic_typed_data_sync(&typed)
            .map_err(RpcError::internal)?;
        ok(Bytes::from(sig.as_bytes().to_vec()))
    });
    m.register_alias("eth_signTypedData", "eth_signTypedData_v4")?;

    Ok(())
}

pub(crate) fn sign_request(c: &RpcContext, request: TransactionRequest) -> RpcResult<TxEnvelope> {
    let from = request
        .from
        .ok_or_else(|| RpcError::params("missing `from`"))?;
    let signer = c.signer(&from)?;
    let typed = fill_request(c, request)?;
    let signature = signer
        .sign_hash_sync(&typed.signature_hash())
        .map_err(RpcError::internal)?;
    Ok(TxEnvelope::from(typed.into_signed(signature)))
}

/// Fills what a wallet would (nonce, chain id, fees, gas) into a request from `from`.
pub(crate) fn fill_request(
    c: &RpcContext,
    mut request: TransactionRequest,
) -> RpcResult<alloy_consensus::TypedTransaction> {
    let from = request
        .from
        .ok_or_else(|| RpcError::params("missing `from`"))?;
    let next = c.next_block();
    let state = c.state.latest();
    if request.nonce.is_none() {
        request.nonce = Some(c.mempool.pending_nonce(&from, state.nonce(&from)));
    }
    request.chain_id.get_or_insert(next.chain_id);
    if request.gas_price.is_none() && request.max_fee_per_gas.is_none() {
        request.max_fee_per_gas = Some(u128::from(next.base_fee) * 2);
        request.max_priority_fee_per_gas.get_or_insert(0);
    } else if request.max_fee_per_gas.is_some() {
        request.max_priority_fee_per_gas.get_or_insert(0);
    }
    if request.gas.is_none() {
        let parent = c.chain.latest();
        let cap = c.rpc_config.gas_cap.min(next.gas_limit);
        let env = call_env(c, &request, &state, cap);
        let gas =
            c.executor()
                .estimate_gas(state, c.block_hashes(), &c.call_block(&parent), env, cap)?;
        request.gas = Some(gas);
    }
    if request.to.is_none() {
        request.to = Some(TxKind::Create);
    }
    request
        .build_typed_tx()
        .map_err(|_| RpcError::params("incomplete transaction request"))
}

trait RecoverPub {
    fn recover_signer_unchecked_pub(&self) -> RpcResult<Address>;
}
impl RecoverPub for TxEnvelope {
    fn recover_signer_unchecked_pub(&self) -> RpcResult<Address> {
        use alloy_consensus::transaction::SignerRecoverable;
        self.recover_signer().map_err(|_| RpcError::DecodeTx)
    }
}
