//! Withdrawals end to end and settlement on a real external L1: `withdraw` on L2 -> batch
//! executed on L1 -> `zks_getL2ToL1LogProof` -> `finalizeDeposit` on L1 -> the ETH arrives.
//! The same on a real anvil given with `--l1-rpc --l1-deploy`, plus deposits there and an L1
//! outage that settlement survives.

use alloy::{
    primitives::{Address, B256, Bytes, U256, address},
    providers::Provider,
    rpc::types::{Filter, TransactionRequest},
    sol_types::{SolCall, SolEvent},
};
use serde_json::{Value, json};
use zkos_dev::config::ExternalL1;

use crate::{
    bridge::{Request, ether, l2_receipt, request_l2_tx},
    settlement::wait_finalized,
    support::{Anvil, TestNode, l1_wallet, qty},
};

pub(crate) mod nullifier {
    alloy::sol!(
        #[sol(rpc)]
        L1Nullifier,
        "state/artifacts/L1Nullifier.json"
    );
}
mod zk_chain {
    alloy::sol!(ZKChain, "state/artifacts/ZKChain.json");
}
mod base_token {
    alloy::sol! {
        function withdraw(address l1Receiver) external payable;
    }
}

const L2_BASE_TOKEN: Address = address!("0x000000000000000000000000000000000000800a");

/// Withdraws `amount` from dev account `from` on L2 to `receiver` on L1; returns the L2 receipt
/// (raw JSON) once its block is final.
pub(crate) async fn withdraw(
    node: &TestNode,
    from: usize,
    receiver: Address,
    amount: U256,
) -> Value {
    let receipt = node
        .wallet_provider(from)
        .send_transaction(
            TransactionRequest::default()
                .to(L2_BASE_TOKEN)
                .value(amount)
                .input(
                    base_token::withdrawCall {
                        l1Receiver: receiver,
                    }
                    .abi_encode()
                    .into(),
                ),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    wait_finalized(node, receipt.block_number.unwrap()).await;
    node.rpc
        .ok(
            "eth_getTransactionReceipt",
            json!([receipt.transaction_hash]),
        )
        .await
}

pub(crate) fn finalize_params(
    proof: &Value,
    receiver: Address,
    amount: U256,
    tx_number_in_batch: u16,
) -> nullifier::L1Nullifier::FinalizeL1DepositParams {
    let mut message = vec![0x6c, 0x09, 0x60, 0xf9];
    message.extend_from_slice(receiver.as_slice());
    message.extend_from_slice(&amount.to_be_bytes::<32>());
    nullifier::L1Nullifier::FinalizeL1DepositParams {
        chainId: U256::from(270u64),
        l2BatchNumber: U256::from(proof["batchNumber"].as_u64().unwrap()),
        l2MessageIndex: U256::from(proof["id"].as_u64().unwrap()),
        l2Sender: L2_BASE_TOKEN,
        l2TxNumberInBatch: tx_number_in_batch,
        message: Bytes::from(message),
        merkleProof: serde_json::from_value(proof["proof"].clone()).unwrap(),
    }
}

/// The whole round trip, then a second finalization and a forged proof, both refused.
async fn withdrawal_round_trip(node: &TestNode) {
    let receiver = Address::repeat_byte(0x99);
    let amount = ether(5);
    let l2_before = node.provider.get_balance(node.account(6)).await.unwrap();
    let receipt = withdraw(node, 6, receiver, amount).await;
    let l2_after = node.provider.get_balance(node.account(6)).await.unwrap();
    assert!(
        l2_before - l2_after >= amount,
        "the ETH left the L2 account"
    );

    let hash = receipt["transactionHash"].clone();
    let proof = node.rpc.ok("zks_getL2ToL1LogProof", json!([hash, 0])).await;
    assert_eq!(
        proof["batchNumber"].as_u64(),
        Some(qty(&receipt["l1BatchNumber"]))
    );
    let tx_number = qty(&receipt["l1BatchTxIndex"]) as u16;
    let params = finalize_params(&proof, receiver, amount, tx_number);

    finalize_once(node, params, &[3], receiver, amount).await;
}

/// Finalizes the withdrawal `params` of `amount` to `receiver` (who had nothing) on the
/// embedded L1: the proof forged at each item of `forged_at` is refused, the real one pays
/// `amount`, and a second finalization is refused.
pub(crate) async fn finalize_once(
    node: &TestNode,
    params: nullifier::L1Nullifier::FinalizeL1DepositParams,
    forged_at: &[usize],
    receiver: Address,
    amount: U256,
) {
    let l1 = l1_wallet(node, 7);
    let contracts = node.node.l1_contracts().unwrap();
    let nullifier = nullifier::L1Nullifier::new(contracts.l1_nullifier, &l1);
    for &at in forged_at {
        let mut forged = params.clone();
        forged.merkleProof[at] = B256::repeat_byte(0x01);
        assert!(
            nullifier.finalizeDeposit(forged).call().await.is_err(),
            "a proof forged at item {at} is refused"
        );
    }

    let finalized = nullifier
        .finalizeDeposit(params.clone())
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(finalized.status(), "finalizeDeposit reverted");
    assert_eq!(l1.get_balance(receiver).await.unwrap(), amount);

    assert!(
        nullifier.finalizeDeposit(params).call().await.is_err(),
        "a withdrawal is paid once"
    );
    assert_eq!(l1.get_balance(receiver).await.unwrap(), amount);
}

#[tokio::test]
async fn withdrawal_finalizes_on_the_embedded_l1_once_and_only_with_a_valid_proof() {
    let node = TestNode::start().await;
    withdrawal_round_trip(&node).await;
}

#[tokio::test]
async fn log_proof_is_null_until_batched_and_useless_on_l1_until_executed() {
    let node = TestNode::start_with(|c| c.settlement.auto = false).await;
    let receiver = Address::repeat_byte(1);
    let unknown = node
        .rpc
        .ok("zks_getL2ToL1LogProof", json!([B256::repeat_byte(0xee), 0]))
        .await;
    assert!(unknown.is_null(), "an unknown tx has no proof: {unknown}");
    let receipt = node
        .wallet_provider(6)
        .send_transaction(
            TransactionRequest::default()
                .to(L2_BASE_TOKEN)
                .value(ether(1))
                .input(
                    base_token::withdrawCall {
                        l1Receiver: receiver,
                    }
                    .abi_encode()
                    .into(),
                ),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let hash = receipt.transaction_hash;
    // As zksync-os-server: `null` until the batch exists, then the proof (even before L1 has it).
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    let proof = loop {
        let proof = node.rpc.ok("zks_getL2ToL1LogProof", json!([hash, 0])).await;
        if !proof.is_null() {
            break proof;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the withdrawal is never batched"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let err = node
        .rpc
        .err("zks_getL2ToL1LogProof", json!([hash, 5]))
        .await;
    assert!(err.message.contains("does not exist"), "{err:?}");
    // The proof target, as zksync-os-server's `LogProofTarget`: `l1BatchRoot` is the default;
    // zksync-era's `proof_based_gw` is no target of its.
    let explicit = node
        .rpc
        .ok("zks_getL2ToL1LogProof", json!([hash, 0, "l1BatchRoot"]))
        .await;
    assert_eq!(explicit, proof);
    let err = node
        .rpc
        .err("zks_getL2ToL1LogProof", json!([hash, 0, "proof_based_gw"]))
        .await;
    assert_eq!(err.code, -32602, "{err:?}");
    assert!(
        err.message
            .contains("unknown variant `proof_based_gw`, expected `l1BatchRoot` or `messageRoot`"),
        "{err:?}"
    );
    let raw = node
        .rpc
        .ok("eth_getTransactionReceipt", json!([hash]))
        .await;
    let params = finalize_params(
        &proof,
        receiver,
        ether(1),
        qty(&raw["l1BatchTxIndex"]) as u16,
    );
    let l1 = l1_wallet(&node, 7);
    let nullifier =
        nullifier::L1Nullifier::new(node.node.l1_contracts().unwrap().l1_nullifier, &l1);
    let Err(refused) = nullifier.finalizeDeposit(params).call().await else {
        panic!("finalizing before the batch is executed on L1 is refused");
    };
    let selector =
        alloy::hex::encode(&alloy::primitives::keccak256("BatchNotExecuted(uint256)")[..4]);
    assert!(
        refused.to_string().contains(&selector),
        "finalizing before the batch is executed on L1 is refused with BatchNotExecuted: {refused}"
    );
}

#[tokio::test]
async fn manual_settlement_takes_a_batch_to_finalized_step_by_step() {
    let node = TestNode::start_with(|c| c.settlement.auto = false).await;
    let receipt = node
        .wallet_provider(1)
        .send_transaction(
            TransactionRequest::default()
                .to(Address::repeat_byte(2))
                .value(U256::from(1)),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    while qty(&node.rpc.ok("zks_L1BatchNumber", json!([])).await) < 1 {
        assert!(tokio::time::Instant::now() < deadline, "no batch sealed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let err = node.rpc.err("anvil_zks_executeBatch", json!([1])).await;
    assert!(err.message.contains("not proven"), "{err:?}");
    let err = node.rpc.err("anvil_zks_proveBatch", json!([1])).await;
    assert!(err.message.contains("not committed"), "{err:?}");
    for method in [
        "anvil_zks_commitBatch",
        "anvil_zks_proveBatch",
        "anvil_zks_executeBatch",
    ] {
        let tx = node.rpc.ok(method, json!([1])).await;
        assert_eq!(
            tx.as_str().unwrap().len(),
            66,
            "{method} answers the L1 tx hash"
        );
    }
    let err = node.rpc.err("anvil_zks_commitBatch", json!([1])).await;
    assert!(err.message.contains("already"), "{err:?}");
    let details = node.rpc.ok("zks_getL1BatchDetails", json!([1])).await;
    assert_eq!(details["status"], "verified");
    if receipt.block_number.unwrap()
        <= qty(&node.rpc.ok("zks_getL1BatchBlockRange", json!([1])).await[1])
    {
        wait_finalized(&node, receipt.block_number.unwrap()).await;
    }
}

/// A node settling on `anvil` (deployed there by the node itself).
async fn node_on(anvil: &Anvil) -> TestNode {
    let url = anvil.url.clone();
    TestNode::start_with(move |c| {
        if let Some(l1) = &mut c.l1 {
            l1.external = Some(ExternalL1 {
                url,
                deploy: true,
                bridgehub: None,
            });
        }
    })
    .await
}

#[tokio::test]
async fn deposit_and_withdrawal_with_a_real_anvil_as_external_l1() {
    let anvil = Anvil::start().unwrap();
    let node = node_on(&anvil).await;
    assert_eq!(node.node.l1_rpc_url(), Some(anvil.url.clone()));
    assert_eq!(node.node.l1_rpc_addr(), None, "no embedded L1 runs");

    let receiver = Address::repeat_byte(0x42);
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
    assert_eq!(node.provider.get_balance(receiver).await.unwrap(), ether(2));

    withdrawal_round_trip(&node).await;
}

#[tokio::test]
async fn settlement_survives_an_l1_outage_without_skipping_or_repeating_a_batch() {
    let anvil = Anvil::start().unwrap();
    let node = node_on(&anvil).await;
    let l2 = node.wallet_provider(2);
    let send = |to: u8| {
        let l2 = l2.clone();
        async move {
            l2.send_transaction(
                TransactionRequest::default()
                    .to(Address::repeat_byte(to))
                    .value(U256::from(1)),
            )
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap()
        }
    };
    let first = send(1).await;
    let first_block = first.block_number.unwrap();
    wait_finalized(&node, first.block_number.unwrap()).await;

    anvil.pause();
    let mut last = first;
    for i in 0..5 {
        last = send(10 + i).await;
    }
    assert!(
        last.block_number.unwrap() >= first_block + 5,
        "the L2 keeps producing"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    anvil.resume();

    wait_finalized(&node, last.block_number.unwrap()).await;
    let l1 = anvil.provider();
    let zk_chain = node.node.l1_contracts().unwrap().zk_chain;
    let commits = l1
        .get_logs(
            &Filter::new()
                .address(zk_chain)
                .event_signature(zk_chain::ZKChain::BlockCommit::SIGNATURE_HASH)
                .from_block(0),
        )
        .await
        .unwrap();
    let numbers: Vec<U256> = commits
        .iter()
        .map(|log| U256::from_be_bytes(log.topics()[1].0))
        .collect();
    let expected: Vec<U256> = (1..=numbers.len() as u64).map(U256::from).collect();
    assert_eq!(numbers, expected, "each batch committed once, in order");
    let executed = l1
        .get_logs(
            &Filter::new()
                .address(zk_chain)
                .event_signature(zk_chain::ZKChain::BlockExecution::SIGNATURE_HASH)
                .from_block(0),
        )
        .await
        .unwrap();
    assert!(executed.len() <= numbers.len());
    assert!(qty(&node.rpc.ok("zks_L1BatchNumber", json!([])).await) >= executed.len() as u64);
}
