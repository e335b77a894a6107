//! Settlement: every L2 block is batched, proven, and committed, proven and executed on L1;
//! `safe` / `finalized` follow L1, and L1's counters agree with the batches.

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    sol_types::SolCall,
};
use serde_json::json;

use crate::support::{PATIENCE, TestNode, qty};

mod zk_chain {
    alloy::sol! {
        function getTotalBatchesCommitted() external view returns (uint256);
        function getTotalBatchesVerified() external view returns (uint256);
        function getTotalBatchesExecuted() external view returns (uint256);
    }
}

/// Waits until `finalized` reaches block `number`.
pub(crate) async fn wait_finalized(node: &TestNode, number: u64) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let finalized = node
            .provider
            .get_block_by_number(BlockNumberOrTag::Finalized)
            .await
            .unwrap()
            .expect("the finalized block exists")
            .header
            .number;
        if finalized >= number {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "block {number} not finalized (finalized: {finalized})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn l1_counter(node: &TestNode, call: Vec<u8>) -> u64 {
    let l1 = ProviderBuilder::new().connect_http(node.node.l1_rpc_url().unwrap().parse().unwrap());
    let out = l1
        .call(
            alloy::rpc::types::TransactionRequest::default()
                .to(node.node.l1_contracts().unwrap().zk_chain)
                .input(call.into()),
        )
        .await
        .unwrap();
    U256::from_be_slice(&out).to::<u64>()
}

#[tokio::test]
async fn a_tx_reaches_finalized_and_l1_counters_agree_with_the_batch_details() {
    let node = TestNode::start().await;
    let receipt = node
        .wallet_provider(0)
        .send_transaction(
            alloy::rpc::types::TransactionRequest::default()
                .to(Address::repeat_byte(0x11))
                .value(U256::from(1)),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let block = receipt.block_number.unwrap();
    wait_finalized(&node, block).await;

    let batch = qty(&node.rpc.ok("zks_L1BatchNumber", json!([])).await);
    assert!(batch >= 1);
    let raw = node
        .rpc
        .ok(
            "eth_getTransactionReceipt",
            json!([receipt.transaction_hash]),
        )
        .await;
    let tx_batch = qty(&raw["l1BatchNumber"]);
    let details = node
        .rpc
        .ok("zks_getL1BatchDetails", json!([tx_batch]))
        .await;
    assert_eq!(details["status"], "verified", "{details}");
    for key in ["commitTxHash", "proveTxHash", "executeTxHash"] {
        assert!(
            details[key].as_str().is_some_and(|h| h.len() == 66),
            "{key}: {details}"
        );
    }
    let range = node
        .rpc
        .ok("zks_getL1BatchBlockRange", json!([tx_batch]))
        .await;
    assert!(
        qty(&range[0]) <= block && block <= qty(&range[1]),
        "{range}"
    );

    let executed = l1_counter(&node, zk_chain::getTotalBatchesExecutedCall {}.abi_encode()).await;
    assert!(executed >= tx_batch);
    assert!(
        l1_counter(
            &node,
            zk_chain::getTotalBatchesCommittedCall {}.abi_encode()
        )
        .await
            >= executed
    );
    assert!(
        l1_counter(&node, zk_chain::getTotalBatchesVerifiedCall {}.abi_encode()).await >= executed
    );

    let block_details = node.rpc.ok("zks_getBlockDetails", json!([block])).await;
    assert_eq!(qty(&block_details["l1BatchNumber"]), tx_batch);
    assert_eq!(block_details["status"], "verified");
}

#[tokio::test]
async fn zks_tx_and_block_details_and_l1_to_l2_gas_estimate() {
    let node = TestNode::start().await;
    let receipt = node
        .wallet_provider(3)
        .send_transaction(
            alloy::rpc::types::TransactionRequest::default()
                .to(Address::repeat_byte(0x12))
                .value(U256::from(5)),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let details = node
        .rpc
        .ok(
            "zks_getTransactionDetails",
            json!([receipt.transaction_hash]),
        )
        .await;
    assert_eq!(details["isL1Originated"], false);
    assert!(["included", "verified"].contains(&details["status"].as_str().unwrap()));
    assert_eq!(details["initiatorAddress"], json!(node.account(3)));
    wait_finalized(&node, receipt.block_number.unwrap()).await;
    let details = node
        .rpc
        .ok(
            "zks_getTransactionDetails",
            json!([receipt.transaction_hash]),
        )
        .await;
    assert_eq!(details["status"], "verified");
    assert!(details["ethExecuteTxHash"].is_string());

    let raw = node
        .rpc
        .ok(
            "zks_getRawBlockTransactions",
            json!([receipt.block_number.unwrap()]),
        )
        .await;
    assert_eq!(raw.as_array().unwrap().len(), 1);
    assert_eq!(
        raw[0]["execute"]["contractAddress"],
        json!(Address::repeat_byte(0x12))
    );

    let gas = node
        .rpc
        .ok(
            "zks_estimateGasL1ToL2",
            json!([{"from": Address::repeat_byte(0x31), "to": Address::repeat_byte(0x32), "value": "0xde0b6b3a7640000"}]),
        )
        .await;
    assert_eq!(
        qty(&gas),
        21_000 * 13 / 10,
        "a plain transfer, from an account with no ETH on L2, scaled by 1.3 as zksync-era does"
    );
    assert!(
        node.rpc
            .ok(
                "zks_getTransactionDetails",
                json!([alloy::primitives::B256::ZERO])
            )
            .await
            .is_null()
    );
}
