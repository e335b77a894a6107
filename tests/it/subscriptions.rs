//! WebSocket subscriptions on the RPC port: newHeads, logs and newPendingTransactions, as
//! alloy's pubsub (and viem's watch* over WS) use them.

use alloy::{
    primitives::{B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::Filter,
    transports::ws::WsConnect,
};
use tokio::time::timeout;

use crate::{
    contracts::Counter,
    support::{PATIENCE, TestNode, fresh_address, sign, transfer},
};

async fn ws(t: &TestNode) -> DynProvider {
    ProviderBuilder::new()
        .connect_ws(WsConnect::new(t.node.ws_url()))
        .await
        .expect("WebSocket connects on the RPC port")
        .erased()
}

#[tokio::test]
async fn plain_requests_work_over_websocket() {
    let t = TestNode::start().await;
    let ws = ws(&t).await;
    assert_eq!(ws.get_chain_id().await.unwrap(), 270);
    assert_eq!(ws.get_block_number().await.unwrap(), t.block_number().await);
}

#[tokio::test]
async fn new_heads_subscription_delivers_every_new_block() {
    let t = TestNode::start().await;
    let ws = ws(&t).await;
    let mut heads = ws.subscribe_blocks().await.unwrap();

    let r1 = t.transfer_and_wait(0, fresh_address(70)).await;
    let r2 = t.transfer_and_wait(0, fresh_address(70)).await;

    let h1 = timeout(PATIENCE, heads.recv())
        .await
        .expect("first head")
        .unwrap();
    let h2 = timeout(PATIENCE, heads.recv())
        .await
        .expect("second head")
        .unwrap();
    assert_eq!(
        (h1.number, h1.hash),
        (r1.block_number.unwrap(), r1.block_hash.unwrap())
    );
    assert_eq!(
        (h2.number, h2.hash),
        (r2.block_number.unwrap(), r2.block_hash.unwrap())
    );
    assert_eq!(h2.parent_hash, h1.hash);
    assert_eq!(h1.base_fee_per_gas, Some(1_000));
}

#[tokio::test]
async fn logs_subscription_delivers_matching_events_only() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let other = t.deploy_counter(0).await;
    let ws = ws(&t).await;
    let mut logs = ws
        .subscribe_logs(&Filter::new().address(counter))
        .await
        .unwrap();

    t.call_and_wait(1, other, Counter::setNumberCall { n: U256::from(1) })
        .await;
    let receipt = t
        .call_and_wait(1, counter, Counter::setNumberCall { n: U256::from(2) })
        .await;

    let log = timeout(PATIENCE, logs.recv())
        .await
        .expect("a log")
        .unwrap();
    assert_eq!(
        log.address(),
        counter,
        "the other contract's event is filtered out"
    );
    assert_eq!(log.transaction_hash, Some(receipt.transaction_hash));
    assert_eq!(log.block_number, receipt.block_number);
    let event = log.log_decode::<Counter::Incremented>().unwrap();
    assert_eq!(event.inner.newValue, U256::from(2));
    assert_eq!(event.inner.by, t.account(1));
}

#[tokio::test]
async fn pending_transactions_subscription_delivers_sent_tx_hashes() {
    let t = TestNode::manual().await;
    let ws = ws(&t).await;
    let mut pending = ws.subscribe_pending_transactions().await.unwrap();

    let tx = sign(t.signer(0), transfer(0, fresh_address(71), U256::from(1)));
    t.send(&tx).await;

    let hash: B256 = timeout(PATIENCE, pending.recv())
        .await
        .expect("a pending tx")
        .unwrap();
    assert_eq!(hash, *tx.tx_hash());
}
