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
//! (`l1`: chain 31337 with the rollup contracts at genesis).
//!
//! Modules: `config` (what can be configured), `cli` (flags -> config), `node` (wiring),
//! `accounts`, `mempool`, `executor`, `sequencer`, `storage` (state, chain), `events`,
//! `rpc` (eth, dev, filters, error map), `l1` (embedded L1 genesis), `banner`, `ports` (which
//! flag sets each listening port).

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod abi;
pub mod accounts;
pub mod banner;
pub mod batcher;
pub mod bench;
pub mod chain_settings;
pub mod cli;
pub mod config;
pub mod devnet;
pub mod events;
pub mod executor;
pub mod genesis;
pub mod init;
pub mod l1;
pub mod mempool;
pub mod metrics;
pub mod node;
pub mod output;
pub mod persistence;
pub mod ports;
pub mod prover;
pub mod rpc;
pub mod sequencer;
pub mod storage;
pub mod tree;
pub mod tui;
pub mod tx;

pub use config::{Config, L1Config, MiningMode};
pub use node::{Node, NodeHandle};
