//! Several L2s in one devnet (`--chains`): each answers as its own chain, gets the deposits
//! made to it and no others, and settles its batches on its own L1 contract (the embedded L1
//! or an external anvil, with any prover). `saving`: snapshots, dumps and the data dir cover
//! every chain together. `gateway`: the L2s settling on the Gateway (`--gateway`). `interop`:
//! bundles from one L2 on the Gateway to another (`interop_saving`: across a restart;
//! `interop_tokens`: an ERC-20 bridged from L1 in a bundle;
//! `interop_native_tokens`: an ERC-20 native to an L2).

mod gateway;
mod gateway_withdrawals;
mod interop;
mod interop_fees;
mod interop_native_tokens;
mod interop_saving;
mod interop_tokens;
mod saving;

use alloy::{
    consensus::TxEip1559,
    primitives::{Address, B256, Bytes, TxKind, U256},
    providers::{Provider, ProviderBuilder},
    sol_types::SolCall,
};
use serde_json::{Value, json};
use zkos_dev::{Config, L2Endpoint, config::MoreChain};

use crate::{
    bridge::ether,
    support::{MAX_FEE, PATIENCE, RawRpc, TestNode, l1_wallet, qty, raw_hex, sign},
};

mod l1 {
    alloy::sol! {
        #[sol(rpc)]
        contract Bridgehub {
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
            function requestL2TransactionDirect(L2TransactionRequestDirect request)
                external payable returns (bytes32 canonicalTxHash);
            function getZKChain(uint256 chainId) external view returns (address);
        }
        event NewPriorityRequestId(uint256 indexed txId, bytes32 indexed txHash);
        function getTotalBatchesExecuted() external view returns (uint256);
        function getTotalPriorityTxs() external view returns (uint256);
        function getChainId() external view returns (uint256);
    }
}

/// A devnet of chains 270 and 271 (and the embedded L1), `tweak`ed.
pub(super) async fn two_chains(tweak: impl FnOnce(&mut Config)) -> TestNode {
    TestNode::start_with(|config| {
        config.more_chains = vec![MoreChain {
            chain_id: 271,
            port: 0,
        }];
        tweak(config);
    })
    .await
}

/// Raw JSON-RPC to each L2, the first one first.
pub(super) fn rpcs(node: &TestNode) -> Vec<(L2Endpoint, RawRpc)> {
    node.node
        .l2s()
        .into_iter()
        .map(|l2| {
            let rpc = RawRpc::new(l2.rpc_url());
            (l2, rpc)
        })
        .collect()
}

/// Sends 1 wei from dev account 0 on `chain` and waits for its receipt.
pub(super) async fn transfer_on(
    node: &TestNode,
    l2: &L2Endpoint,
    rpc: &RawRpc,
    to: Address,
) -> Value {
    let tx = Send {
        to: TxKind::Call(to),
        value: U256::from(1),
        ..Send::default()
    };
    send_on(node, l2, rpc, tx).await
}

/// A tx `send_on` signs: from dev account `from`, with an explicit gas limit.
pub(super) struct Send {
    pub(super) from: usize,
    pub(super) to: TxKind,
    pub(super) input: Bytes,
    pub(super) value: U256,
    pub(super) gas_limit: u64,
}

impl Default for Send {
    fn default() -> Self {
        Self {
            from: 0,
            to: TxKind::Create,
            input: Bytes::new(),
            value: U256::ZERO,
            gas_limit: 100_000,
        }
    }
}

/// Signs and sends `tx` on `chain` and waits for its receipt.
pub(super) async fn send_on(node: &TestNode, l2: &L2Endpoint, rpc: &RawRpc, tx: Send) -> Value {
    let from = node.account(tx.from);
    let nonce = qty(&rpc
        .ok("eth_getTransactionCount", json!([from, "latest"]))
        .await);
    let signed = TxEip1559 {
        chain_id: l2.chain_id,
        nonce,
        gas_limit: tx.gas_limit,
        max_fee_per_gas: MAX_FEE,
        max_priority_fee_per_gas: 0,
        to: tx.to,
        value: tx.value,
        access_list: Default::default(),
        input: tx.input,
    };
    let hash = rpc
        .ok(
            "eth_sendRawTransaction",
            json!([raw_hex(&sign(node.signer(tx.from), signed))]),
        )
        .await;
    receipt_on(rpc, &hash).await
}

pub(super) async fn receipt_on(rpc: &RawRpc, hash: &Value) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let receipt = rpc.ok("eth_getTransactionReceipt", json!([hash])).await;
        if !receipt.is_null() {
            return receipt;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no receipt for {hash}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Deposits `value` to `to` on L2 chain `chain_id` through the Bridgehub; the L2 tx hash.
pub(super) async fn deposit(node: &TestNode, chain_id: u64, to: Address, value: U256) -> B256 {
    let l1 = l1_wallet(node, 1);
    let hub = l1::Bridgehub::new(node.node.l1_contracts().unwrap().bridgehub, &l1);
    let gas_limit = 300_000u64;
    let mint = value + U256::from(gas_limit * 1000);
    let receipt = hub
        .requestL2TransactionDirect(l1::Bridgehub::L2TransactionRequestDirect {
            chainId: U256::from(chain_id),
            mintValue: mint,
            l2Contract: to,
            l2Value: value,
            l2Calldata: Bytes::new(),
            l2GasLimit: U256::from(gas_limit),
            l2GasPerPubdataByteLimit: U256::from(800u64),
            factoryDeps: vec![],
            refundRecipient: Address::repeat_byte(0xee),
        })
        .value(mint)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status(), "the deposit to chain {chain_id} reverted");
    receipt
        .decoded_log::<l1::NewPriorityRequestId>()
        .expect("a NewPriorityRequestId log")
        .txHash
}

pub(super) async fn l1_view(node: &TestNode, to: Address, call: Vec<u8>) -> U256 {
    let l1 = ProviderBuilder::new().connect_http(node.node.l1_rpc_url().unwrap().parse().unwrap());
    let out = l1
        .call(
            alloy::rpc::types::TransactionRequest::default()
                .to(to)
                .input(call.into()),
        )
        .await
        .unwrap();
    U256::from_be_slice(&out)
}

#[tokio::test]
async fn each_chain_answers_with_its_own_chain_id_and_l1_contract() {
    let node = two_chains(|_| {}).await;
    let chains = rpcs(&node);
    assert_eq!(chains.len(), 2);
    let bridgehub = node.node.l1_contracts().unwrap().bridgehub;
    for (l2, rpc) in &chains {
        assert_eq!(qty(&rpc.ok("eth_chainId", json!([])).await), l2.chain_id);
        let contracts = l2.l1_contracts.unwrap();
        assert_eq!(contracts.bridgehub, bridgehub);
        assert_eq!(
            rpc.ok("zks_getBridgehubContract", json!([])).await,
            json!(bridgehub)
        );
        assert_eq!(
            rpc.ok("zks_getMainContract", json!([])).await,
            json!(contracts.zk_chain)
        );
        // The Bridgehub knows the chain there, and the contract knows its chain.
        let registered = l1_view(
            &node,
            bridgehub,
            l1::Bridgehub::getZKChainCall {
                chainId: U256::from(l2.chain_id),
            }
            .abi_encode(),
        )
        .await;
        assert_eq!(Address::from_word(registered.into()), contracts.zk_chain);
        let id = l1_view(
            &node,
            contracts.zk_chain,
            l1::getChainIdCall {}.abi_encode(),
        )
        .await;
        assert_eq!(id, U256::from(l2.chain_id));
        // The dev accounts are funded on every chain.
        let balance = rpc
            .ok("eth_getBalance", json!([node.account(0), "latest"]))
            .await;
        assert_eq!(
            balance,
            json!(format!("{:#x}", crate::support::dev_balance()))
        );
    }
    assert_ne!(
        chains[0].0.l1_contracts.unwrap().zk_chain,
        chains[1].0.l1_contracts.unwrap().zk_chain
    );
}

#[tokio::test]
async fn a_deposit_to_each_chain_arrives_on_that_chain_only() {
    let node = two_chains(|_| {}).await;
    let chains = rpcs(&node);
    let (to_270, to_271) = (Address::repeat_byte(0x70), Address::repeat_byte(0x71));
    let hash_270 = deposit(&node, 270, to_270, ether(1)).await;
    let hash_271 = deposit(&node, 271, to_271, ether(2)).await;
    let (first, second) = (&chains[0].1, &chains[1].1);
    assert_eq!(receipt_on(first, &json!(hash_270)).await["status"], "0x1");
    assert_eq!(receipt_on(second, &json!(hash_271)).await["status"], "0x1");
    let balance = |rpc: &RawRpc, who: Address| {
        let rpc = rpc.clone();
        async move { rpc.ok("eth_getBalance", json!([who, "latest"])).await }
    };
    assert_eq!(
        balance(first, to_270).await,
        json!(format!("{:#x}", ether(1)))
    );
    assert_eq!(
        balance(second, to_271).await,
        json!(format!("{:#x}", ether(2)))
    );
    // Neither chain ran the other's deposit.
    assert_eq!(balance(first, to_271).await, json!("0x0"));
    assert_eq!(balance(second, to_270).await, json!("0x0"));
    for (rpc, other) in [(first, hash_271), (second, hash_270)] {
        let receipt = rpc.ok("eth_getTransactionReceipt", json!([other])).await;
        assert!(receipt.is_null(), "{other} ran on the wrong chain");
    }
}

#[tokio::test]
async fn a_tx_on_each_chain_settles_on_that_chains_l1_contract() {
    let node = two_chains(|_| {}).await;
    for (l2, rpc) in rpcs(&node) {
        let receipt = transfer_on(&node, &l2, &rpc, Address::repeat_byte(0x33)).await;
        assert_eq!(receipt["status"], "0x1");
        let zk_chain = l2.l1_contracts.unwrap().zk_chain;
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let executed = l1_view(
                &node,
                zk_chain,
                l1::getTotalBatchesExecutedCall {}.abi_encode(),
            )
            .await;
            if executed >= U256::from(1) {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no batch of chain {} executed on L1",
                l2.chain_id
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // `finalized` on the chain follows its own contract on L1.
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while rpc
            .ok("eth_getBlockByNumber", json!(["finalized", false]))
            .await["number"]
            == json!("0x0")
        {
            assert!(tokio::time::Instant::now() < deadline, "nothing finalized");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn a_single_l2_of_another_chain_id_gets_its_own_contract_and_deposits() {
    let node = TestNode::start_with(|c| c.chain.chain_id = 300).await;
    let l2 = &node.node.l2s()[0];
    let contracts = l2.l1_contracts.unwrap();
    let genesis = zkos_dev::l1::L1Genesis::embedded().unwrap();
    assert_ne!(
        contracts.zk_chain, genesis.contracts.zk_chain,
        "that one is chain 270's"
    );
    let to = Address::repeat_byte(0x30);
    let hash = deposit(&node, 300, to, ether(1)).await;
    assert_eq!(receipt_on(&node.rpc, &json!(hash)).await["status"], "0x1");
    let (_, rpc) = &rpcs(&node)[0];
    let receipt = transfer_on(&node, l2, rpc, to).await;
    assert_eq!(receipt["status"], "0x1");
}

#[test]
fn a_taken_port_of_another_chain_refuses_the_start_before_the_data_dir() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("devnet");
    let ports = format!("0,{port}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
        .args(["start", "--no-tui", "--silent", "--chains", "270,271"])
        .args(["--chain-ports", &ports, "--l1-port", "0", "--no-metrics"])
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .expect("zkos-dev runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("pass another --chain-ports"), "{err}");
    assert!(!dir.exists(), "the data dir is left untouched");
}

/// Two free ports in a row on 127.0.0.1 (the first returned).
fn two_free_ports() -> u16 {
    loop {
        let port = crate::prover::free_port();
        if port < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

#[tokio::test]
async fn external_workers_prove_each_chain_through_its_own_prover_api() {
    let port = two_free_ports();
    let node = two_chains(|c| {
        c.settlement.prover.mode = zkos_dev::config::ProverMode::External;
        c.settlement.prover.port = port;
    })
    .await;
    let _workers: Vec<_> = (0..2u16)
        .map(|i| {
            let url = format!("http://127.0.0.1:{}", port + i);
            crate::prover::Worker::start(&url, &format!("worker-{i}"))
        })
        .collect();
    for (l2, rpc) in rpcs(&node) {
        let receipt = transfer_on(&node, &l2, &rpc, Address::repeat_byte(0x91)).await;
        let block = qty(&receipt["blockNumber"]);
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while qty(&rpc
            .ok("eth_getBlockByNumber", json!(["finalized", false]))
            .await["number"])
            < block
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "chain {} never finalized block {block}",
                l2.chain_id
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn two_chains_settle_on_an_external_anvil_the_node_deploys_them_on() {
    let anvil = crate::support::Anvil::start().unwrap();
    let url = anvil.url.clone();
    let node = two_chains(move |c| {
        c.l1.as_mut().unwrap().external = Some(zkos_dev::config::ExternalL1 {
            url,
            deploy: true,
            bridgehub: None,
        });
    })
    .await;
    assert_eq!(node.node.l1_rpc_url(), Some(anvil.url.clone()));
    let to = Address::repeat_byte(0xa1);
    let hash = deposit(&node, 271, to, ether(1)).await;
    let chains = rpcs(&node);
    assert_eq!(
        receipt_on(&chains[1].1, &json!(hash)).await["status"],
        "0x1"
    );
    assert_eq!(
        chains[0]
            .1
            .ok("eth_getBalance", json!([to, "latest"]))
            .await,
        json!("0x0")
    );
    for (l2, rpc) in &chains {
        transfer_on(&node, l2, rpc, Address::repeat_byte(0xa2)).await;
        let zk_chain = l2.l1_contracts.unwrap().zk_chain;
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while l1_view(
            &node,
            zk_chain,
            l1::getTotalBatchesExecutedCall {}.abi_encode(),
        )
        .await
            < U256::from(1)
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "chain {}",
                l2.chain_id
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    // Both chains' contracts: the first at the deployment's, the second its own.
    let l2s = node.node.l2s();
    assert_eq!(l2s[0].l1_contracts, node.node.l1_contracts());
    assert_ne!(
        l2s[0].l1_contracts.unwrap().zk_chain,
        l2s[1].l1_contracts.unwrap().zk_chain
    );
}

#[test]
fn a_failed_start_in_an_empty_dir_takes_every_chains_data_dir_away() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("empty");
    std::fs::create_dir(&dir).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
        .args(["start", "--no-tui", "--silent", "--chains", "270,271"])
        .args(["--chain-ports", "0,0", "--l1-port", "0", "--no-metrics"])
        .arg("--load-state")
        .arg(temp.path().join("no-such-dump"))
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .expect("zkos-dev runs");
    assert!(!out.status.success());
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
