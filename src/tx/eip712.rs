//! EIP-712 (`0x71`) txs as zksync-os-server takes them with its optional `eip712-tx` feature
//! (`--eip712` here): `decode(raw body) -> Decoded` -> `Eip712Tx` (`refuse_zksync_fields`),
//! `Eip712Tx::recover_sender`, and the RLP form blocks and records keep.
//!
//! The spec is the server's decoder, `lib/types/src/transaction/eip712.rs` of
//! matter-labs/zksync-os-server at 803cca286d09bb79f7a79d9e6cec51bfc81f4366 (the newest of the
//! versions of its PR #439 found, which was still open; docs/chain-rules.md has the story).
//! What it does, and so what this does:
//! - the body is ZKsync Era's RLP list: `nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to,
//!   value, data, v, r, s, chainId, from, gasPerPubdata, factoryDeps, customSignature?,
//!   paymasterParams?`, where `v` must be a y-parity (0 or 1) and `to` an address (no creates);
//!   a nonce or gas per pubdata above 2^64 - 1 saturates to it;
//! - the sender is the signer of the signature over its `signature_hash`, which hashes the struct
//!   fields at their own widths (`gasLimit` as 8 bytes, `from` as 20, ...) where EIP-712 pads each
//!   to 32: a wallet's EIP-712 signature of the same tx recovers another address. `from` is
//!   hashed, not checked against the signer;
//! - the hash is keccak256 of `0x71 ‖` the list re-encoded up to `factoryDeps` (customSignature
//!   and paymasterParams are read, then dropped), which is also the form blocks keep.
//!
//! The server keeps factory deps (unhashed) and drops a paymaster and a custom signature
//! unchecked; zkos-dev refuses any of them that is not empty, naming the field (ZKsync OS has no
//! paymasters or EraVM bytecodes to deploy).

use alloy_primitives::{Address, B256, Bytes, Signature, U256, keccak256};
use alloy_rlp::{Decodable, Encodable, Header};

/// Type byte of an EIP-712 tx.
pub(crate) const EIP712_TX_TYPE: u8 = 0x71;

/// `EIP712Domain(string name,string version,uint256 chainId)`, name `zkSync`, version `2`.
const DOMAIN_TYPE: &str = "EIP712Domain(string name,string version,uint256 chainId)";
const DOMAIN_NAME: &str = "zkSync";
const DOMAIN_VERSION: &str = "2";
/// The struct a ZKsync EIP-712 tx signs.
const TX_TYPE: &str = "Transaction(uint256 txType,uint256 from,uint256 to,uint256 gasLimit,\
uint256 gasPerPubdataByteLimit,uint256 maxFeePerGas,uint256 maxPriorityFeePerGas,\
uint256 paymaster,uint256 nonce,uint256 value,bytes data,bytes32[] factoryDeps,bytes paymasterInput)";

/// The fields of an EIP-712 tx that ZKsync OS can run (no paymaster, no factory deps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxEip712 {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Sender nonce.
    pub nonce: u64,
    /// Tip cap.
    pub max_priority_fee_per_gas: u128,
    /// Fee cap.
    pub max_fee_per_gas: u128,
    /// Gas limit.
    pub gas_limit: u64,
    /// The callee (an EIP-712 tx always calls).
    pub to: Address,
    /// Value sent.
    pub value: U256,
    /// Calldata.
    pub input: Bytes,
    /// The sender it claims (hashed into what is signed; the signer is the sender).
    pub from: Address,
    /// Gas per pubdata byte limit.
    pub gas_per_pubdata: u64,
}

/// A signed EIP-712 tx, with its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eip712Tx {
    tx: TxEip712,
    signature: Signature,
    hash: B256,
}

/// A raw EIP-712 tx as decoded, with the ZKsync fields the server reads besides.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    /// The tx.
    pub tx: Eip712Tx,
    /// Bytecodes to publish (`factoryDeps`).
    pub factory_deps: Vec<Bytes>,
    /// A signature for a custom account (`customSignature`), when the list has one.
    pub custom_signature: Option<Bytes>,
    /// `[paymaster, paymasterInput]`, when the list has them.
    pub paymaster: Option<(Address, Bytes)>,
}

impl Decoded {
    /// The tx, unless it uses a ZKsync field ZKsync OS cannot honour (the error names it).
    pub(crate) fn refuse_zksync_fields(self) -> Result<Eip712Tx, String> {
        let refused = |field: &str, what: &str| {
            format!(
                "EIP-712 (type 0x71) transactions with {field} are not supported: ZKsync OS has \
                 no {what} (send the tx without it)"
            )
        };
        if !self.factory_deps.is_empty() {
            return Err(refused("factoryDeps", "EraVM bytecodes to publish"));
        }
        if self
            .custom_signature
            .as_ref()
            .is_some_and(|s| !s.is_empty())
        {
            return Err(refused(
                "a customSignature",
                "custom accounts; the signature goes in v, r, s",
            ));
        }
        if let Some((paymaster, input)) = &self.paymaster {
            if !paymaster.is_zero() {
                return Err(refused("a paymaster", "paymasters"));
            }
            if !input.is_empty() {
                return Err(refused("a paymasterInput", "paymasters"));
            }
        }
        Ok(self.tx)
    }
}

/// Decodes the body of a raw EIP-712 tx (after its `0x71`), reading what zksync-os-server's
/// decoder reads in its order; `buf` is left after the list.
pub(crate) fn decode(buf: &mut &[u8]) -> alloy_rlp::Result<Decoded> {
    let header = Header::decode(buf)?;
    if !header.list {
        return Err(alloy_rlp::Error::UnexpectedString);
    }
    let before = buf.len();
    let nonce: U256 = Decodable::decode(buf)?;
    let max_priority_fee_per_gas = Decodable::decode(buf)?;
    let max_fee_per_gas = Decodable::decode(buf)?;
    let gas_limit = Decodable::decode(buf)?;
    let to = Decodable::decode(buf)?;
    let value = Decodable::decode(buf)?;
    let input = Decodable::decode(buf)?;
    let signature = Signature::decode_rlp_vrs(buf, bool::decode)?;
    let chain_id = Decodable::decode(buf)?;
    let from = Decodable::decode(buf)?;
    let gas_per_pubdata: U256 = Decodable::decode(buf)?;
    let factory_deps = Decodable::decode(buf)?;
    // Optional trailing fields: as the server, an item that does not decode is taken as absent
    // (having consumed whatever the failed decode consumed; the length check below catches a
    // list left half read).
    let custom_signature = Bytes::decode(buf).ok();
    let paymaster = paymaster_params(buf).ok();
    if buf.len() + header.payload_length != before {
        return Err(alloy_rlp::Error::ListLengthMismatch {
            expected: header.payload_length,
            got: before - buf.len(),
        });
    }
    let tx = TxEip712 {
        chain_id,
        nonce: nonce.saturating_to(),
        max_priority_fee_per_gas,
        max_fee_per_gas,
        gas_limit,
        to,
        value,
        input,
        from,
        gas_per_pubdata: gas_per_pubdata.saturating_to(),
    };
    Ok(Decoded {
        tx: Eip712Tx::new(tx, signature),
        factory_deps,
        custom_signature,
        paymaster,
    })
}

/// `[paymaster, paymasterInput]`.
fn paymaster_params(buf: &mut &[u8]) -> alloy_rlp::Result<(Address, Bytes)> {
    let mut payload = Header::decode_bytes(buf, true)?;
    let paymaster = Decodable::decode(&mut payload)?;
    let input = Decodable::decode(&mut payload)?;
    Ok((paymaster, input))
}

impl Eip712Tx {
    /// A tx and its signature, hashed.
    pub fn new(tx: TxEip712, signature: Signature) -> Self {
        let mut raw = vec![EIP712_TX_TYPE];
        encode_signed(&tx, &signature, &mut raw);
        Self {
            hash: keccak256(&raw),
            tx,
            signature,
        }
    }

    /// The fields.
    pub fn tx(&self) -> &TxEip712 {
        &self.tx
    }

    /// The signature (`v` a y-parity).
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The tx hash: keccak256 of the EIP-2718 form.
    pub fn hash(&self) -> B256 {
        self.hash
    }

    /// The sender: the signer of `signature_hash` (a high `s` is refused).
    pub fn recover_sender(&self) -> Option<Address> {
        alloy_consensus::crypto::secp256k1::recover_signer(
            &self.signature,
            self.tx.signature_hash(),
        )
        .ok()
    }

    /// Length of the EIP-2718 form.
    pub(crate) fn encoded_len(&self) -> usize {
        1 + signed_header(&self.tx, &self.signature).length_with_payload()
    }

    /// The EIP-2718 form: `0x71 ‖ rlp([... up to factoryDeps])`.
    pub(crate) fn encode(&self, out: &mut dyn alloy_rlp::BufMut) {
        out.put_u8(EIP712_TX_TYPE);
        encode_signed(&self.tx, &self.signature, out);
    }
}

impl TxEip712 {
    /// What the sender signs, as zksync-os-server computes it: keccak256(0x19 0x01 ‖ domain
    /// separator ‖ hash of the struct), the struct's words taken at their own widths.
    pub fn signature_hash(&self) -> B256 {
        let domain = keccak256(
            [
                keccak256(DOMAIN_TYPE).as_slice(),
                keccak256(DOMAIN_NAME).as_slice(),
                keccak256(DOMAIN_VERSION).as_slice(),
                &U256::from(self.chain_id).to_be_bytes::<32>(),
            ]
            .concat(),
        );
        let no_factory_deps = keccak256([]);
        let no_paymaster_input = keccak256([]);
        let data = keccak256(&self.input);
        let hash_struct = keccak256(
            [
                keccak256(TX_TYPE).as_slice(),
                &[EIP712_TX_TYPE],
                self.from.as_slice(),
                self.to.as_slice(),
                &self.gas_limit.to_be_bytes(),
                &self.gas_per_pubdata.to_be_bytes(),
                &self.max_fee_per_gas.to_be_bytes(),
                &self.max_priority_fee_per_gas.to_be_bytes(),
                Address::ZERO.as_slice(), // the paymaster
                &self.nonce.to_be_bytes(),
                &self.value.to_be_bytes::<32>(),
                data.as_slice(),
                no_factory_deps.as_slice(),
                no_paymaster_input.as_slice(),
            ]
            .concat(),
        );
        keccak256([&[0x19, 0x01], domain.as_slice(), hash_struct.as_slice()].concat())
    }
}

/// The fields of the list, up to the (empty) factory deps.
fn fields_length(tx: &TxEip712, signature: &Signature) -> usize {
    tx.nonce.length()
        + tx.max_priority_fee_per_gas.length()
        + tx.max_fee_per_gas.length()
        + tx.gas_limit.length()
        + tx.to.length()
        + tx.value.length()
        + tx.input.length()
        + signature.v().length()
        + signature.rlp_rs_len()
        + tx.chain_id.length()
        + tx.from.length()
        + tx.gas_per_pubdata.length()
        + Vec::<Bytes>::new().length()
}

fn signed_header(tx: &TxEip712, signature: &Signature) -> Header {
    Header {
        list: true,
        payload_length: fields_length(tx, signature),
    }
}

fn encode_signed(tx: &TxEip712, signature: &Signature, out: &mut dyn alloy_rlp::BufMut) {
    signed_header(tx, signature).encode(out);
    tx.nonce.encode(out);
    tx.max_priority_fee_per_gas.encode(out);
    tx.max_fee_per_gas.encode(out);
    tx.gas_limit.encode(out);
    tx.to.encode(out);
    tx.value.encode(out);
    tx.input.encode(out);
    signature.write_rlp_vrs(out, signature.v());
    tx.chain_id.encode(out);
    tx.from.encode(out);
    tx.gas_per_pubdata.encode(out);
    Vec::<Bytes>::new().encode(out);
}

#[cfg(test)]
mod tests;
