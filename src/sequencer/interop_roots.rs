//! Interop roots waiting for the next block's system tx (`SequencerCommand::InteropRoots`),
//! each imported once: the sequencer drops those the chain already holds.

use alloy_primitives::{U256, keccak256};

use crate::{abi::InteropRoot, storage::StateSnapshot, tx::SystemTx};

/// Roots the watcher handed over that no block has imported yet, each once.
#[derive(Debug, Default)]
pub(crate) struct PendingRoots {
    waiting: Vec<InteropRoot>,
    /// How many times the chain went back (a devnet revert, a reset, a loaded dump): the
    /// watcher hands over the Gateway's roots again when it changes.
    epoch: u64,
}

impl PendingRoots {
    /// The chain went back: the waiting roots may be of Gateway blocks that are gone.
    pub(crate) fn went_back(&mut self) {
        self.waiting.clear();
        self.epoch += 1;
    }

    /// See `went_back`.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Adds the roots not already waiting; returns how many were new.
    pub(crate) fn push(&mut self, roots: Vec<InteropRoot>) -> usize {
        let before = self.waiting.len();
        for root in roots {
            let key = (root.chainId, root.blockOrBatchNumber);
            if !self
                .waiting
                .iter()
                .any(|r| (r.chainId, r.blockOrBatchNumber) == key)
            {
                self.waiting.push(root);
            }
        }
        self.waiting.len() - before
    }

    /// The system tx importing every waiting root the chain does not hold yet (`imported`
    /// says which it holds); none if there is none. Nothing waits afterwards.
    pub(crate) fn take(&mut self, imported: impl Fn(U256, U256) -> bool) -> Option<SystemTx> {
        let roots: Vec<InteropRoot> = std::mem::take(&mut self.waiting)
            .into_iter()
            .filter(|r| !imported(r.chainId, r.blockOrBatchNumber))
            .collect();
        (!roots.is_empty()).then(|| SystemTx::import_roots(roots))
    }

    /// Whether any root waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

/// Whether `state` holds the root of `chain`'s block or batch `number`.
pub(crate) fn is_imported(state: &StateSnapshot, chain: U256, number: U256) -> bool {
    !state
        .storage(
            &crate::tx::INTEROP_ROOT_STORAGE,
            stored_root_slot(chain, number),
        )
        .is_zero()
}

/// The storage slot of `interopRoots[chain_id][number]` in `L2InteropRootStorage` (the
/// mapping is its slot 0): set once the root is imported.
pub(crate) fn stored_root_slot(chain_id: U256, number: U256) -> U256 {
    let inner = keccak256([chain_id.to_be_bytes::<32>(), [0u8; 32]].concat());
    U256::from_be_bytes(keccak256([number.to_be_bytes::<32>(), inner.0].concat()).0)
}
