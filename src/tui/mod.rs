//! Terminal UI: a live dashboard of blocks, txs, batches, proofs, L1 and accounts, with the
//! keyboard driving mining and snapshots. This file is the terminal loop; `feed` is what flows
//! in and out, `app` the model (no I/O, `search` its `/`), `view` (+ `detail`, `help`, `keys`,
//! `format`) the pure render, `source` where the events come from, `control` the commands sent
//! to the node, `logs` the tracing writer that feeds the log pane.
//! `Dashboard::{in_process(&NodeHandle), attach(url, l1_url)}.run() -> until the user quits`
//!
//! The loop draws at most 10 frames a second and drains every pending event between frames,
//! so a busy node costs the UI a bounded amount of work. The terminal is restored on quit, on
//! detach, on error (the guard's `Drop`) and on panic (the panic hook).
//!
//! Leaving: Ctrl-C stops the node at once, as anvil's does; `q` asks first (`y` stops it, `d`
//! detaches). Detached, the node runs on with the terminal given back (endpoints and keys
//! printed) and Enter brings the dashboard back. Attached (`zkos-dev tui`), `q`, `d` and
//! Ctrl-C all leave and the node runs on.

pub mod app;
mod chains;
pub mod control;
pub mod detail;
pub mod feed;
pub mod format;
pub mod help;
pub mod keys;
pub mod logs;
pub mod search;
pub mod source;
pub mod view;

#[cfg(test)]
mod tests;

use std::{
    io,
    sync::{
        Arc, Mutex, Once,
        atomic::{AtomicBool, Ordering},
    },
    thread::{self, ThreadId},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use anyhow::Context as _;
use ratatui::{
    Terminal,
    backend::CrosstermBackend,
    crossterm::{
        cursor, event, execute,
        terminal::{self, EnterAlternateScreen, LeaveAlternateScreen},
    },
};
use tokio::{
    sync::{mpsc, oneshot},
    task::JoinHandle,
};

pub use self::logs::LogWriter;
use self::{
    app::{App, Leave, NodeInfo},
    control::{Rpc, RpcControl},
    feed::{ChainKind, Feed, Key, LogLevel, LogLine},
    format::ws_url,
};
use crate::{Config, NodeHandle, accounts::dev_accounts, persistence::data_dir::DB_FILE};

/// Time between frames.
const FRAME: Duration = Duration::from_millis(100);
/// Room for events between two frames; the sources wait (and broadcasts skip) beyond it.
const FEED_CAPACITY: usize = 4096;

/// A dashboard ready to run: its sources are already feeding it.
pub struct Dashboard {
    info: NodeInfo,
    control: RpcControl,
    feed: mpsc::Receiver<Feed>,
    /// For command replies and log lines.
    feed_tx: mpsc::Sender<Feed>,
    /// The L1's sources; aborted when the dashboard goes.
    tasks: Vec<JoinHandle<()>>,
    /// The sources of the L2 it follows; restarted when it follows another one (`c`).
    l2_tasks: Vec<JoinHandle<()>>,
    /// In process, each L2's events (the dashboard follows one at a time); attached, none:
    /// the L2 is polled.
    l2_events: Vec<tokio::sync::broadcast::Receiver<crate::events::NodeEvent>>,
    /// The L1, for the status poll.
    l1: Option<Rpc>,
}

impl Dashboard {
    /// The dashboard of a node in this process: its event broadcasts, plus polls of status
    /// and balances over its JSON-RPC.
    pub fn in_process(node: &NodeHandle) -> anyhow::Result<Self> {
        let info = NodeInfo {
            l2_url: node.rpc_url(),
            l2_ws_url: Some(node.ws_url()),
            l1_url: node.l1_rpc_url(),
            l1_ws_url: node.l1_ws_url(),
            owned: true,
            // `--ephemeral` has a data dir too, for its snapshots only: no chain in it.
            data_dir: node
                .data_dir()
                .filter(|dir| dir.join(DB_FILE).exists())
                .map(|dir| dir.to_path_buf()),
            keys: node.accounts().to_vec(),
            chains: node
                .l2s()
                .iter()
                .map(|l2| app::ChainChoice {
                    chain_id: Some(l2.chain_id),
                    url: l2.rpc_url(),
                    gateway: l2.gateway,
                })
                .collect(),
        };
        let (feed_tx, feed) = mpsc::channel(FEED_CAPACITY);
        let l2 = Rpc::new(&info.l2_url)?;
        let l1 = info.l1_url.as_deref().map(Rpc::new).transpose()?;
        let mut tasks = vec![];
        if let (Some(events), Some(l1)) = (node.l1_events(), l1.clone()) {
            tasks.push(tokio::spawn(source::events(
                events,
                ChainKind::L1,
                l1,
                feed_tx.clone(),
            )));
        }
        let l2_events = (0..info.chains.len())
            .filter_map(|i| node.l2_events(i))
            .collect();
        let mut dashboard = Self {
            info,
            control: RpcControl { l2 },
            feed,
            feed_tx,
            tasks,
            l2_tasks: vec![],
            l2_events,
            l1,
        };
        dashboard.follow(0)?;
        Ok(dashboard)
    }

    /// The dashboard of a node running elsewhere (`zkos-dev tui --rpc URL[,URL...]`):
    /// everything over its JSON-RPC; with several L2 URLs (a devnet of `--chains`), `c` switches
    /// between them.
    pub fn attach(l2_urls: &[String], l1_url: Option<&str>) -> anyhow::Result<Self> {
        let l2_url = l2_urls
            .first()
            .map(String::as_str)
            .context("zkos-dev tui needs the URL of an L2")?;
        let info = NodeInfo {
            l2_url: l2_url.to_string(),
            l2_ws_url: Some(ws_url(l2_url)),
            l1_url: l1_url.map(str::to_string),
            l1_ws_url: l1_url.map(ws_url),
            owned: false,
            data_dir: None,
            // The node's mnemonic is not known here: the default one's keys, shown for the
            // addresses the node lists (all of them unless it runs with a mnemonic of its own).
            keys: dev_accounts(&Config::default().accounts).unwrap_or_default(),
            chains: match l2_urls.len() {
                1 => vec![],
                _ => l2_urls
                    .iter()
                    .map(|url| app::ChainChoice {
                        chain_id: None,
                        url: url.clone(),
                        gateway: false,
                    })
                    .collect(),
            },
        };
        let (feed_tx, feed) = mpsc::channel(FEED_CAPACITY);
        let l2 = Rpc::new(l2_url)?;
        let l1 = l1_url.map(Rpc::new).transpose()?;
        let mut tasks = vec![];
        if let Some(l1) = l1.clone() {
            tasks.push(tokio::spawn(source::poll_blocks(
                l1,
                ChainKind::L1,
                feed_tx.clone(),
            )));
        }
        let mut dashboard = Self {
            info,
            control: RpcControl { l2 },
            feed,
            feed_tx,
            tasks,
            l2_tasks: vec![],
            l2_events: vec![],
            l1,
        };
        dashboard.follow(0)?;
        Ok(dashboard)
    }

    /// Takes over the terminal until the user quits (`q` then `y`, Ctrl-C; attached, also `d`).
    /// Detached, the node runs on and Enter brings the dashboard back. Dropping the future also
    /// gives the terminal back.
    pub async fn run(mut self) -> anyhow::Result<()> {
        let mut app = App::new(self.info.clone(), now_ms());
        let text = if self.info.owned {
            format!(
                "dashboard up on {}: q asks before it stops the node, d leaves it running, ? help",
                self.info.l2_url
            )
        } else {
            format!(
                "dashboard attached to {}: q leaves it, the node keeps running; ? help",
                self.info.l2_url
            )
        };
        app.on_feed(Feed::Log(LogLine {
            level: LogLevel::Info,
            text,
        }));
        loop {
            match self.show(&mut app).await? {
                Leave::Detach if self.info.owned => self.detached(&mut app).await,
                Leave::Detach => {
                    println!("left the dashboard: {} keeps running", self.info.l2_url);
                    return Ok(());
                }
                Leave::Stop => return Ok(()),
            }
        }
    }

    /// The dashboard on the terminal until the user leaves it.
    async fn show(&mut self, app: &mut App) -> anyhow::Result<Leave> {
        let _guard = TerminalGuard::enter(self.feed_tx.clone())?;
        let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))
            .context("cannot draw on this terminal")?;
        terminal.clear()?;
        let (input_tx, mut input) = mpsc::channel(64);
        let _input = InputThread::spawn(input_tx);
        app.leave = None;
        let mut frame = tokio::time::interval(FRAME);
        frame.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = frame.tick() => {
                    app.on_tick(now_ms());
                    terminal.draw(|f| view::render(app, f))?;
                }
                input = input.recv() => {
                    match input {
                        Some(Input::Key(key)) => {
                            if let Some(command) = app.on_key(key) {
                                let control = self.control.clone();
                                let done = self.feed_tx.clone();
                                tokio::spawn(async move {
                                    let result = control.send(&command).await;
                                    let _ = done.send(Feed::Done { command, result }).await;
                                });
                            }
                            if let Some(leave) = app.leave {
                                return Ok(leave);
                            }
                            if let Some(index) = app.switch_to.take() {
                                self.follow(index)?;
                                app.follow_chain(index);
                            }
                        }
                        Some(Input::Resize) => {}
                        Some(Input::Failed(err)) => anyhow::bail!("terminal input: {err}"),
                        None => return Ok(Leave::Stop),
                    }
                    terminal.draw(|f| view::render(app, f))?;
                }
                Some(feed) = self.feed.recv() => {
                    app.on_feed(feed);
                    // Everything that queued up since, before the next frame.
                    while let Ok(feed) = self.feed.try_recv() {
                        app.on_feed(feed);
                    }
                }
            }
        }
    }

    /// The node runs on with the terminal given back: its endpoints and keys printed, the
    /// model kept up to date, until Enter.
    async fn detached(&mut self, app: &mut App) {
        println!("{}", help::detached_note(app));
        let mut enter = enter_pressed();
        let mut stdin_open = true;
        loop {
            tokio::select! {
                read = &mut enter, if stdin_open => match read {
                    Ok(()) => return,
                    // No stdin to read Enter from: detached until Ctrl-C.
                    Err(_) => stdin_open = false,
                },
                Some(feed) = self.feed.recv() => app.on_feed(feed),
            }
        }
    }
}

/// Resolves once a line is read from stdin; never if stdin ends. The reading thread is left
/// behind if the process exits first (a blocking read cannot be cancelled).
fn enter_pressed() -> oneshot::Receiver<()> {
    let (tx, rx) = oneshot::channel();
    thread::spawn(move || {
        let mut line = String::new();
        if matches!(io::stdin().read_line(&mut line), Ok(n) if n > 0) {
            let _ = tx.send(());
        }
    });
    rx
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        for task in self.tasks.iter().chain(&self.l2_tasks) {
            task.abort();
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// What the input thread reports.
enum Input {
    Key(Key),
    Resize,
    Failed(String),
}

/// Reads the keyboard on its own thread (crossterm's reads block) until dropped.
struct InputThread {
    /// Set on drop; the thread checks it between polls.
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl InputThread {
    fn spawn(out: mpsc::Sender<Input>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let input = match event::poll(Duration::from_millis(50)) {
                    Ok(false) => continue,
                    Ok(true) => match event::read() {
                        Ok(event::Event::Key(key)) if key.kind != event::KeyEventKind::Release => {
                            match decode_key(key) {
                                Some(key) => Input::Key(key),
                                None => continue,
                            }
                        }
                        Ok(event::Event::Resize(..)) => Input::Resize,
                        Ok(_) => continue,
                        Err(err) => Input::Failed(err.to_string()),
                    },
                    Err(err) => Input::Failed(err.to_string()),
                };
                let failed = matches!(input, Input::Failed(_));
                if out.blocking_send(input).is_err() || failed {
                    return;
                }
            }
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for InputThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A terminal key as the model's `Key`.
fn decode_key(key: event::KeyEvent) -> Option<Key> {
    use event::{KeyCode, KeyModifiers};
    Some(match key.code {
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Key::CtrlC,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        _ => return None,
    })
}

/// Whether the dashboard owns the terminal now.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The thread that runs the dashboard: a panic there ends it, elsewhere it is only logged.
static UI_THREAD: Mutex<Option<ThreadId>> = Mutex::new(None);
/// Panics of other threads while the dashboard was up, printed once the terminal is back.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Raw mode and the alternate screen while alive; the terminal as it was once dropped.
struct TerminalGuard;

impl TerminalGuard {
    fn enter(logs: mpsc::Sender<Feed>) -> anyhow::Result<Self> {
        install_panic_hook();
        terminal::enable_raw_mode().context("cannot switch the terminal to raw mode")?;
        if let Err(err) = execute!(io::stdout(), EnterAlternateScreen, cursor::Hide) {
            restore();
            return Err(err).context("cannot open the alternate screen");
        }
        if let Ok(mut t) = UI_THREAD.lock() {
            *t = Some(thread::current().id());
        }
        ACTIVE.store(true, Ordering::SeqCst);
        logs::attach(logs);
        Ok(Self)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        logs::detach();
        ACTIVE.store(false, Ordering::SeqCst);
        restore();
        let panics = PANICS.lock().map(|mut p| std::mem::take(&mut *p));
        for panic in panics.unwrap_or_default() {
            eprintln!("{panic}");
        }
    }
}

/// Gives the terminal back: cooked mode, main screen, cursor.
fn restore() {
    let _ = terminal::disable_raw_mode();
    let _: Result<(), io::Error> = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

/// Restores the terminal before a panic of the UI thread is printed; a panic of another
/// thread (a JSON-RPC handler, say) goes to the log pane and is printed after the dashboard.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ui = UI_THREAD.lock().ok().and_then(|t| *t);
            if ACTIVE.load(Ordering::SeqCst) && ui != Some(thread::current().id()) {
                let text = format!("panic in thread {:?}: {info}", thread::current().name());
                if let Ok(mut panics) = PANICS.lock() {
                    panics.push(text.clone());
                }
                logs::to_pane(LogLine {
                    level: LogLevel::Error,
                    text,
                });
                return;
            }
            if ACTIVE.swap(false, Ordering::SeqCst) {
                restore();
            }
            previous(info);
        }));
    });
}
