//! Otterscan's `ots_` namespace (API level 8): what the explorer shows for a block, a tx (its
//! trace, internal operations and revert data) and an address (its txs page by page, a
//! contract's creator), and that the address pages follow the chain through a revert, a
//! rollback and a restart.

use alloy::{
    primitives::{Address, B256, Bytes, TxKind, U256},
    sol_types::{Revert, SolCall, SolError},
};
use serde_json::{Value, json};
use zkos_dev::config::Storage;

use crate::{
    support::{TestNode, call_tx, fresh_address, hex_u64, qty, qty256, sign, transfer},
    tracing::{Tracer, deploy, send},
};

/// A contract that forwards the value it gets to the address in the first 20 bytes of its
/// calldata: `CALL(gas, calldata[0..20], callvalue, 0, 0, 0, 0)`.
const FORWARDER_RUNTIME: &str = "60006000600060003460003560601c5af100";

/// Init code returning `FORWARDER_RUNTIME`.
pub(crate) fn forwarder_init_code() -> Bytes {
    let runtime = alloy::hex::decode(FORWARDER_RUNTIME).unwrap();
    let mut init = alloy::hex::decode("6012600c60003960126000f3").unwrap();
    assert_eq!(runtime.len(), 0x12);
    assert_eq!(init.len(), 0x0c);
    init.extend(runtime);
    init.into()
}

alloy::sol! {
    /// Callee's custom error (tests/it/contracts/Tracer.sol).
    error Denied(address who, uint256 amount);
}

fn hashes(page: &Value) -> Vec<B256> {
    page["txs"]
        .as_array()
        .unwrap_or_else(|| panic!("no txs in {page}"))
        .iter()
        .map(|tx| serde_json::from_value(tx["hash"].clone()).unwrap())
        .collect()
}

fn blocks(page: &Value) -> Vec<u64> {
    page["txs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tx| qty(&tx["blockNumber"]))
        .collect()
}

#[tokio::test]
async fn block_details_and_block_transactions_page_from_the_end() {
    let node = TestNode::manual().await;
    let rpc = &node.rpc;
    assert_eq!(rpc.ok("ots_getApiLevel", json!([])).await, json!(8));
    let (tracer, _) = deploy(&node).await;
    let me = node.account(0);
    let start = node.nonce(me).await;
    let mut sent = Vec::new();
    for (i, v) in [3u64, 4, 5].into_iter().enumerate() {
        let input = Tracer::runCall { v: U256::from(v) }.abi_encode();
        let tx = sign(
            node.signer(0),
            call_tx(start + i as u64, TxKind::Call(tracer), input, 3_000_000),
        );
        sent.push(node.send(&tx).await);
    }
    node.mine().await;
    let receipts: Vec<Value> = futures_receipts(&node, &sent).await;
    let n = qty(&receipts[0]["blockNumber"]);
    let block = rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(n), false]))
        .await;

    // Otterscan sends block numbers as JSON numbers.
    let details = rpc.ok("ots_getBlockDetails", json!([n])).await;
    assert_eq!(details["block"]["hash"], block["hash"]);
    assert_eq!(details["block"]["transactionCount"], json!(3));
    assert!(details["block"].get("transactions").is_none(), "{details}");
    let fees: U256 = receipts
        .iter()
        .map(|r| qty256(&r["gasUsed"]) * qty256(&r["effectiveGasPrice"]))
        .sum();
    assert!(!fees.is_zero());
    assert_eq!(qty256(&details["totalFees"]), fees);
    assert_eq!(
        details["issuance"],
        json!({"blockReward": "0x0", "uncleReward": "0x0", "issuance": "0x0"})
    );
    assert_eq!(
        rpc.ok("ots_getBlockDetailsByHash", json!([block["hash"]]))
            .await,
        details
    );
    assert_eq!(
        rpc.err("ots_getBlockDetails", json!([n + 100])).await.code,
        -32001
    );

    // Page 0 holds the block's last two txs, page 1 its first one.
    let page0 = rpc.ok("ots_getBlockTransactions", json!([n, 0, 2])).await;
    let full = &page0["fullblock"];
    assert_eq!(full["transactionCount"], json!(3));
    let txs = full["transactions"].as_array().unwrap();
    let got: Vec<B256> = txs
        .iter()
        .map(|t| serde_json::from_value(t["hash"].clone()).unwrap())
        .collect();
    assert_eq!(got, sent[1..]);
    let selector = format!("0x{}", alloy::hex::encode(Tracer::runCall::SELECTOR));
    assert_eq!(
        txs[0]["input"],
        json!(selector),
        "input cut to the selector"
    );
    let page_receipts = page0["receipts"].as_array().unwrap();
    assert_eq!(page_receipts.len(), 2);
    assert_eq!(page_receipts[0]["transactionHash"], json!(sent[1]));
    assert_eq!(page_receipts[0]["logs"], Value::Null);
    assert_eq!(page_receipts[0]["logsBloom"], Value::Null);
    assert_eq!(page_receipts[0]["status"], json!("0x1"));
    assert_eq!(page_receipts[0]["timestamp"], block["timestamp"]);
    assert_eq!(page_receipts[1]["gasUsed"], receipts[2]["gasUsed"]);
    let page1 = rpc
        .ok("ots_getBlockTransactions", json!([hex_u64(n), 1, 2]))
        .await;
    assert_eq!(
        page1["fullblock"]["transactions"][0]["hash"],
        json!(sent[0])
    );
    assert_eq!(page1["receipts"].as_array().unwrap().len(), 1);

    // Txs by sender and nonce; code at a block.
    assert_eq!(
        rpc.ok(
            "ots_getTransactionBySenderAndNonce",
            json!([me, hex_u64(start + 1)])
        )
        .await,
        json!(sent[1])
    );
    assert_eq!(
        rpc.ok(
            "ots_getTransactionBySenderAndNonce",
            json!([me, hex_u64(start + 3)])
        )
        .await,
        Value::Null
    );
    assert_eq!(
        rpc.ok("ots_hasCode", json!([tracer, "latest"])).await,
        json!(true)
    );
    assert_eq!(
        rpc.ok("ots_hasCode", json!([tracer, 0])).await,
        json!(false)
    );
    assert_eq!(rpc.ok("ots_hasCode", json!([me])).await, json!(false));
    let header = rpc.ok("ots_getHeaderByNumber", json!([n])).await;
    assert_eq!(header["hash"], block["hash"]);
    assert_eq!(rpc.ok("erigon_getHeaderByNumber", json!([n])).await, header);
}

async fn futures_receipts(node: &TestNode, hashes: &[B256]) -> Vec<Value> {
    let mut out = Vec::new();
    for hash in hashes {
        out.push(node.receipt_json(*hash).await);
    }
    out
}

/// Every page of `address`'s history, walked the way Otterscan does: from the tip back with
/// `ots_searchTransactionsBefore`, and from genesis forward with `ots_searchTransactionsAfter`.
async fn walk(node: &TestNode, address: Address, page_size: usize) -> (Vec<Value>, Vec<Value>) {
    let mut back = vec![
        node.rpc
            .ok(
                "ots_searchTransactionsBefore",
                json!([address, 0, page_size]),
            )
            .await,
    ];
    while back.last().unwrap()["lastPage"] != json!(true) {
        let oldest = *blocks(back.last().unwrap()).last().unwrap();
        let page = node
            .rpc
            .ok(
                "ots_searchTransactionsBefore",
                json!([address, oldest, page_size]),
            )
            .await;
        back.push(page);
        assert!(back.len() < 100, "paging does not end");
    }
    let mut forward = vec![
        node.rpc
            .ok(
                "ots_searchTransactionsAfter",
                json!([address, 0, page_size]),
            )
            .await,
    ];
    while forward.last().unwrap()["firstPage"] != json!(true) {
        let newest = blocks(forward.last().unwrap())[0];
        let page = node
            .rpc
            .ok(
                "ots_searchTransactionsAfter",
                json!([address, newest, page_size]),
            )
            .await;
        forward.push(page);
        assert!(forward.len() < 100, "paging does not end");
    }
    (back, forward)
}

#[tokio::test]
async fn search_pages_an_address_history_across_many_blocks() {
    let node = TestNode::manual().await;
    let x = fresh_address(0x31);
    let me = node.account(0);
    let mut nonce = node.nonce(me).await;
    // 14 txs to x over 12 blocks (three in the 6th), and traffic elsewhere in between.
    let mut to_x = Vec::new();
    for i in 0..12u64 {
        let count = if i == 5 { 3 } else { 1 };
        for _ in 0..count {
            let tx = sign(node.signer(0), transfer(nonce, x, U256::from(1 + i)));
            nonce += 1;
            to_x.push(node.send(&tx).await);
        }
        let other = sign(
            node.signer(1),
            transfer(i, fresh_address(0x32), U256::from(1)),
        );
        node.send(&other).await;
        node.mine().await;
    }
    let newest_first: Vec<B256> = to_x.iter().rev().copied().collect();

    let first = node
        .rpc
        .ok("ots_searchTransactionsBefore", json!([x, 0, 4]))
        .await;
    assert_eq!(first["firstPage"], json!(true));
    assert_eq!(first["lastPage"], json!(false));
    assert_eq!(hashes(&first), newest_first[..4]);
    let receipts = first["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), 4);
    assert_eq!(receipts[0]["transactionHash"], json!(newest_first[0]));
    assert_eq!(
        receipts[0]["logs"],
        json!([]),
        "search receipts keep their logs"
    );
    assert_eq!(
        receipts[0]["timestamp"],
        node.rpc
            .ok(
                "eth_getBlockByNumber",
                json!([first["txs"][0]["blockNumber"], false])
            )
            .await["timestamp"]
    );

    for page_size in [1, 4, 5, 100] {
        let (back, forward) = walk(&node, x, page_size).await;
        for (pages, backwards) in [(&back, true), (&forward, false)] {
            let all: Vec<B256> = pages.iter().flat_map(hashes).collect();
            assert_eq!(all.len(), 14, "page size {page_size}");
            for page in pages.iter() {
                let b = blocks(page);
                assert!(b.windows(2).all(|w| w[0] >= w[1]), "newest first: {b:?}");
            }
            // A page is only longer than asked to finish its last block, never splits one.
            for pair in pages.windows(2) {
                let (a, b) = (blocks(&pair[0]), blocks(&pair[1]));
                assert!(a.len() >= page_size.min(14), "{a:?}");
                let older = if backwards { (a, b) } else { (b, a) };
                assert!(older.0.last() > older.1.first(), "{older:?}");
            }
        }
        let back_all: Vec<B256> = back.iter().flat_map(hashes).collect();
        assert_eq!(back_all, newest_first, "page size {page_size}");
        let forward_all: Vec<B256> = forward.iter().rev().flat_map(hashes).collect();
        assert_eq!(forward_all, newest_first, "page size {page_size}");
        assert_eq!(forward[0]["lastPage"], json!(true));
        assert_eq!(back.last().unwrap()["lastPage"], json!(true));
    }
    // The block with three txs to x is returned whole on a page of 1.
    let (back, _) = walk(&node, x, 1).await;
    assert!(back.iter().any(|p| hashes(p).len() == 3));

    // The sender's page holds all of its txs; an address never used has one empty page.
    let (mine, _) = walk(&node, me, 50).await;
    assert_eq!(mine.iter().map(|p| hashes(p).len()).sum::<usize>(), 14);
    let nobody = node
        .rpc
        .ok(
            "ots_searchTransactionsBefore",
            json!([fresh_address(0x33), 0, 5]),
        )
        .await;
    assert_eq!(
        nobody,
        json!({"txs": [], "receipts": [], "firstPage": true, "lastPage": true})
    );
    assert_eq!(
        node.rpc
            .err("ots_searchTransactionsAfter", json!([x, 0, 0]))
            .await
            .code,
        -32602
    );
}

#[tokio::test]
async fn a_contracts_creator_its_internal_operations_and_trace() {
    let node = TestNode::start().await;
    let rpc = &node.rpc;
    let me = node.account(0);

    // Tracer creates its Callee in its constructor: Tracer's creator is the deployer, Callee's
    // is Tracer, both in the deployment tx.
    let (tracer, callee) = deploy(&node).await;
    // Otterscan sends the nonce as a JSON number.
    let deployment = rpc
        .ok("ots_getTransactionBySenderAndNonce", json!([me, 0]))
        .await;
    assert_eq!(
        rpc.ok("ots_getContractCreator", json!([tracer])).await,
        json!({"hash": deployment, "creator": me})
    );
    assert_eq!(
        rpc.ok("ots_getContractCreator", json!([callee])).await,
        json!({"hash": deployment, "creator": tracer})
    );
    assert_eq!(
        rpc.ok("ots_getInternalOperations", json!([deployment]))
            .await,
        json!([{"type": 2, "from": tracer, "to": callee, "value": "0x0"}])
    );
    // An EOA, and code put in place by a dev method, have no creator.
    assert_eq!(
        rpc.ok("ots_getContractCreator", json!([me])).await,
        Value::Null
    );
    let planted = fresh_address(0x34);
    rpc.ok(
        "anvil_setCode",
        json!([planted, format!("0x{FORWARDER_RUNTIME}")]),
    )
    .await;
    node.transfer_and_wait(1, fresh_address(0x35)).await;
    assert_eq!(
        rpc.ok("ots_getContractCreator", json!([planted])).await,
        Value::Null
    );

    // A contract that passes value on: one internal transfer.
    let forwarder = node.deploy(0, forwarder_init_code()).await;
    assert_eq!(
        rpc.ok("ots_getContractCreator", json!([forwarder])).await["creator"],
        json!(me)
    );
    let recipient = fresh_address(0x36);
    let nonce = node.nonce(me).await;
    let mut tx = call_tx(nonce, TxKind::Call(forwarder), recipient.to_vec(), 100_000);
    tx.value = U256::from(7);
    let hash = node.send(&sign(node.signer(0), tx)).await;
    assert!(node.receipt(hash).await.status());
    assert_eq!(node.balance(recipient).await, U256::from(7));
    assert_eq!(
        rpc.ok("ots_getInternalOperations", json!([hash])).await,
        json!([{"type": 0, "from": forwarder, "to": recipient, "value": "0x7"}])
    );
    assert_eq!(
        rpc.ok("ots_traceTransaction", json!([hash])).await,
        json!([
            {"type": "CALL", "depth": 0, "from": me, "to": forwarder, "value": "0x7",
             "input": Bytes::from(recipient.to_vec()), "output": "0x"},
            {"type": "CALL", "depth": 1, "from": forwarder, "to": recipient, "value": "0x7",
             "input": "0x", "output": "0x"},
        ])
    );
    // A plain transfer has no internal operations.
    let plain = node.transfer_and_wait(0, recipient).await.transaction_hash;
    assert_eq!(
        rpc.ok("ots_getInternalOperations", json!([plain])).await,
        json!([])
    );

    // Tracer.run: a CALL into Callee and STATICCALLs to the console (no value).
    let run = send(
        &node,
        0,
        TxKind::Call(tracer),
        Tracer::runCall { v: U256::from(21) }.abi_encode(),
    )
    .await;
    let trace = rpc.ok("ots_traceTransaction", json!([run])).await;
    let entries = trace.as_array().unwrap();
    assert_eq!(entries[0]["type"], json!("CALL"));
    assert_eq!(entries[0]["depth"], json!(0));
    assert_eq!(entries[0]["to"], json!(tracer));
    let store = entries
        .iter()
        .find(|e| e["to"] == json!(callee))
        .unwrap_or_else(|| panic!("no call to Callee in {trace}"));
    assert_eq!(store["type"], json!("CALL"));
    assert_eq!(store["depth"], json!(1));
    assert_eq!(store["from"], json!(tracer));
    assert_eq!(qty256(&store["output"]), U256::from(42));
    let console = entries
        .iter()
        .find(|e| e["type"] == json!("STATICCALL"))
        .unwrap_or_else(|| panic!("no console call in {trace}"));
    assert_eq!(console["value"], Value::Null);
    assert_eq!(
        rpc.ok("ots_traceTransaction", json!([B256::repeat_byte(1)]))
            .await,
        Value::Null
    );
}

#[tokio::test]
async fn a_reverted_txs_error_data() {
    let node = TestNode::start().await;
    let rpc = &node.rpc;
    let (tracer, _) = deploy(&node).await;
    let failed = send(
        &node,
        0,
        TxKind::Call(tracer),
        Tracer::failNestedCall { why: "nope".into() }.abi_encode(),
    )
    .await;
    assert!(!node.receipt(failed).await.status());
    let expected = Bytes::from(Revert::from("nope").abi_encode());
    assert_eq!(
        rpc.ok("ots_getTransactionError", json!([failed])).await,
        json!(expected)
    );
    let denied = send(
        &node,
        0,
        TxKind::Call(tracer),
        Tracer::denyNestedCall {
            amount: U256::from(9),
        }
        .abi_encode(),
    )
    .await;
    let data = rpc.ok("ots_getTransactionError", json!([denied])).await;
    let data: Bytes = serde_json::from_value(data).unwrap();
    let denial = Denied::abi_decode(&data).unwrap();
    assert_eq!(denial.amount, U256::from(9));
    let ok = send(
        &node,
        0,
        TxKind::Call(tracer),
        Tracer::runCall { v: U256::from(1) }.abi_encode(),
    )
    .await;
    assert_eq!(
        rpc.ok("ots_getTransactionError", json!([ok])).await,
        json!("0x")
    );
    assert_eq!(
        rpc.ok("ots_getTransactionError", json!([B256::repeat_byte(2)]))
            .await,
        Value::Null
    );
}

/// `ots_searchTransactionsBefore` from the tip with a page big enough for everything.
async fn history(node: &TestNode, address: Address) -> Vec<B256> {
    let page = node
        .rpc
        .ok("ots_searchTransactionsBefore", json!([address, 0, 1000]))
        .await;
    hashes(&page)
}

#[tokio::test]
async fn address_pages_follow_a_revert_a_rollback_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let node = TestNode::start_with(|c| c.storage = Storage::Dir(path.clone())).await;
    let x = fresh_address(0x41);
    let (tracer, callee) = deploy(&node).await;
    let kept = [
        node.transfer_and_wait(0, x).await.transaction_hash,
        node.transfer_and_wait(0, x).await.transaction_hash,
    ];
    let snapshot = node.rpc.ok("evm_snapshot", json!([])).await;
    node.transfer_and_wait(0, x).await;
    let late = deploy(&node).await.1;
    assert_eq!(history(&node, x).await.len(), 3);
    assert!(
        !node
            .rpc
            .ok("ots_getContractCreator", json!([late]))
            .await
            .is_null()
    );
    node.rpc.ok("evm_revert", json!([snapshot])).await;
    let newest_first: Vec<B256> = kept.iter().rev().copied().collect();
    assert_eq!(history(&node, x).await, newest_first);
    assert_eq!(
        node.rpc.ok("ots_getContractCreator", json!([late])).await,
        Value::Null,
        "reverted away"
    );

    node.transfer_and_wait(0, x).await;
    node.rpc.ok("anvil_rollback", json!([1])).await;
    assert_eq!(history(&node, x).await, newest_first);
    let me = node.account(0);
    let next = node.nonce(me).await;
    assert_eq!(
        node.rpc
            .ok(
                "ots_getTransactionBySenderAndNonce",
                json!([me, hex_u64(next)])
            )
            .await,
        Value::Null
    );

    node.node.shutdown().await;
    let node = TestNode::start_with(|c| c.storage = Storage::Dir(path)).await;
    assert_eq!(history(&node, x).await, newest_first);
    assert_eq!(
        node.rpc.ok("ots_getContractCreator", json!([callee])).await["creator"],
        json!(tracer)
    );
    drop(dir);
}
