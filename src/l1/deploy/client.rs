//! A small client for an external L1: reads (`eth_call`, code, nonces, balances) and txs that
//! are signed by the wallet's keys, sent, and waited for, a failure naming the step.
//!
//! `(step, TransactionRequest) -> mined, successful receipt`

use std::time::Duration;

use alloy_eips::BlockId;
use alloy_network::{EthereumWallet, TransactionBuilder as _};
use alloy_primitives::{Address, Bytes, U256};
use alloy_provider::{DynProvider, Provider as _, ProviderBuilder};
use alloy_rpc_types_eth::{TransactionReceipt, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use anyhow::{Context as _, bail};

/// How long the first request may take before the L1 counts as unreachable.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a sent tx may wait to be mined (a public testnet takes a few 12 s blocks).
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// The external L1, by URL, with the keys it may sign with.
pub(super) struct L1Client {
    /// The URL as given (every error names it).
    pub(super) url: String,
    provider: DynProvider,
}

impl L1Client {
    /// Connects and checks the L1 answers (`eth_chainId`); `signers` sign the txs whose
    /// `from` they are.
    pub(super) async fn connect(url: &str, signers: &[&PrivateKeySigner]) -> anyhow::Result<Self> {
        let builder = ProviderBuilder::new();
        let provider = match signers.split_first() {
            None => builder.connect(url).await.map(|p| p.erased()),
            Some((first, rest)) => {
                let mut wallet = EthereumWallet::from((*first).clone());
                for signer in rest {
                    wallet.register_signer((*signer).clone());
                }
                builder
                    .wallet(wallet)
                    .connect(url)
                    .await
                    .map(|p| p.erased())
            }
        }
        .with_context(|| format!("cannot use the L1 RPC URL {url}"))?;
        let client = Self {
            url: url.to_owned(),
            provider,
        };
        match tokio::time::timeout(REACH_TIMEOUT, client.provider.get_chain_id()).await {
            Ok(Ok(_)) => Ok(client),
            Ok(Err(e)) => bail!("cannot reach the L1 at {url}: {e}"),
            Err(_) => bail!("cannot reach the L1 at {url}: no answer in {REACH_TIMEOUT:?}"),
        }
    }

    /// `eth_call` of a view function, decoded.
    pub(super) async fn view<C: SolCall>(&self, to: Address, call: C) -> anyhow::Result<C::Return> {
        let tx = TransactionRequest::default().with_to(to).with_call(&call);
        let out = self
            .provider
            .call(tx)
            .await
            .with_context(|| format!("{} on {to} (L1 at {})", C::SIGNATURE, self.url))?;
        C::abi_decode_returns(&out).with_context(|| {
            format!(
                "{} on {to} (L1 at {}): unexpected answer {out}",
                C::SIGNATURE,
                self.url
            )
        })
    }

    /// The code at `address` (empty for an EOA or nothing).
    pub(super) async fn code(&self, address: Address) -> anyhow::Result<Bytes> {
        self.provider
            .get_code_at(address)
            .await
            .with_context(|| format!("eth_getCode({address}) on the L1 at {}", self.url))
    }

    /// How many txs `address` has sent: mined (`latest`) or also waiting (`pending`).
    pub(super) async fn nonce(&self, address: Address, block: BlockId) -> anyhow::Result<u64> {
        self.provider
            .get_transaction_count(address)
            .block_id(block)
            .await
            .with_context(|| {
                format!(
                    "eth_getTransactionCount({address}) on the L1 at {}",
                    self.url
                )
            })
    }

    /// The balance of `address`, in wei.
    pub(super) async fn balance(&self, address: Address) -> anyhow::Result<U256> {
        self.provider
            .get_balance(address)
            .await
            .with_context(|| format!("eth_getBalance({address}) on the L1 at {}", self.url))
    }

    /// The L1's gas price (`eth_gasPrice`), in wei.
    pub(super) async fn gas_price(&self) -> anyhow::Result<u128> {
        self.provider
            .get_gas_price()
            .await
            .with_context(|| format!("eth_gasPrice on the L1 at {}", self.url))
    }

    /// Signs (as `tx.from`), sends and waits for `tx`; an error unless it was mined and
    /// succeeded. Gas, fees and (unless set) the nonce are filled in from the L1.
    pub(super) async fn send(
        &self,
        step: &str,
        tx: TransactionRequest,
    ) -> anyhow::Result<TransactionReceipt> {
        let pending = self
            .provider
            .send_transaction(tx)
            .await
            .with_context(|| format!("{step}: the L1 at {} did not accept the tx", self.url))?;
        let hash = *pending.tx_hash();
        let receipt = pending
            .with_timeout(Some(RECEIPT_TIMEOUT))
            .get_receipt()
            .await
            .with_context(|| {
                format!("{step}: tx {hash} was not mined on the L1 at {}", self.url)
            })?;
        if !receipt.status() {
            bail!("{step}: tx {hash} reverted on the L1 at {}", self.url);
        }
        Ok(receipt)
    }
}
