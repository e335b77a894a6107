//! Records: what the data dir stores for each chain. A block record is the
//! block as the RPC serves it (header, txs, receipts, L2->L1 logs) plus the final values of
//! everything it changed, so a chain comes back by re-applying each block's changes in order:
//! nothing is re-executed. Records are RLP (alloy-rlp derive).
//!
//! The same records make up a dump (`dump::DevnetDump`: `anvil_dumpState`, `--dump-state`, a
//! named snapshot). One `FORMAT_VERSION` covers both.
//!
//! `rebuild`: records -> a chain's stores (`RebuiltChain`).

use std::sync::Arc;

use alloy_consensus::{Header, TxEnvelope};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256};
use alloy_rlp::{RlpDecodable, RlpEncodable};
use alloy_sol_types::SolValue;
use anyhow::{Context as _, bail};

mod compact;
mod rebuild;

pub use compact::{receipt_from_record, receipt_record};
pub use rebuild::{RebuiltChain, rebuild};

use crate::{
    chain_settings::{BlockClock, ChainSettings},
    storage::{
        StoredBlock, StoredTx,
        state::{AccountLeaf, BlockWrites},
    },
    tx::{EIP712_TX_TYPE, Envelope, L1_TX_TYPE, L1Tx, L2ToL1Log, ReadyTx, decode_eip712},
};

/// Version of the records. Bumped on any change to them or to what they mean; older versions are
/// refused by name. 2: the L2 genesis has the ZK Stack bridge (asset router, native token vault),
/// the L1 genesis the native token vault, and L2->L1 log leaves number a tx by its index in its
/// block. 3: a tx record's receipt leaves out the logs bloom (256 bytes, recomputed from the
/// logs when read) and an account write the code hash of an account without code (32 bytes);
/// version 2's records are read as well.
pub const FORMAT_VERSION: u64 = 3;

/// The oldest version whose records this one reads.
pub const OLDEST_FORMAT_READ: u64 = 2;

/// One tx of a block, with its receipt.
#[derive(Debug, Clone, RlpEncodable, RlpDecodable)]
pub struct TxRecord {
    /// EIP-2718 encoding (`0x7f ‖ abi(L2CanonicalTransaction)` for an L1 tx).
    pub raw: Bytes,
    /// Recovered sender.
    pub sender: Address,
    /// The consensus receipt, EIP-2718 encoded without its logs bloom ([`receipt_record`]).
    pub receipt: Bytes,
    /// What it sent to L1.
    pub logs: Vec<L2ToL1Log>,
    /// Gas used by this tx alone.
    pub gas_used: u64,
    /// Price paid per gas.
    pub effective_gas_price: u128,
    /// Created contract (empty for none).
    pub contract_address: Bytes,
    /// Whether it reverted with data (`revert` holds it, possibly empty).
    pub reverted: bool,
    /// Revert data.
    pub revert: Bytes,
}

/// An account's final value after a block. RLP as a list of its fields, the code hash empty
/// for an account without code (`compact.rs`).
#[derive(Debug, Clone)]
pub struct AccountWrite {
    /// Whose.
    pub address: Address,
    /// False when the account no longer exists (self-destructed).
    pub exists: bool,
    /// Nonce.
    pub nonce: u64,
    /// Balance.
    pub balance: U256,
    /// Code hash.
    pub code_hash: B256,
    /// Code length.
    pub code_len: u32,
}

impl AccountWrite {
    /// The write of an account that does not exist.
    pub fn absent(address: Address) -> Self {
        Self {
            address,
            exists: false,
            nonce: 0,
            balance: U256::ZERO,
            code_hash: KECCAK256_EMPTY,
            code_len: 0,
        }
    }
}

/// A storage slot's final value after a block (zero: cleared).
#[derive(Debug, Clone, RlpEncodable, RlpDecodable)]
pub struct SlotWrite {
    /// Whose.
    pub address: Address,
    /// Slot.
    pub slot: U256,
    /// Value.
    pub value: U256,
}

/// Everything a block changed, as records.
#[derive(Debug, Clone, Default, RlpEncodable, RlpDecodable)]
pub struct WritesRecord {
    /// Accounts.
    pub accounts: Vec<AccountWrite>,
    /// Slots.
    pub slots: Vec<SlotWrite>,
}

/// A sealed block, its txs and receipts, and what it changed.
#[derive(Debug, Clone, RlpEncodable, RlpDecodable)]
pub struct BlockRecord {
    /// Header.
    pub header: Header,
    /// Txs in order.
    pub txs: Vec<TxRecord>,
    /// State changes.
    pub writes: WritesRecord,
}

/// The next block's settings that outlive a restart (the one-shot next timestamp does not).
#[derive(Debug, Clone, Copy, RlpEncodable, RlpDecodable)]
pub struct SettingsRecord {
    /// Chain id.
    pub chain_id: u64,
    /// Block gas limit.
    pub gas_limit: u64,
    /// Base fee.
    pub base_fee: u64,
    /// Fee recipient.
    pub coinbase: Address,
    /// Seconds added to the wall clock (two's complement).
    pub clock_offset: u64,
    /// Whether blocks are a fixed interval apart.
    pub has_interval: bool,
    /// That interval.
    pub interval: u64,
}

/// A sealed batch's bounds and how far it got (the batcher seals at these bounds again after
/// a restart or a load, so L1's record of each batch stays true).
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
#[rlp(trailing)]
pub struct BatchMark {
    /// Batch number.
    pub number: u64,
    /// First L2 block.
    pub first_block: u64,
    /// Last L2 block.
    pub last_block: u64,
    /// Hash of the last block.
    pub last_block_hash: B256,
    /// Who proved it (empty: not yet).
    pub prover: String,
    /// L1 steps: commit, prove, execute (`at` 0: not yet).
    pub steps: Vec<StepRecord>,
    /// The hashes it is known by, so they are answered before the batcher has sealed it again
    /// (`None`: written by a zkos-dev that did not keep them; a trailing field, so those marks
    /// still read).
    pub hashes: Option<BatchHashes>,
}

/// The hashes of a sealed batch that need its state tree to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct BatchHashes {
    /// The state commitment (`rootHash` in `zks_getL1BatchDetails`, `batchHash` on L1).
    pub state_commitment: B256,
    /// The state tree's root.
    pub state_root: B256,
    /// The batch commitment L1 stores.
    pub commitment: B256,
}

/// One L1 step of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct StepRecord {
    /// L1 tx hash.
    pub tx: B256,
    /// Unix seconds (0: not taken).
    pub at: u64,
}

/// A tx waiting in the pool, with its sender (impersonated txs carry no valid signature).
#[derive(Debug, Clone, RlpEncodable, RlpDecodable)]
pub struct PoolTx {
    /// EIP-2718 encoding.
    pub raw: Bytes,
    /// Sender.
    pub sender: Address,
}

impl PoolTx {
    /// The record of a pool tx.
    pub fn from_tx(tx: &ReadyTx) -> Self {
        Self {
            raw: tx.envelope.encoded_2718().into(),
            sender: tx.sender,
        }
    }

    /// The tx back.
    pub fn to_tx(&self) -> anyhow::Result<ReadyTx> {
        let envelope = decode_envelope(&self.raw)?;
        let hash = envelope.hash();
        Ok(ReadyTx {
            hash,
            sender: self.sender,
            envelope,
        })
    }
}

/// Accepts `version` of a format whose current version is `current`, or says why not.
pub fn check_version(version: u64, current: u64, what: &str) -> anyhow::Result<()> {
    match version {
        v if v == current => Ok(()),
        v if v > current => bail!(
            "this {what} has format version {v}, newer than this zkos-dev reads ({current}): use a newer zkos-dev"
        ),
        v => bail!(
            "this {what} has format version {v}, which this zkos-dev (format {current}) cannot read: start over with `zkos-dev reset`"
        ),
    }
}

impl WritesRecord {
    /// Records of a block's writes.
    pub fn from_writes(writes: &BlockWrites) -> Self {
        Self {
            accounts: writes
                .accounts
                .iter()
                .map(|(address, leaf)| match leaf {
                    Some(leaf) => AccountWrite {
                        address: *address,
                        exists: true,
                        nonce: leaf.nonce,
                        balance: leaf.balance,
                        code_hash: leaf.code_hash,
                        code_len: leaf.code_len,
                    },
                    None => AccountWrite::absent(*address),
                })
                .collect(),
            slots: writes
                .slots
                .iter()
                .map(|(address, slot, value)| SlotWrite {
                    address: *address,
                    slot: *slot,
                    value: *value,
                })
                .collect(),
        }
    }

    /// The writes back.
    pub fn to_writes(&self) -> BlockWrites {
        BlockWrites {
            accounts: self
                .accounts
                .iter()
                .map(|a| {
                    let leaf = a.exists.then_some(AccountLeaf {
                        nonce: a.nonce,
                        balance: a.balance,
                        code_hash: a.code_hash,
                        code_len: a.code_len,
                    });
                    (a.address, leaf)
                })
                .collect(),
            slots: self
                .slots
                .iter()
                .map(|s| (s.address, s.slot, s.value))
                .collect(),
        }
    }

    /// Code hashes the written accounts point at (none for code-less accounts).
    pub fn code_hashes(&self) -> impl Iterator<Item = B256> + '_ {
        self.accounts
            .iter()
            .filter(|a| a.exists && a.code_hash != KECCAK256_EMPTY && a.code_hash != B256::ZERO)
            .map(|a| a.code_hash)
    }
}

impl BlockRecord {
    /// The record of a sealed block.
    pub fn from_block(block: &StoredBlock) -> Self {
        Self {
            header: block.header.clone(),
            txs: block.txs.iter().map(|tx| TxRecord::from_tx(tx)).collect(),
            writes: WritesRecord::from_writes(&block.writes),
        }
    }

    /// The block back, as the sequencer sealed it.
    pub fn to_block(&self) -> anyhow::Result<StoredBlock> {
        let hash = self.header.hash_slow();
        let mut first_log_index = 0;
        let txs = self
            .txs
            .iter()
            .enumerate()
            .map(|(index, record)| {
                let tx = record.to_tx(&self.header, hash, index as u64, first_log_index)?;
                first_log_index += tx.receipt.logs().len() as u64;
                Ok(Arc::new(tx))
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .with_context(|| format!("block {}", self.header.number))?;
        Ok(StoredBlock {
            header: self.header.clone(),
            hash,
            txs,
            writes: Arc::new(self.writes.to_writes()),
        })
    }
}

impl TxRecord {
    fn from_tx(tx: &StoredTx) -> Self {
        Self {
            raw: tx.tx.envelope.encoded_2718().into(),
            sender: tx.tx.sender,
            receipt: receipt_record(&tx.receipt),
            logs: tx.l2_to_l1_logs.clone(),
            gas_used: tx.gas_used,
            effective_gas_price: tx.effective_gas_price,
            contract_address: tx
                .contract_address
                .map(|a| Bytes::copy_from_slice(a.as_slice()))
                .unwrap_or_default(),
            reverted: tx.revert.is_some(),
            revert: tx.revert.clone().unwrap_or_default(),
        }
    }

    fn to_tx(
        &self,
        header: &Header,
        block_hash: B256,
        index: u64,
        first_log_index: u64,
    ) -> anyhow::Result<StoredTx> {
        let envelope = decode_envelope(&self.raw)?;
        let hash = envelope.hash();
        let receipt = receipt_from_record(&self.receipt)
            .map_err(|e| anyhow::anyhow!("receipt of tx {hash}: {e}"))?;
        let contract_address = match self.contract_address.len() {
            0 => None,
            20 => Some(Address::from_slice(&self.contract_address)),
            n => bail!("tx {hash}: a contract address of {n} bytes"),
        };
        Ok(StoredTx {
            tx: ReadyTx {
                hash,
                sender: self.sender,
                envelope,
            },
            receipt,
            l2_to_l1_logs: self.logs.clone(),
            gas_used: self.gas_used,
            effective_gas_price: self.effective_gas_price,
            contract_address,
            revert: self.reverted.then(|| self.revert.clone()),
            block_number: header.number,
            block_hash,
            block_timestamp: header.timestamp,
            index,
            first_log_index,
            console: vec![],
            trace: None,
        })
    }
}

/// A tx from its EIP-2718 bytes, `0x7f` L1 txs and `0x7d` system txs included.
pub fn decode_envelope(raw: &[u8]) -> anyhow::Result<Envelope> {
    match raw.split_first() {
        Some((&L1_TX_TYPE, body)) => {
            let canonical = crate::abi::L2CanonicalTransaction::abi_decode(body)
                .context("an L1 tx that does not decode")?;
            Ok(Envelope::L1(Box::new(L1Tx::new(canonical))))
        }
        Some((&crate::tx::SYSTEM_TX_TYPE, body)) => Ok(Envelope::System(Box::new(
            crate::tx::SystemTx::decode(body)?,
        ))),
        Some((&EIP712_TX_TYPE, mut body)) => {
            let tx = decode_eip712(&mut body)
                .map_err(|e| anyhow::anyhow!("an EIP-712 tx that does not decode: {e}"))?;
            Ok(Envelope::Eip712(Box::new(tx.tx)))
        }
        _ => Ok(Envelope::Eth(
            TxEnvelope::decode_2718(&mut &raw[..])
                .map_err(|e| anyhow::anyhow!("a tx that does not decode: {e}"))?,
        )),
    }
}

impl SettingsRecord {
    /// The record of the next block's settings.
    pub fn from_settings(s: &ChainSettings) -> Self {
        Self {
            chain_id: s.chain_id,
            gas_limit: s.gas_limit,
            base_fee: s.base_fee,
            coinbase: s.coinbase,
            clock_offset: s.clock.offset as u64,
            has_interval: s.clock.interval.is_some(),
            interval: s.clock.interval.unwrap_or_default(),
        }
    }

    /// The settings back.
    pub fn to_settings(self) -> ChainSettings {
        ChainSettings {
            chain_id: self.chain_id,
            gas_limit: self.gas_limit,
            base_fee: self.base_fee,
            coinbase: self.coinbase,
            clock: BlockClock {
                offset: self.clock_offset as i64,
                next: None,
                interval: self.has_interval.then_some(self.interval),
            },
        }
    }
}
