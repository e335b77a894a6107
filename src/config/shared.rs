//! What `Config` names that the stages also use, kept here so `config` depends on no stage
//! (`scripts/module-cycles.sh`): the batcher's `SealCriteria`, the metrics endpoint, the
//! default prover key and the rich account. Their behaviour (`Default`s included) stays with
//! the stage that owns it.

use std::{net::IpAddr, time::Duration};

use alloy_primitives::{Address, B256, address, b256, keccak256};

/// The ZKsync rich account, funded on both chains (as in zksync-os-server's local setup).
pub const RICH_ADDRESS: Address = address!("0x36615Cf349d7F6344891B1e7CA7C72883F5dc049");
/// Private key of [`RICH_ADDRESS`].
pub const RICH_KEY: B256 =
    b256!("0x7726827caac94a7f9e1b160f7ea819f172f7b6f9d2a97f992c38edeab82d4110");

/// The default prover key: `keccak256("zkos-dev prover")` (public, like every devnet key),
/// derived like the L1 governor's; address `0x965aC2B4fFFc32b876ca026C196Fac0Cb49917B0`.
pub fn default_prover_key() -> B256 {
    keccak256("zkos-dev prover")
}

/// When to close a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealCriteria {
    /// Most blocks in one batch.
    pub max_blocks: u64,
    /// Most txs in one batch.
    pub max_txs: u64,
    /// Most L2->L1 logs (the logs tree holds 16384).
    pub max_logs: usize,
    /// Most pubdata bytes (state writes and logs).
    pub max_pubdata: usize,
    /// Longest a batch stays open after its first block.
    pub timeout: Duration,
}

/// Where the metrics endpoint listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsConfig {
    /// Interface (the RPC's `--host`).
    pub host: IpAddr,
    /// Port (0 = any free port).
    pub port: u16,
}
