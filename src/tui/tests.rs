//! TUI tests: the model driven by synthetic events and keys, the view rendered into a
//! `TestBackend` and compared with the committed snapshots (`src/tui/snapshots/`).

use std::{sync::Arc, time::Duration};

use alloy_primitives::{Address, B256, U256, address};
use ratatui::{Terminal, backend::TestBackend};

use super::{
    app::{
        App, BridgeKind, ChainChoice, Detail, Filter, Leave, MAX_BLOCKS, MAX_TXS, Mode, NodeInfo,
        Pane, ProofVerdict,
    },
    feed::{
        Balance, BlockInfo, ChainKind, Command, Feed, Key, LogLevel, LogLine, MiningState, Outcome,
        Status, TxInfo, TxStatus,
    },
    view,
};
use crate::{
    Config,
    accounts::{DevAccount, dev_accounts},
    config::RICH_ADDRESS,
    events::{BatchEvent, BatchStage},
};

/// 2023-11-14 22:15:00 UTC: every screen is drawn at this instant.
const NOW_MS: u64 = 1_700_000_100_000;
const ALICE: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const BOB: Address = address!("0x70997970C51812dC3A010C7d01b50e0d17dc79C8");
const BASE_TOKEN: Address = address!("0x000000000000000000000000000000000000800a");

/// The default dev accounts: anvil's ten, then the rich account.
fn dev_keys() -> Vec<DevAccount> {
    dev_accounts(&Config::default().accounts).unwrap()
}

fn info() -> NodeInfo {
    NodeInfo {
        l2_url: "http://127.0.0.1:3050".into(),
        l2_ws_url: Some("ws://127.0.0.1:3050".into()),
        l1_url: Some("http://127.0.0.1:8545".into()),
        l1_ws_url: Some("ws://127.0.0.1:8545".into()),
        owned: true,
        data_dir: Some(".zkos-dev".into()),
        keys: dev_keys(),
        chains: vec![],
    }
}

/// The dashboard of `zkos-dev tui`: the node runs elsewhere.
fn attached() -> NodeInfo {
    NodeInfo {
        owned: false,
        data_dir: None,
        ..info()
    }
}

fn hash(n: u64) -> B256 {
    alloy_primitives::keccak256(n.to_be_bytes())
}

fn eth(milli: u64) -> U256 {
    U256::from(milli) * U256::from(10u64.pow(15))
}

/// Alice after sending 1 ETH for 21000 gas at 1 gwei: 9998.999979 ETH, not 9999.
fn alice_after_one_tx() -> U256 {
    eth(9_999_000) - U256::from(21_000u64 * 1_000_000_000)
}

fn tx(n: u64, block: u64) -> TxInfo {
    TxInfo {
        hash: hash(1000 + n),
        from: ALICE,
        to: Some(BOB),
        value: eth(1500),
        nonce: n,
        gas_used: Some(21_000),
        status: TxStatus::Success,
        block,
        created: None,
        priority: false,
        sends_to_l1: false,
        console: vec![],
    }
}

fn block(number: u64, txs: Vec<TxInfo>) -> Feed {
    let gas = txs.iter().filter_map(|t| t.gas_used).sum();
    Feed::Block(
        ChainKind::L2,
        Box::new(BlockInfo {
            number,
            hash: hash(number),
            timestamp: NOW_MS / 1000 - 30 + number,
            tx_count: txs.len() as u64,
            gas_used: gas,
            gas_limit: 100_000_000,
            txs,
        }),
    )
}

fn l1_block(number: u64, tx_count: u64) -> Feed {
    Feed::Block(
        ChainKind::L1,
        Box::new(BlockInfo {
            number,
            hash: hash(500 + number),
            timestamp: NOW_MS / 1000 - 20 + number,
            tx_count,
            gas_used: 150_000 * tx_count,
            gas_limit: 30_000_000,
            txs: vec![],
        }),
    )
}

fn batch(number: u64, stage: BatchStage, took_ms: u64) -> Feed {
    let first = (number - 1) * 3 + 1;
    Feed::Batch(Arc::new(BatchEvent {
        number,
        blocks: first..=first + 2,
        tx_count: 3,
        l1_tx: matches!(
            stage,
            BatchStage::Committed | BatchStage::Verified | BatchStage::Executed
        )
        .then(|| hash(9000 + number * 10 + stage_rank(&stage))),
        stage,
        took: Duration::from_millis(took_ms),
    }))
}

fn stage_rank(stage: &BatchStage) -> u64 {
    match stage {
        BatchStage::Committed => 1,
        BatchStage::Verified => 2,
        _ => 3,
    }
}

fn settle(app: &mut App, number: u64, stages: usize) {
    let all = [
        (BatchStage::Sealed, 2000),
        (
            BatchStage::Proven {
                prover: "mock".into(),
            },
            310,
        ),
        (BatchStage::Committed, 120),
        (BatchStage::Verified, 95),
        (BatchStage::Executed, 101),
    ];
    for (stage, took) in all.into_iter().take(stages) {
        app.on_feed(batch(number, stage, took));
    }
}

fn status(mining: MiningState) -> Feed {
    Feed::Status(Status {
        l2_chain_id: Some(270),
        l1_chain_id: Some(31337),
        mining: Some(mining),
        pending: 2,
        queued: 1,
        l1_head: Some(14),
        fork: None,
    })
}

/// A dashboard that has seen a bit of everything.
fn busy() -> App {
    let mut app = App::new(info(), NOW_MS - 125_000);
    app.on_tick(NOW_MS - 3_000);
    app.on_feed(status(MiningState::Instant));
    app.on_feed(Feed::Settlement(true));
    let mut created = tx(0, 1);
    created.to = None;
    created.created = Some(address!("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
    created.gas_used = Some(1_234_567);
    created.console = vec!["Deploying a Greeter with greeting: Hello".into()];
    app.on_feed(block(1, vec![created]));
    app.on_feed(Feed::L1TxQueued {
        priority_id: 0,
        hash: hash(77),
    });
    let mut deposit = tx(77, 2);
    deposit.hash = hash(77);
    deposit.priority = true;
    deposit.nonce = 0;
    app.on_feed(block(2, vec![deposit, tx(1, 2)]));
    let mut failed = tx(2, 3);
    failed.status = TxStatus::Failed {
        reason: Some("counter: failure".into()),
    };
    let mut withdrawal = tx(3, 3);
    withdrawal.to = Some(BASE_TOKEN);
    app.on_feed(block(3, vec![failed, withdrawal]));
    for n in 4..=9 {
        app.on_feed(block(n, (0..n).map(|i| tx(n * 10 + i, n)).collect()));
    }
    app.on_feed(block(10, vec![]));
    for n in 10..=14 {
        app.on_feed(l1_block(n, n % 3));
    }
    settle(&mut app, 1, 5);
    settle(&mut app, 2, 4);
    app.on_feed(batch(
        3,
        BatchStage::L1Error {
            reason: "nonce too low".into(),
        },
        0,
    ));
    settle(&mut app, 3, 3);
    app.on_feed(batch(
        4,
        BatchStage::ProofRejected {
            reason: "state root mismatch at block 11".into(),
        },
        840,
    ));
    settle(&mut app, 5, 1);
    let balances = dev_keys()
        .iter()
        .enumerate()
        .map(|(i, account)| Balance {
            address: account.address,
            l2: Some(match i {
                0 => alice_after_one_tx(),
                i => eth(10_000_000 - i as u64 * 1_234),
            }),
            l1: (i != 3).then(|| eth(10_000_000)),
        })
        .collect();
    app.on_feed(Feed::Balances(balances));
    app.on_feed(Feed::Log(LogLine {
        level: LogLevel::Warn,
        text: "zkos_dev::l1::watcher: L1 head moved back".into(),
    }));
    app.on_tick(NOW_MS);
    app
}

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::render(app, frame)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn empty_dashboard_without_settlement_80x24() {
    let mut app = App::new(info(), NOW_MS);
    app.on_feed(Feed::Settlement(false));
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn busy_dashboard_80x24_shows_each_side_pane() {
    let mut app = busy();
    for pane in Pane::SIDE {
        app.on_key(Key::Char(char::from(b'1' + pane_index(pane) as u8)));
        insta::assert_snapshot!(format!("busy_80x24_{}", pane.title()), draw(&app, 80, 24));
    }
}

fn pane_index(pane: Pane) -> usize {
    Pane::ALL.iter().position(|p| *p == pane).unwrap()
}

#[test]
fn busy_dashboard_120x40_shows_every_pane() {
    insta::assert_snapshot!(draw(&busy(), 120, 40));
}

#[test]
fn busy_dashboard_200x50_uses_the_room() {
    insta::assert_snapshot!(draw(&busy(), 200, 50));
}

#[test]
fn detail_views_80x24() {
    let mut app = busy();
    app.on_key(Key::Down);
    app.on_key(Key::Enter);
    assert_eq!(app.mode, Mode::Detail(Detail::Block(10)));
    insta::assert_snapshot!("detail_block", draw(&app, 80, 24));
    app.on_key(Key::Esc);

    app.on_key(Key::Char('/'));
    for c in "0x".chars().chain(hash(1002).to_string()[2..10].chars()) {
        app.on_key(Key::Char(c));
    }
    insta::assert_snapshot!("search_typing", draw(&app, 80, 24));
    app.on_key(Key::Enter);
    assert_eq!(app.mode, Mode::Detail(Detail::Tx(hash(1002))));
    insta::assert_snapshot!("detail_failed_tx", draw(&app, 80, 24));
    app.on_key(Key::Esc);

    app.on_key(Key::Char('3'));
    app.on_key(Key::Down);
    app.on_key(Key::Down);
    app.on_key(Key::Enter);
    assert_eq!(app.mode, Mode::Detail(Detail::Batch(4)));
    insta::assert_snapshot!("detail_rejected_batch", draw(&app, 80, 24));
    app.on_key(Key::Esc);
    app.on_key(Key::Down);
    app.on_key(Key::Down);
    app.on_key(Key::Enter);
    assert_eq!(app.mode, Mode::Detail(Detail::Batch(2)));
    insta::assert_snapshot!("detail_batch", draw(&app, 120, 40));
}

#[test]
fn reset_asks_first_80x24() {
    let mut app = busy();
    assert_eq!(app.on_key(Key::Char('R')), None);
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn block_selection_shows_its_txs() {
    let mut app = busy();
    app.on_key(Key::Down);
    app.on_key(Key::Down);
    assert_eq!(app.selected_block, Some(9));
    assert_eq!(app.visible_txs().len(), 9);
    insta::assert_snapshot!(draw(&app, 80, 24));
    app.on_key(Key::Up);
    app.on_key(Key::Up);
    assert_eq!(
        app.selected_block, None,
        "up past the top follows the newest again"
    );
}

#[test]
fn quit_asks_first_80x24() {
    let mut app = busy();
    app.on_key(Key::Char('q'));
    insta::assert_snapshot!(draw(&app, 80, 24));
    app.on_key(Key::Char('x'));
    assert_eq!(
        (app.mode.clone(), app.leave),
        (Mode::Normal, None),
        "any other key stays"
    );
    app.on_key(Key::Char('q'));
    app.on_key(Key::Char('q'));
    assert_eq!(app.leave, Some(Leave::Stop), "q twice stops");

    let mut app = busy();
    app.on_key(Key::Char('q'));
    app.on_key(Key::Char('d'));
    assert_eq!(app.leave, Some(Leave::Detach), "d in the question detaches");
    let mut app = busy();
    app.on_key(Key::Char('d'));
    assert_eq!(app.leave, Some(Leave::Detach), "d detaches at once");
}

#[test]
fn accounts_view_shows_the_keys_and_labels_the_rich_account() {
    let mut app = busy();
    app.on_key(Key::Char('a'));
    assert_eq!(app.mode, Mode::Accounts(0));
    insta::assert_snapshot!("accounts_keys_80x24", draw(&app, 80, 24));
    app.on_key(Key::End);
    assert_eq!(
        app.mode,
        Mode::Accounts(10),
        "End scrolls to the rich account"
    );
    let screen = draw(&app, 80, 24);
    assert!(screen.contains("0x36615Cf349d7F6344891B1e7CA7C72883F5dc049 rich"));
    assert!(screen.contains("0x7726827caac94a7f9e1b160f7ea819f172f7b6f9d2a97f992c38edeab82d4110"));
    app.on_key(Key::Esc);
    assert_eq!(app.mode, Mode::Normal);

    // Enter on the accounts pane opens the same view, at the account it shows first.
    app.on_key(Key::Char('6'));
    app.on_key(Key::Down);
    app.on_key(Key::Enter);
    assert_eq!(app.mode, Mode::Accounts(1));
    insta::assert_snapshot!("accounts_keys_120x40", draw(&app, 120, 40));
}

#[test]
fn help_has_the_urls_in_full_and_every_key_80x24() {
    let mut app = busy();
    app.on_key(Key::Char('?'));
    assert_eq!(app.mode, Mode::Help);
    insta::assert_snapshot!(draw(&app, 80, 24));
    app.on_key(Key::Char('x'));
    assert_eq!(app.mode, Mode::Normal, "any key closes the help");

    let mut app = App::new(attached(), NOW_MS);
    app.on_key(Key::Char('?'));
    let screen = draw(&app, 80, 24);
    assert!(screen.contains("q  d  Ctrl-C"), "{screen}");
    assert!(screen.contains("http://127.0.0.1:8545"));
}

#[test]
fn search_finds_an_account_by_the_prefix_a_table_shows() {
    let mut app = busy();
    for query in ["0x7099", "0x7099…79C8", "0x7099...79c8"] {
        app.on_key(Key::Esc);
        app.on_key(Key::Char('/'));
        for c in query.chars() {
            app.on_key(Key::Char(c));
        }
        app.on_key(Key::Enter);
        assert_eq!(app.filter, Some(Filter::Address(BOB)), "{query}");
    }
    assert_eq!(app.focus, Pane::Txs);
    assert_eq!(
        app.toast.as_ref().unwrap().text,
        "42 recent txs of 0x7099…79C8 (account 1)"
    );
    insta::assert_snapshot!(draw(&app, 80, 24));

    // The rich account has no tx yet: the filter is set all the same.
    app.on_key(Key::Esc);
    app.on_key(Key::Char('/'));
    for c in "0x3661".chars() {
        app.on_key(Key::Char(c));
    }
    app.on_key(Key::Enter);
    assert_eq!(app.filter, Some(Filter::Address(RICH_ADDRESS)));
    assert!(app.visible_txs().is_empty());
}

#[test]
fn a_resumed_chain_shows_its_head_at_once_80x24() {
    // What the in-process source sends first: the last 32 blocks of a chain at #34.
    let mut app = App::new(info(), NOW_MS);
    app.on_feed(status(MiningState::Instant));
    for n in 3..=34 {
        let txs = if n % 5 == 0 { vec![tx(n, n)] } else { vec![] };
        app.on_feed(block(n, txs));
    }
    insta::assert_snapshot!(draw(&app, 80, 24));
}

mod behaviour;
mod with_a_node;
