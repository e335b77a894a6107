//! Otterscan's own requests, page by page: the explorer pointed at a node with a small history
//! (a transfer, a deploy that creates a second contract, a call that logs and calls on, a
//! contract forwarding value, a nested revert) renders its home, block, tx and address pages.
//!
//! The sequence and param shapes follow Otterscan v2.9.0 (API level 8, `MIN_API_LEVEL` 5):
//! `src/useProvider.ts` (the connection probe), `src/useErigonHooks.ts` (`readBlock`,
//! `blockTransactionsFetcher`, `useTxData`, `useInternalOperations`, `useTraceTransaction`,
//! `useStateDiffTrace`, `useTransactionError`, `useTransactionBySenderAndNonce`,
//! `useContractCreator`, `hasCodeQuery`, `getCodeQuery`, `useAddressBalance`) and
//! `src/search/search.ts` (`SearchController`: first, last and middle pages of an address,
//! `PAGE_SIZE` 25 from `src/params.ts`). Block numbers and nonces go as JSON numbers, as
//! Otterscan sends them. The fields asserted are the ones Otterscan reads, or that ethers v6's
//! formatters (which Otterscan runs every block, tx and receipt through) refuse to miss.

use alloy::{
    primitives::{Address, B256, TxKind, U256},
    sol_types::SolCall,
};
use serde_json::{Value, json};

use crate::{
    ots::forwarder_init_code,
    support::{TestNode, call_tx, fresh_address, qty, qty256, sign},
    tracing::{Tracer, deploy, send},
};

/// Otterscan's `PAGE_SIZE`.
const PAGE_SIZE: u64 = 25;

/// What the pages are rendered from.
struct History {
    transfer: B256,
    deployment: B256,
    run: B256,
    forward: B256,
    failed: B256,
    tracer: Address,
    callee: Address,
    forwarder: Address,
    recipient: Address,
}

async fn history(node: &TestNode) -> History {
    let recipient = fresh_address(0x51);
    let transfer = node.transfer_and_wait(0, recipient).await.transaction_hash;
    let (tracer, callee) = deploy(node).await;
    let deployment = node
        .rpc
        .ok(
            "ots_getTransactionBySenderAndNonce",
            json!([node.account(0), 1]),
        )
        .await;
    let deployment: B256 = serde_json::from_value(deployment).unwrap();
    let run = send(
        node,
        0,
        TxKind::Call(tracer),
        Tracer::runCall { v: U256::from(21) }.abi_encode(),
    )
    .await;
    let forwarder = node.deploy(0, forwarder_init_code()).await;
    let nonce = node.pending_nonce(node.account(0)).await;
    let mut tx = call_tx(nonce, TxKind::Call(forwarder), recipient.to_vec(), 100_000);
    tx.value = U256::from(7);
    let forward = node.send_and_wait(&sign(node.signer(0), tx)).await;
    assert!(forward.status());
    let failed = send(
        node,
        0,
        TxKind::Call(tracer),
        Tracer::failNestedCall { why: "nope".into() }.abi_encode(),
    )
    .await;
    assert!(!node.receipt(failed).await.status());
    History {
        transfer,
        deployment,
        run,
        forward: forward.transaction_hash,
        failed,
        tracer,
        callee,
        forwarder,
        recipient,
    }
}

fn is_hash(v: &Value) -> bool {
    serde_json::from_value::<B256>(v.clone()).is_ok()
}

fn is_address(v: &Value) -> bool {
    serde_json::from_value::<Address>(v.clone()).is_ok()
}

fn is_data(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.starts_with("0x") && alloy::hex::decode(s).is_ok())
}

/// What ethers' `formatBlock` needs (`hash` may be null, `miner` and `baseFeePerGas` too, the
/// rest may not) and what Otterscan's `readBlock` reads next to it.
fn assert_block(block: &Value) {
    for key in ["hash", "parentHash", "stateRoot", "sha3Uncles"] {
        assert!(is_hash(&block[key]), "block {key}: {block}");
    }
    for key in [
        "number",
        "timestamp",
        "difficulty",
        "gasLimit",
        "gasUsed",
        "baseFeePerGas",
        "size",
    ] {
        qty256(&block[key]);
    }
    assert!(is_address(&block["miner"]), "block miner: {block}");
    assert!(is_data(&block["extraData"]), "block extraData: {block}");
}

/// What ethers' `formatTransactionResponse` needs.
fn assert_tx(tx: &Value) {
    assert!(is_hash(&tx["hash"]), "tx hash: {tx}");
    assert!(is_address(&tx["from"]), "tx from: {tx}");
    assert!(tx["to"].is_null() || is_address(&tx["to"]), "tx to: {tx}");
    for key in ["gas", "value", "nonce", "type", "maxFeePerGas", "gasPrice"] {
        qty256(&tx[key]);
    }
    assert!(is_data(&tx["input"]), "tx input: {tx}");
}

/// What ethers' `formatTransactionReceipt` needs; `logs` may be null only where Otterscan
/// overwrites them (`ots_getBlockTransactions`).
fn assert_receipt(receipt: &Value, logs_null_ok: bool) {
    for key in ["transactionHash", "blockHash"] {
        assert!(is_hash(&receipt[key]), "receipt {key}: {receipt}");
    }
    for key in [
        "transactionIndex",
        "blockNumber",
        "gasUsed",
        "cumulativeGasUsed",
        "effectiveGasPrice",
        "status",
        "type",
    ] {
        qty256(&receipt[key]);
    }
    assert!(is_address(&receipt["from"]), "receipt from: {receipt}");
    match &receipt["logs"] {
        Value::Null => assert!(logs_null_ok, "receipt without logs: {receipt}"),
        Value::Array(logs) => {
            for log in logs {
                assert!(is_address(&log["address"]), "log address: {log}");
                assert!(is_hash(&log["blockHash"]), "log blockHash: {log}");
                assert!(is_hash(&log["transactionHash"]), "log tx hash: {log}");
                assert!(is_data(&log["data"]), "log data: {log}");
                qty(&log["blockNumber"]);
                qty(&log["logIndex"]);
                qty(&log["transactionIndex"]);
                assert!(log["topics"].as_array().unwrap().iter().all(is_hash));
            }
        }
        other => panic!("receipt logs {other}"),
    }
}

/// `useProvider`: `eth_chainId` (ethers' network), `eth_blockNumber`, then the two probes.
async fn connect(node: &TestNode) -> u64 {
    let rpc = &node.rpc;
    assert_eq!(qty(&rpc.ok("eth_chainId", json!([])).await), 270);
    let tip = qty(&rpc.ok("eth_blockNumber", json!([])).await);
    let header = rpc.ok("erigon_getHeaderByNumber", json!([tip])).await;
    assert_eq!(qty(&header["number"]), tip);
    assert!(is_hash(&header["hash"]), "header: {header}");
    let level = rpc.ok("ots_getApiLevel", json!([])).await;
    assert!(level.as_u64().unwrap() >= 5, "API level {level}");
    tip
}

/// The home page: the latest block (`readBlock` of the tip's number).
async fn home(node: &TestNode, tip: u64) {
    let details = node.rpc.ok("ots_getBlockDetails", json!([tip])).await;
    assert_block(&details["block"]);
    assert_eq!(qty(&details["block"]["number"]), tip);
    assert_eq!(details["block"]["transactionCount"], json!(1));
    for key in ["blockReward", "uncleReward"] {
        qty256(&details["issuance"][key]);
    }
    assert!(qty256(&details["totalFees"]) > U256::ZERO);
}

/// The block page of the block holding `tx`: `/block/<number>` and `/block/<hash>`, then its
/// txs (`blockTransactionsFetcher`: page 0 of `PAGE_SIZE`).
async fn block_page(node: &TestNode, tx: B256) {
    let rpc = &node.rpc;
    let receipt = node.receipt_json(tx).await;
    let number = qty(&receipt["blockNumber"]);
    let by_number = rpc.ok("ots_getBlockDetails", json!([number])).await;
    assert_block(&by_number["block"]);
    let by_hash = rpc
        .ok("ots_getBlockDetailsByHash", json!([receipt["blockHash"]]))
        .await;
    assert_eq!(by_hash, by_number);

    let page = rpc
        .ok("ots_getBlockTransactions", json!([number, 0, PAGE_SIZE]))
        .await;
    let block = &page["fullblock"];
    assert_block(block);
    assert_eq!(block["transactionCount"], json!(1));
    let txs = block["transactions"].as_array().unwrap();
    let receipts = page["receipts"].as_array().unwrap();
    assert_eq!((txs.len(), receipts.len()), (1, 1));
    assert_tx(&txs[0]);
    assert_eq!(txs[0]["hash"], json!(tx));
    assert_receipt(&receipts[0], true);
    assert_eq!(receipts[0]["transactionHash"], json!(tx));
}

/// The tx page: the tx and its receipt, confirmations, its block, then the tabs (internal
/// operations, revert data, trace, state diff) and the sender's previous / next tx links.
async fn tx_page(node: &TestNode, hash: B256) -> (Value, Value, Value, Value) {
    let rpc = &node.rpc;
    let tx = rpc.ok("eth_getTransactionByHash", json!([hash])).await;
    assert_tx(&tx);
    let receipt = rpc.ok("eth_getTransactionReceipt", json!([hash])).await;
    assert_receipt(&receipt, false);
    let number = qty(&receipt["blockNumber"]);
    assert!(qty(&rpc.ok("eth_blockNumber", json!([])).await) >= number);
    let block = rpc.ok("ots_getBlockDetails", json!([number])).await;
    assert_block(&block["block"]);

    let operations = rpc.ok("ots_getInternalOperations", json!([hash])).await;
    let error = rpc.ok("ots_getTransactionError", json!([hash])).await;
    assert!(is_data(&error), "ots_getTransactionError: {error}");
    let trace = rpc.ok("ots_traceTransaction", json!([hash])).await;
    for entry in trace.as_array().unwrap() {
        assert!(
            entry["type"].is_string() && entry["depth"].is_u64(),
            "{entry}"
        );
        assert!(
            is_address(&entry["from"]) && is_address(&entry["to"]),
            "{entry}"
        );
        assert!(is_data(&entry["input"]), "{entry}");
    }
    let diff = rpc
        .ok("trace_replayTransaction", json!([hash, ["stateDiff"]]))
        .await;
    assert!(diff["stateDiff"].is_object(), "stateDiff: {diff}");

    let from = &tx["from"];
    let nonce = qty(&tx["nonce"]);
    let count = qty(&rpc
        .ok("eth_getTransactionCount", json!([from, "latest"]))
        .await);
    assert!(count > nonce);
    assert_eq!(
        rpc.ok("ots_getTransactionBySenderAndNonce", json!([from, nonce]))
            .await,
        json!(hash)
    );
    if nonce > 0 {
        let previous = rpc
            .ok(
                "ots_getTransactionBySenderAndNonce",
                json!([from, nonce - 1]),
            )
            .await;
        assert!(is_hash(&previous), "previous tx: {previous}");
    }
    rpc.ok(
        "ots_getTransactionBySenderAndNonce",
        json!([from, nonce + 1]),
    )
    .await;
    (receipt, operations, trace, diff)
}

/// The address page: balance, nonce, whether it is a contract (and its code and creator), then
/// its txs: the first page (newest), the last page (oldest) and a middle page around `around`
/// (`SearchController.middlePage`). Returns the hashes of the first page.
async fn address_page(node: &TestNode, address: Address, around: B256) -> Vec<B256> {
    let rpc = &node.rpc;
    qty256(&rpc.ok("eth_getBalance", json!([address, "latest"])).await);
    qty(&rpc
        .ok("eth_getTransactionCount", json!([address, "latest"]))
        .await);
    let has_code = rpc.ok("ots_hasCode", json!([address, "latest"])).await;
    let code = rpc.ok("eth_getCode", json!([address, "latest"])).await;
    assert_eq!(has_code, json!(code != json!("0x")));
    let creator = rpc.ok("ots_getContractCreator", json!([address])).await;
    if has_code == json!(true) {
        assert!(
            is_hash(&creator["hash"]) && is_address(&creator["creator"]),
            "{creator}"
        );
    }

    let first = rpc
        .ok(
            "ots_searchTransactionsBefore",
            json!([address, 0, PAGE_SIZE]),
        )
        .await;
    let last = rpc
        .ok(
            "ots_searchTransactionsAfter",
            json!([address, 0, PAGE_SIZE]),
        )
        .await;
    for page in [&first, &last] {
        let txs = page["txs"].as_array().unwrap();
        let receipts = page["receipts"].as_array().unwrap();
        assert_eq!(txs.len(), receipts.len());
        for (tx, receipt) in txs.iter().zip(receipts) {
            assert_tx(tx);
            qty(&tx["blockNumber"]);
            assert_receipt(receipt, false);
            qty(&receipt["timestamp"]);
        }
        assert!(
            page["firstPage"].is_boolean() && page["lastPage"].is_boolean(),
            "{page}"
        );
    }
    // A short history fits one page: it is both the first and the last.
    assert_eq!(
        (first["firstPage"].clone(), first["lastPage"].clone()),
        (json!(true), json!(true))
    );
    let newest: Vec<Value> = first["txs"].as_array().unwrap().clone();
    // Erigon's order for both directions: newest first.
    let oldest: Vec<Value> = last["txs"].as_array().unwrap().clone();
    assert_eq!(
        newest.iter().map(|t| &t["hash"]).collect::<Vec<_>>(),
        oldest.iter().map(|t| &t["hash"]).collect::<Vec<_>>(),
        "both directions list the same txs, newest first"
    );

    // The middle page around a tx: its block from both sides, then the ends again.
    let tx = rpc.ok("eth_getTransactionByHash", json!([around])).await;
    let number = qty(&tx["blockNumber"]);
    for (method, base) in [
        ("ots_searchTransactionsBefore", number + 1),
        ("ots_searchTransactionsAfter", number.saturating_sub(1)),
        ("ots_searchTransactionsBefore", number),
        ("ots_searchTransactionsAfter", number),
    ] {
        let page = rpc.ok(method, json!([address, base, PAGE_SIZE])).await;
        let blocks: Vec<u64> = page["txs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| qty(&t["blockNumber"]))
            .collect();
        match (method, base == number) {
            ("ots_searchTransactionsBefore", false) => assert_eq!(blocks.first(), Some(&number)),
            ("ots_searchTransactionsAfter", false) => assert_eq!(blocks.last(), Some(&number)),
            _ => assert!(!blocks.contains(&number), "{method} {base}: {blocks:?}"),
        }
    }
    newest
        .iter()
        .map(|t| serde_json::from_value(t["hash"].clone()).unwrap())
        .collect()
}

#[tokio::test]
async fn otterscan_renders_home_block_tx_and_address_pages() {
    let node = TestNode::start().await;
    let h = history(&node).await;
    let me = node.account(0);

    let tip = connect(&node).await;
    home(&node, tip).await;
    for tx in [h.transfer, h.deployment, h.run, h.forward, h.failed] {
        block_page(&node, tx).await;
    }

    // A plain transfer: no internal operations, one frame, balances in the state diff.
    let (_, operations, trace, diff) = tx_page(&node, h.transfer).await;
    assert_eq!(operations, json!([]));
    assert_eq!(trace.as_array().unwrap().len(), 1);
    assert!(
        diff["stateDiff"]
            .get(h.recipient.to_string().to_lowercase())
            .is_some(),
        "{diff}"
    );

    // The deployment: a contract created, and the contract it creates as an internal CREATE.
    let (receipt, operations, _, diff) = tx_page(&node, h.deployment).await;
    assert_eq!(receipt["contractAddress"], json!(h.tracer));
    assert_eq!(
        operations,
        json!([{"type": 2, "from": h.tracer, "to": h.callee, "value": "0x0"}])
    );
    let tracer_diff = &diff["stateDiff"][h.tracer.to_string().to_lowercase()];
    assert!(tracer_diff["code"]["+"].is_string(), "new code in {diff}");

    // A call that logs and calls on: the log in the receipt, the nested frame in the trace.
    let (receipt, _, trace, _) = tx_page(&node, h.run).await;
    assert_eq!(receipt["logs"].as_array().unwrap().len(), 1);
    assert!(
        trace
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["to"] == json!(h.callee) && e["depth"] == json!(1)),
        "{trace}"
    );

    // Value passed on inside the tx: one internal transfer.
    let (_, operations, _, _) = tx_page(&node, h.forward).await;
    assert_eq!(
        operations,
        json!([{"type": 0, "from": h.forwarder, "to": h.recipient, "value": "0x7"}])
    );

    // The nested revert: its Error(string) data for the "Fail" banner.
    tx_page(&node, h.failed).await;
    let error = node
        .rpc
        .ok("ots_getTransactionError", json!([h.failed]))
        .await;
    assert!(error.as_str().unwrap().starts_with("0x08c379a0"), "{error}");

    // The sender's page lists all its txs; a contract's page lists the calls to it.
    let mine = address_page(&node, me, h.run).await;
    assert_eq!(
        mine,
        vec![
            h.failed,
            h.forward,
            mine[2],
            h.run,
            h.deployment,
            h.transfer
        ],
        "newest first"
    );
    let tracer = address_page(&node, h.tracer, h.run).await;
    assert_eq!(tracer, vec![h.failed, h.run, h.deployment]);
    address_page(&node, h.recipient, h.transfer).await;
}
