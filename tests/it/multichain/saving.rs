//! Saving several L2s together: `evm_snapshot` / `evm_revert` / `anvil_reset` on any chain,
//! dumps and named snapshots, the data dir (restart, and the offline `snapshot` / `reset` of a
//! stopped one), and the same without an L1.

use alloy::primitives::Address;
use serde_json::{Value, json};
use zkos_dev::{Config, Node, config::MoreChain};

use super::{deposit, receipt_on, rpcs, transfer_on, two_chains};
use crate::{bridge::ether, support::TestNode};

#[tokio::test]
async fn a_snapshot_taken_on_one_chain_reverts_every_chain() {
    let node = two_chains(|_| {}).await;
    let chains = rpcs(&node);
    let id = chains[1].1.ok("evm_snapshot", json!([])).await;
    let mut heads = vec![];
    for (l2, rpc) in &chains {
        heads.push(rpc.ok("eth_blockNumber", json!([])).await);
        transfer_on(&node, l2, rpc, Address::repeat_byte(0x44)).await;
    }
    assert_eq!(chains[0].1.ok("evm_revert", json!([id])).await, json!(true));
    for ((_, rpc), head) in chains.iter().zip(heads) {
        assert_eq!(rpc.ok("eth_blockNumber", json!([])).await, head);
    }
    // anvil_reset sends every chain back to genesis.
    for (l2, rpc) in &chains {
        transfer_on(&node, l2, rpc, Address::repeat_byte(0x45)).await;
    }
    chains[1].1.ok("anvil_reset", json!([])).await;
    for (_, rpc) in &chains {
        assert_eq!(rpc.ok("eth_blockNumber", json!([])).await, json!("0x0"));
    }
}

#[tokio::test]
async fn every_chain_comes_back_from_the_data_dir() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("devnet");
    let config = || {
        let mut config = Config::test();
        config.storage = zkos_dev::config::Storage::Dir(dir.clone());
        config.more_chains = vec![MoreChain {
            chain_id: 271,
            port: 0,
        }];
        config
    };
    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    let receiver = Address::repeat_byte(0x55);
    let deposited = deposit(&node, 271, Address::repeat_byte(0x56), ether(1)).await;
    receipt_on(&rpcs(&node)[1].1, &json!(deposited)).await;
    let mut heads = vec![];
    for (l2, rpc) in rpcs(&node) {
        transfer_on(&node, &l2, &rpc, receiver).await;
        if l2.chain_id == 271 {
            // A second block on the second chain, so the heads differ.
            transfer_on(&node, &l2, &rpc, receiver).await;
        }
        heads.push(rpc.ok("eth_blockNumber", json!([])).await);
    }
    let contracts: Vec<_> = node.node.l2s().iter().map(|l| l.l1_contracts).collect();
    // Settled, so that each chain's stop checkpoints its state tree at its head.
    for ((_, rpc), head) in rpcs(&node).iter().zip(&heads) {
        finalized(rpc, head).await;
    }
    node.node.shutdown().await;
    assert!(dir.join("chains").join("271").join("devnet.redb").is_file());

    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    let chains = rpcs(&node);
    for ((l2, rpc), head) in chains.iter().zip(&heads) {
        assert_eq!(&rpc.ok("eth_blockNumber", json!([])).await, head);
        assert_eq!(
            rpc.ok("eth_getBalance", json!([receiver, "latest"])).await,
            json!(if l2.chain_id == 271 { "0x2" } else { "0x1" })
        );
    }
    let now: Vec<_> = node.node.l2s().iter().map(|l| l.l1_contracts).collect();
    assert_eq!(now, contracts);
    // Each chain's batcher starts from its own tree checkpoint, with nothing to apply.
    for index in 0..2 {
        let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
        let resumed = loop {
            if let Some(resumed) = node.node.tree_resumed(index) {
                break resumed;
            }
            assert!(tokio::time::Instant::now() < deadline, "chain {index}");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        };
        assert!(resumed.from_batch > 0, "chain {index}: {resumed:?}");
        assert_eq!(resumed.blocks_applied, 0, "chain {index}");
    }
    let receipt = chains[1]
        .1
        .ok("eth_getTransactionReceipt", json!([deposited]))
        .await;
    assert_eq!(receipt["status"], "0x1");
    // Both chains keep producing blocks, which settle from there.
    for (l2, rpc) in &chains {
        let receipt = transfer_on(&node, l2, rpc, receiver).await;
        assert_eq!(receipt["status"], "0x1");
        finalized(rpc, &receipt["blockNumber"]).await;
    }
}

/// Waits until the chain at `rpc` has finalized block `number` (a quantity).
async fn finalized(rpc: &crate::support::RawRpc, number: &Value) {
    let number = crate::support::qty(number);
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    loop {
        let block = rpc
            .ok("eth_getBlockByNumber", json!(["finalized", false]))
            .await;
        if crate::support::qty(&block["number"]) >= number {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{number} not finalized"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Each L2's head block, the first one first.
async fn heads(node: &TestNode) -> Vec<Value> {
    let mut heads = vec![];
    for (_, rpc) in rpcs(node) {
        heads.push(rpc.ok("eth_blockNumber", json!([])).await);
    }
    heads
}

/// A tx on every L2.
async fn a_tx_on_each(node: &TestNode, to: Address) {
    for (l2, rpc) in rpcs(node) {
        transfer_on(node, &l2, &rpc, to).await;
    }
}

#[tokio::test]
async fn a_dump_and_a_named_snapshot_hold_every_chain() {
    let node = two_chains(|c| c.storage = zkos_dev::config::Storage::Ephemeral).await;
    let chains = rpcs(&node);
    a_tx_on_each(&node, Address::repeat_byte(0x61)).await;
    let before = heads(&node).await;
    let dump = chains[0].1.ok("anvil_dumpState", json!([])).await;
    a_tx_on_each(&node, Address::repeat_byte(0x62)).await;
    assert_ne!(heads(&node).await, before);
    assert_eq!(
        chains[1].1.ok("anvil_loadState", json!([dump])).await,
        json!(true)
    );
    assert_eq!(heads(&node).await, before);

    chains[1].1.ok("zkos_saveSnapshot", json!(["two"])).await;
    a_tx_on_each(&node, Address::repeat_byte(0x63)).await;
    chains[0].1.ok("zkos_loadSnapshot", json!(["two"])).await;
    assert_eq!(heads(&node).await, before);
    // Both keep going from there.
    a_tx_on_each(&node, Address::repeat_byte(0x64)).await;

    // A dump of one chain does not load into a devnet of two.
    let single = TestNode::start().await;
    let one = single.rpc.ok("anvil_dumpState", json!([])).await;
    let err = chains[0]
        .1
        .call("anvil_loadState", json!([one]))
        .await
        .unwrap_err();
    assert!(
        err.message
            .contains("L2 chains 270, this devnet runs 270, 271"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_stopped_data_dir_of_two_chains_saves_loads_and_resets_every_chain() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("devnet");
    let dir_arg = dir.to_str().unwrap();
    let config = || {
        let mut config = Config::test();
        config.storage = zkos_dev::config::Storage::Dir(dir.clone());
        config.more_chains = vec![MoreChain {
            chain_id: 271,
            port: 0,
        }];
        config
    };
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
            .args(args)
            .env_remove("ZKOS_DEV_DATA_DIR")
            .output()
            .expect("zkos-dev runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    a_tx_on_each(&node, Address::repeat_byte(0x71)).await;
    let before = heads(&node).await;
    node.node.shutdown().await;

    cli(&["snapshot", "save", "s1", "--data-dir", dir_arg]);
    cli(&["reset", "--data-dir", dir_arg]);
    assert!(!dir.join("chains").exists(), "reset takes every chain");
    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    assert_eq!(heads(&node).await, vec![json!("0x0"), json!("0x0")]);
    node.node.shutdown().await;

    cli(&["snapshot", "load", "s1", "--data-dir", dir_arg]);
    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    assert_eq!(heads(&node).await, before);
    a_tx_on_each(&node, Address::repeat_byte(0x72)).await;
    node.node.shutdown().await;
}

#[tokio::test]
async fn two_chains_without_an_l1_are_still_saved_together() {
    let node = two_chains(|c| c.l1 = None).await;
    let chains = rpcs(&node);
    assert!(chains.iter().all(|(l2, _)| l2.l1_contracts.is_none()));
    let before = heads(&node).await;
    let id = chains[0].1.ok("evm_snapshot", json!([])).await;
    let dump = chains[1].1.ok("anvil_dumpState", json!([])).await;
    a_tx_on_each(&node, Address::repeat_byte(0x81)).await;
    assert_eq!(chains[1].1.ok("evm_revert", json!([id])).await, json!(true));
    assert_eq!(heads(&node).await, before);
    a_tx_on_each(&node, Address::repeat_byte(0x82)).await;
    chains[0].1.ok("anvil_loadState", json!([dump])).await;
    assert_eq!(heads(&node).await, before);
}

/// How many fields the RLP list of a dump (`magic ‖ version ‖ RLP`) has.
fn dump_fields(dump: &Value) -> usize {
    let bytes = alloy::hex::decode(dump.as_str().unwrap()).unwrap();
    let mut body = &bytes[16..];
    let header = alloy_rlp::Header::decode(&mut body).unwrap();
    assert!(header.list);
    let mut list = &body[..header.payload_length];
    let mut fields = 0;
    while !list.is_empty() {
        let item = alloy_rlp::Header::decode(&mut list).unwrap();
        list = &list[item.payload_length..];
        fields += 1;
    }
    fields
}

#[tokio::test]
async fn a_dump_of_one_l2_has_the_fields_it_had_before_several_l2s() {
    let one = TestNode::start().await;
    let dump = one.rpc.ok("anvil_dumpState", json!([])).await;
    assert_eq!(dump_fields(&dump), 3, "L2, L1, batches: as before --chains");
    let two = two_chains(|_| {}).await;
    let dump = two.rpc.ok("anvil_dumpState", json!([])).await;
    assert_eq!(dump_fields(&dump), 4, "and the L2s after the first");
}
