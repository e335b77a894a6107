#!/usr/bin/env bash
# The whole test suite: Rust unit + integration tests, then the client e2e suite
# (cast, forge, viem, ethers, Hardhat) against the real `zkos-dev` binary, and the L1
# contracts in state/ against anvil.
# Installs the pinned npm packages it needs (tests/e2e/package-lock.json) by itself.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zkos-dev-target}"

command -v cargo >/dev/null || { echo "error: cargo not found (install Rust from https://rustup.rs)" >&2; exit 1; }
command -v npm >/dev/null || { echo "error: npm not found (install Node.js 20+)" >&2; exit 1; }

echo "==> npm packages of state/ (solc, and the anvil the Rust tests use as an external L1)"
(cd state && npm ci --no-audit --no-fund --loglevel=error)

echo "==> module graph: no import cycles between src/'s top-level modules"
scripts/module-cycles.sh

echo "==> cargo test (the abuse run sends ${ZKOS_ABUSE_REQUESTS:=100000} hostile requests)"
export ZKOS_ABUSE_REQUESTS
cargo test --locked

echo "==> L1 contracts (state/): artifacts and L1 genesis up to date, tests against anvil"
(cd state && node build.mjs --check && node --test test/ && node genesis.mjs --check)

echo "==> client e2e suite"
cargo build --locked --bin zkos-dev
ZKOS_DEV_BIN="$CARGO_TARGET_DIR/debug/zkos-dev" tests/e2e/run.sh

echo "==> terminal dashboard in tmux (installs tmux with apt-get if missing)"
command -v tmux >/dev/null || { apt-get update -qq && apt-get install -y -qq tmux >/dev/null; }
ZKOS_DEV_BIN="$CARGO_TARGET_DIR/debug/zkos-dev" tests/e2e/tui.sh

echo "==> examples (Rust and JavaScript) against a fresh devnet"
ZKOS_DEV_BIN="$CARGO_TARGET_DIR/debug/zkos-dev" examples/run.sh
