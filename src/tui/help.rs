//! TUI help: the `?` overlay (the endpoints in full, which chain is which, every key) and the
//! note printed when the dashboard detaches from a node that runs on. Pure.
//! `render(&App, &mut Frame)`, `detached_note(&App) -> String`

use std::fmt::Write as _;

use ratatui::{
    Frame,
    style::{Color, Style, Stylize as _},
    text::{Line, Span},
};

use super::{
    app::App,
    detail::{centered, overlay},
    format::{fmt_eth, port},
};

/// The port Foundry and Hardhat (`localhost`) reach when given no RPC URL.
const TOOLS_DEFAULT_PORT: &str = "8545";

/// The keys of both dashboards, the node's own and an attached one.
#[rustfmt::skip]
const KEYS: [(&str, &str); 9] = [
    ("m  p", "mine a block / pause mining, or resume the mode it had"),
    ("s  r  R", "snapshot / revert to the last one taken here / reset (asks)"),
    ("/", "find a block number, a tx or block hash, an address, or the"),
    ("", "digits a table shows: 0x7099 or 0x7099…79C8"),
    ("a", "the dev accounts with their private keys"),
    ("c", "follow the next L2 (a devnet of several, --chains)"),
    ("Tab  1-7", "move between panes (a small terminal shares pane 4-7)"),
    ("↑↓ j k", "select (PgUp PgDn); Home g: follow the newest again"),
    ("Enter  Esc", "details / close, clear the selection and the filter"),
];

/// How to leave the node's own dashboard.
#[rustfmt::skip]
const LEAVE_OWNED: [(&str, &str); 3] = [
    ("d", "leave the dashboard, the node keeps running (Enter: back)"),
    ("q", "quit: asks first, y stops the node"),
    ("Ctrl-C", "stop the node and quit at once"),
];

/// How to leave an attached dashboard.
const LEAVE_ATTACHED: [(&str, &str); 1] = [(
    "q  d  Ctrl-C",
    "leave the dashboard; the node keeps running",
)];

/// The help, over the panes.
pub fn render(app: &App, frame: &mut Frame) {
    let full = frame.area();
    let area = if full.width < 100 {
        centered(full, 100, 92)
    } else {
        centered(full, 80, 80)
    };
    let title = format!(" zkos-dev v{} · help ", env!("CARGO_PKG_VERSION"));
    overlay(frame, area, title, " any key closes ", lines(app));
}

fn lines(app: &App) -> Vec<Line<'static>> {
    let dim = Style::new().fg(Color::DarkGray);
    let mut lines = vec![Line::from("Endpoints").bold()];
    for (chain, notes) in endpoints(app) {
        lines.push(Line::raw(format!(" {chain}")));
        for note in notes {
            lines.push(Line::styled(format!("     {note}"), dim));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::from("Keys").bold());
    let leave: &[(&str, &str)] = if app.info.owned {
        &LEAVE_OWNED
    } else {
        &LEAVE_ATTACHED
    };
    for (key, text) in KEYS.iter().chain(leave) {
        lines.push(Line::from(vec![
            Span::styled(format!(" {key:<12} "), Style::new().fg(Color::Cyan).bold()),
            Span::raw(*text),
        ]));
    }
    lines
}

/// Each chain's endpoints on a line, and what to know about it (in lines of 72 columns).
fn endpoints(app: &App) -> Vec<(String, Vec<&'static str>)> {
    let line = |name: &str, url: &str, ws: &Option<String>, id: Option<u64>| {
        let ws = ws.as_ref().map_or(String::new(), |ws| format!("  {ws}"));
        let id = id.map_or("?".to_string(), |id| id.to_string());
        format!("{name}  {url}{ws}  chain {id}")
    };
    let (info, status) = (&app.info, &app.status);
    let mut out = vec![(
        line("L2", &info.l2_url, &info.l2_ws_url, status.l2_chain_id),
        vec!["the rollup: give your tools this URL (--rpc-url, a network's url)"],
    )];
    if let Some(l1) = &info.l1_url {
        let notes = if port(l1) == TOOLS_DEFAULT_PORT {
            vec![
                "the settlement layer, on Foundry's and Hardhat's default port:",
                "a tool given no RPC URL talks to the L1, not to the rollup",
            ]
        } else {
            vec!["the settlement layer"]
        };
        out.push((line("L1", l1, &info.l1_ws_url, status.l1_chain_id), notes));
    }
    out
}

/// Printed on the terminal the dashboard gives back when it detaches from a node that runs on:
/// where it is, the accounts and keys (as anvil prints them, to copy), how to come back.
pub fn detached_note(app: &App) -> String {
    let mut out =
        String::from("\nzkos-dev keeps running: the dashboard is closed, the node is not.\n\n");
    for (chain, notes) in endpoints(app) {
        let _ = writeln!(out, "{chain}");
        for note in notes {
            let _ = writeln!(out, "    {note}");
        }
    }
    let accounts = app.accounts();
    if !accounts.is_empty() {
        let _ = writeln!(out, "\nAvailable Accounts\n==================");
        for (i, a) in accounts.iter().enumerate() {
            let balance =
                a.l2.map_or(String::new(), |v| format!(" ({} ETH)", fmt_eth(v, 40)));
            let rich = if a.rich { " rich account" } else { "" };
            let _ = writeln!(out, "({i}) {}{balance}{rich}", a.address);
        }
        let _ = writeln!(
            out,
            "\nPrivate Keys (public: for this devnet only)\n=================="
        );
        for (i, a) in accounts.iter().enumerate() {
            match a.key {
                Some(key) => {
                    let _ = writeln!(out, "({i}) {key}");
                }
                None => {
                    let _ = writeln!(out, "({i}) not known here");
                }
            }
        }
    }
    let _ = write!(
        out,
        "\nEnter: back to the dashboard · Ctrl-C: stop the node · `zkos-dev tui`: the dashboard \
         from another terminal"
    );
    out
}
