//! A small client for an external L1: reads (`eth_call`, code, nonces, balances) and txs that
//! are signed by the wallet's keys, sent, and waited for, a failure naming the step.
//!
//! `(step, TransactionRequest) -> mined, successful receipt`
//!
//! `rpc_url` and `reach` check a `--l1-rpc` before anything is asked of it, so that a bad one
//! is refused with its cause (no such URL, nothing listening, not JSON-RPC).

use std::time::Duration;

use alloy_eips::BlockId;
use alloy_network::{EthereumWallet, TransactionBuilder as _};
use alloy_primitives::{Address, Bytes, U256};
use alloy_provider::{
    DynProvider, Provider, ProviderBuilder,
    transport::{RpcError, TransportError, TransportErrorKind},
};
use alloy_rpc_types_eth::{TransactionReceipt, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use anyhow::{Context as _, anyhow, bail};

/// How long the first request may take before the L1 counts as unreachable.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a sent tx may wait to be mined (a public testnet takes a few 12 s blocks).
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(180);

/// The `--l1-rpc` URL to use: as given, or `http://` and it when it has no scheme
/// (`localhost:8545`, as cast takes it). Plain HTTP only: this build has no TLS.
pub fn rpc_url(given: &str) -> anyhow::Result<String> {
    let given = given.trim();
    let url = match given.contains("://") {
        true => given.to_owned(),
        false => format!("http://{given}"),
    };
    let parsed = reqwest::Url::parse(&url)
        .map_err(|e| anyhow!("--l1-rpc {given} is not a URL ({e}): pass http://HOST:PORT"))?;
    match parsed.scheme() {
        "http" => Ok(url),
        "https" => bail!(
            "--l1-rpc {given}: this build of zkos-dev speaks plain http:// only (no TLS): run the \
             L1 locally (e.g. anvil), or put a local proxy in front of it"
        ),
        scheme => bail!("--l1-rpc {given}: {scheme}:// is not supported: pass http://HOST:PORT"),
    }
}

/// Asks the L1 at `url` for its chain id (`eth_chainId`); when that fails, the error leads with
/// the cause: nothing listens there, it is not a JSON-RPC endpoint, or it does not answer.
pub async fn reach(url: &str) -> anyhow::Result<u64> {
    let provider = ProviderBuilder::new()
        .disable_recommended_fillers()
        .connect(url)
        .await
        .with_context(|| format!("cannot use the L1 RPC URL {url}"))?;
    chain_id(&provider, url).await
}

async fn chain_id(provider: &impl Provider, url: &str) -> anyhow::Result<u64> {
    match tokio::time::timeout(REACH_TIMEOUT, provider.get_chain_id()).await {
        Ok(Ok(id)) => Ok(id),
        Ok(Err(e)) => bail!("cannot reach the L1 at {url}: {}", unreachable_because(&e)),
        Err(_) => bail!(
            "cannot reach the L1 at {url}: no answer in {} s",
            REACH_TIMEOUT.as_secs()
        ),
    }
}

/// Why the first request failed, in words, with what to check.
fn unreachable_because(err: &TransportError) -> String {
    const NOT_JSON_RPC: &str = "not a JSON-RPC endpoint: --l1-rpc takes the L1 node's \
                                JSON-RPC URL (anvil's http://127.0.0.1:8545, say)";
    match err {
        RpcError::Transport(TransportErrorKind::HttpError(http)) => {
            format!("{NOT_JSON_RPC} (it answers HTTP {})", http.status)
        }
        RpcError::DeserError { .. } => format!("{NOT_JSON_RPC} (its answer is not JSON-RPC)"),
        RpcError::ErrorResp(payload) => format!(
            "it answers JSON-RPC but not eth_chainId ({}): not an Ethereum node?",
            payload.message
        ),
        err => {
            let chain = std::iter::successors(Some(err as &dyn std::error::Error), |e| e.source());
            let causes: Vec<&dyn std::error::Error> = chain.collect();
            let io = causes
                .iter()
                .find_map(|e| e.downcast_ref::<std::io::Error>());
            match io.map(std::io::Error::kind) {
                Some(std::io::ErrorKind::ConnectionRefused) => {
                    "connection refused: nothing listens there (start the L1 first, or fix \
                     --l1-rpc)"
                        .to_string()
                }
                Some(
                    std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::UnexpectedEof,
                ) => format!("{NOT_JSON_RPC} (it closed the connection without an answer)"),
                _ if causes
                    .iter()
                    .any(|e| e.to_string().starts_with("dns error")) =>
                {
                    "unknown host (fix --l1-rpc)".to_string()
                }
                _ => causes
                    .last()
                    .map_or_else(|| err.to_string(), |e| e.to_string()),
            }
        }
    }
}

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
        chain_id(&provider, url).await?;
        Ok(Self {
            url: url.to_owned(),
            provider,
        })
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
