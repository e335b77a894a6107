//! Hashing: Blake2s-256, the leaf and node hashes, the empty-subtree hashes and the state
//! commitment, byte for byte as ZKsync OS computes them.

use std::sync::LazyLock;

use alloy_primitives::B256;
use blake2::Blake2sVarCore;
use blake2::digest::Output;
use blake2::digest::core_api::{Buffer, UpdateCore, VariableOutputCore};
use serde::{Deserialize, Serialize};

use super::TREE_DEPTH;

/// Blake2s-256 of the concatenation of `parts`.
pub fn blake2s256(parts: &[&[u8]]) -> B256 {
    Hasher::new().hash(parts)
}

/// Blake2s-256 that keeps its buffers between hashes.
///
/// It drives the Blake2s core directly rather than through `Digest`: in a debug build the
/// generic wrappers around the core run unoptimised and spend most of their time filling
/// fresh `GenericArray`s, which made hashing a block's dirty nodes five times slower.
pub(super) struct Hasher {
    /// Core state after initialisation with no key, salt or personalisation, 32-byte output.
    initial: Blake2sVarCore,
    buffer: Buffer<Blake2sVarCore>,
    output: Output<Blake2sVarCore>,
}

impl Hasher {
    pub(super) fn new() -> Self {
        Self {
            initial: Blake2sVarCore::new_with_params(&[], &[], 0, 32),
            buffer: Buffer::<Blake2sVarCore>::default(),
            output: Output::<Blake2sVarCore>::default(),
        }
    }

    pub(super) fn hash(&mut self, parts: &[&[u8]]) -> B256 {
        let mut core = self.initial.clone();
        self.buffer.reset();
        for part in parts {
            self.buffer
                .digest_blocks(part, |blocks| core.update_blocks(blocks));
        }
        core.finalize_variable_core(&mut self.buffer, &mut self.output);
        B256::from_slice(&self.output)
    }

    pub(super) fn leaf(&mut self, leaf: &Leaf) -> B256 {
        self.hash(&[
            leaf.key.as_slice(),
            leaf.value.as_slice(),
            &leaf.next_index.to_le_bytes(),
        ])
    }

    /// `blake2s(left ‖ right)`.
    pub(super) fn node(&mut self, left: &B256, right: &B256) -> B256 {
        self.hash(&[left.as_slice(), right.as_slice()])
    }
}

/// One leaf of the tree: a key, its value, and the index of the leaf with the next larger key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaf {
    /// Flat storage key (see [`storage_key`](super::storage_key)).
    pub key: B256,
    /// Value stored under the key.
    pub value: B256,
    /// Index of the leaf holding the next larger key; the max guard points at itself.
    pub next_index: u64,
}

impl Leaf {
    /// `blake2s(key ‖ value ‖ next_index as u64 LE)`. An unused slot hashes as the all-zero leaf.
    pub fn hash(&self) -> B256 {
        Hasher::new().leaf(self)
    }
}

/// Hash of an empty subtree whose root is at `level` (0 = one unused leaf slot).
pub(super) fn empty_subtree_hash(level: usize) -> B256 {
    static EMPTY: LazyLock<[B256; TREE_DEPTH + 1]> = LazyLock::new(|| {
        let mut hasher = Hasher::new();
        let mut hashes = [hasher.leaf(&Leaf::default()); TREE_DEPTH + 1];
        for level in 1..=TREE_DEPTH {
            hashes[level] = hasher.node(&hashes[level - 1], &hashes[level - 1]);
        }
        hashes
    });
    EMPTY[level]
}

/// What a batch's state commitment hashes besides the tree root (zksync-os-server's
/// `StateCommitmentPreimage`, which `zks_getProof` returns so a client can go from a proven root
/// to the commitment on L1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCommitmentPreimage {
    /// Leaves in use after the batch (the index the next new key gets).
    pub next_free_slot: u64,
    /// The batch's last block.
    pub block_number: u64,
    /// `blake2s` of the 256 block hashes ending with `block_number`, oldest first.
    pub last_256_block_hashes_blake: B256,
    /// Timestamp of the last block.
    pub last_block_timestamp: u64,
}

impl StateCommitmentPreimage {
    /// The preimage after block `last_block`.
    ///
    /// `last_256_block_hashes` is oldest first, ending with the hash of `last_block`; fewer than
    /// 256 are padded with zero hashes at the front (genesis: 255 zeros and the genesis hash),
    /// more than 256 are cut to the last 256.
    pub fn new(
        leaf_count: u64,
        last_block: u64,
        last_256_block_hashes: &[B256],
        last_timestamp: u64,
    ) -> Self {
        let recent = &last_256_block_hashes[last_256_block_hashes.len().saturating_sub(256)..];
        let padding = [B256::ZERO].repeat(256 - recent.len());
        let parts: Vec<&[u8]> = padding
            .iter()
            .chain(recent)
            .map(|hash| hash.as_slice())
            .collect();
        Self {
            next_free_slot: leaf_count,
            block_number: last_block,
            last_256_block_hashes_blake: blake2s256(&parts),
            last_block_timestamp: last_timestamp,
        }
    }

    /// The state commitment with tree root `root`: `blake2s(root ‖ next_free_slot u64 BE ‖
    /// block_number u64 BE ‖ last_256_block_hashes_blake ‖ last_block_timestamp u64 BE)`.
    pub fn commitment(&self, root: B256) -> B256 {
        blake2s256(&[
            root.as_slice(),
            &self.next_free_slot.to_be_bytes(),
            &self.block_number.to_be_bytes(),
            self.last_256_block_hashes_blake.as_slice(),
            &self.last_block_timestamp.to_be_bytes(),
        ])
    }
}

/// State commitment of a batch, what L1 stores as the batch hash:
/// `blake2s(root ‖ leaf count u64 BE ‖ last block number u64 BE ‖ blake2s(last 256 block hashes)
/// ‖ last block timestamp u64 BE)` (see [`StateCommitmentPreimage::new`] for the hashes).
pub fn state_commitment(
    root: B256,
    leaf_count: u64,
    last_block: u64,
    last_256_block_hashes: &[B256],
    last_timestamp: u64,
) -> B256 {
    StateCommitmentPreimage::new(
        leaf_count,
        last_block,
        last_256_block_hashes,
        last_timestamp,
    )
    .commitment(root)
}
