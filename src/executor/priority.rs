//! What an L1 tx does around its call, shared by block execution and re-execution for traces:
//! the sender is credited first, what revm then takes as the prepaid gas included; afterwards
//! the sender's nonce is put back (an L1 tx uses none) and what the protocol version says goes
//! to the refund recipient (see [`ProtocolVersion`]).

use alloy_primitives::{Address, U256};
use revm::context::CfgEnv;

use alloy_primitives::B256;
use revm::{ExecuteCommitEvm, InspectCommitEvm, context::result::ExecutionResult};

use super::{
    BlockContext, Evm, ExecutedTx, error_message, inspector::OutputInspector, messages,
    protocol::ProtocolVersion, tx_env,
};
use crate::{
    storage::StateSnapshot,
    tx::{BOOTLOADER, L1Tx, L2ToL1Log, ReadyTx},
};

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

/// What one tx run under [`l1_cfg`] without native metering (an L1 tx, a system tx) did:
/// (success, gas used, logs, revert output). One that could not even start ran nothing, and is
/// logged as `kind`.
pub(super) fn run_unmetered(
    evm: &mut Evm<OutputInspector>,
    env: revm::context::TxEnv,
    hash: B256,
    kind: &str,
) -> (
    bool,
    u64,
    Vec<revm::primitives::Log>,
    Option<alloy_primitives::Bytes>,
) {
    let cfg = {
        let unmetered = l1_cfg(&evm.ctx.cfg);
        std::mem::replace(&mut evm.ctx.cfg, unmetered)
    };
    let result = if evm.inspector.needed() {
        evm.inspect_tx_commit(env)
    } else {
        evm.transact_commit(env)
    };
    evm.ctx.cfg = cfg;
    evm.inspector.meter.take();
    match result {
        Ok(result) => {
            let gas_used = result.tx_gas_used();
            match result {
                ExecutionResult::Success { logs, .. } => (true, gas_used, logs, None),
                ExecutionResult::Revert { output, .. } => (false, gas_used, vec![], Some(output)),
                ExecutionResult::Halt { .. } => (false, gas_used, vec![], None),
            }
        }
        Err(err) => {
            tracing::warn!(%hash, reason = %error_message(&err), "{kind} could not run");
            (false, 0, vec![], None)
        }
    }
}

impl super::Executor {
    /// Runs one L1 tx, which is always included: `toMint` is credited to its sender, the call
    /// runs (at the gas price L1 charged for, with no nonce of the sender's spent), and what
    /// the tx did not spend of `toMint` (unused gas; the value too if the call failed) goes to
    /// its refund recipient. Its service log says whether the call succeeded.
    pub(super) fn execute_l1_tx(
        &self,
        evm: &mut Evm<OutputInspector>,
        tx: ReadyTx,
        l1: &L1Tx,
        block: &BlockContext,
        index: usize,
        cumulative: &mut u64,
    ) -> ExecutedTx {
        let frame = L1Frame::begin(
            &mut evm.ctx.journaled_state.database.state,
            l1,
            self.protocol,
        );
        let mut env = tx_env(&tx.envelope, tx.sender);
        env.nonce = frame.nonce();
        // L1 txs run with native to spare (ZKsync OS's `L1_TX_NATIVE_PER_GAS`): not charged.
        // Not even startable (`toMint` does not cover gas and value): nothing ran.
        let (success, gas_used, logs, revert) = run_unmetered(evm, env, tx.hash, "L1 tx");
        let (console, trace) = evm.inspector.take(success);
        frame.end(
            &mut evm.ctx.journaled_state.database.state,
            gas_used,
            success,
        );
        self.pay_base_fee(
            &mut evm.ctx.journaled_state.database.state,
            block,
            &tx,
            gas_used,
        );
        *cumulative += gas_used;
        let mut l2_to_l1_logs = messages(&logs, index);
        l2_to_l1_logs.push(L2ToL1Log {
            shard_id: 0,
            is_service: true,
            tx_number_in_block: index as u16,
            sender: BOOTLOADER,
            key: tx.hash,
            value: B256::from(U256::from(success as u8)),
        });
        ExecutedTx {
            tx,
            success,
            gas_used,
            cumulative_gas_used: *cumulative,
            logs,
            l2_to_l1_logs,
            contract_address: None,
            effective_gas_price: l1.canonical.maxFeePerGas.saturating_to(),
            revert,
            console,
            trace,
        }
    }
}
