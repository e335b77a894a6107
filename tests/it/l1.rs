//! The embedded L1: a second chain in the same process (chain 31337), its own storage, the same
//! dev accounts, and the rollup contracts already deployed at genesis.

use std::{
    process::{Command, Stdio},
    time::Instant,
};

use alloy::{
    primitives::{Address, Bytes, U256},
    providers::Provider,
};
use serde_json::json;

use crate::support::{PATIENCE, RawRpc, TestNode, dev_balance, l1_wallet, qty};

/// Bindings generated from the committed artifacts, so the test checks the real ABI.
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

const L1_CHAIN_ID: u64 = 31337;
const L2_CHAIN_ID: u64 = 270;

fn l1_raw(node: &TestNode) -> RawRpc {
    RawRpc::new(node.node.l1_rpc_url().expect("the test node runs an L1"))
}

#[tokio::test]
async fn both_chains_answer_with_their_own_chain_ids_and_fund_the_dev_accounts() {
    let node = TestNode::start().await;
    let l1 = l1_wallet(&node, 0);
    assert_eq!(node.provider.get_chain_id().await.unwrap(), L2_CHAIN_ID);
    assert_eq!(l1.get_chain_id().await.unwrap(), L1_CHAIN_ID);
    assert_ne!(node.node.l1_rpc_url(), Some(node.node.rpc_url()));
    assert!(
        node.node
            .l1_ws_url()
            .unwrap()
            .starts_with("ws://127.0.0.1:")
    );
    for account in node.node.accounts() {
        assert_eq!(
            l1.get_balance(account.address).await.unwrap(),
            dev_balance(),
            "{} on L1",
            account.address
        );
        assert_eq!(l1.get_transaction_count(account.address).await.unwrap(), 0);
    }
    // Start-up deployed nothing: the contracts are in the genesis state.
    assert_eq!(l1.get_block_number().await.unwrap(), 0);
}

#[tokio::test]
async fn l1_answers_the_anvil_and_hardhat_info_methods_as_chain_31337() {
    let node = TestNode::start().await;
    let l1 = l1_raw(&node);
    let info = l1.ok("anvil_nodeInfo", json!([])).await;
    assert_eq!(info["environment"]["chainId"], json!(L1_CHAIN_ID));
    assert_eq!(info["currentBlockNumber"], json!(0));
    for method in ["anvil_metadata", "hardhat_metadata"] {
        let meta = l1.ok(method, json!([])).await;
        assert_eq!(meta["chainId"], json!(L1_CHAIN_ID), "{method}");
        assert!(
            meta["clientVersion"]
                .as_str()
                .unwrap()
                .starts_with("anvil/")
        );
    }
    assert_eq!(
        l1.ok("net_version", json!([])).await,
        json!(L1_CHAIN_ID.to_string())
    );
}

#[tokio::test]
async fn bridgehub_at_genesis_knows_chain_270_and_its_shared_bridge() {
    let node = TestNode::start().await;
    let contracts = node.node.l1_contracts().unwrap();
    let l1 = l1_wallet(&node, 0);
    let hub = bridgehub::Bridgehub::new(contracts.bridgehub, &l1);
    assert_eq!(
        hub.getZKChain(U256::from(L2_CHAIN_ID))
            .call()
            .await
            .unwrap(),
        contracts.zk_chain
    );
    assert_eq!(
        hub.sharedBridge().call().await.unwrap(),
        contracts.l1_asset_router
    );
    assert_eq!(
        hub.l1Nullifier().call().await.unwrap(),
        contracts.l1_nullifier
    );
    // ETH is the base token (`0x…01`).
    assert_eq!(
        hub.baseToken(U256::from(L2_CHAIN_ID)).call().await.unwrap(),
        Address::with_last_byte(1)
    );
    assert!(!l1.get_code_at(contracts.verifier).await.unwrap().is_empty());
}

#[tokio::test]
async fn deposit_request_on_l1_emits_new_priority_request() {
    let node = TestNode::start().await;
    let contracts = node.node.l1_contracts().unwrap();
    let l1 = l1_wallet(&node, 1);
    let sender = node.account(1);
    let receiver = Address::repeat_byte(0x42);
    let gas_limit = 300_000u64;
    let l2_value = U256::from(10u64).pow(U256::from(18u64));
    let hub = bridgehub::Bridgehub::new(contracts.bridgehub, &l1);
    let base_cost = hub
        .l2TransactionBaseCost(
            U256::from(L2_CHAIN_ID),
            U256::from(1000u64),
            U256::from(gas_limit),
            U256::from(800u64),
        )
        .call()
        .await
        .unwrap();
    let mint = base_cost + l2_value;
    let request = bridgehub::IBridgehub::L2TransactionRequestDirect {
        chainId: U256::from(L2_CHAIN_ID),
        mintValue: mint,
        l2Contract: receiver,
        l2Value: l2_value,
        l2Calldata: Bytes::new(),
        l2GasLimit: U256::from(gas_limit),
        l2GasPerPubdataByteLimit: U256::from(800u64),
        factoryDeps: vec![],
        refundRecipient: sender,
    };
    let l2_block_before = node.provider.get_block_number().await.unwrap();
    let receipt = hub
        .requestL2TransactionDirect(request)
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
    assert_eq!(event.address, contracts.zk_chain);
    assert_eq!(event.txId, U256::ZERO, "the first priority request");
    let tx = &event.transaction;
    assert_eq!(tx.txType, U256::from(255u64));
    assert_eq!(tx.from, U256::from_be_slice(sender.as_slice()));
    assert_eq!(tx.to, U256::from_be_slice(receiver.as_slice()));
    assert_eq!(tx.value, l2_value);
    assert_eq!(tx.gasLimit, U256::from(gas_limit));
    assert_eq!(tx.reserved[0], mint);

    // The ETH sits in the L1 native token vault (on top of what backs the L2's genesis ETH).
    let l1_raw = l1_raw(&node);
    let held = l1
        .get_balance(contracts.l1_native_token_vault)
        .block_id(receipt.block_number.unwrap().into())
        .await
        .unwrap();
    let before = l1
        .get_balance(contracts.l1_native_token_vault)
        .block_id((receipt.block_number.unwrap() - 1).into())
        .await
        .unwrap();
    assert_eq!(held - before, mint);
    assert!(qty(&l1_raw.ok("eth_blockNumber", json!([])).await) >= 1);
    let _ = l2_block_before;
}

#[tokio::test]
async fn l1_and_l2_are_independent() {
    let node = TestNode::start().await;
    let l1 = l1_wallet(&node, 2);
    let l2 = node.wallet_provider(2);
    let to = Address::repeat_byte(0x77);

    let receipt = l1
        .send_transaction(
            alloy::rpc::types::TransactionRequest::default()
                .to(to)
                .value(U256::from(5u64)),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    assert_eq!(l1.get_block_number().await.unwrap(), 1);
    assert_eq!(l2.get_block_number().await.unwrap(), 0);
    assert_eq!(l2.get_balance(to).await.unwrap(), U256::ZERO);
    assert_eq!(l2.get_transaction_count(node.account(2)).await.unwrap(), 0);

    for _ in 0..2 {
        let receipt = l2
            .send_transaction(
                alloy::rpc::types::TransactionRequest::default()
                    .to(to)
                    .value(U256::from(7u64)),
            )
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(receipt.status());
    }
    assert_eq!(l2.get_block_number().await.unwrap(), 2);
    // L1 gets the settlement txs of the L2's batches, but nothing of the L2's transfers.
    assert_eq!(l1.get_balance(to).await.unwrap(), U256::from(5u64));
    assert_eq!(l2.get_balance(to).await.unwrap(), U256::from(14u64));
}

#[tokio::test]
async fn the_binary_serves_both_chains_on_the_ports_asked_for() {
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, l1_port) = (free_port(), free_port());
    let child = crate::support::Killed::spawn(
        Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
            .args(["start", "--ephemeral", "--port", &port.to_string()])
            .args(["--l1-port", &l1_port.to_string(), "--silent"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit()),
    );
    let l2 = RawRpc::new(format!("http://127.0.0.1:{port}"));
    let l1 = RawRpc::new(format!("http://127.0.0.1:{l1_port}"));
    let deadline = Instant::now() + PATIENCE;
    let answers = loop {
        let chain_ids = (
            l2.http
                .post(&l2.url)
                .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}))
                .send()
                .await,
            l1.http
                .post(&l1.url)
                .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}))
                .send()
                .await,
        );
        if let (Ok(_), Ok(_)) = chain_ids {
            break (
                l2.ok("eth_chainId", json!([])).await,
                l1.ok("eth_chainId", json!([])).await,
            );
        }
        assert!(
            Instant::now() < deadline,
            "zkos-dev did not answer on both ports"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    drop(child);
    assert_eq!(answers, (json!("0x10e"), json!("0x7a69")));
}

#[tokio::test]
async fn no_l1_runs_the_l2_alone() {
    let node = TestNode::start_with(|c| c.l1 = None).await;
    assert_eq!(node.node.l1_rpc_url(), None);
    assert_eq!(node.node.l1_contracts(), None);
    assert_eq!(node.provider.get_chain_id().await.unwrap(), L2_CHAIN_ID);
}
