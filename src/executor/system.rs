//! What a system tx (`0x7d`) does: one call from the bootloader (`0x…8001`) at gas price 0,
//! with no nonce of its own spent and no fee paid, always included (a failed one is recorded
//! as failed), as ZKsync OS runs its interop-root imports.

use super::{
    Evm, ExecutedTx, inspector::OutputInspector, messages, priority::run_unmetered, tx_env,
};
use crate::tx::ReadyTx;

impl super::Executor {
    /// Runs one system tx.
    pub(super) fn execute_system_tx(
        &self,
        evm: &mut Evm<OutputInspector>,
        tx: ReadyTx,
        index: usize,
        cumulative: &mut u64,
    ) -> ExecutedTx {
        let nonce = evm.ctx.journaled_state.database.state.nonce(&tx.sender);
        let mut env = tx_env(&tx.envelope, tx.sender);
        env.nonce = nonce;
        let (success, gas_used, logs, revert) = run_unmetered(evm, env, tx.hash, "system tx");
        let (console, trace) = evm.inspector.take(success);
        evm.ctx
            .journaled_state
            .database
            .state
            .account_mut(tx.sender)
            .info
            .nonce = nonce;
        *cumulative += gas_used;
        let l2_to_l1_logs = messages(&logs, index);
        ExecutedTx {
            tx,
            success,
            gas_used,
            cumulative_gas_used: *cumulative,
            logs,
            l2_to_l1_logs,
            contract_address: None,
            effective_gas_price: 0,
            revert,
            console,
            trace,
        }
    }
}
