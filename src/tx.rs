//! Transactions as blocks hold them: signed Ethereum txs from the mempool, and L1 txs
//! (priority txs, type `0x7f`) that the L1 watcher turns `NewPriorityRequest` events into,
//! and EIP-712 txs (`0x71`, with `--eip712`; `eip712`).
//! Also the L2->L1 logs txs send, and the system addresses they come from.

use alloy_consensus::{Transaction, TxEnvelope};
use alloy_eips::{
    eip2718::{Encodable2718, Typed2718},
    eip2930::AccessList,
    eip7702::SignedAuthorization,
};
use alloy_primitives::{Address, B256, Bytes, ChainId, TxKind, U256, address};
use alloy_sol_types::SolValue;

use crate::abi::L2CanonicalTransaction;

mod eip712;
mod system;
pub(crate) use eip712::{EIP712_TX_TYPE, decode as decode_eip712};
pub(crate) use eip712::{Eip712Tx, TxEip712};
pub(crate) use system::SystemTx;
pub(crate) use system::{SYSTEM_TX_GAS_LIMIT, SYSTEM_TX_TYPE, rolling_hash};

/// Type byte of an L1 tx on the L2.
pub(crate) const L1_TX_TYPE: u8 = 0x7f;
/// Formal sender of the service logs (the bootloader).
pub(crate) const BOOTLOADER: Address = address!("0x0000000000000000000000000000000000008001");
/// The L1 messenger: `sendToL1(bytes)`.
pub(crate) const L1_MESSENGER: Address = address!("0x0000000000000000000000000000000000008008");
/// The L2 base token: `withdraw(address)`.
pub const L2_BASE_TOKEN: Address = address!("0x000000000000000000000000000000000000800a");
/// The L2 asset router (the L2 side of the shared bridge): ERC-20 deposits and withdrawals.
pub const L2_ASSET_ROUTER: Address = address!("0x0000000000000000000000000000000000010003");
/// The L2 native token vault: the bridged tokens.
pub const L2_NATIVE_TOKEN_VAULT: Address = address!("0x0000000000000000000000000000000000010004");
/// The Gateway's MessageRoot (era-contracts `L2_MESSAGE_ROOT_ADDR`): the batch roots of the
/// chains that settle on it.
pub const MESSAGE_ROOT: Address = address!("0x0000000000000000000000000000000000010005");
/// Where an L2 keeps the interop roots it imported (`L2InteropRootStorage`).
pub const INTEROP_ROOT_STORAGE: Address = address!("0x0000000000000000000000000000000000010008");
/// Proves another chain's messages against those roots (`L2MessageVerification`).
pub const MESSAGE_VERIFICATION: Address = address!("0x0000000000000000000000000000000000010009");
/// Sends bundles (`InteropCenter`; zksync-js `L2_INTEROP_CENTER_ADDRESS`).
pub const INTEROP_CENTER: Address = address!("0x000000000000000000000000000000000001000b");
/// Runs bundles (`InteropHandler`; zksync-js `L2_INTEROP_HANDLER_ADDRESS`).
pub const INTEROP_HANDLER: Address = address!("0x000000000000000000000000000000000001000c");

/// An L1->L2 tx: a deposit or an L1-requested call, from a `NewPriorityRequest` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1Tx {
    /// keccak256(abi.encode(transaction)): the L2 tx hash and the priority queue item.
    pub hash: B256,
    /// The canonical tx as L1 emitted it.
    pub canonical: L2CanonicalTransaction,
}

impl L1Tx {
    /// Wraps a canonical tx, computing its hash.
    pub fn new(canonical: L2CanonicalTransaction) -> Self {
        let hash = alloy_primitives::keccak256(canonical.abi_encode());
        Self { hash, canonical }
    }

    /// Position in the L1 priority queue (the tx's `nonce`).
    pub fn priority_id(&self) -> u64 {
        self.canonical.nonce.saturating_to()
    }

    /// The L2 sender (the L1 sender, aliased if it was a contract).
    pub fn from(&self) -> Address {
        word_address(self.canonical.from)
    }

    /// The L2 contract called.
    pub fn to(&self) -> Address {
        word_address(self.canonical.to)
    }

    /// ETH minted to the sender on L2 before the call (L2 value + gas).
    pub fn to_mint(&self) -> U256 {
        self.canonical.reserved[0]
    }

    /// Who gets what the tx did not spend.
    pub fn refund_recipient(&self) -> Address {
        word_address(self.canonical.reserved[1])
    }

    /// The gas per pubdata byte limit.
    pub fn gas_per_pubdata(&self) -> U256 {
        self.canonical.gasPerPubdataByteLimit
    }
}

fn word_address(word: U256) -> Address {
    Address::from_word(B256::from(word))
}

/// A tx in a block.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // the common case (a signed tx) stays inline
pub enum Envelope {
    /// A signed Ethereum tx (legacy, EIP-2930, EIP-1559, ...).
    Eth(TxEnvelope),
    /// An L1 tx.
    L1(Box<L1Tx>),
    /// An EIP-712 tx (`--eip712`).
    Eip712(Box<Eip712Tx>),
    /// A system tx (`0x7d`): interop roots the node imports, or the interop fee it sets.
    System(Box<SystemTx>),
}

impl From<TxEnvelope> for Envelope {
    fn from(tx: TxEnvelope) -> Self {
        Self::Eth(tx)
    }
}

impl Envelope {
    /// The signed Ethereum tx, if this is one.
    pub fn as_eth(&self) -> Option<&TxEnvelope> {
        match self {
            Self::Eth(tx) => Some(tx),
            _ => None,
        }
    }

    /// The L1 tx, if this is one.
    pub fn as_l1(&self) -> Option<&L1Tx> {
        match self {
            Self::L1(tx) => Some(tx),
            _ => None,
        }
    }

    /// The system tx, if this is one.
    pub fn as_system(&self) -> Option<&SystemTx> {
        match self {
            Self::System(tx) => Some(tx),
            _ => None,
        }
    }

    /// The tx hash.
    pub fn hash(&self) -> B256 {
        match self {
            Self::Eth(tx) => *tx.tx_hash(),
            Self::L1(tx) => tx.hash,
            Self::Eip712(tx) => tx.hash(),
            Self::System(tx) => tx.hash,
        }
    }

    /// Who signed it (`None` for an L1 tx, or a signature that recovers no one).
    pub fn recover_signer(&self) -> Option<Address> {
        match self {
            Self::Eth(tx) => {
                alloy_consensus::transaction::SignerRecoverable::recover_signer(tx).ok()
            }
            Self::L1(_) | Self::System(_) => None,
            Self::Eip712(tx) => tx.recover_sender(),
        }
    }

    /// The receipt type (L1 txs get a legacy-shaped consensus receipt, EIP-712 txs an
    /// EIP-1559-shaped one; the RPC says `0x7f` / `0x71`).
    pub fn receipt_type(&self) -> alloy_consensus::TxType {
        match self {
            Self::Eth(tx) => tx.tx_type(),
            Self::L1(_) | Self::System(_) => alloy_consensus::TxType::Legacy,
            Self::Eip712(_) => alloy_consensus::TxType::Eip1559,
        }
    }
}

/// Forwards to the signed tx, or answers for the L1 tx, the EIP-712 tx or the system tx.
macro_rules! either {
    ($self:ident, $eth:ident => $e:expr, $l1:ident => $l:expr, $zk:ident => $z:expr,
        $sys:ident => $s:expr) => {
        match $self {
            Envelope::Eth($eth) => $e,
            Envelope::L1($l1) => $l,
            Envelope::Eip712($zk) => $z,
            Envelope::System($sys) => $s,
        }
    };
}

impl Typed2718 for Envelope {
    fn ty(&self) -> u8 {
        either!(self, tx => tx.ty(), _l1 => L1_TX_TYPE, _zk => EIP712_TX_TYPE, _sys => SYSTEM_TX_TYPE)
    }
}

impl Encodable2718 for Envelope {
    fn encode_2718_len(&self) -> usize {
        either!(self, tx => tx.encode_2718_len(), l1 => 1 + l1.canonical.abi_encoded_size(),
            zk => zk.encoded_len(), sys => 1 + sys.body().len())
    }

    fn encode_2718(&self, out: &mut dyn alloy_rlp::BufMut) {
        match self {
            Self::Eth(tx) => tx.encode_2718(out),
            Self::L1(l1) => {
                out.put_u8(L1_TX_TYPE);
                out.put_slice(&l1.canonical.abi_encode());
            }
            Self::Eip712(tx) => tx.encode(out),
            Self::System(tx) => {
                out.put_u8(SYSTEM_TX_TYPE);
                out.put_slice(&tx.body());
            }
        }
    }
}

impl Transaction for Envelope {
    fn chain_id(&self) -> Option<ChainId> {
        either!(self, tx => tx.chain_id(), _l1 => None, zk => Some(zk.tx().chain_id), _sys => None)
    }
    fn nonce(&self) -> u64 {
        either!(self, tx => tx.nonce(), l1 => l1.priority_id(), zk => zk.tx().nonce, _sys => 0)
    }
    fn gas_limit(&self) -> u64 {
        either!(self, tx => tx.gas_limit(), l1 => l1.canonical.gasLimit.saturating_to(),
            zk => zk.tx().gas_limit, _sys => SYSTEM_TX_GAS_LIMIT)
    }
    fn gas_price(&self) -> Option<u128> {
        either!(self, tx => tx.gas_price(), _l1 => None, _zk => None, _sys => None)
    }
    fn max_fee_per_gas(&self) -> u128 {
        either!(self, tx => tx.max_fee_per_gas(), l1 => l1.canonical.maxFeePerGas.saturating_to(),
            zk => zk.tx().max_fee_per_gas, _sys => 0)
    }
    fn max_priority_fee_per_gas(&self) -> Option<u128> {
        either!(self, tx => tx.max_priority_fee_per_gas(),
            l1 => Some(l1.canonical.maxPriorityFeePerGas.saturating_to()),
            zk => Some(zk.tx().max_priority_fee_per_gas), _sys => Some(0))
    }
    fn max_fee_per_blob_gas(&self) -> Option<u128> {
        either!(self, tx => tx.max_fee_per_blob_gas(), _l1 => None, _zk => None, _sys => None)
    }
    fn priority_fee_or_price(&self) -> u128 {
        either!(self, tx => tx.priority_fee_or_price(),
            l1 => l1.canonical.maxPriorityFeePerGas.saturating_to(),
            zk => zk.tx().max_priority_fee_per_gas, _sys => 0)
    }
    fn effective_gas_price(&self, base_fee: Option<u64>) -> u128 {
        either!(self, tx => tx.effective_gas_price(base_fee),
            l1 => l1.canonical.maxFeePerGas.saturating_to(),
            zk => dynamic_fee_price(zk.tx(), base_fee), _sys => 0)
    }
    fn is_dynamic_fee(&self) -> bool {
        either!(self, tx => tx.is_dynamic_fee(), _l1 => true, _zk => true, _sys => false)
    }
    fn kind(&self) -> TxKind {
        either!(self, tx => tx.kind(), l1 => TxKind::Call(l1.to()), zk => TxKind::Call(zk.tx().to), sys => TxKind::Call(sys.to()))
    }
    fn is_create(&self) -> bool {
        either!(self, tx => tx.is_create(), _l1 => false, _zk => false, _sys => false)
    }
    fn value(&self) -> U256 {
        either!(self, tx => tx.value(), l1 => l1.canonical.value, zk => zk.tx().value, _sys => U256::ZERO)
    }
    fn input(&self) -> &Bytes {
        either!(self, tx => tx.input(), l1 => &l1.canonical.data, zk => &zk.tx().input, sys => &sys.input)
    }
    fn access_list(&self) -> Option<&AccessList> {
        either!(self, tx => tx.access_list(), _l1 => None, _zk => None, _sys => None)
    }
    fn blob_versioned_hashes(&self) -> Option<&[B256]> {
        either!(self, tx => tx.blob_versioned_hashes(), _l1 => None, _zk => None, _sys => None)
    }
    fn authorization_list(&self) -> Option<&[SignedAuthorization]> {
        either!(self, tx => tx.authorization_list(), _l1 => None, _zk => None, _sys => None)
    }
}

/// An EIP-1559 price: the fee cap, or the base fee plus the tip when that is less.
fn dynamic_fee_price(tx: &TxEip712, base_fee: Option<u64>) -> u128 {
    base_fee.map_or(tx.max_fee_per_gas, |base_fee| {
        tx.max_fee_per_gas
            .min(u128::from(base_fee).saturating_add(tx.max_priority_fee_per_gas))
    })
}

/// A log a tx sends to L1 (a message, a withdrawal, or an L1 tx's service log). Proven on L1
/// by a Merkle path to the batch's `l2LogsTreeRoot`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    alloy_rlp::RlpEncodable,
    alloy_rlp::RlpDecodable,
)]
pub struct L2ToL1Log {
    /// Always 0.
    pub shard_id: u8,
    /// True for every log ZKsync OS produces.
    pub is_service: bool,
    /// Position of the tx in its block, among the included txs. As in ZKsync OS, this (not the
    /// position in the batch) is the tx number hashed into the logs tree and proven on L1, and
    /// SDKs pass the receipt's `transactionIndex` as `l2TxNumberInBatch`.
    pub tx_number_in_block: u16,
    /// `0x…8008` for messages, `0x…8001` for L1 tx service logs.
    pub sender: Address,
    /// The message sender (padded) or the L1 tx hash.
    pub key: B256,
    /// keccak256(message), or 1 / 0 for an L1 tx that succeeded / failed.
    pub value: B256,
}

impl L2ToL1Log {
    /// The 88-byte encoding hashed into the logs tree.
    pub fn encode(&self) -> [u8; 88] {
        let mut out = [0u8; 88];
        out[0] = self.shard_id;
        out[1] = self.is_service as u8;
        out[2..4].copy_from_slice(&self.tx_number_in_block.to_be_bytes());
        out[4..24].copy_from_slice(self.sender.as_slice());
        out[24..56].copy_from_slice(self.key.as_slice());
        out[56..88].copy_from_slice(self.value.as_slice());
        out
    }
}

/// A tx ready to execute: decoded, sender recovered.
#[derive(Debug, Clone)]
pub struct ReadyTx {
    /// Tx hash.
    pub hash: B256,
    /// Recovered sender.
    pub sender: Address,
    /// The tx: signed, or an L1 tx.
    pub envelope: Envelope,
}

impl ReadyTx {
    /// An L1 tx, ready: its sender is the `from` L1 gave it.
    pub fn l1(tx: L1Tx) -> Self {
        Self {
            hash: tx.hash,
            sender: tx.from(),
            envelope: Envelope::L1(Box::new(tx)),
        }
    }

    /// A system tx, ready: from the bootloader.
    pub fn system(tx: SystemTx) -> Self {
        Self {
            hash: tx.hash,
            sender: BOOTLOADER,
            envelope: Envelope::System(Box::new(tx)),
        }
    }
}
