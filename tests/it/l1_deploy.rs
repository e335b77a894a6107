//! The rollup contracts on an external L1 (`--l1-rpc URL --l1-deploy`): deployed on a real
//! anvil at the embedded genesis's addresses with the embedded genesis's code and storage,
//! found (not redeployed) the second time, read back from the Bridgehub; found without a tx
//! on zkos-dev's own L1; refused where the deployer's nonces hold something else.

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, U256, hex, keccak256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolValue},
};
use zkos_dev::abi::IZKChain;
use zkos_dev::l1::{
    L1Genesis,
    deploy::{
        DeployParams, deterministic_addresses, find_or_deploy, from_bridgehub,
        genesis_stored_batch, governor_signer,
    },
};

use crate::support::{Anvil, TestNode};

/// anvil's account #0: funds the governor and the operator on an external anvil.
const DEV_KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// anvil's accounts #3 and #4: deployers that have ETH.
const DEV_KEY_3: &str = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
const DEV_KEY_4: &str = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";

/// The parameters `state/genesis.mjs` uses, plus dev account #0 as the funder.
fn embedded_params(genesis: &L1Genesis) -> DeployParams {
    DeployParams {
        funder: Some(DEV_KEY_0.parse().unwrap()),
        ..DeployParams::new(genesis.l2_chain_id, genesis.operator)
    }
}

#[tokio::test]
async fn deploys_on_a_fresh_anvil_exactly_the_embedded_genesis_then_finds_it_again() {
    let Some(anvil) = Anvil::start() else { return };
    let l1 = anvil.provider();
    let genesis = L1Genesis::embedded().unwrap();
    let params = embedded_params(&genesis);
    let governor = governor_signer().address();
    assert_eq!(governor, genesis.governor);

    let deployed = find_or_deploy(&anvil.url, &params).await.unwrap();
    assert_eq!(
        deployed, genesis.contracts,
        "same deployer, same nonces, same addresses"
    );
    // deploy.mjs's txs: 8 creations, setSharedBridge, registerChain, 3 x setValidator, the vault
    // on the asset router and the nullifier, the router on the nullifier.
    let nonce = l1.get_transaction_count(governor).await.unwrap();
    assert_eq!(nonce, 16);

    // Same code and storage as the embedded genesis: same constructor arguments and wiring.
    let c = deployed;
    for address in [
        c.bridgehub,
        c.zk_chain,
        c.verifier,
        c.l1_nullifier,
        c.l1_asset_router,
        c.l1_native_token_vault,
        c.validator_timelock,
        c.chain_type_manager,
    ] {
        let account = &genesis.alloc[&address];
        assert_eq!(
            l1.get_code_at(address).await.unwrap(),
            account.code,
            "code of {address}"
        );
        for (slot, value) in &account.storage {
            let actual = l1.get_storage_at(address, *slot).await.unwrap();
            assert_eq!(actual, *value, "slot {slot:#x} of {address}");
        }
    }

    let found = find_or_deploy(&anvil.url, &params).await.unwrap();
    assert_eq!(found, deployed);
    assert_eq!(
        l1.get_transaction_count(governor).await.unwrap(),
        nonce,
        "the second run sends nothing"
    );
    assert_eq!(
        from_bridgehub(&anvil.url, deployed.bridgehub, genesis.l2_chain_id)
            .await
            .unwrap(),
        deployed
    );
}

#[tokio::test]
async fn finds_the_contracts_of_zkos_devs_own_l1_without_sending_a_tx() {
    let node = TestNode::start().await;
    let url = node.node.l1_rpc_url().unwrap();
    let genesis = L1Genesis::embedded().unwrap();
    let l1 = ProviderBuilder::new().connect_http(url.parse().unwrap());
    let nonce = l1.get_transaction_count(genesis.governor).await.unwrap();

    let params = DeployParams::new(genesis.l2_chain_id, genesis.operator);
    assert_eq!(
        find_or_deploy(&url, &params).await.unwrap(),
        genesis.contracts
    );
    assert_eq!(
        l1.get_transaction_count(genesis.governor).await.unwrap(),
        nonce
    );
    assert_eq!(
        from_bridgehub(&url, genesis.contracts.bridgehub, genesis.l2_chain_id)
            .await
            .unwrap(),
        genesis.contracts
    );
}

#[tokio::test]
async fn completes_a_deployment_that_was_cut_short() {
    let Some(anvil) = Anvil::start() else { return };
    let deployer: PrivateKeySigner = DEV_KEY_3.parse().unwrap();
    let owner = deployer.address();
    let wallet = ProviderBuilder::new()
        .wallet(EthereumWallet::from(deployer.clone()))
        .connect_http(anvil.url.parse().unwrap());
    // The first two creations of deploy.mjs (Verifier, Bridgehub), then the process "died".
    for (name, args) in [
        ("Verifier", (owner, true).abi_encode_params()),
        ("Bridgehub", (owner,).abi_encode_params()),
    ] {
        let path = format!("{}/state/artifacts/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let artifact: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut code = hex::decode(artifact["bytecode"]["object"].as_str().unwrap()).unwrap();
        code.extend(args);
        let tx = TransactionRequest::default().with_deploy_code(code);
        let receipt = wallet
            .send_transaction(tx)
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(receipt.status());
    }

    let params = DeployParams {
        deployer,
        ..DeployParams::new(270, Address::repeat_byte(0x22))
    };
    let contracts = find_or_deploy(&anvil.url, &params).await.unwrap();
    assert_eq!(contracts, deterministic_addresses(owner));
    assert_eq!(wallet.get_transaction_count(owner).await.unwrap(), 16);
    assert_eq!(
        from_bridgehub(&anvil.url, contracts.bridgehub, 270)
            .await
            .unwrap(),
        contracts
    );
}

#[tokio::test]
async fn a_found_deployment_takes_a_new_l2_genesis_but_not_other_constructor_parameters() {
    let Some(anvil) = Anvil::start() else { return };
    let deployer: PrivateKeySigner = DEV_KEY_4.parse().unwrap();
    let params = DeployParams {
        deployer: deployer.clone(),
        ..DeployParams::new(270, Address::repeat_byte(0x22))
    };
    let contracts = find_or_deploy(&anvil.url, &params).await.unwrap();
    let l1 = anvil.provider();

    // The L2 genesis changed (other flags): nothing committed yet, so batch 0 is replaced.
    let commitment = B256::repeat_byte(0x42);
    let moved = DeployParams {
        genesis_stored_batch: genesis_stored_batch(commitment),
        ..params.clone()
    };
    assert_eq!(find_or_deploy(&anvil.url, &moved).await.unwrap(), contracts);
    assert_eq!(
        l1.get_transaction_count(deployer.address()).await.unwrap(),
        17
    );
    let stored = l1
        .call(
            TransactionRequest::default().to(contracts.zk_chain).input(
                IZKChain::storedBatchHashCall {
                    batchNumber: U256::ZERO,
                }
                .abi_encode()
                .into(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        B256::from_slice(&stored),
        keccak256(genesis_stored_batch(commitment).abi_encode())
    );

    let real_proofs = DeployParams {
        mock_verifier: false,
        ..params.clone()
    };
    let error = format!(
        "{:#}",
        find_or_deploy(&anvil.url, &real_proofs).await.unwrap_err()
    );
    assert!(error.contains("mock verification on"), "{error}");
    let other_chain = DeployParams {
        l2_chain_id: 271,
        ..params
    };
    let error = format!(
        "{:#}",
        find_or_deploy(&anvil.url, &other_chain).await.unwrap_err()
    );
    assert!(error.contains("is for L2 chain 270, not 271"), "{error}");
}

#[tokio::test]
async fn refuses_a_deployer_whose_nonces_went_to_other_txs() {
    let Some(anvil) = Anvil::start() else { return };
    let deployer: PrivateKeySigner = DEV_KEY_3.parse().unwrap();
    let wallet = ProviderBuilder::new()
        .wallet(EthereumWallet::from(deployer.clone()))
        .connect_http(anvil.url.parse().unwrap());
    let tx = TransactionRequest::default()
        .to(Address::repeat_byte(0x11))
        .value(U256::from(1));
    wallet
        .send_transaction(tx)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();

    let params = DeployParams {
        deployer,
        ..DeployParams::new(270, Address::repeat_byte(0x22))
    };
    let error = find_or_deploy(&anvil.url, &params)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("has sent 1 txs") && error.contains("--l1-bridgehub"),
        "{error}"
    );
}

#[tokio::test]
async fn an_unreachable_l1_is_an_error_naming_its_url() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let url = "http://127.0.0.1:1";
    let params = DeployParams::new(270, Address::ZERO);
    let error = format!("{:#}", find_or_deploy(url, &params).await.unwrap_err());
    assert!(error.contains(url), "{error}");
    let error = format!(
        "{:#}",
        from_bridgehub(url, Address::ZERO, 270).await.unwrap_err()
    );
    assert!(error.contains(url), "{error}");
}
