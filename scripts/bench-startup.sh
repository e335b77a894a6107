#!/usr/bin/env bash
# Start-up time of `zkos-dev start`: from exec to every JSON-RPC (the L2s and the embedded L1)
# answering eth_chainId, median of N runs, with one L2, then two and three (`--chains`), then two
# and the Gateway (`--gateway`); and the same for anvil when it is installed, for comparison.
#
#   scripts/bench-startup.sh [RUNS]        # default 9 runs; uses the release build
#   ZKOS_DEV_BIN=path/to/zkos-dev ANVIL_BIN=path/to/anvil scripts/bench-startup.sh
#
# Ports 23050-23052 / 28545 / 28546 must be free. Prints one line per node: median, min, max in ms.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-9}"
BIN="${ZKOS_DEV_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/zkos-dev-target}/release/zkos-dev}"
ANVIL="${ANVIL_BIN:-tests/e2e/node_modules/.bin/anvil}"
[ -x "$BIN" ] || { echo "error: $BIN missing (cargo build --release)" >&2; exit 1; }

now_ns() { date +%s%N; }
# Polls until eth_chainId answers on every URL given; no sleep between tries.
answers() {
  for url in "$@"; do
    curl -s -m 1 -X POST -H 'content-type: application/json' \
      -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$url" 2>/dev/null |
      grep -q result || return 1
  done
}
# One run: start the command, wait for the URLs, print ms, stop it.
measure() {
  local urls=("$1") ; shift
  local extra
  for extra in ${EXTRA_URLS:-}; do urls+=("$extra"); done
  local start end pid
  start=$(now_ns)
  "$@" >/dev/null 2>&1 &
  pid=$!
  local tries=0
  until answers "${urls[@]}"; do
    tries=$((tries + 1))
    [ "$tries" -lt 20000 ] || { kill "$pid"; echo "error: $* never answered" >&2; exit 1; }
  done
  end=$(now_ns)
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  echo $(( (end - start) / 1000000 ))
}
stats() {
  sort -n | awk '{ a[NR] = $1 } END { printf "median %d ms (min %d, max %d, %d runs)\n", a[int((NR + 1) / 2)], a[1], a[NR], NR }'
}

echo "zkos-dev start (L2 + embedded L1, settlement on), until both RPCs answer:"
for _ in $(seq "$RUNS"); do
  EXTRA_URLS=http://127.0.0.1:28545 measure http://127.0.0.1:23050 \
    "$BIN" start --ephemeral --port 23050 --l1-port 28545 --no-metrics --silent
done | stats
for chains in 270,271 270,271,272; do
  n=$(echo "$chains" | tr ',' '\n' | wc -l)
  others="http://127.0.0.1:28545"
  for i in $(seq 1 $((n - 1))); do others="$others http://127.0.0.1:$((23050 + i))"; done
  echo "zkos-dev start --chains $chains ($n L2s + embedded L1), until every RPC answers:"
  for _ in $(seq "$RUNS"); do
    EXTRA_URLS="$others" measure http://127.0.0.1:23050 \
      "$BIN" start --ephemeral --chains "$chains" --port 23050 --l1-port 28545 --no-metrics --silent
  done | stats
done
echo "zkos-dev start --chains 270,271 --gateway (2 L2s + the Gateway + embedded L1), until every RPC answers:"
for _ in $(seq "$RUNS"); do
  EXTRA_URLS="http://127.0.0.1:28545 http://127.0.0.1:23051 http://127.0.0.1:23052" measure http://127.0.0.1:23050 \
    "$BIN" start --ephemeral --chains 270,271 --gateway --gateway-port 23052 --port 23050 --l1-port 28545 \
    --no-metrics --silent
done | stats
if [ -x "$ANVIL" ]; then
  echo "anvil ($("$ANVIL" --version | head -1)), until its RPC answers:"
  for _ in $(seq "$RUNS"); do
    measure http://127.0.0.1:28546 "$ANVIL" --port 28546 --silent
  done | stats
fi
