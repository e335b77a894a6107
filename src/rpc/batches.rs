//! The `zks_` methods about batches and settlement, and anvil-zksync's manual settlement
//! (`anvil_zks_commitBatch` / `proveBatch` / `executeBatch`). L2 with an L1 only.
//! Shapes follow zksync-era's `L1BatchDetails`, `BlockDetails`, `TransactionDetails` and
//! `L2ToL1LogProof` (`zks_getProof` and the server's own methods are in `zks_os`).

use alloy_eips::BlockNumberOrTag;
use alloy_primitives::{B256, U64, U256};
use jsonrpsee::RpcModule;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::{
    RpcContext, Settlement,
    error::{RpcError, RpcResult},
    macros::ok,
};
use crate::{
    batcher::{L1Stage, L1Step, store::BatchStatus},
    l1::sender::SettleCommand,
    tx::Envelope,
};

type Module = RpcModule<RpcContext>;

pub(super) fn settlement(c: &RpcContext) -> RpcResult<&Settlement> {
    c.settlement
        .as_ref()
        .ok_or_else(|| RpcError::internal("batches need an L1"))
}

fn hex(n: u64) -> Value {
    json!(format!("{n:#x}"))
}

/// Unix seconds as RFC 3339 UTC (`2026-11-22T06:45:28Z`), as zksync-era dates are.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn step_fields(
    out: &mut serde_json::Map<String, Value>,
    record: Option<&BatchStatus>,
    prefix: &str,
) {
    let field = |step: Option<L1Step>| {
        (
            step.map(|s| json!(s.tx)).unwrap_or(Value::Null),
            step.map(|s| json!(rfc3339(s.at))).unwrap_or(Value::Null),
        )
    };
    let (commit, prove, execute) = match record {
        Some(r) => (field(r.commit), field(r.prove), field(r.execute)),
        None => (
            (Value::Null, Value::Null),
            (Value::Null, Value::Null),
            (Value::Null, Value::Null),
        ),
    };
    out.insert(
        format!("{prefix}ommitTxHash").replace(
            "ommit",
            if prefix.is_empty() {
                "commit"
            } else {
                "Commit"
            },
        ),
        commit.0,
    );
    out.insert("committedAt".into(), commit.1);
    out.insert(
        if prefix.is_empty() {
            "proveTxHash"
        } else {
            "ethProveTxHash"
        }
        .into(),
        prove.0,
    );
    out.insert("provenAt".into(), prove.1);
    out.insert(
        if prefix.is_empty() {
            "executeTxHash"
        } else {
            "ethExecuteTxHash"
        }
        .into(),
        execute.0,
    );
    out.insert("executedAt".into(), execute.1);
}

/// "verified" once executed on L1, "sealed" before (zksync-era's two batch statuses).
fn status(record: Option<&BatchStatus>) -> &'static str {
    match record {
        Some(r) if r.execute.is_some() => "verified",
        _ => "sealed",
    }
}

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    method!(m, "zks_L1BatchNumber", |_, c| ok(U64::from(
        settlement(c)?.batches.last_sealed()
    )));
    method!(m, "zks_getL1BatchBlockRange", |p, c| {
        let (n,): (U64,) = p.parse()?;
        let s = settlement(c)?;
        let range = match n.to::<u64>() {
            0 => Some((0, 0)),
            n => s.batches.status(n).map(|r| (r.first_block, r.last_block)),
        };
        ok(range.map(|(a, b)| json!([hex(a), hex(b)])))
    });
    method!(m, "zks_getL1BatchDetails", |p, c| {
        let (n,): (U64,) = p.parse()?;
        let n = n.to::<u64>();
        let s = settlement(c)?;
        if n == 0 {
            let genesis = s.batches.genesis();
            return ok(genesis.map(|g| {
                json!({
                    "number": hex(0), "timestamp": hex(c.chain.genesis().header.timestamp),
                    "l1TxCount": 0, "l2TxCount": 0, "rootHash": g.batchHash, "status": "verified",
                    "commitTxHash": Value::Null, "committedAt": Value::Null, "proveTxHash": Value::Null,
                    "provenAt": Value::Null, "executeTxHash": Value::Null, "executedAt": Value::Null,
                    "l1GasPrice": 0, "l2FairGasPrice": c.chain_config.base_fee, "fairPubdataPrice": 0,
                    "baseSystemContractsHashes": {"bootloader": B256::ZERO, "default_aa": B256::ZERO},
                })
            }));
        }
        // From the batch's status and its blocks, so it is answered from the first call after
        // a restart, before the batcher has built the batch again.
        let Some(record) = s.batches.status(n) else {
            return ok(Value::Null);
        };
        let blocks = c.chain.blocks(record.first_block, record.last_block);
        let txs = blocks.iter().map(|b| b.txs.len() as u64).sum::<u64>();
        let l1 = blocks
            .iter()
            .flat_map(|b| &b.txs)
            .filter(|t| t.tx.envelope.as_l1().is_some())
            .count() as u64;
        let timestamp = blocks.last().map_or(0, |b| b.header.timestamp);
        let hashes = record.hashes;
        let mut out = serde_json::Map::new();
        out.insert("number".into(), hex(n));
        out.insert("timestamp".into(), hex(timestamp));
        out.insert("l1TxCount".into(), json!(l1));
        out.insert("l2TxCount".into(), json!(txs - l1));
        out.insert("rootHash".into(), json!(hashes.map(|h| h.state_commitment)));
        out.insert("stateRoot".into(), json!(hashes.map(|h| h.state_root)));
        out.insert("commitment".into(), json!(hashes.map(|h| h.commitment)));
        out.insert("status".into(), json!(status(Some(&record))));
        step_fields(&mut out, Some(&record), "");
        out.insert("prover".into(), json!(record.prover));
        out.insert(
            "l1GasPrice".into(),
            json!(c.zks.map(|z| z.l1_gas_price).unwrap_or_default()),
        );
        out.insert("l2FairGasPrice".into(), json!(c.chain_config.base_fee));
        out.insert("fairPubdataPrice".into(), json!(0));
        out.insert(
            "baseSystemContractsHashes".into(),
            json!({"bootloader": B256::ZERO, "default_aa": B256::ZERO}),
        );
        ok(Value::Object(out))
    });
    method!(m, "zks_getBlockDetails", |p, c| {
        let (n,): (U64,) = p.parse()?;
        let s = settlement(c)?;
        let Some(block) = c.chain.block(n.to()) else {
            return ok(Value::Null);
        };
        let batch = s.batches.batch_of_block(block.header.number);
        let record = batch.and_then(|b| s.batches.status(b));
        let l1 = block
            .txs
            .iter()
            .filter(|t| t.tx.envelope.as_l1().is_some())
            .count();
        let mut out = serde_json::Map::new();
        out.insert("number".into(), json!(block.header.number));
        out.insert(
            "l1BatchNumber".into(),
            batch.map(hex).unwrap_or(Value::Null),
        );
        out.insert("timestamp".into(), json!(block.header.timestamp));
        out.insert("l1TxCount".into(), json!(l1));
        out.insert("l2TxCount".into(), json!(block.txs.len() - l1));
        out.insert("rootHash".into(), json!(block.hash));
        let status = if block.header.number == c.chain.first_number() {
            "verified"
        } else {
            status(record.as_ref())
        };
        out.insert("status".into(), json!(status));
        step_fields(&mut out, record.as_ref(), "");
        out.insert("operatorAddress".into(), json!(block.header.beneficiary));
        out.insert("protocolVersion".into(), json!("Version30"));
        out.insert(
            "l1GasPrice".into(),
            json!(c.zks.map(|z| z.l1_gas_price).unwrap_or_default()),
        );
        out.insert(
            "l2FairGasPrice".into(),
            json!(block.header.base_fee_per_gas.unwrap_or_default()),
        );
        out.insert("fairPubdataPrice".into(), json!(0));
        out.insert(
            "baseSystemContractsHashes".into(),
            json!({"bootloader": B256::ZERO, "default_aa": B256::ZERO}),
        );
        ok(Value::Object(out))
    });
    method!(m, "zks_getTransactionDetails", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        let s = settlement(c)?;
        if let Some(tx) = c.chain.tx(&hash) {
            let record = s
                .batches
                .batch_of_block(tx.block_number)
                .and_then(|b| s.batches.status(b));
            let status = match (&record, tx.receipt.status()) {
                (_, false) => "failed",
                (Some(r), true) if r.execute.is_some() => "verified",
                _ => "included",
            };
            let fee = U256::from(tx.gas_used) * U256::from(tx.effective_gas_price);
            let mut out = serde_json::Map::new();
            out.insert(
                "isL1Originated".into(),
                json!(tx.tx.envelope.as_l1().is_some()),
            );
            out.insert("status".into(), json!(status));
            out.insert("fee".into(), json!(fee));
            out.insert("gasPerPubdata".into(), json!(U256::ZERO));
            out.insert("initiatorAddress".into(), json!(tx.tx.sender));
            out.insert("receivedAt".into(), json!(rfc3339(tx.block_timestamp)));
            let step = |f: fn(&BatchStatus) -> Option<L1Step>| {
                record
                    .as_ref()
                    .and_then(f)
                    .map(|s| json!(s.tx))
                    .unwrap_or(Value::Null)
            };
            out.insert("ethCommitTxHash".into(), step(|r| r.commit));
            out.insert("ethProveTxHash".into(), step(|r| r.prove));
            out.insert("ethExecuteTxHash".into(), step(|r| r.execute));
            return ok(Value::Object(out));
        }
        ok(c.mempool.get(&hash).map(|tx| {
            json!({
                "isL1Originated": false, "status": "pending", "fee": U256::ZERO,
                "gasPerPubdata": U256::ZERO, "initiatorAddress": tx.sender,
                "receivedAt": rfc3339(crate::sequencer::now()), "ethCommitTxHash": Value::Null,
                "ethProveTxHash": Value::Null, "ethExecuteTxHash": Value::Null,
            })
        }))
    });
    method!(m, "zks_getRawBlockTransactions", |p, c| {
        let (n,): (U64,) = p.parse()?;
        let block = c
            .chain
            .block(n.to())
            .ok_or_else(|| RpcError::NotFound(format!("block {n} not found")))?;
        let txs: Vec<Value> = block
            .txs
            .iter()
            .map(|t| {
                use alloy_consensus::Transaction as _;
                use alloy_eips::eip2718::Encodable2718 as _;
                let e = &t.tx.envelope;
                let common = match e {
                    Envelope::L1(l1) => json!({"L1": {
                        "sender": l1.from(), "serialId": l1.priority_id(), "toMint": l1.to_mint(),
                        "refundRecipient": l1.refund_recipient(), "gasLimit": e.gas_limit(),
                        "maxFeePerGas": e.max_fee_per_gas(), "gasPerPubdataLimit": l1.gas_per_pubdata(),
                        "canonicalTxHash": l1.hash,
                    }}),
                    Envelope::System(_) => json!({"System": {
                        "transactionType": format!("{:#x}", crate::tx::SYSTEM_TX_TYPE),
                    }}),
                    Envelope::Eth(_) | Envelope::Eip712(_) => json!({"L2": {
                        "nonce": e.nonce(), "initiatorAddress": t.tx.sender,
                        "fee": {"gas_limit": e.gas_limit(), "max_fee_per_gas": e.max_fee_per_gas(),
                                "max_priority_fee_per_gas": e.max_priority_fee_per_gas().unwrap_or_default()},
                        "transactionType": format!("{:#x}", alloy_eips::Typed2718::ty(e)),
                    }}),
                };
                json!({
                    "common_data": common,
                    "execute": {
                        "contractAddress": e.to(), "calldata": e.input(), "value": e.value(),
                        "factoryDeps": Value::Null,
                    },
                    "received_timestamp_ms": t.block_timestamp * 1000,
                    "raw_bytes": alloy_primitives::Bytes::from(e.encoded_2718()),
                })
            })
            .collect();
        ok(txs)
    });
    super::log_proof::register(m)?;
    manual(m)?;
    Ok(())
}

fn manual(m: &mut Module) -> anyhow::Result<()> {
    for (name, stage) in [
        ("anvil_zks_commitBatch", L1Stage::Commit),
        ("anvil_zks_proveBatch", L1Stage::Prove),
        ("anvil_zks_executeBatch", L1Stage::Execute),
    ] {
        m.register_async_method(name, move |params, c, _| async move {
            let (n,): (U64,) = params.parse().map_err(RpcError::from)?;
            let s = settlement(&c)?;
            let (reply, answer) = oneshot::channel();
            s.settle
                .send(SettleCommand {
                    stage,
                    batch: n.to(),
                    reply,
                })
                .await
                .map_err(|_| RpcError::internal("the L1 sender has stopped"))?;
            let result = answer
                .await
                .map_err(|_| RpcError::internal("the L1 sender has stopped"))?;
            result.map(|tx| json!(tx)).map_err(RpcError::params)
        })?;
    }
    Ok(())
}

/// `safe` and `finalized` as numbers, for the `zks_` answers that need them.
pub fn finality(c: &RpcContext) -> (Option<u64>, Option<u64>) {
    (
        c.resolve_number(BlockNumberOrTag::Safe),
        c.resolve_number(BlockNumberOrTag::Finalized),
    )
}
