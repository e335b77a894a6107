//! What an L1 tx does around its call, shared by block execution and re-execution for traces:
//! `toMint` is credited to the sender first; afterwards the sender's nonce is put back (an L1 tx
//! uses none) and what the tx did not spend goes to its refund recipient.

use alloy_primitives::{Address, U256};
use revm::context::CfgEnv;

use crate::{storage::StateSnapshot, tx::L1Tx};

/// An L1 tx between its start and its end.
pub(super) struct L1Frame {
    from: Address,
    nonce: u64,
    to_mint: U256,
    gas_price: U256,
    value: U256,
    refund_recipient: Address,
}

impl L1Frame {
    /// Credits `toMint` to the sender.
    pub(super) fn begin(state: &mut StateSnapshot, l1: &L1Tx) -> Self {
        let from = l1.from();
        let frame = Self {
            from,
            nonce: state.nonce(&from),
            to_mint: l1.to_mint(),
            gas_price: l1.canonical.maxFeePerGas,
            value: l1.canonical.value,
            refund_recipient: l1.refund_recipient(),
        };
        let info = &mut state.account_mut(from).info;
        info.balance = info.balance.saturating_add(frame.to_mint);
        frame
    }

    /// The sender's nonce, which the call must carry.
    pub(super) fn nonce(&self) -> u64 {
        self.nonce
    }

    /// Puts the nonce back and refunds what the tx did not spend: unused gas, and the value
    /// too if the call failed.
    pub(super) fn end(self, state: &mut StateSnapshot, gas_used: u64, success: bool) {
        state.account_mut(self.from).info.nonce = self.nonce;
        let spent =
            U256::from(gas_used) * self.gas_price + if success { self.value } else { U256::ZERO };
        let balance = state.account_mut(self.from).info.balance;
        let refund = self.to_mint.saturating_sub(spent).min(balance);
        if refund.is_zero() || self.refund_recipient == self.from {
            return;
        }
        state.account_mut(self.from).info.balance = balance - refund;
        let info = &mut state.account_mut(self.refund_recipient).info;
        info.balance = info.balance.saturating_add(refund);
    }
}

/// The config an L1 tx runs under: no nonce check (it has none), the gas price L1 charged for
/// even below the base fee, and a gas limit that L1 already accepted.
pub(super) fn l1_cfg(cfg: &CfgEnv) -> CfgEnv {
    let mut cfg = cfg.clone();
    cfg.disable_nonce_check = true;
    cfg.disable_base_fee = true;
    cfg.disable_block_gas_limit = true;
    cfg
}
