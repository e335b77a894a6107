//! The node signs for its unlocked dev accounts: eth_accounts, eth_sign, personal_sign,
//! eth_signTransaction and eth_signTypedData_v4, as Hardhat and `cast --unlocked` use them.

use alloy::{
    consensus::{Transaction as _, TxEnvelope, transaction::SignerRecoverable},
    dyn_abi::TypedData,
    eips::Decodable2718,
    primitives::{Address, Bytes, Signature, TxKind, U256},
    providers::Provider,
    signers::SignerSync,
};
use serde_json::json;

use crate::support::{CHAIN_ID, TestNode, fresh_address};

fn signature(value: serde_json::Value) -> Signature {
    let bytes: Bytes =
        serde_json::from_value(value.clone()).unwrap_or_else(|_| panic!("not hex: {value}"));
    assert_eq!(bytes.len(), 65, "r, s, v: {value}");
    Signature::try_from(bytes.as_ref()).unwrap()
}

#[tokio::test]
async fn eth_accounts_lists_the_dev_accounts() {
    let t = TestNode::start().await;
    let accounts: Vec<Address> = t.provider.get_accounts().await.unwrap();
    let expected: Vec<Address> = t.node.accounts().iter().map(|a| a.address).collect();
    let (mut got, mut want) = (accounts.clone(), expected.clone());
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(
        accounts[0],
        alloy::primitives::address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
        "account 0 first, as in anvil"
    );
}

#[tokio::test]
async fn eth_sign_and_personal_sign_produce_signatures_that_recover_to_the_account() {
    let t = TestNode::start().await;
    let account = t.account(3);
    let message = b"hello zkos-dev";
    let data = Bytes::from_static(message);
    let local = t.signer(3).sign_message_sync(message).unwrap();

    let sig = signature(t.rpc.ok("eth_sign", json!([account, data])).await);
    assert_eq!(sig.recover_address_from_msg(message).unwrap(), account);
    assert_eq!(sig, local, "EIP-191 signature, same as a local signer");

    let sig = signature(t.rpc.ok("personal_sign", json!([data, account])).await);
    assert_eq!(sig.recover_address_from_msg(message).unwrap(), account);
    assert_eq!(sig, local);
}

#[tokio::test]
async fn eth_sign_transaction_returns_a_signed_tx_that_can_be_sent_later() {
    let t = TestNode::start().await;
    let (from, to) = (t.account(4), fresh_address(50));
    let request = json!({
        "from": from,
        "to": to,
        "value": "0x2a",
        "gas": "0x5208",
        "nonce": "0x0",
        "maxFeePerGas": "0x7d0",
        "maxPriorityFeePerGas": "0x0",
        "chainId": "0x10e",
    });
    let raw: Bytes =
        serde_json::from_value(t.rpc.ok("eth_signTransaction", json!([request])).await).unwrap();

    let tx = TxEnvelope::decode_2718(&mut raw.as_ref()).unwrap();
    assert_eq!(tx.recover_signer().unwrap(), from);
    assert_eq!(tx.chain_id(), Some(CHAIN_ID));
    assert_eq!(tx.kind(), TxKind::Call(to));
    assert_eq!(tx.value(), U256::from(42));
    assert_eq!(tx.nonce(), 0);
    assert_eq!(tx.gas_limit(), 21_000);
    assert_eq!(t.nonce(from).await, 0, "signing does not send");
    assert_eq!(t.balance(to).await, U256::ZERO);

    let receipt = t.send_and_wait(&tx).await;
    assert!(receipt.status());
    assert_eq!(t.balance(to).await, U256::from(42));
}

#[tokio::test]
async fn eth_sign_typed_data_v4_signs_the_eip712_hash() {
    let t = TestNode::start().await;
    let account = t.account(5);
    let typed = json!({
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"}
            ],
            "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
            "Mail": [
                {"name": "from", "type": "Person"},
                {"name": "to", "type": "Person"},
                {"name": "contents", "type": "string"}
            ]
        },
        "primaryType": "Mail",
        "domain": {
            "name": "Ether Mail",
            "version": "1",
            "chainId": 270,
            "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"
        },
        "message": {
            "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
            "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
            "contents": "Hello, Bob!"
        }
    });
    let hash = serde_json::from_value::<TypedData>(typed.clone())
        .unwrap()
        .eip712_signing_hash()
        .unwrap();

    let sig = signature(
        t.rpc
            .ok("eth_signTypedData_v4", json!([account, typed]))
            .await,
    );

    assert_eq!(sig.recover_address_from_prehash(&hash).unwrap(), account);
    assert_eq!(sig, t.signer(5).sign_hash_sync(&hash).unwrap());
}

#[tokio::test]
async fn signing_for_an_account_the_node_does_not_hold_is_refused_for_want_of_a_signer() {
    let t = TestNode::start().await;
    let stranger = fresh_address(51);
    let err = t.rpc.err("eth_sign", json!([stranger, "0x00"])).await;
    assert!(err.message.to_lowercase().contains("signer"), "{err:?}");
    let err = t.rpc.err("personal_sign", json!(["0x00", stranger])).await;
    assert!(err.message.to_lowercase().contains("signer"), "{err:?}");
}
