//! ERC-20 bridging through the ZK Stack contracts, both ways, on the embedded L1: approve the
//! L1 asset router -> `requestL2TransactionTwoBridges` -> the L1 native token vault locks the
//! tokens -> the L2 native token vault creates the bridged token and mints; `L2AssetRouter.withdraw`
//! burns -> batch executed on L1 -> `finalizeDeposit` releases once; a deposit whose L2 tx failed
//! is claimed back once, a successful one cannot be.

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, B256, Bytes, U256, address, keccak256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    sol_types::{SolCall, SolConstructor, SolEvent, SolValue},
};
use serde_json::{Value, json};

use crate::{
    bridge::{ether, l2_receipt},
    contracts::Token,
    settlement::wait_finalized,
    support::{TestNode, l1_wallet, qty},
};

mod l1 {
    alloy::sol!(
        #[sol(rpc)]
        Bridgehub,
        "state/artifacts/Bridgehub.json"
    );
    alloy::sol!(
        #[sol(rpc)]
        L1Nullifier,
        "state/artifacts/L1Nullifier.json"
    );
    alloy::sol!(
        #[sol(rpc)]
        L1NativeTokenVault,
        "state/artifacts/L1NativeTokenVault.json"
    );
}
mod zk_chain {
    alloy::sol!(ZKChain, "state/artifacts/ZKChain.json");
}
mod l2 {
    alloy::sol! {
        function l2TokenAddress(address l1Token) external view returns (address);
        function l1TokenAddress(address l2Token) external view returns (address);
        function withdraw(bytes32 assetId, bytes assetData) external returns (bytes32);
        function balanceOf(address) external view returns (uint256);
        function name() external view returns (string);
        function symbol() external view returns (string);
        function decimals() external view returns (uint8);
    }
    alloy::sol! {
        event L1MessageSent(address indexed sender, bytes32 indexed hash, bytes message);
    }
}

const L2_CHAIN_ID: u64 = 270;
const L2_ASSET_ROUTER: Address = address!("0x0000000000000000000000000000000000010003");
const L1_MESSENGER: Address = address!("0x0000000000000000000000000000000000008008");
const BOOTLOADER: Address = address!("0x0000000000000000000000000000000000008001");
pub(crate) const DEPOSIT_GAS: u64 = 3_000_000;

/// keccak256(abi.encode(L1 chain id, 0x…10004, token)).
pub(crate) fn asset_id(token: Address) -> B256 {
    keccak256(
        (
            U256::from(31337u64),
            address!("0x0000000000000000000000000000000000010004"),
            token,
        )
            .abi_encode(),
    )
}

/// Deploys an ERC-20 on L1 from dev account `from` holding `supply`.
pub(crate) async fn l1_token(l1: &DynProvider, supply: U256) -> Address {
    let mut code = Token::BYTECODE.to_vec();
    code.extend_from_slice(&Token::constructorCall { supply }.abi_encode());
    let receipt = l1
        .send_transaction(TransactionRequest::default().with_deploy_code(code))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());
    receipt.contract_address.unwrap()
}

/// `requestL2TransactionTwoBridges` with the asset router as the second bridge (the asset-id
/// calldata SDKs build); returns the L2 tx hash, or the revert as an error.
pub(crate) async fn deposit(
    node: &TestNode,
    l1: &DynProvider,
    token: Address,
    amount: U256,
    receiver: Address,
    l2_gas: u64,
) -> Result<B256, String> {
    let contracts = node.node.l1_contracts().unwrap();
    let hub = l1::Bridgehub::new(contracts.bridgehub, l1);
    let mint = U256::from(1000u64 * l2_gas);
    let transfer = (amount, receiver, token).abi_encode();
    let mut calldata = vec![0x01];
    calldata.extend((asset_id(token), Bytes::from(transfer)).abi_encode_params());
    let request = l1::Bridgehub::L2TransactionRequestTwoBridgesOuter {
        chainId: U256::from(L2_CHAIN_ID),
        mintValue: mint,
        l2Value: U256::ZERO,
        l2GasLimit: U256::from(l2_gas),
        l2GasPerPubdataByteLimit: U256::from(800u64),
        refundRecipient: Address::ZERO,
        secondBridgeAddress: contracts.l1_asset_router,
        secondBridgeValue: U256::ZERO,
        secondBridgeCalldata: calldata.into(),
    };
    let call = hub.requestL2TransactionTwoBridges(request).value(mint);
    call.call().await.map_err(|e| e.to_string())?;
    let receipt = call.send().await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status());
    let event = receipt
        .decoded_log::<zk_chain::ZKChain::NewPriorityRequest>()
        .expect("a NewPriorityRequest log");
    let by_id = receipt
        .decoded_log::<zk_chain::ZKChain::NewPriorityRequestId>()
        .expect("a NewPriorityRequestId log");
    assert_eq!(by_id.txHash, event.txHash);
    Ok(event.txHash)
}

async fn l2_view<C: SolCall>(node: &TestNode, to: Address, call: C) -> C::Return {
    let out = node
        .provider
        .call(
            TransactionRequest::default()
                .to(to)
                .input(call.abi_encode().into()),
        )
        .await
        .unwrap();
    C::abi_decode_returns(&out).unwrap()
}

async fn erc20_balance(p: &DynProvider, token: Address, owner: Address) -> U256 {
    let out = p
        .call(
            TransactionRequest::default()
                .to(token)
                .input(l2::balanceOfCall(owner).abi_encode().into()),
        )
        .await
        .unwrap();
    U256::abi_decode(&out).unwrap()
}

/// The index of the first L2->L1 log of `receipt` sent by `sender`.
fn log_index(receipt: &Value, sender: Address) -> usize {
    receipt["l2ToL1Logs"]
        .as_array()
        .unwrap()
        .iter()
        .position(|l| {
            l["sender"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case(&sender.to_string())
        })
        .expect("the L2->L1 log")
}

#[tokio::test]
async fn erc20_deposit_then_withdrawal_finalizes_once_with_a_valid_proof() {
    let node = TestNode::start().await;
    let l1 = l1_wallet(&node, 2);
    let user = node.account(2);
    let contracts = node.node.l1_contracts().unwrap();
    let token = l1_token(&l1, ether(1000)).await;
    let amount = ether(100);

    let refused = deposit(&node, &l1, token, amount, user, DEPOSIT_GAS).await;
    assert!(
        refused.as_ref().is_err_and(|e| e.contains("allowance")),
        "a deposit without approval is refused: {refused:?}"
    );
    Token::new(token, &l1)
        .approve(contracts.l1_asset_router, amount)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let hash = deposit(&node, &l1, token, amount, user, DEPOSIT_GAS)
        .await
        .unwrap();
    let receipt = l2_receipt(&node, hash).await;
    assert_eq!(receipt["status"], json!("0x1"), "{receipt}");
    let vault = contracts.l1_native_token_vault;
    assert_eq!(
        erc20_balance(&l1, token, vault).await,
        amount,
        "the vault locked it"
    );
    assert_eq!(erc20_balance(&l1, token, user).await, ether(900));

    let l2_token = l2_view(
        &node,
        L2_ASSET_ROUTER,
        l2::l2TokenAddressCall { l1Token: token },
    )
    .await;
    assert_eq!(
        l2_view(
            &node,
            L2_ASSET_ROUTER,
            l2::l1TokenAddressCall { l2Token: l2_token }
        )
        .await,
        token
    );
    assert_eq!(erc20_balance(&node.provider, l2_token, user).await, amount);
    assert_eq!(l2_view(&node, l2_token, l2::nameCall {}).await, "Token");
    assert_eq!(l2_view(&node, l2_token, l2::symbolCall {}).await, "TKN");
    assert_eq!(l2_view(&node, l2_token, l2::decimalsCall {}).await, 18);

    // Withdraw 40 of them to another L1 address.
    let l1_receiver = Address::repeat_byte(0x77);
    let out = ether(40);
    let withdrawal = node
        .call_and_wait(
            2,
            L2_ASSET_ROUTER,
            l2::withdrawCall {
                assetId: asset_id(token),
                assetData: (out, l1_receiver, l2_token).abi_encode().into(),
            },
        )
        .await;
    assert!(withdrawal.status());
    assert_eq!(
        erc20_balance(&node.provider, l2_token, user).await,
        amount - out,
        "burned on L2"
    );
    wait_finalized(&node, withdrawal.block_number.unwrap()).await;
    let receipt = node
        .rpc
        .ok(
            "eth_getTransactionReceipt",
            json!([withdrawal.transaction_hash]),
        )
        .await;
    let index = log_index(&receipt, L1_MESSENGER);
    let proof = node
        .rpc
        .ok(
            "zks_getL2ToL1LogProof",
            json!([withdrawal.transaction_hash, index]),
        )
        .await;
    let message = withdrawal
        .inner
        .logs()
        .iter()
        .find_map(|l| l2::L1MessageSent::decode_log(&l.inner).ok())
        .expect("an L1MessageSent log")
        .data
        .message;
    // The tx number is the tx's index in its block, which SDKs read as l1BatchTxIndex.
    assert_eq!(
        qty(&receipt["l1BatchTxIndex"]),
        qty(&receipt["transactionIndex"])
    );
    let log = &receipt["l2ToL1Logs"][index];
    assert_eq!(
        qty(&log["txNumberInBlock"]),
        qty(&receipt["transactionIndex"])
    );
    assert_eq!(
        log["tx_number_in_block"],
        json!(qty(&receipt["transactionIndex"]))
    );
    let params = l1::L1Nullifier::FinalizeL1DepositParams {
        chainId: U256::from(L2_CHAIN_ID),
        l2BatchNumber: U256::from(proof["batchNumber"].as_u64().unwrap()),
        l2MessageIndex: U256::from(proof["id"].as_u64().unwrap()),
        l2Sender: L2_ASSET_ROUTER,
        l2TxNumberInBatch: qty(&receipt["l1BatchTxIndex"]) as u16,
        message,
        merkleProof: serde_json::from_value(proof["proof"].clone()).unwrap(),
    };
    let nullifier = l1::L1Nullifier::new(contracts.l1_nullifier, &l1);
    let mut forged = params.clone();
    forged.merkleProof[2] = B256::repeat_byte(0x01);
    assert!(
        nullifier.finalizeDeposit(forged).call().await.is_err(),
        "a forged proof is refused"
    );
    let mut wrong_sender = params.clone();
    wrong_sender.l2Sender = user;
    assert!(
        nullifier
            .finalizeDeposit(wrong_sender)
            .call()
            .await
            .is_err(),
        "a message from another L2 sender is refused"
    );
    let finalized = nullifier
        .finalizeDeposit(params.clone())
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(finalized.status());
    assert_eq!(erc20_balance(&l1, token, l1_receiver).await, out);
    assert_eq!(erc20_balance(&l1, token, vault).await, amount - out);
    assert!(
        nullifier.finalizeDeposit(params).call().await.is_err(),
        "paid once"
    );
    assert_eq!(erc20_balance(&l1, token, l1_receiver).await, out);
}

#[tokio::test]
async fn a_failed_erc20_deposit_is_claimed_back_once_and_a_successful_one_is_not() {
    let node = TestNode::start().await;
    let l1 = l1_wallet(&node, 3);
    let user = node.account(3);
    let contracts = node.node.l1_contracts().unwrap();
    let token = l1_token(&l1, ether(10)).await;
    Token::new(token, &l1)
        .approve(contracts.l1_asset_router, ether(10))
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();

    // Too little L2 gas to create the bridged token: the L2 tx fails, the tokens stay locked.
    let failed = deposit(&node, &l1, token, ether(4), user, 100_000)
        .await
        .unwrap();
    let ok = deposit(&node, &l1, token, ether(1), user, DEPOSIT_GAS)
        .await
        .unwrap();
    let failed_receipt = l2_receipt(&node, failed).await;
    let ok_receipt = l2_receipt(&node, ok).await;
    assert_eq!(failed_receipt["status"], json!("0x0"));
    assert_eq!(ok_receipt["status"], json!("0x1"));
    assert_eq!(erc20_balance(&l1, token, user).await, ether(5));
    wait_finalized(
        &node,
        qty(&ok_receipt["blockNumber"]).max(qty(&failed_receipt["blockNumber"])),
    )
    .await;

    // Read again now that their batch is sealed (l1BatchNumber / l1BatchTxIndex are set then).
    let failed_receipt = l2_receipt(&node, failed).await;
    let ok_receipt = l2_receipt(&node, ok).await;
    let nullifier = l1::L1Nullifier::new(contracts.l1_nullifier, &l1);
    let proof_of = async |hash: B256, receipt: &Value| {
        let index = log_index(receipt, BOOTLOADER);
        let proof = node
            .rpc
            .ok("zks_getL2ToL1LogProof", json!([hash, index]))
            .await;
        (
            U256::from(proof["batchNumber"].as_u64().unwrap()),
            U256::from(proof["id"].as_u64().unwrap()),
            qty(&receipt["l1BatchTxIndex"]) as u16,
            serde_json::from_value::<Vec<B256>>(proof["proof"].clone()).unwrap(),
        )
    };
    let chain = U256::from(L2_CHAIN_ID);
    let (batch, id, number, proof) = proof_of(ok, &ok_receipt).await;
    assert!(
        nullifier
            .claimFailedDeposit(chain, user, token, ether(1), ok, batch, id, number, proof)
            .call()
            .await
            .is_err(),
        "a successful deposit cannot be claimed back"
    );
    let (batch, id, number, proof) = proof_of(failed, &failed_receipt).await;
    assert!(
        nullifier
            .claimFailedDeposit(
                chain,
                user,
                token,
                ether(3),
                failed,
                batch,
                id,
                number,
                proof.clone()
            )
            .call()
            .await
            .is_err(),
        "a claim for another amount is refused"
    );
    let claimed = nullifier
        .claimFailedDeposit(
            chain,
            user,
            token,
            ether(4),
            failed,
            batch,
            id,
            number,
            proof.clone(),
        )
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(claimed.status());
    assert_eq!(erc20_balance(&l1, token, user).await, ether(9));
    assert!(
        nullifier
            .claimFailedDeposit(
                chain,
                user,
                token,
                ether(4),
                failed,
                batch,
                id,
                number,
                proof
            )
            .call()
            .await
            .is_err(),
        "a failed deposit is claimed once"
    );
    assert_eq!(erc20_balance(&l1, token, user).await, ether(9));
}
