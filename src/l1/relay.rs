//! Priority relay (`--gateway`): the deposits and L1->L2 calls made on the L1 for an L2 that
//! settles on the Gateway -> their hashes queued on its chain contract on the Gateway, in
//! priority-id order, each once (`Bridgehub.forwardTransactionOnGateway` on the Gateway).
//! Executing a batch there pops the requests it ran, as on the L1.
//!
//! `PriorityRelay::run`: poll the L1 and the Gateway -> `forwardTransactionOnGateway` txs.
//!
//! The L2 itself still takes its L1 txs from the L1's `NewPriorityRequest` (the watcher), as a
//! ZKsync chain on a Gateway does. In era-contracts the L1 Bridgehub sends each request on as an
//! L1->Gateway priority tx; here the node relays it as the owner of the Gateway's Bridgehub.
//! Nothing is kept: each poll compares the chain's request count on the L1 with the one on the
//! Gateway, so a restart, a devnet revert or a reset (both chains move together) needs nothing.

use std::{sync::Arc, time::Duration};

use alloy_primitives::{Address, U256};
use alloy_provider::{DynProvider, Provider};
use alloy_sol_types::SolCall as _;
use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use super::{
    sender::send,
    watcher::{priority_requests, total_priority_txs},
};
use crate::abi::IBridgehub;

/// One L2 settling on the Gateway: its chain contract on each side.
#[derive(Debug, Clone, Copy)]
pub struct RelayedChain {
    /// Its chain id.
    pub chain_id: u64,
    /// Where its requests are made (emits `NewPriorityRequest`).
    pub on_l1: Address,
    /// Where its batches are executed.
    pub on_gateway: Address,
}

/// Relays L1 requests to the Gateway. Its fields are its dependencies.
pub struct PriorityRelay<P> {
    /// The L1.
    pub l1: P,
    /// The Gateway, signing as `owner`.
    pub gateway: DynProvider,
    /// The owner of the Gateway's Bridgehub (the governor).
    pub owner: Address,
    /// The Gateway's Bridgehub.
    pub bridgehub: Address,
    /// The L2s settling on the Gateway.
    pub chains: Vec<RelayedChain>,
    /// How often to look.
    pub poll: Duration,
    /// Held while relaying, so the chains are never saved half-way through.
    pub gate: Arc<tokio::sync::RwLock<()>>,
    /// The L1's first block of its own (see the watcher's).
    pub first_block: u64,
}

impl<P: Provider> PriorityRelay<P> {
    /// Polls until `cancel` fires.
    pub async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let mut backoff = crate::retry::Backoff::new(
            "priority relay to the Gateway",
            self.poll,
            Some("relaying L1 requests to the Gateway again"),
        );
        while backoff.pause(&cancel).await {
            let result = {
                let _acting = self.gate.read().await;
                self.relay_all().await
            };
            match result {
                Ok(()) => backoff.succeeded(),
                Err(_) if cancel.is_cancelled() => return Ok(()),
                Err(err) => backoff.failed(&err),
            }
        }
        Ok(())
    }

    async fn relay_all(&self) -> anyhow::Result<()> {
        for chain in &self.chains {
            self.relay(chain)
                .await
                .with_context(|| format!("chain {}", chain.chain_id))?;
        }
        Ok(())
    }

    /// Queues on the Gateway the requests of `chain` the L1 has and the Gateway has not.
    async fn relay(&self, chain: &RelayedChain) -> anyhow::Result<()> {
        let made = total_priority_txs(&self.l1, chain.on_l1)
            .await
            .context("getTotalPriorityTxs on L1")?;
        let mut next = total_priority_txs(&self.gateway, chain.on_gateway)
            .await
            .context("getTotalPriorityTxs on the Gateway")?;
        if made <= next {
            return Ok(());
        }
        let head = self
            .l1
            .get_block_number()
            .await
            .context("eth_blockNumber")?;
        let mut requests = priority_requests(&self.l1, chain.on_l1, self.first_block, head).await?;
        requests.retain(|r| r.txId >= U256::from(next));
        requests.sort_by_key(|r| r.txId);
        requests.dedup_by_key(|r| r.txId);
        for request in requests {
            anyhow::ensure!(
                request.txId == U256::from(next),
                "L1 request {next} not found in the L1's logs"
            );
            let call = IBridgehub::forwardTransactionOnGatewayCall {
                chainId: U256::from(chain.chain_id),
                canonicalTxHash: request.txHash,
                expirationTimestamp: request.expirationTimestamp,
            };
            send(&self.gateway, self.owner, self.bridgehub, call.abi_encode())
                .await
                .with_context(|| format!("forwardTransactionOnGateway of L1 request {next}"))?;
            next += 1;
        }
        Ok(())
    }
}
