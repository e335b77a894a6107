//! `eth_sendRawTransaction` of an EIP-712 (`0x71`) tx with `--eip712`: raw bytes -> `ReadyTx`,
//! decoded and its sender recovered as zksync-os-server's `eip712-tx` feature does
//! (`crate::tx::eip712` has the rules and their source).

use alloy_primitives::Bytes;

use super::error::RpcError;
use crate::tx::{Envelope, ReadyTx, decode_eip712};

/// Decodes a raw `0x71` tx; refuses one with a paymaster, factory deps or a custom signature.
pub(super) fn decode_raw(raw: &Bytes) -> Result<ReadyTx, RpcError> {
    let mut body = &raw[1..];
    let decoded = decode_eip712(&mut body).map_err(|e| {
        RpcError::TxType(format!(
            "EIP-712 (type 0x71) transaction does not decode as zksync-os-server's eip712-tx \
             decoder reads it ({e}): an RLP list of ZKsync Era's fields with the signature's \
             y-parity, r and s in the v, r, s places (zksync-ethers' Wallet puts its signature in \
             customSignature instead, which that decoder cannot read)"
        ))
    })?;
    if !body.is_empty() {
        return Err(RpcError::DecodeTx);
    }
    let tx = decoded
        .refuse_zksync_fields()
        .map_err(RpcError::InvalidParams)?;
    let sender = tx.recover_sender().ok_or(RpcError::DecodeTx)?;
    Ok(ReadyTx {
        hash: tx.hash(),
        sender,
        envelope: Envelope::Eip712(Box::new(tx)),
    })
}
