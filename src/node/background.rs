//! The node's background chores, off every chain's critical path: the data dirs' checkpoints
//! and the forks' caches written to disk.

use std::sync::Arc;

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

/// Syncs the data dir's writes every `every` (`--sync-interval`), off the sequencer's path:
/// a block is in the write-ahead log before its receipts show, and on the disk after the next
/// checkpoint. The data dir checkpoints once more when it closes.
pub(super) fn spawn_checkpoints(
    dir: Arc<DataDir>,
    every: std::time::Duration,
    cancel: CancellationToken,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tick.tick() => {}
            }
            let dir = dir.clone();
            if let Ok(Err(err)) = tokio::task::spawn_blocking(move || dir.checkpoint()).await {
                tracing::warn!("data dir checkpoint failed: {err:#}");
            }
        }
    });
}
