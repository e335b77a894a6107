//! Corpus: everything the bench does before the clock starts. Fresh accounts funded from a dev
//! account in one batch, the ERC-20 deployed when the kind needs it, then every measured tx
//! signed (in parallel, on std threads) and packed into JSON-RPC batch bodies.
//! `(node, BenchConfig) -> Target { rounds: [Corpus] }`.

use std::{collections::HashMap, sync::Arc, time::Duration};

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, TxKind, U64, U128, U256, hex, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use anyhow::Context as _;
use serde::Deserialize;
use serde_json::json;

use super::{BenchConfig, Kind, rpc::Rpc};

/// The test ERC-20 (`tests/contracts/src/Token.sol`): `constructor(uint256 supply)` mints to
/// the deployer; `transfer(address,uint256)`.
const TOKEN_ARTIFACT: &str = include_str!("../../tests/contracts/out/Token.json");
/// `transfer(address,uint256)`.
const TRANSFER_SELECTOR: [u8; 4] = [0xa9, 0x05, 0x9c, 0xbb];
/// Gas limit of an ETH transfer.
const ETH_GAS: u64 = 21_000;
/// Gas limit of a token transfer (it uses 35k-52k: a cold balance slot costs the most).
const ERC20_GAS: u64 = 80_000;
/// Gas limit of the token deployment.
const DEPLOY_GAS: u64 = 1_500_000;
/// Tokens each bench account receives (it sends 1 per transfer).
const TOKENS_PER_ACCOUNT: u64 = 1_000_000_000;

/// One signed tx, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct SignedTx {
    /// Its hash.
    pub(crate) hash: B256,
    /// Its 2718 encoding, `0x`-hex.
    pub(crate) raw: String,
}

/// The txs of one measured run, in send order, and their batch bodies.
pub(crate) struct Corpus {
    /// The txs in send order (a batch is `batch` consecutive txs).
    pub(crate) txs: Vec<SignedTx>,
    /// Txs per batch.
    pub(crate) batch: usize,
    /// One JSON-RPC body per batch (ids are tx indexes).
    pub(crate) bodies: Vec<String>,
    /// Tx hash -> index in `txs`.
    pub(crate) index: HashMap<B256, usize>,
}

impl Corpus {
    /// Packs `txs` into bodies of `batch` calls (`batch == 1`: single calls, not batches).
    pub(crate) fn new(txs: Vec<SignedTx>, batch: usize) -> Self {
        let bodies = txs
            .chunks(batch)
            .enumerate()
            .map(|(b, chunk)| {
                let calls: Vec<String> = chunk
                    .iter()
                    .enumerate()
                    .map(|(k, tx)| {
                        format!(
                            r#"{{"jsonrpc":"2.0","id":{},"method":"eth_sendRawTransaction","params":["{}"]}}"#,
                            b * batch + k,
                            tx.raw
                        )
                    })
                    .collect();
                if batch == 1 {
                    calls.concat()
                } else {
                    format!("[{}]", calls.join(","))
                }
            })
            .collect();
        let index = txs.iter().enumerate().map(|(i, tx)| (tx.hash, i)).collect();
        Self {
            txs,
            batch,
            bodies,
            index,
        }
    }
}

/// A node ready to be measured: its accounts funded, its corpora signed.
pub(crate) struct Target {
    /// Its client (the measured sends open `conns` connections).
    pub(crate) rpc: Rpc,
    /// `web3_clientVersion`.
    pub(crate) client_version: String,
    /// Its chain id.
    pub(crate) chain_id: u64,
    /// One corpus per round.
    pub(crate) rounds: Vec<Arc<Corpus>>,
}

/// What a tx of the corpus does.
#[derive(Clone, Copy)]
enum TxShape {
    Eth,
    Erc20(Address),
}

/// Funds fresh accounts on `url`, deploys the token if needed and signs every round's txs.
pub(crate) async fn prepare(url: &str, config: &BenchConfig) -> anyhow::Result<Target> {
    let rpc = Rpc::new(url, config.conns + 2, config.timeout)?;
    let chain_id: U64 = rpc
        .get("eth_chainId", json!([]))
        .await
        .with_context(|| format!("is a node listening at {url}?"))?;
    let chain_id = chain_id.to::<u64>();
    let client_version: String = rpc
        .call("web3_clientVersion", json!([]))
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let gas_price: U128 = rpc.get("eth_gasPrice", json!([])).await?;
    // Room for the base fee to rise while the bench runs (anvil's moves with block fullness).
    let max_fee = gas_price.to::<u128>().saturating_mul(4).max(1);
    let funder = PrivateKeySigner::from_bytes(&config.funder).context("funder key")?;
    let signers = fresh_accounts(config.accounts);

    // Setup txs from the funder, in nonce order: the token, ETH for every account, tokens.
    let nonce: U64 = rpc
        .get(
            "eth_getTransactionCount",
            json!([funder.address(), "pending"]),
        )
        .await?;
    let mut nonce = nonce.to::<u64>();
    let mut setup = Vec::new();
    let needs_token = config.kind != Kind::Eth;
    let token = funder.address().create(nonce);
    if needs_token {
        let supply = U256::from(TOKENS_PER_ACCOUNT) * U256::from(config.accounts + 1);
        let mut input = token_bytecode()?;
        input.extend_from_slice(&supply.to_be_bytes::<32>());
        setup.push(sign(
            &funder,
            chain_id,
            nonce,
            max_fee,
            DEPLOY_GAS,
            TxKind::Create,
            U256::ZERO,
            input.into(),
        )?);
        nonce += 1;
    }
    let per_account = config.txs.div_ceil(config.accounts) * config.rounds;
    let gas = if needs_token { ERC20_GAS } else { ETH_GAS };
    // Every tx sends 1 wei at most; twice the fees keeps a margin.
    let eth = U256::from(per_account)
        * (U256::from(gas) * U256::from(max_fee) * U256::from(2) + U256::from(1));
    for signer in &signers {
        setup.push(sign(
            &funder,
            chain_id,
            nonce,
            max_fee,
            ETH_GAS,
            TxKind::Call(signer.address()),
            eth,
            Bytes::new(),
        )?);
        nonce += 1;
    }
    if needs_token {
        for signer in &signers {
            let input = transfer_call(signer.address(), U256::from(TOKENS_PER_ACCOUNT));
            setup.push(sign(
                &funder,
                chain_id,
                nonce,
                max_fee,
                ERC20_GAS,
                TxKind::Call(token),
                U256::ZERO,
                input,
            )?);
            nonce += 1;
        }
    }
    let deploy_hash = setup.first().map(|tx| tx.hash);
    let setup = Arc::new(Corpus::new(setup, 500));
    let funded = super::measure(&rpc, &setup, 1, config.timeout).await?;
    anyhow::ensure!(
        funded.lost == 0 && funded.rejected == 0,
        "funding the bench accounts on {url} failed: {} of {} setup txs not mined{}",
        funded.lost + funded.rejected,
        setup.txs.len(),
        funded
            .errors
            .first()
            .map(|(e, _)| format!(" ({e})"))
            .unwrap_or_default()
    );
    if needs_token {
        check_deployed(&rpc, deploy_hash, token).await?;
    }

    let shapes = move |i: usize| match config.kind {
        Kind::Eth => TxShape::Eth,
        Kind::Erc20 => TxShape::Erc20(token),
        Kind::Mixed if i.is_multiple_of(2) => TxShape::Eth,
        Kind::Mixed => TxShape::Erc20(token),
    };
    let rounds = (0..config.rounds)
        .map(|round| {
            let txs = sign_round(&signers, config, chain_id, max_fee, round, shapes)?;
            Ok(Arc::new(Corpus::new(txs, config.batch)))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Target {
        rpc,
        client_version,
        chain_id,
        rounds,
    })
}

/// `count` accounts no node has seen: keys from a per-run seed.
fn fresh_accounts(count: usize) -> Vec<PrivateKeySigner> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_nanos();
    let seed = keccak256(format!("zkos-dev bench {nanos} {}", std::process::id()));
    (0..count as u64)
        .map(|i| {
            let mut input = seed.to_vec();
            input.extend_from_slice(&i.to_be_bytes());
            // A hash is a valid secp256k1 key except with probability ~2^-128.
            let mut key = keccak256(&input);
            loop {
                if let Ok(signer) = PrivateKeySigner::from_bytes(&key) {
                    return signer;
                }
                key = keccak256(key);
            }
        })
        .collect()
}

/// Signs round `round`'s txs. Tx `i` is account `i % M`'s, so a batch holds many senders and
/// each sender's txs go out in nonce order; account `a` pays account `a + 1`.
fn sign_round(
    signers: &[PrivateKeySigner],
    config: &BenchConfig,
    chain_id: u64,
    max_fee: u128,
    round: usize,
    shape: impl Fn(usize) -> TxShape + Sync,
) -> anyhow::Result<Vec<SignedTx>> {
    let m = signers.len();
    let n = config.txs;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(m);
    let chunk = m.div_ceil(threads);
    // Per account: its txs of this round, in nonce order.
    let by_account: Vec<Vec<SignedTx>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let shape = &shape;
                scope.spawn(move || -> anyhow::Result<Vec<Vec<SignedTx>>> {
                    let mut out = Vec::new();
                    for a in (t * chunk)..((t + 1) * chunk).min(m) {
                        let signer = &signers[a];
                        let to = signers[(a + 1) % m].address();
                        let mut txs = Vec::new();
                        // The same count every round, so rounds continue each other's nonces.
                        let per_round = (n - a).div_ceil(m) as u64;
                        let mut i = a;
                        let mut k = 0u64;
                        while i < n {
                            let nonce = round as u64 * per_round + k;
                            let tx = match shape(i) {
                                TxShape::Eth => sign(
                                    signer,
                                    chain_id,
                                    nonce,
                                    max_fee,
                                    ETH_GAS,
                                    TxKind::Call(to),
                                    U256::from(1),
                                    Bytes::new(),
                                )?,
                                TxShape::Erc20(token) => sign(
                                    signer,
                                    chain_id,
                                    nonce,
                                    max_fee,
                                    ERC20_GAS,
                                    TxKind::Call(token),
                                    U256::ZERO,
                                    transfer_call(to, U256::from(1)),
                                )?,
                            };
                            txs.push(tx);
                            i += m;
                            k += 1;
                        }
                        out.push(txs);
                    }
                    Ok(out)
                })
            })
            .collect();
        let mut all = Vec::with_capacity(m);
        for handle in handles {
            let part = handle
                .join()
                .map_err(|_| anyhow::anyhow!("a signing thread panicked"))??;
            all.extend(part);
        }
        anyhow::Ok(all)
    })?;
    let mut iters: Vec<_> = by_account.into_iter().map(Vec::into_iter).collect();
    let mut txs = Vec::with_capacity(n);
    for i in 0..n {
        txs.push(
            iters[i % m]
                .next()
                .context("corpus: an account ran out of txs")?,
        );
    }
    Ok(txs)
}

/// Signs one EIP-1559 tx.
#[allow(clippy::too_many_arguments)]
fn sign(
    signer: &PrivateKeySigner,
    chain_id: u64,
    nonce: u64,
    max_fee: u128,
    gas_limit: u64,
    to: TxKind,
    value: U256,
    input: Bytes,
) -> anyhow::Result<SignedTx> {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: 1.min(max_fee),
        to,
        value,
        access_list: Default::default(),
        input,
    };
    let signature = signer
        .sign_hash_sync(&tx.signature_hash())
        .context("signing a bench tx")?;
    let envelope = TxEnvelope::from(tx.into_signed(signature));
    Ok(SignedTx {
        hash: *envelope.tx_hash(),
        raw: hex::encode_prefixed(envelope.encoded_2718()),
    })
}

/// Calldata of `transfer(to, value)`.
fn transfer_call(to: Address, value: U256) -> Bytes {
    let mut input = Vec::with_capacity(68);
    input.extend_from_slice(&TRANSFER_SELECTOR);
    input.extend_from_slice(B256::left_padding_from(to.as_slice()).as_slice());
    input.extend_from_slice(&value.to_be_bytes::<32>());
    input.into()
}

/// The token's creation bytecode, from the embedded artifact.
fn token_bytecode() -> anyhow::Result<Vec<u8>> {
    #[derive(Deserialize)]
    struct Artifact {
        bytecode: Object,
    }
    #[derive(Deserialize)]
    struct Object {
        object: String,
    }
    let artifact: Artifact =
        serde_json::from_str(TOKEN_ARTIFACT).context("the embedded Token artifact")?;
    hex::decode(artifact.bytecode.object).context("the embedded Token bytecode")
}

/// Checks that the token deployment succeeded and left code at `token`.
async fn check_deployed(rpc: &Rpc, deploy: Option<B256>, token: Address) -> anyhow::Result<()> {
    #[derive(Deserialize)]
    struct Receipt {
        status: Option<U64>,
    }
    let hash = deploy.context("no deployment tx")?;
    let receipt: Receipt = rpc
        .get("eth_getTransactionReceipt", json!([hash]))
        .await
        .context("the token deployment's receipt")?;
    anyhow::ensure!(
        receipt.status == Some(U64::from(1)),
        "the bench token deployment {hash} reverted on {}",
        rpc.url()
    );
    let code: Bytes = rpc.get("eth_getCode", json!([token, "latest"])).await?;
    anyhow::ensure!(!code.is_empty(), "no code at the bench token {token}");
    Ok(())
}
