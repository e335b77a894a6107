//! ZKsync OS's native costs as published (`evm_interpreter/src/native_resource_constants.rs`,
//! `basic_system/src/cost_constants.rs`, `basic_system/src/system_implementation/
//! flat_storage_model/cost_constants.rs`, `basic_bootloader/src/bootloader/constants.rs`): per
//! precompile, per storage and account access, per tx, and per opcode. `resources.rs` applies
//! them.

/// Native of `raw` RISC-V cycles plus delegated bigint and blake2s calls
/// (`zk_ee::native_with_delegations!`).
pub(super) const fn delegated(raw: u64, bigint: u64, blake: u64) -> u64 {
    raw + bigint * 4 + blake * 16
}

// Hashing and precompiles (basic_system/src/cost_constants.rs).
pub(super) const ECRECOVER: u64 = delegated(350_000, 43_000, 0);
pub(super) const KECCAK_BASE: u64 = 2_500;
pub(super) const KECCAK_ROUND: u64 = 17_500;
pub(super) const KECCAK_CHUNK: u64 = 136;
pub(super) const SHA256_BASE: u64 = 1_600;
pub(super) const SHA256_ROUND: u64 = 4_200;
pub(super) const RIPEMD160_BASE: u64 = 1_600;
pub(super) const RIPEMD160_ROUND: u64 = 4_200;
pub(super) const BLAKE2S_BASE: u64 = 800;
pub(super) const BLAKE2S_ROUND: u64 = 340;
pub(super) const BN254_ECADD: u64 = delegated(46_000, 1_650, 0);
pub(super) const BN254_ECMUL: u64 = delegated(600_000, 41_000, 0);
pub(super) const BN254_PAIRING_BASE: u64 = delegated(13_000_000, 500_000, 0);
pub(super) const BN254_PAIRING_PER_PAIR: u64 = BN254_PAIRING_BASE;
pub(super) const P256VERIFY: u64 = delegated(500_000, 71_000, 0);
/// Modexp is charged at its worst native per EVM gas.
pub(super) const MODEXP_NATIVE_PER_GAS: u64 = 300;
pub(super) const COPY_BASE: u64 = 80;

// The flat storage model (flat_storage_model/cost_constants.rs).
pub(super) const MERKLE_PATH: u64 = delegated(100_000, 0, 1_320);
pub(super) const WARM_ACCOUNT_ACCESS: u64 = 4_000;
pub(super) const WARM_ACCOUNT_WRITE_EXTRA: u64 = 1_000;
pub(super) const WARM_STORAGE_READ: u64 = 4_000;
pub(super) const COLD_EXISTING_READ: u64 = MERKLE_PATH;
pub(super) const COLD_NEW_READ: u64 = 2 * MERKLE_PATH;
pub(super) const COLD_EXISTING_WRITE_EXTRA: u64 = MERKLE_PATH;
pub(super) const COLD_NEW_WRITE_EXTRA: u64 = 3 * MERKLE_PATH;
pub(super) const EVENT_BASE: u64 = 6_000;
pub(super) const EVENT_TOPIC: u64 = 200;
pub(super) const EVENT_BYTE: u64 = 2;
pub(super) const PREIMAGE_CACHE_GET: u64 = 500;
pub(super) const BYTECODE_PREPROCESSING_BYTE: u64 = 6;

// Per tx (basic_bootloader/src/bootloader/constants.rs).
pub(super) const NEW_COLD_ACCOUNT_READ: u64 =
    WARM_ACCOUNT_ACCESS + WARM_STORAGE_READ + COLD_NEW_READ;
pub(super) const EXISTING_COLD_ACCOUNT_READ: u64 =
    WARM_ACCOUNT_ACCESS + WARM_STORAGE_READ + COLD_EXISTING_READ;
pub(super) const ACCOUNT_UPDATE: u64 = WARM_ACCOUNT_ACCESS + WARM_ACCOUNT_WRITE_EXTRA;
pub(super) const KECCAK_PER_BYTE: u64 = KECCAK_ROUND.div_ceil(KECCAK_CHUNK);
/// Signature check, the sender's read, nonce and fee updates, the tx's hashes, the coinbase and
/// refund transfers, and persisting the sender (worst case: new) and the coinbase.
pub(super) const L2_TX_INTRINSIC_NATIVE: u64 = ECRECOVER
    + NEW_COLD_ACCOUNT_READ
    + ACCOUNT_UPDATE
    + keccak_rounds(3) * 2
    + ACCOUNT_UPDATE
    + ACCOUNT_UPDATE * 2
    + keccak_rounds(1)
    + COLD_NEW_WRITE_EXTRA
    + COLD_EXISTING_WRITE_EXTRA;
/// Per calldata byte: copying it and hashing it twice (signing hash, tx hash).
pub(super) const L2_TX_NATIVE_PER_CALLDATA_BYTE: u64 = 1 + 2 * KECCAK_PER_BYTE;
pub(super) const L2_TX_NATIVE_PER_ACCESS_LIST_ADDRESS: u64 =
    2_000 + NEW_COLD_ACCOUNT_READ + 30 * KECCAK_PER_BYTE * 2;
pub(super) const L2_TX_NATIVE_PER_ACCESS_LIST_KEY: u64 =
    2_000 + COLD_NEW_READ + 33 * KECCAK_PER_BYTE * 2;
pub(super) const L2_TX_NATIVE_PER_AUTHORIZATION: u64 = 2_000
    + keccak_rounds(1)
    + ECRECOVER
    + NEW_COLD_ACCOUNT_READ
    + 2 * ACCOUNT_UPDATE
    + 500
    + keccak_rounds(1)
    + blake2s(24)
    + 133 * KECCAK_PER_BYTE * 2;
/// The pubdata of the sender's nonce and balance and of the coinbase's balance.
pub(super) const L2_TX_INTRINSIC_PUBDATA: u64 = (32 + 1 + 2 + 33) + (32 + 34);
pub(super) const PUBDATA_PER_AUTHORIZATION: u64 = 32 + 1 + 8 + 2 + 1 + 4 + 4 + 24 + 4;
/// An L2→L1 log as published.
pub(super) const L2_TO_L1_LOG_PUBDATA: u64 = 88;
/// The most computational native one tx may use (`MAX_NATIVE_COMPUTATIONAL`).
pub(super) const MAX_NATIVE_COMPUTATIONAL: u64 = 1 << 35;

pub(super) const fn keccak_rounds(rounds: u64) -> u64 {
    KECCAK_BASE + rounds * KECCAK_ROUND
}

pub(super) const fn blake2s(len: u64) -> u64 {
    BLAKE2S_BASE + len.div_ceil(64) * BLAKE2S_ROUND
}

pub(super) fn keccak(len: u64) -> u64 {
    keccak_rounds(len / KECCAK_CHUNK + 1)
}

/// Native of one EVM instruction, interpreter step included (`native_resource_constants.rs`).
/// Accesses to storage and accounts are charged from the tx's state diff, hashing and events
/// where they happen.
pub(super) const OPCODE_NATIVE: [u16; 256] = {
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
