//! A start after a killed process: the blocks logged after the data dir's last write are
//! replayed through the sequencer's own execution and sealing (`produce`'s path).

use super::{L1Queue, Sequencer};
use crate::executor::BlockContext;

impl Sequencer {
    /// Replays the blocks a killed process logged after the data dir's last write of this
    /// chain, through the same execution and sealing as `produce`: each must come out as it
    /// was logged (the same hash), else the start stops with an error that says which block.
    /// Returns how many were replayed.
    pub(crate) async fn replay_logged(&mut self) -> anyhow::Result<usize> {
        let Some(disk) = self.disk.clone() else {
            return Ok(0);
        };
        let tail = disk.logged_tail();
        let count = tail.len();
        for logged in tail {
            let started = std::time::Instant::now();
            let parent = self.chain.latest();
            let block = BlockContext::of_header(&logged.header);
            let txs = logged.txs.clone();
            let built = self.execute(&block, parent.hash, txs).await?;
            if built.sealed.hash != logged.hash {
                return Err(disk.replay_differs(&logged, &built.sealed));
            }
            self.settings.update(|s| *s = logged.settings.to_settings());
            self.l1_txs = L1Queue::starting_at(logged.next_l1_tx.max(self.l1_txs.next_id()));
            self.commit(built, started, Some(logged)).await?;
        }
        if count > 0 {
            tracing::info!(
                chain = self.config.chain_id,
                blocks = count,
                "blocks logged after the data dir's last write replayed through the sequencer"
            );
        }
        Ok(count)
    }
}
