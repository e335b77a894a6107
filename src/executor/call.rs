//! Calls and estimates: `eth_call`, `eth_estimateGas`, `eth_createAccessList` and bundles of
//! calls, run on a state without touching the chain, under the same rules and gas model as a
//! block's txs (priced at the block's base fee, as zksync-os-server simulates).

use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{Address, B256};
use revm::{
    Context, ExecuteEvm, InspectEvm, MainBuilder, MainContext,
    context::{TxEnv, result::ExecutionResult},
};

use super::{
    BlockContext, CallError, CallOutput, Charged, Executor, error_message, halt_message,
    message_lengths,
    resources::{Charge, NativeMeter},
};
use crate::storage::state::{BlockHashes, StateDb, StateSnapshot};
use revm_inspectors::transfer::TransferInspector;

impl Executor {
    /// Runs a call without committing anything. Under ZKsync OS's rules its gas used includes
    /// `deltaGas` at the block's base fee (a call's price, as zksync-os-server simulates), and a
    /// call that runs out of native fails.
    pub fn call(
        &self,
        state: StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        tx: TxEnv,
    ) -> Result<CallOutput, CallError> {
        let ran = self.run_call(state, block_hashes, block, tx, CallMode::default())?;
        ran.outcome
    }

    /// Runs a call on `state` and leaves what it changed there, a reverted call's sender nonce
    /// included (each call of an `eth_callMany` bundle sees the ones before it); a call that
    /// runs out of native changes nothing.
    pub fn call_in_place(
        &self,
        state: &mut StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        tx: TxEnv,
    ) -> Result<CallOutput, CallError> {
        self.simulate_in_place(state, block_hashes, block, tx, CallMode::default())?
            .outcome
    }

    /// `call_in_place` under `mode` (`eth_simulateV1`): also answers the gas a failed call
    /// used. The outer error: the call is not a valid tx.
    pub fn simulate_in_place(
        &self,
        state: &mut StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        tx: TxEnv,
        mode: CallMode,
    ) -> Result<Simulated, CallError> {
        let ran = self.run_call(state.clone(), block_hashes, block, tx, mode)?;
        if let Some(changes) = ran.changes {
            state.apply(changes);
        }
        Ok(Simulated {
            outcome: ran.outcome,
            gas_used: ran.gas_used,
            max_used_gas: ran.max_used_gas,
        })
    }

    /// Runs a call, answering what it changed (`None` when it ran out of native). The error:
    /// the call is not a valid tx.
    fn run_call(
        &self,
        state: StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        tx: TxEnv,
        mode: CallMode,
    ) -> Result<Ran, CallError> {
        let metered = self.metered();
        let before = state.clone();
        let db = StateDb {
            state,
            block_hashes,
        };
        // The transfer logs go into the journal, so they sit among the call's own logs in
        // execution order, as the spec wants.
        let transfers = TransferInspector::new(false).with_logs(mode.trace_transfers);
        let mut evm = Context::mainnet()
            .with_db(db)
            .with_block(block.env())
            .with_cfg(self.cfg(!mode.validate))
            .build_mainnet_with_inspector((NativeMeter::new(metered), transfers))
            .with_precompiles(self.rules.precompiles(self.spec()));
        let charged = Charged::of(&tx, u128::from(block.base_fee));
        let result = match metered || mode.trace_transfers {
            true => evm.inspect_tx(tx),
            false => evm.transact(tx),
        }
        .map_err(|e| CallError::Invalid(error_message(&e)))?;
        let mut gas_used = result.result.tx_gas_used();
        // Before refunds (geth's `peakGasUsed`: the EIP-7623 floor when that is more).
        let gas = result.result.gas();
        let peak = gas.total_gas_spent().max(gas.floor_gas());
        if metered && !result.result.is_halt() {
            // Measured only: a call pays no fees, so there is nothing to settle.
            let charge = self.native_charge(
                &before,
                &result.state,
                &charged,
                block.coinbase,
                evm.inspector.0.take(),
                gas_used,
                &message_lengths(result.result.logs()),
            );
            match charge {
                Charge::Gas(gas) => gas_used = gas,
                Charge::OutOfNative => {
                    return Ok(Ran {
                        outcome: Err(CallError::Halt(OUT_OF_NATIVE.into())),
                        gas_used: charged.gas_limit(),
                        max_used_gas: charged.gas_limit(),
                        changes: None,
                    });
                }
            }
        }
        let outcome = match result.result {
            ExecutionResult::Success { output, logs, .. } => Ok(CallOutput {
                output: output.into_data(),
                gas_used,
                logs,
            }),
            ExecutionResult::Revert { output, .. } => Err(CallError::Revert(output)),
            ExecutionResult::Halt { reason, .. } => Err(CallError::Halt(halt_message(&reason))),
        };
        Ok(Ran {
            outcome,
            gas_used,
            // `deltaGas` is charged after the refund, so it can be the larger.
            max_used_gas: peak.max(gas_used),
            changes: Some(result.state),
        })
    }

    /// The access list a call needs (every account and slot it touches, except the sender,
    /// the callee and precompiles, as geth does), and the gas the call uses with it.
    pub fn access_list(
        &self,
        state: StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        mut tx: TxEnv,
    ) -> Result<(AccessList, u64), CallError> {
        let db = StateDb {
            state: state.clone(),
            block_hashes: block_hashes.clone(),
        };
        let mut evm = Context::mainnet()
            .with_db(db)
            .with_block(block.env())
            .with_cfg(self.cfg(true))
            .build_mainnet()
            .with_precompiles(self.rules.precompiles(self.spec()));
        let result = evm
            .transact(tx.clone())
            .map_err(|e| CallError::Invalid(error_message(&e)))?;
        let precompiles = self.rules.precompile_set();
        // Warm anyway (EIP-2929, EIP-3651): listing them would only cost 2,400 gas each.
        let excluded = |a: &Address| {
            *a == tx.caller
                || Some(*a) == tx.kind.to().copied()
                || *a == block.coinbase
                || precompiles.contains(a)
        };
        let mut items: Vec<AccessListItem> = result
            .state
            .iter()
            .filter(|(address, _)| !excluded(address))
            .map(|(address, account)| {
                let mut storage_keys: Vec<B256> =
                    account.storage.keys().map(|k| B256::from(*k)).collect();
                storage_keys.sort();
                AccessListItem {
                    address: *address,
                    storage_keys,
                }
            })
            .collect();
        items.sort_by_key(|item| item.address);
        let list = AccessList(items);
        tx.access_list = list.clone();
        // A legacy tx carries no list: measure the gas as the EIP-2930 tx the caller will send.
        tx.tx_type = tx.tx_type.max(1);
        let out = self.call(state, block_hashes, block, tx)?;
        Ok((list, out.gas_used))
    }

    /// Smallest gas limit with which `tx` succeeds (binary search up to `cap`).
    pub fn estimate_gas(
        &self,
        state: StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        mut tx: TxEnv,
        cap: u64,
    ) -> Result<u64, CallError> {
        let mut lo = self
            .intrinsic_gas(&tx, u128::from(block.base_fee))
            .saturating_sub(1);
        tx.gas_limit = cap;
        let first = self.call(state.clone(), block_hashes.clone(), block, tx.clone())?;
        let mut hi = cap;
        // Most txs need just a little more than they use (63/64 rule, refunds): try that first.
        let guess = (first.gas_used + 2_300) * 64 / 63;
        if guess < hi {
            tx.gas_limit = guess;
            if self
                .call(state.clone(), block_hashes.clone(), block, tx.clone())
                .is_ok()
            {
                hi = guess;
            } else {
                lo = lo.max(guess);
            }
        }
        lo = lo.max(first.gas_used.saturating_sub(1));
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            tx.gas_limit = mid;
            match self.call(state.clone(), block_hashes.clone(), block, tx.clone()) {
                Ok(_) => hi = mid,
                Err(CallError::Invalid(msg)) if !is_gas_error(&msg) => {
                    return Err(CallError::Invalid(msg));
                }
                Err(_) => lo = mid,
            }
        }
        Ok(hi)
    }
}

/// How a call runs beyond `eth_call`'s defaults (`eth_simulateV1`'s options).
#[derive(Debug, Clone, Copy, Default)]
pub struct CallMode {
    /// The checks a real tx gets (nonce, base fee, block gas limit), else `eth_call`'s.
    pub validate: bool,
    /// ETH transfers as ERC-20 style `Transfer` logs from
    /// `0xEeeeeEeeeEeEeEeEeEeEEEeeeeEeeeeeeEEeE`.
    pub trace_transfers: bool,
}

/// A simulated call: its outcome and the gas it used, failed or not.
#[derive(Debug)]
pub struct Simulated {
    /// What `call` would answer.
    pub outcome: Result<CallOutput, CallError>,
    /// Gas used, `deltaGas` included.
    pub gas_used: u64,
    /// The most gas it held at once: before the refund, or `gas_used` if more
    /// (`eth_simulateV1`'s `maxUsedGas`).
    pub max_used_gas: u64,
}

/// A call run, before its changes are kept or dropped.
struct Ran {
    outcome: Result<CallOutput, CallError>,
    gas_used: u64,
    max_used_gas: u64,
    changes: Option<revm::state::EvmState>,
}

fn is_gas_error(msg: &str) -> bool {
    msg.contains("gas")
}

/// Why a call fails that ZKsync OS stops for lack of native resources.
pub const OUT_OF_NATIVE: &str = "out of native resources";
