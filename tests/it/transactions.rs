//! Sending transactions of every accepted type, and finding them again by hash, block and index.

use alloy::{
    consensus::{
        Transaction as _, TxEip2930, TxEnvelope, TxLegacy, transaction::SignerRecoverable,
    },
    eips::eip2930::{AccessList, AccessListItem},
    primitives::{B256, Bytes, TxKind, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use serde_json::{Value, json};

use crate::{
    contracts::{CALL_GAS, Counter},
    support::{
        CHAIN_ID, TestNode, call_tx, dev_balance, fresh_address, hex_u64, qty, raw_hex, sign,
        transfer,
    },
};

#[tokio::test]
async fn legacy_tx_is_mined_and_pays_its_gas_price() {
    let t = TestNode::start().await;
    let to = fresh_address(20);
    let tx = TxLegacy {
        chain_id: Some(CHAIN_ID),
        nonce: 0,
        gas_price: 1_500,
        gas_limit: 21_000,
        to: TxKind::Call(to),
        value: U256::from(1_000),
        input: Bytes::new(),
    };
    let signed = sign(t.signer(1), tx);
    let receipt = t.send_and_wait(&signed).await;

    assert!(receipt.status());
    assert_eq!(receipt.effective_gas_price, 1_500);
    assert_eq!(t.balance(to).await, U256::from(1_000));
    assert_eq!(
        t.balance(t.account(1)).await,
        dev_balance() - U256::from(1_000 + 21_000 * 1_500)
    );

    let json = t
        .rpc
        .ok("eth_getTransactionByHash", json!([signed.tx_hash()]))
        .await;
    assert_eq!(json["type"], json!("0x0"));
    assert_eq!(json["gasPrice"], json!("0x5dc"));
    assert_eq!(json["chainId"], json!("0x10e"));
    let v = qty(&json["v"]);
    assert!(
        v == CHAIN_ID * 2 + 35 || v == CHAIN_ID * 2 + 36,
        "EIP-155 v, got {v}"
    );
    assert_eq!(json["from"], json!(t.account(1)));
    assert_eq!(json["to"], json!(to));
    assert_eq!(json["hash"], json!(signed.tx_hash()));
    let receipt_json = t.receipt_json(*signed.tx_hash()).await;
    assert_eq!(receipt_json["type"], json!("0x0"));
}

#[tokio::test]
async fn eip2930_tx_is_mined_with_its_access_list() {
    // EVM gas alone: ZKsync OS's native charge for the list is tested in `gas_model`.
    let t =
        TestNode::start_with(|c| c.chain.prices = zkos_dev::executor::ResourcePrices::OFF).await;
    let to = fresh_address(21);
    let listed = fresh_address(22);
    let access_list = AccessList(vec![AccessListItem {
        address: listed,
        storage_keys: vec![B256::with_last_byte(1)],
    }]);
    let tx = TxEip2930 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_price: 1_000,
        gas_limit: 30_000,
        to: TxKind::Call(to),
        value: U256::from(7),
        access_list: access_list.clone(),
        input: Bytes::new(),
    };
    let signed = sign(t.signer(2), tx);
    let receipt = t.send_and_wait(&signed).await;

    assert!(receipt.status());
    assert_eq!(
        receipt.gas_used,
        21_000 + 2_400 + 1_900,
        "intrinsic gas includes the access list"
    );
    assert_eq!(t.balance(to).await, U256::from(7));

    let fetched = t
        .provider
        .get_transaction_by_hash(*signed.tx_hash())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fetched.inner.tx_type() as u8, 1);
    assert_eq!(fetched.inner.access_list(), Some(&access_list));
    let json = t
        .rpc
        .ok("eth_getTransactionByHash", json!([signed.tx_hash()]))
        .await;
    assert_eq!(json["type"], json!("0x1"));
    assert_eq!(
        json["accessList"],
        json!([{"address": listed, "storageKeys": [B256::with_last_byte(1)]}])
    );
}

#[tokio::test]
async fn eip1559_tx_pays_the_base_fee_plus_its_tip() {
    let t = TestNode::start().await;
    let to = fresh_address(23);
    let mut tx = transfer(0, to, U256::from(50));
    tx.max_priority_fee_per_gas = 7;
    let signed = sign(t.signer(3), tx);
    let receipt = t.send_and_wait(&signed).await;

    assert!(receipt.status());
    assert_eq!(receipt.effective_gas_price, 1_007);
    assert_eq!(
        t.balance(t.account(3)).await,
        dev_balance() - U256::from(50 + 21_000 * 1_007)
    );
    let json = t
        .rpc
        .ok("eth_getTransactionByHash", json!([signed.tx_hash()]))
        .await;
    assert_eq!(json["type"], json!("0x2"));
    assert_eq!(json["maxFeePerGas"], json!("0x7d0"));
    assert_eq!(json["maxPriorityFeePerGas"], json!("0x7"));
    assert_eq!(json["chainId"], json!("0x10e"));
}

#[tokio::test]
async fn contract_creation_tx_deploys_at_the_create_address() {
    let t = TestNode::start().await;
    // Move the nonce first, so the address depends on it.
    t.transfer_and_wait(4, fresh_address(24)).await;
    let tx = sign(
        t.signer(4),
        call_tx(1, TxKind::Create, Counter::BYTECODE.clone(), CALL_GAS),
    );
    let receipt = t.send_and_wait(&tx).await;

    assert!(receipt.status());
    let expected = t.account(4).create(1);
    assert_eq!(receipt.contract_address, Some(expected));
    assert_eq!(receipt.to, None);
    assert_eq!(
        t.provider.get_code_at(expected).await.unwrap(),
        Counter::DEPLOYED_BYTECODE.clone()
    );
    let json = t
        .rpc
        .ok("eth_getTransactionByHash", json!([tx.tx_hash()]))
        .await;
    assert_eq!(json["to"], Value::Null);
    assert_eq!(json["input"], json!(Counter::BYTECODE.clone()));
}

#[tokio::test]
async fn send_raw_transaction_sync_returns_the_mined_receipt() {
    let t = TestNode::start().await;
    let to = fresh_address(25);
    let tx = sign(t.signer(0), transfer(0, to, U256::from(9)));

    let receipt = t
        .rpc
        .ok("eth_sendRawTransactionSync", json!([raw_hex(&tx)]))
        .await;

    assert_eq!(receipt["transactionHash"], json!(tx.tx_hash()));
    assert_eq!(receipt["status"], json!("0x1"));
    assert!(receipt["blockNumber"].is_string(), "mined: {receipt}");
    assert_eq!(
        t.balance(to).await,
        U256::from(9),
        "already mined when the call returns"
    );
    let again = t
        .rpc
        .ok("eth_getTransactionReceipt", json!([tx.tx_hash()]))
        .await;
    assert_eq!(
        receipt, again,
        "the same receipt eth_getTransactionReceipt gives"
    );

    let via_alloy = t
        .provider
        .send_raw_transaction_sync(&alloy::eips::Encodable2718::encoded_2718(&sign(
            t.signer(0),
            transfer(1, to, U256::from(1)),
        )))
        .await
        .unwrap();
    assert!(via_alloy.status());
}

#[tokio::test]
async fn eth_send_transaction_from_an_unlocked_dev_account_is_signed_by_the_node() {
    let t = TestNode::start().await;
    let (from, to) = (t.account(5), fresh_address(26));
    let hash = t
        .rpc
        .ok(
            "eth_sendTransaction",
            json!([{"from": from, "to": to, "value": "0x64"}]),
        )
        .await;
    let hash: B256 = serde_json::from_value(hash).unwrap();

    let receipt = t.receipt(hash).await;
    assert!(receipt.status());
    assert_eq!(receipt.from, from);
    assert_eq!(t.balance(to).await, U256::from(100));
    let fetched = t
        .provider
        .get_transaction_by_hash(hash)
        .await
        .unwrap()
        .expect("the tx");
    let envelope: &TxEnvelope = fetched.inner.inner();
    assert_eq!(
        envelope.recover_signer().unwrap(),
        from,
        "r, s, v recover to the account"
    );
    assert_eq!(envelope.chain_id(), Some(CHAIN_ID));
    assert_eq!(*envelope.tx_hash(), hash);
}

#[tokio::test]
async fn eth_send_transaction_fills_gas_and_nonce_for_a_contract_call() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    // A user story from Hardhat / `cast send --unlocked`: only from, to and data.
    let request = TransactionRequest::default()
        .from(t.account(6))
        .to(counter)
        .input(
            Counter::setNumberCall { n: U256::from(31) }
                .abi_encode()
                .into(),
        );
    let pending = t.provider.send_transaction(request).await.unwrap();
    let receipt = t.receipt(*pending.tx_hash()).await;
    assert!(receipt.status());
    assert_eq!(receipt.from, t.account(6));
    assert_eq!(
        Counter::new(counter, &t.provider)
            .number()
            .call()
            .await
            .unwrap(),
        U256::from(31)
    );
}

#[tokio::test]
async fn eth_send_transaction_from_an_unknown_account_is_refused() {
    let t = TestNode::start().await;
    let stranger = fresh_address(27);
    let err = t
        .rpc
        .err(
            "eth_sendTransaction",
            json!([{"from": stranger, "to": t.account(0), "value": "0x1"}]),
        )
        .await;
    assert!(err.message.to_lowercase().contains("signer"), "{err:?}");
    assert_eq!(t.nonce(stranger).await, 0);
}

#[tokio::test]
async fn pending_tx_is_visible_by_hash_before_it_is_mined() {
    let t = TestNode::manual().await;
    let tx = sign(t.signer(0), transfer(0, fresh_address(28), U256::from(1)));
    t.send(&tx).await;

    let pending = t
        .rpc
        .ok("eth_getTransactionByHash", json!([tx.tx_hash()]))
        .await;
    assert_eq!(pending["hash"], json!(tx.tx_hash()));
    assert_eq!(pending["from"], json!(t.account(0)));
    assert_eq!(pending["blockHash"], Value::Null);
    assert_eq!(pending["blockNumber"], Value::Null);
    assert_eq!(pending["transactionIndex"], Value::Null);
    assert_eq!(
        t.rpc
            .ok("eth_getTransactionReceipt", json!([tx.tx_hash()]))
            .await,
        Value::Null
    );

    t.mine().await;
    let mined = t
        .rpc
        .ok("eth_getTransactionByHash", json!([tx.tx_hash()]))
        .await;
    assert_eq!(qty(&mined["blockNumber"]), t.block_number().await);
    assert_eq!(mined["transactionIndex"], json!("0x0"));
    assert!(mined["blockHash"].is_string());
}

#[tokio::test]
async fn transaction_by_block_and_index_is_the_transaction_by_hash() {
    let t = TestNode::manual().await;
    let first = sign(t.signer(0), transfer(0, fresh_address(29), U256::from(1)));
    let second = sign(t.signer(1), transfer(0, fresh_address(29), U256::from(2)));
    t.send(&first).await;
    t.send(&second).await;
    t.mine().await;

    let receipt = t.receipt(*first.tx_hash()).await;
    let (number, hash) = (receipt.block_number.unwrap(), receipt.block_hash.unwrap());
    let block = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(number), false]))
        .await;
    let hashes = block["transactions"].as_array().unwrap().clone();
    assert_eq!(hashes.len(), 2);

    for (index, tx_hash) in hashes.iter().enumerate() {
        let by_hash = t.rpc.ok("eth_getTransactionByHash", json!([tx_hash])).await;
        let by_block_hash = t
            .rpc
            .ok(
                "eth_getTransactionByBlockHashAndIndex",
                json!([hash, hex_u64(index as u64)]),
            )
            .await;
        let by_number = t
            .rpc
            .ok(
                "eth_getTransactionByBlockNumberAndIndex",
                json!([hex_u64(number), hex_u64(index as u64)]),
            )
            .await;
        assert_eq!(by_block_hash, by_hash, "index {index}");
        assert_eq!(by_number, by_hash, "index {index}");
        assert_eq!(by_hash["transactionIndex"], json!(hex_u64(index as u64)));
    }
    let mut sent: Vec<Value> = vec![json!(first.tx_hash()), json!(second.tx_hash())];
    let mut listed = hashes.clone();
    sent.sort_by_key(|v| v.to_string());
    listed.sort_by_key(|v| v.to_string());
    assert_eq!(listed, sent);

    let out_of_range = t
        .rpc
        .ok(
            "eth_getTransactionByBlockHashAndIndex",
            json!([hash, "0x2"]),
        )
        .await;
    assert_eq!(out_of_range, Value::Null);
    let out_of_range = t
        .rpc
        .ok(
            "eth_getTransactionByBlockNumberAndIndex",
            json!([hex_u64(number), "0x2"]),
        )
        .await;
    assert_eq!(out_of_range, Value::Null);
    let latest = t
        .rpc
        .ok(
            "eth_getTransactionByBlockNumberAndIndex",
            json!(["latest", "0x0"]),
        )
        .await;
    assert_eq!(
        latest,
        t.rpc
            .ok("eth_getTransactionByHash", json!([hashes[0]]))
            .await
    );

    let typed = t
        .provider
        .get_transaction_by_block_number_and_index(number.into(), 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(json!(typed.inner.tx_hash()), hashes[1]);
}

#[tokio::test]
async fn unknown_hash_has_no_transaction_and_no_receipt() {
    let t = TestNode::start().await;
    let nobody = B256::repeat_byte(0xab);
    assert_eq!(
        t.rpc.ok("eth_getTransactionByHash", json!([nobody])).await,
        Value::Null
    );
    assert_eq!(
        t.rpc.ok("eth_getTransactionReceipt", json!([nobody])).await,
        Value::Null
    );
    assert!(
        t.provider
            .get_transaction_receipt(nobody)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn receipt_carries_the_zksync_fields_viem_reads() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let receipt = t
        .call_and_wait(1, counter, Counter::setNumberCall { n: U256::from(4) })
        .await;
    let json = t.receipt_json(receipt.transaction_hash).await;

    assert_eq!(json["l2ToL1Logs"], json!([]), "{json}");
    for key in ["l1BatchNumber", "l1BatchTxIndex"] {
        let value = json
            .get(key)
            .unwrap_or_else(|| panic!("receipt has no {key}: {json}"));
        assert!(value.is_null() || value.is_string(), "{key} = {value}");
    }
    assert_eq!(json["status"], json!("0x1"));
    assert_eq!(json["to"], json!(counter));
    assert_eq!(json["from"], json!(t.account(1)));
    assert_eq!(json["contractAddress"], Value::Null);
    assert_eq!(json["type"], json!("0x2"));
    assert_eq!(json["effectiveGasPrice"], json!("0x3e8"));
    assert!(qty(&json["cumulativeGasUsed"]) >= qty(&json["gasUsed"]));

    let logs = json["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1, "{json}");
    let log = &logs[0];
    for key in ["transactionLogIndex", "logType"] {
        assert!(log.get(key).is_some(), "log has no {key}: {log}");
    }
    assert_eq!(log["address"], json!(counter));
    assert_eq!(log["transactionHash"], json["transactionHash"]);
    assert_eq!(log["blockHash"], json["blockHash"]);
    assert_eq!(log["blockNumber"], json["blockNumber"]);
    assert_eq!(log["removed"], json!(false));
    assert_eq!(
        log["topics"][0],
        json!(<Counter::Incremented as alloy::sol_types::SolEvent>::SIGNATURE_HASH)
    );
    assert_eq!(
        log["topics"][1],
        json!(B256::left_padding_from(t.account(1).as_slice()))
    );
    assert_eq!(log["data"], json!(B256::from(U256::from(4))));
    assert_ne!(
        json["logsBloom"],
        json!(alloy::primitives::Bloom::ZERO),
        "the bloom has the log"
    );

    // A plain transfer also carries the fields.
    let transfer_receipt = t.transfer_and_wait(2, fresh_address(30)).await;
    let json = t.receipt_json(transfer_receipt.transaction_hash).await;
    assert_eq!(json["l2ToL1Logs"], json!([]), "{json}");
    assert!(
        json.get("l1BatchNumber").is_some() && json.get("l1BatchTxIndex").is_some(),
        "{json}"
    );
}

#[tokio::test]
async fn reverted_tx_is_mined_with_status_0_and_still_pays_for_gas() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let before = t.balance(t.account(1)).await;
    let tx = sign(
        t.signer(1),
        call_tx(
            0,
            TxKind::Call(counter),
            Counter::failCall {}.abi_encode(),
            100_000,
        ),
    );

    let receipt = t.send_and_wait(&tx).await;

    assert!(!receipt.status(), "{receipt:?}");
    assert!(receipt.inner.logs().is_empty());
    assert!(receipt.gas_used > 21_000 && receipt.gas_used < 100_000);
    assert_eq!(t.nonce(t.account(1)).await, 1, "the nonce is used");
    assert_eq!(
        t.balance(t.account(1)).await,
        before - U256::from(receipt.gas_used) * U256::from(1_000)
    );
    let json = t.receipt_json(*tx.tx_hash()).await;
    assert_eq!(json["status"], json!("0x0"));
    assert_eq!(
        Counter::new(counter, &t.provider)
            .number()
            .call()
            .await
            .unwrap(),
        U256::ZERO
    );
}

#[tokio::test]
async fn value_sent_to_the_rich_account_is_received() {
    let t = TestNode::start().await;
    let rich = t.account(10);
    let before = t.balance(rich).await;
    let receipt = t
        .send_and_wait(&sign(t.signer(0), transfer(0, rich, U256::from(77))))
        .await;
    assert!(receipt.status());
    // The rich account may also collect fees; it receives at least the value.
    assert!(t.balance(rich).await >= before + U256::from(77));
    let back = t
        .send_and_wait(&sign(
            t.signer(10),
            transfer(0, t.account(0), U256::from(1)),
        ))
        .await;
    assert!(back.status(), "the rich account can send");
    assert_eq!(back.from, rich);
}
