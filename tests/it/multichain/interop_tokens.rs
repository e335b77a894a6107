//! An ERC-20 in a bundle: a token deposited from L1 to chain 270 is sent to chain 271 with an
//! `indirectCall` through 270's asset router (its vault burns it there), and executing the
//! bundle on 271 has 271's asset router finalize it (its vault creates the bridged token, same
//! address, name and symbol, and mints).

use alloy::{
    primitives::{Address, Bytes, U256, address},
    sol_types::{SolCall, SolValue},
};
use serde_json::json;

use super::{
    gateway::{split, view_on, with_gateway},
    interop::{
        InteropCenter, execute_call, execute_on, interoperable_address, items, proven,
        send_starters,
    },
};
use crate::{
    bridge::{ether, l2_receipt},
    contracts::Token,
    erc20_bridge::{DEPOSIT_GAS, asset_id, deposit, l1_token},
    support::{TestNode, l1_wallet},
};

const L2_ASSET_ROUTER: Address = address!("0x0000000000000000000000000000000000010003");

alloy::sol! {
    function l2TokenAddress(address l1Token) external view returns (address);
    function balanceOf(address owner) external view returns (uint256);
    function indirectCall(uint256 indirectCallMessageValue);
}

#[tokio::test]
async fn an_erc20_bundle_burns_on_the_source_and_mints_the_same_token_on_the_destination() {
    let node = TestNode::start_with(with_gateway).await;
    let (_, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);
    let l1 = l1_wallet(&node, 2);
    let user = node.account(0);
    let token = l1_token(&l1, ether(1000)).await;
    let router = node.node.l1_contracts().unwrap().l1_asset_router;
    Token::new(token, &l1)
        .approve(router, ether(100))
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let hash = deposit(&node, &l1, token, ether(100), user, DEPOSIT_GAS)
        .await
        .unwrap();
    assert_eq!(l2_receipt(&node, hash).await["status"], json!("0x1"));
    let token_call = l2TokenAddressCall { l1Token: token }.abi_encode();
    let on_a = Address::from_word(
        view_on(&a.0.rpc_url(), L2_ASSET_ROUTER, token_call.clone())
            .await
            .into(),
    );
    let balance = |address: Address| balanceOfCall { owner: address }.abi_encode();
    assert_eq!(
        view_on(&a.0.rpc_url(), on_a, balance(user)).await,
        ether(100)
    );

    let receiver = Address::repeat_byte(0x71);
    let amount = ether(40);
    let transfer = (amount, receiver, on_a).abi_encode_params();
    let mut data = vec![0x01];
    data.extend((asset_id(token), Bytes::from(transfer)).abi_encode_params());
    let starter = InteropCenter::InteropCallStarter {
        to: interoperable_address(L2_ASSET_ROUTER),
        data: data.into(),
        callAttributes: vec![
            indirectCallCall {
                indirectCallMessageValue: U256::ZERO,
            }
            .abi_encode()
            .into(),
        ],
    };
    let sent = send_starters(&node, a, b.0.chain_id, starter, U256::ZERO).await;
    assert_eq!(
        view_on(&a.0.rpc_url(), on_a, balance(user)).await,
        ether(60),
        "burned on the source"
    );

    let proof = proven(&a.1, &b.1, &sent).await;
    let execute = execute_call(a.0.chain_id, &sent, &proof, items(&proof));
    let executed = execute_on(&node, b, &execute).await;
    assert_eq!(executed["status"], "0x1", "executeBundle: {executed}");
    let on_b = Address::from_word(
        view_on(&b.0.rpc_url(), L2_ASSET_ROUTER, token_call)
            .await
            .into(),
    );
    assert_eq!(on_b, on_a, "the bridged token has one address on every L2");
    assert_eq!(
        view_on(&b.0.rpc_url(), on_b, balance(receiver)).await,
        amount
    );
    let name =
        b.1.ok(
            "eth_call",
            json!([{"to": on_b, "data": Bytes::from(Token::nameCall {}.abi_encode())}, "latest"]),
        )
        .await;
    let on_a_name =
        a.1.ok(
            "eth_call",
            json!([{"to": on_a, "data": Bytes::from(Token::nameCall {}.abi_encode())}, "latest"]),
        )
        .await;
    assert_eq!(name, on_a_name);
}
