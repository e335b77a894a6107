//! Interop over time. Across a restart with a data dir: a bundle sent, proven and whose root chain 271
//! imported before the node stops is executed after it starts again, with the proof from before
//! (the same proof the node gives again), and chain 271's batches, which imported the root,
//! settle after the restart. After a devnet revert (every chain back, the Gateway's blocks made
//! again) the roots of the new Gateway blocks reach the destination too. And once a bundle has
//! arrived and everything settled, no chain makes blocks any more.

use alloy::primitives::U256;
use zkos_dev::{Config, Node};

use super::{
    gateway::{finalized, split, with_gateway},
    interop::{
        balance, deploy_receiver, execute_call, execute_on, gateway_proof, items, proven,
        send_bundle,
    },
};
use crate::support::{TestNode, qty};

#[tokio::test]
async fn a_bundle_proven_before_a_restart_executes_after_it() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("devnet");
    let config = || {
        let mut config = Config::test();
        config.storage = zkos_dev::config::Storage::Dir(dir.clone());
        with_gateway(&mut config);
        config
    };
    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    let (_, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);
    let receiver = deploy_receiver(&node, b).await;
    let value = U256::from(12345u64);
    let sent = send_bundle(&node, a, b.0.chain_id, receiver, Default::default(), value).await;
    let proof = proven(&a.1, &b.1, &sent).await;
    node.node.shutdown().await;

    let node = TestNode::wrap(Node::spawn(config()).await.unwrap());
    let (_, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);
    let again = gateway_proof(&a.1, &sent.tx["transactionHash"]).await;
    assert_eq!(
        again, proof,
        "the node proves the message the same way after a restart"
    );
    let execute = execute_call(a.0.chain_id, &sent, &proof, items(&proof));
    let executed = execute_on(&node, b, &execute).await;
    assert_eq!(executed["status"], "0x1", "executeBundle: {executed}");
    assert_eq!(balance(&b.1, receiver).await, value);
    finalized(
        &b.1,
        qty(&executed["blockNumber"]),
        "chain 271 after the restart",
    )
    .await;
}

#[tokio::test]
async fn after_a_devnet_revert_new_roots_reach_the_destination_again() {
    let node = TestNode::start_with(with_gateway).await;
    let (gateway, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);
    let receiver = deploy_receiver(&node, b).await;
    let gw = crate::support::RawRpc::new(gateway.rpc_url());
    let id = gw.ok("evm_snapshot", serde_json::json!([])).await;
    let first = send_bundle(
        &node,
        a,
        b.0.chain_id,
        receiver,
        Default::default(),
        U256::from(1),
    )
    .await;
    proven(&a.1, &b.1, &first).await;
    // Every chain goes back to before the bundle; the Gateway's blocks are made again.
    assert_eq!(
        b.1.ok("evm_revert", serde_json::json!([id])).await,
        serde_json::json!(true)
    );
    let value = U256::from(7u64);
    let sent = send_bundle(&node, a, b.0.chain_id, receiver, Default::default(), value).await;
    let proof = proven(&a.1, &b.1, &sent).await;
    let execute = execute_call(a.0.chain_id, &sent, &proof, items(&proof));
    let executed = execute_on(&node, b, &execute).await;
    assert_eq!(executed["status"], "0x1", "executeBundle: {executed}");
    assert_eq!(balance(&b.1, receiver).await, value);
}

#[tokio::test]
async fn once_a_bundle_has_arrived_every_chain_goes_idle() {
    let node = TestNode::start_with(with_gateway).await;
    let (gateway, l2s) = split(&node);
    let (a, b) = (&l2s[0], &l2s[1]);
    let receiver = deploy_receiver(&node, b).await;
    let sent = send_bundle(
        &node,
        a,
        b.0.chain_id,
        receiver,
        Default::default(),
        U256::from(1),
    )
    .await;
    proven(&a.1, &b.1, &sent).await;
    let gw = crate::support::RawRpc::new(gateway.rpc_url());
    let heads = || async {
        let mut heads = vec![];
        for rpc in [&a.1, &b.1, &gw] {
            heads.push(qty(&rpc.ok("eth_blockNumber", serde_json::json!([])).await));
        }
        heads
    };
    // The roots of batches that sent nothing are not imported: importing a root makes no new
    // root to import, so the chains stop once everything settled.
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    let mut last = heads().await;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let now = heads().await;
        if now == last {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the chains never go idle: {now:?}"
        );
        last = now;
    }
}
