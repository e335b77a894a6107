//! The Gateway (`--gateway`): one more chain, on which the L2s settle (commit, prove and execute
//! on their contracts there) while it settles on the L1; deposits still come from the L1; an L2
//! block is final once the Gateway's batch holding its execution is executed on L1. It is
//! listed with the chains (`--config-out`, `l2s()`), and comes back from the data dir.

use alloy::{
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    sol_types::SolCall,
};
use serde_json::{Value, json};
use zkos_dev::{Config, L2Endpoint, Node, config::MoreChain};

use super::{deposit, l1, l1_view, receipt_on, rpcs, transfer_on};
use crate::{
    bridge::ether,
    support::{PATIENCE, RawRpc, TestNode, qty},
};

/// Chains 270 and 271 settling on the Gateway (chain 506), `tweak`ed.
pub(super) fn with_gateway(config: &mut Config) {
    config.more_chains = vec![MoreChain {
        chain_id: 271,
        port: 0,
    }];
    config.gateway = Some(MoreChain {
        chain_id: 506,
        port: 0,
    });
}

/// A view call on the chain at `url`, as a number.
pub(super) async fn view_on(url: &str, to: Address, call: Vec<u8>) -> U256 {
    let chain = ProviderBuilder::new().connect_http(url.parse().unwrap());
    let out = chain
        .call(
            alloy::rpc::types::TransactionRequest::default()
                .to(to)
                .input(call.into()),
        )
        .await
        .unwrap();
    U256::from_be_slice(&out)
}

/// Waits until the chain at `rpc` has finalized block `number`.
pub(super) async fn finalized(rpc: &RawRpc, number: u64, what: &str) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while qty(&rpc
        .ok("eth_getBlockByNumber", json!(["finalized", false]))
        .await["number"])
        < number
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: block {number} never finalized"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The batches executed on `zk_chain` on the chain at `url`.
async fn executed_on(url: &str, zk_chain: Address) -> U256 {
    view_on(
        url,
        zk_chain,
        l1::getTotalBatchesExecutedCall {}.abi_encode(),
    )
    .await
}

/// The Gateway of the devnet, and the L2s settling on it.
pub(super) fn split(node: &TestNode) -> (L2Endpoint, Vec<(L2Endpoint, RawRpc)>) {
    let mut chains = rpcs(node);
    let (gateway, _) = chains.pop().unwrap();
    assert!(gateway.gateway && chains.iter().all(|(l2, _)| !l2.gateway));
    (gateway, chains)
}

#[tokio::test]
async fn the_l2s_settle_on_the_gateway_and_the_gateway_settles_on_l1() {
    let node = TestNode::start_with(with_gateway).await;
    let (gateway, l2s) = split(&node);
    assert_eq!(gateway.chain_id, 506);
    assert_eq!(node.node.gateway().unwrap().chain_id, 506);
    let gateway_url = gateway.rpc_url();
    let gw = RawRpc::new(gateway_url.clone());
    assert_eq!(qty(&gw.ok("eth_chainId", json!([])).await), 506);
    for (l2, rpc) in &l2s {
        let receipt = transfer_on(&node, l2, rpc, Address::repeat_byte(0x61)).await;
        let block = qty(&receipt["blockNumber"]);
        finalized(rpc, block, &format!("chain {}", l2.chain_id)).await;
        // Executed on its contract on the Gateway, not on its contract on L1; final because
        // the Gateway's batch holding that execution is executed on L1.
        let there = l2.gateway_contracts.unwrap().zk_chain;
        assert!(executed_on(&gateway_url, there).await >= U256::from(1));
        let gateway_on_l1 = gateway.l1_contracts.unwrap().zk_chain;
        let executed = l1::getTotalBatchesExecutedCall {}.abi_encode();
        assert!(l1_view(&node, gateway_on_l1, executed).await >= U256::from(1));
        let on_l1 = l2.l1_contracts.unwrap().zk_chain;
        assert_eq!(
            l1_view(
                &node,
                on_l1,
                l1::getTotalBatchesExecutedCall {}.abi_encode()
            )
            .await,
            U256::ZERO,
            "chain {} settles on the Gateway",
            l2.chain_id
        );
    }
    assert_ne!(
        l2s[0].0.gateway_contracts.unwrap().zk_chain,
        l2s[1].0.gateway_contracts.unwrap().zk_chain
    );
    // The Gateway's blocks (the L2s' settlement txs) settle on its own contract on L1.
    let head = qty(&gw.ok("eth_blockNumber", json!([])).await);
    assert!(head > 0, "the settlement txs are in the Gateway's blocks");
    finalized(&gw, head, "the Gateway").await;
    let on_l1 = gateway.l1_contracts.unwrap().zk_chain;
    assert!(
        l1_view(
            &node,
            on_l1,
            l1::getTotalBatchesExecutedCall {}.abi_encode()
        )
        .await
            >= U256::from(1)
    );
}

#[tokio::test]
async fn a_deposit_from_l1_to_an_l2_on_the_gateway_runs_and_settles_there() {
    let node = TestNode::start_with(with_gateway).await;
    let (gateway, l2s) = split(&node);
    let to = Address::repeat_byte(0x62);
    let hash = deposit(&node, 271, to, ether(1)).await;
    let (l2, rpc) = &l2s[1];
    let receipt = receipt_on(rpc, &json!(hash)).await;
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(
        rpc.ok("eth_getBalance", json!([to, "latest"])).await,
        json!(format!("{:#x}", ether(1)))
    );
    // Its batch pops the request the relay queued on the Gateway: it executes there.
    finalized(rpc, qty(&receipt["blockNumber"]), "chain 271").await;
    let there = l2.gateway_contracts.unwrap().zk_chain;
    let queued = view_on(
        &gateway.rpc_url(),
        there,
        l1::getTotalPriorityTxsCall {}.abi_encode(),
    )
    .await;
    assert_eq!(queued, U256::from(1));
}

#[tokio::test]
async fn the_config_out_lists_the_gateway_and_where_each_chain_settles() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("devnet.json");
    let path = out.clone();
    let node = TestNode::start_with(move |c| {
        with_gateway(c);
        c.config_out = Some(path);
    })
    .await;
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let gateway = node.node.gateway().unwrap();
    assert_eq!(json["gateway"]["chain_id"], json!(506));
    assert_eq!(json["gateway"]["rpc_url"], json!(gateway.rpc_url()));
    let chains = json["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 3);
    for (chain, l2) in chains.iter().zip(node.node.l2s()) {
        assert_eq!(chain["chain_id"], json!(l2.chain_id));
        assert_eq!(chain["gateway"], json!(l2.gateway));
        let settles_on = if l2.gateway { "l1" } else { "gateway" };
        assert_eq!(chain["settles_on"], json!(settles_on));
        assert_eq!(
            chain["gateway_contracts"]["zkChain"],
            json!(l2.gateway_contracts.map(|c| c.zk_chain))
        );
    }
}

#[tokio::test]
async fn a_devnet_with_a_gateway_comes_back_from_the_data_dir() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("devnet");
    let config = || {
        let mut config = Config::test();
        config.storage = zkos_dev::config::Storage::Dir(dir.clone());
        with_gateway(&mut config);
        config
    };
    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    let receiver = Address::repeat_byte(0x63);
    let (_, l2s) = split(&node);
    for (l2, rpc) in &l2s {
        let receipt = transfer_on(&node, l2, rpc, receiver).await;
        finalized(rpc, qty(&receipt["blockNumber"]), "before the restart").await;
    }
    let heads: Vec<Value> = {
        let mut heads = vec![];
        for (_, rpc) in rpcs(&node) {
            heads.push(rpc.ok("eth_blockNumber", json!([])).await);
        }
        heads
    };
    let endpoints = node.node.l2s();
    node.node.shutdown().await;
    assert!(dir.join("chains").join("506").join("devnet.redb").is_file());

    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    let again = node.node.l2s();
    for ((before, now), head) in endpoints.iter().zip(&again).zip(&heads) {
        assert_eq!(before.gateway_contracts, now.gateway_contracts);
        let rpc = RawRpc::new(now.rpc_url());
        // The Gateway may have sealed a block of settlement txs while stopping: at least.
        assert!(qty(&rpc.ok("eth_blockNumber", json!([])).await) >= qty(head));
    }
    let (_, l2s) = split(&node);
    for (l2, rpc) in &l2s {
        assert_eq!(
            rpc.ok("eth_getBalance", json!([receiver, "latest"])).await,
            json!("0x1")
        );
        let receipt = transfer_on(&node, l2, rpc, receiver).await;
        finalized(rpc, qty(&receipt["blockNumber"]), "after the restart").await;
    }
}

#[test]
fn the_gateway_flags_are_checked_before_the_data_dir() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("devnet");
    let start = |more: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
            .args(["start", "--no-tui", "--silent", "--chains", "270,271"])
            .args(["--chain-ports", "0,0", "--l1-port", "0", "--no-metrics"])
            .args(more)
            .arg("--data-dir")
            .arg(&dir)
            .output()
            .expect("zkos-dev runs")
    };
    let refused = [
        (
            vec!["--gateway", "--gateway-port", &port],
            "pass another --gateway-port",
        ),
        (
            vec!["--gateway", "--gateway-chain-id", "271"],
            "is L2 chain 271's",
        ),
        (vec!["--gateway", "--no-l1"], "cannot be used with"),
    ];
    for (flags, says) in refused {
        let out = start(&flags);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{flags:?}");
        assert!(err.contains(says), "{flags:?}: {err}");
        assert!(!dir.exists(), "{flags:?}: the data dir is left untouched");
    }
}

/// Sends `anvil_zks_<step>Batch(n)` until the batch is ready for it (sealed and proven).
async fn settle_by_hand(rpc: &RawRpc, step: &str, n: u64) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let method = format!("anvil_zks_{step}Batch");
    while let Err(err) = rpc.call(&method, json!([n])).await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{method}({n}): {err:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_l2_block_is_finalized_once_the_gateway_batch_holding_its_execution_is_on_l1() {
    let node = TestNode::start_with(|c| {
        with_gateway(c);
        c.settlement.auto = false;
    })
    .await;
    let (gateway, l2s) = split(&node);
    let gw = RawRpc::new(gateway.rpc_url());
    let (l2, rpc) = &l2s[0];
    let receipt = transfer_on(&node, l2, rpc, Address::repeat_byte(0x64)).await;
    let block = qty(&receipt["blockNumber"]);
    for step in ["commit", "prove", "execute"] {
        settle_by_hand(rpc, step, 1).await;
    }
    let tag = |tag: &'static str| {
        let rpc = rpc.clone();
        async move { qty(&rpc.ok("eth_getBlockByNumber", json!([tag, false])).await["number"]) }
    };
    // Executed on the Gateway: committed there (safe), not final while the Gateway's batches
    // are not executed on L1.
    assert!(tag("safe").await >= block);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(tag("finalized").await, 0);
    // The Gateway's batches settled on L1, one by one, up to its block holding that
    // execution (its head: nothing else runs there): the L2 block becomes final.
    let head = qty(&gw.ok("eth_blockNumber", json!([])).await);
    let mut n = 1;
    while qty(&gw
        .ok("eth_getBlockByNumber", json!(["finalized", false]))
        .await["number"])
        < head
    {
        for step in ["commit", "prove", "execute"] {
            settle_by_hand(&gw, step, n).await;
        }
        n += 1;
    }
    finalized(rpc, block, "after the Gateway's batches").await;
}

#[tokio::test]
async fn a_snapshot_or_a_dump_covers_the_gateway_and_settlement_goes_on_after_a_revert() {
    let node = TestNode::start_with(with_gateway).await;
    let (gateway, l2s) = split(&node);
    let gw = RawRpc::new(gateway.rpc_url());
    let heads = |node: &TestNode| {
        let rpcs = rpcs(node);
        async move {
            let mut heads = vec![];
            for (_, rpc) in rpcs {
                heads.push(rpc.ok("eth_blockNumber", json!([])).await);
            }
            heads
        }
    };
    // Taken on the Gateway, reverted from an L2: every chain goes back, the Gateway too.
    let id = gw.ok("evm_snapshot", json!([])).await;
    let dump = l2s[0].1.ok("anvil_dumpState", json!([])).await;
    let before = heads(&node).await;
    for (l2, rpc) in &l2s {
        let receipt = transfer_on(&node, l2, rpc, Address::repeat_byte(0x65)).await;
        finalized(rpc, qty(&receipt["blockNumber"]), "before the revert").await;
    }
    assert_ne!(heads(&node).await, before);
    assert_eq!(l2s[1].1.ok("evm_revert", json!([id])).await, json!(true));
    assert_eq!(heads(&node).await, before);
    // Deposits and txs settle again from there: the senders and the relay read both sides.
    let to = Address::repeat_byte(0x66);
    let hash = deposit(&node, 270, to, ether(1)).await;
    let receipt = receipt_on(&l2s[0].1, &json!(hash)).await;
    finalized(&l2s[0].1, qty(&receipt["blockNumber"]), "after the revert").await;
    let (l2, rpc) = &l2s[1];
    let receipt = transfer_on(&node, l2, rpc, to).await;
    finalized(rpc, qty(&receipt["blockNumber"]), "after the revert").await;
    // A dump holds the Gateway: loading it brings every chain back to it.
    assert_eq!(gw.ok("anvil_loadState", json!([dump])).await, json!(true));
    assert_eq!(heads(&node).await, before);
}

#[tokio::test]
async fn with_the_re_executing_prover_the_gateway_verifier_takes_its_attestations() {
    let node = TestNode::start_with(|c| {
        with_gateway(c);
        c.settlement.prover.mode = zkos_dev::config::ProverMode::Reexec;
    })
    .await;
    let (_, l2s) = split(&node);
    for (l2, rpc) in &l2s {
        let receipt = transfer_on(&node, l2, rpc, Address::repeat_byte(0x67)).await;
        finalized(
            rpc,
            qty(&receipt["blockNumber"]),
            "re-executed and attested",
        )
        .await;
    }
}

#[tokio::test]
async fn a_stopped_data_dir_with_a_gateway_saves_loads_and_resets_it_too() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("devnet");
    let dir_arg = dir.to_str().unwrap();
    let config = || {
        let mut config = Config::test();
        config.storage = zkos_dev::config::Storage::Dir(dir.clone());
        with_gateway(&mut config);
        config
    };
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
            .args(args)
            .env_remove("ZKOS_DEV_DATA_DIR")
            .output()
            .expect("zkos-dev runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
    };
    let heads = |node: &TestNode| {
        let rpcs = rpcs(node);
        async move {
            let mut heads = vec![];
            for (_, rpc) in rpcs {
                heads.push(rpc.ok("eth_blockNumber", json!([])).await);
            }
            heads
        }
    };
    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    let (gateway, l2s) = split(&node);
    for (l2, rpc) in &l2s {
        let receipt = transfer_on(&node, l2, rpc, Address::repeat_byte(0x68)).await;
        finalized(rpc, qty(&receipt["blockNumber"]), "before saving").await;
    }
    // Everything settled: no chain makes a block of its own any more.
    let gw = RawRpc::new(gateway.rpc_url());
    finalized(
        &gw,
        qty(&gw.ok("eth_blockNumber", json!([])).await),
        "the Gateway",
    )
    .await;
    let before = heads(&node).await;
    node.node.shutdown().await;

    cli(&["snapshot", "save", "s1", "--data-dir", dir_arg]);
    cli(&["reset", "--data-dir", dir_arg]);
    assert!(!dir.join("chains").exists(), "reset takes the Gateway too");
    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    assert_eq!(heads(&node).await, vec![json!("0x0"); 3]);
    node.node.shutdown().await;

    cli(&["snapshot", "load", "s1", "--data-dir", dir_arg]);
    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    assert_eq!(heads(&node).await, before);
    let (_, l2s) = split(&node);
    for (l2, rpc) in &l2s {
        let receipt = transfer_on(&node, l2, rpc, Address::repeat_byte(0x69)).await;
        finalized(rpc, qty(&receipt["blockNumber"]), "after loading").await;
    }
    node.node.shutdown().await;
}
