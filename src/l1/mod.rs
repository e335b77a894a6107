//! The embedded L1: a second chain in the same process, built from the same stages as the L2
//! (storage, mempool, sequencer, RPC; `node/` wires both), whose genesis holds the rollup
//! contracts (`genesis.rs`; their ABI is `crate::abi`). Serves JSON-RPC on 127.0.0.1:8545 as
//! chain 31337, like anvil.
//!
//! Also here: `deploy` (the rollup contracts on an external L1),
//! `watcher` (`NewPriorityRequest` -> L1 txs on L2), `sender` (commit, prove, execute on L1,
//! or on the Gateway), `settle` (manual settlement commands), and for `--gateway` `gateway`
//! (the same contracts in the Gateway's genesis), `relay` (L1 requests queued on the
//! Gateway), `finality` (an L2 on the Gateway is final once the Gateway is) and `zk_token`
//! (the ZK token the fixed interop fee is paid in).

pub mod chains;
pub mod deploy;
pub mod finality;
pub mod gateway;
pub mod genesis;
pub mod relay;
pub mod sender;
pub mod settle;
pub mod watcher;
pub mod zk_token;

pub use chains::ChainOnL1;
pub use genesis::{L1Contracts, L1Genesis};
