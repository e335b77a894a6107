//! ERC-20 cheatcodes' slot finder: where a token keeps `balanceOf(holder)` or
//! `allowance(owner, spender)`, found by probing the usual mapping layouts and verifying each
//! guess with a call against a throwaway copy of the head state.

use std::sync::Arc;

use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::sol;

use crate::rpc::{
    RpcContext,
    error::{RpcError, RpcResult},
    eth::call_env,
};

sol! {
    function balanceOf(address account) external view returns (uint256);
    function allowance(address owner, address spender) external view returns (uint256);
}

/// Storage slots probed for mappings: Solidity and Vyper layouts of the first slots.
const PROBED_SLOTS: u64 = 100;
/// OpenZeppelin 5's ERC-7201 `ERC20Storage` location (balances at +0, allowances at +1).
const OZ_ERC20_STORAGE: B256 =
    alloy_primitives::b256!("52c63247e1f47db19d5ce0460030c497f067ca4cebf71ba98eeadabe20bace00");

/// `keccak(abi.encode(key, slot))`: Solidity's mapping slot.
fn solidity_slot(key: B256, slot: U256) -> U256 {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(key.as_slice());
    preimage[32..].copy_from_slice(&slot.to_be_bytes::<32>());
    keccak256(preimage).into()
}

/// `keccak(abi.encode(slot, key))`: Vyper's mapping slot.
fn vyper_slot(key: B256, slot: U256) -> U256 {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(&slot.to_be_bytes::<32>());
    preimage[32..].copy_from_slice(key.as_slice());
    keccak256(preimage).into()
}

fn mapping_bases() -> impl Iterator<Item = U256> {
    (0..PROBED_SLOTS).map(U256::from)
}

/// Where `balanceOf(holder)` may live.
pub(super) fn balance_slots(holder: Address) -> Vec<U256> {
    let key = holder.into_word();
    let oz = U256::from_be_bytes(OZ_ERC20_STORAGE.0);
    mapping_bases()
        .flat_map(|base| [solidity_slot(key, base), vyper_slot(key, base)])
        .chain([solidity_slot(key, oz)])
        .collect()
}

/// Where `allowance(owner, spender)` may live.
pub(super) fn allowance_slots(owner: Address, spender: Address) -> Vec<U256> {
    let (owner, spender) = (owner.into_word(), spender.into_word());
    let oz = U256::from_be_bytes(OZ_ERC20_STORAGE.0) + U256::from(1);
    mapping_bases()
        .chain([oz])
        .flat_map(|base| {
            [
                solidity_slot(spender, solidity_slot(owner, base)),
                vyper_slot(spender, vyper_slot(owner, base)),
            ]
        })
        .collect()
}

/// Finds which of `candidates` holds what `call` (a view returning uint256) reads on `token`:
/// writes a marker into each candidate in a throwaway copy of the head state and checks that
/// the call returns it, as anvil verifies its guesses with `eth_call` and a state override.
pub(super) async fn erc20_slot(
    c: &Arc<RpcContext>,
    token: Address,
    call: Vec<u8>,
    candidates: Vec<U256>,
) -> RpcResult<Option<U256>> {
    let c = c.clone();
    tokio::task::spawn_blocking(move || {
        let state = c.state.latest();
        let parent = c.chain.latest();
        let block = c.call_block(&parent);
        let executor = c.executor();
        let request = TransactionRequest {
            to: Some(TxKind::Call(token)),
            input: Bytes::from(call).into(),
            ..Default::default()
        };
        let read = |state: crate::storage::StateSnapshot| -> Option<U256> {
            let env = call_env(&c, &request, &state, c.rpc_config.gas_cap);
            let out = executor.call(state, c.block_hashes(), &block, env).ok()?;
            (out.output.len() == 32).then(|| U256::from_be_slice(&out.output))
        };
        let Some(current) = read(state.clone()) else {
            return Ok(None);
        };
        // A value the slot surely does not hold already, so a match proves the slot.
        let marker = U256::from_be_bytes(keccak256(b"zkos-dev erc20 slot probe").0);
        let marker = if marker == current {
            marker - U256::from(1)
        } else {
            marker
        };
        for slot in candidates {
            let mut probe = state.clone();
            probe.set_storage(token, slot, marker);
            if read(probe) == Some(marker) {
                return Ok(Some(slot));
            }
        }
        Ok(None)
    })
    .await
    .map_err(RpcError::internal)?
}
