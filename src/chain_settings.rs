//! Chain settings: what the next block looks like (chain id, gas limit, base fee, coinbase,
//! clock). The sequencer owns them and is the only writer (`SettingsWriter`); RPC and mempool
//! admission read them (`Settings`), so a runtime change (`anvil_setChainId`, ...) is visible
//! to `eth_chainId`, `eth_gasPrice` and tx validation at once.

mod clock;

pub(crate) use clock::BlockClock;

use std::sync::Arc;

use alloy_primitives::Address;
use parking_lot::RwLock;

use crate::config::ChainConfig;

/// The settings of the next block. Small and `Copy`: readers take a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainSettings {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Block gas limit.
    pub gas_limit: u64,
    /// Base fee per gas, in wei (constant until changed).
    pub base_fee: u64,
    /// Fee recipient.
    pub coinbase: Address,
    /// Timestamps.
    pub clock: BlockClock,
}

impl From<&ChainConfig> for ChainSettings {
    fn from(config: &ChainConfig) -> Self {
        Self {
            chain_id: config.chain_id,
            gas_limit: config.gas_limit,
            base_fee: config.base_fee,
            coinbase: config.fee_account,
            clock: BlockClock::default(),
        }
    }
}

/// Read handle, cheap to clone.
///
/// A `parking_lot::RwLock` rather than a `watch` channel: readers are sync code on every RPC
/// call and only need the current value, never a change notification; the lock is held just
/// to copy a few words, never across `.await`.
#[derive(Debug, Clone)]
pub struct Settings(Arc<RwLock<ChainSettings>>);

impl Settings {
    /// The current settings.
    pub fn get(&self) -> ChainSettings {
        *self.0.read()
    }
}

/// The sequencer's write handle. Not `Clone`: one writer.
#[derive(Debug)]
pub(crate) struct SettingsWriter(Settings);

impl SettingsWriter {
    /// Settings starting at `initial`.
    pub(crate) fn new(initial: ChainSettings) -> Self {
        Self(Settings(Arc::new(RwLock::new(initial))))
    }

    /// A read handle for RPC and the mempool.
    pub(crate) fn reader(&self) -> Settings {
        self.0.clone()
    }

    /// The current settings.
    pub(crate) fn get(&self) -> ChainSettings {
        self.0.get()
    }

    /// Changes the settings; returns what `f` returns.
    pub(crate) fn update<T>(&self, f: impl FnOnce(&mut ChainSettings) -> T) -> T {
        f(&mut self.0.0.write())
    }
}
