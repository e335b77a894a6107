//! The write path: the sequencer persists each sealed block through `ChainOnDisk` (one
//! operation per block: logged to the write-ahead log, then applied to the database, which a
//! checkpoint syncs) and reads its chain back at start (`resume`); the batch store writes each
//! batch's mark through `BatchesOnDisk`.

use std::{collections::HashMap, sync::Arc};

use alloy_primitives::{B256, Bytes};
use alloy_rlp::Decodable as _;
use parking_lot::Mutex;
use redb::{ReadableDatabase as _, ReadableTable as _};

use super::{BATCHES, CODES, ChainMeta, DataDir, PersistOp, Role, blocks_table, encode, refuse};
use crate::{
    chain_settings::ChainSettings,
    persistence::{
        dump::ChainDump,
        records::{
            self, BatchMark, BlockRecord, PoolTx, RebuiltChain, SettingsRecord, WritesRecord,
        },
    },
    storage::{ChainStore, StateSnapshot, StoredBlock},
    tx::ReadyTx,
};

impl DataDir {
    /// One chain's part of the data dir ([`ChainOnDisk::resume`] reads it back).
    pub fn chain(self: &Arc<Self>, role: Role) -> ChainOnDisk {
        ChainOnDisk {
            dir: self.clone(),
            role,
            hashes: Mutex::new(vec![]),
        }
    }

    /// The batches' part of the data dir.
    pub fn batches(self: &Arc<Self>) -> BatchesOnDisk {
        BatchesOnDisk { dir: self.clone() }
    }
}

/// A chain read back from the data dir at start.
pub struct Resumed {
    /// Its blocks and states.
    pub rebuilt: RebuiltChain,
    /// The next block's settings.
    pub settings: SettingsRecord,
    /// The txs the pool held at the last clean stop.
    pub pool: Vec<PoolTx>,
}

/// One chain's blocks on disk. The sequencer is its only writer.
#[derive(Debug)]
pub struct ChainOnDisk {
    dir: Arc<DataDir>,
    role: Role,
    /// Hashes of the blocks on disk, by number.
    hashes: Mutex<Vec<B256>>,
}

impl ChainOnDisk {
    /// Makes the disk hold exactly `chain`, then `block` after it, as one operation (logged,
    /// then applied; see [`DataDir::checkpoint`]): blocks past the point where disk and memory
    /// part are replaced. `state` is the state after them (its codes, and the changes made
    /// since: dev methods between blocks); `settings` are the next block's.
    pub fn persist(
        &self,
        chain: &ChainStore,
        block: Option<&StoredBlock>,
        state: &StateSnapshot,
        settings: &ChainSettings,
    ) -> anyhow::Result<()> {
        let mut hashes = self.hashes.lock();
        let head = chain.latest_number();
        // `hashes[i]` is block `first + i` (genesis is block 0, or a fork's first block).
        let first = chain.first_number();
        if hashes.first().is_some_and(|h| *h != chain.genesis().hash) {
            hashes.clear();
        }
        // Where disk and memory part: usually right after the disk's last block.
        let mut from = hashes.len().min((head - first) as usize + 1);
        while from > 0 && chain.block_hash(first + from as u64 - 1) != hashes[from - 1] {
            from -= 1;
        }
        let mut blocks: Vec<Arc<StoredBlock>> = chain.blocks(first + from as u64, head);
        if let Some(block) = block {
            blocks.push(Arc::new(block.clone()));
        }
        let records: Vec<BlockRecord> = blocks.iter().map(|b| BlockRecord::from_block(b)).collect();
        // Dev-method changes since the last block (none right after one).
        let pending = WritesRecord::from_writes(&state.peek_writes());
        // The codes they use that the database lacks.
        let (mut code_hashes, mut codes) = (vec![], vec![]);
        {
            let read = self.dir.db.begin_read()?;
            let stored = match read.open_table(CODES) {
                Ok(table) => Some(table),
                Err(redb::TableError::TableDoesNotExist(_)) => None,
                Err(err) => return Err(err.into()),
            };
            let wanted = records
                .iter()
                .flat_map(|r| r.writes.code_hashes())
                .chain(pending.code_hashes());
            for hash in wanted {
                if code_hashes.contains(&hash) {
                    continue;
                }
                if let Some(stored) = &stored
                    && stored.get(&hash.0)?.is_some()
                {
                    continue;
                }
                if let Some(code) = state.code_by_hash(&hash) {
                    code_hashes.push(hash);
                    codes.push(code.original_bytes());
                }
            }
        }
        let op = PersistOp {
            role: match self.role {
                Role::L2 => 0,
                Role::L1 => 1,
            },
            from: first + from as u64,
            genesis: from == 0,
            blocks: records,
            code_hashes,
            codes,
            pending,
            settings: SettingsRecord::from_settings(settings),
        };
        self.dir.write(&op)?;
        hashes.truncate(from);
        hashes.extend(blocks.iter().map(|b| b.hash));
        Ok(())
    }

    /// Keeps the pool's txs (a clean stop) or clears them (an empty list).
    pub fn set_pool(&self, txs: &[ReadyTx]) -> anyhow::Result<()> {
        let raw: Vec<PoolTx> = txs.iter().map(PoolTx::from_tx).collect();
        let txn = self.dir.db.begin_write()?;
        txn.open_table(self.role.meta())?
            .insert("pool", encode(&raw).as_slice())?;
        txn.commit()?;
        Ok(())
    }

    /// This chain as the data dir has it (`None`: not yet written).
    pub fn dump(&self) -> anyhow::Result<Option<ChainDump>> {
        self.dir.chain_dump(self.role)
    }

    /// Rebuilds the chain from disk (`None`: it has none yet), decoding one block at a time.
    pub fn resume(&self) -> anyhow::Result<Option<Resumed>> {
        let dir = &self.dir;
        let role = self.role;
        let txn = dir.db.begin_read()?;
        let Some(blocks) = blocks_table(&txn, role)? else {
            return Ok(None);
        };
        let ChainMeta {
            pending,
            settings,
            pool,
        } = dir.chain_meta(&txn, role)?;
        let mut codes = HashMap::new();
        for row in txn.open_table(CODES)?.iter()? {
            let (hash, code) = row?;
            codes.insert(
                B256::from(*hash.value()),
                Bytes::copy_from_slice(code.value()),
            );
        }
        let records = blocks.iter()?.map(|row| {
            let (number, value) = row?;
            BlockRecord::decode(&mut value.value()).map_err(|e| {
                refuse(
                    &dir.path,
                    format!("{} block {} is damaged ({e})", role.name(), number.value()),
                )
            })
        });
        let rebuilt = records::rebuild(records, &codes, &pending).map_err(|e| {
            refuse(
                &dir.path,
                format!("{} cannot be rebuilt: {e:#}", role.name()),
            )
        })?;
        *self.hashes.lock() = rebuilt
            .chain
            .blocks(rebuilt.chain.first_number(), rebuilt.chain.latest_number())
            .iter()
            .map(|b| b.hash)
            .collect();
        Ok(Some(Resumed {
            rebuilt,
            settings,
            pool,
        }))
    }
}

/// The batches on disk. Written by the batch store as batches move.
#[derive(Debug, Clone)]
pub struct BatchesOnDisk {
    dir: Arc<DataDir>,
}

impl BatchesOnDisk {
    /// Writes (or rewrites) one batch's mark.
    pub fn put(&self, mark: &BatchMark) -> anyhow::Result<()> {
        let txn = self.dir.db.begin_write()?;
        txn.open_table(BATCHES)?
            .insert(mark.number, encode(mark).as_slice())?;
        txn.commit()?;
        Ok(())
    }

    /// Drops the marks of the batches after `number`.
    pub fn truncate(&self, number: u64) -> anyhow::Result<()> {
        let txn = self.dir.db.begin_write()?;
        txn.open_table(BATCHES)?
            .retain_in((number + 1).., |_, _| false)?;
        txn.commit()?;
        Ok(())
    }

    /// Every mark, in order.
    pub fn marks(&self) -> anyhow::Result<Vec<BatchMark>> {
        self.dir.batch_marks()
    }
}
