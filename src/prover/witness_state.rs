//! A witness applied to a state (the re-executor's side of [`super::input`]): its bytecodes by
//! hash, an account's fields and the dev edits made before a block set on a state, and an
//! account's tree value from its fields.

use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY};
use anyhow::Context as _;

use super::input::{AccountFields, Overrides};
use crate::{storage::StateSnapshot, tree::account_value};

/// Code by keccak hash.
pub(super) type CodeMap = std::collections::HashMap<B256, Bytes>;

/// The witness's bytecodes by hash.
pub(super) fn code_map(codes: &[Bytes]) -> CodeMap {
    codes
        .iter()
        .map(|c| (alloy_primitives::keccak256(c), c.clone()))
        .collect()
}

/// Applies dev edits to a state (the re-executor does the same before each block).
pub(super) fn apply_overrides(
    state: &mut StateSnapshot,
    overrides: &Overrides,
    codes: &CodeMap,
) -> anyhow::Result<()> {
    for (address, fields) in &overrides.accounts {
        set_account(state, *address, fields, codes)?;
    }
    for (address, slot, value) in &overrides.slots {
        state.set_storage(*address, *slot, *value);
    }
    Ok(())
}

/// Sets an account's fields, its code looked up by hash in `codes`.
pub(super) fn set_account(
    state: &mut StateSnapshot,
    address: Address,
    fields: &AccountFields,
    codes: &CodeMap,
) -> anyhow::Result<()> {
    if fields.code_hash != KECCAK256_EMPTY {
        let code = codes
            .get(&fields.code_hash)
            .with_context(|| format!("the code of {address} is not in the witness"))?;
        state.set_code(address, revm::bytecode::Bytecode::new_raw(code.clone()));
    }
    let info = &mut state.account_mut(address).info;
    info.nonce = fields.nonce;
    info.balance = fields.balance;
    info.code_hash = fields.code_hash;
    Ok(())
}

/// The tree value of an account (zero for none), its code length from `code_len`.
pub(super) fn account_tree_value(
    fields: Option<&AccountFields>,
    code_len: impl Fn(&B256) -> u32,
) -> B256 {
    fields
        .map(|f| account_value(f.nonce, f.balance, f.code_hash, code_len(&f.code_hash)))
        .unwrap_or_default()
}
