//! TUI tests: the model driven by synthetic events and keys, the view rendered into a
//! `TestBackend` and compared with the committed snapshots (`src/tui/snapshots/`).

use std::{sync::Arc, time::Duration};

use alloy_primitives::{Address, B256, U256, address};
use ratatui::{Terminal, backend::TestBackend};

use super::{
    app::{
        App, BridgeKind, Detail, Filter, Leave, MAX_BLOCKS, MAX_TXS, Mode, NodeInfo, Pane,
        ProofVerdict,
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
fn a_fork_shows_in_the_header_with_its_remote_and_block() {
    let mut app = busy();
    app.on_feed(Feed::Status(Status {
        fork: Some(("http://10.0.0.7:3050".into(), 1_234)),
        ..match status(MiningState::Instant) {
            Feed::Status(s) => s,
            _ => unreachable!(),
        }
    }));
    let wide = draw(&app, 200, 50);
    assert!(
        wide.contains("fork of http://10.0.0.7:3050 @1234"),
        "{wide}"
    );
    let narrow = draw(&app, 80, 24);
    assert!(narrow.contains("fork of :3050 @1234"), "{narrow}");
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
fn keys_send_their_commands() {
    let mut app = busy();
    assert_eq!(app.on_key(Key::Char('m')), Some(Command::Mine));
    assert_eq!(app.on_key(Key::Char('s')), Some(Command::Snapshot));
    assert_eq!(app.on_key(Key::Char('r')), None, "no snapshot yet");
    assert!(app.toast.as_ref().is_some_and(|t| t.error));
    app.on_feed(Feed::Done {
        command: Command::Snapshot,
        result: Ok(Outcome::Snapshot("0x1".into())),
    });
    assert_eq!(
        app.on_key(Key::Char('r')),
        Some(Command::Revert("0x1".into()))
    );
    app.on_feed(Feed::Done {
        command: Command::Revert("0x1".into()),
        result: Ok(Outcome::Rewound(6)),
    });
    assert!(app.snapshots.is_empty());
    assert_eq!(app.blocks.front().map(|b| b.number), Some(6));
    assert!(app.txs.iter().all(|t| t.block <= 6));

    assert_eq!(app.on_key(Key::Char('R')), None);
    assert_eq!(app.on_key(Key::Char('n')), None, "anything but y cancels");
    assert_eq!(app.mode, Mode::Normal);
    app.on_key(Key::Char('R'));
    assert_eq!(app.on_key(Key::Char('y')), Some(Command::Reset));

    assert_eq!(app.leave, None);
    assert_eq!(app.on_key(Key::Char('q')), None);
    assert_eq!(
        app.mode,
        Mode::ConfirmQuit,
        "q asks before it stops the node"
    );
    assert_eq!(app.leave, None);
    app.on_key(Key::Char('y'));
    assert_eq!(app.leave, Some(Leave::Stop));
    let mut app = busy();
    app.on_key(Key::CtrlC);
    assert_eq!(
        app.leave,
        Some(Leave::Stop),
        "Ctrl-C stops at once, as in anvil"
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
fn attached_q_and_ctrl_c_leave_the_node_running() {
    for key in [Key::Char('q'), Key::Char('d'), Key::CtrlC] {
        let mut app = App::new(attached(), NOW_MS);
        app.on_key(key);
        assert_eq!(app.leave, Some(Leave::Detach), "{key:?}");
    }
}

#[test]
fn p_pauses_and_resumes_the_mode_it_paused() {
    let mut app = App::new(info(), NOW_MS);
    assert_eq!(app.on_key(Key::Char('p')), None, "mode not known yet");
    app.on_feed(status(MiningState::Interval(2)));
    assert_eq!(
        app.on_key(Key::Char('p')),
        Some(Command::SetMining(MiningState::Manual))
    );
    app.on_feed(Feed::Done {
        command: Command::SetMining(MiningState::Manual),
        result: Ok(Outcome::Done),
    });
    assert_eq!(app.status.mining, Some(MiningState::Manual));
    assert_eq!(
        app.on_key(Key::Char('p')),
        Some(Command::SetMining(MiningState::Interval(2)))
    );

    // Started with --no-mining: p starts instant mining.
    let mut app = App::new(info(), NOW_MS);
    app.on_feed(status(MiningState::Manual));
    assert_eq!(
        app.on_key(Key::Char('p')),
        Some(Command::SetMining(MiningState::Instant))
    );
}

#[test]
fn a_failed_command_is_reported() {
    let mut app = busy();
    app.on_feed(Feed::Done {
        command: Command::Mine,
        result: Err("connection refused".into()),
    });
    let toast = app.toast.clone().unwrap();
    assert!(toast.error);
    assert_eq!(toast.text, "mine: connection refused");
    assert_eq!(app.logs.front().unwrap().level, LogLevel::Error);
    app.on_tick(NOW_MS + 10_000);
    assert!(app.toast.is_none(), "toasts fade");
}

#[test]
fn tab_cycles_panes_and_the_side_slot_follows() {
    let mut app = busy();
    assert_eq!(app.focus, Pane::Blocks);
    let mut seen = vec![];
    for _ in 0..7 {
        app.on_key(Key::Tab);
        seen.push(app.focus);
    }
    assert_eq!(seen.last(), Some(&Pane::Blocks));
    assert_eq!(app.side, Pane::Logs);
    app.on_key(Key::BackTab);
    assert_eq!(app.focus, Pane::Logs);
}

#[test]
fn search_by_address_filters_txs_and_esc_clears() {
    let mut app = busy();
    app.on_key(Key::Char('/'));
    for c in BASE_TOKEN.to_string().chars() {
        app.on_key(Key::Char(c));
    }
    app.on_key(Key::Enter);
    assert_eq!(app.visible_txs().len(), 1);
    assert_eq!(app.focus, Pane::Txs);
    app.on_key(Key::Esc);
    assert_eq!(app.visible_txs().len(), app.txs.len());

    app.on_key(Key::Char('/'));
    app.on_key(Key::Char('4'));
    app.on_key(Key::Enter);
    assert_eq!(app.mode, Mode::Detail(Detail::Block(4)));
    app.on_key(Key::Esc);
    app.on_key(Key::Char('/'));
    for c in "0xdeadbeef".chars() {
        app.on_key(Key::Char(c));
    }
    app.on_key(Key::Enter);
    assert_eq!(app.mode, Mode::Normal);
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .starts_with("nothing matches")
    );
}

#[test]
fn batch_lifecycle_and_bridge_finalization() {
    let app = busy();
    let b1 = app.batches.iter().find(|b| b.number == 1).unwrap();
    assert_eq!(b1.stage, BatchStage::Executed);
    assert!(b1.executed.as_ref().unwrap().l1_tx.is_some());
    let b3 = app.batches.iter().find(|b| b.number == 3).unwrap();
    assert_eq!(b3.stage, BatchStage::Committed);
    assert_eq!(b3.l1_error, None, "a later stage clears the L1 error");
    let numbers: Vec<_> = app.batches.iter().map(|b| b.number).collect();
    assert_eq!(numbers, [5, 4, 3, 2, 1]);
    let verdicts: Vec<_> = app
        .proofs
        .iter()
        .map(|p| (p.batch, p.verdict.clone()))
        .collect();
    assert_eq!(verdicts[0].0, 4);
    assert!(matches!(verdicts[0].1, ProofVerdict::Rejected(_)));
    assert!(verdicts.contains(&(1, ProofVerdict::VerifiedOnL1)));
    assert!(verdicts.contains(&(3, ProofVerdict::Proven)));
    // Blocks 1-3 are batch 1, executed: its deposit and withdrawal are final.
    let kinds: Vec<_> = app
        .bridge
        .iter()
        .map(|b| (b.kind, b.batch, b.finalized))
        .collect();
    assert_eq!(
        kinds,
        [
            (BridgeKind::Withdrawal, Some(1), true),
            (BridgeKind::Deposit, Some(1), true),
        ]
    );
}

#[test]
fn lag_is_counted_and_old_data_is_dropped() {
    let mut app = App::new(info(), NOW_MS);
    app.on_feed(Feed::Lagged {
        chain: ChainKind::L2,
        skipped: 120,
    });
    app.on_feed(Feed::Lagged {
        chain: ChainKind::L2,
        skipped: 3,
    });
    assert_eq!(app.lagged, 123);
    for n in 1..=1000 {
        app.on_feed(block(n, vec![tx(n, n)]));
    }
    assert_eq!(app.blocks.len(), MAX_BLOCKS);
    assert_eq!(app.txs.len(), MAX_TXS);
    assert_eq!(app.total_txs, 1000);
    assert_eq!(app.tps(), 200, "1000 txs in the 5 s window");
}

#[test]
fn a_repeated_block_number_means_the_chain_was_rewound() {
    let mut app = busy();
    app.on_feed(block(5, vec![tx(999, 5)]));
    assert_eq!(app.blocks.front().unwrap().number, 5);
    assert_eq!(app.blocks.len(), 5);
    assert_eq!(app.txs.iter().filter(|t| t.block == 5).count(), 1);
    assert!(
        app.logs
            .front()
            .unwrap()
            .text
            .starts_with("the L2 went back from #10 to #4"),
        "{:?}",
        app.logs.front()
    );
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
fn attached_keys_only_for_the_addresses_the_node_lists() {
    let mut app = App::new(attached(), NOW_MS);
    assert!(
        app.accounts().is_empty(),
        "nothing before the node says its accounts"
    );
    let custom = Address::with_last_byte(0x42);
    app.on_feed(Feed::Balances(vec![
        Balance {
            address: ALICE,
            l2: Some(eth(1)),
            l1: None,
        },
        Balance {
            address: custom,
            l2: None,
            l1: None,
        },
    ]));
    let accounts = app.accounts();
    assert_eq!(accounts[0].key, Some(dev_keys()[0].private_key));
    assert_eq!(
        accounts[1].key, None,
        "a mnemonic of its own: the key is not known here"
    );
    app.on_key(Key::Char('a'));
    assert!(draw(&app, 80, 24).contains("not known here"));
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
fn the_header_has_full_urls_when_the_line_holds_them() {
    let app = busy();
    let header = |width| draw(&app, width, 40).lines().next().unwrap().to_string();
    assert!(header(120).contains("L2 270 http://127.0.0.1:3050 │ L1 31337 http://127.0.0.1:8545"));
    assert!(header(100).contains("L2 270 127.0.0.1:3050 │ L1 31337 127.0.0.1:8545"));
    assert!(header(80).contains("L2 270 :3050 │ L1 31337 :8545"));
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
fn the_txs_pane_follows_again_once_a_block_is_left() {
    let mut app = busy();
    app.on_key(Key::Down);
    app.on_key(Key::Down);
    assert_eq!(app.selected_block, Some(9));
    app.on_key(Key::Enter);
    assert_eq!(app.mode, Mode::Detail(Detail::Block(9)));
    app.on_key(Key::Esc);
    assert_eq!(
        app.selected_block, None,
        "closing the block's details leaves it"
    );
    app.on_feed(block(11, vec![tx(500, 11)]));
    assert_eq!(
        app.visible_txs()[0].hash,
        hash(1500),
        "the new tx is on top"
    );

    // Selecting a block, then moving to its txs keeps it; moving on leaves it.
    app.on_key(Key::Down);
    app.on_key(Key::Tab);
    assert_eq!(app.focus, Pane::Txs);
    assert_eq!(app.selected_block, Some(11));
    app.on_key(Key::Tab);
    assert_eq!(app.focus, Pane::Batches);
    assert_eq!(app.selected_block, None);

    // A block found by its number is left the same way.
    app.on_key(Key::Char('/'));
    app.on_key(Key::Char('4'));
    app.on_key(Key::Enter);
    assert_eq!(app.visible_txs().len(), 4);
    app.on_key(Key::Esc);
    assert_eq!(app.visible_txs().len(), app.txs.len());
}

#[test]
fn a_reset_from_outside_leaves_a_log_line() {
    let mut app = busy();
    let rewound = Feed::Rewound {
        from: 10,
        from_hash: hash(10),
        to: 0,
    };
    app.on_feed(rewound.clone());
    assert!(app.blocks.is_empty() && app.batches.is_empty() && app.proofs.is_empty());
    let text =
        "the L2 went back from #10 to #0 (genesis): reset or reverted from outside the dashboard";
    assert_eq!(app.logs.front().unwrap().text, text);
    assert_eq!(app.toast.as_ref().unwrap().text, text);
    let lines = app.logs.len();
    app.on_feed(rewound);
    assert_eq!(app.logs.len(), lines, "the same rewind is told once");

    // A reset from here is told by its reply, whatever the poll sees first.
    let mut app = busy();
    app.on_key(Key::Char('R'));
    assert_eq!(app.on_key(Key::Char('y')), Some(Command::Reset));
    app.on_feed(Feed::Rewound {
        from: 10,
        from_hash: hash(10),
        to: 0,
    });
    app.on_feed(Feed::Done {
        command: Command::Reset,
        result: Ok(Outcome::Rewound(0)),
    });
    let texts: Vec<_> = app.logs.iter().take(2).map(|l| l.text.as_str()).collect();
    assert_eq!(texts[0], "reset to genesis");
    assert!(!texts[1].contains("outside"), "{texts:?}");
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

mod with_a_node {
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
}
