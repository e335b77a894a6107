//! zkos-dev: a whole ZKsync-OS-style rollup on a laptop.
//!
//! ```text
//!  eth_sendRawTransaction (rpc)
//!             |
//!             v
//!          mempool ---- ordered txs ----> sequencer ----uses----> executor (revm, sync)
//!                                            |  writes: state, chain (receipts)
//!                                            |  emits:  NodeEvent::BlockSealed
//!                                            v
//!                                   events --> rpc subscriptions, filters, logs
//!  rpc dev methods --> SequencerCommand --> sequencer
//! ```
//!
//! `node` runs these stages twice, each chain with its own storage: the L2 and the embedded L1
//! (`l1`: chain 31337 with the rollup contracts at genesis). On the L2, `batcher` -> `prover`
//! -> `l1::sender` settle the blocks on L1.
//!
//! Public, because `main`, the integration tests (`tests/it`) or the examples use them:
//! `config` (what can be configured), `cli` (flags -> config, and the `snapshot` / `reset`
//! commands), `accounts`, `executor` (execution rules and prices), `storage`, `events`, `rpc`,
//! `l1`, `abi` (the rollup contracts' bindings), `interop` (bundles between the L2s on the
//! Gateway: its addresses, the MessageRoot's bindings, the root watcher, proofs), `prover`, `tree` (the state tree),
//! `persistence` (data dir, dumps, named snapshots), `metrics`, `ports` (which flag sets each
//! listening port), `tui`, `bench`, `init`; and, at the root, `Node` and `NodeHandle`
//! (`Node::spawn` is the one entry point). Crate-private: `node` (the wiring), `mempool`,
//! `sequencer`, `chain_settings`, `batcher`, `tx`, `devnet` (saving and restoring both chains
//! together), `genesis`, `output`, `banner`. Nothing outside uses `storage` directly; it stays
//! public because its types (`ChainStore`, `StateSnapshot`, `StateDb`) appear in public items of
//! `rpc`, `executor`, `prover` and `persistence`. `fork` is public for `ForkConfig` and what
//! `NodeHandle::fork` returns.
//!
//! The modules import each other without cycles (`scripts/module-cycles.sh`).

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod abi;
pub mod accounts;
pub(crate) mod banner;
pub(crate) mod batcher;
pub mod bench;
pub(crate) mod chain_settings;
pub mod cli;
pub mod config;
pub(crate) mod devnet;
pub mod events;
pub mod executor;
pub mod fork;
pub(crate) mod genesis;
pub mod init;
pub mod interop;
pub mod l1;
pub(crate) mod mempool;
pub mod metrics;
pub(crate) mod node;
pub(crate) mod output;
pub mod persistence;
pub mod ports;
pub mod prover;
pub(crate) mod retry;
pub mod rpc;
pub(crate) mod sequencer;
pub mod storage;
pub mod tree;
pub mod tui;
pub(crate) mod tx;

pub use config::{Config, L1Config, MiningMode};
pub use node::{CHAINS_DIR, L2Endpoint, Node, NodeHandle, TreeResume};
