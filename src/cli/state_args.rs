//! `zkos-dev start`'s state flags (`StateArgs`): the data dir and how it syncs, or memory only,
//! and the state files loaded and written (`--load-state`, `--dump-state`, `--state`).

use std::{path::PathBuf, time::Duration};

use clap::Args;

use crate::Config;

/// `--sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncArg {
    /// Sync every --sync-interval.
    Interval,
    /// Sync each block.
    Always,
}

/// Where the devnet is kept, and state files.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// Where the devnet is kept (both chains, batches, pending txs); it resumes from there.
    #[arg(
        long,
        env = "ZKOS_DEV_DATA_DIR",
        default_value = ".zkos-dev",
        value_name = "DIR",
        help_heading = "State"
    )]
    pub data_dir: PathBuf,
    /// Keep the devnet in memory, as anvil does: a fresh devnet every start, nothing written
    /// (named snapshots go to a temporary dir removed on exit).
    #[arg(long, help_heading = "State")]
    pub ephemeral: bool,
    /// When the data dir's writes are synced to the disk: `interval` (the write-ahead log every
    /// --sync-interval, the database every --checkpoint-interval; a killed process loses
    /// nothing, a power loss at most the last --sync-interval) or `always` (each block synced
    /// to the database before its receipts show).
    #[arg(long, value_enum, default_value = "interval", help_heading = "State")]
    pub sync: SyncArg,
    /// With --sync interval: milliseconds between syncs of the write-ahead log.
    #[arg(long, value_name = "MS", default_value_t = 100, help_heading = "State")]
    pub sync_interval: u64,
    /// With --sync interval: milliseconds between checkpoints, which write the logged blocks
    /// to the database in one synced transaction (a restart after a crash replays at most the
    /// blocks since the last one).
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 1000,
        help_heading = "State"
    )]
    pub checkpoint_interval: u64,
    /// With a data dir: how many of the latest blocks each chain keeps in memory (and at most
    /// 16,384 txs); older blocks, txs, receipts and logs are read from the data dir.
    #[arg(long, value_name = "N", default_value_t = crate::config::DEFAULT_CACHE_BLOCKS as u64, value_parser = clap::value_parser!(u64).range(1..), help_heading = "State")]
    pub cache_blocks: u64,
    /// Load a state file (`--dump-state`'s or `anvil_dumpState`'s) once started.
    #[arg(long, value_name = "PATH", help_heading = "State")]
    pub load_state: Option<PathBuf>,
    /// Write the devnet to a state file on exit (and every --state-interval).
    #[arg(long, value_name = "PATH", help_heading = "State")]
    pub dump_state: Option<PathBuf>,
    /// Both: load PATH if it exists, write it on exit (and every --state-interval).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["load_state", "dump_state"], help_heading = "State")]
    pub state: Option<PathBuf>,
    /// Also write the state file every SECS seconds while running.
    #[arg(long, value_name = "SECS", help_heading = "State")]
    pub state_interval: Option<f64>,
}

impl StateArgs {
    /// The dump files these flags ask for (`--state`, `--load-state`, `--dump-state`,
    /// `--state-interval`).
    pub fn dump_files(&self) -> anyhow::Result<crate::devnet::DumpFiles> {
        let interval = match self.state_interval {
            None => None,
            Some(secs) => Some(
                Duration::try_from_secs_f64(secs)
                    .ok()
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| {
                        anyhow::anyhow!("--state-interval must be a positive number of seconds")
                    })?,
            ),
        };
        let (load, dump) = match &self.state {
            Some(path) => (path.exists().then(|| path.clone()), Some(path.clone())),
            None => (self.load_state.clone(), self.dump_state.clone()),
        };
        if interval.is_some() && dump.is_none() {
            anyhow::bail!(
                "--state-interval needs a file to write: pass --dump-state PATH or --state PATH"
            );
        }
        Ok(crate::devnet::DumpFiles {
            load,
            dump,
            interval,
        })
    }

    /// Sets `config`'s storage, sync policy and window.
    pub(super) fn apply(&self, config: &mut Config) -> anyhow::Result<()> {
        config.storage = match self.ephemeral {
            true => crate::config::Storage::Ephemeral,
            false => crate::config::Storage::Dir(self.data_dir.clone()),
        };
        config.sync = match self.sync {
            SyncArg::Always => crate::config::SyncPolicy::Always,
            SyncArg::Interval => {
                anyhow::ensure!(
                    self.sync_interval > 0,
                    "--sync-interval must be at least 1 ms"
                );
                anyhow::ensure!(
                    self.checkpoint_interval > 0,
                    "--checkpoint-interval must be at least 1 ms"
                );
                crate::config::SyncPolicy::Interval {
                    sync: Duration::from_millis(self.sync_interval),
                    checkpoint: Duration::from_millis(self.checkpoint_interval),
                }
            }
        };
        config.cache_blocks = self.cache_blocks as usize;
        Ok(())
    }
}
