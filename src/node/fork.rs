//! A node's fork of a remote chain: reaching the remote, and the remote block's txs replayed
//! before `--fork-transaction-hash`.

use std::{net::SocketAddr, sync::Arc};

use alloy_provider::{Provider as _, ProviderBuilder};
use anyhow::Context as _;

use crate::{config::Storage, fork::ForkSource};

/// Reaches a fork's remote (`None` without a fork); what it reads is cached in the data dir's
/// `fork-cache/` (in memory without a data dir).
pub(super) async fn connect_fork(
    fork: Option<&crate::fork::ForkConfig>,
    storage: &Storage,
) -> anyhow::Result<Option<crate::fork::Fork>> {
    let Some(fork) = fork else {
        return Ok(None);
    };
    let cache_dir = match storage {
        Storage::Dir(path) => Some(path.join("fork-cache")),
        _ => None,
    };
    Ok(Some(Arc::new(
        ForkSource::connect(fork, cache_dir.as_deref()).await?,
    )))
}

/// With `--fork-transaction-hash`: sends the txs of the remote block that came before that tx,
/// in order, through the L2's own RPC, and waits until they are mined.
pub(super) async fn replay_fork_txs(
    fork: &crate::fork::Fork,
    rpc: SocketAddr,
) -> anyhow::Result<()> {
    let replay = &fork.point().replay;
    if replay.is_empty() {
        return Ok(());
    }
    let provider = ProviderBuilder::new().connect_http(format!("http://{rpc}").parse()?);
    let mut pending = vec![];
    for raw in replay {
        let sent = provider
            .send_raw_transaction(raw)
            .await
            .context("replaying the forked block's txs before --fork-transaction-hash")?;
        pending.push(*sent.tx_hash());
    }
    for hash in pending {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while provider.get_transaction_receipt(hash).await?.is_none() {
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "replayed tx {hash} was not mined (with --no-mining, mine it yourself)"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    Ok(())
}
