//! Withdrawals from an L2 that settles on the Gateway, finalized on L1 as on ZKsync: the L2's
//! batch root is in the Gateway's MessageRoot, the Gateway's batch commits to the MessageRoot
//! (`l2LogsTreeRoot = keccak256(localRoot ‖ aggregated root)`), and `zks_getL2ToL1LogProof`
//! goes from the withdrawal's log through the Gateway's trees to the logs root L1 keeps for that
//! Gateway batch; L1's nullifier checks it there (one settlement layer) and pays once.

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::SolCall,
};
use serde_json::json;

use super::{gateway::with_gateway, l1, l1_view};
use crate::{
    bridge::ether,
    support::{TestNode, qty},
    withdrawals::{finalize_once, finalize_params, withdraw},
};

#[tokio::test]
async fn a_withdrawal_from_an_l2_on_the_gateway_is_finalized_on_l1_through_the_gateways_batch() {
    let node = TestNode::start_with(with_gateway).await;
    let receiver = Address::repeat_byte(0x98);
    let amount = ether(3);
    // Chain 270, the first L2: its `finalized` block is final once the Gateway's batch holding
    // the execution of its batch is executed on L1.
    let receipt = withdraw(&node, 6, receiver, amount).await;
    let hash = receipt["transactionHash"].clone();
    let proof = node.rpc.ok("zks_getL2ToL1LogProof", json!([hash, 0])).await;
    assert_eq!(
        proof["batchNumber"].as_u64(),
        Some(qty(&receipt["l1BatchNumber"]))
    );
    let items: Vec<B256> = serde_json::from_value(proof["proof"].clone()).unwrap();
    assert_eq!(
        items[0][3], 0,
        "not the final node: the Gateway's step follows"
    );
    let gateway_chain = 15 + 2 + items[0][2] as usize + 1;
    assert_eq!(items[gateway_chain], B256::from(U256::from(506)));
    assert_eq!(proof["gatewayBlockNumber"], json!(null));

    let tx_number = qty(&receipt["l1BatchTxIndex"]) as u16;
    let params = finalize_params(&proof, receiver, amount, tx_number);
    // The chain's own contract on L1 executed nothing: the proof stands on the Gateway's batch.
    let executed = l1::getTotalBatchesExecutedCall {};
    let on_l1 = node.node.l2s()[0].l1_contracts.unwrap().zk_chain;
    assert_eq!(
        l1_view(&node, on_l1, executed.abi_encode()).await,
        U256::ZERO
    );
    finalize_once(&node, params, &[3, 16, items.len() - 1], receiver, amount).await;
}
