//! A devnet inside a Rust test or program: `Node::spawn(Config::test())` starts the L2 and the
//! embedded L1 on free ports, silent and in memory; the handle gives their URLs and stops them.
//!
//! ```sh
//! cargo run --example in_process
//! ```
//!
//! In a project's tests, with zkos-dev as a dev-dependency (see `docs/install.md`):
//!
//! ```ignore
//! #[tokio::test]
//! async fn my_contract_works_on_zksync_os() {
//!     let node = zkos_dev::Node::spawn(zkos_dev::Config::test()).await.unwrap();
//!     let l2 = alloy::providers::ProviderBuilder::new().connect_http(node.rpc_url().parse().unwrap());
//!     // ... deploy, call, assert ...
//!     node.shutdown().await;
//! }
//! ```

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
};
use zkos_dev::{Config, Node};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let node = Node::spawn(Config::test()).await?;
    println!("L2 {} (L1 {:?})", node.rpc_url(), node.l1_rpc_url());

    // Dev account #0 sends 1 ETH to a fresh address on the L2.
    let signer = node.accounts()[0].signer();
    let l2 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(node.rpc_url().parse()?);
    let to = Address::repeat_byte(0x42);
    let value = U256::from(10u64).pow(U256::from(18u64));
    let receipt = l2
        .send_transaction(TransactionRequest::default().with_to(to).with_value(value))
        .await?
        .get_receipt()
        .await?;
    anyhow::ensure!(receipt.status(), "the transfer failed");
    anyhow::ensure!(
        l2.get_balance(to).await? == value,
        "the balance is not 1 ETH"
    );
    println!(
        "1 ETH sent in block {} (gas used {}); chain id {}",
        receipt.block_number.unwrap_or_default(),
        receipt.gas_used,
        l2.get_chain_id().await?
    );
    node.shutdown().await;
    Ok(())
}
