//! TUI view: draws the model, nothing else. Pure: the same `App` always gives the same screen.
//! `render(&App, &mut Frame)`
//!
//! Layout: a two-line header (the endpoints in full when the line holds them), the panes, a
//! one-line footer with the keys (as many as fit; `?` lists them all). An 80x24 terminal shows
//! blocks, txs, batches and one of proofs / L1 / accounts / logs (Tab or 4-7 picks it); from
//! 120x34 on every pane has its own place.

use alloy_primitives::U256;
use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    style::{Color, Modifier, Style},
    text::{Line, Span},
    widgets::{Block, Borders, Paragraph, Wrap},
};

use super::{
    app::{App, BatchRow, BridgeKind, Filter, Mode, Pane, ProofRow, ProofVerdict},
    detail::{render_confirm, render_detail, render_quit},
    feed::{BlockInfo, LogLevel, MiningState, TxInfo, TxStatus},
    format::{
        fmt_age, fmt_eth, fmt_gas, fmt_took, fmt_uptime, host_port, port, short_address, short_hash,
    },
    help, keys,
};
use crate::events::BatchStage;

/// Smallest size that gets the layout with every pane on screen.
const WIDE: (u16, u16) = (120, 34);

mod header;
mod lines;

use header::render_header;
pub use lines::tx_line;
use lines::*;

/// Draws the whole dashboard.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(6),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(app, frame, header);
    if area.width >= WIDE.0 && area.height >= WIDE.1 {
        let [top, middle, bottom] = Layout::vertical([
            Constraint::Percentage(40),
            Constraint::Percentage(30),
            Constraint::Percentage(30),
        ])
        .areas(body);
        let [blocks, txs] =
            Layout::horizontal([Constraint::Percentage(30), Constraint::Percentage(70)]).areas(top);
        let [batches, proofs, l1] = Layout::horizontal([
            Constraint::Percentage(40),
            Constraint::Percentage(27),
            Constraint::Percentage(33),
        ])
        .areas(middle);
        let [accounts, logs] =
            Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)])
                .areas(bottom);
        for (pane, rect) in [
            (Pane::Blocks, blocks),
            (Pane::Txs, txs),
            (Pane::Batches, batches),
            (Pane::Proofs, proofs),
            (Pane::L1, l1),
            (Pane::Accounts, accounts),
            (Pane::Logs, logs),
        ] {
            render_pane(app, frame, pane, rect, false);
        }
    } else {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        let [blocks, txs] =
            Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(top);
        let [batches, side] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(bottom);
        render_pane(app, frame, Pane::Blocks, blocks, false);
        render_pane(app, frame, Pane::Txs, txs, false);
        render_pane(app, frame, Pane::Batches, batches, false);
        render_pane(app, frame, app.side, side, true);
    }
    render_footer(app, frame, footer);
    match &app.mode {
        Mode::Detail(detail) => render_detail(app, frame, *detail),
        Mode::ConfirmReset => render_confirm(frame),
        Mode::ConfirmQuit => render_quit(app, frame),
        Mode::Help => help::render(app, frame),
        Mode::Accounts(first) => keys::render(app, frame, *first),
        Mode::Normal | Mode::Search(_) => {}
    }
}

fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let key = |k: &'static str| Span::styled(k, Style::new().fg(Color::Cyan).bold());
    let line = match &app.mode {
        Mode::Search(query) => Line::from(vec![
            key(" / "),
            Span::raw(query.clone()),
            Span::styled("▏", Style::new().fg(Color::Cyan)),
            Span::styled(
                "  Enter find · Esc cancel · a number, hash, address or its start",
                Style::new().fg(Color::DarkGray),
            ),
        ]),
        Mode::ConfirmReset => Line::from(vec![
            key(" y"),
            Span::raw(" reset to genesis   "),
            key("any other key"),
            Span::raw(" cancel"),
        ]),
        Mode::ConfirmQuit => Line::from(vec![
            key(" y"),
            Span::raw(" stop the node   "),
            key("d"),
            Span::raw(" detach, the node keeps running   "),
            key("any other key"),
            Span::raw(" stays"),
        ]),
        Mode::Help => Line::from(vec![key(" any key"), Span::raw(" closes the help")]),
        Mode::Accounts(_) => Line::from(vec![
            key(" ↑↓"),
            Span::raw(" scroll  "),
            key("Esc"),
            Span::raw(" close  "),
            key("q"),
            Span::raw(" quit"),
        ]),
        Mode::Detail(_) => Line::from(vec![
            key(" Esc"),
            Span::raw(" close  "),
            key("q"),
            Span::raw(" quit"),
        ]),
        Mode::Normal => normal_keys(app, area.width as usize),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The footer of the panes: every key if the line holds them, else the most useful ones (in
/// their order), short names first.
fn normal_keys(app: &App, width: usize) -> Line<'static> {
    let pause = match app.status.mining {
        Some(MiningState::Manual) => " resume",
        _ => " pause",
    };
    // (key, long name, short name, rank: lower stays longer)
    let mut items: Vec<(&str, &str, &str, u8)> = vec![
        ("?", " help", " help", 0),
        ("a", " keys", " keys", 0),
        ("m", " mine", " mine", 1),
        ("p", pause, pause, 1),
        ("s", " snapshot", " snap", 2),
        ("r", " revert", " revert", 2),
        ("R", " reset", " reset", 2),
        ("/", " search", " search", 1),
        ("Tab", " pane", " pane", 3),
        ("↑↓", " select", " select", 4),
        ("⏎", " details", " detail", 3),
    ];
    if app.info.owned {
        items.push(("d", " detach", " detach", 1));
    }
    items.push(("q", " quit", " quit", 0));
    let spans = |items: &[(&'static str, &'static str, &'static str, u8)], long: bool| {
        let gap = if long { "  " } else { " " };
        let mut spans = vec![Span::raw(" ")];
        for &(k, long_name, short_name, _) in items {
            spans.push(Span::styled(k, Style::new().fg(Color::Cyan).bold()));
            spans.push(Span::raw(if long { long_name } else { short_name }));
            spans.push(Span::raw(gap));
        }
        Line::from(spans)
    };
    let fits = |line: &Line<'_>| line.width() <= width + 1;
    let line = spans(&items, true);
    if fits(&line) {
        return line;
    }
    for rank in (0..=4).rev() {
        let line = spans(&items, false);
        if fits(&line) {
            return line;
        }
        items.retain(|item| item.3 < rank);
    }
    spans(&items, false)
}

fn pane_block(app: &App, pane: Pane, title: String, tabs: bool) -> Block<'static> {
    let focused = app.focus == pane;
    let border = if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    let title = if tabs {
        // The side slot names its siblings, so the user knows what Tab will show.
        let mut spans = vec![Span::raw(" ")];
        for (i, p) in Pane::SIDE.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled("·", Style::new().fg(Color::DarkGray)));
            }
            if *p == pane {
                spans.push(Span::styled(
                    title.clone(),
                    Style::new().bold().fg(Color::White),
                ));
            } else {
                spans.push(Span::styled(p.title(), Style::new().fg(Color::DarkGray)));
            }
        }
        spans.push(Span::raw(" "));
        Line::from(spans)
    } else {
        Line::from(Span::styled(
            format!(" {title} "),
            Style::new()
                .bold()
                .fg(if focused { Color::Cyan } else { Color::White }),
        ))
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title)
}

fn render_pane(app: &App, frame: &mut Frame, pane: Pane, area: Rect, tabs: bool) {
    let width = area.width.saturating_sub(2) as usize;
    let height = area.height.saturating_sub(2) as usize;
    let (title, lines) = pane_content(app, pane, width, height);
    // Only a lone hint wraps: wrapped rows would push list rows off screen.
    let wrap = lines.len() == 1;
    let mut widget = Paragraph::new(lines).block(pane_block(app, pane, title, tabs));
    if wrap {
        widget = widget.wrap(Wrap { trim: true });
    }
    frame.render_widget(widget, area);
}

fn pane_content(
    app: &App,
    pane: Pane,
    width: usize,
    height: usize,
) -> (String, Vec<Line<'static>>) {
    let focused = app.focus == pane;
    let selected = app.selected_index(pane);
    match pane {
        Pane::Blocks => {
            let lines = if app.blocks.is_empty() {
                vec![hint("waiting for the first block")]
            } else {
                list(
                    app.blocks.iter().map(|b| block_line(app, b)),
                    selected,
                    height,
                    focused,
                )
            };
            ("Blocks".to_string(), lines)
        }
        Pane::Txs => {
            let txs = app.visible_txs();
            let title = match (app.selected_block, app.filter) {
                (Some(n), _) => {
                    let total = app
                        .blocks
                        .iter()
                        .find(|b| b.number == n)
                        .map_or(0, |b| b.tx_count);
                    format!("Transactions of #{n} ({total})")
                }
                (None, Some(Filter::Address(a))) => {
                    format!("Transactions of {} (Esc clears)", short_address(&a))
                }
                (None, None) => format!("Transactions ({} seen)", app.total_txs),
            };
            let lines = if txs.is_empty() {
                vec![hint(if app.selected_block.is_some() {
                    "no txs in this block"
                } else {
                    "no txs yet: send one to the L2 JSON-RPC"
                })]
            } else {
                list(
                    txs.iter().map(|t| tx_line(t, width)),
                    selected,
                    height,
                    focused,
                )
            };
            (title, lines)
        }
        Pane::Batches => {
            let lines = if app.batches.is_empty() {
                vec![hint(match app.settlement {
                    Some(false) => {
                        "no settlement info: this node reports no batches (zks_L1BatchNumber unavailable)"
                    }
                    _ => "no batches yet",
                })]
            } else {
                // The rows over the legend of their step letters.
                let legend = stage_legend(width);
                let rows = height.saturating_sub(legend.len());
                let mut lines = list(
                    app.batches.iter().map(|b| batch_line(b, width)),
                    selected,
                    rows,
                    focused,
                );
                lines.resize(rows, Line::raw(""));
                lines.extend(legend);
                lines
            };
            ("Batches: blocks, txs, steps".to_string(), lines)
        }
        Pane::Proofs => {
            let lines = if app.proofs.is_empty() {
                vec![hint(match app.settlement {
                    Some(false) => "no settlement info",
                    _ => "no proofs yet",
                })]
            } else {
                app.proofs
                    .iter()
                    .skip(app.scroll[3])
                    .take(height)
                    .map(proof_line)
                    .collect()
            };
            ("Proofs".to_string(), lines)
        }
        Pane::L1 => ("L1".to_string(), l1_lines(app, height)),
        Pane::Accounts => (
            "Accounts (a: keys)".to_string(),
            account_lines(app, width, height),
        ),
        Pane::Logs => ("Logs".to_string(), log_lines(app, height)),
    }
}

/// A grey line: what an empty pane says.
pub fn hint(text: &'static str) -> Line<'static> {
    Line::styled(text, Style::new().fg(Color::DarkGray))
}

/// The rows of a list pane around the selection (`None`: the newest rows).
fn list(
    rows: impl Iterator<Item = Line<'static>>,
    selected: Option<usize>,
    height: usize,
    focused: bool,
) -> Vec<Line<'static>> {
    let offset = match selected {
        Some(i) if i >= height => i + 1 - height,
        _ => 0,
    };
    rows.enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, line)| {
            if Some(i) == selected {
                let style = if focused {
                    Style::new().add_modifier(Modifier::REVERSED)
                } else {
                    Style::new().add_modifier(Modifier::UNDERLINED)
                };
                line.style(style)
            } else {
                line
            }
        })
        .collect()
}
