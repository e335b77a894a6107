//! History on disk: with a data dir each chain keeps `--cache-blocks` blocks in memory and
//! serves older blocks, txs, receipts, logs and address pages from the data dir; a restart
//! reads the latest few blocks and the stored state, not the whole chain.

use std::{path::Path, sync::Arc};

use alloy::primitives::{B256, U256};
use serde_json::{Value, json};
use zkos_dev::{
    config::{Storage, SyncPolicy},
    persistence::data_dir::{DataDir, Role},
};

use crate::{
    contracts::Counter,
    support::{TestNode, fresh_address},
};

/// A node on `dir` keeping `cache` blocks in memory, without an L1 (the L2's history is what
/// is measured).
async fn on_dir(dir: &Path, cache: usize) -> TestNode {
    on_dir_syncing(dir, cache, SyncPolicy::default()).await
}

/// The same, with `sync` (`--sync-interval`).
async fn on_dir_syncing(dir: &Path, cache: usize, sync: SyncPolicy) -> TestNode {
    let dir = dir.to_path_buf();
    TestNode::start_with(move |c| {
        c.storage = Storage::Dir(dir);
        c.cache_blocks = cache;
        c.sync = sync;
        c.l1 = None;
    })
    .await
}

/// Everything a client reads about the tx `hash` and its block.
async fn views(t: &TestNode, hash: B256, number: u64) -> Value {
    let block = t
        .rpc
        .ok(
            "eth_getBlockByNumber",
            json!([format!("{number:#x}"), true]),
        )
        .await;
    let by_hash = t
        .rpc
        .ok("eth_getBlockByHash", json!([block["hash"], false]))
        .await;
    json!({
        "block": block,
        "byHash": by_hash,
        "tx": t.rpc.ok("eth_getTransactionByHash", json!([hash])).await,
        "receipt": t.rpc.ok("eth_getTransactionReceipt", json!([hash])).await,
        "blockReceipts": t.rpc.ok("eth_getBlockReceipts", json!([format!("{number:#x}")])).await,
        "logs": t.rpc.ok("eth_getLogs", json!([{"blockHash": block["hash"]}])).await,
    })
}

#[tokio::test]
async fn blocks_that_left_memory_are_served_from_the_data_dir_before_and_after_a_restart() {
    served_from_the_data_dir(SyncPolicy::default()).await;
}

/// With an hour between checkpoints the database takes no block until the node stops: the
/// blocks that left memory are read from the write-ahead log's queue, the same as from the
/// database.
#[tokio::test]
async fn blocks_logged_but_not_yet_in_the_database_are_served_from_the_queue() {
    served_from_the_data_dir(SyncPolicy::Interval {
        sync: std::time::Duration::from_secs(3600),
        checkpoint: std::time::Duration::from_secs(3600),
    })
    .await;
}

async fn served_from_the_data_dir(sync: SyncPolicy) {
    let dir = tempfile::tempdir().unwrap();
    let t = on_dir_syncing(dir.path(), 2, sync).await;
    let counter = t.deploy_counter(0).await;
    let set = t
        .call_and_wait(1, counter, Counter::setNumberCall { n: U256::from(7) })
        .await;
    let (hash, number) = (set.transaction_hash, set.block_number.unwrap());
    let fresh = views(&t, hash, number).await;
    assert_eq!(fresh["logs"].as_array().unwrap().len(), 1, "{fresh}");
    let sender = t.account(1);
    let creator = t.rpc.ok("ots_getContractCreator", json!([counter])).await;
    assert_eq!(creator["creator"], json!(t.account(0)), "{creator}");
    let search = |t: &TestNode| {
        let rpc = t.rpc.clone();
        async move {
            rpc.ok("ots_searchTransactionsBefore", json!([sender, 0, 25]))
                .await
        }
    };
    // Six more blocks: the counter's blocks leave memory.
    for i in 0..6 {
        t.transfer_and_wait(2, fresh_address(i)).await;
    }
    assert_eq!(
        views(&t, hash, number).await,
        fresh,
        "read from the data dir"
    );
    let pages = search(&t).await;
    assert_eq!(pages["txs"][0]["hash"], json!(hash), "{pages}");
    assert_eq!(
        t.rpc.ok("ots_getContractCreator", json!([counter])).await,
        creator
    );
    assert_eq!(
        t.rpc
            .ok("eth_getTransactionBySenderAndNonce", json!([sender, "0x0"]))
            .await["hash"],
        json!(hash)
    );
    let all_logs = t
        .rpc
        .ok(
            "eth_getLogs",
            json!([{"address": counter, "fromBlock": "0x0", "toBlock": "latest"}]),
        )
        .await;
    assert_eq!(all_logs, fresh["logs"]);

    // A restart reads them from the data dir too.
    t.node.shutdown().await;
    let t = on_dir_syncing(dir.path(), 2, sync).await;
    assert_eq!(views(&t, hash, number).await, fresh, "after a restart");
    assert_eq!(search(&t).await, pages);
    assert_eq!(
        t.rpc.ok("ots_getContractCreator", json!([counter])).await,
        creator
    );
    t.node.shutdown().await;
}

#[tokio::test]
async fn a_revert_past_the_window_drops_the_reverted_blocks_and_keeps_the_older_ones() {
    let dir = tempfile::tempdir().unwrap();
    let t = on_dir(dir.path(), 2).await;
    let kept = t.transfer_and_wait(0, fresh_address(1)).await;
    let snapshot = t.rpc.ok("evm_snapshot", json!([])).await;
    let mut gone = vec![];
    for i in 0..5 {
        gone.push(t.transfer_and_wait(1, fresh_address(10 + i)).await);
    }
    assert_eq!(t.rpc.ok("evm_revert", json!([snapshot])).await, json!(true));
    for receipt in &gone {
        assert_eq!(
            t.rpc
                .ok(
                    "eth_getTransactionReceipt",
                    json!([receipt.transaction_hash])
                )
                .await,
            Value::Null
        );
        assert_eq!(
            t.rpc
                .ok("eth_getBlockByHash", json!([receipt.block_hash, false]))
                .await,
            Value::Null
        );
    }
    let pages = t
        .rpc
        .ok("ots_searchTransactionsBefore", json!([t.account(1), 0, 25]))
        .await;
    assert_eq!(pages["txs"], json!([]), "{pages}");
    // What came before the snapshot is still there, and the chain goes on from it.
    let receipt = t
        .rpc
        .ok("eth_getTransactionReceipt", json!([kept.transaction_hash]))
        .await;
    assert_eq!(receipt["blockHash"], json!(kept.block_hash));
    let next = t.transfer_and_wait(1, fresh_address(20)).await;
    assert_eq!(next.block_number, kept.block_number.map(|n| n + 1));
    t.node.shutdown().await;
    // The data dir agrees after a restart.
    let t = on_dir(dir.path(), 2).await;
    assert_eq!(t.block_number().await, next.block_number.unwrap());
    assert_eq!(
        t.rpc
            .ok(
                "eth_getTransactionReceipt",
                json!([gone[0].transaction_hash])
            )
            .await,
        Value::Null
    );
    t.node.shutdown().await;
}

/// How many block records a restart of the data dir at `dir` reads.
fn blocks_read_at_restart(dir: &Path) -> (usize, u64) {
    let data = Arc::new(DataDir::open_existing(dir).unwrap());
    let chain = Arc::new(data.chain(Role::L2));
    let resumed = chain.resume(2).unwrap().expect("a chain");
    (resumed.blocks_read, resumed.rebuilt.chain.latest_number())
}

#[tokio::test]
async fn a_restart_reads_the_same_few_blocks_however_long_the_history() {
    let mut read = vec![];
    for blocks in [20u64, 400] {
        let dir = tempfile::tempdir().unwrap();
        let t = on_dir(dir.path(), 2).await;
        t.rpc
            .ok("anvil_mine", json!([format!("{blocks:#x}")]))
            .await;
        let to = fresh_address(30);
        t.transfer_and_wait(0, to).await;
        let head = t.block_number().await;
        t.node.shutdown().await;
        let (count, resumed_head) = blocks_read_at_restart(dir.path());
        assert_eq!(resumed_head, head);
        read.push(count);
        // The state comes back from the stored copy, and recent states from the undo records.
        let t = on_dir(dir.path(), 2).await;
        assert_eq!(t.balance(to).await, U256::from(1));
        let before = t
            .rpc
            .ok("eth_getBalance", json!([to, format!("{:#x}", head - 1)]))
            .await;
        assert_eq!(before, json!("0x0"));
        t.node.shutdown().await;
    }
    assert_eq!(read[0], read[1], "blocks read at restart: {read:?}");
    assert!(read[0] <= 9, "{read:?}");
}

#[tokio::test]
async fn txs_by_sender_and_nonce_are_found_among_the_txs_the_sender_only_received() {
    let dir = tempfile::tempdir().unwrap();
    let t = on_dir(dir.path(), 2).await;
    let (sender, other) = (t.account(1), t.account(2));
    let mut sent = vec![];
    for i in 0..7 {
        sent.push(
            t.transfer_and_wait(1, fresh_address(70 + i))
                .await
                .transaction_hash,
        );
        // Txs that only reach the sender sit between its own in its address index.
        if i % 2 == 0 {
            t.transfer_and_wait(2, sender).await;
        }
    }
    for (nonce, hash) in sent.iter().enumerate() {
        for method in [
            "eth_getTransactionBySenderAndNonce",
            "ots_getTransactionBySenderAndNonce",
        ] {
            let found = t
                .rpc
                .ok(method, json!([sender, format!("{nonce:#x}")]))
                .await;
            let found = found.get("hash").unwrap_or(&found).clone();
            assert_eq!(found, json!(hash), "{method} nonce {nonce}");
        }
    }
    let missing = t
        .rpc
        .ok("eth_getTransactionBySenderAndNonce", json!([sender, "0x7"]))
        .await;
    assert_eq!(missing, Value::Null);
    let received_only = t
        .rpc
        .ok("eth_getTransactionBySenderAndNonce", json!([other, "0x4"]))
        .await;
    assert_eq!(
        received_only,
        Value::Null,
        "account 2 sent 4 txs: nonces 0 to 3"
    );
    t.node.shutdown().await;
}
