//! Proofs: a key's leaf with its Merkle path, or the two neighbouring leaves that show the key
//! is absent. Verifying needs only the root.

use alloy_primitives::B256;
use serde::{Deserialize, Serialize};

use super::TREE_DEPTH;
use super::hash::{Hasher, Leaf};

/// A leaf and the sibling hashes from it up to the root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafProof {
    /// Position of the leaf; its bits, lowest first, say whether each step is a right child.
    pub index: u64,
    /// The leaf (the all-zero leaf for an unused slot).
    pub leaf: Leaf,
    /// The 64 sibling hashes, bottom-up.
    pub siblings: Vec<B256>,
}

impl LeafProof {
    /// The root this path leads to.
    pub fn root_from(&self) -> B256 {
        let mut hasher = Hasher::new();
        let mut hash = hasher.leaf(&self.leaf);
        let mut index = self.index;
        for sibling in &self.siblings {
            hash = if index & 1 == 0 {
                hasher.node(&hash, sibling)
            } else {
                hasher.node(sibling, &hash)
            };
            index >>= 1;
        }
        hash
    }

    fn check(&self, root: B256) -> Result<(), ProofError> {
        if self.siblings.len() != TREE_DEPTH {
            return Err(ProofError::SiblingCount(self.siblings.len()));
        }
        let computed = self.root_from();
        if computed != root {
            return Err(ProofError::RootMismatch {
                expected: root,
                computed,
            });
        }
        Ok(())
    }
}

/// Proof that a key has a value, or that it is not in the tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TreeProof {
    /// The key's own leaf.
    Existing(LeafProof),
    /// Two leaves adjacent in key order with `left.key < key < right.key`: the key would sit
    /// between them, so it is not in the tree.
    Absent {
        /// The leaf with the largest key below the proven key.
        left: LeafProof,
        /// The leaf `left` links to (`left.leaf.next_index == right.index`).
        right: LeafProof,
    },
}

impl TreeProof {
    /// Checks the proof for `key` against `root`: `Some(value)` if the key is present, `None` if
    /// it is proven absent.
    pub fn verify(&self, root: B256, key: &B256) -> Result<Option<B256>, ProofError> {
        match self {
            Self::Existing(proof) => {
                if proof.leaf.key != *key {
                    return Err(ProofError::KeyMismatch);
                }
                proof.check(root)?;
                Ok(Some(proof.leaf.value))
            }
            Self::Absent { left, right } => {
                let ordered = left.leaf.key < *key && *key < right.leaf.key;
                if !ordered || left.leaf.next_index != right.index {
                    return Err(ProofError::NotNeighbours);
                }
                left.check(root)?;
                right.check(root)?;
                Ok(None)
            }
        }
    }
}

/// Why a proof does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// A path must have exactly one sibling per level.
    #[error("expected {TREE_DEPTH} sibling hashes, got {0}")]
    SiblingCount(usize),
    /// An existence proof whose leaf holds another key.
    #[error("the proven leaf holds another key")]
    KeyMismatch,
    /// An absence proof whose leaves are not adjacent around the key.
    #[error("the two leaves are not neighbours around the key")]
    NotNeighbours,
    /// The path leads to another root.
    #[error("proof leads to root {computed}, expected {expected}")]
    RootMismatch {
        /// The root the proof was checked against.
        expected: B256,
        /// The root the path leads to.
        computed: B256,
    },
}
