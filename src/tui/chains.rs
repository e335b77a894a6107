//! Which L2 the dashboard follows: its sources (events or polls, status, batches) and the
//! control's target, restarted when the user switches chain (`c`, a devnet of several L2s).
//! `Dashboard::follow(index)`: the old L2's sources stop, the new one's start.

use super::{Dashboard, control::Rpc, feed::ChainKind, source};

impl Dashboard {
    /// Follows L2 number `index` of the devnet (0: the first, also when the chains are not
    /// known): its sources feed the dashboard, commands go to it.
    pub(super) fn follow(&mut self, index: usize) -> anyhow::Result<()> {
        let url = match self.info.chains.get(index) {
            Some(chain) => chain.url.clone(),
            None => self.info.l2_url.clone(),
        };
        let l2 = Rpc::new(&url)?;
        for task in self.l2_tasks.drain(..) {
            task.abort();
        }
        let feed = &self.feed_tx;
        let blocks = match self.l2_events.get(index) {
            Some(events) => tokio::spawn(source::events(
                events.resubscribe(),
                ChainKind::L2,
                l2.clone(),
                feed.clone(),
            )),
            None => tokio::spawn(source::poll_blocks(l2.clone(), ChainKind::L2, feed.clone())),
        };
        // Attached, batch stages are polled too (no events to learn them from).
        let attached = self.l2_events.is_empty();
        self.l2_tasks = vec![
            blocks,
            tokio::spawn(source::poll_status(
                l2.clone(),
                self.l1.clone(),
                feed.clone(),
            )),
            tokio::spawn(source::poll_batches(l2.clone(), attached, feed.clone())),
        ];
        self.info.l2_ws_url = Some(super::format::ws_url(&url));
        self.info.l2_url = url;
        self.control.l2 = l2;
        Ok(())
    }
}
