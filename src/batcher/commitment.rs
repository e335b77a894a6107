//! The encodings a batch is committed with, as the chain contract checks them
//! (`state/README.md`, "Encodings"): the L2->L1 logs tree, the priority-ops rolling hash, the
//! batch output hash (`commitment`), `StoredBatchInfo` and its hash, and the proof's public input.

use alloy_primitives::{B256, U256, keccak256};
use alloy_sol_types::SolValue;

use crate::abi::{CommitBatchInfoZKsyncOS, StoredBatchInfo};

/// Leaves of the L2->L1 logs tree (16384 = 2^14).
pub(crate) const LOGS_TREE_LEAVES: usize = 1 << LOGS_TREE_DEPTH;
/// Depth of the L2->L1 logs tree.
pub(crate) const LOGS_TREE_DEPTH: usize = 14;

/// keccak256("") : the start of the priority-ops rolling hash.
pub(crate) fn empty_rolling_hash() -> B256 {
    keccak256([])
}

/// Rolling hash over the L1 txs a batch ran: keccak(prev ‖ hash) for each.
pub(crate) fn priority_ops_hash(l1_tx_hashes: &[B256]) -> B256 {
    l1_tx_hashes.iter().fold(empty_rolling_hash(), |acc, h| {
        keccak256([acc.as_slice(), h.as_slice()].concat())
    })
}

/// Hash of an empty leaf: keccak256 of 88 zero bytes.
fn empty_leaf() -> B256 {
    keccak256([0u8; 88])
}

/// The levels of the logs tree over `leaves` (level 0 = the leaves), each level only as long
/// as its non-empty part; the rest is the precomputed empty subtree of that level.
fn levels(leaves: &[B256]) -> (Vec<Vec<B256>>, Vec<B256>) {
    let mut empty = vec![empty_leaf()];
    for level in 0..LOGS_TREE_DEPTH {
        let e = empty[level];
        empty.push(keccak256([e.as_slice(), e.as_slice()].concat()));
    }
    let mut levels = vec![leaves.to_vec()];
    for level in 0..LOGS_TREE_DEPTH {
        let below = &levels[level];
        let up: Vec<B256> = below
            .chunks(2)
            .map(|pair| {
                let right = pair.get(1).copied().unwrap_or(empty[level]);
                keccak256([pair[0].as_slice(), right.as_slice()].concat())
            })
            .collect();
        levels.push(up);
    }
    (levels, empty)
}

/// The root of the batch's logs tree (`localRoot`).
pub(crate) fn logs_local_root(leaves: &[B256]) -> B256 {
    let (levels, empty) = levels(leaves);
    levels[LOGS_TREE_DEPTH]
        .first()
        .copied()
        .unwrap_or(empty[LOGS_TREE_DEPTH])
}

/// Where the MessageRoot keeps its aggregated root (`state/contracts/bridgehub/MessageRoot.sol`).
pub(crate) const MULTICHAIN_ROOT_SLOT: U256 = U256::from_limbs([10, 0, 0, 0]);

/// The multichain root of a batch: the MessageRoot's (`0x…10005`) aggregated root at its end
/// (zero on a chain without one, every chain but the Gateway), read with
/// `slot_of_message_root`. As zksync-os commits to the root of its `L2MessageRoot`, settling a
/// Gateway batch on L1 settles every batch root appended to it.
pub(crate) fn multichain_root(slot_of_message_root: impl FnOnce(U256) -> B256) -> B256 {
    slot_of_message_root(MULTICHAIN_ROOT_SLOT)
}

/// `l2LogsTreeRoot` = keccak256(localRoot ‖ multichainRoot): the multichain root is the
/// aggregated root of the chains that settle on this one (`multichain_root`), zero on a chain
/// no chain settles on.
pub(crate) fn l2_logs_tree_root(local_root: B256, multichain_root: B256) -> B256 {
    keccak256([local_root.as_slice(), multichain_root.as_slice()].concat())
}

/// The proof `zks_getL2ToL1LogProof` returns for leaf `index`: metadata, the 14 siblings
/// bottom-up, and the multichain root (the local root's sibling). Hashing the leaf up these
/// gives `l2LogsTreeRoot`.
pub(crate) fn log_proof(leaves: &[B256], index: usize, multichain_root: B256) -> Vec<B256> {
    let (levels, empty) = levels(leaves);
    let mut metadata = [0u8; 32];
    metadata[0] = 0x01; // version
    metadata[1] = (LOGS_TREE_DEPTH + 1) as u8; // path length
    metadata[2] = 0x00; // no batch-to-chain proof
    metadata[3] = 0x01; // final proof node
    let mut proof = vec![B256::from(metadata)];
    let mut i = index;
    for level in 0..LOGS_TREE_DEPTH {
        let sibling = levels[level].get(i ^ 1).copied().unwrap_or(empty[level]);
        proof.push(sibling);
        i >>= 1;
    }
    proof.push(multichain_root);
    proof
}

/// The batch output hash the contract stores as `StoredBatchInfo.commitment`.
pub(crate) fn batch_commitment(b: &CommitBatchInfoZKsyncOS) -> B256 {
    let mut out = Vec::with_capacity(32 + 8 + 8 + 20 + 32 * 6);
    out.extend_from_slice(&b.chainId.to_be_bytes::<32>());
    out.extend_from_slice(&b.firstBlockTimestamp.to_be_bytes());
    out.extend_from_slice(&b.lastBlockTimestamp.to_be_bytes());
    out.extend_from_slice(b.l2DaValidator.as_slice());
    out.extend_from_slice(b.daCommitment.as_slice());
    out.extend_from_slice(&b.numberOfLayer1Txs.to_be_bytes::<32>());
    out.extend_from_slice(b.priorityOperationsHash.as_slice());
    out.extend_from_slice(b.l2LogsTreeRoot.as_slice());
    out.extend_from_slice(&[0u8; 32]);
    out.extend_from_slice(b.dependencyRootsRollingHash.as_slice());
    keccak256(out)
}

/// What L1 stores for a committed batch.
pub(crate) fn stored_batch_info(b: &CommitBatchInfoZKsyncOS) -> StoredBatchInfo {
    StoredBatchInfo {
        batchNumber: b.batchNumber,
        batchHash: b.newStateCommitment,
        indexRepeatedStorageChanges: 0,
        numberOfLayer1Txs: b.numberOfLayer1Txs,
        priorityOperationsHash: b.priorityOperationsHash,
        dependencyRootsRollingHash: b.dependencyRootsRollingHash,
        l2LogsTreeRoot: b.l2LogsTreeRoot,
        timestamp: U256::ZERO,
        commitment: batch_commitment(b),
    }
}

/// The genesis batch (number 0) for a state commitment.
pub(crate) fn genesis_batch_info(state_commitment: B256) -> StoredBatchInfo {
    StoredBatchInfo {
        batchNumber: 0,
        batchHash: state_commitment,
        indexRepeatedStorageChanges: 0,
        numberOfLayer1Txs: U256::ZERO,
        priorityOperationsHash: empty_rolling_hash(),
        dependencyRootsRollingHash: B256::ZERO,
        l2LogsTreeRoot: B256::ZERO,
        timestamp: U256::ZERO,
        commitment: B256::ZERO,
    }
}

/// `storedBatchHash(n)` = keccak256(abi.encode(StoredBatchInfo)).
pub(crate) fn stored_batch_hash(info: &StoredBatchInfo) -> B256 {
    keccak256(info.abi_encode())
}

/// The proof's public input of one batch: keccak(prev state commitment ‖ new ‖ commitment) >> 32.
pub(crate) fn public_input(prev: &StoredBatchInfo, batch: &StoredBatchInfo) -> U256 {
    let hash = keccak256(
        [
            prev.batchHash.as_slice(),
            batch.batchHash.as_slice(),
            batch.commitment.as_slice(),
        ]
        .concat(),
    );
    U256::from_be_bytes(hash.0) >> 32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_proof_hashes_up_to_the_logs_tree_root() {
        let leaves: Vec<B256> = (0..5u8).map(|i| keccak256([i])).collect();
        let multichain = B256::repeat_byte(0x4d);
        let root = l2_logs_tree_root(logs_local_root(&leaves), multichain);
        for (index, leaf) in leaves.iter().enumerate() {
            let proof = log_proof(&leaves, index, multichain);
            assert_eq!(proof.len(), 16);
            let mut hash = *leaf;
            let mut i = index;
            for sibling in &proof[1..] {
                hash = if i & 1 == 0 {
                    keccak256([hash.as_slice(), sibling.as_slice()].concat())
                } else {
                    keccak256([sibling.as_slice(), hash.as_slice()].concat())
                };
                i >>= 1;
            }
            assert_eq!(hash, root);
        }
    }

    #[test]
    fn an_empty_batch_has_the_all_empty_logs_root() {
        let mut e = empty_leaf();
        for _ in 0..LOGS_TREE_DEPTH {
            e = keccak256([e.as_slice(), e.as_slice()].concat());
        }
        assert_eq!(logs_local_root(&[]), e);
    }
}
