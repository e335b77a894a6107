//! TUI log routing: the tracing writer of `main`. While the dashboard is up, each log line
//! goes to its log pane instead of over the screen; otherwise to stderr, as before.
//! `LogWriter: MakeWriter -> stderr | Feed::Log`

use std::{
    io::{self, Write as _},
    sync::Mutex,
};

use tokio::sync::mpsc;
use tracing_subscriber::fmt::MakeWriter;

use super::feed::{Feed, LogLevel, LogLine};

/// Where log lines go while the dashboard is up (`None`: stderr).
/// A std mutex: held only to clone or swap the sender, never across an await.
static SINK: Mutex<Option<mpsc::Sender<Feed>>> = Mutex::new(None);

/// Sends the log lines to `sink` from now on.
pub(super) fn attach(sink: mpsc::Sender<Feed>) {
    if let Ok(mut slot) = SINK.lock() {
        *slot = Some(sink);
    }
}

/// Sends the log lines to stderr again.
pub(super) fn detach() {
    if let Ok(mut slot) = SINK.lock() {
        *slot = None;
    }
}

/// Sends one line to the pane if the dashboard is up; returns whether it did.
pub(super) fn to_pane(line: LogLine) -> bool {
    let sink = SINK.lock().ok().and_then(|slot| slot.clone());
    match sink {
        // A full channel drops the line: logging never waits for the UI.
        Some(sink) => {
            let _ = sink.try_send(Feed::Log(line));
            true
        }
        None => false,
    }
}

/// The tracing writer: `tracing_subscriber::fmt().with_writer(LogWriter)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogWriter;

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = EventWriter;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter(Vec::new())
    }
}

/// Collects one formatted event; routes it when dropped.
#[derive(Debug)]
pub struct EventWriter(Vec<u8>);

impl io::Write for EventWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.0);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if !to_pane(parse(line)) {
                let _ = io::stderr().write_all(&self.0);
                return;
            }
        }
    }
}

/// A formatted tracing line (`2026-01-01T00:00:00.000Z  WARN target: message`) as a log line:
/// colours and the timestamp dropped, the level kept.
pub fn parse(line: &str) -> LogLine {
    let plain = strip_ansi(line);
    let mut words = plain.split_whitespace().peekable();
    if words
        .peek()
        .is_some_and(|w| w.len() > 10 && w.as_bytes()[4] == b'-' && w.contains('T'))
    {
        words.next();
    }
    let level = match words.peek().copied() {
        Some("ERROR") => Some(LogLevel::Error),
        Some("WARN") => Some(LogLevel::Warn),
        Some("INFO" | "DEBUG" | "TRACE") => Some(LogLevel::Info),
        _ => None,
    };
    if level.is_some() {
        words.next();
    }
    LogLine {
        level: level.unwrap_or(LogLevel::Info),
        text: words.collect::<Vec<_>>().join(" "),
    }
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte (0x40..=0x7e).
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracing_lines_lose_colour_and_time_but_keep_their_level() {
        let line = "\u{1b}[2m2026-01-02T03:04:05.678901Z\u{1b}[0m \u{1b}[33m WARN\u{1b}[0m \u{1b}[2mzkos_dev::l1::sender\u{1b}[0m\u{1b}[2m:\u{1b}[0m commit failed, retrying";
        assert_eq!(
            parse(line),
            LogLine {
                level: LogLevel::Warn,
                text: "zkos_dev::l1::sender: commit failed, retrying".into()
            }
        );
        assert_eq!(parse("ERROR x: y").level, LogLevel::Error);
        assert_eq!(parse("plain text").text, "plain text");
    }
}
