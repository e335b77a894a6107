//! Withdraw ETH from L2 to L1 and finalize it on L1, with alloy.
//!
//! Run it against a running devnet:
//!
//! ```sh
//! zkos-dev start                      # in another terminal
//! cargo run --example withdraw        # or: -- <L2 URL> <L1 URL>
//! ```
//!
//! Dev account #1 calls `withdraw(l1Receiver)` on the L2 base token (`0x…800a`), waits until
//! its block is `finalized` (its batch executed on L1), fetches the Merkle proof with
//! `zks_getL2ToL1LogProof`, and calls `finalizeDeposit` on the L1 nullifier, which pays out.

use alloy::{
    eips::BlockNumberOrTag,
    network::EthereumWallet,
    primitives::{Address, B256, Bytes, U256, address, utils::format_ether},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol,
    sol_types::SolCall,
};
use serde::Deserialize;

sol! {
    function withdraw(address l1Receiver) external payable;

    #[sol(rpc)]
    interface IL1AssetRouter {
        function L1_NULLIFIER() external view returns (address);
    }

    #[sol(rpc)]
    interface IL1Nullifier {
        struct FinalizeL1DepositParams {
            uint256 chainId;
            uint256 l2BatchNumber;
            uint256 l2MessageIndex;
            address l2Sender;
            uint16 l2TxNumberInBatch;
            bytes message;
            bytes32[] merkleProof;
        }
        function finalizeDeposit(FinalizeL1DepositParams params) external;
    }
}

/// Dev account #1 of the `test test ... junk` mnemonic (public: a devnet key).
const DEV_KEY_1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const L2_BASE_TOKEN: Address = address!("0x000000000000000000000000000000000000800a");

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogProof {
    batch_number: u64,
    id: u64,
    proof: Vec<B256>,
    tx_number_in_batch: u16,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BridgeContracts {
    l1_shared_default_bridge: Address,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let l2_url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:3050".into());
    let l1_url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8545".into());
    let signer: PrivateKeySigner = DEV_KEY_1.parse()?;
    let wallet = EthereumWallet::from(signer.clone());
    let l2 = ProviderBuilder::new()
        .wallet(wallet.clone())
        .connect_http(l2_url.parse()?);
    let l1 = ProviderBuilder::new()
        .wallet(wallet)
        .connect_http(l1_url.parse()?);
    let receiver = Address::repeat_byte(0xee);
    let amount = U256::from(10u64).pow(U256::from(18u64)) / U256::from(2u64);

    // 1. Withdraw on L2.
    let call = withdrawCall {
        l1Receiver: receiver,
    }
    .abi_encode();
    let receipt = l2
        .send_transaction(
            TransactionRequest::default()
                .to(L2_BASE_TOKEN)
                .value(amount)
                .input(call.into()),
        )
        .await?
        .get_receipt()
        .await?;
    anyhow::ensure!(receipt.status(), "withdraw reverted on L2");
    let block = receipt.block_number.unwrap_or_default();
    println!(
        "L2 tx {}: withdrawing {} ETH to {receiver}",
        receipt.transaction_hash,
        format_ether(amount)
    );

    // 2. Wait until its batch is executed on L1.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let finalized = l2
            .get_block_by_number(BlockNumberOrTag::Finalized)
            .await?
            .map(|b| b.header.number)
            .unwrap_or_default();
        if finalized >= block {
            break;
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "block {block} never finalized"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    println!("L2 block {block} is finalized on L1");

    // 3. The Merkle proof of the withdrawal message.
    let proof: LogProof = l2
        .raw_request(
            "zks_getL2ToL1LogProof".into(),
            (receipt.transaction_hash, 0),
        )
        .await?;
    println!(
        "proof: batch {}, leaf {}, {} hashes",
        proof.batch_number,
        proof.id,
        proof.proof.len()
    );

    // 4. Finalize on L1.
    let bridges: BridgeContracts = l2.raw_request("zks_getBridgeContracts".into(), ()).await?;
    let nullifier = IL1AssetRouter::new(bridges.l1_shared_default_bridge, &l1)
        .L1_NULLIFIER()
        .call()
        .await?;
    let mut message = vec![0x6c, 0x09, 0x60, 0xf9]; // finalizeEthWithdrawal selector
    message.extend_from_slice(receiver.as_slice());
    message.extend_from_slice(&amount.to_be_bytes::<32>());
    let before = l1.get_balance(receiver).await?;
    let finalized = IL1Nullifier::new(nullifier, &l1)
        .finalizeDeposit(IL1Nullifier::FinalizeL1DepositParams {
            chainId: U256::from(l2.get_chain_id().await?),
            l2BatchNumber: U256::from(proof.batch_number),
            l2MessageIndex: U256::from(proof.id),
            l2Sender: L2_BASE_TOKEN,
            l2TxNumberInBatch: proof.tx_number_in_batch,
            message: Bytes::from(message),
            merkleProof: proof.proof,
        })
        .send()
        .await?
        .get_receipt()
        .await?;
    anyhow::ensure!(finalized.status(), "finalizeDeposit reverted on L1");
    let after = l1.get_balance(receiver).await?;
    println!(
        "L1 tx {}: {receiver} got {} ETH on L1",
        finalized.transaction_hash,
        format_ether(after - before)
    );
    anyhow::ensure!(
        after - before == amount,
        "the L1 balance did not rise by the withdrawal"
    );
    Ok(())
}
