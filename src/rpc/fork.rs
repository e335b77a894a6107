//! `anvil_reset` / `hardhat_reset` and fork mode, as anvil has them: with
//! `{forking: {jsonRpcUrl, blockNumber}}` the L2 starts over from that block of that chain (a
//! re-fork); without params a fork leaves fork mode (a fresh chain, as at `zkos-dev start`
//! without `--fork-url`) and any other chain goes back to its genesis. With an L1, the L1 goes
//! back to its genesis too.

use std::sync::Arc;

use serde_json::Value;

use super::{
    RpcContext,
    dev::ask,
    error::{RpcError, RpcResult},
};
use crate::{
    config::ForkConfig,
    fork::ForkSource,
    persistence::records::RebuiltChain as Rebuilt,
    sequencer::{LoadedChain, SequencerCommand, fork_genesis_block, genesis_block, now},
    storage::{ChainStore, StateStore},
};

/// Where `anvil_reset`'s params ask the chain to go.
enum Target {
    /// Back to this chain's genesis.
    Genesis,
    /// A fresh chain, out of fork mode.
    Fresh,
    /// A block of a remote chain (`None`: its latest).
    Fork { url: String, block: Option<u64> },
}

fn target(c: &RpcContext, options: Option<&Value>) -> RpcResult<Target> {
    let forking = options
        .and_then(|o| o.get("forking"))
        .filter(|f| !f.is_null());
    let url = forking
        .and_then(|f| f.get("jsonRpcUrl"))
        .filter(|u| !u.is_null());
    let Some(url) = url else {
        return Ok(match c.chain.fork() {
            Some(_) => Target::Fresh,
            None => Target::Genesis,
        });
    };
    let url = url
        .as_str()
        .ok_or_else(|| RpcError::params("forking.jsonRpcUrl must be a string"))?
        .to_string();
    let block = match forking.and_then(|f| f.get("blockNumber")) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .ok_or_else(|| RpcError::params("forking.blockNumber must be a block number"))?,
        ),
        Some(Value::String(s)) => Some(
            match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => s.parse().ok(),
            }
            .ok_or_else(|| RpcError::params("forking.blockNumber must be a block number"))?,
        ),
        Some(_) => {
            return Err(RpcError::params(
                "forking.blockNumber must be a block number",
            ));
        }
    };
    Ok(Target::Fork { url, block })
}

/// `anvil_reset(options)`.
pub(super) async fn reset(c: &RpcContext, options: Option<Value>) -> RpcResult<Value> {
    let target = target(c, options.as_ref())?;
    let recipe = match target {
        Target::Genesis => None,
        _ => Some(
            c.genesis
                .clone()
                .ok_or_else(|| RpcError::params("forking is only for the L2"))?,
        ),
    };
    let fork = match target {
        Target::Fork { url, block } => {
            let current = c.chain.fork();
            let mut config = current
                .as_ref()
                .map(|f| f.config().clone())
                .unwrap_or_else(|| ForkConfig::new(url.clone()));
            config.url = url;
            config.block_number = block;
            config.transaction_hash = None;
            let cache_dir: Option<std::path::PathBuf> =
                current.as_ref().and_then(|f| f.cache_dir().map(Into::into));
            let fork = ForkSource::connect(&config, cache_dir.as_deref())
                .await
                .map_err(|e| RpcError::params(format!("{e:#}")))?;
            let chain_id = c.next_block().chain_id;
            if fork.point().chain_id != chain_id {
                return Err(RpcError::params(format!(
                    "the remote is chain {}, this node chain {chain_id}: a fork of another chain \
                     needs a restart with --fork-url (and --chain-id to keep another id)",
                    fork.point().chain_id
                )));
            }
            Some(Arc::new(fork))
        }
        _ => None,
    };
    // Both chains back to genesis (the L1's contracts, the batches, the settings)...
    match &c.devnet {
        Some(devnet) => devnet.reset().await.map_err(RpcError::internal)?,
        None => ask(c, SequencerCommand::Reset).await?,
    }
    // ...then, for a re-fork or leaving fork mode, the L2 onto its new genesis.
    let Some(recipe) = recipe else {
        return Ok(Value::Null);
    };
    // The new genesis reads the remote: off the async workers.
    let config = c.chain_config.clone();
    let loaded = tokio::task::spawn_blocking(move || -> anyhow::Result<Rebuilt> {
        let mut genesis = recipe.build(fork.clone())?;
        let writes = genesis.take_writes();
        let block = match &fork {
            Some(fork) => fork_genesis_block(fork.point(), writes),
            None => genesis_block(&config, now(), writes),
        };
        let chain = Arc::new(ChainStore::new(block));
        chain.set_fork(fork);
        Ok(Rebuilt {
            states: Arc::new(StateStore::new(chain.first_number(), genesis.clone())),
            chain,
            genesis,
            next_l1_tx: 0,
        })
    })
    .await
    .map_err(RpcError::internal)?
    .map_err(|e| RpcError::internal(format!("{e:#}")))?;
    let loaded = LoadedChain {
        rebuilt: loaded,
        settings: c.next_block(),
    };
    ask(c, |reply| SequencerCommand::Load {
        chain: Box::new(loaded),
        reply,
    })
    .await?
    .map_err(|e| RpcError::internal(e.to_string()))?;
    Ok(Value::Null)
}
