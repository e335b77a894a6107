//! The state tree checkpoint: the batcher's tree after one sealed batch, so that a restart
//! applies only the blocks after it instead of every block since genesis.
//!
//! Kept as `tree_leaves` (leaf index -> key ‖ value; the tree gives indices in insertion order,
//! so they are stored, not recomputed) and a head record in the L2's meta (`tree_checkpoint`:
//! which batch, its last block and hash, the batch as L1 stores it, the root). A write brings
//! the leaves changed since the checkpoint before it and the new head, queued for the data
//! dir's next checkpoint: one synced transaction with the blocks it stands on.
//!
//! The head is never ahead of the chain on disk and never off it: a write checks, in its
//! transaction, that the batch's last block is canonical there, and every chain write that
//! takes that block off the canonical chain (revert, rollback, reset, load) drops the head in
//! its own transaction. Leaves without a head are left for the next whole write to clear.

use alloy_primitives::{B256, Bytes};
use alloy_rlp::{Decodable as _, RlpDecodable, RlpEncodable};
use redb::{ReadableDatabase as _, ReadableTable as _};

use super::{BatchesOnDisk, L2_META, TREE_LEAVES, encode, refuse, tables};
use crate::persistence::data_dir::Role;

/// Key of the head record in the L2's meta table.
const HEAD: &str = "tree_checkpoint";

/// What a tree checkpoint is the tree of.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct TreeCheckpointRecord {
    /// The batch it is the tree after.
    pub batch: u64,
    /// That batch's last block.
    pub last_block: u64,
    /// That block's hash (the checkpoint is stale once it is no longer canonical).
    pub last_block_hash: B256,
    /// The batch as L1 stores it (`StoredBatchInfo`, ABI-encoded): the next batch's `prev`.
    pub stored: Bytes,
    /// The tree's root.
    pub root: B256,
    /// Its leaves, guards included.
    pub leaf_count: u64,
}

/// A tree checkpoint read back: what it is the tree of, and its leaves' keys and values by
/// index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTree {
    /// What it is the tree of.
    pub record: TreeCheckpointRecord,
    /// Its leaves, by index.
    pub leaves: Vec<(B256, B256)>,
}

/// One leaf of a stored tree: its index, key and value.
pub type StoredLeaf = (u64, B256, B256);

impl BatchesOnDisk {
    /// The tree checkpoint (`None`: there is none), or an error if a leaf is missing.
    pub fn tree_checkpoint(&self) -> anyhow::Result<Option<StoredTree>> {
        let dir = &self.dir;
        let txn = dir.db.begin_read()?;
        let Some(head) = head(&txn.open_table(L2_META)?)? else {
            return Ok(None);
        };
        let leaves = match txn.open_table(TREE_LEAVES) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        let mut out = Vec::with_capacity(head.leaf_count as usize);
        for row in leaves.range(0..head.leaf_count)? {
            let (index, value) = row?;
            if index.value() != out.len() as u64 {
                break;
            }
            let value = value.value();
            out.push((
                B256::from_slice(&value[..32]),
                B256::from_slice(&value[32..]),
            ));
        }
        if out.len() as u64 != head.leaf_count {
            return Err(refuse(
                &dir.path,
                format!(
                    "the state tree checkpoint is damaged (leaf {} of {} is missing)",
                    out.len(),
                    head.leaf_count
                ),
            ));
        }
        Ok(Some(StoredTree {
            record: head,
            leaves: out,
        }))
    }

    /// Hands the checkpoint `record` with its `leaves` to the data dir's next synced write
    /// (a checkpoint every `--checkpoint-interval`, in the same transaction as the blocks it
    /// stands on): on top of the checkpoint after batch `base` (its number and last block
    /// hash; `leaves` are the ones changed since), or whole (`None`: every leaf, replacing
    /// whatever was there). The answer comes once that write is done: whether it was written
    /// (false, writing nothing, if the stored checkpoint is not `base` or `record`'s block is
    /// not canonical on disk). One waits at a time: a newer one replaces it.
    pub fn queue_tree_checkpoint(
        &self,
        record: TreeCheckpointRecord,
        base: Option<(u64, B256)>,
        leaves: Vec<StoredLeaf>,
    ) -> TreeWritten {
        let (done, written) = tokio::sync::oneshot::channel();
        let write = TreeWrite {
            record,
            base,
            leaves,
            done,
        };
        if let Some(replaced) = self.dir.tree_write.lock().replace(write) {
            let _ = replaced
                .done
                .send(Err(anyhow::anyhow!("a newer tree checkpoint replaced it")));
        }
        written
    }

    /// Checkpoints the data dir now (blocks the calling thread): a queued tree checkpoint is
    /// written, or answered.
    pub fn checkpoint(&self) -> anyhow::Result<()> {
        self.dir.checkpoint()
    }
}

/// What becomes of a queued tree checkpoint: whether it was written, once the data dir's
/// write that took it is done (dropped: that write failed).
pub type TreeWritten = tokio::sync::oneshot::Receiver<anyhow::Result<bool>>;

/// A tree checkpoint waiting for the data dir's next synced write.
#[derive(Debug)]
pub(super) struct TreeWrite {
    record: TreeCheckpointRecord,
    base: Option<(u64, B256)>,
    leaves: Vec<StoredLeaf>,
    done: tokio::sync::oneshot::Sender<anyhow::Result<bool>>,
}

impl TreeWrite {
    /// Writes it in `txn`, after the chain writes it stands on; [`Self::finish`] once `txn`
    /// commits.
    pub(super) fn write(&self, txn: &redb::WriteTransaction) -> anyhow::Result<bool> {
        write_leaves(txn, &self.record, self.base, &self.leaves)
    }

    /// Its transaction committed: whoever queued it learns whether it was `written`.
    pub(super) fn finish(self, written: bool) {
        let _ = self.done.send(Ok(written));
    }
}

/// [`BatchesOnDisk::queue_tree_checkpoint`]'s write in `txn`; false: nothing to commit.
fn write_leaves(
    txn: &redb::WriteTransaction,
    record: &TreeCheckpointRecord,
    base: Option<(u64, B256)>,
    leaves: &[StoredLeaf],
) -> anyhow::Result<bool> {
    let canonical = txn.open_table(Role::L2.canonical())?;
    let on_chain = canonical
        .get(record.last_block)?
        .map(|v| tables::from_canonical(v.value()).0);
    if on_chain != Some(record.last_block_hash) {
        return Ok(false);
    }
    let mut meta = txn.open_table(L2_META)?;
    let stored = head(&meta)?.map(|h| (h.batch, h.last_block_hash));
    let mut table = txn.open_table(TREE_LEAVES)?;
    match base {
        Some(base) if stored != Some(base) => return Ok(false),
        Some(_) => {}
        None => table.retain(|_, _| false)?,
    }
    for (index, key, value) in leaves {
        let mut bytes = [0; 64];
        bytes[..32].copy_from_slice(key.as_slice());
        bytes[32..].copy_from_slice(value.as_slice());
        table.insert(index, &bytes)?;
    }
    meta.insert(HEAD, encode(record).as_slice())?;
    Ok(true)
}

/// The head record in `meta`, if any (one that does not decode counts as none: the tree is
/// rebuilt from genesis, as without a checkpoint).
fn head(
    meta: &impl redb::ReadableTable<&'static str, &'static [u8]>,
) -> anyhow::Result<Option<TreeCheckpointRecord>> {
    Ok(meta
        .get(HEAD)?
        .and_then(|v| TreeCheckpointRecord::decode(&mut v.value()).ok()))
}

/// Drops the checkpoint if its block is no longer on the L2's canonical chain (a chain write in
/// `txn` took it off: a revert, a rollback, a reset, a load).
pub(super) fn drop_if_off_chain(txn: &redb::WriteTransaction) -> anyhow::Result<()> {
    let mut meta = txn.open_table(L2_META)?;
    let Some(head) = head(&meta)? else {
        return Ok(());
    };
    let canonical = txn.open_table(Role::L2.canonical())?;
    let on_chain = canonical
        .get(head.last_block)?
        .map(|v| tables::from_canonical(v.value()).0);
    if on_chain != Some(head.last_block_hash) {
        meta.remove(HEAD)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use alloy_primitives::Address;

    use super::*;
    use crate::persistence::{
        data_dir::{DataDir, PersistOp},
        records::SettingsRecord,
    };

    /// The chain from block `from` on is `hashes` (no block records: only the canonical index
    /// matters here).
    fn chain_from(dir: &DataDir, from: u64, hashes: Vec<B256>) {
        let op = PersistOp {
            role: 0,
            from,
            genesis: from == 0,
            next_l1_txs: vec![0; hashes.len()],
            hashes,
            blocks: vec![],
            code_hashes: vec![],
            codes: vec![],
            image: false,
            state: Default::default(),
            pending: Default::default(),
            settings: SettingsRecord {
                chain_id: 270,
                gas_limit: 0,
                base_fee: 0,
                coinbase: Address::ZERO,
                clock_offset: 0,
                has_interval: false,
                interval: 0,
            },
        };
        dir.write(op, vec![], true, None).unwrap();
    }

    fn record(batch: u64, last_block: u64, hash: B256, leaf_count: u64) -> TreeCheckpointRecord {
        TreeCheckpointRecord {
            batch,
            last_block,
            last_block_hash: hash,
            stored: Bytes::new(),
            root: B256::repeat_byte(batch as u8),
            leaf_count,
        }
    }

    /// Queues a tree checkpoint, checkpoints the data dir, and answers whether it was written.
    fn put(
        disk: &BatchesOnDisk,
        record: &TreeCheckpointRecord,
        base: Option<(u64, B256)>,
        leaves: &[StoredLeaf],
    ) -> bool {
        let written = disk.queue_tree_checkpoint(record.clone(), base, leaves.to_vec());
        disk.checkpoint().unwrap();
        written.blocking_recv().unwrap().unwrap()
    }

    fn leaf(i: u8) -> (B256, B256) {
        (B256::repeat_byte(i), B256::repeat_byte(0x80 | i))
    }

    #[test]
    fn a_checkpoint_builds_on_the_one_before_and_goes_with_its_block() {
        let temp = tempfile::tempdir().unwrap();
        let dir = Arc::new(DataDir::open(temp.path(), (270, 31337)).unwrap());
        let hash = |n: u8| B256::repeat_byte(0x10 + n);
        chain_from(&dir, 0, (0..3).map(hash).collect());
        chain_from(&dir, 3, vec![hash(3), hash(4)]);
        let disk = dir.batches();
        assert_eq!(disk.tree_checkpoint().unwrap(), None);

        // Whole: every leaf.
        let first = record(2, 3, hash(3), 3);
        let leaves = [(0, leaf(0)), (1, leaf(1)), (2, leaf(2))].map(|(i, (k, v))| (i, k, v));
        assert!(put(&disk, &first, None, &leaves));
        let read = disk.tree_checkpoint().unwrap().unwrap();
        assert_eq!(read.record, first);
        assert_eq!(read.leaves, vec![leaf(0), leaf(1), leaf(2)]);

        // On top of it: only the leaves that changed, and only on that very checkpoint.
        let second = record(3, 4, hash(4), 4);
        let changed = [
            (1, leaf(1).0, B256::repeat_byte(9)),
            (3, leaf(3).0, leaf(3).1),
        ];
        assert!(!put(&disk, &second, Some((1, hash(3))), &changed));
        assert!(!put(&disk, &second, Some((2, hash(2))), &changed));
        assert!(put(&disk, &second, Some((2, hash(3))), &changed));
        let read = disk.tree_checkpoint().unwrap().unwrap();
        assert_eq!(read.record, second);
        let got = read.leaves;
        assert_eq!(
            got,
            vec![leaf(0), (leaf(1).0, B256::repeat_byte(9)), leaf(2), leaf(3)]
        );

        // Never for a block the chain on disk does not have.
        let ahead = record(4, 5, hash(5), 4);
        assert!(!put(&disk, &ahead, Some((3, hash(4))), &[]));
        let off = record(4, 4, hash(9), 4);
        assert!(!put(&disk, &off, None, &changed));

        // Re-applying the write-ahead log (a restart after a kill) goes through a chain without
        // its block on the way, and keeps it.
        dir.replay_wal().unwrap();
        assert_eq!(disk.tree_checkpoint().unwrap().unwrap().record, second);

        // A chain write that keeps its block keeps it; one that takes it off drops it.
        chain_from(&dir, 5, vec![hash(5)]);
        assert!(disk.tree_checkpoint().unwrap().is_some());
        chain_from(&dir, 4, vec![hash(7)]);
        assert_eq!(disk.tree_checkpoint().unwrap(), None);
    }
}
