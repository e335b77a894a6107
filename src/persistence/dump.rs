//! Dump: the portable copy of a whole devnet, as bytes. `anvil_dumpState` returns one,
//! `anvil_loadState` takes one, `start --dump-state F` / `--load-state F` / `--state F`
//! write and read one as a file, and a named snapshot (`named`) is one kept in the data dir.
//! `DevnetDump` -> `DUMP_MAGIC ‖ version ‖ RLP` and back; `ChainCopy` (a sequencer's O(1) copy)
//! -> `ChainDump` (records) -> `RebuiltChain`. Loading one into a running node, and `start`'s
//! dump files, are `devnet`'s.
//!
//! Files are written whole to a temporary name and renamed, so a crash leaves the old file or
//! the new one, never half of one.

use std::{collections::HashMap, path::Path};

use alloy_primitives::{B256, Bytes};
use alloy_rlp::{Decodable as _, Encodable as _, RlpDecodable, RlpEncodable};
use anyhow::{Context as _, bail};

use super::records::{
    self, BatchMark, BlockRecord, FORMAT_VERSION, OLDEST_FORMAT_READ, PoolTx, RebuiltChain,
    SettingsRecord, WritesRecord, check_version,
};
use crate::{
    chain_settings::ChainSettings,
    storage::{ChainHistory, StateSnapshot},
    tx::ReadyTx,
};

/// First bytes of a dump.
pub const DUMP_MAGIC: &[u8; 8] = b"zkosdev\0";

/// One chain whole: blocks from genesis, the codes they use, changes made since the last
/// block, settings and the txs waiting in the pool.
#[derive(Debug, Clone, RlpEncodable, RlpDecodable)]
pub struct ChainDump {
    /// Chain id (checked on load).
    pub chain_id: u64,
    /// Blocks from genesis.
    pub blocks: Vec<BlockRecord>,
    /// Every code the blocks' accounts have.
    pub codes: Vec<Bytes>,
    /// Dev-method changes since the last block (they ride with the next one).
    pub pending: WritesRecord,
    /// Settings of the next block.
    pub settings: SettingsRecord,
    /// Txs waiting in the pool.
    pub pool: Vec<PoolTx>,
}

/// The whole devnet: the L2, the embedded L1 (if any) and the L2's batches.
#[derive(Debug, Clone, RlpEncodable, RlpDecodable)]
#[rlp(trailing)]
pub struct DevnetDump {
    /// The L2.
    pub l2: ChainDump,
    /// The embedded L1 (empty list: none).
    pub l1: Vec<ChainDump>,
    /// Batches sealed on the L2.
    pub batches: Vec<BatchMark>,
    /// The L2s after the first (`--chains`), each with its batches; `None` for a devnet of one
    /// L2 (encoded as nothing, so such a dump reads as before `--chains`).
    pub more_l2s: Option<Vec<L2Dump>>,
}

/// One more L2 of a devnet (`--chains`), with its batches.
#[derive(Debug, Clone, RlpEncodable, RlpDecodable)]
pub struct L2Dump {
    /// The chain.
    pub chain: ChainDump,
    /// Batches sealed on it.
    pub batches: Vec<BatchMark>,
}

impl DevnetDump {
    /// `DUMP_MAGIC ‖ version (8 bytes, big endian) ‖ RLP`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.length());
        out.extend_from_slice(DUMP_MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
        self.encode(&mut out);
        out
    }

    /// Reads a dump, saying exactly why one cannot be read.
    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<Self> {
        let Some(rest) = bytes.strip_prefix(DUMP_MAGIC.as_slice()) else {
            bail!("not a zkos-dev state dump (it does not start with the zkos-dev magic)");
        };
        let (version, mut body) = rest.split_at_checked(8).context("truncated state dump")?;
        let version = u64::from_be_bytes(version.try_into().expect("8 bytes"));
        // Older records this version reads are read as they are.
        let version = match version {
            OLDEST_FORMAT_READ.. if version < FORMAT_VERSION => FORMAT_VERSION,
            version => version,
        };
        check_version(version, FORMAT_VERSION, "state dump")?;
        let dump = Self::decode(&mut body).context("corrupt state dump")?;
        if !body.is_empty() {
            bail!("corrupt state dump: {} bytes after its end", body.len());
        }
        Ok(dump)
    }
}

/// How the names of the temporary files `write_file` writes through start (a data dir's
/// opening removes those a kill left behind in its snapshots).
pub const TEMP_PREFIX: &str = ".zkos-dev-";

/// Writes `bytes` to `path` through a synced temporary file and a rename.
pub fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Reads a dump from a file, naming the file in any error.
pub fn read_file(path: &Path) -> anyhow::Result<DevnetDump> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    DevnetDump::from_bytes(&bytes).with_context(|| format!("{}", path.display()))
}

/// What a dump of one chain holds, as the sequencer hands it over (O(1) copies).
#[derive(Debug)]
pub struct ChainCopy {
    /// Blocks from genesis.
    pub chain: ChainHistory,
    /// The latest state (codes, and changes since the last block).
    pub state: StateSnapshot,
    /// Settings of the next block.
    pub settings: ChainSettings,
    /// Txs in the pool.
    pub pool: Vec<ReadyTx>,
}

impl ChainCopy {
    /// The chain as records.
    pub fn to_dump(&self) -> ChainDump {
        let blocks: Vec<BlockRecord> = self
            .chain
            .iter()
            .map(|b| BlockRecord::from_block(&b))
            .collect();
        let pending = WritesRecord::from_writes(&self.state.peek_writes());
        let mut seen = std::collections::HashSet::new();
        let codes = blocks
            .iter()
            .flat_map(|b| b.writes.code_hashes())
            .chain(pending.code_hashes())
            .filter(|hash| seen.insert(*hash))
            .filter_map(|hash| self.state.code_by_hash(&hash))
            .map(|code| code.original_bytes())
            .collect();
        ChainDump {
            chain_id: self.settings.chain_id,
            blocks,
            codes,
            pending,
            settings: SettingsRecord::from_settings(&self.settings),
            pool: self.pool.iter().map(PoolTx::from_tx).collect(),
        }
    }
}

impl ChainDump {
    /// Rebuilds the chain (from the data dir's records, a named snapshot's or a dump's).
    pub fn rebuild(&self) -> anyhow::Result<RebuiltChain> {
        let codes: HashMap<B256, Bytes> = self
            .codes
            .iter()
            .map(|code| (alloy_primitives::keccak256(code), code.clone()))
            .collect();
        records::rebuild(self.blocks.iter().cloned().map(Ok), &codes, &self.pending)
    }
}
