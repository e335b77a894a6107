//! What a user sees when something is wrong: rejected txs with the codes and messages clients
//! classify errors by, malformed requests, and the server's size limits.

use alloy::{
    consensus::TxLegacy,
    primitives::{Bytes, TxKind, U256},
    signers::local::PrivateKeySigner,
};
use serde_json::{Value, json};

use crate::support::{RpcError, TestNode, fresh_address, parse_answer, raw_hex, sign, transfer};

#[track_caller]
fn assert_error(err: &RpcError, code: i64, message: &str) {
    assert_eq!((err.code, err.message.as_str()), (code, message), "{err:?}");
}

#[tokio::test]
async fn nonce_too_low_is_rejected_with_the_next_nonce() {
    let t = TestNode::start().await;
    let to = fresh_address(90);
    t.send_and_wait(&sign(t.signer(0), transfer(0, to, U256::from(1))))
        .await;
    t.send_and_wait(&sign(t.signer(0), transfer(1, to, U256::from(1))))
        .await;

    let err = t
        .rpc
        .send_raw(&sign(t.signer(0), transfer(0, to, U256::from(2))))
        .await
        .unwrap_err();

    assert_error(&err, -32003, "nonce too low: next nonce 2, tx nonce 0");
    assert_eq!(t.nonce(t.account(0)).await, 2);
}

#[tokio::test]
async fn insufficient_funds_is_rejected_with_have_and_want() {
    let t = TestNode::start().await;
    let poor = PrivateKeySigner::random();
    let value = U256::from(5);
    // Want = gas limit × max fee + value (what the sender must hold up front).
    let want = U256::from(21_000u64 * 2_000) + value;

    let err = t
        .rpc
        .send_raw(&sign(&poor, transfer(0, fresh_address(91), value)))
        .await
        .unwrap_err();
    assert_error(
        &err,
        -32003,
        &format!("insufficient funds for gas * price + value: have 0 want {want}"),
    );

    // An account with some but not enough.
    let funded = t
        .send_and_wait(&sign(
            t.signer(0),
            transfer(0, poor.address(), U256::from(1_000)),
        ))
        .await;
    assert!(funded.status());
    let err = t
        .rpc
        .send_raw(&sign(&poor, transfer(0, fresh_address(91), value)))
        .await
        .unwrap_err();
    assert_error(
        &err,
        -32003,
        &format!("insufficient funds for gas * price + value: have 1000 want {want}"),
    );
    assert_eq!(t.balance(fresh_address(91)).await, U256::ZERO);
}

#[tokio::test]
async fn intrinsic_gas_too_low_is_rejected() {
    let t = TestNode::start().await;
    let mut tx = transfer(0, fresh_address(92), U256::from(1));
    tx.gas_limit = 20_999;
    let err = t.rpc.send_raw(&sign(t.signer(0), tx)).await.unwrap_err();
    assert_eq!(err.code, -32003, "{err:?}");
    assert!(err.message.starts_with("intrinsic gas too low"), "{err:?}");
    assert_eq!(t.txpool_status().await, (0, 0));
}

#[tokio::test]
async fn gas_limit_above_the_block_gas_limit_is_rejected() {
    let t = TestNode::start().await;
    let mut tx = transfer(0, fresh_address(93), U256::from(1));
    tx.gas_limit = 100_000_001;
    let err = t.rpc.send_raw(&sign(t.signer(0), tx)).await.unwrap_err();
    assert_error(&err, -32003, "exceeds block gas limit");
}

#[tokio::test]
async fn tx_signed_for_another_chain_is_rejected() {
    let t = TestNode::start().await;
    let mut tx = transfer(0, fresh_address(94), U256::from(1));
    tx.chain_id = 1;
    let err = t.rpc.send_raw(&sign(t.signer(0), tx)).await.unwrap_err();
    assert_error(&err, -32003, "invalid chain id");

    let legacy = TxLegacy {
        chain_id: Some(31337),
        nonce: 0,
        gas_price: 2_000,
        gas_limit: 21_000,
        to: TxKind::Call(fresh_address(94)),
        value: U256::from(1),
        input: Bytes::new(),
    };
    let err = t
        .rpc
        .send_raw(&sign(t.signer(0), legacy))
        .await
        .unwrap_err();
    assert_error(&err, -32003, "invalid chain id");
    assert_eq!(t.nonce(t.account(0)).await, 0);
}

#[tokio::test]
async fn undecodable_raw_tx_is_an_invalid_param() {
    let t = TestNode::start().await;
    for garbage in ["0x1234", "0x", "0x02f8"] {
        let err = t.rpc.err("eth_sendRawTransaction", json!([garbage])).await;
        assert_error(&err, -32602, "failed to decode transaction");
    }
    // A valid tx with a byte cut off.
    let raw = raw_hex(&sign(
        t.signer(0),
        transfer(0, fresh_address(95), U256::from(1)),
    ));
    let err = t
        .rpc
        .err("eth_sendRawTransaction", json!([&raw[..raw.len() - 2]]))
        .await;
    assert_error(&err, -32602, "failed to decode transaction");
}

#[tokio::test]
async fn unknown_method_is_method_not_found() {
    let t = TestNode::start().await;
    let err = t.rpc.err("foo_bar", json!([])).await;
    assert_error(
        &err,
        -32601,
        "the method foo_bar does not exist/is not available",
    );
}

#[tokio::test]
async fn bad_params_are_invalid_params() {
    let t = TestNode::start().await;
    let cases = [
        ("eth_getBalance", json!(["not an address", "latest"])),
        ("eth_getBalance", json!([])),
        ("eth_getBlockByNumber", json!(["0x1", "yes"])),
        ("eth_getTransactionByHash", json!(["0x1234"])),
        ("eth_call", json!([{"to": 5}])),
    ];
    for (method, params) in cases {
        let err = t.rpc.err(method, params.clone()).await;
        assert_eq!(err.code, -32602, "{method}({params}): {err:?}");
    }
}

#[tokio::test]
async fn malformed_json_is_a_parse_error() {
    let t = TestNode::start().await;
    let (status, body) = t.rpc.post_raw("{\"jsonrpc\": \"2.0\", \"method\": ").await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["error"]["code"], json!(-32700), "{answer}");
    assert_eq!(answer["id"], Value::Null);
}

#[tokio::test]
async fn request_without_a_method_is_an_invalid_request() {
    let t = TestNode::start().await;
    let answer = t
        .rpc
        .post_json(&json!({"jsonrpc": "2.0", "id": 7, "params": []}))
        .await;
    assert_eq!(answer["error"]["code"], json!(-32600), "{answer}");
}

#[tokio::test]
async fn oversized_request_body_is_refused() {
    let t = TestNode::start().await;
    // 11 MiB of calldata in one eth_call: above the 10 MiB limit.
    let data = format!("0x{}", "00".repeat(11 * 1024 * 1024));
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [{"to": t.account(0), "data": data}, "latest"]});
    let (status, text) = t.rpc.post_raw(serde_json::to_vec(&body).unwrap()).await;
    let refused_by_http = status == 413;
    let refused_by_rpc = status == 200
        && serde_json::from_str::<Value>(&text)
            .map(|v| v["error"]["code"] == json!(-32007))
            .unwrap_or(false);
    assert!(
        refused_by_http || refused_by_rpc,
        "HTTP {status}: {}",
        &text[..text.len().min(300)]
    );

    // The node still serves normal requests afterwards.
    assert_eq!(t.rpc.ok("eth_chainId", json!([])).await, json!("0x10e"));
}

#[tokio::test]
async fn batch_answers_each_call_by_id() {
    let t = TestNode::start().await;
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": "two", "method": "foo_bar", "params": []},
        {"jsonrpc": "2.0", "id": 3, "method": "eth_getBalance", "params": [t.account(0), "latest"]},
    ]);
    let answers = t.rpc.post_json(&batch).await;
    let answers = answers
        .as_array()
        .unwrap_or_else(|| panic!("a batch answer is an array: {answers}"));
    assert_eq!(answers.len(), 3);
    let by_id = |id: Value| {
        answers
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("id {id}"))
    };
    assert_eq!(by_id(json!(1))["result"], json!("0x10e"));
    assert_eq!(by_id(json!("two"))["error"]["code"], json!(-32601));
    assert!(by_id(json!(3))["result"].is_string());
}

#[tokio::test]
async fn batch_of_max_len_is_served_and_a_larger_batch_is_refused() {
    let t = TestNode::start().await;
    let batch = |n: usize| {
        Value::Array((0..n).map(|i| json!({"jsonrpc": "2.0", "id": i, "method": "eth_blockNumber", "params": []})).collect())
    };

    let answers = t.rpc.post_json(&batch(1000)).await;
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), 1000);
    assert!(
        answers
            .iter()
            .all(|a| matches!(parse_answer(a), Some(Ok(_))))
    );

    // jsonrpsee's answer to a batch over the limit: one error object, code -32010.
    let (status, text) = t
        .rpc
        .post_raw(serde_json::to_vec(&batch(1001)).unwrap())
        .await;
    assert_eq!(status, 200, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        answer["error"]["code"],
        json!(-32010),
        "{}",
        &text[..text.len().min(300)]
    );
}
