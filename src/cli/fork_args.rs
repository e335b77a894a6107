//! `zkos-dev start`'s fork flags (anvil's names and defaults) and the `ForkConfig` they give.

use std::time::Duration;

use clap::Args;

/// `zkos-dev start`'s forking flags (anvil's names and defaults).
#[derive(Debug, Args)]
pub struct ForkArgs {
    /// Start the L2 from a block of this live chain (any EVM JSON-RPC: a ZKsync OS chain,
    /// another zkos-dev, an anvil); its state is read on first use and cached in the data dir.
    #[arg(
        long,
        short = 'f',
        visible_alias = "rpc-url",
        value_name = "URL",
        help_heading = "Fork"
    )]
    pub fork_url: Option<String>,
    /// Fork at this block [default: the remote's latest].
    #[arg(
        long,
        value_name = "BLOCK",
        requires = "fork_url",
        help_heading = "Fork"
    )]
    pub fork_block_number: Option<u64>,
    /// Fork at the block before this tx's, then replay that block's txs before it.
    #[arg(
        long,
        value_name = "HASH",
        requires = "fork_url",
        conflicts_with = "fork_block_number",
        help_heading = "Fork"
    )]
    pub fork_transaction_hash: Option<alloy_primitives::B256>,
    /// Chain id of the fork [default: the remote's] (same as --chain-id).
    #[arg(
        long,
        value_name = "ID",
        requires = "fork_url",
        conflicts_with = "chain_id",
        help_heading = "Fork"
    )]
    pub fork_chain_id: Option<u64>,
    /// Retries of a failed request to the remote.
    #[arg(
        long,
        visible_alias = "retries",
        default_value_t = 5,
        help_heading = "Fork"
    )]
    pub fork_retries: u32,
    /// Backoff before retrying a request to the remote, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000, help_heading = "Fork")]
    pub fork_retry_backoff: u64,
    /// Time limit of one request to the remote, in milliseconds.
    #[arg(
        long,
        visible_alias = "timeout",
        value_name = "MS",
        default_value_t = 45_000,
        help_heading = "Fork"
    )]
    pub fork_timeout: u64,
    /// The remote's rate limit, in compute units per second.
    #[arg(
        long,
        value_name = "CUPS",
        default_value_t = 330,
        help_heading = "Fork"
    )]
    pub compute_units_per_second: u64,
    /// No rate limit towards the remote.
    #[arg(
        long,
        visible_alias = "no-rpc-rate-limit",
        conflicts_with = "compute_units_per_second",
        help_heading = "Fork"
    )]
    pub no_rate_limit: bool,
    /// An HTTP header sent to the remote, "Name: value" (repeatable).
    #[arg(long, value_name = "HEADER", help_heading = "Fork")]
    pub fork_header: Vec<String>,
    /// Do not keep what was read from the remote in the data dir.
    #[arg(long, help_heading = "Fork")]
    pub no_storage_caching: bool,
}

impl ForkArgs {
    /// The fork config (`None` without --fork-url); `chain_id` is --chain-id.
    pub fn config(
        &self,
        chain_id: Option<u64>,
    ) -> anyhow::Result<Option<crate::config::ForkConfig>> {
        let Some(url) = &self.fork_url else {
            return Ok(None);
        };
        let mut fork = self.tuned(url)?;
        fork.block_number = self.fork_block_number;
        fork.transaction_hash = self.fork_transaction_hash;
        fork.chain_id = self.fork_chain_id.or(chain_id);
        Ok(Some(fork))
    }

    /// A fork of `url` with these retry, rate-limit, header and cache settings (the L1's fork
    /// shares them).
    pub fn tuned(&self, url: &str) -> anyhow::Result<crate::config::ForkConfig> {
        let mut fork = crate::config::ForkConfig::new(url);
        fork.retries = self.fork_retries;
        fork.retry_backoff = Duration::from_millis(self.fork_retry_backoff);
        fork.timeout = Duration::from_millis(self.fork_timeout);
        fork.compute_units_per_second = match self.no_rate_limit {
            true => u64::MAX,
            false => self.compute_units_per_second,
        };
        fork.headers = self
            .fork_header
            .iter()
            .map(|h| {
                let (name, value) = h.split_once(':').ok_or_else(|| {
                    anyhow::anyhow!("--fork-header {h:?}: expected \"Name: value\"")
                })?;
                Ok((name.trim().to_string(), value.trim().to_string()))
            })
            .collect::<anyhow::Result<_>>()?;
        fork.cache = !self.no_storage_caching;
        Ok(fork)
    }
}
