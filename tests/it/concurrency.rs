//! Load from many senders at once: 20 accounts × 1,000 pre-signed EIP-1559 transfers, sent
//! concurrently, in JSON-RPC batches or one request per tx. Every tx must be mined exactly once
//! with status 1 and nothing may be left in the pool (anvil's automine drops or wedges txs
//! under this kind of load). Timeouts are generous; nothing asserts on speed.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use alloy::{
    consensus::TxEnvelope,
    primitives::{Address, B256, U256},
    signers::local::PrivateKeySigner,
};
use serde_json::{Value, json};

use crate::support::{
    RawRpc, TestNode, dev_balance, hex_u64, parse_answer, qty, raw_hex, sign, transfer,
};

const SENDERS: usize = 20;
const TXS_PER_SENDER: u64 = 1_000;
const BATCH: usize = 100;
/// Generous: a debug build on a shared 2-core machine.
const INCLUSION_DEADLINE: Duration = Duration::from_secs(20 * 60);

#[derive(Clone, Copy)]
enum Sending {
    /// JSON-RPC batches of `BATCH` eth_sendRawTransaction calls.
    Batches,
    /// One HTTP request per tx.
    OneByOne,
}

/// Each sender pays 1 wei per tx to its own recipient, so the effect is checkable per sender.
fn recipient(sender: usize) -> Address {
    crate::support::fresh_address(0xa0 + sender as u8)
}

/// Signs everything before the first send, spread over the cores.
async fn pre_sign(signers: &[PrivateKeySigner]) -> Vec<Vec<TxEnvelope>> {
    let tasks: Vec<_> = signers
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, signer)| {
            tokio::task::spawn_blocking(move || {
                (0..TXS_PER_SENDER)
                    .map(|nonce| sign(&signer, transfer(nonce, recipient(i), U256::from(1))))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.expect("signing task"));
    }
    out
}

async fn send_all(rpc: RawRpc, txs: Vec<TxEnvelope>, sending: Sending) {
    match sending {
        Sending::Batches => {
            for chunk in txs.chunks(BATCH) {
                let batch: Vec<Value> = chunk
                    .iter()
                    .enumerate()
                    .map(|(id, tx)| json!({"jsonrpc": "2.0", "id": id, "method": "eth_sendRawTransaction", "params": [raw_hex(tx)]}))
                    .collect();
                let answers = rpc.post_json(&Value::Array(batch)).await;
                let answers = answers
                    .as_array()
                    .unwrap_or_else(|| panic!("batch answer is an array: {answers}"));
                assert_eq!(answers.len(), chunk.len());
                for answer in answers {
                    let id = answer["id"]
                        .as_u64()
                        .unwrap_or_else(|| panic!("answer without id: {answer}"))
                        as usize;
                    let hash = parse_answer(answer).expect("result or error");
                    let hash = hash
                        .unwrap_or_else(|e| panic!("tx {} rejected: {e:?}", chunk[id].tx_hash()));
                    assert_eq!(hash, json!(chunk[id].tx_hash()));
                }
            }
        }
        Sending::OneByOne => {
            for tx in &txs {
                let hash = rpc
                    .send_raw(tx)
                    .await
                    .unwrap_or_else(|e| panic!("tx {} rejected: {e:?}", tx.tx_hash()));
                assert_eq!(hash, *tx.tx_hash());
            }
        }
    }
}

/// Calls `method` for every params entry in JSON-RPC batches; answers in order.
async fn batched(rpc: &RawRpc, method: &str, params: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::with_capacity(params.len());
    for chunk in params.chunks(BATCH) {
        let batch: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(id, p)| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": p}))
            .collect();
        let answers = rpc.post_json(&Value::Array(batch)).await;
        let mut answers = answers.as_array().expect("batch answer").clone();
        answers.sort_by_key(|a| a["id"].as_u64());
        for answer in answers {
            out.push(
                parse_answer(&answer)
                    .expect("answer")
                    .unwrap_or_else(|e| panic!("{method}: {e:?}")),
            );
        }
    }
    out
}

async fn nonces(rpc: &RawRpc, accounts: &[Address]) -> Vec<u64> {
    let params = accounts.iter().map(|a| json!([a, "latest"])).collect();
    batched(rpc, "eth_getTransactionCount", params)
        .await
        .iter()
        .map(qty)
        .collect()
}

async fn many_senders_all_txs_mined_exactly_once(sending: Sending) {
    let t = TestNode::start_with(|c| c.accounts.count = SENDERS).await;
    let senders: Vec<Address> = (0..SENDERS).map(|i| t.account(i)).collect();
    let start_block = t.block_number().await;
    let signed = pre_sign(&t.signers[..SENDERS]).await;
    let expected: HashSet<B256> = signed.iter().flatten().map(|tx| *tx.tx_hash()).collect();
    let total = SENDERS * TXS_PER_SENDER as usize;
    assert_eq!(expected.len(), total);

    let tasks: Vec<_> = signed
        .into_iter()
        .map(|txs| tokio::spawn(send_all(t.rpc.clone(), txs, sending)))
        .collect();
    for task in tasks {
        task.await.expect("sender task");
    }

    // Wait until every sender's nonce has advanced past its last tx.
    let deadline = tokio::time::Instant::now() + INCLUSION_DEADLINE;
    loop {
        let now = nonces(&t.rpc, &senders).await;
        if now.iter().all(|n| *n == TXS_PER_SENDER) {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            let status = t.txpool_status().await;
            panic!(
                "not all txs mined after {INCLUSION_DEADLINE:?}: nonces {now:?}, txpool (pending, queued) {status:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // The pool lets a block's txs go just after the block shows (the sequencer makes the state
    // visible, then prunes): nothing is left once it has.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let status = t.txpool_status().await;
        if status == (0, 0) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "left in the pool (pending, queued): {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Every block since the start: each tx exactly once, and only ours.
    let latest = t.block_number().await;
    let params = (start_block + 1..=latest)
        .map(|n| json!([hex_u64(n), false]))
        .collect();
    let blocks = batched(&t.rpc, "eth_getBlockByNumber", params).await;
    let mut block_of: HashMap<B256, u64> = HashMap::with_capacity(total);
    for block in &blocks {
        let number = qty(&block["number"]);
        for hash in block["transactions"].as_array().expect("tx hashes") {
            let hash: B256 = serde_json::from_value(hash.clone()).unwrap();
            assert!(
                block_of.insert(hash, number).is_none(),
                "{hash} mined twice"
            );
        }
    }
    assert_eq!(
        block_of.len(),
        total,
        "txs across blocks {start_block}+1..={latest}"
    );
    assert!(
        block_of.keys().all(|h| expected.contains(h)),
        "only the sent txs were mined"
    );

    // Every tx has a successful receipt pointing at the block it is in.
    let hashes: Vec<B256> = expected.iter().copied().collect();
    let receipts = batched(
        &t.rpc,
        "eth_getTransactionReceipt",
        hashes.iter().map(|h| json!([h])).collect(),
    )
    .await;
    for (hash, receipt) in hashes.iter().zip(&receipts) {
        assert!(receipt.is_object(), "no receipt for {hash}");
        assert_eq!(receipt["status"], json!("0x1"), "{receipt}");
        assert_eq!(qty(&receipt["blockNumber"]), block_of[hash], "{hash}");
    }

    // The effect: each recipient got 1 wei per tx; each sender paid value + gas for each.
    let per_tx_cost = U256::from(1 + 21_000 * 1_000);
    for (i, sender) in senders.iter().enumerate() {
        assert_eq!(t.balance(recipient(i)).await, U256::from(TXS_PER_SENDER));
        assert_eq!(
            t.balance(*sender).await,
            dev_balance() - per_tx_cost * U256::from(TXS_PER_SENDER)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_thousand_transfers_in_concurrent_batches_are_all_mined_exactly_once() {
    many_senders_all_txs_mined_exactly_once(Sending::Batches).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_thousand_transfers_one_request_each_are_all_mined_exactly_once() {
    many_senders_all_txs_mined_exactly_once(Sending::OneByOne).await;
}
