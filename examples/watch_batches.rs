//! Watch L2 blocks arrive over WebSocket and their batches settle on L1, with alloy.
//!
//! Run it against a running devnet:
//!
//! ```sh
//! zkos-dev start                              # in another terminal
//! cargo run --example watch_batches           # or: -- <L2 URL> [SECONDS]
//! ```
//!
//! It subscribes to `newHeads` on the L2 (`eth_subscribe` over `ws://`, same port as HTTP),
//! sends one transfer itself so there is something to settle, and polls
//! `zks_getL1BatchDetails` for every batch from then on, printing each one as it goes
//! sealed -> committed -> proven -> executed with the hash of each L1 tx. It stops once the
//! batch holding its own transfer is executed on L1 or, with SECONDS, after that many seconds.

use std::time::{Duration, Instant};

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder, WsConnect},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use futures::StreamExt;
use serde_json::Value;

/// Dev account #3 of the `test test ... junk` mnemonic (public: a devnet key).
const DEV_KEY_3: &str = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

/// A batch's stages in order, with the field of `zks_getL1BatchDetails` holding each L1 tx.
const STAGES: [(&str, &str); 3] = [
    ("committed", "commitTxHash"),
    ("proven", "proveTxHash"),
    ("executed", "executeTxHash"),
];

/// What the watcher knows about one batch: how many L1 stages it has printed.
struct Watched {
    number: u64,
    seen_at: Instant,
    printed: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let l2_url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:3050".into());
    let seconds: Option<u64> = args.next().map(|s| s.parse()).transpose()?;
    let ws_url = l2_url.replacen("http", "ws", 1);
    let signer: PrivateKeySigner = DEV_KEY_3.parse()?;
    let l2 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_ws(WsConnect::new(ws_url.clone()))
        .await?;
    let mut heads = l2.subscribe_blocks().await?.into_stream();
    println!("subscribed to newHeads at {ws_url}");

    // Batches sealed before we started are not ours to watch.
    let mut next_batch = number(
        &l2.raw_request::<_, Value>("zks_L1BatchNumber".into(), ())
            .await?,
    ) + 1;
    let mut watched: Vec<Watched> = Vec::new();

    // Something to settle: a transfer; its batch is the one we wait for.
    let pending = l2
        .send_transaction(
            TransactionRequest::default()
                .to(Address::repeat_byte(0x77))
                .value(U256::from(1)),
        )
        .await?;
    let tx_hash = *pending.tx_hash();
    println!("sent transfer {tx_hash}");
    let mut my_block = None;
    let mut my_batch = None;

    let started = Instant::now();
    let limit = Duration::from_secs(seconds.unwrap_or(60));
    let mut poll = tokio::time::interval(Duration::from_millis(50));
    loop {
        tokio::select! {
            head = heads.next() => {
                let head = head.ok_or_else(|| anyhow::anyhow!("the newHeads subscription ended"))?;
                println!("block {} (hash {}, {} gas used)", head.number, head.hash, head.gas_used);
            }
            _ = poll.tick() => {
                // The block of our transfer, then its batch (l1BatchNumber is set once sealed).
                if my_block.is_none() {
                    let receipt: Value = l2.raw_request("eth_getTransactionReceipt".into(), (tx_hash,)).await?;
                    if !receipt.is_null() {
                        my_block = Some(number(&receipt["blockNumber"]));
                    }
                }
                if let (Some(block), None) = (my_block, my_batch) {
                    let details: Value = l2.raw_request("zks_getBlockDetails".into(), (block,)).await?;
                    if !details["l1BatchNumber"].is_null() {
                        my_batch = Some(number(&details["l1BatchNumber"]));
                    }
                }
                // New batches, then the L1 stages of each batch still being settled.
                while let Some(details) = batch_details(&l2, next_batch).await? {
                    let range: Value = l2.raw_request("zks_getL1BatchBlockRange".into(), (next_batch,)).await?;
                    println!(
                        "batch {next_batch}: sealed (blocks {}..={}, {} txs, root {})",
                        number(&range[0]),
                        number(&range[1]),
                        details["l1TxCount"].as_u64().unwrap_or(0) + details["l2TxCount"].as_u64().unwrap_or(0),
                        details["rootHash"].as_str().unwrap_or("?")
                    );
                    watched.push(Watched { number: next_batch, seen_at: Instant::now(), printed: 0 });
                    next_batch += 1;
                }
                for batch in &mut watched {
                    let Some(details) = batch_details(&l2, batch.number).await? else { continue };
                    while let Some((stage, field)) = STAGES.get(batch.printed)
                        && let Some(l1_tx) = details[field].as_str()
                    {
                        println!(
                            "batch {}: {stage:<9} L1 tx {l1_tx} (+{} ms)",
                            batch.number,
                            batch.seen_at.elapsed().as_millis()
                        );
                        batch.printed += 1;
                    }
                }
                watched.retain(|b| b.printed < STAGES.len());
            }
        }
        let mine_done = my_batch
            .is_some_and(|mine| mine < next_batch && !watched.iter().any(|b| b.number == mine));
        if seconds.is_none() && mine_done {
            println!(
                "the batch of {tx_hash} ({}) is executed on L1",
                my_batch.unwrap_or_default()
            );
            return Ok(());
        }
        if started.elapsed() >= limit {
            anyhow::ensure!(
                seconds.is_some(),
                "the batch of {tx_hash} was not executed within {limit:?}"
            );
            println!("watched for {limit:?}");
            return Ok(());
        }
    }
}

/// `zks_getL1BatchDetails(n)`, `None` while batch `n` is not sealed yet.
async fn batch_details(l2: &impl Provider, n: u64) -> anyhow::Result<Option<Value>> {
    let details: Value = l2.raw_request("zks_getL1BatchDetails".into(), (n,)).await?;
    Ok((!details.is_null()).then_some(details))
}

/// A JSON quantity (`"0x1f"`) or number as u64; 0 when absent.
fn number(v: &Value) -> u64 {
    match v {
        Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or(0),
        v => v.as_u64().unwrap_or(0),
    }
}
