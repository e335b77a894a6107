//! TUI detail views: the popups over the panes (a block, a tx or a batch in full; the reset
//! and quit questions). Pure, like the rest of the view.
//! `render_detail(&App, &mut Frame, Detail)`, `render_confirm(&mut Frame)`,
//! `render_quit(&App, &mut Frame)`

use alloy_primitives::B256;
use ratatui::{
    Frame,
    layout::Rect,
    style::{Color, Style, Stylize as _},
    text::{Line, Span},
    widgets::{Block, Borders, Clear, Paragraph, Wrap},
};

use super::{
    app::{App, Detail},
    feed::TxStatus,
    format::{fmt_age, fmt_eth, fmt_took},
    view::{hint, tx_line},
};

/// A rectangle of `percent_x` x `percent_y` of `area`, centred.
pub fn centered(area: Rect, percent_x: u16, percent_y: u16) -> Rect {
    let width = (area.width * percent_x / 100).max(20).min(area.width);
    let height = (area.height * percent_y / 100).max(5).min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// A framed overlay over `area`: `title` on top, the keys that close it at the bottom.
pub(super) fn overlay(
    frame: &mut Frame,
    area: Rect,
    title: String,
    bottom: &'static str,
    lines: Vec<Line<'static>>,
) {
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(title)
                .title_bottom(bottom)
                .border_style(Style::new().fg(Color::Cyan)),
        ),
        area,
    );
}

/// The reset question, over the panes.
pub fn render_confirm(frame: &mut Frame) {
    let area = centered(frame.area(), 60, 30);
    let text = vec![
        Line::from("Reset the devnet to genesis?").bold(),
        Line::raw(""),
        Line::raw(
            "Both chains and the settlement pipeline go back to genesis; every block, tx and snapshot is dropped.",
        ),
        Line::raw(""),
        Line::from(vec![
            Span::styled("y", Style::new().fg(Color::Cyan).bold()),
            Span::raw(" reset   any other key cancels"),
        ]),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Reset ")
                .border_style(Style::new().fg(Color::Red)),
        ),
        area,
    );
}

/// The quit question of the node's own dashboard: stop the node, or leave it running.
pub fn render_quit(app: &App, frame: &mut Frame) {
    let area = centered(frame.area(), 80, 60);
    let kept = match &app.info.data_dir {
        Some(dir) => format!(
            "Its chain is kept in {}: the next `zkos-dev start` there resumes it.",
            dir.display()
        ),
        None => "Its chain is in memory (--ephemeral): it is gone once the node stops.".into(),
    };
    let key = |k: &'static str| Span::styled(k, Style::new().fg(Color::Cyan).bold());
    let text = vec![
        Line::from("Stop the node and quit?").bold(),
        Line::raw(""),
        Line::raw(format!(
            "The node runs in this process: quitting stops both chains and the settlement \
             pipeline. {kept}"
        )),
        Line::raw(""),
        Line::from(vec![key("y"), Span::raw(" (or q)  stop the node and quit")]),
        Line::from(vec![
            key("d"),
            Span::raw("         close the dashboard, keep the node running"),
        ]),
        Line::from(vec![key("any other key"), Span::raw("  stay")]),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Quit ")
                .border_style(Style::new().fg(Color::Yellow)),
        ),
        area,
    );
}

/// A block, tx or batch in full, over the panes.
pub fn render_detail(app: &App, frame: &mut Frame, detail: Detail) {
    let full = frame.area();
    let area = if full.width < 100 {
        centered(full, 100, 86)
    } else {
        centered(full, 90, 80)
    };
    let (title, lines) = match detail {
        Detail::Block(n) => (format!(" Block #{n} "), block_detail(app, n)),
        Detail::Tx(hash) => (" Transaction ".to_string(), tx_detail(app, &hash)),
        Detail::Batch(n) => (format!(" Batch #{n} "), batch_detail(app, n)),
    };
    overlay(frame, area, title, " Esc close ", lines);
}

fn field(name: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<10}"), Style::new().fg(Color::DarkGray)),
        Span::raw(value),
    ])
}

fn gone() -> Vec<Line<'static>> {
    vec![hint("no longer in the dashboard's history")]
}

fn block_detail(app: &App, number: u64) -> Vec<Line<'static>> {
    let Some(b) = app.blocks.iter().find(|b| b.number == number) else {
        return gone();
    };
    let age = (app.now_ms / 1000).saturating_sub(b.timestamp);
    let mut lines = vec![
        field("hash", b.hash.to_string()),
        field(
            "timestamp",
            format!("{} ({} ago)", b.timestamp, fmt_age(age)),
        ),
        field("gas", format!("{} of {}", b.gas_used, b.gas_limit)),
        field(
            "txs",
            if b.tx_count as usize > b.txs.len() {
                format!("{} (the first {} shown)", b.tx_count, b.txs.len())
            } else {
                b.tx_count.to_string()
            },
        ),
    ];
    for tx in &b.txs {
        lines.push(tx_line(tx, 80));
    }
    lines
}

fn tx_detail(app: &App, hash: &B256) -> Vec<Line<'static>> {
    let Some(tx) = app.find_tx(hash) else {
        return gone();
    };
    let mut lines = vec![
        field("hash", tx.hash.to_string()),
        field("block", format!("#{}", tx.block)),
        field("from", tx.from.to_checksum(None)),
        field(
            "to",
            match (tx.to, tx.created) {
                (Some(to), _) => to.to_checksum(None),
                (None, Some(c)) => format!("contract creation: {}", c.to_checksum(None)),
                (None, None) => "contract creation".to_string(),
            },
        ),
        field(
            "value",
            format!("{} ETH ({} wei)", fmt_eth(tx.value, 40), tx.value),
        ),
        field(
            if tx.priority { "priority" } else { "nonce" },
            tx.nonce.to_string(),
        ),
        field(
            "gas used",
            tx.gas_used.map_or("unknown".to_string(), |g| g.to_string()),
        ),
        field(
            "status",
            match &tx.status {
                TxStatus::Success => "success".to_string(),
                TxStatus::Failed { reason: Some(r) } => format!("failed: {r}"),
                TxStatus::Failed { reason: None } => "failed".to_string(),
                TxStatus::Unknown => "unknown (receipt not fetched)".to_string(),
            },
        ),
    ];
    if tx.priority {
        lines.push(field("kind", "L1 -> L2 priority tx (deposit)".to_string()));
    }
    if !tx.console.is_empty() {
        lines.push(field("console", String::new()));
        for l in &tx.console {
            lines.push(Line::raw(format!("  {l}")));
        }
    }
    lines
}

fn batch_detail(app: &App, number: u64) -> Vec<Line<'static>> {
    let Some(b) = app.batches.iter().find(|b| b.number == number) else {
        return gone();
    };
    let mut lines = vec![
        field(
            "blocks",
            format!(
                "#{} - #{} ({} blocks)",
                b.blocks.start(),
                b.blocks.end(),
                b.blocks.end().saturating_sub(*b.blocks.start()) + 1
            ),
        ),
        field("txs", b.tx_count.to_string()),
        field("stage", b.stage.name().to_string()),
    ];
    for (name, step) in b.steps() {
        let value = match step {
            None => "–".to_string(),
            Some(step) => {
                let mut v = format!("took {}", fmt_took(step.took));
                if name == "proven"
                    && let Some(p) = &b.prover
                {
                    v.push_str(&format!(", by {p}"));
                }
                v
            }
        };
        lines.push(field(name, value));
        // On a line of its own: a full hash does not fit after the timing in 80 columns.
        if let Some(tx) = step.and_then(|s| s.l1_tx) {
            lines.push(field("  L1 tx", tx.to_string()).fg(Color::DarkGray));
        }
    }
    if let Some(r) = &b.rejected {
        lines.push(field("rejected", r.clone()).fg(Color::Red));
    }
    if let Some(r) = &b.l1_error {
        lines.push(field("L1 error", r.clone()).fg(Color::Red));
    }
    lines
}
