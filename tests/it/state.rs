//! Reading accounts: balances, nonces, code and storage, now and at earlier blocks.

use alloy::{
    eips::BlockId,
    primitives::{B256, Bytes, U256},
    providers::Provider,
};
use serde_json::json;

use crate::{
    contracts::Counter,
    support::{
        BASE_FEE, TestNode, dev_balance, fresh_address, hex_u64, qty, qty256, sign, transfer,
    },
};

#[tokio::test]
async fn transfer_moves_value_and_charges_gas_at_the_base_fee() {
    let t = TestNode::start().await;
    let (from, to) = (t.account(1), fresh_address(1));
    let value = U256::from(123_456_789u64);

    let receipt = t
        .send_and_wait(&sign(t.signer(1), transfer(0, to, value)))
        .await;

    assert!(receipt.status());
    assert_eq!(receipt.gas_used, 21_000);
    assert_eq!(
        receipt.effective_gas_price, BASE_FEE,
        "tip 0: pays exactly the base fee"
    );
    assert_eq!(t.balance(to).await, value);
    assert_eq!(
        t.balance(from).await,
        dev_balance() - value - U256::from(21_000u64 * 1_000)
    );
    let raw = t.rpc.ok("eth_getBalance", json!([to, "latest"])).await;
    assert_eq!(qty256(&raw), value);
}

#[tokio::test]
async fn balance_at_an_earlier_block_is_the_balance_then() {
    let t = TestNode::start().await;
    let to = fresh_address(2);
    let first = t
        .send_and_wait(&sign(t.signer(0), transfer(0, to, U256::from(5))))
        .await;
    let second = t
        .send_and_wait(&sign(t.signer(0), transfer(1, to, U256::from(7))))
        .await;
    let (b1, b2) = (first.block_number.unwrap(), second.block_number.unwrap());

    let at = |n: u64| t.provider.get_balance(to).block_id(BlockId::number(n));
    assert_eq!(at(b1 - 1).await.unwrap(), U256::ZERO);
    assert_eq!(at(b1).await.unwrap(), U256::from(5));
    assert_eq!(at(b2).await.unwrap(), U256::from(12));
    let by_hash = t
        .provider
        .get_balance(to)
        .block_id(BlockId::hash(first.block_hash.unwrap()));
    assert_eq!(by_hash.await.unwrap(), U256::from(5));
    let earliest = t
        .rpc
        .ok("eth_getBalance", json!([t.account(0), "earliest"]))
        .await;
    assert_eq!(qty256(&earliest), dev_balance());
}

#[tokio::test]
async fn nonce_counts_mined_txs_at_latest_and_ready_txs_at_pending() {
    let t = TestNode::manual().await;
    let (from, to) = (t.account(2), fresh_address(3));
    assert_eq!(t.nonce(from).await, 0);

    t.send(&sign(t.signer(2), transfer(0, to, U256::from(1))))
        .await;
    t.send(&sign(t.signer(2), transfer(1, to, U256::from(1))))
        .await;
    // A tx behind a nonce gap is queued: it does not count for the pending nonce.
    t.send(&sign(t.signer(2), transfer(3, to, U256::from(1))))
        .await;

    assert_eq!(t.nonce(from).await, 0, "nothing mined yet");
    assert_eq!(t.pending_nonce(from).await, 2, "two ready txs in the pool");
    let raw = t
        .rpc
        .ok("eth_getTransactionCount", json!([from, "pending"]))
        .await;
    assert_eq!(qty(&raw), 2);

    t.mine().await;
    assert_eq!(t.nonce(from).await, 2);
    assert_eq!(
        t.pending_nonce(from).await,
        2,
        "the nonce-3 tx is still waiting for nonce 2"
    );
    let at_genesis = t
        .rpc
        .ok("eth_getTransactionCount", json!([from, "0x0"]))
        .await;
    assert_eq!(qty(&at_genesis), 0);
}

#[tokio::test]
async fn deployed_contract_has_its_runtime_code_and_an_eoa_has_none() {
    let t = TestNode::start().await;
    let before = t.block_number().await;
    let counter = t.deploy_counter(0).await;

    let code = t.provider.get_code_at(counter).await.unwrap();
    assert_eq!(code, Counter::DEPLOYED_BYTECODE.clone());
    assert_eq!(
        t.provider.get_code_at(t.account(0)).await.unwrap(),
        Bytes::new()
    );
    assert_eq!(
        t.rpc
            .ok("eth_getCode", json!([t.account(0), "latest"]))
            .await,
        json!("0x")
    );
    let code_before = t
        .rpc
        .ok("eth_getCode", json!([counter, hex_u64(before)]))
        .await;
    assert_eq!(
        code_before,
        json!("0x"),
        "no code before the deployment block"
    );
}

#[tokio::test]
async fn storage_slot_holds_the_value_the_contract_wrote() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let deployed_at = t.block_number().await;
    let receipt = t
        .call_and_wait(0, counter, Counter::setNumberCall { n: U256::from(42) })
        .await;
    assert!(receipt.status());

    assert_eq!(
        t.provider
            .get_storage_at(counter, U256::ZERO)
            .await
            .unwrap(),
        U256::from(42)
    );
    let raw = t
        .rpc
        .ok("eth_getStorageAt", json!([counter, "0x0", "latest"]))
        .await;
    assert_eq!(raw, json!(B256::from(U256::from(42))), "a 32-byte word");
    let old = t
        .rpc
        .ok(
            "eth_getStorageAt",
            json!([counter, "0x0", hex_u64(deployed_at)]),
        )
        .await;
    assert_eq!(old, json!(B256::ZERO));
    let unused = t
        .provider
        .get_storage_at(counter, U256::from(99))
        .await
        .unwrap();
    assert_eq!(unused, U256::ZERO);
}

#[tokio::test]
async fn state_at_a_block_that_does_not_exist_is_an_error_not_a_guess() {
    let t = TestNode::start().await;
    let future = hex_u64(t.block_number().await + 100);
    for (method, params) in [
        ("eth_getBalance", json!([t.account(0), future])),
        ("eth_getTransactionCount", json!([t.account(0), future])),
        ("eth_getCode", json!([t.account(0), future])),
        ("eth_getStorageAt", json!([t.account(0), "0x0", future])),
        ("eth_call", json!([{"to": t.account(0)}, future])),
    ] {
        let err = t.rpc.err(method, params).await;
        assert_eq!(err.code, -32001, "{method}: {err:?}");
    }
}
