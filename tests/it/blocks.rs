//! Blocks as explorers and clients read them: by number, hash and tag, their transactions,
//! receipts and counts, uncles (none), and eth_feeHistory over real blocks.

use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    primitives::{B256, TxKind, U256},
    providers::Provider,
    sol_types::SolCall,
};
use serde_json::{Value, json};

use crate::{
    contracts::{CALL_GAS, Counter},
    support::{TestNode, call_tx, fresh_address, hex_u64, qty, sign, transfer},
};

#[tokio::test]
async fn mined_block_lists_its_tx_as_hash_or_full_object() {
    let t = TestNode::start().await;
    let tx = sign(t.signer(0), transfer(0, fresh_address(40), U256::from(3)));
    let receipt = t.send_and_wait(&tx).await;
    let number = receipt.block_number.unwrap();

    let block = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(number), false]))
        .await;
    assert_eq!(qty(&block["number"]), number);
    assert_eq!(block["hash"], json!(receipt.block_hash.unwrap()));
    assert_eq!(block["transactions"], json!([tx.tx_hash()]));
    assert_eq!(block["baseFeePerGas"], json!("0x3e8"));
    assert_eq!(qty(&block["gasLimit"]), 100_000_000);
    assert_eq!(qty(&block["gasUsed"]), 21_000);
    assert_eq!(block["uncles"], json!([]));
    let parent = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(number - 1), false]))
        .await;
    assert_eq!(
        block["parentHash"], parent["hash"],
        "blocks chain by parentHash"
    );
    assert!(qty(&block["timestamp"]) >= qty(&parent["timestamp"]));

    let full = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(number), true]))
        .await;
    let txs = full["transactions"].as_array().unwrap();
    assert_eq!(txs.len(), 1);
    assert_eq!(txs[0]["hash"], json!(tx.tx_hash()));
    assert_eq!(txs[0]["from"], json!(t.account(0)));
    assert_eq!(txs[0]["blockHash"], block["hash"]);
    assert_eq!(txs[0]["blockNumber"], block["number"]);
    assert_eq!(txs[0]["transactionIndex"], json!("0x0"));
    assert_eq!(
        txs[0],
        t.rpc
            .ok("eth_getTransactionByHash", json!([tx.tx_hash()]))
            .await
    );

    // alloy can read both forms.
    let typed = t
        .provider
        .get_block_by_number(number.into())
        .full()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(typed.header.number, number);
    assert_eq!(typed.transactions.len(), 1);
    assert_eq!(typed.header.base_fee_per_gas, Some(1_000));
    let hashes = t
        .provider
        .get_block_by_number(number.into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        hashes.transactions.hashes().collect::<Vec<_>>(),
        vec![*tx.tx_hash()]
    );
}

#[tokio::test]
async fn block_by_hash_is_the_block_by_number() {
    let t = TestNode::start().await;
    let receipt = t.transfer_and_wait(1, fresh_address(41)).await;
    let (number, hash) = (receipt.block_number.unwrap(), receipt.block_hash.unwrap());
    for full in [false, true] {
        let by_number = t
            .rpc
            .ok("eth_getBlockByNumber", json!([hex_u64(number), full]))
            .await;
        let by_hash = t.rpc.ok("eth_getBlockByHash", json!([hash, full])).await;
        assert_eq!(by_hash, by_number, "full = {full}");
    }
    let typed = t.provider.get_block_by_hash(hash).await.unwrap().unwrap();
    assert_eq!(typed.header.hash, hash);
}

#[tokio::test]
async fn block_tags_resolve_to_blocks_a_user_can_read() {
    let t = TestNode::start().await;
    t.transfer_and_wait(0, fresh_address(42)).await;
    t.transfer_and_wait(0, fresh_address(42)).await;
    let latest_number = t.block_number().await;

    let latest = t
        .rpc
        .ok("eth_getBlockByNumber", json!(["latest", false]))
        .await;
    assert_eq!(qty(&latest["number"]), latest_number);
    // ZKsync OS: `pending` is the last sealed block.
    let pending = t
        .rpc
        .ok("eth_getBlockByNumber", json!(["pending", false]))
        .await;
    assert_eq!(
        qty(&pending["number"]),
        latest_number,
        "pending = latest: {pending}"
    );

    let earliest = t
        .rpc
        .ok("eth_getBlockByNumber", json!(["earliest", false]))
        .await;
    assert_eq!(qty(&earliest["number"]), 0);
    assert_eq!(earliest["parentHash"], json!(B256::ZERO));
    assert_eq!(
        earliest,
        t.rpc
            .ok("eth_getBlockByNumber", json!(["0x0", false]))
            .await
    );

    let safe = t
        .rpc
        .ok("eth_getBlockByNumber", json!(["safe", false]))
        .await;
    let finalized = t
        .rpc
        .ok("eth_getBlockByNumber", json!(["finalized", false]))
        .await;
    assert!(safe.is_object(), "safe block: {safe}");
    assert!(finalized.is_object(), "finalized block: {finalized}");
    assert!(qty(&finalized["number"]) <= qty(&safe["number"]));
    assert!(qty(&safe["number"]) <= latest_number);
    let safe_by_number = t
        .rpc
        .ok("eth_getBlockByNumber", json!([safe["number"], false]))
        .await;
    assert_eq!(safe, safe_by_number);

    for tag in [
        BlockNumberOrTag::Latest,
        BlockNumberOrTag::Earliest,
        BlockNumberOrTag::Safe,
        BlockNumberOrTag::Finalized,
    ] {
        let block = t.provider.get_block_by_number(tag).await.unwrap();
        assert!(block.is_some(), "alloy reads the {tag} block");
    }
}

#[tokio::test]
async fn unknown_blocks_are_null() {
    let t = TestNode::start().await;
    let beyond = hex_u64(t.block_number().await + 100);
    assert_eq!(
        t.rpc
            .ok("eth_getBlockByNumber", json!([beyond, false]))
            .await,
        Value::Null
    );
    assert_eq!(
        t.rpc
            .ok("eth_getBlockByHash", json!([B256::repeat_byte(0xcd), true]))
            .await,
        Value::Null
    );
    assert_eq!(
        t.rpc
            .ok("eth_getBlockTransactionCountByNumber", json!([beyond]))
            .await,
        Value::Null
    );
    assert_eq!(
        t.rpc
            .ok(
                "eth_getBlockTransactionCountByHash",
                json!([B256::repeat_byte(0xcd)])
            )
            .await,
        Value::Null
    );
    assert_eq!(
        t.rpc.ok("eth_getBlockReceipts", json!([beyond])).await,
        Value::Null
    );
    assert!(
        t.provider
            .get_block_by_number(BlockNumberOrTag::Number(10_000))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn block_transaction_count_matches_the_txs_mined_together() {
    let t = TestNode::manual().await;
    for i in 0..3 {
        t.send(&sign(
            t.signer(i),
            transfer(0, fresh_address(43), U256::from(1)),
        ))
        .await;
    }
    t.mine().await;
    let number = t.block_number().await;
    let block = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(number), false]))
        .await;

    let by_number = t
        .rpc
        .ok(
            "eth_getBlockTransactionCountByNumber",
            json!([hex_u64(number)]),
        )
        .await;
    let by_hash = t
        .rpc
        .ok("eth_getBlockTransactionCountByHash", json!([block["hash"]]))
        .await;
    assert_eq!(qty(&by_number), 3);
    assert_eq!(qty(&by_hash), 3);
    assert_eq!(
        qty(&t
            .rpc
            .ok("eth_getBlockTransactionCountByNumber", json!(["latest"]))
            .await),
        3
    );
    assert_eq!(
        qty(&t
            .rpc
            .ok("eth_getBlockTransactionCountByNumber", json!(["earliest"]))
            .await),
        0
    );
    assert_eq!(
        t.provider
            .get_block_transaction_count_by_number(number.into())
            .await
            .unwrap(),
        Some(3)
    );
}

#[tokio::test]
async fn blocks_have_no_uncles() {
    let t = TestNode::start().await;
    let receipt = t.transfer_and_wait(0, fresh_address(44)).await;
    let (number, hash) = (
        hex_u64(receipt.block_number.unwrap()),
        receipt.block_hash.unwrap(),
    );

    assert_eq!(
        qty(&t
            .rpc
            .ok("eth_getUncleCountByBlockHash", json!([hash]))
            .await),
        0
    );
    assert_eq!(
        qty(&t
            .rpc
            .ok("eth_getUncleCountByBlockNumber", json!([number]))
            .await),
        0
    );
    assert_eq!(
        t.rpc
            .ok("eth_getUncleByBlockHashAndIndex", json!([hash, "0x0"]))
            .await,
        Value::Null
    );
    assert_eq!(
        t.rpc
            .ok("eth_getUncleByBlockNumberAndIndex", json!([number, "0x0"]))
            .await,
        Value::Null
    );
    assert_eq!(
        t.provider
            .get_uncle_count(BlockId::hash(hash))
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn block_receipts_are_the_receipts_of_its_txs_in_order() {
    let t = TestNode::manual().await;
    let counter = t.deploy_counter(0).await;
    let first = sign(
        t.signer(1),
        call_tx(
            0,
            TxKind::Call(counter),
            Counter::setNumberCall { n: U256::from(1) }.abi_encode(),
            CALL_GAS,
        ),
    );
    let second = sign(
        t.signer(2),
        call_tx(
            0,
            TxKind::Call(counter),
            Counter::setNumberCall { n: U256::from(2) }.abi_encode(),
            CALL_GAS,
        ),
    );
    t.send(&first).await;
    t.send(&second).await;
    t.mine().await;
    let number = t.block_number().await;
    let block = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(number), false]))
        .await;

    let receipts = t
        .rpc
        .ok("eth_getBlockReceipts", json!([hex_u64(number)]))
        .await;
    let receipts = receipts.as_array().unwrap().clone();
    let hashes = block["transactions"].as_array().unwrap();
    assert_eq!(receipts.len(), 2);
    for (receipt, hash) in receipts.iter().zip(hashes) {
        assert_eq!(&receipt["transactionHash"], hash);
        assert_eq!(
            *receipt,
            t.rpc.ok("eth_getTransactionReceipt", json!([hash])).await
        );
    }
    // Log indexes count across the whole block; cumulative gas adds up.
    assert_eq!(receipts[0]["logs"][0]["logIndex"], json!("0x0"));
    assert_eq!(receipts[1]["logs"][0]["logIndex"], json!("0x1"));
    assert_eq!(
        receipts[1]["logs"][0]["transactionLogIndex"],
        json!("0x0"),
        "index within its tx"
    );
    assert_eq!(
        qty(&receipts[1]["cumulativeGasUsed"]),
        qty(&receipts[0]["gasUsed"]) + qty(&receipts[1]["gasUsed"])
    );
    assert_eq!(
        qty(&block["gasUsed"]),
        qty(&receipts[1]["cumulativeGasUsed"])
    );

    let by_hash = t
        .rpc
        .ok("eth_getBlockReceipts", json!([block["hash"]]))
        .await;
    assert_eq!(by_hash, Value::Array(receipts.clone()));
    let typed = t
        .provider
        .get_block_receipts(BlockId::number(number))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(typed.len(), 2);
    assert!(typed.iter().all(|r| r.status()));
}

#[tokio::test]
async fn fee_history_reports_the_constant_base_fee_and_real_gas_used() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let tip = 5;
    let mut txs = vec![transfer(0, fresh_address(45), U256::from(1))];
    txs.push(call_tx(
        1,
        TxKind::Call(counter),
        Counter::setNumberCall { n: U256::from(8) }.abi_encode(),
        CALL_GAS,
    ));
    txs.push(call_tx(
        2,
        TxKind::Call(counter),
        Counter::incrementCall {}.abi_encode(),
        CALL_GAS,
    ));
    let mut gas_used = Vec::new();
    for mut tx in txs {
        tx.max_priority_fee_per_gas = tip;
        let receipt = t.send_and_wait(&sign(t.signer(1), tx)).await;
        let block = t
            .rpc
            .ok(
                "eth_getBlockByNumber",
                json!([hex_u64(receipt.block_number.unwrap()), false]),
            )
            .await;
        gas_used.push(qty(&block["gasUsed"]));
    }
    let latest = t.block_number().await;

    let history = t
        .rpc
        .ok("eth_feeHistory", json!(["0x3", "latest", [25.0, 75.0]]))
        .await;
    assert_eq!(qty(&history["oldestBlock"]), latest - 2);
    assert_eq!(
        history["baseFeePerGas"],
        json!(["0x3e8", "0x3e8", "0x3e8", "0x3e8"]),
        "3 blocks + the next one"
    );
    let ratios: Vec<f64> = history["gasUsedRatio"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_f64().unwrap())
        .collect();
    assert_eq!(ratios.len(), 3);
    for (ratio, used) in ratios.iter().zip(&gas_used) {
        let expected = *used as f64 / 100_000_000.0;
        assert!(
            (ratio - expected).abs() < 1e-12,
            "gasUsedRatio {ratio} for {used} gas (expected {expected})"
        );
    }
    assert_eq!(
        history["reward"],
        json!([["0x5", "0x5"], ["0x5", "0x5"], ["0x5", "0x5"]]),
        "{history}"
    );

    let typed = t
        .provider
        .get_fee_history(3, BlockNumberOrTag::Latest, &[50.0])
        .await
        .unwrap();
    assert_eq!(typed.oldest_block, latest - 2);
    assert_eq!(typed.base_fee_per_gas, vec![1_000; 4]);
    // What a wallet does with it: EIP-1559 fee estimation works against this node.
    let estimate = t.provider.estimate_eip1559_fees().await.unwrap();
    assert!(estimate.max_fee_per_gas >= 1_000, "{estimate:?}");
}
