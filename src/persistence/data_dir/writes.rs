//! The write path: the sequencer persists each sealed block through `ChainOnDisk` (one
//! operation per block: logged to the write-ahead log, and applied to the database by the next
//! checkpoint; see `log.rs`) and reads its chain back at start (`resume`); the chain reads the blocks
//! that left memory through it (`archive.rs`); the batch store writes each batch's mark
//! through `BatchesOnDisk`.

use std::sync::Arc;

use alloy_primitives::{B256, Bytes, U256};
use alloy_rlp::Decodable as _;
use parking_lot::Mutex;
use redb::{ReadableDatabase as _, ReadableTable as _, ReadableTableMetadata as _};
use revm::bytecode::Bytecode;

use super::{
    CODES, ChainMeta, DataDir, LoggedBlock, PersistOp, Role, batch_log::BatchWrite,
    canonical_table, encode, refuse, tables,
};
use crate::{
    chain_settings::ChainSettings,
    persistence::{
        dump::ChainDump,
        records::{
            self, BatchMark, BlockRecord, PoolTx, RebuiltChain, SettingsRecord, WritesRecord,
        },
    },
    storage::{
        ChainStore, StateSnapshot, StateStore, StoredBlock,
        state::{STATE_HISTORY, STATE_HISTORY_WRITES},
    },
    tx::ReadyTx,
};

impl DataDir {
    /// One chain's part of the data dir ([`ChainOnDisk::resume`] reads it back).
    pub fn chain(self: &Arc<Self>, role: Role) -> ChainOnDisk {
        ChainOnDisk {
            dir: self.clone(),
            role,
            hashes: Mutex::new(vec![]),
            pending: Default::default(),
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
    /// How many block records the restart decoded (the latest few and genesis, however long
    /// the chain is).
    pub blocks_read: usize,
}

/// How many of the latest blocks a restart reads into memory (the rest are read when asked
/// for, and new blocks fill the window).
const RESUMED_BLOCKS: usize = 8;

/// One chain's blocks on disk. The sequencer is its only writer.
#[derive(Debug)]
pub struct ChainOnDisk {
    pub(super) dir: Arc<DataDir>,
    pub(super) role: Role,
    /// The chain on disk: by number from genesis, each block's hash and the priority id of the
    /// next L1 tx after it.
    hashes: Mutex<Vec<(B256, u64)>>,
    /// What the last write left pending.
    pending: Mutex<PendingKeys>,
}

/// The accounts and slots a write left pending.
#[derive(Debug, Default)]
struct PendingKeys {
    accounts: std::collections::BTreeSet<alloy_primitives::Address>,
    slots: std::collections::BTreeSet<(alloy_primitives::Address, U256)>,
}

impl PendingKeys {
    fn of(pending: &WritesRecord) -> Self {
        Self {
            accounts: pending.accounts.iter().map(|a| a.address).collect(),
            slots: pending.slots.iter().map(|s| (s.address, s.slot)).collect(),
        }
    }

    /// Whether every key of `self` is in `other`.
    fn within(&self, other: &Self) -> bool {
        self.accounts.is_subset(&other.accounts) && self.slots.is_subset(&other.slots)
    }
}

impl ChainOnDisk {
    /// Makes the disk hold exactly `chain`, then `block` after it, as one operation (logged,
    /// and applied to the database at the next checkpoint; see [`DataDir::write`]): from the point where disk and memory part,
    /// the chain is `chain`'s. `state` is the state after them (its codes, and the changes made
    /// since: dev methods between blocks); `settings` are the next block's.
    ///
    /// A block appended to the chain brings its writes to the stored state; anything else
    /// (dev-method changes, reverts, rollbacks, loads) stores the whole state.
    pub fn persist(
        &self,
        chain: &ChainStore,
        block: Option<&Arc<StoredBlock>>,
        state: &StateSnapshot,
        settings: &ChainSettings,
    ) -> anyhow::Result<()> {
        self.persist_as(chain, block, state, settings, None)
    }

    /// [`ChainOnDisk::persist`] for `block`, the replay of the logged block `replayed` (from
    /// [`ChainOnDisk::logged_tail`]): written to the database and synced at once, in place of
    /// the logged one.
    pub fn persist_replayed(
        &self,
        chain: &ChainStore,
        block: &Arc<StoredBlock>,
        state: &StateSnapshot,
        settings: &ChainSettings,
        replayed: &LoggedBlock,
    ) -> anyhow::Result<()> {
        self.persist_as(chain, Some(block), state, settings, Some(replayed.seq))
    }

    /// The blocks of this chain a killed process logged after the database's last write of
    /// it, oldest first, for its sequencer to replay. Each stays in the log until its replay is
    /// written ([`ChainOnDisk::persist_replayed`]): a start that stops before keeps them.
    pub fn logged_tail(&self) -> Vec<LoggedBlock> {
        self.dir
            .tail
            .lock()
            .iter()
            .filter(|(role, _)| *role == self.role)
            .map(|(_, logged)| logged.clone())
            .collect()
    }

    /// Why a start stops when the logged block `logged` replays to `replayed`.
    pub fn replay_differs(&self, logged: &LoggedBlock, replayed: &StoredBlock) -> anyhow::Error {
        refuse(
            &self.dir.path,
            format!(
                "{} block {} in its write-ahead log replays to {} where {} was logged (a different build, or flags that change execution, such as the gas model's); it is not replayed",
                self.role.name(),
                logged.header.number,
                replayed.hash,
                logged.hash
            ),
        )
    }

    fn persist_as(
        &self,
        chain: &ChainStore,
        block: Option<&Arc<StoredBlock>>,
        state: &StateSnapshot,
        settings: &ChainSettings,
        replayed: Option<u64>,
    ) -> anyhow::Result<()> {
        let mut disk = self.hashes.lock();
        let head = chain.latest_number();
        // `disk[i]` is block `first + i` (genesis is block 0, or a fork's first block).
        let first = chain.first_number();
        if disk
            .first()
            .is_some_and(|(h, _)| *h != chain.genesis_hash())
        {
            disk.clear();
        }
        // Where disk and memory part: usually right after the disk's last block.
        let mut from = disk.len().min((head - first) as usize + 1);
        while from > 0 && chain.block_hash(first + from as u64 - 1) != disk[from - 1].0 {
            from -= 1;
        }
        let genesis = from == 0;
        // Dev-method changes since the last block.
        let pending = WritesRecord::from_writes(&state.peek_writes());
        let pending_keys = PendingKeys::of(&pending);
        let mut last_pending = self.pending.lock();
        // The stored state is the head's without the pending changes; an image has them too,
        // which is right as long as they stay pending (or go into a block).
        let image = !genesis
            && (from < disk.len() || (block.is_none() && !last_pending.within(&pending_keys)));
        // The blocks from there on; those in memory may be new to the disk.
        let in_memory = chain.window_first();
        let mut blocks: Vec<Arc<StoredBlock>> = chain.blocks(first + from as u64, head);
        blocks.extend(block.cloned());
        let mut next = match from {
            0 => 0,
            from => disk[from - 1].1,
        };
        let (mut hashes, mut next_l1_txs) = (vec![], vec![]);
        for b in &blocks {
            for tx in &b.txs {
                if let Some(l1) = tx.tx.envelope.as_l1() {
                    next = l1.priority_id() + 1;
                }
            }
            hashes.push(b.hash);
            next_l1_txs.push(next);
        }
        let new: Vec<Arc<StoredBlock>> = blocks
            .iter()
            .filter(|b| b.header.number >= in_memory || block.is_some_and(|n| n.hash == b.hash))
            .cloned()
            .collect();
        // One new block and nothing else (what the sequencer persists under load): its record
        // is made off the sequencer's path, when the database takes it; the log gets only what
        // replays it (`log.rs`).
        let one_block = !genesis
            && !image
            && from == disk.len()
            && block.is_some()
            && new.len() == 1
            && pending.accounts.is_empty()
            && pending.slots.is_empty();
        let records: Vec<BlockRecord> = match one_block {
            true => vec![],
            false => new.iter().map(|b| BlockRecord::from_block(b)).collect(),
        };
        let new_codes = new.iter().flat_map(|b| {
            b.writes.accounts.iter().filter_map(|(_, leaf)| {
                let hash = leaf.as_ref()?.code_hash;
                (hash != alloy_primitives::KECCAK256_EMPTY && hash != B256::ZERO).then_some(hash)
            })
        });
        let whole = match image {
            true => WritesRecord::from_writes(&state.image()),
            false => WritesRecord::default(),
        };
        // The codes they use that no operation carried yet in this run (the database skips
        // those it has; nothing is read from it on the sequencer's path).
        let (mut code_hashes, mut codes) = (vec![], vec![]);
        {
            let mut known = self.dir.known_codes.lock();
            let wanted = new_codes
                .chain(pending.code_hashes())
                .chain(whole.code_hashes());
            for hash in wanted {
                if known.contains(&hash) {
                    continue;
                }
                if let Some(code) = state.code_by_hash(&hash) {
                    known.insert(hash);
                    code_hashes.push(hash);
                    codes.push(code.original_bytes());
                }
            }
        }
        let op = PersistOp {
            role: self.role as u8,
            from: first + from as u64,
            genesis,
            hashes,
            next_l1_txs,
            blocks: records,
            code_hashes,
            codes,
            image,
            state: whole,
            pending,
            settings: SettingsRecord::from_settings(settings),
        };
        let rewrites = genesis || image || from < disk.len();
        let on_disk: Vec<(B256, u64)> = op
            .hashes
            .iter()
            .copied()
            .zip(op.next_l1_txs.iter().copied())
            .collect();
        self.dir.write(op, new, rewrites, replayed)?;
        *last_pending = pending_keys;
        disk.truncate(from);
        disk.extend(on_disk);
        Ok(())
    }

    /// Keeps the pool's txs (a clean stop) or clears them (an empty list).
    pub fn set_pool(&self, txs: &[ReadyTx]) -> anyhow::Result<()> {
        let raw: Vec<PoolTx> = txs.iter().map(PoolTx::from_tx).collect();
        let txn = self.dir.write_txn()?;
        txn.open_table(self.role.meta())?
            .insert("pool", encode(&raw).as_slice())?;
        txn.commit()?;
        Ok(())
    }

    /// Whether each block's write is synced before it returns (`--sync always`); else it is
    /// logged to the operating system only.
    pub fn syncs_each_block(&self) -> bool {
        self.dir
            .sync_always
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// This chain as the data dir has it (`None`: not yet written).
    pub fn dump(&self) -> anyhow::Result<Option<ChainDump>> {
        self.dir.chain_dump(self.role)
    }

    /// Reads the chain back (`None`: it has none yet): every block's hash, the latest few
    /// blocks, the stored state and the pending changes, and the genesis state; nothing is
    /// re-applied, so the time does not grow with the chain's length. From then on `window`
    /// blocks stay in memory and older ones are read from here.
    pub fn resume(self: &Arc<Self>, window: usize) -> anyhow::Result<Option<Resumed>> {
        let dir = &self.dir;
        let role = self.role;
        let damaged =
            |what: String| refuse(&dir.path, format!("{} {what} is damaged", role.name()));
        let txn = dir.db.begin_read()?;
        let Some(canonical) = canonical_table(&txn, role)? else {
            return Ok(None);
        };
        let mut disk = Vec::with_capacity(canonical.len()? as usize);
        let mut first = None;
        for row in canonical.iter()? {
            let (number, value) = row?;
            let number = number.value();
            let expected = *first.get_or_insert(number) + disk.len() as u64;
            if number != expected {
                return Err(damaged(format!(
                    "chain (block {number} where {expected} belongs)"
                )));
            }
            disk.push(tables::from_canonical(value.value()));
        }
        let first = first.expect("the table is not empty");
        let ChainMeta {
            pending,
            settings,
            pool,
        } = dir.chain_meta(&txn, role)?;
        let data = txn.open_table(role.block_data())?;
        let read_block = |number: u64, hash: &B256| -> anyhow::Result<StoredBlock> {
            let value = data
                .get(&hash.0)?
                .ok_or_else(|| damaged(format!("block {number} is missing; its record")))?;
            BlockRecord::decode(&mut value.value())
                .map_err(anyhow::Error::from)
                .and_then(|record| record.to_block())
                .map_err(|e| damaged(format!("block {number} ({e})")))
        };
        let head = first + disk.len() as u64 - 1;
        let recent_from = head.saturating_sub(RESUMED_BLOCKS as u64 - 1).max(first);
        let recent_count = (head - recent_from + 1) as usize;
        let recent = (recent_from..=head)
            .map(|n| read_block(n, &disk[(n - first) as usize].0).map(Arc::new))
            .collect::<anyhow::Result<Vec<_>>>()?;
        // The state: stored accounts and slots, then the pending changes on top.
        let mut stored = WritesRecord::default();
        for row in txn.open_table(role.accounts())?.iter()? {
            let (_, value) = row?;
            stored.accounts.push(
                records::AccountWrite::decode(&mut value.value())
                    .map_err(|e| damaged(format!("state ({e})")))?,
            );
        }
        for row in txn.open_table(role.slots())?.iter()? {
            let (key, value) = row?;
            let (address, slot) = tables::from_slot_key(key.value());
            stored.slots.push(records::SlotWrite {
                address,
                slot,
                value: U256::from_be_bytes(*value.value()),
            });
        }
        let codes = txn.open_table(CODES)?;
        let code = |hash: &B256| -> anyhow::Result<Bytecode> {
            let value = codes
                .get(&hash.0)?
                .ok_or_else(|| damaged(format!("state (the code with hash {hash} is missing)")))?;
            Ok(Bytecode::new_raw(Bytes::copy_from_slice(value.value())))
        };
        let mut state = StateSnapshot::default();
        state.restore_writes(&stored.to_writes(), code, false)?;
        // anvil_reset goes back to genesis: its block holds the whole genesis state.
        let genesis_block = read_block(first, &disk[0].0)?;
        let mut genesis = StateSnapshot::default();
        genesis.restore_writes(&genesis_block.writes, code, false)?;
        // The states of the latest blocks, backwards from the stored one through each
        // block's undo record, as many as a running node keeps.
        let undo = txn.open_table(role.undo())?;
        let mut states = vec![(head, state.clone(), 0)];
        let mut total = 0;
        let mut older = state;
        for number in (first + 1..=head).rev() {
            if states.len() >= STATE_HISTORY {
                break;
            }
            let Some(value) = undo.get(&disk[(number - first) as usize].0.0)? else {
                break;
            };
            let record = WritesRecord::decode(&mut value.value())
                .map_err(|e| damaged(format!("undo record of block {number} ({e})")))?;
            let writes = record.to_writes();
            total += writes.len();
            if total > STATE_HISTORY_WRITES {
                break;
            }
            older.restore_writes(&writes, code, false)?;
            // The state after `number` came from `number - 1`'s by these writes.
            states.last_mut().expect("never empty").2 = writes.len();
            states.push((number - 1, older.clone(), 0));
        }
        states.reverse();
        // The changes pending for the next block go on top of the latest.
        if let Some((_, latest, _)) = states.last_mut() {
            latest.restore_writes(&pending.to_writes(), code, true)?;
        }
        let mut kept = states.into_iter();
        let (oldest, oldest_state, oldest_writes) = kept.next().expect("never empty");
        let store = StateStore::new(oldest, oldest_state);
        let _ = oldest_writes;
        for (number, state, writes) in kept {
            store.push(number, state, writes);
        }
        let next_l1_tx = disk.last().map_or(0, |(_, next)| *next);
        let hashes = disk.iter().map(|(hash, _)| *hash).collect();
        *self.hashes.lock() = disk;
        *self.pending.lock() = PendingKeys::of(&pending);
        let chain = Arc::new(ChainStore::resumed(
            first,
            hashes,
            recent,
            self.clone(),
            window,
        ));
        Ok(Some(Resumed {
            rebuilt: RebuiltChain {
                chain,
                states: Arc::new(store),
                genesis,
                next_l1_tx,
            },
            settings,
            pool,
            blocks_read: recent_count + 1,
        }))
    }
}

/// The batches on disk. Written by the batch store as batches move.
#[derive(Debug, Clone)]
pub struct BatchesOnDisk {
    pub(super) dir: Arc<DataDir>,
}

impl BatchesOnDisk {
    /// Writes (or rewrites) one batch's mark: logged (a killed process keeps it) and written to
    /// the database by the next checkpoint.
    pub fn put(&self, mark: &BatchMark) -> anyhow::Result<()> {
        self.dir
            .log_batch(BatchWrite::put(mark.number, encode(mark)))
    }

    /// Drops the marks of the batches after `number` (logged, as [`Self::put`]).
    pub fn truncate(&self, number: u64) -> anyhow::Result<()> {
        self.dir.log_batch(BatchWrite::truncate(number))
    }

    /// Every mark, in order.
    pub fn marks(&self) -> anyhow::Result<Vec<BatchMark>> {
        self.dir.batch_marks()
    }
}
