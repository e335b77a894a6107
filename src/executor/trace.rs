//! Re-execution under an inspector: the txs of a mined block (`debug_trace*`, `trace_*`) or
//! a call (`debug_traceCall`), with the state before each traced tx for the prestate tracer.

use std::convert::Infallible;

use alloy_primitives::{Address, B256, U256};
use revm::{
    DatabaseRef, InspectEvm, Inspector,
    bytecode::Bytecode,
    context::{BlockEnv, TxEnv, result::ResultAndState},
    handler::MainnetContext,
    state::AccountInfo,
};

use super::{
    BlockContext, CallError, Executor, error_message,
    priority::{L1Frame, l1_cfg},
    tx_env,
};
use crate::{
    storage::state::{BlockHashes, StateDb, StateSnapshot},
    tx::ReadyTx,
};

/// One tx (or call) re-run under an inspector, as `trace_block` / `trace_call` hand it over.
pub struct Inspected<'a> {
    /// Position in the list of txs given (0 for a call).
    pub index: usize,
    /// The revm tx.
    pub env: &'a TxEnv,
    /// The block it ran in.
    pub block: &'a BlockEnv,
    /// Its result and the state it touched (not committed yet).
    pub result: &'a ResultAndState,
    /// The state just before it.
    pub pre: &'a StateSnapshot,
}

impl Executor {
    /// Re-executes txs of a mined block on `state`, the state of its parent: `txs[..first]` as
    /// the sequencer ran them (to rebuild the state they leave), then each of `txs[first..]`
    /// under `inspector`, handed to `each`. `each` resets the inspector.
    #[allow(clippy::too_many_arguments)] // the execute_block inputs plus what to trace and how
    pub fn trace_block<I, T>(
        &self,
        state: StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        txs: &[ReadyTx],
        first: usize,
        inspector: &mut I,
        each: impl FnMut(&mut I, Inspected<'_>) -> T,
    ) -> Result<Vec<T>, CallError>
    where
        I: Inspector<MainnetContext<StateDb>>,
    {
        let (out, _) =
            self.replay_block(state, block_hashes, block, txs, first, inspector, each)?;
        Ok(out)
    }

    /// The state `txs` (the first txs of a mined block) leave on `state`, its parent's: where a
    /// call placed inside that block runs (`eth_callMany` with a `transactionIndex`).
    pub fn state_within_block(
        &self,
        state: StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        txs: &[ReadyTx],
    ) -> Result<StateSnapshot, CallError> {
        let mut none = revm::inspector::NoOpInspector;
        let (_, state) = self.replay_block(
            state,
            block_hashes,
            block,
            txs,
            txs.len(),
            &mut none,
            |_, _| (),
        )?;
        Ok(state)
    }

    /// `trace_block`, also answering the state after the last tx. The txs run as the sequencer
    /// ran them (`execute_block`: the same gas model, fee payments and L1 tx accounting), so the
    /// state each traced tx starts from is the one it had when the block was produced; a traced
    /// tx is then run once more under `inspector`, on that state.
    #[allow(clippy::too_many_arguments)] // trace_block's
    fn replay_block<I, T>(
        &self,
        state: StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        txs: &[ReadyTx],
        first: usize,
        inspector: &mut I,
        mut each: impl FnMut(&mut I, Inspected<'_>) -> T,
    ) -> Result<(Vec<T>, StateSnapshot), CallError>
    where
        I: Inspector<MainnetContext<StateDb>>,
    {
        // The chain id the block's txs were accepted under (it may have changed since), no
        // node output.
        let producer = Executor {
            chain_id: txs
                .iter()
                .find_map(|tx| alloy_consensus::Transaction::chain_id(&tx.envelope))
                .unwrap_or(self.chain_id),
            output: None,
            ..self.clone()
        };
        let produce = |state: StateSnapshot, txs: &[ReadyTx]| -> Result<StateSnapshot, CallError> {
            let outcome = producer.execute_block(state, block_hashes.clone(), block, txs.to_vec());
            match outcome.invalid.into_iter().next() {
                Some((tx, reason)) => Err(CallError::Invalid(format!(
                    "replaying tx {} of the block: {reason}",
                    tx.hash
                ))),
                None => Ok(outcome.state),
            }
        };
        let first = first.min(txs.len());
        let mut state = match first {
            0 => state,
            n => produce(state, &txs[..n])?,
        };
        let block_env = block.env();
        let mut out = Vec::with_capacity(txs.len() - first);
        for (index, tx) in txs.iter().enumerate().skip(first) {
            let db = StateDb {
                state: state.clone(),
                block_hashes: block_hashes.clone(),
            };
            let mut evm = producer.evm(db, block, producer.trace_cfg(false), &mut *inspector);
            let mut env = tx_env(&tx.envelope, tx.sender);
            if let Some(l1) = tx.envelope.as_l1() {
                let frame = L1Frame::begin(
                    &mut evm.ctx.journaled_state.database.state,
                    l1,
                    self.protocol,
                );
                env.nonce = frame.nonce();
                evm.ctx.cfg = l1_cfg(&evm.ctx.cfg);
            }
            if tx.envelope.as_system().is_some() {
                env.nonce = evm.ctx.journaled_state.database.state.nonce(&tx.sender);
                evm.ctx.cfg = l1_cfg(&evm.ctx.cfg);
            }
            let pre = evm.ctx.journaled_state.database.state.clone();
            let result = evm
                .inspect_tx(env.clone())
                .map_err(|e| CallError::Invalid(error_message(&e)))?;
            let inspected = Inspected {
                index,
                env: &env,
                block: &block_env,
                result: &result,
                pre: &pre,
            };
            out.push(each(&mut *evm.inspector, inspected));
            state = produce(state, std::slice::from_ref(tx))?;
        }
        Ok((out, state))
    }

    /// Runs a call under `inspector` without committing anything (`debug_traceCall`).
    pub fn trace_call<I, T>(
        &self,
        state: StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        tx: TxEnv,
        inspector: &mut I,
        each: impl FnOnce(&mut I, Inspected<'_>) -> T,
    ) -> Result<T, CallError>
    where
        I: Inspector<MainnetContext<StateDb>>,
    {
        let pre = state.clone();
        let db = StateDb {
            state,
            block_hashes,
        };
        let mut evm = self.evm(db, block, self.trace_cfg(true), inspector);
        let block_env = block.env();
        let result = evm
            .inspect_tx(tx.clone())
            .map_err(|e| CallError::Invalid(error_message(&e)))?;
        let inspected = Inspected {
            index: 0,
            env: &tx,
            block: &block_env,
            result: &result,
            pre: &pre,
        };
        Ok(each(&mut *evm.inspector, inspected))
    }
}

/// A state snapshot as a read-only revm database: the state before a traced tx, which the
/// prestate tracer compares against.
#[derive(Debug, Clone)]
pub struct SnapshotDb(pub StateSnapshot);

impl DatabaseRef for SnapshotDb {
    type Error = Infallible;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, Infallible> {
        Ok(self.0.account(&address).map(|a| {
            let mut info = a.info.clone();
            info.code = self.0.code_by_hash(&info.code_hash);
            info
        }))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, Infallible> {
        Ok(self.0.code_by_hash(&code_hash).unwrap_or_default())
    }

    fn storage_ref(&self, address: Address, index: U256) -> Result<U256, Infallible> {
        Ok(self.0.storage(&address, index))
    }

    fn block_hash_ref(&self, _number: u64) -> Result<B256, Infallible> {
        Ok(B256::ZERO)
    }
}
