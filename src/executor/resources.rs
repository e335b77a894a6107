//! ZKsync OS's second resource: what a tx costs the prover ("native"), on top of EVM gas.
//!
//! ZKsync OS (matter-labs/zksync-os `docs/double_resource_accounting.md`,
//! `basic_bootloader/src/bootloader/transaction_flow/refund_calculation.rs`) gives a tx
//! `gasLimit × nativePerGas` native units, where `nativePerGas = gasPrice / nativePrice`.
//! Computation is charged in native (per opcode, per precompile, per storage access), and so is
//! pubdata, the bytes the tx's state diff publishes: `nativePerPubdata = pubdataPrice /
//! nativePrice` each. After the tx, `deltaGas = nativeUsed / nativePerGas − gasUsed` is added to
//! `gasUsed` when positive; a tx that runs out of native fails, spending its whole gas limit.
//! With a zero gas price (calls, a zero base fee) native is unlimited.
//!
//! The costs below are ZKsync OS's published constants (`evm_interpreter/src/
//! native_resource_constants.rs`, `basic_system/src/cost_constants.rs`, `basic_system/src/
//! system_implementation/flat_storage_model/cost_constants.rs`, `basic_bootloader/src/
//! bootloader/constants.rs`). Where ZKsync OS measures something this model cannot see from
//! revm, it estimates, and says so: memory growth and byte copies are not charged, storage and
//! account accesses are charged once per tx from the tx's state diff (ZKsync OS charges each
//! access as it happens, warm ones at a fraction of the cold cost), and the pubdata of a diff is
//! ZKsync OS's compressed size of it, per tx (ZKsync OS counts it net per batch).
//!
//! Size: one file over 500 lines on purpose. The cost table, the meter that applies it per
//! opcode and the per-tx charges (intrinsic, state diff, pubdata) are one model, each part read
//! against the same ZKsync OS constants; split, none would make sense without the others.

use alloy_primitives::{Address, U256};
use revm::{
    Inspector,
    context_interface::ContextTr,
    interpreter::{CallInputs, CallOutcome, Interpreter, interpreter_types::Jumps},
    primitives::Log,
    state::EvmState,
};

use crate::storage::state::StateSnapshot;

/// Native of `raw` RISC-V cycles plus delegated bigint and blake2s calls
/// (`zk_ee::native_with_delegations!`).
const fn delegated(raw: u64, bigint: u64, blake: u64) -> u64 {
    raw + bigint * 4 + blake * 16
}

// Hashing and precompiles (basic_system/src/cost_constants.rs).
const ECRECOVER: u64 = delegated(350_000, 43_000, 0);
const KECCAK_BASE: u64 = 2_500;
const KECCAK_ROUND: u64 = 17_500;
const KECCAK_CHUNK: u64 = 136;
const SHA256_BASE: u64 = 1_600;
const SHA256_ROUND: u64 = 4_200;
const RIPEMD160_BASE: u64 = 1_600;
const RIPEMD160_ROUND: u64 = 4_200;
const BLAKE2S_BASE: u64 = 800;
const BLAKE2S_ROUND: u64 = 340;
const BN254_ECADD: u64 = delegated(46_000, 1_650, 0);
const BN254_ECMUL: u64 = delegated(600_000, 41_000, 0);
const BN254_PAIRING_BASE: u64 = delegated(13_000_000, 500_000, 0);
const BN254_PAIRING_PER_PAIR: u64 = BN254_PAIRING_BASE;
const P256VERIFY: u64 = delegated(500_000, 71_000, 0);
/// Modexp is charged at its worst native per EVM gas.
const MODEXP_NATIVE_PER_GAS: u64 = 300;
const COPY_BASE: u64 = 80;

// The flat storage model (flat_storage_model/cost_constants.rs).
const MERKLE_PATH: u64 = delegated(100_000, 0, 1_320);
const WARM_ACCOUNT_ACCESS: u64 = 4_000;
const WARM_ACCOUNT_WRITE_EXTRA: u64 = 1_000;
const WARM_STORAGE_READ: u64 = 4_000;
const COLD_EXISTING_READ: u64 = MERKLE_PATH;
const COLD_NEW_READ: u64 = 2 * MERKLE_PATH;
const COLD_EXISTING_WRITE_EXTRA: u64 = MERKLE_PATH;
const COLD_NEW_WRITE_EXTRA: u64 = 3 * MERKLE_PATH;
const EVENT_BASE: u64 = 6_000;
const EVENT_TOPIC: u64 = 200;
const EVENT_BYTE: u64 = 2;
const PREIMAGE_CACHE_GET: u64 = 500;
const BYTECODE_PREPROCESSING_BYTE: u64 = 6;

// Per tx (basic_bootloader/src/bootloader/constants.rs).
const NEW_COLD_ACCOUNT_READ: u64 = WARM_ACCOUNT_ACCESS + WARM_STORAGE_READ + COLD_NEW_READ;
const EXISTING_COLD_ACCOUNT_READ: u64 =
    WARM_ACCOUNT_ACCESS + WARM_STORAGE_READ + COLD_EXISTING_READ;
const ACCOUNT_UPDATE: u64 = WARM_ACCOUNT_ACCESS + WARM_ACCOUNT_WRITE_EXTRA;
const KECCAK_PER_BYTE: u64 = KECCAK_ROUND.div_ceil(KECCAK_CHUNK);
/// Signature check, the sender's read, nonce and fee updates, the tx's hashes, the coinbase and
/// refund transfers, and persisting the sender (worst case: new) and the coinbase.
const L2_TX_INTRINSIC_NATIVE: u64 = ECRECOVER
    + NEW_COLD_ACCOUNT_READ
    + ACCOUNT_UPDATE
    + keccak_rounds(3) * 2
    + ACCOUNT_UPDATE
    + ACCOUNT_UPDATE * 2
    + keccak_rounds(1)
    + COLD_NEW_WRITE_EXTRA
    + COLD_EXISTING_WRITE_EXTRA;
/// Per calldata byte: copying it and hashing it twice (signing hash, tx hash).
const L2_TX_NATIVE_PER_CALLDATA_BYTE: u64 = 1 + 2 * KECCAK_PER_BYTE;
const L2_TX_NATIVE_PER_ACCESS_LIST_ADDRESS: u64 =
    2_000 + NEW_COLD_ACCOUNT_READ + 30 * KECCAK_PER_BYTE * 2;
const L2_TX_NATIVE_PER_ACCESS_LIST_KEY: u64 = 2_000 + COLD_NEW_READ + 33 * KECCAK_PER_BYTE * 2;
const L2_TX_NATIVE_PER_AUTHORIZATION: u64 = 2_000
    + keccak_rounds(1)
    + ECRECOVER
    + NEW_COLD_ACCOUNT_READ
    + 2 * ACCOUNT_UPDATE
    + 500
    + keccak_rounds(1)
    + blake2s(24)
    + 133 * KECCAK_PER_BYTE * 2;
/// The pubdata of the sender's nonce and balance and of the coinbase's balance.
const L2_TX_INTRINSIC_PUBDATA: u64 = (32 + 1 + 2 + 33) + (32 + 34);
const PUBDATA_PER_AUTHORIZATION: u64 = 32 + 1 + 8 + 2 + 1 + 4 + 4 + 24 + 4;
/// An L2→L1 log as published.
const L2_TO_L1_LOG_PUBDATA: u64 = 88;
/// The most computational native one tx may use (`MAX_NATIVE_COMPUTATIONAL`).
const MAX_NATIVE_COMPUTATIONAL: u64 = 1 << 35;

const fn keccak_rounds(rounds: u64) -> u64 {
    KECCAK_BASE + rounds * KECCAK_ROUND
}

const fn blake2s(len: u64) -> u64 {
    BLAKE2S_BASE + len.div_ceil(64) * BLAKE2S_ROUND
}

fn keccak(len: u64) -> u64 {
    keccak_rounds(len / KECCAK_CHUNK + 1)
}

/// Native of one EVM instruction, interpreter step included (`native_resource_constants.rs`).
/// Accesses to storage and accounts are charged from the tx's state diff, hashing and events
/// where they happen.
const OPCODE_NATIVE: [u16; 256] = {
    let mut table = [40u16; 256];
    let costs: &[(u8, u16)] = &[
        (0x01, 40),
        (0x02, 40),
        (0x03, 40),
        (0x04, 270),
        (0x05, 580),
        (0x06, 220),
        (0x07, 300),
        (0x08, 780),
        (0x09, 470),
        (0x0a, 700),
        (0x0b, 250),
        (0x10, 80),
        (0x11, 80),
        (0x12, 80),
        (0x13, 80),
        (0x14, 60),
        (0x15, 50),
        (0x16, 70),
        (0x17, 70),
        (0x18, 70),
        (0x19, 60),
        (0x1a, 70),
        (0x1b, 150),
        (0x1c, 150),
        (0x1d, 270),
        (0x1e, 130),
        (0x20, 90),
        (0x30, 50),
        (0x31, 60),
        (0x32, 50),
        (0x33, 50),
        (0x34, 40),
        (0x35, 300),
        (0x36, 50),
        (0x37, 100),
        (0x38, 50),
        (0x39, 100),
        (0x3a, 60),
        (0x3b, 60),
        (0x3c, 100),
        (0x3d, 50),
        (0x3e, 100),
        (0x3f, 60),
        (0x40, 190),
        (0x41, 60),
        (0x42, 50),
        (0x43, 50),
        (0x44, 60),
        (0x45, 60),
        (0x46, 50),
        (0x47, 650),
        (0x48, 60),
        (0x49, 60),
        (0x4a, 60),
        (0x50, 30),
        (0x51, 250),
        (0x52, 250),
        (0x53, 80),
        (0x54, 100),
        (0x55, 100),
        (0x56, 60),
        (0x57, 90),
        (0x58, 50),
        (0x59, 50),
        (0x5a, 50),
        (0x5b, 30),
        (0x5c, 100),
        (0x5d, 100),
        (0x5e, 100),
        (0xf0, 25_000),
        (0xf1, 1_500),
        (0xf2, 1_500),
        (0xf3, 70),
        (0xf4, 1_500),
        (0xf5, 25_000),
        (0xfa, 1_500),
        (0xfd, 180),
        (0xff, 3_080),
    ];
    let push: [u16; 33] = [
        40, 50, 60, 140, 150, 160, 160, 170, 170, 180, 180, 190, 190, 200, 200, 210, 210, 220, 220,
        230, 220, 250, 240, 240, 240, 270, 280, 280, 270, 290, 300, 300, 290,
    ];
    let mut i = 0;
    while i < costs.len() {
        table[costs[i].0 as usize] = costs[i].1;
        i += 1;
    }
    let mut n = 0;
    while n < 33 {
        table[0x5f + n] = push[n];
        n += 1;
    }
    let mut n = 0;
    while n < 16 {
        table[0x80 + n] = 50; // DUP
        table[0x90 + n] = 60; // SWAP
        n += 1;
    }
    let mut n = 0;
    while n < 5 {
        table[0xa0 + n] = 50; // LOG
        n += 1;
    }
    // Each instruction also pays the interpreter's step.
    let mut op = 0;
    while op < 256 {
        table[op] += 20;
        op += 1;
    }
    table
};

/// The prices that turn native and pubdata into gas; zero native price turns the model off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ResourcePrices {
    /// Wei per native unit (`--native-price`); 0: no native accounting (Ethereum's rules).
    pub native_price: u64,
    /// Wei per pubdata byte (`--pubdata-price`).
    pub pubdata_price: u64,
}

impl ResourcePrices {
    /// The L2's defaults: 100 native per gas at the default base fee (1,000 wei), as
    /// zksync-os-server's default `native_per_gas`, and a pubdata byte worth one gas.
    pub const DEFAULT: Self = Self {
        native_price: 10,
        pubdata_price: 1_000,
    };

    /// No second resource: plain EVM gas.
    pub const OFF: Self = Self {
        native_price: 0,
        pubdata_price: 0,
    };

    /// Whether txs are charged native and pubdata.
    pub fn on(self) -> bool {
        self.native_price > 0
    }

    /// Native units one gas buys at `gas_price` (0: unlimited, as ZKsync OS with a zero price).
    pub fn native_per_gas(self, gas_price: u128) -> u64 {
        if self.native_price == 0 {
            return 0;
        }
        u64::try_from(gas_price.div_ceil(u128::from(self.native_price))).unwrap_or(u64::MAX)
    }

    /// Native units one pubdata byte costs.
    pub fn native_per_pubdata(self) -> u64 {
        self.pubdata_price
            .checked_div(self.native_price)
            .unwrap_or(0)
    }

    /// Gas per pubdata byte at `base_fee` (`zks_gasPerPubdata`).
    pub fn gas_per_pubdata(self, base_fee: u64) -> u64 {
        match base_fee {
            0 => 0,
            fee => self.pubdata_price.div_ceil(fee),
        }
    }

    /// The least gas a tx with this shape needs for its intrinsic native and pubdata at
    /// `gas_price`: below it zksync-os-server's mempool answers "intrinsic gas too low".
    pub fn intrinsic_gas(self, shape: &TxShape, gas_price: u128) -> u64 {
        let per_gas = self.native_per_gas(gas_price);
        if per_gas == 0 {
            return 0;
        }
        let native = shape.intrinsic_native().saturating_add(
            shape
                .intrinsic_pubdata()
                .saturating_mul(self.native_per_pubdata()),
        );
        native.div_ceil(per_gas)
    }
}

/// What of a tx its intrinsic costs depend on.
#[derive(Debug, Clone, Copy, Default)]
pub struct TxShape {
    /// Calldata bytes.
    pub calldata: u64,
    /// Access list addresses.
    pub access_list_addresses: u64,
    /// Access list storage keys.
    pub access_list_keys: u64,
    /// EIP-7702 authorizations.
    pub authorizations: u64,
}

impl TxShape {
    /// The shape of a revm tx.
    pub fn of(tx: &revm::context::TxEnv) -> Self {
        Self {
            calldata: tx.data.len() as u64,
            access_list_addresses: tx.access_list.0.len() as u64,
            access_list_keys: tx
                .access_list
                .0
                .iter()
                .map(|i| i.storage_keys.len() as u64)
                .sum(),
            authorizations: tx.authorization_list.len() as u64,
        }
    }

    fn intrinsic_native(&self) -> u64 {
        L2_TX_INTRINSIC_NATIVE
            + self.calldata * L2_TX_NATIVE_PER_CALLDATA_BYTE
            + self.access_list_addresses * L2_TX_NATIVE_PER_ACCESS_LIST_ADDRESS
            + self.access_list_keys * L2_TX_NATIVE_PER_ACCESS_LIST_KEY
            + self.authorizations * L2_TX_NATIVE_PER_AUTHORIZATION
    }

    fn intrinsic_pubdata(&self) -> u64 {
        L2_TX_INTRINSIC_PUBDATA + self.authorizations * PUBDATA_PER_AUTHORIZATION
    }
}

/// Counts the native an execution spends where it happens: instructions, hashing, events and
/// precompiles. Storage and accounts are charged afterwards from the state diff.
#[derive(Debug, Default, Clone)]
pub(super) struct NativeMeter {
    /// Native counted so far in this tx.
    pub(super) native: u64,
    /// Whether to count at all.
    pub(super) on: bool,
}

impl NativeMeter {
    /// A meter that counts when `on`.
    pub(super) fn new(on: bool) -> Self {
        Self { native: 0, on }
    }

    /// The native counted for the last tx; resets it.
    pub(super) fn take(&mut self) -> u64 {
        std::mem::take(&mut self.native)
    }

    fn add(&mut self, native: u64) {
        self.native = self.native.saturating_add(native);
    }

    /// At each instruction.
    pub(super) fn step(&mut self, interp: &Interpreter) {
        let op = interp.bytecode.opcode();
        let mut native = u64::from(OPCODE_NATIVE[op as usize]);
        if op == 0x20 {
            // KECCAK256(offset, size): its rounds.
            if let Ok(size) = interp.stack.peek(1) {
                native += keccak(size.saturating_to());
            }
        }
        self.add(native);
    }

    /// An emitted event: stored for the receipt.
    pub(super) fn log(&mut self, log: &Log) {
        self.add(
            EVENT_BASE
                + EVENT_TOPIC * log.topics().len() as u64
                + EVENT_BYTE * log.data.data.len() as u64,
        );
    }

    /// A call: precompiles are charged by their input.
    pub(super) fn call(
        &mut self,
        inputs: &CallInputs,
        input: &[u8],
        modexp_gas: impl Fn(&[u8]) -> u64,
    ) {
        let Some(n) = precompile_number(&inputs.bytecode_address) else {
            return;
        };
        let len = input.len() as u64;
        let native = match n {
            1 => ECRECOVER,
            2 => SHA256_BASE + (len + 9).div_ceil(64) * SHA256_ROUND,
            3 => RIPEMD160_BASE + (len + 9).div_ceil(64) * RIPEMD160_ROUND,
            4 => COPY_BASE + len,
            5 => modexp_gas(input).saturating_mul(MODEXP_NATIVE_PER_GAS),
            6 => BN254_ECADD,
            7 => BN254_ECMUL,
            8 => BN254_PAIRING_BASE + (len / 192) * BN254_PAIRING_PER_PAIR,
            0x100 => P256VERIFY,
            _ => 0,
        };
        self.add(native);
    }
}

fn precompile_number(address: &Address) -> Option<u16> {
    let bytes = address.as_slice();
    (bytes[..18].iter().all(|b| *b == 0)).then(|| u16::from_be_bytes([bytes[18], bytes[19]]))
}

/// What a finished tx spent of native and pubdata, from the meter and its state diff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TxResources {
    /// Computational native.
    pub computational: u64,
    /// Pubdata bytes.
    pub pubdata: u64,
}

impl TxResources {
    /// The resources of an L2 tx: its intrinsic ones, what the meter counted, and its state
    /// diff against `before` (the sender's and coinbase's updates are intrinsic).
    pub fn measure(
        shape: &TxShape,
        metered: u64,
        before: &StateSnapshot,
        diff: &EvmState,
        sender: Address,
        coinbase: Address,
        messages: &[usize],
    ) -> Self {
        let mut computational = shape.intrinsic_native().saturating_add(metered);
        let mut pubdata = shape.intrinsic_pubdata();
        for (address, account) in diff {
            let old = before.account(address);
            let intrinsic = *address == sender || *address == coinbase;
            // The system and precompile space (below 0x10000) is not read from the tree.
            if !intrinsic && precompile_number(address).is_none() {
                computational += match old.is_some() {
                    true => EXISTING_COLD_ACCOUNT_READ,
                    false => NEW_COLD_ACCOUNT_READ,
                };
                if let Some(code) = account.info.code.as_ref().filter(|c| !c.is_empty()) {
                    // Its bytecode, fetched and analysed to run it.
                    computational +=
                        PREIMAGE_CACHE_GET + BYTECODE_PREPROCESSING_BYTE * code.len() as u64;
                }
            }
            let (old_nonce, old_balance, old_code_hash) = old
                .as_ref()
                .map(|a| (a.info.nonce, a.info.balance, a.info.code_hash))
                .unwrap_or((0, U256::ZERO, revm::primitives::KECCAK_EMPTY));
            let info = &account.info;
            let deployed = info.code_hash != old_code_hash;
            let changed = info.nonce != old_nonce || info.balance != old_balance || deployed;
            if changed && !intrinsic {
                computational += match old.is_some() {
                    true => COLD_EXISTING_WRITE_EXTRA,
                    false => COLD_NEW_WRITE_EXTRA,
                };
                pubdata += 32 + 1;
                if info.nonce != old_nonce {
                    pubdata += 2;
                }
                if info.balance != old_balance {
                    pubdata += compressed_diff(old_balance, info.balance);
                }
            }
            if deployed {
                let len = info.code.as_ref().map_or(0, |c| c.len() as u64);
                // Hashing the new bytecode (keccak and blake2s) and publishing it.
                computational += keccak(len) + blake2s(len) + BYTECODE_PREPROCESSING_BYTE * len;
                pubdata += 8 + 4 + 4 + 4 + len;
            }
            for slot in account.storage.values() {
                let original = slot.original_value();
                computational += WARM_STORAGE_READ
                    + match original.is_zero() {
                        true => COLD_NEW_READ,
                        false => COLD_EXISTING_READ,
                    };
                if slot.is_changed() {
                    computational += match original.is_zero() {
                        true => COLD_NEW_WRITE_EXTRA,
                        false => COLD_EXISTING_WRITE_EXTRA,
                    };
                    pubdata += 32 + compressed_diff(original, slot.present_value());
                }
            }
        }
        for len in messages {
            pubdata += L2_TO_L1_LOG_PUBDATA + 4 + *len as u64;
        }
        Self {
            computational,
            pubdata,
        }
    }

    /// Native used: computation (capped as ZKsync OS caps it) plus pubdata.
    pub fn native(&self, prices: ResourcePrices) -> u64 {
        self.computational
            .min(MAX_NATIVE_COMPUTATIONAL)
            .saturating_add(self.pubdata.saturating_mul(prices.native_per_pubdata()))
    }
}

/// The outcome of charging a tx's native: its final gas used, or out of native.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Charge {
    /// Gas used, `deltaGas` included.
    Gas(u64),
    /// Native ran out: the tx fails and spends its whole gas limit.
    OutOfNative,
}

/// ZKsync OS's refund step: `deltaGas` added to `gas_used` when native used more.
pub(super) fn charge(gas_used: u64, gas_limit: u64, native: u64, native_per_gas: u64) -> Charge {
    if native_per_gas == 0 {
        return Charge::Gas(gas_used);
    }
    if native > gas_limit.saturating_mul(native_per_gas) {
        return Charge::OutOfNative;
    }
    Charge::Gas(gas_used.max(native / native_per_gas))
}

/// Bytes ZKsync OS publishes for a value going from `old` to `new`: one metadata byte plus the
/// shortest of the new value, the addition and the subtraction that get there (32 bytes at most).
fn compressed_diff(old: U256, new: U256) -> u64 {
    let len = |v: U256| (v.bit_len() as u64).div_ceil(8);
    let add = new.checked_sub(old).map_or(32, len);
    let sub = old.checked_sub(new).map_or(32, len);
    1 + len(new).min(add).min(sub)
}

impl<CTX: ContextTr> Inspector<CTX> for NativeMeter {
    fn step(&mut self, interp: &mut Interpreter, _: &mut CTX) {
        if self.on {
            NativeMeter::step(self, interp);
        }
    }

    fn log(&mut self, _: &mut CTX, log: Log) {
        if self.on {
            NativeMeter::log(self, &log);
        }
    }

    fn call(&mut self, context: &mut CTX, inputs: &mut CallInputs) -> Option<CallOutcome> {
        if self.on {
            let input = inputs.input.bytes(context);
            NativeMeter::call(self, inputs, &input, modexp_gas);
        }
        None
    }
}

/// The EVM gas of a modexp call (Berlin pricing, as ZKsync OS), to price its native.
pub(super) fn modexp_gas(input: &[u8]) -> u64 {
    revm::precompile::modexp::berlin_run(input, u64::MAX)
        .map(|out| out.gas_used)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_fits_in_21000_gas_at_the_default_prices() {
        let prices = ResourcePrices {
            native_price: 10,
            pubdata_price: 1_000,
        };
        let gas = prices.intrinsic_gas(&TxShape::default(), 1_000);
        assert!(gas < 21_000, "{gas}");
        // At a tenth of the native per gas, it does not.
        assert!(prices.intrinsic_gas(&TxShape::default(), 100) > 21_000);
    }

    #[test]
    fn delta_gas_is_added_when_native_dominates() {
        assert_eq!(charge(21_000, 30_000, 2_500_000, 100), Charge::Gas(25_000));
        assert_eq!(charge(21_000, 30_000, 1_000_000, 100), Charge::Gas(21_000));
        assert_eq!(charge(21_000, 24_000, 2_500_000, 100), Charge::OutOfNative);
        assert_eq!(charge(21_000, 21_000, u64::MAX, 0), Charge::Gas(21_000));
    }

    #[test]
    fn diffs_publish_their_shortest_form() {
        assert_eq!(compressed_diff(U256::ZERO, U256::from(1)), 2);
        assert_eq!(compressed_diff(U256::MAX, U256::ZERO), 1);
        assert_eq!(compressed_diff(U256::from(1000), U256::from(1001)), 2);
        assert_eq!(compressed_diff(U256::ZERO, U256::MAX), 33);
    }
}
