//! The write-ahead log's tail: blocks a killed node acknowledged but its database did not take
//! yet are replayed at the next start through the sequencer (the same execution and sealing
//! that produced them) and must come out with the same hashes; one that does not is refused.

use std::{path::Path, time::Duration};

use alloy::primitives::{B256, U256};
use serde_json::{Value, json};
use zkos_dev::{
    Config, Node,
    config::{Storage, SyncPolicy},
    persistence::data_dir::{DataDir, Role},
};

use crate::{
    contracts::Counter,
    support::{PATIENCE, TestNode, fresh_address},
};

/// `Config::test()` on `dir`, without an L1 (no batch marks written on the way).
fn on(dir: &Path, sync: SyncPolicy) -> Config {
    let mut config = Config::test();
    config.storage = Storage::Dir(dir.to_path_buf());
    config.sync = sync;
    config.l1 = None;
    config
}

/// What a `kill -9` now would leave of the running node's data dir at `from`: its files as
/// they are (the database holds only what was synced; the log holds the rest).
fn as_killed(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.path().join(entry.file_name())).unwrap();
        }
    }
    to
}

/// Each tx's receipt, and the head.
async fn seen(t: &TestNode, txs: &[B256]) -> Value {
    let mut receipts = vec![];
    for hash in txs {
        receipts.push(t.rpc.ok("eth_getTransactionReceipt", json!([hash])).await);
    }
    let head = t
        .rpc
        .ok("eth_getBlockByNumber", json!(["latest", false]))
        .await;
    json!({"receipts": receipts, "head": head})
}

#[tokio::test]
async fn logged_blocks_replay_through_the_sequencer_to_the_same_blocks_and_a_different_one_is_refused()
 {
    let dir = tempfile::tempdir().unwrap();
    // No checkpoint for an hour: the database never takes the blocks while the node runs.
    let hour = SyncPolicy::Interval {
        sync: Duration::from_secs(3600),
        checkpoint: Duration::from_secs(3600),
    };
    let t = TestNode::wrap(Node::spawn(on(dir.path(), hour)).await.unwrap());
    let counter = t.deploy_counter(0).await;
    let mut txs = vec![];
    let set = t
        .call_and_wait(1, counter, Counter::setNumberCall { n: U256::from(7) })
        .await;
    txs.push(set.transaction_hash);
    for i in 0..3 {
        txs.push(
            t.transfer_and_wait(2, fresh_address(40 + i))
                .await
                .transaction_hash,
        );
    }
    let before = seen(&t, &txs).await;
    let head = t.block_number().await;
    let (counted, replayed, refused) = (
        as_killed(dir.path()),
        as_killed(dir.path()),
        as_killed(dir.path()),
    );
    t.node.shutdown().await;

    // Every block after genesis is in the log only: that is what a start replays, and no more.
    {
        let data = std::sync::Arc::new(DataDir::open(counted.path(), (270, 0)).unwrap());
        let tail = data.chain(Role::L2).logged_tail();
        assert_eq!(tail.len() as u64, head, "blocks 1..={head} to replay");
        assert_eq!(tail.last().unwrap().header.number, head);
    }

    // Replayed, they are the blocks the client saw; the node goes on from there.
    let t = TestNode::wrap(
        Node::spawn(on(replayed.path(), SyncPolicy::default()))
            .await
            .unwrap(),
    );
    assert_eq!(seen(&t, &txs).await, before);
    let on_counter = t
        .rpc
        .ok(
            "eth_call",
            json!([{"to": counter, "data": "0x8381f58a"}, "latest"]),
        )
        .await;
    assert_eq!(
        U256::from_str_radix(on_counter.as_str().unwrap().trim_start_matches("0x"), 16).unwrap(),
        U256::from(7)
    );
    t.transfer_and_wait(3, fresh_address(50)).await;
    t.node.shutdown().await;
    // The replayed blocks are in the database now: the next start replays nothing.
    {
        let data = std::sync::Arc::new(DataDir::open(replayed.path(), (270, 0)).unwrap());
        assert!(data.chain(Role::L2).logged_tail().is_empty());
    }

    // Under another gas model the same txs cost other gas: the replay differs, the start stops
    // and says which block, and the log keeps the blocks for a start with the right flags.
    let mut other = on(refused.path(), SyncPolicy::default());
    other.chain.prices.pubdata_price *= 1000;
    let err = match Node::spawn(other).await {
        Ok(_) => panic!("a replay that differs was accepted"),
        Err(err) => format!("{err:#}"),
    };
    assert!(err.contains("in its write-ahead log replays to"), "{err}");
    assert!(
        err.contains(&format!(
            "data dir {}",
            refused.path().canonicalize().unwrap().display()
        )),
        "{err}"
    );
    // (The refused start's tasks let go of the data dir as they wind down.)
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let t = loop {
        match Node::spawn(on(refused.path(), SyncPolicy::default())).await {
            Ok(node) => break TestNode::wrap(node),
            Err(err) if format!("{err:#}").contains("in use") => {
                assert!(tokio::time::Instant::now() < deadline, "{err:#}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(err) => panic!("{err:#}"),
        }
    };
    assert_eq!(seen(&t, &txs).await, before);
    t.node.shutdown().await;
}

#[tokio::test]
async fn blocks_logged_around_dev_method_changes_replay_on_top_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let hour = SyncPolicy::Interval {
        sync: Duration::from_secs(3600),
        checkpoint: Duration::from_secs(3600),
    };
    let t = TestNode::wrap(Node::spawn(on(dir.path(), hour)).await.unwrap());
    let rich = fresh_address(60);
    let mut txs = vec![t.transfer_and_wait(0, rich).await.transaction_hash];
    // Between two blocks, a dev method changes state: the block before it is synced first, so
    // the restart applies the change, then replays the block after it on top.
    t.rpc
        .ok(
            "anvil_setBalance",
            json!([t.account(1), "0x56bc75e2d63100000"]),
        )
        .await;
    txs.push(t.transfer_and_wait(1, rich).await.transaction_hash);
    let before = seen(&t, &txs).await;
    let balance = t.balance(t.account(1)).await;
    let killed = as_killed(dir.path());
    t.node.shutdown().await;

    // A command on the stopped dir cannot read the chains before a start replays the block.
    let (ok, _, err) = crate::durability::cli(&[
        "snapshot",
        "save",
        "early",
        "--data-dir",
        killed.path().to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("start it once"), "{err}");

    let t = TestNode::wrap(
        Node::spawn(on(killed.path(), SyncPolicy::default()))
            .await
            .unwrap(),
    );
    assert_eq!(seen(&t, &txs).await, before);
    assert_eq!(t.balance(t.account(1)).await, balance);
    t.node.shutdown().await;
    let (ok, out, err) = crate::durability::cli(&[
        "snapshot",
        "save",
        "later",
        "--data-dir",
        killed.path().to_str().unwrap(),
    ]);
    assert!(ok, "{out}{err}");
}
