//! Batches: what the batcher sealed and how far each got on L1. Written by the pipeline
//! stages, read by the RPC (`zks_getL1BatchDetails`, `safe` / `finalized`, log proofs).

use std::sync::Arc;

use alloy_primitives::B256;
use parking_lot::RwLock;

use super::Batch;
use crate::{
    abi::StoredBatchInfo,
    persistence::{
        data_dir::BatchesOnDisk,
        records::{BatchMark, StepRecord},
    },
};

/// One L1 step of a batch: its tx and when it landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1Step {
    /// The L1 tx.
    pub tx: B256,
    /// Unix seconds when its receipt arrived.
    pub at: u64,
}

/// A sealed batch and its progress.
#[derive(Debug, Clone)]
pub struct BatchRecord {
    /// The batch.
    pub batch: Arc<Batch>,
    /// Who proved it, once proven.
    pub prover: Option<String>,
    /// `commitBatchesSharedBridge`.
    pub commit: Option<L1Step>,
    /// `proveBatchesSharedBridge`.
    pub prove: Option<L1Step>,
    /// `executeBatchesSharedBridge`.
    pub execute: Option<L1Step>,
}

/// A stage a batch reached on L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L1Stage {
    /// Committed.
    Commit,
    /// Proven on L1.
    Prove,
    /// Executed: final.
    Execute,
}

#[derive(Debug, Default)]
struct Inner {
    genesis: Option<StoredBatchInfo>,
    /// Batch `n` at index `n - 1`.
    batches: Vec<BatchRecord>,
    /// Batches the data dir (or a loaded image) has, by number: the batcher seals at their
    /// bounds again, and each one's progress comes back with it.
    marks: std::collections::BTreeMap<u64, BatchMark>,
    /// Bumped when the batches are replaced (a loaded dump): the batcher starts over.
    generation: u64,
}

/// Every batch since genesis. Readers take the lock only to clone.
#[derive(Debug, Default)]
pub struct BatchStore {
    inner: RwLock<Inner>,
    /// Where batches are kept (`None`: in memory only).
    disk: Option<BatchesOnDisk>,
}

impl BatchStore {
    /// A store kept in the data dir, with the batches it already has.
    pub fn persisted(disk: BatchesOnDisk) -> anyhow::Result<Self> {
        let marks = disk.marks()?.into_iter().map(|m| (m.number, m)).collect();
        Ok(Self {
            inner: RwLock::new(Inner {
                marks,
                ..Default::default()
            }),
            disk: Some(disk),
        })
    }

    /// Forgets every batch and takes these (a loaded image): the batcher seals them again.
    pub fn load(&self, marks: Vec<BatchMark>) {
        let mut inner = self.inner.write();
        inner.batches.clear();
        inner.generation += 1;
        inner.marks = marks.into_iter().map(|m| (m.number, m)).collect();
        if let Some(disk) = &self.disk {
            let result = disk
                .truncate(0)
                .and_then(|()| inner.marks.values().try_for_each(|m| disk.put(m)));
            if let Err(err) = result {
                tracing::warn!("batches cannot be written to the data dir: {err:#}");
            }
        }
    }

    /// Every batch's bounds and progress, in order (a dump).
    pub fn marks(&self) -> Vec<BatchMark> {
        self.inner.read().marks.values().cloned().collect()
    }

    /// The last block of batch `number` as recorded earlier, if that batch started at
    /// `first_block`: the batcher seals there again.
    pub fn recorded_end(&self, number: u64, first_block: u64) -> Option<u64> {
        let inner = self.inner.read();
        let mark = inner.marks.get(&number)?;
        (mark.first_block == first_block).then_some(mark.last_block)
    }

    /// Writes batch `number`'s mark to the data dir.
    fn save(&self, inner: &mut Inner, number: u64) {
        let Some(record) = number
            .checked_sub(1)
            .and_then(|i| inner.batches.get(i as usize))
        else {
            return;
        };
        let step = |s: Option<L1Step>| {
            s.map_or(
                StepRecord {
                    tx: B256::ZERO,
                    at: 0,
                },
                |s| StepRecord {
                    tx: s.tx,
                    at: s.at.max(1),
                },
            )
        };
        let mark = BatchMark {
            number,
            first_block: record.batch.first_block,
            last_block: record.batch.last_block,
            last_block_hash: record.batch.last_block_hash,
            prover: record.prover.clone().unwrap_or_default(),
            steps: vec![
                step(record.commit),
                step(record.prove),
                step(record.execute),
            ],
        };
        if inner.marks.get(&number) == Some(&mark) {
            return;
        }
        if let Some(disk) = &self.disk
            && let Err(err) = disk.put(&mark)
        {
            tracing::warn!(number, "batch cannot be written to the data dir: {err:#}");
        }
        inner.marks.insert(number, mark);
    }
    /// Sets the genesis batch (number 0) that batch 1 follows.
    pub fn set_genesis(&self, genesis: StoredBatchInfo) {
        self.inner.write().genesis = Some(genesis);
    }

    /// The genesis batch, once the batcher has computed it.
    pub fn genesis(&self) -> Option<StoredBatchInfo> {
        self.inner.read().genesis.clone()
    }

    /// Which set of batches this is (it changes when a dump is loaded).
    pub fn generation(&self) -> u64 {
        self.inner.read().generation
    }

    /// Adds the next sealed batch, unless the batches were replaced since the batcher looked
    /// (`generation`); returns whether it was taken. A batch sealed again at recorded bounds
    /// gets its recorded progress back; one that differs from the record replaces it and
    /// every later one.
    pub fn push(&self, batch: Arc<Batch>, generation: u64) -> bool {
        let mut inner = self.inner.write();
        if inner.generation != generation || batch.number as usize != inner.batches.len() + 1 {
            return false;
        }
        let number = batch.number;
        let mut record = BatchRecord {
            batch,
            prover: None,
            commit: None,
            prove: None,
            execute: None,
        };
        match inner.marks.get(&number) {
            Some(mark)
                if mark.last_block == record.batch.last_block
                    && mark.last_block_hash == record.batch.last_block_hash =>
            {
                let step = |i: usize| {
                    mark.steps
                        .get(i)
                        .filter(|s| s.at > 0)
                        .map(|s| L1Step { tx: s.tx, at: s.at })
                };
                record.prover = (!mark.prover.is_empty()).then(|| mark.prover.clone());
                record.commit = step(0);
                record.prove = step(1);
                record.execute = step(2);
            }
            Some(_) => {
                inner.marks.split_off(&number);
                if let Some(disk) = &self.disk
                    && let Err(err) = disk.truncate(number - 1)
                {
                    tracing::warn!("batches cannot be written to the data dir: {err:#}");
                }
            }
            None => {}
        }
        inner.batches.push(record);
        self.save(&mut inner, number);
        true
    }

    /// Drops every batch after `number` (the L2 went back before them).
    pub fn truncate(&self, number: u64) {
        let mut inner = self.inner.write();
        inner.batches.truncate(number as usize);
        inner.marks.split_off(&(number + 1));
        if let Some(disk) = &self.disk
            && let Err(err) = disk.truncate(number)
        {
            tracing::warn!("batches cannot be written to the data dir: {err:#}");
        }
    }

    /// Records who proved batch `number`.
    pub fn set_proven(&self, number: u64, prover: &str) {
        self.record_mut(number, |r| r.prover = Some(prover.to_string()));
    }

    /// Records an L1 step of batch `number`.
    pub fn set_l1(&self, number: u64, stage: L1Stage, step: L1Step) {
        self.record_mut(number, |r| match stage {
            L1Stage::Commit => r.commit = Some(step),
            L1Stage::Prove => r.prove = Some(step),
            L1Stage::Execute => r.execute = Some(step),
        });
    }

    /// Forgets the `stage` steps of batches after `last` (L1 went back: a revert or reset).
    pub fn clear_l1_after(&self, stage: L1Stage, last: u64) {
        let mut inner = self.inner.write();
        for record in inner.batches.iter_mut().skip(last as usize) {
            match stage {
                L1Stage::Commit => record.commit = None,
                L1Stage::Prove => record.prove = None,
                L1Stage::Execute => record.execute = None,
            }
        }
        for number in last + 1..=inner.batches.len() as u64 {
            self.save(&mut inner, number);
        }
    }

    fn record_mut(&self, number: u64, f: impl FnOnce(&mut BatchRecord)) -> Option<()> {
        let mut inner = self.inner.write();
        let record = inner
            .batches
            .get_mut(usize::try_from(number).ok()?.checked_sub(1)?)?;
        f(record);
        self.save(&mut inner, number);
        Some(())
    }

    /// Batch `number` and its progress.
    pub fn get(&self, number: u64) -> Option<BatchRecord> {
        let inner = self.inner.read();
        inner
            .batches
            .get(usize::try_from(number).ok()?.checked_sub(1)?)
            .cloned()
    }

    /// Number of the last sealed batch (0: none yet).
    pub fn last_sealed(&self) -> u64 {
        self.inner.read().batches.len() as u64
    }

    /// The batch holding L2 block `block` (block 0 is in the genesis batch 0).
    pub fn batch_of_block(&self, block: u64) -> Option<u64> {
        if block == 0 {
            return Some(0);
        }
        let inner = self.inner.read();
        let i = inner
            .batches
            .partition_point(|r| r.batch.last_block < block);
        let record = inner.batches.get(i)?;
        (record.batch.first_block <= block).then_some(record.batch.number)
    }

    /// The last batch that reached `stage` (0: none).
    pub fn last_at(&self, stage: L1Stage) -> u64 {
        let inner = self.inner.read();
        let reached = |r: &BatchRecord| match stage {
            L1Stage::Commit => r.commit.is_some(),
            L1Stage::Prove => r.prove.is_some(),
            L1Stage::Execute => r.execute.is_some(),
        };
        inner.batches.partition_point(reached) as u64
    }

    /// Last L2 block of the last batch that reached `stage` (0: genesis).
    pub fn last_block_at(&self, stage: L1Stage) -> u64 {
        let n = self.last_at(stage);
        self.get(n).map(|r| r.batch.last_block).unwrap_or(0)
    }
}
