//! When txs become blocks: instant and manual mining, nonce gaps, fee replacement and the
//! txpool_* view of what is waiting.

use std::time::Duration;

use alloy::primitives::{Address, U256};
use serde_json::{Value, json};

use crate::support::{RpcError, TestNode, fresh_address, hex_u64, qty, sign, transfer};

/// Long enough for an eager miner to have acted; only used to check that nothing happens.
const QUIET: Duration = Duration::from_millis(500);

/// Looks up an address key in a txpool_* map whatever its letter case.
fn by_address(map: &Value, address: Address) -> &Value {
    map.as_object()
        .and_then(|m| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&address.to_string()))
        })
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("{address} not in {map}"))
}

async fn block_tx_count(t: &TestNode, number: u64) -> u64 {
    qty(&t
        .rpc
        .ok(
            "eth_getBlockTransactionCountByNumber",
            json!([hex_u64(number)]),
        )
        .await)
}

#[tokio::test]
async fn instant_mining_mines_each_tx_in_its_own_block_and_no_empty_blocks() {
    let t = TestNode::start().await;
    let start = t.block_number().await;
    tokio::time::sleep(QUIET).await;
    assert_eq!(t.block_number().await, start, "no blocks while idle");

    for i in 1..=3u64 {
        let receipt = t.transfer_and_wait(0, fresh_address(80)).await;
        assert_eq!(receipt.block_number, Some(start + i));
        assert_eq!(receipt.transaction_index, Some(0));
        assert_eq!(block_tx_count(&t, start + i).await, 1);
    }
    tokio::time::sleep(QUIET).await;
    assert_eq!(t.block_number().await, start + 3);
}

#[tokio::test]
async fn manual_mining_mines_nothing_until_evm_mine() {
    let t = TestNode::manual().await;
    let start = t.block_number().await;
    let tx = sign(t.signer(0), transfer(0, fresh_address(81), U256::from(5)));
    t.send(&tx).await;

    tokio::time::sleep(QUIET).await;
    assert_eq!(t.block_number().await, start);
    assert_eq!(
        t.rpc
            .ok("eth_getTransactionReceipt", json!([tx.tx_hash()]))
            .await,
        Value::Null
    );
    assert_eq!(t.txpool_status().await, (1, 0));

    t.mine().await;
    assert_eq!(t.block_number().await, start + 1);
    let receipt = t.receipt(*tx.tx_hash()).await;
    assert_eq!(receipt.block_number, Some(start + 1));
    assert_eq!(t.balance(fresh_address(81)).await, U256::from(5));
    assert_eq!(t.txpool_status().await, (0, 0));
}

#[tokio::test]
async fn evm_mine_and_anvil_mine_produce_blocks_on_demand() {
    let t = TestNode::manual().await;
    let start = t.block_number().await;

    t.rpc.ok("evm_mine", json!([])).await;
    assert_eq!(
        t.block_number().await,
        start + 1,
        "evm_mine mines an (empty) block"
    );
    assert_eq!(block_tx_count(&t, start + 1).await, 0);

    t.rpc.ok("anvil_mine", json!(["0x3"])).await;
    assert_eq!(
        t.block_number().await,
        start + 4,
        "anvil_mine(3) mines three blocks"
    );

    t.rpc.ok("anvil_mine", json!([])).await;
    assert_eq!(
        t.block_number().await,
        start + 5,
        "anvil_mine() mines one block"
    );

    let a = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(start + 4), false]))
        .await;
    let b = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(start + 5), false]))
        .await;
    assert_eq!(b["parentHash"], a["hash"]);
}

#[tokio::test]
async fn all_ready_txs_go_into_the_next_manual_block_in_nonce_order() {
    let t = TestNode::manual().await;
    let txs: Vec<_> = (0..3)
        .map(|n| sign(t.signer(1), transfer(n, fresh_address(82), U256::from(1))))
        .collect();
    // Sent out of order: the pool still orders them by nonce.
    for i in [2, 0, 1] {
        t.send(&txs[i]).await;
    }
    t.mine().await;
    let number = t.block_number().await;
    let block = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(number), false]))
        .await;
    let expected: Vec<_> = txs.iter().map(|tx| json!(tx.tx_hash())).collect();
    assert_eq!(block["transactions"], Value::Array(expected));
    assert_eq!(t.nonce(t.account(1)).await, 3);
}

#[tokio::test]
async fn nonce_gap_tx_waits_in_the_queue_and_is_mined_once_the_gap_is_filled() {
    let t = TestNode::start().await;
    let to = fresh_address(83);
    let later = sign(t.signer(2), transfer(1, to, U256::from(10)));
    t.send(&later).await;

    tokio::time::sleep(QUIET).await;
    assert_eq!(
        t.rpc
            .ok("eth_getTransactionReceipt", json!([later.tx_hash()]))
            .await,
        Value::Null
    );
    assert_eq!(t.txpool_status().await, (0, 1), "queued behind the gap");
    assert_eq!(t.nonce(t.account(2)).await, 0);

    let gap = sign(t.signer(2), transfer(0, to, U256::from(1)));
    let first = t.send_and_wait(&gap).await;
    let second = t.receipt(*later.tx_hash()).await;
    assert!(first.status() && second.status());
    assert!(second.block_number >= first.block_number);
    assert_eq!(t.nonce(t.account(2)).await, 2);
    assert_eq!(t.balance(to).await, U256::from(11));
    assert_eq!(t.txpool_status().await, (0, 0));
}

#[tokio::test]
async fn txpool_shows_pending_and_queued_txs_separately() {
    let t = TestNode::manual().await;
    let (a, b) = (t.account(0), t.account(1));
    let p0 = sign(t.signer(0), transfer(0, fresh_address(84), U256::from(1)));
    let p1 = sign(t.signer(0), transfer(1, fresh_address(84), U256::from(2)));
    let q2 = sign(t.signer(1), transfer(2, fresh_address(84), U256::from(3)));
    for tx in [&p0, &p1, &q2] {
        t.send(tx).await;
    }

    let status = t.rpc.ok("txpool_status", json!([])).await;
    assert_eq!(status, json!({"pending": "0x2", "queued": "0x1"}));

    let content = t.rpc.ok("txpool_content", json!([])).await;
    let pending_a = by_address(&content["pending"], a);
    assert_eq!(pending_a["0"]["hash"], json!(p0.tx_hash()));
    assert_eq!(pending_a["1"]["hash"], json!(p1.tx_hash()));
    assert_eq!(pending_a["1"]["nonce"], json!("0x1"));
    assert_eq!(
        by_address(&content["queued"], b)["2"]["hash"],
        json!(q2.tx_hash())
    );
    assert!(
        content["queued"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.eq_ignore_ascii_case(&a.to_string()))
    );

    let inspect = t.rpc.ok("txpool_inspect", json!([])).await;
    let summary = by_address(&inspect["pending"], a)["1"]
        .as_str()
        .unwrap_or_else(|| panic!("{inspect}"))
        .to_string();
    assert!(
        summary
            .to_lowercase()
            .contains(&fresh_address(84).to_string().to_lowercase()),
        "{summary}"
    );
    assert!(summary.contains("wei"), "{summary}");
    assert!(
        by_address(&inspect["queued"], b)["2"].is_string(),
        "{inspect}"
    );

    t.mine().await;
    assert_eq!(
        t.txpool_status().await,
        (0, 1),
        "the queued tx still waits for nonces 0 and 1"
    );
    assert_eq!(t.nonce(a).await, 2);
}

#[tokio::test]
async fn replacement_with_a_higher_fee_replaces_the_pending_tx() {
    let t = TestNode::manual().await;
    let to = fresh_address(85);
    let mut original = transfer(0, to, U256::from(1));
    original.max_priority_fee_per_gas = 10;
    let original = sign(t.signer(3), original);
    let mut bumped = transfer(0, to, U256::from(2));
    bumped.max_priority_fee_per_gas = 20;
    bumped.max_fee_per_gas = 4_000;
    let bumped = sign(t.signer(3), bumped);

    t.send(&original).await;
    t.send(&bumped).await;

    assert_eq!(t.txpool_status().await, (1, 0), "one tx per nonce");
    assert_eq!(
        t.rpc
            .ok("eth_getTransactionByHash", json!([original.tx_hash()]))
            .await,
        Value::Null
    );
    t.mine().await;
    let receipt = t.receipt(*bumped.tx_hash()).await;
    assert!(receipt.status());
    assert_eq!(
        t.balance(to).await,
        U256::from(2),
        "the replacement was mined"
    );
    assert_eq!(
        t.rpc
            .ok("eth_getTransactionReceipt", json!([original.tx_hash()]))
            .await,
        Value::Null
    );
}

fn assert_underpriced(err: Result<alloy::primitives::B256, RpcError>, what: &str) {
    let err = err.expect_err(what);
    assert_eq!(
        (err.code, err.message.as_str()),
        (-32003, "replacement transaction underpriced"),
        "{what}: {err:?}"
    );
}

#[tokio::test]
async fn replacement_with_a_lower_or_equal_fee_is_rejected_as_underpriced() {
    let t = TestNode::manual().await;
    let to = fresh_address(86);
    let mut original = transfer(0, to, U256::from(1));
    original.max_priority_fee_per_gas = 10;
    let original_signed = sign(t.signer(4), original.clone());
    t.send(&original_signed).await;

    let mut lower = original.clone();
    lower.max_priority_fee_per_gas = 5;
    lower.max_fee_per_gas = 1_500;
    assert_underpriced(t.rpc.send_raw(&sign(t.signer(4), lower)).await, "lower fee");

    let mut equal = original.clone();
    equal.value = U256::from(2);
    assert_underpriced(t.rpc.send_raw(&sign(t.signer(4), equal)).await, "equal fee");

    let again = t
        .rpc
        .send_raw(&original_signed)
        .await
        .expect_err("the same tx twice");
    assert_eq!(
        (again.code, again.message.as_str()),
        (-32003, "already known"),
        "{again:?}"
    );

    t.mine().await;
    assert_eq!(
        t.balance(to).await,
        U256::from(1),
        "the original is the one mined"
    );
}

/// Waits (generously) until the chain reaches `number`.
async fn wait_for_block(t: &TestNode, number: u64) {
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    while t.block_number().await < number {
        assert!(
            tokio::time::Instant::now() < deadline,
            "block {number} never came"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn interval_mining_produces_blocks_while_idle_and_includes_sent_txs() {
    let t = TestNode::start_with(|c| {
        c.mining = zkos_dev::MiningMode::Interval(Duration::from_millis(200))
    })
    .await;
    let start = t.block_number().await;
    wait_for_block(&t, start + 2).await;
    assert_eq!(
        block_tx_count(&t, start + 1).await,
        0,
        "an empty block on the tick"
    );

    let tx = sign(t.signer(0), transfer(0, fresh_address(87), U256::from(1)));
    t.send(&tx).await;
    let receipt = t.receipt(*tx.tx_hash()).await;
    assert!(receipt.status());
}

#[tokio::test]
async fn mixed_mining_mines_sent_txs_at_once_and_idle_blocks_on_the_interval() {
    let t =
        TestNode::start_with(|c| c.mining = zkos_dev::MiningMode::Mixed(Duration::from_secs(1)))
            .await;
    let start = t.block_number().await;
    wait_for_block(&t, start + 1).await;

    let receipt = t.transfer_and_wait(0, fresh_address(88)).await;
    assert!(receipt.status());
    let after = t.block_number().await;
    wait_for_block(&t, after + 1).await;
}
