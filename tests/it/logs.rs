//! Finding events: eth_getLogs by address, topics, block range and block hash, and the polling
//! filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter) dapps use.

use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use serde_json::json;

use crate::{
    contracts::{Counter, Token},
    support::{TestNode, fresh_address, hex_u64, qty, sign, transfer},
};

fn topic(address: Address) -> B256 {
    B256::left_padding_from(address.as_slice())
}

/// Counter deployed by account 0, then setNumber(7) by account 1 and setNumber(9) by account 2,
/// each in its own block. Returns (counter, block of the first, block of the second).
async fn two_counter_events(t: &TestNode) -> (Address, u64, u64) {
    let counter = t.deploy_counter(0).await;
    let first = t
        .call_and_wait(1, counter, Counter::setNumberCall { n: U256::from(7) })
        .await;
    let second = t
        .call_and_wait(2, counter, Counter::setNumberCall { n: U256::from(9) })
        .await;
    (
        counter,
        first.block_number.unwrap(),
        second.block_number.unwrap(),
    )
}

#[tokio::test]
async fn get_logs_by_address_returns_every_event_of_the_contract_in_order() {
    let t = TestNode::start().await;
    let (counter, b1, b2) = two_counter_events(&t).await;

    let logs = t
        .rpc
        .ok(
            "eth_getLogs",
            json!([{"address": counter, "fromBlock": "0x0", "toBlock": "latest"}]),
        )
        .await;
    let logs = logs.as_array().unwrap();
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert_eq!(qty(&logs[0]["blockNumber"]), b1);
    assert_eq!(qty(&logs[1]["blockNumber"]), b2);
    assert_eq!(
        logs[0]["topics"],
        json!([Counter::Incremented::SIGNATURE_HASH, topic(t.account(1))])
    );
    assert_eq!(logs[1]["data"], json!(B256::from(U256::from(9))));

    let typed = t
        .provider
        .get_logs(&Filter::new().address(counter).from_block(0))
        .await
        .unwrap();
    let decoded: Vec<(Address, U256)> = typed
        .iter()
        .map(|log| {
            let event = log.log_decode::<Counter::Incremented>().unwrap();
            (event.inner.by, event.inner.newValue)
        })
        .collect();
    assert_eq!(
        decoded,
        vec![(t.account(1), U256::from(7)), (t.account(2), U256::from(9))]
    );
    assert!(
        typed
            .iter()
            .all(|l| !l.removed && l.transaction_hash.is_some() && l.log_index.is_some())
    );
}

#[tokio::test]
async fn get_logs_filters_by_topic_range_and_block_hash() {
    let t = TestNode::start().await;
    let (counter, b1, b2) = two_counter_events(&t).await;
    let other = t.deploy_counter(3).await;
    t.call_and_wait(3, other, Counter::incrementCall {}).await;

    let by_sender = t
        .provider
        .get_logs(
            &Filter::new()
                .from_block(0)
                .event_signature(Counter::Incremented::SIGNATURE_HASH)
                .topic1(topic(t.account(2))),
        )
        .await
        .unwrap();
    assert_eq!(by_sender.len(), 1);
    assert_eq!(by_sender[0].address(), counter);
    assert_eq!(by_sender[0].block_number, Some(b2));

    let by_signature = t
        .provider
        .get_logs(
            &Filter::new()
                .from_block(0)
                .event_signature(Counter::Incremented::SIGNATURE_HASH),
        )
        .await
        .unwrap();
    assert_eq!(by_signature.len(), 3, "both counters' events");

    let either_address = t
        .provider
        .get_logs(&Filter::new().from_block(0).address(vec![counter, other]))
        .await
        .unwrap();
    assert_eq!(either_address.len(), 3);

    let only_first_block = t
        .provider
        .get_logs(&Filter::new().address(counter).from_block(b1).to_block(b1))
        .await
        .unwrap();
    assert_eq!(only_first_block.len(), 1);
    assert_eq!(only_first_block[0].block_number, Some(b1));

    let block_hash = t
        .rpc
        .ok("eth_getBlockByNumber", json!([hex_u64(b2), false]))
        .await["hash"]
        .clone();
    let by_hash = t
        .rpc
        .ok("eth_getLogs", json!([{"blockHash": block_hash}]))
        .await;
    assert_eq!(by_hash.as_array().unwrap().len(), 1);
    assert_eq!(by_hash[0]["blockHash"], block_hash);
    assert_eq!(by_hash[0]["address"], json!(counter));

    let nothing = t
        .provider
        .get_logs(&Filter::new().address(fresh_address(60)).from_block(0))
        .await
        .unwrap();
    assert!(nothing.is_empty());
}

#[tokio::test]
async fn erc20_transfer_moves_tokens_and_emits_a_transfer_log() {
    let t = TestNode::start().await;
    let token = t.deploy_token(0, U256::from(1_000_000)).await;
    let to = fresh_address(61);
    let receipt = t
        .call_and_wait(
            0,
            token,
            Token::transferCall {
                to,
                value: U256::from(250),
            },
        )
        .await;
    assert!(receipt.status());

    let bound = Token::new(token, &t.provider);
    assert_eq!(bound.balanceOf(to).call().await.unwrap(), U256::from(250));
    assert_eq!(
        bound.balanceOf(t.account(0)).call().await.unwrap(),
        U256::from(999_750)
    );
    assert_eq!(
        bound.totalSupply().call().await.unwrap(),
        U256::from(1_000_000)
    );

    let transfers = t
        .provider
        .get_logs(
            &Filter::new()
                .address(token)
                .from_block(0)
                .event_signature(Token::Transfer::SIGNATURE_HASH),
        )
        .await
        .unwrap();
    let decoded: Vec<_> = transfers
        .iter()
        .map(|l| {
            let e = l.log_decode::<Token::Transfer>().unwrap().inner.data;
            (e.from, e.to, e.value)
        })
        .collect();
    assert_eq!(
        decoded,
        vec![
            (Address::ZERO, t.account(0), U256::from(1_000_000)),
            (t.account(0), to, U256::from(250)),
        ]
    );
}

#[tokio::test]
async fn log_filter_returns_new_logs_once_and_all_logs_on_demand() {
    let t = TestNode::start().await;
    let (counter, _, _) = two_counter_events(&t).await;
    let id = t
        .rpc
        .ok(
            "eth_newFilter",
            json!([{"address": counter, "fromBlock": "0x0"}]),
        )
        .await;

    let receipt = t
        .call_and_wait(4, counter, Counter::setNumberCall { n: U256::from(11) })
        .await;

    let changes = t.rpc.ok("eth_getFilterChanges", json!([id])).await;
    let changes = changes.as_array().unwrap();
    assert!(!changes.is_empty(), "the new log is reported");
    let last = changes.last().unwrap();
    assert_eq!(last["transactionHash"], json!(receipt.transaction_hash));
    assert_eq!(last["data"], json!(B256::from(U256::from(11))));
    assert_eq!(
        t.rpc.ok("eth_getFilterChanges", json!([id])).await,
        json!([]),
        "reported only once"
    );

    let all = t.rpc.ok("eth_getFilterLogs", json!([id])).await;
    assert_eq!(
        all.as_array().unwrap().len(),
        3,
        "every matching log since block 0: {all}"
    );

    assert_eq!(
        t.rpc.ok("eth_uninstallFilter", json!([id])).await,
        json!(true)
    );
    assert_eq!(
        t.rpc.ok("eth_uninstallFilter", json!([id])).await,
        json!(false)
    );
    t.rpc.err("eth_getFilterChanges", json!([id])).await;
}

#[tokio::test]
async fn block_filter_reports_each_new_block_hash_once() {
    let t = TestNode::start().await;
    let id = t.provider.new_block_filter().await.unwrap();

    let r1 = t.transfer_and_wait(0, fresh_address(62)).await;
    let r2 = t.transfer_and_wait(0, fresh_address(62)).await;

    let hashes: Vec<B256> = t.provider.get_filter_changes(id).await.unwrap();
    assert_eq!(hashes, vec![r1.block_hash.unwrap(), r2.block_hash.unwrap()]);
    let again: Vec<B256> = t.provider.get_filter_changes(id).await.unwrap();
    assert!(again.is_empty());
    assert!(t.provider.uninstall_filter(id).await.unwrap());
}

#[tokio::test]
async fn pending_transaction_filter_reports_sent_tx_hashes() {
    let t = TestNode::manual().await;
    let id = t.rpc.ok("eth_newPendingTransactionFilter", json!([])).await;

    let tx = sign(t.signer(0), transfer(0, fresh_address(63), U256::from(1)));
    t.send(&tx).await;

    let changes = t.rpc.ok("eth_getFilterChanges", json!([id])).await;
    assert_eq!(changes, json!([tx.tx_hash()]));
    assert_eq!(
        t.rpc.ok("eth_getFilterChanges", json!([id])).await,
        json!([])
    );
    assert_eq!(
        t.rpc.ok("eth_uninstallFilter", json!([id])).await,
        json!(true)
    );
}

#[tokio::test]
async fn alloy_log_watcher_sees_events_as_they_happen() {
    let t = TestNode::start().await;
    let counter = t.deploy_counter(0).await;
    let poller = t
        .provider
        .watch_logs(&Filter::new().address(counter))
        .await
        .unwrap();
    let mut stream = poller
        .with_poll_interval(std::time::Duration::from_millis(50))
        .into_stream();

    t.call_and_wait(1, counter, Counter::setNumberCall { n: U256::from(5) })
        .await;

    let logs = tokio::time::timeout(
        crate::support::PATIENCE,
        futures::StreamExt::next(&mut stream),
    )
    .await
    .expect("a log within the timeout")
    .expect("stream open");
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].address(), counter);
    assert_eq!(
        logs[0]
            .log_decode::<Counter::Incremented>()
            .unwrap()
            .inner
            .newValue,
        U256::from(5)
    );
}
