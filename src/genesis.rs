//! L2 genesis: the dev accounts' balances and the contracts ZKsync OS has at fixed addresses —
//! the L1 messenger (`0x…8008`), the base token (`0x…800a`), the L2 asset router (`0x…10003`),
//! the L2 native token vault (`0x…10004`) and the interop contracts (root storage `0x…10008`,
//! message verification `0x…10009`, interop center `0x…1000b`, interop handler `0x…1000c`),
//! compiled from `state/contracts/` (their runtime code goes in as is: no constructor, no
//! immutables). The asset router's two storage slots name its L1 counterpart: slot 0 the L1
//! asset router, slot 1 the L1 chain id; the interop center's and handler's: slot 0 the L1
//! chain id, slot 1 the chain id of the settlement layer; the interop center's slot 4 its fixed
//! ZK fee per call (`ZK_INTEROP_FEE`), slot 5 the ZK token's asset id (`ZK_TOKEN_ASSET_ID`,
//! with the Gateway: `l1::zk_token`). The base token holds the reserve
//! interop bundles from other L2s are minted from (`BASE_TOKEN_RESERVE`).

use alloy_primitives::{Address, Bytes, U256};
use anyhow::Context as _;
use revm::bytecode::Bytecode;
use serde::Deserialize;

use crate::{
    accounts::DevAccount,
    storage::StateSnapshot,
    tx::{
        INTEROP_CENTER, INTEROP_HANDLER, INTEROP_ROOT_STORAGE, L1_MESSENGER, L2_ASSET_ROUTER,
        L2_BASE_TOKEN, L2_NATIVE_TOKEN_VAULT, MESSAGE_VERIFICATION,
    },
};

const L1_MESSENGER_JSON: &str = include_str!("../state/artifacts/L1Messenger.json");
const L2_BASE_TOKEN_JSON: &str = include_str!("../state/artifacts/L2BaseToken.json");
const L2_ASSET_ROUTER_JSON: &str = include_str!("../state/artifacts/L2AssetRouter.json");
const L2_NATIVE_TOKEN_VAULT_JSON: &str = include_str!("../state/artifacts/L2NativeTokenVault.json");
const INTEROP_ROOT_STORAGE_JSON: &str =
    include_str!("../state/artifacts/L2InteropRootStorage.json");
const MESSAGE_VERIFICATION_JSON: &str =
    include_str!("../state/artifacts/L2MessageVerification.json");
const INTEROP_CENTER_JSON: &str = include_str!("../state/artifacts/InteropCenter.json");
const INTEROP_HANDLER_JSON: &str = include_str!("../state/artifacts/InteropHandler.json");

/// What `0x…800a` holds at genesis, on a chain that settles on the Gateway, to mint interop
/// value from: the base token not in circulation (ZKsync OS mints it natively; an EVM contract
/// needs a balance). 10^9 ETH.
pub(crate) fn base_token_reserve() -> U256 {
    U256::from(10u64).pow(U256::from(27u64))
}

/// The fixed interop fee, in ZK per call (`InteropCenter.ZK_INTEROP_FEE`, its slot 4):
/// era-contracts' `DEFAULT_ZK_INTEROP_FEE`, 10 ZK.
pub(crate) fn zk_interop_fee() -> U256 {
    U256::from(10u64) * U256::from(10u64).pow(U256::from(18u64))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    deployed_bytecode: Code,
}

#[derive(Deserialize)]
struct Code {
    object: Bytes,
}

/// Where the L2 bridge contracts point on L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct L1Bridge {
    /// The L1 asset router: deposits come from its alias.
    pub asset_router: Address,
    /// The L1's chain id (part of every asset id).
    pub chain_id: u64,
}

/// The runtime code of a compiled contract (an artifact of `state/artifacts/`).
pub(crate) fn runtime_code(json: &str) -> anyhow::Result<Bytes> {
    let artifact: Artifact = serde_json::from_str(json)?;
    Ok(artifact.deployed_bytecode.object)
}

/// The system contracts: (address, runtime code).
pub(crate) fn system_contracts() -> anyhow::Result<Vec<(Address, Bytes)>> {
    [
        (L1_MESSENGER, L1_MESSENGER_JSON),
        (L2_BASE_TOKEN, L2_BASE_TOKEN_JSON),
        (L2_ASSET_ROUTER, L2_ASSET_ROUTER_JSON),
        (L2_NATIVE_TOKEN_VAULT, L2_NATIVE_TOKEN_VAULT_JSON),
        (INTEROP_ROOT_STORAGE, INTEROP_ROOT_STORAGE_JSON),
        (MESSAGE_VERIFICATION, MESSAGE_VERIFICATION_JSON),
        (INTEROP_CENTER, INTEROP_CENTER_JSON),
        (INTEROP_HANDLER, INTEROP_HANDLER_JSON),
    ]
    .into_iter()
    .map(|(address, json)| {
        let artifact: Artifact = serde_json::from_str(json)
            .with_context(|| format!("system contract artifact for {address}"))?;
        Ok((address, artifact.deployed_bytecode.object))
    })
    .collect()
}

/// What the L2's genesis is made of, kept to build it again over another fork (`anvil_reset`
/// with `forking`, or without it to leave fork mode).
#[derive(Debug, Clone)]
pub(crate) struct GenesisRecipe {
    /// The dev accounts.
    pub(crate) accounts: Vec<DevAccount>,
    /// Each one's balance.
    pub(crate) balance: U256,
    /// Where the bridge points on L1.
    pub(crate) bridge: L1Bridge,
    /// The chain id of where the chain settles (the L1's, or the Gateway's): interop runs only
    /// between chains on the Gateway.
    pub(crate) settlement_layer: u64,
    /// The ZK token's asset id (the InteropCenter's `ZK_TOKEN_ASSET_ID`; 0: no ZK token).
    pub(crate) zk_token_asset_id: alloy_primitives::B256,
}

impl GenesisRecipe {
    /// The genesis state over `fork` (or a fresh one). Reads the remote: call it off the
    /// async workers.
    pub(crate) fn build(&self, fork: Option<crate::fork::Fork>) -> anyhow::Result<StateSnapshot> {
        l2_genesis(self, fork)
    }
}

/// The L2 state at genesis: `balance` for each dev account, and the system contracts, the
/// asset router wired to `bridge`, the interop contracts to the settlement layer. On a fork (`fork`), the rest is the remote's, and a system
/// contract the remote has with other code (a real ZKsync OS chain's) is left as it is there.
pub(crate) fn l2_genesis(
    recipe: &GenesisRecipe,
    fork: Option<crate::fork::Fork>,
) -> anyhow::Result<StateSnapshot> {
    let bridge = recipe.bridge;
    let mut state = StateSnapshot::forked(fork);
    for account in &recipe.accounts {
        state.account_mut(account.address).info.balance = recipe.balance;
    }
    for (address, code) in system_contracts()? {
        let there = state.code(&address);
        if !there.is_empty() && there.original_bytes() != code {
            continue;
        }
        state.set_code(address, Bytecode::new_raw(code));
        if address == L2_ASSET_ROUTER {
            state.set_storage(
                L2_ASSET_ROUTER,
                U256::ZERO,
                U256::from_be_slice(bridge.asset_router.as_slice()),
            );
            state.set_storage(L2_ASSET_ROUTER, U256::from(1), U256::from(bridge.chain_id));
        }
        if address == INTEROP_CENTER || address == INTEROP_HANDLER {
            state.set_storage(address, U256::ZERO, U256::from(bridge.chain_id));
            state.set_storage(address, U256::from(1), U256::from(recipe.settlement_layer));
        }
        if address == INTEROP_CENTER {
            state.set_storage(address, U256::from(4), zk_interop_fee());
            state.set_storage(
                address,
                U256::from(5),
                U256::from_be_bytes(recipe.zk_token_asset_id.0),
            );
        }
        if address == L2_BASE_TOKEN && recipe.settlement_layer != bridge.chain_id {
            let info = &mut state.account_mut(L2_BASE_TOKEN).info;
            info.balance = info.balance.saturating_add(base_token_reserve());
        }
    }
    Ok(state)
}
