//! The chain's rules as clients read them: `eth_config` (EIP-7910) and `debug_chainConfig`
//! (geth's `ChainConfig`). Both are derived from the hardfork the executor runs
//! (`Executor::spec`: Cancun under ZKsync OS's rules, Prague with `--allow-eip7702`, Osaka under
//! Ethereum's), its precompile set and the code the state holds at the system contract
//! addresses; every fork is active from genesis.

use alloy_primitives::{Address, B256, U64, address};
use jsonrpsee::RpcModule;
use revm::primitives::hardfork::SpecId;
use serde_json::{Map, Value, json};

use super::{RpcContext, error::RpcResult, macros::ok};

type Module = RpcModule<RpcContext>;

/// EIP-7910 names of the precompiles, by address.
const PRECOMPILE_NAMES: [(u64, &str); 18] = [
    (0x01, "ECREC"),
    (0x02, "SHA256"),
    (0x03, "RIPEMD160"),
    (0x04, "ID"),
    (0x05, "MODEXP"),
    (0x06, "BN254_ADD"),
    (0x07, "BN254_MUL"),
    (0x08, "BN254_PAIRING"),
    (0x09, "BLAKE2F"),
    (0x0a, "KZG_POINT_EVALUATION"),
    (0x0b, "BLS12_G1ADD"),
    (0x0c, "BLS12_G1MSM"),
    (0x0d, "BLS12_G2ADD"),
    (0x0e, "BLS12_G2MSM"),
    (0x0f, "BLS12_PAIRING_CHECK"),
    (0x10, "BLS12_MAP_FP_TO_G1"),
    (0x11, "BLS12_MAP_FP2_TO_G2"),
    (0x100, "P256VERIFY"),
];

/// EIP-7910 names of the system contracts and their addresses (EIP-4788, EIP-2935, EIP-7002,
/// EIP-7251).
const SYSTEM_CONTRACTS: [(&str, Address); 4] = [
    (
        "BEACON_ROOTS_ADDRESS",
        address!("0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02"),
    ),
    (
        "HISTORY_STORAGE_ADDRESS",
        address!("0x0000F90827F1C53a10cb7A02335B175320002935"),
    ),
    (
        "WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS",
        address!("0x00000961Ef480Eb55e80D19ad83579A64c007002"),
    ),
    (
        "CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS",
        address!("0x0000BBdDc7CE488642fb579F8B00f3a590007251"),
    ),
];

/// The blob schedule of a fork: (target, max, base fee update fraction).
fn blob_schedule(spec: SpecId) -> (u64, u64, u64) {
    if spec.is_enabled_in(SpecId::PRAGUE) {
        (6, 9, 5_007_716)
    } else {
        (3, 6, 3_338_477)
    }
}

/// The forks from Cancun on that `spec` includes, with geth's `…Time` names.
fn timed_forks(spec: SpecId) -> Vec<(&'static str, SpecId)> {
    [
        ("cancun", SpecId::CANCUN),
        ("prague", SpecId::PRAGUE),
        ("osaka", SpecId::OSAKA),
    ]
    .into_iter()
    .filter(|(_, fork)| spec.is_enabled_in(*fork))
    .collect()
}

/// CRC-32 (IEEE), the checksum of EIP-2124 fork ids.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// EIP-2124 fork hash: the CRC-32 of the genesis hash, extended by every fork activated after
/// genesis; here every fork is active at genesis, so none extends it.
fn fork_id(genesis: B256) -> String {
    format!("{:#010x}", crc32(genesis.as_slice()))
}

fn eth_config(c: &RpcContext) -> RpcResult<Value> {
    let spec = c.executor.spec();
    let mut precompiles = Map::new();
    let set = c.executor.rules.precompile_set();
    for (n, name) in PRECOMPILE_NAMES {
        let address = Address::left_padding_from(&n.to_be_bytes());
        if set.contains(&address) {
            precompiles.insert(name.into(), json!(address));
        }
    }
    let state = c.state.latest();
    let mut system = Map::new();
    for (name, address) in SYSTEM_CONTRACTS {
        if !state.code(&address).is_empty() {
            system.insert(name.into(), json!(address));
        }
    }
    let (target, max, fraction) = blob_schedule(spec);
    let genesis = c.chain.genesis().hash;
    ok(json!({
        "current": {
            "activationTime": 0,
            "blobSchedule": {"baseFeeUpdateFraction": fraction, "max": max, "target": target},
            "chainId": U64::from(c.next_block().chain_id),
            "forkId": fork_id(genesis),
            "precompiles": precompiles,
            "systemContracts": system,
        },
        "next": null,
        "last": null,
    }))
}

fn chain_config(c: &RpcContext) -> RpcResult<Value> {
    let spec = c.executor.spec();
    let mut config = Map::new();
    config.insert("chainId".into(), json!(c.next_block().chain_id));
    for name in [
        "homesteadBlock",
        "eip150Block",
        "eip155Block",
        "eip158Block",
        "byzantiumBlock",
        "constantinopleBlock",
        "petersburgBlock",
        "istanbulBlock",
        "berlinBlock",
        "londonBlock",
        "mergeNetsplitBlock",
    ] {
        config.insert(name.into(), json!(0));
    }
    config.insert("shanghaiTime".into(), json!(0));
    let mut schedule = Map::new();
    for (fork, fork_spec) in timed_forks(spec) {
        config.insert(format!("{fork}Time"), json!(0));
        let (target, max, fraction) = blob_schedule(fork_spec);
        schedule.insert(
            fork.into(),
            json!({"target": target, "max": max, "baseFeeUpdateFraction": fraction}),
        );
    }
    config.insert("terminalTotalDifficulty".into(), json!(0));
    config.insert("terminalTotalDifficultyPassed".into(), json!(true));
    config.insert("blobSchedule".into(), Value::Object(schedule));
    ok(Value::Object(config))
}

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    method!(m, "eth_config", |_, c| eth_config(c));
    method!(m, "debug_chainConfig", |_, c| chain_config(c));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_ieee() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        // EIP-2124's mainnet genesis fork hash.
        let mainnet: B256 = "0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"
            .parse()
            .unwrap();
        assert_eq!(fork_id(mainnet), "0xfc64ec04");
    }
}
