//! `zks_*` on the L2: the ZKsync methods that need no deposits or batches. The L1 does not
//! answer them.

use alloy::primitives::{Address, Bytes, U256, address, keccak256};
use serde_json::{Value, json};

use crate::support::{RawRpc, TestNode, dev_balance, fresh_address, qty};

const L2_ASSET_ROUTER: Address = address!("0x0000000000000000000000000000000000010003");

fn addr(v: &Value) -> Address {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v} is not an address: {e}"))
}

#[tokio::test]
async fn zks_reports_the_l1_and_its_contracts() {
    let node = TestNode::start().await;
    let contracts = node.node.l1_contracts().unwrap();
    let rpc = &node.rpc;
    assert_eq!(rpc.ok("zks_L1ChainId", json!([])).await, json!("0x7a69"));
    assert_eq!(
        addr(&rpc.ok("zks_getBridgehubContract", json!([])).await),
        contracts.bridgehub
    );
    assert_eq!(
        addr(&rpc.ok("zks_getMainContract", json!([])).await),
        contracts.zk_chain
    );
    let bridges = rpc.ok("zks_getBridgeContracts", json!([])).await;
    assert_eq!(
        addr(&bridges["l1SharedDefaultBridge"]),
        contracts.l1_asset_router
    );
    assert_eq!(
        addr(&bridges["l1Erc20DefaultBridge"]),
        contracts.l1_asset_router
    );
    assert_eq!(addr(&bridges["l2SharedDefaultBridge"]), L2_ASSET_ROUTER);
    assert_eq!(addr(&bridges["l2Erc20DefaultBridge"]), L2_ASSET_ROUTER);
    assert_eq!(bridges["l1WethBridge"], Value::Null);
    assert_eq!(bridges["l2WethBridge"], Value::Null);
    assert_eq!(addr(&bridges["l1Nullifier"]), contracts.l1_nullifier);
    assert_eq!(
        addr(&bridges["l1NativeTokenVault"]),
        contracts.l1_native_token_vault
    );
    assert_eq!(
        addr(&bridges["l2NativeTokenVault"]),
        address!("0x0000000000000000000000000000000000010004")
    );
    // A transfer's fee estimate: the gas eth_estimateGas gives, the base fee, no tip.
    let request = json!([{"from": node.account(1), "to": node.account(2), "value": "0x1"}]);
    let fee = rpc.ok("zks_estimateFee", request.clone()).await;
    assert_eq!(
        fee["gas_limit"],
        rpc.ok("eth_estimateGas", request).await,
        "{fee}"
    );
    assert_eq!(
        fee["max_fee_per_gas"],
        rpc.ok("eth_gasPrice", json!([])).await
    );
    assert_eq!(fee["max_priority_fee_per_gas"], json!("0x0"));
    assert_eq!(
        addr(&rpc.ok("zks_getBaseTokenL1Address", json!([])).await),
        address!("0x0000000000000000000000000000000000000001")
    );
    assert_eq!(
        rpc.ok("zks_getTestnetPaymaster", json!([])).await,
        Value::Null
    );
}

#[tokio::test]
async fn zks_tokens_balances_and_fees() {
    let node = TestNode::start().await;
    let rpc = &node.rpc;
    let tokens = rpc.ok("zks_getConfirmedTokens", json!([0, 255])).await;
    assert_eq!(tokens.as_array().unwrap().len(), 1);
    let eth = &tokens[0];
    assert_eq!(
        addr(&eth["l1Address"]),
        address!("0x0000000000000000000000000000000000000001")
    );
    assert_eq!(
        addr(&eth["l2Address"]),
        address!("0x000000000000000000000000000000000000800a")
    );
    assert_eq!(eth["name"], json!("Ether"));
    assert_eq!(eth["symbol"], json!("ETH"));
    assert_eq!(eth["decimals"], json!(18));
    assert_eq!(
        rpc.ok("zks_getConfirmedTokens", json!([1, 10])).await,
        json!([])
    );

    let balances = rpc
        .ok("zks_getAllAccountBalances", json!([node.account(0)]))
        .await;
    let balances = balances.as_object().unwrap();
    assert_eq!(balances.len(), 1);
    let eth_balance: U256 =
        serde_json::from_value(balances[&Address::ZERO.to_string()].clone()).unwrap();
    assert_eq!(eth_balance, dev_balance());
    assert_eq!(
        rpc.ok("zks_getAllAccountBalances", json!([fresh_address(0x5a)]))
            .await,
        json!({})
    );

    let fees = rpc.ok("zks_getFeeParams", json!([])).await;
    assert_eq!(fees["V2"]["config"]["minimal_l2_gas_price"], json!(1000));
    assert!(fees["V2"]["l1_gas_price"].is_u64());
    assert_eq!(
        fees["V2"]["conversion_ratio"],
        json!({"numerator": 1, "denominator": 1})
    );
    // At the default prices a pubdata byte costs one gas.
    assert_eq!(qty(&rpc.ok("zks_gasPerPubdata", json!([])).await), 1);

    let version = rpc.ok("zks_getProtocolVersion", json!([])).await;
    let minor = version["minorVersion"].as_u64().unwrap();
    assert!(version["bootloaderCodeHash"].is_string());
    assert_eq!(
        rpc.ok("zks_getProtocolVersion", json!([minor])).await,
        version
    );
    assert_eq!(
        rpc.ok("zks_getProtocolVersion", json!([minor + 1])).await,
        Value::Null
    );
}

#[tokio::test]
async fn zks_get_bytecode_by_hash_uses_the_keccak_code_hash() {
    let node = TestNode::start().await;
    let code = Bytes::from_static(&[0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3]);
    node.rpc
        .ok("anvil_setCode", json!([fresh_address(0x7c), code]))
        .await;
    let got = node
        .rpc
        .ok("zks_getBytecodeByHash", json!([keccak256(&code)]))
        .await;
    let got: Vec<u8> = serde_json::from_value(got).unwrap();
    assert_eq!(got, code.to_vec());
    assert_eq!(
        node.rpc
            .ok("zks_getBytecodeByHash", json!([keccak256(b"no such code")]))
            .await,
        Value::Null
    );
}

#[tokio::test]
async fn zks_methods_are_l2_only() {
    let node = TestNode::start().await;
    let l1 = RawRpc::new(node.node.l1_rpc_url().unwrap());
    for method in [
        "zks_L1ChainId",
        "zks_getBridgehubContract",
        "zks_getMainContract",
        "zks_getBridgeContracts",
        "zks_estimateFee",
        "zks_getBaseTokenL1Address",
        "zks_getTestnetPaymaster",
        "zks_getFeeParams",
        "zks_getProtocolVersion",
        "zks_gasPerPubdata",
    ] {
        assert_eq!(
            l1.err(method, json!([])).await.code,
            -32601,
            "{method} on L1"
        );
        assert!(node.node.rpc_methods().contains(&method), "{method} on L2");
    }
    // zksync-os-server answers its config's `BytecodesSupplier` (an L1 contract protocol
    // upgrades publish bytecodes through); zkos-dev's L1 deploys none, so there is none to name.
    assert_eq!(
        node.rpc
            .err("zks_getBytecodeSupplierContract", json!([]))
            .await
            .code,
        -32601
    );
}

#[tokio::test]
async fn without_an_l1_there_are_no_zks_methods() {
    let node = TestNode::start_with(|c| c.l1 = None).await;
    assert_eq!(node.rpc.err("zks_L1ChainId", json!([])).await.code, -32601);
}
