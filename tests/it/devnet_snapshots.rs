//! Snapshots of the whole devnet: `evm_snapshot` / `evm_revert` / `anvil_reset` on either RPC
//! act on the L1, the L2 and the settlement pipeline together.

use alloy::{
    primitives::{Address, Bytes, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
};
use serde_json::json;

use crate::{
    bridge::{Request, ether, l2_receipt, request_l2_tx},
    settlement::wait_finalized,
    support::{RawRpc, TestNode, qty},
};

fn l1_rpc(node: &TestNode) -> RawRpc {
    RawRpc::new(node.node.l1_rpc_url().unwrap())
}

async fn transfer(node: &TestNode, from: usize, to: Address) -> u64 {
    node.wallet_provider(from)
        .send_transaction(TransactionRequest::default().to(to).value(U256::from(1)))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap()
        .block_number
        .unwrap()
}

async fn counters(node: &TestNode) -> (u64, u64) {
    let l1 = l1_rpc(node);
    let chain = node.node.l1_contracts().unwrap().zk_chain;
    let call = |selector: &str| {
        let l1 = l1.clone();
        let data = selector.to_string();
        async move {
            qty(&l1
                .ok("eth_call", json!([{"to": chain, "data": data}, "latest"]))
                .await)
        }
    };
    // getTotalBatchesCommitted(), getTotalBatchesExecuted()
    (call("0xdb1f0bf9").await, call("0xb8c2f66f").await)
}

#[tokio::test]
async fn revert_brings_back_both_chains_and_the_pipeline_and_settlement_goes_on() {
    let node = TestNode::start().await;
    let first = transfer(&node, 0, Address::repeat_byte(1)).await;
    wait_finalized(&node, first).await;

    let l1 = l1_rpc(&node);
    let l1_block = qty(&l1.ok("eth_blockNumber", json!([])).await);
    let l2_block = node.provider.get_block_number().await.unwrap();
    let batches = qty(&node.rpc.ok("zks_L1BatchNumber", json!([])).await);
    let settled = counters(&node).await;
    let id = node.rpc.ok("evm_snapshot", json!([])).await;

    // A deposit, L2 txs, and their settlement.
    let receiver = Address::repeat_byte(0x42);
    let (hash, _) = request_l2_tx(
        &node,
        1,
        Request {
            to: receiver,
            value: ether(1),
            calldata: Bytes::new(),
            gas_limit: 300_000,
            refund_recipient: node.account(1),
        },
    )
    .await;
    l2_receipt(&node, hash).await;
    let mut last = 0;
    for i in 0..3 {
        last = transfer(&node, 2, Address::repeat_byte(10 + i)).await;
    }
    wait_finalized(&node, last).await;
    assert!(counters(&node).await.1 > settled.1);

    // Back, on the L1's RPC this time: both chains return.
    assert_eq!(l1.ok("evm_revert", json!([id])).await, json!(true));
    assert_eq!(qty(&l1.ok("eth_blockNumber", json!([])).await), l1_block);
    assert_eq!(node.provider.get_block_number().await.unwrap(), l2_block);
    assert_eq!(
        node.provider.get_balance(receiver).await.unwrap(),
        U256::ZERO
    );
    assert_eq!(counters(&node).await, settled);
    assert!(
        node.rpc
            .ok("eth_getTransactionReceipt", json!([hash]))
            .await
            .is_null()
    );
    // The pipeline follows: no batch beyond the restored L2, finality back where it was.
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    while qty(&node.rpc.ok("zks_L1BatchNumber", json!([])).await) > batches {
        assert!(
            tokio::time::Instant::now() < deadline,
            "batches past the restored L2 remain"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // New txs, a new deposit too, settle normally afterwards.
    let (hash, _) = request_l2_tx(
        &node,
        1,
        Request {
            to: receiver,
            value: ether(2),
            calldata: Bytes::new(),
            gas_limit: 300_000,
            refund_recipient: node.account(1),
        },
    )
    .await;
    let receipt = l2_receipt(&node, hash).await;
    assert_eq!(receipt["status"], "0x1");
    let after = transfer(&node, 3, Address::repeat_byte(0x20)).await;
    wait_finalized(&node, after).await;
    assert_eq!(node.provider.get_balance(receiver).await.unwrap(), ether(2));
    let (committed, executed) = counters(&node).await;
    assert!(executed > settled.1 && committed >= executed);
}

#[tokio::test]
async fn reset_starts_both_chains_from_genesis_and_settles_again() {
    let node = TestNode::start().await;
    let block = transfer(&node, 0, Address::repeat_byte(1)).await;
    wait_finalized(&node, block).await;
    assert!(counters(&node).await.1 >= 1);

    node.rpc.ok("anvil_reset", json!([])).await;
    assert_eq!(node.provider.get_block_number().await.unwrap(), 0);
    assert_eq!(
        qty(&l1_rpc(&node).ok("eth_blockNumber", json!([])).await),
        0
    );
    assert_eq!(counters(&node).await, (0, 0));

    let block = transfer(&node, 0, Address::repeat_byte(2)).await;
    assert_eq!(block, 1);
    wait_finalized(&node, block).await;
    assert!(counters(&node).await.1 >= 1);
}
