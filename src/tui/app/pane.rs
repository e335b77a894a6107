//! The dashboard's panes and their focus order.

/// The panes, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// L2 blocks.
    Blocks,
    /// L2 txs.
    Txs,
    /// Batches and their lifecycle.
    Batches,
    /// Proof results.
    Proofs,
    /// L1 blocks, deposits and withdrawals.
    L1,
    /// Dev account balances.
    Accounts,
    /// Logs.
    Logs,
}

impl Pane {
    /// Every pane, in focus order.
    pub const ALL: [Pane; 7] = [
        Pane::Blocks,
        Pane::Txs,
        Pane::Batches,
        Pane::Proofs,
        Pane::L1,
        Pane::Accounts,
        Pane::Logs,
    ];

    /// The panes that share one slot in a small terminal.
    pub const SIDE: [Pane; 4] = [Pane::Proofs, Pane::L1, Pane::Accounts, Pane::Logs];

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Blocks => "Blocks",
            Pane::Txs => "Transactions",
            Pane::Batches => "Batches",
            Pane::Proofs => "Proofs",
            Pane::L1 => "L1",
            Pane::Accounts => "Accounts",
            Pane::Logs => "Logs",
        }
    }

    pub(in crate::tui) fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// Whether it shares the side slot.
    pub fn is_side(self) -> bool {
        Pane::SIDE.contains(&self)
    }
}
