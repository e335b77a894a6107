//! Partial state tree: verified Merkle paths of one root -> the root after a batch's writes.
//! `PartialTree::new(root, leaf_count, slot proof)`, `add(proof)`, `apply(writes)`, `root()`.
//!
//! The re-executor has no tree, only the witness's proofs against the previous root. Every
//! key a batch writes was read first (revm loads an account or slot before it changes it, and
//! the witness adds every written key anyway), so its leaf — or, for a new key, the two
//! neighbours that prove it absent — is on a proven path. Updating a leaf needs only the
//! sibling hashes on its path, which the proofs give; a new key goes to the first unused slot
//! (`leaf_count`), whose path the witness proves too. That proof also shows every slot from
//! `leaf_count` on is unused: the slot holds the all-zero leaf and every right-hand sibling on
//! its path is an empty subtree, so a node entirely at or past `leaf_count` that no proof
//! names hashes as an empty subtree. Any other node that is not on a proven path is unknown,
//! and touching it is an error, never a guess. The update rules are `StateTree::apply`'s.

use std::collections::{BTreeMap, HashMap};

use alloy_primitives::B256;

use crate::tree::{Leaf, LeafProof, TREE_DEPTH, blake2s256};

/// Why the partial tree cannot do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartialTreeError {
    /// A proof leads to another root.
    #[error("a Merkle path of leaf {index} leads to {computed}, not the previous root")]
    BadPath {
        /// The leaf.
        index: u64,
        /// Where the path leads.
        computed: B256,
    },
    /// The proof of the first unused slot does not show an unused slot.
    #[error("the proof of slot {0} does not show the first unused slot")]
    NotFirstUnused(u64),
    /// A write to a key the witness does not prove.
    #[error("key {0} is written but not proven in the witness")]
    Unproven(B256),
    /// A node needed for a path is not in the witness.
    #[error("node {index} at level {level} is not in the witness")]
    MissingNode {
        /// Level (0 = leaves).
        level: usize,
        /// Index within the level.
        index: u64,
    },
}

/// The nodes of a tree that the proofs show, updated as writes are applied.
#[derive(Debug, Clone)]
pub struct PartialTree {
    /// Node hashes by (level, index): every node on a proven path and every sibling of one.
    nodes: HashMap<(usize, u64), B256>,
    /// Known leaves by index.
    leaves: HashMap<u64, Leaf>,
    /// Known keys (proven or inserted) -> leaf index, ordered for predecessor lookups.
    keys: BTreeMap<B256, u64>,
    /// Keys proven absent from the previous tree.
    absent: std::collections::HashSet<B256>,
    /// Leaf count of the previous tree: slots from here on were unused.
    first_unused: u64,
    /// Leaf count now.
    leaf_count: u64,
}

fn empty_hashes() -> &'static [B256; TREE_DEPTH + 1] {
    static EMPTY: std::sync::LazyLock<[B256; TREE_DEPTH + 1]> = std::sync::LazyLock::new(|| {
        let mut hashes = [Leaf::default().hash(); TREE_DEPTH + 1];
        for level in 1..=TREE_DEPTH {
            hashes[level] =
                blake2s256(&[hashes[level - 1].as_slice(), hashes[level - 1].as_slice()]);
        }
        hashes
    });
    &EMPTY
}

fn node_hash(left: &B256, right: &B256) -> B256 {
    blake2s256(&[left.as_slice(), right.as_slice()])
}

impl PartialTree {
    /// A partial tree of `root` with `leaf_count` leaves, from the proof of slot `leaf_count`
    /// (the first unused one).
    pub fn new(
        root: B256,
        leaf_count: u64,
        first_unused: &LeafProof,
    ) -> Result<Self, PartialTreeError> {
        let mut tree = Self {
            nodes: HashMap::new(),
            leaves: HashMap::new(),
            keys: BTreeMap::new(),
            absent: Default::default(),
            first_unused: leaf_count,
            leaf_count,
        };
        let empty = empty_hashes();
        let unused = first_unused.index == leaf_count
            && first_unused.leaf == Leaf::default()
            && first_unused.siblings.len() == TREE_DEPTH
            && (0..TREE_DEPTH).all(|level| {
                // A right-hand sibling lies entirely past the slot: it must be empty.
                (leaf_count >> level) & 1 == 1 || first_unused.siblings[level] == empty[level]
            });
        if !unused {
            return Err(PartialTreeError::NotFirstUnused(leaf_count));
        }
        tree.add_path(root, first_unused)?;
        Ok(tree)
    }

    /// Adds a verified path of a leaf of the previous tree.
    fn add_path(&mut self, root: B256, proof: &LeafProof) -> Result<(), PartialTreeError> {
        if proof.siblings.len() != TREE_DEPTH {
            return Err(PartialTreeError::BadPath {
                index: proof.index,
                computed: B256::ZERO,
            });
        }
        let mut path = Vec::with_capacity(TREE_DEPTH + 1);
        let mut hash = proof.leaf.hash();
        let mut index = proof.index;
        for (level, sibling) in proof.siblings.iter().enumerate() {
            path.push(((level, index), hash));
            path.push(((level, index ^ 1), *sibling));
            hash = if index & 1 == 0 {
                node_hash(&hash, sibling)
            } else {
                node_hash(sibling, &hash)
            };
            index >>= 1;
        }
        if hash != root {
            return Err(PartialTreeError::BadPath {
                index: proof.index,
                computed: hash,
            });
        }
        self.nodes.extend(path);
        self.nodes.insert((TREE_DEPTH, 0), root);
        if proof.index < self.first_unused {
            self.leaves.insert(proof.index, proof.leaf);
            self.keys.insert(proof.leaf.key, proof.index);
        }
        Ok(())
    }

    /// Adds a leaf proven present (checked against `root`).
    pub fn add_existing(&mut self, root: B256, proof: &LeafProof) -> Result<(), PartialTreeError> {
        self.add_path(root, proof)
    }

    /// Adds the two neighbours that prove `key` absent (checked against `root`; the caller
    /// has checked the proof's shape with `TreeProof::verify`).
    pub fn add_absent(
        &mut self,
        root: B256,
        key: B256,
        left: &LeafProof,
        right: &LeafProof,
    ) -> Result<(), PartialTreeError> {
        self.add_path(root, left)?;
        self.add_path(root, right)?;
        self.absent.insert(key);
        Ok(())
    }

    /// Root now.
    pub fn root(&self) -> Result<B256, PartialTreeError> {
        self.node(TREE_DEPTH, 0)
    }

    /// Leaves now (the next new key's index).
    pub fn leaf_count(&self) -> u64 {
        self.leaf_count
    }

    fn node(&self, level: usize, index: u64) -> Result<B256, PartialTreeError> {
        if let Some(hash) = self.nodes.get(&(level, index)) {
            return Ok(*hash);
        }
        // Entirely at or past the first unused slot of the previous tree: empty then, and
        // anything written there since is in `nodes`.
        let start = u128::from(index) << level;
        if start >= u128::from(self.first_unused) {
            return Ok(empty_hashes()[level]);
        }
        Err(PartialTreeError::MissingNode { level, index })
    }

    /// Writes `leaf` at `index` and rehashes its path.
    fn set_leaf(&mut self, index: u64, leaf: Leaf) -> Result<(), PartialTreeError> {
        let mut hash = leaf.hash();
        let mut at = index;
        let mut updates = Vec::with_capacity(TREE_DEPTH + 1);
        for level in 0..TREE_DEPTH {
            updates.push(((level, at), hash));
            let sibling = self.node(level, at ^ 1)?;
            hash = if at & 1 == 0 {
                node_hash(&hash, &sibling)
            } else {
                node_hash(&sibling, &hash)
            };
            at >>= 1;
        }
        updates.push(((TREE_DEPTH, 0), hash));
        self.nodes.extend(updates);
        self.leaves.insert(index, leaf);
        Ok(())
    }

    /// Applies one block's writes (sorted by key, each once) as `StateTree::apply` does:
    /// existing keys change in place, a new non-zero key takes the next slot and is linked
    /// after its predecessor, a zero written to an absent key adds nothing.
    pub fn apply(&mut self, writes: &[(B256, B256)]) -> Result<(), PartialTreeError> {
        for &(key, value) in writes {
            if let Some(&index) = self.keys.get(&key) {
                let mut leaf = self.leaves[&index];
                if leaf.value != value {
                    leaf.value = value;
                    self.set_leaf(index, leaf)?;
                }
                continue;
            }
            if !self.absent.contains(&key) {
                return Err(PartialTreeError::Unproven(key));
            }
            if value.is_zero() {
                continue;
            }
            // The absence proof put the key's old predecessor in `keys`; any key inserted
            // since between the two is known too, so the largest known key below is the one.
            let (_, &prev) = self
                .keys
                .range(..key)
                .next_back()
                .ok_or(PartialTreeError::Unproven(key))?;
            let index = self.leaf_count;
            let mut prev_leaf = self.leaves[&prev];
            let next_index = prev_leaf.next_index;
            prev_leaf.next_index = index;
            self.set_leaf(prev, prev_leaf)?;
            self.leaf_count += 1;
            self.set_leaf(
                index,
                Leaf {
                    key,
                    value,
                    next_index,
                },
            )?;
            self.keys.insert(key, index);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{StateTree, TreeProof};

    fn key(i: u8) -> B256 {
        B256::repeat_byte(i)
    }

    fn partial(tree: &StateTree, keys: &[B256]) -> PartialTree {
        let root = tree.root();
        let mut p = PartialTree::new(
            root,
            tree.leaf_count(),
            &tree.prove_index(tree.leaf_count()),
        )
        .unwrap();
        for k in keys {
            match tree.prove(k) {
                TreeProof::Existing(proof) => p.add_existing(root, &proof).unwrap(),
                TreeProof::Absent { left, right } => p.add_absent(root, *k, &left, &right).unwrap(),
            }
        }
        p
    }

    #[test]
    fn updates_and_inserts_give_the_full_trees_root() {
        let mut tree = StateTree::new();
        tree.apply(&[(key(3), key(1)), (key(7), key(2)), (key(9), key(3))]);
        let blocks = [
            vec![
                (key(3), key(4)),
                (key(4), key(5)),
                (key(5), key(6)),
                (key(8), B256::ZERO),
            ],
            vec![
                (key(4), key(7)),
                (key(6), key(8)),
                (key(7), B256::ZERO),
                (key(10), key(9)),
            ],
        ];
        let keys: Vec<B256> = blocks.iter().flatten().map(|(k, _)| *k).collect();
        let mut p = partial(&tree, &keys);
        for block in &blocks {
            tree.apply(block);
            p.apply(block).unwrap();
            assert_eq!(p.root().unwrap(), tree.root());
            assert_eq!(p.leaf_count(), tree.leaf_count());
        }
    }

    #[test]
    fn a_write_to_an_unproven_key_or_a_forged_path_is_refused() {
        let mut tree = StateTree::new();
        tree.apply(&[(key(3), key(1))]);
        let mut p = partial(&tree, &[key(3)]);
        assert_eq!(
            p.apply(&[(key(4), key(1))]),
            Err(PartialTreeError::Unproven(key(4)))
        );
        let mut proof = tree.prove_index(2);
        proof.siblings[5] = key(0xaa);
        assert!(matches!(
            p.add_existing(tree.root(), &proof),
            Err(PartialTreeError::BadPath { .. })
        ));
        // The "first unused slot" must be unused.
        let used = tree.prove_index(2);
        assert!(PartialTree::new(tree.root(), 2, &used).is_err());
    }
}
