//! `StateStore`: the state of the latest block and of recent ones, bounded by count and by the
//! writes the kept states add up to.

use std::collections::VecDeque;

use parking_lot::RwLock;

use super::StateSnapshot;
use crate::fork::Fork;

/// How many recent blocks' states stay readable at most (`eth_call` etc. at a block number).
pub const STATE_HISTORY: usize = 1024;

/// How many account and slot writes the kept states may add up to: each kept state holds its
/// own copy of what its block changed, so large blocks keep fewer states (at 200 transfers a
/// block, ~80 blocks), and memory does not grow with block size.
pub const STATE_HISTORY_WRITES: usize = 32_768;

/// The states of the recent blocks, oldest first: (block number, state after it, how many
/// writes its block made). Cloning costs one pointer copy per kept block (each state shares
/// structure).
#[derive(Debug, Clone, Default)]
pub struct StateHistory(VecDeque<(u64, StateSnapshot, usize)>);

/// The state of the latest block and of recent ones.
#[derive(Debug, Default)]
pub struct StateStore {
    /// A std-style lock held only to clone or push a snapshot, never across execution.
    history: RwLock<StateHistory>,
}

impl StateStore {
    /// A store whose only state is genesis, block `number` (0, or a fork's first block).
    pub fn new(number: u64, genesis: StateSnapshot) -> Self {
        Self {
            history: RwLock::new(StateHistory(VecDeque::from([(number, genesis, 0)]))),
        }
    }

    /// State after the latest block.
    pub fn latest(&self) -> StateSnapshot {
        self.history
            .read()
            .0
            .back()
            .map(|(_, s, _)| s.clone())
            .unwrap_or_default()
    }

    /// State after block `number`, if still kept.
    pub fn at(&self, number: u64) -> Option<StateSnapshot> {
        let history = self.history.read();
        let (first, _, _) = history.0.front()?;
        let index = number.checked_sub(*first)? as usize;
        history.0.get(index).map(|(_, s, _)| s.clone())
    }

    /// Why the state of block `number` cannot be read: which blocks' states are kept.
    pub fn not_kept(&self, number: u64) -> String {
        let history = self.history.read();
        let (first, last) = match (history.0.front(), history.0.back()) {
            (Some((first, _, _)), Some((last, _, _))) => (*first, *last),
            _ => (0, 0),
        };
        format!(
            "state of block {number} is no longer kept (kept: blocks {first} to {last}; the latest {STATE_HISTORY} blocks at most, fewer when they are large)"
        )
    }

    /// Records the state after a new block, which made `writes` writes.
    pub fn push(&self, number: u64, state: StateSnapshot, writes: usize) {
        let history = &mut self.history.write().0;
        history.push_back((number, state, writes));
        let mut total: usize = history.iter().map(|(_, _, w)| w).sum();
        while history.len() > STATE_HISTORY || (history.len() > 2 && total > STATE_HISTORY_WRITES) {
            if let Some((_, _, w)) = history.pop_front() {
                total -= w;
            }
        }
    }

    /// Drops the states after block `number`, which becomes the latest. Returns false (and
    /// changes nothing) when the state of `number` is no longer kept.
    pub fn truncate(&self, number: u64) -> bool {
        let history = &mut self.history.write().0;
        if !history.iter().any(|(n, _, _)| *n == number) {
            return false;
        }
        while history.back().is_some_and(|(n, _, _)| *n > number) {
            history.pop_back();
        }
        true
    }

    /// All kept states as they are now.
    pub fn snapshot(&self) -> StateHistory {
        self.history.read().clone()
    }

    /// Puts back states taken with `snapshot`.
    pub fn restore(&self, history: StateHistory) {
        *self.history.write() = history;
    }

    /// Starts over from `genesis` as block `number` (`anvil_reset`).
    pub fn reset(&self, number: u64, genesis: StateSnapshot) {
        *self.history.write() = StateHistory(VecDeque::from([(number, genesis, 0)]));
    }

    /// Puts every kept state over `fork` (a chain rebuilt from the data dir or a dump).
    pub fn attach_fork(&self, fork: Option<Fork>) {
        for (_, state, _) in self.history.write().0.iter_mut() {
            state.attach_fork(fork.clone());
        }
    }

    /// Replaces the latest state (dev methods like `anvil_setBalance` act on the head).
    pub fn update_latest(&self, f: impl FnOnce(&mut StateSnapshot)) {
        let mut history = self.history.write();
        if let Some((_, state, _)) = history.0.back_mut() {
            f(state);
        }
    }
}
