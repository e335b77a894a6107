//! Headers and raw encodings: `eth_getHeaderByNumber` / `ByHash`, `debug_getRawHeader` /
//! `RawBlock` / `RawTransaction` / `RawTransactions` / `RawReceipts` and
//! `eth_getRawTransactionByBlock{Hash,Number}AndIndex`, RLP and EIP-2718 as alloy encodes them.
//! An L1 tx (type `0x7f`) encodes as `0x7f ‖ abi.encode(L2CanonicalTransaction)`, as
//! zksync-os-server's `ZkEnvelope` does; its receipt as a legacy receipt (the consensus receipt
//! zkos-dev keeps for it).

use alloy_eips::{BlockId, BlockNumberOrTag, eip2718::Encodable2718};
use alloy_primitives::{B256, Bytes, U64, U256};
use alloy_rlp::Encodable;
use jsonrpsee::RpcModule;

use super::{
    RpcContext,
    error::{RpcError, RpcResult},
    macros::ok,
};
use crate::storage::StoredBlock;

type Module = RpcModule<RpcContext>;

pub(crate) fn header_json(block: &StoredBlock) -> alloy_rpc_types_eth::Header {
    alloy_rpc_types_eth::Header {
        hash: block.hash,
        inner: block.header.clone(),
        total_difficulty: Some(U256::ZERO),
        size: Some(U256::from(raw_block(block).len())),
    }
}

/// `rlp([header, [tx…], [], []])`: the txs in their network encoding (a typed tx as an RLP
/// string of its EIP-2718 bytes), no uncles, no withdrawals (Shanghai and later).
pub fn raw_block(block: &StoredBlock) -> Bytes {
    let txs: Vec<Vec<u8>> = block
        .txs
        .iter()
        .map(|t| {
            let mut out = Vec::new();
            t.tx.envelope.network_encode(&mut out);
            out
        })
        .collect();
    let txs_len: usize = txs.iter().map(Vec::len).sum();
    let empty_list = alloy_rlp::Header {
        list: true,
        payload_length: 0,
    };
    let has_withdrawals = block.header.withdrawals_root.is_some();
    let txs_header = alloy_rlp::Header {
        list: true,
        payload_length: txs_len,
    };
    let payload = block.header.length()
        + txs_header.length_with_payload()
        + empty_list.length()
        + if has_withdrawals {
            empty_list.length()
        } else {
            0
        };
    let mut out = Vec::with_capacity(payload + 8);
    alloy_rlp::Header {
        list: true,
        payload_length: payload,
    }
    .encode(&mut out);
    block.header.encode(&mut out);
    txs_header.encode(&mut out);
    for tx in &txs {
        out.extend_from_slice(tx);
    }
    empty_list.encode(&mut out);
    if has_withdrawals {
        empty_list.encode(&mut out);
    }
    out.into()
}

fn block_or_error(c: &RpcContext, id: BlockId) -> RpcResult<std::sync::Arc<StoredBlock>> {
    c.block(id)
        .ok_or_else(|| RpcError::NotFound("header not found".into()))
}

fn raw_tx_at(c: &RpcContext, id: BlockId, index: U64) -> RpcResult<serde_json::Value> {
    ok(c.block(id).and_then(|b| {
        b.txs
            .get(index.to::<usize>())
            .map(|t| Bytes::from(t.tx.envelope.encoded_2718()))
    }))
}

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    method!(m, "eth_getHeaderByNumber", |p, c| {
        let (tag,): (BlockNumberOrTag,) = p.parse()?;
        ok(c.block(BlockId::Number(tag)).map(|b| header_json(&b)))
    });
    method!(m, "eth_getHeaderByHash", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        ok(c.chain.block_by_hash(&hash).map(|b| header_json(&b)))
    });
    method!(m, "eth_getRawTransactionByBlockHashAndIndex", |p, c| {
        let (hash, index): (B256, U64) = p.parse()?;
        raw_tx_at(c, BlockId::from(hash), index)
    });
    method!(m, "eth_getRawTransactionByBlockNumberAndIndex", |p, c| {
        let (tag, index): (BlockNumberOrTag, U64) = p.parse()?;
        raw_tx_at(c, BlockId::Number(tag), index)
    });
    method!(m, "debug_getRawHeader", |p, c| {
        let (id,): (BlockId,) = p.parse()?;
        let block = block_or_error(c, id)?;
        ok(Bytes::from(alloy_rlp::encode(&block.header)))
    });
    method!(m, "debug_getRawBlock", |p, c| {
        let (id,): (BlockId,) = p.parse()?;
        let block = block_or_error(c, id)?;
        ok(raw_block(&block))
    });
    method!(m, "debug_getRawTransactions", |p, c| {
        let (id,): (BlockId,) = p.parse()?;
        let block = block_or_error(c, id)?;
        ok(block
            .txs
            .iter()
            .map(|t| Bytes::from(t.tx.envelope.encoded_2718()))
            .collect::<Vec<_>>())
    });
    method!(m, "debug_getRawReceipts", |p, c| {
        let (id,): (BlockId,) = p.parse()?;
        let block = block_or_error(c, id)?;
        ok(block
            .txs
            .iter()
            .map(|t| Bytes::from(t.receipt.encoded_2718()))
            .collect::<Vec<_>>())
    });
    // As geth: the pool's txs too; `null` for an unknown hash.
    method!(m, "debug_getRawTransaction", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        let envelope = match c.chain.tx(&hash) {
            Some(tx) => Some(tx.tx.envelope.clone()),
            None => c.mempool.get(&hash).map(|tx| tx.envelope),
        };
        ok(envelope.map(|e| Bytes::from(e.encoded_2718())))
    });
    Ok(())
}
