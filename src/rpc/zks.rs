//! `zks_*`: the ZKsync methods that need no deposits or batches, on the L2 only (the L1 answers
//! them -32601). Shapes follow zksync-era's `ZksNamespace` (`BridgeAddresses`, `Token`,
//! `FeeParams`, `ProtocolVersion`), which viem and zksync-ethers read; zksync-os-server itself
//! answers only `zks_getBridgehubContract` of these.

use alloy_primitives::{Address, B256, U64, U256, address};
use jsonrpsee::RpcModule;
use serde_json::{Value, json};

use super::{
    RpcContext,
    error::{RpcError, RpcResult},
    macros::ok,
};
use crate::l1::L1Contracts;

type Module = RpcModule<RpcContext>;

/// What the L2's `zks_` methods tell about the L1 (set on the L2's context only).
#[derive(Debug, Clone, Copy)]
pub struct ZksInfo {
    /// The L1's chain id (31337).
    pub l1_chain_id: u64,
    /// The rollup contracts on the L1.
    pub contracts: L1Contracts,
    /// The L1's base fee, reported as the L1 gas price in `zks_getFeeParams`.
    pub l1_gas_price: u64,
}

/// ZKsync's marker for ETH on L1 (`zks_getBaseTokenL1Address`, `l1Address` of ETH).
pub const ETH_L1_ADDRESS: Address = address!("0x0000000000000000000000000000000000000001");
/// The L2 base token system contract (ETH balances).
pub use crate::tx::L2_BASE_TOKEN;
pub use crate::tx::{L2_ASSET_ROUTER, L2_NATIVE_TOKEN_VAULT};
/// The `gasPerPubdata` limit `zks_estimateFee` answers: ZKsync's default (SDKs sign it; ZKsync
/// OS charges pubdata through native, whatever the limit).
pub const GAS_PER_PUBDATA: u64 = 50_000;
/// `zks_estimateGasL1ToL2` answers the gas the call needs times 13/10 (zksync-era's default
/// `estimate_gas_scale_factor`).
pub const L1_TO_L2_ESTIMATE_SCALE: (u64, u64) = (13, 10);

fn info(c: &RpcContext) -> RpcResult<&ZksInfo> {
    c.zks
        .as_ref()
        .ok_or_else(|| RpcError::internal("zks_ methods need the embedded L1"))
}

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    blocking!(m, "zks_estimateGasL1ToL2", |p, c| {
        let mut seq = p.sequence();
        let request: alloy_rpc_types_eth::TransactionRequest = seq.next()?;
        let (mut state, parent) = super::eth::call_state(c, None, None)?;
        // As an L1 tx: L1 mints the value to the sender and pays gas; no nonce is used.
        let from = request.from.unwrap_or_default();
        let value = request.value.unwrap_or_default();
        let info = &mut state.account_mut(from).info;
        info.balance = info.balance.saturating_add(value);
        let cap = c.rpc_config.gas_cap.min(c.next_block().gas_limit);
        let mut env = super::eth::call_env(c, &request, &state, cap);
        env.gas_price = 0;
        env.gas_priority_fee = None;
        env.tx_type = 0;
        // L1 txs run with native to spare (ZKsync OS's `L1_TX_NATIVE_PER_GAS`): EVM gas only.
        let mut executor = c.executor();
        executor.prices = crate::executor::ResourcePrices::OFF;
        let gas =
            executor.estimate_gas(state, c.block_hashes(), &c.call_block(&parent), env, cap)?;
        // Scaled as zksync-era scales it (`estimate_gas_scale_factor`, 1.3): SDKs estimate a
        // deposit with calldata of their own making (the legacy `finalizeDeposit` with token
        // metadata in the old form), which costs less than what the L1 asset router sends.
        ok(U64::from(
            gas.saturating_mul(L1_TO_L2_ESTIMATE_SCALE.0) / L1_TO_L2_ESTIMATE_SCALE.1,
        ))
    });
    // Era's fee estimate (viem's `estimateFee`): the gas `eth_estimateGas` gives, the next
    // block's base fee as the max fee, no tip.
    blocking!(m, "zks_estimateFee", |p, c| {
        let mut seq = p.sequence();
        let request: alloy_rpc_types_eth::TransactionRequest = seq.next()?;
        let (state, parent) = super::eth::call_state(c, None, None)?;
        let cap = c.rpc_config.gas_cap.min(c.next_block().gas_limit);
        let env = super::eth::call_env(c, &request, &state, cap);
        let gas =
            c.executor()
                .estimate_gas(state, c.block_hashes(), &c.call_block(&parent), env, cap)?;
        ok(json!({
            "gas_limit": U256::from(gas),
            "max_fee_per_gas": U256::from(c.next_block().base_fee),
            "max_priority_fee_per_gas": U256::ZERO,
            "gas_per_pubdata_limit": U256::from(GAS_PER_PUBDATA),
        }))
    });
    method!(m, "zks_L1ChainId", |_, c| ok(U64::from(
        info(c)?.l1_chain_id
    )));
    method!(m, "zks_getBridgehubContract", |_, c| ok(info(c)?
        .contracts
        .bridgehub));
    method!(m, "zks_getMainContract", |_, c| ok(info(c)?
        .contracts
        .zk_chain));
    method!(m, "zks_getBridgeContracts", |_, c| {
        let contracts = info(c)?.contracts;
        let l1 = contracts.l1_asset_router;
        ok(json!({
            "l1SharedDefaultBridge": l1,
            "l1Nullifier": contracts.l1_nullifier,
            "l2SharedDefaultBridge": L2_ASSET_ROUTER,
            "l1Erc20DefaultBridge": l1,
            "l2Erc20DefaultBridge": L2_ASSET_ROUTER,
            "l1WethBridge": null,
            "l2WethBridge": null,
            "l1NativeTokenVault": contracts.l1_native_token_vault,
            "l2NativeTokenVault": L2_NATIVE_TOKEN_VAULT,
            "l2LegacySharedBridge": null,
        }))
    });
    method!(m, "zks_getBaseTokenL1Address", |_, _| ok(ETH_L1_ADDRESS));
    method!(m, "zks_getTestnetPaymaster", |_, _| ok(Value::Null));
    method!(m, "zks_getConfirmedTokens", |p, _| {
        let (from, limit): (u32, u8) = p.parse()?;
        let tokens = [json!({
            "l1Address": ETH_L1_ADDRESS,
            "l2Address": L2_BASE_TOKEN,
            "name": "Ether",
            "symbol": "ETH",
            "decimals": 18,
        })];
        ok(tokens
            .into_iter()
            .skip(from as usize)
            .take(limit.into())
            .collect::<Vec<_>>())
    });
    // Like zksync-era: ETH keyed by 0x000…000, zero balances left out.
    method!(m, "zks_getAllAccountBalances", |p, c| {
        let (address,): (Address,) = p.parse()?;
        let balance = c.state.latest().balance(&address);
        let mut balances = serde_json::Map::new();
        if !balance.is_zero() {
            balances.insert(Address::ZERO.to_string(), json!(balance));
        }
        ok(balances)
    });
    method!(m, "zks_getFeeParams", |_, c| {
        let l1_gas_price = info(c)?.l1_gas_price;
        let next = c.next_block();
        ok(json!({
            "V2": {
                "config": {
                    "minimal_l2_gas_price": next.base_fee,
                    "compute_overhead_part": 0.0,
                    "pubdata_overhead_part": 1.0,
                    "batch_overhead_l1_gas": 800_000,
                    "max_gas_per_batch": next.gas_limit,
                    "max_pubdata_per_batch": 110_000,
                },
                "l1_gas_price": l1_gas_price,
                "l1_pubdata_price": c.chain_config.prices.pubdata_price,
                "conversion_ratio": { "numerator": 1, "denominator": 1 },
            }
        }))
    });
    method!(m, "zks_getProtocolVersion", |p, c| {
        let minor = c.chain_config.protocol.minor();
        let version: Option<u16> = p.sequence().optional_next()?;
        if version.is_some_and(|v| v != minor) {
            return ok(Value::Null);
        }
        ok(json!({
            "minorVersion": minor,
            "timestamp": 0,
            "verification_keys_hashes": { "recursion_scheduler_level_vk_hash": B256::ZERO },
            "base_system_contracts": {
                "bootloader": B256::ZERO,
                "default_aa": B256::ZERO,
                "evm_emulator": null,
            },
            "bootloaderCodeHash": B256::ZERO,
            "defaultAccountCodeHash": B256::ZERO,
            "evmSimulatorCodeHash": null,
            "l2SystemUpgradeTxHash": null,
        }))
    });
    // What a pubdata byte costs in gas at the next block's base fee.
    method!(m, "zks_gasPerPubdata", |_, c| ok(U256::from(
        c.chain_config
            .prices
            .gas_per_pubdata(c.next_block().base_fee)
    )));
    // By keccak256 code hash (what `eth_getProof`'s `codeHash` and `EXTCODEHASH` give), not
    // ZKsync's versioned bytecode hash. Bytes as a JSON array of numbers, like zksync-era.
    method!(m, "zks_getBytecodeByHash", |p, c| {
        let (hash,): (B256,) = p.parse()?;
        ok(c.state
            .latest()
            .code_by_hash(&hash)
            .map(|code| code.original_bytes().to_vec()))
    });
    Ok(())
}
