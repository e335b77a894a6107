//! Manual settlement (`anvil_zks_commitBatch` and friends, with `--no-auto-settle`): the
//! command the RPC hands the L1 sender, and why a step is refused.

use alloy_primitives::B256;
use tokio::sync::oneshot;

use crate::batcher::L1Stage;

/// A manual settlement step (`anvil_zks_commitBatch` and friends, with `--no-auto-settle`).
#[derive(Debug)]
pub struct SettleCommand {
    /// Which step.
    pub stage: L1Stage,
    /// Which batch.
    pub batch: u64,
    /// The L1 tx hash, or why not.
    pub reply: oneshot::Sender<Result<B256, SettleError>>,
}

/// Why a manual settlement step was not taken.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    /// L1 has this step for the batch already.
    #[error("batch {batch} is already {done}")]
    AlreadyDone {
        /// The batch asked for.
        batch: u64,
        /// The step, as a past participle (`committed`, `proven`, `executed`).
        done: &'static str,
    },
    /// An earlier batch has to take this step first.
    #[error("batch {next} must be {done} first")]
    OutOfOrder {
        /// The batch next in line for the step.
        next: u64,
        /// The step, as a past participle.
        done: &'static str,
    },
    /// The batch has not taken the step before this one (or is not sealed and proven yet).
    #[error("batch {batch} is not {missing} yet")]
    NotReady {
        /// The batch asked for.
        batch: u64,
        /// What it lacks: `committed`, `proven`, or `sealed and proven`.
        missing: &'static str,
    },
    /// Reading L1 or sending the step's tx failed.
    #[error("{0:#}")]
    L1(#[from] anyhow::Error),
}
