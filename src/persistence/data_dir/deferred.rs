//! What derives from appended blocks (tx and address indexes, the stored state, undo records)
//! is written by a thread of its own, in order, while the sequencer goes on with the next
//! block: the sequencer waits only for the blocks themselves. Every operation is in the
//! write-ahead log first, so a crash loses nothing: the log is re-applied whole at the next
//! start. A checkpoint, a reader of the indexes and any write that is not an append wait until
//! everything queued is written.

use std::{
    sync::{Arc, mpsc},
    thread::JoinHandle,
};

use parking_lot::{Condvar, Mutex};

use super::log::PersistOp;
use crate::storage::StoredBlock;

/// Operations written together at most (one transaction).
const BATCH: usize = 64;

type Job = (Arc<PersistOp>, Vec<Arc<StoredBlock>>);

#[derive(Debug, Default)]
struct Progress {
    /// Operations sent and not written yet.
    queued: usize,
    /// Why a write failed (every later one is refused with it).
    error: Option<String>,
}

/// The writer thread and what it has left to do.
#[derive(Debug)]
pub(super) struct Deferred {
    sender: Mutex<Option<mpsc::Sender<Job>>>,
    progress: Arc<(Mutex<Progress>, Condvar)>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Deferred {
    /// Starts the writer on `db`.
    pub(super) fn start(db: Arc<redb::Database>) -> anyhow::Result<Self> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let progress: Arc<(Mutex<Progress>, Condvar)> = Arc::default();
        let shared = progress.clone();
        let worker = std::thread::Builder::new()
            .name("data-dir-derived".into())
            .spawn(move || {
                while let Ok(first) = receiver.recv() {
                    let mut jobs = vec![first];
                    while jobs.len() < BATCH {
                        match receiver.try_recv() {
                            Ok(job) => jobs.push(job),
                            Err(_) => break,
                        }
                    }
                    let written = write(&db, &jobs);
                    let (lock, done) = &*shared;
                    let mut progress = lock.lock();
                    progress.queued -= jobs.len();
                    if let Err(err) = written {
                        tracing::error!("the data dir's indexes cannot be written: {err:#}");
                        progress.error.get_or_insert(format!("{err:#}"));
                    }
                    done.notify_all();
                }
            })?;
        Ok(Self {
            sender: Mutex::new(Some(sender)),
            progress,
            worker: Mutex::new(Some(worker)),
        })
    }

    /// Queues the derived part of `op` (its blocks already written).
    pub(super) fn push(
        &self,
        op: Arc<PersistOp>,
        blocks: Vec<Arc<StoredBlock>>,
    ) -> anyhow::Result<()> {
        self.progress.0.lock().queued += 1;
        let sent = self
            .sender
            .lock()
            .as_ref()
            .is_some_and(|sender| sender.send((op, blocks)).is_ok());
        if !sent {
            self.progress.0.lock().queued -= 1;
            anyhow::bail!("the data dir's index writer has stopped");
        }
        Ok(())
    }

    /// Waits until everything queued is written; fails if a write failed.
    pub(super) fn drain(&self) -> anyhow::Result<()> {
        let (lock, done) = &*self.progress;
        let mut progress = lock.lock();
        while progress.queued > 0 {
            done.wait(&mut progress);
        }
        match &progress.error {
            Some(err) => anyhow::bail!("the data dir's indexes cannot be written: {err}"),
            None => Ok(()),
        }
    }

    /// Writes what is queued and stops the writer.
    pub(super) fn stop(&self) {
        drop(self.sender.lock().take());
        if let Some(worker) = self.worker.lock().take() {
            let _ = worker.join();
        }
    }
}

/// Writes the derived parts of `jobs` in one transaction (not synced: the log has them).
fn write(db: &redb::Database, jobs: &[Job]) -> anyhow::Result<()> {
    let mut txn = db.begin_write()?;
    txn.set_durability(redb::Durability::None)?;
    for (op, blocks) in jobs {
        op.apply_derived(&txn, blocks)?;
    }
    txn.commit()?;
    Ok(())
}
