//! Re-executor: `ProverInput` -> verified transition (`Verified`) or a `Rejection`.
//!
//! Stateless: it sees the witness and nothing else. In order:
//! 1. the previous state commitment (what L1 stores for batch n-1) must equal
//!    `state_commitment(prev.root, prev.leaf_count, prev.last_block, prev.block_hashes,
//!    prev.last_timestamp)`: that authenticates the root, the leaf count, the block hashes
//!    `BLOCKHASH` may ask for and the timestamp;
//! 2. every account and slot value is checked against its tree proof under `prev.root` (an
//!    account by the hash of its `AccountProperties`, which covers its code by hash; every
//!    code the witness gives is looked up by its keccak), and the path of the first unused
//!    slot shows where new keys go; a state is built from these values alone;
//! 3. the blocks run through the same `Executor::execute_block` the sequencer uses, on that
//!    state, recording every account and slot read; a read of a key the witness does not
//!    prove, or of a block hash it does not have, rejects the batch. An L2 tx's sender is
//!    recovered from its signature (unless marked impersonated, a devnet feature like the
//!    dev-method `overrides`, both applied as the witness states them);
//! 4. each block's writes update the proven tree paths (`PartialTree`), each block is sealed
//!    (`sequencer::seal`) to get its hash, and the L2->L1 logs, L1 txs and DA hash are
//!    collected as the batcher does;
//! 5. the new state commitment and the batch commitment are recomputed and must equal the
//!    claim.
//!
//! So a `Verified` result says: from the state L1 committed to for batch n-1, these txs
//! (with these dev edits) lead to exactly the claimed commitments.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use alloy_consensus::TxEnvelope;
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, Keccak256, U256, keccak256};
use alloy_sol_types::SolValue;
use parking_lot::Mutex;

use super::{
    input::{ProverInput, TxInput},
    partial_tree::{PartialTree, PartialTreeError},
    witness_state::{account_tree_value, apply_overrides, code_map, set_account},
};
use crate::{
    abi::{CommitBatchInfoZKsyncOS, L2CanonicalTransaction},
    batcher::{
        commitment::{batch_commitment, l2_logs_tree_root, logs_local_root, priority_ops_hash},
        keyed,
    },
    executor::Executor,
    storage::state::{BlockHashes, ReadKey, StateSnapshot},
    tree::{TreeProof, account_key, state_commitment, storage_key},
    tx::{EIP712_TX_TYPE, Envelope, L1_TX_TYPE, L1Tx, ReadyTx, decode_eip712},
};

/// A batch transition the re-executor checked: what the attestation signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// L2 chain id.
    pub chain_id: u64,
    /// The batch.
    pub batch_number: u64,
    /// State commitment before it.
    pub prev_state_commitment: B256,
    /// State commitment after it.
    pub new_state_commitment: B256,
    /// Its batch commitment.
    pub batch_commitment: B256,
    /// Txs re-executed.
    pub txs: u64,
}

/// Why a batch's witness does not prove its claim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The previous state does not hash to the previous state commitment.
    #[error("the previous state does not match the previous state commitment {0}")]
    PrevCommitment(B256),
    /// A tree proof does not verify.
    #[error("bad tree proof for {what}: {reason}")]
    Proof {
        /// Which key.
        what: String,
        /// Why.
        reason: String,
    },
    /// A value differs from what its proof shows.
    #[error("{0}: the value differs from the proven tree leaf")]
    Value(String),
    /// The witness is malformed (codes, txs, block numbers, overrides).
    #[error("malformed witness: {0}")]
    Malformed(String),
    /// A tx did not execute as it was included.
    #[error("block {block}: {reason}")]
    Execution {
        /// The block.
        block: u64,
        /// What went wrong.
        reason: String,
    },
    /// Execution read a key the witness does not prove.
    #[error("execution read {0} outside the witness")]
    ReadOutsideWitness(String),
    /// Execution asked for a block hash the witness does not have.
    #[error("execution read the hash of block {0} outside the witness")]
    BlockHashOutsideWitness(u64),
    /// The writes could not be applied to the proven paths.
    #[error("tree update: {0}")]
    Tree(#[from] PartialTreeError),
    /// The recomputed state commitment differs from the claim.
    #[error("state commitment: claimed {claimed}, re-executed {computed}")]
    StateCommitment {
        /// What the input claims.
        claimed: B256,
        /// What re-execution gives.
        computed: B256,
    },
    /// The recomputed batch commitment differs from the claim.
    #[error("batch commitment: claimed {claimed}, re-executed {computed}")]
    BatchCommitment {
        /// What the input claims.
        claimed: B256,
        /// What re-execution gives.
        computed: B256,
    },
}

fn proof_error(what: String, err: impl std::fmt::Display) -> Rejection {
    Rejection::Proof {
        what,
        reason: err.to_string(),
    }
}

/// Re-executes a batch from its witness alone and checks the claim.
pub fn reexecute(input: &ProverInput) -> Result<Verified, Rejection> {
    let prev = &input.prev;
    if prev.block_hashes.len() > 256
        || state_commitment(
            prev.root,
            prev.leaf_count,
            prev.last_block,
            &prev.block_hashes,
            prev.last_timestamp,
        ) != prev.state_commitment
    {
        return Err(Rejection::PrevCommitment(prev.state_commitment));
    }
    let codes = code_map(&input.bytecodes);
    let code_len = |hash: &B256| codes.get(hash).map(|c| c.len() as u32).unwrap_or_default();
    let mut tree = PartialTree::new(prev.root, prev.leaf_count, &input.first_unused)?;
    let mut state = StateSnapshot::default();
    let mut witnessed: HashSet<ReadKey> = HashSet::new();
    let first_overrides: HashSet<Address> = input
        .blocks
        .first()
        .map(|b| b.overrides.accounts.iter().map(|(a, _)| *a).collect())
        .unwrap_or_default();

    for read in &input.accounts {
        let what = format!("account {}", read.address);
        let key = account_key(read.address);
        let leaf = read
            .proof
            .verify(prev.root, &key)
            .map_err(|e| proof_error(what.clone(), e))?;
        add_proof(&mut tree, prev.root, key, &read.proof)?;
        witnessed.insert(ReadKey::Account(read.address));
        if read.overridden {
            if !first_overrides.contains(&read.address) {
                return Err(Rejection::Malformed(format!(
                    "{what} has no value and no override"
                )));
            }
            continue;
        }
        if let Some(fields) = &read.account
            && fields.code_hash != KECCAK256_EMPTY
            && !codes.contains_key(&fields.code_hash)
        {
            return Err(Rejection::Malformed(format!(
                "the code of {what} is missing"
            )));
        }
        let value = account_tree_value(read.account.as_ref(), code_len);
        if leaf.unwrap_or_default() != value {
            return Err(Rejection::Value(what));
        }
        if let Some(fields) = &read.account {
            set_account(&mut state, read.address, fields, &codes)
                .map_err(|e| Rejection::Malformed(e.to_string()))?;
        }
    }
    for read in &input.slots {
        let what = format!("slot {} of {}", read.slot, read.address);
        let key = storage_key(read.address, B256::from(read.slot));
        let leaf = read
            .proof
            .verify(prev.root, &key)
            .map_err(|e| proof_error(what.clone(), e))?;
        add_proof(&mut tree, prev.root, key, &read.proof)?;
        if leaf.unwrap_or_default() != B256::from(read.value) {
            return Err(Rejection::Value(what));
        }
        witnessed.insert(ReadKey::Slot(read.address, read.slot));
        if !read.value.is_zero() {
            state.set_storage(read.address, read.slot, read.value);
        }
    }
    // The witness state is the starting point, not a change.
    let _ = state.take_writes();
    let reads = state.record_reads();

    // Block hashes: the authenticated previous ones, then each block's as it is sealed.
    let hashes: Arc<Mutex<HashMap<u64, B256>>> = Arc::new(Mutex::new(
        prev.block_hashes
            .iter()
            .rev()
            .enumerate()
            .map(|(back, hash)| (prev.last_block - back as u64, *hash))
            .collect(),
    ));
    let missing_hash: Arc<Mutex<Option<u64>>> = Arc::default();
    let block_hashes: BlockHashes = {
        let (hashes, missing) = (hashes.clone(), missing_hash.clone());
        Arc::new(move |n| {
            let hash = hashes.lock().get(&n).copied();
            hash.unwrap_or_else(|| {
                *missing.lock() = Some(n);
                B256::ZERO
            })
        })
    };
    let executor = Executor {
        chain_id: input.chain_id,
        output: None,
        rules: input.rules,
        allow_eip7702: input.allow_eip7702,
        prices: input.prices,
        protocol: input.protocol,
    };
    let mut parent_hash = prev.block_hashes.last().copied().unwrap_or_default();
    let mut all_hashes = prev.block_hashes.clone();
    let mut l1_txs = vec![];
    let mut roots = vec![];
    let mut leaves = vec![];
    let mut da = Keccak256::new();
    let mut tx_count = 0u64;
    let mut timestamps = (None, prev.last_timestamp);
    for (i, block) in input.blocks.iter().enumerate() {
        let number = block.number;
        if number != prev.last_block + 1 + i as u64 || block.timestamp < timestamps.1 {
            return Err(Rejection::Malformed(format!("block {number} out of order")));
        }
        timestamps = (timestamps.0.or(Some(block.timestamp)), block.timestamp);
        let txs = block
            .txs
            .iter()
            .map(decode_tx)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| Rejection::Execution {
                block: number,
                reason,
            })?;
        apply_overrides(&mut state, &block.overrides, &codes)
            .map_err(|e| Rejection::Malformed(e.to_string()))?;
        let ctx = block.context();
        let outcome = executor.execute_block(state, block_hashes.clone(), &ctx, txs);
        if let Some((tx, reason)) = outcome.invalid.first() {
            return Err(Rejection::Execution {
                block: number,
                reason: format!("tx {} is invalid: {reason}", tx.hash),
            });
        }
        if outcome.executed.len() != block.txs.len() {
            return Err(Rejection::Execution {
                block: number,
                reason: "not every tx fits the block".into(),
            });
        }
        state = outcome.state;
        let writes = state.take_writes();
        let keyed_writes = keyed(&writes);
        tree.apply(&keyed_writes)?;
        for (key, value) in &keyed_writes {
            da.update(key);
            da.update(value);
        }
        let sealed = crate::sequencer::seal(&ctx, parent_hash, outcome.executed, writes);
        roots.extend(crate::batcher::imported_roots(&sealed));
        for tx in &sealed.txs {
            if tx.tx.envelope.as_l1().is_some() {
                l1_txs.push(tx.tx.hash);
            }
            for log in &tx.l2_to_l1_logs {
                let encoded = log.encode();
                leaves.push(keccak256(encoded));
                da.update(encoded);
            }
        }
        tx_count += sealed.txs.len() as u64;
        parent_hash = sealed.hash;
        all_hashes.push(sealed.hash);
        hashes.lock().insert(number, sealed.hash);
    }
    // Read at the end of the batch, as ZKsync OS reads it: a witness must hold it.
    let multichain_root = crate::batcher::commitment::multichain_root(|slot| {
        B256::from(state.storage(&crate::tx::MESSAGE_ROOT, slot))
    });
    if let Some(n) = *missing_hash.lock() {
        return Err(Rejection::BlockHashOutsideWitness(n));
    }
    let mut outside: Vec<ReadKey> = reads
        .keys()
        .into_iter()
        .filter(|key| !witnessed.contains(key))
        .collect();
    outside.sort();
    if let Some(key) = outside.first() {
        return Err(Rejection::ReadOutsideWitness(match key {
            ReadKey::Account(a) => format!("account {a}"),
            ReadKey::Slot(a, s) => format!("slot {s} of {a}"),
        }));
    }

    let last_block = prev.last_block + input.blocks.len() as u64;
    let new_state_commitment = state_commitment(
        tree.root()?,
        tree.leaf_count(),
        last_block,
        &all_hashes,
        timestamps.1,
    );
    if new_state_commitment != input.claim.new_state_commitment {
        return Err(Rejection::StateCommitment {
            claimed: input.claim.new_state_commitment,
            computed: new_state_commitment,
        });
    }
    let info = CommitBatchInfoZKsyncOS {
        batchNumber: input.batch_number,
        newStateCommitment: new_state_commitment,
        numberOfLayer1Txs: U256::from(l1_txs.len()),
        priorityOperationsHash: priority_ops_hash(&l1_txs),
        dependencyRootsRollingHash: crate::tx::rolling_hash(B256::ZERO, &roots),
        l2LogsTreeRoot: l2_logs_tree_root(logs_local_root(&leaves), multichain_root),
        l2DaValidator: Address::ZERO,
        daCommitment: da.finalize(),
        firstBlockTimestamp: timestamps.0.unwrap_or(prev.last_timestamp),
        lastBlockTimestamp: timestamps.1,
        chainId: U256::from(input.chain_id),
        operatorDAInput: Bytes::new(),
    };
    let commitment = batch_commitment(&info);
    if commitment != input.claim.batch_commitment {
        return Err(Rejection::BatchCommitment {
            claimed: input.claim.batch_commitment,
            computed: commitment,
        });
    }
    Ok(Verified {
        chain_id: input.chain_id,
        batch_number: input.batch_number,
        prev_state_commitment: prev.state_commitment,
        new_state_commitment,
        batch_commitment: commitment,
        txs: tx_count,
    })
}

fn add_proof(
    tree: &mut PartialTree,
    root: B256,
    key: B256,
    proof: &TreeProof,
) -> Result<(), Rejection> {
    match proof {
        TreeProof::Existing(leaf) => tree.add_existing(root, leaf)?,
        TreeProof::Absent { left, right } => tree.add_absent(root, key, left, right)?,
    }
    Ok(())
}

/// Decodes one tx; an L2 tx's sender must be the one its signature gives (unless impersonated),
/// an L1 tx's the one L1 named, a system tx's the bootloader.
fn decode_tx(tx: &TxInput) -> Result<ReadyTx, String> {
    if tx.raw.first() == Some(&L1_TX_TYPE) {
        let canonical = L2CanonicalTransaction::abi_decode(&tx.raw[1..])
            .map_err(|e| format!("bad L1 tx: {e}"))?;
        let l1 = L1Tx::new(canonical);
        if l1.from() != tx.sender {
            return Err(format!("L1 tx {} is not from {}", l1.hash, tx.sender));
        }
        return Ok(ReadyTx::l1(l1));
    }
    if tx.raw.first() == Some(&crate::tx::SYSTEM_TX_TYPE) {
        let system = crate::tx::SystemTx::decode(&tx.raw[1..]).map_err(|e| format!("{e:#}"))?;
        if tx.sender != crate::tx::BOOTLOADER {
            return Err(format!(
                "system tx {} is not from the bootloader",
                system.hash
            ));
        }
        return Ok(ReadyTx::system(system));
    }
    let mut buf = tx.raw.as_ref();
    let envelope = match buf.split_first() {
        Some((&EIP712_TX_TYPE, mut body)) => {
            let decoded = decode_eip712(&mut body).map_err(|e| format!("bad EIP-712 tx: {e}"))?;
            buf = body;
            Envelope::Eip712(Box::new(decoded.refuse_zksync_fields()?))
        }
        _ => Envelope::Eth(TxEnvelope::decode_2718(&mut buf).map_err(|e| format!("bad tx: {e}"))?),
    };
    if !buf.is_empty() {
        return Err("bad tx: trailing bytes".into());
    }
    let hash = envelope.hash();
    if !tx.impersonated {
        let signer = envelope
            .recover_signer()
            .ok_or_else(|| format!("tx {hash}: bad signature"))?;
        if signer != tx.sender {
            return Err(format!(
                "tx {hash} is signed by {signer}, not {}",
                tx.sender
            ));
        }
    }
    Ok(ReadyTx {
        hash,
        sender: tx.sender,
        envelope,
    })
}
