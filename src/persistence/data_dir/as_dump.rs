//! The data dir as a dump and back: what a stopped node's `zkos-dev snapshot save|load`
//! reads and writes (`DataDir::{devnet_dump, replace}`), and each chain read whole.

use alloy_primitives::Bytes;
use alloy_rlp::Decodable as _;
use anyhow::{Context as _, bail};
use redb::{ReadableDatabase as _, ReadableTable as _, ReadableTableMetadata as _};

use super::{
    BATCHES, CODES, ChainMeta, DataDir, PersistOp, Role, canonical_table, encode, refuse, tables,
};
use crate::persistence::{
    dump::{ChainDump, DevnetDump},
    records::{BatchMark, BlockRecord},
};

/// The operation that makes a chain exactly `chain`: a new genesis, its blocks in order.
fn chain_op(role: Role, chain: &ChainDump) -> anyhow::Result<PersistOp> {
    let first = chain
        .blocks
        .first()
        .context("the dump's chain has no blocks")?
        .header
        .number;
    let (mut hashes, mut next_l1_txs) = (vec![], vec![]);
    let mut next = 0;
    for record in &chain.blocks {
        let block = record.to_block()?;
        for tx in &block.txs {
            if let Some(l1) = tx.tx.envelope.as_l1() {
                next = l1.priority_id() + 1;
            }
        }
        hashes.push(block.hash);
        next_l1_txs.push(next);
    }
    Ok(PersistOp {
        role: role as u8,
        from: first,
        genesis: true,
        hashes,
        next_l1_txs,
        blocks: chain.blocks.clone(),
        code_hashes: chain
            .codes
            .iter()
            .map(alloy_primitives::keccak256)
            .collect(),
        codes: chain.codes.clone(),
        image: false,
        state: Default::default(),
        pending: chain.pending.clone(),
        settings: chain.settings,
    })
}

impl DataDir {
    /// Reads one chain whole (`None`: the data dir has none yet).
    pub fn chain_dump(&self, role: Role) -> anyhow::Result<Option<ChainDump>> {
        // What is logged but not in the database yet goes in first.
        self.unreplayed()?;
        self.checkpoint()?;
        let txn = self.db.begin_read()?;
        let Some(canonical) = canonical_table(&txn, role)? else {
            return Ok(None);
        };
        let damaged = |what: String| refuse(&self.path, format!("{what} is damaged"));
        let data = txn.open_table(role.block_data())?;
        let mut records = Vec::with_capacity(canonical.len()? as usize);
        for row in canonical.iter()? {
            let (number, value) = row?;
            let (hash, _) = tables::from_canonical(value.value());
            let what = || format!("{} block {}", role.name(), number.value());
            let value = data
                .get(&hash.0)?
                .ok_or_else(|| damaged(format!("{} (missing)", what())))?;
            let record = BlockRecord::decode(&mut value.value())
                .map_err(|e| damaged(format!("{} ({e})", what())))?;
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
            more_l2s: None,
        })
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
        // The dump replaces everything, the blocks a killed node logged too.
        self.tail.lock().clear();
        self.checkpoint()?;
        let txn = self.write_txn()?;
        let mut index = super::recent_txs::IndexChanges::default();
        for (role, chain) in
            std::iter::once((Role::L2, &dump.l2)).chain(dump.l1.first().map(|l1| (Role::L1, l1)))
        {
            chain_op(role, chain)?.apply(&txn, None, &mut index)?;
            txn.open_table(role.meta())?
                .insert("pool", encode(&chain.pool).as_slice())?;
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
        super::tree_checkpoint::drop_if_off_chain(&txn)?;
        self.recent_txs.commit(txn, index)?;
        Ok(())
    }

    /// The batches recorded, in order.
    pub fn batch_marks(&self) -> anyhow::Result<Vec<BatchMark>> {
        // The logged marks the next checkpoint would write, written now.
        self.apply_queue()?;
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
