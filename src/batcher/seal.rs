//! Seal criteria: when the open batch is closed. Devnet defaults keep a tx's way to
//! `finalized` under a second; each is a flag.

use std::time::Duration;

use super::commitment::LOGS_TREE_LEAVES;
use crate::config::SealCriteria;

impl Default for SealCriteria {
    fn default() -> Self {
        Self {
            max_blocks: 100,
            max_txs: 50_000,
            max_logs: LOGS_TREE_LEAVES,
            max_pubdata: 10_000_000,
            timeout: Duration::from_millis(100),
        }
    }
}

/// What the open batch holds so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fill {
    /// Blocks.
    pub blocks: u64,
    /// Txs.
    pub txs: u64,
    /// L2->L1 logs.
    pub logs: usize,
    /// Pubdata bytes.
    pub pubdata: usize,
}

impl SealCriteria {
    /// Whether a batch holding `fill` is full.
    pub fn is_full(&self, fill: &Fill) -> bool {
        fill.blocks >= self.max_blocks
            || fill.txs >= self.max_txs
            || fill.logs >= self.max_logs
            || fill.pubdata >= self.max_pubdata
    }

    /// Whether the next block (`next`) must start a new batch rather than join `fill`: the
    /// logs tree has a fixed size, so a batch never takes more logs than it holds.
    pub fn would_overflow(&self, fill: &Fill, next: &Fill) -> bool {
        fill.blocks > 0 && fill.logs + next.logs > self.max_logs.min(LOGS_TREE_LEAVES)
    }
}
