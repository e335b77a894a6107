//! `zkos-dev bench` and the metrics endpoint: small runs against test nodes (every tx counted,
//! none lost, the JSON parses) and the Prometheus text after some txs. Figures are never
//! asserted: speed lives in the table of docs/performance.md.

use std::{process::Command, time::Duration};

use serde_json::Value;
use zkos_dev::{
    bench::{self, BenchConfig, Kind, Report},
    config::MetricsConfig,
    metrics::names,
};

use crate::support::{PATIENCE, TestNode};

fn config(url: String, kind: Kind, txs: usize, accounts: usize) -> BenchConfig {
    BenchConfig {
        rpc: url,
        txs,
        accounts,
        kind,
        batch: 50,
        conns: 3,
        timeout: PATIENCE,
        ..Default::default()
    }
}

fn assert_all_confirmed(report: &Report, txs: usize) {
    for target in &report.targets {
        assert_eq!(target.confirmed, txs * report.rounds, "{target:#?}");
        assert_eq!((target.lost, target.rejected), (0, 0), "{target:#?}");
        let latency = target.latency.as_ref().expect("latencies");
        assert_eq!(latency.samples, txs * report.rounds);
        assert!(latency.p50_ms <= latency.p99_ms && latency.p99_ms <= latency.max_ms);
        for round in &target.rounds {
            assert!(round.receipts_checked > 0);
            assert_eq!(round.reverted, 0, "a bench tx reverted: {round:#?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bench_of_mixed_transfers_confirms_every_tx() {
    let node = TestNode::start().await;
    let report = bench::run(config(node.node.rpc_url(), Kind::Mixed, 600, 12))
        .await
        .expect("bench runs");
    assert_all_confirmed(&report, 600);
    assert_eq!(report.targets.len(), 1);
    assert_eq!(report.ratio, None);
    assert!(report.text().contains("confirmed/s"));
}

#[tokio::test(flavor = "multi_thread")]
async fn bench_against_a_second_node_alternates_rounds_and_gives_a_ratio() {
    let (a, b) = tokio::join!(TestNode::start(), TestNode::start());
    let mut config = config(a.node.rpc_url(), Kind::Erc20, 200, 10);
    config.vs = Some(b.node.rpc_url());
    config.rounds = 2;
    let report = bench::run(config).await.expect("bench runs");
    assert_all_confirmed(&report, 200);
    assert_eq!(report.targets[1].url, b.node.rpc_url());
    assert_eq!(report.targets[0].rounds.len(), 2);
    // Both rounds confirmed in full: the second continued the first one's nonces.
    assert!(report.ratio.is_some_and(|r| r > 0.0));
}

#[tokio::test(flavor = "multi_thread")]
async fn serial_bench_waits_for_each_receipt() {
    let node = TestNode::start().await;
    let mut config = config(node.node.rpc_url(), Kind::Eth, 30, 1);
    config.serial = true;
    let report = bench::run(config).await.expect("bench runs");
    assert!(report.serial);
    assert_eq!((report.batch, report.conns), (1, 1));
    assert_all_confirmed(&report, 30);
}

/// The CI smoke run: the real binary, `--json`, against a node of its own.
#[tokio::test(flavor = "multi_thread")]
async fn bench_command_prints_a_json_report() {
    let node = TestNode::start().await;
    let url = node.node.rpc_url();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
            .args(["bench", "--rpc", &url, "--txs", "500", "--accounts", "10"])
            .args([
                "--batch",
                "100",
                "--conns",
                "2",
                "--timeout",
                "60",
                "--json",
            ])
            .output()
            .expect("zkos-dev bench runs")
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let target = &json["targets"][0];
    assert_eq!(target["confirmed"], 500, "{json:#}");
    assert_eq!(target["lost"], 0);
    assert_eq!(target["rejected"], 0);
    assert!(target["tps"].as_f64().is_some_and(|t| t > 0.0));
    assert!(target["latency"]["p99_ms"].as_f64().is_some());
    let report: Report = serde_json::from_value(json).expect("the JSON is a Report");
    assert_eq!(report.kind, Kind::Eth);
}

#[tokio::test]
async fn bench_refuses_nodes_off_this_machine_and_silly_sizes() {
    for url in [
        "http://127.0.0.1:3050",
        "http://localhost:8545",
        "http://[::1]:3050",
    ] {
        bench::check_loopback(url).unwrap();
    }
    for url in [
        "http://10.0.0.1:3050",
        "http://example.com",
        "ws://127.0.0.1:3050",
        "nope",
    ] {
        assert!(bench::check_loopback(url).is_err(), "{url}");
    }
    let far = BenchConfig {
        rpc: "http://192.168.1.10:3050".into(),
        ..Default::default()
    };
    let err = bench::run(far).await.unwrap_err().to_string();
    assert!(err.contains("only targets nodes on this machine"), "{err}");
    let huge = BenchConfig {
        txs: bench::MAX_TXS + 1,
        ..Default::default()
    };
    assert!(huge.validated().is_err());
    let crowded = BenchConfig {
        txs: 100_000,
        accounts: 2,
        ..Default::default()
    };
    let err = crowded.validated().unwrap_err().to_string();
    assert!(err.contains("--accounts 10 or more"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_endpoint_reports_txs_blocks_batches_and_rpc_latency() {
    let node = TestNode::start_with(|c| {
        c.metrics = Some(MetricsConfig {
            port: 0,
            ..Default::default()
        })
    })
    .await;
    let addr = node.node.metrics_addr().expect("metrics endpoint bound");
    bench::run(config(node.node.rpc_url(), Kind::Eth, 200, 4))
        .await
        .expect("bench runs");
    let http = reqwest::Client::new();
    let wanted = [
        names::TXS,
        names::BLOCKS,
        names::BLOCK_NUMBER,
        names::BATCHES,
        names::MEMPOOL,
        names::BLOCK_BUILD,
        names::RPC,
        names::SETTLEMENT_LAG,
        names::PROVER,
    ];
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let response = http
            .get(format!("http://{addr}/metrics"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        let missing: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|name| !text.lines().any(|l| l.starts_with(name)))
            .collect();
        // Batches (and with them the prover's time) come a moment after the blocks.
        if missing.is_empty() && text.contains(r#"method="eth_sendRawTransaction""#) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "missing {missing:?} in\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let status = http
        .get(format!("http://{addr}/nope"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);
}
