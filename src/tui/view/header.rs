//! The dashboard's two-line header: which chains, where (the endpoints in the longest form
//! that keeps the line whole), mining, head and settlement.

use super::*;

/// How much of a URL the header shows.
#[derive(Debug, Clone, Copy)]
enum UrlForm {
    /// `http://127.0.0.1:3050`
    Full,
    /// `127.0.0.1:3050`
    HostPort,
    /// `:3050`
    Port,
}

impl UrlForm {
    fn show(self, url: &str) -> String {
        match self {
            Self::Full => url.trim_end_matches('/').to_string(),
            Self::HostPort => host_port(url).to_string(),
            Self::Port => format!(":{}", port(url)),
        }
    }
}

pub(super) fn render_header(app: &App, frame: &mut Frame, area: Rect) {
    let dim = Style::new().fg(Color::DarkGray);
    let sep = || Span::styled(" │ ", dim);
    let s = &app.status;
    // The longest form of the URLs that keeps the line whole; `?` has them in full anyway.
    let first = [UrlForm::Full, UrlForm::HostPort, UrlForm::Port]
        .into_iter()
        .map(|form| header_first_line(app, form))
        .find(|line| line.width() <= area.width as usize)
        .unwrap_or_else(|| header_first_line(app, UrlForm::Port));

    let head = app
        .blocks
        .front()
        .map_or("–".to_string(), |b| format!("#{}", b.number));
    let mut second = vec![
        Span::raw(format!(" L2 {head}")),
        sep(),
        Span::raw(format!("{} tx/s", app.tps())),
        sep(),
    ];
    if let Some(toast) = &app.toast {
        let style = if toast.error {
            Style::new().fg(Color::Red).bold()
        } else {
            Style::new().fg(Color::Green).bold()
        };
        second.push(Span::styled(toast.text.clone(), style));
    } else {
        second.push(Span::raw(format!("mempool {}+{}", s.pending, s.queued)));
        if app.info.l1_url.is_some() {
            second.push(sep());
            let l1 = s.l1_head.map_or("–".to_string(), |n| format!("#{n}"));
            second.push(Span::raw(format!("L1 {l1}")));
        }
        second.push(sep());
        let finalized = app
            .batches
            .iter()
            .find(|b| b.stage == BatchStage::Executed)
            .map(|b| b.number);
        second.push(Span::raw(match (app.batches.front(), finalized) {
            (None, _) => "batches –".to_string(),
            (Some(last), None) => format!("batch #{}", last.number),
            (Some(last), Some(f)) => format!("batch #{} (#{f} final)", last.number),
        }));
        if app.lagged > 0 {
            second.push(sep());
            second.push(Span::styled(
                format!("lag {}", app.lagged),
                Style::new().fg(Color::Yellow),
            ));
        }
        second.push(sep());
        second.push(Span::raw(format!(
            "up {}",
            fmt_uptime(app.now_ms.saturating_sub(app.started_ms) / 1000)
        )));
        for error in app.connection.iter().flatten() {
            second.push(sep());
            second.push(Span::styled(
                format!("offline: {error}"),
                Style::new().fg(Color::Red),
            ));
        }
    }
    let header =
        Paragraph::new(vec![first, Line::from(second)]).style(Style::new().bg(Color::Indexed(236)));
    frame.render_widget(header, area);
}

/// Chain ids and URLs, mining and prover modes.
fn header_first_line(app: &App, form: UrlForm) -> Line<'static> {
    let dim = Style::new().fg(Color::DarkGray);
    let sep = || Span::styled(" │ ", dim);
    let s = &app.status;
    let id = |id: Option<u64>| id.map_or("?".to_string(), |id| id.to_string());
    let mut first = vec![
        Span::styled(
            " zkos-dev ",
            Style::new().fg(Color::Black).bg(Color::Cyan).bold(),
        ),
        Span::raw(format!(
            " {} {}{} {}",
            match app.info.chains.get(app.chain).is_some_and(|c| c.gateway) {
                true => "Gateway",
                false => "L2",
            },
            id(s.l2_chain_id),
            match app.info.chains.len() {
                0 | 1 => String::new(),
                n => format!(" [{}/{n}, c]", app.chain + 1),
            },
            form.show(&app.info.l2_url)
        )),
    ];
    if let Some((url, block)) = &s.fork {
        first.push(Span::styled(
            format!(" fork of {} @{block}", form.show(url)),
            Style::new().fg(Color::Magenta),
        ));
    }
    if let Some(url) = &app.info.l1_url {
        first.push(sep());
        first.push(Span::raw(format!(
            "L1 {} {}",
            id(s.l1_chain_id),
            form.show(url)
        )));
    }
    first.push(sep());
    let mining = s.mining.map_or("?".to_string(), |m| m.label());
    let paused = s.mining == Some(MiningState::Manual);
    first.push(Span::styled(
        format!("mining {mining}"),
        if paused {
            Style::new().fg(Color::Yellow)
        } else {
            Style::new()
        },
    ));
    first.push(sep());
    first.push(Span::raw(format!("prover {}", app.prover().unwrap_or("–"))));
    if !app.info.owned {
        first.push(sep());
        first.push(Span::styled("attached", dim));
    }
    Line::from(first)
}
