//! Calls without a tx: eth_call (with state overrides), eth_estimateGas, eth_createAccessList,
//! and how reverts look to the caller.

use alloy::{
    consensus::TxEip2930,
    eips::{
        BlockId,
        eip2930::{AccessList, AccessListItem},
    },
    network::TransactionBuilder,
    primitives::{Address, B256, Bytes, TxKind, U256, hex},
    providers::Provider,
    rpc::types::{TransactionRequest, state::StateOverridesBuilder},
    sol_types::{Revert, SolCall, SolError, SolValue},
};
use serde_json::{Value, json};

use crate::{
    contracts::Counter,
    support::{TestNode, call_tx, fresh_address, hex_u64, qty, sign},
};

fn call_request(from: Address, to: Address, input: impl SolCall) -> TransactionRequest {
    TransactionRequest::default()
        .from(from)
        .to(to)
        .input(input.abi_encode().into())
}

fn json_call(from: Address, to: Address, input: impl SolCall) -> Value {
    json!({"from": from, "to": to, "data": Bytes::from(input.abi_encode())})
}

/// EVM code returning `BALANCE(target)` as one word.
fn balance_of_code(target: Address) -> Bytes {
    let mut code = vec![0x73];
    code.extend_from_slice(target.as_slice());
    code.extend_from_slice(&hex!("31 600052 6020 6000 f3"));
    code.into()
}

#[tokio::test]
async fn eth_call_reads_contract_state_now_and_at_an_earlier_block() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    t.call_and_wait(0, counter, Counter::setNumberCall { n: U256::from(5) })
        .await;
    let at_five = t.block_number().await;
    t.call_and_wait(0, counter, Counter::incrementCall {}).await;

    let out = t
        .provider
        .call(call_request(t.account(1), counter, Counter::numberCall {}))
        .await
        .unwrap();
    assert_eq!(U256::abi_decode(&out).unwrap(), U256::from(6));

    let raw = t
        .rpc
        .ok(
            "eth_call",
            json!([
                json_call(t.account(1), counter, Counter::numberCall {}),
                hex_u64(at_five)
            ]),
        )
        .await;
    assert_eq!(raw, json!(B256::from(U256::from(5))));

    // The sol! binding path a Rust user takes.
    let bound = Counter::new(counter, &t.provider);
    assert_eq!(bound.number().call().await.unwrap(), U256::from(6));
    assert_eq!(
        bound
            .number()
            .block(BlockId::number(at_five))
            .call()
            .await
            .unwrap(),
        U256::from(5)
    );
}

#[tokio::test]
async fn eth_call_does_not_change_state() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let blocks = t.block_number().await;
    let out = t
        .provider
        .call(call_request(
            t.account(0),
            counter,
            Counter::incrementCall {},
        ))
        .await;
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(
        Counter::new(counter, &t.provider)
            .number()
            .call()
            .await
            .unwrap(),
        U256::ZERO
    );
    assert_eq!(t.nonce(t.account(0)).await, 1);
    assert_eq!(t.block_number().await, blocks);
}

#[tokio::test]
async fn eth_call_with_balance_and_code_overrides_sees_the_overridden_account() {
    let t = TestNode::start().await;
    let (probe, rich_for_a_call) = (fresh_address(10), fresh_address(11));
    let fake_balance = U256::from(123_456_789_000u64);

    let overrides = StateOverridesBuilder::default()
        .with_code(probe, balance_of_code(rich_for_a_call))
        .with_balance(rich_for_a_call, fake_balance)
        .build();
    let out = t
        .provider
        .call(TransactionRequest::default().to(probe))
        .overrides(overrides)
        .await
        .unwrap();
    assert_eq!(U256::abi_decode(&out).unwrap(), fake_balance);

    // Same request over the wire, in the shape every client sends.
    let raw = t
        .rpc
        .ok(
            "eth_call",
            json!([
                {"to": probe},
                "latest",
                {probe.to_string(): {"code": balance_of_code(rich_for_a_call)}, rich_for_a_call.to_string(): {"balance": "0xff"}}
            ]),
        )
        .await;
    assert_eq!(raw, json!(B256::from(U256::from(255))));

    // Nothing stuck: without overrides the probe has no code and the account no balance.
    assert_eq!(t.provider.get_code_at(probe).await.unwrap(), Bytes::new());
    assert_eq!(t.balance(rich_for_a_call).await, U256::ZERO);
}

#[tokio::test]
async fn eth_call_with_code_override_runs_counter_at_any_address() {
    let t = TestNode::start().await;
    let anywhere = fresh_address(12);
    let overrides = StateOverridesBuilder::default()
        .with_code(anywhere, Counter::DEPLOYED_BYTECODE.clone())
        .build();
    let out = t
        .provider
        .call(call_request(t.account(0), anywhere, Counter::numberCall {}))
        .overrides(overrides)
        .await
        .unwrap();
    assert_eq!(U256::abi_decode(&out).unwrap(), U256::ZERO);
}

#[tokio::test]
async fn eth_call_with_state_diff_changes_one_slot_for_the_call_only() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    t.call_and_wait(0, counter, Counter::setNumberCall { n: U256::from(3) })
        .await;

    let overrides = StateOverridesBuilder::default()
        .with_state_diff(counter, [(B256::ZERO, B256::from(U256::from(77)))])
        .build();
    let out = t
        .provider
        .call(call_request(t.account(0), counter, Counter::numberCall {}))
        .overrides(overrides)
        .await
        .unwrap();
    assert_eq!(U256::abi_decode(&out).unwrap(), U256::from(77));

    let raw = t
        .rpc
        .ok(
            "eth_call",
            json!([
                json_call(t.account(0), counter, Counter::numberCall {}),
                "latest",
                {counter.to_string(): {"stateDiff": {B256::ZERO.to_string(): B256::from(U256::from(8))}}}
            ]),
        )
        .await;
    assert_eq!(raw, json!(B256::from(U256::from(8))));

    assert_eq!(
        t.provider
            .get_storage_at(counter, U256::ZERO)
            .await
            .unwrap(),
        U256::from(3)
    );
    assert_eq!(
        Counter::new(counter, &t.provider)
            .number()
            .call()
            .await
            .unwrap(),
        U256::from(3)
    );
}

#[tokio::test]
async fn eth_estimate_gas_of_a_transfer_is_21000() {
    let t = TestNode::start().await;
    let request = TransactionRequest::default()
        .from(t.account(0))
        .to(fresh_address(13))
        .value(U256::from(1));
    assert_eq!(t.provider.estimate_gas(request).await.unwrap(), 21_000);
    let raw = t
        .rpc
        .ok(
            "eth_estimateGas",
            json!([{"from": t.account(0), "to": fresh_address(13), "value": "0x1"}]),
        )
        .await;
    assert_eq!(qty(&raw), 21_000);
}

#[tokio::test]
async fn estimated_gas_is_enough_for_the_call_to_succeed() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let input = Counter::setNumberCall { n: U256::from(9) };
    let estimate = t
        .provider
        .estimate_gas(call_request(t.account(1), counter, input.clone()))
        .await
        .unwrap();
    assert!(
        estimate > 21_000,
        "a storage write costs more than a transfer: {estimate}"
    );

    let tx = sign(
        t.signer(1),
        call_tx(0, TxKind::Call(counter), input.abi_encode(), estimate),
    );
    let receipt = t.send_and_wait(&tx).await;
    assert!(
        receipt.status(),
        "a tx with the estimated gas limit succeeds: {receipt:?}"
    );
    assert!(receipt.gas_used <= estimate);
    assert_eq!(
        Counter::new(counter, &t.provider)
            .number()
            .call()
            .await
            .unwrap(),
        U256::from(9)
    );
}

#[tokio::test]
async fn estimated_gas_is_enough_to_deploy() {
    let t = TestNode::start().await;
    let request = TransactionRequest::default()
        .from(t.account(2))
        .with_deploy_code(Counter::BYTECODE.clone());
    let estimate = t.provider.estimate_gas(request).await.unwrap();
    let tx = sign(
        t.signer(2),
        call_tx(0, TxKind::Create, Counter::BYTECODE.clone(), estimate),
    );
    let receipt = t.send_and_wait(&tx).await;
    assert!(
        receipt.status(),
        "deploy with the estimate succeeds: {receipt:?}"
    );
    let address = receipt.contract_address.unwrap();
    assert_eq!(address, t.account(2).create(0));
    assert_eq!(
        t.provider.get_code_at(address).await.unwrap(),
        Counter::DEPLOYED_BYTECODE.clone()
    );
}

#[tokio::test]
async fn wallet_provider_sends_a_contract_call_with_its_own_estimates() {
    // What `cast send` does: eth_estimateGas + eth_feeHistory to fill the tx, then send.
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let wallet = t.wallet_provider(3);
    let receipt = Counter::new(counter, &wallet)
        .increment()
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    assert_eq!(receipt.from, t.account(3));
    assert_eq!(
        Counter::new(counter, &t.provider)
            .number()
            .call()
            .await
            .unwrap(),
        U256::from(1)
    );
}

/// Init code deploying a contract whose every call returns `counter.number()` via STATICCALL.
fn number_reader_init_code(counter: Address) -> Bytes {
    let mut runtime = hex!("638381f58a 60e0 1b 6000 52 6020 6000 6004 6000 73").to_vec();
    runtime.extend_from_slice(counter.as_slice());
    runtime.extend_from_slice(&hex!("5a fa 50 6020 6000 f3"));
    let mut init = vec![0x60, runtime.len() as u8];
    init.extend_from_slice(&hex!("80 600b 6000 39 6000 f3"));
    init.extend_from_slice(&runtime);
    init.into()
}

#[tokio::test]
async fn create_access_list_lists_the_storage_read_in_another_contract() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    t.call_and_wait(0, counter, Counter::setNumberCall { n: U256::from(21) })
        .await;
    let reader_deploy = sign(
        t.signer(1),
        call_tx(0, TxKind::Create, number_reader_init_code(counter), 200_000),
    );
    let reader = t
        .send_and_wait(&reader_deploy)
        .await
        .contract_address
        .unwrap();
    let out = t
        .provider
        .call(TransactionRequest::default().to(reader))
        .await
        .unwrap();
    assert_eq!(
        U256::abi_decode(&out).unwrap(),
        U256::from(21),
        "the reader reads counter.number()"
    );

    let request = TransactionRequest::default().from(t.account(2)).to(reader);
    let result = t.provider.create_access_list(&request).await.unwrap();

    // As geth and anvil: the sender, the callee and precompiles are warm anyway and not listed.
    assert!(result.error.is_none(), "{result:?}");
    assert_eq!(
        result.access_list,
        AccessList(vec![AccessListItem {
            address: counter,
            storage_keys: vec![B256::ZERO]
        }]),
        "{result:?}"
    );
    // The reported gas is what the tx costs with that list.
    let tx = TxEip2930 {
        chain_id: crate::support::CHAIN_ID,
        nonce: 0,
        gas_price: 1_000,
        gas_limit: result.gas_used.to::<u64>(),
        to: TxKind::Call(reader),
        value: U256::ZERO,
        access_list: result.access_list.clone(),
        input: Bytes::new(),
    };
    let receipt = t.send_and_wait(&sign(t.signer(2), tx)).await;
    assert!(receipt.status(), "{receipt:?}");
    assert_eq!(U256::from(receipt.gas_used), result.gas_used);
}

/// The `data` of an error must be the revert bytes, `0x`-hex.
fn revert_data(err: &crate::support::RpcError) -> Bytes {
    let data = err
        .data
        .as_ref()
        .unwrap_or_else(|| panic!("no data in {err:?}"));
    serde_json::from_value(data.clone())
        .unwrap_or_else(|_| panic!("data is not hex bytes: {err:?}"))
}

#[tokio::test]
async fn revert_reason_reaches_eth_call_and_eth_estimate_gas_callers() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let call = json_call(t.account(0), counter, Counter::failCall {});
    let expected = Bytes::from(Revert::from("counter: failure").abi_encode());

    for method in ["eth_call", "eth_estimateGas"] {
        let err = t.rpc.err(method, json!([call.clone(), "latest"])).await;
        assert_eq!(err.code, 3, "{method}: {err:?}");
        assert_eq!(
            err.message, "execution reverted: counter: failure",
            "{method}"
        );
        assert_eq!(revert_data(&err), expected, "{method}");
    }

    // Through alloy, the user sees the same payload and can decode the reason.
    let err = Counter::new(counter, &t.provider)
        .fail()
        .call()
        .await
        .unwrap_err();
    let reason = err
        .as_revert_data()
        .map(|d| Revert::abi_decode(&d).map(|r| r.reason));
    assert_eq!(reason.unwrap().unwrap(), "counter: failure");
}

#[tokio::test]
async fn eth_send_transaction_of_a_reverting_call_fails_with_the_reason_and_sends_nothing() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let blocks = t.block_number().await;
    // No gas given: the node estimates, the estimate reverts, the user sees why.
    let call = json_call(t.account(1), counter, Counter::failCall {});
    let err = t.rpc.err("eth_sendTransaction", json!([call])).await;
    assert_eq!(err.code, 3, "{err:?}");
    assert_eq!(err.message, "execution reverted: counter: failure");
    assert_eq!(
        revert_data(&err),
        Bytes::from(Revert::from("counter: failure").abi_encode())
    );
    assert_eq!(t.nonce(t.account(1)).await, 0);
    assert_eq!(t.block_number().await, blocks);
}

#[tokio::test]
async fn custom_error_reaches_the_caller_as_selector_and_arguments() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let caller = t.account(4);
    let call = json_call(caller, counter, Counter::failCustomCall {});
    let expected = Bytes::from(Counter::Unauthorized { caller }.abi_encode());
    assert_eq!(&expected[..4], Counter::Unauthorized::SELECTOR.as_slice());

    for method in ["eth_call", "eth_estimateGas"] {
        let err = t.rpc.err(method, json!([call.clone(), "latest"])).await;
        assert_eq!(err.code, 3, "{method}: {err:?}");
        assert!(
            err.message.starts_with("execution reverted"),
            "{method}: {err:?}"
        );
        assert_eq!(revert_data(&err), expected, "{method}");
    }

    let err = Counter::new(counter, &t.provider)
        .failCustom()
        .from(caller)
        .call()
        .await
        .unwrap_err();
    let decoded = err.as_decoded_error::<Counter::Unauthorized>();
    assert_eq!(decoded.map(|e| e.caller), Some(caller));
}

#[tokio::test]
async fn division_by_zero_panics_with_code_0x12() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let call = json_call(
        t.account(0),
        counter,
        Counter::divideCall {
            a: U256::from(1),
            b: U256::ZERO,
        },
    );
    let mut expected = hex!("4e487b71").to_vec();
    expected.extend_from_slice(&U256::from(0x12).abi_encode());

    for method in ["eth_call", "eth_estimateGas"] {
        let err = t.rpc.err(method, json!([call.clone(), "latest"])).await;
        assert_eq!(err.code, 3, "{method}: {err:?}");
        assert!(
            err.message.starts_with("execution reverted"),
            "{method}: {err:?}"
        );
        assert_eq!(revert_data(&err), Bytes::from(expected.clone()), "{method}");
    }
    let ok = t
        .rpc
        .ok(
            "eth_call",
            json!([
                json_call(
                    t.account(0),
                    counter,
                    Counter::divideCall {
                        a: U256::from(10),
                        b: U256::from(2)
                    }
                ),
                "latest"
            ]),
        )
        .await;
    assert_eq!(ok, json!(B256::from(U256::from(5))));
}
