//! Devnet: the L1 and the L2s saved, restored and reset together, so `evm_snapshot` /
//! `evm_revert` / `anvil_reset` on any RPC act on the whole rollup: every chain and the
//! settlement pipelines. `Devnet::{snapshot, revert, reset, dump, load}` -> commands to every
//! sequencer. The words (snapshot, dump, data dir) are `persistence`'s; this module sits
//! above the sequencers it commands, `persistence` below them.
//!
//! The pipeline (L1 watcher and L1 sender) holds `gate` shared while it acts on L1; saving and
//! restoring hold it exclusively, so no deposit or settlement step is half-way between the two
//! chains when they are saved. Everything else of the pipeline follows from the chains: the
//! batcher keeps the batches still on the restored L2, the sender re-reads L1's counters.

use std::{collections::BTreeMap, path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context as _;

use alloy_primitives::{B256, U256};
use alloy_provider::{DynProvider, Provider};
use parking_lot::Mutex;
use tokio::sync::{RwLock, mpsc, oneshot};

use crate::{
    batcher::BatchStore,
    persistence::dump::{ChainDump, DevnetDump, L2Dump, read_file, write_file},
    sequencer::{LoadedChain, SequencerCommand},
};

/// The L1 as the devnet saves it.
#[derive(Debug, Clone)]
pub enum L1Handle {
    /// The embedded L1: its sequencer.
    Embedded(mpsc::Sender<SequencerCommand>),
    /// An external L1 (`--l1-rpc`): saved with its own `evm_snapshot` (anvil, Hardhat).
    External(DynProvider),
    /// No L1 (`--no-l1`), with several L2s (`--chains`): they are saved together.
    None,
}

/// One devnet snapshot: the id each chain gave it.
#[derive(Debug, Clone)]
struct Taken {
    /// Each L2's, in the devnet's order.
    l2: Vec<U256>,
    l1: U256,
}

/// One L2 of the devnet, as the devnet saves it.
#[derive(Debug, Clone)]
pub struct DevnetL2 {
    /// Its chain id (a dump loads into the L2s of the same ids).
    pub chain_id: u64,
    /// Its sequencer.
    pub commands: mpsc::Sender<SequencerCommand>,
    /// Its batches (dumped and loaded with it).
    pub batches: Arc<BatchStore>,
}

/// Saves, restores and resets every chain together.
#[derive(Debug)]
pub struct Devnet {
    /// The L2s, the first one first.
    l2s: Vec<DevnetL2>,
    l1: L1Handle,
    /// Shared by the watchers and the senders while they act, exclusive while saving/restoring.
    pub gate: Arc<RwLock<()>>,
    /// Devnet snapshot id -> the chains' ids. Ids count up from 0 as in anvil.
    taken: Mutex<(U256, BTreeMap<U256, Taken>)>,
}

/// Why a devnet-wide operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// A chain is shutting down.
    #[error("node is shutting down")]
    ShuttingDown,
    /// The external L1 refused.
    #[error("external L1: {0}")]
    L1(String),
    /// Not possible with an external L1.
    #[error("{0}")]
    Unsupported(&'static str),
    /// A dump that cannot be loaded here.
    #[error("{0}")]
    Load(String),
}

/// One chain as a dump holds it (the blocks become records off the sequencer's loop).
pub(crate) async fn chain_dump(
    chain: &mpsc::Sender<SequencerCommand>,
) -> Result<ChainDump, DevnetError> {
    let parts = ask(chain, SequencerCommand::Copy).await?;
    tokio::task::spawn_blocking(move || parts.to_dump())
        .await
        .map_err(|_| DevnetError::ShuttingDown)
}

/// Replaces one chain with the one in `dump` (rebuilt off the sequencer's loop).
pub(crate) async fn load_chain(
    chain: &mpsc::Sender<SequencerCommand>,
    dump: ChainDump,
) -> Result<(), DevnetError> {
    let loaded = tokio::task::spawn_blocking(move || {
        let rebuilt = dump.rebuild()?;
        anyhow::Ok(LoadedChain {
            rebuilt,
            settings: dump.settings.to_settings(),
        })
    })
    .await
    .map_err(|_| DevnetError::ShuttingDown)?
    .map_err(|e| DevnetError::Load(format!("{e:#}")))?;
    ask(chain, |reply| SequencerCommand::Load {
        chain: Box::new(loaded),
        reply,
    })
    .await?
    .map_err(|e| DevnetError::Load(e.to_string()))
}

/// The whole devnet as a dump: both chains and the batches with an L1 (`devnet`), the L2
/// alone without one.
pub(crate) async fn dump(
    devnet: Option<&Devnet>,
    l2: &mpsc::Sender<SequencerCommand>,
) -> Result<DevnetDump, DevnetError> {
    match devnet {
        Some(devnet) => devnet.dump().await,
        None => Ok(DevnetDump {
            l2: chain_dump(l2).await?,
            l1: vec![],
            batches: vec![],
            more_l2s: None,
        }),
    }
}

/// Replaces the devnet with a dump (see [`dump`]).
pub(crate) async fn load(
    devnet: Option<&Devnet>,
    l2: &mpsc::Sender<SequencerCommand>,
    dump: DevnetDump,
) -> Result<(), DevnetError> {
    match devnet {
        Some(devnet) => devnet.load(dump).await,
        None if !dump.l1.is_empty() => Err(DevnetError::Load(
            "the state dump holds an L1 and this node runs without one (--no-l1)".into(),
        )),
        None if dump.more_l2s.is_some() => Err(DevnetError::Load(
            "the state dump holds several L2s (--chains), which need the embedded L1".into(),
        )),
        None => load_chain(l2, dump.l2).await,
    }
}

/// Dumps and loads of a running devnet, whichever chains it has (cheap to clone).
#[derive(Clone)]
pub struct DumpAccess {
    devnet: Option<Arc<Devnet>>,
    l2: mpsc::Sender<SequencerCommand>,
}

impl DumpAccess {
    /// Access through the devnet (with an L1) or the L2 alone.
    pub fn new(devnet: Option<Arc<Devnet>>, l2: mpsc::Sender<SequencerCommand>) -> Self {
        Self { devnet, l2 }
    }

    /// Lets go of the devnet (a node shutting down, once nothing dumps any more: the data dir
    /// it reaches through the batch stores closes as soon as nothing else holds it).
    pub fn release(&mut self) {
        self.devnet = None;
    }

    /// See [`dump`].
    pub async fn dump(&self) -> Result<DevnetDump, DevnetError> {
        dump(self.devnet.as_deref(), &self.l2).await
    }

    /// See [`load`].
    pub async fn load(&self, dump: DevnetDump) -> Result<(), DevnetError> {
        load(self.devnet.as_deref(), &self.l2, dump).await
    }
}

async fn ask<T>(
    chain: &mpsc::Sender<SequencerCommand>,
    make: impl FnOnce(oneshot::Sender<T>) -> SequencerCommand,
) -> Result<T, DevnetError> {
    let (reply, answer) = oneshot::channel();
    chain
        .send(make(reply))
        .await
        .map_err(|_| DevnetError::ShuttingDown)?;
    answer.await.map_err(|_| DevnetError::ShuttingDown)
}

impl Devnet {
    /// A devnet of these L2s (at least one, the first one first) and this L1.
    pub fn new(l2s: Vec<DevnetL2>, l1: L1Handle) -> Self {
        assert!(!l2s.is_empty(), "a devnet has an L2");
        Self {
            l2s,
            l1,
            gate: Arc::new(RwLock::new(())),
            taken: Mutex::new((U256::ZERO, BTreeMap::new())),
        }
    }

    /// Every chain and the batches, as one dump (`anvil_dumpState`, `zkos-dev snapshot save`).
    pub async fn dump(&self) -> Result<DevnetDump, DevnetError> {
        let _quiet = self.gate.write().await;
        let l1 = match &self.l1 {
            L1Handle::Embedded(l1) => vec![chain_dump(l1).await?],
            L1Handle::None => vec![],
            L1Handle::External(_) => {
                return Err(DevnetError::Unsupported(
                    "a state dump with an external L1 (--l1-rpc) is not supported: the L1 is not zkos-dev's to save",
                ));
            }
        };
        let mut l2s = Vec::with_capacity(self.l2s.len());
        for l2 in &self.l2s {
            l2s.push(L2Dump {
                chain: chain_dump(&l2.commands).await?,
                batches: l2.batches.marks(),
            });
        }
        let first = l2s.remove(0);
        Ok(DevnetDump {
            l2: first.chain,
            l1,
            batches: first.batches,
            more_l2s: (!l2s.is_empty()).then_some(l2s),
        })
    }

    /// Replaces every chain and the batches with a dump's (`anvil_loadState`,
    /// `zkos-dev snapshot load`). The snapshots taken before are gone.
    pub async fn load(&self, dump: DevnetDump) -> Result<(), DevnetError> {
        let _quiet = self.gate.write().await;
        let DevnetDump {
            l2,
            l1: mut l1_dump,
            batches,
            more_l2s,
        } = dump;
        let l1 = match (&self.l1, l1_dump.pop()) {
            (L1Handle::Embedded(l1), Some(dump)) => Some((l1, dump)),
            (L1Handle::Embedded(_), None) => {
                return Err(DevnetError::Load(
                    "the state dump holds no L1 (it was taken with --no-l1)".into(),
                ));
            }
            (L1Handle::None, None) => None,
            (L1Handle::None, Some(_)) => {
                return Err(DevnetError::Load(
                    "the state dump holds an L1 and this node runs without one (--no-l1)".into(),
                ));
            }
            (L1Handle::External(_), _) => {
                return Err(DevnetError::Unsupported(
                    "loading a state dump with an external L1 (--l1-rpc) is not supported",
                ));
            }
        };
        // Each running L2 takes the dumped one of its chain id (a dump of a stopped data dir
        // lists the L2s after the first by id, not in --chains order).
        let mut dumped: Vec<L2Dump> = std::iter::once(L2Dump { chain: l2, batches })
            .chain(more_l2s.unwrap_or_default())
            .collect();
        let ids = |ids: &mut Vec<u64>| {
            ids.sort_unstable();
            ids.iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut l2s = Vec::with_capacity(self.l2s.len());
        for chain in &self.l2s {
            match dumped
                .iter()
                .position(|d| d.chain.chain_id == chain.chain_id)
            {
                Some(at) => l2s.push(dumped.swap_remove(at)),
                None => break,
            }
        }
        if l2s.len() != self.l2s.len() || !dumped.is_empty() {
            let mut running: Vec<u64> = self.l2s.iter().map(|l2| l2.chain_id).collect();
            let mut held: Vec<u64> = l2s
                .iter()
                .chain(&dumped)
                .map(|d| d.chain.chain_id)
                .collect();
            return Err(DevnetError::Load(format!(
                "the state dump holds L2 chains {}, this devnet runs {} (--chains)",
                ids(&mut held),
                ids(&mut running)
            )));
        }
        if let Some((l1, dump)) = l1 {
            load_chain(l1, dump).await?;
        }
        let mut sealed = Vec::with_capacity(l2s.len());
        for (chain, dump) in self.l2s.iter().zip(l2s) {
            sealed.push(dump.batches.last().map_or(0, |mark| mark.number));
            load_chain(&chain.commands, dump.chain).await?;
            chain.batches.load(dump.batches);
        }
        *self.taken.lock() = (U256::ZERO, BTreeMap::new());
        // Each batcher re-seals the loaded blocks at their recorded bounds: answer once they
        // have, so what needs the built batches (`zks_getProof`, the prover) has the ones the
        // dump holds (a few ms; bounded in case it cannot).
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        for (chain, sealed) in self.l2s.iter().zip(sealed) {
            while chain.batches.last_built() < sealed && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        }
        Ok(())
    }

    /// Saves every chain; returns the devnet snapshot id.
    pub async fn snapshot(&self) -> Result<U256, DevnetError> {
        let _quiet = self.gate.write().await;
        let l1 = match &self.l1 {
            L1Handle::Embedded(l1) => ask(l1, SequencerCommand::Snapshot).await?,
            L1Handle::External(l1) => l1
                .raw_request::<_, U256>("evm_snapshot".into(), ())
                .await
                .map_err(|e| DevnetError::L1(e.to_string()))?,
            L1Handle::None => U256::ZERO,
        };
        let mut l2 = Vec::with_capacity(self.l2s.len());
        for chain in &self.l2s {
            l2.push(ask(&chain.commands, SequencerCommand::Snapshot).await?);
        }
        let mut taken = self.taken.lock();
        let id = taken.0;
        taken.0 = id.saturating_add(U256::from(1));
        taken.1.insert(id, Taken { l2, l1 });
        Ok(id)
    }

    /// Restores snapshot `id` on every chain (dropping it and later ones); false if unknown.
    pub async fn revert(&self, id: U256) -> Result<bool, DevnetError> {
        let _quiet = self.gate.write().await;
        let Some(taken) = self.taken.lock().1.get(&id).cloned() else {
            return Ok(false);
        };
        let l1 = match &self.l1 {
            L1Handle::Embedded(l1) => {
                ask(l1, |reply| SequencerCommand::Revert {
                    id: taken.l1,
                    reply,
                })
                .await?
            }
            L1Handle::External(l1) => l1
                .raw_request::<_, bool>("evm_revert".into(), (taken.l1,))
                .await
                .map_err(|e| DevnetError::L1(e.to_string()))?,
            L1Handle::None => true,
        };
        let mut l2 = true;
        for (chain, own) in self.l2s.iter().zip(&taken.l2) {
            l2 &= ask(&chain.commands, |reply| SequencerCommand::Revert {
                id: *own,
                reply,
            })
            .await?;
        }
        self.taken.lock().1.retain(|taken, _| *taken < id);
        Ok(l1 && l2)
    }

    /// Every chain back to a fresh genesis (`anvil_reset`).
    pub async fn reset(&self) -> Result<(), DevnetError> {
        let _quiet = self.gate.write().await;
        match &self.l1 {
            L1Handle::Embedded(l1) => ask(l1, SequencerCommand::Reset).await?,
            L1Handle::None => {}
            L1Handle::External(_) => {
                return Err(DevnetError::Unsupported(
                    "anvil_reset with an external L1 (--l1-rpc) is not supported: the rollup contracts there cannot be reset; restart with a fresh L1",
                ));
            }
        }
        for chain in &self.l2s {
            ask(&chain.commands, SequencerCommand::Reset).await?;
        }
        *self.taken.lock() = (U256::ZERO, BTreeMap::new());
        Ok(())
    }

    /// The devnet snapshots as one chain (the one `sequencer` commands) sees them: devnet id ->
    /// that chain's head when taken (`anvil_metadata`). `chain_ids` are the chain's own
    /// snapshot ids and heads.
    pub fn translate(
        &self,
        sequencer: &mpsc::Sender<SequencerCommand>,
        chain_ids: BTreeMap<U256, (u64, B256)>,
    ) -> BTreeMap<U256, (u64, B256)> {
        let l2 = self
            .l2s
            .iter()
            .position(|chain| chain.commands.same_channel(sequencer));
        self.taken
            .lock()
            .1
            .iter()
            .filter_map(|(id, taken)| {
                let own = match l2 {
                    Some(i) => taken.l2.get(i).copied()?,
                    None => taken.l1,
                };
                chain_ids.get(&own).map(|head| (*id, *head))
            })
            .collect()
    }
}

/// `start`'s dump files (anvil's state files): `--load-state`, `--dump-state`, `--state`.
#[derive(Debug, Clone, Default)]
pub struct DumpFiles {
    /// Loaded once the node is up (`--load-state`, or `--state` if the file exists).
    pub load: Option<PathBuf>,
    /// Written on exit, and every `interval` (`--dump-state`, `--state`).
    pub dump: Option<PathBuf>,
    /// How often to write `dump` while running (`--state-interval`).
    pub interval: Option<Duration>,
}

impl DumpFiles {
    /// Loads the dump file into the node, if there is one to load.
    pub async fn load_into(&self, node: &DumpAccess) -> anyhow::Result<()> {
        let Some(path) = &self.load else {
            return Ok(());
        };
        let path2 = path.clone();
        let dump = tokio::task::spawn_blocking(move || read_file(&path2)).await??;
        node.load(dump)
            .await
            .with_context(|| format!("cannot load the state in {}", path.display()))
    }

    /// Writes the dump file, if one is asked for.
    pub async fn dump_from(&self, node: &DumpAccess) -> anyhow::Result<()> {
        let Some(path) = self.dump.clone() else {
            return Ok(());
        };
        let dump = node.dump().await?;
        tokio::task::spawn_blocking(move || write_file(&path, &dump.to_bytes())).await?
    }

    /// Writes the dump file every interval, forever (a failed write is logged, not fatal).
    pub async fn dump_periodically(&self, node: &DumpAccess) {
        let (Some(_), Some(interval)) = (&self.dump, self.interval) else {
            return std::future::pending().await;
        };
        let mut ticker = tokio::time::interval(interval);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            if let Err(e) = self.dump_from(node).await {
                tracing::warn!("--state-interval: cannot write the state file: {e:#}");
            }
        }
    }
}
