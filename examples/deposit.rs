//! Deposit ETH from L1 to L2 through the Bridgehub, with alloy.
//!
//! Run it against a running devnet:
//!
//! ```sh
//! zkos-dev start                      # in another terminal
//! cargo run --example deposit         # or: -- <L2 URL> <L1 URL>
//! ```
//!
//! It asks the L2 where the Bridgehub is (`zks_getBridgehubContract`), sends
//! `requestL2TransactionDirect` on L1 from dev account #0 with `mintValue` = L2 gas + 1 ETH,
//! and waits for the L1 tx to run on L2 as a type-0x7f tx.

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, U256, utils::format_ether},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    sol,
};

sol! {
    #[sol(rpc)]
    interface IBridgehub {
        struct L2TransactionRequestDirect {
            uint256 chainId;
            uint256 mintValue;
            address l2Contract;
            uint256 l2Value;
            bytes l2Calldata;
            uint256 l2GasLimit;
            uint256 l2GasPerPubdataByteLimit;
            bytes[] factoryDeps;
            address refundRecipient;
        }
        function requestL2TransactionDirect(L2TransactionRequestDirect request) external payable returns (bytes32);
        function l2TransactionBaseCost(uint256 chainId, uint256 gasPrice, uint256 l2GasLimit, uint256 l2GasPerPubdataByteLimit) external view returns (uint256);
    }
    struct L2CanonicalTransaction {
        uint256 txType; uint256 from; uint256 to; uint256 gasLimit; uint256 gasPerPubdataByteLimit;
        uint256 maxFeePerGas; uint256 maxPriorityFeePerGas; uint256 paymaster; uint256 nonce;
        uint256 value; uint256[4] reserved; bytes data; bytes signature; uint256[] factoryDeps;
        bytes paymasterInput; bytes reservedDynamic;
    }
    event NewPriorityRequest(uint256 txId, bytes32 txHash, uint64 expirationTimestamp, L2CanonicalTransaction transaction, bytes[] factoryDeps);
}

/// Dev account #0 of the `test test ... junk` mnemonic (public: a devnet key).
const DEV_KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let l2_url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:3050".into());
    let l1_url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8545".into());
    let signer: PrivateKeySigner = DEV_KEY_0.parse()?;
    let me = signer.address();
    let l2 = ProviderBuilder::new().connect_http(l2_url.parse()?);
    let l1 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(l1_url.parse()?);

    let bridgehub: Address = l2
        .raw_request("zks_getBridgehubContract".into(), ())
        .await?;
    let chain_id = l2.get_chain_id().await?;
    let gas_price = U256::from(l2.get_gas_price().await?);
    let gas_limit = U256::from(300_000u64);
    let amount = U256::from(10u64).pow(U256::from(18u64));
    let hub = IBridgehub::new(bridgehub, &l1);
    let base_cost = hub
        .l2TransactionBaseCost(
            U256::from(chain_id),
            gas_price,
            gas_limit,
            U256::from(800u64),
        )
        .call()
        .await?;
    let before = l2.get_balance(me).await?;

    let receipt = hub
        .requestL2TransactionDirect(IBridgehub::L2TransactionRequestDirect {
            chainId: U256::from(chain_id),
            mintValue: base_cost + amount,
            l2Contract: me,
            l2Value: amount,
            l2Calldata: Default::default(),
            l2GasLimit: gas_limit,
            l2GasPerPubdataByteLimit: U256::from(800u64),
            factoryDeps: vec![],
            refundRecipient: me,
        })
        .value(base_cost + amount)
        .send()
        .await?
        .get_receipt()
        .await?;
    anyhow::ensure!(receipt.status(), "the deposit reverted on L1");
    let l2_hash: B256 = receipt
        .decoded_log::<NewPriorityRequest>()
        .map(|log| log.txHash)
        .ok_or_else(|| anyhow::anyhow!("no NewPriorityRequest in the L1 receipt"))?;
    println!(
        "L1 tx {}: deposit of {} ETH requested",
        receipt.transaction_hash,
        format_ether(amount)
    );

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    // Read as JSON: alloy's Ethereum receipt type has no 0x7f variant (as with zksync-os-server,
    // an L1 tx's receipt needs a ZKsync-aware network type).
    let l2_receipt = loop {
        let receipt: serde_json::Value = l2
            .raw_request("eth_getTransactionReceipt".into(), (l2_hash,))
            .await?;
        if !receipt.is_null() {
            break receipt;
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the deposit never reached L2"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    anyhow::ensure!(l2_receipt["status"] == "0x1", "the deposit failed on L2");
    let after = l2.get_balance(me).await?;
    println!(
        "L2 tx {l2_hash} (type {}) in block {}: balance of {me} {} -> {} ETH",
        l2_receipt["type"].as_str().unwrap_or_default(),
        l2_receipt["blockNumber"].as_str().unwrap_or_default(),
        format_ether(before),
        format_ether(after)
    );
    anyhow::ensure!(
        after >= before + amount,
        "the L2 balance did not rise by the deposit"
    );
    Ok(())
}
