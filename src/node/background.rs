//! The node's background chores, off every chain's critical path: the data dirs' checkpoints
//! and the forks' caches written to disk.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context as _;

use tokio_util::sync::CancellationToken;

use crate::persistence::data_dir::DataDir;

/// Writes what the chains' forks (if they are forks: `anvil_reset` may make the L2 one) read to
/// the data dir every second (and once more at shutdown, by the handle), off the executor's
/// path.
pub(super) fn spawn_cache_saver(
    chains: Vec<Arc<crate::storage::ChainStore>>,
    cancel: CancellationToken,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tick.tick() => {}
            }
            for fork in chains.iter().filter_map(|c| c.fork()) {
                if let Ok(Err(e)) = tokio::task::spawn_blocking(move || fork.save_cache()).await {
                    tracing::warn!("the fork cache could not be written: {e:#}");
                }
            }
        }
    });
}

/// Keeps the data dir's writes durable on a thread of its own, at a lower scheduling priority
/// than the chains' (it has a whole interval of slack; the sequencer and the RPC have none): a
/// block is in the write-ahead log before its receipts show, the log is synced every `sync`
/// (`--sync-interval`), and the logged blocks go to the database, synced, every `checkpoint`
/// (`--checkpoint-interval`): few large transactions write the database's pages far fewer
/// times than many small ones. The data dir checkpoints once more when it closes; the thread
/// lets go of it as soon as `cancel` fires.
pub(super) fn spawn_checkpoints(
    dir: Arc<DataDir>,
    sync: Duration,
    checkpoint: Duration,
    cancel: CancellationToken,
) {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    tokio::spawn(async move {
        cancel.cancelled().await;
        drop(stop);
    });
    let tick = sync.min(checkpoint);
    let spawned = std::thread::Builder::new()
        .name("zkos-checkpoints".into())
        .spawn(move || {
            lower_priority();
            let mut checkpointed = Instant::now();
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(tick) {
                let due = checkpointed.elapsed() + tick / 2 >= checkpoint || dir.queue_is_long();
                let done = match due {
                    true => dir.checkpoint().context("the data dir's checkpoint failed"),
                    false => dir.sync_log(),
                };
                if due {
                    checkpointed = Instant::now();
                }
                if let Err(err) = done {
                    tracing::warn!("{err:#}");
                }
            }
        });
    if let Err(err) = spawned {
        tracing::warn!("the data dir checkpoints cannot start: {err}; it syncs when it closes");
    }
}

/// Makes the calling thread yield the CPU to the node's other threads (Linux: nice 10; a
/// thread's nice value is its own there).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments; `0` names the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}
