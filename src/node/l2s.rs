//! The L2s of the devnet before they run (`--chains`: the first L2, then the others, then the
//! Gateway of `--gateway`), each with what is its own: settings and port, data dir, batches and
//! command channels.
//!
//! `(Config, the data dir) -> one L2Plan per L2`
//!
//! The first L2 is kept in the data dir itself, as when it is the only one; each other L2 in a
//! data dir of its own, `<data dir>/chains/<chain id>/` (a data dir of one L2 and no L1).

use std::{path::Path, sync::Arc};

use tokio::sync::mpsc;

use crate::{
    Config, batcher::BatchStore, config::ChainConfig, l1::sender::SettleCommand,
    persistence::data_dir::DataDir, sequencer::SequencerCommand,
};

/// Where the data dir keeps the L2s after the first (`<data dir>/chains/<chain id>/`).
pub const CHAINS_DIR: &str = "chains";

/// A channel's two ends.
pub(super) type Channel<T> = (mpsc::Sender<T>, mpsc::Receiver<T>);

/// One L2, before it runs.
pub(super) struct L2Plan {
    pub(super) chain: ChainConfig,
    /// Whether it is the Gateway (the L2s settle on it; it settles on the L1).
    pub(super) gateway: bool,
    /// Port of its JSON-RPC.
    pub(super) port: u16,
    /// Its data dir (`None`: in memory).
    pub(super) disk: Option<Arc<DataDir>>,
    /// Its batches.
    pub(super) batches: Arc<BatchStore>,
    /// Its sequencer's commands (made before it runs, so the devnet can hold them).
    pub(super) commands: Channel<SequencerCommand>,
    /// Manual settlement commands (`anvil_zks_*`) for its L1 sender.
    pub(super) settle: Channel<SettleCommand>,
}

/// The plans of every L2, the first one first; `root` is the devnet's data dir (`None`: in
/// memory), where the first L2 is kept.
pub(super) fn plan(config: &Config, root: Option<&Arc<DataDir>>) -> anyhow::Result<Vec<L2Plan>> {
    let l1_id = match &config.l1 {
        Some(l1) if l1.external.is_none() => l1.chain.chain_id,
        _ => 0,
    };
    let chains = config.l2_chains();
    let count = chains.len();
    chains
        .into_iter()
        .enumerate()
        .map(|(i, (chain, port))| {
            let disk = match (i, root) {
                (_, None) => None,
                (0, Some(root)) => Some(root.clone()),
                (_, Some(root)) => Some(Arc::new(chain_dir(root.path(), chain.chain_id)?)),
            };
            anyhow::ensure!(
                chain.chain_id != l1_id,
                "L2 chain {} has the L1's chain id: give it another one",
                chain.chain_id
            );
            let batches = Arc::new(match &disk {
                Some(dir) => BatchStore::persisted(dir.batches())?,
                None => BatchStore::default(),
            });
            let gateway = config.gateway.is_some() && i + 1 == count;
            if config.gateway.is_some() && !gateway {
                // It settles on the Gateway: final only once the Gateway is (`l1::finality`),
                // nothing before the first look.
                batches.set_final_on_l1(0);
            }
            Ok(L2Plan {
                chain,
                gateway,
                port,
                disk,
                batches,
                commands: mpsc::channel(64),
                settle: mpsc::channel(16),
            })
        })
        .collect()
}

/// Opens (or creates) the data dir of an L2 after the first.
fn chain_dir(root: &Path, chain_id: u64) -> anyhow::Result<DataDir> {
    let path = root.join(CHAINS_DIR).join(chain_id.to_string());
    DataDir::open(&path, (chain_id, 0))
}
