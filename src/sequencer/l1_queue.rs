//! The L1 txs that arrived from the watcher and wait for the next block, in priority-id order.
//! Each id is taken exactly once: the watcher may hand over a tx again (after a restart or a
//! revert of its own cursor) and anything below the next expected id is ignored.

use std::collections::VecDeque;

use crate::tx::L1Tx;

/// Waiting L1 txs plus the id the next one must have. Cloning is cheap enough for snapshots
/// (the queue is empty but for the txs of one L1 block at most).
#[derive(Debug, Clone, Default)]
pub(crate) struct L1Queue {
    waiting: VecDeque<L1Tx>,
    /// Priority id of the next tx to accept (ids below are included or waiting).
    next_id: u64,
}

impl L1Queue {
    /// Accepts the txs that come next in priority order; returns how many were new.
    /// A gap (an id beyond the next expected one) stops acceptance: the watcher resends.
    pub(crate) fn push(&mut self, txs: impl IntoIterator<Item = L1Tx>) -> usize {
        let mut accepted = 0;
        for tx in txs {
            let id = tx.priority_id();
            if id < self.next_id {
                continue;
            }
            if id > self.next_id {
                tracing::warn!(
                    id,
                    expected = self.next_id,
                    "L1 tx out of order, waiting for the gap"
                );
                break;
            }
            self.waiting.push_back(tx);
            self.next_id += 1;
            accepted += 1;
        }
        accepted
    }

    /// An empty queue whose next tx must have priority id `next_id` (a chain rebuilt from
    /// the data dir, where txs up to it are in blocks).
    pub(crate) fn starting_at(next_id: u64) -> Self {
        Self {
            waiting: VecDeque::new(),
            next_id,
        }
    }

    /// Takes up to `max` txs for a block, oldest first.
    pub(crate) fn take(&mut self, max: usize) -> Vec<L1Tx> {
        let n = max.min(self.waiting.len());
        self.waiting.drain(..n).collect()
    }

    /// Whether any tx waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Priority id the next new tx must have.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id
    }
}
