//! The data dir: both chains, the batches and what was pending, in one redb database
//! (`<data dir>/devnet.redb`), plus named snapshots (`<data dir>/snapshots/NAME.zkdump`).
//!
//! Write path: the sequencer persists each sealed block (txs, receipts, state changes, new
//! codes) before any of its receipts is visible, as one operation: appended to the write-ahead
//! log (`<data dir>/devnet.wal` and `devnet.wal.1`, written to the OS without a sync, so a
//! killed process keeps it) and queued; the log is synced every `--sync-interval` (a power
//! loss keeps it then). A checkpoint every `--checkpoint-interval` (and at a clean stop)
//! applies the queued operations to the database in one synced write and empties the log
//! (group commit: the sequencer never waits for the database); `--sync always` instead
//! writes and syncs each block's operation and logs nothing. History going back (revert,
//! reset, rollback, reorg, load) rewrites the blocks past the point where disk and memory part,
//! at once. Dev-method changes between blocks, the batches' progress and, on a clean stop, the
//! pool are written (and synced) as they happen.
//!
//! Read path: at start, and for blocks that left memory (`archive.rs`). Opening the data dir
//! first applies what the log holds that the database lacks (in order), then
//! `ChainOnDisk::resume` reads each chain's hashes, latest blocks and stored state.
//!
//! Here: opening, checking and creating a data dir. The write path and `resume` are
//! `writes.rs`; the data dir as a dump and back (a stopped node's snapshot commands) is
//! `as_dump.rs`; the batcher's state tree checkpoint, which a chain write drops when it takes
//! the checkpoint's block off the chain, is `tree_checkpoint.rs`.
//!
//! A data dir that is not ours, is damaged or has a newer format is refused with a clear
//! error and never written to.

use std::path::{Path, PathBuf};

use alloy_rlp::{Decodable, Encodable};
use anyhow::{Context as _, bail};
use redb::{Database, DatabaseError, ReadableDatabase, ReadableTableMetadata, TableDefinition};

use super::records::{self, PoolTx, SettingsRecord, WritesRecord};
use crate::storage::wal::Wal;

mod archive;
mod as_dump;
mod batch_log;
mod log;
mod new_dir;
mod op;
mod recent_txs;
mod tables;
mod tree_checkpoint;
mod upgrade;
mod wal_record;
mod writes;

pub use new_dir::NewDataDir;
use op::PersistOp;
pub use wal_record::LoggedBlock;

pub use tree_checkpoint::{StoredLeaf, StoredTree, TreeCheckpointRecord, TreeWritten};
pub use writes::{BatchesOnDisk, ChainOnDisk, Resumed};

/// Version of the data dir's layout (its tables; the records in them are `FORMAT_VERSION`'s).
/// 3: blocks by hash with a canonical index, tx and address indexes, and the latest state.
/// 4: the tx index's newest entries wait in `unmerged` tables (`recent_txs.rs`). A format-3
/// data dir is read as one whose entries are all merged.
/// 5: the address index as a plain table, one row per entry. 6: records of `FORMAT_VERSION` 3
/// (format 5's are read as they are). 7: the address index in runs, one per address and
/// write (`tables.rs`), moved there from older formats' tables when the data dir is opened.
pub const DATA_DIR_FORMAT: u64 = 7;

/// The database file inside a data dir.
pub const DB_FILE: &str = "devnet.redb";
/// Named snapshots inside a data dir.
pub const SNAPSHOT_DIR: &str = "snapshots";
/// Written next to the database when it closes cleanly: the file's size and modification time
/// then (`seal_of`).
pub const SEAL_FILE: &str = "devnet.redb.closed";

/// What a seal of the database file at `file` says: its size and modification time.
fn seal_of(file: &Path) -> Option<String> {
    let meta = std::fs::metadata(file).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{} {}\n", meta.len(), modified.as_nanos()))
}

/// The write-ahead log inside a data dir (its first segment).
pub const WAL_FILE: &str = "devnet.wal";
/// The write-ahead log's second segment.
pub const WAL_FILE_2: &str = "devnet.wal.1";

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const CODES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("codes");
const BATCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("batches");
const L2_META: TableDefinition<&str, &[u8]> = TableDefinition::new("l2_meta");
/// The L2's state tree checkpoint: leaf index -> key ‖ value (`tree_checkpoint.rs`).
const TREE_LEAVES: TableDefinition<u64, &[u8; 64]> = TableDefinition::new("tree_leaves");
const L1_META: TableDefinition<&str, &[u8]> = TableDefinition::new("l1_meta");

/// Which chain of the devnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The L2.
    L2 = 0,
    /// The embedded L1.
    L1 = 1,
}

impl Role {
    /// The chain a logged record names (`role as u8`).
    fn logged(role: u8) -> anyhow::Result<Self> {
        match role {
            0 => Ok(Self::L2),
            1 => Ok(Self::L1),
            n => bail!("a logged write names chain {n}"),
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
    /// The database (closed by hand in `Drop`, before the file is sealed).
    db: std::mem::ManuallyDrop<Database>,
    /// Whether it held a devnet when opened (else it was just created).
    existed: bool,
    /// The write-ahead log: the operations since the last checkpoint. Held while one is logged
    /// and queued (so the log and the queue agree on their order) and while a checkpoint
    /// rotates it.
    wal: parking_lot::Mutex<Wal>,
    /// The sequence number of the last operation logged.
    seq: std::sync::atomic::AtomicU64,
    /// The logged operations the database does not hold yet, oldest first.
    queue: parking_lot::Mutex<Vec<std::sync::Arc<log::Queued>>>,
    /// The logged batch writes the database does not hold yet, oldest first, with their
    /// sequence numbers.
    batch_queue: parking_lot::Mutex<Vec<(u64, batch_log::BatchWrite)>>,
    /// Held while queued operations are applied to the database (one applier at a time).
    apply: parking_lot::Mutex<()>,
    /// The state tree checkpoint the next synced write takes (`tree_checkpoint.rs`).
    tree_write: parking_lot::Mutex<Option<tree_checkpoint::TreeWrite>>,
    /// The logged blocks a restart replays through the chains' sequencers (taken by them).
    tail: parking_lot::Mutex<Vec<(Role, LoggedBlock)>>,
    /// The codes an operation carried in this run (the database has them, or will).
    known_codes: parking_lot::Mutex<std::collections::HashSet<alloy_primitives::B256>>,
    /// The tx index's entries not merged into its table yet.
    recent_txs: recent_txs::RecentTxs,
    /// Whether the database took writes since its last sync.
    unsynced: std::sync::atomic::AtomicBool,
    sync_always: std::sync::atomic::AtomicBool,
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
    let format = match number("format")? {
        3..=6 => DATA_DIR_FORMAT,
        format => format,
    };
    records::check_version(format, DATA_DIR_FORMAT, "data dir").map_err(|e| refuse(path, e))?;
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
        let dir = Self::open_with(path, None)?;
        dir.apply_logged()?;
        Ok(dir)
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
                .any(|entry| {
                    ![SNAPSHOT_DIR, WAL_FILE, WAL_FILE_2]
                        .contains(&&*entry.file_name().to_string_lossy())
                });
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
        // Every page's checksum is verified when the file changed since a clean close sealed it
        // (a damaged dir is refused rather than trusted). A file as its clean close left it, or
        // as a crash left it (every synced commit saves what a repair needs: redb's quick
        // repair), opens without reading it whole, however long the history.
        let sealed_at = path.join(SEAL_FILE);
        let seal = std::fs::read_to_string(&sealed_at).ok();
        let changed = existed && seal.is_some() && seal != seal_of(&file);
        builder.set_check_integrity_on_open(changed);
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
        // Opened for writing: the seal no longer describes the file.
        if let Err(err) = std::fs::remove_file(&sealed_at)
            && err.kind() != std::io::ErrorKind::NotFound
        {
            return Err(err).with_context(|| format!("cannot remove {}", sealed_at.display()));
        }
        let dir = Self {
            path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
            db: std::mem::ManuallyDrop::new(db),
            existed,
            wal: parking_lot::Mutex::new(Wal::open([
                &path.join(WAL_FILE),
                &path.join(WAL_FILE_2),
            ])?),
            seq: Default::default(),
            queue: Default::default(),
            batch_queue: Default::default(),
            apply: Default::default(),
            tree_write: Default::default(),
            tail: Default::default(),
            known_codes: Default::default(),
            recent_txs: Default::default(),
            unsynced: Default::default(),
            sync_always: Default::default(),
        };
        match chain_ids {
            _ if existed => {
                check(&*dir.db, path, chain_ids)?;
                dir.mark_format()?;
            }
            Some(chain_ids) => dir.init(chain_ids)?,
            None => unreachable!("open_existing opens an existing file"),
        }
        dir.recent_txs.load(&dir.db)?;
        dir.replay_wal()?;
        // Holding the data dir, no save into it is under way: a temporary file left there is
        // one a kill cut short.
        let saved = super::named::NamedSnapshots::new(&dir.path);
        match saved.remove_unfinished() {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "unfinished snapshot saves removed"),
            Err(err) => tracing::warn!("unfinished snapshot saves cannot be removed: {err:#}"),
        }
        Ok(dir)
    }

    /// A write transaction whose synced commit saves what a repair after a crash needs.
    fn write_txn(&self) -> Result<redb::WriteTransaction, redb::TransactionError> {
        let mut txn = self.db.begin_write()?;
        txn.set_quick_repair(true);
        Ok(txn)
    }

    /// Closes the database and seals it (the last step of a clean close).
    fn close_and_seal(&mut self, clean: bool) {
        // SAFETY: called once, from `Drop`; nothing uses `db` afterwards.
        unsafe { std::mem::ManuallyDrop::drop(&mut self.db) };
        let file = self.path.join(DB_FILE);
        if let (true, Some(seal)) = (clean, seal_of(&file))
            && let Err(err) = std::fs::write(self.path.join(SEAL_FILE), seal)
        {
            tracing::warn!("the data dir's seal cannot be written: {err}");
        }
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
        let txn = self.write_txn()?;
        {
            let mut meta = txn.open_table(META)?;
            meta.insert("format", DATA_DIR_FORMAT.to_be_bytes().as_slice())?;
            meta.insert("l2_chain_id", l2.to_be_bytes().as_slice())?;
            meta.insert("l1_chain_id", l1.to_be_bytes().as_slice())?;
            meta.insert("created_by", env!("CARGO_PKG_VERSION").as_bytes())?;
        }
        txn.commit()?;
        Ok(())
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
}

/// A chain's canonical index (`None`: it has no blocks yet).
fn canonical_table(
    txn: &redb::ReadTransaction,
    role: Role,
) -> anyhow::Result<Option<redb::ReadOnlyTable<u64, &'static [u8; 40]>>> {
    let table = match txn.open_table(role.canonical()) {
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

/// RLP of a record.
fn encode<T: Encodable>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.length());
    value.encode(&mut out);
    out
}
