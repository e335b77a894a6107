//! Interop root watcher (`--gateway`), one per L2 on the Gateway: the Gateway's new interop
//! roots -> the L2's sequencer, which imports them with a system tx at the start of its next
//! block (zksync-os-server's interop root watcher and `InteropRootsEnvelope`).
//!
//! `InteropRootWatcher::run`: poll the Gateway's `NewInteropRoot` events ->
//! `SequencerCommand::InteropRoots`.
//!
//! A Gateway block may append several batch roots, each emitting `NewInteropRoot`; the root of
//! the block is the last one (`MessageRoot.historicalRoot(block)`, what execution checks a
//! batch's imported roots against), so that is the one delivered, keyed
//! `(gatewayChainId, gatewayBlock)`. Only the roots of Gateway blocks that appended a batch
//! with L2->L1 logs are delivered: a batch without any (a block that only imported roots, say)
//! adds no message anyone could prove, and delivering its root would make every L2 seal a block
//! to import it, whose batch would make another root, and so on, forever, on an idle devnet.
//! The sequencer drops roots the chain already holds, so a restart, which looks at the Gateway
//! from its first block again, imports nothing twice; and when the last Gateway block looked at
//! is gone (a devnet revert, a reset) or the L2 went back (its sequencer's epoch changed,
//! dropping the roots waiting), it looks again from the first.

use std::{collections::HashSet, time::Duration};

use alloy_eips::BlockNumberOrTag;
use alloy_provider::Provider;
use alloy_rpc_types_eth::Filter;
use alloy_sol_types::SolEvent as _;
use anyhow::Context as _;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{
    IMessageRoot::{AppendedChainBatchRoot, NewInteropRoot},
    MESSAGE_ROOT,
};
use crate::{
    abi::InteropRoot,
    batcher::commitment::{l2_logs_tree_root, logs_local_root},
    sequencer::SequencerCommand,
};

/// The logs root of a batch that sent nothing to L1.
fn empty_batch_root() -> alloy_primitives::B256 {
    l2_logs_tree_root(logs_local_root(&[]), alloy_primitives::B256::ZERO)
}

/// Hands the Gateway's interop roots to one L2. Its fields are its dependencies.
pub(crate) struct InteropRootWatcher<P> {
    /// The Gateway.
    pub(crate) gateway: P,
    /// The L2's sequencer.
    pub(crate) sequencer: mpsc::Sender<SequencerCommand>,
    /// How often to look.
    pub(crate) poll: Duration,
}

impl<P: Provider> InteropRootWatcher<P> {
    /// Polls until `cancel` fires or the sequencer is gone.
    pub(crate) async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let mut next = Cursor::default();
        let mut backoff = crate::retry::Backoff::new("interop root watcher", self.poll, None);
        while backoff.pause(&cancel).await {
            match self.poll_once(&mut next).await {
                Ok(true) => return Ok(()),
                Ok(false) => backoff.succeeded(),
                Err(_) if cancel.is_cancelled() => return Ok(()),
                Err(err) => backoff.failed(&err),
            }
        }
        Ok(())
    }

    /// One look at the Gateway from the cursor on. Returns true when the sequencer is gone.
    async fn poll_once(&self, next: &mut Cursor) -> anyhow::Result<bool> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        if self
            .sequencer
            .send(SequencerCommand::InteropRootsEpoch(reply))
            .await
            .is_err()
        {
            return Ok(true);
        }
        let Ok(epoch) = answer.await else {
            return Ok(true);
        };
        if epoch != next.epoch {
            // The L2 went back and dropped the roots it had not imported yet: hand them over again.
            *next = Cursor { seen: None, epoch };
        }
        let head = self
            .gateway
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .context("eth_getBlockByNumber")?
            .context("the Gateway has no latest block")?;
        let (head, head_hash) = (head.header.number, head.header.hash);
        if let Some((seen, hash)) = next.seen {
            let now = match seen <= head {
                true => self
                    .gateway
                    .get_block_by_number(seen.into())
                    .await
                    .context("eth_getBlockByNumber")?
                    .map(|b| b.header.hash),
                false => None,
            };
            if now != Some(hash) {
                // The Gateway went back (a revert, a reset, a loaded dump): look at it all again.
                next.seen = None;
            }
        }
        let from = next.seen.map_or(0, |(n, _)| n + 1);
        if from > head {
            return Ok(false);
        }
        let filter = Filter::new()
            .address(MESSAGE_ROOT)
            .event_signature(NewInteropRoot::SIGNATURE_HASH)
            .from_block(from)
            .to_block(head);
        let logs = self
            .gateway
            .get_logs(&filter)
            .await
            .context("eth_getLogs")?;
        let appended = Filter::new()
            .address(MESSAGE_ROOT)
            .event_signature(AppendedChainBatchRoot::SIGNATURE_HASH)
            .from_block(from)
            .to_block(head);
        let appended = self
            .gateway
            .get_logs(&appended)
            .await
            .context("eth_getLogs")?;
        let with_messages: HashSet<u64> = appended
            .iter()
            .filter_map(|log| {
                let event = AppendedChainBatchRoot::decode_log(&log.inner).ok()?;
                (event.batchRoot != empty_batch_root())
                    .then_some(log.block_number)
                    .flatten()
            })
            .collect();
        let logs = logs
            .iter()
            .filter(|log| log.block_number.is_some_and(|n| with_messages.contains(&n)));
        let roots = last_root_per_block(logs.filter_map(|log| {
            let event = NewInteropRoot::decode_log(&log.inner).ok()?;
            Some(InteropRoot {
                chainId: event.chainId,
                blockOrBatchNumber: event.blockNumber,
                sides: event.data.sides,
            })
        }));
        next.seen = Some((head, head_hash));
        if roots.is_empty() {
            return Ok(false);
        }
        Ok(self
            .sequencer
            .send(SequencerCommand::InteropRoots(roots))
            .await
            .is_err())
    }
}

/// The last Gateway block looked at, and its hash (to notice the Gateway went back), and the
/// L2's epoch then (to notice it went back).
#[derive(Debug, Default)]
struct Cursor {
    seen: Option<(u64, alloy_primitives::B256)>,
    epoch: u64,
}

/// The last root of each block, in block order.
fn last_root_per_block(roots: impl Iterator<Item = InteropRoot>) -> Vec<InteropRoot> {
    let mut out: Vec<InteropRoot> = vec![];
    for root in roots {
        let key = (root.chainId, root.blockOrBatchNumber);
        match out.last_mut() {
            Some(last) if (last.chainId, last.blockOrBatchNumber) == key => *last = root,
            _ => out.push(root),
        }
    }
    out.sort_by_key(|r| (r.blockOrBatchNumber, r.chainId));
    out.dedup_by_key(|r| (r.blockOrBatchNumber, r.chainId));
    out
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{B256, U256};

    use super::*;

    fn root(block: u64, byte: u8) -> InteropRoot {
        InteropRoot {
            chainId: U256::from(506),
            blockOrBatchNumber: U256::from(block),
            sides: vec![B256::repeat_byte(byte)],
        }
    }

    #[test]
    fn a_block_that_appended_several_batch_roots_delivers_its_last_root() {
        let roots = last_root_per_block([root(4, 1), root(4, 2), root(6, 3)].into_iter());
        assert_eq!(roots, vec![root(4, 2), root(6, 3)]);
    }
}
