//! The data dir: both chains, the batches and what was pending, in one redb database
//! (`<data dir>/devnet.redb`), plus named snapshots (`<data dir>/snapshots/NAME.zkdump`).
//!
//! Write path: the sequencer persists each sealed block (txs, receipts, state changes, new
//! codes) in one transaction with one sync before any of its receipts is visible (group
//! commit: one sync per block, not per tx). History going back (revert, reset, rollback,
//! reorg, load) rewrites the blocks past the point where disk and memory part. Dev-method
//! changes between blocks, the batches' progress and, on a clean stop, the pool are written
//! as they happen.
//!
//! Read path: only at start. `load` rebuilds each chain by re-applying its blocks' changes.
//!
//! A data dir that is not ours, is damaged or has a newer format is refused with a clear
//! error and never written to.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
};

use alloy_primitives::{B256, Bytes};
use alloy_rlp::{Decodable, Encodable};
use anyhow::{Context as _, bail};
use parking_lot::Mutex;
use redb::{
    Database, DatabaseError, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata,
    TableDefinition,
};

use super::{
    dump::{ChainDump, DevnetDump},
    records::{
        self, BatchMark, BlockRecord, FORMAT_VERSION, PoolTx, RebuiltChain, SettingsRecord,
        WritesRecord,
    },
};
use crate::{
    chain_settings::ChainSettings,
    storage::{Chain, StateSnapshot, StoredBlock},
    tx::ReadyTx,
};

/// The database file inside a data dir.
pub const DB_FILE: &str = "devnet.redb";
/// Named snapshots inside a data dir.
pub const SNAPSHOT_DIR: &str = "snapshots";

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const CODES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("codes");
const BATCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("batches");
const L2_BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("l2_blocks");
const L1_BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("l1_blocks");
const L2_META: TableDefinition<&str, &[u8]> = TableDefinition::new("l2_meta");
const L1_META: TableDefinition<&str, &[u8]> = TableDefinition::new("l1_meta");

/// Which chain of the devnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The L2.
    L2,
    /// The embedded L1.
    L1,
}

impl Role {
    fn blocks(self) -> TableDefinition<'static, u64, &'static [u8]> {
        match self {
            Self::L2 => L2_BLOCKS,
            Self::L1 => L1_BLOCKS,
        }
    }

    fn meta(self) -> TableDefinition<'static, &'static str, &'static [u8]> {
        match self {
            Self::L2 => L2_META,
            Self::L1 => L1_META,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::L2 => "L2",
            Self::L1 => "L1",
        }
    }
}

/// An open data dir. Only one process holds it at a time (redb locks the file).
#[derive(Debug)]
pub struct DataDir {
    path: PathBuf,
    db: Database,
    /// Whether it held a devnet when opened (else it was just created).
    existed: bool,
}

/// Why a data dir that holds a zkos-dev database cannot be used, and what to do.
fn refuse(path: &Path, why: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!(
        "data dir {}: {why}. It is left as it is: pass another --data-dir, or start over with `zkos-dev reset --data-dir {}` (which keeps its snapshots)",
        path.display(),
        path.display()
    )
}

/// Checks a data dir's format and, when given, its chain ids.
fn check(
    db: &impl ReadableDatabase,
    path: &Path,
    chain_ids: Option<(u64, u64)>,
) -> anyhow::Result<()> {
    let txn = db.begin_read()?;
    let meta = match txn.open_table(META) {
        Ok(meta) => meta,
        Err(redb::TableError::TableDoesNotExist(_)) => {
            return Err(refuse(
                path,
                format!("{DB_FILE} is not a zkos-dev database"),
            ));
        }
        Err(err) => return Err(refuse(path, err)),
    };
    let number = |key: &str| -> anyhow::Result<u64> {
        let value = meta.get(key)?.ok_or_else(|| {
            refuse(
                path,
                format!("{DB_FILE} is not a zkos-dev database (no {key})"),
            )
        })?;
        let bytes: [u8; 8] = value
            .value()
            .try_into()
            .map_err(|_| refuse(path, format!("{key} is damaged")))?;
        Ok(u64::from_be_bytes(bytes))
    };
    records::check_version(number("format")?, "data dir").map_err(|e| refuse(path, e))?;
    let (had_l2, had_l1) = (number("l2_chain_id")?, number("l1_chain_id")?);
    let Some((l2, l1)) = chain_ids else {
        return Ok(());
    };
    if had_l2 != l2 {
        return Err(refuse(
            path,
            format!("it holds an L2 with chain id {had_l2}, not {l2}"),
        ));
    }
    if had_l1 != l1 {
        let name = |id: u64| match id {
            0 => "no embedded L1".to_string(),
            id => format!("an embedded L1 with chain id {id}"),
        };
        return Err(refuse(
            path,
            format!(
                "it holds {}, and this start asks for {}",
                name(had_l1),
                name(l1)
            ),
        ));
    }
    Ok(())
}

/// The error for a database redb would not open.
fn open_error(path: &Path, err: DatabaseError) -> anyhow::Error {
    match err {
        DatabaseError::DatabaseAlreadyOpen => anyhow::anyhow!(
            "data dir {} is in use by another zkos-dev: stop it, or pass another --data-dir (or --ephemeral)",
            path.display()
        ),
        DatabaseError::UpgradeRequired(v) => refuse(
            path,
            format!("its database file has storage format {v}, which this zkos-dev does not read"),
        ),
        err => refuse(
            path,
            format!("{DB_FILE} is damaged or not a zkos-dev database ({err})"),
        ),
    }
}

/// Why a path that is not a zkos-dev data dir cannot become one. Nothing of it is touched.
fn refuse_foreign(path: &Path, why: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!(
        "data dir {}: {why}. It is left as it is: pass another --data-dir (or --ephemeral)",
        path.display()
    )
}

/// What a start adds at a data dir path that holds no devnet yet: the outermost directory it
/// creates, or the database file in a directory that was there. A start that fails takes it
/// away again, leaving the path as it found it; a path that holds a devnet has none.
#[derive(Debug)]
pub struct NewDataDir {
    /// What to remove: a directory and all in it, or just `db`.
    created: PathBuf,
    /// The database file the start creates.
    db: PathBuf,
}

impl NewDataDir {
    /// How long [`NewDataDir::remove`] waits for the database to be let go of.
    const RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

    /// Looks at `path` before a start opens it (`None`: it holds a devnet, or is not a dir).
    pub fn before_start(path: &Path) -> Option<Self> {
        let db = path.join(DB_FILE);
        let created = match nothing_at(path) {
            false if path.is_dir() && nothing_at(&db) => db.clone(),
            false => return None,
            true => path
                .ancestors()
                .take_while(|p| !p.as_os_str().is_empty() && nothing_at(p))
                .last()?
                .to_path_buf(),
        };
        Some(Self { created, db })
    }

    /// Removes what the start created, once its database is closed (the failed start's tasks
    /// let go of it as they wind down). A database another process holds (a second start in
    /// the same new dir, which succeeded) is left alone.
    pub fn remove(self) {
        let deadline = std::time::Instant::now() + Self::RELEASE_WAIT;
        while self.db.exists() && held(&self.db) {
            if std::time::Instant::now() > deadline {
                tracing::warn!("{} is still open: it is left behind", self.db.display());
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let removed = match self.created == self.db {
            true => std::fs::remove_file(&self.created),
            false => std::fs::remove_dir_all(&self.created),
        };
        if let Err(err) = removed
            && err.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("cannot remove {}: {err}", self.created.display());
        }
    }
}

/// Whether nothing at all is at `path` (not even a dangling link).
fn nothing_at(path: &Path) -> bool {
    matches!(std::fs::symlink_metadata(path), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

/// Whether a database (this process's or another's) has `file` open.
fn held(file: &Path) -> bool {
    matches!(
        Database::builder().open_read_only(file),
        Err(DatabaseError::DatabaseAlreadyOpen)
    )
}

impl DataDir {
    /// Opens the data dir at `path`, creating it when missing or empty. `chain_ids`: the L2's
    /// and the embedded L1's (0 for none), which an existing data dir must match.
    pub fn open(path: &Path, chain_ids: (u64, u64)) -> anyhow::Result<Self> {
        Self::open_with(path, Some(chain_ids))
    }

    /// Opens the devnet a stopped node left at `path` (`zkos-dev snapshot` and `reset` without
    /// a node), whatever its chains; refuses a path that holds none.
    pub fn open_existing(path: &Path) -> anyhow::Result<Self> {
        if !path.join(DB_FILE).is_file() {
            bail!(
                "{} holds no zkos-dev devnet (no {DB_FILE}): pass the --data-dir the node ran with, or --rpc URL of a running node",
                path.display()
            );
        }
        Self::open_with(path, None)
    }

    fn open_with(path: &Path, chain_ids: Option<(u64, u64)>) -> anyhow::Result<Self> {
        let file = path.join(DB_FILE);
        let existed = file.exists();
        if path.exists() && !path.is_dir() {
            return Err(refuse_foreign(
                path,
                "it is a file, not a zkos-dev data dir",
            ));
        }
        if !existed && path.is_dir() {
            let foreign = std::fs::read_dir(path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .filter_map(Result::ok)
                .any(|entry| entry.file_name() != SNAPSHOT_DIR);
            if foreign {
                return Err(refuse_foreign(
                    path,
                    format!(
                        "it is not a zkos-dev data dir (it holds other files and no {DB_FILE})"
                    ),
                ));
            }
        }
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create the data dir {}", path.display()))?;
        let mut builder = Database::builder();
        builder.set_check_integrity_on_open(true);
        // Blocks are read once at start and written once: a small page cache is enough, and
        // the default (1 GiB) would double the node's memory on a long history.
        builder.set_cache_size(64 << 20);
        // A devnet that was stopped cleanly is checked read-only first, so a refused one is not
        // written to at all; one that was not (a crash) needs redb's repair, which writes.
        if existed {
            match builder.open_read_only(&file) {
                Ok(db) => check(&db, path, chain_ids)?,
                Err(DatabaseError::RepairAborted) => {}
                Err(err) => return Err(open_error(path, err)),
            }
        }
        let opened = if existed {
            builder.open(&file)
        } else {
            builder.create(&file)
        };
        let db = match opened {
            Ok(db) => db,
            Err(err) => return Err(open_error(path, err)),
        };
        let dir = Self {
            path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
            db,
            existed,
        };
        match chain_ids {
            _ if existed => check(&dir.db, path, chain_ids)?,
            Some(chain_ids) => dir.init(chain_ids)?,
            None => unreachable!("open_existing opens an existing file"),
        }
        Ok(dir)
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether it held a devnet when opened.
    pub fn existed(&self) -> bool {
        self.existed
    }

    fn init(&self, (l2, l1): (u64, u64)) -> anyhow::Result<()> {
        let txn = self.db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            meta.insert("format", FORMAT_VERSION.to_be_bytes().as_slice())?;
            meta.insert("l2_chain_id", l2.to_be_bytes().as_slice())?;
            meta.insert("l1_chain_id", l1.to_be_bytes().as_slice())?;
            meta.insert("created_by", env!("CARGO_PKG_VERSION").as_bytes())?;
        }
        txn.commit()?;
        Ok(())
    }

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

    /// Reads one chain whole (`None`: the data dir has none yet).
    pub fn chain_dump(&self, role: Role) -> anyhow::Result<Option<ChainDump>> {
        let txn = self.db.begin_read()?;
        let Some(blocks) = blocks_table(&txn, role)? else {
            return Ok(None);
        };
        let damaged = |what: String| refuse(&self.path, format!("{what} is damaged"));
        let mut records = Vec::with_capacity(blocks.len()? as usize);
        for row in blocks.iter()? {
            let (number, value) = row?;
            let record = BlockRecord::decode(&mut value.value())
                .map_err(|e| damaged(format!("{} block {} ({e})", role.name(), number.value())))?;
            records.push(record);
        }
        let codes_table = txn.open_table(CODES)?;
        let mut codes = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for record in &records {
            for hash in record.writes.code_hashes() {
                if seen.insert(hash) {
                    let code = codes_table.get(&hash.0)?.ok_or_else(|| {
                        damaged(format!(
                            "the code {hash} of {} block {}",
                            role.name(),
                            record.header.number
                        ))
                    })?;
                    codes.push(Bytes::copy_from_slice(code.value()));
                }
            }
        }
        let ChainMeta {
            pending,
            settings,
            pool,
        } = self.chain_meta(&txn, role)?;
        for hash in pending.code_hashes() {
            if seen.insert(hash) {
                let code = codes_table.get(&hash.0)?.ok_or_else(|| {
                    damaged(format!(
                        "the code {hash} of {} pending changes",
                        role.name()
                    ))
                })?;
                codes.push(Bytes::copy_from_slice(code.value()));
            }
        }
        Ok(Some(ChainDump {
            chain_id: settings.chain_id,
            blocks: records,
            codes,
            pending,
            settings,
            pool,
        }))
    }

    /// A chain's changes since its last block, settings and pool.
    fn chain_meta(&self, txn: &redb::ReadTransaction, role: Role) -> anyhow::Result<ChainMeta> {
        let damaged = |what: String| refuse(&self.path, format!("{what} is damaged"));
        let meta = txn.open_table(role.meta())?;
        let read = |key: &str| -> anyhow::Result<Option<Vec<u8>>> {
            Ok(meta.get(key)?.map(|v| v.value().to_vec()))
        };
        let pending = match read("pending")? {
            Some(bytes) => WritesRecord::decode(&mut bytes.as_slice())
                .map_err(|e| damaged(format!("{} pending changes ({e})", role.name())))?,
            None => WritesRecord::default(),
        };
        let settings = match read("settings")? {
            Some(bytes) => SettingsRecord::decode(&mut bytes.as_slice())
                .map_err(|e| damaged(format!("{} settings ({e})", role.name())))?,
            None => bail!("{} settings are missing", role.name()),
        };
        let pool = match read("pool")? {
            Some(bytes) => Vec::<PoolTx>::decode(&mut bytes.as_slice())
                .map_err(|e| damaged(format!("{} pool ({e})", role.name())))?,
            None => vec![],
        };
        Ok(ChainMeta {
            pending,
            settings,
            pool,
        })
    }

    /// The whole devnet as a dump (its L1 too, if it has one).
    pub fn devnet_dump(&self) -> anyhow::Result<DevnetDump> {
        let (_, l1) = self.chain_ids()?;
        self.dump(l1 != 0)
    }

    /// The whole devnet as a dump.
    pub fn dump(&self, with_l1: bool) -> anyhow::Result<DevnetDump> {
        let l2 = self
            .chain_dump(Role::L2)?
            .context("the data dir holds no devnet yet")?;
        let l1 = match with_l1 {
            true => vec![
                self.chain_dump(Role::L1)?
                    .context("the data dir holds no L1")?,
            ],
            false => vec![],
        };
        Ok(DevnetDump {
            l2,
            l1,
            batches: self.batch_marks()?,
        })
    }

    /// The chain ids it was created for: the L2's and the embedded L1's (0: none).
    pub fn chain_ids(&self) -> anyhow::Result<(u64, u64)> {
        let txn = self.db.begin_read()?;
        let meta = txn.open_table(META)?;
        let number = |key: &str| -> anyhow::Result<u64> {
            let value = meta.get(key)?.with_context(|| format!("no {key}"))?;
            let bytes: [u8; 8] = value
                .value()
                .try_into()
                .map_err(|_| anyhow::anyhow!("{key} is damaged"))?;
            Ok(u64::from_be_bytes(bytes))
        };
        Ok((number("l2_chain_id")?, number("l1_chain_id")?))
    }

    /// Replaces everything with `dump` (a stopped data dir loading a snapshot or a dump),
    /// after checking it holds the same chains.
    pub fn replace(&self, dump: &DevnetDump) -> anyhow::Result<()> {
        let (l2, l1) = self.chain_ids()?;
        let dump_l1 = dump.l1.first().map_or(0, |l1| l1.chain_id);
        if dump.l2.chain_id != l2 || dump_l1 != l1 {
            bail!(
                "the dump holds chains {} and {dump_l1} (L2, L1; 0: none), the data dir {} holds {l2} and {l1}",
                dump.l2.chain_id,
                self.path.display()
            );
        }
        let txn = self.db.begin_write()?;
        for (role, chain) in
            std::iter::once((Role::L2, &dump.l2)).chain(dump.l1.first().map(|l1| (Role::L1, l1)))
        {
            let mut blocks = txn.open_table(role.blocks())?;
            blocks.retain(|_, _| false)?;
            for record in &chain.blocks {
                blocks.insert(record.header.number, encode(record).as_slice())?;
            }
            let mut meta = txn.open_table(role.meta())?;
            meta.insert("pending", encode(&chain.pending).as_slice())?;
            meta.insert("settings", encode(&chain.settings).as_slice())?;
            meta.insert("pool", encode(&chain.pool).as_slice())?;
        }
        {
            let mut codes = txn.open_table(CODES)?;
            for chain in std::iter::once(&dump.l2).chain(&dump.l1) {
                for code in &chain.codes {
                    codes.insert(&alloy_primitives::keccak256(code).0, code.as_ref())?;
                }
            }
            let mut batches = txn.open_table(BATCHES)?;
            batches.retain(|_, _| false)?;
            for mark in &dump.batches {
                batches.insert(mark.number, encode(mark).as_slice())?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// The batches recorded, in order.
    pub fn batch_marks(&self) -> anyhow::Result<Vec<BatchMark>> {
        let txn = self.db.begin_read()?;
        let table = match txn.open_table(BATCHES) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(vec![]),
            Err(err) => return Err(err.into()),
        };
        let mut marks = vec![];
        for row in table.iter()? {
            let (number, value) = row?;
            marks.push(BatchMark::decode(&mut value.value()).map_err(|e| {
                refuse(
                    &self.path,
                    format!("batch {} is damaged ({e})", number.value()),
                )
            })?);
        }
        Ok(marks)
    }
}

/// A chain's blocks (`None`: it has none yet).
fn blocks_table(
    txn: &redb::ReadTransaction,
    role: Role,
) -> anyhow::Result<Option<redb::ReadOnlyTable<u64, &'static [u8]>>> {
    let table = match txn.open_table(role.blocks()) {
        Ok(table) => table,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    Ok((!table.is_empty()?).then_some(table))
}

/// What a chain keeps beside its blocks.
struct ChainMeta {
    pending: WritesRecord,
    settings: SettingsRecord,
    pool: Vec<PoolTx>,
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

/// RLP of a record.
fn encode<T: Encodable>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.length());
    value.encode(&mut out);
    out
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
    /// Makes the disk hold exactly `chain`, then `block` after it, in one durable transaction:
    /// blocks past the point where disk and memory part are replaced. `state` is the state
    /// after them (its codes, and the changes made since: dev methods between blocks);
    /// `settings` are the next block's.
    pub fn persist(
        &self,
        chain: &Chain,
        block: Option<&StoredBlock>,
        state: &StateSnapshot,
        settings: &ChainSettings,
    ) -> anyhow::Result<()> {
        let mut hashes = self.hashes.lock();
        let head = chain.latest_number();
        // Where disk and memory part: usually right after the disk's last block.
        let mut from = hashes.len().min(head as usize + 1);
        while from > 0 && chain.block_hash(from as u64 - 1) != hashes[from - 1] {
            from -= 1;
        }
        let mut blocks: Vec<Arc<StoredBlock>> = chain.blocks(from as u64, head);
        if let Some(block) = block {
            blocks.push(Arc::new(block.clone()));
        }
        let mut txn = self.dir.db.begin_write().context("starting a write")?;
        txn.set_durability(Durability::Immediate)?;
        {
            let mut table = txn.open_table(self.role.blocks())?;
            if from < hashes.len() {
                table.retain_in((from as u64).., |_, _| false)?;
            }
            let mut codes = txn.open_table(CODES)?;
            for block in &blocks {
                let record = BlockRecord::from_block(block);
                for hash in record.writes.code_hashes() {
                    if codes.get(&hash.0)?.is_none()
                        && let Some(code) = state.code_by_hash(&hash)
                    {
                        codes.insert(&hash.0, code.original_byte_slice())?;
                    }
                }
                table.insert(block.header.number, encode(&record).as_slice())?;
            }
            let mut meta = txn.open_table(self.role.meta())?;
            // Dev-method changes since the last block (none right after one).
            let pending = WritesRecord::from_writes(&state.peek_writes());
            for hash in pending.code_hashes() {
                if codes.get(&hash.0)?.is_none()
                    && let Some(code) = state.code_by_hash(&hash)
                {
                    codes.insert(&hash.0, code.original_byte_slice())?;
                }
            }
            meta.insert("pending", encode(&pending).as_slice())?;
            meta.insert(
                "settings",
                encode(&SettingsRecord::from_settings(settings)).as_slice(),
            )?;
        }
        txn.commit().context("writing the block")?;
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
            .blocks(0, rebuilt.chain.latest_number())
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
