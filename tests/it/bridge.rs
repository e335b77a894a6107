//! The bridge: deposits and L1->L2 calls requested on L1 run on L2 as type-0x7f txs, and what
//! L2 txs send to L1 (messages, withdrawals) shows up in their receipts as `l2ToL1Logs`.

use alloy::{
    primitives::{Address, B256, Bytes, U256, address, keccak256},
    providers::Provider,
    sol_types::SolCall,
};
use serde_json::{Value, json};

use crate::support::{PATIENCE, TestNode, l1_wallet, qty};

mod bridgehub {
    alloy::sol!(
        #[sol(rpc)]
        Bridgehub,
        "state/artifacts/Bridgehub.json"
    );
}
mod zk_chain {
    alloy::sol!(ZKChain, "state/artifacts/ZKChain.json");
}
mod system {
    alloy::sol! {
        function sendToL1(bytes message) external returns (bytes32);
        function withdraw(address l1Receiver) external payable;
    }
}

const L2_CHAIN_ID: u64 = 270;
const L1_MESSENGER: Address = address!("0x0000000000000000000000000000000000008008");
const L2_BASE_TOKEN: Address = address!("0x000000000000000000000000000000000000800a");
const BOOTLOADER: Address = address!("0x0000000000000000000000000000000000008001");
const L2_GAS_PRICE: u64 = 1000;

pub(crate) fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u64))
}

/// What one L1->L2 request asks for.
pub(crate) struct Request {
    pub(crate) to: Address,
    pub(crate) value: U256,
    pub(crate) calldata: Bytes,
    pub(crate) gas_limit: u64,
    pub(crate) refund_recipient: Address,
}

/// Sends `request` from dev account `from` on L1 through the Bridgehub; returns the L2 tx hash
/// (the canonical hash of the `NewPriorityRequest`) and the ETH minted on L2.
pub(crate) async fn request_l2_tx(node: &TestNode, from: usize, request: Request) -> (B256, U256) {
    request_l2_tx_overpaid(node, from, request, U256::ZERO).await
}

/// [`request_l2_tx`] with `extra` wei minted on top of what the value and the gas need.
pub(crate) async fn request_l2_tx_overpaid(
    node: &TestNode,
    from: usize,
    request: Request,
    extra: U256,
) -> (B256, U256) {
    let l1 = l1_wallet(node, from);
    let hub = bridgehub::Bridgehub::new(node.node.l1_contracts().unwrap().bridgehub, &l1);
    let base_cost = hub
        .l2TransactionBaseCost(
            U256::from(L2_CHAIN_ID),
            U256::from(L2_GAS_PRICE),
            U256::from(request.gas_limit),
            U256::from(800u64),
        )
        .call()
        .await
        .unwrap();
    let mint = base_cost + request.value + extra;
    let receipt = hub
        .requestL2TransactionDirect(bridgehub::IBridgehub::L2TransactionRequestDirect {
            chainId: U256::from(L2_CHAIN_ID),
            mintValue: mint,
            l2Contract: request.to,
            l2Value: request.value,
            l2Calldata: request.calldata,
            l2GasLimit: U256::from(request.gas_limit),
            l2GasPerPubdataByteLimit: U256::from(800u64),
            factoryDeps: vec![],
            refundRecipient: request.refund_recipient,
        })
        .value(mint)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status(), "requestL2TransactionDirect reverted");
    let event = receipt
        .decoded_log::<zk_chain::ZKChain::NewPriorityRequest>()
        .expect("a NewPriorityRequest log");
    (event.txHash, mint)
}

/// Waits for the L2 receipt of `hash`.
pub(crate) async fn l2_receipt(node: &TestNode, hash: B256) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let receipt = node
            .rpc
            .ok("eth_getTransactionReceipt", json!([hash]))
            .await;
        if !receipt.is_null() {
            return receipt;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "L1 tx {hash} never reached L2"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn service_log(receipt: &Value) -> &Value {
    receipt["l2ToL1Logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|log| {
            log["sender"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case(&BOOTLOADER.to_string())
        })
        .expect("an L1 tx has a service log")
}

#[tokio::test]
async fn deposit_lands_on_l2_as_a_priority_tx_with_a_success_service_log() {
    let node = TestNode::start().await;
    let receiver = Address::repeat_byte(0x42);
    let refund = Address::repeat_byte(0x43);
    let (hash, mint) = request_l2_tx(
        &node,
        1,
        Request {
            to: receiver,
            value: ether(1),
            calldata: Bytes::new(),
            gas_limit: 300_000,
            refund_recipient: refund,
        },
    )
    .await;
    let receipt = l2_receipt(&node, hash).await;
    assert_eq!(receipt["type"], "0x7f");
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(node.provider.get_balance(receiver).await.unwrap(), ether(1));
    let gas_used = U256::from(qty(&receipt["gasUsed"]));
    assert_eq!(
        node.provider.get_balance(refund).await.unwrap(),
        mint - ether(1) - gas_used * U256::from(L2_GAS_PRICE),
        "unused gas goes to the refund recipient"
    );
    // The L1 sender's L2 account is untouched: no balance left over, no nonce used.
    let sender = node.account(1);
    assert_eq!(
        node.provider.get_balance(sender).await.unwrap(),
        crate::support::dev_balance()
    );
    assert_eq!(
        node.provider.get_transaction_count(sender).await.unwrap(),
        0
    );

    let log = service_log(&receipt);
    assert_eq!(log["key"], json!(hash));
    assert_eq!(log["value"], json!(B256::from(U256::from(1))));
    assert_eq!(log["isService"], true);

    let tx = node.rpc.ok("eth_getTransactionByHash", json!([hash])).await;
    assert_eq!(tx["type"], "0x7f");
    assert_eq!(
        qty(&tx["nonce"]),
        0,
        "the nonce of an L1 tx is its priority id"
    );
    assert_eq!(tx["toMint"], json!(format!("{mint:#x}")));
    assert_eq!(tx["refundRecipient"], json!(refund));
    assert_eq!(tx["from"], json!(sender));
    // The fields every tx has: the chain's id and its block's timestamp.
    assert_eq!(tx["chainId"], "0x10e");
    let block = node
        .rpc
        .ok("eth_getBlockByHash", json!([tx["blockHash"], false]))
        .await;
    assert_eq!(tx["blockTimestamp"], block["timestamp"]);
}

#[tokio::test]
async fn a_failing_l1_to_l2_call_refunds_the_value_and_reports_failure() {
    let node = TestNode::start().await;
    let refund = Address::repeat_byte(0x51);
    // The base token has no function 0xdeadbeef: the call reverts.
    let (hash, mint) = request_l2_tx(
        &node,
        2,
        Request {
            to: L2_BASE_TOKEN,
            value: ether(2),
            calldata: Bytes::from_static(&[0xde, 0xad, 0xbe, 0xef]),
            gas_limit: 300_000,
            refund_recipient: refund,
        },
    )
    .await;
    let receipt = l2_receipt(&node, hash).await;
    assert_eq!(receipt["status"], "0x0");
    assert_eq!(service_log(&receipt)["value"], json!(B256::ZERO));
    let gas_used = U256::from(qty(&receipt["gasUsed"]));
    assert_eq!(
        node.provider.get_balance(refund).await.unwrap(),
        mint - gas_used * U256::from(L2_GAS_PRICE),
        "the value comes back too"
    );
}

#[tokio::test]
async fn l1_to_l2_call_runs_the_contract_and_its_message_goes_to_l1() {
    let node = TestNode::start().await;
    let message = Bytes::from_static(b"hello from L1, via L2");
    let (hash, _) = request_l2_tx(
        &node,
        3,
        Request {
            to: L1_MESSENGER,
            value: U256::ZERO,
            calldata: system::sendToL1Call {
                message: message.clone(),
            }
            .abi_encode()
            .into(),
            gas_limit: 500_000,
            refund_recipient: node.account(3),
        },
    )
    .await;
    let receipt = l2_receipt(&node, hash).await;
    assert_eq!(receipt["status"], "0x1");
    let logs = receipt["l2ToL1Logs"].as_array().unwrap();
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert_eq!(logs[0]["sender"], json!(L1_MESSENGER));
    assert_eq!(logs[0]["key"], json!(node.account(3).into_word()));
    assert_eq!(logs[0]["value"], json!(keccak256(&message)));
    assert_eq!(logs[1]["sender"], json!(BOOTLOADER));
}

#[tokio::test]
async fn priority_txs_run_once_each_in_order() {
    let node = TestNode::start().await;
    let mut hashes = vec![];
    for i in 0..3u8 {
        let (hash, _) = request_l2_tx(
            &node,
            4,
            Request {
                to: Address::repeat_byte(0x60 + i),
                value: ether(1),
                calldata: Bytes::new(),
                gas_limit: 100_000,
                refund_recipient: node.account(4),
            },
        )
        .await;
        hashes.push(hash);
    }
    for (i, hash) in hashes.iter().enumerate() {
        let receipt = l2_receipt(&node, *hash).await;
        assert_eq!(receipt["status"], "0x1");
        let tx = node.rpc.ok("eth_getTransactionByHash", json!([hash])).await;
        assert_eq!(qty(&tx["nonce"]), i as u64);
    }
    // Let the watcher poll a few more times: nothing runs twice.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    for i in 0..3u8 {
        assert_eq!(
            node.provider
                .get_balance(Address::repeat_byte(0x60 + i))
                .await
                .unwrap(),
            ether(1)
        );
    }
}

#[tokio::test]
async fn l2_messages_and_withdrawals_show_in_l2_to_l1_logs() {
    let node = TestNode::start().await;
    let l2 = node.wallet_provider(5);
    let message = Bytes::from_static(b"to L1");
    let tx = alloy::rpc::types::TransactionRequest::default()
        .to(L1_MESSENGER)
        .input(
            system::sendToL1Call {
                message: message.clone(),
            }
            .abi_encode()
            .into(),
        );
    let receipt = l2
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let raw = node
        .rpc
        .ok(
            "eth_getTransactionReceipt",
            json!([receipt.transaction_hash]),
        )
        .await;
    let logs = raw["l2ToL1Logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0]["sender"], json!(L1_MESSENGER));
    assert_eq!(logs[0]["key"], json!(node.account(5).into_word()));
    assert_eq!(logs[0]["value"], json!(keccak256(&message)));

    let l1_receiver = Address::repeat_byte(0x77);
    let amount = ether(3);
    let tx = alloy::rpc::types::TransactionRequest::default()
        .to(L2_BASE_TOKEN)
        .value(amount)
        .input(
            system::withdrawCall {
                l1Receiver: l1_receiver,
            }
            .abi_encode()
            .into(),
        );
    let receipt = l2
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    let raw = node
        .rpc
        .ok(
            "eth_getTransactionReceipt",
            json!([receipt.transaction_hash]),
        )
        .await;
    let logs = raw["l2ToL1Logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0]["key"], json!(L2_BASE_TOKEN.into_word()));
    let mut expected = vec![0x6c, 0x09, 0x60, 0xf9];
    expected.extend_from_slice(l1_receiver.as_slice());
    expected.extend_from_slice(&amount.to_be_bytes::<32>());
    assert_eq!(logs[0]["value"], json!(keccak256(&expected)));
    assert_eq!(
        node.provider.get_balance(L2_BASE_TOKEN).await.unwrap(),
        amount
    );
}

/// An overpaid deposit: `toMint` is 1 ETH more than the value and the gas need. Where that ETH
/// ends up is what protocol v31 (ZKsync OS AtlasV3) changed.
async fn overpaid_deposit(version: zkos_dev::executor::ProtocolVersion) -> (TestNode, U256, U256) {
    let node = TestNode::start_with(|c| c.chain.protocol = version).await;
    let receiver = Address::repeat_byte(0x61);
    let refund = Address::repeat_byte(0x62);
    let gas_limit = 300_000u64;
    let request = Request {
        to: receiver,
        value: ether(1),
        calldata: Bytes::new(),
        gas_limit,
        refund_recipient: refund,
    };
    let (hash, _) = request_l2_tx_overpaid(&node, 3, request, ether(1)).await;
    let l2 = l2_receipt(&node, hash).await;
    assert_eq!(l2["status"], "0x1");
    assert_eq!(node.provider.get_balance(receiver).await.unwrap(), ether(1));
    let unused = U256::from(gas_limit - qty(&l2["gasUsed"])) * U256::from(L2_GAS_PRICE);
    let refunded = node.provider.get_balance(refund).await.unwrap();
    let sender_gain =
        node.provider.get_balance(node.account(3)).await.unwrap() - crate::support::dev_balance();
    assert_eq!(
        refunded - unused,
        ether(1) - sender_gain,
        "the overpayment goes to one of them"
    );
    (node, refunded - unused, sender_gain)
}

#[tokio::test]
async fn an_overpaid_deposit_stays_with_its_sender_from_v31_and_is_refunded_before() {
    use zkos_dev::executor::ProtocolVersion;
    let (node, to_refund, to_sender) = overpaid_deposit(ProtocolVersion::V31).await;
    assert_eq!((to_refund, to_sender), (U256::ZERO, ether(1)));
    let version = node.rpc.ok("zks_getProtocolVersion", json!([])).await;
    assert_eq!(version["minorVersion"], 31);

    let (node, to_refund, to_sender) = overpaid_deposit(ProtocolVersion::V30).await;
    assert_eq!((to_refund, to_sender), (ether(1), U256::ZERO));
    let version = node.rpc.ok("zks_getProtocolVersion", json!([])).await;
    assert_eq!(version["minorVersion"], 30);
}
