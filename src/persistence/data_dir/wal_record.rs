//! The write-ahead log's records. Each carries its sequence number (the database keeps, per
//! chain, the last one it applied) and one of:
//! - a block's replay record ([`BlockInputs`]): what a restart needs to produce the block again
//!   through the sequencer (its header, which fixes the context and the expected hash, and its
//!   txs with their senders). The sequencer logs one per block it seals: small, and cheap to
//!   write on its path.
//! - a whole persist operation ([`PersistOp`]): anything else (the chain going back, a load, a
//!   new genesis, dev-method changes between blocks), applied as logged.
//! - a write to the batches' table ([`BatchWrite`]), applied as logged.
//!
//! A record written by an older version is a bare `PersistOp` (its RLP list header, 0xc0 or
//! above, is its first byte); those are applied in the order found, before the others.

use alloy_consensus::Header;
use alloy_eips::eip2718::Encodable2718 as _;
use alloy_primitives::{Address, B256, Bytes};
use alloy_rlp::{Decodable as _, Encodable as _};

use super::{Role, batch_log::BatchWrite, op::PersistOp};
use crate::{
    persistence::records::{SettingsRecord, decode_envelope},
    storage::StoredBlock,
    tx::ReadyTx,
};

const OPERATION: u8 = 0;
const BLOCK: u8 = 1;
const BATCH: u8 = 2;

/// One tx of a replay record.
#[derive(Debug, Clone, alloy_rlp::RlpEncodable, alloy_rlp::RlpDecodable)]
struct InputTx {
    /// EIP-2718 encoding (`0x7f ‖ abi(L2CanonicalTransaction)` for an L1 tx).
    raw: Bytes,
    /// Its sender (recovered when it was sent).
    sender: Address,
}

/// A block's replay record.
#[derive(Debug, Clone, alloy_rlp::RlpEncodable, alloy_rlp::RlpDecodable)]
pub(super) struct BlockInputs {
    /// 0: the L2, 1: the L1.
    role: u8,
    /// Its header: the context to replay it in, and (hashed) what the replay must give.
    header: Header,
    txs: Vec<InputTx>,
    /// The priority id of the next L1 tx after it.
    next_l1_tx: u64,
    /// The next block's settings after it.
    settings: SettingsRecord,
}

impl BlockInputs {
    pub(super) fn of(
        role: Role,
        block: &StoredBlock,
        next_l1_tx: u64,
        settings: SettingsRecord,
    ) -> Self {
        Self {
            role: role as u8,
            header: block.header.clone(),
            txs: block
                .txs
                .iter()
                .map(|tx| InputTx {
                    raw: tx.tx.envelope.encoded_2718().into(),
                    sender: tx.tx.sender,
                })
                .collect(),
            next_l1_tx,
            settings,
        }
    }
}

/// What a record holds.
#[derive(Debug)]
pub(super) enum Logged {
    Operation(Box<PersistOp>),
    Block(Box<BlockInputs>),
    Batch(Box<BatchWrite>),
}

impl Logged {
    pub(super) fn role(&self) -> anyhow::Result<Role> {
        let role = match self {
            Self::Operation(op) => op.role,
            Self::Block(block) => block.role,
            Self::Batch(_) => Role::L2 as u8,
        };
        Role::logged(role)
    }
}

/// The record of `logged`, number `seq`.
pub(super) fn record(seq: u64, logged: &Logged) -> Vec<u8> {
    let mut bytes = Vec::new();
    match logged {
        Logged::Operation(op) => {
            bytes.push(OPERATION);
            bytes.extend_from_slice(&seq.to_be_bytes());
            op.encode(&mut bytes);
        }
        Logged::Block(block) => {
            bytes.push(BLOCK);
            bytes.extend_from_slice(&seq.to_be_bytes());
            block.encode(&mut bytes);
        }
        Logged::Batch(write) => {
            bytes.push(BATCH);
            bytes.extend_from_slice(&seq.to_be_bytes());
            write.encode(&mut bytes);
        }
    }
    bytes
}

/// A record's sequence number (0: an older version's record) and what it holds.
pub(super) fn from_record(bytes: &[u8]) -> alloy_rlp::Result<(u64, Logged)> {
    match bytes.split_first() {
        Some((&tag, rest)) if tag < 0xc0 && rest.len() >= 8 => {
            let seq = u64::from_be_bytes(rest[..8].try_into().expect("8 bytes"));
            let mut body = &rest[8..];
            match tag {
                OPERATION => Ok((
                    seq,
                    Logged::Operation(Box::new(PersistOp::decode(&mut body)?)),
                )),
                BLOCK => Ok((
                    seq,
                    Logged::Block(Box::new(BlockInputs::decode(&mut body)?)),
                )),
                BATCH => Ok((seq, Logged::Batch(Box::new(BatchWrite::decode(&mut body)?)))),
                _ => Err(alloy_rlp::Error::Custom("an unknown record kind")),
            }
        }
        _ => Ok((
            0,
            Logged::Operation(Box::new(PersistOp::decode(&mut &bytes[..])?)),
        )),
    }
}

/// A logged block a restart replays through its chain's sequencer (it was logged after the
/// database's last write of its chain).
#[derive(Debug, Clone)]
pub struct LoggedBlock {
    /// Its record's sequence number.
    pub seq: u64,
    /// Its header: the context to replay it in.
    pub header: Header,
    /// Its hash: what the replay must give.
    pub hash: B256,
    /// Its txs, in order.
    pub txs: Vec<ReadyTx>,
    /// The next block's settings after it.
    pub settings: SettingsRecord,
    /// The priority id of the next L1 tx after it.
    pub next_l1_tx: u64,
    /// Its operation, when it was logged whole (a data dir opened without sequencers applies
    /// those as logged).
    pub(super) op: Option<PersistOp>,
}

impl LoggedBlock {
    /// The block a record holds: a replay record, or an operation that appends one block and
    /// nothing else (`None` for any other).
    pub(super) fn from_logged(seq: u64, logged: &Logged) -> anyhow::Result<Option<Self>> {
        match logged {
            Logged::Block(inputs) => {
                let txs = inputs
                    .txs
                    .iter()
                    .map(|tx| {
                        let envelope = decode_envelope(&tx.raw)?;
                        Ok(ReadyTx {
                            hash: envelope.hash(),
                            sender: tx.sender,
                            envelope,
                        })
                    })
                    .collect::<anyhow::Result<_>>()?;
                Ok(Some(Self {
                    seq,
                    hash: inputs.header.hash_slow(),
                    header: inputs.header.clone(),
                    txs,
                    settings: inputs.settings,
                    next_l1_tx: inputs.next_l1_tx,
                    op: None,
                }))
            }
            Logged::Operation(op) if seq != 0 && op.is_one_block() => {
                let block = op.blocks[0].to_block()?;
                Ok(Some(Self {
                    seq,
                    hash: block.hash,
                    header: block.header.clone(),
                    txs: block.txs.iter().map(|tx| tx.tx.clone()).collect(),
                    settings: op.settings,
                    next_l1_tx: op.next_l1_txs[0],
                    op: Some((**op).clone()),
                }))
            }
            Logged::Operation(_) | Logged::Batch(_) => Ok(None),
        }
    }
}
