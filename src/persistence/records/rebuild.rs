//! A chain rebuilt from its block records: the data dir's at start, a dump's or a named
//! snapshot's on load.

use std::{collections::HashMap, sync::Arc};

use alloy_primitives::{B256, Bytes};
use anyhow::{Context as _, bail};
use revm::bytecode::Bytecode;

use super::{BlockRecord, WritesRecord};
use crate::storage::{ChainStore, StateSnapshot, StateStore};

/// A chain rebuilt from its records.
pub struct RebuiltChain {
    /// Blocks, txs, receipts.
    pub chain: Arc<ChainStore>,
    /// The recent states.
    pub states: Arc<StateStore>,
    /// The state at genesis (`anvil_reset` goes back to it).
    pub genesis: StateSnapshot,
    /// Priority id of the next L1 tx (one past the last one in a block).
    pub next_l1_tx: u64,
}

/// Rebuilds a chain: each block's changes applied in order onto an empty state, `pending`
/// on top (and still pending: they ride with the next block). `codes` by hash.
pub fn rebuild(
    blocks: impl IntoIterator<Item = anyhow::Result<BlockRecord>>,
    codes: &HashMap<B256, Bytes>,
    pending: &WritesRecord,
) -> anyhow::Result<RebuiltChain> {
    let mut state = StateSnapshot::default();
    let mut chain: Option<Arc<ChainStore>> = None;
    let mut states: Option<Arc<StateStore>> = None;
    let mut genesis = None;
    let mut next_l1_tx = 0;
    let code = |hash: &B256| -> anyhow::Result<Bytecode> {
        let bytes = codes
            .get(hash)
            .with_context(|| format!("the code with hash {hash} is missing"))?;
        Ok(Bytecode::new_raw(bytes.clone()))
    };
    for record in blocks {
        let record = record?;
        let block = record.to_block()?;
        let number = block.header.number;
        // Genesis is block 0, or a fork's first block.
        let expected = chain.as_ref().map_or(number, |c| c.latest_number() + 1);
        if number != expected {
            bail!("block {number} found where block {expected} belongs");
        }
        state.restore_writes(&block.writes, code, false)?;
        for tx in &block.txs {
            if let Some(l1) = tx.tx.envelope.as_l1() {
                next_l1_tx = l1.priority_id() + 1;
            }
        }
        match &chain {
            None => {
                chain = Some(Arc::new(ChainStore::new(block)));
                states = Some(Arc::new(StateStore::new(number, state.clone())));
                genesis = Some(state.clone());
            }
            Some(chain) => {
                let parent = chain.latest().hash;
                if block.header.parent_hash != parent {
                    bail!("block {number} does not follow block {}", number - 1);
                }
                let block_writes = block.writes.len();
                chain.push(Arc::new(block));
                states.as_ref().expect("set with the chain").push(
                    number,
                    state.clone(),
                    block_writes,
                );
            }
        }
    }
    let (Some(chain), Some(states), Some(genesis)) = (chain, states, genesis) else {
        bail!("no genesis block");
    };
    if !pending.accounts.is_empty() || !pending.slots.is_empty() {
        let mut restored = Ok(());
        states.update_latest(|latest| {
            restored = latest.restore_writes(&pending.to_writes(), code, true);
        });
        restored?;
    }
    Ok(RebuiltChain {
        chain,
        states,
        genesis,
        next_l1_tx,
    })
}
