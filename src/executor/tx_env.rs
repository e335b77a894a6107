//! The revm tx of a block's tx: `(Envelope, sender) -> TxEnv`, for every tx type a block holds.

use alloy_consensus::{Transaction as _, TxEnvelope};
use alloy_primitives::{Address, TxKind};
use revm::context::{TxEnv, either::Either};

use crate::tx::Envelope;

/// The revm tx for a tx of a block. An L1 tx runs as a legacy tx at the gas price L1 charged,
/// an EIP-712 tx as an EIP-1559 call without an access list (ZKsync OS's fields aside, that is
/// what it is).
pub fn tx_env(envelope: &Envelope, sender: Address) -> TxEnv {
    let envelope = match envelope {
        Envelope::Eth(envelope) => envelope,
        Envelope::Eip712(signed) => {
            let tx = signed.tx();
            return TxEnv {
                tx_type: alloy_consensus::TxType::Eip1559 as u8,
                caller: sender,
                gas_limit: tx.gas_limit,
                gas_price: tx.max_fee_per_gas,
                gas_priority_fee: Some(tx.max_priority_fee_per_gas),
                kind: TxKind::Call(tx.to),
                value: tx.value,
                data: tx.input.clone(),
                nonce: tx.nonce,
                chain_id: Some(tx.chain_id),
                ..Default::default()
            };
        }
        Envelope::System(system) => {
            return TxEnv {
                tx_type: 0,
                caller: sender,
                gas_limit: crate::tx::SYSTEM_TX_GAS_LIMIT,
                gas_price: 0,
                kind: TxKind::Call(system.to()),
                data: system.input.clone(),
                nonce: 0,
                chain_id: None,
                ..Default::default()
            };
        }
        Envelope::L1(l1) => {
            return TxEnv {
                tx_type: 0,
                caller: sender,
                gas_limit: l1.canonical.gasLimit.saturating_to(),
                gas_price: l1.canonical.maxFeePerGas.saturating_to(),
                kind: TxKind::Call(l1.to()),
                value: l1.canonical.value,
                data: l1.canonical.data.clone(),
                nonce: 0,
                chain_id: None,
                ..Default::default()
            };
        }
    };
    let (access_list, authorization_list) = match envelope {
        TxEnvelope::Legacy(_) => (Default::default(), vec![]),
        TxEnvelope::Eip2930(tx) => (tx.tx().access_list.clone(), vec![]),
        TxEnvelope::Eip1559(tx) => (tx.tx().access_list.clone(), vec![]),
        TxEnvelope::Eip4844(tx) => (tx.tx().tx().access_list.clone(), vec![]),
        TxEnvelope::Eip7702(tx) => (
            tx.tx().access_list.clone(),
            tx.tx()
                .authorization_list
                .iter()
                .map(|a| Either::Left(a.clone()))
                .collect(),
        ),
    };
    TxEnv {
        tx_type: envelope.tx_type() as u8,
        caller: sender,
        gas_limit: envelope.gas_limit(),
        gas_price: envelope.max_fee_per_gas(),
        kind: envelope.kind(),
        value: envelope.value(),
        data: envelope.input().clone(),
        nonce: envelope.nonce(),
        chain_id: envelope.chain_id(),
        access_list,
        gas_priority_fee: envelope.max_priority_fee_per_gas(),
        blob_hashes: vec![],
        max_fee_per_blob_gas: 0,
        authorization_list,
    }
}
