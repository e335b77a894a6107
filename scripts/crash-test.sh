#!/usr/bin/env bash
# Crash test of the data dir: starts `zkos-dev start --data-dir DIR`, sends transfers one after
# another (each acknowledged by its receipt), kills the node with SIGKILL at a random moment,
# restarts it on the same dir and checks that every acknowledged tx is still there in the same
# block, that the first answers after the restart give a `safe`, `finalized` and batch number no
# lower than a client saw before the kill, that a snapshot save cut short left no temporary file,
# and that the L1 catches up with every batch the L2 sealed. Repeats CYCLES times.
#
#   scripts/crash-test.sh [CYCLES]     # default 20; `cargo test` runs the same test with 3
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zkos-dev-target}"
ZKOS_CRASH_CYCLES="${1:-20}" cargo test --locked --test it -- --exact \
  durability::acknowledged_txs_survive_kill_9_under_load --nocapture
