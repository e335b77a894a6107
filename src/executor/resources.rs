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
//! The cost table is `costs.rs`; here are the meter that applies it per opcode and the per-tx
//! charges (intrinsic, state diff, pubdata).

use alloy_primitives::{Address, U256};
use revm::{
    Inspector,
    context_interface::ContextTr,
    interpreter::{CallInputs, CallOutcome, Interpreter, interpreter_types::Jumps},
    primitives::Log,
    state::EvmState,
};

use crate::storage::state::StateSnapshot;

mod costs;

use costs::*;

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
