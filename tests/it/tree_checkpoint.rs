//! The state tree checkpoint: with a data dir, a restart builds the batcher's tree from the
//! tree after the last executed batch and applies only the blocks after it; the batches after
//! it settle on L1 as before, a withdrawal in a batch before it still proves and finalizes,
//! a checkpoint whose block was reverted is not used, and when L1 goes back before the
//! checkpoint's batch that batch is built again and settles again.

use std::path::{Path, PathBuf};

use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
};
use serde_json::json;
use zkos_dev::{
    Config, TreeResume,
    config::{ProverMode, Storage},
    persistence::data_dir::DataDir,
};

use crate::{
    bridge::ether,
    settlement::wait_finalized,
    support::{PATIENCE, TestNode, fresh_address, l1_wallet, qty},
    withdrawals::{finalize_params, nullifier::L1Nullifier, withdraw},
};

/// A node on the data dir `dir`, with `Config::test()` adjusted by `tweak`.
async fn on_dir(dir: &Path, tweak: impl FnOnce(&mut Config)) -> TestNode {
    let dir: PathBuf = dir.to_path_buf();
    TestNode::start_with(move |c| {
        c.storage = Storage::Dir(dir);
        tweak(c);
    })
    .await
}

/// Where the batcher started once it has caught up with the chain.
async fn resumed(node: &TestNode) -> TreeResume {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(resumed) = node.node.tree_resumed(0) {
            return resumed;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the batcher never caught up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// The checkpoint a stopped data dir holds: (batch, its last block).
fn checkpoint_on(dir: &Path) -> Option<(u64, u64)> {
    let data = std::sync::Arc::new(DataDir::open_existing(dir).unwrap());
    let stored = data.batches().tree_checkpoint().unwrap()?;
    assert_eq!(stored.leaves.len() as u64, stored.record.leaf_count);
    Some((stored.record.batch, stored.record.last_block))
}

#[tokio::test]
async fn a_restart_applies_only_the_blocks_after_the_tree_checkpoint_and_settles_from_there() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");

    // A withdrawal and some history, all executed on L1; a clean stop checkpoints the tree
    // after the last batch.
    let node = on_dir(&dir, |_| {}).await;
    assert_eq!(
        resumed(&node).await.from_batch,
        0,
        "a new data dir: genesis"
    );
    node.rpc.ok("anvil_mine", json!([40])).await;
    let receiver = Address::repeat_byte(0x77);
    let amount = ether(3);
    let withdrawal = withdraw(&node, 6, receiver, amount).await;
    node.rpc.ok("anvil_mine", json!([20])).await;
    node.transfer_and_wait(0, fresh_address(1)).await;
    let head = node.block_number().await;
    wait_finalized(&node, head).await;
    node.node.shutdown().await;
    let (batch, last_block) = checkpoint_on(&dir).expect("a checkpoint");
    assert_eq!(last_block, head, "the last executed batch ends at the head");
    assert!(batch >= 2, "{batch}");

    // From the checkpoint: nothing to apply. More blocks, sealed but not settled (manual
    // settlement), so the checkpoint stays where it is.
    let node = on_dir(&dir, |c| c.settlement.auto = false).await;
    assert_eq!(
        resumed(&node).await,
        TreeResume {
            from_batch: batch,
            blocks_applied: 0
        }
    );
    node.rpc.ok("anvil_mine", json!([25])).await;
    node.transfer_and_wait(1, fresh_address(2)).await;
    let tail_head = node.block_number().await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while qty(&node.rpc.ok("zks_L1BatchNumber", json!([])).await) <= batch {
        assert!(tokio::time::Instant::now() < deadline, "no batch sealed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    node.node.shutdown().await;
    assert_eq!(checkpoint_on(&dir), Some((batch, last_block)));

    // Only the blocks after the checkpoint are applied; the batches after it are built again,
    // re-executed by the prover against the checkpoint's tree, and L1 takes them.
    let node = on_dir(&dir, |c| c.settlement.prover.mode = ProverMode::Reexec).await;
    assert_eq!(
        resumed(&node).await,
        TreeResume {
            from_batch: batch,
            blocks_applied: tail_head - head
        }
    );
    let after = node.transfer_and_wait(2, fresh_address(3)).await;
    wait_finalized(&node, after.block_number.unwrap()).await;

    // The withdrawal's batch is not built again: its log proof comes from its blocks, and L1
    // pays it.
    let hash = &withdrawal["transactionHash"];
    let proof = node.rpc.ok("zks_getL2ToL1LogProof", json!([hash, 0])).await;
    let proven_batch = proof["batchNumber"].as_u64().unwrap();
    assert!(proven_batch <= batch, "{proof}");
    let local_root = node
        .rpc
        .ok("unstable_getLocalRoot", json!([proven_batch]))
        .await;
    assert!(local_root.is_string(), "{local_root}");
    let persisted = node
        .rpc
        .ok(
            "unstable_getBatchByBlockNumber",
            json!([withdrawal["blockNumber"]]),
        )
        .await;
    assert_eq!(persisted["batch_info"]["batch_number"], json!(proven_batch));
    assert_eq!(
        persisted["batch_info"]["l2_to_l1_logs_root_hash"], proof["root"],
        "{persisted}"
    );
    let tx_number = qty(&withdrawal["l1BatchTxIndex"]) as u16;
    let params = finalize_params(&proof, receiver, amount, tx_number);
    let l1 = l1_wallet(&node, 7);
    let contracts = node.node.l1_contracts().unwrap();
    let nullifier = L1Nullifier::new(contracts.l1_nullifier, &l1);
    let finalized = nullifier
        .finalizeDeposit(params)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(finalized.status(), "finalizeDeposit reverted");
    assert_eq!(l1.get_balance(receiver).await.unwrap(), amount);
    // Its tree is not kept: the answer says so rather than proving against another.
    let err = node
        .rpc
        .err(
            "zks_getProof",
            json!([Address::ZERO, [B256::ZERO], format!("{proven_batch:#x}")]),
        )
        .await;
    assert!(err.message.contains("no longer kept"), "{err:?}");
    node.node.shutdown().await;
}

#[tokio::test]
async fn a_tree_checkpoint_whose_block_was_reverted_is_not_used() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let node = on_dir(&dir, |_| {}).await;
    let first = node.transfer_and_wait(0, fresh_address(4)).await;
    wait_finalized(&node, first.block_number.unwrap()).await;
    node.node.shutdown().await;
    let (batch, last_block) = checkpoint_on(&dir).expect("a checkpoint");

    // Past the checkpoint: a newer one is written as batches execute, then the devnet goes
    // back before its block.
    let node = on_dir(&dir, |_| {}).await;
    assert_eq!(resumed(&node).await.from_batch, batch);
    let snapshot = node.rpc.ok("evm_snapshot", json!([])).await;
    node.rpc.ok("anvil_mine", json!([30])).await;
    let later = node.transfer_and_wait(1, fresh_address(5)).await;
    wait_finalized(&node, later.block_number.unwrap()).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while node.node.tree_checkpoint(0) <= Some(batch) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no newer checkpoint"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let reverted = node.node.tree_checkpoint(0).unwrap();
    assert_eq!(
        node.rpc.ok("evm_revert", json!([snapshot])).await,
        json!(true)
    );
    assert_eq!(node.block_number().await, last_block);
    node.node.shutdown().await;
    // The data dir dropped the reverted checkpoint with the blocks; the stop may have written
    // one still on the chain.
    let (kept, kept_block) = checkpoint_on(&dir).unwrap_or((0, 0));
    assert!(
        kept < reverted && kept_block <= last_block,
        "{kept} {reverted}"
    );

    // The restart starts from a batch still on the chain, and the chain settles from there.
    let node = on_dir(&dir, |_| {}).await;
    let resumed = resumed(&node).await;
    assert!(resumed.from_batch < reverted, "{resumed:?}");
    assert_eq!(resumed.blocks_applied, last_block - kept_block);
    let again = node.transfer_and_wait(2, fresh_address(6)).await;
    wait_finalized(&node, again.block_number.unwrap()).await;
    assert_eq!(
        node.provider.get_balance(fresh_address(5)).await.unwrap(),
        U256::ZERO,
        "the reverted transfer is gone"
    );
    node.node.shutdown().await;
}

#[tokio::test]
async fn when_l1_goes_back_before_the_checkpoint_its_batch_is_built_and_executed_again() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let node = on_dir(&dir, |_| {}).await;
    let first = node.transfer_and_wait(0, fresh_address(7)).await;
    wait_finalized(&node, first.block_number.unwrap()).await;
    node.node.shutdown().await;
    let (batch, last_block) = checkpoint_on(&dir).expect("a checkpoint");

    let node = on_dir(&dir, |_| {}).await;
    assert_eq!(resumed(&node).await.from_batch, batch);
    // The L1's last block executed the checkpoint's batch: without it, that batch is no longer
    // final, and the L1 sender needs it again.
    let l1 = crate::support::RawRpc::new(node.node.l1_rpc_url().unwrap());
    l1.ok("anvil_rollback", json!([1])).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let details = node.rpc.ok("zks_getL1BatchDetails", json!([batch])).await;
        if details["executeTxHash"].is_null() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{details}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    wait_finalized(&node, last_block).await;
    let later = node.transfer_and_wait(1, fresh_address(8)).await;
    wait_finalized(&node, later.block_number.unwrap()).await;
    node.node.shutdown().await;
}
