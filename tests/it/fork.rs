//! Fork mode (`--fork-url`): the L2 starts from a block of a live chain — another zkos-dev in
//! process, or the real anvil — reads its state on first use, answers its history, caches what
//! it read in the data dir, and fails clearly (naming the remote) when the remote is gone.
//!
//! These tests run on the multi-threaded runtime: the remote zkos-dev answers on the same
//! runtime while the fork's executor waits for it.

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use serde_json::{Value, json};
use zkos_dev::config::{ForkConfig, Storage};

use crate::{
    contracts::Counter,
    settlement::wait_finalized,
    support::{Anvil, TestNode, fresh_address, qty, sign, transfer},
};

/// A zkos-dev forking `url` at `block`, without an L1 unless `with_l1`.
async fn fork_of(url: &str, block: Option<u64>, storage: Storage, with_l1: bool) -> TestNode {
    TestNode::start_with(|c| {
        let mut fork = ForkConfig::new(url);
        fork.block_number = block;
        c.fork = Some(fork);
        c.storage = storage;
        c.silent = std::env::var("FORK_DEBUG").is_err();
        if !with_l1 {
            c.l1 = None;
        }
    })
    .await
}

async fn counter_number(node: &TestNode, counter: Address) -> U256 {
    let out = node
        .rpc
        .ok(
            "eth_call",
            json!([{"to": counter, "data": alloy::primitives::hex::encode_prefixed(Counter::numberCall {}.abi_encode())}, "latest"]),
        )
        .await;
    U256::from_str_radix(out.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// How many logs `counter` emitted from block 0 to the head.
async fn counter_logs(node: &TestNode, counter: Address) -> usize {
    let logs = node
        .rpc
        .ok(
            "eth_getLogs",
            json!([{"fromBlock": "0x0", "toBlock": "latest", "address": counter}]),
        )
        .await;
    logs.as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fork_of_zkos_dev_reads_remote_state_and_history_and_leaves_the_remote_alone() {
    let remote = TestNode::start_with(|c| c.l1 = None).await;
    let counter = remote.deploy_counter(0).await;
    let increment = remote
        .call_and_wait(0, counter, Counter::incrementCall {})
        .await;
    let payee = fresh_address(0x51);
    let nonce = remote.pending_nonce(remote.account(1)).await;
    remote
        .send_and_wait(&sign(
            remote.signer(1),
            transfer(nonce, payee, U256::from(7)),
        ))
        .await;
    let fork_block = qty(&remote.rpc.ok("eth_blockNumber", json!([])).await);
    // The remote moves on after the fork block: the fork must not see it.
    remote
        .call_and_wait(0, counter, Counter::incrementCall {})
        .await;
    let remote_url = remote.node.rpc_url();

    let fork = fork_of(&remote_url, Some(fork_block), Storage::Memory, false).await;
    assert_eq!(qty(&fork.rpc.ok("eth_chainId", json!([])).await), 270);
    assert_eq!(
        qty(&fork.rpc.ok("eth_blockNumber", json!([])).await),
        fork_block,
        "the fork's head is the fork block"
    );
    assert_eq!(counter_number(&fork, counter).await, U256::from(1));
    assert_eq!(counter_number(&remote, counter).await, U256::from(2));
    let balance = fork
        .rpc
        .ok("eth_getBalance", json!([payee, "latest"]))
        .await;
    assert_eq!(balance, json!("0x7"), "a remote account's balance");
    let code = fork.rpc.ok("eth_getCode", json!([counter, "latest"])).await;
    let remote_code = remote
        .rpc
        .ok("eth_getCode", json!([counter, "latest"]))
        .await;
    assert_eq!(code, remote_code);

    // History up to the fork block is the remote's.
    for n in [fork_block - 1, fork_block] {
        let here = fork
            .rpc
            .ok("eth_getBlockByNumber", json!([format!("{n:#x}"), false]))
            .await;
        let there = remote
            .rpc
            .ok("eth_getBlockByNumber", json!([format!("{n:#x}"), false]))
            .await;
        assert_eq!(here["hash"], there["hash"], "block {n}");
    }
    let receipt = fork
        .rpc
        .ok(
            "eth_getTransactionReceipt",
            json!([increment.transaction_hash]),
        )
        .await;
    assert_eq!(receipt["blockHash"], json!(increment.block_hash.unwrap()));
    assert_eq!(
        counter_logs(&fork, counter).await,
        1,
        "the remote's log before the fork block"
    );

    // BLOCKHASH of a block before the fork is the remote's; so is state at an older block.
    let n = fork_block - 1;
    assert!(n < 256);
    // The hash is returned after a zero byte: an eth_call without `to` runs init code, and
    // returned code starting with 0xEF is refused (EIP-3541), as 1 hash in 256 would be.
    let code = format!("0x60{n:02x}4060015260215ff3");
    let returned = fork
        .rpc
        .ok("eth_call", json!([{"data": code}, "latest"]))
        .await;
    let returned = returned.as_str().expect("hex data");
    assert!(returned.starts_with("0x00"), "{returned}");
    let hash = json!(format!("0x{}", &returned[4..]));
    let remote_hash = remote
        .rpc
        .ok("eth_getBlockByNumber", json!([format!("{n:#x}"), false]))
        .await["hash"]
        .clone();
    assert_eq!(hash, remote_hash);
    let older = fork
        .rpc
        .ok("eth_getBalance", json!([payee, format!("{n:#x}")]))
        .await;
    assert_eq!(older, json!("0x0"), "before the transfer, at the remote");

    // New blocks continue from the fork block; the dev accounts are funded.
    let fork_hash = remote
        .rpc
        .ok(
            "eth_getBlockByNumber",
            json!([format!("{fork_block:#x}"), false]),
        )
        .await["hash"]
        .clone();
    let receipt = fork
        .call_and_wait(2, counter, Counter::incrementCall {})
        .await;
    assert!(receipt.status());
    assert_eq!(receipt.block_number, Some(fork_block + 1));
    let block = fork
        .rpc
        .ok("eth_getBlockByNumber", json!(["latest", false]))
        .await;
    assert_eq!(block["parentHash"], fork_hash);
    assert_eq!(counter_number(&fork, counter).await, U256::from(2));
    assert_eq!(
        counter_logs(&fork, counter).await,
        2,
        "remote and local logs merged"
    );

    // The remote is unchanged by what happened on the fork.
    assert_eq!(counter_number(&remote, counter).await, U256::from(2));
    let remote_next = remote
        .rpc
        .ok(
            "eth_getBlockByNumber",
            json!([format!("{:#x}", fork_block + 1), false]),
        )
        .await;
    assert_ne!(remote_next["hash"], block["hash"]);

    // Hardhat's and anvil's metadata name the fork.
    let metadata = fork.rpc.ok("hardhat_metadata", json!([])).await;
    assert_eq!(
        metadata["forkedNetwork"]["forkBlockNumber"],
        json!(fork_block)
    );
    assert_eq!(metadata["forkedNetwork"]["forkBlockHash"], fork_hash);
    let info = fork.rpc.ok("anvil_nodeInfo", json!([])).await;
    assert_eq!(info["forkConfig"]["forkUrl"], json!(remote_url));

    // `anvil_reset` with `forking` re-forks, here at the block before the first increment;
    // without params it leaves fork mode, as anvil's does.
    fork.rpc
        .ok(
            "anvil_reset",
            json!([{"forking": {"jsonRpcUrl": remote_url, "blockNumber": fork_block - 2}}]),
        )
        .await;
    assert_eq!(
        qty(&fork.rpc.ok("eth_blockNumber", json!([])).await),
        fork_block - 2
    );
    assert_eq!(counter_number(&fork, counter).await, U256::ZERO);
    let metadata = fork.rpc.ok("anvil_metadata", json!([])).await;
    assert_eq!(
        metadata["forkedNetwork"]["forkBlockNumber"],
        json!(fork_block - 2)
    );
    fork.call_and_wait(2, counter, Counter::incrementCall {})
        .await;
    assert_eq!(counter_number(&fork, counter).await, U256::from(1));
    fork.rpc.ok("hardhat_reset", json!([])).await;
    assert_eq!(qty(&fork.rpc.ok("eth_blockNumber", json!([])).await), 0);
    assert_eq!(
        fork.rpc.ok("eth_getCode", json!([counter, "latest"])).await,
        json!("0x"),
        "out of fork mode, the remote's contracts are gone"
    );
    let metadata = fork.rpc.ok("anvil_metadata", json!([])).await;
    assert!(metadata["forkedNetwork"].is_null(), "{metadata}");
    let balance = fork
        .rpc
        .ok("eth_getBalance", json!([fork.account(0), "latest"]))
        .await;
    assert_eq!(
        balance,
        json!(format!("{:#x}", crate::support::dev_balance()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fork_cache_outlives_a_restart_and_the_remote() {
    let remote = TestNode::start_with(|c| c.l1 = None).await;
    let counter = remote.deploy_counter(0).await;
    remote
        .call_and_wait(0, counter, Counter::incrementCall {})
        .await;
    let url = remote.node.rpc_url();
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::Dir(dir.path().join("data"));

    let fork = fork_of(&url, None, storage.clone(), false).await;
    assert_eq!(counter_number(&fork, counter).await, U256::from(1));
    // A local write to a remote slot shadows it, zero included.
    fork.call_and_wait(3, counter, Counter::setNumberCall { n: U256::ZERO })
        .await;
    assert_eq!(counter_number(&fork, counter).await, U256::ZERO);
    fork.node.shutdown().await;

    let fork = fork_of(&url, None, storage.clone(), false).await;
    let calls = fork.node.fork().unwrap().remote_calls();
    assert_eq!(
        counter_number(&fork, counter).await,
        U256::ZERO,
        "the local write survives the restart"
    );
    let code = fork.rpc.ok("eth_getCode", json!([counter, "latest"])).await;
    assert_ne!(code, json!("0x"));
    assert_eq!(
        fork.node.fork().unwrap().remote_calls(),
        calls,
        "what was read before the restart comes from the cache"
    );

    // The remote goes away: cached reads keep working, uncached ones fail naming it.
    drop(remote);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(counter_number(&fork, counter).await, U256::ZERO);
    let err = fork
        .rpc
        .err("eth_getBalance", json!([fresh_address(0x77), "latest"]))
        .await;
    assert!(
        err.message.contains("fork") && err.message.contains(&url),
        "{err:?}"
    );
    // The node is still there.
    assert_eq!(qty(&fork.rpc.ok("eth_chainId", json!([])).await), 270);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fork_of_anvil_with_an_impersonated_remote_account() {
    let anvil = Anvil::start().unwrap();
    let key: PrivateKeySigner =
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
            .parse()
            .unwrap();
    let whale = fresh_address(0x61);
    let wallet = ProviderBuilder::new()
        .wallet(EthereumWallet::from(key))
        .connect_http(anvil.url.parse().unwrap());
    let sent = wallet
        .send_transaction(
            TransactionRequest::default()
                .with_to(whale)
                .with_value(U256::from(10).pow(U256::from(18))),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(sent.status());
    let head = anvil.provider().get_block_number().await.unwrap();

    let fork = fork_of(&anvil.url, None, Storage::Memory, false).await;
    assert_eq!(qty(&fork.rpc.ok("eth_chainId", json!([])).await), 31337);
    let remote_block: Value = anvil
        .provider()
        .raw_request(
            "eth_getBlockByNumber".into(),
            json!([format!("{head:#x}"), false]),
        )
        .await
        .unwrap();
    let local_latest = fork
        .rpc
        .ok("eth_getBlockByNumber", json!(["latest", false]))
        .await;
    assert_eq!(local_latest["hash"], remote_block["hash"]);

    // Spend the remote account's ETH on the fork by impersonating it.
    fork.rpc
        .ok("anvil_impersonateAccount", json!([whale]))
        .await;
    let to = fresh_address(0x62);
    let hash = fork
        .rpc
        .ok(
            "eth_sendTransaction",
            json!([{"from": whale, "to": to, "value": "0x5", "gas": "0x100000"}]),
        )
        .await;
    let hash = serde_json::from_value(hash).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let receipt = loop {
        if let Some(receipt) = fork.provider.get_transaction_receipt(hash).await.unwrap() {
            break receipt;
        }
        assert!(std::time::Instant::now() < deadline, "{hash} is not mined");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    assert!(receipt.status(), "{receipt:?}");
    let balance = fork.rpc.ok("eth_getBalance", json!([to, "latest"])).await;
    assert_eq!(balance, json!("0x5"));
    // anvil itself never saw it.
    assert_eq!(anvil.provider().get_balance(to).await.unwrap(), U256::ZERO);
    assert_eq!(anvil.provider().get_block_number().await.unwrap(), head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fork_with_the_l1_settles_its_new_blocks() {
    let remote = TestNode::start_with(|c| c.l1 = None).await;
    let counter = remote.deploy_counter(0).await;
    let url = remote.node.rpc_url();
    let fork = fork_of(&url, None, Storage::Memory, true).await;
    let receipt = fork
        .call_and_wait(1, counter, Counter::incrementCall {})
        .await;
    assert!(receipt.status());
    wait_finalized(&fork, receipt.block_number.unwrap()).await;
    // A re-fork resets the L1 with it, and the new chain's blocks settle from its fork block.
    remote
        .call_and_wait(0, counter, Counter::incrementCall {})
        .await;
    fork.rpc
        .ok("anvil_reset", json!([{"forking": {"jsonRpcUrl": url}}]))
        .await;
    assert_eq!(counter_number(&fork, counter).await, U256::from(1));
    let receipt = fork
        .call_and_wait(1, counter, Counter::incrementCall {})
        .await;
    assert_eq!(counter_number(&fork, counter).await, U256::from(2));
    wait_finalized(&fork, receipt.block_number.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_url_that_is_not_a_chain_is_refused_at_start() {
    let mut config = zkos_dev::Config::test();
    config.l1 = None;
    config.fork = Some(ForkConfig::new("http://127.0.0.1:9"));
    let err = zkos_dev::Node::spawn(config)
        .await
        .err()
        .expect("no chain there");
    let message = format!("{err:#}");
    assert!(
        message.contains("--fork-url http://127.0.0.1:9")
            && message.contains("not a reachable JSON-RPC chain"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fork_at_a_transaction_replays_the_txs_before_it_in_its_block() {
    let remote = TestNode::start_with(|c| {
        c.l1 = None;
        c.mining = zkos_dev::MiningMode::Manual;
    })
    .await;
    let (first, second) = (fresh_address(0x71), fresh_address(0x72));
    let a = sign(remote.signer(1), transfer(0, first, U256::from(1)));
    let b = sign(remote.signer(2), transfer(0, second, U256::from(2)));
    remote.send(&a).await;
    remote.send(&b).await;
    remote.rpc.ok("evm_mine", json!([])).await;
    let receipt = remote
        .rpc
        .ok("eth_getTransactionReceipt", json!([b.tx_hash()]))
        .await;
    let block = qty(&receipt["blockNumber"]);

    let fork = TestNode::start_with(|c| {
        let mut fork = ForkConfig::new(remote.node.rpc_url());
        fork.transaction_hash = Some(*b.tx_hash());
        c.fork = Some(fork);
        c.l1 = None;
    })
    .await;
    assert_eq!(
        qty(&fork.rpc.ok("eth_blockNumber", json!([])).await),
        block,
        "the fork block, then a block of the replayed txs"
    );
    let got = |who: Address| fork.rpc.ok("eth_getBalance", json!([who, "latest"]));
    assert_eq!(
        got(first).await,
        json!("0x1"),
        "the tx before it is replayed"
    );
    assert_eq!(got(second).await, json!("0x0"), "the tx itself is not");
    let replayed = fork
        .rpc
        .ok("eth_getTransactionReceipt", json!([a.tx_hash()]))
        .await;
    assert_eq!(qty(&replayed["blockNumber"]), block);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_l1_fork_of_anvil_carries_deposits_to_the_l2_and_settles() {
    use crate::bridge::{Request, ether, l2_receipt, request_l2_tx};
    let anvil = Anvil::start().unwrap();
    // Something on the remote L1 that the fork must see.
    let marker = fresh_address(0x81);
    anvil
        .provider()
        .raw_request::<_, Value>("anvil_setBalance".into(), json!([marker, "0x1234"]))
        .await
        .unwrap();
    anvil
        .provider()
        .raw_request::<_, Value>("evm_mine".into(), json!([]))
        .await
        .unwrap();
    let head = anvil.provider().get_block_number().await.unwrap();

    let node = TestNode::start_with(|c| {
        c.l1.as_mut().unwrap().fork = Some(ForkConfig::new(anvil.url.clone()));
    })
    .await;
    let l1 = crate::support::l1_wallet(&node, 0);
    assert_eq!(l1.get_block_number().await.unwrap(), head);
    assert_eq!(l1.get_balance(marker).await.unwrap(), U256::from(0x1234));

    let receiver = fresh_address(0x82);
    let (hash, _) = request_l2_tx(
        &node,
        1,
        Request {
            to: receiver,
            value: ether(1),
            calldata: Default::default(),
            gas_limit: 300_000,
            refund_recipient: receiver,
        },
    )
    .await;
    let receipt = l2_receipt(&node, hash).await;
    assert_eq!(receipt["status"], "0x1");
    assert!(node.provider.get_balance(receiver).await.unwrap() >= ether(1));
    wait_finalized(&node, qty(&receipt["blockNumber"])).await;
    // The remote anvil never saw any of it.
    assert_eq!(anvil.provider().get_block_number().await.unwrap(), head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_tracing_and_cheatcodes_work_on_forked_contracts() {
    let remote = TestNode::start_with(|c| c.l1 = None).await;
    let counter = remote.deploy_counter(0).await;
    remote
        .call_and_wait(0, counter, Counter::setNumberCall { n: U256::from(5) })
        .await;
    let fork = fork_of(&remote.node.rpc_url(), None, Storage::Memory, false).await;

    let id = fork.rpc.ok("evm_snapshot", json!([])).await;
    let receipt = fork
        .call_and_wait(1, counter, Counter::incrementCall {})
        .await;
    assert_eq!(counter_number(&fork, counter).await, U256::from(6));
    // A call trace of a tx into a contract only the remote deployed.
    let trace = fork
        .rpc
        .ok(
            "debug_traceTransaction",
            json!([receipt.transaction_hash, {"tracer": "callTracer"}]),
        )
        .await;
    assert_eq!(trace["to"], json!(counter.to_string().to_lowercase()));
    assert!(trace["error"].is_null(), "{trace}");
    // Cheatcodes on a remote slot, then back to the snapshot: the remote's value again.
    fork.rpc
        .ok(
            "anvil_setStorageAt",
            json!([counter, "0x0", format!("0x{:064x}", 99)]),
        )
        .await;
    assert_eq!(counter_number(&fork, counter).await, U256::from(99));
    assert_eq!(fork.rpc.ok("evm_revert", json!([id])).await, json!(true));
    assert_eq!(counter_number(&fork, counter).await, U256::from(5));
    assert_eq!(counter_number(&remote, counter).await, U256::from(5));
}
