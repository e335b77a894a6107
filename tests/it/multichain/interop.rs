//! Interop between the L2s on the Gateway (`--gateway`): a bundle sent on chain 270's
//! InteropCenter is executed on chain 271's InteropHandler, with the proof
//! `zks_getL2ToL1LogProof(hash, 0, "messageRoot")` gives once 270's batch is executed on the
//! Gateway and 271 has imported the Gateway's root (a `0x7d` system tx): native value and a
//! remote call arrive exactly once; a second execution, a forged proof and a bundle run on the
//! wrong chain are refused with the real contract's errors. 271's batches, which import roots,
//! still execute on the Gateway (their `dependencyRootsRollingHash` is checked there).

use alloy::{
    primitives::{Address, B256, Bytes, TxKind, U256, keccak256},
    sol_types::{SolCall, SolError, SolEvent, SolValue},
};
use serde_json::{Value, json};
use zkos_dev::{
    L2Endpoint,
    interop::{INTEROP_CENTER, INTEROP_HANDLER, INTEROP_ROOT_STORAGE},
};

use super::{
    Send,
    gateway::{finalized, split, view_on, with_gateway},
    send_on,
};
use crate::support::{PATIENCE, RawRpc, TestNode, qty, qty256};

alloy::sol!(
    #[derive(Debug)]
    InteropCenter,
    "state/artifacts/InteropCenter.json"
);

alloy::sol!(
    #[derive(Debug)]
    InteropHandler,
    "state/artifacts/InteropHandler.json"
);

alloy::sol!(
    #[derive(Debug)]
    InteropReceiver,
    "tests/contracts/out/InteropReceiver.json"
);

alloy::sol! {
    interface IERC7786Attributes {
        function interopCallValue(uint256 value);
    }
    function interopRoots(uint256 chainId, uint256 blockOrBatchNumber) view returns (bytes32);
    event L1MessageSent(address indexed sender, bytes32 indexed hash, bytes message);
    error BundleAlreadyProcessed(bytes32 bundleHash);
    error WrongDestinationChainId(bytes32 bundleHash, uint256 expected, uint256 actual);
    error MessageNotIncluded();
}

const GATEWAY: u64 = 506;

/// ERC-7930: an address on no particular chain, or a chain without an address.
pub(super) fn interoperable_address(addr: Address) -> Bytes {
    [&[0x00, 0x01, 0x00, 0x00, 0x00, 0x14][..], addr.as_slice()]
        .concat()
        .into()
}

pub(super) fn interoperable_chain(chain_id: u64) -> Bytes {
    let reference: Vec<u8> = chain_id
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x00, 0x01, 0x00, 0x00, reference.len() as u8];
    out.extend(reference);
    out.push(0x00);
    out.into()
}

/// A bundle that left its source: the tx, and the bundle as the source's InteropCenter sent it.
pub(super) struct Sent {
    pub(super) tx: Value,
    pub(super) bundle: Bytes,
    pub(super) hash: B256,
}

/// Sends from dev account 0 on `source` a one-call bundle to `destination`: `data` to `to`,
/// carrying `value`.
pub(super) async fn send_bundle(
    node: &TestNode,
    source: &(L2Endpoint, RawRpc),
    destination: u64,
    to: Address,
    data: Bytes,
    value: U256,
) -> Sent {
    let attributes = match value.is_zero() {
        true => vec![],
        false => vec![
            IERC7786Attributes::interopCallValueCall { value }
                .abi_encode()
                .into(),
        ],
    };
    let starter = InteropCenter::InteropCallStarter {
        to: interoperable_address(to),
        data,
        callAttributes: attributes,
    };
    send_starters(node, source, destination, starter, value).await
}

/// Sends from dev account 0 on `source` a bundle of `starter` to `destination`, with `value`.
pub(super) async fn send_starters(
    node: &TestNode,
    source: &(L2Endpoint, RawRpc),
    destination: u64,
    starter: InteropCenter::InteropCallStarter,
    value: U256,
) -> Sent {
    let call = InteropCenter::sendBundleCall {
        _destinationChainId: interoperable_chain(destination),
        _callStarters: vec![starter],
        _bundleAttributes: vec![],
    };
    send_call(node, source, call, value).await
}

/// Sends `call` from dev account 0 on `source` with `value`; it must succeed.
pub(super) async fn send_call(
    node: &TestNode,
    (source, rpc): &(L2Endpoint, RawRpc),
    call: InteropCenter::sendBundleCall,
    value: U256,
) -> Sent {
    let tx = Send {
        to: TxKind::Call(INTEROP_CENTER),
        input: call.abi_encode().into(),
        value,
        gas_limit: 2_000_000,
        ..Send::default()
    };
    let tx = send_on(node, source, rpc, tx).await;
    assert_eq!(tx["status"], "0x1", "sendBundle: {tx}");
    let logs = tx["logs"].as_array().unwrap();
    let message = logs
        .iter()
        .find(|log| log["topics"][0] == json!(L1MessageSent::SIGNATURE_HASH))
        .expect("the bundle's L2->L1 message");
    let data: Bytes = serde_json::from_value(message["data"].clone()).unwrap();
    let message = Bytes::abi_decode(&data).unwrap();
    assert_eq!(message[0], 0x01, "BUNDLE_IDENTIFIER");
    let bundle = Bytes::copy_from_slice(&message[1..]);
    let hash = keccak256((U256::from(source.chain_id), bundle.clone()).abi_encode_params());
    Sent { tx, bundle, hash }
}

/// `zks_getL2ToL1LogProof(hash, 0, "messageRoot")` once it is there.
pub(super) async fn gateway_proof(rpc: &RawRpc, hash: &Value) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let proof = rpc
            .ok("zks_getL2ToL1LogProof", json!([hash, 0, "messageRoot"]))
            .await;
        if !proof.is_null() {
            return proof;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no proof for {hash}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Waits until the chain at `rpc` holds the Gateway's root of `block`, which must be `root`.
pub(super) async fn root_imported(rpc: &RawRpc, block: u64, root: &Value) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let call = interopRootsCall {
        chainId: U256::from(GATEWAY),
        blockOrBatchNumber: U256::from(block),
    }
    .abi_encode();
    loop {
        let held = rpc
            .ok(
                "eth_call",
                json!([{"to": INTEROP_ROOT_STORAGE, "data": Bytes::from(call.clone())}, "latest"]),
            )
            .await;
        if held != json!(B256::ZERO) {
            assert_eq!(&held, root, "the imported root is the Gateway's");
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "root of Gateway block {block} never imported"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// `executeBundle(bundle, proof)` calldata for `sent`, proven by `proof` (a `messageRoot`
/// answer).
pub(super) fn execute_call(source: u64, sent: &Sent, proof: &Value, items: Vec<B256>) -> Bytes {
    let message: Bytes = [&[0x01][..], &sent.bundle[..]].concat().into();
    InteropHandler::executeBundleCall {
        _bundle: sent.bundle.clone(),
        _proof: InteropHandler::MessageInclusionProof {
            chainId: U256::from(source),
            l1BatchNumber: U256::from(number(&proof["batchNumber"])),
            l2MessageIndex: U256::from(number(&proof["id"])),
            message: InteropHandler::L2Message {
                txNumberInBatch: qty(&sent.tx["transactionIndex"]) as u16,
                sender: INTEROP_CENTER,
                data: message,
            },
            proof: items,
        },
    }
    .abi_encode()
    .into()
}

/// A number of a log proof (zksync-os-server answers plain JSON numbers there).
pub(super) fn number(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("a number, got {v}"))
}

pub(super) fn items(proof: &Value) -> Vec<B256> {
    serde_json::from_value(proof["proof"].clone()).unwrap()
}

/// The revert data of `data` sent to the InteropHandler at `rpc`, from dev account 2.
pub(super) async fn refusal(node: &TestNode, rpc: &RawRpc, data: &Bytes) -> Bytes {
    let err = rpc
        .call(
            "eth_call",
            json!([{"from": node.account(2), "to": INTEROP_HANDLER, "data": data}, "latest"]),
        )
        .await
        .expect_err("refused");
    serde_json::from_value(err.data.expect("revert data")).unwrap()
}

pub(super) async fn balance(rpc: &RawRpc, who: Address) -> U256 {
    qty256(&rpc.ok("eth_getBalance", json!([who, "latest"])).await)
}

/// Deploys an `InteropReceiver` on `l2` from dev account 1.
pub(super) async fn deploy_receiver(node: &TestNode, (l2, rpc): &(L2Endpoint, RawRpc)) -> Address {
    let deploy = Send {
        from: 1,
        input: InteropReceiver::BYTECODE.clone(),
        gas_limit: 2_000_000,
        ..Send::default()
    };
    let deployed = send_on(node, l2, rpc, deploy).await;
    serde_json::from_value(deployed["contractAddress"].clone()).unwrap()
}

/// Runs `execute` on the InteropHandler of `l2` from dev account 2; the receipt.
pub(super) async fn execute_on(
    node: &TestNode,
    (l2, rpc): &(L2Endpoint, RawRpc),
    execute: &Bytes,
) -> Value {
    let run = Send {
        from: 2,
        to: TxKind::Call(INTEROP_HANDLER),
        input: execute.clone(),
        gas_limit: 3_000_000,
        ..Send::default()
    };
    send_on(node, l2, rpc, run).await
}

/// A bundle is proven and imported: the proof through the Gateway and the destination's root.
pub(super) async fn proven(rpc_a: &RawRpc, rpc_b: &RawRpc, sent: &Sent) -> Value {
    let proof = gateway_proof(rpc_a, &sent.tx["transactionHash"]).await;
    root_imported(rpc_b, number(&proof["gatewayBlockNumber"]), &proof["root"]).await;
    proof
}

#[tokio::test]
async fn a_native_value_bundle_reaches_the_other_l2_through_the_gateway_once() {
    let node = TestNode::start_with(with_gateway).await;
    let (_, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);
    let receiver = deploy_receiver(&node, b).await;
    let sender = node.account(0);
    let (a_before, a_burned) = (balance(&a.1, sender).await, balance(&a.1, L2_BASE).await);
    let b_reserve = balance(&b.1, L2_BASE).await;

    let value = U256::from(10u64).pow(U256::from(17u64));
    let sent = send_bundle(&node, a, b.0.chain_id, receiver, Bytes::new(), value).await;
    let fee = U256::from(qty(&sent.tx["gasUsed"])) * qty256(&sent.tx["effectiveGasPrice"]);
    assert_eq!(balance(&a.1, sender).await, a_before - value - fee);
    assert_eq!(
        balance(&a.1, L2_BASE).await,
        a_burned + value,
        "burned on A"
    );

    let proof = proven(&a.1, &b.1, &sent).await;
    assert!(number(&proof["gatewayBlockNumber"]) > 0);
    // The root came in a system tx, first in its block, from the bootloader.
    let imported =
        b.1.ok(
            "eth_getLogs",
            json!([{"address": INTEROP_ROOT_STORAGE, "fromBlock": "0x0", "toBlock": "latest"}]),
        )
        .await;
    let import = imported.as_array().unwrap().last().unwrap();
    let system =
        b.1.ok(
            "eth_getTransactionByHash",
            json!([import["transactionHash"]]),
        )
        .await;
    assert_eq!(system["type"], "0x7d");
    assert_eq!(system["transactionIndex"], "0x0");
    assert_eq!(system["from"], json!(zkos_dev_bootloader()));
    let receipt =
        b.1.ok(
            "eth_getTransactionReceipt",
            json!([import["transactionHash"]]),
        )
        .await;
    assert_eq!(
        (&receipt["type"], &receipt["status"]),
        (&json!("0x7d"), &json!("0x1"))
    );

    let execute = execute_call(a.0.chain_id, &sent, &proof, items(&proof));
    let executed = execute_on(&node, b, &execute).await;
    assert_eq!(executed["status"], "0x1", "executeBundle: {executed}");
    assert_eq!(balance(&b.1, receiver).await, value);
    assert_eq!(
        balance(&b.1, L2_BASE).await,
        b_reserve - value,
        "minted on B"
    );
    let calls = InteropReceiver::callsCall {}.abi_encode();
    assert_eq!(
        view_on(&b.0.rpc_url(), receiver, calls).await,
        U256::from(1)
    );

    // Once only.
    let again = refusal(&node, &b.1, &execute).await;
    assert_eq!(
        again,
        Bytes::from(
            BundleAlreadyProcessed {
                bundleHash: sent.hash
            }
            .abi_encode()
        )
    );
    // B's batches, which imported the root, execute on the Gateway and B becomes final; the
    // batch with the import commits to the roots its blocks imported, in order.
    finalized(
        &b.1,
        qty(&executed["blockNumber"]),
        "chain 271 after the import",
    )
    .await;
    let batch =
        b.1.ok(
            "unstable_getBatchByBlockNumber",
            json!([import["blockNumber"]]),
        )
        .await;
    let (start, end) = (
        number(&batch["block_range"]["start"]),
        number(&batch["block_range"]["end"]),
    );
    let mut rolling = B256::ZERO;
    for log in imported.as_array().unwrap() {
        if !(start..=end).contains(&qty(&log["blockNumber"])) {
            continue;
        }
        let topic =
            |i: usize| -> B256 { serde_json::from_value(log["topics"][i].clone()).unwrap() };
        let sides: Bytes = serde_json::from_value(log["data"].clone()).unwrap();
        let sides = Vec::<B256>::abi_decode(&sides).unwrap();
        assert_eq!(topic(1), B256::from(U256::from(GATEWAY)));
        rolling = keccak256([rolling, topic(1), topic(2), sides[0]].concat());
    }
    assert_ne!(rolling, B256::ZERO);
    assert_eq!(
        batch["batch_info"]["dependency_roots_rolling_hash"],
        json!(rolling)
    );
}

#[tokio::test]
async fn a_remote_call_runs_once_and_forged_or_misdirected_bundles_are_refused() {
    let node = TestNode::start_with(with_gateway).await;
    let (_, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);
    let receiver = deploy_receiver(&node, b).await;
    let payload = Bytes::from_static(b"set the answer to 42");
    let sent = send_bundle(
        &node,
        a,
        b.0.chain_id,
        receiver,
        payload.clone(),
        U256::ZERO,
    )
    .await;
    let proof = proven(&a.1, &b.1, &sent).await;

    // A forged proof: one sibling of the log path changed.
    let mut forged = items(&proof);
    forged[1] = B256::repeat_byte(0x66);
    let refused = refusal(
        &node,
        &b.1,
        &execute_call(a.0.chain_id, &sent, &proof, forged),
    )
    .await;
    assert_eq!(refused, Bytes::from(MessageNotIncluded {}.abi_encode()));
    // The right proof on the wrong chain: A is not the bundle's destination.
    let execute = execute_call(a.0.chain_id, &sent, &proof, items(&proof));
    let misdirected = refusal(&node, &a.1, &execute).await;
    assert_eq!(
        misdirected,
        Bytes::from(
            WrongDestinationChainId {
                bundleHash: sent.hash,
                expected: U256::from(b.0.chain_id),
                actual: U256::from(a.0.chain_id),
            }
            .abi_encode()
        )
    );

    let executed = execute_on(&node, b, &execute).await;
    assert_eq!(executed["status"], "0x1", "executeBundle: {executed}");
    let url = b.0.rpc_url();
    let calls = InteropReceiver::callsCall {}.abi_encode();
    assert_eq!(view_on(&url, receiver, calls).await, U256::from(1));
    let got = b
        .1
        .ok(
            "eth_call",
            json!([{"to": receiver, "data": Bytes::from(InteropReceiver::lastPayloadCall {}.abi_encode())}, "latest"]),
        )
        .await;
    let got: Bytes = serde_json::from_value(got).unwrap();
    assert_eq!(Bytes::abi_decode(&got).unwrap(), payload);
    let caller = InteropReceiver::lastCallerCall {}.abi_encode();
    assert_eq!(
        Address::from_word(view_on(&url, receiver, caller).await.into()),
        INTEROP_HANDLER
    );
    let again = refusal(&node, &b.1, &execute).await;
    assert_eq!(
        &again[..4],
        &BundleAlreadyProcessed::SELECTOR[..],
        "a second execution is refused"
    );
    assert_eq!(
        view_on(&url, receiver, InteropReceiver::callsCall {}.abi_encode()).await,
        U256::from(1)
    );
}

/// The L2 base token (`0x…800a`): what bundles burn on their source and mint on their destination.
pub(super) const L2_BASE: Address =
    alloy::primitives::address!("0x000000000000000000000000000000000000800a");

fn zkos_dev_bootloader() -> Address {
    alloy::primitives::address!("0x0000000000000000000000000000000000008001")
}
