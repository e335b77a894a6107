//! How the dashboard model reacts to keys and node events, checked on the model and in the
//! rendered text (the pixel-exact screens are the snapshot tests in `tests.rs`).

use super::*;

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
fn the_header_has_full_urls_when_the_line_holds_them() {
    let app = busy();
    let header = |width| draw(&app, width, 40).lines().next().unwrap().to_string();
    assert!(header(120).contains("L2 270 http://127.0.0.1:3050 │ L1 31337 http://127.0.0.1:8545"));
    assert!(header(100).contains("L2 270 127.0.0.1:3050 │ L1 31337 127.0.0.1:8545"));
    assert!(header(80).contains("L2 270 :3050 │ L1 31337 :8545"));
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
fn c_follows_the_next_l2_and_the_header_says_which() {
    let mut app = busy();
    assert_eq!(app.on_key(Key::Char('c')), None);
    assert_eq!(app.switch_to, None, "one L2: nothing to switch to");
    assert!(app.toast.as_ref().is_some_and(|t| t.error));

    app.info.chains = vec![
        ChainChoice {
            chain_id: Some(270),
            url: "http://127.0.0.1:3050".into(),
            gateway: false,
        },
        ChainChoice {
            chain_id: Some(271),
            url: "http://127.0.0.1:3051".into(),
            gateway: false,
        },
    ];
    let screen = draw(&app, 200, 50);
    assert!(
        screen.contains("[1/2, c] http://127.0.0.1:3050"),
        "{screen}"
    );
    let (logs, l1_blocks) = (app.logs.len(), app.l1_blocks.len());
    assert_eq!(app.on_key(Key::Char('c')), None);
    assert_eq!(app.switch_to.take(), Some(1));
    app.follow_chain(1);
    // The other chain's blocks, txs and batches go; the L1 and the log stay.
    assert!(app.blocks.is_empty() && app.txs.is_empty() && app.batches.is_empty());
    assert_eq!((app.logs.len(), app.l1_blocks.len()), (logs, l1_blocks));
    assert_eq!(app.info.l2_url, "http://127.0.0.1:3051");
    let screen = draw(&app, 200, 50);
    assert!(
        screen.contains("[2/2, c] http://127.0.0.1:3051"),
        "{screen}"
    );
    assert!(screen.contains("following L2 chain 271"), "{screen}");
    // And round again to the first.
    app.on_key(Key::Char('c'));
    assert_eq!(app.switch_to, Some(0));
}

#[test]
fn the_gateway_is_one_more_chain_to_follow_and_the_header_names_it() {
    let mut app = busy();
    app.info.chains = [(270, 3050, false), (506, 3052, true)]
        .into_iter()
        .map(|(id, port, gateway)| ChainChoice {
            chain_id: Some(id),
            url: format!("http://127.0.0.1:{port}"),
            gateway,
        })
        .collect();
    app.on_key(Key::Char('c'));
    assert_eq!(app.switch_to.take(), Some(1));
    app.follow_chain(1);
    let screen = draw(&app, 200, 50);
    assert!(screen.contains("Gateway "), "{screen}");
    assert!(
        screen.contains("[2/2, c] http://127.0.0.1:3052"),
        "{screen}"
    );
    assert!(
        screen.contains("following the Gateway (chain 506)"),
        "{screen}"
    );
}
