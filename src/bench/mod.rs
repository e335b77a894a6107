//! Bench: `zkos-dev bench`, the confirmed-tx throughput and send->receipt latency of a node,
//! side by side with a second one (`--vs`), the two measured alternately in the same run.
//! `BenchConfig -> Report`.
//!
//! Before the clock starts (`corpus`): fresh accounts are funded from dev account #0 in one
//! batch, the ERC-20 is deployed if the kind needs it, and every tx is signed and packed into
//! JSON-RPC batch bodies. Then `conns` tasks send the batches over keep-alive connections
//! while one more connection watches new blocks (`eth_blockNumber`, then the new blocks' tx
//! hashes): a tx counts when a block holding it appears, and its latency runs from the send of
//! its batch to that moment. Nothing here polls per-tx receipts, except `--serial`, which sends
//! one tx at a time and waits for its receipt (idle latency).

mod corpus;
mod report;
mod rpc;

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use alloy_primitives::{B256, U64, b256};
use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::{sync::watch, task::JoinSet};

pub use report::{Latency, Report, RoundReport, TargetReport};

use corpus::Corpus;
use rpc::Rpc;

/// Dev account #0 of the `test test … junk` mnemonic: funded on zkos-dev, anvil and Hardhat.
pub const DEV_KEY_0: B256 =
    b256!("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
/// Most txs per round and node.
pub const MAX_TXS: usize = 1_000_000;
/// Most sending accounts.
pub const MAX_ACCOUNTS: usize = 10_000;
/// Most txs of one account in one round (zkos-dev's default per-sender mempool limit).
pub const MAX_TXS_PER_ACCOUNT: usize = 10_000;
/// Most calls per JSON-RPC batch (zkos-dev's default `--max-batch-size`).
pub const MAX_BATCH: usize = 1_000;
/// Most connections sending at once.
pub const MAX_CONNS: usize = 64;
/// Most rounds per node.
pub const MAX_ROUNDS: usize = 10;
/// Longest `--timeout`.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// Once the sends are done, how long without a new block before the rest counts as lost.
const STALL: Duration = Duration::from_secs(5);
/// Between two measurements, so the previous node's background work (settlement) winds down.
const PAUSE: Duration = Duration::from_secs(1);
/// Blocks fetched per batch by the block watcher.
const BLOCKS_PER_FETCH: u64 = 100;
/// Receipts checked per round (spread over the run) for reverts.
const RECEIPTS_CHECKED: usize = 20;

/// What the bench's txs do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// ETH transfers (1 wei) between the bench accounts.
    Eth,
    /// ERC-20 `transfer`s of the test token between the bench accounts.
    Erc20,
    /// Every other tx an ETH transfer, the rest ERC-20 transfers.
    Mixed,
}

impl Kind {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Eth => "eth",
            Self::Erc20 => "erc20",
            Self::Mixed => "mixed",
        }
    }
}

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// The node measured (loopback only).
    pub rpc: String,
    /// A second node measured in the same run, alternately (loopback only).
    pub vs: Option<String>,
    /// Txs per round and node.
    pub txs: usize,
    /// Sending accounts (fresh ones, funded by `funder`).
    pub accounts: usize,
    /// What the txs do.
    pub kind: Kind,
    /// Txs per JSON-RPC batch (1: single calls).
    pub batch: usize,
    /// Connections sending at once.
    pub conns: usize,
    /// Measurements per node (alternating A B, B A, ...).
    pub rounds: usize,
    /// One tx at a time, each waiting for its receipt (idle latency; batch and conns are 1).
    pub serial: bool,
    /// Longest a measurement (or the funding) may take; what is not mined by then is lost.
    pub timeout: Duration,
    /// Key of the account that funds the bench accounts (dev account #0 by default).
    pub funder: B256,
    /// Say on stderr what happens before the clock starts.
    pub progress: bool,
}

impl Default for BenchConfig {
    fn default() -> Self {
        Self {
            rpc: "http://127.0.0.1:3050".into(),
            vs: None,
            txs: 10_000,
            accounts: 100,
            kind: Kind::Eth,
            batch: 100,
            conns: 4,
            rounds: 1,
            serial: false,
            timeout: Duration::from_secs(60),
            funder: DEV_KEY_0,
            progress: false,
        }
    }
}

impl BenchConfig {
    /// Checks the bounds (and makes `serial` imply one tx per call on one connection).
    pub fn validated(mut self) -> anyhow::Result<Self> {
        if self.serial {
            self.batch = 1;
            self.conns = 1;
        }
        let check = |name: &str, value: usize, max: usize| {
            anyhow::ensure!(
                (1..=max).contains(&value),
                "--{name} must be between 1 and {max} (got {value})"
            );
            Ok(())
        };
        check("txs", self.txs, MAX_TXS)?;
        check("accounts", self.accounts, MAX_ACCOUNTS.min(self.txs))?;
        check("batch", self.batch, MAX_BATCH)?;
        check("conns", self.conns, MAX_CONNS)?;
        check("rounds", self.rounds, MAX_ROUNDS)?;
        anyhow::ensure!(
            self.txs.div_ceil(self.accounts) <= MAX_TXS_PER_ACCOUNT,
            "at most {MAX_TXS_PER_ACCOUNT} txs per account and round: use --accounts {} or more",
            self.txs.div_ceil(MAX_TXS_PER_ACCOUNT)
        );
        anyhow::ensure!(
            !self.timeout.is_zero() && self.timeout <= MAX_TIMEOUT,
            "--timeout must be between 1 and {} seconds",
            MAX_TIMEOUT.as_secs()
        );
        check_loopback(&self.rpc)?;
        if let Some(vs) = &self.vs {
            check_loopback(vs)?;
        }
        Ok(self)
    }
}

/// Refuses anything but a loopback node: the bench floods what it targets.
pub fn check_loopback(url: &str) -> anyhow::Result<()> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("{url:?} is not a URL"))?;
    anyhow::ensure!(
        matches!(parsed.scheme(), "http" | "https"),
        "{url}: the bench speaks JSON-RPC over http(s) only"
    );
    let host = parsed.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(
        loopback,
        "the bench only targets nodes on this machine (127.0.0.1, ::1, localhost): {url} is not one"
    );
    Ok(())
}

/// Prepares every node, then measures them alternately.
pub async fn run(config: BenchConfig) -> anyhow::Result<Report> {
    let config = config.validated()?;
    let urls: Vec<String> = std::iter::once(config.rpc.clone())
        .chain(config.vs.clone())
        .collect();
    let mut targets = Vec::with_capacity(urls.len());
    for url in &urls {
        if config.progress {
            eprintln!(
                "bench: {url}: funding {} accounts{}, signing {} txs",
                config.accounts,
                if config.kind == Kind::Eth {
                    ""
                } else {
                    " and deploying the token"
                },
                config.txs * config.rounds
            );
        }
        let target = corpus::prepare(url, &config)
            .await
            .with_context(|| format!("preparing the bench on {url}"))?;
        targets.push(target);
    }
    let mut rounds: Vec<Vec<RoundReport>> = targets.iter().map(|_| Vec::new()).collect();
    let mut first = true;
    for round in 0..config.rounds {
        let order: Vec<usize> = if round % 2 == 0 {
            (0..targets.len()).collect()
        } else {
            (0..targets.len()).rev().collect()
        };
        for t in order {
            if !first {
                tokio::time::sleep(PAUSE).await;
            }
            first = false;
            let target = &targets[t];
            let corpus = &target.rounds[round];
            if config.progress {
                eprintln!("bench: {}: round {}", target.rpc.url(), round + 1);
            }
            let report = if config.serial {
                measure_serial(&target.rpc, corpus, config.timeout).await?
            } else {
                measure(&target.rpc, corpus, config.conns, config.timeout).await?
            };
            rounds[t].push(report);
        }
    }
    let reports: Vec<TargetReport> = targets
        .iter()
        .zip(rounds)
        .map(|(t, rounds)| {
            TargetReport::new(
                t.rpc.url().to_string(),
                t.client_version.clone(),
                t.chain_id,
                rounds,
            )
        })
        .collect();
    let ratio = match reports.as_slice() {
        [a, b] if b.tps > 0.0 => Some(a.tps / b.tps),
        _ => None,
    };
    Ok(Report {
        kind: config.kind,
        txs: config.txs,
        accounts: config.accounts,
        batch: config.batch,
        conns: config.conns,
        rounds: config.rounds,
        serial: config.serial,
        targets: reports,
        ratio,
    })
}

/// What one sending connection did.
#[derive(Default)]
struct Sent {
    /// (batch, when its request started).
    batches: Vec<(usize, Instant)>,
    /// (tx index, the node's error).
    errors: Vec<(usize, String)>,
    /// When its last answer arrived.
    last: Option<Instant>,
}

/// Sends `corpus` over `conns` connections and watches blocks until every accepted tx is in
/// one, blocks stop coming, or `timeout` passes.
pub(crate) async fn measure(
    rpc: &Rpc,
    corpus: &Arc<Corpus>,
    conns: usize,
    timeout: Duration,
) -> anyhow::Result<RoundReport> {
    let n = corpus.txs.len();
    let from = rpc.block_number().await?;
    let deadline = Instant::now() + timeout;
    // `Some(accepted)` once the sends are done.
    let (done, done_rx) = watch::channel(None::<usize>);
    let watcher = tokio::spawn(watch_blocks(
        rpc.clone(),
        corpus.clone(),
        from,
        done_rx,
        deadline,
    ));

    let start = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut senders = JoinSet::new();
    for _ in 0..conns {
        let (rpc, corpus, next) = (rpc.clone(), corpus.clone(), next.clone());
        senders.spawn(async move {
            let mut sent = Sent::default();
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= corpus.bodies.len() || Instant::now() >= deadline {
                    return sent;
                }
                let at = Instant::now();
                let first = b * corpus.batch;
                let last = (first + corpus.batch).min(corpus.txs.len());
                match rpc.post(corpus.bodies[b].clone()).await {
                    Ok(answers) => {
                        for answer in answers {
                            let Some(error) = answer.error else { continue };
                            match answer.id {
                                Some(id) => sent.errors.push((id as usize, error.message)),
                                // An error about the whole batch.
                                None => sent
                                    .errors
                                    .extend((first..last).map(|i| (i, error.message.clone()))),
                            }
                        }
                    }
                    Err(err) => sent
                        .errors
                        .extend((first..last).map(|i| (i, format!("{err:#}")))),
                }
                sent.batches.push((b, at));
                sent.last = Some(Instant::now());
            }
        });
    }
    let mut batch_sent: Vec<Option<Instant>> = vec![None; corpus.bodies.len()];
    let mut errors: HashMap<usize, String> = HashMap::new();
    let mut sends_done = start;
    while let Some(sent) = senders.join_next().await {
        let sent = sent.context("a bench sender panicked")?;
        for (b, at) in sent.batches {
            batch_sent[b] = Some(at);
        }
        errors.extend(sent.errors.into_iter().filter(|(i, _)| *i < n));
        if let Some(last) = sent.last {
            sends_done = sends_done.max(last);
        }
    }
    let unsent = batch_sent.iter().filter(|s| s.is_none()).count();
    let accepted = n
        .saturating_sub(errors.len())
        .saturating_sub(unsent * corpus.batch);
    let _ = done.send(Some(accepted));
    let confirmed_at = watcher.await.context("the block watcher panicked")??;

    let mut latencies = Vec::with_capacity(n);
    let mut last_confirmed = start;
    let mut rejected = 0;
    let mut lost = 0;
    let mut messages: HashMap<&str, usize> = HashMap::new();
    for (i, at) in confirmed_at.iter().enumerate() {
        match (at, batch_sent[i / corpus.batch]) {
            (Some(at), Some(sent)) => {
                latencies.push(at.saturating_duration_since(sent).as_micros() as u64);
                last_confirmed = last_confirmed.max(*at);
            }
            (Some(_), None) => {}
            (None, _) => match errors.get(&i) {
                Some(message) => {
                    rejected += 1;
                    *messages.entry(message.as_str()).or_default() += 1;
                }
                None => lost += 1,
            },
        }
    }
    let confirmed = confirmed_at.iter().filter(|a| a.is_some()).count();
    let elapsed = last_confirmed
        .saturating_duration_since(start)
        .as_secs_f64();
    let (receipts_checked, reverted) = check_receipts(rpc, corpus, &confirmed_at).await?;
    Ok(RoundReport {
        txs: n,
        confirmed,
        rejected,
        lost,
        send_secs: sends_done.saturating_duration_since(start).as_secs_f64(),
        elapsed_secs: elapsed,
        tps: if elapsed > 0.0 {
            confirmed as f64 / elapsed
        } else {
            0.0
        },
        latency: Latency::from_micros(latencies.clone()),
        errors: sorted_messages(messages),
        receipts_checked,
        reverted,
        latencies_us: latencies,
    })
}

fn sorted_messages(messages: HashMap<&str, usize>) -> Vec<(String, usize)> {
    let mut messages: Vec<(String, usize)> = messages
        .into_iter()
        .map(|(m, c)| (m.to_string(), c))
        .collect();
    messages.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    messages
}

/// Polls the head; for each new block, marks its txs confirmed at the moment the head was
/// seen. Ends when every accepted tx is confirmed, no block came for `STALL` after the
/// sends, or at `deadline`.
async fn watch_blocks(
    rpc: Rpc,
    corpus: Arc<Corpus>,
    from: u64,
    done: watch::Receiver<Option<usize>>,
    deadline: Instant,
) -> anyhow::Result<Vec<Option<Instant>>> {
    #[derive(Deserialize)]
    struct BlockTxs {
        transactions: Vec<B256>,
    }
    let mut confirmed_at: Vec<Option<Instant>> = vec![None; corpus.txs.len()];
    let mut count = 0usize;
    let mut seen = from;
    let mut progress = Instant::now();
    while Instant::now() < deadline {
        let head = rpc.block_number().await?;
        let seen_at = Instant::now();
        if head > seen {
            let mut number = seen + 1;
            while number <= head {
                let last = (number + BLOCKS_PER_FETCH - 1).min(head);
                let params: Vec<_> = (number..=last)
                    .map(|n| json!([format!("0x{n:x}"), false]))
                    .collect();
                let blocks: Vec<Option<BlockTxs>> =
                    rpc.batch("eth_getBlockByNumber", &params).await?;
                for hash in blocks.iter().flatten().flat_map(|b| b.transactions.iter()) {
                    if let Some(&i) = corpus.index.get(hash)
                        && confirmed_at[i].is_none()
                    {
                        confirmed_at[i] = Some(seen_at);
                        count += 1;
                    }
                }
                number = last + 1;
            }
            seen = head;
            progress = seen_at;
        }
        let accepted = *done.borrow();
        if let Some(accepted) = accepted
            && (count >= accepted || progress.elapsed() > STALL)
        {
            break;
        }
        if head == seen && seen_at.elapsed() < Duration::from_millis(1) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    Ok(confirmed_at)
}

/// Checks up to `RECEIPTS_CHECKED` confirmed txs' receipts; returns (checked, reverted).
async fn check_receipts(
    rpc: &Rpc,
    corpus: &Corpus,
    confirmed_at: &[Option<Instant>],
) -> anyhow::Result<(usize, usize)> {
    #[derive(Deserialize)]
    struct Receipt {
        status: Option<U64>,
    }
    let confirmed: Vec<usize> = (0..confirmed_at.len())
        .filter(|&i| confirmed_at[i].is_some())
        .collect();
    if confirmed.is_empty() {
        return Ok((0, 0));
    }
    let step = confirmed.len().div_ceil(RECEIPTS_CHECKED);
    let params: Vec<_> = confirmed
        .iter()
        .step_by(step)
        .map(|&i| json!([corpus.txs[i].hash]))
        .collect();
    let receipts: Vec<Option<Receipt>> = rpc.batch("eth_getTransactionReceipt", &params).await?;
    let reverted = receipts
        .iter()
        .filter(|r| r.as_ref().is_none_or(|r| r.status != Some(U64::from(1))))
        .count();
    Ok((receipts.len(), reverted))
}

/// Sends one tx at a time and polls its receipt before the next (idle latency).
async fn measure_serial(
    rpc: &Rpc,
    corpus: &Corpus,
    timeout: Duration,
) -> anyhow::Result<RoundReport> {
    let n = corpus.txs.len();
    let deadline = Instant::now() + timeout;
    let start = Instant::now();
    let mut latencies = Vec::with_capacity(n);
    let mut confirmed_at: Vec<Option<Instant>> = vec![None; n];
    let mut messages: HashMap<String, usize> = HashMap::new();
    let (mut rejected, mut lost) = (0, 0);
    for (i, tx) in corpus.txs.iter().enumerate() {
        if Instant::now() >= deadline {
            lost += n - i;
            break;
        }
        let sent = Instant::now();
        let error = match rpc.post(corpus.bodies[i].clone()).await {
            Ok(answers) => answers.into_iter().find_map(|a| a.error.map(|e| e.message)),
            Err(err) => Some(format!("{err:#}")),
        };
        if let Some(message) = error {
            rejected += 1;
            *messages.entry(message).or_default() += 1;
            continue;
        }
        loop {
            let receipt: Option<serde::de::IgnoredAny> = rpc
                .call("eth_getTransactionReceipt", json!([tx.hash]))
                .await?;
            let now = Instant::now();
            if receipt.is_some() {
                latencies.push(now.saturating_duration_since(sent).as_micros() as u64);
                confirmed_at[i] = Some(now);
                break;
            }
            if now.saturating_duration_since(sent) > STALL || now >= deadline {
                lost += 1;
                break;
            }
        }
    }
    let confirmed = latencies.len();
    let elapsed = start.elapsed().as_secs_f64();
    let (receipts_checked, reverted) = check_receipts(rpc, corpus, &confirmed_at).await?;
    let messages = messages.iter().map(|(m, c)| (m.as_str(), *c)).collect();
    Ok(RoundReport {
        txs: n,
        confirmed,
        rejected,
        lost,
        send_secs: elapsed,
        elapsed_secs: elapsed,
        tps: if elapsed > 0.0 {
            confirmed as f64 / elapsed
        } else {
            0.0
        },
        latency: Latency::from_micros(latencies.clone()),
        errors: sorted_messages(messages),
        receipts_checked,
        reverted,
        latencies_us: latencies,
    })
}
