//! One line per item of each pane: blocks, txs, batches (with their step legend), proofs, L1
//! settlement, accounts and logs.

use super::*;

pub(super) fn block_line(app: &App, block: &BlockInfo) -> Line<'static> {
    let age = (app.now_ms / 1000).saturating_sub(block.timestamp);
    let txs = if block.tx_count == 0 {
        Style::new().fg(Color::DarkGray)
    } else {
        Style::new()
    };
    Line::from(vec![
        Span::styled(
            format!("#{:<6}", block.number),
            Style::new().fg(Color::Cyan),
        ),
        Span::styled(format!(" {:>5}tx", block.tx_count), txs),
        Span::raw(format!(" {:>6}", fmt_gas(block.gas_used))),
        Span::styled(
            format!(" {:>4}", fmt_age(age)),
            Style::new().fg(Color::DarkGray),
        ),
    ])
}

/// One tx on one line, as much as `width` columns hold.
pub fn tx_line(tx: &TxInfo, width: usize) -> Line<'static> {
    let (glyph, style) = match &tx.status {
        TxStatus::Success => ("✓", Style::new().fg(Color::Green)),
        TxStatus::Failed { .. } => ("✗", Style::new().fg(Color::Red)),
        TxStatus::Unknown => ("·", Style::new().fg(Color::DarkGray)),
    };
    let mut spans = vec![Span::styled(glyph, style), Span::raw(" ")];
    if width >= 70 {
        spans.push(Span::styled(
            format!("#{:<6} ", tx.block),
            Style::new().fg(Color::Cyan),
        ));
    }
    spans.push(Span::raw(if width >= 130 {
        tx.hash.to_string()
    } else {
        short_hash(&tx.hash)
    }));
    spans.push(Span::raw(" "));
    spans.push(Span::styled(
        short_address(&tx.from),
        Style::new().fg(Color::Yellow),
    ));
    spans.push(Span::raw("→"));
    let to = match (tx.to, tx.created) {
        (Some(to), _) => short_address(&to),
        (None, Some(created)) => format!("new {}", short_address(&created)),
        (None, None) => "create".to_string(),
    };
    spans.push(Span::styled(
        format!("{to:<11}"),
        Style::new().fg(Color::Yellow),
    ));
    spans.push(Span::raw(format!(" {:>7}", fmt_eth(tx.value, 7))));
    if width >= 56 {
        spans.push(Span::styled(" ETH", Style::new().fg(Color::DarkGray)));
    }
    if width >= 80 {
        let gas = tx.gas_used.map_or("?".to_string(), fmt_gas);
        spans.push(Span::styled(
            format!(" {gas:>6} gas"),
            Style::new().fg(Color::DarkGray),
        ));
    }
    if tx.priority {
        spans.push(Span::styled(" deposit", Style::new().fg(Color::Magenta)));
    }
    if let TxStatus::Failed { reason } = &tx.status
        && width >= 90
    {
        let reason = reason.as_deref().unwrap_or("failed");
        spans.push(Span::styled(
            format!(" {reason}"),
            Style::new().fg(Color::Red),
        ));
    }
    Line::from(spans)
}

pub(super) fn stage_style(row: &BatchRow) -> Style {
    if row.rejected.is_some() || row.l1_error.is_some() {
        return Style::new().fg(Color::Red);
    }
    match row.stage {
        BatchStage::Executed => Style::new().fg(Color::Green),
        BatchStage::Sealed => Style::new().fg(Color::DarkGray),
        _ => Style::new().fg(Color::Yellow),
    }
}

/// What the letters of a batch row stand for, in as few lines of `width` as hold it.
pub(super) fn stage_legend(width: usize) -> Vec<Line<'static>> {
    let words = [
        "S sealed",
        "P proven",
        "C committed",
        "V verified",
        "E executed",
        "(C V E on L1)",
    ];
    let mut lines: Vec<String> = vec![];
    for word in words {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 2 + word.chars().count() <= width => {
                line.push_str("  ");
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
        .into_iter()
        .map(|l| Line::styled(l, Style::new().fg(Color::DarkGray)))
        .collect()
}

pub(super) fn batch_line(row: &BatchRow, width: usize) -> Line<'static> {
    let blocks = format!("{}-{}", row.blocks.start(), row.blocks.end());
    let mut spans = vec![
        Span::styled(format!("#{:<4}", row.number), Style::new().fg(Color::Cyan)),
        Span::raw(format!(" {blocks:<9}")),
        Span::raw(format!("{:>5}tx ", row.tx_count)),
    ];
    // The lifecycle at a glance: S P C V E, one letter per step reached.
    for ((_, step), letter) in row.steps().into_iter().zip(['S', 'P', 'C', 'V', 'E']) {
        let reached = step.is_some();
        let rejected = letter == 'P' && row.rejected.is_some();
        spans.push(if rejected {
            Span::styled("✗", Style::new().fg(Color::Red))
        } else if reached {
            Span::styled(letter.to_string(), Style::new().fg(Color::Green).bold())
        } else {
            Span::styled("·", Style::new().fg(Color::DarkGray))
        });
    }
    let label = if row.rejected.is_some() {
        "rejected"
    } else if row.l1_error.is_some() {
        "l1-error"
    } else {
        row.stage.name()
    };
    spans.push(Span::styled(format!(" {label}"), stage_style(row)));
    if width >= 60 {
        let mut steps = Vec::new();
        for (name, step) in row.steps() {
            if let Some(step) = step {
                steps.push(format!(
                    "{} {}",
                    &name[..1].to_uppercase(),
                    fmt_took(step.took)
                ));
            }
        }
        spans.push(Span::styled(
            format!("  {}", steps.join(" ")),
            Style::new().fg(Color::DarkGray),
        ));
    }
    if width >= 100
        && let Some(tx) = [&row.executed, &row.verified, &row.committed]
            .into_iter()
            .flatten()
            .find_map(|s| s.l1_tx)
    {
        spans.push(Span::styled(
            format!("  L1 {}", short_hash(&tx)),
            Style::new().fg(Color::DarkGray),
        ));
    }
    Line::from(spans)
}

pub(super) fn proof_line(proof: &ProofRow) -> Line<'static> {
    let (verdict, style) = match &proof.verdict {
        ProofVerdict::Proven => ("✓ proven".to_string(), Style::new().fg(Color::Yellow)),
        ProofVerdict::VerifiedOnL1 => (
            "✓ verified on L1".to_string(),
            Style::new().fg(Color::Green),
        ),
        ProofVerdict::Rejected(reason) => (format!("✗ {reason}"), Style::new().fg(Color::Red)),
    };
    Line::from(vec![
        Span::styled(format!("#{:<3}", proof.batch), Style::new().fg(Color::Cyan)),
        Span::raw(format!(" {} {} ", proof.prover, fmt_took(proof.took))),
        Span::styled(verdict, style),
    ])
}

pub(super) fn l1_lines(app: &App, height: usize) -> Vec<Line<'static>> {
    if app.info.l1_url.is_none() && app.l1_blocks.is_empty() {
        return vec![hint("no L1 (--no-l1)")];
    }
    let bridge_rows = if app.bridge.is_empty() {
        1
    } else {
        app.bridge.len().min(height / 2).max(1)
    };
    let block_rows = height.saturating_sub(bridge_rows + 1);
    let skip = app.scroll[4];
    let mut lines: Vec<Line<'static>> = if app.l1_blocks.is_empty() {
        vec![hint("no L1 blocks yet")]
    } else {
        app.l1_blocks
            .iter()
            .skip(skip)
            .take(block_rows)
            .map(|b| block_line(app, b))
            .collect()
    };
    lines.truncate(block_rows);
    while lines.len() < block_rows {
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        "─ deposits · withdrawals",
        Style::new().fg(Color::DarkGray),
    ));
    if app.bridge.is_empty() {
        lines.push(hint("none yet"));
    }
    for b in app.bridge.iter().skip(skip).take(bridge_rows) {
        let (kind, color) = match b.kind {
            BridgeKind::Deposit => ("dep", Color::Magenta),
            BridgeKind::Withdrawal => ("wd ", Color::Blue),
        };
        let place = match (b.l2_block, b.batch) {
            (None, _) => "queued".to_string(),
            (Some(n), None) => format!("L2 #{n}"),
            (Some(n), Some(batch)) => format!("L2 #{n} b{batch}"),
        };
        let (state, style) = if b.finalized {
            ("final", Style::new().fg(Color::Green))
        } else {
            ("pending", Style::new().fg(Color::Yellow))
        };
        lines.push(Line::from(vec![
            Span::styled(kind, Style::new().fg(color)),
            Span::raw(format!(" {} {place} ", short_hash(&b.hash))),
            Span::styled(state, style),
        ]));
    }
    lines
}

pub(super) fn account_lines(app: &App, width: usize, height: usize) -> Vec<Line<'static>> {
    let accounts = app.accounts();
    if accounts.is_empty() {
        return vec![hint("waiting for balances")];
    }
    // `#`, address, label, then two balance columns as wide as the pane allows.
    let column = (width.saturating_sub(21) / 2).clamp(8, 14);
    let mut lines = vec![Line::styled(
        format!(
            "{:>2} {:<16} {:>column$} {:>column$}",
            "#", "account", "L2 ETH", "L1 ETH"
        ),
        Style::new().fg(Color::DarkGray),
    )];
    let fmt = |v: Option<U256>| v.map_or("–".to_string(), |v| fmt_eth(v, column));
    for (i, a) in accounts
        .iter()
        .enumerate()
        .skip(app.scroll[5])
        .take(height.saturating_sub(1))
    {
        lines.push(Line::from(vec![
            Span::styled(format!("{i:>2} "), Style::new().fg(Color::DarkGray)),
            Span::styled(short_address(&a.address), Style::new().fg(Color::Yellow)),
            Span::styled(
                if a.rich { " rich" } else { "     " },
                Style::new().fg(Color::Magenta),
            ),
            Span::raw(format!(" {:>column$} {:>column$}", fmt(a.l2), fmt(a.l1))),
        ]));
    }
    lines
}

pub(super) fn log_lines(app: &App, height: usize) -> Vec<Line<'static>> {
    if app.logs.is_empty() {
        return vec![hint(
            "no logs yet (console.log, warnings and errors land here)",
        )];
    }
    // Newest at the bottom, as a terminal log reads.
    let mut lines: Vec<Line<'static>> = app
        .logs
        .iter()
        .skip(app.scroll[6])
        .take(height)
        .map(|l| {
            let (tag, style) = match l.level {
                LogLevel::Error => ("ERR ", Style::new().fg(Color::Red)),
                LogLevel::Warn => ("WARN", Style::new().fg(Color::Yellow)),
                LogLevel::Info => ("info", Style::new().fg(Color::DarkGray)),
                LogLevel::Console => ("log ", Style::new().fg(Color::Cyan)),
            };
            Line::from(vec![
                Span::styled(tag, style),
                Span::raw(format!(" {}", l.text)),
            ])
        })
        .collect();
    lines.reverse();
    lines
}
