//! The data dir: restart after a clean stop, named snapshots, dumps, reset, refused dirs, the
//! offline `zkos-dev snapshot` / `reset`, and restarts after `kill -9` under load.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
};
use serde_json::{Value, json};
use zkos_dev::{Node, config::Storage};

use crate::{
    settlement::wait_finalized,
    support::{PATIENCE, RawRpc, TestNode, qty, sign, transfer},
};

/// A node on the data dir `dir` (in `Config::test()` otherwise).
async fn on_dir(dir: &Path) -> TestNode {
    let dir = dir.to_path_buf();
    TestNode::start_with(move |c| c.storage = Storage::Dir(dir)).await
}

/// Stops a node cleanly (what Ctrl-C does).
async fn stop(node: TestNode) {
    node.node.shutdown().await;
}

/// The L1 contract's (committed, executed) batch counters.
async fn counters(l1: &RawRpc, chain: Address) -> (u64, u64) {
    let call = |data: &'static str| async move {
        qty(&l1
            .ok("eth_call", json!([{"to": chain, "data": data}, "latest"]))
            .await)
    };
    // getTotalBatchesCommitted(), getTotalBatchesExecuted()
    (call("0xdb1f0bf9").await, call("0xb8c2f66f").await)
}

/// What a user can see of the devnet: both heads, balances, batches, L1 counters.
async fn view(node: &TestNode) -> Value {
    let l1 = RawRpc::new(node.node.l1_rpc_url().expect("embedded L1"));
    let chain = node.node.l1_contracts().expect("L1 contracts").zk_chain;
    let head = node
        .rpc
        .ok("eth_getBlockByNumber", json!(["latest", false]))
        .await;
    let l1_head = l1
        .ok("eth_getBlockByNumber", json!(["latest", false]))
        .await;
    let mut balances = vec![];
    for i in 0..4 {
        balances.push(node.balance(node.account(i)).await);
    }
    json!({
        "head": head["hash"],
        "number": head["number"],
        "l1_head": l1_head["hash"],
        "balances": balances,
        "batch": node.rpc.ok("zks_L1BatchNumber", json!([])).await,
        "counters": counters(&l1, chain).await,
    })
}

/// Waits until every sealed batch is executed on L1 and the counters agree with the L2.
async fn settled(node: &TestNode) -> u64 {
    let l1 = RawRpc::new(node.node.l1_rpc_url().expect("embedded L1"));
    let chain = node.node.l1_contracts().expect("L1 contracts").zk_chain;
    let head = node.block_number().await;
    wait_finalized(node, head).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let batch = qty(&node.rpc.ok("zks_L1BatchNumber", json!([])).await);
        let (committed, executed) = counters(&l1, chain).await;
        if committed == batch && executed == batch {
            return batch;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "L1 counters ({committed}, {executed}) never reached batch {batch}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_clean_stop_and_restart_keeps_chains_receipts_batches_and_pending_txs() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let node = on_dir(&dir).await;
    let mut hashes = vec![];
    for i in 0..3 {
        hashes.push(
            node.transfer_and_wait(i, Address::repeat_byte(0x33))
                .await
                .transaction_hash,
        );
    }
    let batch = settled(&node).await;
    assert!(batch >= 1);
    // A tx with a nonce gap stays queued; a clean stop keeps it.
    let sender = node.account(5);
    let nonce = node.nonce(sender).await;
    let queued = sign(
        node.signer(5),
        transfer(nonce + 1, Address::repeat_byte(0x34), U256::from(7)),
    );
    let queued_hash = node.rpc.send_raw(&queued).await.unwrap();
    assert_eq!(node.txpool_status().await, (0, 1));

    let before = view(&node).await;
    let mut receipts = vec![];
    for hash in &hashes {
        receipts.push(node.receipt_json(*hash).await);
    }
    let details = node.rpc.ok("zks_getL1BatchDetails", json!([batch])).await;
    assert!(details["executeTxHash"].is_string(), "{details}");
    stop(node).await;

    let node = on_dir(&dir).await;
    settled(&node).await;
    assert_eq!(view(&node).await, before);
    for (hash, receipt) in hashes.iter().zip(&receipts) {
        assert_eq!(
            &node
                .rpc
                .ok("eth_getTransactionReceipt", json!([hash]))
                .await,
            receipt
        );
    }
    let again = node.rpc.ok("zks_getL1BatchDetails", json!([batch])).await;
    for key in ["commitTxHash", "proveTxHash", "executeTxHash", "rootHash"] {
        assert_eq!(again[key], details[key], "{key}");
    }
    assert_eq!(node.txpool_status().await, (0, 1));
    let pending = node
        .rpc
        .ok("eth_getTransactionByHash", json!([queued_hash]))
        .await;
    assert_eq!(pending["nonce"], json!(format!("{:#x}", nonce + 1)));

    // Filling the gap mines both; settlement goes on from the recorded batches.
    let fill = sign(
        node.signer(5),
        transfer(nonce, Address::repeat_byte(0x34), U256::from(7)),
    );
    node.send_and_wait(&fill).await;
    node.receipt(queued_hash).await;
    assert!(settled(&node).await > batch);
    stop(node).await;
}

/// What a client reads of settlement: `safe`, `finalized`, `zks_L1BatchNumber`, batch `batch`'s
/// details and the `l1BatchNumber` of `tx`'s receipt.
async fn settlement_view(rpc: &RawRpc, batch: u64, tx: B256) -> (u64, u64, u64, Value, Value) {
    let tag = |tag: &'static str| async move {
        qty(&rpc.ok("eth_getBlockByNumber", json!([tag, false])).await["number"])
    };
    (
        tag("safe").await,
        tag("finalized").await,
        qty(&rpc.ok("zks_L1BatchNumber", json!([])).await),
        rpc.ok("zks_getL1BatchDetails", json!([batch])).await,
        rpc.ok("eth_getTransactionReceipt", json!([tx])).await["l1BatchNumber"].clone(),
    )
}

// Two workers, as the binary has: the node starts while the test calls it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settled_batches_are_answered_from_the_first_call_after_a_restart() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let node = on_dir(&dir).await;
    node.rpc.ok("anvil_mine", json!([300])).await;
    let tx = node
        .transfer_and_wait(0, Address::repeat_byte(0x35))
        .await
        .transaction_hash;
    let batch = settled(&node).await;
    assert!(batch >= 3, "{batch} batches");
    let before = settlement_view(&node.rpc, batch, tx).await;
    assert!(before.3["executeTxHash"].is_string(), "{}", before.3);
    assert_eq!(
        before.4,
        json!(format!("{batch:#x}")),
        "the tx is in the last batch"
    );
    let port = node.node.rpc_addr().port();
    stop(node).await;

    // Restarted on the same port and called from the first moment it answers, while the rest
    // of the node (the L1, the settlement pipeline) is still starting: nothing has gone back.
    let config = {
        let mut config = zkos_dev::Config::test();
        config.storage = Storage::Dir(dir.clone());
        config.rpc.port = port;
        config
    };
    let starting = tokio::spawn(Node::spawn(config));
    let rpc = RawRpc::new(format!("http://127.0.0.1:{port}"));
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while try_call(&rpc, "eth_chainId", json!([])).await.is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the node never answered"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let after = settlement_view(&rpc, batch, tx).await;
    assert!(
        after.0 >= before.0,
        "safe went back: {after:?} after {before:?}"
    );
    assert!(
        after.1 >= before.1,
        "finalized went back: {after:?} after {before:?}"
    );
    assert!(
        after.2 >= before.2,
        "the batch number went back: {after:?} after {before:?}"
    );
    assert_eq!(after.3, before.3, "batch {batch}'s details changed");
    assert_eq!(after.4, before.4, "the receipt's batch changed");
    let node = starting.await.unwrap().expect("node restarts");
    // Once the batcher has built the batches again, the answers are the same.
    let node = TestNode::wrap(node);
    settled(&node).await;
    assert_eq!(settlement_view(&node.rpc, batch, tx).await, after);
    stop(node).await;
}

#[tokio::test]
async fn named_snapshots_bring_back_both_chains_and_settlement_goes_on() {
    let temp = tempfile::tempdir().unwrap();
    let node = on_dir(&temp.path().join("data")).await;
    node.transfer_and_wait(0, Address::repeat_byte(0x41)).await;
    settled(&node).await;
    let before = view(&node).await;
    let info = node
        .rpc
        .ok("zkos_saveSnapshot", json!(["before-tests"]))
        .await;
    assert_eq!(info["name"], "before-tests");
    assert!(info["bytes"].as_u64().unwrap() > 0, "{info}");

    for i in 0..3 {
        node.transfer_and_wait(i, Address::repeat_byte(0x42)).await;
    }
    settled(&node).await;
    assert_ne!(view(&node).await, before);

    // Loading through the L1's RPC acts on both chains too.
    let l1 = RawRpc::new(node.node.l1_rpc_url().unwrap());
    assert_eq!(
        l1.ok("zkos_loadSnapshot", json!(["before-tests"])).await,
        json!(true)
    );
    // The load answers once the batcher has re-sealed the loaded blocks at their bounds.
    assert_eq!(
        node.rpc.ok("zks_L1BatchNumber", json!([])).await,
        before["batch"]
    );
    settled(&node).await;
    assert_eq!(view(&node).await, before);
    let receipt = node.transfer_and_wait(3, Address::repeat_byte(0x43)).await;
    wait_finalized(&node, receipt.block_number.unwrap()).await;
    assert!(settled(&node).await > qty(&before["batch"]));

    let list = node.rpc.ok("zkos_listSnapshots", json!([])).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["name"], "before-tests");
    let bad = node
        .rpc
        .err("zkos_saveSnapshot", json!(["../escape"]))
        .await;
    assert_eq!(bad.code, -32602);
    assert!(
        bad.message.contains("invalid snapshot name"),
        "{}",
        bad.message
    );
    let missing = node.rpc.err("zkos_loadSnapshot", json!(["nope"])).await;
    assert!(
        missing.message.contains("no snapshot named"),
        "{}",
        missing.message
    );
    assert_eq!(
        node.rpc
            .ok("zkos_removeSnapshot", json!(["before-tests"]))
            .await,
        json!(true)
    );
    assert_eq!(
        node.rpc
            .ok("zkos_removeSnapshot", json!(["before-tests"]))
            .await,
        json!(false)
    );
    assert_eq!(
        node.rpc.ok("zkos_listSnapshots", json!([])).await,
        json!([])
    );
    stop(node).await;
}

#[tokio::test]
async fn a_state_dump_loads_into_another_node_and_a_bad_one_is_refused() {
    let source = TestNode::start().await;
    for i in 0..2 {
        source
            .transfer_and_wait(i, Address::repeat_byte(0x51))
            .await;
    }
    settled(&source).await;
    let dump = source.rpc.ok("anvil_dumpState", json!([])).await;
    let expected = view(&source).await;

    let target = TestNode::start().await;
    let garbage = target
        .rpc
        .err("anvil_loadState", json!(["0x0102030405"]))
        .await;
    assert_eq!(garbage.code, -32602);
    assert!(
        garbage.message.contains("not a zkos-dev state dump"),
        "{}",
        garbage.message
    );
    target
        .transfer_and_wait(0, Address::repeat_byte(0x52))
        .await;

    assert_eq!(
        target.rpc.ok("anvil_loadState", json!([dump])).await,
        json!(true)
    );
    assert_eq!(
        target.rpc.ok("zks_L1BatchNumber", json!([])).await,
        expected["batch"]
    );
    settled(&target).await;
    assert_eq!(view(&target).await, expected);
    let receipt = target
        .transfer_and_wait(2, Address::repeat_byte(0x53))
        .await;
    wait_finalized(&target, receipt.block_number.unwrap()).await;
}

#[tokio::test]
async fn reset_is_kept_across_a_restart() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let node = on_dir(&dir).await;
    node.transfer_and_wait(0, Address::repeat_byte(0x61)).await;
    settled(&node).await;
    node.rpc.ok("anvil_reset", json!([])).await;
    stop(node).await;

    let node = on_dir(&dir).await;
    assert_eq!(node.block_number().await, 0);
    let l1 = RawRpc::new(node.node.l1_rpc_url().unwrap());
    assert_eq!(qty(&l1.ok("eth_blockNumber", json!([])).await), 0);
    assert_eq!(qty(&node.rpc.ok("zks_L1BatchNumber", json!([])).await), 0);
    let receipt = node.transfer_and_wait(0, Address::repeat_byte(0x61)).await;
    assert_eq!(receipt.block_number, Some(1));
    assert_eq!(settled(&node).await, 1);
    stop(node).await;
}

/// Every file under `dir` with the hash of its bytes.
fn contents(dir: &Path) -> Vec<(PathBuf, alloy::primitives::B256)> {
    let mut out = vec![];
    if dir.is_file() {
        return vec![(
            dir.to_path_buf(),
            alloy::primitives::keccak256(std::fs::read(dir).unwrap()),
        )];
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        out.extend(contents(&path));
    }
    out.sort();
    out
}

async fn refused(dir: &Path) -> String {
    let before = contents(dir);
    let mut config = zkos_dev::Config::test();
    config.storage = Storage::Dir(dir.to_path_buf());
    let err = match Node::spawn(config).await {
        Ok(_) => panic!("{} was accepted", dir.display()),
        Err(e) => format!("{e:#}"),
    };
    assert_eq!(contents(dir), before, "{} was touched", dir.display());
    err
}

#[tokio::test]
async fn foreign_damaged_and_busy_data_dirs_are_refused_and_left_untouched() {
    let temp = tempfile::tempdir().unwrap();

    let foreign = temp.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let err = refused(&foreign).await;
    assert!(err.contains("not a zkos-dev data dir"), "{err}");

    let file = temp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let err = refused(&file).await;
    assert!(err.contains("it is a file"), "{err}");

    // A real data dir, then damaged in the middle of its database. Synced block by block, so
    // the middle of the file is pages in use (writes synced in groups may leave free pages
    // there, whose damage is harmless and rightly goes unnoticed).
    let damaged = temp.path().join("damaged");
    let node = TestNode::start_with(|c| {
        c.storage = Storage::Dir(damaged.clone());
        c.sync = zkos_dev::config::SyncPolicy::Always;
    })
    .await;
    node.transfer_and_wait(0, Address::repeat_byte(0x71)).await;
    // In use while it runs.
    let err = refused(&damaged).await;
    assert!(err.contains("in use by another zkos-dev"), "{err}");
    stop(node).await;
    let db = damaged.join("devnet.redb");
    let mut bytes = std::fs::read(&db).unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 4096] {
        *b ^= 0xa5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let err = refused(&damaged).await;
    assert!(err.contains("damaged"), "{err}");
    assert!(err.contains("zkos-dev reset --data-dir"), "{err}");

    // Another chain id: refused, not overwritten.
    let other = temp.path().join("other");
    stop(on_dir(&other).await).await;
    let before = contents(&other);
    let mut config = zkos_dev::Config::test();
    config.storage = Storage::Dir(other.clone());
    config.chain.chain_id = 271;
    let err = format!("{:#}", Node::spawn(config).await.err().expect("refused"));
    assert!(err.contains("chain id 270, not 271"), "{err}");
    assert_eq!(contents(&other), before);
}

/// Runs the `zkos-dev` binary; (success, stdout, stderr).
pub(crate) fn cli(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
        .args(args)
        .env_remove("ZKOS_DEV_DATA_DIR")
        .output()
        .expect("zkos-dev runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn snapshot_and_reset_work_on_a_stopped_data_dir() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let dir_arg = dir.to_str().unwrap();
    let node = on_dir(&dir).await;
    node.transfer_and_wait(0, Address::repeat_byte(0x81)).await;
    settled(&node).await;
    let before = view(&node).await;
    // While the node runs, the offline path says to go through it.
    let (ok, _, err) = cli(&["snapshot", "save", "s1", "--data-dir", dir_arg]);
    assert!(!ok && err.contains("pass --rpc URL"), "{err}");
    stop(node).await;

    let (ok, out, err) = cli(&["snapshot", "save", "s1", "--data-dir", dir_arg]);
    assert!(ok, "{err}");
    assert!(out.contains("saved snapshot s1"), "{out}");
    let (ok, out, _) = cli(&["snapshot", "list", "--data-dir", dir_arg]);
    assert!(ok && out.lines().any(|l| l.starts_with("s1 ")), "{out}");

    let (ok, out, err) = cli(&["reset", "--data-dir", dir_arg]);
    assert!(ok, "{err}");
    assert!(out.contains("begins at genesis"), "{out}");
    assert!(!dir.join("devnet.redb").exists());
    assert!(dir.join("snapshots/s1.zkdump").exists());

    // A fresh devnet, then the snapshot loaded into it while stopped.
    let node = on_dir(&dir).await;
    assert_eq!(node.block_number().await, 0);
    stop(node).await;
    let (ok, _, err) = cli(&["snapshot", "load", "s1", "--data-dir", dir_arg]);
    assert!(ok, "{err}");
    let node = on_dir(&dir).await;
    settled(&node).await;
    assert_eq!(view(&node).await, before);
    node.transfer_and_wait(1, Address::repeat_byte(0x82)).await;
    assert!(settled(&node).await > qty(&before["batch"]));
    stop(node).await;

    let (ok, _, err) = cli(&["snapshot", "rm", "nope", "--data-dir", dir_arg]);
    assert!(!ok && err.contains("no snapshot named \"nope\""), "{err}");
}

/// A `zkos-dev start` child, killed on drop.
struct Child9(Child);

impl Drop for Child9 {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A small xorshift: random kill moments without another crate.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Starts the binary on `dir` and waits until both RPCs answer.
async fn start_binary(dir: &Path) -> (Child9, RawRpc, RawRpc) {
    start_binary_with(dir, &[]).await
}

/// `start_binary` with more flags.
async fn start_binary_with(dir: &Path, extra: &[&str]) -> (Child9, RawRpc, RawRpc) {
    let (port, l1_port) = (free_port(), free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
        .args([
            "start",
            "--data-dir",
            dir.to_str().unwrap(),
            "--silent",
            "--no-metrics",
        ])
        .args([
            "--port",
            &port.to_string(),
            "--l1-port",
            &l1_port.to_string(),
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("zkos-dev starts");
    let child = Child9(child);
    let (l2, l1) = (
        RawRpc::new(format!("http://127.0.0.1:{port}")),
        RawRpc::new(format!("http://127.0.0.1:{l1_port}")),
    );
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let with_l1 = !extra.contains(&"--no-l1");
    for rpc in [&l2, &l1].into_iter().take(1 + with_l1 as usize) {
        while try_call(rpc, "eth_chainId", json!([])).await.is_none() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} never answered",
                rpc.url
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    (child, l2, l1)
}

/// One call to a node that may be gone: `None` if it does not answer with a result.
async fn try_call(rpc: &RawRpc, method: &str, params: Value) -> Option<Value> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let answer: Value = rpc
        .http
        .post(&rpc.url)
        .json(&body)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    answer.get("result").cloned()
}

/// `safe`, `finalized` and `zks_L1BatchNumber` as a client reads them (`None`: the node is gone).
async fn finality(rpc: &RawRpc) -> Option<[u64; 3]> {
    let tag = |tag: &'static str| async move {
        try_call(rpc, "eth_getBlockByNumber", json!([tag, false]))
            .await
            .map(|block| qty(&block["number"]))
    };
    Some([
        tag("safe").await?,
        tag("finalized").await?,
        qty(&try_call(rpc, "zks_L1BatchNumber", json!([])).await?),
    ])
}

/// The temporary files in a data dir's snapshots dir (saves cut short).
fn unfinished_saves(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("snapshots"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn blocks_only_in_the_write_ahead_log_survive_kill_9() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    // No checkpoint for ten minutes (the log itself is synced every 100 ms), and no L1 (whose
    // batches' synced writes would make the blocks durable on the way): what the node
    // acknowledges is in the log only.
    let no_checkpoint = ["--checkpoint-interval", "600000", "--no-l1"];
    let (child, l2, _) = start_binary_with(&dir, &no_checkpoint).await;
    let signer: alloy::signers::local::PrivateKeySigner =
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
            .parse()
            .unwrap();
    let mut acknowledged = vec![];
    for nonce in 0..5 {
        let tx = sign(
            &signer,
            transfer(nonce, Address::repeat_byte(0x91), U256::from(1)),
        );
        let hash = l2.send_raw(&tx).await.unwrap();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let receipt = loop {
            let receipt = l2.ok("eth_getTransactionReceipt", json!([hash])).await;
            if !receipt.is_null() {
                break receipt;
            }
            assert!(tokio::time::Instant::now() < deadline, "{hash} not mined");
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        acknowledged.push((hash, receipt["blockHash"].clone()));
    }
    let wal = dir.join("devnet.wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the blocks are in the write-ahead log"
    );
    drop(child); // SIGKILL: the database never synced them.

    let (_child, l2, _) = start_binary_with(&dir, &["--no-l1"]).await;
    for (hash, block) in &acknowledged {
        let receipt = l2.ok("eth_getTransactionReceipt", json!([hash])).await;
        assert_eq!(&receipt["blockHash"], block, "{hash} after the kill");
    }
    // Replayed at start; the next checkpoints empty both of the log's segments.
    let wal_2 = dir.join("devnet.wal.1");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while std::fs::metadata(&wal).unwrap().len() + std::fs::metadata(&wal_2).unwrap().len() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the log was never emptied"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn acknowledged_txs_survive_kill_9_under_load() {
    let cycles: u64 = std::env::var("ZKOS_CRASH_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    // Dev accounts #0..#3: four senders, each sending its next tx as soon as the last one has
    // a receipt.
    let signers: Vec<alloy::signers::local::PrivateKeySigner> = [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    ]
    .iter()
    .map(|key| key.parse().unwrap())
    .collect();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    // (tx hash, block number, block hash) of every receipt a client got back.
    let mut acknowledged: Vec<(Value, Value, Value)> = vec![];
    // The highest `safe`, `finalized` and batch number a client saw.
    let mut seen = [0u64; 3];
    for cycle in 0..=cycles {
        let (mut child, l2, l1) = start_binary(&dir).await;
        // The first answers after the restart: nothing a client saw has gone back.
        let first = finality(&l2).await.expect("the node answers");
        for (i, name) in ["safe", "finalized", "zks_L1BatchNumber"]
            .iter()
            .enumerate()
        {
            assert!(
                first[i] >= seen[i],
                "cycle {cycle}: {name} went back from {} to {} across the restart",
                seen[i],
                first[i]
            );
        }
        let cut = unfinished_saves(&dir);
        assert!(
            cut.is_empty(),
            "cycle {cycle}: saves cut short are left: {cut:?}"
        );
        let chain: Address =
            serde_json::from_value(l2.ok("zks_getMainContract", json!([])).await).unwrap();
        for (hash, number, block) in &acknowledged {
            let receipt = l2.ok("eth_getTransactionReceipt", json!([hash])).await;
            assert_eq!(
                (&receipt["blockNumber"], &receipt["blockHash"]),
                (number, block),
                "cycle {cycle}: the receipt of {hash} changed or vanished"
            );
        }
        // The L1 catches up with every batch the L2 sealed before the kill.
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let batch = qty(&l2.ok("zks_L1BatchNumber", json!([])).await);
            let (committed, executed) = counters(&l1, chain).await;
            assert!(
                committed <= batch,
                "cycle {cycle}: L1 committed {committed} of {batch} batches"
            );
            if executed == batch {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "cycle {cycle}: L1 stuck at {executed} of {batch}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if cycle == cycles {
            eprintln!(
                "crash test: {cycles} kills, {} acknowledged txs all kept",
                acknowledged.len()
            );
            break;
        }

        // Load: transfers from four senders, each acknowledged by its receipt, until the kill;
        // beside them a client watching settlement and one saving a named snapshot over and
        // over (so some kills land in the middle of a save).
        let kill_after = Duration::from_millis(200 + next(&mut seed) % 1300);
        let watcher = {
            let l2 = l2.clone();
            tokio::spawn(async move {
                let mut seen = [0u64; 3];
                while let Some(now) = finality(&l2).await {
                    for (seen, now) in seen.iter_mut().zip(now) {
                        *seen = (*seen).max(now);
                    }
                }
                seen
            })
        };
        let saver = {
            let l2 = l2.clone();
            tokio::spawn(async move {
                while try_call(&l2, "zkos_saveSnapshot", json!(["crash"]))
                    .await
                    .is_some()
                {}
            })
        };
        let mut load = vec![];
        for signer in &signers {
            let nonce = qty(&l2
                .ok(
                    "eth_getTransactionCount",
                    json!([signer.address(), "pending"]),
                )
                .await);
            let l2 = l2.clone();
            let signer = signer.clone();
            load.push(tokio::spawn(async move {
                let mut acked = vec![];
                for n in nonce.. {
                    let tx = sign(
                        &signer,
                        transfer(n, Address::repeat_byte(0x99), U256::from(1)),
                    );
                    let raw = crate::support::raw_hex(&tx);
                    let Some(hash) = try_call(&l2, "eth_sendRawTransaction", json!([raw])).await
                    else {
                        return acked;
                    };
                    let receipt = loop {
                        match try_call(&l2, "eth_getTransactionReceipt", json!([hash])).await {
                            Some(r) if !r.is_null() => break r,
                            Some(_) => tokio::time::sleep(Duration::from_millis(2)).await,
                            None => return acked,
                        }
                    };
                    acked.push((
                        hash,
                        receipt["blockNumber"].clone(),
                        receipt["blockHash"].clone(),
                    ));
                }
                acked
            }));
        }
        tokio::time::sleep(kill_after).await;
        child.0.kill().expect("SIGKILL");
        child.0.wait().unwrap();
        let mut acked = vec![];
        for sender in load {
            acked.extend(sender.await.unwrap());
        }
        for (seen, watched) in seen.iter_mut().zip(watcher.await.unwrap()) {
            *seen = (*seen).max(watched);
        }
        saver.await.unwrap();
        eprintln!(
            "crash test: cycle {cycle}: killed after {kill_after:?}, {} txs acknowledged",
            acked.len()
        );
        acknowledged.extend(acked);
    }
}

#[tokio::test]
async fn the_banner_says_new_or_resumed_with_the_head_and_the_balances_now() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let out = temp.path().join("banner.json");
    let with_out = |dir: &Path, out: &Path| {
        let (dir, out) = (dir.to_path_buf(), out.to_path_buf());
        move |c: &mut zkos_dev::Config| {
            c.storage = Storage::Dir(dir);
            c.config_out = Some(out);
        }
    };
    let node = TestNode::start_with(with_out(&dir, &out)).await;
    let first: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(first["resumed"], json!(false));
    assert_eq!(first["head"], json!(0));
    node.transfer_and_wait(0, Address::repeat_byte(0x35)).await;
    let head = node.block_number().await;
    let balance = node.provider.get_balance(node.account(0)).await.unwrap();
    stop(node).await;

    let node = TestNode::start_with(with_out(&dir, &out)).await;
    let banner: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(banner["resumed"], json!(true));
    assert_eq!(banner["head"], json!(head));
    assert_eq!(
        banner["accounts"][0]["balance"],
        json!(balance.to_string()),
        "the balance the chain has now, not the genesis one"
    );
    stop(node).await;
}
