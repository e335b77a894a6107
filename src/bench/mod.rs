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
mod measure;
mod report;
mod rpc;

use std::time::Duration;

use alloy_primitives::{B256, b256};
use anyhow::Context as _;
use serde::{Deserialize, Serialize};

pub use report::{Latency, Report, RoundReport, TargetReport};

use measure::{measure, measure_serial};

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
