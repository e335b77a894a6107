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
        size: Some(U256::from(block_size(block))),
    }
}

/// `rlp([header, [tx…], [], []])`: the txs in their network encoding (a typed tx as an RLP
/// string of its EIP-2718 bytes), no uncles, no withdrawals (Shanghai and later).
pub fn raw_block(block: &StoredBlock) -> Bytes {
    let lengths = BlockLengths::of(block);
    let mut out = Vec::with_capacity(lengths.size());
    lengths.outer().encode(&mut out);
    block.header.encode(&mut out);
    lengths.txs.encode(&mut out);
    for tx in &block.txs {
        tx.tx.envelope.network_encode(&mut out);
    }
    for _ in 0..lengths.empty_lists {
        EMPTY_LIST.encode(&mut out);
    }
    debug_assert_eq!(out.len(), lengths.size());
    out.into()
}

/// The length of [`raw_block`], the block's `size`, without encoding it.
pub fn block_size(block: &StoredBlock) -> usize {
    BlockLengths::of(block).size()
}

const EMPTY_LIST: alloy_rlp::Header = alloy_rlp::Header {
    list: true,
    payload_length: 0,
};

/// The RLP list headers of [`raw_block`].
struct BlockLengths {
    /// The txs' list.
    txs: alloy_rlp::Header,
    /// Uncles, and withdrawals when the header has a withdrawals root: empty lists.
    empty_lists: usize,
    /// The block list's payload.
    payload: usize,
}

impl BlockLengths {
    fn of(block: &StoredBlock) -> Self {
        let txs = alloy_rlp::Header {
            list: true,
            payload_length: block.txs.iter().map(|t| t.tx.envelope.network_len()).sum(),
        };
        let empty_lists = 1 + usize::from(block.header.withdrawals_root.is_some());
        let payload =
            block.header.length() + txs.length_with_payload() + empty_lists * EMPTY_LIST.length();
        Self {
            txs,
            empty_lists,
            payload,
        }
    }

    fn outer(&self) -> alloy_rlp::Header {
        alloy_rlp::Header {
            list: true,
            payload_length: self.payload,
        }
    }

    fn size(&self) -> usize {
        self.outer().length_with_payload()
    }
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
