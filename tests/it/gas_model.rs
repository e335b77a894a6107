//! ZKsync OS's gas model: native resource and pubdata on top of EVM gas (`deltaGas`), in
//! estimates, receipts and fees; the mempool's "intrinsic gas too low" for native.

use alloy::primitives::{Bytes, TxKind, U256, address};
use serde_json::json;
use zkos_dev::executor::ResourcePrices;

use crate::support::{BASE_FEE, TestNode, call_tx, qty, sign, transfer};

/// Init code that hashes 8 KiB of memory `rounds` times, then returns nothing: cheap in EVM gas,
/// expensive in native (keccak rounds are what ZKsync OS's prover pays for).
fn keccak_heavy(rounds: usize) -> Bytes {
    let mut code = vec![];
    for _ in 0..rounds {
        // PUSH2 0x2000 PUSH0 KECCAK256 POP
        code.extend_from_slice(&[0x61, 0x20, 0x00, 0x5f, 0x20, 0x50]);
    }
    code.push(0x00); // STOP
    code.into()
}

async fn estimate_create(node: &TestNode, code: &Bytes) -> u64 {
    qty(&node
        .rpc
        .ok(
            "eth_estimateGas",
            json!([{"from": node.account(0), "input": code}]),
        )
        .await)
}

#[tokio::test]
async fn native_heavy_code_pays_delta_gas_and_fails_without_it() {
    let node = TestNode::start().await;
    let plain = TestNode::start_with(|c| c.chain.prices = ResourcePrices::OFF).await;
    let code = keccak_heavy(40);
    let evm_gas = estimate_create(&plain, &code).await;
    let gas = estimate_create(&node, &code).await;
    // 40 hashes of 8 KiB: about 43M native, 430k gas at 100 native per gas.
    assert!(gas > evm_gas + 300_000, "estimate {gas}, EVM gas {evm_gas}");

    // Sent with the plain EVM estimate, it runs out of native: it fails and spends its whole
    // gas limit, and the fee account gets that fee.
    let rich = address!("0x36615Cf349d7F6344891B1e7CA7C72883F5dc049");
    let fees_before = node.balance(rich).await;
    let sender_before = node.balance(node.account(0)).await;
    let short = node
        .send_and_wait(&sign(
            node.signer(0),
            call_tx(0, TxKind::Create, code.clone(), evm_gas),
        ))
        .await;
    assert!(!short.status());
    assert_eq!(short.gas_used, evm_gas);
    assert_eq!(node.nonce(node.account(0)).await, 1);

    // With the estimate it succeeds, and the receipt's gas includes deltaGas.
    let ok = node
        .send_and_wait(&sign(
            node.signer(0),
            call_tx(1, TxKind::Create, code.clone(), gas),
        ))
        .await;
    assert!(ok.status());
    assert!(
        ok.gas_used > evm_gas + 300_000 && ok.gas_used <= gas,
        "{}",
        ok.gas_used
    );

    // The sender paid exactly gas used × price for both, all of it to the fee account.
    let paid = U256::from(short.gas_used + ok.gas_used) * U256::from(BASE_FEE);
    assert_eq!(sender_before - node.balance(node.account(0)).await, paid);
    assert_eq!(node.balance(rich).await - fees_before, paid);

    // Under Ethereum's rules there is no second resource.
    let eth = TestNode::start_with(|c| {
        c.chain.rules = zkos_dev::executor::EvmRules::Ethereum;
        c.chain.prices = ResourcePrices::OFF;
    })
    .await;
    assert_eq!(estimate_create(&eth, &code).await, evm_gas);
}

#[tokio::test]
async fn the_mempool_refuses_gas_below_the_intrinsic_native_cost() {
    // At a native price of 100 wei a gas buys 10 native units: a transfer's intrinsic native
    // (signature check, account reads and writes, hashing) needs far more than 21,000 gas.
    let node = TestNode::start_with(|c| {
        c.chain.prices = ResourcePrices {
            native_price: 100,
            pubdata_price: 1_000,
        }
    })
    .await;
    let to = node.account(2);
    let err = node
        .rpc
        .send_raw(&sign(node.signer(1), transfer(0, to, U256::from(1))))
        .await
        .unwrap_err();
    assert_eq!(err.message, "intrinsic gas too low");

    let gas = qty(&node
        .rpc
        .ok(
            "eth_estimateGas",
            json!([{"from": node.account(1), "to": to, "value": "0x1"}]),
        )
        .await);
    assert!(gas > 100_000, "{gas}");
    let mut tx = transfer(0, to, U256::from(1));
    tx.gas_limit = gas;
    let receipt = node.send_and_wait(&sign(node.signer(1), tx)).await;
    assert!(receipt.status());
    assert!(receipt.gas_used > 100_000 && receipt.gas_used <= gas);
}

#[tokio::test]
async fn a_transfer_costs_21000_at_the_default_prices() {
    let node = TestNode::start().await;
    let receipt = node.transfer_and_wait(1, node.account(2)).await;
    assert_eq!(receipt.gas_used, 21_000);
    // A pubdata byte is worth one gas at the default prices.
    assert_eq!(qty(&node.rpc.ok("zks_gasPerPubdata", json!([])).await), 1);
    let params = node.rpc.ok("zks_getFeeParams", json!([])).await;
    assert_eq!(params["V2"]["l1_pubdata_price"], json!(1_000));
}

#[tokio::test]
async fn an_access_list_costs_native_too() {
    // Each listed address and key is a cold read ZKsync OS charges in native up front: with
    // one of each, a transfer to a new account needs more native than its EVM gas buys
    // (21,000 + 2,400 + 1,900).
    let node = TestNode::start().await;
    let list = alloy::eips::eip2930::AccessList(vec![alloy::eips::eip2930::AccessListItem {
        address: alloy::primitives::Address::repeat_byte(0x22),
        storage_keys: vec![alloy::primitives::B256::with_last_byte(1)],
    }]);
    let mut tx = transfer(
        0,
        alloy::primitives::Address::repeat_byte(0x23),
        U256::from(7),
    );
    tx.access_list = list;
    tx.gas_limit = 40_000;
    let receipt = node.send_and_wait(&sign(node.signer(2), tx)).await;
    assert!(receipt.status());
    assert!(
        receipt.gas_used > 21_000 + 2_400 + 1_900,
        "{}",
        receipt.gas_used
    );
}

/// `eth_estimateGas` of `input` to `to` (a create without `to`) from dev account `from`.
async fn estimate_from(
    node: &TestNode,
    from: usize,
    to: Option<alloy::primitives::Address>,
    input: Bytes,
) -> u64 {
    let mut request = json!({"from": node.account(from), "input": input});
    if let Some(to) = to {
        request["to"] = json!(to);
    }
    qty(&node.rpc.ok("eth_estimateGas", json!([request])).await)
}

/// Sends `input` to `to` (or creates) from `from` with exactly `gas`; returns the receipt.
async fn send_with_gas(
    node: &TestNode,
    from: usize,
    to: Option<alloy::primitives::Address>,
    input: Bytes,
    gas: u64,
) -> alloy::rpc::types::TransactionReceipt {
    let nonce = node.nonce(node.account(from)).await;
    let kind = to.map_or(TxKind::Create, TxKind::Call);
    node.send_and_wait(&sign(node.signer(from), call_tx(nonce, kind, input, gas)))
        .await
}

#[tokio::test]
async fn estimates_cover_the_model_for_every_kind_of_tx() {
    use crate::contracts::{Counter, Token};
    use alloy::sol_types::{SolCall, SolConstructor};
    // The same txs on a node with the model and one without (EVM gas only).
    let node = TestNode::start().await;
    let plain = TestNode::start_with(|c| c.chain.prices = ResourcePrices::OFF).await;
    let supply = U256::from(1_000_000u64);
    let token_init: Bytes = [
        Token::BYTECODE.to_vec(),
        Token::constructorCall { supply }.abi_encode(),
    ]
    .concat()
    .into();
    let counter_init = Counter::BYTECODE.clone();
    for n in [&node, &plain] {
        let token = n.deploy_token(0, supply).await;
        let counter = n.deploy_counter(0).await;
        assert_eq!(
            (token, counter),
            (n.account(0).create(0), n.account(0).create(1))
        );
    }
    let token = node.account(0).create(0);
    let counter = node.account(0).create(1);
    let transfer_call: Bytes = Token::transferCall {
        to: alloy::primitives::Address::repeat_byte(0x77),
        value: U256::from(5),
    }
    .abi_encode()
    .into();
    let store_call: Bytes = Counter::setNumberCall { n: U256::from(9) }
        .abi_encode()
        .into();
    let cases: [(&str, Option<alloy::primitives::Address>, Bytes); 4] = [
        ("deploy Token", None, token_init),
        ("deploy Counter", None, counter_init),
        (
            "ERC-20 transfer to a new holder",
            Some(token),
            transfer_call,
        ),
        ("storage write", Some(counter), store_call),
    ];
    for (what, to, input) in cases {
        let evm = estimate_from(&plain, 0, to, input.clone()).await;
        let gas = estimate_from(&node, 0, to, input.clone()).await;
        assert!(
            gas >= evm,
            "{what}: estimate {gas} below the EVM estimate {evm}"
        );
        let receipt = send_with_gas(&node, 0, to, input, gas).await;
        assert!(
            receipt.status(),
            "{what}: sent with its estimate {gas}, it failed"
        );
        assert!(
            receipt.gas_used <= gas,
            "{what}: used {} of {gas}",
            receipt.gas_used
        );
    }
}

#[tokio::test]
async fn traces_replay_a_block_as_it_was_produced() {
    // A block with a tx that ran out of native, then a transfer from the same sender: the
    // transfer's trace must start from the state the chain had, where the first tx spent its
    // whole gas limit and changed nothing else.
    let node = TestNode::manual().await;
    let plain = TestNode::start_with(|c| c.chain.prices = ResourcePrices::OFF).await;
    let code = keccak_heavy(40);
    // Enough EVM gas to spare, far from enough native.
    let limit = estimate_create(&plain, &code).await + 10_000;
    let short = sign(node.signer(0), call_tx(0, TxKind::Create, code, limit));
    let next = sign(node.signer(0), transfer(1, node.account(5), U256::from(1)));
    node.send(&short).await;
    node.send(&next).await;
    node.mine().await;
    let receipt = node.receipt(*short.tx_hash()).await;
    assert!(!receipt.status());
    let traces = node
        .rpc
        .ok(
            "debug_traceBlockByNumber",
            json!([format!("{:#x}", receipt.block_number.unwrap()), {"tracer": "prestateTracer"}]),
        )
        .await;
    let sender = format!("{:#x}", node.account(0));
    let prestate = &traces[1]["result"][&sender];
    let expected = crate::support::dev_balance() - U256::from(limit) * U256::from(BASE_FEE);
    assert_eq!(prestate["nonce"], json!(1));
    assert_eq!(
        prestate["balance"]
            .as_str()
            .map(|b| U256::from_str_radix(&b[2..], 16).unwrap()),
        Some(expected),
        "{traces}"
    );
}
