//! L1 watcher: `NewPriorityRequest` events on L1 -> L1 txs for the sequencer.
//! `L1Watcher::run`: poll L1 -> `SequencerCommand::L1Txs`, in priority-id order, each once.
//!
//! It speaks JSON-RPC to the L1 like to any node (the embedded one or `--l1-rpc`). Each poll
//! compares the chain's `getTotalPriorityTxs` with the id the sequencer expects next and, when
//! L1 is ahead, reads the missing requests from the logs. An unreachable L1 is retried with
//! backoff; the L2 goes on producing blocks meanwhile.

use std::time::Duration;

use alloy_primitives::Address;
use alloy_provider::Provider;
use alloy_rpc_types_eth::{Filter, TransactionRequest};
use alloy_sol_types::{SolCall, SolEvent};
use anyhow::Context as _;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::{abi::IZKChain, sequencer::SequencerCommand, tx::L1Tx};

/// Most L1 blocks one `eth_getLogs` asks for (below the node's default range limit).
const LOGS_CHUNK: u64 = 50_000;
/// Turns priority requests on L1 into L1 txs on L2. Its fields are its dependencies.
pub struct L1Watcher<P> {
    /// The L1.
    pub l1: P,
    /// The L2 chain's contract on L1 (emits `NewPriorityRequest`).
    pub zk_chain: Address,
    /// Where the L1 txs go.
    pub sequencer: mpsc::Sender<SequencerCommand>,
    /// How often to look at L1.
    pub poll: Duration,
    /// Held while handing L1 txs over, so both chains are never saved half-way through.
    pub gate: std::sync::Arc<tokio::sync::RwLock<()>>,
    /// The L1's first block of its own: 0, or a forked L1's fork block (the remote's history
    /// before it holds no request of this chain).
    pub first_block: u64,
}

impl<P: Provider> L1Watcher<P> {
    /// Polls until `cancel` fires or the sequencer is gone.
    pub async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        // First L1 block that may hold a request not yet handed over.
        let mut scan_from = self.first_block;
        let mut backoff = crate::retry::Backoff::new(
            "L1 watcher",
            self.poll,
            Some("L1 reachable again, watching for L1 txs"),
        );
        while backoff.pause(&cancel).await {
            let result = {
                let _acting = self.gate.read().await;
                self.poll_once(&mut scan_from).await
            };
            match result {
                Ok(true) => return Ok(()),
                Ok(false) => backoff.succeeded(),
                Err(_) if cancel.is_cancelled() => return Ok(()),
                Err(err) => backoff.failed(&err),
            }
        }
        Ok(())
    }

    /// One look at L1. Returns true when the sequencer is gone.
    async fn poll_once(&self, scan_from: &mut u64) -> anyhow::Result<bool> {
        let total = self.total_priority_txs().await?;
        let (reply, answer) = oneshot::channel();
        if self
            .sequencer
            .send(SequencerCommand::NextL1TxId(reply))
            .await
            .is_err()
        {
            return Ok(true);
        }
        let Ok(next) = answer.await else {
            return Ok(true);
        };
        if total <= next {
            return Ok(false);
        }
        let head = self
            .l1
            .get_block_number()
            .await
            .context("eth_blockNumber")?;
        if *scan_from > head {
            // L1 went back (a revert or a reset): look at it all again.
            *scan_from = self.first_block;
        }
        let mut txs = self.requests(*scan_from, head).await?;
        txs.retain(|tx| tx.priority_id() >= next);
        txs.sort_by_key(L1Tx::priority_id);
        txs.dedup_by_key(|tx| tx.priority_id());
        if txs.first().map(L1Tx::priority_id) != Some(next) {
            // The next request is older than where we looked: look from genesis next time.
            *scan_from = self.first_block;
            return Ok(false);
        }
        let complete = txs.last().map(L1Tx::priority_id) == Some(total - 1);
        if self
            .sequencer
            .send(SequencerCommand::L1Txs(txs))
            .await
            .is_err()
        {
            return Ok(true);
        }
        if complete {
            *scan_from = head + 1;
        }
        Ok(false)
    }

    async fn total_priority_txs(&self) -> anyhow::Result<u64> {
        total_priority_txs(&self.l1, self.zk_chain)
            .await
            .context("getTotalPriorityTxs on L1")
    }

    /// Every priority request emitted in L1 blocks `from..=to`.
    async fn requests(&self, from: u64, to: u64) -> anyhow::Result<Vec<L1Tx>> {
        Ok(priority_requests(&self.l1, self.zk_chain, from, to)
            .await?
            .into_iter()
            .map(|event| L1Tx {
                hash: event.txHash,
                canonical: event.transaction,
            })
            .collect())
    }
}

/// How many priority requests the chain contract `zk_chain` has queued, ever.
pub(crate) async fn total_priority_txs<P: Provider>(
    chain: &P,
    zk_chain: Address,
) -> anyhow::Result<u64> {
    let call = TransactionRequest::default()
        .to(zk_chain)
        .input(IZKChain::getTotalPriorityTxsCall {}.abi_encode().into());
    let out = chain.call(call).await?;
    let total = IZKChain::getTotalPriorityTxsCall::abi_decode_returns(&out)
        .context("getTotalPriorityTxs answer")?;
    Ok(total.saturating_to())
}

/// Every `NewPriorityRequest` the chain contract `zk_chain` emitted in blocks `from..=to`.
pub(crate) async fn priority_requests<P: Provider>(
    l1: &P,
    zk_chain: Address,
    from: u64,
    to: u64,
) -> anyhow::Result<Vec<IZKChain::NewPriorityRequest>> {
    let mut requests = Vec::new();
    let mut start = from;
    while start <= to {
        let end = to.min(start + LOGS_CHUNK - 1);
        let filter = Filter::new()
            .address(zk_chain)
            .event_signature(IZKChain::NewPriorityRequest::SIGNATURE_HASH)
            .from_block(start)
            .to_block(end);
        let logs = l1.get_logs(&filter).await.context("eth_getLogs")?;
        for log in logs {
            requests.push(
                IZKChain::NewPriorityRequest::decode_log_data(log.data())
                    .context("undecodable NewPriorityRequest")?,
            );
        }
        start = end + 1;
    }
    Ok(requests)
}
