//! Interop fees as ZKsync OS charges them (era-contracts v31 `InteropCenter`): the operator's
//! fee per call in the base token (`--interop-fee`), which the node sets on each L2 on the
//! Gateway with a `0x7d` system tx from the bootloader (`setInteropFee`), is paid in
//! `msg.value` on top of the calls' values, exactly (less or more: `MsgValueMismatch`), and
//! accumulates in the InteropCenter for the block's coinbase (the operator's fee account),
//! which claims it (`claimProtocolFees`). The destination charges nothing. Without
//! `--interop-fee` interop is free, as on a real chain whose Gateway charges no settlement fee.
//! A bundle with `useFixedFee(true)` pays 10 ZK per call instead (the ZK token the devnet's L1
//! holds, bridged to the source), pulled with `transferFrom`, and no base-token fee.

use alloy::{
    primitives::{Address, B256, Bytes, TxKind, U256, address},
    sol_types::{SolCall, SolError, SolEvent},
};
use serde_json::{Value, json};
use zkos_dev::{Config, L2Endpoint, interop::INTEROP_CENTER};

use super::{
    Send,
    gateway::{split, view_on, with_gateway},
    interop::{
        InteropCenter, InteropReceiver, L2_BASE, Sent, balance, deploy_receiver, execute_call,
        execute_on, interoperable_address, interoperable_chain, items, proven, send_call,
    },
    l1_view, send_on,
};
use crate::{
    bridge::{ether, l2_receipt},
    contracts::Token,
    erc20_bridge::{DEPOSIT_GAS, asset_id, deposit},
    support::{PATIENCE, RawRpc, TestNode, l1_wallet, qty, qty256},
};

alloy::sol! {
    interface IERC7786Attributes {
        function interopCallValue(uint256 value);
        function useFixedFee(bool useFixed);
    }
    /// `L1NativeTokenVault`.
    function tokenAddress(bytes32 assetId) view returns (address);
    /// The ZK token on L2.
    function balanceOf(address owner) view returns (uint256);
    function approve(address spender, uint256 amount) returns (bool);
    /// The bridged token's refusal (`BridgedStandardERC20`).
    error InsufficientAllowance(uint256 allowance, uint256 needed);
}

/// What the operator charges per call in these tests: 0.001 ETH.
const FEE: U256 = U256::from_limbs([1_000_000_000_000_000, 0, 0, 0]);
const BOOTLOADER: Address = address!("0x0000000000000000000000000000000000008001");

fn with_fee(config: &mut Config) {
    with_gateway(config);
    config.interop.fee = FEE;
}

/// The operator's fee account: the coinbase of every block, the last dev account.
fn coinbase(node: &TestNode) -> (usize, Address) {
    let i = node.node.accounts().len() - 1;
    (i, node.account(i))
}

/// A number a view of the InteropCenter on `l2` answers.
async fn center_view(l2: &L2Endpoint, call: impl SolCall) -> U256 {
    view_on(&l2.rpc_url(), INTEROP_CENTER, call.abi_encode()).await
}

/// The revert data of `call` to the InteropCenter at `rpc`, sent from dev account 0 with `value`.
async fn center_refusal(node: &TestNode, rpc: &RawRpc, call: &[u8], value: U256) -> Bytes {
    let err = rpc
        .call(
            "eth_call",
            json!([{"from": node.account(0), "to": INTEROP_CENTER, "data": Bytes::copy_from_slice(call), "value": value}, "latest"]),
        )
        .await
        .expect_err("refused");
    serde_json::from_value(err.data.expect("revert data")).unwrap()
}

/// The InteropCenter's logs `event` in the receipt `tx`.
fn center_logs(tx: &Value, event: B256) -> Vec<&Value> {
    tx["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|log| log["address"] == json!(INTEROP_CENTER) && log["topics"][0] == json!(event))
        .collect()
}

/// A bundle of two calls to `receiver` on `destination`: `value` with the first, a payload with
/// the second; `bundle_attributes` as given.
fn two_calls(
    destination: u64,
    receiver: Address,
    value: U256,
    bundle_attributes: Vec<Bytes>,
) -> InteropCenter::sendBundleCall {
    let with_value = IERC7786Attributes::interopCallValueCall { value }.abi_encode();
    InteropCenter::sendBundleCall {
        _destinationChainId: interoperable_chain(destination),
        _callStarters: vec![
            InteropCenter::InteropCallStarter {
                to: interoperable_address(receiver),
                data: Bytes::new(),
                callAttributes: vec![with_value.into()],
            },
            InteropCenter::InteropCallStarter {
                to: interoperable_address(receiver),
                data: Bytes::from_static(b"pay per call"),
                callAttributes: vec![],
            },
        ],
        _bundleAttributes: bundle_attributes,
    }
}

#[tokio::test]
async fn each_interop_call_pays_the_operators_fee_exactly_and_the_coinbase_claims_it() {
    let node = TestNode::start_with(with_fee).await;
    let (_, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);

    // The operator's system tx set the fee on every L2 on the Gateway before the RPC answered.
    for (l2, rpc) in [a, b] {
        let fee = InteropCenter::interopProtocolFeeCall {};
        assert_eq!(center_view(l2, fee).await, FEE, "chain {}", l2.chain_id);
        let updated = rpc
            .ok(
                "eth_getLogs",
                json!([{"address": INTEROP_CENTER, "fromBlock": "0x0", "toBlock": "latest",
                    "topics": [InteropCenter::InteropFeeUpdated::SIGNATURE_HASH]}]),
            )
            .await;
        let updated = updated.as_array().unwrap();
        assert_eq!(updated.len(), 1, "set once on chain {}", l2.chain_id);
        assert_eq!(updated[0]["topics"][1], json!(B256::ZERO), "from 0");
        assert_eq!(
            updated[0]["topics"][2],
            json!(B256::from(FEE)),
            "to the fee"
        );
        let system = rpc
            .ok(
                "eth_getTransactionByHash",
                json!([updated[0]["transactionHash"]]),
            )
            .await;
        assert_eq!(system["type"], "0x7d");
        assert_eq!(system["from"], json!(BOOTLOADER));
        assert_eq!(system["to"], json!(INTEROP_CENTER));
    }
    // Only the bootloader sets it.
    let set = InteropCenter::setInteropFeeCall { _fee: U256::ZERO }.abi_encode();
    assert_eq!(
        center_refusal(&node, &a.1, &set, U256::ZERO).await,
        Bytes::from(
            InteropCenter::Unauthorized {
                caller: node.account(0)
            }
            .abi_encode()
        )
    );

    let receiver = deploy_receiver(&node, b).await;
    let value = U256::from(10u64).pow(U256::from(17u64));
    let call = two_calls(b.0.chain_id, receiver, value, vec![]);
    let due = value + FEE * U256::from(2);
    // Short of the fee, or over it, the bundle is refused with what it had to pay.
    for paid in [value, due - U256::from(1), due + U256::from(1)] {
        assert_eq!(
            center_refusal(&node, &a.1, &call.abi_encode(), paid).await,
            Bytes::from(
                InteropCenter::MsgValueMismatch {
                    expected: due,
                    actual: paid,
                }
                .abi_encode()
            ),
            "paid {paid}"
        );
    }

    let (claimer, operator) = coinbase(&node);
    let sender = node.account(0);
    let before = (
        balance(&a.1, sender).await,
        balance(&a.1, INTEROP_CENTER).await,
        balance(&a.1, L2_BASE).await,
    );
    let sent: Sent = send_call(&node, a, call, due).await;
    let gas = U256::from(qty(&sent.tx["gasUsed"])) * qty256(&sent.tx["effectiveGasPrice"]);
    assert_eq!(balance(&a.1, sender).await, before.0 - due - gas);
    assert_eq!(
        balance(&a.1, INTEROP_CENTER).await,
        before.1 + FEE * U256::from(2),
        "the fees stay in the InteropCenter"
    );
    assert_eq!(
        balance(&a.1, L2_BASE).await,
        before.2 + value,
        "the value is burned"
    );
    let owed = InteropCenter::accumulatedProtocolFeesCall { coinbase: operator };
    assert_eq!(center_view(&a.0, owed.clone()).await, FEE * U256::from(2));
    let accumulated = center_logs(
        &sent.tx,
        InteropCenter::ProtocolFeesAccumulated::SIGNATURE_HASH,
    );
    assert_eq!(accumulated.len(), 1);
    assert_eq!(
        accumulated[0]["topics"][1],
        json!(B256::left_padding_from(operator.as_slice()))
    );
    assert_eq!(
        accumulated[0]["data"],
        json!(B256::from(FEE * U256::from(2)))
    );

    // The destination charges nothing: the bundle runs as it would without fees.
    let proof = proven(&a.1, &b.1, &sent).await;
    let executed = execute_on(
        &node,
        b,
        &execute_call(a.0.chain_id, &sent, &proof, items(&proof)),
    )
    .await;
    assert_eq!(executed["status"], "0x1", "executeBundle: {executed}");
    assert_eq!(balance(&b.1, receiver).await, value);
    let calls = InteropReceiver::callsCall {}.abi_encode();
    assert_eq!(
        view_on(&b.0.rpc_url(), receiver, calls).await,
        U256::from(2)
    );

    // The coinbase takes its fees out, once.
    let collector = Address::repeat_byte(0x7e);
    let claim = InteropCenter::claimProtocolFeesCall {
        _receiver: collector,
    };
    for _ in 0..2 {
        let claimed = send_on(
            &node,
            &a.0,
            &a.1,
            Send {
                from: claimer,
                to: TxKind::Call(INTEROP_CENTER),
                input: claim.abi_encode().into(),
                gas_limit: 200_000,
                ..Send::default()
            },
        )
        .await;
        assert_eq!(claimed["status"], "0x1", "claimProtocolFees: {claimed}");
        assert_eq!(balance(&a.1, collector).await, FEE * U256::from(2));
        assert_eq!(center_view(&a.0, owed.clone()).await, U256::ZERO);
        assert_eq!(balance(&a.1, INTEROP_CENTER).await, before.1);
    }
}

#[tokio::test]
async fn without_an_interop_fee_a_bundle_pays_its_values_only_whatever_its_fee_mode_says() {
    let node = TestNode::start_with(with_gateway).await;
    let (_, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);
    let fee = InteropCenter::interopProtocolFeeCall {};
    assert_eq!(center_view(&a.0, fee).await, U256::ZERO);
    let fixed = InteropCenter::ZK_INTEROP_FEECall {};
    assert_eq!(
        center_view(&a.0, fixed).await,
        U256::from(10u64) * U256::from(10u64).pow(U256::from(18u64)),
        "era-contracts' DEFAULT_ZK_INTEROP_FEE, 10 ZK"
    );
    // No system tx set a fee.
    let updated =
        a.1.ok(
            "eth_getLogs",
            json!([{"address": INTEROP_CENTER, "fromBlock": "0x0", "toBlock": "latest",
                "topics": [InteropCenter::InteropFeeUpdated::SIGNATURE_HASH]}]),
        )
        .await;
    assert_eq!(updated, json!([]));

    let receiver = deploy_receiver(&node, b).await;
    let value = U256::from(1_000u64);
    // zksync-js names the fee mode in every bundle.
    let base_fee_mode: Bytes = IERC7786Attributes::useFixedFeeCall { useFixed: false }
        .abi_encode()
        .into();
    let call = two_calls(b.0.chain_id, receiver, value, vec![base_fee_mode.clone()]);
    let sent = send_call(&node, a, call.clone(), value).await;
    assert!(
        center_logs(
            &sent.tx,
            InteropCenter::ProtocolFeesAccumulated::SIGNATURE_HASH
        )
        .is_empty()
    );
    // Paying a fee that is not charged is refused too.
    assert_eq!(
        center_refusal(&node, &a.1, &call.abi_encode(), value + U256::from(1)).await,
        Bytes::from(
            InteropCenter::MsgValueMismatch {
                expected: value,
                actual: value + U256::from(1),
            }
            .abi_encode()
        )
    );
    // An attribute given twice, a call attribute on the bundle, an unknown one: refused as
    // era-contracts refuses them.
    let twice = two_calls(
        b.0.chain_id,
        receiver,
        value,
        vec![base_fee_mode.clone(), base_fee_mode],
    );
    assert_eq!(
        center_refusal(&node, &a.1, &twice.abi_encode(), value).await,
        Bytes::from(
            InteropCenter::AttributeAlreadySet {
                selector: IERC7786Attributes::useFixedFeeCall::SELECTOR.into()
            }
            .abi_encode()
        )
    );
    let with_value = IERC7786Attributes::interopCallValueCall { value }.abi_encode();
    let misplaced = two_calls(b.0.chain_id, receiver, value, vec![with_value.into()]);
    assert_eq!(
        center_refusal(&node, &a.1, &misplaced.abi_encode(), value).await,
        Bytes::from(
            InteropCenter::AttributeViolatesRestriction {
                selector: IERC7786Attributes::interopCallValueCall::SELECTOR.into(),
                restriction: U256::from(2),
            }
            .abi_encode()
        )
    );
    let unknown = two_calls(
        b.0.chain_id,
        receiver,
        value,
        vec![Bytes::from_static(&[0xde, 0xad, 0xbe, 0xef])],
    );
    assert_eq!(
        center_refusal(&node, &a.1, &unknown.abi_encode(), value).await,
        Bytes::from(
            InteropCenter::UnsupportedAttribute {
                selector: [0xde, 0xad, 0xbe, 0xef].into()
            }
            .abi_encode()
        )
    );
}

#[tokio::test]
async fn a_bundle_paid_in_zk_pulls_the_fixed_fee_per_call_and_no_base_token_fee() {
    let node = TestNode::start_with(with_fee).await;
    let (_, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);
    let zk = zkos_dev::l1::zk_token::address().unwrap();
    let zk_asset = asset_id(zk);
    // The ZK token is on the L1, known to its vault, and every L2's InteropCenter names it.
    let l1 = l1_wallet(&node, 2);
    let vault = node.node.l1_contracts().unwrap().l1_native_token_vault;
    let known = l1_view(
        &node,
        vault,
        tokenAddressCall { assetId: zk_asset }.abi_encode(),
    )
    .await;
    assert_eq!(Address::from_word(known.into()), zk);
    assert_eq!(
        center_view(&a.0, InteropCenter::ZK_TOKEN_ASSET_IDCall {}).await,
        U256::from_be_bytes(zk_asset.0)
    );
    let receiver = deploy_receiver(&node, b).await;
    let value = U256::from(10u64).pow(U256::from(16u64));
    let zk_fee_mode: Bytes = IERC7786Attributes::useFixedFeeCall { useFixed: true }
        .abi_encode()
        .into();
    let call = two_calls(b.0.chain_id, receiver, value, vec![zk_fee_mode]);
    // Not bridged to chain 270 yet: the fixed fee cannot be paid.
    assert_eq!(
        center_refusal(&node, &a.1, &call.abi_encode(), value).await,
        Bytes::from(InteropCenter::ZKTokenNotAvailable {}.abi_encode())
    );

    // Dev account 2 bridges 100 ZK from L1 to dev account 0 on chain 270.
    let user = node.account(0);
    let router = node.node.l1_contracts().unwrap().l1_asset_router;
    Token::new(zk, &l1)
        .approve(router, ether(100))
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let hash = deposit(&node, &l1, zk, ether(100), user, DEPOSIT_GAS)
        .await
        .unwrap();
    assert_eq!(l2_receipt(&node, hash).await["status"], json!("0x1"));
    let zk_on_a = Address::from_word(
        center_view(&a.0, InteropCenter::getZKTokenAddressCall {})
            .await
            .into(),
    );
    assert_ne!(zk_on_a, Address::ZERO);
    let zk_balance = |holder: Address| balanceOfCall { owner: holder }.abi_encode();
    assert_eq!(
        view_on(&a.0.rpc_url(), zk_on_a, zk_balance(user)).await,
        ether(100)
    );

    // The fixed fee is pulled: the InteropCenter must be allowed 10 ZK per call.
    let fixed = ether(10) * U256::from(2);
    assert_eq!(
        center_view(&a.0, InteropCenter::ZK_INTEROP_FEECall {}).await,
        ether(10)
    );
    let approve = |amount: U256| Send {
        to: TxKind::Call(zk_on_a),
        input: approveCall {
            spender: INTEROP_CENTER,
            amount,
        }
        .abi_encode()
        .into(),
        ..Send::default()
    };
    let approved = send_on(&node, &a.0, &a.1, approve(fixed - U256::from(1))).await;
    assert_eq!(approved["status"], "0x1");
    assert_eq!(
        center_refusal(&node, &a.1, &call.abi_encode(), value).await,
        Bytes::from(
            InsufficientAllowance {
                allowance: fixed - U256::from(1),
                needed: fixed,
            }
            .abi_encode()
        ),
        "the token's refusal, passed on"
    );
    send_on(&node, &a.0, &a.1, approve(fixed)).await;
    // No base-token fee in this mode: paying it is refused.
    let with_fee = value + FEE * U256::from(2);
    assert_eq!(
        center_refusal(&node, &a.1, &call.abi_encode(), with_fee).await,
        Bytes::from(
            InteropCenter::MsgValueMismatch {
                expected: value,
                actual: with_fee,
            }
            .abi_encode()
        )
    );
    let sender_before = balance(&a.1, user).await;
    let sent = send_call(&node, a, call, value).await;
    let gas = U256::from(qty(&sent.tx["gasUsed"])) * qty256(&sent.tx["effectiveGasPrice"]);
    assert_eq!(balance(&a.1, user).await, sender_before - value - gas);
    assert_eq!(
        view_on(&a.0.rpc_url(), zk_on_a, zk_balance(user)).await,
        ether(100) - fixed
    );
    assert_eq!(
        view_on(&a.0.rpc_url(), zk_on_a, zk_balance(INTEROP_CENTER)).await,
        fixed
    );
    let (claimer, operator) = coinbase(&node);
    let owed = InteropCenter::accumulatedZKFeesCall { coinbase: operator };
    assert_eq!(center_view(&a.0, owed.clone()).await, fixed);
    let base_owed = InteropCenter::accumulatedProtocolFeesCall { coinbase: operator };
    assert_eq!(center_view(&a.0, base_owed).await, U256::ZERO);
    let paid = center_logs(
        &sent.tx,
        InteropCenter::FixedZKFeesAccumulated::SIGNATURE_HASH,
    );
    assert_eq!(paid.len(), 1);
    assert_eq!(
        paid[0]["topics"][1],
        json!(B256::left_padding_from(user.as_slice()))
    );
    assert_eq!(paid[0]["data"], json!(B256::from(fixed)));

    // The bundle runs on chain 271 as any other.
    let proof = proven(&a.1, &b.1, &sent).await;
    let executed = execute_on(
        &node,
        b,
        &execute_call(a.0.chain_id, &sent, &proof, items(&proof)),
    )
    .await;
    assert_eq!(executed["status"], "0x1", "executeBundle: {executed}");
    assert_eq!(balance(&b.1, receiver).await, value);

    // The coinbase takes the ZK out.
    let collector = Address::repeat_byte(0x7f);
    let claimed = send_on(
        &node,
        &a.0,
        &a.1,
        Send {
            from: claimer,
            to: TxKind::Call(INTEROP_CENTER),
            input: InteropCenter::claimZKFeesCall {
                _receiver: collector,
            }
            .abi_encode()
            .into(),
            gas_limit: 200_000,
            ..Send::default()
        },
    )
    .await;
    assert_eq!(claimed["status"], "0x1", "claimZKFees: {claimed}");
    assert_eq!(
        view_on(&a.0.rpc_url(), zk_on_a, zk_balance(collector)).await,
        fixed
    );
    assert_eq!(center_view(&a.0, owed).await, U256::ZERO);
}

#[tokio::test]
async fn the_fee_follows_the_operator_across_a_restart_and_a_reset() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("devnet");
    let config = |fee: U256| {
        let mut config = Config::test();
        config.storage = zkos_dev::config::Storage::Dir(dir.clone());
        with_gateway(&mut config);
        config.interop.fee = fee;
        config
    };
    let updates = |rpc: &RawRpc| {
        let rpc = rpc.clone();
        async move {
            let logs = rpc
                .ok(
                    "eth_getLogs",
                    json!([{"address": INTEROP_CENTER, "fromBlock": "0x0", "toBlock": "latest",
                        "topics": [InteropCenter::InteropFeeUpdated::SIGNATURE_HASH]}]),
                )
                .await;
            logs.as_array()
                .unwrap()
                .iter()
                .map(|log| (log["topics"][1].clone(), log["topics"][2].clone()))
                .collect::<Vec<_>>()
        }
    };
    let word = |fee: U256| json!(B256::from(fee));
    let node = TestNode::wrap(zkos_dev::Node::spawn(config(FEE)).await.unwrap());
    let (_, l2s) = split(&node);
    assert_eq!(
        updates(&l2s[0].1).await,
        vec![(word(U256::ZERO), word(FEE))]
    );
    node.node.shutdown().await;

    // The operator charges another fee after the restart: one more system tx.
    let doubled = FEE * U256::from(2);
    let node = TestNode::wrap(zkos_dev::Node::spawn(config(doubled)).await.unwrap());
    let (_, l2s) = split(&node);
    let fee = InteropCenter::interopProtocolFeeCall {};
    for (l2, rpc) in &l2s {
        assert_eq!(center_view(l2, fee.clone()).await, doubled);
        assert_eq!(
            updates(rpc).await,
            vec![(word(U256::ZERO), word(FEE)), (word(FEE), word(doubled))],
            "chain {}",
            l2.chain_id
        );
    }

    // A reset takes every chain back to its genesis, and the fee is set again at once.
    let a = &l2s[0];
    a.1.ok("anvil_reset", json!([])).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while center_view(&a.0, fee.clone()).await != doubled {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fee is not set again"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(updates(&a.1).await, vec![(word(U256::ZERO), word(doubled))]);
}
