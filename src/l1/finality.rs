//! Finality through the Gateway (`--gateway`): an L2 that settles on the Gateway is final where
//! the Gateway is. Its batches count as final once the Gateway block holding their execution is
//! itself finalized (the Gateway batch holding it executed on L1), as in ZKsync; `finalized` on
//! the L2 follows (`BatchStore::set_final_on_l1`).
//!
//! `GatewayFinality::run`: poll the Gateway -> how many of the L2's batches are final.
//!
//! Each poll reads the L2's executed-batch count on its contract on the Gateway, in the
//! Gateway's `finalized` state. Nothing is kept: a restart or a devnet revert needs nothing.

use std::{sync::Arc, time::Duration};

use alloy_eips::BlockId;
use alloy_primitives::{Address, U256};
use alloy_provider::Provider;
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall as _, SolValue as _};
use tokio_util::sync::CancellationToken;

use crate::{abi::IZKChain, batcher::BatchStore};

/// Follows the Gateway's finality for one L2. Its fields are its dependencies.
pub struct GatewayFinality<P> {
    /// The Gateway.
    pub gateway: P,
    /// The L2's chain contract on the Gateway.
    pub zk_chain: Address,
    /// The L2's batches.
    pub batches: Arc<BatchStore>,
    /// How often to look.
    pub poll: Duration,
}

impl<P: Provider> GatewayFinality<P> {
    /// Polls until `cancel` fires.
    pub async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let mut failing = false;
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
                _ = tokio::time::sleep(self.poll) => {}
            }
            match self.final_batches().await {
                Ok(batches) => {
                    self.batches.set_final_on_l1(batches);
                    failing = false;
                }
                Err(_) if cancel.is_cancelled() => return Ok(()),
                Err(err) => {
                    if !failing {
                        tracing::warn!("finality through the Gateway: {err:#}; retrying");
                    }
                    failing = true;
                }
            }
        }
    }

    /// How many batches the Gateway's finalized state has executed.
    async fn final_batches(&self) -> anyhow::Result<u64> {
        let call = TransactionRequest::default()
            .to(self.zk_chain)
            .input(IZKChain::getTotalBatchesExecutedCall {}.abi_encode().into());
        let out = self.gateway.call(call).block(BlockId::finalized()).await?;
        Ok(U256::abi_decode(&out)?.saturating_to())
    }
}
