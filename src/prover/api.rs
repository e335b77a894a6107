//! Prover API (`--prover external`): `Arc<Batch>` stream -> jobs served over HTTP -> checked
//! proofs -> `ProvenBatch` stream. The zksync-os-server routes, on 127.0.0.1:3124:
//!
//! | route | answer |
//! |---|---|
//! | `GET /prover-jobs/status` | `[{batch_number, assigned_seconds_ago}]` (`null`: waiting) |
//! | `POST /prover-jobs/FRI/pick` | `200 {block_number, prover_input}` (base64 of the prover input) or `204` |
//! | `POST /prover-jobs/FRI/submit?id=<worker>` | body `{block_number, proof}` (base64 of `r ‖ s ‖ v`): `204`; `400` bad input or a signature that is not the registered prover's over the node's own transition; `404` no such job |
//! | `GET /prover-jobs/FRI/{n}/peek` | `200 {block_number, prover_input}` or `204` |
//!
//! A picked job goes to the next worker that asks once `timeout` passed without a proof. At
//! most `capacity` jobs wait; beyond that the stage stops taking batches (backpressure up to
//! the batcher, never the sequencer).

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use alloy_primitives::Address;
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::{ProvenBatch, ProverError, attest, input::InputSource, stage};
use crate::{
    batcher::{Batch, BatchStore},
    events::{BatchStage, NodeEvent},
};

/// A batch waiting for a proof.
struct Job {
    batch: Arc<Batch>,
    /// The prover input, base64.
    input: Arc<String>,
    /// When a worker picked it and who.
    assigned: Option<(Instant, String)>,
    queued_at: Instant,
}

/// The jobs, shared by the stage and the HTTP handlers.
struct Shared {
    /// A std-style lock: held to look at or change the map, never across an await.
    jobs: Mutex<BTreeMap<u64, Job>>,
    /// Woken when a job is done (room in the queue).
    done: Notify,
    timeout: Duration,
    prover: Address,
    chain_id: u64,
    output: mpsc::Sender<ProvenBatch>,
    batches: Arc<BatchStore>,
    events: broadcast::Sender<NodeEvent>,
}

/// Serves batches to external workers. Its fields are its dependencies.
pub struct ProverApi {
    /// Where witnesses come from.
    pub source: InputSource,
    /// The bound port.
    pub listener: tokio::net::TcpListener,
    /// The registered prover address: proofs must be signed by it.
    pub prover: Address,
    /// After how long a picked job goes to another worker.
    pub timeout: Duration,
    /// How many jobs may wait at once.
    pub capacity: usize,
    /// Where the result is recorded.
    pub batches: Arc<BatchStore>,
    /// Where batch events go.
    pub events: broadcast::Sender<NodeEvent>,
}

/// `{block_number, prover_input}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct JobBody {
    /// The batch number.
    pub block_number: u64,
    /// The prover input, base64.
    pub prover_input: String,
}

/// `{block_number, proof}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct SubmitBody {
    /// The batch number.
    pub block_number: u64,
    /// The 65-byte signature `r ‖ s ‖ v`, base64.
    pub proof: String,
}

/// One line of the status.
#[derive(Debug, Serialize, Deserialize)]
pub struct JobStatus {
    /// The batch number.
    pub batch_number: u64,
    /// Seconds since a worker picked it (`None`: not picked).
    pub assigned_seconds_ago: Option<u64>,
}

/// `?id=` (who picks or submits).
#[derive(Debug, Deserialize)]
struct SubmitQuery {
    #[serde(default)]
    id: Option<String>,
}

impl ProverApi {
    /// Queues batches for workers until the batcher stops; checked proofs go to `output`.
    pub async fn run(
        self,
        mut input: mpsc::Receiver<Arc<Batch>>,
        output: mpsc::Sender<ProvenBatch>,
    ) -> anyhow::Result<()> {
        let shared = Arc::new(Shared {
            jobs: Mutex::new(BTreeMap::new()),
            done: Notify::new(),
            timeout: self.timeout,
            prover: self.prover,
            chain_id: self.source.chain_id,
            output,
            batches: self.batches.clone(),
            events: self.events.clone(),
        });
        let stop = CancellationToken::new();
        let server = axum::serve(self.listener, router(shared.clone()))
            .with_graceful_shutdown(stop.clone().cancelled_owned());
        let server = tokio::spawn(async move { server.await });
        let _stop_server = stop.drop_guard();
        while let Some(batch) = input.recv().await {
            loop {
                let notified = shared.done.notified();
                if shared.jobs.lock().len() < self.capacity {
                    break;
                }
                notified.await;
            }
            let started = Instant::now();
            let source = self.source.clone();
            let b = batch.clone();
            let built = tokio::task::spawn_blocking(move || source.build(&b)).await?;
            match built {
                Ok(prover_input) => {
                    let encoded = STANDARD.encode(super::input::encode(&prover_input));
                    shared.jobs.lock().insert(
                        batch.number,
                        Job {
                            batch,
                            input: Arc::new(encoded),
                            assigned: None,
                            queued_at: Instant::now(),
                        },
                    );
                }
                Err(err) => stage::reject(
                    &self.events,
                    &batch,
                    &ProverError::Witness(err),
                    started.elapsed(),
                ),
            }
        }
        drop(server);
        Ok(())
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/prover-jobs/status", get(status))
        .route("/prover-jobs/FRI/pick", post(pick))
        .route("/prover-jobs/FRI/submit", post(submit))
        .route("/prover-jobs/FRI/{n}/peek", get(peek))
        .with_state(shared)
}

async fn status(State(shared): State<Arc<Shared>>) -> Json<Vec<JobStatus>> {
    let jobs = shared.jobs.lock();
    Json(
        jobs.iter()
            .map(|(n, job)| JobStatus {
                batch_number: *n,
                assigned_seconds_ago: job.assigned.as_ref().map(|(at, _)| at.elapsed().as_secs()),
            })
            .collect(),
    )
}

async fn pick(State(shared): State<Arc<Shared>>, Query(query): Query<SubmitQuery>) -> Response {
    let mut jobs = shared.jobs.lock();
    let free = jobs.iter_mut().find(|(_, job)| {
        job.assigned
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() >= shared.timeout)
    });
    let Some((n, job)) = free else {
        return StatusCode::NO_CONTENT.into_response();
    };
    if let Some((_, worker)) = &job.assigned {
        tracing::info!(batch = n, %worker, "prover job timed out: reassigned");
    }
    job.assigned = Some((Instant::now(), query.id.unwrap_or_default()));
    Json(JobBody {
        block_number: *n,
        prover_input: job.input.as_ref().clone(),
    })
    .into_response()
}

async fn peek(State(shared): State<Arc<Shared>>, Path(n): Path<u64>) -> Response {
    let jobs = shared.jobs.lock();
    match jobs.get(&n) {
        Some(job) => Json(JobBody {
            block_number: n,
            prover_input: job.input.as_ref().clone(),
        })
        .into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn submit(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<SubmitQuery>,
    body: Result<Json<SubmitBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(body)) = body else {
        return (StatusCode::BAD_REQUEST, "expected {block_number, proof}").into_response();
    };
    let worker = query.id.unwrap_or_else(|| "external".into());
    let Some(batch) = shared
        .jobs
        .lock()
        .get(&body.block_number)
        .map(|j| j.batch.clone())
    else {
        return (
            StatusCode::NOT_FOUND,
            format!("no job for batch {}", body.block_number),
        )
            .into_response();
    };
    let Ok(bytes) = STANDARD.decode(&body.proof) else {
        return (StatusCode::BAD_REQUEST, "proof is not base64").into_response();
    };
    let transition = attest::transition_of(&batch, shared.chain_id);
    let signature = match attest::check(&bytes, shared.prover, &transition) {
        Ok(signature) => signature,
        Err(reason) => {
            tracing::warn!(batch = batch.number, %worker, %reason, "proof refused");
            return (StatusCode::BAD_REQUEST, reason.to_string()).into_response();
        }
    };
    // Only the first valid proof of a job counts.
    let Some(job) = shared.jobs.lock().remove(&body.block_number) else {
        return (
            StatusCode::NOT_FOUND,
            format!("no job for batch {}", body.block_number),
        )
            .into_response();
    };
    shared.done.notify_waiters();
    shared.batches.set_proven(batch.number, &worker);
    stage::emit(
        &shared.events,
        &batch,
        BatchStage::Proven { prover: worker },
        job.queued_at.elapsed(),
    );
    let proven = ProvenBatch {
        batch,
        proof: attest::proof(&signature),
    };
    if shared.output.send(proven).await.is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "the node is stopping").into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}
