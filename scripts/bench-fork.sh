#!/usr/bin/env bash
# Forking, measured: a release zkos-dev as the remote, then zkos-dev and anvil (npm) each forking
# it, side by side in one run: first and cached eth_getBalance latency (scripts/bench-fork.mjs),
# then `zkos-dev bench` throughput on the zkos-dev fork against the same on the anvil fork.
#
#   scripts/bench-fork.sh [READS] [TXS]      # default 1000 reads, 5000-tx bench rounds
#
# Ports 23050-23061 must be free. Uses the release build and tests/e2e/node_modules/.bin/anvil.
set -euo pipefail
cd "$(dirname "$0")/.."
READS="${1:-1000}"
TXS="${2:-5000}"
BIN="${ZKOS_DEV_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/zkos-dev-target}/release/zkos-dev}"
ANVIL="${ANVIL_BIN:-tests/e2e/node_modules/.bin/anvil}"
[ -x "$BIN" ] || { echo "error: $BIN missing (cargo build --release)" >&2; exit 1; }
[ -x "$ANVIL" ] || { echo "error: $ANVIL missing (cd tests/e2e && npm ci)" >&2; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_rpc() {
  for _ in $(seq 300); do
    curl -s -m 1 -X POST -H 'content-type: application/json' \
      -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$1" | grep -q result && return 0
    sleep 0.1
  done
  echo "error: $1 never answered" >&2; exit 1
}

"$BIN" start --ephemeral --no-l1 --no-metrics --silent --port 23050 & pids+=($!)
wait_rpc http://127.0.0.1:23050
# Some history on the remote first (funded bench accounts, a block of transfers).
"$BIN" bench --rpc http://127.0.0.1:23050 --txs 2000 --accounts 50 >/dev/null

"$BIN" start --ephemeral --no-l1 --no-metrics --silent --port 23060 --fork-url http://127.0.0.1:23050 --no-rate-limit & pids+=($!)
"$ANVIL" --silent --port 23061 --fork-url http://127.0.0.1:23050 --no-rate-limit & pids+=($!)
wait_rpc http://127.0.0.1:23060
wait_rpc http://127.0.0.1:23061

echo "== read latency, one request at a time"
node scripts/bench-fork.mjs --fork http://127.0.0.1:23060 --anvil http://127.0.0.1:23061 --reads "$READS"
echo "== bench on the forks (ETH transfers), zkos-dev fork (--rpc) vs anvil fork (--vs)"
"$BIN" bench --rpc http://127.0.0.1:23060 --vs http://127.0.0.1:23061 --txs "$TXS" --accounts 100 --batch 50 --conns 4 --rounds 3
