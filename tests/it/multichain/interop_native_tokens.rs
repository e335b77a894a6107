//! An ERC-20 native to an L2 in bundles: a dApp's token deployed on chain 270 is registered with
//! 270's native token vault (`ensureTokenIsRegistered`, as zksync-js does), approved to it and
//! sent to chain 271 with an `indirectCall` through 270's asset router: the vault locks it, and
//! executing the bundle on 271 creates the bridged token where `calculateCreate2TokenAddress`
//! said (with the token's name, symbol and decimals) and mints. Sent back, 271 burns it and 270's
//! vault releases it, once.

use alloy::{
    primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256},
    providers::ProviderBuilder,
    sol_types::{SolCall, SolConstructor, SolError, SolValue},
};
use serde_json::json;
use zkos_dev::L2Endpoint;

use super::{
    Send,
    gateway::{split, with_gateway},
    interop::{
        InteropCenter, Sent, execute_call, execute_on, interoperable_address, items, proven,
        refusal, send_starters,
    },
    send_on,
};
use crate::{
    bridge::ether,
    contracts::Token,
    support::{RawRpc, TestNode},
};

const L2_ASSET_ROUTER: Address = address!("0x0000000000000000000000000000000000010003");
const L2_NATIVE_TOKEN_VAULT: Address = address!("0x0000000000000000000000000000000000010004");

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    L2NativeTokenVault,
    "state/artifacts/L2NativeTokenVault.json"
);

alloy::sol! {
    function indirectCall(uint256 indirectCallMessageValue);
    function withdraw(bytes32 _assetId, bytes _assetData) returns (bytes32);
    error BundleAlreadyProcessed(bytes32 bundleHash);
    error AssetIdNotSupported(bytes32 assetId);
}

type Chain = (L2Endpoint, RawRpc);

/// Sends from dev account 0 on `source` a bundle to `destination` of one token transfer:
/// `amount` of the vault's `asset` (`token` on `source`) to `receiver`, through the asset router.
async fn send_token(
    node: &TestNode,
    source: &Chain,
    destination: u64,
    asset: B256,
    token: Address,
    amount: U256,
    receiver: Address,
) -> Sent {
    let transfer = (amount, receiver, token).abi_encode_params();
    let mut data = vec![0x01];
    data.extend((asset, Bytes::from(transfer)).abi_encode_params());
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
    send_starters(node, source, destination, starter, U256::ZERO).await
}

/// Sends `input` to `to` from dev account 0 on `chain`; it must succeed.
async fn call_on(node: &TestNode, chain: &Chain, to: Address, input: impl SolCall) {
    let tx = Send {
        to: TxKind::Call(to),
        input: input.abi_encode().into(),
        gas_limit: 1_000_000,
        ..Send::default()
    };
    let receipt = send_on(node, &chain.0, &chain.1, tx).await;
    assert_eq!(receipt["status"], "0x1", "{receipt}");
}

/// The revert data of `input` sent to `to` on `chain` by `from` (an `eth_call` that must fail).
async fn revert_of(chain: &Chain, from: Address, to: Address, input: impl SolCall) -> Bytes {
    let err = chain
        .1
        .call(
            "eth_call",
            json!([{"from": from, "to": to, "data": Bytes::from(input.abi_encode())}, "latest"]),
        )
        .await
        .expect_err("refused");
    serde_json::from_value(err.data.expect("revert data")).unwrap()
}

#[tokio::test]
async fn a_token_native_to_an_l2_is_locked_on_its_chain_minted_on_the_other_and_released_on_its_way_back()
 {
    let node = TestNode::start_with(with_gateway).await;
    let (_, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);
    let (on_a, on_b) = (
        ProviderBuilder::new().connect_http(a.0.rpc_url().parse().unwrap()),
        ProviderBuilder::new().connect_http(b.0.rpc_url().parse().unwrap()),
    );
    let user = node.account(0);

    // The dApp's token, on 270 only.
    let mut code = Token::BYTECODE.to_vec();
    code.extend(
        Token::constructorCall {
            supply: ether(1000),
        }
        .abi_encode(),
    );
    let deploy = Send {
        input: code.into(),
        gas_limit: 2_000_000,
        ..Send::default()
    };
    let deployed = send_on(&node, &a.0, &a.1, deploy).await;
    let token: Address = serde_json::from_value(deployed["contractAddress"].clone()).unwrap();
    let vault_a = L2NativeTokenVault::new(L2_NATIVE_TOKEN_VAULT, &on_a);
    let vault_b = L2NativeTokenVault::new(L2_NATIVE_TOKEN_VAULT, &on_b);

    // zksync-js: static-call ensureTokenIsRegistered for the asset id, then send it.
    let asset = vault_a
        .ensureTokenIsRegistered(token)
        .from(user)
        .call()
        .await
        .unwrap();
    assert_eq!(
        asset,
        keccak256((U256::from(a.0.chain_id), L2_NATIVE_TOKEN_VAULT, token).abi_encode_params()),
        "keccak(chain id, vault, token)"
    );
    call_on(
        &node,
        a,
        L2_NATIVE_TOKEN_VAULT,
        L2NativeTokenVault::ensureTokenIsRegisteredCall {
            _nativeToken: token,
        },
    )
    .await;
    assert_eq!(vault_a.tokenAddress(asset).call().await.unwrap(), token);
    assert_eq!(
        vault_a.originChainId(asset).call().await.unwrap(),
        U256::from(a.0.chain_id)
    );
    assert_eq!(vault_a.assetId(token).call().await.unwrap(), asset);
    let again = revert_of(
        a,
        user,
        L2_NATIVE_TOKEN_VAULT,
        L2NativeTokenVault::registerTokenCall {
            _nativeToken: token,
        },
    )
    .await;
    assert_eq!(
        again,
        Bytes::from(L2NativeTokenVault::AssetIdAlreadyRegistered {}.abi_encode())
    );
    // The devnet's L1 knows only tokens native to L1: no withdrawal of this one there.
    let to_l1 = withdrawCall {
        _assetId: asset,
        _assetData: (ether(1), user, token).abi_encode_params().into(),
    };
    assert_eq!(
        revert_of(a, user, L2_ASSET_ROUTER, to_l1).await,
        Bytes::from(AssetIdNotSupported { assetId: asset }.abi_encode())
    );

    // To 271: approved to the vault, locked there.
    call_on(
        &node,
        a,
        token,
        Token::approveCall {
            spender: L2_NATIVE_TOKEN_VAULT,
            value: ether(100),
        },
    )
    .await;
    let predicted = vault_b
        .calculateCreate2TokenAddress(U256::from(a.0.chain_id), token)
        .call()
        .await
        .unwrap();
    assert_eq!(
        vault_b.tokenAddress(asset).call().await.unwrap(),
        Address::ZERO
    );
    let sent = send_token(&node, a, b.0.chain_id, asset, token, ether(40), user).await;
    let erc20_a = Token::new(token, &on_a);
    assert_eq!(erc20_a.balanceOf(user).call().await.unwrap(), ether(960));
    assert_eq!(
        erc20_a
            .balanceOf(L2_NATIVE_TOKEN_VAULT)
            .call()
            .await
            .unwrap(),
        ether(40),
        "locked in 270's vault"
    );
    assert_eq!(erc20_a.totalSupply().call().await.unwrap(), ether(1000));

    let proof = proven(&a.1, &b.1, &sent).await;
    let execute = execute_call(a.0.chain_id, &sent, &proof, items(&proof));
    let executed = execute_on(&node, b, &execute).await;
    assert_eq!(executed["status"], "0x1", "executeBundle: {executed}");
    assert_eq!(vault_b.tokenAddress(asset).call().await.unwrap(), predicted);
    assert_eq!(vault_b.assetId(predicted).call().await.unwrap(), asset);
    assert_eq!(
        vault_b.originChainId(asset).call().await.unwrap(),
        U256::from(a.0.chain_id)
    );
    assert_eq!(vault_b.originToken(asset).call().await.unwrap(), token);
    let bridged = Token::new(predicted, &on_b);
    assert_eq!(bridged.balanceOf(user).call().await.unwrap(), ether(40));
    assert_eq!(bridged.totalSupply().call().await.unwrap(), ether(40));
    assert_eq!(bridged.name().call().await.unwrap(), "Token");
    assert_eq!(bridged.symbol().call().await.unwrap(), "TKN");
    assert_eq!(bridged.decimals().call().await.unwrap(), 18);

    // Back to 270: burned on 271 (no approval: the vault burns its own token), released once.
    let receiver = Address::repeat_byte(0x70);
    let back = send_token(
        &node,
        b,
        a.0.chain_id,
        asset,
        predicted,
        ether(15),
        receiver,
    )
    .await;
    assert_eq!(bridged.balanceOf(user).call().await.unwrap(), ether(25));
    assert_eq!(
        bridged.totalSupply().call().await.unwrap(),
        ether(25),
        "burned on 271"
    );
    let proof = proven(&b.1, &a.1, &back).await;
    let execute = execute_call(b.0.chain_id, &back, &proof, items(&proof));
    let executed = execute_on(&node, a, &execute).await;
    assert_eq!(executed["status"], "0x1", "executeBundle: {executed}");
    assert_eq!(erc20_a.balanceOf(receiver).call().await.unwrap(), ether(15));
    assert_eq!(
        erc20_a
            .balanceOf(L2_NATIVE_TOKEN_VAULT)
            .call()
            .await
            .unwrap(),
        ether(25),
        "released from 270's vault"
    );
    assert_eq!(erc20_a.balanceOf(user).call().await.unwrap(), ether(960));

    let twice = refusal(&node, &a.1, &execute).await;
    assert_eq!(
        twice,
        Bytes::from(
            BundleAlreadyProcessed {
                bundleHash: back.hash
            }
            .abi_encode()
        )
    );
    assert_eq!(
        erc20_a
            .balanceOf(L2_NATIVE_TOKEN_VAULT)
            .call()
            .await
            .unwrap(),
        ether(25)
    );
}
