//! What a wallet or tool asks a node before it does anything: chain id, version, fees, health.

use alloy::{
    primitives::{U256, keccak256},
    providers::Provider,
};
use serde_json::json;

use crate::support::{TestNode, qty};

#[tokio::test]
async fn chain_id_is_270_like_zksync_os() {
    let t = TestNode::start().await;
    assert_eq!(t.provider.get_chain_id().await.unwrap(), 270);
    assert_eq!(t.rpc.ok("eth_chainId", json!([])).await, json!("0x10e"));
}

#[tokio::test]
async fn net_version_is_the_chain_id_in_decimal() {
    let t = TestNode::start().await;
    assert_eq!(t.rpc.ok("net_version", json!([])).await, json!("270"));
    assert_eq!(t.provider.get_net_version().await.unwrap(), 270);
}

#[tokio::test]
async fn net_reports_listening_with_no_peers() {
    let t = TestNode::start().await;
    assert_eq!(t.rpc.ok("net_listening", json!([])).await, json!(true));
    assert_eq!(qty(&t.rpc.ok("net_peerCount", json!([])).await), 0);
}

#[tokio::test]
async fn client_version_looks_like_anvil_so_hardhat_helpers_work() {
    let t = TestNode::start().await;
    let version = t.provider.get_client_version().await.unwrap();
    assert!(
        version.starts_with("anvil/"),
        "web3_clientVersion = {version:?}"
    );
    assert!(
        version.contains("zkos-dev"),
        "web3_clientVersion = {version:?}"
    );
}

#[tokio::test]
async fn web3_sha3_is_keccak256_of_the_bytes() {
    let t = TestNode::start().await;
    let hash = t
        .rpc
        .ok("web3_sha3", json!(["0x68656c6c6f20776f726c64"]))
        .await;
    assert_eq!(hash, json!(keccak256(b"hello world")));
    assert_eq!(
        t.rpc.ok("web3_sha3", json!(["0x"])).await,
        json!("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    );
}

#[tokio::test]
async fn gas_price_is_the_constant_base_fee_and_tips_are_zero() {
    let t = TestNode::start().await;
    assert_eq!(t.provider.get_gas_price().await.unwrap(), 1000);
    assert_eq!(t.rpc.ok("eth_gasPrice", json!([])).await, json!("0x3e8"));
    assert_eq!(t.provider.get_max_priority_fee_per_gas().await.unwrap(), 0);
    assert_eq!(
        t.rpc.ok("eth_maxPriorityFeePerGas", json!([])).await,
        json!("0x0")
    );
}

#[tokio::test]
async fn node_is_never_syncing() {
    let t = TestNode::start().await;
    assert_eq!(t.rpc.ok("eth_syncing", json!([])).await, json!(false));
}

#[tokio::test]
async fn protocol_version_coinbase_and_hashrate_answer() {
    let t = TestNode::start().await;
    let protocol = t.rpc.ok("eth_protocolVersion", json!([])).await;
    assert!(protocol.is_string(), "eth_protocolVersion = {protocol}");

    let coinbase = t.rpc.ok("eth_coinbase", json!([])).await;
    let coinbase: alloy::primitives::Address =
        serde_json::from_value(coinbase.clone()).unwrap_or_else(|_| panic!("coinbase {coinbase}"));
    // The coinbase is the miner of the blocks the node produces.
    let receipt = t
        .transfer_and_wait(0, crate::support::fresh_address(1))
        .await;
    let block = t
        .rpc
        .ok(
            "eth_getBlockByNumber",
            json!([receipt.block_number.map(crate::support::hex_u64), false]),
        )
        .await;
    assert_eq!(
        block["miner"],
        json!(coinbase),
        "eth_coinbase is the miner of new blocks"
    );

    assert_eq!(qty(&t.rpc.ok("eth_hashrate", json!([])).await), 0);
}

#[tokio::test]
async fn eth_mining_is_true_with_automine_and_false_in_manual_mode() {
    // anvil: eth_mining = automine or interval mining is on.
    let instant = TestNode::start().await;
    assert_eq!(instant.rpc.ok("eth_mining", json!([])).await, json!(true));
    let manual = TestNode::manual().await;
    assert_eq!(manual.rpc.ok("eth_mining", json!([])).await, json!(false));
}

#[tokio::test]
async fn health_endpoint_answers_200() {
    let t = TestNode::start().await;
    let response = reqwest::get(format!("{}/health", t.node.rpc_url()))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn dev_accounts_start_with_10000_eth_each() {
    let t = TestNode::start().await;
    let accounts = t.node.accounts();
    assert_eq!(
        accounts.len(),
        11,
        "10 mnemonic accounts + the rich account"
    );
    assert_eq!(
        accounts[0].address,
        alloy::primitives::address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    );
    assert_eq!(
        accounts[10].address,
        alloy::primitives::address!("0x36615Cf349d7F6344891B1e7CA7C72883F5dc049")
    );
    for account in accounts {
        assert_eq!(
            t.balance(account.address).await,
            crate::support::dev_balance(),
            "{}",
            account.address
        );
    }
    assert_eq!(
        t.balance(crate::support::fresh_address(9)).await,
        U256::ZERO
    );
}

#[tokio::test]
async fn more_dev_accounts_can_be_configured() {
    let t = TestNode::start_with(|c| c.accounts.count = 20).await;
    assert_eq!(t.node.accounts().len(), 21);
    let accounts: Vec<alloy::primitives::Address> = t.provider.get_accounts().await.unwrap();
    for account in t.node.accounts() {
        assert!(
            accounts.contains(&account.address),
            "eth_accounts lists {}",
            account.address
        );
        assert_eq!(
            t.balance(account.address).await,
            crate::support::dev_balance()
        );
    }
}
