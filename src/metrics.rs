//! Metrics: Prometheus text on `GET /metrics` (127.0.0.1:3312 by default, `--metrics-port`).
//! `MetricsTask`: L2 `NodeEvent` stream + mempool size -> gauges and batch metrics;
//! `serve`: TCP listener -> Prometheus text. Two hooks record what must not be missed or that
//! events cannot carry: RPC latency per method (`rpc::middleware`) and, per sealed block, its
//! build time, txs and gas (the sequencer). Under full load the event task can fall behind the
//! broadcast channel (one `TxPending` per tx); what it feeds are gauges that the next event
//! corrects, and `zkos_metrics_events_lagged_total` says how many events it missed.
//!
//! The recorder is the `metrics` facade's process-wide one, installed by the first node that
//! wants metrics. The hooks are labelled with the chain id, since both chains (and, in tests,
//! several nodes) share the process; the event-fed metrics are the L2's of the node that
//! spawned the task. Before a recorder is installed the hooks cost nothing.

use std::{
    collections::VecDeque,
    convert::Infallible,
    net::{IpAddr, SocketAddr},
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use anyhow::Context as _;
use http_body_util::Full;
use hyper::{
    Method, Request, Response, StatusCode,
    body::{Bytes, Incoming},
    header::{CONTENT_TYPE, HeaderValue},
};
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::{net::TcpListener, sync::broadcast};
use tokio_util::sync::CancellationToken;

use crate::{
    config::MetricsConfig,
    events::{BatchStage, NodeEvent},
    mempool::Mempool,
    storage::StoredBlock,
};

/// Default port of the metrics endpoint.
pub const DEFAULT_PORT: u16 = 3312;

/// Names of the metrics (the dashboard in `dashboards/zkos-dev.json` and the tests use them).
pub mod names {
    /// Counter: txs in sealed blocks (L1 txs included), label `chain`.
    pub const TXS: &str = "zkos_txs_total";
    /// Counter: blocks sealed, label `chain`.
    pub const BLOCKS: &str = "zkos_blocks_total";
    /// Counter: gas used by sealed blocks, label `chain`.
    pub const GAS: &str = "zkos_gas_used_total";
    /// Gauge: L2 block number by tag (`latest`, `safe`, `finalized`).
    pub const BLOCK_NUMBER: &str = "zkos_block_number";
    /// Counter: batches reaching a stage, label `stage` (`sealed`, `proven`, `committed`, ...).
    pub const BATCHES: &str = "zkos_batches_total";
    /// Gauge: the last batch number that reached a stage, label `stage`.
    pub const BATCH_NUMBER: &str = "zkos_batch_number";
    /// Gauge: txs in the L2 mempool, label `state` (`pending`, `queued`).
    pub const MEMPOOL: &str = "zkos_mempool_txs";
    /// Histogram: time to build, execute and seal a block, label `chain`.
    pub const BLOCK_BUILD: &str = "zkos_block_build_seconds";
    /// Histogram: time a sealed block waits to be made durable (the write-ahead log, or the
    /// synced write with `--sync always`) before its receipts show, label `chain`.
    pub const BLOCK_PERSIST: &str = "zkos_block_persist_seconds";
    /// Histogram: a data dir checkpoint (the logged blocks written to the database, synced).
    pub const CHECKPOINT: &str = "zkos_data_dir_checkpoint_seconds";
    /// Histogram: JSON-RPC call latency, labels `chain` and `method`.
    pub const RPC: &str = "zkos_rpc_request_seconds";
    /// Gauge: L2 head minus the finalized block (blocks not yet executed on L1).
    pub const SETTLEMENT_LAG: &str = "zkos_settlement_lag_blocks";
    /// Histogram: from the sealing of a batch's first block to the batch executed on L1.
    pub const SETTLEMENT_TIME: &str = "zkos_settlement_seconds";
    /// Histogram: the prover's time per batch.
    pub const PROVER: &str = "zkos_prover_seconds";
    /// Histogram: an L1 step (commit, prove, execute) from sending its tx to its receipt,
    /// label `step`.
    pub const L1_STEP: &str = "zkos_l1_step_seconds";
    /// Counter: node events the metrics task missed because it fell behind.
    pub const EVENTS_LAGGED: &str = "zkos_metrics_events_lagged_total";
}

/// Buckets of every `_seconds` histogram: 100 µs to 30 s.
const BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    10.0, 30.0,
];

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: DEFAULT_PORT,
        }
    }
}

/// The process-wide recorder's handle, once installed.
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide Prometheus recorder (the first call does) and returns its handle.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
        .context("metric buckets")?
        .build_recorder();
    // Two nodes racing here: the one that stores its handle installs its recorder.
    if HANDLE.set(recorder.handle()).is_ok() {
        metrics::set_global_recorder(recorder)
            .map_err(|_| anyhow::anyhow!("another metrics recorder is installed"))?;
        describe();
    }
    HANDLE
        .get()
        .cloned()
        .context("the metrics recorder was not stored")
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(names::TXS, "txs in sealed blocks (L1 txs included)");
    describe_counter!(names::BLOCKS, "blocks sealed");
    describe_counter!(names::GAS, "gas used by sealed blocks");
    describe_gauge!(names::BLOCK_NUMBER, "L2 block number by tag");
    describe_counter!(names::BATCHES, "batches that reached a stage");
    describe_gauge!(
        names::BATCH_NUMBER,
        "last batch number that reached a stage"
    );
    describe_gauge!(names::MEMPOOL, "txs in the L2 mempool");
    describe_histogram!(
        names::BLOCK_BUILD,
        Unit::Seconds,
        "block build, execute and seal time"
    );
    describe_histogram!(
        names::BLOCK_PERSIST,
        Unit::Seconds,
        "time a sealed block waits to be durable before its receipts show"
    );
    describe_histogram!(
        names::CHECKPOINT,
        Unit::Seconds,
        "data dir checkpoint: logged blocks written to the database and synced"
    );
    describe_histogram!(names::RPC, Unit::Seconds, "JSON-RPC call latency");
    describe_gauge!(names::SETTLEMENT_LAG, "L2 head minus the finalized block");
    describe_histogram!(
        names::SETTLEMENT_TIME,
        Unit::Seconds,
        "from the sealing of a batch's first block to its execution on L1"
    );
    describe_histogram!(names::PROVER, Unit::Seconds, "prover time per batch");
    describe_histogram!(
        names::L1_STEP,
        Unit::Seconds,
        "L1 commit/prove/execute tx to receipt"
    );
    describe_counter!(names::EVENTS_LAGGED, "node events the metrics task missed");
}

/// Records one sealed block: its build time, its txs and gas (the sequencer's hook; every
/// block counts, even when the event task falls behind under load).
pub fn block_built(chain_id: u64, block: &StoredBlock, took: Duration) {
    let chain = chain_id.to_string();
    histogram!(names::BLOCK_BUILD, "chain" => chain.clone()).record(took);
    counter!(names::BLOCKS, "chain" => chain.clone()).increment(1);
    counter!(names::TXS, "chain" => chain.clone()).increment(block.txs.len() as u64);
    counter!(names::GAS, "chain" => chain).increment(block.header.gas_used);
}

/// Records how long a sealed block waited to be durable.
pub fn block_persisted(chain_id: u64, took: Duration) {
    histogram!(names::BLOCK_PERSIST, "chain" => chain_id.to_string()).record(took);
}

/// Records one data dir checkpoint that wrote something.
pub fn checkpointed(took: Duration) {
    histogram!(names::CHECKPOINT).record(took);
}

/// Binds the metrics endpoint.
pub async fn bind(config: &MetricsConfig) -> anyhow::Result<TcpListener> {
    let addr = SocketAddr::new(config.host, config.port);
    TcpListener::bind(addr)
        .await
        .map_err(|err| crate::ports::Port::Metrics.bind_error(addr, &err))
}

/// Answers `GET /metrics` (and `GET /`) with the Prometheus text until `cancel` fires.
pub async fn serve(listener: TcpListener, handle: PrometheusHandle, cancel: CancellationToken) {
    loop {
        let stream = tokio::select! {
            _ = cancel.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::warn!(%err, "metrics: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let handle = handle.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let handle = handle.clone();
            async move { Ok::<_, Infallible>(answer(&request, &handle)) }
        });
        let cancel = cancel.clone();
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = connection => {}
            }
        });
    }
}

fn answer(request: &Request<Incoming>, handle: &PrometheusHandle) -> Response<Full<Bytes>> {
    let (status, body) = match (request.method(), request.uri().path()) {
        (&Method::GET, "/metrics" | "/") => (StatusCode::OK, handle.render()),
        _ => (
            StatusCode::NOT_FOUND,
            "not found: GET /metrics\n".to_string(),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Turns the L2's events into metrics and samples the mempool once a second.
pub struct MetricsTask {
    /// The L2's events.
    pub events: broadcast::Receiver<NodeEvent>,
    /// The L2's mempool (sampled: `counts()` takes its lock once).
    pub mempool: Arc<Mempool>,
    /// The recorder's handle, for upkeep (histogram samples are drained into buckets).
    pub handle: PrometheusHandle,
}

/// What the task remembers between events.
#[derive(Default)]
struct Tracker {
    head: u64,
    finalized: u64,
    /// When recent L2 blocks were sealed, oldest first (bounded), for the settlement time.
    sealed_at: VecDeque<(u64, Instant)>,
}

/// Most recent block seal times kept for the settlement time.
const SEALED_AT_CAP: usize = 100_000;

impl MetricsTask {
    /// Runs until `cancel` fires or the event channel closes.
    pub async fn run(mut self, cancel: CancellationToken) {
        let mut tracker = Tracker::default();
        let mut sample = tokio::time::interval(Duration::from_secs(1));
        let mut ticks = 0u64;
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = sample.tick() => {
                    let (pending, queued) = self.mempool.counts();
                    gauge!(names::MEMPOOL, "state" => "pending").set(pending as f64);
                    gauge!(names::MEMPOOL, "state" => "queued").set(queued as f64);
                    ticks += 1;
                    if ticks.is_multiple_of(5) {
                        self.handle.run_upkeep();
                    }
                }
                event = self.events.recv() => match event {
                    Ok(event) => tracker.on_event(&event),
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        counter!(names::EVENTS_LAGGED).increment(missed);
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    }
}

impl Tracker {
    fn on_event(&mut self, event: &NodeEvent) {
        match event {
            NodeEvent::BlockSealed(block) => {
                let number = block.header.number;
                gauge!(names::BLOCK_NUMBER, "tag" => "latest").set(number as f64);
                // A revert (`evm_revert`, `anvil_reset`) rewinds the head.
                while self.sealed_at.back().is_some_and(|(n, _)| *n >= number) {
                    self.sealed_at.pop_back();
                }
                if self.sealed_at.len() == SEALED_AT_CAP {
                    self.sealed_at.pop_front();
                }
                self.sealed_at.push_back((number, Instant::now()));
                self.head = number;
                self.lag();
            }
            NodeEvent::Batch(batch) => {
                let stage = batch.stage.name();
                counter!(names::BATCHES, "stage" => stage).increment(1);
                gauge!(names::BATCH_NUMBER, "stage" => stage).set(batch.number as f64);
                let last = *batch.blocks.end();
                match &batch.stage {
                    BatchStage::Proven { .. } => histogram!(names::PROVER).record(batch.took),
                    BatchStage::Committed => {
                        histogram!(names::L1_STEP, "step" => "commit").record(batch.took);
                        gauge!(names::BLOCK_NUMBER, "tag" => "safe").set(last as f64);
                    }
                    BatchStage::Verified => {
                        histogram!(names::L1_STEP, "step" => "prove").record(batch.took);
                    }
                    BatchStage::Executed => {
                        histogram!(names::L1_STEP, "step" => "execute").record(batch.took);
                        gauge!(names::BLOCK_NUMBER, "tag" => "finalized").set(last as f64);
                        let first = *batch.blocks.start();
                        if let Some((_, at)) = self.sealed_at.iter().find(|(n, _)| *n == first) {
                            histogram!(names::SETTLEMENT_TIME).record(at.elapsed());
                        }
                        while self.sealed_at.front().is_some_and(|(n, _)| *n <= last) {
                            self.sealed_at.pop_front();
                        }
                        self.finalized = last;
                        self.lag();
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn lag(&self) {
        gauge!(names::SETTLEMENT_LAG).set(self.head.saturating_sub(self.finalized) as f64);
    }
}

/// Installs the recorder, binds the endpoint and spawns the server and the event task.
/// Returns the bound address; a port that cannot be bound costs a warning, not the node.
pub async fn spawn(
    config: &MetricsConfig,
    events: broadcast::Receiver<NodeEvent>,
    mempool: Arc<Mempool>,
    cancel: &CancellationToken,
) -> Option<SocketAddr> {
    let started = async {
        let handle = install()?;
        let listener = bind(config).await?;
        let addr = listener.local_addr()?;
        anyhow::Ok((handle, listener, addr))
    };
    match started.await {
        Ok((handle, listener, addr)) => {
            tokio::spawn(serve(listener, handle.clone(), cancel.clone()));
            let task = MetricsTask {
                events,
                mempool,
                handle,
            };
            tokio::spawn(task.run(cancel.clone()));
            Some(addr)
        }
        Err(err) => {
            tracing::warn!("metrics off: {err:#}");
            None
        }
    }
}
