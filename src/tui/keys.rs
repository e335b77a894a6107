//! TUI keys: the `a` overlay, every dev account with its full address, its private key and its
//! balances, the rich account labelled, as anvil's first screen has them. Pure.
//! `render(&App, &mut Frame, first_row)`

use alloy_primitives::U256;
use ratatui::{
    Frame,
    style::{Color, Style},
    text::{Line, Span},
};

use super::{
    app::{Account, App},
    detail::{centered, overlay},
    format::{fmt_eth, host_port},
    view::hint,
};

/// Width of a balance column.
const BALANCE: usize = 10;

/// The accounts from `first` on, over the panes.
pub fn render(app: &App, frame: &mut Frame, first: usize) {
    let full = frame.area();
    let area = if full.width < 100 {
        centered(full, 100, 92)
    } else {
        centered(full, 80, 86)
    };
    let accounts = app.accounts();
    let dim = Style::new().fg(Color::DarkGray);
    let mut lines = vec![
        Line::styled(
            format!(
                "Public keys, for this devnet only. The L2: --rpc-url {}",
                app.info.l2_url
            ),
            dim,
        ),
        Line::raw(""),
        Line::styled(
            format!(
                "{:<5}{:<47} {:>BALANCE$} {:>BALANCE$}",
                "#", "address / private key", "L2 ETH", "L1 ETH"
            ),
            dim,
        ),
    ];
    if accounts.is_empty() {
        lines.push(hint("waiting for the node's accounts (eth_accounts)"));
    }
    for (i, account) in accounts.iter().enumerate().skip(first) {
        lines.extend(account_lines(i, account));
    }
    let title = format!(
        " Dev accounts of {} ({}) ",
        host_port(&app.info.l2_url),
        accounts.len()
    );
    overlay(frame, area, title, " ↑↓ scroll · Esc close ", lines);
}

/// Two lines: the address, its label and balances; the key.
fn account_lines(i: usize, account: &Account) -> [Line<'static>; 2] {
    let balance = |v: Option<U256>| v.map_or("–".to_string(), |v| fmt_eth(v, BALANCE));
    let label = if account.rich { " rich" } else { "" };
    let key = match account.key {
        Some(key) => Span::raw(key.to_string()),
        None => Span::styled(
            "not known here: the node derives its accounts from a mnemonic of its own",
            Style::new().fg(Color::DarkGray),
        ),
    };
    [
        Line::from(vec![
            Span::styled(
                format!("{:<5}", format!("({i})")),
                Style::new().fg(Color::DarkGray),
            ),
            Span::styled(
                account.address.to_checksum(None),
                Style::new().fg(Color::Yellow),
            ),
            Span::styled(format!("{label:<5}"), Style::new().fg(Color::Magenta)),
            Span::raw(format!(
                " {:>BALANCE$} {:>BALANCE$}",
                balance(account.l2),
                balance(account.l1)
            )),
        ]),
        Line::from(vec![Span::raw("     "), key]),
    ]
}
