//! What a finished tx pays under ZKsync OS's rules: its native and pubdata (`deltaGas`, or out
//! of native), and the base fee, which goes to the coinbase instead of being burned.

use alloy_consensus::Transaction as _;
use alloy_primitives::{Address, U256};
use revm::context::TxEnv;

use super::{
    BlockContext, Executor,
    resources::{self, Charge, TxResources, TxShape},
};
use crate::{storage::state::StateSnapshot, tx::ReadyTx};

/// What charging a tx's native needs of it, taken before the tx runs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Charged {
    shape: TxShape,
    caller: Address,
    gas_limit: u64,
    /// Its gas price: the effective one in a block, the base fee for a call.
    price: u128,
}

impl Charged {
    pub(super) fn of(tx: &TxEnv, price: u128) -> Self {
        Self {
            shape: TxShape::of(tx),
            caller: tx.caller,
            gas_limit: tx.gas_limit,
            price,
        }
    }

    /// The gas it may spend.
    pub(super) fn gas_limit(&self) -> u64 {
        self.gas_limit
    }
}

impl Executor {
    /// What ZKsync OS charges a finished L2 tx: its gas used with `deltaGas`, or out of native.
    #[allow(clippy::too_many_arguments)] // a finished tx: its changes, meter, gas and messages
    pub(super) fn native_charge(
        &self,
        before: &StateSnapshot,
        diff: &revm::state::EvmState,
        tx: &Charged,
        coinbase: Address,
        metered: u64,
        gas_used: u64,
        messages: &[usize],
    ) -> Charge {
        let used = TxResources::measure(
            &tx.shape, metered, before, diff, tx.caller, coinbase, messages,
        );
        let per_gas = self.prices.native_per_gas(tx.price);
        resources::charge(gas_used, tx.gas_limit, used.native(self.prices), per_gas)
    }

    /// Applies `charge` to a block tx's changes: `deltaGas` is paid by the sender to the
    /// coinbase, or, out of native, the tx is undone but for its nonce and its whole gas
    /// limit's fee. Returns the gas used, and false when it ran out.
    pub(super) fn settle_charge(
        &self,
        before: &StateSnapshot,
        diff: &mut revm::state::EvmState,
        tx: &Charged,
        block: &BlockContext,
        charge: Charge,
        gas_used: u64,
    ) -> (u64, bool) {
        let price = tx.price;
        let tip = price.saturating_sub(u128::from(block.base_fee));
        let credit =
            |diff: &mut revm::state::EvmState, address: Address, delta: U256, add: bool| {
                if let Some(account) = diff.get_mut(&address) {
                    account.info.balance = match add {
                        true => account.info.balance.saturating_add(delta),
                        false => account.info.balance.saturating_sub(delta),
                    };
                    account.mark_touch();
                }
            };
        let (gas, ran) = match charge {
            Charge::Gas(gas) => (gas, true),
            Charge::OutOfNative => {
                // Only the sender's nonce and fee, and the coinbase's tip, remain.
                diff.retain(|address, _| *address == tx.caller || *address == block.coinbase);
                for (address, account) in diff.iter_mut() {
                    account.storage.clear();
                    account.info.balance = before.balance(address);
                    account.info.nonce = before.nonce(address);
                }
                if let Some(sender) = diff.get_mut(&tx.caller) {
                    sender.info.nonce += 1;
                }
                // The whole limit is spent: charged below as if revm had used none of it.
                (tx.gas_limit, false)
            }
        };
        let extra = match ran {
            true => gas - gas_used,
            false => gas,
        };
        if extra > 0 {
            credit(
                diff,
                tx.caller,
                U256::from(extra) * U256::from(price),
                false,
            );
            credit(
                diff,
                block.coinbase,
                U256::from(extra) * U256::from(tip),
                true,
            );
        }
        (gas, ran)
    }

    /// With ZKsync OS rules the base fee is not burned: what revm burned of the `gas_used` of
    /// `tx` goes to the coinbase (the operator's fee account).
    pub(super) fn pay_base_fee(
        &self,
        state: &mut StateSnapshot,
        block: &BlockContext,
        tx: &ReadyTx,
        gas_used: u64,
    ) {
        if !self.rules.pays_base_fee() || gas_used == 0 {
            return;
        }
        let price = match tx.envelope.as_l1() {
            Some(l1) => l1.canonical.maxFeePerGas.saturating_to(),
            None => tx.envelope.effective_gas_price(Some(block.base_fee)),
        };
        let burned = U256::from(gas_used) * U256::from(price.min(u128::from(block.base_fee)));
        if !burned.is_zero() {
            let info = &mut state.account_mut(block.coinbase).info;
            info.balance = info.balance.saturating_add(burned);
        }
    }
}
