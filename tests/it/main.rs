//! Integration tests of zkos-dev: each test starts a node in-process (`Config::test()`) and
//! drives it over JSON-RPC the way a user's tool would, asserting what the user would see.
#![allow(clippy::unwrap_used)]
// `sol!` bindings of the committed artifacts (`#[sol(rpc)]`) generate one method argument per
// ABI parameter: clippy 1.95 counts them against the 7-argument limit.
#![allow(clippy::too_many_arguments)]

mod bench;
mod blocks;
mod bridge;
mod calls;
mod chain_info;
mod cheatcodes;
mod cli;
mod concurrency;
mod contracts;
mod devnet_snapshots;
mod durability;
mod eip712;
mod erc20_bridge;
mod errors;
mod eth_parity;
mod fork;
mod gas_model;
mod history;
mod hostile;
mod l1;
mod l1_deploy;
mod logs;
mod mining;
mod multichain;
mod ots;
mod otterscan_pages;
mod prover;
mod refusals;
mod replay;
mod rules;
mod settlement;
mod signing;
mod simulate;
mod state;
mod subscriptions;
mod support;
mod tracing;
mod transactions;
mod tree_checkpoint;
mod withdrawals;
mod zks;
mod zks_os;
