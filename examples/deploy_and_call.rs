//! Deploy a contract on the L2, call it and read it back, with alloy.
//!
//! Run it against a running devnet:
//!
//! ```sh
//! zkos-dev start                          # in another terminal
//! cargo run --example deploy_and_call     # or: -- <L2 URL>
//! ```
//!
//! The contract is `Counter` (`tests/contracts/src/Counter.sol`); `sol!` embeds its ABI and
//! bytecode from the compiled artifact `tests/contracts/out/Counter.json` and generates a typed
//! binding. Dev account #2 deploys it, sends `setNumber(41)` and `increment()`, reads `number()`
//! back and decodes the `Incremented` event from the receipt. A reverting call comes back as
//! the contract's error, decoded.

use alloy::{
    network::EthereumWallet,
    primitives::U256,
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    sol,
};

sol!(
    #[sol(rpc)]
    Counter,
    "tests/contracts/out/Counter.json"
);

/// Dev account #2 of the `test test ... junk` mnemonic (public: a devnet key).
const DEV_KEY_2: &str = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let l2_url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:3050".into());
    let signer: PrivateKeySigner = DEV_KEY_2.parse()?;
    let me = signer.address();
    let l2 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(l2_url.parse()?);
    println!(
        "chain {} at {l2_url}, deploying from {me}",
        l2.get_chain_id().await?
    );

    // Deploy: the constructor call is the embedded creation bytecode.
    let receipt = Counter::deploy_builder(&l2)
        .send()
        .await?
        .get_receipt()
        .await?;
    let address = receipt
        .contract_address
        .ok_or_else(|| anyhow::anyhow!("no contract address in the deploy receipt"))?;
    println!(
        "deployed Counter at {address} in block {} (tx {}, {} gas)",
        receipt.block_number.unwrap_or_default(),
        receipt.transaction_hash,
        receipt.gas_used
    );
    let counter = Counter::new(address, &l2);

    // Write: two txs, each mined in its own block (instant mining).
    let set = counter
        .setNumber(U256::from(41))
        .send()
        .await?
        .get_receipt()
        .await?;
    anyhow::ensure!(set.status(), "setNumber reverted");
    let inc = counter.increment().send().await?.get_receipt().await?;
    anyhow::ensure!(inc.status(), "increment reverted");
    let event = inc
        .decoded_log::<Counter::Incremented>()
        .ok_or_else(|| anyhow::anyhow!("no Incremented event in the receipt"))?;
    println!(
        "increment(): tx {}, event Incremented(by: {}, newValue: {})",
        inc.transaction_hash, event.by, event.newValue
    );

    // Read: an eth_call against the latest block.
    let number = counter.number().call().await?;
    println!("number() = {number}");
    anyhow::ensure!(number == U256::from(42), "expected 42, read {number}");

    // A revert comes back as the contract's custom error.
    let err = counter
        .failCustom()
        .call()
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("failCustom() did not revert"))?;
    let decoded = err
        .as_decoded_interface_error::<Counter::CounterErrors>()
        .ok_or_else(|| anyhow::anyhow!("the revert did not decode: {err}"))?;
    match decoded {
        Counter::CounterErrors::Unauthorized(e) => {
            println!("failCustom() reverted with Unauthorized({})", e.caller)
        }
    }
    Ok(())
}
