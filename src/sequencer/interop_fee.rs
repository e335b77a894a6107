//! The interop fee the operator sets on a chain that settles on the Gateway (`--interop-fee`):
//! while the chain's `InteropCenter.interopProtocolFee` is not the target, the next block
//! starts with a system tx `setInteropFee(target)` from the bootloader, as zksync-os-server's
//! interop fee updater sends one (it derives its target from the Gateway's settlement fee and
//! token prices; here the operator names it).

use alloy_primitives::U256;

use crate::{
    storage::StateSnapshot,
    tx::{INTEROP_CENTER, SystemTx},
};

/// The storage slot of `interopProtocolFee` in `state/contracts/interop/InteropCenter.sol`.
const INTEROP_PROTOCOL_FEE_SLOT: U256 = U256::from_limbs([3, 0, 0, 0]);

/// The fee the chain should charge, and the last system tx made towards it.
#[derive(Debug, Default)]
pub(crate) struct InteropFee {
    /// Wei per interop call; `None`: a chain whose fee the node leaves alone (one that does
    /// not settle on the Gateway, where the InteropCenter sends nothing).
    target: Option<U256>,
    /// The fee of the last system tx made, until the chain goes back: one tx per change, so a
    /// chain whose InteropCenter refuses it (a fork's) does not get one in every block.
    sent: Option<U256>,
}

impl InteropFee {
    /// Keeps the chain's fee at `target`.
    pub(crate) fn new(target: Option<U256>) -> Self {
        Self { target, sent: None }
    }

    /// Whether the next block should set the fee.
    pub(crate) fn due(&self, state: &StateSnapshot) -> bool {
        self.target
            .is_some_and(|target| charged(state) != target && self.sent != Some(target))
    }

    /// The system tx setting the fee, for block `number`, if one is due.
    pub(crate) fn take(&mut self, state: &StateSnapshot, number: u64) -> Option<SystemTx> {
        let target = self.target.filter(|_| self.due(state))?;
        self.sent = Some(target);
        Some(SystemTx::set_interop_fee(target, number))
    }

    /// The chain went back (a devnet revert, a reset, a loaded dump): its fee may be another.
    pub(crate) fn went_back(&mut self) {
        self.sent = None;
    }
}

/// The fee per interop call `state`'s InteropCenter charges.
pub(crate) fn charged(state: &StateSnapshot) -> U256 {
    state.storage(&INTEROP_CENTER, INTEROP_PROTOCOL_FEE_SLOT)
}
