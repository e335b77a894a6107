//! What an L1 tx does around its call, shared by block execution and re-execution for traces:
//! the sender is credited first, what revm then takes as the prepaid gas included; afterwards
//! the sender's nonce is put back (an L1 tx uses none) and what the protocol version says goes
//! to the refund recipient (see [`ProtocolVersion`]).

use alloy_primitives::{Address, U256};
use revm::context::CfgEnv;

use super::protocol::ProtocolVersion;
use crate::{storage::StateSnapshot, tx::L1Tx};

/// An L1 tx between its start and its end.
pub(super) struct L1Frame {
    from: Address,
    nonce: u64,
    to_mint: U256,
    gas_price: U256,
    value: U256,
    gas_limit: U256,
    refund_recipient: Address,
    /// What the sender was credited.
    credit: U256,
    upfront: bool,
}

impl L1Frame {
    /// Credits the sender: `toMint` from v31 (the prepaid gas, which revm takes back, and the
    /// rest to spend), before it only the value and the prepaid gas.
    pub(super) fn begin(state: &mut StateSnapshot, l1: &L1Tx, version: ProtocolVersion) -> Self {
        let from = l1.from();
        let to_mint = l1.to_mint();
        let gas_price = l1.canonical.maxFeePerGas;
        let gas_limit = l1.canonical.gasLimit;
        let value = l1.canonical.value;
        let upfront = version.l1_upfront_transfer();
        let credit = match upfront {
            true => to_mint,
            false => value
                .saturating_add(gas_limit.saturating_mul(gas_price))
                .min(to_mint),
        };
        let frame = Self {
            from,
            nonce: state.nonce(&from),
            to_mint,
            gas_price,
            value,
            gas_limit,
            refund_recipient: l1.refund_recipient(),
            credit,
            upfront,
        };
        let info = &mut state.account_mut(from).info;
        info.balance = info.balance.saturating_add(credit);
        frame
    }

    /// The sender's nonce, which the call must carry.
    pub(super) fn nonce(&self) -> u64 {
        self.nonce
    }

    /// Puts the nonce back and pays the refund recipient: before v31 all of `toMint` the tx
    /// did not spend (unused gas, overpayment, the value if the call failed); from v31 the
    /// unused gas, or if the call failed everything the sender was given but the gas spent.
    pub(super) fn end(self, state: &mut StateSnapshot, gas_used: u64, success: bool) {
        state.account_mut(self.from).info.nonce = self.nonce;
        let spent = U256::from(gas_used).saturating_mul(self.gas_price);
        let prepaid = self.gas_limit.saturating_mul(self.gas_price);
        // What revm left with the sender that goes back: the unused gas it refunded, and
        // what the failed call did not spend of the credit.
        let back = match (self.upfront, success) {
            (_, true) => prepaid.saturating_sub(spent),
            (true, false) => self.credit.saturating_sub(spent),
            (false, false) => prepaid.saturating_sub(spent).saturating_add(self.value),
        };
        // Before v31 an overpayment was never credited to the sender: minted to the recipient.
        let minted = self.to_mint.saturating_sub(self.credit);
        if self.refund_recipient == self.from {
            let info = &mut state.account_mut(self.from).info;
            info.balance = info.balance.saturating_add(minted);
            return;
        }
        let balance = state.account_mut(self.from).info.balance;
        let back = back.min(balance);
        state.account_mut(self.from).info.balance = balance - back;
        let info = &mut state.account_mut(self.refund_recipient).info;
        info.balance = info.balance.saturating_add(back).saturating_add(minted);
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
