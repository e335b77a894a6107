//! The methods zksync-os-server defines itself (its `lib/rpc_api` `zks.rs` and `unstable.rs`),
//! in its shapes: `zks_getProof` (the server's `docs/src/design/zks_getProof.md`),
//! `zks_getAccountPreimage`, `zks_getGenesis`, `zks_getBlockMetadataByNumber`,
//! `unstable_getBatchByBlockNumber`, `unstable_getLocalRoot`. L2 with an L1 only.
//!
//! `zks_getBytecodeSupplierContract` is not here: zkos-dev's L1 has no `BytecodesSupplier`
//! (protocol upgrades, which publish bytecodes through it, do not happen on a devnet).

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, Bytes, U64, U256};
use jsonrpsee::RpcModule;
use serde_json::{Value, json};

use super::{
    RpcContext, Settlement,
    error::{RpcError, RpcResult},
    macros::ok,
};
use crate::{
    abi::StoredBatchInfo,
    batcher::{Batch, BatchRecord, block_logs, commitment::logs_local_root, stored_from_blocks},
    tree::{
        LeafProof, StateTree, TREE_DEPTH, TreeProof, account_key, account_properties,
        account_value, storage_key,
    },
};

type Module = RpcModule<RpcContext>;

fn settlement(c: &RpcContext) -> RpcResult<&Settlement> {
    c.settlement
        .as_ref()
        .ok_or_else(|| RpcError::internal("batches need an L1"))
}

/// The ZKsync OS execution version of a protocol minor version (zksync-os-server's
/// `ExecutionVersion::try_from(ProtocolSemanticVersion)`: v29 -> 4, v30 and v31 -> 5).
pub fn execution_version(minor: u16) -> u32 {
    match minor {
        ..=29 => 4,
        _ => 5,
    }
}

/// Batch `n` as the batcher built it in this run (`None`: not yet, or no such batch); an error
/// for one up to the tree checkpoint it started from, which it does not build again.
fn built(s: &Settlement, n: u64) -> RpcResult<Option<BatchRecord>> {
    let base = s.batches.base_number();
    if n == 0 || n > base || n > s.batches.last_sealed() {
        return Ok(s.batches.get(n));
    }
    Err(RpcError::NotFound(format!(
        "the state tree of batch {n} is no longer kept (this run started from the tree checkpoint after batch {base}, and builds only the batches after it)"
    )))
}

/// The error for a batch whose state tree was let go.
fn tree_not_kept(number: u64) -> RpcError {
    RpcError::NotFound(format!(
        "the state tree of batch {number} is no longer kept (executed batches keep theirs while fewer than {} batches are newer)",
        crate::batcher::KEEP_TREES
    ))
}

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    method!(m, "zks_getProof", |p, c| {
        let mut seq = p.sequence();
        let address: Address = seq.next()?;
        let keys: Vec<B256> = seq.next()?;
        // The server requires the batch; without one zkos-dev proves against the last sealed.
        let batch: Option<U64> = seq.optional_next()?;
        let s = settlement(c)?;
        let n = batch.map_or_else(|| s.batches.last_sealed(), |b| b.to::<u64>());
        let Some(record) = built(s, n)? else {
            return ok(Value::Null);
        };
        let tree = record.batch.tree.as_ref().ok_or_else(|| tree_not_kept(n))?;
        ok(batch_storage_proof(&record.batch, tree, address, &keys))
    });
    method!(m, "zks_getAccountPreimage", |p, c| {
        let (address, batch): (Address, U64) = p.parse()?;
        let s = settlement(c)?;
        let Some(record) = built(s, batch.to())? else {
            return ok(Value::Null);
        };
        ok(account_preimage(c, &record.batch, address)?)
    });
    method!(m, "zks_getBlockMetadataByNumber", |p, c| {
        let (n,): (U64,) = p.parse()?;
        // The prices the chain runs at (`--native-price`, `--pubdata-price`; constant).
        let prices = c.chain_config.prices;
        let version = execution_version(c.chain_config.protocol.minor());
        ok(c.chain.block(n.to()).map(|_| {
            json!({
                "pubdata_price_per_byte": U256::from(prices.pubdata_price),
                "native_price": U256::from(prices.native_price),
                "execution_version": version,
            })
        }))
    });
    method!(m, "zks_getGenesis", |_, c| genesis(c));
    method!(m, "unstable_getBatchByBlockNumber", |p, c| {
        let (block,): (U64,) = p.parse()?;
        let block = block.to::<u64>();
        let s = settlement(c)?;
        let not_committed =
            || RpcError::NotFound(format!("block {block} is in no batch committed on L1"));
        let status = s
            .batches
            .batch_of_block(block)
            .and_then(|n| s.batches.status(n))
            .filter(|r| r.commit.is_some())
            .ok_or_else(not_committed)?;
        if let Some(record) = s.batches.get(status.number) {
            let b = &record.batch;
            let range = (b.first_block, b.last_block);
            return ok(persisted_batch(
                &b.stored,
                b.commit_info.lastBlockTimestamp,
                range,
            ));
        }
        // Up to the tree checkpoint (or not built again yet): from its blocks.
        let multichain_root =
            super::log_proof::batch_multichain_root(c, s, status.number, status.last_block)?;
        let (stored, last_timestamp) =
            stored_from_blocks(&c.chain, &status, c.chain_config.chain_id, multichain_root)
                .ok_or_else(not_committed)?;
        let range = (status.first_block, status.last_block);
        ok(persisted_batch(&stored, last_timestamp, range))
    });
    method!(m, "unstable_getLocalRoot", |p, c| {
        let (n,): (U64,) = p.parse()?;
        let n = n.to::<u64>();
        let s = settlement(c)?;
        if let Some(record) = s.batches.get(n) {
            return ok(logs_local_root(&record.batch.log_leaves()));
        }
        // Up to the tree checkpoint (or not built again yet): from its blocks.
        let status = s
            .batches
            .status(n)
            .ok_or_else(|| RpcError::NotFound(format!("batch {n} not found")))?;
        let blocks = c.chain.blocks(status.first_block, status.last_block);
        let leaves: Vec<B256> = blocks
            .iter()
            .flat_map(|b| block_logs(b).map(|log| log.leaf()))
            .collect();
        ok(logs_local_root(&leaves))
    });
    Ok(())
}

/// `zks_getProof`'s answer: the slots' tree proofs, what the state commitment hashes besides the
/// root, and the rest of the `StoredBatchInfo` L1 keeps the hash of.
pub fn batch_storage_proof(
    batch: &Batch,
    tree: &StateTree,
    address: Address,
    keys: &[B256],
) -> Value {
    let preimage = &batch.commitment_preimage;
    let stored = &batch.stored;
    let proofs: Vec<Value> = keys
        .iter()
        .map(|key| {
            let proof = match tree.prove(&storage_key(address, *key)) {
                TreeProof::Existing(leaf) => {
                    let mut entry = proof_entry(tree, &leaf);
                    entry.insert("type".into(), json!("existing"));
                    entry
                }
                TreeProof::Absent { left, right } => {
                    let neighbor = |leaf: &LeafProof| {
                        let mut entry = proof_entry(tree, leaf);
                        entry.insert("leafKey".into(), json!(leaf.leaf.key));
                        entry
                    };
                    let mut entry = serde_json::Map::new();
                    entry.insert("type".into(), json!("nonExisting"));
                    entry.insert("leftNeighbor".into(), Value::Object(neighbor(&left)));
                    entry.insert("rightNeighbor".into(), Value::Object(neighbor(&right)));
                    entry
                }
            };
            json!({"key": key, "proof": proof})
        })
        .collect();
    json!({
        "address": address,
        "stateCommitmentPreimage": {
            "nextFreeSlot": U64::from(preimage.next_free_slot),
            "blockNumber": U64::from(preimage.block_number),
            "last256BlockHashesBlake": preimage.last_256_block_hashes_blake,
            "lastBlockTimestamp": U64::from(preimage.last_block_timestamp),
        },
        "storageProofs": proofs,
        "l1VerificationData": {
            "batchNumber": stored.batchNumber,
            "numberOfLayer1Txs": stored.numberOfLayer1Txs.saturating_to::<u64>(),
            "priorityOperationsHash": stored.priorityOperationsHash,
            "dependencyRootsRollingHash": stored.dependencyRootsRollingHash,
            "l2ToL1LogsRootHash": stored.l2LogsTreeRoot,
            "commitment": stored.commitment,
        },
    })
}

/// `{index, value, nextIndex, siblings}` with the siblings cut where only empty subtrees remain
/// above, as the server sends them (the verifier pads with the empty-subtree hashes).
fn proof_entry(tree: &StateTree, proof: &LeafProof) -> serde_json::Map<String, Value> {
    let mut entry = serde_json::Map::new();
    entry.insert("index".into(), json!(proof.index));
    entry.insert("value".into(), json!(proof.leaf.value));
    entry.insert("nextIndex".into(), json!(proof.leaf.next_index));
    entry.insert(
        "siblings".into(),
        json!(proof.siblings[..path_len(tree.leaf_count())]),
    );
    entry
}

/// Siblings below the level where every leaf in use is under node 0: the bit length of the last
/// used index (at least 1). Above it every sibling is an empty subtree.
fn path_len(leaf_count: u64) -> usize {
    let last = leaf_count.saturating_sub(1);
    ((u64::BITS - last.leading_zeros()) as usize).clamp(1, TREE_DEPTH)
}

/// The 124-byte `AccountProperties` whose Blake2s is `address`'s value in the batch's tree
/// (`None` if the account was never written). The account's last write at or before the batch's
/// last block gives the fields.
fn account_preimage(c: &RpcContext, batch: &Batch, address: Address) -> RpcResult<Option<Bytes>> {
    let tree = batch
        .tree
        .as_ref()
        .ok_or_else(|| tree_not_kept(batch.number))?;
    let Some(value) = tree.get(&account_key(address)) else {
        return Ok(None);
    };
    for n in (0..=batch.last_block).rev() {
        let Some(block) = c.chain.block(n) else {
            continue;
        };
        let Some((_, leaf)) = block.writes.accounts.iter().find(|(a, _)| *a == address) else {
            continue;
        };
        let properties = leaf
            .map(|l| account_properties(l.nonce, l.balance, l.code_hash, l.code_len))
            .unwrap_or_default();
        if properties.hash() != value && !(leaf.is_none() && value.is_zero()) {
            return Err(RpcError::internal(format!(
                "the account properties of {address} do not hash to its tree value"
            )));
        }
        return Ok(Some(Bytes::copy_from_slice(&properties.encode())));
    }
    Err(RpcError::internal(format!(
        "no block wrote {address}, though the tree holds it"
    )))
}

/// `unstable_getBatchByBlockNumber`'s `PersistedBatch`: the batch as L1 stores it (the server's
/// `StoredBatchInfo`, snake_case) and its blocks. `execute_sl_block_number` stays null: zkos-dev
/// records the L1 tx and time of each step, not the L1 block.
fn persisted_batch(stored: &StoredBatchInfo, last_timestamp: u64, range: (u64, u64)) -> Value {
    json!({
        "batch_info": {
            "batch_number": stored.batchNumber,
            "state_commitment": stored.batchHash,
            "number_of_layer1_txs": stored.numberOfLayer1Txs.saturating_to::<u64>(),
            "priority_operations_hash": stored.priorityOperationsHash,
            "dependency_roots_rolling_hash": stored.dependencyRootsRollingHash,
            "l2_to_l1_logs_root_hash": stored.l2LogsTreeRoot,
            "commitment": stored.commitment,
            "last_block_timestamp": last_timestamp,
        },
        "block_range": {"start": range.0, "end": range.1},
        "execute_sl_block_number": Value::Null,
    })
}

/// `zks_getGenesis`: the server's `GenesisInput` for the L2's genesis block. Accounts with code
/// are `initial_contracts` (code and the nonce-1 account the server makes of it), their slots
/// `additional_storage` (address -> slot -> value), every other account's tree entry
/// (key, value) `additional_storage_raw`; `genesis_root` is batch 0's state commitment.
fn genesis(c: &RpcContext) -> RpcResult<Value> {
    let s = settlement(c)?;
    let block = c.chain.genesis();
    let state = c.state.latest();
    let mut contracts = Vec::new();
    let mut raw = Vec::new();
    for (address, leaf) in &block.writes.accounts {
        let Some(leaf) = leaf else { continue };
        let code = state
            .code_by_hash(&leaf.code_hash)
            .map(|code| code.original_bytes())
            .filter(|code| !code.is_empty());
        match code {
            Some(code) if leaf.nonce == 1 && leaf.balance.is_zero() => {
                contracts.push(json!([address, code]))
            }
            _ => raw.push(json!([
                account_key(*address),
                account_value(leaf.nonce, leaf.balance, leaf.code_hash, leaf.code_len)
            ])),
        }
    }
    let mut storage: BTreeMap<Address, BTreeMap<B256, B256>> = BTreeMap::new();
    for (address, slot, value) in &block.writes.slots {
        if !value.is_zero() {
            storage
                .entry(*address)
                .or_default()
                .insert(B256::from(*slot), B256::from(*value));
        }
    }
    let root = s
        .batches
        .genesis()
        .map(|g| g.batchHash)
        .ok_or_else(|| RpcError::internal("the batcher has not sealed batch 0 yet"))?;
    ok(json!({
        "initial_contracts": contracts,
        "additional_storage": storage,
        "additional_storage_raw": raw,
        "execution_version": execution_version(c.chain_config.protocol.minor()),
        "genesis_root": root,
    }))
}
