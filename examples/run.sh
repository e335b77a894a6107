#!/usr/bin/env bash
# Runs every example against a fresh devnet on free ports (as CI does).
#   ZKOS_DEV_BIN=path/to/zkos-dev examples/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${ZKOS_DEV_BIN:-${CARGO_TARGET_DIR:-target}/debug/zkos-dev}"
[ -x "$BIN" ] || { echo "examples/run.sh: no zkos-dev binary at $BIN (cargo build first)" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
L2_PORT="$(free_port)"; L1_PORT="$(free_port)"
"$BIN" start --port "$L2_PORT" --l1-port "$L1_PORT" --silent &
NODE=$!
trap 'kill $NODE 2>/dev/null; wait $NODE 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$L2_PORT/health" >/dev/null && break
  sleep 0.1
done
cargo build --quiet --examples
for example in deposit withdraw; do
  echo "== example: $example"
  "${CARGO_TARGET_DIR:-target}/debug/examples/$example" "http://127.0.0.1:$L2_PORT" "http://127.0.0.1:$L1_PORT"
done
