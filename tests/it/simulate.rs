//! `eth_simulateV1`: blocks of calls that build on each other, under block and state overrides,
//! with ETH transfers as logs, reverts with their data, and real-tx validation on request.

use alloy::{
    primitives::{Address, B256, Bytes, keccak256},
    sol_types::{SolCall, SolError},
};
use serde_json::{Value, json};

use crate::{
    contracts::Counter,
    support::{TestNode, fresh_address, hex_u64, qty},
};

fn word(v: u64) -> Value {
    json!(format!("{v:#066x}"))
}

/// Returns NUMBER then TIMESTAMP as two words.
const CLOCK_CODE: &str = "0x436000524260205260406000f3";

#[tokio::test]
async fn simulated_blocks_build_on_each_other_under_overrides() {
    let node = TestNode::start().await;
    let rpc = &node.rpc;
    let me = node.account(0);
    let counter = node.deploy_counter(0).await;
    let latest = node.block_number().await;
    let call = |input: Vec<u8>| json!({"from": me, "to": counter, "data": Bytes::from(input)});
    let clock = fresh_address(0x61);
    let blocks = json!([
        {"calls": [call(Counter::incrementCall {}.abi_encode()), call(Counter::numberCall {}.abi_encode())]},
        {
            "blockOverrides": {"number": hex_u64(latest + 5), "time": "0x7fffffff", "gasLimit": "0x1c9c380",
                               "feeRecipient": fresh_address(0x62), "baseFeePerGas": "0x3b9aca00"},
            "stateOverrides": {clock.to_string(): {"code": CLOCK_CODE}},
            "calls": [call(Counter::numberCall {}.abi_encode()), {"from": me, "to": clock}],
        },
    ]);
    let out = rpc
        .ok(
            "eth_simulateV1",
            json!([{"blockStateCalls": blocks}, "latest"]),
        )
        .await;
    let out = out.as_array().unwrap();
    // Block latest+1, then the empty blocks of the gap, then latest+5.
    assert_eq!(out.len(), 5, "{out:?}");
    let first = &out[0];
    assert_eq!(qty(&first["number"]), latest + 1);
    assert_eq!(first["calls"][0]["status"], "0x1");
    assert_eq!(first["calls"][1]["returnData"], word(1));
    assert_eq!(
        qty(&first["gasUsed"]),
        qty(&first["calls"][0]["gasUsed"]) + qty(&first["calls"][1]["gasUsed"])
    );
    assert_eq!(first["transactions"].as_array().unwrap().len(), 2);
    for (i, block) in out.iter().enumerate().skip(1) {
        assert_eq!(qty(&block["number"]), latest + 1 + i as u64);
        assert_eq!(block["parentHash"], out[i - 1]["hash"]);
    }
    assert_eq!(out[2]["calls"], json!([]));
    let last = &out[4];
    assert_eq!(last["timestamp"], "0x7fffffff");
    assert_eq!(last["gasLimit"], "0x1c9c380");
    assert_eq!(last["baseFeePerGas"], "0x3b9aca00");
    assert_eq!(last["miner"], json!(fresh_address(0x62)));
    // The second block sees the first's increment, and runs at its overridden number and time.
    assert_eq!(last["calls"][0]["returnData"], word(1));
    let clock_out = format!("{:#066x}{:064x}", latest + 5, 0x7fffffffu64);
    assert_eq!(last["calls"][1]["returnData"], json!(clock_out));
    // Nothing stays on the chain.
    let now = rpc
        .ok(
            "eth_call",
            json!([call(Counter::numberCall {}.abi_encode()), "latest"]),
        )
        .await;
    assert_eq!(now, word(0));
    assert_eq!(node.block_number().await, latest);
}

#[tokio::test]
async fn transfers_show_as_logs_and_reverts_carry_their_data() {
    let node = TestNode::start().await;
    let rpc = &node.rpc;
    let me = node.account(0);
    let counter = node.deploy_counter(0).await;
    let to = fresh_address(0x63);
    let payload = json!({
        "traceTransfers": true,
        "returnFullTransactions": true,
        "blockStateCalls": [{"calls": [
            {"from": me, "to": to, "value": "0x1234"},
            {"from": me, "to": counter, "data": Bytes::from(Counter::failCall {}.abi_encode())},
        ]}],
    });
    let out = rpc.ok("eth_simulateV1", json!([payload])).await;
    let block = &out[0];
    let transfer = &block["calls"][0];
    assert_eq!(transfer["status"], "0x1");
    let log = &transfer["logs"][0];
    assert_eq!(
        log["address"],
        json!("0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")
    );
    let topic = |a: Address| json!(B256::left_padding_from(a.as_slice()));
    assert_eq!(
        log["topics"],
        json!([
            keccak256("Transfer(address,address,uint256)"),
            topic(me),
            topic(to)
        ])
    );
    assert_eq!(log["data"], word(0x1234));
    assert_eq!(log["blockHash"], block["hash"]);
    assert_eq!(log["transactionHash"], block["transactions"][0]["hash"]);
    assert_eq!(block["transactions"][0]["from"], json!(me));

    let reverted = &block["calls"][1];
    let data: Bytes = alloy::sol_types::Revert::from("counter: failure")
        .abi_encode()
        .into();
    assert_eq!(reverted["status"], "0x0");
    assert_eq!(reverted["returnData"], json!(data));
    assert_eq!(reverted["error"]["code"], 3);
    assert_eq!(reverted["error"]["data"], json!(data));
    assert_eq!(
        reverted["error"]["message"],
        "execution reverted: counter: failure"
    );
    assert!(qty(&reverted["gasUsed"]) > 21_000);
    assert_eq!(reverted["logs"], json!([]));
}

#[tokio::test]
async fn validation_refuses_what_a_real_tx_would_not_pass() {
    let node = TestNode::start().await;
    let rpc = &node.rpc;
    let me = node.account(0);
    node.transfer_and_wait(0, fresh_address(0x64)).await;
    let to = fresh_address(0x65);
    let fees = json!({"maxFeePerGas": "0x174876e800", "maxPriorityFeePerGas": "0x0"});
    let with_nonce = |nonce: u64, validation: bool| {
        let mut call = json!({"from": me, "to": to, "value": "0x1", "nonce": hex_u64(nonce)});
        call.as_object_mut()
            .unwrap()
            .extend(fees.as_object().unwrap().clone());
        json!([{"validation": validation, "blockStateCalls": [{"calls": [call]}]}])
    };
    // Nonce 0 was used: a real tx is refused, eth_call's rules let it run.
    let err = rpc.err("eth_simulateV1", with_nonce(0, true)).await;
    assert_eq!(err.code, -38010, "{err:?}");
    let out = rpc.ok("eth_simulateV1", with_nonce(0, false)).await;
    assert_eq!(out[0]["calls"][0]["status"], "0x1");
    // The right nonce passes validation.
    let next = node.nonce(me).await;
    let out = rpc.ok("eth_simulateV1", with_nonce(next, true)).await;
    assert_eq!(out[0]["calls"][0]["status"], "0x1");
    // Unpriced under validation: below the base fee.
    let unpriced =
        json!([{"validation": true, "blockStateCalls": [{"calls": [{"from": me, "to": to}]}]}]);
    assert_eq!(rpc.err("eth_simulateV1", unpriced).await.code, -38012);
}

#[tokio::test]
async fn block_numbers_and_times_must_increase() {
    let node = TestNode::start().await;
    let rpc = &node.rpc;
    let latest = node.block_number().await;
    let blocks = |overrides: Value| json!([{"blockStateCalls": [{"blockOverrides": overrides, "calls": []}, {"calls": []}]}]);
    let err = rpc
        .err("eth_simulateV1", blocks(json!({"number": hex_u64(latest)})))
        .await;
    assert_eq!(err.code, -38020, "{err:?}");
    let err = rpc
        .err("eth_simulateV1", blocks(json!({"time": "0x1"})))
        .await;
    assert_eq!(err.code, -38021, "{err:?}");
    let err = rpc
        .err(
            "eth_simulateV1",
            blocks(json!({"number": hex_u64(latest + 1000)})),
        )
        .await;
    assert_eq!(err.code, -38026, "{err:?}");
}

#[tokio::test]
async fn calls_share_the_gas_cap_and_the_call_timeout() {
    let cap = 100_000u64;
    let node = TestNode::start_with(|c| c.rpc.gas_cap = cap).await;
    let rpc = &node.rpc;
    let me = node.account(0);
    // INVALID: burns all the gas it is given.
    let burner = fresh_address(0x66);
    let burn = json!({"from": me, "to": burner, "gas": "0x2faf080"});
    let payload = |calls: Value| json!([{"blockStateCalls": [{"stateOverrides": {burner.to_string(): {"code": "0xfe"}}, "calls": calls}]}]);
    let out = rpc.ok("eth_simulateV1", payload(json!([burn]))).await;
    let call = &out[0]["calls"][0];
    assert_eq!(call["status"], "0x0");
    assert_eq!(call["error"]["code"], -32015, "{call}");
    assert_eq!(
        qty(&call["gasUsed"]),
        cap,
        "a call gets at most the gas cap"
    );
    // The cap is for the whole request: a second call finds nothing left.
    let err = rpc
        .err("eth_simulateV1", payload(json!([burn, burn])))
        .await;
    assert_eq!(err.code, -38026, "{err:?}");

    let node =
        TestNode::start_with(|c| c.rpc.call_timeout = std::time::Duration::from_millis(1)).await;
    let spin = fresh_address(0x67);
    // JUMPDEST PUSH1 0 JUMP: loops until the gas runs out.
    let looping = json!([{"blockStateCalls": [{"stateOverrides": {spin.to_string(): {"code": "0x5b600056"}},
        "calls": [{"from": me, "to": spin}]}]}]);
    let err = node.rpc.err("eth_simulateV1", looping).await;
    assert_eq!(
        (err.code, err.message.as_str()),
        (-32000, "execution aborted (timeout = 1ms)")
    );
}

#[tokio::test]
async fn max_used_gas_is_the_gas_before_the_refund() {
    let node = TestNode::start().await;
    let me = node.account(0);
    let counter = node.deploy_counter(0).await;
    let call = |input: Vec<u8>| json!({"from": me, "to": counter, "data": Bytes::from(input)});
    // Setting the slot then clearing it: the clearing call is refunded, the others are not.
    let calls = json!([
        call(
            Counter::setNumberCall {
                n: alloy::primitives::U256::from(7)
            }
            .abi_encode()
        ),
        call(
            Counter::setNumberCall {
                n: alloy::primitives::U256::ZERO
            }
            .abi_encode()
        ),
        call(Counter::failCall {}.abi_encode()),
    ]);
    let out = node
        .rpc
        .ok(
            "eth_simulateV1",
            json!([{"blockStateCalls": [{"calls": calls}]}, "latest"]),
        )
        .await;
    let calls = out[0]["calls"].as_array().unwrap();
    let gas = |i: usize| (qty(&calls[i]["gasUsed"]), qty(&calls[i]["maxUsedGas"]));
    let (set_used, set_max) = gas(0);
    assert_eq!(set_max, set_used, "no refund: {calls:?}");
    let (clear_used, clear_max) = gas(1);
    assert!(
        clear_max > clear_used,
        "the refund comes after the peak: {calls:?}"
    );
    let (fail_used, fail_max) = gas(2);
    assert_eq!(calls[2]["status"], "0x0");
    assert_eq!(
        fail_max, fail_used,
        "a reverted call is not refunded: {calls:?}"
    );
}
