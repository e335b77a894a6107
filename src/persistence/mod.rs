//! Persistence: saving and restoring the devnet. One word per thing:
//!
//! - **snapshot**: a point-in-time copy of the whole devnet (both chains, the batches) to go
//!   back to. Either in memory, by id (`evm_snapshot` / `evm_revert`: each sequencer keeps
//!   its own `sequencer::Snapshot`, `devnet::Devnet` ties the two chains' ids together; gone
//!   on restart), or **named**, a dump kept as a file in the data dir ([`named`]:
//!   `zkos_saveSnapshot`, `zkos-dev snapshot save|load|list|rm`).
//! - **dump**: the portable bytes of a whole devnet ([`dump::DevnetDump`]): what
//!   `anvil_dumpState` returns and `anvil_loadState` takes, what `start --dump-state`,
//!   `--load-state` and `--state` write and read (anvil calls the file a "state file").
//! - **data dir**: what survives a restart ([`data_dir::DataDir`], `<data dir>/devnet.redb`):
//!   every block as it is sealed, the batches' progress, the pool on a clean stop.
//! - **records**: the RLP records dumps and the data dir are both made of ([`records`]), with
//!   one format version.
//!
//! This module is the formats and where they are kept; it sits below the sequencer, which
//! writes every block through `data_dir::ChainOnDisk`. Saving, restoring and resetting a
//! running devnet (both chains at once) is `devnet`'s; the `zkos-dev snapshot` and `reset`
//! commands are `cli::snapshot_cmd`.

pub mod data_dir;
pub mod dump;
pub mod named;
pub mod records;
