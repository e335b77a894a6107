//! Execution rules a chain follows: ZKsync OS's (the L2's default) or Ethereum's (the L1, and
//! the L2 with `--evm-rules ethereum`).
//!
//! ZKsync OS (matter-labs/zksync-os `docs/not-a-bug.md`, zksync-os-revm `src/spec.rs` and
//! `src/precompiles.rs`): Cancun semantics (no Prague/Osaka opcodes, no EIP-7623 calldata floor);
//! precompiles `0x01`–`0x08` with Berlin modexp and Istanbul bn254 pricing plus P256VERIFY at
//! `0x100` (RIP-7212, 3,450 gas) — blake2f, KZG point evaluation and BLS12-381 are not there, so
//! calling their addresses calls an empty account; `PREVRANDAO` (the header's `mixHash`) is 1;
//! fees are not burned but paid to the operator's fee account, the blocks' coinbase.

use std::sync::OnceLock;

use alloy_primitives::{B256, keccak256};
use revm::{
    handler::EthPrecompiles,
    precompile::{
        PrecompileSpecId, Precompiles, bn254, hash, identity, modexp, secp256k1, secp256r1,
    },
    primitives::hardfork::SpecId,
};

/// Which chain a chain's execution imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvmRules {
    /// ZKsync OS: Cancun, its precompile set, `PREVRANDAO` 1, fees paid to the coinbase.
    #[default]
    ZksyncOs,
    /// Ethereum's latest rules, as anvil runs them.
    Ethereum,
}

impl EvmRules {
    /// The hardfork txs run under.
    pub fn spec(self) -> SpecId {
        match self {
            Self::ZksyncOs => SpecId::CANCUN,
            Self::Ethereum => SpecId::OSAKA,
        }
    }

    /// The hardfork txs run under when EIP-7702 txs are allowed (`--allow-eip7702`): ZKsync OS
    /// executes them (its bootloader decodes them) though zksync-os-server's mempool refuses
    /// them, so Prague with ZKsync OS's precompiles and no EIP-7623 floor.
    pub fn spec_with_eip7702(self) -> SpecId {
        match self {
            Self::ZksyncOs => SpecId::PRAGUE,
            Self::Ethereum => self.spec(),
        }
    }

    /// The precompiles, for revm under `spec` (revm keeps them as long as the spec it runs is
    /// the same).
    pub fn precompiles(self, spec: SpecId) -> EthPrecompiles {
        EthPrecompiles {
            precompiles: self.precompile_set(),
            spec,
        }
    }

    /// Whether the EIP-7623 calldata floor applies (Ethereum's Prague and later only).
    pub fn calldata_floor(self) -> bool {
        self == Self::Ethereum
    }

    /// The set of precompiles.
    pub fn precompile_set(self) -> &'static Precompiles {
        match self {
            Self::ZksyncOs => {
                static ZKSYNC_OS: OnceLock<Precompiles> = OnceLock::new();
                ZKSYNC_OS.get_or_init(|| {
                    let mut set = Precompiles::default();
                    set.extend([
                        secp256k1::ECRECOVER,
                        hash::SHA256,
                        hash::RIPEMD160,
                        identity::FUN,
                        modexp::BERLIN,
                        bn254::add::ISTANBUL,
                        bn254::mul::ISTANBUL,
                        bn254::pair::ISTANBUL,
                        secp256r1::P256VERIFY,
                    ]);
                    set
                })
            }
            Self::Ethereum => Precompiles::new(PrecompileSpecId::from_spec_id(self.spec())),
        }
    }

    /// `PREVRANDAO` / `mixHash` of the block after `parent_hash`.
    pub fn prevrandao(self, parent_hash: B256) -> B256 {
        match self {
            Self::ZksyncOs => B256::with_last_byte(1),
            Self::Ethereum => keccak256(parent_hash),
        }
    }

    /// Whether the base fee goes to the coinbase (ZKsync OS) instead of being burned.
    pub fn pays_base_fee(self) -> bool {
        self == Self::ZksyncOs
    }

    /// How the banner and `--config-out` name them.
    pub fn name(self) -> &'static str {
        match self {
            Self::ZksyncOs => "zksync-os",
            Self::Ethereum => "ethereum",
        }
    }
}

impl std::fmt::Display for EvmRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::Address;

    use super::*;

    #[test]
    fn zksync_os_has_exactly_the_production_precompiles() {
        let set = EvmRules::ZksyncOs.precompile_set();
        let mut addresses: Vec<Address> = set.addresses().copied().collect();
        addresses.sort();
        let expected: Vec<Address> = [1u64, 2, 3, 4, 5, 6, 7, 8, 0x100]
            .into_iter()
            .map(|n| Address::left_padding_from(&n.to_be_bytes()))
            .collect();
        assert_eq!(addresses, expected);
        // Ethereum's latest set has blake2f, KZG and BLS12-381 too.
        let eth = EvmRules::Ethereum.precompile_set();
        assert!(eth.contains(&Address::with_last_byte(9)));
        assert!(eth.contains(&Address::with_last_byte(0x0a)));
    }

    #[test]
    fn prevrandao_is_one_on_zksync_os() {
        assert_eq!(
            EvmRules::ZksyncOs.prevrandao(B256::repeat_byte(7)),
            B256::with_last_byte(1)
        );
        assert_eq!(
            EvmRules::Ethereum.prevrandao(B256::repeat_byte(7)),
            keccak256(B256::repeat_byte(7))
        );
    }
}
