//! The control and the sources against a real node in this process.

use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;

use super::super::{
    app::App,
    control::{Rpc, RpcControl},
    feed::{BlockInfo, ChainKind, Command, Feed, Key, MiningState, Outcome, Status},
    source,
};
use super::info;
use crate::{Config, Node};

const ALICE: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const BOB: &str = "0x70997970C51812dC3A010C7d01b50e0d17dc79C8";

async fn send_tx(rpc: &Rpc) -> alloy_primitives::B256 {
    let hash = rpc
        .call(
            "eth_sendTransaction",
            json!([{"from": ALICE, "to": BOB, "value": "0x1"}]),
        )
        .await
        .unwrap();
    hash.as_str().unwrap().parse().unwrap()
}

/// Presses `key`, sends its command like the terminal loop does, feeds the reply back.
async fn press(app: &mut App, control: &RpcControl, key: Key) -> Outcome {
    let command = app.on_key(key).expect("the key sends a command");
    let result = control.send(&command).await;
    app.on_feed(Feed::Done {
        command,
        result: result.clone(),
    });
    result.unwrap()
}

async fn mining(rpc: &Rpc) -> MiningState {
    let automine = rpc.call("anvil_getAutomine", json!([])).await.unwrap();
    let interval = rpc
        .call("anvil_getIntervalMining", json!([]))
        .await
        .unwrap();
    MiningState::from_rpc(automine == json!(true), interval.as_u64())
}

#[tokio::test]
async fn each_key_command_reaches_the_node() {
    let node = Node::spawn(Config::test()).await.unwrap();
    let rpc = Rpc::new(&node.rpc_url()).unwrap();
    let control = RpcControl { l2: rpc.clone() };
    let head = || async { rpc.call_u64("eth_blockNumber", json!([])).await.unwrap() };
    let mut app = App::new(info(), 0);
    app.on_feed(Feed::Status(Status {
        mining: Some(mining(&rpc).await),
        ..Status::default()
    }));

    assert_eq!(
        press(&mut app, &control, Key::Char('m')).await,
        Outcome::Mined(1)
    );
    assert_eq!(head().await, 1);

    press(&mut app, &control, Key::Char('p')).await;
    assert_eq!(mining(&rpc).await, MiningState::Manual, "p pauses");
    send_tx(&rpc).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(head().await, 1, "paused: the tx waits");
    assert_eq!(
        press(&mut app, &control, Key::Char('m')).await,
        Outcome::Mined(2)
    );
    press(&mut app, &control, Key::Char('p')).await;
    assert_eq!(mining(&rpc).await, MiningState::Instant, "p resumes");

    let Outcome::Snapshot(id) = press(&mut app, &control, Key::Char('s')).await else {
        panic!("s takes a snapshot");
    };
    assert_eq!(app.snapshots, [id]);
    press(&mut app, &control, Key::Char('m')).await;
    press(&mut app, &control, Key::Char('m')).await;
    assert_eq!(head().await, 4);
    assert_eq!(
        press(&mut app, &control, Key::Char('r')).await,
        Outcome::Rewound(2)
    );
    assert_eq!(head().await, 2, "r reverts to the snapshot");
    assert!(app.snapshots.is_empty());

    assert_eq!(app.on_key(Key::Char('R')), None, "R asks first");
    assert_eq!(
        press(&mut app, &control, Key::Char('y')).await,
        Outcome::Rewound(0)
    );
    assert_eq!(head().await, 0, "y resets to genesis");

    // A failure reaches the user instead of the void.
    let gone = RpcControl {
        l2: Rpc::new("http://127.0.0.1:9").unwrap(),
    };
    assert!(gone.send(&Command::Mine).await.is_err());
}

async fn next_block(feed: &mut mpsc::Receiver<Feed>) -> BlockInfo {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(20), feed.recv()).await;
        if let Ok(Some(Feed::Block(ChainKind::L2, block))) = next {
            return *block;
        }
        assert!(next.is_ok(), "no L2 block within 20 s");
    }
}

#[tokio::test]
async fn events_and_json_rpc_polling_describe_a_block_alike() {
    let node = Node::spawn(Config::test()).await.unwrap();
    let rpc = Rpc::new(&node.rpc_url()).unwrap();
    let (events_tx, mut events) = mpsc::channel(64);
    let (poll_tx, mut polled) = mpsc::channel(64);
    let _events = tokio::spawn(source::events(
        node.events(),
        ChainKind::L2,
        rpc.clone(),
        events_tx,
    ));
    let hash = send_tx(&rpc).await;
    let from_events = next_block(&mut events).await;
    let _poll = tokio::spawn(source::poll_blocks(rpc.clone(), ChainKind::L2, poll_tx));
    let from_rpc = next_block(&mut polled).await;
    assert_eq!(from_events.txs[0].hash, hash);
    assert_eq!(from_events, from_rpc);
}

#[tokio::test]
async fn a_dashboard_opened_late_shows_the_head_at_once() {
    let node = Node::spawn(Config::test()).await.unwrap();
    let rpc = Rpc::new(&node.rpc_url()).unwrap();
    for _ in 0..3 {
        rpc.call("evm_mine", json!([])).await.unwrap();
    }
    let head = rpc.call_u64("eth_blockNumber", json!([])).await.unwrap();
    assert_eq!(head, 3);
    let (tx, mut feed) = mpsc::channel(64);
    let _events = tokio::spawn(source::events(
        node.events(),
        ChainKind::L2,
        rpc.clone(),
        tx,
    ));
    let mut numbers = vec![];
    while numbers.last() != Some(&head) {
        numbers.push(next_block(&mut feed).await.number);
    }
    assert_eq!(
        numbers,
        (1..=head).collect::<Vec<_>>(),
        "no new block needed"
    );
    let hash = send_tx(&rpc).await;
    let next = next_block(&mut feed).await;
    assert_eq!(
        (next.number, next.txs[0].hash),
        (head + 1, hash),
        "then the events"
    );
}

#[tokio::test]
async fn a_reset_elsewhere_reaches_the_status_poll() {
    let node = Node::spawn(Config::test()).await.unwrap();
    let rpc = Rpc::new(&node.rpc_url()).unwrap();
    send_tx(&rpc).await;
    while rpc.call_u64("eth_blockNumber", json!([])).await.unwrap() == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (tx, mut feed) = mpsc::channel(64);
    let _poll = tokio::spawn(source::poll_status(rpc.clone(), None, tx));
    // The first poll sees #1; the reset comes after it.
    loop {
        if let Some(Feed::Status(_)) = feed.recv().await {
            break;
        }
    }
    rpc.call("anvil_reset", json!([])).await.unwrap();
    let rewound = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(Feed::Rewound { from, to, .. }) = feed.recv().await {
                return (from, to);
            }
        }
    })
    .await
    .expect("the poll tells the rewind");
    assert_eq!(rewound, (1, 0));
}

#[tokio::test]
async fn batch_stages_arrive_as_events_and_from_batch_details() {
    let node = Node::spawn(Config::test()).await.unwrap();
    let rpc = Rpc::new(&node.rpc_url()).unwrap();
    let (events_tx, mut events) = mpsc::channel(256);
    let (poll_tx, mut polled) = mpsc::channel(256);
    let _events = tokio::spawn(source::events(
        node.events(),
        ChainKind::L2,
        rpc.clone(),
        events_tx,
    ));
    let _poll = tokio::spawn(source::poll_batches(rpc.clone(), true, poll_tx));
    send_tx(&rpc).await;
    for (feed, name) in [(&mut events, "events"), (&mut polled, "batch details")] {
        let mut stages = vec![];
        let mut settlement = None;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while !stages.contains(&"executed") {
            match tokio::time::timeout_at(deadline, feed.recv()).await {
                Ok(Some(Feed::Batch(batch))) if batch.number == 1 => {
                    stages.push(batch.stage.name())
                }
                Ok(Some(Feed::Settlement(on))) => settlement = Some(on),
                Ok(Some(_)) => {}
                _ => panic!("{name}: batch 1 not executed within 60 s: {stages:?}"),
            }
        }
        assert_eq!(
            stages,
            ["sealed", "proven", "committed", "verified", "executed"],
            "{name}"
        );
        if name == "batch details" {
            assert_eq!(settlement, Some(true));
        }
    }
}
