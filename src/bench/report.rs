//! Report: the bench's numbers, as text for people and JSON (`--json`) for machines.
//! `rounds of (confirm times, send times) -> Report`.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::Kind;

/// Send->receipt latency percentiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Median, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, in milliseconds.
    pub p99_ms: f64,
    /// Largest, in milliseconds.
    pub max_ms: f64,
    /// How many txs the figures are over.
    pub samples: usize,
}

impl Latency {
    /// Percentiles of `micros` (`None` when empty).
    pub fn from_micros(mut micros: Vec<u64>) -> Option<Self> {
        if micros.is_empty() {
            return None;
        }
        micros.sort_unstable();
        let at = |q: f64| {
            let rank = ((micros.len() as f64 * q).ceil() as usize).clamp(1, micros.len());
            micros[rank - 1] as f64 / 1000.0
        };
        Some(Self {
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms: at(1.0),
            samples: micros.len(),
        })
    }
}

/// One measured run against one node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoundReport {
    /// Txs sent.
    pub txs: usize,
    /// Txs found in blocks.
    pub confirmed: usize,
    /// Txs the node answered with an error.
    pub rejected: usize,
    /// Txs accepted but not in a block when the run ended (stalled or `--timeout`).
    pub lost: usize,
    /// From the first send to the last answer of the sends, in seconds.
    pub send_secs: f64,
    /// From the first send to the last confirmation, in seconds.
    pub elapsed_secs: f64,
    /// Confirmed txs per second of `elapsed_secs`.
    pub tps: f64,
    /// Send (of the batch holding the tx) -> block holding the tx seen.
    pub latency: Option<Latency>,
    /// The node's error messages and how often each came (most frequent first).
    pub errors: Vec<(String, usize)>,
    /// Confirmed txs whose receipt was checked (spread over the run).
    pub receipts_checked: usize,
    /// Of those, how many reverted (a bench tx should never revert).
    pub reverted: usize,
    /// Per-tx latencies in microseconds (for pooling over rounds; not in the JSON).
    #[serde(skip)]
    pub latencies_us: Vec<u64>,
}

/// Everything measured on one node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetReport {
    /// Its URL.
    pub url: String,
    /// Its `web3_clientVersion`.
    pub client_version: String,
    /// Its chain id.
    pub chain_id: u64,
    /// Median confirmed tx/s over the rounds.
    pub tps: f64,
    /// Latency over every round's txs.
    pub latency: Option<Latency>,
    /// Confirmed txs, all rounds.
    pub confirmed: usize,
    /// Rejected txs, all rounds.
    pub rejected: usize,
    /// Lost txs, all rounds.
    pub lost: usize,
    /// Each round.
    pub rounds: Vec<RoundReport>,
}

impl TargetReport {
    /// Sums the rounds.
    pub(crate) fn new(
        url: String,
        client_version: String,
        chain_id: u64,
        rounds: Vec<RoundReport>,
    ) -> Self {
        let mut tps: Vec<f64> = rounds.iter().map(|r| r.tps).collect();
        tps.sort_by(f64::total_cmp);
        let median = match tps.len() {
            0 => 0.0,
            n if n % 2 == 1 => tps[n / 2],
            n => (tps[n / 2 - 1] + tps[n / 2]) / 2.0,
        };
        let latencies = rounds
            .iter()
            .flat_map(|r| r.latencies_us.iter().copied())
            .collect();
        Self {
            url,
            client_version,
            chain_id,
            tps: median,
            latency: Latency::from_micros(latencies),
            confirmed: rounds.iter().map(|r| r.confirmed).sum(),
            rejected: rounds.iter().map(|r| r.rejected).sum(),
            lost: rounds.iter().map(|r| r.lost).sum(),
            rounds,
        }
    }
}

/// The whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// What the txs do.
    pub kind: Kind,
    /// Txs per round and node.
    pub txs: usize,
    /// Sending accounts.
    pub accounts: usize,
    /// Txs per JSON-RPC batch.
    pub batch: usize,
    /// Connections sending at once.
    pub conns: usize,
    /// Rounds per node.
    pub rounds: usize,
    /// One tx at a time, each waiting for its receipt (idle latency).
    pub serial: bool,
    /// `--rpc` first, then `--vs`.
    pub targets: Vec<TargetReport>,
    /// `--rpc`'s tx/s over `--vs`'s.
    pub ratio: Option<f64>,
}

impl Report {
    /// The report for people.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mode = if self.serial {
            "one at a time, each waiting for its receipt".to_string()
        } else {
            format!(
                "batches of {} over {} connection{}",
                self.batch,
                self.conns,
                if self.conns == 1 { "" } else { "s" }
            )
        };
        let _ = writeln!(
            out,
            "zkos-dev bench: {} {} txs from {} accounts, {mode}, {} round{} per node",
            self.txs,
            self.kind.name(),
            self.accounts,
            self.rounds,
            if self.rounds == 1 { "" } else { "s" }
        );
        let _ = writeln!(
            out,
            "{:<28} {:>12} {:>9} {:>9} {:>9} {:>6} {:>9}  client",
            "node", "confirmed/s", "p50 ms", "p99 ms", "max ms", "lost", "rejected"
        );
        for t in &self.targets {
            let (p50, p99, max) =
                t.latency
                    .as_ref()
                    .map_or(("-".into(), "-".into(), "-".into()), |l| {
                        (
                            format!("{:.2}", l.p50_ms),
                            format!("{:.2}", l.p99_ms),
                            format!("{:.1}", l.max_ms),
                        )
                    });
            let _ = writeln!(
                out,
                "{:<28} {:>12.0} {:>9} {:>9} {:>9} {:>6} {:>9}  {}",
                t.url, t.tps, p50, p99, max, t.lost, t.rejected, t.client_version
            );
            if t.rounds.len() > 1 {
                let per: Vec<String> = t.rounds.iter().map(|r| format!("{:.0}", r.tps)).collect();
                let _ = writeln!(out, "{:<28} rounds: {} tx/s", "", per.join(", "));
            }
            for (message, count) in t.rounds.iter().flat_map(|r| r.errors.iter()).take(3) {
                let _ = writeln!(out, "{:<28} {count} x error: {message}", "");
            }
            let reverted: usize = t.rounds.iter().map(|r| r.reverted).sum();
            if reverted > 0 {
                let checked: usize = t.rounds.iter().map(|r| r.receipts_checked).sum();
                let _ = writeln!(
                    out,
                    "{:<28} {reverted} of {checked} receipts checked reverted",
                    ""
                );
            }
        }
        if let Some(ratio) = self.ratio {
            let _ = writeln!(
                out,
                "ratio: {ratio:.2}x ({} / {})",
                self.targets[0].url, self.targets[1].url
            );
        }
        out
    }
}
