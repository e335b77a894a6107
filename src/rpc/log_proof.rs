//! `zks_getL2ToL1LogProof(txHash, index, proofTarget)`: the Merkle proof of an L2->L1 log, from
//! its leaf to what L1 keeps for it (`"l1BatchRoot"`, the default): its batch's
//! `l2LogsTreeRoot`, or for a chain settling on the Gateway on through the Gateway's trees to
//! the logs root of the Gateway batch that executed it; or to the Gateway's interop root
//! (`"messageRoot"`, a chain settling on the Gateway: the proof a destination L2 checks with
//! `L2MessageVerification`). `null` until the proof exists: the batch sealed, and through the
//! Gateway its execution there (to L1: the Gateway batch holding it committed on L1). zksync-os-server's
//! `LogProofTarget` and `L2ToL1LogProof` shapes; any other target (zksync-era's
//! `"proof_based_gw"` too) is refused as it refuses it.

use alloy_primitives::{B256, U64};
use alloy_provider::RootProvider;
use jsonrpsee::RpcModule;
use serde_json::{Value, json};

use super::{
    RpcContext,
    batches::settlement,
    error::{RpcError, RpcResult},
    macros::ok,
};
use crate::{
    batcher::{
        block_logs,
        commitment::{l2_logs_tree_root, log_proof, logs_local_root},
    },
    interop::proof::{gateway_step, l1_step},
};

/// The proof target of a proof up to the batch's root (the default).
const BATCH_TARGET: &str = "l1BatchRoot";
/// The proof target of a proof through the Gateway, to its interop (message) root.
const GATEWAY_TARGET: &str = "messageRoot";

pub(super) fn register(m: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    m.register_async_method("zks_getL2ToL1LogProof", |params, c, _| async move {
        let mut seq = params.sequence();
        let hash: B256 = seq.next()?;
        let index: Option<U64> = seq.optional_next()?;
        // The proof target (`null`: the default, as zksync-ethers sends it).
        let target: Option<String> = seq.optional_next()?;
        let through_gateway = match target.as_deref() {
            None | Some(BATCH_TARGET) => false,
            Some(GATEWAY_TARGET) => true,
            Some(other) => {
                return Err(RpcError::params(format!(
                    "unknown variant `{other}`, expected `{BATCH_TARGET}` or `{GATEWAY_TARGET}`"
                )));
            }
        };
        let index = index.map(|i| i.to::<usize>()).unwrap_or(0);
        let Some(batch) = batch_proof(&c, hash, index)? else {
            return ok(Value::Null);
        };
        let gateway = settlement(&c)?
            .gateway_url
            .as_ref()
            .and_then(|url| url.get().cloned());
        let gateway = match (gateway, through_gateway) {
            (None, false) => return ok(batch.json(None)),
            (None, true) => {
                return Err(RpcError::params(format!(
                    "log proof target {GATEWAY_TARGET:?} needs a chain that settles on the Gateway (--gateway)"
                )));
            }
            (Some(url), _) => url.parse().map_err(RpcError::internal)?,
        };
        let gateway = RootProvider::<alloy_network::Ethereum>::new_http(gateway);
        let chain_id = c.settings.get().chain_id;
        let step = match through_gateway {
            true => gateway_step(&gateway, chain_id, batch.number, batch.root).await,
            false => l1_step(&gateway, chain_id, batch.number, batch.root).await,
        }
        .map_err(|e| RpcError::internal(format!("{e:#}")))?;
        ok(step.map_or(Value::Null, |step| batch.json(Some(step))))
    })?;
    Ok(())
}

/// A log's proof up to its batch root.
struct BatchProof {
    number: u64,
    id: usize,
    /// Metadata, the 14 siblings and the aggregated root's place.
    proof: Vec<B256>,
    root: B256,
    tx_number: u16,
}

impl BatchProof {
    fn json(self, gateway: Option<crate::interop::proof::GatewayStep>) -> Value {
        let Some(step) = gateway else {
            return json!({
                "batchNumber": self.number,
                "proof": self.proof,
                "id": self.id,
                "root": self.root,
                // The server's field for chains that settle on a gateway.
                "gatewayBlockNumber": Value::Null,
                "txNumberInBatch": self.tx_number,
            });
        };
        let mut proof = self.proof;
        // Not the final node any more, and the batch path follows the log path.
        proof[0].0[2] = step.batch_path_len as u8;
        proof[0].0[3] = 0;
        proof.extend(step.tail);
        // To L1 the proof is of the batch's own root, as the server answers it.
        let (root, gateway_block) = match step.to_l1 {
            true => (self.root, None),
            false => (step.root, Some(step.block)),
        };
        json!({
            "batchNumber": self.number,
            "proof": proof,
            "id": self.id,
            "root": root,
            "gatewayBlockNumber": gateway_block,
            "txNumberInBatch": self.tx_number,
        })
    }
}

/// `None` until the tx's batch exists (its proof is the batch's logs tree). The tree is made
/// from the batch's blocks, so a recorded batch proves its logs before the batcher rebuilt it.
fn batch_proof(c: &RpcContext, hash: B256, index: usize) -> RpcResult<Option<BatchProof>> {
    let s = settlement(c)?;
    let Some(tx) = c.chain.tx(&hash) else {
        return Ok(None);
    };
    if index >= tx.l2_to_l1_logs.len() {
        return Err(RpcError::params(format!(
            "provided L2->L1 log index ({index}) does not exist; there are only {} L2->L1 logs in the transaction",
            tx.l2_to_l1_logs.len()
        )));
    }
    let record = s
        .batches
        .batch_of_block(tx.block_number)
        .and_then(|b| s.batches.status(b));
    let Some(record) = record else {
        return Ok(None);
    };
    let blocks = c.chain.blocks(record.first_block, record.last_block);
    let logs: Vec<_> = blocks.iter().flat_map(|b| block_logs(b)).collect();
    let id = logs
        .iter()
        .position(|l| l.tx_hash == hash && l.index_in_tx == index)
        .ok_or_else(|| RpcError::internal("log missing from its batch"))?;
    let leaves: Vec<B256> = logs.iter().map(|l| l.leaf()).collect();
    let multichain_root = batch_multichain_root(c, s, record.number, record.last_block)?;
    Ok(Some(BatchProof {
        number: record.number,
        id,
        proof: log_proof(&leaves, id, multichain_root),
        root: l2_logs_tree_root(logs_local_root(&leaves), multichain_root),
        tx_number: logs[id].log.tx_number_in_block,
    }))
}

/// The multichain root of batch `number`, whose last block is `last`: as the batcher computed
/// it, or read from the state after `last` (a batch up to the tree checkpoint; -32001 when that
/// state is no longer kept, on the Gateway only).
pub(super) fn batch_multichain_root(
    c: &RpcContext,
    s: &super::Settlement,
    number: u64,
    last: u64,
) -> RpcResult<B256> {
    if let Some(record) = s.batches.get(number) {
        return Ok(record.batch.multichain_root);
    }
    // No chain settles on a chain without a MessageRoot (every one but the Gateway).
    if c.state.latest().code(&crate::tx::MESSAGE_ROOT).is_empty() {
        return Ok(B256::ZERO);
    }
    let state = c
        .state
        .at(last)
        .ok_or_else(|| RpcError::NotFound(c.state.not_kept(last)))?;
    Ok(crate::batcher::commitment::multichain_root(|slot| {
        B256::from(state.storage(&crate::tx::MESSAGE_ROOT, slot))
    }))
}
