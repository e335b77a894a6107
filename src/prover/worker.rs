//! Prover worker (`zkos-dev prover`): prover API jobs -> re-executed, signed proofs.
//! `run(WorkerConfig)`: N loops of pick -> decode -> re-execute -> sign -> submit.
//!
//! Also the re-execution benchmark: [`throughput`] re-executes prover inputs and reports the
//! txs per second proven.

use std::time::{Duration, Instant};

use alloy_primitives::B256;
use anyhow::Context as _;
use base64::{Engine as _, engine::general_purpose::STANDARD};

use super::{
    ProverError,
    api::{JobBody, SubmitBody},
    attest,
    input::{ProverInput, decode},
    reexec,
};

/// What a worker process does.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The prover API, e.g. `http://127.0.0.1:3124`.
    pub url: String,
    /// Jobs worked on at once.
    pub workers: usize,
    /// The prover key (must be the one the node registered).
    pub key: B256,
    /// Pause between two picks when there is nothing to do.
    pub poll: Duration,
    /// Name sent with each proof (`?id=`).
    pub id: String,
}

/// Runs `workers` loops until one fails for good (the API gone for a minute).
pub async fn run(config: WorkerConfig) -> anyhow::Result<()> {
    let signer = attest::prover_signer(&config.key)?;
    let client = reqwest::Client::new();
    let mut loops = tokio::task::JoinSet::new();
    for i in 0..config.workers.max(1) {
        let (config, signer, client) = (config.clone(), signer.clone(), client.clone());
        loops.spawn(async move { work(&config, &signer, &client, i).await });
    }
    while let Some(result) = loops.join_next().await {
        result??;
    }
    Ok(())
}

async fn work(
    config: &WorkerConfig,
    signer: &alloy_signer_local::PrivateKeySigner,
    client: &reqwest::Client,
    index: usize,
) -> anyhow::Result<()> {
    let id = format!("{}-{index}", config.id);
    let base = config.url.trim_end_matches('/');
    let mut unreachable_since: Option<Instant> = None;
    loop {
        let picked = client
            .post(format!("{base}/prover-jobs/FRI/pick?id={id}"))
            .send()
            .await;
        let response = match picked {
            Ok(response) => {
                unreachable_since = None;
                response
            }
            Err(err) => {
                let since = *unreachable_since.get_or_insert_with(Instant::now);
                anyhow::ensure!(
                    since.elapsed() < Duration::from_secs(60),
                    "prover API unreachable: {err}"
                );
                tokio::time::sleep(config.poll).await;
                continue;
            }
        };
        if response.status() == reqwest::StatusCode::NO_CONTENT {
            tokio::time::sleep(config.poll).await;
            continue;
        }
        let job: JobBody = response
            .error_for_status()?
            .json()
            .await
            .context("pick answer")?;
        let started = Instant::now();
        let signer = signer.clone();
        let proved = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ProverError> {
            let bytes = STANDARD
                .decode(&job.prover_input)
                .map_err(|e| ProverError::Input(anyhow::Error::new(e).context("not base64")))?;
            let input = decode(&bytes).map_err(ProverError::Input)?;
            let verified = reexec::reexecute(&input)?;
            let signature = attest::sign(&signer, &verified).map_err(ProverError::Sign)?;
            Ok(signature.as_bytes().to_vec())
        })
        .await?;
        match proved {
            Ok(proof) => {
                let body = SubmitBody {
                    block_number: job.block_number,
                    proof: STANDARD.encode(proof),
                };
                let answer = client
                    .post(format!("{base}/prover-jobs/FRI/submit?id={id}"))
                    .json(&body)
                    .send()
                    .await?;
                let status = answer.status();
                if status.is_success() {
                    tracing::info!(batch = job.block_number, took = ?started.elapsed(), "proved");
                } else {
                    let text = answer.text().await.unwrap_or_default();
                    tracing::warn!(batch = job.block_number, %status, %text, "proof not accepted");
                }
            }
            Err(reason) => {
                tracing::error!(batch = job.block_number, %reason, "batch rejected: not submitting a proof");
            }
        }
    }
}

/// Re-execution throughput over some batches.
#[derive(Debug, Clone, Copy)]
pub struct Throughput {
    /// Batches re-executed.
    pub batches: usize,
    /// Txs in them.
    pub txs: u64,
    /// Time spent re-executing (witness checks included, building the witness not).
    pub elapsed: Duration,
}

impl Throughput {
    /// Txs proven per second.
    pub fn txs_per_second(&self) -> f64 {
        self.txs as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// Re-executes `inputs` one after the other (the benchmark hook); fails on a rejection.
pub fn throughput(inputs: &[ProverInput]) -> anyhow::Result<Throughput> {
    let started = Instant::now();
    let mut txs = 0;
    for input in inputs {
        let verified = reexec::reexecute(input)
            .map_err(|e| anyhow::anyhow!("batch {} rejected: {e}", input.batch_number))?;
        txs += verified.txs;
    }
    Ok(Throughput {
        batches: inputs.len(),
        txs,
        elapsed: started.elapsed(),
    })
}
