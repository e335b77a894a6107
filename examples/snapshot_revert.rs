//! Snapshot before a test and revert after it, so every test starts from the same devnet
//! state: the pattern for a Rust test suite against zkos-dev, with alloy.
//!
//! Run its tests against a running devnet, or the same flow once as a program:
//!
//! ```sh
//! zkos-dev start                              # in another terminal
//! cargo test --example snapshot_revert        # ZKOS_L2_URL=... for another node
//! cargo run --example snapshot_revert         # or: -- <L2 URL>
//! ```
//!
//! `evm_snapshot` answers an id; `evm_revert(id)` brings the whole L2 back to that point
//! (blocks, balances, nonces, storage, the pool, the clock offset) and answers `true`, once:
//! the snapshot and every later one are used up. Snapshots are cheap on zkos-dev (each
//! block's state is a persistent map), so one per test costs nothing. The tests share one
//! devnet, so they take turns (`DEVNET`); `cargo test` runs them on parallel threads otherwise.

use std::future::Future;

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol,
};

sol!(
    #[sol(rpc)]
    Counter,
    "tests/contracts/out/Counter.json"
);

/// Dev account #4 of the `test test ... junk` mnemonic (public: a devnet key).
const DEV_KEY_4: &str = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";

fn dev_key() -> anyhow::Result<PrivateKeySigner> {
    Ok(DEV_KEY_4.parse()?)
}

/// Snapshots are global to the devnet: one test at a time between snapshot and revert.
static DEVNET: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn l2_url() -> String {
    std::env::args()
        .nth(1)
        .filter(|a| a.starts_with("http"))
        .or_else(|| std::env::var("ZKOS_L2_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:3050".into())
}

fn provider() -> anyhow::Result<DynProvider> {
    let signer = dev_key()?;
    Ok(ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(l2_url().parse()?)
        .erased())
}

/// Runs `test` between `evm_snapshot` and `evm_revert`: whatever it does to the devnet is
/// undone, pass or fail.
async fn isolated<F, Fut>(test: F) -> anyhow::Result<()>
where
    F: FnOnce(DynProvider) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let _turn = DEVNET.lock().await;
    let l2 = provider()?;
    let id: U256 = l2.raw_request("evm_snapshot".into(), ()).await?;
    let block = l2.get_block_number().await?;
    let outcome = test(l2.clone()).await;
    let reverted: bool = l2.raw_request("evm_revert".into(), (id,)).await?;
    anyhow::ensure!(reverted, "evm_revert({id}) answered false");
    anyhow::ensure!(
        l2.get_block_number().await? == block,
        "the head did not go back to block {block}"
    );
    outcome
}

/// An address no one else uses, so the tests can count on its balance.
const FRESH: Address = Address::repeat_byte(0x5a);

/// The flow in one test: deploy, snapshot, change storage, balances, nonce and the clock,
/// revert, and find everything as it was.
async fn revert_brings_back_storage_balances_and_nonce() -> anyhow::Result<()> {
    let _turn = DEVNET.lock().await;
    let l2 = provider()?;
    let me = dev_key()?.address();
    let counter = Counter::deploy(&l2).await?;
    println!("deployed Counter at {}", counter.address());
    let block = l2.get_block_number().await?;
    let nonce = l2.get_transaction_count(me).await?;

    let id: U256 = l2.raw_request("evm_snapshot".into(), ()).await?;
    println!("evm_snapshot -> {id} at block {block}");
    counter
        .setNumber(U256::from(42))
        .send()
        .await?
        .get_receipt()
        .await?;
    let send = TransactionRequest::default()
        .to(FRESH)
        .value(U256::from(10u64).pow(U256::from(18u64)));
    l2.send_transaction(send).await?.get_receipt().await?;
    let _: i64 = l2.raw_request("evm_increaseTime".into(), (3600,)).await?;
    anyhow::ensure!(counter.number().call().await? == U256::from(42));
    anyhow::ensure!(l2.get_balance(FRESH).await? > U256::ZERO);
    println!(
        "changed: number() = 42, {FRESH} holds {} wei, head at block {}",
        l2.get_balance(FRESH).await?,
        l2.get_block_number().await?
    );

    let reverted: bool = l2.raw_request("evm_revert".into(), (id,)).await?;
    anyhow::ensure!(reverted, "evm_revert answered false");
    anyhow::ensure!(
        counter.number().call().await? == U256::ZERO,
        "storage not reverted"
    );
    anyhow::ensure!(
        l2.get_balance(FRESH).await? == U256::ZERO,
        "balance not reverted"
    );
    anyhow::ensure!(
        l2.get_transaction_count(me).await? == nonce,
        "nonce not reverted"
    );
    anyhow::ensure!(l2.get_block_number().await? == block, "head not reverted");
    println!("evm_revert({id}) -> true: number() = 0, {FRESH} holds 0, head back at block {block}");

    // A snapshot is used once.
    let again: bool = l2.raw_request("evm_revert".into(), (id,)).await?;
    anyhow::ensure!(!again, "a used snapshot reverted twice");
    Ok(())
}

/// Two tests that both start from an empty `FRESH` and fill it: they pass in any order only
/// because `isolated` reverts what the other did.
async fn first_test_funds_fresh(l2: DynProvider) -> anyhow::Result<()> {
    anyhow::ensure!(
        l2.get_balance(FRESH).await? == U256::ZERO,
        "a previous test leaked state"
    );
    l2.send_transaction(TransactionRequest::default().to(FRESH).value(U256::from(1)))
        .await?
        .get_receipt()
        .await?;
    anyhow::ensure!(l2.get_balance(FRESH).await? == U256::from(1));
    Ok(())
}

async fn second_test_funds_fresh(l2: DynProvider) -> anyhow::Result<()> {
    anyhow::ensure!(
        l2.get_balance(FRESH).await? == U256::ZERO,
        "a previous test leaked state"
    );
    l2.send_transaction(TransactionRequest::default().to(FRESH).value(U256::from(2)))
        .await?
        .get_receipt()
        .await?;
    anyhow::ensure!(l2.get_balance(FRESH).await? == U256::from(2));
    Ok(())
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    revert_brings_back_storage_balances_and_nonce().await?;
    isolated(first_test_funds_fresh).await?;
    isolated(second_test_funds_fresh).await?;
    println!("two isolated tests each started from an empty {FRESH}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn snapshot_then_revert_restores_the_devnet() -> anyhow::Result<()> {
        revert_brings_back_storage_balances_and_nonce().await
    }

    #[tokio::test]
    async fn first() -> anyhow::Result<()> {
        isolated(first_test_funds_fresh).await
    }

    #[tokio::test]
    async fn second() -> anyhow::Result<()> {
        isolated(second_test_funds_fresh).await
    }
}
