//! One measured round: `measure` sends a corpus over `conns` keep-alive connections while one
//! more connection watches new blocks (a tx counts when a block holding it appears);
//! `measure_serial` sends one tx at a time and waits for its receipt (idle latency).

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use alloy_primitives::{B256, U64};
use anyhow::Context as _;
use serde::Deserialize;
use serde_json::json;
use tokio::{sync::watch, task::JoinSet};

use super::{
    BLOCKS_PER_FETCH, RECEIPTS_CHECKED, STALL,
    corpus::Corpus,
    report::{Latency, RoundReport},
    rpc::Rpc,
};

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
pub(super) async fn measure(
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
pub(super) async fn measure_serial(
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
