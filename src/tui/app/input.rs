//! Keys: what each one does to the dashboard (modes, panes, selection, search) and which
//! command, if any, it sends to the node.

use super::*;

impl App {
    /// Reacts to a key; returns the command to send to the node, if any.
    pub fn on_key(&mut self, key: Key) -> Option<Command> {
        if key == Key::CtrlC {
            // Ctrl-C stops a node at once, as anvil's does; attached, there is none to stop.
            self.leave = Some(if self.info.owned {
                Leave::Stop
            } else {
                Leave::Detach
            });
            return None;
        }
        let command = match self.mode.clone() {
            Mode::ConfirmReset => {
                self.mode = Mode::Normal;
                if key == Key::Char('y') || key == Key::Char('Y') {
                    return self.rewinding(Command::Reset);
                }
                self.toast("reset cancelled".into(), false);
                None
            }
            Mode::ConfirmQuit => {
                self.mode = Mode::Normal;
                match key {
                    Key::Char('y' | 'Y' | 'q') => self.leave = Some(Leave::Stop),
                    Key::Char('d') => self.leave = Some(Leave::Detach),
                    _ => {}
                }
                None
            }
            Mode::Help => {
                self.mode = Mode::Normal;
                None
            }
            Mode::Accounts(row) => {
                let last = self.accounts().len().saturating_sub(1);
                let row = match key {
                    Key::Up | Key::Char('k') => row.saturating_sub(1),
                    Key::Down | Key::Char('j') => row + 1,
                    Key::PageUp => row.saturating_sub(5),
                    Key::PageDown => row + 5,
                    Key::Home | Key::Char('g') => 0,
                    Key::End | Key::Char('G') => last,
                    Key::Char('q') => {
                        self.quit();
                        return None;
                    }
                    _ => {
                        self.mode = Mode::Normal;
                        return None;
                    }
                };
                self.mode = Mode::Accounts(row.min(last));
                None
            }
            Mode::Search(mut query) => {
                match key {
                    Key::Esc => self.mode = Mode::Normal,
                    Key::Enter => {
                        self.mode = Mode::Normal;
                        self.search(query.trim());
                    }
                    Key::Backspace => {
                        query.pop();
                        self.mode = Mode::Search(query);
                    }
                    Key::Char(c) if query.len() < 80 => {
                        query.push(c);
                        self.mode = Mode::Search(query);
                    }
                    _ => {}
                }
                None
            }
            Mode::Detail(detail) => {
                match key {
                    Key::Esc | Key::Enter | Key::Backspace => {
                        self.mode = Mode::Normal;
                        // Done with the block: the txs pane follows the newest again.
                        if let Detail::Block(_) = detail {
                            self.leave_block();
                        }
                    }
                    Key::Char('q') => self.quit(),
                    _ => {}
                }
                None
            }
            Mode::Normal => self.on_normal_key(key),
        };
        match command {
            Some(command @ Command::Revert(_)) => self.rewinding(command),
            command => command,
        }
    }

    /// `q`: on the node's own dashboard, asks first; attached, leaves (the node runs on).
    pub(super) fn quit(&mut self) {
        if self.info.owned {
            self.mode = Mode::ConfirmQuit;
        } else {
            self.leave = Some(Leave::Detach);
        }
    }

    /// Sends a command that rewinds the chain: the rewind seen meanwhile is its own.
    pub(super) fn rewinding(&mut self, command: Command) -> Option<Command> {
        self.rewind_in_flight = true;
        Some(command)
    }

    pub(super) fn on_normal_key(&mut self, key: Key) -> Option<Command> {
        match key {
            Key::Char('q') => self.quit(),
            Key::Char('d') => self.leave = Some(Leave::Detach),
            Key::Char('?') => self.mode = Mode::Help,
            Key::Char('a') => self.mode = Mode::Accounts(self.scroll[Pane::Accounts.index()]),
            Key::Char('m') => return Some(Command::Mine),
            Key::Char('p') => return self.toggle_mining(),
            Key::Char('s') => return Some(Command::Snapshot),
            Key::Char('r') => match self.snapshots.last() {
                Some(id) => return Some(Command::Revert(id.clone())),
                None => self.toast("no snapshot to revert to (s takes one)".into(), true),
            },
            Key::Char('R') => self.mode = Mode::ConfirmReset,
            Key::Char('c') => match self.info.chains.len() {
                0 | 1 => self.toast("one L2 only (start with --chains for more)".into(), true),
                n => self.switch_to = Some((self.chain + 1) % n),
            },
            Key::Char('/') => self.mode = Mode::Search(String::new()),
            Key::Tab => self.focus(Pane::ALL[(self.focus.index() + 1) % Pane::ALL.len()]),
            Key::BackTab => {
                let n = Pane::ALL.len();
                self.focus(Pane::ALL[(self.focus.index() + n - 1) % n]);
            }
            Key::Char(c @ '1'..='7') => {
                let i = c as usize - '1' as usize;
                self.focus(Pane::ALL[i]);
            }
            Key::Up | Key::Char('k') => self.move_selection(-1),
            Key::Down | Key::Char('j') => self.move_selection(1),
            Key::PageUp => self.move_selection(-10),
            Key::PageDown => self.move_selection(10),
            Key::Home | Key::Char('g') => self.follow(),
            Key::End | Key::Char('G') => self.move_selection(isize::MAX / 2),
            Key::Enter => self.open_detail(),
            Key::Esc => {
                self.follow();
                self.filter = None;
            }
            _ => {}
        }
        None
    }

    pub(super) fn focus(&mut self, pane: Pane) {
        self.focus = pane;
        if pane.is_side() {
            self.side = pane;
        }
        // Away from blocks and txs, a selected block is left: the txs pane follows again.
        if !matches!(pane, Pane::Blocks | Pane::Txs) {
            self.leave_block();
        }
    }

    /// The txs pane stops listing the selected block's txs and follows the newest.
    pub(super) fn leave_block(&mut self) {
        if self.selected_block.take().is_some()
            && let Some(hash) = self.selected_tx
            && !self.visible_txs().iter().any(|t| t.hash == hash)
        {
            self.selected_tx = None;
        }
    }

    pub(super) fn toggle_mining(&mut self) -> Option<Command> {
        match (self.status.mining, self.paused_from) {
            (None, _) => {
                self.toast("mining mode not known yet".into(), true);
                None
            }
            (Some(MiningState::Manual), from) => {
                self.paused_from = None;
                // A node started with --no-mining has nothing to go back to: instant it is.
                Some(Command::SetMining(match from {
                    // The node cannot switch back to mixed mining over RPC.
                    Some(MiningState::Mixed(_)) | None => MiningState::Instant,
                    Some(mode) => mode,
                }))
            }
            (Some(mode), _) => {
                self.paused_from = Some(mode);
                Some(Command::SetMining(MiningState::Manual))
            }
        }
    }

    /// The txs the txs pane shows: the selected block's, the filter's or the newest.
    pub fn visible_txs(&self) -> Vec<&TxInfo> {
        if let Some(number) = self.selected_block
            && let Some(block) = self.blocks.iter().find(|b| b.number == number)
        {
            return block.txs.iter().collect();
        }
        match self.filter {
            Some(Filter::Address(a)) => self
                .txs
                .iter()
                .filter(|t| t.from == a || t.to == Some(a) || t.created == Some(a))
                .collect(),
            None => self.txs.iter().collect(),
        }
    }

    /// Index of the selected row in the focused-or-given pane (`None`: following).
    pub fn selected_index(&self, pane: Pane) -> Option<usize> {
        match pane {
            Pane::Blocks => {
                let n = self.selected_block?;
                self.blocks.iter().position(|b| b.number == n)
            }
            Pane::Txs => {
                let h = self.selected_tx?;
                self.visible_txs().iter().position(|t| t.hash == h)
            }
            Pane::Batches => {
                let n = self.selected_batch?;
                self.batches.iter().position(|b| b.number == n)
            }
            _ => None,
        }
    }

    pub(super) fn move_selection(&mut self, delta: isize) {
        let pane = self.focus;
        let len = match pane {
            Pane::Blocks => self.blocks.len(),
            Pane::Txs => self.visible_txs().len(),
            Pane::Batches => self.batches.len(),
            _ => {
                let i = pane.index();
                self.scroll[i] = self.scroll[i].saturating_add_signed(delta);
                let len = match pane {
                    Pane::Proofs => self.proofs.len(),
                    Pane::L1 => self.l1_blocks.len().max(self.bridge.len()),
                    Pane::Accounts => self.accounts().len(),
                    _ => self.logs.len(),
                };
                self.scroll[i] = self.scroll[i].min(len.saturating_sub(1));
                return;
            }
        };
        if len == 0 {
            return;
        }
        let current = self.selected_index(pane).map(|i| i as isize).unwrap_or(-1);
        let next = current.saturating_add(delta);
        if next < 0 {
            self.select(pane, None);
            return;
        }
        let next = (next as usize).min(len - 1);
        self.select(pane, Some(next));
    }

    pub(super) fn select(&mut self, pane: Pane, index: Option<usize>) {
        match pane {
            Pane::Blocks => {
                self.selected_block = index.and_then(|i| self.blocks.get(i)).map(|b| b.number);
                self.selected_tx = None;
            }
            Pane::Txs => {
                self.selected_tx = index.and_then(|i| self.visible_txs().get(i).map(|t| t.hash));
            }
            Pane::Batches => {
                self.selected_batch = index.and_then(|i| self.batches.get(i)).map(|b| b.number);
            }
            _ => {}
        }
    }

    pub(super) fn follow(&mut self) {
        match self.focus {
            Pane::Blocks => {
                self.selected_block = None;
                self.selected_tx = None;
            }
            Pane::Txs => self.selected_tx = None,
            Pane::Batches => self.selected_batch = None,
            pane => self.scroll[pane.index()] = 0,
        }
    }

    pub(super) fn open_detail(&mut self) {
        let detail = match self.focus {
            Pane::Blocks => self
                .selected_block
                .or_else(|| self.blocks.front().map(|b| b.number))
                .map(Detail::Block),
            Pane::Txs => self
                .selected_tx
                .or_else(|| self.visible_txs().first().map(|t| t.hash))
                .map(Detail::Tx),
            Pane::Batches => self
                .selected_batch
                .or_else(|| self.batches.front().map(|b| b.number))
                .map(Detail::Batch),
            Pane::Accounts => {
                self.mode = Mode::Accounts(self.scroll[Pane::Accounts.index()]);
                return;
            }
            _ => None,
        };
        if let Some(detail) = detail {
            self.mode = Mode::Detail(detail);
        }
    }

    /// Shows what `/` found: a block or tx in full, an address's txs.
    pub(super) fn search(&mut self, query: &str) {
        if query.is_empty() {
            return;
        }
        match find(self, query) {
            Found::Block(number) => {
                self.focus(Pane::Blocks);
                self.selected_block = Some(number);
                self.mode = Mode::Detail(Detail::Block(number));
            }
            Found::Tx(hash) => {
                self.selected_block = None;
                self.filter = None;
                self.focus(Pane::Txs);
                self.selected_tx = Some(hash);
                self.mode = Mode::Detail(Detail::Tx(hash));
            }
            Found::Address { address, others } => {
                self.filter = Some(Filter::Address(address));
                self.selected_block = None;
                self.selected_tx = None;
                self.focus(Pane::Txs);
                let n = self.visible_txs().len();
                let account = self
                    .accounts()
                    .iter()
                    .position(|a| a.address == address)
                    .map_or(String::new(), |i| format!(" (account {i})"));
                let others = match others {
                    0 => String::new(),
                    n => format!("; {n} more match, type more digits"),
                };
                let text = format!(
                    "{n} recent txs of {}{account}{others}",
                    short_address(&address)
                );
                self.toast(text, false);
            }
            Found::Nothing(why) => self.toast(why, true),
        }
    }
}
