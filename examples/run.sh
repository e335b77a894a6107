#!/usr/bin/env bash
# Runs every example against a fresh devnet on free ports (as CI does): the Rust ones (alloy) and
# the JavaScript ones (viem, ethers, and the ZKsync SDKs zksync-ethers and viem/zksync; `npm ci` in
# examples/js when its lock file changed).
#   ZKOS_DEV_BIN=path/to/zkos-dev examples/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-target}"
BIN="${ZKOS_DEV_BIN:-$TARGET/debug/zkos-dev}"
[ -x "$BIN" ] || { echo "examples/run.sh: no zkos-dev binary at $BIN (cargo build first)" >&2; exit 1; }
command -v node >/dev/null || { echo "examples/run.sh: node not found on PATH (Node.js 20+)" >&2; exit 1; }

# npm ci in examples/js unless node_modules matches the lock file (stamp: package.json + lock + node).
want="$(cat examples/js/package.json examples/js/package-lock.json | sha256sum | cut -c1-64) $(node --version)"
stamp=examples/js/node_modules/.zkos-examples-stamp
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== npm ci in examples/js"
  (cd examples/js && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
fi
cargo build --locked --quiet --examples

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
L2_PORT="$(free_port)"; L1_PORT="$(free_port)"
L2="http://127.0.0.1:$L2_PORT"; L1="http://127.0.0.1:$L1_PORT"
"$BIN" start --ephemeral --port "$L2_PORT" --l1-port "$L1_PORT" --no-metrics --silent &
NODE=$!
trap 'kill $NODE 2>/dev/null; wait $NODE 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "$L2/health" >/dev/null && break
  sleep 0.1
done

example() {
  echo "== example: $*"
  local start=$SECONDS
  "$@"
  echo "   ($((SECONDS - start)) s)"
}
example "$TARGET/debug/examples/deploy_and_call" "$L2"
example "$TARGET/debug/examples/deposit" "$L2" "$L1"
example "$TARGET/debug/examples/withdraw" "$L2" "$L1"
example "$TARGET/debug/examples/watch_batches" "$L2"
example "$TARGET/debug/examples/in_process"   # its own devnet, in-process on free ports
example env ZKOS_L2_URL="$L2" cargo test --locked --quiet --example snapshot_revert
example node examples/js/viem.mjs "$L2" "$L1"
example node examples/js/ethers.mjs "$L2" "$L1"
example node examples/js/sdk-zksync-ethers.mjs "$L2" "$L1"
example node examples/js/sdk-viem.mjs "$L2" "$L1"

# Interop needs two L2s on the Gateway: a devnet of its own.
A_PORT="$(free_port)"; B_PORT="$(free_port)"; GW_PORT="$(free_port)"; GW_L1_PORT="$(free_port)"
"$BIN" start --ephemeral --chains 270,271 --chain-ports "$A_PORT,$B_PORT" --gateway --gateway-port "$GW_PORT" \
  --l1-port "$GW_L1_PORT" --no-metrics --silent &
GATEWAY_NODE=$!
trap 'kill $NODE $GATEWAY_NODE 2>/dev/null; wait $NODE $GATEWAY_NODE 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$B_PORT/health" >/dev/null && break
  sleep 0.1
done
example "$TARGET/debug/examples/interop" "http://127.0.0.1:$A_PORT" "http://127.0.0.1:$B_PORT"
