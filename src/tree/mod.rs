//! State tree: the ZKsync OS Blake2s state tree. A block's storage writes -> new root; any key ->
//! a proof of its value or of its absence.
//!
//! The shape is ZKsync OS's `simple_growable_storage` (and the server's `zksync_os_merkle_tree`,
//! which stores the same tree radix-8): a dense binary tree of depth 64 whose leaves are used
//! left to right in insertion order and never removed. Each leaf holds `(key, value,
//! next_index)`, `next_index` pointing at the leaf with the next larger key, so the leaves also
//! form a sorted linked list; that list is what proves a key absent. Two guard leaves are there
//! from genesis: key `0x00…00` at index 0 and key `0xff…ff` at index 1 (value 0, both
//! `next_index = 1`: the max guard links to itself).
//!
//! Hashes: `leaf = blake2s(key ‖ value ‖ next_index u64 LE)`, `node = blake2s(left ‖ right)`,
//! an unused slot is the all-zero leaf and an empty subtree of height `h + 1` hashes two of
//! height `h`. Storage key = `blake2s(address padded to 32 ‖ slot)`; an account's value is the
//! Blake2s of its 124-byte `AccountProperties`, stored under slot `address` of `0x…8003`.
//!
//! Checked against the real code: the genesis root, the guard and empty-leaf hashes, and roots
//! after inserts and updates are test vectors of ZKsync OS and zksync-os-server (see the
//! tests); the key derivation, the `AccountProperties` layout, how deployment fills it (code
//! version 1: the jumpdest bitmap stored after the code) and the state commitment follow their
//! sources. Choices and gaps:
//! - new keys get leaf indices in the order `apply` receives them; the real system uses its own
//!   storage-diff order, so roots match it only if the caller feeds that order;
//! - a zero written to an absent key adds no leaf (ZKsync OS only inserts slots whose value
//!   changed in the block);
//! - [`account_value`] lacks the code, so the keccak code hash stands in for the Blake2s
//!   `bytecode_hash` ([`account_value_for_code`] is exact); empty code is taken to mean "no
//!   code", while ZKsync OS marks a contract deployed with empty code as deployed.
//!
//! Every version is cheap to keep: leaves, the key index and the node levels are `imbl`
//! collections, so `clone()` shares structure and costs O(1) in the tree size.

mod account;
mod hash;
mod proof;
#[cfg(test)]
mod tests;

use alloy_primitives::B256;

pub use account::{
    ACCOUNT_PROPERTIES_ADDRESS, AccountProperties, account_key, account_properties, account_value,
    account_value_for_code, storage_key,
};
pub use hash::{Leaf, StateCommitmentPreimage, blake2s256, state_commitment};
pub use proof::{LeafProof, ProofError, TreeProof};

use hash::{Hasher, empty_subtree_hash};

/// Levels from the leaves to the root.
pub const TREE_DEPTH: usize = 64;
/// Key of the guard leaf at index 0.
pub const MIN_GUARD_KEY: B256 = B256::ZERO;
/// Key of the guard leaf at index 1.
pub const MAX_GUARD_KEY: B256 = B256::new([0xff; 32]);

/// The state tree at one point in time; cloning it keeps that version.
#[derive(Clone)]
pub struct StateTree {
    /// Leaves by index, in insertion order.
    leaves: imbl::Vector<Leaf>,
    /// Key -> leaf index, ordered: the leaf a new key links after is a range query away.
    indices: imbl::OrdMap<SortKey, u64>,
    /// Node hashes per level, 0 = leaf hashes, [`TREE_DEPTH`] = the root. Leaves fill indices
    /// from 0, so level `l` holds exactly the nodes `0..ceil(leaf_count / 2^l)`; every node to
    /// their right covers only unused slots and hashes as an empty subtree.
    levels: Vec<imbl::Vector<B256>>,
}

impl StateTree {
    /// The genesis tree: the two guard leaves.
    pub fn new() -> Self {
        let mut tree = Self {
            leaves: imbl::Vector::new(),
            indices: imbl::OrdMap::new(),
            levels: vec![imbl::Vector::new(); TREE_DEPTH + 1],
        };
        for (index, key) in [(0, MIN_GUARD_KEY), (1, MAX_GUARD_KEY)] {
            tree.leaves.push_back(Leaf {
                key,
                value: B256::ZERO,
                next_index: 1,
            });
            tree.indices.insert(SortKey::from(&key), index);
        }
        tree.rehash(vec![0, 1]);
        tree
    }

    /// Root hash.
    pub fn root(&self) -> B256 {
        self.node(TREE_DEPTH, 0)
    }

    /// Leaves in use, guards included: the index the next new key gets.
    pub fn leaf_count(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// Applies one block's writes (final values, each key at most once) and returns the new
    /// root. Existing keys are updated in place (a zero value keeps the leaf); new keys are
    /// appended in the order given, so pass them in a deterministic order (sorted by key).
    /// A zero written to an absent key adds nothing: ZKsync OS treats a slot whose value did
    /// not change as a read.
    pub fn apply(&mut self, writes: &[(B256, B256)]) -> B256 {
        let mut dirty = Vec::with_capacity(writes.len() * 2);
        for &(key, value) in writes {
            let sort_key = SortKey::from(&key);
            if let Some(&index) = self.indices.get(&sort_key) {
                let leaf = &mut self.leaves[index as usize];
                if leaf.value != value {
                    leaf.value = value;
                    dirty.push(index);
                }
            } else if !value.is_zero() {
                let index = self.leaf_count();
                let (_, &prev) = self
                    .indices
                    .get_prev(&sort_key)
                    .expect("the min guard key is below every absent key");
                let prev_leaf = &mut self.leaves[prev as usize];
                let next_index = prev_leaf.next_index;
                prev_leaf.next_index = index;
                self.leaves.push_back(Leaf {
                    key,
                    value,
                    next_index,
                });
                self.indices.insert(sort_key, index);
                dirty.extend([prev, index]);
            }
        }
        self.rehash(dirty);
        self.root()
    }

    /// The tree whose leaves, by index, hold these keys and values (what
    /// [`Self::leaves`] gives back): a stored tree read again. `None` unless the guards are at
    /// indices 0 and 1 and no key is there twice. Each leaf's `next_index` follows from the key
    /// order, so it is not stored.
    pub fn from_leaves(leaves: impl IntoIterator<Item = (B256, B256)>) -> Option<Self> {
        let mut tree = Self {
            leaves: imbl::Vector::new(),
            indices: imbl::OrdMap::new(),
            levels: vec![imbl::Vector::new(); TREE_DEPTH + 1],
        };
        for (key, value) in leaves {
            let index = tree.leaf_count();
            tree.leaves.push_back(Leaf {
                key,
                value,
                next_index: 1,
            });
            if tree.indices.insert(SortKey::from(&key), index).is_some() {
                return None;
            }
        }
        let guards = [MIN_GUARD_KEY, MAX_GUARD_KEY];
        if (0..2).any(|i| tree.leaves.get(i).map(|l| l.key) != Some(guards[i])) {
            return None;
        }
        // Each leaf links to the one with the next larger key; the max guard to itself.
        let order: Vec<u64> = tree.indices.values().copied().collect();
        for pair in order.windows(2) {
            tree.leaves[pair[0] as usize].next_index = pair[1];
        }
        tree.rehash((0..tree.leaf_count()).collect());
        Some(tree)
    }

    /// Every leaf's key and value, by index (guards included).
    pub fn leaves(&self) -> impl Iterator<Item = (B256, B256)> + '_ {
        self.leaves.iter().map(|leaf| (leaf.key, leaf.value))
    }

    /// The index and value of `key`'s leaf.
    pub fn leaf(&self, key: &B256) -> Option<(u64, B256)> {
        let &index = self.indices.get(&SortKey::from(key))?;
        Some((index, self.leaves[index as usize].value))
    }

    /// Current value of `key`.
    pub fn get(&self, key: &B256) -> Option<B256> {
        let &index = self.indices.get(&SortKey::from(key))?;
        Some(self.leaves[index as usize].value)
    }

    /// Proof of `key`'s value, or of its absence.
    pub fn prove(&self, key: &B256) -> TreeProof {
        let sort_key = SortKey::from(key);
        if let Some(&index) = self.indices.get(&sort_key) {
            return TreeProof::Existing(self.prove_index(index));
        }
        let (_, &left) = self
            .indices
            .get_prev(&sort_key)
            .expect("the min guard key is below every absent key");
        let right = self.leaves[left as usize].next_index;
        TreeProof::Absent {
            left: self.prove_index(left),
            right: self.prove_index(right),
        }
    }

    /// The leaf at `index` with its path; past [`Self::leaf_count`] that is the empty leaf
    /// (the slot a new key would take).
    pub fn prove_index(&self, index: u64) -> LeafProof {
        let leaf = self.leaves.get(index as usize).copied().unwrap_or_default();
        let siblings = (0..TREE_DEPTH)
            .map(|level| self.node(level, (index >> level) ^ 1))
            .collect();
        LeafProof {
            index,
            leaf,
            siblings,
        }
    }

    fn node(&self, level: usize, index: u64) -> B256 {
        let stored = usize::try_from(index)
            .ok()
            .and_then(|i| self.levels[level].get(i));
        stored.copied().unwrap_or_else(|| empty_subtree_hash(level))
    }

    /// Recomputes the leaf hashes at `dirty` and every node above them, each node once.
    fn rehash(&mut self, mut dirty: Vec<u64>) {
        dirty.sort_unstable();
        dirty.dedup();
        let mut hasher = Hasher::new();
        // The dirty nodes of the current level with their new hashes, by index.
        let mut current: Vec<(u64, B256)> = dirty
            .iter()
            .map(|&index| (index, hasher.leaf(&self.leaves[index as usize])))
            .collect();
        let mut parents = Vec::with_capacity(current.len());
        for level in 0..=TREE_DEPTH {
            for &(index, hash) in &current {
                store(&mut self.levels[level], index, hash);
            }
            if level == TREE_DEPTH {
                break;
            }
            let mut nodes = current.iter().peekable();
            while let Some(&(index, hash)) = nodes.next() {
                let (left, right) = if index & 1 == 1 {
                    (self.node(level, index - 1), hash)
                } else if let Some(&(_, sibling)) = nodes.next_if(|(next, _)| *next == index + 1) {
                    (hash, sibling)
                } else {
                    (hash, self.node(level, index + 1))
                };
                parents.push((index >> 1, hasher.node(&left, &right)));
            }
            std::mem::swap(&mut current, &mut parents);
            parents.clear();
        }
    }
}

impl Default for StateTree {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for StateTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateTree")
            .field("root", &self.root())
            .field("leaf_count", &self.leaf_count())
            .finish_non_exhaustive()
    }
}

/// A key as two big-endian halves: the same order as the bytes, and much cheaper to compare in
/// a debug build, where comparing `B256`s dominated the cost of inserting keys.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey(u128, u128);

impl From<&B256> for SortKey {
    fn from(key: &B256) -> Self {
        let (high, low) = key.0.split_at(16);
        let half = |bytes: &[u8]| u128::from_be_bytes(bytes.try_into().unwrap_or_default());
        Self(half(high), half(low))
    }
}

/// Sets node `index` of a level; a new node is always the next one, since leaves fill in order.
fn store(level: &mut imbl::Vector<B256>, index: u64, hash: B256) {
    let index = index as usize;
    if index < level.len() {
        level.set(index, hash);
    } else {
        debug_assert_eq!(index, level.len(), "levels fill left to right");
        level.push_back(hash);
    }
}
