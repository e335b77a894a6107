//! What `Node::spawn` hands back: addresses, events and accounts of the running devnet, and the
//! way to wait for it to stop or to stop it.

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context as _;
use tokio::sync::broadcast;

use crate::accounts::DevAccount;
use crate::{events::NodeEvent, l1::L1Contracts, persistence::data_dir::DataDir};

use super::{NodeHandle, chain::RunningChain};
pub use crate::batcher::TreeResume;

/// One L2 of the devnet, as a client reaches it.
#[derive(Debug, Clone)]
pub struct L2Endpoint {
    /// Its chain id.
    pub chain_id: u64,
    /// Its bound JSON-RPC address (HTTP and WebSocket).
    pub rpc_addr: SocketAddr,
    /// Its contracts on the L1 (the shared ones and its own `zk_chain`; `None` without an L1).
    pub l1_contracts: Option<L1Contracts>,
    /// Its validator on the L1, which sends its settlement txs (`None` without an L1).
    pub operator: Option<alloy_primitives::Address>,
    /// Whether it is the Gateway (`--gateway`), on which the other L2s settle.
    pub gateway: bool,
    /// Its contracts on the Gateway, where its batches settle (`None`: it settles on the L1).
    pub gateway_contracts: Option<L1Contracts>,
}

impl L2Endpoint {
    /// `http://HOST:PORT` of its JSON-RPC.
    pub fn rpc_url(&self) -> String {
        format!("http://{}", self.rpc_addr)
    }
}

impl NodeHandle {
    /// The first L2 (`--port`; the only one without `--chains`).
    fn l2(&self) -> &RunningChain {
        &self.l2s[0]
    }

    /// Every L2, the first one first (`--chains`; one without it), the Gateway (`--gateway`)
    /// last.
    pub fn l2s(&self) -> Vec<L2Endpoint> {
        self.l2s
            .iter()
            .enumerate()
            .map(|(i, l2)| L2Endpoint {
                chain_id: l2.chain_id,
                rpc_addr: l2.rpc_addr,
                l1_contracts: self.on_l1.get(i).map(|c| c.contracts),
                operator: self.on_l1.get(i).map(|c| c.operator.address()),
                gateway: self.gateway && i + 1 == self.l2s.len(),
                gateway_contracts: self.on_gateway.get(i).map(|c| c.contracts),
            })
            .collect()
    }

    /// The Gateway (`--gateway`; `None` without it).
    pub fn gateway(&self) -> Option<L2Endpoint> {
        self.l2s().into_iter().find(|l2| l2.gateway)
    }

    /// A receiver of the events of L2 number `index` (0: the first; `None` past the last).
    pub fn l2_events(&self, index: usize) -> Option<broadcast::Receiver<NodeEvent>> {
        self.l2s.get(index).map(|l2| l2.events.subscribe())
    }

    /// Where the batcher of L2 number `index` started its state tree in this run and how many
    /// blocks it applied to reach the chain's head (`None`: not caught up yet, or no such L2).
    pub fn tree_resumed(&self, index: usize) -> Option<TreeResume> {
        self.batches.get(index)?.resumed()
    }

    /// The batch whose state tree the data dir of L2 number `index` keeps as its tree
    /// checkpoint, as this run last read or wrote it (`None`: none yet).
    pub fn tree_checkpoint(&self, index: usize) -> Option<u64> {
        self.batches.get(index)?.checkpoint()
    }

    /// The data dir (`None`: in memory; a temporary one for snapshots with `--ephemeral`).
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self.data_dir
            .as_deref()
            .map(DataDir::path)
            .or(self.ephemeral.as_ref().map(tempfile::TempDir::path))
    }

    /// Dumps and loads of the whole devnet (`--dump-state`, `--load-state`).
    pub fn dumps(&self) -> crate::devnet::DumpAccess {
        self.dumps.clone()
    }

    /// `http://HOST:PORT` of the L2 JSON-RPC.
    pub fn rpc_url(&self) -> String {
        format!("http://{}", self.l2().rpc_addr)
    }

    /// `ws://HOST:PORT` of the L2 JSON-RPC.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.l2().rpc_addr)
    }

    /// The bound L2 RPC address.
    pub fn rpc_addr(&self) -> SocketAddr {
        self.l2().rpc_addr
    }

    /// The bound metrics address (`None`: metrics off, or the port was taken).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// URL of the L1's JSON-RPC: the embedded one's, or the `--l1-rpc` one (`None` without
    /// an L1).
    pub fn l1_rpc_url(&self) -> Option<String> {
        self.l1.as_ref().map(|l1| l1.url.clone())
    }

    /// `ws://HOST:PORT` of the embedded L1's JSON-RPC (`None` without an L1).
    pub fn l1_ws_url(&self) -> Option<String> {
        self.l1_rpc_addr().map(|addr| format!("ws://{addr}"))
    }

    /// The bound L1 RPC address (`None` without an L1).
    pub fn l1_rpc_addr(&self) -> Option<SocketAddr> {
        self.embedded_l1().map(|l1| l1.rpc_addr)
    }

    fn embedded_l1(&self) -> Option<&RunningChain> {
        self.l1.as_ref().and_then(|l1| l1.chain.as_ref())
    }

    /// Where the rollup contracts are on the L1, with the first L2's chain contract (`None`
    /// without an L1).
    pub fn l1_contracts(&self) -> Option<L1Contracts> {
        self.on_l1.first().map(|c| c.contracts)
    }

    /// A receiver of the first L2's events (blocks, pending txs, L1 txs queued, batch stages).
    pub fn events(&self) -> broadcast::Receiver<NodeEvent> {
        self.l2().events.subscribe()
    }

    /// A receiver of the embedded L1's events (`None` without an embedded L1).
    pub fn l1_events(&self) -> Option<broadcast::Receiver<NodeEvent>> {
        self.embedded_l1().map(|l1| l1.events.subscribe())
    }

    /// The dev accounts (mnemonic ones first, then the rich account), funded on every chain.
    pub fn accounts(&self) -> &[DevAccount] {
        &self.accounts
    }

    /// Every JSON-RPC method name the L2 answers, aliases included (sorted).
    pub fn rpc_methods(&self) -> &[&'static str] {
        &self.l2().rpc_methods
    }

    /// Waits until the node stops by itself (a sequencer of any chain or a stage of a
    /// settlement pipeline failed) or `shutdown` is called elsewhere. Returns the failure, if any.
    pub async fn stopped(&mut self) -> anyhow::Result<()> {
        let l1_running = self.embedded_l1().is_some_and(|l1| l1.sequencer.is_some());
        if self.l2s.iter().all(|l2| l2.sequencer.is_none()) && !l1_running {
            return Ok(());
        }
        let several = self.l2s.len() > 1;
        let l2s = futures::future::select_all(self.l2s.iter_mut().map(|l2| {
            Box::pin(async move {
                let id = l2.chain_id;
                (id, l2.sequencer_ended().await)
            })
        }));
        let l1 = self.l1.as_mut().and_then(|l1| l1.chain.as_mut());
        let stages = &mut self.stages;
        // A sequencer's own failure first: the stages that depend on it end after it.
        tokio::select! {
            biased;
            ((id, result), _, _) = l2s => result.with_context(|| match several {
                true => format!("L2 chain {id}"),
                false => "L2".to_string(),
            }),
            result = async {
                match l1 {
                    Some(l1) => l1.sequencer_ended().await,
                    None => std::future::pending().await,
                }
            } => result.context("embedded L1"),
            err = stages.failed() => Err(err),
        }
    }

    /// The remote chain the L2 forks (`--fork-url`), with what was read from it.
    pub fn fork(&self) -> Option<crate::fork::Fork> {
        // No L2 once `shutdown` let go of them.
        self.l2s.first()?.chain.fork()
    }

    fn save_fork_cache(&self) {
        let l1 = self.l1.as_ref().and_then(|l1| l1.chain.as_ref());
        for fork in self
            .fork()
            .into_iter()
            .chain(l1.and_then(|c| c.chain.fork()))
        {
            if let Err(e) = fork.save_cache() {
                tracing::warn!("the fork cache could not be written: {e:#}");
            }
        }
    }

    /// Stops every chain and waits for them to finish in-flight work.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        self.save_fork_cache();
        for l2 in &mut self.l2s {
            l2.shutdown().await;
        }
        if let Some(l1) = self.l1.as_mut().and_then(|l1| l1.chain.as_mut()) {
            l1.shutdown().await;
        }
        // The pipeline's stages wind down after the cancel and let go of the data dir.
        self.stages
            .join_all(std::time::Duration::from_secs(3))
            .await;
        // The chains, the batch stores and the devnet reach the data dir: let go of them, so
        // the dir closes with this handle and can be opened again at once (what else may still
        // hold it, the RPC servers' contexts, goes with the servers).
        self.dumps.release();
        drop((
            std::mem::take(&mut self.l2s),
            self.l1.take(),
            std::mem::take(&mut self.on_l1),
            std::mem::take(&mut self.on_gateway),
            std::mem::take(&mut self.batches),
        ));
        for dir in self.data_dir.iter().chain(&self.more_dirs) {
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
            while Arc::strong_count(dir) > 1 && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            if Arc::strong_count(dir) > 1 {
                tracing::debug!("the data dir is still held 3 s after shutdown");
            }
        }
    }
}

impl Drop for NodeHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
        self.save_fork_cache();
    }
}
