//! Going back on the chain's own history: `anvil_rollback` (drop the last blocks) and
//! `anvil_reorg` (replace them with others).

use std::collections::HashMap;

use alloy_consensus::transaction::SignerRecoverable as _;
use alloy_primitives::{Address, Bytes};
use alloy_rpc_types_eth::TransactionRequest;
use serde::Deserialize;
use serde_json::Value;

use super::{Module, Num, impersonated_tx};
use crate::{
    rpc::{
        RpcContext,
        dev::ask,
        error::{RpcError, RpcResult},
        send::sign_request,
    },
    sequencer::{CommandError, SequencerCommand},
    tx::ReadyTx,
};

/// Registers the methods.
pub(super) fn register(m: &mut Module) -> anyhow::Result<()> {
    m.register_async_method("anvil_rollback", |p, c, _| async move {
        let mut seq = p.sequence();
        let depth: Option<Num> = seq.optional_next()?;
        let depth = depth.map_or(1, Num::u64);
        ask(&c, |reply| SequencerCommand::Rollback { depth, reply }).await??;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_async_method("anvil_reorg", |p, c, _| async move {
        let options: ReorgOptions = p.parse()?;
        let blocks = {
            let c = c.clone();
            tokio::task::spawn_blocking(move || reorg_blocks(&c, options))
                .await
                .map_err(RpcError::internal)??
        };
        ask(&c, |reply| SequencerCommand::Reorg { blocks, reply }).await??;
        RpcResult::Ok(Value::Null)
    })?;
    Ok(())
}

/// `anvil_reorg` params: `{depth, txBlockPairs}` or `[depth, txBlockPairs]`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReorgOptions {
    depth: u64,
    #[serde(default)]
    tx_block_pairs: Vec<(TransactionData, u64)>,
}

/// A tx of a reorged block: a request (signed by a dev key or impersonated) or a raw tx.
#[derive(Deserialize)]
#[serde(untagged)]
enum TransactionData {
    Json(Box<TransactionRequest>),
    Raw(Bytes),
}

/// The txs of each of the `depth` new blocks, nonces counted from the common ancestor.
fn reorg_blocks(c: &RpcContext, options: ReorgOptions) -> RpcResult<Vec<Vec<ReadyTx>>> {
    let ReorgOptions {
        depth,
        mut tx_block_pairs,
    } = options;
    let height = c.chain.latest_number();
    let common = height.checked_sub(depth).ok_or(CommandError::TooDeep {
        kind: "Reorg",
        height,
        depth,
    })?;
    if let Some((_, n)) = tx_block_pairs.iter().find(|(_, n)| *n >= depth) {
        return Err(RpcError::params(format!(
            "Block number for reorg tx will exceed the reorged chain height. Block number {n} must not exceed (depth-1) {}",
            depth.saturating_sub(1)
        )));
    }
    tx_block_pairs.sort_by_key(|(_, n)| *n);
    let common_state = c
        .state
        .at(common)
        .ok_or(CommandError::StateNotKept(common))?;
    let mut nonces: HashMap<Address, u64> = HashMap::new();
    let mut blocks = vec![Vec::new(); depth as usize];
    for (data, index) in tx_block_pairs {
        let tx = match data {
            TransactionData::Raw(raw) => c.decode_raw(&raw)?,
            TransactionData::Json(request) => {
                let mut request = *request;
                let from = match request.from {
                    Some(from) => from,
                    None => c
                        .accounts
                        .first()
                        .map(|a| a.address)
                        .ok_or_else(|| RpcError::internal("no signer available"))?,
                };
                let nonce = nonces
                    .entry(from)
                    .or_insert_with(|| common_state.nonce(&from));
                request.from = Some(from);
                request.nonce = Some(*nonce);
                *nonce += 1;
                if c.impersonation.is_impersonated(&from) {
                    impersonated_tx(c, request)?
                } else {
                    let envelope = sign_request(c, request)?;
                    let sender = envelope.recover_signer().map_err(|_| RpcError::DecodeTx)?;
                    ReadyTx {
                        hash: *envelope.tx_hash(),
                        sender,
                        envelope: envelope.into(),
                    }
                }
            }
        };
        blocks[index as usize].push(tx);
    }
    Ok(blocks)
}
