//! Executor: runs txs with revm over a state snapshot. Synchronous, no tokio.
//! `execute_block`: (state, block context, ordered txs) -> (new state, executed txs).
//! `trace_block` / `trace_call`: a mined block's txs or a call, re-run under an inspector.
//!
//! Submodules by concept: `rules` (ZKsync OS's or Ethereum's hardfork and precompiles),
//! `resources` (ZKsync OS's native resource and pubdata on top of EVM gas), `protocol` (the
//! ZKsync OS version imitated), `charge` (what a finished tx pays: deltaGas, out of native,
//! the base fee to the coinbase), `priority` (L1 txs), `call` (calls and estimates), `trace`
//! (re-execution under an inspector), `inspector` and `console` (the node output),
//! `messages` (the wording of refusals).

mod call;
mod charge;
pub mod console;
mod inspector;
mod messages;
mod priority;
mod protocol;
mod resources;
mod rules;
mod system;
mod trace;
mod tx_env;

pub use call::{CallMode, OUT_OF_NATIVE, Simulated};
pub use messages::{error_message, halt_message, invalid_tx_message};
pub use protocol::ProtocolVersion;
pub use resources::{ResourcePrices, TxResources, TxShape};
pub use rules::EvmRules;
pub use trace::{Inspected, SnapshotDb};
pub use tx_env::tx_env;

use charge::Charged;
use inspector::OutputInspector;

use alloy_consensus::Transaction as _;
use alloy_primitives::{Address, B256, Bytes, Log, TxKind, U256};
use alloy_sol_types::SolEvent as _;
use revm::{
    Context, ExecuteCommitEvm, ExecuteEvm, InspectEvm, MainBuilder, MainContext,
    context::{
        BlockEnv, CfgEnv, TxEnv,
        result::{ExecResultAndState, ExecutionResult},
    },
    context_interface::{block::BlobExcessGasAndPrice, cfg::gas::calculate_initial_tx_gas_for_tx},
    handler::{MainnetContext, MainnetEvm},
};

use crate::{
    abi::IL1Messenger,
    output::OutputConfig,
    storage::state::{BlockHashes, StateDb, StateSnapshot},
    tx::{Envelope, L1_MESSENGER, L2ToL1Log, ReadyTx},
};

/// What a block is executed in.
#[derive(Debug, Clone)]
pub struct BlockContext {
    /// Block number.
    pub number: u64,
    /// Unix timestamp, whole seconds.
    pub timestamp: u64,
    /// Fee recipient.
    pub coinbase: Address,
    /// Block gas limit.
    pub gas_limit: u64,
    /// Base fee per gas.
    pub base_fee: u64,
    /// PREVRANDAO value.
    pub prevrandao: B256,
}

impl BlockContext {
    /// The context a block with `header` was executed in.
    pub fn of_header(header: &alloy_consensus::Header) -> Self {
        Self {
            number: header.number,
            timestamp: header.timestamp,
            coinbase: header.beneficiary,
            gas_limit: header.gas_limit,
            base_fee: header.base_fee_per_gas.unwrap_or_default(),
            prevrandao: header.mix_hash,
        }
    }

    /// The revm block environment.
    pub fn env(&self) -> BlockEnv {
        BlockEnv {
            number: U256::from(self.number),
            beneficiary: self.coinbase,
            timestamp: U256::from(self.timestamp),
            gas_limit: self.gas_limit,
            basefee: self.base_fee,
            difficulty: U256::ZERO,
            prevrandao: Some(self.prevrandao),
            blob_excess_gas_and_price: Some(BlobExcessGasAndPrice::new(0, 1)),
            ..Default::default()
        }
    }
}

/// Outcome of one tx included in a block.
#[derive(Debug, Clone)]
pub struct ExecutedTx {
    /// The tx.
    pub tx: ReadyTx,
    /// True on success.
    pub success: bool,
    /// Gas used by this tx.
    pub gas_used: u64,
    /// Cumulative gas used in the block up to and including this tx.
    pub cumulative_gas_used: u64,
    /// Logs emitted (empty on failure).
    pub logs: Vec<Log>,
    /// What it sent to L1: its messages, then an L1 tx's service log.
    pub l2_to_l1_logs: Vec<L2ToL1Log>,
    /// Address of the created contract.
    pub contract_address: Option<Address>,
    /// Price paid per gas.
    pub effective_gas_price: u128,
    /// Revert data, if it reverted.
    pub revert: Option<Bytes>,
    /// Its `console.log` lines (recorded only when the node output is on).
    pub console: Vec<String>,
    /// Its call trace, rendered, when the node output asks for it.
    pub trace: Option<String>,
}

/// Result of executing a block.
#[derive(Debug)]
pub struct BlockOutcome {
    /// State after the block.
    pub state: StateSnapshot,
    /// Included txs, in order.
    pub executed: Vec<ExecutedTx>,
    /// Txs that turned out invalid when executed (dropped, with the reason).
    pub invalid: Vec<(ReadyTx, String)>,
}

/// Why a call or estimate did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// REVERT, with its data.
    #[error("execution reverted")]
    Revert(Bytes),
    /// Exceptional halt (out of gas, invalid opcode, ...).
    #[error("{0}")]
    Halt(String),
    /// The tx itself is invalid (nonce, funds, gas, ...).
    #[error("{0}")]
    Invalid(String),
}

/// Output of a successful call.
#[derive(Debug, Clone)]
pub struct CallOutput {
    /// Return data.
    pub output: Bytes,
    /// Gas used.
    pub gas_used: u64,
    /// Logs the call would emit.
    pub logs: Vec<Log>,
}

/// Runs txs for one chain.
#[derive(Debug, Clone)]
pub struct Executor {
    /// Chain id checked against txs.
    pub chain_id: u64,
    /// What the node output wants recorded while blocks execute (`console.log`, call traces).
    /// `None` (silent): blocks execute without an inspector.
    pub output: Option<OutputConfig>,
    /// ZKsync OS's or Ethereum's.
    pub rules: EvmRules,
    /// Whether EIP-7702 txs can run (they need Prague).
    pub allow_eip7702: bool,
    /// ZKsync OS's native and pubdata prices (used under its rules only).
    pub prices: ResourcePrices,
    /// The ZKsync OS protocol version imitated (L1 tx accounting).
    pub protocol: ProtocolVersion,
}

/// The evm every path builds: mainnet, over a state snapshot.
pub(super) type Evm<I> = MainnetEvm<MainnetContext<StateDb>, I>;

impl Executor {
    /// The hardfork txs run under.
    pub fn spec(&self) -> revm::primitives::hardfork::SpecId {
        match self.allow_eip7702 {
            true => self.rules.spec_with_eip7702(),
            false => self.rules.spec(),
        }
    }

    /// Whether L2 txs are charged ZKsync OS's native resource and pubdata.
    pub fn metered(&self) -> bool {
        self.rules == EvmRules::ZksyncOs && self.prices.on()
    }

    /// The least gas `tx` can run with at `gas_price`: its EVM intrinsic gas (with the EIP-7623
    /// floor where the rules have it), and under ZKsync OS's rules enough for its intrinsic
    /// native and pubdata.
    pub fn intrinsic_gas(&self, tx: &TxEnv, gas_price: u128) -> u64 {
        let gas = calculate_initial_tx_gas_for_tx(tx, self.spec(), None);
        let evm = match self.rules.calldata_floor() {
            true => gas.initial_regular_gas.max(gas.floor_gas),
            false => gas.initial_regular_gas,
        };
        match self.metered() {
            true => evm.max(self.prices.intrinsic_gas(&TxShape::of(tx), gas_price)),
            false => evm,
        }
    }

    fn cfg(&self, for_call: bool) -> CfgEnv {
        let mut cfg = CfgEnv::new_with_spec(self.spec());
        cfg.disable_eip7623 = !self.rules.calldata_floor();
        cfg.chain_id = self.chain_id;
        // The block gas limit is the only cap, as on ZKsync OS (no EIP-7825 per-tx cap).
        cfg.tx_gas_limit_cap = Some(u64::MAX);
        if for_call {
            cfg.disable_nonce_check = true;
            cfg.disable_base_fee = true;
            cfg.disable_block_gas_limit = true;
        }
        cfg
    }

    fn evm<I>(&self, db: StateDb, block: &BlockContext, cfg: CfgEnv, inspector: I) -> Evm<I> {
        Context::mainnet()
            .with_db(db)
            .with_block(block.env())
            .with_cfg(cfg)
            .build_mainnet_with_inspector(inspector)
            .with_precompiles(self.rules.precompiles(self.spec()))
    }

    /// The config of a re-execution: the txs were accepted when mined (the chain id may have
    /// changed since), a call is a call whatever chain id it names.
    fn trace_cfg(&self, for_call: bool) -> CfgEnv {
        let mut cfg = self.cfg(for_call);
        cfg.tx_chain_id_check = false;
        cfg
    }

    /// Executes `txs` in order on top of `state`. Txs that would exceed the block gas
    /// limit are deferred; txs that are invalid at execution time are dropped.
    /// With the node output on, each tx runs under an inspector recording its
    /// `console.log` lines (and its call trace when asked for).
    pub fn execute_block(
        &self,
        state: StateSnapshot,
        block_hashes: BlockHashes,
        block: &BlockContext,
        txs: Vec<ReadyTx>,
    ) -> BlockOutcome {
        let db = StateDb {
            state,
            block_hashes,
        };
        let mut evm = self.evm(
            db,
            block,
            self.cfg(false),
            OutputInspector::new(self.output, self.metered()),
        );
        let inspected = evm.inspector.needed();
        let mut executed = Vec::with_capacity(txs.len());
        let mut invalid = Vec::new();
        // Senders with a tx that did not fit: their later nonces wait too, or they would run
        // with a nonce gap and be dropped as invalid.
        let mut deferred = std::collections::HashSet::new();
        let mut cumulative = 0u64;
        for tx in txs {
            if let Envelope::System(_) = &tx.envelope {
                let index = executed.len();
                executed.push(self.execute_system_tx(&mut evm, tx, index, &mut cumulative));
                continue;
            }
            if let Envelope::L1(l1) = &tx.envelope {
                let l1 = l1.clone();
                let index = executed.len();
                executed.push(self.execute_l1_tx(&mut evm, tx, &l1, block, index, &mut cumulative));
                continue;
            }
            if deferred.contains(&tx.sender)
                || cumulative + tx.envelope.gas_limit() > block.gas_limit
            {
                deferred.insert(tx.sender);
                continue;
            }
            let env = tx_env(&tx.envelope, tx.sender);
            let charged = self
                .metered()
                .then(|| Charged::of(&env, tx.envelope.effective_gas_price(Some(block.base_fee))));
            let result = match inspected {
                true => evm.inspect_tx(env),
                false => evm.transact(env),
            };
            let metered = evm.inspector.meter.take();
            match result {
                Ok(ExecResultAndState {
                    result,
                    state: mut diff,
                }) => {
                    let effective_gas_price = tx.envelope.effective_gas_price(Some(block.base_fee));
                    let contract_address = match tx.envelope.kind() {
                        TxKind::Create => Some(tx.sender.create(tx.envelope.nonce())),
                        TxKind::Call(_) => None,
                    };
                    let mut gas_used = result.tx_gas_used();
                    let (mut success, mut logs, revert) = match result {
                        ExecutionResult::Success { logs, .. } => (true, logs, None),
                        ExecutionResult::Revert { output, .. } => (false, vec![], Some(output)),
                        ExecutionResult::Halt { .. } => (false, vec![], None),
                    };
                    if let Some(charged) = &charged {
                        let before = &evm.ctx.journaled_state.database.state;
                        let charge = self.native_charge(
                            before,
                            &diff,
                            charged,
                            block.coinbase,
                            metered,
                            gas_used,
                            &message_lengths(&logs),
                        );
                        let (gas, ran) =
                            self.settle_charge(before, &mut diff, charged, block, charge, gas_used);
                        gas_used = gas;
                        if !ran {
                            success = false;
                            logs.clear();
                        }
                    }
                    evm.commit(diff);
                    cumulative += gas_used;
                    self.pay_base_fee(
                        &mut evm.ctx.journaled_state.database.state,
                        block,
                        &tx,
                        gas_used,
                    );
                    let (console, trace) = evm.inspector.take(success);
                    let l2_to_l1_logs = messages(&logs, executed.len());
                    executed.push(ExecutedTx {
                        tx,
                        success,
                        gas_used,
                        cumulative_gas_used: cumulative,
                        logs,
                        l2_to_l1_logs,
                        contract_address,
                        effective_gas_price,
                        revert,
                        console,
                        trace,
                    });
                }
                Err(err) => {
                    evm.inspector.take(false);
                    invalid.push((tx, error_message(&err)));
                }
            }
        }
        BlockOutcome {
            state: evm.ctx.journaled_state.database.state,
            executed,
            invalid,
        }
    }
}

/// The length of each message a tx sent to L1 (the `bytes` of its `L1MessageSent`).
pub(super) fn message_lengths(logs: &[Log]) -> Vec<usize> {
    logs.iter()
        .filter(|log| log.address == L1_MESSENGER)
        .map(|log| log.data.data.len().saturating_sub(64))
        .collect()
}

/// The L2->L1 logs of a tx's messages: every `L1MessageSent` the messenger emitted.
pub(super) fn messages(logs: &[Log], tx_index: usize) -> Vec<L2ToL1Log> {
    logs.iter()
        .filter(|log| log.address == L1_MESSENGER)
        .filter_map(|log| {
            let topics = log.topics();
            (topics.len() == 3 && topics[0] == IL1Messenger::L1MessageSent::SIGNATURE_HASH).then(
                || L2ToL1Log {
                    shard_id: 0,
                    is_service: true,
                    tx_number_in_block: tx_index as u16,
                    sender: L1_MESSENGER,
                    key: topics[1],
                    value: topics[2],
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{accounts::dev_accounts, config::Config};
    use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
    use alloy_signer::SignerSync;
    use std::sync::Arc;

    fn transfer(account: usize, nonce: u64, gas_limit: u64) -> ReadyTx {
        let signer = dev_accounts(&Config::default().accounts).unwrap()[account].signer();
        let tx = TxEip1559 {
            chain_id: 270,
            nonce,
            gas_limit,
            max_fee_per_gas: 2_000,
            to: TxKind::Call(Address::repeat_byte(0xee)),
            value: U256::from(1),
            ..Default::default()
        };
        let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
        let envelope = TxEnvelope::from(tx.into_signed(sig));
        ReadyTx {
            hash: *envelope.tx_hash(),
            sender: signer.address(),
            envelope: envelope.into(),
        }
    }

    #[test]
    fn a_sender_whose_tx_does_not_fit_keeps_its_later_txs_for_the_next_block() {
        let mut state = StateSnapshot::default();
        for account in dev_accounts(&Config::default().accounts).unwrap() {
            state.account_mut(account.address).info.balance = U256::from(10u128.pow(24));
        }
        let block = BlockContext {
            number: 1,
            timestamp: 1,
            coinbase: Address::ZERO,
            gas_limit: 50_000,
            base_fee: 1_000,
            prevrandao: B256::ZERO,
        };
        let executor = Executor {
            chain_id: 270,
            output: None,
            rules: EvmRules::ZksyncOs,
            allow_eip7702: false,
            prices: ResourcePrices::DEFAULT,
            protocol: ProtocolVersion::default(),
        };
        // Account 1 uses 21,000 of 50,000; account 0's first tx (limit 40,000) then does not
        // fit, and its second (21,000, which would fit) must wait rather than run with a gap.
        let txs = vec![
            transfer(1, 0, 40_000),
            transfer(0, 0, 40_000),
            transfer(0, 1, 21_000),
        ];
        let outcome = executor.execute_block(state, Arc::new(|_| B256::ZERO), &block, txs);
        assert_eq!(outcome.executed.len(), 1);
        assert!(outcome.invalid.is_empty(), "{:?}", outcome.invalid);
        assert_eq!(outcome.state.nonce(&outcome.executed[0].tx.sender), 1);
    }
}
