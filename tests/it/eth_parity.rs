//! The eth_ / debug_ methods geth, reth and zksync-os-server have beyond the basics: headers and
//! raw encodings (decoded back with alloy), `eth_getStorageValues`,
//! `eth_getTransactionBySenderAndNonce`, block overrides in `eth_call`, `eth_fillTransaction`,
//! `eth_config`, `debug_chainConfig`, `debug_codeByHash`, `eth_getAccount` / `eth_getAccountInfo`,
//! `eth_callMany` / `debug_traceCallMany`.

use alloy::{
    consensus::{Block, ReceiptEnvelope, TxEnvelope},
    eips::Decodable2718,
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::Provider,
    rlp::Decodable,
};
use serde_json::{Value, json};

use crate::support::{TestNode, hex_u64, qty};

fn bytes(v: &Value) -> Bytes {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v} is not bytes: {e}"))
}

#[tokio::test]
async fn headers_and_raw_encodings_decode_to_what_the_json_says() {
    let node = TestNode::start().await;
    let rpc = &node.rpc;
    let counter = node.deploy_counter(0).await;
    let receipt = node
        .call_and_wait(1, counter, crate::contracts::Counter::incrementCall {})
        .await;
    let n = receipt.block_number.unwrap();
    let tag = hex_u64(n);
    let block = rpc.ok("eth_getBlockByNumber", json!([tag, false])).await;

    let header = rpc.ok("eth_getHeaderByNumber", json!([tag])).await;
    for field in [
        "hash",
        "number",
        "parentHash",
        "stateRoot",
        "timestamp",
        "size",
    ] {
        assert_eq!(header[field], block[field], "{field}");
    }
    assert!(header.get("transactions").is_none(), "{header}");
    assert_eq!(
        rpc.ok("eth_getHeaderByHash", json!([block["hash"]])).await,
        header
    );
    assert_eq!(
        rpc.ok("eth_getHeaderByNumber", json!([hex_u64(n + 100)]))
            .await,
        Value::Null
    );

    let raw_header = bytes(&rpc.ok("debug_getRawHeader", json!([tag])).await);
    assert_eq!(json!(keccak256(&raw_header)), block["hash"]);

    let raw_block = bytes(&rpc.ok("debug_getRawBlock", json!([tag])).await);
    assert_eq!(qty(&block["size"]) as usize, raw_block.len());
    let decoded = Block::<TxEnvelope>::decode(&mut raw_block.as_ref()).unwrap();
    assert_eq!(json!(decoded.header.hash_slow()), block["hash"]);
    let hashes: Vec<B256> = decoded
        .body
        .transactions
        .iter()
        .map(|t| *t.tx_hash())
        .collect();
    assert_eq!(json!(hashes), block["transactions"]);

    let raw_txs = rpc.ok("debug_getRawTransactions", json!([tag])).await;
    let raw_tx = rpc
        .ok("debug_getRawTransaction", json!([receipt.transaction_hash]))
        .await;
    assert_eq!(
        raw_tx,
        rpc.ok(
            "eth_getRawTransactionByHash",
            json!([receipt.transaction_hash])
        )
        .await
    );
    let index = receipt.transaction_index.unwrap();
    assert_eq!(raw_txs[index as usize], raw_tx);
    assert_eq!(
        rpc.ok(
            "eth_getRawTransactionByBlockNumberAndIndex",
            json!([tag, hex_u64(index)])
        )
        .await,
        raw_tx
    );
    assert_eq!(
        rpc.ok(
            "eth_getRawTransactionByBlockHashAndIndex",
            json!([block["hash"], hex_u64(index)])
        )
        .await,
        raw_tx
    );
    let tx = TxEnvelope::decode_2718(&mut bytes(&raw_tx).as_ref()).unwrap();
    assert_eq!(*tx.tx_hash(), receipt.transaction_hash);
    assert_eq!(
        rpc.ok("debug_getRawTransaction", json!([B256::repeat_byte(9)]))
            .await,
        Value::Null
    );

    let raw_receipts = rpc.ok("debug_getRawReceipts", json!([tag])).await;
    let decoded =
        ReceiptEnvelope::decode_2718(&mut bytes(&raw_receipts[index as usize]).as_ref()).unwrap();
    assert!(decoded.status());
    assert_eq!(
        decoded.cumulative_gas_used(),
        receipt.inner.cumulative_gas_used()
    );
    assert_eq!(decoded.logs().len(), receipt.inner.logs().len());
    let unknown = rpc
        .err("debug_getRawBlock", json!([hex_u64(n + 100)]))
        .await;
    assert_eq!(unknown.code, -32001, "{unknown:?}");

    // debug_codeByHash: the code with that keccak hash.
    let code = node.provider.get_code_at(counter).await.unwrap();
    assert_eq!(
        bytes(&rpc.ok("debug_codeByHash", json!([keccak256(&code)])).await),
        code
    );
    assert_eq!(
        rpc.ok("debug_codeByHash", json!([B256::repeat_byte(3)]))
            .await,
        Value::Null
    );
}

#[tokio::test]
async fn storage_values_sender_and_nonce_and_fill_transaction() {
    let node = TestNode::start().await;
    let rpc = &node.rpc;
    let counter = node.deploy_counter(0).await;
    node.call_and_wait(0, counter, crate::contracts::Counter::incrementCall {})
        .await;
    let slot0 = rpc
        .ok("eth_getStorageAt", json!([counter, "0x0", "latest"]))
        .await;
    let values = rpc
        .ok(
            "eth_getStorageValues",
            json!([{ counter.to_string(): ["0x0", "0x1"] }, "latest"]),
        )
        .await;
    assert_eq!(
        values,
        json!({ counter.to_string().to_lowercase(): [slot0, B256::ZERO] })
    );
    let too_many: Vec<String> = (0..1025).map(hex_u64).collect();
    let err = rpc
        .err(
            "eth_getStorageValues",
            json!([{ counter.to_string(): too_many }, "latest"]),
        )
        .await;
    assert_eq!(err.code, -32602, "{err:?}");

    // Account 0 sent the deploy (nonce 0) and the increment (nonce 1).
    let sender = node.account(0);
    for nonce in [0u64, 1] {
        let tx = rpc
            .ok(
                "eth_getTransactionBySenderAndNonce",
                json!([sender, hex_u64(nonce)]),
            )
            .await;
        assert_eq!(qty(&tx["nonce"]), nonce, "{tx}");
        assert_eq!(tx["from"], json!(sender.to_string().to_lowercase()));
        let by_hash = rpc
            .ok("eth_getTransactionByHash", json!([tx["hash"]]))
            .await;
        assert_eq!(tx, by_hash);
    }
    assert_eq!(
        rpc.ok(
            "eth_getTransactionBySenderAndNonce",
            json!([sender, hex_u64(2)])
        )
        .await,
        Value::Null
    );

    // eth_fillTransaction: nonce, chain id, fees and gas filled in, unsigned.
    let from = node.account(2);
    let to = Address::repeat_byte(0x42);
    let filled = rpc
        .ok(
            "eth_fillTransaction",
            json!([{"from": from, "to": to, "value": "0x5"}]),
        )
        .await;
    let tx = &filled["tx"];
    assert_eq!(qty(&tx["nonce"]), node.nonce(from).await);
    assert_eq!(qty(&tx["chainId"]), 270);
    let estimate = rpc
        .ok(
            "eth_estimateGas",
            json!([{"from": from, "to": to, "value": "0x5"}]),
        )
        .await;
    assert_eq!(tx["gas"], estimate);
    let raw = TxEnvelope::decode_2718(&mut bytes(&filled["raw"]).as_ref()).unwrap();
    assert_eq!(json!(raw.tx_hash()), tx["hash"]);
    assert_eq!(alloy::consensus::Transaction::to(&raw), Some(to));
    assert_eq!(alloy::consensus::Transaction::value(&raw), U256::from(5));
}

/// Runs init code that returns one 32-byte word computed by `opcodes` (pushed last).
async fn block_value(node: &TestNode, opcodes: &str, overrides: Value) -> U256 {
    // <opcodes> PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    let code = format!("0x{opcodes}60005260206000f3");
    let out = node
        .rpc
        .ok(
            "eth_call",
            json!([{"from": node.account(0), "data": code}, "latest", null, overrides]),
        )
        .await;
    U256::from_be_slice(&bytes(&out))
}

#[tokio::test]
async fn eth_call_applies_block_overrides() {
    let node = TestNode::start().await;
    node.transfer_and_wait(0, Address::repeat_byte(1)).await;
    let latest = node.block_number().await;
    // NUMBER, TIMESTAMP, COINBASE, GASLIMIT, BASEFEE, PREVRANDAO, BLOCKHASH(latest)
    assert_eq!(
        block_value(&node, "43", json!({})).await,
        U256::from(latest + 1)
    );
    assert_eq!(
        block_value(&node, "43", json!({"number": "0x1234"})).await,
        U256::from(0x1234)
    );
    assert_eq!(
        block_value(&node, "42", json!({"time": "0x77"})).await,
        U256::from(0x77)
    );
    let coinbase = Address::repeat_byte(0xcb);
    assert_eq!(
        block_value(&node, "41", json!({"feeRecipient": coinbase})).await,
        U256::from_be_slice(coinbase.as_slice())
    );
    assert_eq!(
        block_value(&node, "45", json!({"gasLimit": "0x989680"})).await,
        U256::from(10_000_000)
    );
    assert_eq!(
        block_value(&node, "48", json!({"baseFeePerGas": "0x7"})).await,
        U256::from(7)
    );
    let random = B256::repeat_byte(0x5a);
    assert_eq!(
        block_value(&node, "44", json!({"prevRandao": random})).await,
        U256::from_be_bytes(random.0)
    );
    let hash = B256::repeat_byte(0xbb);
    let push = format!("60{latest:02x}40");
    assert_eq!(
        block_value(
            &node,
            &push,
            json!({"blockHash": {latest.to_string(): hash}})
        )
        .await,
        U256::from_be_bytes(hash.0)
    );
    let err = node
        .rpc
        .err(
            "eth_call",
            json!([{"data": "0x4a60005260206000f3"}, "latest", null, {"blobBaseFee": "0x2"}]),
        )
        .await;
    assert_eq!(err.code, -32602, "{err:?}");
}

#[tokio::test]
async fn eth_config_and_debug_chain_config_describe_the_rules_in_force() {
    let node = TestNode::start().await;
    let config = node.rpc.ok("eth_config", json!([])).await;
    let current = &config["current"];
    assert_eq!(current["chainId"], "0x10e");
    assert_eq!(current["activationTime"], 0);
    let precompiles = current["precompiles"].as_object().unwrap();
    let names: Vec<&str> = precompiles.keys().map(String::as_str).collect();
    let mut expected = vec![
        "BN254_ADD",
        "BN254_MUL",
        "BN254_PAIRING",
        "ECREC",
        "ID",
        "MODEXP",
        "P256VERIFY",
        "RIPEMD160",
        "SHA256",
    ];
    expected.sort_unstable();
    assert_eq!(names, expected, "ZKsync OS's precompiles");
    assert_eq!(
        precompiles["P256VERIFY"],
        "0x0000000000000000000000000000000000000100"
    );
    assert_eq!(
        current["blobSchedule"],
        json!({"baseFeeUpdateFraction": 3_338_477, "max": 6, "target": 3}),
        "Cancun's"
    );
    assert_eq!(config["next"], Value::Null);
    let fork_id = current["forkId"].as_str().unwrap();
    assert_eq!(fork_id.len(), 10, "4 bytes: {fork_id}");

    let chain = node.rpc.ok("debug_chainConfig", json!([])).await;
    assert_eq!(chain["chainId"], 270);
    assert_eq!(chain["londonBlock"], 0);
    assert_eq!(chain["cancunTime"], 0);
    assert!(chain.get("pragueTime").is_none(), "{chain}");

    // The L1 runs Ethereum's latest rules.
    let l1 = crate::support::RawRpc::new(node.node.l1_rpc_url().unwrap());
    let l1_chain = l1.ok("debug_chainConfig", json!([])).await;
    assert_eq!(l1_chain["chainId"], 31337);
    assert_eq!(l1_chain["osakaTime"], 0);
    let l1_config = l1.ok("eth_config", json!([])).await;
    assert!(l1_config["current"]["precompiles"]["BLAKE2F"].is_string());
}

#[tokio::test]
async fn trace_filter_finds_the_traces_of_an_address_and_pages() {
    let node = TestNode::start().await;
    let to = Address::repeat_byte(0x71);
    let mut hashes = vec![];
    for _ in 0..3 {
        hashes.push(node.transfer_and_wait(4, to).await.transaction_hash);
    }
    node.transfer_and_wait(5, Address::repeat_byte(0x72)).await;
    let latest = node.block_number().await;
    let filter = json!({"fromBlock": "0x0", "toBlock": hex_u64(latest), "toAddress": [to]});
    let traces = node.rpc.ok("trace_filter", json!([filter])).await;
    let found: Vec<Value> = traces
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["transactionHash"].clone())
        .collect();
    assert_eq!(found, json!(hashes).as_array().unwrap().clone());
    for t in traces.as_array().unwrap() {
        assert_eq!(t["action"]["to"], json!(to.to_string().to_lowercase()));
        assert_eq!(
            t["action"]["from"],
            json!(node.account(4).to_string().to_lowercase())
        );
    }
    let mut page = filter.clone();
    page["after"] = json!(1);
    page["count"] = json!(1);
    let paged = node.rpc.ok("trace_filter", json!([page])).await;
    assert_eq!(paged, json!([traces[1]]));
    // The same traces as trace_transaction.
    let single = node.rpc.ok("trace_transaction", json!([hashes[0]])).await;
    assert_eq!(single[0], traces[0]);
}

#[tokio::test]
async fn get_account_and_get_account_info_match_anvil() {
    let node = TestNode::start().await;
    let rpc = &node.rpc;
    let who = crate::support::fresh_address(7);
    let one = format!("{:#066x}", 1);
    let answer = format!("{:#066x}", 42);
    for (method, params) in [
        ("anvil_setStorageAt", json!([who, "0x0", one])),
        ("anvil_setStorageAt", json!([who, "0x1", answer])),
        ("anvil_setCode", json!([who, "0x6001600055"])),
        ("anvil_setBalance", json!([who, "0x1234"])),
        ("anvil_setNonce", json!([who, "0x5"])),
    ] {
        rpc.ok(method, params).await;
    }

    // anvil's answers for the same account (anvil v1, the same five dev calls).
    assert_eq!(
        rpc.ok("eth_getAccount", json!([who, "latest"])).await,
        json!({
            "nonce": "0x5",
            "balance": "0x1234",
            "storageRoot": "0x9c1b6e5943fd613df223911db8c38bb9f50f641977e76d974ffbb79c0af93289",
            "codeHash": "0x7efcce47028dabcb0d42f3a7eda8820bf6f7f4e618398c2547d52f703cafb073",
        })
    );
    assert_eq!(
        rpc.ok("eth_getAccountInfo", json!([who, "latest"])).await,
        json!({"balance": "0x1234", "nonce": "0x5", "code": "0x6001600055"})
    );
    // An account never touched: the empty account (empty trie root, keccak of no code).
    let nobody = crate::support::fresh_address(8);
    assert_eq!(
        rpc.ok("eth_getAccount", json!([nobody, "latest"])).await,
        json!({
            "nonce": "0x0",
            "balance": "0x0",
            "storageRoot": "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421",
            "codeHash": "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
        })
    );
    assert_eq!(
        rpc.ok("eth_getAccountInfo", json!([nobody])).await,
        json!({"balance": "0x0", "nonce": "0x0", "code": "0x"})
    );

    // The state at the block asked for: a block before a transfer sees the balance before it.
    let receiver = crate::support::fresh_address(9);
    let first = node.transfer_and_wait(0, receiver).await;
    node.transfer_and_wait(0, receiver).await;
    let at_first = hex_u64(first.block_number.unwrap());
    let then = rpc
        .ok("eth_getAccountInfo", json!([receiver, at_first]))
        .await;
    assert_eq!(then["balance"], json!("0x1"));
    let now = rpc.ok("eth_getAccount", json!([receiver, "latest"])).await;
    assert_eq!(now["balance"], json!("0x2"));
    let sender = rpc
        .ok("eth_getAccount", json!([node.account(0), at_first]))
        .await;
    assert_eq!(qty(&sender["nonce"]), 1, "{sender}");

    // What forge's alloy provider decodes.
    let account = node.provider.get_account(who).await.unwrap();
    assert_eq!(account.nonce, 5);
    assert_eq!(account.code_hash, keccak256([0x60, 0x01, 0x60, 0x00, 0x55]));
    let info = node.provider.get_account_info(who).await.unwrap();
    assert_eq!(info.balance, U256::from(0x1234));
    assert_eq!(
        rpc.err("eth_getAccount", json!([who, "0x999999"]))
            .await
            .code,
        -32001
    );
}

#[tokio::test]
async fn call_many_runs_bundles_on_each_others_state() {
    use crate::contracts::Counter;
    use alloy::{primitives::TxKind, sol_types::SolCall};

    let node = TestNode::manual().await;
    let rpc = &node.rpc;
    let me = node.account(0);
    let counter = node.deploy_counter(0).await;
    // A block with two increments: 0 -> 1 -> 2.
    let nonce = node.nonce(me).await;
    for i in 0..2 {
        let input = Counter::incrementCall {}.abi_encode();
        let tx = crate::support::sign(
            node.signer(0),
            crate::support::call_tx(nonce + i, TxKind::Call(counter), input, 200_000),
        );
        node.send(&tx).await;
    }
    node.mine().await;
    let n = node.block_number().await;
    let word = |v: u64| json!(format!("{v:#066x}"));
    let call = |input: Vec<u8>| json!({"from": me, "to": counter, "data": Bytes::from(input)});
    let increment = call(Counter::incrementCall {}.abi_encode());
    let number = call(Counter::numberCall {}.abi_encode());
    let fail = call(Counter::failCall {}.abi_encode());
    // Returns NUMBER, planted by a state override.
    let clock = crate::support::fresh_address(0x51);
    let block_number = json!({"from": me, "to": clock});
    let overrides = json!({ clock.to_string(): {"code": "0x4360005260206000f3"} });

    let bundles = json!([
        {"transactions": [increment, number, fail, number, block_number]},
        {"transactions": [increment, number, block_number], "blockOverride": {"number": "0x999"}},
    ]);
    let results = rpc
        .ok(
            "eth_callMany",
            json!([bundles, {"blockNumber": hex_u64(n)}, overrides]),
        )
        .await;
    assert_eq!(
        results,
        json!([
            [{"value": "0x"}, {"value": word(3)}, {"error": "execution reverted: counter: failure"},
             {"value": word(3)}, {"value": word(n + 1)}],
            [{"value": "0x"}, {"value": word(4)}, {"value": word(0x999)}],
        ])
    );
    // Nothing stays: the chain still says 2.
    let now = rpc.ok("eth_call", json!([number, "latest"])).await;
    assert_eq!(now, word(2));

    // Inside the block: after its first `transactionIndex` txs, in that block.
    let at = |index: i64| json!([[{"transactions": [number, block_number]}], {"blockNumber": hex_u64(n), "transactionIndex": index}, overrides]);
    assert_eq!(
        rpc.ok("eth_callMany", at(0)).await,
        json!([[{"value": word(0)}, {"value": word(n)}]])
    );
    assert_eq!(
        rpc.ok("eth_callMany", at(1)).await,
        json!([[{"value": word(1)}, {"value": word(n)}]])
    );
    assert_eq!(
        rpc.ok("eth_callMany", at(-1)).await,
        json!([[{"value": word(2)}, {"value": word(n + 1)}]])
    );

    // The same bundle traced: each call's trace, each seeing the ones before.
    let traces = rpc
        .ok(
            "debug_traceCallMany",
            json!([[{"transactions": [increment, increment, number]}], null, {"tracer": "callTracer"}]),
        )
        .await;
    let traces = traces[0].as_array().unwrap();
    assert_eq!(traces.len(), 3);
    assert_eq!(traces[0]["type"], json!("CALL"));
    assert_eq!(traces[0]["to"], json!(counter));
    assert_eq!(traces[2]["output"], word(4));
    // A call that is not a valid tx fails the request.
    let broke = json!({"from": crate::support::fresh_address(0x52), "to": counter, "value": "0x1", "gasPrice": "0x1"});
    let err = rpc
        .err("eth_callMany", json!([[{"transactions": [broke]}]]))
        .await;
    assert_eq!(err.code, -32003, "{err:?}");
}
