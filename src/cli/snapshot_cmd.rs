//! `zkos-dev snapshot save|load|list|rm` and `zkos-dev reset`: on a running node over its
//! JSON-RPC, or on a stopped node's data dir (`persistence` has the words and the formats).
//! `start`'s dump files (`--dump-state`, ...) are `devnet::DumpFiles`.
//!
//! Which devnet a command acts on: `--rpc URL` names a running node; `--data-dir DIR` (or
//! `ZKOS_DEV_DATA_DIR`) a stopped one; with neither, the node at 127.0.0.1:3050 if one
//! answers, else the stopped one in `./.zkos-dev`.

use std::{
    borrow::Cow,
    path::{Path, PathBuf},
    time::Duration,
};

use alloy_network::Ethereum;
use alloy_provider::{Provider as _, RootProvider};
use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use crate::persistence::{
    data_dir::{DB_FILE, DataDir, SEAL_FILE, WAL_FILE, WAL_FILE_2},
    dump::{DevnetDump, L2Dump},
    named::{self, NamedSnapshotInfo, NamedSnapshots},
};

/// The node a command talks to when none is named.
pub const DEFAULT_RPC: &str = "http://127.0.0.1:3050";
/// The data dir a command opens when none is named.
pub const DEFAULT_DATA_DIR: &str = ".zkos-dev";

/// Where a command acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A running node's L2 JSON-RPC.
    Rpc(String),
    /// A stopped node's data dir.
    Dir(PathBuf),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rpc(url) => write!(f, "the node at {url}"),
            Self::Dir(dir) => write!(f, "the data dir {}", dir.display()),
        }
    }
}

/// What `zkos-dev snapshot` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotAction {
    /// Save the devnet as NAME.
    Save(String),
    /// Replace the devnet with NAME.
    Load(String),
    /// List the saved snapshots.
    List,
    /// Remove NAME.
    Remove(String),
}

/// Picks the target: the named one, else a node answering on [`DEFAULT_RPC`], else
/// [`DEFAULT_DATA_DIR`].
pub async fn target(rpc: Option<String>, data_dir: Option<PathBuf>) -> anyhow::Result<Target> {
    match (rpc, data_dir) {
        (Some(_), Some(_)) => {
            bail!("pass --rpc (a running node) or --data-dir (a stopped one), not both")
        }
        (Some(url), None) => Ok(Target::Rpc(url)),
        (None, Some(dir)) => Ok(Target::Dir(dir)),
        (None, None) => {
            let client = Client::new(DEFAULT_RPC)?;
            match client
                .call("web3_clientVersion", json!([]), Duration::from_secs(2))
                .await
            {
                Ok(_) => Ok(Target::Rpc(DEFAULT_RPC.to_string())),
                Err(_) => Ok(Target::Dir(PathBuf::from(DEFAULT_DATA_DIR))),
            }
        }
    }
}

/// Runs `zkos-dev snapshot ACTION` on `target`; returns what to print.
pub async fn snapshot(target: &Target, action: SnapshotAction) -> anyhow::Result<String> {
    match target {
        Target::Rpc(url) => snapshot_online(&Client::new(url)?, action, target).await,
        Target::Dir(dir) => {
            let dir = dir.clone();
            let target = target.clone();
            tokio::task::spawn_blocking(move || snapshot_offline(&dir, action, &target)).await?
        }
    }
}

async fn snapshot_online(
    client: &Client,
    action: SnapshotAction,
    target: &Target,
) -> anyhow::Result<String> {
    // Saving and loading a long history takes a while: no short timeout.
    let long = Duration::from_secs(600);
    match action {
        SnapshotAction::Save(name) => {
            let info: NamedSnapshotInfo = serde_json::from_value(
                client
                    .call("zkos_saveSnapshot", json!([name]), long)
                    .await?,
            )?;
            Ok(saved_line(&info, target))
        }
        SnapshotAction::Load(name) => {
            client
                .call("zkos_loadSnapshot", json!([name]), long)
                .await?;
            Ok(format!("loaded snapshot {name} into {target}"))
        }
        SnapshotAction::List => {
            let list: Vec<NamedSnapshotInfo> =
                serde_json::from_value(client.call("zkos_listSnapshots", json!([]), long).await?)?;
            Ok(list_text(&list))
        }
        SnapshotAction::Remove(name) => {
            let removed = client
                .call("zkos_removeSnapshot", json!([name]), long)
                .await?;
            removed_line(&name, removed == Value::Bool(true))
        }
    }
}

fn snapshot_offline(dir: &Path, action: SnapshotAction, target: &Target) -> anyhow::Result<String> {
    let saved = NamedSnapshots::new(dir);
    match action {
        SnapshotAction::Save(name) => {
            named::check_name(&name)?;
            // Held until the file is whole: a node starting on the dir removes unfinished saves.
            let held = open_stopped(dir)?;
            let mut dump = held.devnet_dump()?;
            let more = more_chains(dir)?;
            let mut more_l2s = Vec::with_capacity(more.len());
            for (_, sub) in &more {
                let l2 = open_stopped(sub)?.devnet_dump()?;
                more_l2s.push(L2Dump {
                    chain: l2.l2,
                    batches: l2.batches,
                });
            }
            dump.more_l2s = (!more_l2s.is_empty()).then_some(more_l2s);
            Ok(saved_line(&saved.save(&name, &dump)?, target))
        }
        SnapshotAction::Load(name) => {
            let mut dump = saved.load(&name)?;
            let more = more_chains(dir)?;
            let more_l2s = dump.more_l2s.take().unwrap_or_default();
            let mut held: Vec<u64> = more_l2s.iter().map(|l2| l2.chain.chain_id).collect();
            held.sort_unstable();
            let here: Vec<u64> = more.iter().map(|(id, _)| *id).collect();
            anyhow::ensure!(
                held == here,
                "snapshot {name} holds the L2s {held:?} after the first, the data dir {} holds \
                 {here:?} (--chains)",
                dir.display()
            );
            open_stopped(dir)?.replace(&dump)?;
            for l2 in more_l2s {
                let sub = dir
                    .join(crate::node::CHAINS_DIR)
                    .join(l2.chain.chain_id.to_string());
                open_stopped(&sub)?.replace(&DevnetDump {
                    l2: l2.chain,
                    l1: vec![],
                    batches: l2.batches,
                    more_l2s: None,
                })?;
            }
            Ok(format!(
                "loaded snapshot {name} into {target}: the next start resumes from it"
            ))
        }
        SnapshotAction::List => Ok(list_text(&saved.list()?)),
        SnapshotAction::Remove(name) => removed_line(&name, saved.remove(&name)?),
    }
}

/// The L2s after the first a data dir holds (`<dir>/chains/<id>/`), by chain id.
fn more_chains(dir: &Path) -> anyhow::Result<Vec<(u64, PathBuf)>> {
    let chains = dir.join(crate::node::CHAINS_DIR);
    let entries = match std::fs::read_dir(&chains) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", chains.display())),
    };
    let mut found: Vec<(u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let id = entry.file_name().to_str()?.parse().ok()?;
            entry
                .path()
                .join(DB_FILE)
                .is_file()
                .then(|| (id, entry.path()))
        })
        .collect();
    found.sort_unstable();
    Ok(found)
}

/// Opens a stopped node's data dir, saying what to do when the node still runs.
fn open_stopped(dir: &Path) -> anyhow::Result<DataDir> {
    DataDir::open_existing(dir).map_err(|e| match e.to_string().contains("in use") {
        true => anyhow::anyhow!(
            "{}: a running zkos-dev holds it; pass --rpc URL to act through that node",
            dir.display()
        ),
        false => e,
    })
}

/// Runs `zkos-dev reset` on `target`: a fresh genesis on both chains. A data dir keeps its
/// saved snapshots.
pub async fn reset(target: &Target) -> anyhow::Result<String> {
    match target {
        Target::Rpc(url) => {
            Client::new(url)?
                .call("anvil_reset", json!([]), Duration::from_secs(60))
                .await?;
            Ok(format!("reset {target}: both chains are back at genesis"))
        }
        Target::Dir(dir) => {
            let file = dir.join(DB_FILE);
            if !file.exists() {
                bail!(
                    "{} holds no zkos-dev devnet (no {DB_FILE}): nothing to reset",
                    dir.display()
                );
            }
            // A node holding it keeps it; a damaged file goes too (that is what reset is for).
            if let Err(e) = DataDir::open_existing(dir)
                && e.to_string().contains("in use")
            {
                return Err(open_stopped(dir).err().unwrap_or(e));
            }
            std::fs::remove_file(&file)
                .with_context(|| format!("cannot remove {}", file.display()))?;
            // What a killed node logged after its last checkpoint belongs to that devnet too.
            for wal in [WAL_FILE, WAL_FILE_2, SEAL_FILE].map(|name| dir.join(name)) {
                if let Err(e) = std::fs::remove_file(&wal)
                    && e.kind() != std::io::ErrorKind::NotFound
                {
                    return Err(e).with_context(|| format!("cannot remove {}", wal.display()));
                }
            }
            // The L2s after the first (`--chains`) go with it.
            let chains = dir.join(crate::node::CHAINS_DIR);
            if let Err(e) = std::fs::remove_dir_all(&chains)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Err(e).with_context(|| format!("cannot remove {}", chains.display()));
            }
            Ok(format!(
                "reset {target}: the next start begins at genesis (saved snapshots are kept)"
            ))
        }
    }
}

fn saved_line(info: &NamedSnapshotInfo, target: &Target) -> String {
    format!(
        "saved snapshot {} ({}) from {target}",
        info.name,
        human_bytes(info.bytes)
    )
}

fn removed_line(name: &str, removed: bool) -> anyhow::Result<String> {
    match removed {
        true => Ok(format!("removed snapshot {name}")),
        false => {
            bail!("no snapshot named {name:?} (`zkos-dev snapshot list` shows the saved ones)")
        }
    }
}

fn list_text(list: &[NamedSnapshotInfo]) -> String {
    if list.is_empty() {
        return "no saved snapshots (`zkos-dev snapshot save NAME` saves one)".to_string();
    }
    let width = list.iter().map(|s| s.name.len()).max().unwrap_or(0).max(4);
    let mut out = format!("{:width$}  {:>10}  saved (UTC)", "name", "size");
    for s in list {
        out.push_str(&format!(
            "\n{:width$}  {:>10}  {}",
            s.name,
            human_bytes(s.bytes),
            crate::rpc::batches::rfc3339(s.saved_at)
        ));
    }
    out
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / f64::from(1 << 10)),
        b => format!("{b} B"),
    }
}

/// A JSON-RPC client for these commands.
struct Client {
    url: String,
    provider: RootProvider<Ethereum>,
}

impl Client {
    fn new(url: &str) -> anyhow::Result<Self> {
        let parsed = url
            .parse()
            .map_err(|e| anyhow::anyhow!("bad --rpc URL {url}: {e}"))?;
        Ok(Self {
            url: url.to_string(),
            provider: RootProvider::new_http(parsed),
        })
    }

    async fn call(
        &self,
        method: &'static str,
        params: Value,
        timeout: Duration,
    ) -> anyhow::Result<Value> {
        let call = self
            .provider
            .raw_request::<Value, Value>(Cow::Borrowed(method), params);
        match tokio::time::timeout(timeout, call).await {
            Err(_) => bail!("{method} on {} timed out", self.url),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => match err.as_error_resp() {
                Some(payload) => bail!("{}: {method}: {}", self.url, payload.message),
                None => bail!("cannot reach a zkos-dev node at {}: {err}", self.url),
            },
        }
    }
}
