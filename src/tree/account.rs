//! Keys and values: where a storage slot or an account lives in the tree, and the ZKsync OS
//! `AccountProperties` whose hash is an account's value.

use alloy_primitives::{Address, B256, KECCAK256_EMPTY, U256, address, keccak256};

use super::hash::blake2s256;

/// Synthetic address whose slots hold account properties (slot = the padded account address).
pub const ACCOUNT_PROPERTIES_ADDRESS: Address =
    address!("0x0000000000000000000000000000000000008003");

/// Tree key of a storage slot: `blake2s(address left-padded to 32 bytes ‖ slot)`.
pub fn storage_key(address: Address, slot: B256) -> B256 {
    blake2s256(&[address.into_word().as_slice(), slot.as_slice()])
}

/// Tree key of an account's properties: the slot `address` of [`ACCOUNT_PROPERTIES_ADDRESS`].
pub fn account_key(address: Address) -> B256 {
    storage_key(ACCOUNT_PROPERTIES_ADDRESS, address.into_word())
}

/// Tree value of an account from what revm knows about it: `code_hash` is the keccak of the EVM
/// code ([`KECCAK256_EMPTY`] for none), `code_len` its length.
///
/// Exact for accounts without code. For a contract, one field needs the code itself: the
/// Blake2s `bytecode_hash` of code ‖ padding ‖ jumpdest bitmap; here the keccak `code_hash`
/// stands in for it. Use [`account_value_for_code`] where the code is at hand.
pub fn account_value(nonce: u64, balance: U256, code_hash: B256, code_len: u32) -> B256 {
    account_properties(nonce, balance, code_hash, code_len).hash()
}

/// The properties [`account_value`] hashes: what `zks_getAccountPreimage` returns encoded, so
/// that its Blake2s is the account's value in the tree.
pub fn account_properties(
    nonce: u64,
    balance: U256,
    code_hash: B256,
    code_len: u32,
) -> AccountProperties {
    if code_len == 0 || code_hash == KECCAK256_EMPTY {
        return AccountProperties::for_code(nonce, balance, &[]);
    }
    AccountProperties {
        versioning_data: versioning(DEPLOYED, ARTIFACTS_CODE_VERSION),
        nonce,
        balance,
        bytecode_hash: code_hash,
        unpadded_code_len: code_len,
        artifacts_len: jumpdest_bitmap_len(code_len as usize) as u32,
        observable_bytecode_hash: code_hash,
        observable_bytecode_len: code_len,
    }
}

/// Tree value of an account with EVM `code` (empty for none), exactly as ZKsync OS stores it.
pub fn account_value_for_code(nonce: u64, balance: U256, code: &[u8]) -> B256 {
    AccountProperties::for_code(nonce, balance, code).hash()
}

/// `versioning_data` top byte: deployed with this code version.
const DEPLOYED: u8 = 1;
/// `versioning_data` top byte: code is an EIP-7702 delegation.
const DELEGATED: u8 = 2;
/// `versioning_data` byte 6: the EVM execution environment.
const EVM_EE: u8 = 1;
/// `versioning_data` byte 5: code stored with its jumpdest bitmap.
const ARTIFACTS_CODE_VERSION: u8 = 1;
/// EIP-7702 delegation designator.
const DELEGATION_MARKER: [u8; 3] = [0xef, 0x01, 0x00];

const fn versioning(status: u8, code_version: u8) -> u64 {
    ((status as u64) << 56) | ((EVM_EE as u64) << 48) | ((code_version as u64) << 40)
}

/// ZKsync OS account properties; the account's tree value is the Blake2s of their 124-byte
/// encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountProperties {
    /// Bytes 7..0: deployment status (1 deployed, 2 delegated), EE type (1 = EVM), code
    /// version, system aux bitmask, EE aux bitmask, three zero bytes.
    pub versioning_data: u64,
    /// Account nonce.
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// Blake2s of code ‖ zero padding to 8 bytes ‖ artifacts (the stored code preimage).
    pub bytecode_hash: B256,
    /// Code length without padding and artifacts.
    pub unpadded_code_len: u32,
    /// Length of the artifacts (the jumpdest bitmap) after the padded code.
    pub artifacts_len: u32,
    /// Keccak of the code, what `EXTCODEHASH` returns.
    pub observable_bytecode_hash: B256,
    /// Code length as `EXTCODESIZE` reports it.
    pub observable_bytecode_len: u32,
}

impl AccountProperties {
    /// Length of [`Self::encode`].
    pub const ENCODED_LEN: usize = 124;

    /// Properties of an account with EVM `code` (empty for none), as ZKsync OS sets them when
    /// the code is deployed (or, for `0xef0100 ‖ address`, delegated).
    pub fn for_code(nonce: u64, balance: U256, code: &[u8]) -> Self {
        let mut properties = Self {
            nonce,
            balance,
            ..Self::default()
        };
        if code.is_empty() {
            return properties;
        }
        let padded_len = code.len().next_multiple_of(8);
        let delegated = code.starts_with(&DELEGATION_MARKER);
        let mut preimage = code.to_vec();
        preimage.resize(padded_len, 0);
        if delegated {
            properties.versioning_data = versioning(DELEGATED, 0);
        } else {
            preimage.extend_from_slice(&jumpdest_bitmap(code));
            properties.versioning_data = versioning(DEPLOYED, ARTIFACTS_CODE_VERSION);
        }
        properties.bytecode_hash = blake2s256(&[&preimage]);
        properties.unpadded_code_len = code.len() as u32;
        properties.artifacts_len = (preimage.len() - padded_len) as u32;
        properties.observable_bytecode_hash = keccak256(code);
        properties.observable_bytecode_len = code.len() as u32;
        properties
    }

    /// versioning u64 BE ‖ nonce u64 BE ‖ balance 32 BE ‖ bytecode_hash ‖ unpadded_code_len u32 BE
    /// ‖ artifacts_len u32 BE ‖ observable_bytecode_hash ‖ observable_bytecode_len u32 BE.
    pub fn encode(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        out[0..8].copy_from_slice(&self.versioning_data.to_be_bytes());
        out[8..16].copy_from_slice(&self.nonce.to_be_bytes());
        out[16..48].copy_from_slice(&self.balance.to_be_bytes::<32>());
        out[48..80].copy_from_slice(self.bytecode_hash.as_slice());
        out[80..84].copy_from_slice(&self.unpadded_code_len.to_be_bytes());
        out[84..88].copy_from_slice(&self.artifacts_len.to_be_bytes());
        out[88..120].copy_from_slice(self.observable_bytecode_hash.as_slice());
        out[120..124].copy_from_slice(&self.observable_bytecode_len.to_be_bytes());
        out
    }

    /// The account's tree value: Blake2s of [`Self::encode`].
    pub fn hash(&self) -> B256 {
        blake2s256(&[&self.encode()])
    }
}

/// Bytes of the jumpdest bitmap for code of this length: one u64 word per 64 code bytes.
fn jumpdest_bitmap_len(code_len: usize) -> usize {
    code_len.div_ceil(64) * 8
}

/// Bit `i` (byte `i / 8`, bit `i % 8`: u64 words, little-endian) is set iff `code[i]` is a
/// JUMPDEST outside push data.
fn jumpdest_bitmap(code: &[u8]) -> Vec<u8> {
    const JUMPDEST: u8 = 0x5b;
    const PUSH1: u8 = 0x60;
    const PUSH32: u8 = 0x7f;
    let mut bitmap = vec![0u8; jumpdest_bitmap_len(code.len())];
    let mut position = 0;
    while let Some(&op) = code.get(position) {
        if op == JUMPDEST {
            bitmap[position / 8] |= 1 << (position % 8);
        }
        position += 1;
        if (PUSH1..=PUSH32).contains(&op) {
            position += usize::from(op - PUSH1 + 1);
        }
    }
    bitmap
}
